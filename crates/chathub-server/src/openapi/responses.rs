//! The responses the document describes: JSON answers, token answers
//! (Decision 1), empty answers, and problem details for every error status
//! (Decisions 4, 5).

use chathub_types::ProblemDetails;
use chathub_types::problem::PROBLEM_JSON;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Content, ContentBuilder, RefOr, Response, ResponseBuilder, Schema};

use super::schemas;

/// `application/json`.
pub const JSON: &str = "application/json";
/// `text/plain`.
pub const TEXT: &str = "text/plain";

/// A 200 with a JSON body of `schema`, with an example when one is given.
pub fn json(description: &str, schema: RefOr<Schema>, example: Option<serde_json::Value>) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(JSON, ContentBuilder::new().schema(Some(schema)).example(example).build())
        .build()
}

/// A 200 with an empty body.
pub fn empty(description: &str) -> Response {
    Response::new(description)
}

/// A 200 carrying a token, shaped by the request's `Accept` (Decision 1).
pub fn token(what: &str) -> Response {
    const EXAMPLE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjaGF0aHViIn0.c2lnbmF0dXJl";
    let description = format!(
        "The {what}, a JWT. The body depends on `Accept` (Decision 1): when it names `application/json` \
         with a weight above 0 (and `text/plain` not higher), a JSON string with \
         `Content-Type: application/json; charset=utf-8`; otherwise (no `Accept`, `*/*`, `text/plain`) \
         the raw token with `Content-Type: text/plain; charset=utf-8`. A server started with \
         `--token-format json|text|object` answers one shape instead (`object`: \
         `{{\"token\": \"...\", \"expiration\": \"...\"}}`)."
    );
    let string = || -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).description(Some(format!("The {what}."))).into()
    };
    ResponseBuilder::new()
        .description(description)
        .content(JSON, ContentBuilder::new().schema(Some(string())).example(Some(EXAMPLE.into())).build())
        .content(TEXT, ContentBuilder::new().schema(Some(string())).example(Some(EXAMPLE.into())).build())
        .build()
}

/// An error answer: `status` with a problem body and `description`.
pub fn problem(status: u16, description: &str, example: &ProblemDetails) -> Response {
    let builder = ResponseBuilder::new().description(description).content(PROBLEM_JSON, problem_content(example));
    match status {
        401 => builder.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(string_schema()))
                .description(Some(
                    "`Bearer`; with `error=\"invalid_token\"` and an `error_description` when a token was \
                     sent and rejected (Decision 4).",
                ))
                .example(Some("Bearer error=\"invalid_token\", error_description=\"The token expired.\"".into()))
                .build(),
        ),
        405 => builder.header(
            "Allow",
            HeaderBuilder::new()
                .schema(Some(string_schema()))
                .description(Some("The methods this path takes (§4.15)."))
                .build(),
        ),
        429 => builder.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(RefOr::from(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                        .minimum(Some(0)),
                )))
                .description(Some("Seconds to wait before trying again."))
                .build(),
        ),
        _ => builder,
    }
    .build()
}

fn problem_content(example: &ProblemDetails) -> Content {
    ContentBuilder::new()
        .schema(Some(schemas::reference_to::<ProblemDetails>()))
        .example(serde_json::to_value(example).ok())
        .build()
}

fn string_schema() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).into()
}
