//! The body of a get-token answer: its three documented shapes (§3.1, §5)
//! and the content negotiation of Decision 1.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A token as a get-token endpoint answers it, with the `expiration` of the
/// object shape when the server sent one. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The token string.
    pub token: String,
    /// `expiration` from the object shape, if any.
    pub expiration: Option<DateTime<Utc>>,
}

impl IssuedToken {
    /// When the token expires: the `expiration` sent, else its `exp` claim.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expiration.or_else(|| super::peek_expiry(&self.token))
    }

    /// The `{"token": …, "expiration": …}` body of `--token-format object`.
    pub fn to_object_json(&self) -> serde_json::Value {
        serde_json::to_value(TokenObject { token: self.token.clone(), expiration: self.expiration })
            .unwrap_or(serde_json::Value::Null)
    }
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken").field("token", &"[redacted]").field("expiration", &self.expiration).finish()
    }
}

#[derive(Serialize, Deserialize)]
struct TokenObject {
    #[serde(alias = "Token", alias = "accessToken", alias = "access_token")]
    token: String,
    #[serde(default, with = "crate::time::rfc3339::option", alias = "Expiration", alias = "expiresAt")]
    expiration: Option<DateTime<Utc>>,
}

/// Why a token body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenBodyError {
    /// The body was empty.
    #[error("the token response body is empty")]
    Empty,
    /// The body was JSON, but neither a string nor an object with `token`.
    #[error("the token response is JSON but neither a string nor an object with a `token` member")]
    UnexpectedJson,
    /// The body was text that cannot be a token (spaces, markup, control characters).
    #[error("the token response is not a token (it holds spaces, markup or control characters)")]
    NotAToken,
}

/// Reads a get-token body in any of its three shapes: a JSON string, raw
/// text, or `{"token": "...", "expiration": "..."}`. The content type is not
/// trusted: the live service's samples disagree about it (§3.1).
///
/// ```
/// use chathub_types::token::decode_token_body;
/// assert_eq!(decode_token_body("\"eyJ.a.b\"").unwrap().token, "eyJ.a.b");
/// assert_eq!(decode_token_body("eyJ.a.b\n").unwrap().token, "eyJ.a.b");
/// let object = decode_token_body(r#"{"token":"eyJ.a.b","expiration":"2025-01-24T12:00:00Z"}"#).unwrap();
/// assert_eq!(object.expiration.unwrap().to_rfc3339(), "2025-01-24T12:00:00+00:00");
/// assert!(decode_token_body("<html>502</html>").is_err());
/// ```
pub fn decode_token_body(body: &str) -> Result<IssuedToken, TokenBodyError> {
    let text = body.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(TokenBodyError::Empty);
    }
    if (text.starts_with('"') || text.starts_with('{'))
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
    {
        return match value {
            serde_json::Value::String(token) => plain(&token),
            serde_json::Value::Object(_) => {
                let object: TokenObject =
                    crate::json::from_value(&value).map_err(|_| TokenBodyError::UnexpectedJson)?;
                let token = plain(&object.token)?;
                Ok(IssuedToken { expiration: object.expiration, ..token })
            }
            _ => Err(TokenBodyError::UnexpectedJson),
        };
    }
    plain(text)
}

fn plain(text: &str) -> Result<IssuedToken, TokenBodyError> {
    let token = text.trim();
    if token.is_empty() {
        return Err(TokenBodyError::Empty);
    }
    // JWTs and API keys: base64url, standard base64 and the separators they use.
    let acceptable = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=');
    if !token.chars().all(acceptable) {
        return Err(TokenBodyError::NotAToken);
    }
    Ok(IssuedToken { token: token.to_owned(), expiration: None })
}

/// The body shape of a get-token answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenFormat {
    /// A JSON string, `application/json; charset=utf-8`.
    JsonString,
    /// The raw token, `text/plain; charset=utf-8`.
    Text,
    /// `{"token": "...", "expiration": "..."}`, `application/json; charset=utf-8`.
    Object,
}

