//! §3.3 operator lists, their rules (Decision 6, §4.15's query rules) and
//! what an operator token may do (Decision 7).

use std::sync::Arc;
use std::time::Duration;

use chathub_client::{OperatorStatus, OrganizationId};
use chathub_types::ENDPOINTS;
use chathub_types::operator::list_operators;
use serde_json::{Value, json};

use super::{expect_i32, expect_keys, expect_sorted, list};
use crate::conformance::context::Ctx;
use crate::conformance::http::Reply;
use crate::conformance::runner::{Check, check};
use crate::conformance::verdict::{Outcome, ensure, ensure_eq, fail, within};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "endpoint/list-operators",
            "§3.3",
            "operators: 200, [{id, name, status, organization}] by id",
            list_shape
        ),
        check!(
            "decision-6/statuses-listed",
            "§1",
            "Inactive and Deleted operators are still listed, as 1 and 2",
            statuses_listed
        ),
        check!(
            "decision-6/organization-id-required",
            "§4.6",
            "a company credential without organizationId: 400",
            required
        ),
        check!(
            "decision-15/organization-id-not-integer",
            "§4.15",
            "organizationId x, 2.0, 1e3, overflow, empty: 400",
            not_integer
        ),
        check!(
            "decision-15/organization-id-not-ours",
            "§4.15",
            "organizationId 0, negative, unknown: 200 []",
            not_ours
        ),
        check!(
            "decision-6/other-company-organization",
            "§4.6",
            "another company's organization: 200 []",
            other_company
        ),
        check!(
            "decision-7/operator-token-own-organization",
            "§4.7",
            "an operator token lists its own organization, others []",
            own_organization
        ),
        check!(
            "decision-7/operator-token-403-elsewhere",
            "§4.7",
            "an operator token on every other endpoint: 403",
            forbidden_elsewhere
        ),
    ]
}

fn list_path(query: &str) -> String {
    if query.is_empty() {
        list_operators::ENDPOINT.path.to_owned()
    } else {
        format!("{}?{query}", list_operators::ENDPOINT.path)
    }
}

/// Fails unless `reply` is 200 with an empty JSON array.
fn expect_empty(reply: &Reply, what: &str) -> Outcome {
    let body = reply.expect_json(200)?;
    ensure(body == json!([]), format!("200 [] for {what}"), || reply.describe())
}

async fn list_shape(cx: Arc<Ctx>) -> Outcome {
    for organization in cx.organizations().await? {
        let query = format!("organizationId={}", organization.id);
        let reply = cx.raw("GET", list_path(&query)).with_company_token().send().await?;
        let body = reply.expect_json(200)?;
        let items = body.as_array().ok_or_else(|| fail("a JSON array", reply.describe()))?;
        let mut ids = Vec::new();
        for item in items {
            expect_keys(item, &["id", "name", "status", "organization"], "an operator")?;
            ids.push(expect_i32(&item["id"], "id")?);
            ensure(item["name"].is_string(), "name: a string", || item.to_string())?;
            expect_i32(&item["status"], "status")?;
            ensure_eq(
                "the operator's organization",
                item["organization"].clone(),
                json!({"id": organization.id.get(), "name": organization.name}),
            )?;
        }
        expect_sorted(&ids, &format!("operators of organization {}", organization.id))?;
        let through_client = list(&cx, organization.id).await?;
        let raw: Vec<chathub_client::Operator> = chathub_types::json::from_value(&body)
            .map_err(|e| fail("operators chathub-types can read", e.to_string()))?;
        ensure_eq("operators read by chathub-client", through_client, raw)?;
    }
    Ok(())
}

async fn statuses_listed(cx: Arc<Ctx>) -> Outcome {
    if cx.local {
        let listed = list(&cx, OrganizationId(24)).await?;
        let seeded: Vec<_> = listed
            .iter()
            .filter(|op| ["John Smith", "Mike Wilson", "Mary Jones"].contains(&op.name.as_str()))
            .map(|op| (op.name.as_str(), op.status))
            .collect();
        return ensure_eq(
            "the seed's operators of organization 24",
            seeded,
            vec![
                ("John Smith", OperatorStatus::Active),
                ("Mike Wilson", OperatorStatus::Inactive),
                ("Mary Jones", OperatorStatus::Deleted),
            ],
        );
    }
    let id = cx.fresh_operator("still-listed").await?;
    let organization = cx.write_org()?;
    for status in [OperatorStatus::Inactive, OperatorStatus::Deleted] {
        cx.client.operators().set_status(id, status).await.map_err(|e| fail("200 from set-status", e.to_string()))?;
        ensure_eq("the listed status", super::listed(&cx, organization, id).await?.status, status)?;
    }
    Ok(())
}

