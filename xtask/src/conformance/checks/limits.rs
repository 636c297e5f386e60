//! Size limits (Decision 14), routes, methods and content types (§4.15),
//! and the order in which a request's checks apply (Decision 4).

use std::sync::Arc;
use std::time::Duration;

use chathub_types::limits::MAX_BODY_BYTES;
use chathub_types::{ENDPOINTS, Method};
use serde_json::json;

use crate::conformance::context::Ctx;
use crate::conformance::http::Challenge;
use crate::conformance::runner::{Check, check};
use crate::conformance::verdict::{Outcome, ensure, within};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!("decision-14/body-over-1mib-413", "§4.14", "a body of 1 MiB + 1 byte: 413 problem", over_limit),
        check!(
            "decision-14/chunked-over-1mib-413",
            "§4.14",
            "a chunked body over 1 MiB (no Content-Length): 413",
            chunked_over
        ),
        check!("decision-14/body-of-1mib-accepted", "§4.14", "a body of exactly 1 MiB is read", at_limit),
        check!("decision-15/unknown-path-404", "§4.15", "unknown paths: 404 problem", unknown_path),
        check!(
            "decision-15/wrong-method-405",
            "§4.15",
            "a known path with another method: 405 with Allow",
            wrong_method
        ),
        check!("decision-15/no-content-type-415", "§4.15", "a body without Content-Type: 415", no_content_type),
        check!(
            "decision-15/other-content-type-415",
            "§4.15",
            "text/plain, form or XML bodies: 415",
            other_content_type
        ),
        check!(
            "decision-15/json-content-types",
            "§4.15",
            "application/json with parameters and application/*+json are JSON",
            json_types
        ),
        check!(
            "decision-15/not-json-400",
            "§4.15",
            "invalid JSON, invalid UTF-8, an empty body: 400 problem",
            not_json
        ),
        check!("decision-15/public-paths", "§4.15", "/health needs no credential", public_paths),
        check!("decision-4/order-route-first", "§4.4", "404 and 405 before any credential check", order_route),
        check!("decision-4/order-credential-before-body", "§4.4", "401/403 before 413, 415 and 400", order_credential),
        check!("decision-4/order-size-type-body", "§4.4", "413 before 415 before 400", order_size_type_body),
        check!(
            "decision-4/order-body-before-resource",
            "§4.4",
            "a bad body for an unknown operator: 400, not 404",
            order_body_resource
        ),
        check!(
            "decision-4/order-resource-before-state",
            "§4.4",
            "another company's inactive operator: 404, not 400",
            order_resource_state
        ),
    ]
}

const VALIDATE: &str = chathub_types::operator::validate_token::ENDPOINT.path;
const SYNCHRONIZE: &str = chathub_types::operator::synchronize_operators::ENDPOINT.path;

/// `[` + spaces + `]`: valid JSON (an empty array) of exactly `len` bytes.
fn padded_array(len: usize) -> Vec<u8> {
    let mut body = vec![b' '; len.max(2)];
    body[0] = b'[';
    if let Some(last) = body.last_mut() {
        *last = b']';
    }
    body
}

async fn over_limit(cx: Arc<Ctx>) -> Outcome {
    let reply = cx
        .raw("POST", SYNCHRONIZE)
        .with_company_token()
        .body(padded_array(MAX_BODY_BYTES + 1), Some("application/json"))
        .send_early()
        .await?;
    reply.expect_problem(413).map(drop)
}

async fn chunked_over(cx: Arc<Ctx>) -> Outcome {
    let reply = cx
        .raw("POST", SYNCHRONIZE)
        .with_company_token()
        .body(padded_array(MAX_BODY_BYTES + 1), Some("application/json"))
        .chunked()
        .send_bare()
        .await?;
    reply.expect_problem(413).map(drop)
}

async fn at_limit(cx: Arc<Ctx>) -> Outcome {
    let reply = cx
        .raw("POST", SYNCHRONIZE)
        .with_company_token()
        .body(padded_array(MAX_BODY_BYTES), Some("application/json"))
        .send()
        .await?;
    let body = reply.expect_json(200)?;
    ensure(body == json!([]), "200 [] for an empty array padded to 1 MiB", || reply.describe())
}

async fn unknown_path(cx: Arc<Ctx>) -> Outcome {
    for (method, path) in [
        ("GET", "/api/no-such-endpoint"),
        ("GET", "/no-such-page"),
        ("POST", "/api/operator/no-such-endpoint"),
        ("GET", "/api/operator/status/1"),
    ] {
        let reply = cx.raw(method, path).with_company_token().send().await?;
        reply.expect_problem(404).map_err(within(&format!("{method} {path}")))?;
    }
    Ok(())
}

fn other_methods(method: Method) -> &'static [&'static str] {
    match method {
        Method::Get => &["POST", "DELETE", "PUT"],
        Method::Post => &["GET", "PUT", "DELETE", "PATCH"],
        Method::Put => &["GET", "POST"],
        Method::Delete => &["GET", "POST"],
    }
}

async fn wrong_method(cx: Arc<Ctx>) -> Outcome {
    for endpoint in ENDPOINTS {
        for method in other_methods(endpoint.method) {
            let reply = cx.raw(method, endpoint.path).with_company_token().send().await?;
            let what = format!("{method} {}", endpoint.path);
            reply.expect_problem(405).map_err(within(&what))?;
            let allow = reply.header("allow").unwrap_or("");
            let allowed = allow.split(',').any(|m| m.trim().eq_ignore_ascii_case(endpoint.method.as_str()));
            ensure(allowed, format!("{what}: an Allow header naming {}", endpoint.method), || {
                format!("Allow: {allow:?}; {}", reply.describe())
            })?;
        }
    }
    Ok(())
}

