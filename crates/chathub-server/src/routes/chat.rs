//! The chat endpoints (spec §7.1-7.2, Decisions 18-25), with the token
//! rules of Decision 20: company credentials see every chat of the
//! company, operator tokens every chat of their organization; a chat the
//! caller cannot see is 404, like an unknown one.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::on;
use chathub_types::ChatId;
use chathub_types::chat::{
    CheckedMedia, Message, delete_chat, get_chat, list_chats, list_messages, send_message, set_chat_status,
};
use chathub_types::json::RequestBody;
use chrono::Utc;

use super::json;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{AnyAuth, CompanyAuth, MessageJson, ValidJson};
use crate::method_filter;
use crate::state::AppState;
use crate::store::chats::{ChatWrite, ChatWritten, stored_text};
use crate::store::model::ReadModel;

/// The chat, media and (with `--simulator`) simulator routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    let router = Router::new()
        .route(list_chats::ENDPOINT.path, on(method_filter(&list_chats::ENDPOINT), list))
        .route(
            get_chat::ENDPOINT.path,
            on(method_filter(&get_chat::ENDPOINT), get).on(method_filter(&delete_chat::ENDPOINT), delete),
        )
        .route(set_chat_status::ENDPOINT.path, on(method_filter(&set_chat_status::ENDPOINT), set_status))
        .route(list_messages::ENDPOINT.path, on(method_filter(&list_messages::ENDPOINT), messages))
        .route(
            list_messages::ENDPOINT_BY_CHAT_ID.path,
            on(method_filter(&list_messages::ENDPOINT_BY_CHAT_ID), messages),
        )
        .route(send_message::ENDPOINT.path, on(method_filter(&send_message::ENDPOINT), send));
    let router = if state.settings.simulator { router.merge(super::simulator::routes()) } else { router };
    router
        .layer(axum::middleware::from_fn_with_state(state.clone(), super::media::learn_public_url))
        .route(super::media::PATH, axum::routing::get(super::media::serve))
}

