//! Decision 13: date-times are read with 0-7 fractional digits, any RFC 3339
//! offset or none (UTC), and written as UTC with `Z`; Decision 10 cuts a
//! token's expiry to whole seconds.

use std::sync::Arc;

use chathub_types::time::{format_instant, parse_instant, truncate_to_seconds};
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};

use super::tokens::{exp_of, get_token_raw};
use super::within_body;
use crate::conformance::context::Ctx;
use crate::conformance::roundtrip::write_instant as write;
use crate::conformance::runner::{Check, check};
use crate::conformance::verdict::{Expecting, Outcome, ensure, ensure_eq, fail};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!("decision-13/fraction-digits-0-7", "§4.13", "expiresAt with 0 to 7 fractional digits", fractions),
        check!("decision-13/offsets", "§4.13", "expiresAt with Z, +hh:mm and -hh:mm offsets", offsets),
        check!("decision-13/no-offset-is-utc", "§4.13", "expiresAt without an offset is UTC", no_offset),
        check!(
            "decision-13/not-a-date-400",
            "§4.13",
            "expiresAt that is no date-time: 400 naming $.expiresAt",
            not_a_date
        ),
        check!(
            "decision-13/written-utc-z",
            "§4.13",
            "validate-token writes expiresAt as UTC with Z, whole seconds",
            written
        ),
    ]
}

/// An instant about an hour ahead, with a fraction of nearly a second
/// (.9876543), so any rounding instead of cutting shows.
fn an_hour_ahead() -> DateTime<Utc> {
    truncate_to_seconds(Utc::now()) + TimeDelta::hours(1) + TimeDelta::nanoseconds(987_654_300)
}

/// Gets a token for `text` and checks its `exp` is `instant` cut to seconds.
async fn expect_exp(cx: &Ctx, operator: chathub_client::OperatorId, text: &str, instant: DateTime<Utc>) -> Outcome {
    let reply = get_token_raw(cx, operator, text).await?;
    reply.expect_status(200).map_err(within_body(serde_json::json!({"expiresAt": text})))?;
    ensure_eq(&format!("exp for expiresAt {text}"), exp_of(&reply)?, instant.timestamp())
}

async fn fractions(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("fractions").await?;
    let instant = an_hour_ahead();
    for digits in 0..=7 {
        expect_exp(&cx, operator.id, &write(instant, FixedOffset::east_opt(0), digits), instant).await?;
    }
    Ok(())
}

async fn offsets(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("offsets").await?;
    let instant = an_hour_ahead();
    for seconds in [2 * 3600, -5 * 3600 - 1800, 14 * 3600, -12 * 3600, 5 * 3600 + 45 * 60] {
        let offset = FixedOffset::east_opt(seconds).ok_or_else(|| fail("a valid offset", seconds.to_string()))?;
        expect_exp(&cx, operator.id, &write(instant, Some(offset), 3), instant).await?;
    }
    let plus_zero = format!("{}+00:00", instant.format("%Y-%m-%dT%H:%M:%S%.3f"));
    expect_exp(&cx, operator.id, &plus_zero, instant).await
}

async fn no_offset(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("no-offset").await?;
    let instant = an_hour_ahead();
    expect_exp(&cx, operator.id, &write(instant, None, 0), instant).await?;
    expect_exp(&cx, operator.id, &write(instant, None, 7), instant).await
}

async fn not_a_date(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("not-a-date").await?;
    let body = |value: serde_json::Value| serde_json::json!({"id": operator.id.get(), "expiresAt": value});
    let soon = Utc::now() + TimeDelta::hours(1);
    let cases = [
        body("tomorrow".into()),
        body("".into()),
        body(soon.format("%Y-%m-%d").to_string().into()),
        body(soon.format("%Y-13-%dT%H:%M:%SZ").to_string().into()),
        body(soon.timestamp().into()),
        body(serde_json::Value::Null),
        serde_json::json!({"id": operator.id.get()}),
    ];
    for request in cases {
        let reply = cx
            .raw("POST", chathub_types::operator::get_token::ENDPOINT.path)
            .with_company_token()
            .json(&request)
            .send()
            .await?;
        reply.expect_invalid(&["$.expiresAt"]).map_err(within_body(request))?;
    }
    Ok(())
}

async fn written(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("written").await?;
    let instant = an_hour_ahead();
    let text = write(instant, FixedOffset::east_opt(-7 * 3600), 7);
    let reply = get_token_raw(&cx, operator.id, &text).await?;
    reply.expect_status(200)?;
    let token = chathub_types::token::decode_token_body(&reply.text())
        .map_err(|e| fail("an operator token", format!("{e}: {}", reply.describe())))?;
    let answer = cx
        .raw("POST", chathub_types::operator::validate_token::ENDPOINT.path)
        .with_company_token()
        .json(&serde_json::json!({"token": token.token}))
        .send()
        .await?
        .expect_json(200)?;
    let written = answer["expiresAt"].as_str().unwrap_or_default().to_owned();
    ensure_eq("expiresAt as written", written.as_str(), format_instant(truncate_to_seconds(instant)).as_str())?;
    // chathub-types reads it back as the same instant.
    let read = parse_instant(&written).map_err(|e| fail("a date-time chathub-types reads", e.to_string()))?;
    ensure_eq("expiresAt read back", read, truncate_to_seconds(instant))?;
    let typed = cx
        .client
        .operators()
        .validate_token(&chathub_client::OperatorToken::new(token.token))
        .await
        .expecting("200 from validate-token")?;
    ensure(typed.expires_at == Some(read), "chathub-client to read the same expiresAt", || {
        format!("{:?}", typed.expires_at)
    })
}
