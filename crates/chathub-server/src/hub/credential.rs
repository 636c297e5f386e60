//! The hub's credential (Decision 28): either header (Decision 3), or
//! `access_token` in the query, which only paths under `/chathub` read.
//! Two different credentials, or a repeated one: 401.

use axum::http::header;
use axum::http::request::Parts;
use chathub_types::hub::ACCESS_TOKEN_QUERY;
use chrono::{DateTime, Utc};

use crate::auth::credential::X_AUTHORIZATION_KEY;
use crate::auth::credential::authenticate_until;
use crate::auth::{Principal, credential_from_headers};
use crate::error::ApiError;
use crate::state::AppState;

/// An authenticated hub caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubCaller {
    /// Who.
    pub principal: Principal,
    /// When its token dies (`None`: an API key, which never expires).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A hub connection's credential, kept to count its invocations against
/// `--rate-limit` (Decision 29). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct HubCredential(String);

impl HubCredential {
    /// The token or API key, as sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for HubCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HubCredential(..)")
    }
}

/// The query's values of `name` (matched without regard to case, as ASP.NET
/// reads queries), percent-decoded.
pub fn query_values(parts: &Parts, name: &str) -> Vec<String> {
    chathub_types::query::all_values(parts.uri.query().unwrap_or_default(), name)
}

/// The one credential of a hub request.
pub fn credential(parts: &Parts) -> Result<String, ApiError> {
    let has_header =
        parts.headers.contains_key(header::AUTHORIZATION) || parts.headers.contains_key(X_AUTHORIZATION_KEY);
    let from_header = if has_header { Some(credential_from_headers(&parts.headers)?.to_owned()) } else { None };
    let from_query = match query_values(parts, ACCESS_TOKEN_QUERY).as_slice() {
        [] => None,
        [token] if !token.trim().is_empty() => Some(token.trim().to_owned()),
        [_] => return Err(ApiError::rejected("The access_token query parameter is empty.")),
        _ => return Err(ApiError::rejected("Send one credential: access_token may not be repeated.")),
    };
    match (from_header, from_query) {
        (None, None) => Err(ApiError::MISSING_CREDENTIAL),
        (Some(a), Some(b)) if a != b => {
            Err(ApiError::rejected("The header and access_token carry different credentials."))
        }
        (Some(token), _) | (None, Some(token)) => Ok(token),
    }
}

/// Checks the credential of a hub request: 401 missing or bad, 403 revoked.
pub async fn authenticate_hub(state: &AppState, parts: &Parts) -> Result<HubCaller, ApiError> {
    authenticate_hub_credential(state, parts).await.map(|(caller, _)| caller)
}

/// As [`authenticate_hub`], also answering the credential itself.
pub async fn authenticate_hub_credential(
    state: &AppState,
    parts: &Parts,
) -> Result<(HubCaller, HubCredential), ApiError> {
    let token = credential(parts)?;
    let (principal, expires_at) = authenticate_until(state, &token, Utc::now()).await?;
    Ok((HubCaller { principal, expires_at }, HubCredential(token)))
}
