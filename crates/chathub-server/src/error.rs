//! One error type for every handler: it writes the problem body (Decisions
//! 4, 5) and logs internal causes once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chathub_types::problem::PROBLEM_JSON;
use chathub_types::{ProblemDetails, ValidationErrors};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 naming each offending field.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// 401. `invalid_token` when a token was sent but rejected.
    #[error("unauthorized: {detail}")]
    Unauthorized {
        /// What was wrong with the credential, for a person.
        detail: &'static str,
        /// Whether a credential was sent and rejected (`error="invalid_token"`).
        invalid_token: bool,
    },
    /// 403: a genuine credential that may not do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 404.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// 413: the body is larger than the limit.
    #[error("payload too large")]
    PayloadTooLarge {
        /// The limit that was passed, in bytes.
        limit_bytes: usize,
    },
    /// 415: a body that is not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 429 with `Retry-After` in seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// 503: the database cannot be reached.
    #[error("service unavailable")]
    Unavailable,
    /// 500: a fault of ours; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 with one error at `path`.
    pub fn invalid(path: &str, message: impl Into<String>) -> Self {
        Self::Validation(ValidationErrors::single(path, message))
    }

    /// 401 for a request without a usable credential.
    pub const MISSING_CREDENTIAL: Self = Self::Unauthorized {
        detail: "A credential is required: `Authorization: Bearer <token>` or `X-Authorization-Key: <token>`.",
        invalid_token: false,
    };

    /// 401 for a credential that was sent and rejected.
    pub const fn rejected(detail: &'static str) -> Self {
        Self::Unauthorized { detail, invalid_token: true }
    }

    /// A 500 from any error (logged when the response is written).
    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::Internal(error.to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> ProblemDetails {
        let status = self.status().as_u16();
        match self {
            Self::Validation(errors) => ProblemDetails::validation(errors.clone()),
            Self::Unauthorized { detail, .. } => ProblemDetails::new(status, "Unauthorized").with_detail(*detail),
            Self::Forbidden(detail) => ProblemDetails::new(status, "Forbidden").with_detail(*detail),
            Self::NotFound(detail) => ProblemDetails::new(status, "Not Found").with_detail(*detail),
            Self::PayloadTooLarge { limit_bytes } => ProblemDetails::new(status, "Payload Too Large")
                .with_detail(format!("The request body is larger than {} MiB.", limit_bytes / (1024 * 1024))),
            Self::UnsupportedMediaType => ProblemDetails::new(status, "Unsupported Media Type")
                .with_detail("The request body must be JSON (Content-Type: application/json)."),
            Self::TooManyRequests { .. } => ProblemDetails::too_many_requests(),
            Self::Unavailable => {
                ProblemDetails::new(status, "Service Unavailable").with_detail("The database cannot be reached.")
            }
            Self::Internal(_) => ProblemDetails::new(status, "Internal Server Error")
                .with_detail("The server failed to answer this request; the cause is in its log."),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Validation(errors)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let mut response = problem_response(self.status(), &self.problem());
        let headers = response.headers_mut();
        match &self {
            Self::Unauthorized { detail, invalid_token } => {
                let challenge = if *invalid_token {
                    format!("Bearer error=\"invalid_token\", error_description=\"{detail}\"")
                } else {
                    "Bearer".to_owned()
                };
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, value);
                }
            }
            Self::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            _ => {}
        }
        response
    }
}

/// A response with a problem body.
pub fn problem_response(status: StatusCode, problem: &ProblemDetails) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))], body).into_response()
}
