//! [`Client`]: the handle everything starts from, and the one place
//! requests are sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use chathub_types::token::{IssuedToken, decode_token_body};
use chathub_types::{Auth as EndpointAuth, Endpoint, company};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue, RETRY_AFTER, USER_AGENT};
use secrecy::SecretString;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::{Auth, Credential};
use crate::error::{DecodeError, keep_body};
use crate::retry::{self, Failure};
use crate::{Chats, ClientBuilder, Company, Error, MAX_ANSWER_BYTES, Operators, Result, RetryPolicy, Simulator};

/// A ChatHub API client. Cheap to clone: clones share one connection pool
/// and one company-token cache.
///
/// ```no_run
/// # async fn run() -> Result<(), chathub_client::Error> {
/// use chathub_client::Client;
/// let client = Client::builder().credentials("acme", "acme-pass-1").build()?;
/// for organization in client.organizations().await? {
///     println!("{} {}", organization.id, organization.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// What every clone shares.
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) auth: Auth,
    pub(crate) timeout: Duration,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// One request to send: an endpoint, its concrete path, its query and its
/// JSON body.
pub(crate) struct Call {
    pub(crate) endpoint: &'static Endpoint,
    /// The path with its parameters filled in (`/api/chat/chats/123`), for
    /// endpoints whose path has any; else `endpoint.path` is sent.
    pub(crate) path: Option<String>,
    pub(crate) query: String,
    pub(crate) body: Option<Bytes>,
}

impl Call {
    /// A request without query or body.
    pub(crate) fn new(endpoint: &'static Endpoint) -> Self {
        Self { endpoint, path: None, query: String::new(), body: None }
    }

    /// A request to `path`, the endpoint's path template with its
    /// parameters filled in. Logs and errors still name the template
    /// (`/api/chat/chats/{id}`), so their paths stay few and comparable.
    pub(crate) fn at(endpoint: &'static Endpoint, path: String) -> Self {
        Self { endpoint, path: Some(path), query: String::new(), body: None }
    }

    /// The path the request goes to.
    fn concrete_path(&self) -> &str {
        self.path.as_deref().unwrap_or(self.endpoint.path)
    }

    /// Adds a query string (without `?`).
    pub(crate) fn query(mut self, query: String) -> Self {
        self.query = query;
        self
    }

    /// Adds a JSON body.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|error| {
            Error::InvalidInput(chathub_types::ValidationErrors::single("$", format!("cannot be written: {error}")))
        })?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }
}

/// A success answer (any status that is not retried further).
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Bytes,
}

/// Reads a response into an [`Answer`]: its status, its `Retry-After` and
/// its body; `None` when the body is larger than [`MAX_ANSWER_BYTES`]
/// (then it is not read further).
pub(crate) async fn read_answer(mut response: reqwest::Response) -> Result<Option<Answer>, reqwest::Error> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| retry::parse_retry_after(value, chrono::Utc::now()));
    if response.content_length().is_some_and(|length| length > MAX_ANSWER_BYTES as u64) {
        return Ok(None);
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(Answer { status, retry_after, body: body.freeze() }))
}

impl Answer {
    /// Reads the body as JSON the spec's way (property names in any case).
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T> {
        chathub_types::json::from_slice(&self.body).map_err(|source| Error::Decode {
            status: self.status,
            body: keep_body(&self.body),
            source: DecodeError::Json(source),
        })
    }

    /// Reads a token in any of its three shapes (spec §5).
    pub(crate) fn token(self) -> Result<IssuedToken> {
        decode_token_body(&String::from_utf8_lossy(&self.body)).map_err(|source| Error::Decode {
            status: self.status,
            body: keep_body(&self.body),
            source: DecodeError::Token(source),
        })
    }
}

