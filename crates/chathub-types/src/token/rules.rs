//! Token rules as pure functions over an explicit `now` (Decisions 9–12).

use chrono::{DateTime, TimeDelta, Utc};

use super::{TokenClaims, TokenKind};
use crate::limits::{MAX_OPERATOR_TOKEN_LIFETIME_SECS, OPERATOR_TOKEN_SKEW_SECS};
use crate::{CompanyId, OperatorStatus};

/// Why an operator token's `expiresAt` was refused (Decision 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifetimeError {
    /// `expiresAt` is not later than now.
    #[error("expiresAt must be in the future.")]
    NotInFuture,
    /// `expiresAt` is more than 24 hours (plus 60 s of skew) after now.
    #[error("expiresAt must be at most 24 hours from now.")]
    TooLong,
}

/// Decision 10: the `exp` (whole seconds) of an operator token asked to
/// expire at `requested`. It must be later than `now` and at most 24 hours
/// after it (60 s allowance for skew); `exp` is `requested` cut to seconds,
/// so the token never outlives the instant asked for.
///
/// ```
/// use chathub_types::token::{operator_token_expiry, LifetimeError};
/// use chrono::{TimeDelta, TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2025, 1, 20, 12, 0, 0).unwrap();
/// let asked = now + TimeDelta::milliseconds(3_600_999);
/// assert_eq!(operator_token_expiry(asked, now), Ok(now.timestamp() + 3600));
/// assert_eq!(operator_token_expiry(now + TimeDelta::hours(25), now), Err(LifetimeError::TooLong));
/// assert_eq!(operator_token_expiry(now, now), Err(LifetimeError::NotInFuture));
/// ```
pub fn operator_token_expiry(requested: DateTime<Utc>, now: DateTime<Utc>) -> Result<i64, LifetimeError> {
    if requested <= now {
        return Err(LifetimeError::NotInFuture);
    }
    // Near the end of chrono's range there is no `latest`, and no request can be after it.
    let latest =
        now.checked_add_signed(TimeDelta::seconds(MAX_OPERATOR_TOKEN_LIFETIME_SECS + OPERATOR_TOKEN_SKEW_SECS));
    if latest.is_some_and(|latest| requested > latest) {
        return Err(LifetimeError::TooLong);
    }
    Ok(requested.timestamp())
}

/// Decision 12: the `exp` of a company token issued at `now`. A lifetime
/// reaching past the ends of chrono's range saturates there instead of panicking.
pub fn company_token_expiry(now: DateTime<Utc>, ttl: TimeDelta) -> i64 {
    let end = now.checked_add_signed(ttl).unwrap_or(if ttl < TimeDelta::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    });
    end.timestamp()
}

/// Whether a token with this `exp` is dead at `now`: from the second `exp`
/// on, with no leeway (Decision 12, RFC 7519 §4.1.4).
pub fn is_expired(exp: i64, now: DateTime<Utc>) -> bool {
    now.timestamp() >= exp
}

/// Decision 9: a token issued at `iat` is revoked when the operator was
/// deactivated (made Inactive or Deleted) at or after that second. Tokens
/// issued in the deactivation's own second count as revoked, since JWT
/// times are whole seconds.
///
/// ```
/// use chathub_types::token::is_revoked;
/// use chrono::DateTime;
/// let deactivated = DateTime::from_timestamp_millis(1_000_500).unwrap();
/// assert!(is_revoked(999, Some(deactivated)));
/// assert!(is_revoked(1_000, Some(deactivated)));
/// assert!(!is_revoked(1_001, Some(deactivated)));
/// assert!(!is_revoked(1_000, None));
/// ```
pub fn is_revoked(iat: i64, last_deactivated_at: Option<DateTime<Utc>>) -> bool {
    last_deactivated_at.is_some_and(|at| iat <= at.timestamp())
}

/// What the server knows of a token's operator, for [`validate_operator_token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperatorFacts {
    /// The operator's company.
    pub company: CompanyId,
    /// Its current status.
    pub status: OperatorStatus,
    /// The last time it was made Inactive or Deleted.
    pub last_deactivated_at: Option<DateTime<Utc>>,
}

/// Why an operator token is not valid (Decision 11), with its stable phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TokenRejection {
    /// Not ours, malformed, or another company's operator.
    #[error("Invalid token")]
    Invalid,
    /// A valid token of another kind.
    #[error("Not an operator token")]
    NotOperatorToken,
    /// Past its `exp`.
    #[error("Token expired")]
    Expired,
    /// The operator is not Active.
    #[error("Operator is not active")]
    OperatorNotActive,
    /// Issued before the operator's last deactivation.
    #[error("Token revoked")]
    Revoked,
}

impl TokenRejection {
    /// The stable phrase of Decision 11 (`"Token expired"`).
    pub fn phrase(self) -> &'static str {
        match self {
            Self::Invalid => "Invalid token",
            Self::NotOperatorToken => "Not an operator token",
            Self::Expired => "Token expired",
            Self::OperatorNotActive => "Operator is not active",
            Self::Revoked => "Token revoked",
        }
    }
}

/// Decision 11: whether an operator token is valid for `caller`, the first
/// failing rule winning in the spec's order. `claims` is `None` when the
/// signature or the shape did not verify; `lookup` finds an operator's facts.
pub fn validate_operator_token(
    claims: Option<&TokenClaims>,
    caller: CompanyId,
    now: DateTime<Utc>,
    lookup: impl FnOnce(i32) -> Option<OperatorFacts>,
) -> Result<i32, TokenRejection> {
    let claims = claims.ok_or(TokenRejection::Invalid)?;
    if claims.kind != TokenKind::Operator {
        return Err(TokenRejection::NotOperatorToken);
    }
    if is_expired(claims.exp, now) {
        return Err(TokenRejection::Expired);
    }
    let operator = claims.subject_id().ok_or(TokenRejection::Invalid)?;
    let facts = lookup(operator).filter(|facts| facts.company == caller).ok_or(TokenRejection::Invalid)?;
    if !facts.status.is_active() {
        return Err(TokenRejection::OperatorNotActive);
    }
    if is_revoked(claims.iat, facts.last_deactivated_at) {
        return Err(TokenRejection::Revoked);
    }
    Ok(operator)
}
