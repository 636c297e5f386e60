//! Extractors: credentials (as principals) and JSON bodies checked in the
//! order of Decision 4 — credential, then size (413), content type (415),
//! body (400).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header, request::Parts};
use chathub_types::CompanyId;
use chathub_types::json::RequestBody;
use chathub_types::limits::MAX_BODY_BYTES;
use chrono::Utc;

use crate::auth::{Principal, authenticate, credential_from_headers};
use crate::error::ApiError;
use crate::state::AppState;

/// Any valid credential: a company's or an operator's.
#[derive(Debug, Clone, Copy)]
pub struct AnyAuth(pub Principal);

impl FromRequestParts<AppState> for AnyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let credential = credential_from_headers(&parts.headers)?;
        authenticate(state, credential, Utc::now()).await.map(AnyAuth)
    }
}

/// A company credential (token or API key); operator tokens get 403.
#[derive(Debug, Clone, Copy)]
pub struct CompanyAuth(pub CompanyId);

impl FromRequestParts<AppState> for CompanyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match AnyAuth::from_request_parts(parts, state).await?.0 {
            Principal::Company(company) => Ok(CompanyAuth(company)),
            Principal::Operator { .. } => {
                Err(ApiError::Forbidden("An operator token may not call this endpoint; use a company credential."))
            }
        }
    }
}

/// The client's address, when the server knows it (not in `oneshot` tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())))
    }
}

/// A JSON object body read, decoded and validated with the rules of
/// chathub-types; every failure is a problem body naming the JSON path. The
/// body must be an object: serde would otherwise read a struct from an
/// array of its fields in order (`[104, 1]` as `{"id": 104, "status": 1}`).
#[derive(Debug, Clone)]
pub struct ValidJson<T>(pub T);

impl<T: RequestBody + Send> FromRequest<AppState> for ValidJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, ApiError> {
        let bytes = read_json_body(request).await?;
        let value = chathub_types::json::parse(&bytes)?;
        if !value.is_object() {
            return Err(ApiError::invalid("$", "The request body must be a JSON object."));
        }
        let body = T::from_json(&value)?;
        body.validate()?;
        Ok(ValidJson(body))
    }
}

/// A JSON body parsed but not yet read as a type, for handlers that merge
/// their own checks into the same 400 (synchronize names every bad element,
/// whatever the rule).
#[derive(Debug, Clone)]
pub struct JsonValue(pub serde_json::Value);

impl FromRequest<AppState> for JsonValue {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, ApiError> {
        let bytes = read_json_body(request).await?;
        Ok(JsonValue(chathub_types::json::parse(&bytes)?))
    }
}

/// A JSON object body of up to 8 MiB (requests that create messages,
/// Decision 26), parsed but not yet read as a type: the handler reads and
/// checks it once (so media is decoded once).
#[derive(Debug, Clone)]
pub struct MessageJson(pub serde_json::Value);

impl FromRequest<AppState> for MessageJson {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, ApiError> {
        let bytes = read_json_body_within(request, chathub_types::limits::MAX_MESSAGE_BODY_BYTES).await?;
        let value = chathub_types::json::parse(&bytes)?;
        if !value.is_object() {
            return Err(ApiError::invalid("$", "The request body must be a JSON object."));
        }
        Ok(MessageJson(value))
    }
}

/// Checks the size and content type of a JSON body and reads it.
pub async fn read_json_body(request: Request) -> Result<axum::body::Bytes, ApiError> {
    read_json_body_within(request, MAX_BODY_BYTES).await
}

/// [`read_json_body`] with another size limit (413 beyond `limit` bytes).
pub async fn read_json_body_within(request: Request, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit_bytes: limit });
    }
    if !is_json(request.headers()) {
        return Err(ApiError::UnsupportedMediaType);
    }
    axum::body::to_bytes(request.into_body(), limit).await.map_err(|error| {
        if std::error::Error::source(&error).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            || error.to_string().contains("length limit")
        {
            ApiError::PayloadTooLarge { limit_bytes: limit }
        } else {
            ApiError::invalid("$", "The request body could not be read.")
        }
    })
}

/// Whether the content type is `application/json` or `application/*+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let media = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media.split_once('/') {
        Some(("application", subtype)) => subtype == "json" || (subtype.ends_with("+json") && subtype.len() > 5),
        _ => false,
    }
}
