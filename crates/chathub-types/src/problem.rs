//! RFC 7807 problem details, written by the server and read by the client
//! (Decisions 4, 5, §4.15).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemDetails {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub kind: String,
    /// A short summary of the kind of problem.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub title: String,
    /// The HTTP status.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub status: u16,
    /// What went wrong this time, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Offending fields by JSON path (400 answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
    /// Any other members (for 429: `error`, `message`).
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(additional_properties))]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// The members RFC 7807 (and Decision 5's `errors`) define, as written.
const OWN_MEMBERS: [&str; 5] = ["type", "title", "status", "detail", "errors"];

/// Read like every body of the contract (Decision 5): the own members
/// (`type`, `title`, `status`, `detail`, `errors`) match in any ASCII case;
/// every other member is kept in `extensions` as sent.
impl<'de> Deserialize<'de> for ProblemDetails {
    /// Missing members read as `about:blank`, an empty title, status 0 and
    /// `None`; a member of the wrong type is an error naming it.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ProblemVisitor)
    }
}

struct ProblemVisitor;

impl<'de> serde::de::Visitor<'de> for ProblemVisitor {
    type Value = ProblemDetails;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a problem details object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ProblemDetails, A::Error> {
        // Per own member: its value, and whether it was spelt exactly. The
        // exact spelling wins over any other; among others, the first read.
        let mut own: [Option<(serde_json::Value, bool)>; 5] = Default::default();
        let mut extensions = serde_json::Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value: serde_json::Value = map.next_value()?;
            match OWN_MEMBERS.iter().position(|own| own.eq_ignore_ascii_case(&name)) {
                Some(index) => {
                    let exact = OWN_MEMBERS[index] == name;
                    if own[index].as_ref().is_none_or(|(_, kept_exact)| exact && !kept_exact) {
                        own[index] = Some((value, exact));
                    }
                }
                None => {
                    extensions.entry(name).or_insert(value);
                }
            }
        }
        let [kind, title, status, detail, errors] = own.map(|member| member.map(|(value, _)| value));
        Ok(ProblemDetails {
            kind: member(OWN_MEMBERS[0], kind)?.unwrap_or_else(|| "about:blank".to_owned()),
            title: member(OWN_MEMBERS[1], title)?.unwrap_or_default(),
            status: member(OWN_MEMBERS[2], status)?.unwrap_or_default(),
            detail: member(OWN_MEMBERS[3], detail)?,
            errors: member(OWN_MEMBERS[4], errors)?,
            extensions,
        })
    }
}

/// One own member: absent or null is `None`, else its value as `T`.
fn member<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    name: &str,
    value: Option<serde_json::Value>,
) -> Result<Option<T>, E> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value).map(Some).map_err(|error| E::custom(format!("{name}: {error}"))),
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn own_members_match_in_any_case_and_the_rest_is_kept_as_sent() {
        let problem: ProblemDetails = crate::json::from_value(&json!({
            "Type": "https://example.com/x", "TITLE": "Bad", "Status": 400, "detail": "No.",
            "Errors": {"$.id": ["wrong"]}, "traceId": "00-ab", "Message": "kept"
        }))
        .unwrap();
        assert_eq!(problem.kind, "https://example.com/x");
        assert_eq!((problem.title.as_str(), problem.status), ("Bad", 400));
        assert_eq!(problem.detail.as_deref(), Some("No."));
        assert_eq!(problem.errors.unwrap()["$.id"], ["wrong"]);
        assert_eq!(problem.extensions.keys().collect::<Vec<_>>(), ["Message", "traceId"]);
    }

    #[test]
    fn missing_or_null_members_take_their_defaults_and_wrong_types_are_errors() {
        let bare: ProblemDetails = serde_json::from_value(json!({"type": null})).unwrap();
        assert_eq!((bare.kind.as_str(), bare.title.as_str(), bare.status), ("about:blank", "", 0));
        assert!(bare.detail.is_none() && bare.errors.is_none() && bare.extensions.is_empty());
        let error = serde_json::from_value::<ProblemDetails>(json!({"Status": "400"})).unwrap_err();
        assert!(error.to_string().starts_with("status: "), "{error}");
        assert!(serde_json::from_value::<ProblemDetails>(json!([1])).is_err());
    }

    #[test]
    fn the_exact_spelling_of_a_member_wins_over_others() {
        for text in [r#"{"title": "exact", "Title": "other"}"#, r#"{"TITLE": "other", "title": "exact"}"#] {
            let problem: ProblemDetails = serde_json::from_str(text).unwrap();
            assert_eq!(problem.title, "exact", "{text}");
            assert!(problem.extensions.is_empty());
            let read: ProblemDetails = crate::json::from_slice(text.as_bytes()).unwrap();
            assert_eq!(read.title, "exact", "through chathub_types::json too: {text}");
        }
        let problem: ProblemDetails = serde_json::from_str(r#"{"Title": "first", "TITLE": "second"}"#).unwrap();
        assert_eq!(problem.title, "first");
    }

    #[test]
    fn writing_then_reading_is_the_same() {
        let problem = ProblemDetails::too_many_requests();
        let read: ProblemDetails = serde_json::from_value(serde_json::to_value(&problem).unwrap()).unwrap();
        assert_eq!(read, problem);
    }
}
