//! The order of checks (Decision 4: route, credential, size, content type,
//! body, resource, state) and the body rules of Decisions 14 and 15:
//! 413 over 1 MiB, 415 for anything but JSON, 400 naming the field for
//! quoted, fractional or out-of-range numbers, invalid UTF-8 and bad JSON.

use axum::body::Body;
use chathub_types::limits::MAX_BODY_BYTES;
use chathub_types::time::format_instant;
use chrono::{TimeDelta, Utc};
use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::support::{ACME_KEY, Api, HANK, JOHN, MIKE, ORG_SUPPORT, oneshot, raw_request};

/// Each endpoint with a body, with a valid body for it.
fn endpoints() -> Vec<(&'static str, Value)> {
    let in_an_hour = format_instant(Utc::now() + TimeDelta::hours(1));
    vec![
        ("/api/operator/synchronize", json!([{ "organizationId": ORG_SUPPORT, "name": "Order" }])),
        ("/api/operator/status", json!({ "id": JOHN, "status": 0 })),
        ("/api/operator/get-token", json!({ "id": JOHN, "expiresAt": in_an_hour })),
        ("/api/operator/validate-token", json!({ "token": "x" })),
    ]
}

/// A body of `size` bytes: a JSON array padded with spaces.
fn padded(size: usize) -> Vec<u8> {
    let mut body = b"[]".to_vec();
    body.resize(size, b' ');
    body
}

#[tokio::test]
async fn credential_before_size_type_and_body() {
    let api = Api::start().await;
    let operator = api.operator_token(ACME_KEY, JOHN).await;
    for (path, _) in endpoints() {
        // No credential: 401 whatever the body.
        api.post(path).body(Some("application/json"), "{not json").send().await.unauthorized(false);
        api.post(path).body(Some("text/plain"), "hello").send().await.unauthorized(false);
        api.post(path).body(None, padded(MAX_BODY_BYTES + 1)).send().await.unauthorized(false);
        // A bad credential: 401 too.
        api.post(path)
            .bearer("nope")
            .body(Some("text/plain"), padded(MAX_BODY_BYTES + 1))
            .send()
            .await
            .unauthorized(true);
        // An operator token: 403 whatever the body.
        let answer = api.post(path).bearer(&operator).body(Some("text/plain"), padded(MAX_BODY_BYTES + 1)).send().await;
        answer.problem(403);
    }
}

#[tokio::test]
async fn size_before_content_type_before_body() {
    let api = Api::start().await;
    for (path, _) in endpoints().into_iter().chain([("/api/company/get-token", json!({}))]) {
        let huge = api.post(path).key(ACME_KEY).body(Some("text/plain"), padded(MAX_BODY_BYTES + 1)).send().await;
        huge.problem(413);
        let untyped = api.post(path).key(ACME_KEY).body(None, padded(MAX_BODY_BYTES + 1)).send().await;
        untyped.problem(413);
        let wrong_type = api.post(path).key(ACME_KEY).body(Some("text/plain"), "{not json").send().await;
        wrong_type.problem(415);
        api.post(path).key(ACME_KEY).body(Some("application/json"), "{not json").send().await.problem(400);
    }
    let answer =
        api.post("/api/operator/synchronize").key(ACME_KEY).body(None, padded(MAX_BODY_BYTES + 1)).send().await;
    assert_json_snapshot!("body_too_large_413", answer.problem(413));
    let answer = api.post("/api/operator/synchronize").key(ACME_KEY).body(Some("text/plain"), "[]").send().await;
    assert_json_snapshot!("not_json_415", answer.problem(415));
}

#[tokio::test]
async fn exactly_1_mib_is_read() {
    let api = Api::start().await;
    let answer = api
        .post("/api/operator/synchronize")
        .key(ACME_KEY)
        .body(Some("application/json"), padded(MAX_BODY_BYTES))
        .send()
        .await;
    assert_eq!(answer.json(), json!([]));
}

#[tokio::test]
async fn a_body_over_1_mib_without_a_declared_length_is_413() {
    let api = Api::start().await;
    let request = raw_request(
        "POST",
        "/api/operator/synchronize",
        &[("content-type", b"application/json"), ("x-authorization-key", ACME_KEY.as_bytes())],
        Body::from(padded(MAX_BODY_BYTES + 1)),
    );
    assert!(request.headers().get("content-length").is_none());
    oneshot(api.router(), request).await.problem(413);
}

#[tokio::test]
async fn json_content_types_and_only_those() {
    let api = Api::start().await;
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/problem+json",
        "application/vnd.chathub+json; v=1",
    ] {
        let answer = api.post("/api/operator/synchronize").key(ACME_KEY).body(Some(content_type), "[]").send().await;
        assert_eq!(answer.json(), json!([]), "{content_type}");
    }
    for content_type in
        ["text/plain", "text/json", "application/xml", "application/+json", "application/jsonx", "json", ""]
    {
        let answer = api.post("/api/operator/synchronize").key(ACME_KEY).body(Some(content_type), "[]").send().await;
        answer.problem(415);
    }
}

