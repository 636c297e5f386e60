//! Chat writes (spec §7): resolved against the read model by the writer,
//! committed one transaction each, then applied to the model, and their
//! events published in commit order (Decision 30).

use chathub_types::chat::{Author, ChatStatus, CheckedMedia, MessageSource, MessageStatus};
use chathub_types::{ChatId, ClientId, CompanyId, MessageId, OperatorId, OrganizationId};
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::chat_model::{ChatRecord, ClientRecord, MediaRecord, MessageRecord};
use super::db::{Db, with_pool};
use super::model::ReadModel;
use crate::events::{Event, Published};

/// A write to chats and messages. Visibility (company, organization) was
/// checked by the caller; existence and state are checked here, in order.
#[derive(Debug, Clone)]
pub enum ChatWrite {
    /// A client writes through a messenger (Decision 31), or a seeded message.
    CustomerMessage {
        /// The caller's company (clients are found within it).
        company: CompanyId,
        /// The organization written to.
        organization: OrganizationId,
        /// The messenger.
        source: MessageSource,
        /// The theme of a chat this opens.
        theme: Option<String>,
        /// The client's name.
        name: Option<String>,
        /// The client's phone digits.
        phone: Option<String>,
        /// The client's Telegram user id.
        tg_user_id: Option<i64>,
        /// The text.
        text: Option<String>,
        /// The media.
        media: Option<CheckedMedia>,
        /// When.
        at: DateTime<Utc>,
    },
    /// An operator's or the company's reply (Decision 25).
    SendMessage {
        /// The chat.
        chat: ChatId,
        /// The operator (operator tokens only; it assigns an unassigned chat).
        operator: Option<OperatorId>,
        /// The text.
        text: Option<String>,
        /// The media.
        media: Option<CheckedMedia>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Change a chat's status (Decision 22).
    SetChatStatus {
        /// The chat.
        chat: ChatId,
        /// Its new status.
        status: ChatStatus,
    },
    /// Delete a chat, its messages and media (Decision 23).
    DeleteChat {
        /// The chat.
        chat: ChatId,
    },
    /// A messenger's status report (Decision 32).
    SetMessageStatus {
        /// The message.
        message: MessageId,
        /// Its new status.
        status: MessageStatus,
    },
}

/// What a committed chat write produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatWritten {
    /// A customer's message: its chat, itself, and whether the chat is new.
    CustomerMessage {
        /// The chat.
        chat: ChatId,
        /// The message.
        message: MessageId,
        /// Whether the message opened the chat.
        created: bool,
    },
    /// A reply was stored.
    Message(MessageId),
    /// Done (or nothing to change).
    Done,
    /// The chat or message does not exist (any more).
    NotFound,
    /// The chat is Closed.
    Closed,
}

/// What the model must change once the transaction commits.
enum Plan {
    Customer { client: Option<ClientId>, client_record: ClientRecord, chat: Option<ChatId> },
    Reply { organization: OrganizationId, assign: bool, unread: Vec<MessageId> },
    ChatStatus { organization: OrganizationId },
    Delete,
    MessageStatus { organization: OrganizationId },
}

