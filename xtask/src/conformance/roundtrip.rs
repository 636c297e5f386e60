//! Cross-crate round trips: proptest generates chathub-types values (names
//! in any script with emoji and maximal lengths, every status, expiry
//! instants, date-times with 0-7 fractional digits and assorted offsets);
//! they go out through chathub-client (or, for date texts the client would
//! never write, raw), are stored by the server, and must come back equal.
//! `--cases N` sets the cases per check; a failure shows the shrunk input.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chathub_client::{NewOperator, OperatorId, OperatorStatus, OperatorToken};
use chathub_types::time::truncate_to_seconds;
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use serde_json::json;

use super::context::Ctx;
use super::runner::{Check, Limit, check};
use super::verdict::{Expecting, Outcome, Stop, ensure_eq, fail, within};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    const LIMIT: Limit = Limit::PerCase { base_secs: 30, per_case_ms: 2_000 };
    vec![
        check!(
            "roundtrip/operator-names",
            "§4.14",
            "generated names (any script, emoji, 100 chars) come back as stored",
            names,
            LIMIT
        ),
        check!(
            "roundtrip/statuses",
            "§4.9",
            "generated status sequences set through the client are listed back",
            statuses,
            LIMIT
        ),
        check!(
            "roundtrip/expiry-instants",
            "§4.10",
            "generated expiries come back from validate-token cut to seconds",
            instants,
            LIMIT
        ),
        check!(
            "roundtrip/date-texts",
            "§4.13",
            "expiresAt with 0-7 digits and any offset comes back as the same instant",
            date_texts,
            LIMIT
        ),
    ]
}

type CaseFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// Sets the flag when dropped: the check's time ran out (its future was dropped).
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `test` on `cx.cases` values of `strategy` with proptest's runner
/// (shrinking included), each case's async body driven from a blocking thread.
async fn property<S>(cx: Arc<Ctx>, strategy: S, test: fn(Arc<Ctx>, S::Value) -> CaseFuture) -> Outcome
where
    S: Strategy + Send + 'static,
    S::Value: Debug + Send,
{
    let handle = tokio::runtime::Handle::current();
    let cancelled = Arc::new(AtomicBool::new(false));
    let _guard = CancelOnDrop(Arc::clone(&cancelled));
    let cases = cx.cases;
    let run = tokio::task::spawn_blocking(move || {
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 200,
            max_shrink_time: 20_000,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        runner
            .run(&strategy, |value| {
                if cancelled.load(Ordering::Relaxed) {
                    return Err(TestCaseError::fail("the check's time ran out"));
                }
                if let Some(reason) = super::link::gone() {
                    return Err(TestCaseError::fail(reason));
                }
                match handle.block_on(test(Arc::clone(&cx), value)) {
                    Ok(()) => Ok(()),
                    Err(Stop::Fail { expected, got }) => {
                        Err(TestCaseError::fail(format!("expected {expected}; got {got}")))
                    }
                    Err(Stop::Skip(reason)) => Err(TestCaseError::reject(reason)),
                }
            })
            .map_err(|error| match error {
                TestError::Fail(reason, value) => {
                    fail("every generated case to round-trip", format!("{reason} (smallest failing input: {value:?})"))
                }
                TestError::Abort(reason) => fail("the property test to run", reason.to_string()),
            })
    });
    match run.await {
        Ok(result) => result,
        Err(error) => Err(fail("a property test that ends without a panic", error.to_string())),
    }
}

/// Characters of many scripts, emoji, joiners, spaces and anything else but U+0000.
fn name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::char::range('a', 'z'),
        3 => proptest::char::range('\u{0370}', '\u{04ff}'),
        2 => proptest::char::range('\u{4e00}', '\u{9fff}'),
        1 => proptest::char::range('\u{0600}', '\u{06ff}'),
        1 => proptest::char::range('\u{0900}', '\u{097f}'),
        1 => proptest::char::range('\u{ac00}', '\u{d7a3}'),
        2 => proptest::char::range('\u{1f300}', '\u{1faff}'),
        1 => Just('\u{200d}'),
        1 => Just(' '),
        1 => any::<char>().prop_filter("U+0000 is refused (Decision 14)", |c| *c != '\0'),
    ]
}

fn whitespace() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![Just(' '), Just('\t'), Just('\n'), Just('\u{a0}'), Just('\u{3000}')], 0..3)
        .prop_map(|chars| chars.into_iter().collect())
}

/// `(leading whitespace, body, trailing whitespace)`; the body fits after the
/// run's name prefix within 100 characters, and is that long a quarter of the time.
fn name_parts(room: usize) -> impl Strategy<Value = (String, String, String)> {
    let body = prop_oneof![
        3 => proptest::collection::vec(name_char(), 1..=room),
        1 => proptest::collection::vec(name_char(), room..=room),
    ]
    .prop_map(|chars| chars.into_iter().collect::<String>());
    (whitespace(), body, whitespace())
}

