//! RFC 7807 problem details, written by the server and read by the client
//! (Decisions 4, 5, §4.15).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::validation::ValidationErrors;

/// The media type of problem bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 7807 problem body.
///
/// ```
/// use chathub_types::{ProblemDetails, ValidationErrors};
/// let problem = ProblemDetails::validation(ValidationErrors::single("$.expiresAt", "too late"));
/// assert_eq!(problem.status, 400);
/// assert_eq!(problem.errors.unwrap()["$.expiresAt"], ["too late"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemDetails {
    /// A URI naming the kind of problem.
    #[serde(rename = "type", default = "about_blank")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub kind: String,
    /// A short summary of the kind of problem.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub title: String,
    /// The HTTP status.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub status: u16,
    /// What went wrong this time, for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Offending fields by JSON path (400 answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
    /// Any other members (for 429: `error`, `message`).
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(additional_properties))]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

impl ProblemDetails {
    /// A problem with the standard type and title of `status`.
    pub fn new(status: u16, title: impl Into<String>) -> Self {
        Self {
            kind: type_for(status).to_owned(),
            title: title.into(),
            status,
            detail: None,
            errors: None,
            extensions: serde_json::Map::new(),
        }
    }

    /// Adds a `detail`.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A 400 naming each offending field (Decision 5).
    pub fn validation(errors: ValidationErrors) -> Self {
        let mut problem = Self::new(400, "One or more validation errors occurred.");
        problem.errors = Some(errors.to_map());
        problem
    }

    /// A 429 that also holds the vendor's documented rate-limit members (§4.15).
    pub fn too_many_requests() -> Self {
        let mut problem = Self::new(429, "Too Many Requests")
            .with_detail("Rate limit exceeded. Please wait before sending more requests.");
        problem.extensions.insert("error".into(), "Too Many Requests".into());
        problem
            .extensions
            .insert("message".into(), "Rate limit exceeded. Please wait before sending more requests.".into());
        problem
    }

    /// The best one-line message for a person: `detail`, else the first
    /// field error, else `title`.
    pub fn message(&self) -> String {
        if let Some(detail) = self.detail.as_deref().filter(|d| !d.is_empty()) {
            return detail.to_owned();
        }
        if let Some((path, messages)) = self.errors.as_ref().and_then(|e| e.iter().next()) {
            return format!("{path}: {}", messages.join(" "));
        }
        if let Some(message) = self.extensions.get("message").and_then(|m| m.as_str()) {
            return message.to_owned();
        }
        self.title.clone()
    }
}

/// The RFC 9110 section URI used as `type` for a status.
pub fn type_for(status: u16) -> &'static str {
    match status {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    }
}
