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
}
