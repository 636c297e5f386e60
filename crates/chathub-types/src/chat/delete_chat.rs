//! `DELETE /api/chat/chats/{id}`: delete a chat with its messages and
//! media, for good (Decision 23). Operator tokens get 403 (Decision 20).
//! Answers 200 with an empty body (clients also take `"OK"`).

use crate::{Auth, Endpoint, Method};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "chat.delete",
    method: Method::Delete,
    path: "/api/chat/chats/{id}",
    auth: Auth::Company,
    has_body: false,
};

/// The path for one chat (the same as [`get_chat::path`](super::get_chat::path)).
pub use super::get_chat::path;