async fn names(cx: Arc<Ctx>) -> Outcome {
    cx.write_org()?;
    let room = 100usize.saturating_sub(cx.name_prefix().chars().count()).max(1);
    property(cx, name_parts(room), |cx, (lead, body, trail)| Box::pin(name_case(cx, lead, body, trail))).await
}

async fn name_case(cx: Arc<Ctx>, lead: String, body: String, trail: String) -> Outcome {
    let organization = cx.write_org()?;
    let sent = format!("{lead}{}{body}{trail}", cx.name_prefix());
    let stored = sent.trim().to_owned();
    let added = cx
        .client
        .operators()
        .synchronize([NewOperator::new(organization, sent.clone())])
        .await
        .expecting("200 from synchronize through chathub-client")?;
    cx.remember(added.iter().map(|op| op.id));
    let Some(created) = added.first() else { return Err(fail("one created operator", "none")) };
    ensure_eq("the name synchronize answered", created.name.as_str(), stored.as_str())?;
    let listed = crate::conformance::checks::listed(&cx, organization, created.id).await?;
    ensure_eq(
        "the listed (name, status)",
        (listed.name.as_str(), listed.status),
        (stored.as_str(), OperatorStatus::Active),
    )
}

fn status() -> impl Strategy<Value = OperatorStatus> {
    prop_oneof![Just(OperatorStatus::Active), Just(OperatorStatus::Inactive), Just(OperatorStatus::Deleted)]
}

async fn statuses(cx: Arc<Ctx>) -> Outcome {
    cx.write_org()?;
    property(cx, proptest::collection::vec(status(), 1..6), |cx, sequence| Box::pin(status_case(cx, sequence))).await
}

async fn status_case(cx: Arc<Ctx>, sequence: Vec<OperatorStatus>) -> Outcome {
    let organization = cx.write_org()?;
    let id = cx.fresh_operator("roundtrip-status").await?;
    for status in sequence {
        cx.client.operators().set_status(id, status).await.expecting("200 from set-status through chathub-client")?;
        let listed = crate::conformance::checks::listed(&cx, organization, id).await?;
        ensure_eq(&format!("the listed status after setting {status}"), listed.status, status)?;
    }
    Ok(())
}

/// `(seconds ahead, nanoseconds)`: within the 24 hours Decision 10 allows,
/// at least 5 s ahead so the request is still in time when it arrives.
fn ahead() -> impl Strategy<Value = (i64, u32)> {
    (
        prop_oneof![5i64..120, 120i64..86_000, Just(86_000i64)],
        prop_oneof![Just(0u32), 0u32..1_000_000_000, Just(999_999_999u32)],
    )
}

async fn instants(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("roundtrip-instants").await?.id;
    let strategy = ahead().prop_map(move |(secs, nanos)| (operator, secs, nanos));
    property(cx, strategy, |cx, (operator, secs, nanos)| Box::pin(instant_case(cx, operator, secs, nanos))).await
}

async fn instant_case(cx: Arc<Ctx>, operator: OperatorId, secs: i64, nanos: u32) -> Outcome {
    let asked = truncate_to_seconds(Utc::now()) + TimeDelta::seconds(secs) + TimeDelta::nanoseconds(i64::from(nanos));
    let issued = cx
        .client
        .operators()
        .issue_token_until(operator, asked)
        .await
        .expecting(&format!("200 from get-token for expiresAt {asked:?}"))?;
    let want = truncate_to_seconds(asked);
    ensure_eq("the issued token's expiry", issued.expires_at, want)?;
    expect_validated(&cx, &issued.token, want).await
}

/// validate-token through chathub-client reports `want` as `expiresAt`.
async fn expect_validated(cx: &Ctx, token: &OperatorToken, want: DateTime<Utc>) -> Outcome {
    let answer = cx.client.operators().validate_token(token).await.expecting("200 from validate-token")?;
    ensure_eq("validate-token's (isValid, expiresAt)", (answer.is_valid, answer.expires_at), (true, Some(want)))
}

/// How a generated date-time writes its offset.
#[derive(Debug, Clone, Copy)]
enum Zone {
    /// No offset at all (read as UTC).
    None,
    /// `Z`.
    Z,
    /// `+hh:mm` / `-hh:mm`, in minutes east of UTC.
    Minutes(i32),
}

