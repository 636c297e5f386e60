//! Examples for the document, built from chathub-types values (the spec's
//! own examples) and serialized by their serde derives, so an example can
//! never show a shape the wire does not have. The 400 examples are what the
//! types' input rules answer to a bad body.

use chathub_types::chat::{
    self, Author, Chat, ChatClient, ChatOperator, ChatStatus, MediaRef, MediaType, Message, MessageSource,
    MessageStatus, NewMedia,
};
use chathub_types::company::{self, Organization};
use chathub_types::json::RequestBody;
use chathub_types::operator::synchronize_operators::{NewOperator, SynchronizedOperator};
use chathub_types::operator::{self, Operator, list_operators};
use chathub_types::simulator::{customer_message, message_status};
use chathub_types::token::TokenRejection;
use chathub_types::{
    ChatId, ClientId, MessageId, OperatorId, OperatorStatus, OperatorToken, OrganizationId, ProblemDetails,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// 2025-12-31T23:59:59Z, the spec's operator-token expiry (§3.6).
const EXPIRES_AT: i64 = 1_767_225_599;
/// A token-shaped example string.
pub const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjaGF0aHViIn0.c2lnbmF0dXJl";

fn value(example: &impl Serialize) -> Option<Value> {
    serde_json::to_value(example).ok()
}

fn expires_at() -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(EXPIRES_AT, 0)
}

fn organization(id: i32, name: &str) -> Organization {
    Organization { id: OrganizationId(id), name: name.to_owned() }
}

/// §3.1's sign-in body.
pub fn company_sign_in() -> Option<Value> {
    value(&company::get_token::Request::new("acme", "s3cret"))
}

/// §3.2's organizations.
pub fn organizations() -> Option<Value> {
    value(&[organization(6, "Customer Support"), organization(24, "Sales Team"), organization(42, "Technical Support")])
}

/// §3.3's operators.
pub fn operators() -> Option<Value> {
    let support = organization(24, "Customer Support");
    value(&[
        Operator {
            id: OperatorId(101),
            name: "John Smith".to_owned(),
            status: OperatorStatus::Active,
            organization: support.clone(),
        },
        Operator {
            id: OperatorId(103),
            name: "Mike Wilson".to_owned(),
            status: OperatorStatus::Inactive,
            organization: support,
        },
    ])
}

/// §3.4's synchronize body.
pub fn new_operators() -> Option<Value> {
    value(&operator::synchronize_operators::Request(vec![
        NewOperator::new(OrganizationId(24), "Alex Brown"),
        NewOperator::new(OrganizationId(24), "Emma Davis"),
    ]))
}

/// §3.4's synchronize answer.
pub fn synchronized_operators() -> Option<Value> {
    let created = |id, name: &str| SynchronizedOperator {
        id: OperatorId(id),
        name: name.to_owned(),
        status: OperatorStatus::Active,
    };
    value(&[created(104, "Alex Brown"), created(105, "Emma Davis")])
}

/// §3.5's status body.
pub fn set_status() -> Option<Value> {
    value(&operator::set_status::Request { id: OperatorId(104), status: OperatorStatus::Inactive })
}

/// §3.6's operator-token body.
pub fn operator_token_request() -> Option<Value> {
    expires_at().and_then(|expires_at| value(&operator::get_token::Request { id: OperatorId(123), expires_at }))
}

/// §3.7's validate-token body.
pub fn validate_token_request() -> Option<Value> {
    value(&operator::validate_token::Request { token: OperatorToken::new(TOKEN) })
}

/// §3.7's answer for a valid token.
pub fn valid_token() -> Option<Value> {
    expires_at().and_then(|expires_at| value(&operator::validate_token::Response::valid(OperatorId(123), expires_at)))
}

/// Decision 11's answer for an expired token.
pub fn expired_token() -> Option<Value> {
    value(&operator::validate_token::Response::invalid(TokenRejection::Expired))
}

/// 2026-01-28T10:15:00Z, Decision 18's `createdAt`.
const CHAT_CREATED_AT: i64 = 1_769_595_300;
/// A tiny base64 body for media examples (`"hi"`).
const DATA_BASE64: &str = "aGk=";

fn at(seconds_after_creation: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(CHAT_CREATED_AT + seconds_after_creation, 0)
}

/// Decision 18's chat.
fn chat_value() -> Option<Chat> {
    Some(Chat {
        id: ChatId(123),
        theme: Some("Parcel #491".to_owned()),
        organization_id: OrganizationId(24),
        mess_source: MessageSource::TelegramBot,
        chat_status: ChatStatus::Open,
        count_unread: 3,
        client: ChatClient {
            id: ClientId(501),
            name: Some("Olena".to_owned()),
            phone: Some("380501234567".to_owned()),
            tg_user_id: Some(7_012_345_678),
        },
        operator: Some(ChatOperator { id: OperatorId(21), name: "Jane".to_owned(), photo: None }),
        created_at: at(0)?,
        last_message_at: Some(at(331)?),
    })
}

