//! Credentials (Decisions 3, 4, 7, §4.15): either header, one credential,
//! `Bearer` in any case, the API key in both headers, 401 with its
//! challenge for everything else, 403 for an operator token on a company
//! endpoint.

use insta::assert_json_snapshot;
use serde_json::json;

use crate::support::{
    ACME_KEY, ACME_LOGIN, ACME_PASSWORD, Api, GLOBEX_KEY, JOHN, ORG_GLOBEX, ORG_SUPPORT, Req, oneshot, raw_request,
};

const ORGANIZATIONS: &str = "/api/company/organization";

fn org_ids(body: &serde_json::Value) -> Vec<i64> {
    body.as_array().expect("array").iter().map(|o| o["id"].as_i64().expect("id")).collect()
}

#[tokio::test]
async fn no_credential_is_401_with_a_bare_bearer_challenge() {
    let api = Api::start().await;
    let answer = api.get(ORGANIZATIONS).send().await;
    assert_json_snapshot!("missing_credential_401", answer.unauthorized(false));
    for (path, body) in [
        ("/api/operator/synchronize", json!([])),
        ("/api/operator/status", json!({ "id": JOHN, "status": 0 })),
        ("/api/operator/get-token", json!({ "id": JOHN, "expiresAt": "2030-01-01T00:00:00Z" })),
        ("/api/operator/validate-token", json!({ "token": "x" })),
    ] {
        api.post(path).json(&body).send().await.unauthorized(false);
    }
    api.get("/api/operator?organizationId=24").send().await.unauthorized(false);
}

#[tokio::test]
async fn either_header_carries_a_company_token_or_the_api_key() {
    let api = Api::start().await;
    let token = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    for credential in [token.as_str(), ACME_KEY] {
        for request in [
            api.get(ORGANIZATIONS).bearer(credential),
            api.get(ORGANIZATIONS).key(credential),
            api.get(ORGANIZATIONS).bearer(credential).key(credential),
            api.get(ORGANIZATIONS).header("authorization", &format!("bearer {credential}")),
            api.get(ORGANIZATIONS).header("authorization", &format!("BEARER {credential}")),
            api.get(ORGANIZATIONS).header("authorization", &format!("BeArEr {credential}")),
        ] {
            let answer = request.send().await;
            assert_eq!(org_ids(&answer.json()), [24, 42]);
        }
    }
    let globex = api.get(ORGANIZATIONS).key(GLOBEX_KEY).send().await;
    assert_eq!(org_ids(&globex.json()), [i64::from(ORG_GLOBEX)]);
}

#[tokio::test]
async fn anything_else_is_401_with_invalid_token() {
    let api = Api::start().await;
    let token = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    let basic = format!("Basic {}", "YWNtZTphY21lLXBhc3MtMQ==");
    let cases: Vec<(&str, Req)> = vec![
        ("basic", api.get(ORGANIZATIONS).header("authorization", &basic)),
        ("empty authorization", api.get(ORGANIZATIONS).header("authorization", "")),
        ("scheme only", api.get(ORGANIZATIONS).header("authorization", "Bearer")),
        ("scheme and space", api.get(ORGANIZATIONS).header("authorization", "Bearer ")),
        ("other scheme", api.get(ORGANIZATIONS).header("authorization", &format!("Token {token}"))),
        ("no scheme", api.get(ORGANIZATIONS).header("authorization", &token)),
        ("empty key", api.get(ORGANIZATIONS).header("x-authorization-key", "")),
        ("blank key", api.get(ORGANIZATIONS).header("x-authorization-key", "   ")),
        ("garbage", api.get(ORGANIZATIONS).bearer("not-a-token-at-all")),
        ("garbage key", api.get(ORGANIZATIONS).key("acme-static-api-key-0002")),
        ("repeated authorization", api.get(ORGANIZATIONS).bearer(&token).bearer(&token)),
        ("repeated key", api.get(ORGANIZATIONS).key(ACME_KEY).key(ACME_KEY)),
        ("repeated, second bad", api.get(ORGANIZATIONS).key(ACME_KEY).key("")),
        ("different, both valid", api.get(ORGANIZATIONS).bearer(&token).key(ACME_KEY)),
        ("different companies", api.get(ORGANIZATIONS).bearer(ACME_KEY).key(GLOBEX_KEY)),
        ("good key, basic authorization", api.get(ORGANIZATIONS).header("authorization", &basic).key(ACME_KEY)),
        ("good bearer, empty key", api.get(ORGANIZATIONS).bearer(ACME_KEY).header("x-authorization-key", "")),
    ];
    for (case, request) in cases {
        let answer = request.send().await;
        assert_eq!(answer.status, 401, "{case}: {}", answer.text());
        let body = answer.unauthorized(true);
        assert!(!answer.text().contains(&token) && !answer.text().contains(ACME_KEY), "{case}: {body}");
    }
    let answer = api.get(ORGANIZATIONS).bearer(&token).key(ACME_KEY).send().await;
    assert_json_snapshot!("conflicting_credentials_401", answer.unauthorized(true));
    let answer = api.get(ORGANIZATIONS).bearer("not-a-token-at-all").send().await;
    assert_json_snapshot!("garbage_token_401", answer.unauthorized(true));
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\", error_description=\"The token is not valid.\"")
    );
}

#[tokio::test]
async fn a_header_that_is_not_text_is_401() {
    let api = Api::start().await;
    for (name, value) in [("authorization", b"Bearer \xff\xfe".as_slice()), ("x-authorization-key", b"\xe9t\xe9")] {
        let request = raw_request("GET", ORGANIZATIONS, &[(name, value)], axum::body::Body::empty());
        oneshot(api.router(), request).await.unauthorized(true);
    }
}

#[tokio::test]
async fn an_operator_token_is_403_on_every_company_endpoint() {
    let api = Api::start().await;
    let operator = api.operator_token(ACME_KEY, JOHN).await;
    let answer = api.get(ORGANIZATIONS).bearer(&operator).send().await;
    assert_json_snapshot!("operator_token_on_company_endpoint_403", answer.problem(403));
    for (path, body) in [
        ("/api/operator/synchronize", json!([{ "organizationId": ORG_SUPPORT, "name": "Sneaky" }])),
        ("/api/operator/status", json!({ "id": JOHN, "status": 1 })),
        ("/api/operator/get-token", json!({ "id": JOHN, "expiresAt": "2030-01-01T00:00:00Z" })),
        ("/api/operator/validate-token", json!({ "token": operator })),
    ] {
        api.post(path).bearer(&operator).json(&body).send().await.problem(403);
        api.post(path).key(&operator).json(&body).send().await.problem(403);
    }
    // Nothing was changed by the refused calls.
    let operators = api.operators(ACME_KEY, ORG_SUPPORT).await;
    assert_eq!(operators.as_array().map(Vec::len), Some(2));
    assert_eq!(operators[0]["status"], 0);
    // The one endpoint an operator token may call.
    let own = api.get("/api/operator").key(&operator).send().await;
    assert_eq!(own.json(), operators);
}
