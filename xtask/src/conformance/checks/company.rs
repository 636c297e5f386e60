//! §3.1 sign-in, §3.2 organizations, Decision 2 (credentials, throttling)
//! and the claims of company tokens (Decision 12).

use std::sync::Arc;

use chathub_types::company::{get_token, list_organizations};
use serde_json::{Value, json};

use super::{expect_i32, expect_keys, expect_sorted, now_secs, within_body};
use crate::conformance::context::Ctx;
use crate::conformance::http::{Challenge, Reply};
use crate::conformance::jwt::{decode_part, parts};
use crate::conformance::runner::{Check, Limit, check};
use crate::conformance::verdict::{Outcome, ensure, ensure_eq, fail, skip};

/// The checks of this module that run early.
pub fn checks() -> Vec<Check> {
    vec![
        check!("endpoint/company-get-token", "§3.1", "sign-in: 200 with a company token", sign_in),
        check!(
            "decision-12/company-token-claims",
            "§4.12",
            "company tokens: HS256, iss, sub, iat, exp, jti, kind",
            claims
        ),
        check!(
            "endpoint/organizations",
            "§3.2",
            "organizations: 200, [{id, name}] as the client reads it",
            organizations
        ),
        check!("decision-6/organizations-own-only", "§4.6", "each company lists its own organizations only", own_only),
        check!(
            "decision-2/wrong-password",
            "§4.2",
            "a wrong password: 401 problem, Bearer challenge, no token",
            wrong_password
        ),
        check!(
            "decision-2/unknown-login",
            "§4.2",
            "an unknown login: the same answer as a wrong password",
            unknown_login
        ),
        check!(
            "decision-15/sign-in-fields-are-strings",
            "§4.15",
            "login and password must be JSON strings: 400 naming them",
            sign_in_types
        ),
    ]
}

/// The checks that must run after every other sign-in.
pub fn last() -> Vec<Check> {
    vec![check!(
        "decision-2/sign-in-throttle",
        "§4.2",
        "10 failed sign-ins within 60 s: 429 with Retry-After and the rate-limit body",
        throttle,
        Limit::Secs(40)
    )]
}

fn sign_in_body(login: &str, password: &str) -> Value {
    serde_json::to_value(get_token::Request::new(login, password)).unwrap_or(Value::Null)
}

async fn sign_in_reply(cx: &Ctx, login: &str, password: &str) -> Result<Reply, crate::conformance::verdict::Stop> {
    cx.raw("POST", get_token::ENDPOINT.path)
        .header("Accept", "application/json")
        .json(&sign_in_body(login, password))
        .send()
        .await
}

async fn sign_in(cx: Arc<Ctx>) -> Outcome {
    let reply = sign_in_reply(&cx, &cx.company.login, &cx.company.password).await?;
    let token = super::tokens::expect_json_token(&reply)?;
    // The token works as a credential: the organizations, as the client reads them.
    let body = cx.raw("GET", list_organizations::ENDPOINT.path).bearer(&token).send().await?.expect_json(200)?;
    let expected = serde_json::to_value(cx.organizations().await?).unwrap_or_default();
    ensure_eq("the organizations with the new token", body, expected)
}

async fn claims(cx: Arc<Ctx>) -> Outcome {
    let token = cx.fresh_company_token().await?;
    let (header, payload, _) = parts(&token).ok_or_else(|| fail("a three-part JWT", "another shape"))?;
    let header = decode_part(header).ok_or_else(|| fail("a base64url JSON header", "unreadable"))?;
    ensure_eq("header alg", header["alg"].as_str(), Some("HS256"))?;
    let claims = decode_part(payload).ok_or_else(|| fail("a base64url JSON payload", "unreadable"))?;
    let described = || claims.to_string();
    ensure_eq("iss", claims["iss"].as_str(), Some("chathub"))?;
    ensure_eq("kind", claims["kind"].as_str(), Some("company"))?;
    ensure(
        claims["sub"].as_str().is_some_and(|sub| sub.parse::<i32>().is_ok()),
        "sub: the company's id as a string",
        described,
    )?;
    ensure(claims["jti"].as_str().is_some_and(|jti| !jti.is_empty()), "a non-empty jti", described)?;
    let (iat, exp) = (claims["iat"].as_i64(), claims["exp"].as_i64());
    let (Some(iat), Some(exp)) = (iat, exp) else { return Err(fail("iat and exp as whole seconds", described())) };
    ensure(iat < exp && exp > now_secs(), "iat < exp, exp in the future", described)?;
    if cx.local {
        ensure_eq("exp - iat on a server with the default --company-token-ttl", exp - iat, 24 * 60 * 60)?;
    }
    Ok(())
}

