//! Raw requests: what the client would never send (bad headers, bad
//! bodies, other methods), sent with reqwest, or byte for byte over a socket
//! when even reqwest adds too much (no `Accept`, a chunked body). Every
//! answer is recorded for the schema review.

mod socket;

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::context::Ctx;
use super::verdict::{Stop, ensure, fail, one_line};

/// How long one raw request may take, connection to last byte.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of a body a failure line shows.
const SHOWN_BODY_CHARS: usize = 200;

/// Where a raw request takes its credential from.
#[derive(Debug, Clone)]
enum Credential {
    None,
    /// The company's token, as `Authorization: Bearer`.
    Company,
}

/// A raw request being built: `cx.raw("POST", "/api/operator/status")`.
pub struct RawRequest<'a> {
    cx: &'a Ctx,
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    credential: Credential,
    chunked: bool,
}

impl<'a> RawRequest<'a> {
    /// `method` on `path` (with any query) below the base URL.
    pub fn new(cx: &'a Ctx, method: &'static str, path: impl Into<String>) -> Self {
        Self {
            cx,
            method,
            path: path.into(),
            headers: Vec::new(),
            body: None,
            credential: Credential::None,
            chunked: false,
        }
    }

    /// Adds a header (repeating a name sends it twice).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    /// `X-Authorization-Key: <token>`.
    pub fn key(self, token: &str) -> Self {
        self.header("X-Authorization-Key", token)
    }

    /// The company's token as `Authorization: Bearer` (signed in once per run).
    pub fn with_company_token(mut self) -> Self {
        self.credential = Credential::Company;
        self
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(self, value: &Value) -> Self {
        self.json_text(&value.to_string())
    }

    /// JSON text as it is, with `Content-Type: application/json`.
    pub fn json_text(self, text: &str) -> Self {
        self.body(text.as_bytes().to_vec(), Some("application/json"))
    }

    /// Any body, with this `Content-Type` or none.
    pub fn body(mut self, bytes: Vec<u8>, content_type: Option<&str>) -> Self {
        if let Some(content_type) = content_type {
            self.headers.push(("Content-Type".to_owned(), content_type.to_owned()));
        }
        self.body = Some(bytes);
        self
    }

    /// Sends the body chunked, without `Content-Length` (socket only).
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    async fn resolve_credential(&mut self) -> Result<(), Stop> {
        if let Credential::Company = self.credential {
            let token = self.cx.company_token().await?;
            self.headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
            self.credential = Credential::None;
        }
        Ok(())
    }

    /// Sends with reqwest (which adds `Accept: */*` when none is given).
    pub async fn send(mut self) -> Result<Reply, Stop> {
        if self.chunked {
            return self.send_bare().await;
        }
        self.resolve_credential().await?;
        let what = format!("an HTTP answer to {} {}", self.method, self.path);
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).map_err(|e| fail(&what, e.to_string()))?;
        let url = format!("{}{}", self.cx.base_url, self.path);
        let mut request =
            self.cx.http.request(method, &url).timeout(REQUEST_TIMEOUT).build().map_err(|e| fail(&what, cause(&e)))?;
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| fail(&what, e.to_string()))?;
            let value = HeaderValue::from_str(value).map_err(|e| fail(&what, e.to_string()))?;
            request.headers_mut().append(name, value);
        }
        if let Some(body) = self.body.take() {
            *request.body_mut() = Some(body.into());
        }
        let response = self.cx.http.execute(request).await.map_err(|e| silence(&what, transport(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| silence(&what, format!("{status}, then {}", transport(&e))))?;
        super::link::answered();
        Ok(self.cx.record(Reply { method: self.method, path: self.path, status, headers, body: body.to_vec() }))
    }

    /// For answers a server may give before reading the whole body (401,
    /// 413): over a socket that reads while it writes, so the answer is not
    /// lost when the server closes early; with reqwest for https.
    pub async fn send_early(self) -> Result<Reply, Stop> {
        if self.cx.base_url.starts_with("http://") { self.send_bare().await } else { self.send().await }
    }

    /// Sends exactly these headers (plus `Host`, `Content-Length` or
    /// `Transfer-Encoding: chunked`, and `Connection: close`) over a socket.
    pub async fn send_bare(mut self) -> Result<Reply, Stop> {
        self.resolve_credential().await?;
        let what = format!("an HTTP answer to {} {}", self.method, self.path);
        let answer = tokio::time::timeout(
            REQUEST_TIMEOUT,
            socket::exchange(
                &self.cx.base_url,
                self.method,
                &self.path,
                &self.headers,
                self.body.as_deref(),
                self.chunked,
            ),
        )
        .await
        .map_err(|_| silence(&what, format!("no complete answer within {}s", REQUEST_TIMEOUT.as_secs())))?;
        let (status, headers, body) = answer.map_err(|error| match error {
            socket::SocketError::Unsupported(reason) => Stop::Skip(reason),
            socket::SocketError::Failed(reason) => silence(&what, reason),
        })?;
        super::link::answered();
        Ok(self.cx.record(Reply { method: self.method, path: self.path, status, headers, body }))
    }
}

