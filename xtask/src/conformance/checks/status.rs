//! §3.5 operator status and Decision 9: ranges, ownership, transitions and
//! the revocation of tokens issued before a deactivation.

use std::sync::Arc;
use std::time::Duration;

use chathub_client::{OperatorId, OperatorStatus, OperatorToken};
use chathub_types::operator::set_status;
use serde_json::json;

use super::within_body;
use crate::conformance::context::Ctx;
use crate::conformance::runner::{Check, Limit, check};
use crate::conformance::verdict::{Expecting, Outcome, Stop, ensure, ensure_eq, within};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!("endpoint/set-status", "§3.5", "status: 200 with an empty body; the list shows it", shape),
        check!(
            "decision-9/status-out-of-range-400",
            "§4.9",
            "status 3, -1, 2147483647: 400 naming $.status",
            out_of_range
        ),
        check!("decision-9/unknown-operator-404", "§4.9", "status of an unknown operator: 404", unknown),
        check!(
            "decision-9/other-company-operator-404",
            "§4.9",
            "status of another company's operator: 404, unchanged",
            other_company
        ),
        check!("decision-9/any-transition", "§4.9", "any status may follow any other", transitions),
        check!(
            "decision-9/inactive-revokes",
            "§4.9",
            "Inactive revokes earlier tokens, also after reactivation",
            inactive_revokes,
            Limit::Secs(30)
        ),
        check!(
            "decision-9/deleted-revokes",
            "§4.9",
            "Deleted revokes earlier tokens; later ones are valid",
            deleted_revokes,
            Limit::Secs(30)
        ),
    ]
}

const PATH: &str = set_status::ENDPOINT.path;

async fn set(cx: &Ctx, id: OperatorId, status: OperatorStatus) -> Outcome {
    cx.client.operators().set_status(id, status).await.expecting(&format!("200 setting operator {id} {status} (§3.5)"))
}

async fn listed_status(cx: &Ctx, id: OperatorId) -> Result<OperatorStatus, Stop> {
    Ok(super::listed(cx, cx.write_org()?, id).await?.status)
}

async fn shape(cx: Arc<Ctx>) -> Outcome {
    let id = cx.fresh_operator("set-status").await?;
    let reply = cx.raw("POST", PATH).with_company_token().json(&json!({"id": id.get(), "status": 1})).send().await?;
    reply.expect_status(200)?;
    ensure(reply.body.is_empty(), "200 with an empty body", || reply.describe())?;
    ensure_eq("the listed status", listed_status(&cx, id).await?, OperatorStatus::Inactive)
}

async fn out_of_range(cx: Arc<Ctx>) -> Outcome {
    let id = cx.fresh_operator("out-of-range").await?;
    for status in [3, -1, 2_147_483_647] {
        let body = json!({"id": id.get(), "status": status});
        let reply = cx.raw("POST", PATH).with_company_token().json(&body).send().await?;
        reply.expect_invalid(&["$.status"]).map_err(within_body(body))?;
    }
    for body in
        [json!({"id": id.get(), "status": "1"}), json!({"id": id.get(), "status": 1.5}), json!({"id": id.get()})]
    {
        let reply = cx.raw("POST", PATH).with_company_token().json(&body).send().await?;
        reply.expect_invalid(&["$.status"]).map_err(within_body(body))?;
    }
    ensure_eq("the listed status after refused changes", listed_status(&cx, id).await?, OperatorStatus::Active)
}

async fn unknown(cx: Arc<Ctx>) -> Outcome {
    let body = json!({"id": i32::MAX, "status": 1});
    cx.raw("POST", PATH).with_company_token().json(&body).send().await?.expect_problem(404).map(drop)
}

