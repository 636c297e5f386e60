//! `POST /api/simulator/customer-message`: a client writes through a
//! messenger (Decision 31).

use serde::{Deserialize, Serialize};

use crate::chat::{Chat, CheckedMedia, Message, MessageSource, NewMedia, check_message_content, normalize_phone};
use crate::json::{self, RequestBody};
use crate::validation::{Validate, ValidationErrors, check_no_nul};
use crate::{Auth, Endpoint, Method, OrganizationId};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "simulator.customer_message",
    method: Method::Post,
    path: "/api/simulator/customer-message",
    auth: Auth::Company,
    has_body: true,
};

/// Longest theme, in Unicode scalar values.
pub const MAX_THEME_CHARS: usize = 255;

/// The client who writes. A phone or a Telegram user id is required.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SimulatedClient {
    /// Its name (at most 100 characters).
    #[serde(default)]
    pub name: Option<String>,
    /// Its phone: 7-15 digits once ` +-()` are dropped.
    #[serde(default)]
    pub phone: Option<String>,
    /// Its Telegram user id.
    #[serde(default)]
    pub tg_user_id: Option<i64>,
}

impl SimulatedClient {
    /// A client known by phone (7-15 digits once ` +-()` are dropped).
    pub fn phone(phone: impl Into<String>) -> Self {
        Self { phone: Some(phone.into()), ..Self::default() }
    }

    /// A client known by Telegram user id.
    pub fn telegram(tg_user_id: i64) -> Self {
        Self { tg_user_id: Some(tg_user_id), ..Self::default() }
    }

    /// The same client with this name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The same client with this Telegram user id too.
    pub fn with_tg_user_id(mut self, tg_user_id: i64) -> Self {
        self.tg_user_id = Some(tg_user_id);
        self
    }
}

/// The body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The organization written to (must be the caller's).
    pub organization_id: OrganizationId,
    /// The messenger: 0-8.
    pub source: MessageSource,
    /// The theme of a chat this opens (at most 255 characters).
    #[serde(default)]
    pub theme: Option<String>,
    /// Who writes.
    pub client: SimulatedClient,
    /// The text (Decision 25's rules).
    #[serde(default)]
    pub text_message: Option<String>,
    /// Media (Decision 26's rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<NewMedia>,
}

impl Request {
    /// A text message from `client` to `organization` through `source`.
    ///
    /// ```
    /// use chathub_types::chat::MessageSource;
    /// use chathub_types::simulator::customer_message::{Request, SimulatedClient};
    /// let request = Request::text(24, MessageSource::TelegramBot,
    ///     SimulatedClient::phone("+380 50 123 45 67").with_name("Olena"), "Hi")
    ///     .with_theme("Parcel #491");
    /// assert!(request.check().is_ok());
    /// assert_eq!(request.phone_digits().as_deref(), Some("380501234567"));
    /// ```
    pub fn text(
        organization: impl Into<OrganizationId>,
        source: MessageSource,
        client: SimulatedClient,
        text: impl Into<String>,
    ) -> Self {
        Self {
            organization_id: organization.into(),
            source,
            theme: None,
            client,
            text_message: Some(text.into()),
            media: None,
        }
    }

    /// The same request with this theme (used when it opens a chat).
    pub fn with_theme(mut self, theme: impl Into<String>) -> Self {
        self.theme = Some(theme.into());
        self
    }

    /// The same request with this media.
    pub fn with_media(mut self, media: NewMedia) -> Self {
        self.media = Some(media);
        self
    }

    /// Checks every rule that needs no stored data and decodes the media.
    pub fn check(&self) -> Result<Option<CheckedMedia>, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if !self.source.is_known() {
            errors.add("$.source", MessageSource::rule());
        }
        if let Some(theme) = &self.theme {
            if theme.chars().count() > MAX_THEME_CHARS {
                errors.add("$.theme", format!("The theme must be at most {MAX_THEME_CHARS} characters long."));
            }
            check_no_nul(theme, "$.theme", &mut errors);
        }
        if let Some(name) = &self.client.name {
            if name.chars().count() > crate::limits::MAX_NAME_CHARS {
                errors.add(
                    "$.client.name",
                    format!("The name must be at most {} characters long.", crate::limits::MAX_NAME_CHARS),
                );
            }
            check_no_nul(name, "$.client.name", &mut errors);
        }
        match (&self.client.phone, self.client.tg_user_id) {
            (Some(phone), _) if normalize_phone(phone).is_none() => {
                errors.add("$.client.phone", "The phone must hold 7-15 digits (spaces, +, -, ( and ) are ignored).");
            }
            (None, None) => errors.add("$.client", "A phone or a tgUserId is required."),
            _ => {}
        }
        let media = check_message_content(self.text_message.as_deref(), self.media.as_ref(), &mut errors);
        errors.into_result().map(|()| media)
    }

    /// The client's phone digits, if a phone was given.
    pub fn phone_digits(&self) -> Option<String> {
        self.client.phone.as_deref().and_then(normalize_phone)
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

/// The answer: the chat (as it is now), the message, and whether the chat
/// was opened by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    /// The chat.
    pub chat: Chat,
    /// The message.
    pub message: Message,
    /// Whether the message opened the chat.
    pub created: bool,
}
