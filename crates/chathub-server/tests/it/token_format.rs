//! Decision 1 and `--token-format`: the body and exact `Content-Type` of
//! both get-token answers.

use chathub_server::Config;
use chathub_server::config::TokenFormatSetting;
use chathub_server::testing::DEFAULT_SEED;
use chathub_types::time::format_instant;
use chrono::{DateTime, TimeDelta, Utc};
use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::support::{ACME_KEY, ACME_LOGIN, ACME_PASSWORD, Answer, Api, JOHN, TEXT_UTF8, claims, oneshot, raw_request};

/// What an answer should look like.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Text,
    JsonString,
    Object,
}

/// Accept headers (each entry one header line) and the shape Decision 1 picks.
const NEGOTIATION: &[(&[&str], Shape)] = &[
    (&["*/*"], Shape::Text),
    (&["text/plain"], Shape::Text),
    (&["text/*"], Shape::Text),
    (&["application/*"], Shape::Text),
    (&["application/json"], Shape::JsonString),
    (&["APPLICATION/JSON; charset=utf-8"], Shape::JsonString),
    (&["application/json, text/plain"], Shape::JsonString),
    (&["text/plain, application/json"], Shape::JsonString),
    (&["text/plain, application/json;q=0.9"], Shape::Text),
    (&["application/json;q=0.5, text/plain;q=0.8"], Shape::Text),
    (&["text/plain;q=0.5, application/json"], Shape::JsonString),
    (&["application/json;q=0"], Shape::Text),
    (&["application/json;q=0.001"], Shape::JsonString),
    (&["application/json;q=0, */*"], Shape::Text),
    (&["text/html, application/json;q=0.1, */*;q=0.8"], Shape::JsonString),
    (&["text/plain", "application/json"], Shape::JsonString),
    (&["application/json", "text/plain;q=0.2"], Shape::JsonString),
];

/// Checks an answer's shape and content type; answers the token.
fn token_of(answer: &Answer, shape: Shape) -> String {
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    match shape {
        Shape::Text => {
            assert_eq!(answer.content_type(), Some(TEXT_UTF8));
            let token = answer.text();
            assert!(!token.starts_with('"') && !token.contains(char::is_whitespace), "{token:?}");
            assert_eq!(token.split('.').count(), 3, "{token}");
            token.to_owned()
        }
        Shape::JsonString => match answer.json() {
            Value::String(token) => token,
            other => panic!("expected a JSON string, got {other}"),
        },
        Shape::Object => {
            let body = answer.json();
            let token = body["token"].as_str().expect("token member").to_owned();
            let exp = DateTime::from_timestamp(claims(&token).exp, 0).expect("exp");
            assert_eq!(body["expiration"], format_instant(exp), "expiration is the token's exp");
            assert_eq!(body.as_object().map(|o| o.len()), Some(2), "{body}");
            token
        }
    }
}

fn operator_request(expires_at: DateTime<Utc>) -> Value {
    json!({ "id": JOHN, "expiresAt": format_instant(expires_at) })
}

#[tokio::test]
async fn operator_token_follows_the_accept_header() {
    let api = Api::start().await;
    let expires_at = Utc::now() + TimeDelta::hours(1);
    for (accept, shape) in NEGOTIATION {
        let mut request = api.post("/api/operator/get-token").bearer(ACME_KEY).json(&operator_request(expires_at));
        for line in *accept {
            request = request.header("accept", line);
        }
        let token = token_of(&request.send().await, *shape);
        assert_eq!(api.validate(ACME_KEY, &token).await["isValid"], true, "{accept:?}");
    }
    // No Accept at all (reqwest always sends one, so without a socket).
    let body = serde_json::to_vec(&operator_request(expires_at)).unwrap();
    let request = raw_request(
        "POST",
        "/api/operator/get-token",
        &[("authorization", b"Bearer acme-static-api-key-0001"), ("content-type", b"application/json")],
        body,
    );
    token_of(&oneshot(api.router(), request).await, Shape::Text);
}

#[tokio::test]
async fn company_token_follows_the_accept_header() {
    let api = Api::start().await;
    let sign_in = json!({ "login": ACME_LOGIN, "password": ACME_PASSWORD });
    for (accept, shape) in
        [(None, Shape::Text), (Some("*/*"), Shape::Text), (Some("application/json"), Shape::JsonString)]
    {
        let mut headers: Vec<(&str, &[u8])> = vec![("content-type", b"application/json")];
        if let Some(accept) = accept {
            headers.push(("accept", accept.as_bytes()));
        }
        let request = raw_request("POST", "/api/company/get-token", &headers, serde_json::to_vec(&sign_in).unwrap());
        let token = token_of(&oneshot(api.router(), request).await, shape);
        // The token works as it is, as a credential.
        assert_eq!(api.get("/api/company/organization").bearer(&token).send().await.status, 200);
    }
    let answer = api.post("/api/company/get-token").header("accept", "text/plain").json(&sign_in).send().await;
    token_of(&answer, Shape::Text);
}

async fn api_with_format(format: TokenFormatSetting) -> Api {
    Api::start_with(Config { token_format: format, ..crate::support::config().await }, DEFAULT_SEED).await
}

#[tokio::test]
async fn token_format_setting_fixes_one_shape_whatever_the_accept() {
    for (setting, shape) in [
        (TokenFormatSetting::Json, Shape::JsonString),
        (TokenFormatSetting::Text, Shape::Text),
        (TokenFormatSetting::Object, Shape::Object),
    ] {
        let api = api_with_format(setting).await;
        for accept in ["application/json", "text/plain", "*/*"] {
            let answer = api
                .post("/api/operator/get-token")
                .bearer(ACME_KEY)
                .header("accept", accept)
                .json(&operator_request(Utc::now() + TimeDelta::hours(2)))
                .send()
                .await;
            token_of(&answer, shape);
        }
        let answer = api
            .post("/api/company/get-token")
            .header("accept", if shape == Shape::Text { "application/json" } else { "text/plain" })
            .json(&json!({ "login": ACME_LOGIN, "password": ACME_PASSWORD }))
            .send()
            .await;
        let token = token_of(&answer, shape);
        assert_eq!(api.get("/api/company/organization").bearer(&token).send().await.status, 200);
    }
}

#[tokio::test]
async fn object_shape_snapshot() {
    let api = api_with_format(TokenFormatSetting::Object).await;
    let expires_at = Utc::now() + TimeDelta::hours(3);
    let answer = api.post("/api/operator/get-token").bearer(ACME_KEY).json(&operator_request(expires_at)).send().await;
    token_of(&answer, Shape::Object);
    let body = answer.json();
    assert_eq!(body["expiration"], format_instant(chathub_types::time::truncate_to_seconds(expires_at)));
    assert_json_snapshot!("object_shape", body, { ".token" => "[token]", ".expiration" => "[expiration]" });
}