/// Whether `principal` may see `chat` (Decision 20).
pub fn can_see(model: &ReadModel, principal: &Principal, chat: ChatId) -> bool {
    match principal {
        Principal::Company(company) => model.company_of_chat(chat) == Some(*company),
        Principal::Operator { organization, .. } => {
            model.chats.chats.get(&chat).is_some_and(|record| record.organization == *organization)
        }
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such chat.")
}

/// An answer of 200 with an empty body.
pub fn empty_ok() -> Response {
    StatusCode::OK.into_response()
}

/// `GET /api/chat/chats` (Decision 21).
pub async fn list(
    State(state): State<AppState>,
    AnyAuth(principal): AnyAuth,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = list_chats::Query::parse(query.as_deref())?;
    let model = state.store.read();
    let page = match principal {
        Principal::Company(company) => model.chats_visible(company, None, &query),
        Principal::Operator { company, organization, .. } => model.chats_visible(company, Some(organization), &query),
    };
    Ok(json(&page))
}

/// `GET /api/chat/chats/{id}` (Decision 18).
pub async fn get(
    State(state): State<AppState>,
    AnyAuth(principal): AnyAuth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = get_chat::parse_id(&id, "id")?;
    let model = state.store.read();
    if !can_see(&model, &principal, id) {
        return Err(not_found());
    }
    model.chat_view(id).map(|chat| json(&chat)).ok_or_else(not_found)
}

/// `PUT /api/chat/status` (Decision 22).
pub async fn set_status(
    State(state): State<AppState>,
    AnyAuth(principal): AnyAuth,
    ValidJson(request): ValidJson<set_chat_status::Request>,
) -> Result<Response, ApiError> {
    if !can_see(&state.store.read(), &principal, request.id) {
        return Err(not_found());
    }
    match write_chat(&state, ChatWrite::SetChatStatus { chat: request.id, status: request.status }).await? {
        ChatWritten::NotFound => Err(not_found()),
        _ => Ok(empty_ok()),
    }
}

/// `DELETE /api/chat/chats/{id}` (Decision 23): operator tokens 403 first.
pub async fn delete(
    State(state): State<AppState>,
    CompanyAuth(company): CompanyAuth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = get_chat::parse_id(&id, "id")?;
    if !can_see(&state.store.read(), &Principal::Company(company), id) {
        return Err(not_found());
    }
    match write_chat(&state, ChatWrite::DeleteChat { chat: id }).await? {
        ChatWritten::NotFound => Err(not_found()),
        _ => Ok(empty_ok()),
    }
}

/// Both message paths (Decision 24): every message, oldest first.
pub async fn messages(
    State(state): State<AppState>,
    AnyAuth(principal): AnyAuth,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let name = if uri.path().starts_with("/api/chat/chats/") { "id" } else { "chatId" };
    let id = get_chat::parse_id(&id, name)?;
    let model = state.store.read();
    if !can_see(&model, &principal, id) {
        return Err(not_found());
    }
    Ok(json(&model.messages_of(id)))
}

/// `POST /api/chat/{chatId}/message` (Decision 25): body errors first, then
/// the chat (404), then its state (Closed: 400 naming `chatId`).
pub async fn send(
    State(state): State<AppState>,
    AnyAuth(principal): AnyAuth,
    Path(id): Path<String>,
    MessageJson(body): MessageJson,
) -> Result<Response, ApiError> {
    let request = send_message::Request::from_json(&body)?;
    let media = request.check()?;
    let id = get_chat::parse_id(&id, "chatId")?;
    match send_reply(&state, principal, id, request.text_message, media).await {
        Ok(message) => Ok(json(&message)),
        Err(SendRefusal::NotFound) => Err(not_found()),
        Err(SendRefusal::Closed) => Err(ApiError::invalid("chatId", "The chat is closed; reopen it to write.")),
        Err(SendRefusal::Failed(error)) => Err(error),
    }
}

/// Why [`send_reply`] stored nothing.
#[derive(Debug)]
pub enum SendRefusal {
    /// The caller cannot see the chat, or it does not exist (any more).
    NotFound,
    /// The chat is Closed.
    Closed,
    /// Storage failed (a 500).
    Failed(ApiError),
}

/// Stores `principal`'s checked reply in `chat` (Decision 25), as both
/// `POST /api/chat/{chatId}/message` and the hub's send methods do: an
/// operator's reply names (and may assign) its operator, blank text is
/// stored as no text. Answers the message as the API shows it.
pub async fn send_reply(
    state: &AppState,
    principal: Principal,
    chat: ChatId,
    text: Option<String>,
    media: Option<CheckedMedia>,
) -> Result<Message, SendRefusal> {
    if !can_see(&state.store.read(), &principal, chat) {
        return Err(SendRefusal::NotFound);
    }
    let operator = match principal {
        Principal::Operator { id, .. } => Some(id),
        Principal::Company(_) => None,
    };
    let write = ChatWrite::SendMessage { chat, operator, text: stored_text(text), media, at: now() };
    match write_chat(state, write).await.map_err(SendRefusal::Failed)? {
        ChatWritten::Message(message) => state.store.read().message_view(message).ok_or(SendRefusal::NotFound),
        ChatWritten::Closed => Err(SendRefusal::Closed),
        _ => Err(SendRefusal::NotFound),
    }
}

/// Now, cut to milliseconds (what the database keeps).
pub fn now() -> chrono::DateTime<Utc> {
    chathub_types::time::truncate_to_millis(Utc::now())
}

/// Commits a chat write; storage failures are 500s.
pub async fn write_chat(state: &AppState, write: ChatWrite) -> Result<ChatWritten, ApiError> {
    state.store.chat_write(write).await.map_err(ApiError::internal)
}
