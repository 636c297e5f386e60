//! From request headers to a principal (Decisions 3, 4, 7, 9, 12).

use axum::http::{HeaderMap, header};
use chathub_types::token::{TokenKind, is_expired, is_revoked};
use chathub_types::{CompanyId, OperatorId, OrganizationId};
use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use super::api_key_digest;
use crate::error::ApiError;
use crate::state::AppState;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A company, by token or API key.
    Company(CompanyId),
    /// One operator, by operator token.
    Operator {
        /// The operator.
        id: OperatorId,
        /// Its organization.
        organization: OrganizationId,
        /// Its company.
        company: CompanyId,
    },
}

/// The header carrying the alternative credential.
pub const X_AUTHORIZATION_KEY: &str = "x-authorization-key";

/// The one credential of a request (Decision 3): `Authorization: Bearer`
/// (scheme name in any case) or `X-Authorization-Key`, or both when equal.
pub fn credential_from_headers(headers: &HeaderMap) -> Result<&str, ApiError> {
    let mut authorization = headers.get_all(header::AUTHORIZATION).iter();
    let mut key = headers.get_all(X_AUTHORIZATION_KEY).iter();
    let (bearer, bearer_again) = (authorization.next(), authorization.next());
    let (key, key_again) = (key.next(), key.next());
    if bearer_again.is_some() || key_again.is_some() {
        return Err(ApiError::rejected("Send one credential: a credential header may not be repeated."));
    }
    let bearer = bearer
        .map(|value| {
            let text = value.to_str().unwrap_or("").trim();
            match text.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
                    Ok(token.trim())
                }
                _ => Err(ApiError::rejected("The Authorization header must be `Bearer <token>`.")),
            }
        })
        .transpose()?;
    let key = key
        .map(|value| match value.to_str().map(str::trim) {
            Ok(text) if !text.is_empty() => Ok(text),
            _ => Err(ApiError::rejected("The X-Authorization-Key header is empty.")),
        })
        .transpose()?;
    match (bearer, key) {
        (None, None) => Err(ApiError::MISSING_CREDENTIAL),
        (Some(a), Some(b)) if a != b => {
            Err(ApiError::rejected("Authorization and X-Authorization-Key carry different credentials."))
        }
        (Some(token), _) | (None, Some(token)) => Ok(token),
    }
}

/// Resolves a credential to a principal: a company or operator JWT of ours,
/// or a company's API key.
pub async fn authenticate(state: &AppState, credential: &str, now: DateTime<Utc>) -> Result<Principal, ApiError> {
    authenticate_until(state, credential, now).await.map(|(principal, _)| principal)
}

/// As [`authenticate`], also answering when the credential dies: a token's
/// `exp` (`None` for an API key, which never expires). Verifies the token once.
pub async fn authenticate_until(
    state: &AppState,
    credential: &str,
    now: DateTime<Utc>,
) -> Result<(Principal, Option<DateTime<Utc>>), ApiError> {
    if let Some(claims) = state.keys.verify(credential) {
        if is_expired(claims.exp, now) {
            return Err(ApiError::rejected("The token expired."));
        }
        let expires_at = DateTime::from_timestamp(claims.exp, 0);
        let subject = claims.subject_id().ok_or_else(|| ApiError::rejected("The token is not valid."))?;
        let principal = match claims.kind {
            TokenKind::Company => state
                .store
                .read()
                .company(CompanyId(subject))
                .map(|company| Principal::Company(company.id))
                .ok_or_else(|| ApiError::rejected("The token is not valid.")),
            TokenKind::Operator => {
                let id = OperatorId(subject);
                let facts = state
                    .store
                    .operator_facts(id)
                    .await
                    .map_err(ApiError::internal)?
                    .ok_or_else(|| ApiError::rejected("The token is not valid."))?;
                if !facts.status.is_active() {
                    return Err(ApiError::Forbidden("The token was revoked: the operator is not active."));
                }
                if is_revoked(claims.iat, facts.last_deactivated_at) {
                    return Err(ApiError::Forbidden("The token was revoked."));
                }
                let organization = state
                    .store
                    .read()
                    .operator(id)
                    .map(|operator| operator.organization)
                    .ok_or_else(|| ApiError::rejected("The token is not valid."))?;
                Ok(Principal::Operator { id, organization, company: facts.company })
            }
        };
        return principal.map(|principal| (principal, expires_at));
    }
    let digest = api_key_digest(credential);
    let model = state.store.read();
    match model.company_by_api_key(&digest) {
        Some(company) if company.api_key_digest.is_some_and(|stored| bool::from(stored.ct_eq(&digest))) => {
            Ok((Principal::Company(company.id), None))
        }
        _ => Err(ApiError::rejected("The token is not valid.")),
    }
}
