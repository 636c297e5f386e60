//! Spec §5: what the client must tolerate from the live service.

use std::time::Duration;

use chathub_client::{OperatorStatus, OperatorToken};
use chrono::{DateTime, TimeZone, Utc};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// Signs in with the sign-in answer `answer`, then lists organizations with
/// the token `expected` must have been read as.
async fn company_token_read_from(answer: ResponseTemplate, expected: &str) {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(SIGN_IN)).respond_with(answer).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .and(header("authorization", format!("Bearer {expected}").as_str()))
        .respond_with(json(serde_json::json!([{"id": 24, "name": "Customer Support"}])))
        .expect(1)
        .mount(&server)
        .await;
    let organizations = password_client(&server).organizations().await.expect("organizations");
    assert_eq!(organizations.len(), 1);
    assert_eq!(organizations[0].name, "Customer Support");
}

#[tokio::test]
async fn company_token_as_a_json_string() {
    let token = company_jwt("a", 3600);
    company_token_read_from(json_string(&token), &token).await;
}

#[tokio::test]
async fn company_token_as_raw_text() {
    let token = company_jwt("a", 3600);
    let answer = ResponseTemplate::new(200).set_body_raw(format!("{token}\n"), "text/plain; charset=utf-8");
    company_token_read_from(answer, &token).await;
}

#[tokio::test]
async fn company_token_as_an_object() {
    let token = company_jwt("a", 3600);
    let answer = json(serde_json::json!({"token": token, "expiration": "2099-01-24T12:00:00Z"}));
    company_token_read_from(answer, &token).await;
}

#[tokio::test]
async fn company_token_as_an_object_with_pascal_case_members() {
    let answer = json(serde_json::json!({"Token": "opaque-token-123", "Expiration": "2099-01-24T12:00:00.1234567"}));
    company_token_read_from(answer, "opaque-token-123").await;
}

/// Issues an operator token from the answer `answer`.
async fn issue_from(answer: ResponseTemplate) -> chathub_client::IssuedOperatorToken {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(OPERATOR_TOKEN))
        .and(body_partial_json(serde_json::json!({"id": 101})))
        .respond_with(answer)
        .expect(1)
        .mount(&server)
        .await;
    api_key_client(&server).operators().issue_token(101, Duration::from_secs(3600)).await.expect("issued")
}

#[tokio::test]
async fn operator_token_in_each_shape() {
    let exp = Utc::now().timestamp() + 3600;
    let token = operator_jwt(101, exp);
    let expected_exp = DateTime::from_timestamp(exp, 0).expect("instant");
    for answer in [
        json_string(&token),
        ResponseTemplate::new(200).set_body_raw(token.clone(), "text/plain; charset=utf-8"),
        ResponseTemplate::new(200).set_body_raw(format!("\u{feff}  {token}\r\n"), "text/plain"),
        json(serde_json::json!({"token": token})),
    ] {
        let issued = issue_from(answer).await;
        assert_eq!(issued.token.expose(), token);
        assert_eq!(issued.operator_id.get(), 101);
        assert_eq!(issued.expires_at, expected_exp, "expiry read from the token's exp claim");
    }
}

#[tokio::test]
async fn operator_token_object_expiration_wins() {
    let token = operator_jwt(101, Utc::now().timestamp() + 3600);
    let issued = issue_from(json(serde_json::json!({"token": token, "expiration": "2099-01-24T14:00:00+02:00"}))).await;
    assert_eq!(issued.expires_at, Utc.with_ymd_and_hms(2099, 1, 24, 12, 0, 0).unwrap());
}

#[tokio::test]
async fn an_opaque_operator_token_expires_when_asked_cut_to_seconds() {
    let before = Utc::now();
    let issued = issue_from(json_string("opaque_operator_token")).await;
    let after = Utc::now();
    assert_eq!(issued.token, OperatorToken::new("opaque_operator_token"));
    assert_eq!(issued.expires_at.timestamp_subsec_nanos(), 0);
    let one_hour = chrono::TimeDelta::hours(1);
    assert!(issued.expires_at >= chathub_client::types::time::truncate_to_seconds(before + one_hour));
    assert!(issued.expires_at <= after + one_hour);
}

#[tokio::test]
async fn validate_token_answers_with_missing_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(VALIDATE))
        .and(body_partial_json(serde_json::json!({"token": "eyJ.some.token"})))
        .respond_with(json(serde_json::json!({"isValid": false, "error": "Invalid token"})))
        .expect(1)
        .mount(&server)
        .await;
    let answer = api_key_client(&server)
        .operators()
        .validate_token(&OperatorToken::new("eyJ.some.token"))
        .await
        .expect("answer");
    assert!(!answer.is_valid);
    assert_eq!(answer.error.as_deref(), Some("Invalid token"));
    assert_eq!((answer.operator_id, answer.client_id, answer.expires_at), (None, None, None));
}