/// Decision 19's messages: the client's photo and an operator's reply.
fn message_values() -> Option<[Message; 2]> {
    let client = Message {
        id: MessageId(9001),
        chat_id: ChatId(123),
        author: Author::Client,
        operator_id: None,
        message: Some("Where is my parcel?".to_owned()),
        phone: Some("380501234567".to_owned()),
        media: Some(MediaRef {
            name: "p.jpg".to_owned(),
            format: "image/jpeg".to_owned(),
            media_type: MediaType::Photo,
            uri: "http://127.0.0.1:8080/media/Zk3qW2x9bV4tYp8rN1mQsA/p.jpg".to_owned(),
        }),
        status: MessageStatus::Read,
        created_at: at(0)?,
    };
    let reply = Message {
        id: MessageId(9002),
        author: Author::Operator,
        operator_id: Some(OperatorId(21)),
        message: Some("Hello from Chathub!".to_owned()),
        media: None,
        status: MessageStatus::Success,
        created_at: at(331)?,
        ..client.clone()
    };
    Some([client, reply])
}

/// Decision 18's chat (`GET /api/chat/chats/{id}`).
pub fn chat() -> Option<Value> {
    chat_value().and_then(|chat| value(&chat))
}

/// A page of chats (Decision 21).
pub fn chats() -> Option<Value> {
    chat_value().and_then(|chat| value(&chat::list_chats::Response { total: 124, items: vec![chat] }))
}

/// Decision 22's body.
pub fn set_chat_status() -> Option<Value> {
    value(&chat::set_chat_status::Request { id: ChatId(123), status: ChatStatus::Open })
}

/// A chat's messages, oldest first (Decision 24).
pub fn messages() -> Option<Value> {
    message_values().and_then(|messages| value(&messages))
}

/// [P]'s reply body (Decision 25).
pub fn send_message() -> Option<Value> {
    value(&chat::send_message::Request::text("Hello from Chathub!"))
}

/// The reply as the send answers it (Decision 25: status 1).
pub fn sent_message() -> Option<Value> {
    message_values().and_then(|[_, reply]| value(&reply))
}

/// Decision 31's body.
pub fn customer_message() -> Option<Value> {
    value(&customer_message::Request {
        organization_id: OrganizationId(24),
        source: MessageSource::TelegramBot,
        theme: Some("Parcel #491".to_owned()),
        client: customer_message::SimulatedClient {
            name: Some("Olena".to_owned()),
            phone: Some("+380 50 123 45 67".to_owned()),
            tg_user_id: Some(70123),
        },
        text_message: Some("Where is my parcel?".to_owned()),
        media: Some(NewMedia::new("p.jpg", "jpg", DATA_BASE64, MediaType::Photo)),
    })
}

/// Decision 31's answer: the message opened the chat.
pub fn customer_message_answer() -> Option<Value> {
    let mut chat = chat_value()?;
    let [mut message, _] = message_values()?;
    (chat.chat_status, chat.count_unread, chat.operator, chat.last_message_at) =
        (ChatStatus::New, 1, None, Some(message.created_at));
    message.status = MessageStatus::New;
    value(&customer_message::Response { chat, message, created: true })
}

/// Decision 32's body.
pub fn set_message_status() -> Option<Value> {
    value(&message_status::Request { id: MessageId(9002), status: MessageStatus::Read })
}

/// The 400 that `T`'s rules give `body` (a generic 400 if they accept it,
/// which the tests rule out).
pub fn rejected<T: RequestBody>(body: &str) -> ProblemDetails {
    match T::decode(body.as_bytes()) {
        Ok(_) => ProblemDetails::new(400, "Bad Request"),
        Err(errors) => ProblemDetails::validation(errors),
    }
}

/// The 400 for a query that is not an integer (§4.15).
pub fn rejected_query(query: &str) -> ProblemDetails {
    match list_operators::Query::parse(Some(query)) {
        Ok(_) => ProblemDetails::new(400, "Bad Request"),
        Err(errors) => ProblemDetails::validation(errors),
    }
}

/// The 400 for a chat list query (Decision 21).
pub fn rejected_chat_query(query: &str) -> ProblemDetails {
    match chat::list_chats::Query::parse(Some(query)) {
        Ok(_) => ProblemDetails::new(400, "Bad Request"),
        Err(errors) => ProblemDetails::validation(errors),
    }
}

/// The 400 for a path id that is not an integer (Decision 23).
pub fn rejected_id(segment: &str, name: &str) -> ProblemDetails {
    match chat::get_chat::parse_id(segment, name) {
        Ok(_) => ProblemDetails::new(400, "Bad Request"),
        Err(errors) => ProblemDetails::validation(errors),
    }
}

/// A problem with the status's reason as title, and `detail` unless empty (429: the
/// vendor's rate-limit members, §4.15).
pub fn problem(status: u16, detail: &str) -> ProblemDetails {
    if status == 429 {
        return ProblemDetails::too_many_requests();
    }
    let title = axum::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    let problem = ProblemDetails::new(status, title);
    if detail.is_empty() { problem } else { problem.with_detail(detail) }
}
