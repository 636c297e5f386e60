//! §3.7 validate-token and Decision 11: five fields always, the stable
//! error phrases, and the order in which they apply.

use std::sync::Arc;
use std::time::Duration;

use chathub_client::OperatorToken;
use chathub_types::operator::validate_token;
use chathub_types::time::format_instant;
use chathub_types::token::{peek_claims, peek_expiry};
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use super::expect_keys;
use super::within_body;
use crate::conformance::context::Ctx;
use crate::conformance::http::Challenge;
use crate::conformance::jwt::{Alg, alg_none, sign, swap_payload};
use crate::conformance::runner::{Check, Limit, check};
use crate::conformance::verdict::{Expecting, Outcome, Stop, ensure, ensure_eq, fail};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!("endpoint/validate-token", "§3.7", "a valid token: all five fields, expiresAt = exp", valid),
        check!(
            "decision-11/invalid-has-five-fields",
            "§4.11",
            "a malformed token: 200, five fields, \"Invalid token\"",
            malformed
        ),
        check!(
            "decision-11/forgeries-invalid",
            "§4.11",
            "alg none, wrong key, swapped payload: \"Invalid token\"",
            forgeries
        ),
        check!("decision-11/company-token", "§4.11", "a company token: \"Not an operator token\"", company_token),
        check!(
            "decision-11/expired",
            "§4.11",
            "after its exp: \"Token expired\", and 401 as a credential",
            expired,
            Limit::Secs(30)
        ),
        check!(
            "decision-11/other-company",
            "§4.11",
            "another company's operator token: \"Invalid token\"",
            other_company
        ),
        check!(
            "decision-11/expired-before-other-company",
            "§4.11",
            "expiry is judged before the company",
            expired_first,
            Limit::Secs(30)
        ),
        check!(
            "decision-11/token-must-be-a-string",
            "§4.15",
            "token missing, null, a number: 400 naming $.token",
            token_types
        ),
    ]
}

const PATH: &str = validate_token::ENDPOINT.path;

/// Raw validate-token; the answer's JSON after checking the five fields.
async fn validate_raw(cx: &Ctx, token: &str) -> Result<Value, Stop> {
    let reply = cx.raw("POST", PATH).with_company_token().json(&json!({"token": token})).send().await?;
    let body = reply.expect_json(200)?;
    expect_keys(&body, &["isValid", "operatorId", "clientId", "expiresAt", "error"], "the validate-token answer")?;
    Ok(body)
}

/// Fails unless validating `token` answers not valid with `phrase` and nulls.
async fn expect_rejected(cx: &Ctx, token: &str, phrase: &str, what: &str) -> Outcome {
    let body = validate_raw(cx, token).await?;
    let want = json!({"isValid": false, "operatorId": null, "clientId": null, "expiresAt": null, "error": phrase});
    ensure(body == want, format!("for {what}: {want}"), || body.to_string())
}

async fn valid(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("validate").await?;
    let issued = cx
        .client
        .operators()
        .issue_token(operator.id, Duration::from_secs(1800))
        .await
        .expecting("200 with an operator token (§3.6)")?;
    let body = validate_raw(&cx, issued.token.expose()).await?;
    let exp_text = peek_expiry(issued.token.expose()).map(format_instant);
    ensure_eq(
        "the answer",
        body,
        json!({"isValid": true, "operatorId": operator.id.get(), "clientId": 0, "expiresAt": exp_text, "error": null}),
    )?;
    let typed = cx.client.operators().validate_token(&issued.token).await.expecting("200 from validate-token")?;
    ensure_eq(
        "validate-token through chathub-client",
        typed,
        validate_token::Response::valid(operator.id, issued.expires_at),
    )
}

async fn malformed(cx: Arc<Ctx>) -> Outcome {
    for token in ["garbage", "", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0"] {
        expect_rejected(&cx, token, "Invalid token", &format!("token {token:?}")).await?;
    }
    Ok(())
}

async fn forgeries(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("forgeries").await?;
    let token = cx.operator_token(operator.id, Duration::from_secs(600)).await?;
    let token = token.expose();
    let claims = peek_claims(token).ok_or_else(|| fail("a readable operator JWT", "unreadable"))?;
    let none = alg_none(token).unwrap_or_default();
    expect_rejected(&cx, &none, "Invalid token", "alg: none").await?;
    let wrong_key = sign(Alg::Hs256, b"conformance: a key that is not the server's secret", &claims);
    expect_rejected(&cx, &wrong_key, "Invalid token", "another key").await?;
    let mut longer = claims.clone();
    longer["exp"] = json!(claims["exp"].as_i64().unwrap_or(0) + 3600);
    let swapped = swap_payload(token, &longer).unwrap_or_default();
    expect_rejected(&cx, &swapped, "Invalid token", "a swapped payload").await
}

async fn company_token(cx: Arc<Ctx>) -> Outcome {
    let token = cx.company_token().await?;
    expect_rejected(&cx, &token, "Not an operator token", "a company token").await
}

/// An operator token for an Active operator of `client`'s company, dead 2 s from now.
async fn short_lived(
    client: &chathub_client::Client,
    operator: chathub_client::OperatorId,
) -> Result<(OperatorToken, i64), Stop> {
    let issued = client
        .operators()
        .issue_token_until(operator, Utc::now() + TimeDelta::seconds(2))
        .await
        .expecting("200 with an operator token (§3.6)")?;
    Ok((issued.token, issued.expires_at.timestamp()))
}

async fn expired(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("expired").await?;
    let (token, exp) = short_lived(&cx.client, operator.id).await?;
    // Wait on the clock until the second `exp` has begun: dead from then on.
    super::wait_until_millis(exp * 1000).await;
    expect_rejected(&cx, token.expose(), "Token expired", "an operator token past its exp").await?;
    let reply = cx.raw("GET", "/api/operator").bearer(token.expose()).send().await?;
    reply.expect_unauthorized(Challenge::InvalidToken).map(drop)
}

async fn other_company(cx: Arc<Ctx>) -> Outcome {
    let (_, second) = cx.second()?;
    let theirs = super::tokens::second_company_operator(&cx, true).await?;
    let token = second
        .operators()
        .issue_token(theirs, Duration::from_secs(600))
        .await
        .map_err(|e| fail("200 with the second company's operator token", e.to_string()))?;
    expect_rejected(&cx, token.token.expose(), "Invalid token", "another company's operator token").await
}

async fn expired_first(cx: Arc<Ctx>) -> Outcome {
    let (_, second) = cx.second()?;
    let theirs = super::tokens::second_company_operator(&cx, true).await?;
    let (token, exp) = short_lived(second, theirs).await?;
    super::wait_until_millis(exp * 1000).await;
    expect_rejected(&cx, token.expose(), "Token expired", "another company's expired operator token").await
}

async fn token_types(cx: Arc<Ctx>) -> Outcome {
    for body in [json!({}), json!({"token": null}), json!({"token": 5}), json!({"token": ["a"]})] {
        let reply = cx.raw("POST", PATH).with_company_token().json(&body).send().await?;
        reply.expect_invalid(&["$.token"]).map_err(within_body(body))?;
    }
    Ok(())
}