async fn other_company(cx: Arc<Ctx>) -> Outcome {
    let theirs = super::tokens::second_company_operator(&cx, true).await?;
    let body = json!({"id": theirs.get(), "status": 1});
    cx.raw("POST", PATH).with_company_token().json(&body).send().await?.expect_problem(404)?;
    let (_, second) = cx.second()?;
    // Still Active for its own company.
    let token = second.operators().issue_token(theirs, Duration::from_secs(60)).await;
    ensure(token.is_ok(), "the other company's operator still Active (a token can be issued)", || {
        token.err().map(|e| e.to_string()).unwrap_or_default()
    })
}

async fn transitions(cx: Arc<Ctx>) -> Outcome {
    use OperatorStatus::{Active, Deleted, Inactive};
    let id = cx.fresh_operator("transitions").await?;
    for status in [Inactive, Deleted, Active, Deleted, Inactive, Active, Active, Inactive, Inactive] {
        set(&cx, id, status).await?;
        ensure_eq(&format!("the listed status after setting {status}"), listed_status(&cx, id).await?, status)?;
    }
    Ok(())
}

/// `token` as a credential: 403 with a problem body saying it was revoked.
async fn expect_revoked_credential(cx: &Ctx, token: &OperatorToken, when: &str) -> Outcome {
    let reply = cx.raw("GET", "/api/operator").bearer(token.expose()).send().await?;
    reply.expect_problem(403).map_err(within(when))?;
    ensure(
        reply.text().to_lowercase().contains("revoked"),
        format!("{when}: a problem body saying the token was revoked"),
        || reply.describe(),
    )
}

async fn expect_validation(cx: &Ctx, token: &OperatorToken, error: Option<&str>, when: &str) -> Outcome {
    let answer = cx.client.operators().validate_token(token).await.expecting("200 from validate-token (§3.7)")?;
    ensure_eq(
        &format!("{when}: validate-token's (isValid, error)"),
        (answer.is_valid, answer.error.as_deref()),
        (error.is_none(), error),
    )
}

/// Waits until the clock has entered a later second than `instant`, so a
/// token issued now has an `iat` after it (JWT times are whole seconds).
async fn next_second_after(instant: chrono::DateTime<chrono::Utc>) {
    super::wait_until_millis((instant.timestamp() + 1) * 1000).await;
}

async fn revocation(cx: &Ctx, label: &str, deactivate: OperatorStatus) -> Outcome {
    let id = cx.fresh_operator(label).await?;
    let before = cx.operator_token(id, Duration::from_secs(600)).await?;
    expect_validation(cx, &before, None, "before the change").await?;
    set(cx, id, deactivate).await?;
    let changed = chrono::Utc::now();
    expect_revoked_credential(cx, &before, &format!("while {deactivate}")).await?;
    expect_validation(cx, &before, Some("Operator is not active"), &format!("while {deactivate}")).await?;
    let refused = cx.client.operators().issue_token(id, Duration::from_secs(600)).await;
    ensure(
        refused.as_ref().err().and_then(chathub_client::Error::status).map(|s| s.as_u16()) == Some(400),
        format!("get-token while {deactivate}: 400"),
        || format!("{refused:?}"),
    )?;
    set(cx, id, OperatorStatus::Active).await?;
    expect_revoked_credential(cx, &before, "after reactivation").await?;
    expect_validation(cx, &before, Some("Token revoked"), "after reactivation").await?;
    // A token issued in a later second than the deactivation is valid.
    next_second_after(changed).await;
    let after = cx.operator_token(id, Duration::from_secs(600)).await?;
    expect_validation(cx, &after, None, "for a token issued after reactivation").await?;
    cx.raw("GET", "/api/operator").bearer(after.expose()).send().await?.expect_json(200).map(drop)
}

async fn inactive_revokes(cx: Arc<Ctx>) -> Outcome {
    revocation(&cx, "revoked-by-inactive", OperatorStatus::Inactive).await
}

async fn deleted_revokes(cx: Arc<Ctx>) -> Outcome {
    revocation(&cx, "revoked-by-deleted", OperatorStatus::Deleted).await
}
