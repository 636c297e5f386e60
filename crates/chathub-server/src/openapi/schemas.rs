//! The document's components: every DTO's JSON schema, taken from the
//! `utoipa::ToSchema` derives in chathub-types.
//!
//! Several DTOs are called `Request` or `Response` inside their endpoint
//! module, so those are registered under qualified names; every other type
//! keeps the name its derive gives it, which is what nested `$ref`s point to.

use chathub_types::chat::{self, Chat, Message};
use chathub_types::company::{self, Organization};
use chathub_types::operator::synchronize_operators::{NewOperator, SynchronizedOperator};
use chathub_types::operator::{self, Operator};
use chathub_types::{ChatId, OperatorStatus, ProblemDetails, simulator};
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};

/// `POST /api/company/get-token`'s body.
pub const COMPANY_GET_TOKEN_REQUEST: &str = "CompanyGetTokenRequest";
/// `POST /api/operator/synchronize`'s body.
pub const SYNCHRONIZE_OPERATORS_REQUEST: &str = "SynchronizeOperatorsRequest";
/// `POST /api/operator/status`'s body.
pub const SET_OPERATOR_STATUS_REQUEST: &str = "SetOperatorStatusRequest";
/// `POST /api/operator/get-token`'s body.
pub const OPERATOR_GET_TOKEN_REQUEST: &str = "OperatorGetTokenRequest";
/// `POST /api/operator/validate-token`'s body.
pub const VALIDATE_TOKEN_REQUEST: &str = "ValidateTokenRequest";
/// `POST /api/operator/validate-token`'s answer.
pub const VALIDATE_TOKEN_RESPONSE: &str = "ValidateTokenResponse";

/// `GET /api/chat/chats`'s answer.
pub const CHAT_LIST_RESPONSE: &str = "ChatListResponse";
/// `PUT /api/chat/status`'s body.
pub const SET_CHAT_STATUS_REQUEST: &str = "SetChatStatusRequest";
/// `POST /api/chat/{chatId}/message`'s body.
pub const SEND_MESSAGE_REQUEST: &str = "SendMessageRequest";
/// `POST /api/simulator/customer-message`'s body.
pub const CUSTOMER_MESSAGE_REQUEST: &str = "CustomerMessageRequest";
/// `POST /api/simulator/customer-message`'s answer.
pub const CUSTOMER_MESSAGE_RESPONSE: &str = "CustomerMessageResponse";
/// `POST /api/simulator/message-status`'s body.
pub const SET_MESSAGE_STATUS_REQUEST: &str = "SetMessageStatusRequest";

/// A named schema, as the components section holds it.
pub type NamedSchema = (String, RefOr<Schema>);

/// Every DTO schema with the schemas they reference, in registration order
/// (a referenced schema may appear more than once; the components keep one);
/// the simulator's only when `simulator` (they are served only then).
pub fn all(simulator: bool) -> Vec<NamedSchema> {
    let mut schemas = Vec::new();
    add::<company::get_token::Request>(&mut schemas, COMPANY_GET_TOKEN_REQUEST);
    add::<Organization>(&mut schemas, &<Organization as ToSchema>::name());
    add::<Operator>(&mut schemas, &<Operator as ToSchema>::name());
    add::<NewOperator>(&mut schemas, &<NewOperator as ToSchema>::name());
    add::<operator::synchronize_operators::Request>(&mut schemas, SYNCHRONIZE_OPERATORS_REQUEST);
    add::<SynchronizedOperator>(&mut schemas, &<SynchronizedOperator as ToSchema>::name());
    add::<operator::set_status::Request>(&mut schemas, SET_OPERATOR_STATUS_REQUEST);
    add::<OperatorStatus>(&mut schemas, &<OperatorStatus as ToSchema>::name());
    add::<operator::get_token::Request>(&mut schemas, OPERATOR_GET_TOKEN_REQUEST);
    add::<operator::validate_token::Request>(&mut schemas, VALIDATE_TOKEN_REQUEST);
    add::<operator::validate_token::Response>(&mut schemas, VALIDATE_TOKEN_RESPONSE);
    add::<ProblemDetails>(&mut schemas, &<ProblemDetails as ToSchema>::name());
    add::<ChatId>(&mut schemas, &<ChatId as ToSchema>::name());
    add::<Chat>(&mut schemas, &<Chat as ToSchema>::name());
    add::<chat::list_chats::Response>(&mut schemas, CHAT_LIST_RESPONSE);
    add::<chat::set_chat_status::Request>(&mut schemas, SET_CHAT_STATUS_REQUEST);
    add::<Message>(&mut schemas, &<Message as ToSchema>::name());
    add::<chat::send_message::Request>(&mut schemas, SEND_MESSAGE_REQUEST);
    if simulator {
        add::<simulator::customer_message::Request>(&mut schemas, CUSTOMER_MESSAGE_REQUEST);
        add::<simulator::customer_message::Response>(&mut schemas, CUSTOMER_MESSAGE_RESPONSE);
        add::<simulator::message_status::Request>(&mut schemas, SET_MESSAGE_STATUS_REQUEST);
    }
    schemas
}

/// Adds `T`'s schema under `name`, then the schemas it references.
fn add<T: ToSchema>(schemas: &mut Vec<NamedSchema>, name: &str) {
    schemas.push((name.to_owned(), tidy(T::schema())));
    let start = schemas.len();
    T::schemas(schemas);
    for (_, schema) in &mut schemas[start..] {
        *schema = tidy(std::mem::take(schema));
    }
}

/// Drops the Rust examples (fenced code) that doc comments carry from a
/// schema's description: they document the crate, not the wire.
fn tidy(schema: RefOr<Schema>) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut object)) = schema else {
        return schema;
    };
    object.description = object.description.map(|text| match text.split_once("```") {
        Some((prose, _)) => prose.trim_end().to_owned(),
        None => text,
    });
    RefOr::T(Schema::Object(object))
}

/// A `$ref` to the component `name`.
pub fn reference(name: &str) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

/// A `$ref` to `T`'s component, under the name its derive gives it.
pub fn reference_to<T: ToSchema>() -> RefOr<Schema> {
    reference(&T::name())
}

/// The schema of a list answer: an array of `$ref`s to its item's component.
/// (utoipa's own `Vec<T>` schema would inline the item.)
pub fn list_of<L: List>() -> RefOr<Schema> {
    ArrayBuilder::new().items(reference_to::<L::Item>()).into()
}

/// A list answer type of chathub-types (`Vec<T>`), so that a change of an
/// endpoint's `Response` alias changes the document or stops the build.
pub trait List {
    /// The element type.
    type Item: ToSchema;
}

impl<T: ToSchema> List for Vec<T> {
    type Item = T;
}
