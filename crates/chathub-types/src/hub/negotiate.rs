//! `POST /chathub/negotiate` (§7.3): the version rule, the answer, and the
//! texts for requests that are not WebSocket upgrades.

use serde::{Deserialize, Serialize};

/// The query parameter naming the client's negotiate version.
pub const VERSION_QUERY: &str = "negotiateVersion";

/// The query parameter naming the connection on the upgrade.
pub const ID_QUERY: &str = "id";

/// The highest negotiate version served.
pub const MAX_VERSION: u32 = 1;

/// The only transport served.
pub const WEB_SOCKETS: &str = "WebSockets";

/// The version to answer with for the query's `negotiateVersion` (absent:
/// 0; above [`MAX_VERSION`]: 1), or the error answer's text for one that
/// is not a non-negative integer.
pub fn version(query_value: Option<&str>) -> Result<u32, String> {
    let Some(raw) = query_value else {
        return Ok(0);
    };
    let digits = raw.strip_prefix('+').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("The client requested an invalid protocol version '{raw}'"));
    }
    Ok(if digits.bytes().all(|b| b == b'0') { 0 } else { MAX_VERSION })
}

/// A transport the server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transport {
    /// `WebSockets`.
    pub transport: String,
    /// `["Text"]`.
    pub transfer_formats: Vec<String>,
}

/// The negotiate answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// The version answered with.
    pub negotiate_version: u32,
    /// The connection's public id.
    pub connection_id: String,
    /// The secret id the upgrade names (version 1 only; version 0 uses the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_token: Option<String>,
    /// WebSockets with text frames, only.
    pub available_transports: Vec<Transport>,
}

impl Response {
    /// The answer for `version`, a connection id and its token.
    pub fn new(version: u32, connection_id: String, connection_token: String) -> Self {
        Self {
            negotiate_version: version,
            connection_id,
            connection_token: (version >= 1).then_some(connection_token),
            available_transports: vec![Transport {
                transport: WEB_SOCKETS.to_owned(),
                transfer_formats: vec!["Text".to_owned()],
            }],
        }
    }

    /// The id the upgrade must carry: the token, or for version 0 the id.
    pub fn upgrade_id(&self) -> &str {
        self.connection_token.as_deref().unwrap_or(&self.connection_id)
    }
}

/// The negotiate answer for a bad version (status 200, as ASP.NET answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error text.
    pub error: String,
}

/// The 404 text for a request to the hub that is not a WebSocket upgrade:
/// `ServerSentEvents` when it accepts `text/event-stream`, else `LongPolling`.
pub fn transport_not_supported(accept: Option<&str>) -> String {
    let sse = accept.is_some_and(|accept| {
        accept.split(',').any(|item| {
            item.split(';').next().is_some_and(|media| media.trim().eq_ignore_ascii_case("text/event-stream"))
        })
    });
    let transport = if sse { "ServerSentEvents" } else { "LongPolling" };
    format!("{transport} transport not supported by this end point type")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn version_rule() {
        assert_eq!(version(None), Ok(0));
        assert_eq!(version(Some("0")), Ok(0));
        assert_eq!(version(Some("1")), Ok(1));
        assert_eq!(version(Some("7")), Ok(1));
        assert_eq!(version(Some("99999999999999999999")), Ok(1));
        for bad in ["x", "", "-1", "1.0", " 1"] {
            assert_eq!(version(Some(bad)), Err(format!("The client requested an invalid protocol version '{bad}'")));
        }
    }

    #[test]
    fn answer_shapes() {
        let one = Response::new(1, "cid".to_owned(), "ctoken".to_owned());
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            json!({"negotiateVersion":1,"connectionId":"cid","connectionToken":"ctoken",
                   "availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})
        );
        assert_eq!(one.upgrade_id(), "ctoken");
        let zero = Response::new(0, "cid".to_owned(), "ctoken".to_owned());
        assert!(serde_json::to_value(&zero).unwrap().get("connectionToken").is_none());
        assert_eq!(zero.upgrade_id(), "cid");
    }

    #[test]
    fn transport_texts() {
        assert_eq!(transport_not_supported(None), "LongPolling transport not supported by this end point type");
        assert_eq!(
            transport_not_supported(Some("text/event-stream")),
            "ServerSentEvents transport not supported by this end point type"
        );
        assert_eq!(
            transport_not_supported(Some("*/*, Text/Event-Stream;q=0.5")),
            "ServerSentEvents transport not supported by this end point type"
        );
    }
}
