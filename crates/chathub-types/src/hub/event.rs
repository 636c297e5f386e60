//! The events the hub sends (Decision 30): each one's target name and
//! arguments, in the shapes of Decisions 18-19.

use serde_json::{Value, json};

use super::record::Outgoing;
use crate::chat::{Chat, ChatStatus, Message, MessageStatus};
use crate::{ChatId, MessageId};

/// An event as the hub sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubEvent<'a> {
    /// `ChatCreated(chat)`: a chat was opened (its first message counted).
    ChatCreated(&'a Chat),
    /// `ReceiveMessage(message)`: a message without media.
    ReceiveMessage(&'a Message),
    /// `ReceiveMediaMessage(message)`: a message with media.
    ReceiveMediaMessage(&'a Message),
    /// `ChatStatusChanged(chatId, status)`.
    ChatStatusChanged(ChatId, ChatStatus),
    /// `MessageStatusChanged(messageId, status)`.
    MessageStatusChanged(MessageId, MessageStatus),
}

impl HubEvent<'_> {
    /// The invocation target clients subscribe to (`connection.on(...)`).
    pub const fn target(&self) -> &'static str {
        match self {
            Self::ChatCreated(_) => "ChatCreated",
            Self::ReceiveMessage(_) => "ReceiveMessage",
            Self::ReceiveMediaMessage(_) => "ReceiveMediaMessage",
            Self::ChatStatusChanged(..) => "ChatStatusChanged",
            Self::MessageStatusChanged(..) => "MessageStatusChanged",
        }
    }

    /// The arguments, in order.
    pub fn arguments(&self) -> Vec<Value> {
        match self {
            Self::ChatCreated(chat) => vec![json!(chat)],
            Self::ReceiveMessage(message) | Self::ReceiveMediaMessage(message) => vec![json!(message)],
            Self::ChatStatusChanged(chat, status) => vec![json!(chat), json!(status)],
            Self::MessageStatusChanged(message, status) => vec![json!(message), json!(status)],
        }
    }

    /// The invocation record (type 1, no invocation id).
    pub fn record(&self) -> Outgoing {
        Outgoing::Event { target: self.target(), arguments: self.arguments() }
    }
}

/// An event as a client receives it: owned, read from an invocation's
/// target and arguments by [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceivedEvent {
    /// `ChatCreated(chat)`.
    ChatCreated(Chat),
    /// `ReceiveMessage(message)`: a message without media.
    ReceiveMessage(Message),
    /// `ReceiveMediaMessage(message)`: a message with media.
    ReceiveMediaMessage(Message),
    /// `ChatStatusChanged(chatId, status)`.
    ChatStatusChanged(ChatId, ChatStatus),
    /// `MessageStatusChanged(messageId, status)`.
    MessageStatusChanged(MessageId, MessageStatus),
}

/// Why an invocation from the server is not an event [`parse`] knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// A target that is none of the five events (clients ignore it).
    #[error("unknown hub event `{0}`")]
    UnknownTarget(String),
    /// A known target whose arguments do not fit.
    #[error("hub event `{target}` with unreadable arguments: {reason}")]
    BadArguments {
        /// The target.
        target: &'static str,
        /// What did not fit.
        reason: String,
    },
}

/// Reads an event from the target (matched without regard to case, as
/// `@microsoft/signalr` matches handlers) and arguments of an invocation
/// the server sent. Property names match without regard to case and
/// unknown enum numbers are kept, as everywhere in this crate.
pub fn parse(target: &str, arguments: &[Value]) -> Result<ReceivedEvent, EventError> {
    const TARGETS: [&str; 5] =
        ["ChatCreated", "ReceiveMessage", "ReceiveMediaMessage", "ChatStatusChanged", "MessageStatusChanged"];
    let Some(known) = TARGETS.into_iter().find(|name| name.eq_ignore_ascii_case(target)) else {
        return Err(EventError::UnknownTarget(target.to_owned()));
    };
    let bad = |reason: String| EventError::BadArguments { target: known, reason };
    let one = || match arguments {
        [value] => Ok(value),
        _ => Err(bad(format!("{} arguments, expected 1", arguments.len()))),
    };
    let two = || match arguments {
        [first, second] => Ok((first, second)),
        _ => Err(bad(format!("{} arguments, expected 2", arguments.len()))),
    };
    Ok(match known {
        "ChatCreated" => ReceivedEvent::ChatCreated(read(known, one()?)?),
        "ReceiveMessage" => ReceivedEvent::ReceiveMessage(read(known, one()?)?),
        "ReceiveMediaMessage" => ReceivedEvent::ReceiveMediaMessage(read(known, one()?)?),
        "ChatStatusChanged" => {
            let (chat, status) = two()?;
            let chat = read_id(chat).map(ChatId).ok_or_else(|| bad("chatId is not a 32-bit integer".to_owned()))?;
            ReceivedEvent::ChatStatusChanged(chat, read(known, status)?)
        }
        _ => {
            let (message, status) = two()?;
            let message =
                read_id(message).map(MessageId).ok_or_else(|| bad("messageId is not a 32-bit integer".to_owned()))?;
            ReceivedEvent::MessageStatusChanged(message, read(known, status)?)
        }
    })
}

