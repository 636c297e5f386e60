//! `/chathub` (§7.3, Decision 28): the credential first (401/403 before any
//! upgrade), then the transport (only WebSockets: anything else is 404 in
//! ASP.NET's words), then the connection token (404 unknown, unused too
//! long or another principal's; 409 already connected), then the upgrade.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chathub_types::ProblemDetails;
use chathub_types::hub::MAX_RECORD_BYTES;
use chathub_types::hub::negotiate::{ID_QUERY, transport_not_supported};

use super::connection::{self, Connection};
use super::credential::{authenticate_hub_credential, query_values};
use super::registry::ClaimError;
use crate::error::{ApiError, problem_response};
use crate::state::AppState;

/// The largest WebSocket message read: room for a record over the limit,
/// so it is answered with a Close record rather than a dropped socket.
const MAX_MESSAGE_BYTES: usize = 2 * MAX_RECORD_BYTES;

/// The handler, for every method.
pub async fn connect(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    let (caller, credential) = match authenticate_hub_credential(&state, &parts).await {
        Ok(authenticated) => authenticated,
        Err(error) => return error.into_response(),
    };
    let Ok(upgrade) = WebSocketUpgrade::from_request_parts(&mut parts, &state).await else {
        let accept = parts.headers.get(header::ACCEPT).and_then(|value| value.to_str().ok());
        let text = transport_not_supported(accept);
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))], text)
            .into_response();
    };
    let settings = state.hub.settings();
    let claim = match query_values(&parts, ID_QUERY).first() {
        Some(id) => state.hub.registry().claim(id, caller.principal, settings.negotiation_ttl),
        None => Ok(state.hub.registry().unnegotiated(caller.principal)),
    };
    let claim = match claim {
        Ok(claim) => claim,
        Err(ClaimError::Unknown) => return ApiError::NotFound("No Connection with that ID").into_response(),
        Err(ClaimError::InUse) => {
            let problem = ProblemDetails::new(409, "Conflict").with_detail("Connection ID already in use");
            return problem_response(StatusCode::CONFLICT, &problem);
        }
    };
    let connection = Connection { state, caller, credential, settings, claim };
    upgrade.max_message_size(MAX_MESSAGE_BYTES).on_upgrade(move |socket| connection::serve(socket, connection))
}
