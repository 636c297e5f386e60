//! `POST /chathub/negotiate[?negotiateVersion=1]` (§7.3): body and
//! `Content-Type` ignored; the credential is checked (Decision 28); the
//! answer offers WebSockets only.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use chathub_types::hub::negotiate::{self as wire, ErrorResponse, VERSION_QUERY};

use super::credential::{authenticate_hub, query_values};
use super::registry::random_id;
use crate::routes::json;
use crate::state::AppState;

/// The handler.
pub async fn negotiate(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let caller = match authenticate_hub(&state, &parts).await {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    let requested = query_values(&parts, VERSION_QUERY);
    let version = match wire::version(requested.first().map(String::as_str)) {
        Ok(version) => version,
        Err(error) => return json(&ErrorResponse { error }),
    };
    let answer = wire::Response::new(version, random_id(), random_id());
    let ttl = state.hub.settings().negotiation_ttl;
    state.hub.registry().negotiated(answer.upgrade_id().to_owned(), caller.principal, ttl);
    json(&answer)
}
