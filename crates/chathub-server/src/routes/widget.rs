//! `GET /operator-chat-panel/widget-script.js`: the stand-in of the
//! vendor's operator chat panel (spec §3.9), one ES module embedded in the
//! binary. It is public and holds no secret, so any page may load it
//! (module scripts are fetched with CORS); the API calls it makes are what
//! `--cors-allow-origin` governs.

use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The path the vendor's widget host serves the panel at.
pub const SCRIPT_PATH: &str = "/operator-chat-panel/widget-script.js";

/// The panel's source.
pub const SCRIPT: &str = include_str!("../../assets/widget-script.js");

/// How long browsers may use the script without asking again (seconds);
/// after that they revalidate with the `ETag`.
const MAX_AGE_SECS: u32 = 300;

/// The script's strong `ETag`: a digest of its text, so it changes exactly
/// when the script does.
pub fn etag() -> &'static HeaderValue {
    static ETAG: OnceLock<HeaderValue> = OnceLock::new();
    ETAG.get_or_init(|| {
        let digest = Sha256::digest(SCRIPT.as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"panel\""))
    })
}

/// Serves the panel script, or 304 when the browser's copy is current.
pub async fn script(headers: HeaderMap) -> Response {
    let etag = etag();
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag.as_bytes() == etag.as_bytes());
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_str(&format!("public, max-age={MAX_AGE_SECS}, must-revalidate"))),
        (header::ETAG, Ok(etag.clone())),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, Ok(HeaderValue::from_static("*"))),
        (header::X_CONTENT_TYPE_OPTIONS, Ok(HeaderValue::from_static("nosniff"))),
        (header::HeaderName::from_static("cross-origin-resource-policy"), Ok(HeaderValue::from_static("cross-origin"))),
    ];
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"))], SCRIPT).into_response()
    };
    for (name, value) in common {
        if let Ok(value) = value {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
