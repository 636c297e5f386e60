//! The operator endpoints (§3.3–3.7).

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chathub_types::json::RequestBody;
use chathub_types::operator::synchronize_operators::SynchronizedOperator;
use chathub_types::operator::{get_token, list_operators, set_status, synchronize_operators, validate_token};
use chathub_types::token::{TokenKind, validate_operator_token};
use chathub_types::{IssuedToken, OperatorId, OperatorStatus, OrganizationId, Validate};
use chrono::{DateTime, Utc};

use super::{TokenAnswer, json};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{AnyAuth, CompanyAuth, JsonValue, ValidJson};
use crate::state::AppState;

/// Lists an organization's operators (Decisions 6, 7).
pub async fn list(
    State(state): State<AppState>,
    AnyAuth(principal): AnyAuth,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = list_operators::Query::parse(query.as_deref())?;
    let model = state.store.read();
    let operators = match principal {
        Principal::Company(company) => {
            let organization = query.organization_id.ok_or_else(|| {
                ApiError::invalid(list_operators::ORGANIZATION_ID, "The organizationId query parameter is required.")
            })?;
            if model.owns_organization(company, organization) { model.operators_of(organization) } else { Vec::new() }
        }
        Principal::Operator { organization, .. } => match query.organization_id {
            None => model.operators_of(organization),
            Some(asked) if asked == organization => model.operators_of(organization),
            Some(_) => Vec::new(),
        },
    };
    Ok(json(&operators))
}

/// The organization a synchronize element names, read even when the rest
/// of the element is bad.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ElementOrganization {
    organization_id: OrganizationId,
}

/// Adds operators, all or none (Decision 8).
pub async fn synchronize(
    State(state): State<AppState>,
    CompanyAuth(company): CompanyAuth,
    JsonValue(body): JsonValue,
) -> Result<Response, ApiError> {
    let decoded = synchronize_operators::Request::from_json(&body);
    let operators = {
        let model = state.store.read();
        let mut errors = match &decoded {
            Ok(request) => request.validate().err().unwrap_or_default(),
            Err(errors) => errors.clone(),
        };
        // Every element's organization is checked, even in an element (or a
        // request) that is bad for another reason; not when the whole body is.
        if let Some(items) = body.as_array().filter(|_| !errors.names("$")) {
            for (index, item) in items.iter().enumerate() {
                if let Ok(element) = chathub_types::json::from_value::<ElementOrganization>(item)
                    && !model.owns_organization(company, element.organization_id)
                {
                    errors.add(format!("$[{index}].organizationId"), "Unknown organization.");
                }
            }
        }
        errors.into_result()?;
        let request = decoded?;
        request.0.iter().map(|op| (op.organization_id, op.trimmed_name().to_owned())).collect::<Vec<_>>()
    };
    let ids = state.store.add_operators(operators.clone()).await.map_err(ApiError::internal)?;
    let created: Vec<SynchronizedOperator> = ids
        .into_iter()
        .zip(operators)
        .map(|(id, (_, name))| SynchronizedOperator { id, name, status: OperatorStatus::Active })
        .collect();
    Ok(json(&created))
}

/// Changes an operator's status (Decision 9). 200 with an empty body.
pub async fn set_status(
    State(state): State<AppState>,
    CompanyAuth(company): CompanyAuth,
    ValidJson(request): ValidJson<set_status::Request>,
) -> Result<(), ApiError> {
    ensure_own_operator(&state, company, request.id)?;
    state.store.set_status(request.id, request.status, Utc::now()).await.map_err(ApiError::internal)
}

/// Issues an operator token (Decision 10).
pub async fn get_token(
    State(state): State<AppState>,
    CompanyAuth(company): CompanyAuth,
    headers: HeaderMap,
    ValidJson(request): ValidJson<get_token::Request>,
) -> Result<TokenAnswer, ApiError> {
    let now = Utc::now();
    let exp = request.expiry(now)?;
    ensure_own_operator(&state, company, request.id)?;
    let active = state.store.read().operator(request.id).is_some_and(|op| op.status.is_active());
    if !active {
        return Err(ApiError::invalid("$.id", "The operator is not active."));
    }
    let token =
        state.keys.issue(TokenKind::Operator, request.id.0, now.timestamp(), exp).map_err(ApiError::internal)?;
    let expiration = DateTime::from_timestamp(exp, 0);
    Ok(TokenAnswer::new(IssuedToken { token, expiration }, state.settings.token_format, &headers))
}

/// Whether an operator token is valid for the caller (Decision 11).
pub async fn validate_token(
    State(state): State<AppState>,
    CompanyAuth(company): CompanyAuth,
    ValidJson(request): ValidJson<validate_token::Request>,
) -> Result<Response, ApiError> {
    let claims = state.keys.verify(request.token.expose());
    let facts = match claims.as_ref().and_then(|c| c.subject_id()) {
        Some(id) => state.store.operator_facts(OperatorId(id)).await.map_err(ApiError::internal)?,
        None => None,
    };
    let answer = match validate_operator_token(claims.as_ref(), company, Utc::now(), |_| facts) {
        Ok(operator) => {
            let expires_at = claims.as_ref().and_then(|c| c.expires_at()).unwrap_or_default();
            validate_token::Response::valid(OperatorId(operator), expires_at)
        }
        Err(rejection) => validate_token::Response::invalid(rejection),
    };
    Ok(json(&answer))
}

fn ensure_own_operator(state: &AppState, company: chathub_types::CompanyId, id: OperatorId) -> Result<(), ApiError> {
    if state.store.read().company_of_operator(id) == Some(company) {
        Ok(())
    } else {
        Err(ApiError::NotFound("No such operator."))
    }
}
