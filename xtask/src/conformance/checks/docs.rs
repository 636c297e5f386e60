//! §6: `/health`, the OpenAPI document at `/swagger/v1/swagger.json`, the
//! browsable UI, and the schema review: every answer the suite recorded
//! must match what the document says about it.

use std::collections::BTreeSet;
use std::sync::Arc;

use chathub_types::ENDPOINTS;
use serde_json::Value;

use crate::conformance::context::Ctx;
use crate::conformance::runner::{Check, check};
use crate::conformance::schema::{Described, describe, validate};
use crate::conformance::verdict::{Outcome, Stop, ensure, fail, skip, within};

/// Where the document is served (the vendor's Swagger path, spec §6).
const DOCUMENT: &str = "/swagger/v1/swagger.json";

/// The checks that run first.
pub fn first() -> Vec<Check> {
    vec![
        check!("section-6/health", "§6", "GET /health: 200 without a credential", health),
        check!("section-6/openapi-document", "§6", "the served OpenAPI document lists the 7 endpoints", document),
        check!("section-6/swagger-ui", "§6", "/swagger and /index.html serve a browsable UI", swagger_ui),
    ]
}

/// The check that runs last, over every answer recorded before it.
pub fn last() -> Vec<Check> {
    vec![check!(
        "section-6/responses-match-schema",
        "§6",
        "every recorded answer matches the document's schema",
        review
    )]
}

async fn health(cx: Arc<Ctx>) -> Outcome {
    cx.raw("GET", "/health").send().await?.expect_status(200).map(drop)
}

async fn fetch_document(cx: &Ctx) -> Result<Value, Stop> {
    let reply = cx.raw("GET", DOCUMENT).send().await?;
    let body = reply.expect_json(200)?;
    let version = body["openapi"].as_str().unwrap_or("");
    ensure(version.starts_with("3."), "an OpenAPI 3.x document (an `openapi` member)", || reply.describe())?;
    Ok(body)
}

async fn document(cx: Arc<Ctx>) -> Outcome {
    let body = fetch_document(&cx).await?;
    let paths = body["paths"].as_object().ok_or_else(|| fail("a `paths` object", "none"))?;
    let missing: Vec<String> = ENDPOINTS
        .iter()
        .filter(|endpoint| {
            paths.get(endpoint.path).and_then(|item| item.get(endpoint.method.as_str().to_ascii_lowercase())).is_none()
        })
        .map(|endpoint| format!("{} {}", endpoint.method, endpoint.path))
        .collect();
    ensure(missing.is_empty(), "every endpoint of §3 in `paths`", || format!("missing {missing:?}"))
}

async fn swagger_ui(cx: Arc<Ctx>) -> Outcome {
    for start in ["/swagger", "/index.html"] {
        let mut path = start.to_owned();
        let mut reply = cx.raw("GET", path.clone()).send().await?;
        // Follow up to three same-server redirects (`/swagger` → `/swagger/`).
        for _ in 0..3 {
            let Some(location) = (300..400).contains(&reply.status).then(|| reply.header("location")).flatten() else {
                break;
            };
            path = match location.strip_prefix(&cx.base_url) {
                Some(rest) => rest.to_owned(),
                None if location.starts_with('/') => location.to_owned(),
                None => format!("{}/{location}", path.trim_end_matches('/')),
            };
            reply = cx.raw("GET", path.clone()).send().await?;
        }
        reply.expect_status(200).map_err(within(format!("GET {start}")))?;
        ensure(reply.content_type().starts_with("text/html"), format!("GET {start}: an HTML page"), || {
            reply.describe()
        })?;
    }
    Ok(())
}

async fn review(cx: Arc<Ctx>) -> Outcome {
    let document = match fetch_document(&cx).await {
        Ok(document) => document,
        Err(Stop::Fail { got, .. }) => {
            return Err(skip(format!("no OpenAPI document to review against at {DOCUMENT} ({got})")));
        }
        Err(other) => return Err(other),
    };
    let mut problems = BTreeSet::new();
    let mut reviewed = 0;
    for exchange in cx.exchanges() {
        let what = format!("{} {} {}", exchange.method, exchange.path, exchange.status);
        match describe(&document, exchange.method, &exchange.path, exchange.status, &exchange.media_type) {
            Described::UnknownOperation => continue,
            Described::UndocumentedStatus => {
                problems.insert(format!("{what}: the status is not documented"));
            }
            Described::NoContent => {
                if exchange.body.is_some() {
                    problems.insert(format!("{what}: documented without a body, answered {}", exchange.media_type));
                }
            }
            Described::UndocumentedMediaType(documented) => {
                let shown = if exchange.media_type.is_empty() { "no body" } else { exchange.media_type.as_str() };
                problems.insert(format!("{what}: {shown} is not documented (only {})", documented.join(", ")));
            }
            Described::Schema(schema) => match &exchange.body {
                Some(body) => {
                    for error in validate(&document, schema, body) {
                        problems.insert(format!("{what}: {error}"));
                    }
                }
                // Media (Decision 27) is bytes: only JSON and text bodies are reviewed.
                None if !(exchange.media_type.ends_with("json") || exchange.media_type.starts_with("text/")) => {
                    continue;
                }
                None => {
                    problems.insert(format!("{what}: documented with a body, answered none readable"));
                }
            },
        }
        reviewed += 1;
    }
    if reviewed == 0 {
        return Err(skip("no answers of documented operations were recorded: run it with the other checks"));
    }
    let count = problems.len();
    let shown: Vec<String> = problems.into_iter().take(5).collect();
    ensure(
        count == 0,
        format!("all {reviewed} recorded answers of documented operations to match the document"),
        || format!("{count} mismatches, e.g. {}", shown.join(" | ")),
    )
}
