//! `PUT /api/chat/status`: change a chat's status (Decision 22). Answers
//! 200 with an empty body; a change emits `ChatStatusChanged`.

use serde::{Deserialize, Serialize};

use super::ChatStatus;
use crate::json::{self, RequestBody};
use crate::validation::{Validate, ValidationErrors};
use crate::{Auth, ChatId, Endpoint, Method};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "chat.set_status",
    method: Method::Put,
    path: "/api/chat/status",
    auth: Auth::CompanyOrOperator,
    has_body: true,
};

/// The body: which chat gets which status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Request {
    /// The chat.
    pub id: ChatId,
    /// Its new status: 0-4.
    pub status: ChatStatus,
}

impl Validate for Request {
    fn validate(&self) -> Result<(), ValidationErrors> {
        if self.status.is_known() { Ok(()) } else { Err(ValidationErrors::single("$.status", ChatStatus::rule())) }
    }
}

impl RequestBody for Request {
    fn from_json(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        json::from_value(value)
    }
}
