//! Operator tokens: the 24-hour rule, the request sent, the cache, the widget tag.

use std::time::Duration;

use chathub_client::{Error, OperatorTokenCache, widget};
use chrono::{TimeDelta, Utc};
use futures::future::join_all;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// A server where nothing may be requested.
async fn untouchable() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    server
}

#[tokio::test]
async fn more_than_24_hours_is_refused_before_any_request() {
    let server = untouchable().await;
    let client = password_client(&server);
    let operators = client.operators();
    for lifetime in [Duration::from_secs(24 * 3600 + 1), Duration::from_secs(25 * 3600), Duration::MAX] {
        let error = operators.issue_token(101, lifetime).await.expect_err("too long");
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        assert_eq!(error.to_string(), "invalid input: $.expiresAt: expiresAt must be at most 24 hours from now.");
    }
    let error = operators.issue_token_until(101, Utc::now() + TimeDelta::hours(24) + TimeDelta::seconds(5)).await;
    assert!(matches!(error, Err(Error::InvalidInput(_))));
}

#[tokio::test]
async fn a_lifetime_of_zero_or_an_instant_in_the_past_is_refused_before_any_request() {
    let server = untouchable().await;
    let operators = api_key_client(&server);
    let operators = operators.operators();
    let error = operators.issue_token(101, Duration::ZERO).await.expect_err("zero");
    assert_eq!(error.to_string(), "invalid input: $.expiresAt: expiresAt must be in the future.");
    let error = operators.issue_token_until(101, Utc::now() - TimeDelta::seconds(1)).await.expect_err("past");
    assert_eq!(error.to_string(), "invalid input: $.expiresAt: expiresAt must be in the future.");
}

#[tokio::test]
async fn exactly_24_hours_is_sent_with_the_instant_in_milliseconds() {
    let server = MockServer::start().await;
    let token = operator_jwt(101, Utc::now().timestamp() + 24 * 3600);
    Mock::given(method("POST"))
        .and(path(OPERATOR_TOKEN))
        .and(body_partial_json(serde_json::json!({"id": 101})))
        .respond_with(json_string(&token))
        .expect(1)
        .mount(&server)
        .await;
    let before = Utc::now();
    api_key_client(&server).operators().issue_token(101, Duration::from_secs(24 * 3600)).await.expect("issued");
    let requests = server.received_requests().await.expect("recorded");
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).expect("JSON body");
    let sent = body["expiresAt"].as_str().expect("expiresAt is a string");
    assert!(sent.ends_with('Z'), "{sent}");
    let instant = chathub_client::types::time::parse_instant(sent).expect("an instant");
    let lifetime = instant - before;
    assert!(
        lifetime <= TimeDelta::hours(24) + TimeDelta::seconds(1)
            && lifetime >= TimeDelta::hours(24) - TimeDelta::seconds(5)
    );
}

#[tokio::test]
async fn issue_token_until_sends_the_instant_cut_to_milliseconds() {
    let server = MockServer::start().await;
    let at = Utc::now() + TimeDelta::hours(2) + TimeDelta::nanoseconds(123_456_789);
    let expected = chathub_client::types::time::format_instant(at);
    Mock::given(method("POST"))
        .and(path(OPERATOR_TOKEN))
        .and(wiremock::matchers::body_json(serde_json::json!({"id": 7, "expiresAt": expected})))
        .respond_with(json_string("opaque"))
        .expect(1)
        .mount(&server)
        .await;
    let issued = api_key_client(&server).operators().issue_token_until(7, at).await.expect("issued");
    assert_eq!(issued.expires_at, chathub_client::types::time::truncate_to_seconds(at));
}

async fn token_server(expiration: &str, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(OPERATOR_TOKEN))
        .respond_with(json(serde_json::json!({"token": "operator-token", "expiration": expiration})))
        .expect(times)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_cache_reuses_a_fresh_token() {
    let far = (Utc::now() + TimeDelta::hours(8)).to_rfc3339();
    let server = token_server(&far, 1).await;
    let cache = OperatorTokenCache::new(api_key_client(&server), Duration::from_secs(8 * 3600));
    let first = cache.get(101).await.expect("issued");
    let second = cache.clone().get(101).await.expect("reused");
    assert_eq!(first, second);
}

