//! `--cors-allow-origin`: cross-origin access to `/api/` and
//! `/chathub/negotiate` for the pages it names (spec §6), so a page on
//! another origin can run the operator chat panel against this server.
//! Without the flag no response carries CORS headers there and browsers
//! keep other origins out. Other paths are never touched (the panel script
//! sets its own `Access-Control-Allow-Origin: *`).

use std::convert::Infallible;
use std::fmt;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::{Layer as _, ServiceExt as _};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// One `--cors-allow-origin` value: every origin (`*`) or one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigin {
    /// `*`: any origin.
    Any,
    /// `scheme://host[:port]`, lower-cased, as browsers send it in `Origin`.
    Exact(String),
}

impl fmt::Display for AllowedOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Exact(origin) => f.write_str(origin),
        }
    }
}

/// Parses `*` or an origin such as `http://localhost:3000` (a trailing `/`
/// is dropped; a path, query, user or a scheme other than http(s) is refused).
pub fn parse_origin(text: &str) -> Result<AllowedOrigin, String> {
    let text = text.trim();
    if text == "*" {
        return Ok(AllowedOrigin::Any);
    }
    let invalid = |why: &str| format!("`{text}` is not an origin ({why}); write `*` or e.g. `http://localhost:3000`");
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
        .ok_or_else(|| invalid("it must start with http:// or https://"))?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() {
        return Err(invalid("no host"));
    }
    if authority.contains(['/', '?', '#', '@']) || authority.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("an origin has no path, query, fragment or user"));
    }
    if let Some((host, port)) = authority.rsplit_once(':')
        && !host.ends_with(']')
        && !host.contains(':')
        && (host.is_empty() || port.parse::<u16>().is_err())
    {
        return Err(invalid("bad port"));
    }
    let origin = format!("{}{authority}", &lower[..lower.len() - rest.len()]);
    HeaderValue::from_str(&origin).map_err(|_| invalid("not a header value"))?;
    Ok(AllowedOrigin::Exact(origin))
}

/// The CORS rules for the allowed origins, or `None` when there are none.
pub fn layer(origins: &[AllowedOrigin]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow_origin = if origins.contains(&AllowedOrigin::Any) {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|origin| HeaderValue::from_str(&origin.to_string()).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                HeaderName::from_static("x-authorization-key"),
                header::CONTENT_TYPE,
                header::ACCEPT,
            ])
            .expose_headers([header::WWW_AUTHENTICATE, header::RETRY_AFTER])
            .max_age(Duration::from_secs(600)),
    )
}

/// Whether CORS applies to `path`: `/api/...` and `/chathub/negotiate`.
pub fn applies_to(path: &str) -> bool {
    path.starts_with("/api/") || path == "/chathub/negotiate"
}

/// Middleware: runs requests under [`applies_to`] through `cors` (answering
/// preflights), and every other request as it is.
pub async fn scoped(State(cors): State<CorsLayer>, request: Request, next: Next) -> Response {
    if !applies_to(request.uri().path()) {
        return next.run(request).await;
    }
    let mut next = Some(next);
    let inner = tower::service_fn(move |request: Request| {
        let next = next.take();
        async move {
            Ok::<_, Infallible>(match next {
                Some(next) => next.run(request).await,
                None => crate::ApiError::internal("the CORS layer called its service twice").into_response(),
            })
        }
    });
    match cors.layer(inner).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(parse_origin("*"), Ok(AllowedOrigin::Any));
        assert_eq!(parse_origin("http://localhost:3000"), Ok(AllowedOrigin::Exact("http://localhost:3000".into())));
        assert_eq!(parse_origin(" HTTPS://Example.COM/ "), Ok(AllowedOrigin::Exact("https://example.com".into())));
        assert_eq!(parse_origin("http://[::1]:8080"), Ok(AllowedOrigin::Exact("http://[::1]:8080".into())));
        for bad in [
            "",
            "localhost:3000",
            "ftp://example.com",
            "http://",
            "http://example.com/app",
            "http://example.com?x",
            "http://user@example.com",
            "http://example.com:99999",
            "http://example.com:",
            "http://exa mple.com",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scope() {
        assert!(applies_to("/api/operator"));
        assert!(applies_to("/chathub/negotiate"));
        for path in ["/health", "/operator-chat-panel/widget-script.js", "/demo/widget", "/api", "/swagger"] {
            assert!(!applies_to(path), "{path}");
        }
        assert!(layer(&[]).is_none());
    }
}
