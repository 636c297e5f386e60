//! The company credential: the configured secret, and the cached company
//! token when signing in with a login and password.
//!
//! The cached token is renewed before its `exp` (read from the token
//! without verifying it) and after a 401. Callers that need a new token at
//! the same time share one sign-in: the token lives behind a `tokio` mutex
//! with a generation counter, so a caller whose request failed with an
//! older token finds the newer one instead of signing in again, and a
//! failed sign-in is handed to everyone who waited for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chathub_types::CompanyToken;
use chathub_types::token::peek_claims;
use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::{Client, Error, Result};

/// A company token is renewed when it has less than this left (30 s), or
/// less than half its lifetime for tokens that live under a minute.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(REFRESH_MARGIN_SECS as u64);
const REFRESH_MARGIN_SECS: i64 = 30;

/// The header an API key travels in (spec §2).
pub(crate) const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-authorization-key");

/// What the client proves itself with.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// Login and password: a company token is obtained and renewed.
    Password { login: String, password: SecretString },
    /// The static API key.
    ApiKey(SecretString),
    /// A ready token that cannot be renewed.
    Token(CompanyToken),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Password { login, .. } => write!(f, "Password {{ login: {login:?}, password: [redacted] }}"),
            Self::ApiKey(_) => f.write_str("ApiKey([redacted])"),
            Self::Token(_) => f.write_str("Token([redacted])"),
        }
    }
}

/// A credential header for one request, and which token generation it holds.
#[derive(Clone)]
pub(crate) struct Credential {
    pub(crate) name: HeaderName,
    pub(crate) value: HeaderValue,
    generation: u64,
}

struct Cached {
    value: HeaderValue,
    token: CompanyToken,
    /// When to sign in again rather than use it.
    renew_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct State {
    token: Option<Cached>,
    /// Bumped each time a new token is stored.
    generation: u64,
    /// The error of the last sign-in, if it failed.
    last_failure: Option<Error>,
}

/// The client's credential and its company-token cache.
pub(crate) struct Auth {
    credentials: Credentials,
    /// A fixed header for API keys and ready tokens.
    fixed: Option<Credential>,
    state: Mutex<State>,
    /// Sign-ins finished (successful or not).
    sign_ins: AtomicU64,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").field("credentials", &self.credentials).finish_non_exhaustive()
    }
}

impl Auth {
    pub(crate) fn new(credentials: Credentials) -> Result<Self> {
        let fixed = match &credentials {
            Credentials::Password { .. } => None,
            Credentials::ApiKey(key) => Some(Credential {
                name: API_KEY_HEADER,
                value: sensitive(key.expose_secret().trim())
                    .ok_or_else(|| Error::InvalidConfig("the API key holds characters a header cannot carry".into()))?,
                generation: 0,
            }),
            Credentials::Token(token) => Some(Credential {
                name: AUTHORIZATION,
                value: bearer(token.expose())
                    .ok_or_else(|| Error::InvalidConfig("the token holds characters a header cannot carry".into()))?,
                generation: 0,
            }),
        };
        Ok(Self { credentials, fixed, state: Mutex::new(State::default()), sign_ins: AtomicU64::new(0) })
    }