fn read<T: serde::de::DeserializeOwned>(target: &'static str, value: &Value) -> Result<T, EventError> {
    crate::json::from_value(value).map_err(|error| EventError::BadArguments { target, reason: error.to_string() })
}

fn read_id(value: &Value) -> Option<i32> {
    value.as_i64().and_then(|id| i32::try_from(id).ok())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::chat::{Author, ChatClient, MessageSource};
    use crate::{ClientId, OrganizationId};

    fn message(media: bool) -> Message {
        let mut message: Message = serde_json::from_value(json!({
            "id": 9001, "chatId": 123, "author": 1, "operatorId": null,
            "message": "Where is my parcel?", "phone": "380501234567", "media": null,
            "status": 0, "createdAt": "2026-01-28T10:15:00Z"
        }))
        .unwrap();
        if media {
            message.media = serde_json::from_value(json!({
                "name": "p.jpg", "format": "image/jpeg", "type": 1, "uri": "http://127.0.0.1:8080/media/x/p.jpg"
            }))
            .unwrap();
            message.message = None;
        }
        assert_eq!(message.author, Author::Client);
        message
    }

    #[test]
    fn targets_and_arguments() {
        let chat = Chat {
            id: ChatId(123),
            theme: Some("Parcel #491".to_owned()),
            organization_id: OrganizationId(24),
            mess_source: MessageSource::TelegramBot,
            chat_status: ChatStatus::New,
            count_unread: 1,
            client: ChatClient { id: ClientId(501), name: None, phone: None, tg_user_id: Some(70123) },
            operator: None,
            created_at: Utc.with_ymd_and_hms(2026, 1, 28, 10, 15, 0).unwrap(),
            last_message_at: None,
        };
        let created = HubEvent::ChatCreated(&chat).record().to_json();
        assert_eq!(created["type"], json!(1));
        assert_eq!(created["target"], json!("ChatCreated"));
        assert_eq!(created["arguments"][0]["organizationId"], json!(24));
        assert_eq!(created["arguments"][0]["messSource"], json!(2));
        assert!(created.get("invocationId").is_none());

        let text = message(false);
        let received = HubEvent::ReceiveMessage(&text).record().to_json();
        assert_eq!(received["target"], json!("ReceiveMessage"));
        assert_eq!(received["arguments"], json!([serde_json::to_value(&text).unwrap()]));
        assert_eq!(received["arguments"][0]["message"], json!("Where is my parcel?"));

        let media = message(true);
        let received = HubEvent::ReceiveMediaMessage(&media).record().to_json();
        assert_eq!(received["target"], json!("ReceiveMediaMessage"));
        assert_eq!(received["arguments"][0]["media"]["uri"], json!("http://127.0.0.1:8080/media/x/p.jpg"));

        assert_eq!(
            HubEvent::ChatStatusChanged(ChatId(123), ChatStatus::Closed).record().to_json(),
            json!({"type": 1, "target": "ChatStatusChanged", "arguments": [123, 4]})
        );
        assert_eq!(
            HubEvent::MessageStatusChanged(MessageId(9002), MessageStatus::Read).record().to_json(),
            json!({"type": 1, "target": "MessageStatusChanged", "arguments": [9002, 3]})
        );
    }

    #[test]
    fn a_client_reads_each_event() {
        let text = message(false);
        let record = HubEvent::ReceiveMessage(&text).record().to_json();
        let arguments = record["arguments"].as_array().unwrap();
        assert_eq!(parse("ReceiveMessage", arguments), Ok(ReceivedEvent::ReceiveMessage(text.clone())));
        assert_eq!(parse("receivemessage", arguments), Ok(ReceivedEvent::ReceiveMessage(text)));
        let media = message(true);
        let record = HubEvent::ReceiveMediaMessage(&media).record().to_json();
        assert_eq!(
            parse("ReceiveMediaMessage", record["arguments"].as_array().unwrap()),
            Ok(ReceivedEvent::ReceiveMediaMessage(media))
        );
        assert_eq!(
            parse("ChatStatusChanged", &[json!(123), json!(4)]),
            Ok(ReceivedEvent::ChatStatusChanged(ChatId(123), ChatStatus::Closed))
        );
        assert_eq!(
            parse("MessageStatusChanged", &[json!(9002), json!(9)]),
            Ok(ReceivedEvent::MessageStatusChanged(MessageId(9002), MessageStatus::Unknown(9)))
        );
        assert_eq!(parse("Nope", &[]), Err(EventError::UnknownTarget("Nope".to_owned())));
        for (target, arguments) in [
            ("ChatStatusChanged", vec![json!(123)]),
            ("ChatStatusChanged", vec![json!("123"), json!(1)]),
            ("MessageStatusChanged", vec![json!(1), json!("x")]),
            ("ReceiveMessage", vec![json!({"id": 1})]),
            ("ChatCreated", vec![]),
        ] {
            assert!(matches!(parse(target, &arguments), Err(EventError::BadArguments { .. })), "{target}");
        }
    }
}
