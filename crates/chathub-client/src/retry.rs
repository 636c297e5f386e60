//! Which requests are retried, when, and how long to wait in between.
//!
//! Only requests that cannot duplicate anything are retried: GETs, the two
//! get-token calls, validate-token and `PUT /api/chat/status` (setting the
//! same status twice changes nothing and emits no second event, Decision
//! 22). They are retried on connection errors, timeouts, 429, 502, 503 and
//! 504, at most three attempts in all, waiting as `Retry-After` asks (up to
//! a cap) or else with exponential backoff and jitter. Synchronize, operator
//! status, sending a message, deleting a chat and the simulator are sent
//! exactly once: a retry could add the same operators or post the same
//! message twice, and a retried delete would answer 404 for a chat it did
//! delete.

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chathub_types::chat::set_chat_status;
use chathub_types::endpoint::TOKEN_ENDPOINTS;
use chathub_types::operator::validate_token;
use chathub_types::{Endpoint, Method};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;

use crate::Error;

/// How failed requests are retried. The defaults suit the live service.
///
/// ```
/// use std::time::Duration;
/// use chathub_client::RetryPolicy;
/// let policy = RetryPolicy::default().max_attempts(2).min_delay(Duration::from_millis(50));
/// assert_eq!(policy.attempts(), 2);
/// assert_eq!(RetryPolicy::never().attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    min_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts in all, backoff from 250 ms up to 5 s, `Retry-After` honoured up to 30 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry: every request is sent once.
    pub fn never() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Attempts in all, first one included (at least 1; default 3).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff delay; each further one doubles, plus jitter (default 250 ms).
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// The longest backoff delay (default 5 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` the client waits for (default 30 s). When
    /// the server asks for longer, the client stops and returns the error
    /// (e.g. [`Error::RateLimited`] with the server's `retry_after`).
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// How many attempts a retryable request gets in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    fn backoff(&self, enabled: bool) -> ExponentialBuilder {
        let retries = if enabled { self.max_attempts.saturating_sub(1) } else { 0 };
        ExponentialBuilder::new()
            .with_jitter()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay.max(self.min_delay))
            .with_max_times(retries as usize)
    }
}

/// Whether a request to `endpoint` may be sent again without risk of
/// doing its work twice.
pub(crate) fn is_retry_safe(endpoint: &Endpoint) -> bool {
    endpoint.method == Method::Get
        || TOKEN_ENDPOINTS.contains(endpoint)
        || *endpoint == validate_token::ENDPOINT
        || *endpoint == set_chat_status::ENDPOINT
}

/// Statuses that say "try again later".
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Reads a `Retry-After` value: delay seconds, or an HTTP date (a date in
/// the past means "now").
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// One failed attempt: the error it would end with and whether to try again.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) retryable: bool,
    pub(crate) retry_after: Option<Duration>,
}

/// Runs `attempt` (given the 1-based attempt number) until it succeeds, fails
/// for good, or the policy's attempts are used up.
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    enabled: bool,
    path: &'static str,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut number = 0;
    let cap = policy.max_retry_after;
    let result = (|| {
        number += 1;
        attempt(number)
    })
    .retry(policy.backoff(enabled))
    .when(|failure: &Failure| failure.retryable)
    .adjust(|failure, next| match (next, failure.retry_after) {
        (None, _) => None,
        (Some(_), Some(asked)) => (asked <= cap).then_some(asked),
        (Some(backoff), None) => Some(backoff),
    })
    .notify(|failure, delay| {
        tracing::info!(
            path,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error = %failure.error,
            "chathub: retrying"
        );
    })
    .await;
    result.map_err(|failure| failure.error.after_attempts(number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chathub_types::{company, operator};

    #[test]
    fn only_requests_without_side_effects_are_retried() {
        assert!(is_retry_safe(&company::get_token::ENDPOINT));
        assert!(is_retry_safe(&company::list_organizations::ENDPOINT));
        assert!(is_retry_safe(&operator::list_operators::ENDPOINT));
        assert!(is_retry_safe(&operator::get_token::ENDPOINT));
        assert!(is_retry_safe(&operator::validate_token::ENDPOINT));
        assert!(!is_retry_safe(&operator::synchronize_operators::ENDPOINT));
        assert!(!is_retry_safe(&operator::set_status::ENDPOINT));
    }

    #[test]
    fn chat_reads_and_status_are_retried_sends_and_deletes_never() {
        use chathub_types::{chat, simulator};
        assert!(is_retry_safe(&chat::list_chats::ENDPOINT));
        assert!(is_retry_safe(&chat::get_chat::ENDPOINT));
        assert!(is_retry_safe(&chat::list_messages::ENDPOINT));
        assert!(is_retry_safe(&chat::set_chat_status::ENDPOINT));
        assert!(!is_retry_safe(&chat::send_message::ENDPOINT));
        assert!(!is_retry_safe(&chat::delete_chat::ENDPOINT));
        assert!(!is_retry_safe(&simulator::customer_message::ENDPOINT));
        assert!(!is_retry_safe(&simulator::message_status::ENDPOINT));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn statuses_that_say_try_later() {
        for status in [429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(status).unwrap()), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 500, 501] {
            assert!(!is_retryable_status(StatusCode::from_u16(status).unwrap()), "{status}");
        }
    }
}
