//! `GET /media/<key>/<name>` (Decision 27): media bytes without a
//! credential, with the stored type and `nosniff`.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The route.
pub const PATH: &str = "/media/{key}/{name}";

/// Serves one media file; a key or name that does not match: 404.
pub async fn serve(
    State(state): State<AppState>,
    Path((key, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let format = {
        let model = state.store.read();
        match model.media(&key) {
            Some(media) if media.name == name => media.format.clone(),
            _ => return Err(ApiError::NotFound("No such media.")),
        }
    };
    if format.contains("html") || format.contains("svg") {
        return Err(ApiError::NotFound("No such media."));
    }
    let bytes = state.store.db().media_bytes(&key).await.map_err(ApiError::internal)?;
    let Some(bytes) = bytes else { return Err(ApiError::NotFound("No such media.")) };
    let content_type = HeaderValue::from_str(&format).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox")),
        ],
        bytes,
    )
        .into_response())
}

/// When no `--public-url` was given and the server was not started by
/// [`crate::run`] (which sets the bound address), the first request whose
/// `Host` is an IP address and port sets the base of media URLs.
pub async fn learn_public_url(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.store.has_public_url()
        && let Some(host) = request.headers().get(header::HOST).and_then(|h| h.to_str().ok())
        && host.parse::<std::net::SocketAddr>().is_ok()
    {
        state.store.set_public_url(&format!("http://{host}"));
    }
    next.run(request).await
}
