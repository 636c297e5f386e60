//! Examples for the document, built from chathub-types values (the spec's
//! own examples) and serialized by their serde derives, so an example can
//! never show a shape the wire does not have. The 400 examples are what the
//! types' input rules answer to a bad body.

use chathub_types::company::{self, Organization};
use chathub_types::json::RequestBody;
use chathub_types::operator::synchronize_operators::{NewOperator, SynchronizedOperator};
use chathub_types::operator::{self, Operator, list_operators};
use chathub_types::token::TokenRejection;
use chathub_types::{OperatorId, OperatorStatus, OperatorToken, OrganizationId, ProblemDetails};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// 2025-12-31T23:59:59Z, the spec's operator-token expiry (§3.6).
const EXPIRES_AT: i64 = 1_767_225_599;
/// A token-shaped example string.
pub const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjaGF0aHViIn0.c2lnbmF0dXJl";

fn value(example: &impl Serialize) -> Option<Value> {
    serde_json::to_value(example).ok()
}

fn expires_at() -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(EXPIRES_AT, 0)
}

fn organization(id: i32, name: &str) -> Organization {
    Organization { id: OrganizationId(id), name: name.to_owned() }
}

/// §3.1's sign-in body.
pub fn company_sign_in() -> Option<Value> {
    value(&company::get_token::Request::new("acme", "s3cret"))
}

/// §3.2's organizations.
pub fn organizations() -> Option<Value> {
    value(&[organization(6, "Customer Support"), organization(24, "Sales Team"), organization(42, "Technical Support")])
}

/// §3.3's operators.
pub fn operators() -> Option<Value> {
    let support = organization(24, "Customer Support");
    value(&[
        Operator {
            id: OperatorId(101),
            name: "John Smith".to_owned(),
            status: OperatorStatus::Active,
            organization: support.clone(),
        },
        Operator {
            id: OperatorId(103),
            name: "Mike Wilson".to_owned(),
            status: OperatorStatus::Inactive,
            organization: support,
        },
    ])
}

/// §3.4's synchronize body.
pub fn new_operators() -> Option<Value> {
    value(&operator::synchronize_operators::Request(vec![
        NewOperator::new(OrganizationId(24), "Alex Brown"),
        NewOperator::new(OrganizationId(24), "Emma Davis"),
    ]))
}

/// §3.4's synchronize answer.
pub fn synchronized_operators() -> Option<Value> {
    let created = |id, name: &str| SynchronizedOperator {
        id: OperatorId(id),
        name: name.to_owned(),
        status: OperatorStatus::Active,
    };
    value(&[created(104, "Alex Brown"), created(105, "Emma Davis")])
}

/// §3.5's status body.
pub fn set_status() -> Option<Value> {
    value(&operator::set_status::Request { id: OperatorId(104), status: OperatorStatus::Inactive })
}

/// §3.6's operator-token body.
pub fn operator_token_request() -> Option<Value> {
    expires_at().and_then(|expires_at| value(&operator::get_token::Request { id: OperatorId(123), expires_at }))
}

/// §3.7's validate-token body.
pub fn validate_token_request() -> Option<Value> {
    value(&operator::validate_token::Request { token: OperatorToken::new(TOKEN) })
}

/// §3.7's answer for a valid token.
pub fn valid_token() -> Option<Value> {
    expires_at().and_then(|expires_at| value(&operator::validate_token::Response::valid(OperatorId(123), expires_at)))
}

/// Decision 11's answer for an expired token.
pub fn expired_token() -> Option<Value> {
    value(&operator::validate_token::Response::invalid(TokenRejection::Expired))
}

/// The 400 that `T`'s rules give `body` (a generic 400 if they accept it,
/// which the tests rule out).
pub fn rejected<T: RequestBody>(body: &str) -> ProblemDetails {
    match T::decode(body.as_bytes()) {
        Ok(_) => ProblemDetails::new(400, "Bad Request"),
        Err(errors) => ProblemDetails::validation(errors),
    }
}

/// The 400 for a query that is not an integer (§4.15).
pub fn rejected_query(query: &str) -> ProblemDetails {
    match list_operators::Query::parse(Some(query)) {
        Ok(_) => ProblemDetails::new(400, "Bad Request"),
        Err(errors) => ProblemDetails::validation(errors),
    }
}

/// A problem with the status's reason as title, and `detail` unless empty (429: the
/// vendor's rate-limit members, §4.15).
pub fn problem(status: u16, detail: &str) -> ProblemDetails {
    if status == 429 {
        return ProblemDetails::too_many_requests();
    }
    let title = axum::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    let problem = ProblemDetails::new(status, title);
    if detail.is_empty() { problem } else { problem.with_detail(detail) }
}