    /// The login, when signing in with a password.
    pub(crate) fn login(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Password { login, .. } => Some(login),
            _ => None,
        }
    }

    /// The credential for the next request, signing in first when needed.
    pub(crate) async fn credential(&self, client: &Client) -> Result<Credential> {
        match &self.fixed {
            Some(fixed) => Ok(fixed.clone()),
            None => self.company_token(client, None).await.map(|(credential, _)| credential),
        }
    }

    /// After a 401 for `rejected`: a newer credential (signing in once,
    /// shared by every caller that met the same 401), or `None` when the
    /// credential cannot be renewed.
    pub(crate) async fn renew(&self, client: &Client, rejected: &Credential) -> Result<Option<Credential>> {
        if self.fixed.is_some() {
            return Ok(None);
        }
        self.company_token(client, Some(rejected.generation)).await.map(|(credential, _)| Some(credential))
    }

    /// Signs in now, whatever is cached, and returns the new token.
    pub(crate) async fn sign_in_now(&self, client: &Client) -> Result<CompanyToken> {
        let Credentials::Password { login, password } = &self.credentials else {
            return Err(Error::InvalidConfig("signing in needs .credentials(login, password)".to_owned()));
        };
        let mut state = self.state.lock().await;
        self.sign_in_locked(client, login, password, &mut state).await.map(|(_, token)| token)
    }

    /// The cached token unless it is about to expire or is the one the
    /// server just refused (`rejected` generation); else a fresh one.
    async fn company_token(&self, client: &Client, rejected: Option<u64>) -> Result<(Credential, CompanyToken)> {
        let Credentials::Password { login, password } = &self.credentials else {
            return Err(Error::InvalidConfig("no login and password to sign in with".to_owned()));
        };
        let sign_ins_before = self.sign_ins.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if let Some(cached) = &state.token {
            let refused = rejected == Some(state.generation);
            let expiring = cached.renew_at.is_some_and(|at| at <= Utc::now());
            if !refused && !expiring {
                let credential =
                    Credential { name: AUTHORIZATION, value: cached.value.clone(), generation: state.generation };
                return Ok((credential, cached.token.clone()));
            }
        }
        // Someone signed in (and failed) while this caller waited: share the answer.
        if self.sign_ins.load(Ordering::Acquire) != sign_ins_before
            && let Some(failure) = &state.last_failure
        {
            return Err(failure.clone());
        }
        self.sign_in_locked(client, login, password, &mut state).await
    }

    async fn sign_in_locked(
        &self,
        client: &Client,
        login: &str,
        password: &SecretString,
        state: &mut State,
    ) -> Result<(Credential, CompanyToken)> {
        let result = client.sign_in_request(login, password).await;
        self.sign_ins.fetch_add(1, Ordering::AcqRel);
        let issued = match result {
            Ok(issued) => issued,
            Err(error) => {
                state.token = None;
                state.last_failure = Some(error.clone());
                return Err(error);
            }
        };
        let token = CompanyToken::new(issued.token.clone());
        let Some(value) = bearer(token.expose()) else {
            let error = Error::InvalidConfig("the server's token holds characters a header cannot carry".to_owned());
            state.last_failure = Some(error.clone());
            return Err(error);
        };
        state.generation += 1;
        state.last_failure = None;
        let renew_at = issued.expires_at().map(|exp| renew_at(&issued.token, exp, Utc::now()));
        state.token = Some(Cached { value: value.clone(), token: token.clone(), renew_at });
        tracing::debug!(login, generation = state.generation, "chathub: signed in");
        Ok((Credential { name: AUTHORIZATION, value, generation: state.generation }, token))
    }
}

/// [`REFRESH_MARGIN`] before `exp`, or half the lifetime before it when the
/// token lives less than twice the margin (lifetime from `iat`, else from `now`).
fn renew_at(token: &str, exp: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let issued_at = peek_claims(token)
        .and_then(|claims| claims.get("iat").and_then(serde_json::Value::as_i64))
        .and_then(|iat| DateTime::from_timestamp(iat, 0))
        .unwrap_or(now);
    let margin = TimeDelta::seconds(REFRESH_MARGIN_SECS).min((exp - issued_at) / 2);
    exp - margin.max(TimeDelta::zero())
}

/// `Bearer <token>`, marked sensitive; `None` when the token holds
/// characters a header cannot carry.
pub(crate) fn bearer(token: &str) -> Option<HeaderValue> {
    sensitive(&format!("Bearer {token}"))
}

/// A header value marked sensitive (kept out of `Debug`); `None` when
/// `text` holds characters a header cannot carry.
fn sensitive(text: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(text).ok()?;
    value.set_sensitive(true);
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_keeps_a_margin_that_fits_the_lifetime() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let exp = |seconds| now + TimeDelta::seconds(seconds);
        // No claims to read: the lifetime counts from now.
        assert_eq!(renew_at("opaque", exp(3600), now), exp(3600 - 30));
        assert_eq!(renew_at("opaque", exp(10), now), exp(5));
        assert_eq!(renew_at("opaque", exp(-10), now), exp(-10));
        // {"iat": 996400}: an hour-long token with 10 s left is renewed at once.
        let token = "e30.eyJpYXQiOjk5NjQwMH0.sig";
        assert_eq!(renew_at(token, exp(10), now), exp(-20));
    }
}
