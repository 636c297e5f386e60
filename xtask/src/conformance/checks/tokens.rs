//! Token bodies by content negotiation (Decision 1), operator get-token
//! (§3.6) and its lifetime rules (Decision 10).

use std::sync::Arc;
use std::time::Duration;

use chathub_client::{OperatorId, OperatorStatus};
use chathub_types::operator::get_token;
use chathub_types::time::{format_instant, truncate_to_seconds};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::within_body;
use crate::conformance::context::Ctx;
use crate::conformance::http::{Reply, media_type};
use crate::conformance::jwt::{decode_part, parts};
use crate::conformance::runner::{Check, check};
use crate::conformance::verdict::{Expecting, Outcome, Stop, ensure, ensure_eq, fail, skip, within};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "decision-1/no-accept-is-text",
            "§4.1",
            "sign-in without Accept: the raw token as text/plain",
            no_accept
        ),
        check!(
            "decision-1/star-accept-is-text",
            "§4.1",
            "sign-in with Accept: */*: the raw token as text/plain",
            star_accept
        ),
        check!("decision-1/text-accept-is-text", "§4.1", "sign-in with Accept: text/plain: text/plain", text_accept),
        check!(
            "decision-1/json-accept-is-json-string",
            "§4.1",
            "sign-in with Accept: application/json: a JSON string",
            json_accept
        ),
        check!(
            "decision-1/accept-weights",
            "§4.1",
            "q-values: JSON only when it outweighs text/plain and q > 0",
            weights
        ),
        check!(
            "decision-1/operator-token-negotiated",
            "§4.1",
            "operator get-token negotiates like sign-in",
            operator_negotiated
        ),
        check!(
            "endpoint/operator-get-token",
            "§3.6",
            "operator get-token: 200, an operator JWT for that operator",
            operator_get_token
        ),
        check!("decision-10/exp-is-expires-at-cut", "§4.10", "exp is expiresAt cut to whole seconds", exp_is_cut),
        check!(
            "decision-10/not-in-future-400",
            "§4.10",
            "expiresAt now or earlier: 400 naming $.expiresAt",
            not_in_future
        ),
        check!(
            "decision-10/over-24-hours-400",
            "§4.10",
            "expiresAt beyond 24 h (+60 s skew): 400 naming $.expiresAt",
            too_long
        ),
        check!(
            "decision-10/skew-allowance",
            "§4.10",
            "expiresAt 24 h + 30 s ahead: accepted (60 s skew allowance)",
            skew
        ),
        check!("decision-10/unknown-operator-404", "§4.10", "get-token for an unknown operator: 404", unknown_operator),
        check!(
            "decision-10/other-company-operator-404",
            "§4.10",
            "get-token for another company's operator: 404",
            foreign_operator
        ),
        check!(
            "decision-10/inactive-operator-400",
            "§4.10",
            "get-token for an operator who is not Active: 400",
            inactive_operator
        ),
    ]
}

const SIGN_IN: &str = chathub_types::company::get_token::ENDPOINT.path;

/// Signs in raw with this `Accept` (or none, over a socket).
async fn sign_in_with(cx: &Ctx, accept: Option<&str>) -> Result<Reply, Stop> {
    let body = serde_json::to_value(chathub_types::company::get_token::Request::new(
        cx.company.login.clone(),
        cx.company.password.clone(),
    ))
    .unwrap_or(Value::Null);
    let request = cx.raw("POST", SIGN_IN).json(&body);
    match accept {
        Some(accept) => request.header("Accept", accept).send().await,
        None => request.send_bare().await,
    }
}

/// Fails unless the answer is the raw token as `text/plain; charset=utf-8`.
fn expect_text_token(reply: &Reply) -> Result<String, Stop> {
    let expected = "200 text/plain; charset=utf-8 with the raw token (no quotes)";
    reply.expect_status(200)?;
    let content_type = reply.content_type().to_ascii_lowercase().replace(' ', "");
    ensure(media_type(&content_type) == "text/plain" && content_type.contains("charset=utf-8"), expected, || {
        reply.describe()
    })?;
    let token = reply.text();
    ensure(parts(token.trim()).is_some() && !token.contains('"'), expected, || reply.describe())?;
    Ok(token.trim().to_owned())
}

