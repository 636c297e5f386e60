//! [`ClientBuilder`]: where to connect, how to sign in, how long to wait.

use std::time::Duration;

use chathub_types::CompanyToken;
use reqwest::header::HeaderValue;
use secrecy::SecretString;

use crate::auth::{Auth, Credentials};
use crate::client::{Client, Inner};
use crate::{Error, Result, RetryPolicy};

/// The live service.
pub const DEFAULT_BASE_URL: &str = "https://chatapi.smsbat.com";
/// The default `User-Agent`: `chathub-client/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("chathub-client/", env!("CARGO_PKG_VERSION"));
/// The default time a whole request (connect, send, read the answer) may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds a [`Client`]. Start with [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// use chathub_client::Client;
/// let client = Client::builder()
///     .base_url("http://127.0.0.1:8080")
///     .credentials("acme", "acme-pass-1")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
/// # Ok::<(), chathub_client::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "call .build() to get a Client"]
pub struct ClientBuilder {
    base_url: String,
    credentials: Option<Credentials>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// A builder for the live service with the default timeouts; credentials are still needed.
    pub fn new() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credentials: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            http: None,
            retry: RetryPolicy::default(),
        }
    }

    /// The server's base URL (default [`DEFAULT_BASE_URL`]); a path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sign in with the company's login and password; the company token is
    /// obtained when first needed, cached, and renewed before it expires or
    /// when the server answers 401.
    pub fn credentials(mut self, login: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials =
            Some(Credentials::Password { login: login.into(), password: SecretString::from(password.into()) });
        self
    }

    /// Use the company's static API key (sent as `X-Authorization-Key`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::ApiKey(SecretString::from(key.into())));
        self
    }

    /// Use a token obtained elsewhere (sent as `Authorization: Bearer`). It
    /// cannot be renewed: a 401 ends in [`Error::Unauthorized`].
    pub fn token(mut self, token: impl Into<CompanyToken>) -> Self {
        self.credentials = Some(Credentials::Token(token.into()));
        self
    }

    /// How long one attempt may take in all, from connecting to the end of
    /// the answer (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take (default 10 s). Not applied to a
    /// client given with [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Send through this `reqwest::Client` (shares its pool, proxy and TLS
    /// settings). The request timeout and user agent still apply per request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// Fails with [`Error::InvalidConfig`] for a base URL that is not
    /// http(s) or holds a user name, query or fragment, for missing
    /// credentials, a zero timeout, or a header value that cannot be sent.
    pub fn build(self) -> Result<Client> {
        let base_url = check_base_url(&self.base_url)?;
        let credentials = self.credentials.ok_or_else(|| {
            Error::InvalidConfig(
                "no credentials: call .credentials(login, password), .api_key(key) or .token(token)".to_owned(),
            )
        })?;
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::InvalidConfig("timeouts must be longer than zero".to_owned()));
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::InvalidConfig("the user agent holds characters a header cannot carry".to_owned()))?;
        let auth = Auth::new(credentials)?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(same_host_redirects())
                .build()
                .map_err(|error| Error::InvalidConfig(format!("the HTTP client could not be built: {error}")))?,
        };
        Ok(Client::from_inner(Inner { http, base_url, auth, timeout: self.timeout, user_agent, retry: self.retry }))
    }
}

/// Follows at most 5 redirects, and only to the same host without a
/// downgrade to `http`, so a credential header never reaches another server.
fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else { return attempt.stop() };
        let same_host = first.host_str() == attempt.url().host_str();
        let downgrade = first.scheme() == "https" && attempt.url().scheme() != "https";
        if attempt.previous().len() > 5 || !same_host || downgrade { attempt.stop() } else { attempt.follow() }
    })
}

/// The base URL without a trailing slash, once it is known to be usable.
fn check_base_url(raw: &str) -> Result<String> {
    let invalid = |why: &str| Error::InvalidConfig(format!("base URL: {why}"));
    let url = reqwest::Url::parse(raw.trim()).map_err(|error| invalid(&format!("not a URL ({error})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(&format!("the scheme must be http or https, not `{}`", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("a host is required"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not hold a user name or password; use .credentials() instead"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not hold a query or a fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalized() {
        assert_eq!(check_base_url("https://chatapi.smsbat.com").unwrap(), "https://chatapi.smsbat.com");
        assert_eq!(check_base_url("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(check_base_url("https://example.com/prefix/").unwrap(), "https://example.com/prefix");
        for bad in ["ftp://example.com", "example.com", "", "https://user:pw@example.com", "http://x/?a=1"] {
            assert!(matches!(check_base_url(bad), Err(Error::InvalidConfig(_))), "{bad}");
        }
        let error = check_base_url("https://user:hunter2@example.com").unwrap_err().to_string();
        assert!(!error.contains("hunter2"), "{error}");
    }
}
