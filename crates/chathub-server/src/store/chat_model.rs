//! Clients, chats and messages in the read model (spec §7): lists, chats
//! and messages are answered from here; only media bytes stay in the
//! database.

use std::collections::{BTreeMap, HashMap};

use chathub_types::chat::{
    Author, Chat, ChatClient, ChatOperator, ChatStatus, MediaRef, MediaType, Message, MessageSource, MessageStatus,
    list_chats,
};
use chathub_types::{ChatId, ClientId, CompanyId, MessageId, OperatorId, OrganizationId};
use chrono::{DateTime, Utc};

use super::model::ReadModel;

/// A client as the read model keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// Its company.
    pub company: CompanyId,
    /// Its name.
    pub name: Option<String>,
    /// Its phone digits.
    pub phone: Option<String>,
    /// Its Telegram user id.
    pub tg_user_id: Option<i64>,
}

/// A chat as the read model keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRecord {
    /// Its organization.
    pub organization: OrganizationId,
    /// Its client.
    pub client: ClientId,
    /// Its messenger.
    pub source: MessageSource,
    /// Its status.
    pub status: ChatStatus,
    /// Its theme.
    pub theme: Option<String>,
    /// Its assigned operator.
    pub operator: Option<OperatorId>,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// Its messages, oldest first.
    pub messages: Vec<MessageId>,
}

/// Media metadata of a message (the bytes stay in the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRecord {
    /// The random 128-bit key in its URL (32 hex digits).
    pub key: String,
    /// The file name.
    pub name: String,
    /// The MIME type.
    pub format: String,
    /// The kind.
    pub media_type: MediaType,
}

/// A message as the read model keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Its chat.
    pub chat: ChatId,
    /// Who wrote it.
    pub author: Author,
    /// The operator who sent it.
    pub operator: Option<OperatorId>,
    /// Its text.
    pub text: Option<String>,
    /// Its status.
    pub status: MessageStatus,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// Its media.
    pub media: Option<MediaRecord>,
}

impl MessageRecord {
    /// Whether the operators have not read it yet: a client's message still New.
    pub fn is_unread(&self) -> bool {
        self.author == Author::Client && self.status == MessageStatus::New
    }
}

/// Every client, chat and message.
#[derive(Debug, Default)]
pub struct ChatModel {
    /// Clients by id.
    pub clients: HashMap<ClientId, ClientRecord>,
    /// Chats by id.
    pub chats: BTreeMap<ChatId, ChatRecord>,
    /// Messages by id.
    pub messages: HashMap<MessageId, MessageRecord>,
    /// Media keys to their messages.
    pub media: HashMap<String, MessageId>,
    /// The base of media URLs (`--public-url`), without a trailing `/`.
    pub public_url: String,
}

impl ChatModel {
    /// Adds or replaces a message, keeping its chat's list in order.
    pub fn put_message(&mut self, id: MessageId, message: MessageRecord) {
        if let Some(chat) = self.chats.get_mut(&message.chat)
            && let Err(position) = chat.messages.binary_search(&id)
        {
            chat.messages.insert(position, id);
        }
        if let Some(media) = &message.media {
            self.media.insert(media.key.clone(), id);
        }
        self.messages.insert(id, message);
    }

    /// Removes a chat with its messages and their media.
    pub fn remove_chat(&mut self, id: ChatId) {
        if let Some(chat) = self.chats.remove(&id) {
            for message in chat.messages {
                if let Some(record) = self.messages.remove(&message)
                    && let Some(media) = record.media
                {
                    self.media.remove(&media.key);
                }
            }
        }
    }

    /// The client of `company` with these phone digits, else this Telegram
    /// user id (Decision 31).
    pub fn find_client(&self, company: CompanyId, phone: Option<&str>, tg_user_id: Option<i64>) -> Option<ClientId> {
        let of_company = || self.clients.iter().filter(move |(_, c)| c.company == company);
        phone
            .and_then(|phone| of_company().filter(|(_, c)| c.phone.as_deref() == Some(phone)).map(|(id, _)| *id).min())
            .or_else(|| {
                tg_user_id
                    .and_then(|tg| of_company().filter(|(_, c)| c.tg_user_id == Some(tg)).map(|(id, _)| *id).min())
            })
    }

    /// The newest chat of this organization, client and source that is not Closed.
    pub fn open_chat(&self, organization: OrganizationId, client: ClientId, source: MessageSource) -> Option<ChatId> {
        self.chats
            .iter()
            .rev()
            .find(|(_, c)| {
                c.organization == organization
                    && c.client == client
                    && c.source == source
                    && c.status != ChatStatus::Closed
            })
            .map(|(id, _)| *id)
    }

