//! The simulated customers of spec §7.4 (Decisions 31, 32): company
//! credentials only; served only with `--simulator`.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::on;
use chathub_types::json::RequestBody;
use chathub_types::simulator::{customer_message, message_status};

use super::chat::{empty_ok, now, write_chat};
use super::json;
use crate::error::ApiError;
use crate::extract::{CompanyAuth, MessageJson, ValidJson};
use crate::method_filter;
use crate::state::AppState;
use crate::store::chats::{ChatWrite, ChatWritten, stored_text};

/// The simulator's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(customer_message::ENDPOINT.path, on(method_filter(&customer_message::ENDPOINT), customer_message))
        .route(message_status::ENDPOINT.path, on(method_filter(&message_status::ENDPOINT), message_status))
}

/// `POST /api/simulator/customer-message` (Decision 31).
pub async fn customer_message(
    State(state): State<AppState>,
    CompanyAuth(company): CompanyAuth,
    MessageJson(body): MessageJson,
) -> Result<Response, ApiError> {
    let request = customer_message::Request::from_json(&body)?;
    let media = request.check()?;
    if !state.store.read().owns_organization(company, request.organization_id) {
        return Err(ApiError::invalid("$.organizationId", "Unknown organization."));
    }
    let phone = request.phone_digits();
    let write = ChatWrite::CustomerMessage {
        company,
        organization: request.organization_id,
        source: request.source,
        theme: request.theme,
        name: request.client.name,
        phone,
        tg_user_id: request.client.tg_user_id,
        text: stored_text(request.text_message),
        media,
        at: now(),
    };
    match write_chat(&state, write).await? {
        ChatWritten::CustomerMessage { chat, message, created } => {
            let model = state.store.read();
            match (model.chat_view(chat), model.message_view(message)) {
                (Some(chat), Some(message)) => Ok(json(&customer_message::Response { chat, message, created })),
                _ => Err(ApiError::NotFound("The chat was deleted meanwhile.")),
            }
        }
        other => Err(ApiError::internal(format!("unexpected outcome {other:?}"))),
    }
}

/// `POST /api/simulator/message-status` (Decision 32).
pub async fn message_status(
    State(state): State<AppState>,
    CompanyAuth(company): CompanyAuth,
    ValidJson(request): ValidJson<message_status::Request>,
) -> Result<Response, ApiError> {
    let visible = {
        let model = state.store.read();
        model.chats.messages.get(&request.id).is_some_and(|m| model.company_of_chat(m.chat) == Some(company))
    };
    if !visible {
        return Err(ApiError::NotFound("No such message."));
    }
    match write_chat(&state, ChatWrite::SetMessageStatus { message: request.id, status: request.status }).await? {
        ChatWritten::NotFound => Err(ApiError::NotFound("No such message.")),
        _ => Ok(empty_ok()),
    }
}