fn plan(model: &ReadModel, write: &ChatWrite) -> Result<Plan, ChatWritten> {
    match write {
        ChatWrite::CustomerMessage { company, organization, source, name, phone, tg_user_id, .. } => {
            let found = model.chats.find_client(*company, phone.as_deref(), *tg_user_id);
            let client_record = match found.and_then(|id| model.chats.clients.get(&id)) {
                Some(existing) => ClientRecord {
                    company: *company,
                    name: existing.name.clone().or_else(|| name.clone()),
                    phone: existing.phone.clone().or_else(|| phone.clone()),
                    tg_user_id: existing.tg_user_id.or(*tg_user_id),
                },
                None => ClientRecord {
                    company: *company,
                    name: name.clone(),
                    phone: phone.clone(),
                    tg_user_id: *tg_user_id,
                },
            };
            let chat = found.and_then(|client| model.chats.open_chat(*organization, client, *source));
            Ok(Plan::Customer { client: found, client_record, chat })
        }
        ChatWrite::SendMessage { chat, operator, .. } => {
            let record = model.chats.chats.get(chat).ok_or(ChatWritten::NotFound)?;
            if record.status == ChatStatus::Closed {
                return Err(ChatWritten::Closed);
            }
            let unread = record
                .messages
                .iter()
                .copied()
                .filter(|m| model.chats.messages.get(m).is_some_and(MessageRecord::is_unread))
                .collect();
            Ok(Plan::Reply {
                organization: record.organization,
                assign: record.operator.is_none() && operator.is_some(),
                unread,
            })
        }
        ChatWrite::SetChatStatus { chat, status } => {
            let record = model.chats.chats.get(chat).ok_or(ChatWritten::NotFound)?;
            if record.status == *status {
                return Err(ChatWritten::Done);
            }
            Ok(Plan::ChatStatus { organization: record.organization })
        }
        ChatWrite::DeleteChat { chat } => {
            model.chats.chats.get(chat).map(|_| Plan::Delete).ok_or(ChatWritten::NotFound)
        }
        ChatWrite::SetMessageStatus { message, status } => {
            let record = model.chats.messages.get(message).ok_or(ChatWritten::NotFound)?;
            let organization = model.chats.chats.get(&record.chat).ok_or(ChatWritten::NotFound)?.organization;
            if record.status == *status {
                return Err(ChatWritten::Done);
            }
            Ok(Plan::MessageStatus { organization })
        }
    }
}

/// A message's text as stored: blank text is stored as no text.
pub fn stored_text(text: Option<String>) -> Option<String> {
    text.filter(|text| !text.trim().is_empty())
}

/// A fresh random 128-bit media key (Decision 27), as 32 hex digits.
pub(crate) fn media_key() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Ids the transaction created.
#[derive(Default)]
struct Created {
    client: Option<ClientId>,
    chat: Option<ChatId>,
    message: Option<MessageId>,
    media_key: Option<String>,
}

