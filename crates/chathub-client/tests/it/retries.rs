//! Which requests are retried, on what, how often and how long apart.

use std::time::Duration;

use chathub_client::types::operator::synchronize_operators::NewOperator;
use chathub_client::{Error, OperatorStatus, OperatorToken, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// `failures` answers of `failure`, then `success`, at `path_`.
async fn flaky(
    server: &MockServer,
    verb: &str,
    path_: &str,
    failure: ResponseTemplate,
    failures: u64,
    success: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(path_))
        .respond_with(failure)
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method(verb)).and(path(path_)).respond_with(success).with_priority(2).mount(server).await;
}

fn orgs() -> ResponseTemplate {
    json(serde_json::json!([{"id": 24, "name": "Customer Support"}]))
}

#[tokio::test]
async fn gets_are_retried_on_429_502_503_and_504() {
    for status in [429, 502, 503, 504] {
        let server = MockServer::start().await;
        flaky(&server, "GET", ORGANIZATIONS, ResponseTemplate::new(status), 2, orgs()).await;
        let organizations = api_key_client(&server).organizations().await.expect("third attempt succeeds");
        assert_eq!(organizations.len(), 1);
        assert_eq!(hits(&server, ORGANIZATIONS).await, 3, "status {status}");
    }
}

#[tokio::test]
async fn at_most_three_attempts_then_the_last_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(OPERATORS))
        .respond_with(problem(503, "Service Unavailable", "Down for maintenance."))
        .expect(3)
        .mount(&server)
        .await;
    let error = api_key_client(&server).operators().list(24).await.expect_err("gave up");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.to_string(), "503 Service Unavailable: Down for maintenance.");
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 500] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(ORGANIZATIONS))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let error = api_key_client(&server).organizations().await.expect_err("failed");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    }
}

#[tokio::test]
async fn synchronize_is_sent_once_on_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SYNCHRONIZE))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let error = api_key_client(&server)
        .operators()
        .synchronize([NewOperator::new(24.into(), "Alex Brown")])
        .await
        .expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn synchronize_and_status_are_sent_once_on_429_502_504() {
    for status in [429, 502, 504] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SYNCHRONIZE))
            .respond_with(ResponseTemplate::new(status).insert_header("retry-after", "0"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(STATUS))
            .respond_with(ResponseTemplate::new(status).insert_header("retry-after", "0"))
            .expect(1)
            .mount(&server)
            .await;
        let client = api_key_client(&server);
        client.operators().add(24, ["Alex Brown"]).await.expect_err("not retried");
        client.operators().set_status(104, OperatorStatus::Inactive).await.expect_err("not retried");
    }
}

#[tokio::test]
async fn status_is_sent_once_on_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    api_key_client(&server).operators().set_status(104, OperatorStatus::Deleted).await.expect_err("503");
}

