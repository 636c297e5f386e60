//! Error answers of every shape, and the one line each becomes.

use chathub_client::{Client, DecodeError, Error, OperatorStatus};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

async fn organizations_error(answer: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path(ORGANIZATIONS)).respond_with(answer).mount(&server).await;
    api_key_client(&server).organizations().await.expect_err("an error answer")
}

#[tokio::test]
async fn empty_401_and_403_bodies() {
    let error = organizations_error(ResponseTemplate::new(401)).await;
    assert!(matches!(&error, Error::Unauthorized { problem: None, body } if body.is_empty()), "{error:?}");
    assert_eq!(error.to_string(), "401 Unauthorized: the server sent no explanation");

    let error = organizations_error(ResponseTemplate::new(403)).await;
    assert!(matches!(&error, Error::Forbidden { problem: None, .. }), "{error:?}");
    assert_eq!(error.to_string(), "403 Forbidden: the server sent no explanation");
}

#[tokio::test]
async fn problem_details_give_the_servers_own_message() {
    let error = organizations_error(problem(403, "Forbidden", "The token was revoked.")).await;
    assert!(matches!(error, Error::Forbidden { .. }));
    assert_eq!(error.to_string(), "403 Forbidden: The token was revoked.");
    assert_eq!(error.server_message().as_deref(), Some("The token was revoked."));
    assert_eq!(error.problem().map(|p| p.status), Some(403));

    let error = organizations_error(problem(404, "Not Found", "No such operator.")).await;
    assert!(matches!(error, Error::NotFound { .. }));
    assert_eq!(error.to_string(), "404 Not Found: No such operator.");
}

#[tokio::test]
async fn a_400_names_the_offending_field() {
    let body = serde_json::json!({
        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": {"$.expiresAt": ["expiresAt must be at most 24 hours from now."]}
    });
    let error =
        organizations_error(ResponseTemplate::new(400).set_body_raw(body.to_string(), "application/problem+json"))
            .await;
    let Error::Api { status, problem: Some(problem), body } = &error else { panic!("{error:?}") };
    assert_eq!(status.as_u16(), 400);
    assert!(body.is_empty(), "the body is kept only when it is not problem details");
    assert!(problem.errors.as_ref().is_some_and(|errors| errors.contains_key("$.expiresAt")));
    assert_eq!(error.to_string(), "400 Bad Request: $.expiresAt: expiresAt must be at most 24 hours from now.");
}

#[tokio::test]
async fn an_html_error_page_shows_its_title_and_keeps_the_body() {
    let page =
        "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1></body></html>";
    let error = organizations_error(ResponseTemplate::new(500).set_body_raw(page, "text/html")).await;
    let Error::Api { status, problem: None, body } = &error else { panic!("{error:?}") };
    assert_eq!(status.as_u16(), 500);
    assert_eq!(body, page);
    assert_eq!(error.to_string(), "500 Internal Server Error: the server sent an HTML page: 500 Internal Server Error");
}

#[tokio::test]
async fn a_plain_text_error_is_shown_on_one_line() {
    let error = organizations_error(ResponseTemplate::new(500).set_body_string("database\nis down")).await;
    assert_eq!(error.to_string(), "500 Internal Server Error: database is down");
}

#[tokio::test]
async fn a_huge_error_body_is_cut() {
    let error = organizations_error(ResponseTemplate::new(500).set_body_string("x".repeat(100_000))).await;
    assert_eq!(error.body().map(str::len), Some(chathub_client::MAX_KEPT_BODY_BYTES));
    assert!(error.to_string().chars().count() < 260, "{error}");
}

#[tokio::test]
async fn an_answer_larger_than_the_limit_is_not_read() {
    let huge = vec![b' '; chathub_client::MAX_ANSWER_BYTES + 1];
    let error = organizations_error(ResponseTemplate::new(200).set_body_raw(huge, "application/json")).await;
    assert!(matches!(error, Error::TooLarge { .. }), "{error:?}");
    assert_eq!(error.to_string(), "GET /api/company/organization: the answer is larger than 32 MiB");
}

