//! `GET /api/chat/chats/{id}`: one chat (our extension, Decision 18).

use crate::validation::ValidationErrors;
use crate::{Auth, ChatId, Endpoint, Method};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "chat.get",
    method: Method::Get,
    path: "/api/chat/chats/{id}",
    auth: Auth::CompanyOrOperator,
    has_body: false,
};

/// The path for one chat.
pub fn path(id: ChatId) -> String {
    format!("/api/chat/chats/{id}")
}

/// Reads an id segment of a path (Decision 23): an integer in the 32-bit
/// range, else a 400 naming `name` (`id`, `chatId`).
///
/// ```
/// use chathub_types::chat::get_chat::parse_id;
/// assert_eq!(parse_id("123", "id").unwrap().get(), 123);
/// assert!(parse_id("abc", "id").unwrap_err().names("id"));
/// ```
pub fn parse_id(segment: &str, name: &str) -> Result<ChatId, ValidationErrors> {
    crate::query::parse_i32(segment)
        .map(ChatId)
        .ok_or_else(|| ValidationErrors::single(name, crate::query::not_valid(name, segment)))
}

/// The answer: the chat.
pub type Response = super::Chat;
