//! `GET /api/chat/chats/{id}/messages` and `GET /api/chat/{chatId}/messages`:
//! every message of a chat, oldest first, no paging (Decision 24).

use crate::{Auth, ChatId, Endpoint, Method};

/// The endpoint's metadata (the help centre's path).
pub const ENDPOINT: Endpoint = Endpoint {
    name: "chat.messages",
    method: Method::Get,
    path: "/api/chat/chats/{id}/messages",
    auth: Auth::CompanyOrOperator,
    has_body: false,
};

/// The same answer at the product page's path.
pub const ENDPOINT_BY_CHAT_ID: Endpoint = Endpoint {
    name: "chat.messages_by_chat_id",
    method: Method::Get,
    path: "/api/chat/{chatId}/messages",
    auth: Auth::CompanyOrOperator,
    has_body: false,
};

/// The path for one chat's messages (the help centre's form).
pub fn path(id: ChatId) -> String {
    format!("/api/chat/chats/{id}/messages")
}

/// The answer: the messages, oldest first.
pub type Response = Vec<super::Message>;
