//! `POST /api/simulator/message-status`: a messenger reports a message's
//! status (Decision 32). Answers 200 with an empty body.

use serde::{Deserialize, Serialize};

use crate::chat::MessageStatus;
use crate::json::{self, RequestBody};
use crate::validation::{Validate, ValidationErrors};
use crate::{Auth, Endpoint, MessageId, Method};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "simulator.message_status",
    method: Method::Post,
    path: "/api/simulator/message-status",
    auth: Auth::Company,
    has_body: true,
};

/// The body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Request {
    /// The message.
    pub id: MessageId,
    /// Its new status: 0-3.
    pub status: MessageStatus,
}

impl Validate for Request {
    fn validate(&self) -> Result<(), ValidationErrors> {
        if self.status.is_known() { Ok(()) } else { Err(ValidationErrors::single("$.status", MessageStatus::rule())) }
    }
}

impl RequestBody for Request {
    fn from_json(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        json::from_value(value)
    }
}
