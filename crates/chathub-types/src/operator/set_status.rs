//! `POST /api/operator/status`: change one operator's status (§3.5,
//! Decision 9). Answers 200 with an empty body.

use serde::{Deserialize, Serialize};

use crate::json::{self, RequestBody};
use crate::validation::{Validate, ValidationErrors};
use crate::{Auth, Endpoint, Method, OperatorId, OperatorStatus};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "operator.set_status",
    method: Method::Post,
    path: "/api/operator/status",
    auth: Auth::Company,
    has_body: true,
};

/// The body: which operator gets which status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Request {
    /// The operator.
    pub id: OperatorId,
    /// Its new status: 0, 1 or 2.
    pub status: OperatorStatus,
}

impl Validate for Request {
    fn validate(&self) -> Result<(), ValidationErrors> {
        if self.status.is_known() {
            Ok(())
        } else {
            Err(ValidationErrors::single("$.status", "The status must be 0 (Active), 1 (Inactive) or 2 (Deleted)."))
        }
    }
}

impl RequestBody for Request {
    fn from_json(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        json::from_value(value)
    }
}
