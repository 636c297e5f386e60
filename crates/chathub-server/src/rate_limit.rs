//! `--rate-limit N` (spec §6): more than N requests a second from one
//! credential (or, without one, from one client address) get 429 with
//! `Retry-After`, with bursts up to 1.5 N. A token bucket per key, in this
//! process only (see docs/scaling.md). Hub invocations (Decision 29) draw
//! from the same bucket as the requests of their credential.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::credential::X_AUTHORIZATION_KEY;
use crate::error::ApiError;
use crate::state::AppState;

/// Most keys remembered before idle ones are swept.
const MAX_KEYS: usize = 100_000;

/// Token buckets keyed by a hash of the credential (never the credential itself).
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    hasher: RandomState,
    buckets: Mutex<HashMap<Key, Bucket>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Credential(u64),
    Address(IpAddr),
    Unknown,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `per_second` requests a second, bursts up to 1.5 times that.
    pub fn new(per_second: u32) -> Self {
        let per_second = f64::from(per_second.max(1));
        Self { per_second, burst: per_second * 1.5, hasher: RandomState::new(), buckets: Mutex::new(HashMap::new()) }
    }

    /// `Ok` when a request with this key may pass now, else seconds to wait.
    fn admit(&self, key: Key, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_KEYS {
            let full_after = self.burst / self.per_second;
            buckets.retain(|_, bucket| now.duration_since(bucket.updated).as_secs_f64() < full_after);
        }
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: self.burst, updated: now });
        let refill = now.duration_since(bucket.updated).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }

    /// `Ok` when a hub invocation with this credential (a token or API key,
    /// without a scheme) may run now, else seconds to wait (Decision 29).
    pub fn admit_credential(&self, credential: &str) -> Result<(), u64> {
        self.admit(self.credential_key(credential.as_bytes()), Instant::now())
    }

    /// The key of a credential: a hash of the token itself, so a token sent
    /// as `Authorization: Bearer`, `X-Authorization-Key` or to the hub
    /// shares one bucket.
    fn credential_key(&self, credential: &[u8]) -> Key {
        Key::Credential(self.hasher.hash_one(credential.trim_ascii()))
    }

    fn key_of(&self, request: &Request) -> Key {
        let headers = request.headers();
        let credential = headers
            .get(header::AUTHORIZATION)
            .map(|value| strip_bearer(value.as_bytes()))
            .or_else(|| headers.get(X_AUTHORIZATION_KEY).map(|value| value.as_bytes()));
        match credential {
            Some(value) if request.uri().path() != chathub_types::company::get_token::ENDPOINT.path => {
                self.credential_key(value)
            }
            _ => request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(Key::Unknown, |info| Key::Address(info.0.ip())),
        }
    }
}

/// The token of an `Authorization` value: after a `Bearer ` scheme (any
/// case), else the value as it is.
fn strip_bearer(value: &[u8]) -> &[u8] {
    let value = value.trim_ascii();
    match value.split_at_checked(7) {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case(b"bearer ") => token,
        _ => value,
    }
}

/// The middleware: 429 with `Retry-After` once a key's bucket is empty.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(limiter) = &state.rate_limiter {
        let key = limiter.key_of(&request);
        if let Err(retry_after_secs) = limiter.admit(key, Instant::now()) {
            return ApiError::TooManyRequests { retry_after_secs }.into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bursts_to_one_and_a_half_then_refills_at_the_rate() {
        let limiter = RateLimiter::new(10);
        let start = Instant::now();
        let key = Key::Credential(1);
        let passed = (0..20).filter(|_| limiter.admit(key, start).is_ok()).count();
        assert_eq!(passed, 15);
        assert_eq!(limiter.admit(key, start), Err(1));
        assert!(limiter.admit(Key::Credential(2), start).is_ok(), "keys are independent");
        assert!(limiter.admit(key, start + Duration::from_millis(100)).is_ok());
        assert!(limiter.admit(key, start + Duration::from_millis(100)).is_err());
    }

    #[test]
    fn a_token_is_one_key_in_either_header_and_in_the_hub() {
        let limiter = RateLimiter::new(2);
        let request = |name: &str, value: &str| {
            Request::builder().uri("/api/operator").header(name, value).body(axum::body::Body::empty()).unwrap()
        };
        let by_bearer = limiter.key_of(&request("authorization", "bearer  tok-1"));
        assert_eq!(by_bearer, limiter.key_of(&request("x-authorization-key", "tok-1")));
        assert_eq!(by_bearer, limiter.credential_key(b"tok-1"));
        assert_ne!(by_bearer, limiter.credential_key(b"tok-2"));
        // A burst of 3: the hub and the headers draw from one bucket.
        assert!(limiter.admit_credential("tok-1").is_ok());
        assert!(limiter.admit(by_bearer, Instant::now()).is_ok());
        assert!(limiter.admit_credential(" tok-1 ").is_ok());
        assert!(limiter.admit_credential("tok-1").is_err());
        assert!(limiter.admit_credential("tok-2").is_ok());
    }
}