#[tokio::test]
async fn both_get_token_calls_and_validate_token_are_retried() {
    let server = MockServer::start().await;
    let company = company_jwt("c", 3600);
    let operator = operator_jwt(101, chrono::Utc::now().timestamp() + 600);
    flaky(&server, "POST", SIGN_IN, ResponseTemplate::new(503), 2, json_string(&company)).await;
    flaky(&server, "POST", OPERATOR_TOKEN, ResponseTemplate::new(502), 2, json_string(&operator)).await;
    flaky(&server, "POST", VALIDATE, ResponseTemplate::new(504), 2, json(serde_json::json!({"isValid": true}))).await;
    let client = password_client(&server);
    let issued = client.operators().issue_token(101, Duration::from_secs(600)).await.expect("issued");
    assert!(client.operators().validate_token(&issued.token).await.expect("validated").is_valid);
    assert_eq!(hits(&server, SIGN_IN).await, 3);
    assert_eq!(hits(&server, OPERATOR_TOKEN).await, 3);
    assert_eq!(hits(&server, VALIDATE).await, 3);
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let logs = Logs::capture();
    let server = MockServer::start().await;
    let limited = problem(429, "Too Many Requests", "Rate limit exceeded.").insert_header("retry-after", "1");
    flaky(&server, "GET", ORGANIZATIONS, limited, 1, orgs()).await;
    api_key_client(&server).organizations().await.expect("second attempt");
    let retries = logs.lines_with("chathub: retrying");
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert!(retries[0].contains("delay_ms=1000"), "waited as asked: {retries:?}");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let logs = Logs::capture();
    let server = MockServer::start().await;
    let at = chrono::Utc::now() + chrono::TimeDelta::seconds(2);
    let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    flaky(
        &server,
        "GET",
        ORGANIZATIONS,
        ResponseTemplate::new(503).insert_header("retry-after", date.as_str()),
        1,
        orgs(),
    )
    .await;
    api_key_client(&server).organizations().await.expect("second attempt");
    let retries = logs.lines_with("chathub: retrying");
    assert_eq!(retries.len(), 1, "{retries:?}");
    let delay: u64 = retries[0]
        .split("delay_ms=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|ms| ms.parse().ok())
        .expect("a delay");
    // The date has whole seconds, so the wait is a little under 1 s to 2 s, far above the 10-40 ms backoff.
    assert!((500..=2000).contains(&delay), "{delay}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_ends_retrying() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .respond_with(problem(429, "Too Many Requests", "Rate limit exceeded.").insert_header("retry-after", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let error = api_key_client(&server).organizations().await.expect_err("rate limited");
    let Error::RateLimited { retry_after, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*retry_after, Some(Duration::from_secs(120)));
    assert_eq!(error.to_string(), "429 Too Many Requests: Rate limit exceeded. (retry after 120s)");
}

#[tokio::test]
async fn retry_policy_never_sends_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).api_key(API_KEY).retry_policy(RetryPolicy::never()).build().expect("client");
    client.organizations().await.expect_err("503");
}

#[tokio::test]
async fn a_hung_server_fails_after_three_timeouts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .respond_with(orgs().set_delay(TIMEOUT * 10))
        .expect(3)
        .mount(&server)
        .await;
    let error = api_key_client(&server).organizations().await.expect_err("timed out");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(matches!(error, Error::Timeout { attempts: 3, .. }), "{error:?}");
    assert_eq!(error.to_string(), "GET /api/company/organization: no answer within 300ms (3 attempts)");
}

#[tokio::test]
async fn a_timeout_then_an_answer_succeeds() {
    let server = MockServer::start().await;
    flaky(&server, "GET", OPERATORS, orgs().set_delay(TIMEOUT * 10), 1, json(serde_json::json!([]))).await;
    assert!(api_key_client(&server).operators().list(24).await.expect("second attempt").is_empty());
    assert_eq!(hits(&server, OPERATORS).await, 2);
}

#[tokio::test]
async fn a_synchronize_that_times_out_is_not_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SYNCHRONIZE))
        .respond_with(json(serde_json::json!([])).set_delay(TIMEOUT * 10))
        .expect(1)
        .mount(&server)
        .await;
    let error = api_key_client(&server).operators().add(24, ["Alex Brown"]).await.expect_err("timed out");
    assert!(
        matches!(error, Error::Timeout { method: "POST", path: "/api/operator/synchronize", attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "POST /api/operator/synchronize: no answer within 300ms", "one attempt: no count");
}

#[tokio::test]
async fn connection_errors_are_retried_for_gets_only() {
    // A port nothing listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let client = chathub_client::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .api_key(API_KEY)
        .retry_policy(fast_retries())
        .build()
        .expect("client");
    let logs = Logs::capture();
    let error = client.organizations().await.expect_err("refused");
    assert!(matches!(error, Error::Transport(_)) && error.is_connect(), "{error:?}");
    assert!(error.to_string().starts_with("could not talk to the ChatHub server: "), "{error}");
    assert_eq!(logs.lines_with("chathub request failed").len(), 3);
    drop(logs);

    let logs = Logs::capture();
    client.operators().validate_token(&OperatorToken::new("t.o.k")).await.expect_err("refused");
    assert_eq!(logs.lines_with("chathub request failed").len(), 3);
    drop(logs);

    let logs = Logs::capture();
    client.operators().set_status(1, OperatorStatus::Active).await.expect_err("refused");
    assert_eq!(logs.lines_with("chathub request failed").len(), 1);
}
