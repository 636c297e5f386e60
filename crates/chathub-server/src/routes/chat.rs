//! The chat endpoints (spec §7.1-7.2, Decisions 18-25), with the token
//! rules of Decision 20: company credentials see every chat of the
//! company, operator tokens every chat of their organization; a chat the
//! caller cannot see is 404, like an unknown one.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use chathub_types::chat::{delete_chat, get_chat, list_chats, list_messages, send_message, set_chat_status};
use chathub_types::endpoint::Method;
use chathub_types::json::RequestBody;
use chathub_types::{ChatId, Endpoint};
use chrono::Utc;

use super::json;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{AnyAuth, CompanyAuth, MessageJson, ValidJson};
use crate::state::AppState;
use crate::store::chats::{ChatWrite, ChatWritten};
use crate::store::model::ReadModel;

/// The chat, media and (with `--simulator`) simulator routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    let router = Router::new()
        .route(list_chats::ENDPOINT.path, on(filter(&list_chats::ENDPOINT), list))
        .route(get_chat::ENDPOINT.path, on(filter(&get_chat::ENDPOINT), get).on(filter(&delete_chat::ENDPOINT), delete))
        .route(set_chat_status::ENDPOINT.path, on(filter(&set_chat_status::ENDPOINT), set_status))
        .route(list_messages::ENDPOINT.path, on(filter(&list_messages::ENDPOINT), messages))
        .route(list_messages::ENDPOINT_BY_CHAT_ID.path, on(filter(&list_messages::ENDPOINT_BY_CHAT_ID), messages))
        .route(send_message::ENDPOINT.path, on(filter(&send_message::ENDPOINT), send));
    let router = if state.settings.simulator { router.merge(super::simulator::routes()) } else { router };
    router
        .layer(axum::middleware::from_fn_with_state(state.clone(), super::media::learn_public_url))
        .route(super::media::PATH, axum::routing::get(super::media::serve))
}

/// The method filter of an endpoint.
pub fn filter(endpoint: &Endpoint) -> MethodFilter {
    match endpoint.method {
        Method::Get => MethodFilter::GET,
        Method::Post => MethodFilter::POST,
        Method::Put => MethodFilter::PUT,
        Method::Delete => MethodFilter::DELETE,
    }
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
    match write(&state, ChatWrite::SetChatStatus { chat: request.id, status: request.status }).await? {
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
    let id = delete_chat_id(&id)?;
    if !can_see(&state.store.read(), &Principal::Company(company), id) {
        return Err(not_found());
    }
    match write(&state, ChatWrite::DeleteChat { chat: id }).await? {
        ChatWritten::NotFound => Err(not_found()),
        _ => Ok(empty_ok()),
    }
}

fn delete_chat_id(segment: &str) -> Result<ChatId, ApiError> {
    Ok(get_chat::parse_id(segment, "id")?)
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
    if !can_see(&state.store.read(), &principal, id) {
        return Err(not_found());
    }
    let operator = match principal {
        Principal::Operator { id, .. } => Some(id),
        Principal::Company(_) => None,
    };
    let text = request.text_message.filter(|text| !text.trim().is_empty());
    let write = ChatWrite::SendMessage { chat: id, operator, text, media, at: now() };
    match write_chat(&state, write).await? {
        ChatWritten::Message(message) => {
            state.store.read().message_view(message).map(|message| json(&message)).ok_or_else(not_found)
        }
        ChatWritten::Closed => Err(ApiError::invalid("chatId", "The chat is closed; reopen it to write.")),
        _ => Err(not_found()),
    }
}

/// Now, cut to milliseconds (what the database keeps).
pub fn now() -> chrono::DateTime<Utc> {
    chathub_types::time::truncate_to_millis(Utc::now())
}

async fn write(state: &AppState, write: ChatWrite) -> Result<ChatWritten, ApiError> {
    write_chat(state, write).await
}

/// Commits a chat write; storage failures are 500s.
pub async fn write_chat(state: &AppState, write: ChatWrite) -> Result<ChatWritten, ApiError> {
    state.store.chat_write(write).await.map_err(ApiError::internal)
}