impl TokenFormat {
    /// The `Content-Type` of this shape.
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::JsonString | Self::Object => "application/json; charset=utf-8",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    /// The body of this shape for `token`.
    pub fn body(self, token: &IssuedToken) -> String {
        match self {
            Self::Text => token.token.clone(),
            Self::JsonString => serde_json::Value::String(token.token.clone()).to_string(),
            Self::Object => token.to_object_json().to_string(),
        }
    }
}

/// Decision 1: a request whose `Accept` names `application/json` with a
/// weight above 0, and not `text/plain` with a higher weight, gets a JSON
/// string; anything else (no `Accept`, `*/*`, `text/plain`) gets text.
///
/// ```
/// use chathub_types::token::{TokenFormat, negotiate_token_format};
/// assert_eq!(negotiate_token_format(None), TokenFormat::Text);
/// assert_eq!(negotiate_token_format(Some("*/*")), TokenFormat::Text);
/// assert_eq!(negotiate_token_format(Some("application/json")), TokenFormat::JsonString);
/// assert_eq!(negotiate_token_format(Some("text/plain;q=1, application/json;q=0.5")), TokenFormat::Text);
/// assert_eq!(negotiate_token_format(Some("application/json;q=0")), TokenFormat::Text);
/// ```
pub fn negotiate_token_format(accept: Option<&str>) -> TokenFormat {
    let Some(accept) = accept else { return TokenFormat::Text };
    let mut json_weight: Option<u16> = None;
    let mut text_weight: Option<u16> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim();
        let mut weight = 1000;
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                weight = parse_weight(value.trim()).unwrap_or(0);
            }
        }
        let slot = if media.eq_ignore_ascii_case("application/json") {
            &mut json_weight
        } else if media.eq_ignore_ascii_case("text/plain") {
            &mut text_weight
        } else {
            continue;
        };
        *slot = Some(slot.map_or(weight, |w| w.max(weight)));
    }
    match (json_weight, text_weight) {
        (Some(json), text) if json > 0 && text.is_none_or(|text| text <= json) => TokenFormat::JsonString,
        _ => TokenFormat::Text,
    }
}

/// An RFC 9110 weight (`0`, `0.5`, `1.000`) in thousandths.
fn parse_weight(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_rfc_9110() {
        assert_eq!(parse_weight("0"), Some(0));
        assert_eq!(parse_weight("0.5"), Some(500));
        assert_eq!(parse_weight("1.000"), Some(1000));
        assert_eq!(parse_weight("1.5"), None);
        assert_eq!(parse_weight("0.1234"), None);
        assert_eq!(parse_weight("abc"), None);
    }

    #[test]
    fn negotiation_prefers_json_only_when_asked_for() {
        assert_eq!(negotiate_token_format(Some("text/plain")), TokenFormat::Text);
        assert_eq!(negotiate_token_format(Some("APPLICATION/JSON; charset=utf-8")), TokenFormat::JsonString);
        assert_eq!(negotiate_token_format(Some("application/json, text/plain")), TokenFormat::JsonString);
        assert_eq!(negotiate_token_format(Some("text/plain, application/json;q=0.9")), TokenFormat::Text);
        assert_eq!(negotiate_token_format(Some("application/*")), TokenFormat::Text);
        assert_eq!(negotiate_token_format(Some("")), TokenFormat::Text);
    }

    #[test]
    fn html_and_spaced_text_are_not_tokens() {
        assert_eq!(decode_token_body(""), Err(TokenBodyError::Empty));
        assert_eq!(decode_token_body("not a token"), Err(TokenBodyError::NotAToken));
        assert_eq!(decode_token_body("[1,2]"), Err(TokenBodyError::NotAToken));
        assert_eq!(decode_token_body("{\"nope\":1}"), Err(TokenBodyError::UnexpectedJson));
        assert_eq!(decode_token_body("42"), Ok(IssuedToken { token: "42".into(), expiration: None }));
    }
}
