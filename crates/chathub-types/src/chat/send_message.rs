//! `POST /api/chat/{chatId}/message`: an operator's (or the company's)
//! reply (Decision 25). Answers 200 with the message, status 1.

use serde::{Deserialize, Serialize};

use super::{Author, CheckedMedia, NewMedia, check_message_content};
use crate::json::{self, RequestBody};
use crate::validation::{Validate, ValidationErrors};
use crate::{Auth, ChatId, Endpoint, Method};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "chat.send_message",
    method: Method::Post,
    path: "/api/chat/{chatId}/message",
    auth: Auth::CompanyOrOperator,
    has_body: true,
};

/// The path for a reply in one chat.
pub fn path(chat: ChatId) -> String {
    format!("/api/chat/{chat}/message")
}

/// The body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The text: at most 4,096 characters; may be blank only with media.
    #[serde(default)]
    pub text_message: Option<String>,
    /// Who writes: 0 (Operator) only; may be omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
    /// Media to send with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<NewMedia>,
}

impl Request {
    /// A text reply.
    pub fn text(text: impl Into<String>) -> Self {
        Self { text_message: Some(text.into()), author: Some(Author::Operator), media: None }
    }

    /// Media without text (the answer's `message` is null).
    ///
    /// ```
    /// use chathub_types::chat::{MediaType, NewMedia, send_message::Request};
    /// let request = Request::media(NewMedia::from_bytes("p.png", "png", MediaType::Photo, b"png"))
    ///     .with_text("Your receipt");
    /// assert!(request.check().unwrap().is_some());
    /// assert_eq!(
    ///     serde_json::to_value(&request).unwrap(),
    ///     serde_json::json!({"textMessage": "Your receipt", "author": 0,
    ///         "media": {"name": "p.png", "format": "image/png", "dataBase64": "cG5n", "type": 1}})
    /// );
    /// ```
    pub fn media(media: NewMedia) -> Self {
        Self { text_message: None, author: Some(Author::Operator), media: Some(media) }
    }

    /// The same request with this text (a caption, for media).
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text_message = Some(text.into());
        self
    }

    /// The same request with this media.
    pub fn with_media(mut self, media: NewMedia) -> Self {
        self.media = Some(media);
        self
    }

    /// Checks every rule and decodes the media.
    pub fn check(&self) -> Result<Option<CheckedMedia>, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let Some(author) = self.author
            && author != Author::Operator
        {
            errors.add("$.author", "The author must be 0 (Operator): clients write through their messengers.");
        }
        let media = check_message_content(self.text_message.as_deref(), self.media.as_ref(), &mut errors);
        errors.into_result().map(|()| media)
    }
}

impl Validate for Request {
    fn validate(&self) -> Result<(), ValidationErrors> {
        self.check().map(|_| ())
    }
}

impl RequestBody for Request {
    fn from_json(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        json::from_value(value)
    }
}

/// The answer: the stored message.
pub type Response = super::Message;