async fn organizations(cx: Arc<Ctx>) -> Outcome {
    let reply = cx.raw("GET", list_organizations::ENDPOINT.path).with_company_token().send().await?;
    let body = reply.expect_json(200)?;
    let items = body.as_array().ok_or_else(|| fail("a JSON array", reply.describe()))?;
    let mut ids = Vec::new();
    for item in items {
        expect_keys(item, &["id", "name"], "an organization")?;
        ids.push(expect_i32(&item["id"], "id")?);
        ensure(item["name"].is_string(), "name: a string", || item.to_string())?;
    }
    expect_sorted(&ids, "organizations")?;
    let through_client = cx.organizations().await?;
    let raw: Vec<chathub_types::company::Organization> = chathub_types::json::from_value(&body)
        .map_err(|e| fail("organizations chathub-types can read", e.to_string()))?;
    ensure_eq("organizations read by chathub-client", through_client, raw)?;
    if cx.local {
        let names: Vec<_> = items.iter().map(|item| (item["id"].clone(), item["name"].clone())).collect();
        ensure_eq(
            "the seed's organizations",
            names,
            vec![(json!(24), json!("Customer Support")), (json!(42), json!("Technical Support"))],
        )?;
    }
    Ok(())
}

async fn own_only(cx: Arc<Ctx>) -> Outcome {
    let (_, second) = cx.second()?;
    let ours: Vec<_> = cx.organizations().await?.into_iter().map(|o| o.id).collect();
    let theirs: Vec<_> = second
        .organizations()
        .await
        .map_err(|e| fail("200 with the second company's organizations", e.to_string()))?
        .into_iter()
        .map(|o| o.id)
        .collect();
    ensure(!theirs.is_empty(), "the second company to have organizations", || "none".to_owned())?;
    ensure(ours.iter().all(|id| !theirs.contains(id)), "no organization listed for both companies", || {
        format!("ours {ours:?}, theirs {theirs:?}")
    })
}

async fn wrong_password(cx: Arc<Ctx>) -> Outcome {
    let reply = sign_in_reply(&cx, &cx.company.login, "conformance-wrong-password").await?;
    reply.expect_unauthorized(Challenge::Plain)?;
    ensure(!reply.text().contains("eyJ"), "no token in the answer", || reply.describe())
}

async fn unknown_login(cx: Arc<Ctx>) -> Outcome {
    let unknown = cx.name("no-such-login");
    let wrong = sign_in_reply(&cx, &cx.company.login, "conformance-wrong-password").await?;
    let missing = sign_in_reply(&cx, &unknown, "conformance-wrong-password").await?;
    missing.expect_unauthorized(Challenge::Plain)?;
    ensure_eq("WWW-Authenticate", missing.header("www-authenticate"), wrong.header("www-authenticate"))?;
    ensure_eq("the problem body", missing.json()?, wrong.json()?)
}

async fn sign_in_types(cx: Arc<Ctx>) -> Outcome {
    let login = cx.company.login.clone();
    let cases = [
        (json!({"password": "x"}), "$.login"),
        (json!({"login": null, "password": "x"}), "$.login"),
        (json!({"login": 5, "password": "x"}), "$.login"),
        (json!({"login": login, "password": ["x"]}), "$.password"),
        (json!({"login": login}), "$.password"),
    ];
    for (body, path) in cases {
        let reply = cx.raw("POST", get_token::ENDPOINT.path).json(&body).send().await?;
        reply.expect_invalid(&[path]).map_err(within_body(&body))?;
    }
    Ok(())
}

async fn throttle(cx: Arc<Ctx>) -> Outcome {
    if !cx.local && cx.write_org().is_err() {
        return Err(skip(
            "throttles this client address for a minute: only on the suite's own server or with --allow-writes",
        ));
    }
    let login = cx.name("throttled-login");
    let mut statuses = Vec::new();
    let mut throttled = None;
    for _ in 0..11 {
        let reply = sign_in_reply(&cx, &login, "conformance-wrong-password").await?;
        statuses.push(reply.status);
        if reply.status != 401 {
            throttled = Some(reply);
            break;
        }
    }
    let reply = throttled
        .ok_or_else(|| fail("429 by the 11th failed sign-in for one login", format!("statuses {statuses:?}")))?;
    let body = reply.expect_problem(429)?;
    let retry_after = reply.header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    ensure(retry_after.is_some_and(|secs| (1..=60).contains(&secs)), "Retry-After: 1-60 seconds", || {
        format!("Retry-After {:?}; {}", reply.header("retry-after"), reply.describe())
    })?;
    ensure_eq("error", body["error"].as_str(), Some("Too Many Requests"))?;
    ensure_eq(
        "message",
        body["message"].as_str(),
        Some("Rate limit exceeded. Please wait before sending more requests."),
    )?;
    // The client address is throttled too, and the password is not checked:
    // the company's right credentials from this address get 429 as well.
    let right = sign_in_reply(&cx, &cx.company.login, &cx.company.password).await?;
    right.expect_problem(429).map(drop)
}
