//! Shared helpers: a started server with an HTTP client, answers with their
//! status, headers and body, the seeded ids, and time helpers.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use chathub_server::testing::{DEFAULT_SEED, TestServer, test_config};
use chathub_server::{Config, app};
use chathub_types::time::format_instant;
use chathub_types::token::{TokenClaims, TokenKind, peek_claims};
use chrono::{DateTime, TimeDelta, Utc};
use http::{HeaderMap, Request};
use serde_json::{Value, json};
use tower::ServiceExt;

/// Credentials of [`DEFAULT_SEED`].
pub const ACME_LOGIN: &str = "acme";
pub const ACME_PASSWORD: &str = "acme-pass-1";
pub const ACME_KEY: &str = "acme-static-api-key-0001";
pub const GLOBEX_LOGIN: &str = "globex";
pub const GLOBEX_PASSWORD: &str = "globex-pass-1";
pub const GLOBEX_KEY: &str = "globex-static-api-key-0001";

/// Organizations of [`DEFAULT_SEED`]: acme owns 24 and 42, globex 77.
pub const ORG_SUPPORT: i32 = 24;
pub const ORG_TECH: i32 = 42;
pub const ORG_GLOBEX: i32 = 77;

/// Operators of [`DEFAULT_SEED`], by the ids a fresh database gives them
/// (checked by [`Api::start`]).
pub const JOHN: i32 = 1;
/// Inactive.
pub const MIKE: i32 = 2;
pub const EMMA: i32 = 3;
/// Globex's.
pub const HANK: i32 = 4;

/// The content type of JSON answers and of JSON token answers.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";
/// The content type of text token answers.
pub const TEXT_UTF8: &str = "text/plain; charset=utf-8";
/// The content type of problem bodies.
pub const PROBLEM: &str = "application/problem+json";

/// A started server plus an HTTP client that talks to it.
pub struct Api {
    pub server: TestServer,
    pub http: reqwest::Client,
}

impl Api {
    /// A server on a fresh database with [`DEFAULT_SEED`].
    pub async fn start() -> Self {
        Self::start_with(config().await, DEFAULT_SEED).await
    }

    /// A server with `config` (its seed replaced by `seed`).
    pub async fn start_with(config: Config, seed: &str) -> Self {
        let server = TestServer::start_seeded(seed, config).await.expect("server starts");
        let api = Self { server, http: client() };
        if seed == DEFAULT_SEED {
            api.check_seeded_ids();
        }
        api
    }

    fn check_seeded_ids(&self) {
        let model = self.server.state().store.read();
        let org =
            |id: i32| model.operator(chathub_types::OperatorId(id)).map(|op| (op.organization.0, op.name.clone()));
        assert_eq!(org(JOHN), Some((ORG_SUPPORT, "John Smith".into())));
        assert_eq!(org(MIKE), Some((ORG_SUPPORT, "Mike Wilson".into())));
        assert_eq!(org(EMMA), Some((ORG_TECH, "Emma Davis".into())));
        assert_eq!(org(HANK), Some((ORG_GLOBEX, "Hank Scorpio".into())));
    }

    /// `base_url + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// A GET request.
    pub fn get(&self, path: &str) -> Req {
        Req(self.http.get(self.url(path)))
    }

    /// A POST request.
    pub fn post(&self, path: &str) -> Req {
        Req(self.http.post(self.url(path)))
    }

    /// A request with any method.
    pub fn request(&self, method: http::Method, path: &str) -> Req {
        Req(self.http.request(method, self.url(path)))
    }

    /// The router over this server's state, for `oneshot` requests.
    pub fn router(&self) -> Router {
        app(self.server.state().clone())
    }

    /// Signs in and answers the company token (text shape).
    pub async fn company_token(&self, login: &str, password: &str) -> String {
        let answer = self
            .post("/api/company/get-token")
            .header("accept", "text/plain")
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await;
        assert_eq!(answer.status, 200, "sign-in of {login}: {}", answer.text());
        answer.text().to_owned()
    }

    /// Issues an operator token that expires at `expires_at` (must succeed).
    pub async fn operator_token_until(&self, credential: &str, operator: i32, expires_at: DateTime<Utc>) -> String {
        let answer = self
            .post("/api/operator/get-token")
            .bearer(credential)
            .header("accept", "text/plain")
            .json(&json!({ "id": operator, "expiresAt": format_instant(expires_at) }))
            .send()
            .await;
        assert_eq!(answer.status, 200, "operator token for {operator}: {}", answer.text());
        answer.text().to_owned()
    }

    /// Issues an operator token valid for an hour.
    pub async fn operator_token(&self, credential: &str, operator: i32) -> String {
        self.operator_token_until(credential, operator, Utc::now() + TimeDelta::hours(1)).await
    }

    /// Validate-token's answer (must be 200 JSON).
    pub async fn validate(&self, credential: &str, token: &str) -> Value {
        let answer =
            self.post("/api/operator/validate-token").bearer(credential).json(&json!({ "token": token })).send().await;
        assert_eq!(answer.status, 200, "validate-token: {}", answer.text());
        answer.json()
    }