/// Writes `instant` as RFC 3339 in `zone` with `digits` fractional digits (cut).
pub fn write_instant(instant: DateTime<Utc>, zone: Option<FixedOffset>, digits: usize) -> String {
    let fraction = format!("{:09}", instant.timestamp_subsec_nanos());
    let fraction = if digits == 0 { String::new() } else { format!(".{}", &fraction[..digits.min(9)]) };
    match zone {
        None => format!("{}{fraction}", instant.format("%Y-%m-%dT%H:%M:%S")),
        Some(offset) => {
            let local = instant.with_timezone(&offset);
            let zone = if offset.local_minus_utc() == 0 { "Z".to_owned() } else { local.format("%:z").to_string() };
            format!("{}{fraction}{zone}", local.format("%Y-%m-%dT%H:%M:%S"))
        }
    }
}

fn zone() -> impl Strategy<Value = Zone> {
    prop_oneof![
        1 => Just(Zone::None),
        1 => Just(Zone::Z),
        2 => prop_oneof![Just(-720), Just(-570), Just(330), Just(345), Just(840), -840i32..=840].prop_map(Zone::Minutes),
    ]
}

async fn date_texts(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.active_operator("roundtrip-dates").await?.id;
    let strategy =
        (ahead(), 0usize..=7, zone()).prop_map(move |(ahead, digits, zone)| DateCase { operator, ahead, digits, zone });
    property(cx, strategy, |cx, case| Box::pin(date_case(cx, case))).await
}

/// One generated date-time text for get-token.
#[derive(Debug, Clone, Copy)]
struct DateCase {
    operator: OperatorId,
    ahead: (i64, u32),
    digits: usize,
    zone: Zone,
}

async fn date_case(cx: Arc<Ctx>, case: DateCase) -> Outcome {
    let (secs, nanos) = case.ahead;
    let instant = truncate_to_seconds(Utc::now()) + TimeDelta::seconds(secs) + TimeDelta::nanoseconds(i64::from(nanos));
    let offset = match case.zone {
        Zone::None => None,
        Zone::Z => FixedOffset::east_opt(0),
        Zone::Minutes(minutes) => FixedOffset::east_opt(minutes * 60),
    };
    let text = write_instant(instant, offset, case.digits);
    // Raw: chathub-client always writes UTC milliseconds; these texts are what other clients send.
    let body = json!({"id": case.operator.get(), "expiresAt": text});
    let reply = cx
        .raw("POST", chathub_types::operator::get_token::ENDPOINT.path)
        .with_company_token()
        .json(&body)
        .send()
        .await?;
    reply.expect_status(200).map_err(within(format!("for expiresAt {text}")))?;
    let issued = chathub_types::token::decode_token_body(&reply.text())
        .map_err(|e| fail("an operator token", format!("{e}: {}", reply.describe())))?;
    let want = truncate_to_seconds(instant);
    let exp = chathub_types::token::peek_expiry(&issued.token);
    ensure_eq(&format!("the token's exp for expiresAt {text}"), exp, Some(want))?;
    expect_validated(&cx, &OperatorToken::new(issued.token), want).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_instants_read_back() {
        use chathub_types::time::parse_instant;
        let instant = parse_instant("2025-01-20T14:33:34.9876543Z").unwrap();
        assert_eq!(write_instant(instant, FixedOffset::east_opt(0), 0), "2025-01-20T14:33:34Z");
        assert_eq!(write_instant(instant, FixedOffset::east_opt(0), 7), "2025-01-20T14:33:34.9876543Z");
        assert_eq!(write_instant(instant, FixedOffset::east_opt(2 * 3600), 3), "2025-01-20T16:33:34.987+02:00");
        assert_eq!(write_instant(instant, FixedOffset::east_opt(-5 * 3600 - 1800), 1), "2025-01-20T09:03:34.9-05:30");
        assert_eq!(write_instant(instant, None, 7), "2025-01-20T14:33:34.9876543");
        for digits in 0..=7 {
            for offset in [None, FixedOffset::east_opt(14 * 3600), FixedOffset::east_opt(-12 * 3600)] {
                let text = write_instant(instant, offset, digits);
                assert_eq!(truncate_to_seconds(parse_instant(&text).unwrap()), truncate_to_seconds(instant), "{text}");
            }
        }
    }

    #[test]
    fn generated_names_fit_the_rules() {
        use proptest::strategy::ValueTree as _;
        let mut runner = TestRunner::default();
        for _ in 0..200 {
            let (lead, body, trail) = name_parts(81).new_tree(&mut runner).unwrap().current();
            let name = format!("{lead}conformance-abcdef-{body}{trail}");
            let stored = name.trim();
            assert!(stored.chars().count() <= 100 && !stored.is_empty() && !stored.contains('\0'), "{name:?}");
        }
    }
}