/// An answer: status, headers and the whole body.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The request's method.
    pub method: &'static str,
    /// The request's path (with query).
    pub path: String,
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value, when present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The `Content-Type`, or `""`.
    pub fn content_type(&self) -> &str {
        self.header(CONTENT_TYPE.as_str()).unwrap_or("")
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `401 application/problem+json {"type":…}`: the status, the content type
    /// and the body on one line, cut.
    pub fn describe(&self) -> String {
        let content_type = match self.content_type() {
            "" => "(no content type)",
            other => other,
        };
        let body =
            if self.body.is_empty() { "(empty body)".to_owned() } else { one_line(&self.text(), SHOWN_BODY_CHARS) };
        format!("{} {content_type} {body}", self.status)
    }

    /// Fails unless the status is `status`.
    pub fn expect_status(&self, status: u16) -> Result<&Self, Stop> {
        ensure(self.status == status, format!("status {status}"), || self.describe())?;
        Ok(self)
    }

    /// The body as JSON, or a failure saying it is not.
    pub fn json(&self) -> Result<Value, Stop> {
        serde_json::from_slice(&self.body)
            .map_err(|error| fail("a JSON body", format!("invalid JSON ({error}): {}", self.describe())))
    }

    /// `status` with an `application/json` body, parsed.
    pub fn expect_json(&self, status: u16) -> Result<Value, Stop> {
        self.expect_status(status)?;
        ensure(media_type(self.content_type()) == "application/json", format!("{status} application/json"), || {
            self.describe()
        })?;
        self.json()
    }

    /// `status` with a problem body (Decision 4): `application/problem+json`
    /// holding at least `type`, `title` and `status` (equal to the status).
    pub fn expect_problem(&self, status: u16) -> Result<Value, Stop> {
        let expected = format!("{status} application/problem+json with type, title and status {status}");
        ensure(self.status == status, &expected, || self.describe())?;
        ensure(media_type(self.content_type()) == "application/problem+json", &expected, || self.describe())?;
        let body = self.json().map_err(|_| fail(&expected, self.describe()))?;
        let well_formed = body.get("type").is_some_and(Value::is_string)
            && body.get("title").is_some_and(Value::is_string)
            && body.get("status").and_then(Value::as_u64) == Some(u64::from(status));
        ensure(well_formed, &expected, || self.describe())?;
        Ok(body)
    }

    /// A 400 problem whose `errors` names every one of `paths` (Decision 5).
    pub fn expect_invalid(&self, paths: &[&str]) -> Result<Value, Stop> {
        let body = self.expect_problem(400)?;
        let errors = body.get("errors").and_then(Value::as_object);
        for path in paths {
            let named = errors.and_then(|errors| errors.get(*path)).is_some_and(|messages| {
                messages.as_array().is_some_and(|m| !m.is_empty() && m.iter().all(Value::is_string))
            });
            ensure(named, format!("400 problem whose errors name {path} with messages"), || self.describe())?;
        }
        Ok(body)
    }

    /// A 401 problem with `WWW-Authenticate: Bearer`, and the parameters
    /// `challenge` asks for (Decision 4).
    pub fn expect_unauthorized(&self, challenge: Challenge) -> Result<Value, Stop> {
        let body = self.expect_problem(401)?;
        let header = self.header("www-authenticate").unwrap_or("");
        let scheme_ok = header.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("bearer"));
        let names_error = header.contains("error=\"invalid_token\"") && header.contains("error_description=");
        let (fits, expected) = match challenge {
            Challenge::Plain => (!names_error, "WWW-Authenticate: Bearer (no error parameter: no token was sent)"),
            Challenge::InvalidToken => {
                (names_error, "WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"…\"")
            }
            Challenge::Any => (true, "WWW-Authenticate: Bearer…"),
        };
        ensure(scheme_ok && fits, expected, || format!("WWW-Authenticate: {header:?}; {}", self.describe()))?;
        Ok(body)
    }
}

