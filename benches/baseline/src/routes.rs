//! The seven endpoints, answered from memory.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chathub_types::operator::synchronize_operators::SynchronizedOperator;
use chathub_types::operator::{get_token, list_operators, set_status, synchronize_operators, validate_token};
use chathub_types::token::{TokenKind, is_expired, is_revoked, negotiate_token_format, validate_operator_token};
use chathub_types::{CompanyId, IssuedToken, OperatorId, OperatorStatus, OrganizationId, ProblemDetails, company};
use chrono::{DateTime, TimeDelta, Utc};
use secrecy::ExposeSecret as _;
use serde::Serialize;

use crate::auth::{Keys, bearer};
use crate::data::Data;

/// Company tokens live as long as chathub-server's default.
const COMPANY_TOKEN_TTL: TimeDelta = TimeDelta::hours(24);

/// The shared state: keys and the data behind one lock.
pub struct Baseline {
    keys: Keys,
    data: RwLock<Data>,
}

impl Baseline {
    /// The hard-coded data and fixed keys.
    pub fn new() -> Self {
        Self { keys: Keys::new(), data: RwLock::new(Data::seeded()) }
    }

    fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(PoisonError::into_inner)
    }
}

type Shared = Arc<Baseline>;

/// The router: the seven endpoints at chathub-types' paths, and `/health`.
pub fn app(state: Shared) -> Router {
    Router::new()
        .route(chathub_types::company::get_token::ENDPOINT.path, post(sign_in))
        .route(chathub_types::company::list_organizations::ENDPOINT.path, get(organizations))
        .route(list_operators::ENDPOINT.path, get(operators))
        .route(synchronize_operators::ENDPOINT.path, post(synchronize))
        .route(set_status::ENDPOINT.path, post(status))
        .route(get_token::ENDPOINT.path, post(operator_token))
        .route(validate_token::ENDPOINT.path, post(validate))
        .route("/health", get(|| async { json(&serde_json::json!({ "status": "Healthy" })) }))
        .with_state(state)
}

/// Why a request failed: a status and a problem body.
struct Reject(StatusCode, &'static str);

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        let problem = ProblemDetails::new(self.0.as_u16(), self.1);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let content_type = HeaderValue::from_static(chathub_types::problem::PROBLEM_JSON);
        (self.0, [(header::CONTENT_TYPE, content_type)], body).into_response()
    }
}

const UNAUTHORIZED: Reject = Reject(StatusCode::UNAUTHORIZED, "Unauthorized");
const FORBIDDEN: Reject = Reject(StatusCode::FORBIDDEN, "Forbidden");
const NOT_FOUND: Reject = Reject(StatusCode::NOT_FOUND, "Not Found");
const BAD_REQUEST: Reject = Reject(StatusCode::BAD_REQUEST, "Bad Request");

/// Who is calling, from a verified token.
enum Caller {
    Company(CompanyId),
    Operator(OrganizationId),
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = Reject;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Reject> {
        let claims = bearer(&parts.headers).and_then(|token| state.keys.verify(token)).ok_or(UNAUTHORIZED)?;
        if is_expired(claims.exp, Utc::now()) {
            return Err(UNAUTHORIZED);
        }
        let subject = claims.subject_id().ok_or(UNAUTHORIZED)?;
        let data = state.read();
        match claims.kind {
            TokenKind::Company if data.has_company(CompanyId(subject)) => Ok(Caller::Company(CompanyId(subject))),
            TokenKind::Company => Err(UNAUTHORIZED),
            TokenKind::Operator => {
                let (organization, facts) = data.operator(OperatorId(subject)).ok_or(UNAUTHORIZED)?;
                if !facts.status.is_active() || is_revoked(claims.iat, facts.last_deactivated_at) {
                    return Err(FORBIDDEN);
                }
                Ok(Caller::Operator(organization))
            }
        }
    }
}

/// A company caller; operator tokens get 403.
struct CompanyCaller(CompanyId);

impl FromRequestParts<Shared> for CompanyCaller {
    type Rejection = Reject;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Reject> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Company(company) => Ok(CompanyCaller(company)),
            Caller::Operator(_) => Err(FORBIDDEN),
        }
    }
}

fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"))], body)
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A token answer shaped by the `Accept` header (Decision 1).
fn token_answer(token: String, exp: i64, headers: &HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|value| value.to_str().ok());
    let format = negotiate_token_format(accept);
    let body = format.body(&IssuedToken { token, expiration: DateTime::from_timestamp(exp, 0) });
    ([(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()))], body).into_response()
}

async fn sign_in(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(request): Json<company::get_token::Request>,
) -> Result<Response, Reject> {
    let company = state.read().sign_in(&request.login, request.password.expose_secret()).ok_or(UNAUTHORIZED)?;
    let now = Utc::now();
    let exp = (now + COMPANY_TOKEN_TTL).timestamp();
    let token = state.keys.issue(TokenKind::Company, company.0, now.timestamp(), exp).ok_or(BAD_REQUEST)?;
    Ok(token_answer(token, exp, &headers))
}

async fn organizations(State(state): State<Shared>, CompanyCaller(company): CompanyCaller) -> Response {
    json(&state.read().organizations_of(company))
}

async fn operators(State(state): State<Shared>, caller: Caller, RawQuery(query): RawQuery) -> Result<Response, Reject> {
    let asked = list_operators::Query::parse(query.as_deref()).map_err(|_| BAD_REQUEST)?.organization_id;
    let data = state.read();
    let operators = match (caller, asked) {
        (Caller::Company(company), Some(organization)) if data.owns(company, organization) => {
            data.operators_of(organization)
        }
        (Caller::Company(_), Some(_)) => Vec::new(),
        (Caller::Company(_), None) => return Err(BAD_REQUEST),
        (Caller::Operator(own), asked) if asked.is_none_or(|asked| asked == own) => data.operators_of(own),
        (Caller::Operator(_), _) => Vec::new(),
    };
    Ok(json(&operators))
}

async fn synchronize(
    State(state): State<Shared>,
    CompanyCaller(company): CompanyCaller,
    Json(request): Json<synchronize_operators::Request>,
) -> Result<Response, Reject> {
    let mut data = state.write();
    if !request.0.iter().all(|operator| data.owns(company, operator.organization_id)) {
        return Err(BAD_REQUEST);
    }
    let created: Vec<SynchronizedOperator> = request
        .0
        .into_iter()
        .map(|operator| {
            let name = operator.trimmed_name().to_owned();
            let id = data.add_operator(operator.organization_id, name.clone(), OperatorStatus::Active);
            SynchronizedOperator { id, name, status: OperatorStatus::Active }
        })
        .collect();
    drop(data);
    Ok(json(&created))
}

async fn status(
    State(state): State<Shared>,
    CompanyCaller(company): CompanyCaller,
    Json(request): Json<set_status::Request>,
) -> Result<(), Reject> {
    let mut data = state.write();
    if data.company_of_operator(request.id) != Some(company) {
        return Err(NOT_FOUND);
    }
    data.set_status(request.id, request.status, Utc::now());
    Ok(())
}

async fn operator_token(
    State(state): State<Shared>,
    CompanyCaller(company): CompanyCaller,
    headers: HeaderMap,
    Json(request): Json<get_token::Request>,
) -> Result<Response, Reject> {
    let now = Utc::now();
    let exp = request.expiry(now).map_err(|_| BAD_REQUEST)?;
    let facts = state.read().operator(request.id).map(|(_, facts)| facts);
    match facts {
        Some(facts) if facts.company == company && facts.status.is_active() => {}
        Some(facts) if facts.company == company => return Err(BAD_REQUEST),
        _ => return Err(NOT_FOUND),
    }
    let token = state.keys.issue(TokenKind::Operator, request.id.0, now.timestamp(), exp).ok_or(BAD_REQUEST)?;
    Ok(token_answer(token, exp, &headers))
}

async fn validate(
    State(state): State<Shared>,
    CompanyCaller(company): CompanyCaller,
    Json(request): Json<validate_token::Request>,
) -> Response {
    let claims = state.keys.verify(request.token.expose());
    let data = state.read();
    let answer = match validate_operator_token(claims.as_ref(), company, Utc::now(), |id| {
        data.operator(OperatorId(id)).map(|(_, facts)| facts)
    }) {
        Ok(operator) => {
            let expires_at = claims.as_ref().and_then(|claims| claims.expires_at()).unwrap_or_default();
            validate_token::Response::valid(OperatorId(operator), expires_at)
        }
        Err(rejection) => validate_token::Response::invalid(rejection),
    };
    drop(data);
    json(&answer)
}
