//! JWT claims (Decision 12) and an unverified peek at them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The `iss` of every token this server issues.
pub const ISSUER: &str = "chathub";

/// Which kind of principal a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// A company: management endpoints.
    Company,
    /// One operator: its own work (the widget).
    Operator,
}

/// The claims of every token (Decision 12). `sub` is the company's or the
/// operator's id as a string; times are whole seconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// Always [`ISSUER`].
    pub iss: String,
    /// The principal's id, as a string.
    pub sub: String,
    /// Issued at (seconds).
    pub iat: i64,
    /// Expires at (seconds): dead from this second on.
    pub exp: i64,
    /// A unique id.
    pub jti: String,
    /// Company or operator.
    pub kind: TokenKind,
}

impl TokenClaims {
    /// The principal's id, when `sub` is a 32-bit integer.
    pub fn subject_id(&self) -> Option<i32> {
        self.sub.parse().ok()
    }

    /// `exp` as an instant.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.exp, 0)
    }
}

/// Reads a JWT's payload without verifying it, e.g. for a client that wants
/// to refresh a token before it expires. Never use it to trust a token.
pub fn peek_claims(token: &str) -> Option<serde_json::Value> {
    let mut parts = token.trim().split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    serde_json::from_slice(&base64url_decode(payload)?).ok()
}

/// The `exp` of a JWT, read without verifying it.
///
/// ```
/// // {"exp":1767225599}
/// let token = "e30.eyJleHAiOjE3NjcyMjU1OTl9.sig";
/// let exp = chathub_types::token::peek_expiry(token).unwrap();
/// assert_eq!(exp.to_rfc3339(), "2025-12-31T23:59:59+00:00");
/// assert_eq!(chathub_types::token::peek_expiry("not a jwt"), None);
/// ```
pub fn peek_expiry(token: &str) -> Option<DateTime<Utc>> {
    let exp = peek_claims(token)?.get("exp")?.as_i64()?;
    DateTime::from_timestamp(exp, 0)
}

/// Decodes unpadded (or padded) base64url; `None` on any bad character.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_decodes_padded_and_unpadded_and_rejects_garbage() {
        assert_eq!(base64url_decode("aGk").unwrap(), b"hi");
        assert_eq!(base64url_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64url_decode("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(base64url_decode("a+/="), None);
        assert_eq!(base64url_decode("a"), None);
    }

    #[test]
    fn peek_reads_claims_of_a_three_part_token_only() {
        assert_eq!(peek_claims("e30.eyJzdWIiOiI0MiJ9.x").unwrap()["sub"], "42");
        assert_eq!(peek_claims("e30.eyJzdWIiOiI0MiJ9"), None);
        assert_eq!(peek_claims("e30.eyJzdWIiOiI0MiJ9.x.y"), None);
        assert_eq!(peek_expiry("e30.eyJleHAiOiJzb29uIn0.x"), None);
    }
}