#[tokio::test]
async fn validate_token_answer_that_is_an_empty_object() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(VALIDATE)).respond_with(json(serde_json::json!({}))).mount(&server).await;
    let answer =
        api_key_client(&server).operators().validate_token(&OperatorToken::new("t.o.k")).await.expect("answer");
    assert!(!answer.is_valid);
    assert_eq!(answer.error, None);
}

#[tokio::test]
async fn date_times_with_0_to_7_fractional_digits_and_any_or_no_offset() {
    let server = MockServer::start().await;
    let client = api_key_client(&server);
    let whole = Utc.with_ymd_and_hms(2025, 12, 31, 23, 59, 59).unwrap();
    let cases: Vec<(&str, DateTime<Utc>)> = vec![
        ("2025-12-31T23:59:59Z", whole),
        ("2025-12-31T23:59:59.1Z", whole + chrono::TimeDelta::milliseconds(100)),
        ("2025-12-31T23:59:59.12Z", whole + chrono::TimeDelta::milliseconds(120)),
        ("2025-12-31T23:59:59.147Z", whole + chrono::TimeDelta::milliseconds(147)),
        ("2025-12-31T23:59:59.1470Z", whole + chrono::TimeDelta::milliseconds(147)),
        ("2025-12-31T23:59:59.14799", whole + chrono::TimeDelta::microseconds(147_990)),
        ("2025-12-31T23:59:59.147999", whole + chrono::TimeDelta::microseconds(147_999)),
        ("2025-12-31T23:59:59.1479999Z", whole + chrono::TimeDelta::nanoseconds(147_999_900)),
        ("2026-01-01T01:59:59+02:00", whole),
        ("2026-01-01T01:59:59.5+02:00", whole + chrono::TimeDelta::milliseconds(500)),
        ("2025-12-31T23:59:59", whole),
        ("2025-12-31T18:59:59.1234567-05:00", whole + chrono::TimeDelta::nanoseconds(123_456_700)),
    ];
    for (text, expected) in cases {
        server.reset().await;
        Mock::given(method("POST"))
            .and(path(VALIDATE))
            .respond_with(json(serde_json::json!({
                "isValid": true, "operatorId": 123, "clientId": 0, "expiresAt": text, "error": null
            })))
            .mount(&server)
            .await;
        let answer = client.operators().validate_token(&OperatorToken::new("t.o.k")).await.expect(text);
        assert_eq!(answer.expires_at, Some(expected), "{text}");
        assert_eq!(answer.operator_id.map(|id| id.get()), Some(123));
    }
}

#[tokio::test]
async fn unknown_status_numbers_are_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(OPERATORS))
        .and(query_param("organizationId", "24"))
        .respond_with(json(serde_json::json!([
            {"id": 101, "name": "John Smith", "status": 0, "organization": {"id": 24, "name": "Customer Support"}},
            {"id": 102, "name": "Mike Wilson", "status": 7, "organization": {"id": 24, "name": "Customer Support"}},
            {"id": 103, "name": "Emma Davis", "status": -1, "organization": {"id": 24, "name": "Customer Support"}}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let operators = api_key_client(&server).operators().list(24).await.expect("operators");
    let statuses: Vec<OperatorStatus> = operators.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [OperatorStatus::Active, OperatorStatus::Unknown(7), OperatorStatus::Unknown(-1)]);
    assert_eq!(operators[1].status.to_i32(), 7);
}

#[tokio::test]
async fn property_names_in_any_case_and_unknown_properties() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .respond_with(json(serde_json::json!([
            {"Id": 6, "Name": "Customer Support", "createdBy": "someone"},
            {"ID": 42, "NAME": "Technical Support"}
        ])))
        .mount(&server)
        .await;
    let organizations = api_key_client(&server).organizations().await.expect("organizations");
    let pairs: Vec<(i32, &str)> = organizations.iter().map(|o| (o.id.get(), o.name.as_str())).collect();
    assert_eq!(pairs, [(6, "Customer Support"), (42, "Technical Support")]);
}

#[tokio::test]
async fn set_status_accepts_an_empty_or_any_success_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .respond_with(ResponseTemplate::new(200))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .respond_with(ResponseTemplate::new(200).set_body_string("\"OK\""))
        .expect(1)
        .mount(&server)
        .await;
    let client = api_key_client(&server);
    client.operators().set_status(104, OperatorStatus::Inactive).await.expect("empty body");
    client.operators().set_status(104, OperatorStatus::Active).await.expect("\"OK\" body");
}
