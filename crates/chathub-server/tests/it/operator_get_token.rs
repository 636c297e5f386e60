//! `POST /api/operator/get-token` (§3.6, Decision 10): a lifetime later
//! than now and at most 24 hours (+60 s of skew) ahead, `exp` cut to whole
//! seconds, 404 for anything not the caller's, 400 for an inactive operator.

use chathub_types::time::{format_instant, truncate_to_seconds};
use chathub_types::token::TokenKind;
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::support::{ACME_KEY, Answer, Api, EMMA, GLOBEX_KEY, HANK, JOHN, MIKE, claims};

const PATH: &str = "/api/operator/get-token";

async fn issue(api: &Api, body: &Value) -> Answer {
    api.post(PATH).key(ACME_KEY).header("accept", "text/plain").json(body).send().await
}

fn request(id: i32, expires_at: &str) -> Value {
    json!({ "id": id, "expiresAt": expires_at })
}

/// Issues a token for John expiring at `expires_at` (as written) and
/// checks that `exp` and validate-token's `expiresAt` are `expected`.
async fn issue_and_check(api: &Api, expires_at: &str, expected: DateTime<Utc>) {
    let answer = issue(api, &request(JOHN, expires_at)).await;
    assert_eq!(answer.status, 200, "{expires_at}: {}", answer.text());
    let token = answer.text();
    let claims = claims(token);
    assert_eq!(claims.kind, TokenKind::Operator);
    assert_eq!(claims.sub, JOHN.to_string());
    assert_eq!(claims.exp, expected.timestamp(), "{expires_at}");
    let validated = api.validate(ACME_KEY, token).await;
    assert_eq!(validated["isValid"], true, "{validated}");
    assert_eq!(validated["expiresAt"], format_instant(expected), "{expires_at}");
}

#[tokio::test]
async fn exp_is_expires_at_cut_to_whole_seconds() {
    let api = Api::start().await;
    let base = truncate_to_seconds(Utc::now()) + TimeDelta::hours(1);
    let millis = base + TimeDelta::milliseconds(999);
    issue_and_check(&api, &millis.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(), base).await;
    let nanos = millis + TimeDelta::nanoseconds(999_900);
    issue_and_check(&api, &format!("{}Z", &nanos.format("%Y-%m-%dT%H:%M:%S%.9f").to_string()[..27]), base).await;
    issue_and_check(&api, &base.format("%Y-%m-%dT%H:%M:%SZ").to_string(), base).await;
    // No offset: read as UTC.
    issue_and_check(&api, &millis.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(), base).await;
    issue_and_check(&api, &base.format("%Y-%m-%dT%H:%M:%S").to_string(), base).await;
    // Any offset.
    let kyiv = millis.with_timezone(&FixedOffset::east_opt(2 * 3600).unwrap());
    issue_and_check(&api, &kyiv.to_rfc3339(), base).await;
    let west = millis.with_timezone(&FixedOffset::west_opt(5 * 3600 + 1800).unwrap());
    issue_and_check(&api, &west.to_rfc3339(), base).await;
}

#[tokio::test]
async fn lifetimes_up_to_24_hours_and_a_minute_of_skew() {
    let api = Api::start().await;
    for ahead in [TimeDelta::seconds(30), TimeDelta::hours(24), TimeDelta::hours(24) + TimeDelta::seconds(30)] {
        let expires_at = Utc::now() + ahead;
        issue_and_check(&api, &format_instant(expires_at), truncate_to_seconds(expires_at)).await;
    }
}

#[tokio::test]
async fn lifetimes_outside_are_400_naming_expires_at() {
    let api = Api::start().await;
    let now = Utc::now();
    let cases = [
        now - TimeDelta::hours(1),
        now - TimeDelta::seconds(1),
        now,
        now + TimeDelta::hours(24) + TimeDelta::seconds(61),
        now + TimeDelta::days(365),
        DateTime::from_timestamp(0, 0).unwrap(),
    ];
    for expires_at in cases {
        let answer = issue(&api, &request(JOHN, &format_instant(expires_at))).await;
        assert_eq!(answer.invalid_paths(), ["$.expiresAt"], "{expires_at}");
    }
    let answer = issue(&api, &request(JOHN, &format_instant(now - TimeDelta::hours(1)))).await;
    assert_json_snapshot!("expires_at_past_400", answer.problem(400));
    let answer = issue(&api, &request(JOHN, &format_instant(now + TimeDelta::hours(25)))).await;
    assert_json_snapshot!("expires_at_too_far_400", answer.problem(400));
    for bad in [json!("tomorrow"), json!("2030-01-01"), json!(1_900_000_000), json!(null), json!("")] {
        let answer = issue(&api, &json!({ "id": JOHN, "expiresAt": bad })).await;
        assert_eq!(answer.invalid_paths(), ["$.expiresAt"], "{bad}");
    }
    let answer = issue(&api, &json!({ "id": JOHN })).await;
    assert_eq!(answer.invalid_paths(), ["$.expiresAt"]);
}

#[tokio::test]
async fn unknown_and_foreign_operators_are_404() {
    let api = Api::start().await;
    let in_an_hour = format_instant(Utc::now() + TimeDelta::hours(1));
    let answer = issue(&api, &request(HANK, &in_an_hour)).await;
    assert_json_snapshot!("foreign_operator_404", answer.problem(404));
    for id in [9999, 0, -7] {
        issue(&api, &request(id, &in_an_hour)).await.problem(404);
    }
    // The lifetime (body) is checked before the operator (resource).
    let past = format_instant(Utc::now() - TimeDelta::hours(1));
    assert_eq!(issue(&api, &request(HANK, &past)).await.invalid_paths(), ["$.expiresAt"]);
}

#[tokio::test]
async fn an_operator_who_is_not_active_gets_no_token() {
    let api = Api::start().await;
    let in_an_hour = format_instant(Utc::now() + TimeDelta::hours(1));
    let answer = issue(&api, &request(MIKE, &in_an_hour)).await;
    answer.problem(400);
    assert_json_snapshot!("inactive_operator_400", answer.problem(400));
    api.set_status(ACME_KEY, EMMA, 2).await;
    issue(&api, &request(EMMA, &in_an_hour)).await.problem(400);
    // A foreign operator who is not active: 404 (resource before state).
    api.set_status(GLOBEX_KEY, HANK, 1).await;
    issue(&api, &request(HANK, &in_an_hour)).await.problem(404);
}
