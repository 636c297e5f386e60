//! `POST /api/company/get-token` and `GET /api/company/organization`.

use std::time::Instant;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chathub_types::IssuedToken;
use chathub_types::token::{TokenKind, company_token_expiry};
use chrono::{DateTime, Utc};

use super::{TokenAnswer, json};
use crate::error::ApiError;
use crate::extract::{ClientAddress, CompanyAuth, ValidJson};
use crate::state::AppState;

/// Signs a company in (Decision 2): throttled per login and address, the
/// same cost for an unknown login as for a wrong password.
pub async fn get_token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ValidJson(request): ValidJson<chathub_types::company::get_token::Request>,
) -> Result<TokenAnswer, ApiError> {
    if let Some(retry_after_secs) = state.throttle.check(&request.login, address, Instant::now()) {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let company = state.store.read().company_by_login(&request.login).map(|c| (c.id, c.password_hash.clone()));
    let (id, stored) = match company {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let matched = state.passwords.verify(request.password, stored).await;
    let Some(id) = id.filter(|_| matched) else {
        state.throttle.record_failure(&request.login, address, Instant::now());
        return Err(ApiError::Unauthorized { detail: "The login or password is wrong.", invalid_token: false });
    };
    let now = Utc::now();
    let exp = company_token_expiry(now, state.settings.company_token_ttl);
    let token = state.keys.issue(TokenKind::Company, id.0, now.timestamp(), exp).map_err(ApiError::internal)?;
    let expiration = DateTime::from_timestamp(exp, 0);
    Ok(TokenAnswer::new(IssuedToken { token, expiration }, state.settings.token_format, &headers))
}

/// The company's organizations, by id (Decision 6).
pub async fn list_organizations(State(state): State<AppState>, CompanyAuth(company): CompanyAuth) -> Response {
    json(&state.store.read().organizations_of(company))
}
