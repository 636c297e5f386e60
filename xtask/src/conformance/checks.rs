//! Every check, one module per area, in the order they run. The sign-in
//! throttle check runs after every other check that signs in, since it
//! leaves the client address throttled for a minute; the schema review
//! runs last, over every answer the others recorded.

mod chat_support;
mod chats;
mod company;
mod credentials;
mod dates;
mod docs;
mod forgery;
mod hub;
mod limits;
mod operators;
mod status;
mod storage;
mod synchronize;
mod tokens;
mod validate;

use chathub_client::{Operator, OperatorId, OrganizationId};
use serde_json::Value;

use super::context::Ctx;
use super::runner::Check;
use super::verdict::{Expecting, Stop, ensure, fail};

/// Every check, in the order they run.
pub fn all() -> Vec<Check> {
    let mut checks = Vec::new();
    checks.extend(docs::first());
    checks.extend(company::checks());
    checks.extend(credentials::checks());
    checks.extend(tokens::checks());
    checks.extend(forgery::checks());
    checks.extend(operators::checks());
    checks.extend(synchronize::checks());
    checks.extend(status::checks());
    checks.extend(validate::checks());
    checks.extend(dates::checks());
    checks.extend(limits::checks());
    checks.extend(chats::checks());
    checks.extend(hub::checks());
    checks.extend(storage::checks());
    checks.extend(super::roundtrip::checks());
    checks.extend(company::last());
    checks.extend(docs::last());
    checks
}

/// Fails unless `value` is an object with exactly `keys` (any order).
pub fn expect_keys(value: &Value, keys: &[&str], what: &str) -> Result<(), Stop> {
    let expected = format!("{what} with exactly the members {keys:?}");
    let Some(object) = value.as_object() else { return Err(fail(expected, value.to_string())) };
    let mut got: Vec<&str> = object.keys().map(String::as_str).collect();
    let mut want = keys.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    ensure(got == want, expected, || value.to_string())
}

/// Fails unless `value` is a JSON integer in the 32-bit range.
pub fn expect_i32(value: &Value, what: &str) -> Result<i32, Stop> {
    value
        .as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| fail(format!("{what}: a 32-bit integer"), value.to_string()))
}

/// The operators of `organization`, through chathub-client.
pub async fn list(cx: &Ctx, organization: OrganizationId) -> Result<Vec<Operator>, Stop> {
    cx.client.operators().list(organization).await.expecting("200 with the organization's operators (§3.3)")
}

/// The operator `id` as listed in `organization`, or a failure.
pub async fn listed(cx: &Ctx, organization: OrganizationId, id: OperatorId) -> Result<Operator, Stop> {
    list(cx, organization)
        .await?
        .into_iter()
        .find(|op| op.id == id)
        .ok_or_else(|| fail(format!("operator {id} in the list of organization {organization}"), "absent"))
}

/// Fails unless `ids` strictly increase (Decision 6: lists are sorted by id).
pub fn expect_sorted(ids: &[i32], what: &str) -> Result<(), Stop> {
    ensure(ids.windows(2).all(|pair| pair[0] < pair[1]), format!("{what} sorted by id, without repeats"), || {
        format!("ids {ids:?}")
    })
}

/// Names the request body in a failure: `.map_err(within_body(&body))`.
pub fn within_body(body: impl std::fmt::Display) -> impl FnOnce(Stop) -> Stop {
    super::verdict::within(format!("for {body}"))
}

/// Seconds since the epoch, now.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Sleeps until the wall clock reads at least `target` (milliseconds since
/// the epoch): waiting on a clock, for rules stated in whole seconds.
pub async fn wait_until_millis(target: i64) {
    loop {
        let left = target - chrono::Utc::now().timestamp_millis();
        if left < 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(u64::try_from(left).unwrap_or(0) + 5)).await;
    }
}
