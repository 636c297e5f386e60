//! `POST /api/operator/validate-token`: is an operator token valid for the
//! calling company (§3.7, Decision 11)? Always 200 for a well-formed request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::{self, RequestBody};
use crate::token::TokenRejection;
use crate::validation::{Validate, ValidationErrors, check_no_nul};
use crate::{Auth, Endpoint, Method, OperatorId, OperatorToken};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "operator.validate_token",
    method: Method::Post,
    path: "/api/operator/validate-token",
    auth: Auth::Company,
    has_body: true,
};

/// The body: the operator token to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Request {
    /// The operator token to check.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub token: OperatorToken,
}

impl Validate for Request {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_no_nul(self.token.expose(), "$.token", &mut errors);
        errors.into_result()
    }
}

impl RequestBody for Request {
    fn from_json(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        json::from_value(value)
    }
}

/// The answer. All five fields are written, nulls included; reading
/// tolerates any of them missing (§5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// Whether the token is valid.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub is_valid: bool,
    /// The operator, when valid.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub operator_id: Option<OperatorId>,
    /// 0 for tokens from get-token, when valid.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub client_id: Option<i32>,
    /// The token's `exp`, when valid.
    #[serde(default, with = "crate::time::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expires_at: Option<DateTime<Utc>>,
    /// Why not, when not valid: a stable phrase of Decision 11.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub error: Option<String>,
}

impl Response {
    /// A valid answer.
    pub fn valid(operator_id: OperatorId, expires_at: DateTime<Utc>) -> Self {
        Self {
            is_valid: true,
            operator_id: Some(operator_id),
            client_id: Some(0),
            expires_at: Some(expires_at),
            error: None,
        }
    }

    /// A not-valid answer with the phrase of `rejection`.
    pub fn invalid(rejection: TokenRejection) -> Self {
        Self {
            is_valid: false,
            operator_id: None,
            client_id: None,
            expires_at: None,
            error: Some(rejection.phrase().to_owned()),
        }
    }
}
