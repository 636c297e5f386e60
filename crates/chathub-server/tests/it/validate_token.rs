//! `POST /api/operator/validate-token` (§3.7, Decision 11): always 200 for a
//! well-formed request, all five fields, and the first failing rule's
//! phrase in the spec's order.

use chathub_types::token::TokenKind;
use chrono::Utc;
use insta::assert_json_snapshot;
use serde_json::json;

use crate::support::{ACME_KEY, ACME_LOGIN, ACME_PASSWORD, Api, GLOBEX_KEY, HANK, JOHN, MIKE, after_second};

fn assert_invalid(answer: &serde_json::Value, phrase: &str) {
    assert_eq!(
        answer,
        &json!({ "isValid": false, "operatorId": null, "clientId": null, "expiresAt": null, "error": phrase })
    );
}

#[tokio::test]
async fn a_valid_token_gets_all_five_fields() {
    let api = Api::start().await;
    let token = api.operator_token(ACME_KEY, JOHN).await;
    let answer = api.validate(ACME_KEY, &token).await;
    assert_eq!(answer["expiresAt"].as_str().map(|s| s.ends_with('Z')), Some(true));
    assert_json_snapshot!("valid", answer, { ".expiresAt" => "[exp]" });
    // Globex's own operator token is valid for globex.
    let hank = api.operator_token(GLOBEX_KEY, HANK).await;
    assert_eq!(api.validate(GLOBEX_KEY, &hank).await["operatorId"], HANK);
}

#[tokio::test]
async fn each_phrase_of_decision_11() {
    let api = Api::start().await;
    let now = Utc::now().timestamp();

    let answer = api.validate(ACME_KEY, "garbage").await;
    assert_json_snapshot!("invalid_token", answer);
    assert_invalid(&api.validate(ACME_KEY, "").await, "Invalid token");
    assert_invalid(&api.validate(ACME_KEY, ACME_KEY).await, "Invalid token");

    let company = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    assert_invalid(&api.validate(ACME_KEY, &company).await, "Not an operator token");

    let expired = api.forge(TokenKind::Operator, JOHN, now - 100, now - 1);
    assert_invalid(&api.validate(ACME_KEY, &expired).await, "Token expired");
    let dead_now = api.forge(TokenKind::Operator, JOHN, now - 100, now);
    assert_invalid(&api.validate(ACME_KEY, &dead_now).await, "Token expired");

    let hank = api.operator_token(GLOBEX_KEY, HANK).await;
    assert_invalid(&api.validate(ACME_KEY, &hank).await, "Invalid token");
    let ghost = api.forge(TokenKind::Operator, 9999, now, now + 3_600);
    assert_invalid(&api.validate(ACME_KEY, &ghost).await, "Invalid token");

    let mike = api.forge(TokenKind::Operator, MIKE, now, now + 3_600);
    assert_invalid(&api.validate(ACME_KEY, &mike).await, "Operator is not active");

    let john = api.operator_token(ACME_KEY, JOHN).await;
    api.set_status(ACME_KEY, JOHN, 1).await;
    let changed = api.set_status(ACME_KEY, JOHN, 0).await;
    assert_invalid(&api.validate(ACME_KEY, &john).await, "Token revoked");
    after_second(changed).await;
    let fresh = api.operator_token(ACME_KEY, JOHN).await;
    assert_eq!(api.validate(ACME_KEY, &fresh).await["isValid"], true);
}

#[tokio::test]
async fn the_first_failing_rule_wins() {
    let api = Api::start().await;
    let now = Utc::now().timestamp();
    // Expired company token: not an operator token comes first.
    let company = api.forge(TokenKind::Company, 1, now - 100, now - 1);
    assert_invalid(&api.validate(ACME_KEY, &company).await, "Not an operator token");
    // Expired and another company's: expired comes first.
    let hank_expired = api.forge(TokenKind::Operator, HANK, now - 100, now - 1);
    assert_invalid(&api.validate(ACME_KEY, &hank_expired).await, "Token expired");
    // Expired and inactive: expired.
    let mike_expired = api.forge(TokenKind::Operator, MIKE, now - 100, now - 1);
    assert_invalid(&api.validate(ACME_KEY, &mike_expired).await, "Token expired");
    // Another company's operator who is not active: invalid.
    let hank = api.forge(TokenKind::Operator, HANK, now, now + 3_600);
    api.set_status(GLOBEX_KEY, HANK, 1).await;
    assert_invalid(&api.validate(ACME_KEY, &hank).await, "Invalid token");
    assert_invalid(&api.validate(GLOBEX_KEY, &hank).await, "Operator is not active");
    // Revoked and not active: not active.
    let john = api.operator_token(ACME_KEY, JOHN).await;
    api.set_status(ACME_KEY, JOHN, 2).await;
    assert_invalid(&api.validate(ACME_KEY, &john).await, "Operator is not active");
    api.set_status(ACME_KEY, JOHN, 0).await;
    assert_invalid(&api.validate(ACME_KEY, &john).await, "Token revoked");
    // Revoked and expired: expired.
    let old = api.forge(TokenKind::Operator, JOHN, now - 100, now - 1);
    assert_invalid(&api.validate(ACME_KEY, &old).await, "Token expired");
    // Not ours and an operator token: invalid.
    let other = chathub_server::auth::TokenKeys::new(b"another secret, of enough length!")
        .issue(TokenKind::Operator, JOHN, now, now + 3_600)
        .unwrap();
    assert_invalid(&api.validate(ACME_KEY, &other).await, "Invalid token");
}

#[tokio::test]
async fn validate_token_bodies_name_the_token_field() {
    let api = Api::start().await;
    for body in [json!({}), json!({ "token": null }), json!({ "token": 5 }), json!({ "token": ["x"] })] {
        let answer = api.post("/api/operator/validate-token").key(ACME_KEY).json(&body).send().await;
        assert_eq!(answer.invalid_paths(), ["$.token"], "{body}");
    }
    let answer =
        api.post("/api/operator/validate-token").key(ACME_KEY).json(&json!({ "token": "a\u{0}b" })).send().await;
    assert_eq!(answer.invalid_paths(), ["$.token"]);
    let answer = api.post("/api/operator/validate-token").key(ACME_KEY).json(&json!({ "TOKEN": "x" })).send().await;
    assert_eq!(answer.json()["error"], "Invalid token", "property names match without regard to case");
}