    /// Sets an operator's status (must succeed) and answers the second of
    /// the answer: the server's change happened at or before it.
    pub async fn set_status(&self, credential: &str, operator: i32, status: i32) -> i64 {
        let answer = self
            .post("/api/operator/status")
            .bearer(credential)
            .json(&json!({ "id": operator, "status": status }))
            .send()
            .await;
        assert_eq!(answer.status, 200, "status {status} for {operator}: {}", answer.text());
        Utc::now().timestamp()
    }

    /// The operators of an organization (must be 200).
    pub async fn operators(&self, credential: &str, organization: i32) -> Value {
        let answer = self.get(&format!("/api/operator?organizationId={organization}")).bearer(credential).send().await;
        assert_eq!(answer.status, 200, "list {organization}: {}", answer.text());
        answer.json()
    }

    /// Issues a token with the server's own key, with any claims.
    pub fn forge(&self, kind: TokenKind, subject: i32, iat: i64, exp: i64) -> String {
        self.server.state().keys.issue(kind, subject, iat, exp).expect("sign")
    }
}

/// The test configuration on a database no other test uses:
/// `sqlite::memory:`, or a new Postgres database when
/// `CHATHUB_TEST_POSTGRES` names a server.
pub async fn config() -> Config {
    test_config().await.expect("a fresh database")
}

/// An HTTP client that never uses a proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("client")
}

/// A request being built.
pub struct Req(pub reqwest::RequestBuilder);

impl Req {
    /// Adds `Authorization: Bearer <credential>`.
    pub fn bearer(self, credential: &str) -> Self {
        self.header("authorization", &format!("Bearer {credential}"))
    }

    /// Adds `X-Authorization-Key: <credential>`.
    pub fn key(self, credential: &str) -> Self {
        self.header("x-authorization-key", credential)
    }

    /// Appends a header (a second call with the same name repeats it).
    pub fn header(self, name: &str, value: &str) -> Self {
        Self(self.0.header(name, value))
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(self, body: &Value) -> Self {
        Self(self.0.json(body))
    }

    /// A raw body with the given content type (none when `None`).
    pub fn body(self, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> Self {
        let builder = self.0.body(body);
        Self(match content_type {
            Some(content_type) => builder.header("content-type", content_type),
            None => builder,
        })
    }

    /// Sends it and reads the whole answer.
    pub async fn send(self) -> Answer {
        let response = self.0.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("body read").to_vec();
        Answer { status: status.as_u16(), headers, body }
    }
}

/// Sends one request to a router without a socket.
pub async fn oneshot(router: Router, request: Request<Body>) -> Answer {
    let response = router.oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec();
    Answer { status: status.as_u16(), headers, body }
}

/// A whole answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ASCII header"))
    }

    /// The `Content-Type`.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// The body as text.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }

    /// The body as JSON, checking the content type of JSON answers.
    pub fn json(&self) -> Value {
        assert_eq!(self.content_type(), Some(JSON_UTF8), "{} {}", self.status, self.text());
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    /// Checks a problem answer (Decision 4): the status, the content type,
    /// and `type`, `title` and `status` members; answers the body.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.content_type(), Some(PROBLEM), "{}", self.text());
        let body: Value = serde_json::from_slice(&self.body).expect("problem JSON");
        assert_eq!(body["status"], status, "{body}");
        assert!(body["type"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
        body
    }

    /// Checks a 400 and answers the JSON paths its `errors` names, sorted.
    pub fn invalid_paths(&self) -> Vec<String> {
        let body = self.problem(400);
        let errors = body["errors"].as_object().unwrap_or_else(|| panic!("no errors member: {body}"));
        let mut paths: Vec<String> = errors.keys().cloned().collect();
        paths.sort();
        for (path, messages) in errors {
            let messages = messages.as_array().unwrap_or_else(|| panic!("{path}: {messages}"));
            assert!(!messages.is_empty() && messages.iter().all(|m| m.as_str().is_some_and(|m| !m.is_empty())));
        }
        paths
    }

    /// Checks a 401 with its challenge; `rejected` when a credential was
    /// sent and refused (`error="invalid_token"`). Answers the body.
    pub fn unauthorized(&self, rejected: bool) -> Value {
        let body = self.problem(401);
        let challenge = self.header("www-authenticate").expect("401 carries WWW-Authenticate");
        if rejected {
            assert!(challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""), "{challenge}");
        } else {
            assert_eq!(challenge, "Bearer");
        }
        body
    }
}

/// The claims of a token (unverified).
pub fn claims(token: &str) -> TokenClaims {
    serde_json::from_value(peek_claims(token).expect("a JWT")).expect("our claims")
}

/// Waits until the wall clock is past second `second`. JWT times are whole
/// seconds, and Decision 9 lets a server treat a token issued in the very
/// second of a deactivation as revoked; a test that needs a token that is
/// certainly issued after a change waits for the next second (at most one).
pub async fn after_second(second: i64) {
    loop {
        let now = Utc::now();
        if now.timestamp() > second {
            return;
        }
        let rest = 1_000 - i64::from(now.timestamp_subsec_millis()) + 5;
        tokio::time::sleep(Duration::from_millis(rest.clamp(1, 1_005) as u64)).await;
    }
}

/// A request with a raw body and headers for `oneshot`.
pub fn raw_request(method: &str, path: &str, headers: &[(&str, &[u8])], body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, http::HeaderValue::from_bytes(value).expect("header value"));
    }
    builder.body(body.into()).expect("request")
}