/// Fails unless the answer is the token as a JSON string, `application/json; charset=utf-8`.
pub fn expect_json_token(reply: &Reply) -> Result<String, Stop> {
    let expected = "200 application/json; charset=utf-8 with the token as a JSON string";
    let content_type = reply.content_type().to_ascii_lowercase().replace(' ', "");
    ensure(reply.status == 200 && content_type.contains("charset=utf-8"), expected, || reply.describe())?;
    let body = reply.expect_json(200)?;
    let token = body.as_str().ok_or_else(|| fail(expected, reply.describe()))?;
    ensure(parts(token).is_some(), expected, || reply.describe())?;
    Ok(token.to_owned())
}

async fn no_accept(cx: Arc<Ctx>) -> Outcome {
    expect_text_token(&sign_in_with(&cx, None).await?).map(drop)
}

async fn star_accept(cx: Arc<Ctx>) -> Outcome {
    expect_text_token(&sign_in_with(&cx, Some("*/*")).await?).map(drop)
}

async fn text_accept(cx: Arc<Ctx>) -> Outcome {
    expect_text_token(&sign_in_with(&cx, Some("text/plain")).await?).map(drop)
}

async fn json_accept(cx: Arc<Ctx>) -> Outcome {
    let token = expect_json_token(&sign_in_with(&cx, Some("application/json")).await?)?;
    cx.raw("GET", chathub_types::company::list_organizations::ENDPOINT.path)
        .bearer(&token)
        .send()
        .await?
        .expect_json(200)
        .map(drop)
}

async fn weights(cx: Arc<Ctx>) -> Outcome {
    let cases = [
        ("application/json;q=0", false),
        ("text/plain, application/json;q=0.5", false),
        ("application/json;q=0.4, text/plain;q=0.5", false),
        ("text/plain;q=0.5, application/json", true),
        ("application/json, text/plain", true),
        ("application/json;q=0.5, */*", true),
    ];
    for (accept, json) in cases {
        let reply = sign_in_with(&cx, Some(accept)).await?;
        let result = if json { expect_json_token(&reply) } else { expect_text_token(&reply) };
        result.map_err(within(format!("for Accept: {accept}")))?;
    }
    Ok(())
}

fn get_token_body(id: OperatorId, expires_at: &str) -> Value {
    json!({"id": id.get(), "expiresAt": expires_at})
}

async fn operator_negotiated(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("negotiated").await?;
    let body = get_token_body(operator.id, &format_instant(Utc::now() + TimeDelta::minutes(10)));
    let bare = cx.raw("POST", get_token::ENDPOINT.path).with_company_token().json(&body).send_bare().await?;
    expect_text_token(&bare)?;
    let json =
        cx.raw("POST", get_token::ENDPOINT.path).with_company_token().header("Accept", "application/json").json(&body);
    expect_json_token(&json.send().await?).map(drop)
}

async fn operator_get_token(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("get-token").await?;
    let issued = cx
        .client
        .operators()
        .issue_token(operator.id, Duration::from_secs(3600))
        .await
        .expecting("200 with an operator token (§3.6)")?;
    let token = issued.token.expose();
    let (header, payload, _) = parts(token).ok_or_else(|| fail("a three-part JWT", "another shape"))?;
    ensure_eq(
        "header alg",
        decode_part(header).and_then(|h| h["alg"].as_str().map(str::to_owned)),
        Some("HS256".to_owned()),
    )?;
    let claims = decode_part(payload).ok_or_else(|| fail("a base64url JSON payload", "unreadable"))?;
    ensure_eq("kind", claims["kind"].as_str(), Some("operator"))?;
    ensure_eq("iss", claims["iss"].as_str(), Some("chathub"))?;
    ensure_eq("sub", claims["sub"].as_str().map(str::to_owned), Some(operator.id.to_string()))?;
    ensure(claims["jti"].as_str().is_some_and(|j| !j.is_empty()) && claims["iat"].is_i64(), "jti and iat", || {
        claims.to_string()
    })?;
    ensure_eq("exp", claims["exp"].as_i64(), Some(issued.expires_at.timestamp()))
}

/// `exp` of a token answer in any shape.
pub fn exp_of(reply: &Reply) -> Result<i64, Stop> {
    let token = chathub_types::token::decode_token_body(&reply.text())
        .map_err(|e| fail("200 with an operator token", format!("{e}: {}", reply.describe())))?;
    chathub_types::token::peek_claims(&token.token)
        .and_then(|claims| claims["exp"].as_i64())
        .ok_or_else(|| fail("a JWT with an exp claim", reply.describe()))
}