#[tokio::test]
async fn bodies_that_are_not_utf8_or_not_json_are_400() {
    let api = Api::start().await;
    for (path, _) in endpoints().into_iter().chain([("/api/company/get-token", json!({}))]) {
        for body in
            [&b"\xff\xfe[]"[..], b"[\"\xc3\x28\"]", b"", b"   ", b"{", b"[1,]", b"nul", b"{'id': 1}", b"\xef\xbb\xbf{}"]
        {
            let answer = api.post(path).key(ACME_KEY).body(Some("application/json"), body.to_vec()).send().await;
            assert_eq!(answer.invalid_paths(), ["$"], "{path} {:?}", String::from_utf8_lossy(body));
        }
    }
    let answer =
        api.post("/api/operator/status").key(ACME_KEY).body(Some("application/json"), &b"\xff"[..]).send().await;
    assert_json_snapshot!("invalid_utf8_400", answer.problem(400));
}

#[tokio::test]
async fn numbers_must_be_json_integers_in_the_32_bit_range() {
    let api = Api::start().await;
    let bad_numbers = [
        json!("24"),
        json!(24.0),
        json!(2.4e1),
        json!(2147483648_i64),
        json!(-2147483649_i64),
        json!(99999999999999999999.0),
        json!(true),
        json!(null),
        json!([24]),
        json!({ "value": 24 }),
    ];
    for bad in &bad_numbers {
        let cases = [
            ("/api/operator/status", json!({ "id": bad, "status": 0 }), "$.id"),
            ("/api/operator/status", json!({ "id": JOHN, "status": bad }), "$.status"),
            ("/api/operator/get-token", json!({ "id": bad, "expiresAt": "2030-01-01T00:00:00Z" }), "$.id"),
            ("/api/operator/synchronize", json!([{ "organizationId": bad, "name": "N" }]), "$[0].organizationId"),
        ];
        for (path, body, field) in cases {
            let answer = api.post(path).key(ACME_KEY).json(&body).send().await;
            assert_eq!(answer.invalid_paths(), [field], "{path} {body}");
        }
    }
    // The exact text matters: 2.4e1 and 24.0 are written as sent.
    for text in [r#"{"id": 2.4e1, "status": 0}"#, r#"{"id": 1.0, "status": 0}"#, r#"{"id": 1, "status": 0e0}"#] {
        let answer = api.post("/api/operator/status").key(ACME_KEY).body(Some("application/json"), text).send().await;
        answer.problem(400);
    }
    let answer = api
        .post("/api/operator/status")
        .key(ACME_KEY)
        .body(Some("application/json"), r#"{"id": "1", "status": 0}"#)
        .send()
        .await;
    assert_json_snapshot!("quoted_number_400", answer.problem(400));
}

#[tokio::test]
async fn object_bodies_must_be_objects() {
    let api = Api::start().await;
    let in_an_hour = format_instant(Utc::now() + TimeDelta::hours(1));
    let cases = [
        ("/api/operator/status", json!([JOHN, 2])),
        ("/api/operator/get-token", json!([JOHN, in_an_hour])),
        ("/api/operator/validate-token", json!(["x"])),
        ("/api/company/get-token", json!(["acme", "acme-pass-1"])),
        ("/api/operator/status", json!("{\"id\": 1, \"status\": 2}")),
        ("/api/operator/status", json!(null)),
    ];
    for (path, body) in cases {
        let answer = api.post(path).key(ACME_KEY).json(&body).send().await;
        assert_eq!(answer.invalid_paths(), ["$"], "{path} {body}");
    }
    let answer = api.post("/api/operator/status").key(ACME_KEY).json(&json!([JOHN, 2])).send().await;
    assert_json_snapshot!("array_for_an_object_400", answer.problem(400));
    assert_eq!(api.operators(ACME_KEY, ORG_SUPPORT).await[0]["status"], 0, "John untouched");
}

#[tokio::test]
async fn body_before_resource_before_state() {
    let api = Api::start().await;
    // Bad body for an unknown operator: 400.
    let answer = api.post("/api/operator/status").key(ACME_KEY).json(&json!({ "id": 9999, "status": 5 })).send().await;
    answer.problem(400);
    let past = format_instant(Utc::now() - TimeDelta::hours(1));
    let answer =
        api.post("/api/operator/get-token").key(ACME_KEY).json(&json!({ "id": 9999, "expiresAt": past })).send().await;
    answer.problem(400);
    // Unknown resource in a good body: 404, even when it would also be in the wrong state.
    api.set_status("globex-static-api-key-0001", HANK, 1).await;
    let later = format_instant(Utc::now() + TimeDelta::hours(1));
    let answer =
        api.post("/api/operator/get-token").key(ACME_KEY).json(&json!({ "id": HANK, "expiresAt": later })).send().await;
    answer.problem(404);
    // Own resource in the wrong state: 400.
    let answer =
        api.post("/api/operator/get-token").key(ACME_KEY).json(&json!({ "id": MIKE, "expiresAt": later })).send().await;
    answer.problem(400);
}
