//! Chats and messages (spec §7): the one chat shape (Decision 18), the one
//! message shape (Decision 19), media (Decisions 26, 27), the enums of
//! Decisions 16 and 17, and one module per endpoint.
//!
//! ```
//! use chathub_types::chat::{Chat, ChatStatus, MessageSource};
//! let chat: Chat = chathub_types::json::from_slice(br#"{"id": 123, "theme": null,
//!   "organizationId": 24, "messSource": 2, "chatStatus": 9, "countUnread": 0,
//!   "client": {"id": 501, "name": null, "phone": null, "tgUserId": 7012345678},
//!   "operator": null, "createdAt": "2026-01-28T10:15:00Z", "lastMessageAt": null}"#).unwrap();
//! assert_eq!(chat.mess_source, MessageSource::TelegramBot);
//! assert_eq!(chat.chat_status, ChatStatus::Unknown(9));
//! ```

pub mod base64;
pub mod delete_chat;
pub mod enums;
pub mod get_chat;
pub mod list_chats;
pub mod list_messages;
pub mod media;
pub mod send_message;
pub mod set_chat_status;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use enums::{Author, ChatStatus, MediaType, MessageSource, MessageStatus};
pub use media::{CheckedMedia, MediaRef, NewMedia};

use crate::{ChatId, ClientId, MessageId, OperatorId, OrganizationId};

/// Longest message text, in Unicode scalar values (Decision 25: Telegram's limit).
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// A chat as lists, `GET /api/chat/chats/{id}` and `ChatCreated` show it
/// (Decision 18).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Chat {
    /// Its id.
    pub id: ChatId,
    /// Its theme (subject), if any.
    #[serde(default)]
    pub theme: Option<String>,
    /// The organization it belongs to.
    pub organization_id: OrganizationId,
    /// The messenger it runs on.
    pub mess_source: MessageSource,
    /// Its status.
    pub chat_status: ChatStatus,
    /// How many of the client's messages are still New.
    pub count_unread: i32,
    /// The client (messenger user).
    pub client: ChatClient,
    /// The assigned operator, if any.
    #[serde(default)]
    pub operator: Option<ChatOperator>,
    /// When the chat began.
    #[serde(with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<Utc>,
    /// When its latest message was written, if it has any.
    #[serde(default, with = "crate::time::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_message_at: Option<DateTime<Utc>>,
}

/// A chat's client (Decision 18). Every field but `id` may be null.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChatClient {
    /// Its id.
    pub id: ClientId,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its phone: 7-15 digits.
    #[serde(default)]
    pub phone: Option<String>,
    /// Its Telegram user id (64-bit; Telegram's fit in 52 bits).
    #[serde(default)]
    pub tg_user_id: Option<i64>,
}

/// A chat's assigned operator (Decision 18).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatOperator {
    /// Its id.
    pub id: OperatorId,
    /// Its name.
    pub name: String,
    /// The URL of its photo, if any.
    #[serde(default)]
    pub photo: Option<String>,
}

/// A message as lists, send answers and receive events show it (Decision 19).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Its id.
    pub id: MessageId,
    /// Its chat.
    pub chat_id: ChatId,
    /// Who wrote it.
    pub author: Author,
    /// The operator who sent it (operator tokens only).
    #[serde(default)]
    pub operator_id: Option<OperatorId>,
    /// Its text (`textMessage` in requests); null for media without text.
    #[serde(default)]
    pub message: Option<String>,
    /// The client's phone, if known.
    #[serde(default)]
    pub phone: Option<String>,
    /// Its media, if any.
    #[serde(default)]
    pub media: Option<MediaRef>,
    /// Its delivery status.
    pub status: MessageStatus,
    /// When it was written.
    #[serde(with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<Utc>,
}

/// Why a message's text breaks Decision 25 (for the REST `$.textMessage`
/// error and the hub's `HubException` reasons of Decision 29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Blank or missing text and no media (hub: `Message is empty`).
    #[error("Message is empty")]
    Empty,
    /// More than [`MAX_MESSAGE_CHARS`] characters (hub: `Message is too long`).
    #[error("Message is too long")]
    TooLong,
    /// U+0000, which PostgreSQL text cannot hold (Decision 14).
    #[error("Message contains U+0000")]
    Nul,
}

impl TextError {
    /// The REST message for `$.textMessage`.
    pub fn rest_message(self) -> String {
        match self {
            TextError::Empty => "A text is required when no media is sent.".to_owned(),
            TextError::TooLong => format!("The text must be at most {MAX_MESSAGE_CHARS} characters long."),
            TextError::Nul => "The value must not contain the character U+0000.".to_owned(),
        }
    }
}

/// Checks a message's text (Decision 25): blank text needs media, at most
/// [`MAX_MESSAGE_CHARS`] characters, no U+0000.
///
/// ```
/// use chathub_types::chat::{check_text, TextError};
/// assert_eq!(check_text(Some("  "), false), Err(TextError::Empty));
/// assert_eq!(check_text(None, true), Ok(()));
/// assert_eq!(check_text(Some(&"x".repeat(4097)), true), Err(TextError::TooLong));
/// ```
pub fn check_text(text: Option<&str>, has_media: bool) -> Result<(), TextError> {
    match text {
        Some(text) if text.contains('\0') => Err(TextError::Nul),
        Some(text) if text.chars().count() > MAX_MESSAGE_CHARS => Err(TextError::TooLong),
        Some(text) if !text.trim().is_empty() => Ok(()),
        _ if has_media => Ok(()),
        _ => Err(TextError::Empty),
    }
}

/// Checks a message's `textMessage` and `media` as the REST bodies carry
/// them (Decisions 25, 26), adding each problem to `errors` under
/// `$.textMessage` or `$.media.<field>`; the decoded media when it is valid.
pub fn check_message_content(
    text: Option<&str>,
    media: Option<&NewMedia>,
    errors: &mut crate::ValidationErrors,
) -> Option<CheckedMedia> {
    if let Err(error) = check_text(text, media.is_some()) {
        errors.add("$.textMessage", error.rest_message());
    }
    match media.map(|media| media.check("$.media")).transpose() {
        Ok(media) => media,
        Err(media_errors) => {
            errors.extend(media_errors);
            None
        }
    }
}

/// The digits of a phone number once ` +-()` are dropped, if it then holds
/// 7-15 ASCII digits and nothing else (Decisions 18, 31).
///
/// ```
/// use chathub_types::chat::normalize_phone;
/// assert_eq!(normalize_phone("+380 (50) 123-45-67").as_deref(), Some("380501234567"));
/// assert_eq!(normalize_phone("12345"), None);
/// assert_eq!(normalize_phone("38050x234567"), None);
/// ```
pub fn normalize_phone(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '+' | '-' | '(' | ')')).collect();
    (digits.bytes().all(|b| b.is_ascii_digit()) && (7..=15).contains(&digits.len())).then_some(digits)
}
