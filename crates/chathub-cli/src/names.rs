//! The names the command line reads and prints for the chat enums: one word
//! each, the same in both directions (`--status paused` lists chats the table
//! shows as `paused`), or the wire number.

use chathub_client::types::chat::{Author, ChatStatus, MediaType, MessageSource, MessageStatus};

/// Messengers, in wire order (Decision 17).
const SOURCES: &[(MessageSource, &str)] = &[
    (MessageSource::Viber, "viber"),
    (MessageSource::ViberBot, "viber-bot"),
    (MessageSource::TelegramBot, "telegram-bot"),
    (MessageSource::WhatsApp, "whatsapp"),
    (MessageSource::Widget, "widget"),
    (MessageSource::Instagram, "instagram"),
    (MessageSource::Facebook, "facebook"),
    (MessageSource::Rozetka, "rozetka"),
    (MessageSource::PromUa, "prom-ua"),
];

/// Chat statuses, in wire order (Decision 16); OnPause reads `paused`.
const CHAT_STATUSES: &[(ChatStatus, &str)] = &[
    (ChatStatus::New, "new"),
    (ChatStatus::Open, "open"),
    (ChatStatus::Waiting, "waiting"),
    (ChatStatus::OnPause, "paused"),
    (ChatStatus::Closed, "closed"),
];

/// Message statuses, in wire order (Decision 17).
const MESSAGE_STATUSES: &[(MessageStatus, &str)] = &[
    (MessageStatus::New, "new"),
    (MessageStatus::Success, "success"),
    (MessageStatus::Rejected, "rejected"),
    (MessageStatus::Read, "read"),
];

/// Lower case without `-`, `_`, `.` and spaces: `Telegram_Bot`, `telegram-bot`
/// and `TelegramBot` read alike, as do `prom.ua` and `prom-ua`.
fn simplify(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '-' | '_' | '.' | ' ')).flat_map(char::to_lowercase).collect()
}

/// Reads a name of `table` (any case and punctuation), its enum's own name
/// (`OnPause`), or a wire number the table holds.
fn parse<T: Copy + PartialEq>(
    text: &str,
    table: &[(T, &str)],
    from_i32: fn(i32) -> T,
    own_name: fn(T) -> Option<&'static str>,
) -> Option<T> {
    let text = text.trim();
    if let Ok(number) = text.parse::<i32>() {
        let value = from_i32(number);
        return table.iter().any(|(known, _)| *known == value).then_some(value);
    }
    let key = simplify(text);
    if key.is_empty() {
        return None;
    }
    table
        .iter()
        .find(|(value, name)| simplify(name) == key || own_name(*value).is_some_and(|own| simplify(own) == key))
        .map(|(value, _)| *value)
}

fn name_of<T: Copy + PartialEq>(value: T, table: &[(T, &str)], number: fn(T) -> i32) -> String {
    table
        .iter()
        .find(|(known, _)| *known == value)
        .map_or_else(|| number(value).to_string(), |(_, name)| (*name).to_owned())
}

/// `--source`: viber, viber-bot, telegram-bot, whatsapp, widget, instagram,
/// facebook, rozetka, prom-ua or 0-8.
pub fn parse_source(text: &str) -> Result<MessageSource, String> {
    parse(text, SOURCES, MessageSource::from_i32, MessageSource::name).ok_or_else(|| {
        format!(
            "unknown source `{}` (expected viber, viber-bot, telegram-bot, whatsapp, widget, instagram, facebook, \
             rozetka, prom-ua or 0-8)",
            text.trim()
        )
    })
}

/// A chat status: new, open, waiting, paused, closed or 0-4.
pub fn parse_chat_status(text: &str) -> Result<ChatStatus, String> {
    parse(text, CHAT_STATUSES, ChatStatus::from_i32, ChatStatus::name).ok_or_else(|| {
        format!("unknown chat status `{}` (expected new, open, waiting, paused, closed or 0-4)", text.trim())
    })
}

/// A message status: new, success, rejected, read or 0-3.
pub fn parse_message_status(text: &str) -> Result<MessageStatus, String> {
    parse(text, MESSAGE_STATUSES, MessageStatus::from_i32, MessageStatus::name).ok_or_else(|| {
        format!("unknown message status `{}` (expected new, success, rejected, read or 0-3)", text.trim())
    })
}

/// `telegram-bot`, or the number of a source this version does not know.
pub fn source(value: MessageSource) -> String {
    name_of(value, SOURCES, MessageSource::to_i32)
}

/// `paused`, or the number of a status this version does not know.
pub fn chat_status(value: ChatStatus) -> String {
    name_of(value, CHAT_STATUSES, ChatStatus::to_i32)
}

/// `read`, or the number of a status this version does not know.
pub fn message_status(value: MessageStatus) -> String {
    name_of(value, MESSAGE_STATUSES, MessageStatus::to_i32)
}

/// `client`, `operator`, `system`, or the number.
pub fn author(value: Author) -> String {
    value.name().map_or_else(|| value.to_i32().to_string(), str::to_ascii_lowercase)
}

/// `photo`, `video`, `audio`, `file`, or the number.
pub fn media_type(value: MediaType) -> String {
    value.name().map_or_else(|| value.to_i32().to_string(), str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_by_name_any_spelling_or_number() {
        assert_eq!(parse_source("telegram-bot"), Ok(MessageSource::TelegramBot));
        assert_eq!(parse_source("TelegramBot"), Ok(MessageSource::TelegramBot));
        assert_eq!(parse_source(" telegram_bot "), Ok(MessageSource::TelegramBot));
        assert_eq!(parse_source("prom.ua"), Ok(MessageSource::PromUa));
        assert_eq!(parse_source("WhatsApp"), Ok(MessageSource::WhatsApp));
        assert_eq!(parse_source("0"), Ok(MessageSource::Viber));
        assert_eq!(parse_source("8"), Ok(MessageSource::PromUa));
        for bad in ["9", "-1", "", "telegram", "sms", "-8"] {
            assert!(parse_source(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_by_name_or_number() {
        assert_eq!(parse_chat_status("paused"), Ok(ChatStatus::OnPause));
        assert_eq!(parse_chat_status("OnPause"), Ok(ChatStatus::OnPause));
        assert_eq!(parse_chat_status("Closed"), Ok(ChatStatus::Closed));
        assert_eq!(parse_chat_status("4"), Ok(ChatStatus::Closed));
        assert!(parse_chat_status("5").is_err());
        assert!(parse_chat_status("archived").is_err());
        assert_eq!(parse_message_status("READ"), Ok(MessageStatus::Read));
        assert_eq!(parse_message_status("2"), Ok(MessageStatus::Rejected));
        assert!(parse_message_status("4").is_err());
        assert!(parse_message_status("delivered").is_err());
    }

    #[test]
    fn names_read_back_and_unknown_numbers_show_as_numbers() {
        for (value, name) in SOURCES {
            assert_eq!(parse_source(name), Ok(*value));
            assert_eq!(source(*value), *name);
        }
        for (value, name) in CHAT_STATUSES {
            assert_eq!(parse_chat_status(name), Ok(*value));
        }
        assert_eq!(source(MessageSource::from_i32(12)), "12");
        assert_eq!(chat_status(ChatStatus::from_i32(7)), "7");
        assert_eq!(message_status(MessageStatus::Read), "read");
        assert_eq!(author(Author::Client), "client");
        assert_eq!(author(Author::from_i32(5)), "5");
        assert_eq!(media_type(MediaType::Photo), "photo");
    }
}