/// Raw get-token for `operator` with `expires_at` written as given.
pub async fn get_token_raw(cx: &Ctx, operator: OperatorId, expires_at: &str) -> Result<Reply, Stop> {
    cx.raw("POST", get_token::ENDPOINT.path)
        .with_company_token()
        .json(&get_token_body(operator, expires_at))
        .send()
        .await
}

async fn exp_is_cut(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("exp-cut").await?;
    let asked = truncate_to_seconds(Utc::now()) + TimeDelta::hours(1);
    let text = format!("{}.9999999Z", asked.format("%Y-%m-%dT%H:%M:%S"));
    let reply = get_token_raw(&cx, operator.id, &text).await?;
    reply.expect_status(200)?;
    ensure_eq(&format!("exp for expiresAt {text}"), exp_of(&reply)?, asked.timestamp())
}

async fn expect_refused(cx: &Ctx, operator: OperatorId, expires_at: DateTime<Utc>) -> Outcome {
    let text = format_instant(expires_at);
    let reply = get_token_raw(cx, operator, &text).await?;
    reply.expect_invalid(&["$.expiresAt"]).map_err(within_body(get_token_body(operator, &text))).map(drop)
}

async fn not_in_future(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("not-in-future").await?;
    let now = Utc::now();
    expect_refused(&cx, operator.id, now - TimeDelta::minutes(5)).await?;
    expect_refused(&cx, operator.id, now - TimeDelta::days(400)).await
}

async fn too_long(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("too-long").await?;
    let now = Utc::now();
    expect_refused(&cx, operator.id, now + TimeDelta::hours(24) + TimeDelta::minutes(5)).await?;
    expect_refused(&cx, operator.id, now + TimeDelta::days(30)).await
}

async fn skew(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("skew").await?;
    let asked = truncate_to_seconds(Utc::now() + TimeDelta::hours(24) + TimeDelta::seconds(30));
    let reply = get_token_raw(&cx, operator.id, &format_instant(asked)).await?;
    reply.expect_status(200)?;
    ensure_eq("exp", exp_of(&reply)?, asked.timestamp())
}

async fn unknown_operator(cx: Arc<Ctx>) -> Outcome {
    let reply = get_token_raw(&cx, OperatorId(i32::MAX), &format_instant(Utc::now() + TimeDelta::hours(1))).await?;
    reply.expect_problem(404).map(drop)
}

/// An operator of the second company with the given status, or a skip.
pub async fn second_company_operator(cx: &Ctx, active: bool) -> Result<OperatorId, Stop> {
    let (_, second) = cx.second()?;
    let organizations =
        second.organizations().await.map_err(|e| fail("200 with the second company's organizations", e.to_string()))?;
    for organization in organizations {
        let operators = second
            .operators()
            .list(organization.id)
            .await
            .map_err(|e| fail("200 with the second company's operators", e.to_string()))?;
        if let Some(operator) = operators.into_iter().find(|op| (op.status == OperatorStatus::Active) == active) {
            return Ok(operator.id);
        }
    }
    Err(skip(format!("the second company has no {} operator", if active { "Active" } else { "inactive" })))
}

async fn foreign_operator(cx: Arc<Ctx>) -> Outcome {
    let theirs = second_company_operator(&cx, true).await?;
    let reply = get_token_raw(&cx, theirs, &format_instant(Utc::now() + TimeDelta::hours(1))).await?;
    reply.expect_problem(404).map(drop)
}

/// An operator of the company who is not Active: listed, or made Inactive.
pub async fn inactive_operator_of(cx: &Ctx, label: &str) -> Result<OperatorId, Stop> {
    if cx.write_org().is_ok() {
        let id = cx.fresh_operator(label).await?;
        cx.client.operators().set_status(id, OperatorStatus::Inactive).await.expecting("200 from set-status (§3.5)")?;
        return Ok(id);
    }
    for organization in cx.organizations().await? {
        let listed = super::list(cx, organization.id).await?;
        if let Some(operator) = listed.into_iter().find(|op| op.status == OperatorStatus::Inactive) {
            return Ok(operator.id);
        }
    }
    Err(skip("needs an Inactive operator: none is listed and writes are not allowed"))
}

async fn inactive_operator(cx: Arc<Ctx>) -> Outcome {
    let operator = inactive_operator_of(&cx, "inactive-get-token").await?;
    let reply = get_token_raw(&cx, operator, &format_instant(Utc::now() + TimeDelta::hours(1))).await?;
    reply.expect_problem(400).map(drop)
}