    /// The URL of a media key and name (Decision 27).
    pub fn media_uri(&self, key: &str, name: &str) -> String {
        format!("{}/media/{key}/{}", self.public_url, encode_segment(name))
    }
}

/// Percent-encodes a name as one RFC 3986 path segment.
pub fn encode_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl ReadModel {
    /// A chat as the API shows it.
    pub fn chat_view(&self, id: ChatId) -> Option<Chat> {
        let mut chat = self.chat_summary(id)?;
        self.fill_message_counts(&mut chat);
        Some(chat)
    }

    /// A chat as the API shows it but without reading its messages:
    /// `count_unread` is 0 and `last_message_at` is empty until
    /// [`Self::fill_message_counts`]. Enough for every list filter.
    fn chat_summary(&self, id: ChatId) -> Option<Chat> {
        let record = self.chats.chats.get(&id)?;
        let client = self.chats.clients.get(&record.client);
        Some(Chat {
            id,
            theme: record.theme.clone(),
            organization_id: record.organization,
            mess_source: record.source,
            chat_status: record.status,
            count_unread: 0,
            client: ChatClient {
                id: record.client,
                name: client.and_then(|c| c.name.clone()),
                phone: client.and_then(|c| c.phone.clone()),
                tg_user_id: client.and_then(|c| c.tg_user_id),
            },
            operator: record.operator.and_then(|op| {
                self.operator(op).map(|o| ChatOperator { id: op, name: o.name.clone(), photo: o.photo.clone() })
            }),
            created_at: record.created_at,
            last_message_at: None,
        })
    }

    /// Fills a chat's `count_unread` and `last_message_at` from its messages.
    fn fill_message_counts(&self, chat: &mut Chat) {
        let Some(record) = self.chats.chats.get(&chat.id) else { return };
        let messages = || record.messages.iter().filter_map(|m| self.chats.messages.get(m));
        let count_unread = messages().filter(|m| m.is_unread()).count();
        chat.count_unread = i32::try_from(count_unread).unwrap_or(i32::MAX);
        chat.last_message_at = messages().map(|m| m.created_at).max();
    }

    /// A message as the API shows it.
    pub fn message_view(&self, id: MessageId) -> Option<Message> {
        let record = self.chats.messages.get(&id)?;
        let phone = self
            .chats
            .chats
            .get(&record.chat)
            .and_then(|chat| self.chats.clients.get(&chat.client))
            .and_then(|client| client.phone.clone());
        Some(Message {
            id,
            chat_id: record.chat,
            author: record.author,
            operator_id: record.operator,
            message: record.text.clone(),
            phone,
            media: record.media.as_ref().map(|media| MediaRef {
                name: media.name.clone(),
                format: media.format.clone(),
                media_type: media.media_type,
                uri: self.chats.media_uri(&media.key, &media.name),
            }),
            status: record.status,
            created_at: record.created_at,
        })
    }

    /// The company a chat belongs to.
    pub fn company_of_chat(&self, id: ChatId) -> Option<CompanyId> {
        self.chats.chats.get(&id).and_then(|chat| self.organization(chat.organization)).map(|o| o.company)
    }

    /// One page of the chats of `company` (and of `organization` when
    /// given) that `query` matches, as the API shows them. Only the page's
    /// chats have their messages read.
    pub fn chats_visible(
        &self,
        company: CompanyId,
        organization: Option<OrganizationId>,
        query: &list_chats::Query,
    ) -> list_chats::Response {
        let chats = self
            .chats
            .chats
            .iter()
            .filter(|(_, chat)| organization.is_none_or(|org| chat.organization == org))
            .filter(|(_, chat)| self.owns_organization(company, chat.organization))
            .filter_map(|(id, _)| self.chat_summary(*id));
        let mut page = query.apply(chats);
        for chat in &mut page.items {
            self.fill_message_counts(chat);
        }
        page
    }

    /// A chat's messages, oldest first.
    pub fn messages_of(&self, chat: ChatId) -> Vec<Message> {
        self.chats
            .chats
            .get(&chat)
            .map(|record| record.messages.iter().filter_map(|m| self.message_view(*m)).collect())
            .unwrap_or_default()
    }

    /// The media key's message, name and format, if it exists.
    pub fn media(&self, key: &str) -> Option<&MediaRecord> {
        self.chats.media.get(key).and_then(|m| self.chats.messages.get(m)).and_then(|m| m.media.as_ref())
    }
}