#[tokio::test]
async fn the_vendors_rate_limit_body() {
    let body = r#"{"error": "Too Many Requests", "message": "Rate limit exceeded. Please wait before sending more requests.", "status": 429}"#;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .respond_with(
            ResponseTemplate::new(429).set_body_raw(body, "application/json").insert_header("Retry-After", "3"),
        )
        .mount(&server)
        .await;
    let error = api_key_client(&server).operators().set_status(1, OperatorStatus::Active).await.expect_err("429");
    assert!(matches!(error, Error::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 3), "{error:?}");
    assert_eq!(
        error.to_string(),
        "429 Too Many Requests: Rate limit exceeded. Please wait before sending more requests. (retry after 3s)"
    );
}

#[tokio::test]
async fn an_undecodable_success_keeps_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"[{"id": "six", "name": "x"}]"#, "application/json"))
        .mount(&server)
        .await;
    let error = api_key_client(&server).organizations().await.expect_err("bad JSON");
    let Error::Decode { status, body, source: DecodeError::Json(errors) } = &error else { panic!("{error:?}") };
    assert_eq!(status.as_u16(), 200);
    assert_eq!(body, r#"[{"id": "six", "name": "x"}]"#);
    assert!(errors.names("$[0].id"), "{errors}");
    assert!(error.to_string().starts_with("200 OK: the answer could not be read: $[0].id: "), "{error}");
}

#[tokio::test]
async fn an_html_page_instead_of_a_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SIGN_IN))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html><body>Login</body></html>", "text/html"))
        .mount(&server)
        .await;
    let error = password_client(&server).organizations().await.expect_err("not a token");
    assert!(matches!(error, Error::Decode { source: DecodeError::Token(_), .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "200 OK: the answer could not be read: the token response is not a token (it holds spaces, markup or control characters)"
    );
}

#[tokio::test]
async fn a_token_in_an_unexpected_object_never_shows() {
    let server = MockServer::start().await;
    let secret = company_jwt("secret", 3600);
    Mock::given(method("POST"))
        .and(path(SIGN_IN))
        .respond_with(json(serde_json::json!({"jwt": secret})))
        .mount(&server)
        .await;
    let error = password_client(&server).organizations().await.expect_err("no token member");
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(&secret), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

#[test]
fn configuration_errors() {
    let cases: Vec<(chathub_client::ClientBuilder, &str)> = vec![
        (
            Client::builder().base_url("ftp://example.com").api_key("k"),
            "invalid client configuration: base URL: the scheme must be http or https, not `ftp`",
        ),
        (
            Client::builder().base_url("https://acme:hunter2@example.com").api_key("k"),
            "invalid client configuration: base URL: it must not hold a user name or password; use .credentials() instead",
        ),
        (
            Client::builder(),
            "invalid client configuration: no credentials: call .credentials(login, password), .api_key(key) or .token(token)",
        ),
        (
            Client::builder().api_key("k").timeout(std::time::Duration::ZERO),
            "invalid client configuration: timeouts must be longer than zero",
        ),
        (
            Client::builder().api_key("bad\nkey"),
            "invalid client configuration: the API key holds characters a header cannot carry",
        ),
    ];
    for (builder, expected) in cases {
        let error = builder.build().expect_err(expected);
        assert!(matches!(error, Error::InvalidConfig(_)));
        assert_eq!(error.to_string(), expected);
    }
    let client = Client::builder().api_key("k").build().expect("the default base URL");
    assert_eq!(client.base_url(), chathub_client::DEFAULT_BASE_URL);
}

#[tokio::test]
async fn local_input_errors_name_the_field_and_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let client = password_client(&server);
    let error = client.operators().add(24, ["ok", "   "]).await.expect_err("blank name");
    assert_eq!(error.to_string(), "invalid input: $[1].name: The name must not be blank.");
    let error = client.operators().add(24, ["😀".repeat(101)]).await.expect_err("too long");
    assert_eq!(error.to_string(), "invalid input: $[0].name: The name must be at most 100 characters long.");
    let error = client.operators().add(24, vec!["x"; 1001]).await.expect_err("too many");
    assert_eq!(error.to_string(), "invalid input: $: At most 1000 operators may be sent in one request.");
    let error = client.operators().set_status(1, OperatorStatus::Unknown(3)).await.expect_err("unknown status");
    assert_eq!(
        error.to_string(),
        "invalid input: $.status: The status must be 0 (Active), 1 (Inactive) or 2 (Deleted)."
    );
    assert!(matches!(error, Error::InvalidInput(_)));
}
