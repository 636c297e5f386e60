//! What goes on the wire: headers, query and the JSON bodies (snapshots).

use chathub_client::types::operator::synchronize_operators::NewOperator;
use chathub_client::{OperatorStatus, OperatorToken};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn every_request_accepts_json_and_names_the_client() {
    let server = MockServer::start().await;
    let user_agent = format!("chathub-client/{}", env!("CARGO_PKG_VERSION"));
    Mock::given(method("GET"))
        .and(path(OPERATORS))
        .and(query_param("organizationId", "24"))
        .and(header("accept", "application/json"))
        .and(header("user-agent", user_agent.as_str()))
        .and(header("x-authorization-key", API_KEY))
        .respond_with(json(serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;
    assert!(api_key_client(&server).operators().list(24).await.expect("listed").is_empty());
}

#[tokio::test]
async fn a_custom_user_agent_and_http_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .and(header("user-agent", "my-app/2.0"))
        .respond_with(json(serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .api_key(API_KEY)
        .user_agent("my-app/2.0")
        .http_client(reqwest::Client::new())
        .build()
        .expect("client");
    client.organizations().await.expect("listed");
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/chathub-proxy/api/company/organization"))
        .respond_with(json(serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        chathub_client::Client::builder().base_url(format!("{}/chathub-proxy/", server.uri())).api_key(API_KEY).build();
    client.expect("client").organizations().await.expect("listed");
}

/// The JSON bodies of every request the server received, in order.
async fn bodies(server: &MockServer) -> Vec<serde_json::Value> {
    let requests = server.received_requests().await.expect("recorded");
    for request in &requests {
        assert_eq!(request.headers.get("content-type").map(|v| v.as_bytes()), Some(&b"application/json"[..]));
    }
    requests.iter().map(|request| serde_json::from_slice(&request.body).expect("JSON body")).collect()
}

#[tokio::test]
async fn request_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SIGN_IN))
        .respond_with(json_string(&company_jwt("c", 3600)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(SYNCHRONIZE))
        .respond_with(json(serde_json::json!([
            {"id": 104, "name": "Alex Brown", "status": 0},
            {"id": 105, "name": "Emma Davis 😀", "status": 0}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(STATUS)).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    Mock::given(method("POST")).and(path(OPERATOR_TOKEN)).respond_with(json_string("opaque")).mount(&server).await;
    Mock::given(method("POST"))
        .and(path(VALIDATE))
        .respond_with(json(serde_json::json!({"isValid": false, "error": "Token expired"})))
        .mount(&server)
        .await;
    let client = password_client(&server);
    let operators = client.operators();
    let added = operators
        .synchronize([NewOperator::new(24.into(), " Alex Brown "), NewOperator::new(42.into(), "Emma Davis 😀")])
        .await
        .expect("added");
    assert_eq!(added.iter().map(|o| o.id.get()).collect::<Vec<_>>(), [104, 105]);
    operators.set_status(104, OperatorStatus::Inactive).await.expect("status");
    operators.issue_token(104, std::time::Duration::from_secs(90)).await.expect("token");
    let answer = operators.validate_token(&OperatorToken::new("eyJ.operator.token")).await.expect("validated");
    assert_eq!(answer.error.as_deref(), Some("Token expired"));
    insta::assert_json_snapshot!(bodies(&server).await, {
        "[0].password" => "[password]",
        "[3].expiresAt" => "[now + 90 s]",
    });
}
