//! `POST /api/operator/get-token`: issue an operator token (§3.6,
//! Decision 10). The answer is shaped like the company token's (Decision 1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::{self, RequestBody};
use crate::token::operator_token_expiry;
use crate::validation::{Validate, ValidationErrors};
use crate::{Auth, Endpoint, Method, OperatorId};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "operator.get_token",
    method: Method::Post,
    path: "/api/operator/get-token",
    auth: Auth::Company,
    has_body: true,
};

/// The body: which operator, and until when its token is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The operator.
    pub id: OperatorId,
    /// When the token expires: later than now, at most 24 hours ahead.
    #[serde(with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime, example = "2025-01-20T14:33:34.147Z"))]
    pub expires_at: DateTime<Utc>,
}

impl Request {
    /// The token's `exp` (whole seconds) at `now`, or a 400 naming `$.expiresAt`.
    pub fn expiry(&self, now: DateTime<Utc>) -> Result<i64, ValidationErrors> {
        operator_token_expiry(self.expires_at, now)
            .map_err(|error| ValidationErrors::single("$.expiresAt", error.to_string()))
    }
}

impl Validate for Request {
    /// The lifetime rule needs `now`: see [`Request::expiry`].
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

impl RequestBody for Request {
    fn from_json(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        json::from_value(value)
    }
}
