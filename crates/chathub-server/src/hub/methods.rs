//! The hub's methods (Decision 29): `SendMessage(chatId, text)` and
//! `SendMediaMessage(chatId, media)` act as `POST /api/chat/{chatId}/message`
//! (Decision 25) and complete with the message; every refusal in ASP.NET's
//! words.

use chathub_types::chat::{NewMedia, TextError, check_text};
use chathub_types::hub::invocation::{HubCall, HubRuleError, InvocationError};
use serde_json::{Map, Value};

use chathub_types::ChatId;

use crate::auth::Principal;
use crate::routes::chat::{SendRefusal, send_reply};
use crate::state::AppState;

/// Runs a bound call for `principal`; `target` is the method name as sent.
pub async fn call(
    state: &AppState,
    principal: Principal,
    target: &str,
    call: HubCall,
) -> Result<Value, InvocationError> {
    let rule = |reason| InvocationError::rule(target, reason);
    let (chat_id, text, media) = match call {
        HubCall::SendMessage { chat_id, text } => {
            check_text(text.as_deref(), false).map_err(|error| text_error(target, error))?;
            (chat_id, text, None)
        }
        HubCall::SendMediaMessage { chat_id, media } => {
            let media = media.ok_or_else(|| rule(HubRuleError::MessageEmpty))?;
            (chat_id, None, Some(bind_media(target, media)?))
        }
    };
    let checked = media.as_ref().map(|media| media.check("media")).transpose().map_err(|errors| {
        let (path, message) = errors.iter().next().unwrap_or(("media", "The media is invalid."));
        let field = path.strip_prefix("media.").unwrap_or(path).to_owned();
        rule(HubRuleError::InvalidMedia { field, message: message.to_owned() })
    })?;
    match send_reply(state, principal, ChatId(chat_id), text, checked).await {
        Ok(message) => Ok(serde_json::to_value(message).unwrap_or(Value::Null)),
        Err(SendRefusal::NotFound) => Err(rule(HubRuleError::ChatNotFound)),
        Err(SendRefusal::Closed) => Err(rule(HubRuleError::ChatClosed)),
        Err(SendRefusal::Failed(error)) => {
            tracing::error!(%error, "a hub invocation failed");
            Err(InvocationError::Unexpected(target.to_owned()))
        }
    }
}

fn text_error(target: &str, error: TextError) -> InvocationError {
    match error {
        TextError::Empty => InvocationError::rule(target, HubRuleError::MessageEmpty),
        TextError::TooLong => InvocationError::rule(target, HubRuleError::MessageTooLong),
        // PostgreSQL text cannot hold U+0000: the argument cannot be bound.
        TextError::Nul => InvocationError::BadArguments(target.to_owned()),
    }
}

/// Binds the media object as ASP.NET binds a class (property names in any
/// case): a property of the wrong JSON type cannot bind (bad arguments); a
/// missing or null one is a rule error naming it.
fn bind_media(target: &str, media: Map<String, Value>) -> Result<NewMedia, InvocationError> {
    let value = Value::Object(media);
    chathub_types::json::from_value::<NewMedia>(&value).map_err(|errors| {
        let (path, message) = errors.iter().next().unwrap_or(("$", "The media is invalid."));
        let field = path.strip_prefix("$.").unwrap_or(path);
        let present = value
            .as_object()
            .and_then(|object| object.iter().find(|(key, _)| key.eq_ignore_ascii_case(field)))
            .is_some_and(|(_, value)| !value.is_null());
        if present || field == "$" {
            InvocationError::BadArguments(target.to_owned())
        } else {
            InvocationError::rule(
                target,
                HubRuleError::InvalidMedia { field: field.to_owned(), message: message.to_owned() },
            )
        }
    })
}
