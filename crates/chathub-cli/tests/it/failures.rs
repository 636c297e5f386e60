//! Failures a real server does not produce on demand, from wiremock: HTML
//! error pages, 503 with `Retry-After`, expired tokens, a server that never
//! answers, nobody listening.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{chathub, run, with_api_key};

const ORGS: &str = "/api/company/organization";

fn orgs_body() -> serde_json::Value {
    json!([{"id": 24, "name": "Customer Support"}])
}

async fn requests_to(server: &MockServer, to: &str) -> usize {
    server.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == to).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_html_error_page_is_summarised_not_dumped() {
    let mock = MockServer::start().await;
    let page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";
    Mock::given(method("GET"))
        .and(path(ORGS))
        .respond_with(ResponseTemplate::new(502).set_body_raw(page, "text/html"))
        .mount(&mock)
        .await;
    let failed = run(with_api_key(&mock.uri(), ["orgs", "--json"])).await;
    assert_eq!(failed.error_line(1), "error: 502 Bad Gateway: the server sent an HTML page: 502 Bad Gateway");
    assert!(failed.stdout.is_empty());
    // A GET is retried on 502: three attempts in all.
    assert_eq!(requests_to(&mock, ORGS).await, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_503_with_retry_after_is_waited_for_and_retried() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGS))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(ORGS))
        .respond_with(ResponseTemplate::new(200).set_body_json(orgs_body()))
        .mount(&mock)
        .await;
    let done = run(with_api_key(&mock.uri(), ["orgs", "--json", "-v"])).await;
    assert_eq!(done.json(), orgs_body(), "{done:?}");
    assert_eq!(requests_to(&mock, ORGS).await, 2);
    // -v shows each attempt and the retry.
    assert!(done.stderr.contains("status=503"), "{}", done.stderr);
    assert!(done.stderr.contains("retrying"), "{}", done.stderr);
    assert!(done.stderr.contains("status=200"), "{}", done.stderr);
    assert!(done.stderr.contains("latency_ms="), "{}", done.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_longer_than_the_timeout_fails_at_once() {
    let mock = MockServer::start().await;
    let problem = json!({"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": "Down for maintenance."});
    Mock::given(method("GET"))
        .and(path(ORGS))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("Retry-After", "3600")
                .set_body_raw(problem.to_string(), "application/problem+json"),
        )
        .mount(&mock)
        .await;
    let failed = run(with_api_key(&mock.uri(), ["orgs", "--timeout", "2"])).await;
    assert_eq!(failed.error_line(1), "error: 503 Service Unavailable: Down for maintenance.");
    assert_eq!(requests_to(&mock, ORGS).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_exits_3_with_the_servers_reason() {
    let mock = MockServer::start().await;
    let problem =
        json!({"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "The token expired."});
    Mock::given(method("GET"))
        .and(path(ORGS))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header(
                    "WWW-Authenticate",
                    r#"Bearer error="invalid_token", error_description="The token expired""#,
                )
                .set_body_raw(problem.to_string(), "application/problem+json"),
        )
        .mount(&mock)
        .await;
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl";
    let failed = run(chathub(["orgs", "--base-url", &mock.uri(), "--token", token])).await;
    assert_eq!(failed.error_line(3), "error: 401 Unauthorized: The token expired.");
    // A ready token cannot be renewed: one request, no retry.
    assert_eq!(requests_to(&mock, ORGS).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_fails_within_the_timeout_retries_included() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGS))
        .respond_with(ResponseTemplate::new(200).set_body_json(orgs_body()).set_delay(Duration::from_secs(600)))
        .mount(&mock)
        .await;
    let failed = run(with_api_key(&mock.uri(), ["orgs", "--timeout", "1"])).await;
    assert_eq!(failed.error_line(1), "error: GET /api/company/organization: no answer within 1s (3 attempts)");
    // Each attempt waited for the timeout only: all three were made, and the command ended.
    assert_eq!(requests_to(&mock, ORGS).await, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn nobody_listening_is_a_request_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let failed = run(with_api_key(&url, ["orgs"])).await;
    assert!(failed.error_line(1).starts_with("error: could not talk to the ChatHub server"), "{failed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_are_never_retried() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/operator/status"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .mount(&mock)
        .await;
    let failed = run(with_api_key(&mock.uri(), ["operators", "status", "5", "inactive"])).await;
    assert!(failed.error_line(1).starts_with("error: 503 Service Unavailable"), "{failed:?}");
    assert_eq!(requests_to(&mock, "/api/operator/status").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lifetime_over_24_hours_is_refused_before_any_request() {
    let mock = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&mock).await;
    let ttl = run(with_api_key(&mock.uri(), ["token", "issue", "5", "--ttl", "25h"])).await;
    assert_eq!(ttl.error_line(2), "error: --ttl 25h: an operator token may live at most 24h");
    let at = (chrono::Utc::now() + chrono::TimeDelta::hours(25)).to_rfc3339();
    let until = run(with_api_key(&mock.uri(), ["widget", "5", "--expires-at", &at])).await;
    assert!(until.error_line(2).contains("may live at most 24 hours"), "{until:?}");
    let past = run(with_api_key(&mock.uri(), ["token", "issue", "5", "--expires-at", "2020-01-01T00:00:00Z"])).await;
    assert!(past.error_line(2).contains("not in the future"), "{past:?}");
    let exactly = run(with_api_key(&mock.uri(), ["token", "issue", "5", "--ttl", "24h1s"])).await;
    exactly.error_line(2);
    mock.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undecodable_success_is_a_request_failure() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGS))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>hello</html>", "text/html"))
        .mount(&mock)
        .await;
    let failed = run(with_api_key(&mock.uri(), ["orgs"])).await;
    assert!(failed.error_line(1).starts_with("error: 200 OK: the answer could not be read"), "{failed:?}");
}

fn chat(id: i64, source: i64, status: i64) -> serde_json::Value {
    json!({"id": id, "theme": null, "organizationId": 24, "messSource": source, "chatStatus": status,
        "countUnread": 0, "client": {"id": 5, "name": null, "phone": null, "tgUserId": null},
        "operator": null, "createdAt": "2026-01-28T10:15:00.1234567+02:00", "lastMessageAt": null})
}

#[tokio::test(flavor = "multi_thread")]
async fn chats_with_numbers_this_version_does_not_know_still_print() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/chat/chats"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"total": 41, "items": [chat(7, 12, 9)]})))
        .mount(&mock)
        .await;
    let listed = run(with_api_key(&mock.uri(), ["chats", "list", "--per-page", "1", "--page", "2"])).await;
    let table = listed.ok();
    assert!(table.contains("┆ 12 "), "the source as its number: {table}");
    assert!(table.contains("┆ 9 "), "the status as its number: {table}");
    assert!(table.contains("┆ client 5 "), "{table}");
    assert!(table.ends_with("Chats 2-2 of 41 (page 2 of 41; --page 3 for more).\n"), "{table}");
    let json = run(with_api_key(&mock.uri(), ["chats", "list", "--json"])).await.json();
    assert_eq!(json["items"][0]["messSource"], 12, "kept as given");
    assert_eq!(json["items"][0]["chatStatus"], 9);
    let requests = mock.received_requests().await.unwrap_or_default();
    assert_eq!(requests[0].url.query(), Some("page=2&per_page=1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_is_never_retried_and_an_ok_body_deletes() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat/7/message"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/chat/chats/7"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("\"OK\"", "application/json"))
        .mount(&mock)
        .await;
    let failed = run(with_api_key(&mock.uri(), ["chats", "send", "7", "Hello"])).await;
    assert!(failed.error_line(1).starts_with("error: 503 Service Unavailable"), "{failed:?}");
    assert_eq!(requests_to(&mock, "/api/chat/7/message").await, 1);
    let deleted = run(with_api_key(&mock.uri(), ["chats", "delete", "7", "--yes"])).await;
    assert_eq!(deleted.ok(), "Deleted chat 7 with its messages.\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_on_show_is_one_line() {
    let mock = MockServer::start().await;
    let problem = json!({"type": "about:blank", "title": "Internal Server Error", "status": 500, "detail": "The database is away."});
    Mock::given(method("GET"))
        .and(path("/api/chat/chats/7"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(problem.to_string(), "application/problem+json"))
        .mount(&mock)
        .await;
    let failed = run(with_api_key(&mock.uri(), ["chats", "show", "7", "--json"])).await;
    assert_eq!(failed.error_line(1), "error: 500 Internal Server Error: The database is away.");
    assert!(failed.stdout.is_empty());
}