async fn no_content_type(cx: Arc<Ctx>) -> Outcome {
    let reply = cx.raw("POST", VALIDATE).with_company_token().body(br#"{"token":"x"}"#.to_vec(), None).send().await?;
    reply.expect_problem(415).map(drop)
}

async fn other_content_type(cx: Arc<Ctx>) -> Outcome {
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "application/jsonp",
        "multipart/form-data; boundary=x",
    ] {
        let reply = cx
            .raw("POST", VALIDATE)
            .with_company_token()
            .body(br#"{"token":"x"}"#.to_vec(), Some(content_type))
            .send()
            .await?;
        reply.expect_problem(415).map_err(within(&format!("Content-Type: {content_type}")))?;
    }
    Ok(())
}

async fn json_types(cx: Arc<Ctx>) -> Outcome {
    for content_type in [
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/problem+json",
        "application/vnd.conformance+json; v=1",
    ] {
        let reply = cx
            .raw("POST", VALIDATE)
            .with_company_token()
            .body(br#"{"token":"x"}"#.to_vec(), Some(content_type))
            .send()
            .await?;
        let body = reply.expect_json(200).map_err(within(&format!("Content-Type: {content_type}")))?;
        ensure(body["isValid"] == json!(false), "isValid false for token \"x\"", || reply.describe())?;
    }
    Ok(())
}

async fn not_json(cx: Arc<Ctx>) -> Outcome {
    let bodies: [(&str, &[u8]); 5] = [
        ("invalid JSON", b"{\"token\": "),
        ("invalid UTF-8", b"{\"token\": \"\xff\xfe\"}"),
        ("an empty body", b""),
        ("JSON with trailing garbage", b"{\"token\": \"x\"} x"),
        ("a single quote string", b"{'token': 'x'}"),
    ];
    for (what, body) in bodies {
        let reply =
            cx.raw("POST", VALIDATE).with_company_token().body(body.to_vec(), Some("application/json")).send().await?;
        reply.expect_problem(400).map_err(within(what))?;
    }
    Ok(())
}

async fn public_paths(cx: Arc<Ctx>) -> Outcome {
    let reply = cx.raw("GET", "/health").send().await?;
    reply.expect_status(200).map(drop)
}

async fn order_route(cx: Arc<Ctx>) -> Outcome {
    let reply = cx.raw("GET", "/api/no-such-endpoint").send().await?;
    reply.expect_problem(404).map_err(within("an unknown path without a credential"))?;
    let reply = cx.raw("GET", "/api/no-such-endpoint").bearer("not-a-token").send().await?;
    reply.expect_problem(404).map_err(within("an unknown path with a bad token"))?;
    let reply = cx.raw("GET", SYNCHRONIZE).send().await?;
    reply.expect_problem(405).map_err(within("GET synchronize without a credential"))?;
    Ok(())
}

async fn order_credential(cx: Arc<Ctx>) -> Outcome {
    let reply = cx
        .raw("POST", SYNCHRONIZE)
        .body(padded_array(MAX_BODY_BYTES + 1), Some("application/json"))
        .send_early()
        .await?;
    reply.expect_unauthorized(Challenge::Plain).map_err(within("an oversized body without a credential"))?;
    let reply = cx.raw("POST", SYNCHRONIZE).body(b"{".to_vec(), Some("text/plain")).send().await?;
    reply.expect_unauthorized(Challenge::Plain).map_err(within("a text/plain body without a credential"))?;
    let reply = cx.raw("POST", SYNCHRONIZE).json_text("{").send().await?;
    reply.expect_unauthorized(Challenge::Plain).map_err(within("invalid JSON without a credential"))?;
    let operator = cx.active_operator("order-credential").await?;
    let token = cx.operator_token(operator.id, Duration::from_secs(600)).await?;
    let reply = cx.raw("POST", SYNCHRONIZE).bearer(token.expose()).json_text("{").send().await?;
    reply.expect_problem(403).map_err(within("invalid JSON with an operator token")).map(drop)
}

async fn order_size_type_body(cx: Arc<Ctx>) -> Outcome {
    let reply = cx
        .raw("POST", SYNCHRONIZE)
        .with_company_token()
        .body(padded_array(MAX_BODY_BYTES + 1), Some("text/plain"))
        .send_early()
        .await?;
    reply.expect_problem(413).map_err(within("an oversized text/plain body"))?;
    let reply = cx.raw("POST", SYNCHRONIZE).with_company_token().body(b"{".to_vec(), Some("text/plain")).send().await?;
    reply.expect_problem(415).map_err(within("invalid JSON as text/plain"))?;
    Ok(())
}

async fn order_body_resource(cx: Arc<Ctx>) -> Outcome {
    let path = chathub_types::operator::set_status::ENDPOINT.path;
    let reply = cx.raw("POST", path).with_company_token().json(&json!({"id": i32::MAX, "status": 7})).send().await?;
    reply.expect_invalid(&["$.status"]).map_err(within("status 7 for an unknown operator"))?;
    let path = chathub_types::operator::get_token::ENDPOINT.path;
    let reply =
        cx.raw("POST", path).with_company_token().json(&json!({"id": i32::MAX, "expiresAt": "never"})).send().await?;
    reply.expect_invalid(&["$.expiresAt"]).map_err(within("a bad expiresAt for an unknown operator")).map(drop)
}

async fn order_resource_state(cx: Arc<Ctx>) -> Outcome {
    let theirs = super::tokens::second_company_operator(&cx, false).await?;
    let expires = chathub_types::time::format_instant(chrono::Utc::now() + chrono::TimeDelta::hours(1));
    let reply = super::tokens::get_token_raw(&cx, theirs, &expires).await?;
    reply.expect_problem(404).map(drop)
}
