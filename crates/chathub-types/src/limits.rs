//! Limits fixed by the spec (Decisions 8, 10, 12, 14).

use chrono::TimeDelta;

/// Longest operator name, in Unicode scalar values (Decision 14).
pub const MAX_NAME_CHARS: usize = 100;
/// Most elements in one synchronize request (Decision 8).
pub const MAX_SYNCHRONIZE_ELEMENTS: usize = 1_000;
/// Largest request body in bytes; larger ones get 413 (Decision 14).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Largest body of a request that creates a message, in bytes (Decision 26: 8 MiB).
pub const MAX_MESSAGE_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Longest lifetime of an operator token (spec §3.6), in seconds.
pub const MAX_OPERATOR_TOKEN_LIFETIME_SECS: i64 = 24 * 60 * 60;
/// Clock-skew allowance on the upper bound of an operator token's expiry (Decision 10), in seconds.
pub const OPERATOR_TOKEN_SKEW_SECS: i64 = 60;
/// Default company token lifetime (Decision 12), in seconds.
pub const DEFAULT_COMPANY_TOKEN_TTL_SECS: i64 = 24 * 60 * 60;
/// Failed sign-ins per login or client address before 429 (Decision 2).
pub const SIGN_IN_FAILURES_BEFORE_THROTTLE: u32 = 10;
/// The sign-in throttling window (Decision 2), in seconds.
pub const SIGN_IN_WINDOW_SECS: i64 = 60;

/// [`MAX_OPERATOR_TOKEN_LIFETIME_SECS`] as a duration.
pub const fn max_operator_token_lifetime() -> TimeDelta {
    TimeDelta::seconds(MAX_OPERATOR_TOKEN_LIFETIME_SECS)
}
