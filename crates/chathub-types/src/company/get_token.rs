//! `POST /api/company/get-token`: sign in with login and password (§3.1).
//!
//! The answer is the company token, shaped by content negotiation
//! (Decision 1); read it with [`crate::token::decode_token_body`].

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::json::{self, RequestBody};
use crate::validation::{Validate, ValidationErrors, check_no_nul};
use crate::{Auth, Endpoint, Method};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "company.get_token",
    method: Method::Post,
    path: "/api/company/get-token",
    auth: Auth::None,
    has_body: true,
};

/// The body: the company's login and password.
// Its `Debug` output never shows the password (a `SecretString`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The company's login.
    #[cfg_attr(feature = "openapi", schema(example = "acme"))]
    pub login: String,
    /// The company's password.
    #[serde(serialize_with = "serialize_secret", deserialize_with = "deserialize_secret")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "s3cret"))]
    pub password: SecretString,
}

impl Request {
    /// A request for `login` with `password`.
    pub fn new(login: impl Into<String>, password: impl Into<String>) -> Self {
        Self { login: login.into(), password: SecretString::from(password.into()) }
    }
}

impl Validate for Request {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_no_nul(&self.login, "$.login", &mut errors);
        check_no_nul(self.password.expose_secret(), "$.password", &mut errors);
        errors.into_result()
    }
}

impl RequestBody for Request {
    fn from_json(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        json::from_value(value)
    }
}

fn serialize_secret<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

fn deserialize_secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    String::deserialize(deserializer).map(SecretString::from)
}
