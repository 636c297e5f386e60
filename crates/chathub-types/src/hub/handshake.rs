//! The handshake (§7.3): the client's first record names the protocol; the
//! server answers `{}` or an error in ASP.NET's words, then closes.

use serde_json::Value;

/// The only protocol served.
pub const PROTOCOL: &str = "json";

/// The highest version of the JSON protocol served (clients send 2 only
/// after negotiating stateful reconnect, which this server never offers;
/// it reads 1 and 2 alike).
pub const MAX_VERSION: i64 = 2;

/// Why a handshake failed; `Display` is the exact error the client gets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// A protocol other than `json`.
    #[error("The protocol '{0}' is not supported.")]
    UnsupportedProtocol(String),
    /// A `json` version above [`MAX_VERSION`].
    #[error("The server does not support version {0} of the 'json' protocol.")]
    UnsupportedVersion(i64),
    /// No handshake within the timeout.
    #[error("Handshake was canceled.")]
    Canceled,
    /// Not JSON, or without a string `protocol` and an integer `version`.
    #[error("An unexpected error occurred during connection handshake.")]
    Unexpected,
}

/// Reads a handshake record (without its separator).
pub fn parse_request(record: &[u8]) -> Result<(), HandshakeError> {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(record) else {
        return Err(HandshakeError::Unexpected);
    };
    let protocol = object.get("protocol").and_then(Value::as_str).ok_or(HandshakeError::Unexpected)?;
    let version = object
        .get("version")
        .and_then(Value::as_i64)
        .filter(|version| i32::try_from(*version).is_ok())
        .ok_or(HandshakeError::Unexpected)?;
    // ASP.NET resolves protocol names without regard to case.
    if !protocol.eq_ignore_ascii_case(PROTOCOL) {
        return Err(HandshakeError::UnsupportedProtocol(protocol.to_owned()));
    }
    if version > MAX_VERSION {
        return Err(HandshakeError::UnsupportedVersion(version));
    }
    Ok(())
}

/// The handshake answer with its separator: `{}` or `{"error": "..."}`.
pub fn response(outcome: &Result<(), HandshakeError>) -> String {
    super::frame(&match outcome {
        Ok(()) => serde_json::json!({}),
        Err(error) => serde_json::json!({ "error": error.to_string() }),
    })
}

/// The handshake a client sends, with its separator:
/// `{"protocol":"json","version":1}`.
pub fn request() -> String {
    super::frame(&serde_json::json!({ "protocol": PROTOCOL, "version": 1 }))
}

/// Reads the server's handshake answer (without its separator), as a
/// client does: `Ok` for `{}` (other members ignored), `Err` with the
/// server's `error` text, or a description when the answer is not a
/// handshake answer at all.
pub fn parse_response(record: &[u8]) -> Result<(), String> {
    match serde_json::from_slice::<Value>(record) {
        Ok(Value::Object(object)) => match object.get("error") {
            None | Some(Value::Null) => Ok(()),
            Some(Value::String(error)) => Err(error.clone()),
            Some(other) => Err(other.to_string()),
        },
        _ => Err("the server's handshake answer is not a JSON object".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_versions_one_and_two_are_accepted() {
        assert_eq!(parse_request(br#"{"protocol":"json","version":1}"#), Ok(()));
        assert_eq!(parse_request(br#"{"protocol":"json","version":2}"#), Ok(()));
        assert_eq!(parse_request(br#"{"version":1,"protocol":"JSON","extra":true}"#), Ok(()));
        assert_eq!(response(&Ok(())), "{}\u{1e}");
    }

    #[test]
    fn errors_in_aspnet_words() {
        let cases: [(&[u8], &str); 8] = [
            (br#"{"protocol":"messagepack","version":1}"#, "The protocol 'messagepack' is not supported."),
            (br#"{"protocol":"json","version":3}"#, "The server does not support version 3 of the 'json' protocol."),
            (b"nope", "An unexpected error occurred during connection handshake."),
            (br#"{"protocol":"json"}"#, "An unexpected error occurred during connection handshake."),
            (br#"{"version":1}"#, "An unexpected error occurred during connection handshake."),
            (br#"{"protocol":"json","version":"1"}"#, "An unexpected error occurred during connection handshake."),
            (br#"{"protocol":1,"version":1}"#, "An unexpected error occurred during connection handshake."),
            (br#"[]"#, "An unexpected error occurred during connection handshake."),
        ];
        for (record, text) in cases {
            let error = parse_request(record).unwrap_err();
            assert_eq!(error.to_string(), text);
            let answer = response(&Err(error));
            assert_eq!(answer, format!("{}\u{1e}", serde_json::json!({ "error": text })));
        }
        assert_eq!(HandshakeError::Canceled.to_string(), "Handshake was canceled.");
    }

    #[test]
    fn client_side() {
        assert_eq!(request(), "{\"protocol\":\"json\",\"version\":1}\u{1e}");
        let sent = request();
        assert_eq!(parse_request(sent.trim_end_matches('\u{1e}').as_bytes()), Ok(()));
        assert_eq!(parse_response(b"{}"), Ok(()));
        assert_eq!(parse_response(br#"{"error":null}"#), Ok(()));
        let refused = response(&Err(HandshakeError::UnsupportedVersion(3)));
        assert_eq!(
            parse_response(refused.trim_end_matches('\u{1e}').as_bytes()),
            Err("The server does not support version 3 of the 'json' protocol.".to_owned())
        );
        assert!(parse_response(b"[]").is_err());
        assert!(parse_response(b"nope").is_err());
    }
}