/// The answer if it is a success, else the error it means.
pub(crate) fn success(answer: Answer) -> Result<Answer> {
    if answer.status.is_success() {
        Ok(answer)
    } else {
        Err(Error::from_response(answer.status, answer.retry_after, &answer.body))
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self { inner: Arc::new(inner) }
    }

    /// What every clone shares (the hub reuses the HTTP client and the credential).
    #[cfg_attr(not(feature = "hub"), allow(dead_code))]
    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The base URL requests go to (without a trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Company endpoints: organizations, sign-in.
    pub fn company(&self) -> Company<'_> {
        Company::new(self)
    }

    /// Operator endpoints: list, add, status, tokens.
    pub fn operators(&self) -> Operators<'_> {
        Operators::new(self)
    }

    /// Chat endpoints: list, read, reply, status, delete (spec §7).
    pub fn chats(&self) -> Chats<'_> {
        Chats::new(self)
    }

    /// The simulated customers of a server started with `--simulator` (spec §7.4).
    pub fn simulator(&self) -> Simulator<'_> {
        Simulator::new(self)
    }

    /// The company's organizations, by id. Same as `client.company().organizations()`.
    pub async fn organizations(&self) -> Result<Vec<chathub_types::company::Organization>> {
        self.company().organizations().await
    }

    /// `POST /api/company/get-token` with these credentials.
    pub(crate) async fn sign_in_request(&self, login: &str, password: &SecretString) -> Result<IssuedToken> {
        let request = company::get_token::Request { login: login.to_owned(), password: password.clone() };
        let call = Call::new(&company::get_token::ENDPOINT).json(&request)?;
        // No credential, so no renewal: and no recursion through the token cache.
        success(self.send_retrying(&call, None).await?)?.token()
    }

    /// Signs in now and returns the fresh company token.
    pub(crate) async fn sign_in_now(&self) -> Result<chathub_types::CompanyToken> {
        self.inner.auth.sign_in_now(self).await
    }

    /// The login the client signs in with, if any.
    pub(crate) fn login(&self) -> Option<&str> {
        self.inner.auth.login()
    }

    /// Sends a call with its credential, retries and one renewal on 401;
    /// returns the success answer or the error the answer means.
    pub(crate) async fn send(&self, call: Call) -> Result<Answer> {
        let credential = match call.endpoint.auth {
            EndpointAuth::None => None,
            EndpointAuth::Company | EndpointAuth::CompanyOrOperator => Some(self.inner.auth.credential(self).await?),
        };
        let mut answer = self.send_retrying(&call, credential.as_ref()).await?;
        if answer.status == StatusCode::UNAUTHORIZED
            && let Some(rejected) = &credential
            && let Some(fresh) = self.inner.auth.renew(self, rejected).await?
        {
            answer = self.send_retrying(&call, Some(&fresh)).await?;
        }
        success(answer)
    }

    async fn send_retrying(&self, call: &Call, credential: Option<&Credential>) -> Result<Answer> {
        let enabled = retry::is_retry_safe(call.endpoint);
        retry::run(&self.inner.retry, enabled, call.endpoint.path, |attempt| self.attempt(call, credential, attempt))
            .await
    }

    async fn attempt(&self, call: &Call, credential: Option<&Credential>, attempt: u32) -> Result<Answer, Failure> {
        let endpoint = call.endpoint;
        let method = endpoint.method.as_str();
        let mut url = format!("{}{}", self.inner.base_url, call.concrete_path());
        if !call.query.is_empty() {
            url.push('?');
            url.push_str(&call.query);
        }
        let http_method = match endpoint.method {
            chathub_types::Method::Get => reqwest::Method::GET,
            chathub_types::Method::Post => reqwest::Method::POST,
            chathub_types::Method::Put => reqwest::Method::PUT,
            chathub_types::Method::Delete => reqwest::Method::DELETE,
        };
        let mut request = self
            .inner
            .http
            .request(http_method, url)
            .timeout(self.inner.timeout)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, self.inner.user_agent.clone());
        if let Some(credential) = credential {
            request = request.header(credential.name.clone(), credential.value.clone());
        }
        if let Some(body) = &call.body {
            request = request.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body.clone());
        }
        let started = Instant::now();
        let outcome = async { read_answer(request.send().await?).await }.await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let path = endpoint.path;
        match outcome {
            Ok(None) => {
                tracing::debug!(method, path, attempt, latency_ms, "chathub request: answer too large");
                Err(Failure {
                    error: Error::TooLarge { method, path, limit: MAX_ANSWER_BYTES },
                    retryable: false,
                    retry_after: None,
                })
            }
            Ok(Some(answer)) => {
                tracing::debug!(method, path, status = answer.status.as_u16(), attempt, latency_ms, "chathub request");
                if retry::is_retryable_status(answer.status) {
                    Err(Failure {
                        error: Error::from_response(answer.status, answer.retry_after, &answer.body),
                        retryable: true,
                        retry_after: answer.retry_after,
                    })
                } else {
                    Ok(answer)
                }
            }
            Err(error) => {
                let retryable = error.is_timeout() || error.is_connect();
                let error = Error::from_reqwest(error, method, path, self.inner.timeout);
                tracing::debug!(method, path, attempt, latency_ms, error = %error, "chathub request failed");
                Err(Failure { error, retryable, retry_after: None })
            }
        }
    }
}