async fn required(cx: Arc<Ctx>) -> Outcome {
    for query in ["", "organisationId=24", "organizationIdx=24"] {
        let reply = cx.raw("GET", list_path(query)).with_company_token().send().await?;
        let body = reply.expect_problem(400)?;
        let named =
            body["errors"].as_object().is_some_and(|errors| errors.keys().any(|k| k.contains("organizationId")));
        ensure(named, format!("for ?{query}: 400 whose errors name organizationId"), || reply.describe())?;
    }
    Ok(())
}

async fn not_integer(cx: Arc<Ctx>) -> Outcome {
    for value in ["abc", "2.0", "1e3", "2147483648", "-2147483649", "", "24abc", "0x18"] {
        let reply = cx.raw("GET", list_path(&format!("organizationId={value}"))).with_company_token().send().await?;
        reply.expect_problem(400).map_err(within(format!("for organizationId={value:?}")))?;
    }
    Ok(())
}

async fn not_ours(cx: Arc<Ctx>) -> Outcome {
    let ours: Vec<i32> = cx.organizations().await?.iter().map(|o| o.id.get()).collect();
    for value in [0, -1, -2_147_483_648, 2_147_483_647] {
        if ours.contains(&value) {
            continue;
        }
        let reply = cx.raw("GET", list_path(&format!("organizationId={value}"))).with_company_token().send().await?;
        expect_empty(&reply, &format!("organizationId={value}"))?;
    }
    Ok(())
}

async fn other_company(cx: Arc<Ctx>) -> Outcome {
    let (_, second) = cx.second()?;
    let theirs =
        second.organizations().await.map_err(|e| fail("200 with the second company's organizations", e.to_string()))?;
    ensure(!theirs.is_empty(), "the second company to have organizations", || "none".to_owned())?;
    for organization in theirs {
        let reply = cx
            .raw("GET", list_path(&format!("organizationId={}", organization.id)))
            .with_company_token()
            .send()
            .await?;
        expect_empty(&reply, &format!("the second company's organization {}", organization.id))?;
    }
    Ok(())
}

async fn own_organization(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("own-organization").await?;
    let token = cx.operator_token(operator.id, Duration::from_secs(600)).await?;
    let token = token.expose();
    let home = operator.organization.id;
    let expected = cx
        .raw("GET", list_path(&format!("organizationId={home}")))
        .with_company_token()
        .send()
        .await?
        .expect_json(200)?;
    let without_query = cx.raw("GET", list_path("")).bearer(token).send().await?.expect_json(200)?;
    ensure_eq("the operator token's list without organizationId", &without_query, &expected)?;
    let with_query = cx.raw("GET", list_path(&format!("organizationId={home}"))).bearer(token).send().await?;
    ensure_eq("the operator token's list of its own organization", &with_query.expect_json(200)?, &expected)?;
    let by_key = cx.raw("GET", list_path("")).key(token).send().await?.expect_json(200)?;
    ensure_eq("the operator token's list, sent in X-Authorization-Key", &by_key, &expected)?;
    let other =
        cx.organizations().await?.into_iter().map(|o| o.id).find(|id| *id != home).unwrap_or(OrganizationId(i32::MAX));
    let reply = cx.raw("GET", list_path(&format!("organizationId={other}"))).bearer(token).send().await?;
    expect_empty(&reply, &format!("an operator token asking for organization {other}"))
}

async fn forbidden_elsewhere(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("forbidden-elsewhere").await?;
    let token = cx.operator_token(operator.id, Duration::from_secs(600)).await?;
    let bodies: [(&str, Value); 4] = [
        ("/api/operator/synchronize", json!([])),
        ("/api/operator/status", json!({"id": operator.id.get(), "status": 0})),
        ("/api/operator/get-token", json!({"id": operator.id.get(), "expiresAt": "2099-01-01T00:00:00Z"})),
        ("/api/operator/validate-token", json!({"token": token.expose()})),
    ];
    for endpoint in ENDPOINTS {
        if endpoint.auth != chathub_types::Auth::Company {
            continue;
        }
        let request = cx.raw(endpoint.method.as_str(), endpoint.path).bearer(token.expose());
        let request = match bodies.iter().find(|(path, _)| *path == endpoint.path) {
            Some((_, body)) => request.json(body),
            None => request,
        };
        let reply = request.send().await?;
        reply
            .expect_problem(403)
            .map_err(within(format!("{} {} with an operator token", endpoint.method, endpoint.path)))?;
    }
    Ok(())
}