macro_rules! insert_message {
    ($tx:expr, $chat:expr, $author:expr, $operator:expr, $text:expr, $status:expr, $at:expr, $media:expr, $key:expr) => {
        sqlx::query(
            "INSERT INTO messages (chat_id, author, operator_id, body, status, created_at_ms, \
             media_key, media_name, media_format, media_type) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind($chat.0)
        .bind($author.to_i32())
        .bind($operator)
        .bind($text.as_deref())
        .bind($status.to_i32())
        .bind($at.timestamp_millis())
        .bind($key.as_deref())
        .bind($media.as_ref().map(|m| m.name.as_str()))
        .bind($media.as_ref().map(|m| m.format))
        .bind($media.as_ref().map(|m| m.media_type.to_i32()))
        .fetch_one(&mut *$tx)
        .await?
        .try_get::<i32, _>(0)?
    };
}

macro_rules! insert_media {
    ($tx:expr, $key:expr, $message:expr, $media:expr) => {
        sqlx::query("INSERT INTO media (media_key, message_id, data) VALUES ($1, $2, $3)")
            .bind($key.as_str())
            .bind($message)
            .bind($media.bytes.as_slice())
            .execute(&mut *$tx)
            .await?
    };
}

async fn commit(db: &Db, write: &ChatWrite, plan: &Plan, origin: &str) -> Result<Created, sqlx::Error> {
    let shared = db.is_shared();
    let mut created = Created::default();
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        match (write, plan) {
            (
                ChatWrite::CustomerMessage { organization, source, theme, text, media, at, .. },
                Plan::Customer { client, client_record, chat },
            ) => {
                let client_id = match client {
                    Some(id) => {
                        sqlx::query("UPDATE clients SET name = $1, phone = $2, tg_user_id = $3 WHERE id = $4")
                            .bind(client_record.name.as_deref())
                            .bind(client_record.phone.as_deref())
                            .bind(client_record.tg_user_id)
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?;
                        *id
                    }
                    None => {
                        let row = sqlx::query(
                            "INSERT INTO clients (company_id, name, phone, tg_user_id) VALUES ($1, $2, $3, $4) RETURNING id",
                        )
                        .bind(client_record.company.0)
                        .bind(client_record.name.as_deref())
                        .bind(client_record.phone.as_deref())
                        .bind(client_record.tg_user_id)
                        .fetch_one(&mut *tx)
                        .await?;
                        let id = ClientId(row.try_get(0)?);
                        created.client = Some(id);
                        id
                    }
                };
                let chat_id = match chat {
                    Some(chat) => *chat,
                    None => {
                        let row = sqlx::query(
                            "INSERT INTO chats (organization_id, client_id, source, status, theme, operator_id, created_at_ms) \
                             VALUES ($1, $2, $3, $4, $5, NULL, $6) RETURNING id",
                        )
                        .bind(organization.0)
                        .bind(client_id.0)
                        .bind(source.to_i32())
                        .bind(ChatStatus::New.to_i32())
                        .bind(theme.as_deref())
                        .bind(at.timestamp_millis())
                        .fetch_one(&mut *tx)
                        .await?;
                        let id = ChatId(row.try_get(0)?);
                        created.chat = Some(id);
                        id
                    }
                };
                let key = media.as_ref().map(|_| media_key());
                let id = insert_message!(tx, chat_id, Author::Client, None::<i32>, text, MessageStatus::New, at, media, key);
                if let (Some(media), Some(key)) = (media, &key) {
                    insert_media!(tx, key, id, media);
                }
                created.message = Some(MessageId(id));
                created.media_key = key;
            }
            (ChatWrite::SendMessage { chat, operator, text, media, at }, Plan::Reply { assign, .. }) => {
                if *assign {
                    sqlx::query("UPDATE chats SET operator_id = $1 WHERE id = $2")
                        .bind(operator.map(|o| o.0))
                        .bind(chat.0)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("UPDATE messages SET status = $1 WHERE chat_id = $2 AND author = $3 AND status = $4")
                    .bind(MessageStatus::Read.to_i32())
                    .bind(chat.0)
                    .bind(Author::Client.to_i32())
                    .bind(MessageStatus::New.to_i32())
                    .execute(&mut *tx)
                    .await?;
                let key = media.as_ref().map(|_| media_key());
                let id = insert_message!(tx, *chat, Author::Operator, operator.map(|o| o.0), text, MessageStatus::Success, at, media, key);
                if let (Some(media), Some(key)) = (media, &key) {
                    insert_media!(tx, key, id, media);
                }
                created.message = Some(MessageId(id));
                created.media_key = key;
            }
            (ChatWrite::SetChatStatus { chat, status }, _) => {
                sqlx::query("UPDATE chats SET status = $1 WHERE id = $2")
                    .bind(status.to_i32())
                    .bind(chat.0)
                    .execute(&mut *tx)
                    .await?;
            }
            (ChatWrite::DeleteChat { chat }, _) => {
                sqlx::query("DELETE FROM media WHERE message_id IN (SELECT id FROM messages WHERE chat_id = $1)")
                    .bind(chat.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM messages WHERE chat_id = $1").bind(chat.0).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM chats WHERE id = $1").bind(chat.0).execute(&mut *tx).await?;
            }
            (ChatWrite::SetMessageStatus { message, status }, _) => {
                sqlx::query("UPDATE messages SET status = $1 WHERE id = $2")
                    .bind(status.to_i32())
                    .bind(message.0)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => return Err(sqlx::Error::Protocol("a chat write met another write's plan".into())),
        }
        if shared {
            // Other servers re-read everything (chats are not sent in notifications).
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(super::sync::CHANNEL)
                .bind(super::sync::Change::reload_payload(origin))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(created)
    })
}

/// Plans, commits and applies one chat write; answers what it produced
/// and pushes its events, in order, onto `published`.
pub(crate) async fn run(
    db: &Db,
    model: &std::sync::RwLock<ReadModel>,
    write: &ChatWrite,
    origin: &str,
    published: &mut Vec<Published>,
) -> Result<ChatWritten, String> {
    let planned = plan(&model.read().unwrap_or_else(std::sync::PoisonError::into_inner), write);
    let plan = match planned {
        Ok(plan) => plan,
        Err(answer) => return Ok(answer),
    };
    let created = commit(db, write, &plan, origin).await.map_err(|error| error.to_string())?;
    let mut model = model.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(apply(&mut model, write, plan, created, published))
}

fn apply(
    model: &mut ReadModel,
    write: &ChatWrite,
    plan: Plan,
    created: Created,
    out: &mut Vec<Published>,
) -> ChatWritten {
    let company_of = |model: &ReadModel, organization: OrganizationId| {
        model.organization(organization).map(|o| o.company).unwrap_or(CompanyId(0))
    };
    match (write, plan) {
        (
            ChatWrite::CustomerMessage { organization, source, theme, text, media, at, .. },
            Plan::Customer { client, client_record, chat },
        ) => {
            let Some(client) = client.or(created.client) else { return ChatWritten::NotFound };
            model.chats.clients.insert(client, client_record);
            let Some(chat) = chat.or(created.chat) else { return ChatWritten::NotFound };
            if created.chat.is_some() {
                model.chats.chats.insert(
                    chat,
                    ChatRecord {
                        organization: *organization,
                        client,
                        source: *source,
                        status: ChatStatus::New,
                        theme: theme.clone(),
                        operator: None,
                        created_at: *at,
                        messages: Vec::new(),
                    },
                );
            }
            let Some(message) = created.message else { return ChatWritten::NotFound };
            model.chats.put_message(
                message,
                MessageRecord {
                    chat,
                    author: Author::Client,
                    operator: None,
                    text: text.clone(),
                    status: MessageStatus::New,
                    created_at: *at,
                    media: media_record(media, created.media_key),
                },
            );
            let company = company_of(model, *organization);
            let publish = |event| Published { company, organization: *organization, event };
            if created.chat.is_some()
                && let Some(view) = model.chat_view(chat)
            {
                out.push(publish(Event::ChatCreated(view)));
            }
            if let Some(view) = model.message_view(message) {
                out.push(publish(receive(view)));
            }
            ChatWritten::CustomerMessage { chat, message, created: created.chat.is_some() }
        }
        (ChatWrite::SendMessage { chat, operator, text, media, at }, Plan::Reply { organization, assign, unread }) => {
            if assign && let Some(record) = model.chats.chats.get_mut(chat) {
                record.operator = *operator;
            }
            let company = company_of(model, organization);
            let publish = |event| Published { company, organization, event };
            for id in unread {
                if let Some(message) = model.chats.messages.get_mut(&id) {
                    message.status = MessageStatus::Read;
                    out.push(publish(Event::MessageStatusChanged { message: id, status: MessageStatus::Read }));
                }
            }
            let Some(message) = created.message else { return ChatWritten::NotFound };
            model.chats.put_message(
                message,
                MessageRecord {
                    chat: *chat,
                    author: Author::Operator,
                    operator: *operator,
                    text: text.clone(),
                    status: MessageStatus::Success,
                    created_at: *at,
                    media: media_record(media, created.media_key),
                },
            );
            if let Some(view) = model.message_view(message) {
                out.push(publish(receive(view)));
            }
            ChatWritten::Message(message)
        }
        (ChatWrite::SetChatStatus { chat, status }, Plan::ChatStatus { organization }) => {
            if let Some(record) = model.chats.chats.get_mut(chat) {
                record.status = *status;
            }
            out.push(Published {
                company: company_of(model, organization),
                organization,
                event: Event::ChatStatusChanged { chat: *chat, status: *status },
            });
            ChatWritten::Done
        }
        (ChatWrite::DeleteChat { chat }, Plan::Delete) => {
            model.chats.remove_chat(*chat);
            ChatWritten::Done
        }
        (ChatWrite::SetMessageStatus { message, status }, Plan::MessageStatus { organization }) => {
            if let Some(record) = model.chats.messages.get_mut(message) {
                record.status = *status;
            }
            out.push(Published {
                company: company_of(model, organization),
                organization,
                event: Event::MessageStatusChanged { message: *message, status: *status },
            });
            ChatWritten::Done
        }
        _ => ChatWritten::NotFound,
    }
}

fn media_record(media: &Option<CheckedMedia>, key: Option<String>) -> Option<MediaRecord> {
    match (media, key) {
        (Some(media), Some(key)) => Some(MediaRecord {
            key,
            name: media.name.clone(),
            format: media.format.to_owned(),
            media_type: media.media_type,
        }),
        _ => None,
    }
}

fn receive(message: chathub_types::chat::Message) -> Event {
    if message.media.is_some() { Event::ReceiveMediaMessage(message) } else { Event::ReceiveMessage(message) }
}
