//! Credential headers (Decision 3), 401 answers (Decision 4) and the API key
//! (§4.15).

use std::sync::Arc;

use crate::conformance::context::Ctx;
use crate::conformance::http::{Challenge, RawRequest};
use crate::conformance::runner::{Check, check};
use crate::conformance::verdict::{Outcome, fail, within};

const ORGANIZATIONS: &str = chathub_types::company::list_organizations::ENDPOINT.path;

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "decision-4/no-credential-401",
            "§4.4",
            "no credential: 401 problem, WWW-Authenticate: Bearer",
            no_credential
        ),
        check!("decision-4/bad-token-401", "§4.4", "a token that is not ours: 401, error=\"invalid_token\"", bad_token),
        check!("decision-3/bearer-any-case", "§4.3", "the Bearer scheme name in any case", bearer_any_case),
        check!("decision-3/x-authorization-key", "§4.3", "a company token in X-Authorization-Key", key_header),
        check!("decision-3/both-headers-equal", "§4.3", "both headers with the same token: accepted", both_equal),
        check!("decision-3/both-headers-differ", "§4.3", "both headers with different tokens: 401", both_differ),
        check!(
            "decision-3/other-schemes-401",
            "§4.3",
            "Basic, an empty Authorization, Bearer without a token: 401",
            other_schemes
        ),
        check!("decision-3/empty-key-401", "§4.3", "an empty X-Authorization-Key: 401", empty_key),
        check!("decision-3/repeated-header-401", "§4.3", "either credential header repeated: 401", repeated),
        check!("decision-15/api-key-either-header", "§4.15", "the API key works in either header", api_key),
        check!("decision-15/wrong-api-key-401", "§4.15", "an unknown API key: 401", wrong_api_key),
    ]
}

fn organizations(cx: &Ctx) -> RawRequest<'_> {
    cx.raw("GET", ORGANIZATIONS)
}

/// Fails unless `reply` is 200 with the company's organizations, as
/// chathub-client reads them with its own credential: the header was taken
/// as the company's credential, not merely let through.
async fn expect_organizations(cx: &Ctx, reply: &crate::conformance::http::Reply) -> Outcome {
    let body = reply.expect_json(200)?;
    let expected = serde_json::to_value(cx.organizations().await?).unwrap_or_default();
    crate::conformance::verdict::ensure(
        body == expected,
        format!("200 with the company's organizations {expected}"),
        || reply.describe(),
    )
}

async fn no_credential(cx: Arc<Ctx>) -> Outcome {
    organizations(&cx).send().await?.expect_unauthorized(Challenge::Plain).map(drop)
}

async fn bad_token(cx: Arc<Ctx>) -> Outcome {
    for token in ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"] {
        let reply = organizations(&cx).bearer(token).send().await?;
        reply
            .expect_unauthorized(Challenge::InvalidToken)
            .map_err(within(format!("with {}", &format!("Bearer {token}"))))?;
    }
    Ok(())
}

async fn bearer_any_case(cx: Arc<Ctx>) -> Outcome {
    let token = cx.company_token().await?;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let reply = organizations(&cx).header("Authorization", &format!("{scheme} {token}")).send().await?;
        expect_organizations(&cx, &reply)
            .await
            .map_err(within(format!("with {}", &format!("Authorization: {scheme} <company token>"))))?;
    }
    Ok(())
}

async fn key_header(cx: Arc<Ctx>) -> Outcome {
    let token = cx.company_token().await?;
    expect_organizations(&cx, &organizations(&cx).key(&token).send().await?).await
}

async fn both_equal(cx: Arc<Ctx>) -> Outcome {
    let token = cx.company_token().await?;
    expect_organizations(&cx, &organizations(&cx).bearer(&token).key(&token).send().await?).await
}

async fn both_differ(cx: Arc<Ctx>) -> Outcome {
    let token = cx.company_token().await?;
    let other = cx.fresh_company_token().await?;
    if other == token {
        return Err(fail("two sign-ins to give two different tokens (each has its own jti)", "the same token twice"));
    }
    let reply = organizations(&cx).bearer(&token).key(&other).send().await?;
    reply.expect_unauthorized(Challenge::InvalidToken).map(drop)
}

async fn other_schemes(cx: Arc<Ctx>) -> Outcome {
    let token = cx.company_token().await?;
    let basic = format!("Basic {}", crate::conformance::jwt::b64(format!("{}:x", cx.company.login).as_bytes()));
    for value in [basic.as_str(), "", "Bearer", "Bearer ", &format!("Token {token}"), &token] {
        let reply = organizations(&cx).header("Authorization", value).send().await?;
        let shown = if value.contains(&token) { value.replace(&token, "<company token>") } else { value.to_owned() };
        reply
            .expect_unauthorized(Challenge::Any)
            .map_err(within(format!("with {}", &format!("Authorization: {shown:?}"))))?;
    }
    Ok(())
}

async fn empty_key(cx: Arc<Ctx>) -> Outcome {
    for value in ["", " "] {
        let reply = organizations(&cx).key(value).send().await?;
        reply
            .expect_unauthorized(Challenge::Any)
            .map_err(within(format!("with {}", &format!("X-Authorization-Key: {value:?}"))))?;
    }
    Ok(())
}

async fn repeated(cx: Arc<Ctx>) -> Outcome {
    let token = cx.company_token().await?;
    let reply = organizations(&cx).bearer(&token).bearer(&token).send().await?;
    reply.expect_unauthorized(Challenge::Any).map_err(within(format!("with {}", "Authorization twice")))?;
    let reply = organizations(&cx).key(&token).key(&token).send().await?;
    reply.expect_unauthorized(Challenge::Any).map_err(within(format!("with {}", "X-Authorization-Key twice"))).map(drop)
}

async fn api_key(cx: Arc<Ctx>) -> Outcome {
    let key = cx.api_key()?.to_owned();
    let reply = organizations(&cx).key(&key).send().await?;
    expect_organizations(&cx, &reply)
        .await
        .map_err(within(format!("with {}", "the API key in X-Authorization-Key")))?;
    let reply = organizations(&cx).bearer(&key).send().await?;
    expect_organizations(&cx, &reply).await.map_err(within(format!("with {}", "Authorization: Bearer <API key>")))
}

async fn wrong_api_key(cx: Arc<Ctx>) -> Outcome {
    let key = format!("{}-wrong", cx.api_key().unwrap_or("conformance-api-key"));
    organizations(&cx).key(&key).send().await?.expect_unauthorized(Challenge::InvalidToken).map(drop)
}
