//! The hub's methods (Decision 29): binding an invocation's target and
//! arguments, and every error text in ASP.NET's words.

use serde_json::Value;

/// A method clients may invoke (names match without regard to case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubMethod {
    /// `SendMessage(chatId, text)`.
    SendMessage,
    /// `SendMediaMessage(chatId, media)`.
    SendMediaMessage,
}

impl HubMethod {
    /// Every method.
    pub const ALL: [Self; 2] = [Self::SendMessage, Self::SendMediaMessage];

    /// The method's name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SendMessage => "SendMessage",
            Self::SendMediaMessage => "SendMediaMessage",
        }
    }

    /// The method a target names, matched without regard to case.
    pub fn from_target(target: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|method| method.name().eq_ignore_ascii_case(target))
    }
}

/// A bound call.
#[derive(Debug, Clone, PartialEq)]
pub enum HubCall {
    /// Send a text to a chat; `text` may be null (then "Message is empty").
    SendMessage {
        /// The chat.
        chat_id: i32,
        /// The text as sent.
        text: Option<String>,
    },
    /// Send media to a chat; `media` is the object as sent (null: "Message is empty").
    SendMediaMessage {
        /// The chat.
        chat_id: i32,
        /// The media object as sent.
        media: Option<serde_json::Map<String, Value>>,
    },
}

/// Why a hub method failed for a reason of the rules (Decision 29):
/// `Display` is the `HubException` message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubRuleError {
    /// An unknown chat, or one the caller cannot see.
    #[error("Chat not found")]
    ChatNotFound,
    /// A Closed chat.
    #[error("Chat is closed")]
    ChatClosed,
    /// Blank or null text, or null media.
    #[error("Message is empty")]
    MessageEmpty,
    /// Text over the limit of Decision 25.
    #[error("Message is too long")]
    MessageTooLong,
    /// A rule of Decision 26: `field` is `name`, `format`, `type` or `dataBase64`.
    #[error("Invalid media.{field}: {message}")]
    InvalidMedia {
        /// The media field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// `--rate-limit` counted one invocation too many.
    #[error("Too Many Requests")]
    TooManyRequests,
}

/// Why an invocation failed; `Display` is the completion's `error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvocationError {
    /// No method of that name.
    #[error("Failed to invoke '{0}' due to an error on the server. HubException: Method does not exist.")]
    MethodDoesNotExist(String),
    /// Arguments that do not bind (count or types).
    #[error("Failed to invoke '{0}' due to an error on the server.")]
    BadArguments(String),
    /// A known method invoked as a stream.
    #[error("The client attempted to invoke the non-streaming '{0}' method with a streaming invocation.")]
    NotStreaming(String),
    /// The server failed (the cause is in its log, never sent).
    #[error("An unexpected error occurred invoking '{0}' on the server.")]
    Unexpected(String),
    /// A rule refused the call.
    #[error("An unexpected error occurred invoking '{target}' on the server. HubException: {reason}")]
    Rule {
        /// The target as sent.
        target: String,
        /// Why.
        reason: HubRuleError,
    },
}

impl InvocationError {
    /// A rule error for `target`.
    pub fn rule(target: &str, reason: HubRuleError) -> Self {
        Self::Rule { target: target.to_owned(), reason }
    }
}

/// Binds a (non-streaming) invocation's target and arguments.
pub fn bind(target: &str, arguments: &[Value]) -> Result<HubCall, InvocationError> {
    let method =
        HubMethod::from_target(target).ok_or_else(|| InvocationError::MethodDoesNotExist(target.to_owned()))?;
    let bad = || InvocationError::BadArguments(target.to_owned());
    let [chat_id, second] = arguments else {
        return Err(bad());
    };
    let chat_id = chat_id.as_i64().and_then(|id| i32::try_from(id).ok()).ok_or_else(bad)?;
    match method {
        HubMethod::SendMessage => {
            let text = match second {
                Value::Null => None,
                Value::String(text) => Some(text.clone()),
                _ => return Err(bad()),
            };
            Ok(HubCall::SendMessage { chat_id, text })
        }
        HubMethod::SendMediaMessage => {
            let media = match second {
                Value::Null => None,
                Value::Object(media) => Some(media.clone()),
                _ => return Err(bad()),
            };
            Ok(HubCall::SendMediaMessage { chat_id, media })
        }
    }
}

/// The error for a streaming invocation (type 4) of `target`.
pub fn streaming(target: &str) -> InvocationError {
    match HubMethod::from_target(target) {
        Some(_) => InvocationError::NotStreaming(target.to_owned()),
        None => InvocationError::MethodDoesNotExist(target.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn binds_both_methods_without_regard_to_case() {
        assert_eq!(
            bind("sendmessage", &[json!(123), json!("Hi")]),
            Ok(HubCall::SendMessage { chat_id: 123, text: Some("Hi".to_owned()) })
        );
        assert_eq!(bind("SendMessage", &[json!(1), Value::Null]), Ok(HubCall::SendMessage { chat_id: 1, text: None }));
        let media = json!({"Name": "p.jpg", "Format": "jpg", "DataBase64": "AA==", "Type": 1});
        assert_eq!(
            bind("SENDMEDIAMESSAGE", &[json!(5), media.clone()]),
            Ok(HubCall::SendMediaMessage { chat_id: 5, media: media.as_object().cloned() })
        );
    }

    #[test]
    fn error_texts() {
        assert_eq!(
            bind("Foo", &[]).unwrap_err().to_string(),
            "Failed to invoke 'Foo' due to an error on the server. HubException: Method does not exist."
        );
        for arguments in [
            vec![],
            vec![json!(1)],
            vec![json!(1), json!("a"), json!("b")],
            vec![json!("1"), json!("a")],
            vec![json!(1.5), json!("a")],
            vec![json!(4_294_967_296_i64), json!("a")],
            vec![json!(1), json!(2)],
        ] {
            assert_eq!(
                bind("sendMessage", &arguments).unwrap_err().to_string(),
                "Failed to invoke 'sendMessage' due to an error on the server."
            );
        }
        assert!(bind("SendMediaMessage", &[json!(1), json!("x")]).is_err());
        assert_eq!(
            streaming("SendMessage").to_string(),
            "The client attempted to invoke the non-streaming 'SendMessage' method with a streaming invocation."
        );
        assert!(matches!(streaming("Nope"), InvocationError::MethodDoesNotExist(_)));
        assert_eq!(
            InvocationError::Unexpected("SendMessage".to_owned()).to_string(),
            "An unexpected error occurred invoking 'SendMessage' on the server."
        );
        let rules = [
            (HubRuleError::ChatNotFound, "Chat not found"),
            (HubRuleError::ChatClosed, "Chat is closed"),
            (HubRuleError::MessageEmpty, "Message is empty"),
            (HubRuleError::MessageTooLong, "Message is too long"),
            (
                HubRuleError::InvalidMedia { field: "format".to_owned(), message: "Unknown format.".to_owned() },
                "Invalid media.format: Unknown format.",
            ),
            (HubRuleError::TooManyRequests, "Too Many Requests"),
        ];
        for (reason, text) in rules {
            assert_eq!(
                InvocationError::rule("SendMessage", reason).to_string(),
                format!("An unexpected error occurred invoking 'SendMessage' on the server. HubException: {text}")
            );
        }
    }
}