#[tokio::test]
async fn concurrent_callers_for_one_operator_share_one_request() {
    let far = (Utc::now() + TimeDelta::hours(8)).to_rfc3339();
    let server = token_server(&far, 1).await;
    let cache = OperatorTokenCache::new(api_key_client(&server), Duration::from_secs(8 * 3600));
    let tokens = join_all((0..8).map(|_| cache.get(101))).await;
    assert!(tokens.iter().all(|token| token.as_ref().expect("issued").token.expose() == "operator-token"));
}

#[tokio::test]
async fn each_operator_has_its_own_token() {
    let far = (Utc::now() + TimeDelta::hours(8)).to_rfc3339();
    let server = token_server(&far, 3).await;
    let cache = OperatorTokenCache::new(api_key_client(&server), Duration::from_secs(8 * 3600));
    for operator in [101, 102, 103, 101, 102] {
        assert_eq!(cache.get(operator).await.expect("issued").operator_id.get(), operator);
    }
}

#[tokio::test]
async fn a_token_past_most_of_its_lifetime_is_replaced() {
    // The server says the token already expired: it is never reused.
    let past = (Utc::now() - TimeDelta::seconds(10)).to_rfc3339();
    let server = token_server(&past, 2).await;
    let cache = OperatorTokenCache::new(api_key_client(&server), Duration::from_secs(3600));
    cache.get(101).await.expect("issued");
    cache.get(101).await.expect("issued again");
}

#[tokio::test]
async fn invalidate_forgets_a_token() {
    let far = (Utc::now() + TimeDelta::hours(1)).to_rfc3339();
    let server = token_server(&far, 3).await;
    let cache = OperatorTokenCache::new(api_key_client(&server), Duration::from_secs(3600));
    cache.get(101).await.expect("issued");
    cache.invalidate(101);
    cache.get(101).await.expect("issued again");
    cache.clear();
    cache.get(101).await.expect("and again");
}

#[tokio::test]
async fn concurrent_callers_share_a_failure_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(OPERATOR_TOKEN))
        .respond_with(problem(404, "Not Found", "No such operator."))
        .expect(1)
        .mount(&server)
        .await;
    let cache = OperatorTokenCache::new(api_key_client(&server), Duration::from_secs(3600));
    for result in join_all((0..4).map(|_| cache.get(999))).await {
        assert_eq!(result.expect_err("unknown").to_string(), "404 Not Found: No such operator.");
    }
}

#[tokio::test]
async fn a_cache_with_too_long_a_lifetime_refuses_locally() {
    let server = untouchable().await;
    let cache = OperatorTokenCache::new(api_key_client(&server), Duration::from_secs(48 * 3600));
    assert!(matches!(cache.get(101).await, Err(Error::InvalidInput(_))));
}

#[tokio::test]
async fn an_issued_token_goes_into_the_widget_tag() {
    let server = MockServer::start().await;
    let token = operator_jwt(101, Utc::now().timestamp() + 600);
    Mock::given(method("POST")).and(path(OPERATOR_TOKEN)).respond_with(json_string(&token)).mount(&server).await;
    let issued = api_key_client(&server).operators().issue_token(101, Duration::from_secs(600)).await.expect("issued");
    assert_eq!(
        widget::script_tag(&issued.token),
        format!(
            r#"<script type="module" id="operator-chat-panel-script" src="{}" token="{token}"></script>"#,
            widget::WIDGET_SCRIPT_URL
        )
    );
    let local = format!("{}/operator-chat-panel/widget-script.js", server.uri());
    assert!(widget::script_tag_with_src(&issued.token, &local).contains(&format!(r#"src="{local}""#)));
}

#[test]
fn the_widget_tag_escapes_the_token_attribute() {
    let token = chathub_client::OperatorToken::new(r#"x"><script>alert('1')</script>&"#);
    let tag = widget::script_tag(&token);
    assert!(
        tag.ends_with(r#"token="x&quot;&gt;&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;&amp;"></script>"#),
        "{tag}"
    );
    assert_eq!(tag.matches('<').count(), 2, "only the tag's own brackets: {tag}");
}