/// What a 401's `WWW-Authenticate` must say (Decision 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// `Bearer` alone: no token was sent.
    Plain,
    /// `Bearer error="invalid_token", error_description="…"`: a token was sent and rejected.
    InvalidToken,
    /// `Bearer`, with or without parameters.
    Any,
}

/// The media type of a `Content-Type`, lowercased, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// A failure for a request that got no answer, reported to [`super::link`].
fn silence(expected: &str, got: String) -> Stop {
    super::link::silent(&got);
    fail(expected, got)
}

/// A reqwest error as one line naming what happened.
fn transport(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {}s", REQUEST_TIMEOUT.as_secs())
    } else if error.is_connect() {
        format!("could not connect: {}", cause(error))
    } else if error.is_body() || error.is_decode() {
        format!("the answer broke off: {}", cause(error))
    } else {
        format!("the connection failed: {}", cause(error))
    }
}

/// An error and its sources on one line.
fn cause(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    one_line(&text, 240)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, content_type: &str, body: &str) -> Reply {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(content_type) {
            headers.insert(CONTENT_TYPE, value);
        }
        Reply { method: "GET", path: "/x".to_owned(), status, headers, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn problems_need_their_media_type_and_members() {
        let good = r#"{"type":"about:blank","title":"Bad","status":400,"errors":{"$.id":["no"]}}"#;
        assert!(reply(400, "application/problem+json", good).expect_invalid(&["$.id"]).is_ok());
        assert!(reply(400, "application/problem+json", good).expect_invalid(&["$.name"]).is_err());
        assert!(reply(400, "application/json", good).expect_problem(400).is_err());
        assert!(reply(400, "application/problem+json", r#"{"title":"Bad","status":400}"#).expect_problem(400).is_err());
        assert!(reply(401, "application/problem+json", good).expect_problem(401).is_err());
    }

    #[test]
    fn html_is_described_on_one_line() {
        let html = reply(200, "text/html", "<html>\n<body>hi</body>\n</html>");
        assert_eq!(html.describe(), "200 text/html <html>⏎<body>hi</body>⏎</html>");
        let Err(Stop::Fail { got, .. }) = html.expect_json(200) else { panic!("HTML passed as JSON") };
        assert!(got.starts_with("200 text/html"), "{got}");
        assert_eq!(reply(204, "", "").describe(), "204 (no content type) (empty body)");
    }

    #[test]
    fn media_types_drop_parameters() {
        assert_eq!(media_type("Application/JSON; charset=utf-8"), "application/json");
        assert_eq!(media_type(""), "");
    }
}
