//! Decision 12: only HS256 tokens the server signed, unexpired, with its
//! claims, are credentials. Forgeries anyone can make (`alg: none`, a
//! wrong key, a swapped payload) and, with the server's secret, tokens only
//! it could sign (expired, HS512, without `kind`, another issuer).

use std::sync::Arc;

use chathub_types::token::peek_claims;
use serde_json::{Value, json};

use super::now_secs;
use crate::conformance::context::Ctx;
use crate::conformance::http::Challenge;
use crate::conformance::jwt::{Alg, alg_none, sign, swap_payload};
use crate::conformance::runner::{Check, check};
use crate::conformance::verdict::{Outcome, Stop, fail, within};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!("decision-12/alg-none-401", "§4.12", "a token with alg: none: 401", none),
        check!("decision-12/wrong-key-401", "§4.12", "the same claims signed with another key: 401", wrong_key),
        check!("decision-12/payload-swap-401", "§4.12", "a genuine signature over another payload: 401", payload_swap),
        check!(
            "decision-12/expired-401",
            "§4.12",
            "a server-signed company token past its exp: 401 invalid_token",
            expired
        ),
        check!("decision-12/no-leeway", "§4.12", "a token whose exp is this very second is already dead", no_leeway),
        check!("decision-12/hs512-401", "§4.12", "a server-signed token with another algorithm (HS512): 401", hs512),
        check!(
            "decision-12/claims-required",
            "§4.12",
            "server-signed tokens without kind, with another iss or kind: 401",
            claims_required
        ),
    ]
}

const ORGANIZATIONS: &str = chathub_types::company::list_organizations::ENDPOINT.path;

async fn company_claims(cx: &Ctx) -> Result<(String, Value), Stop> {
    let token = cx.company_token().await?;
    let claims = peek_claims(&token).ok_or_else(|| {
        fail("a company token with a readable payload (§4.12)", "a token whose payload is not base64url JSON")
    })?;
    Ok((token, claims))
}

/// Fails unless `token` as a credential gets a 401 that names an invalid token.
async fn expect_refused(cx: &Ctx, token: &str, what: &str) -> Outcome {
    let reply = cx.raw("GET", ORGANIZATIONS).bearer(token).send().await?;
    reply.expect_unauthorized(Challenge::InvalidToken).map(drop).map_err(within(format!("for {what}")))
}

async fn none(cx: Arc<Ctx>) -> Outcome {
    let (token, _) = company_claims(&cx).await?;
    let forged = alg_none(&token).ok_or_else(|| fail("a three-part company token", "another shape"))?;
    expect_refused(&cx, &forged, "alg: none").await?;
    expect_refused(&cx, forged.trim_end_matches('.'), "alg: none without the last dot").await
}

async fn wrong_key(cx: Arc<Ctx>) -> Outcome {
    let (_, claims) = company_claims(&cx).await?;
    let forged = sign(Alg::Hs256, b"conformance: a key that is not the server's secret", &claims);
    expect_refused(&cx, &forged, "a token signed with another key").await
}

async fn payload_swap(cx: Arc<Ctx>) -> Outcome {
    let (token, mut claims) = company_claims(&cx).await?;
    let exp = claims["exp"].as_i64().unwrap_or(0);
    claims["exp"] = json!(exp + 3600);
    let forged = swap_payload(&token, &claims).ok_or_else(|| fail("a three-part company token", "another shape"))?;
    expect_refused(&cx, &forged, "a longer exp under the original signature").await?;
    let sub = claims["sub"].as_str().and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    claims["exp"] = json!(exp);
    claims["sub"] = json!((sub + 1).to_string());
    let forged = swap_payload(&token, &claims).ok_or_else(|| fail("a three-part company token", "another shape"))?;
    expect_refused(&cx, &forged, "another sub under the original signature").await
}

/// Company claims like the server's, at these times.
fn claims_at(template: &Value, iat: i64, exp: i64) -> Value {
    json!({
        "iss": "chathub",
        "sub": template["sub"],
        "iat": iat,
        "exp": exp,
        "jti": "conformance-hand-signed",
        "kind": "company",
    })
}

/// Fails unless a hand-signed, unexpired copy of the company's claims is
/// accepted: proof the secret is right, so a refusal means what it says.
async fn control(cx: &Ctx, secret: &[u8], template: &Value) -> Outcome {
    let now = now_secs();
    let token = sign(Alg::Hs256, secret, &claims_at(template, now - 10, now + 600));
    let reply = cx.raw("GET", ORGANIZATIONS).bearer(&token).send().await?;
    reply.expect_json(200).map(drop).map_err(|stop| match stop {
        Stop::Fail { got, .. } => {
            fail("a hand-signed, unexpired company token to be accepted (is the signing secret right?)", got)
        }
        other => other,
    })
}

async fn expired(cx: Arc<Ctx>) -> Outcome {
    let secret = cx.secret()?.to_vec();
    let (_, template) = company_claims(&cx).await?;
    control(&cx, &secret, &template).await?;
    let now = now_secs();
    let token = sign(Alg::Hs256, &secret, &claims_at(&template, now - 600, now - 60));
    expect_refused(&cx, &token, "a company token that expired a minute ago").await
}

async fn no_leeway(cx: Arc<Ctx>) -> Outcome {
    let secret = cx.secret()?.to_vec();
    let (_, template) = company_claims(&cx).await?;
    control(&cx, &secret, &template).await?;
    // exp = the current second: the server reads the clock after us, so
    // `now >= exp` holds there whatever the fraction (no race).
    let now = now_secs();
    let token = sign(Alg::Hs256, &secret, &claims_at(&template, now - 600, now));
    expect_refused(&cx, &token, "a company token whose exp is the current second").await
}

async fn hs512(cx: Arc<Ctx>) -> Outcome {
    let secret = cx.secret()?.to_vec();
    let (_, template) = company_claims(&cx).await?;
    control(&cx, &secret, &template).await?;
    let now = now_secs();
    let token = sign(Alg::Hs512, &secret, &claims_at(&template, now - 10, now + 600));
    expect_refused(&cx, &token, "HS512 with the server's secret").await
}

async fn claims_required(cx: Arc<Ctx>) -> Outcome {
    let secret = cx.secret()?.to_vec();
    let (_, template) = company_claims(&cx).await?;
    control(&cx, &secret, &template).await?;
    let now = now_secs();
    let good = claims_at(&template, now - 10, now + 600);
    let mut variants = Vec::new();
    for (what, member, value) in [
        ("no kind", "kind", None),
        ("kind: admin", "kind", Some(json!("admin"))),
        ("iss: someone-else", "iss", Some(json!("someone-else"))),
        ("no iss", "iss", None),
        ("no exp", "exp", None),
    ] {
        let mut claims = good.clone();
        match value {
            Some(value) => claims[member] = value,
            None => {
                if let Some(object) = claims.as_object_mut() {
                    object.remove(member);
                }
            }
        }
        variants.push((what, sign(Alg::Hs256, &secret, &claims)));
    }
    for (what, token) in variants {
        expect_refused(&cx, &token, what).await?;
    }
    Ok(())
}
