//! Shared helpers: clients wired to a mock server, JWTs, log capture.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chathub_client::{Client, ClientBuilder, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const LOGIN: &str = "acme";
pub const PASSWORD: &str = "acme-pass-1-very-secret";
pub const API_KEY: &str = "acme-static-api-key-0001";
pub const SIGN_IN: &str = "/api/company/get-token";
pub const ORGANIZATIONS: &str = "/api/company/organization";
pub const OPERATORS: &str = "/api/operator";
pub const SYNCHRONIZE: &str = "/api/operator/synchronize";
pub const STATUS: &str = "/api/operator/status";
pub const OPERATOR_TOKEN: &str = "/api/operator/get-token";
pub const VALIDATE: &str = "/api/operator/validate-token";

/// A short timeout so the timeout tests stay fast.
pub const TIMEOUT: Duration = Duration::from_millis(300);

/// Fast retries: three attempts, 10 ms backoff.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().min_delay(Duration::from_millis(10)).max_delay(Duration::from_millis(40))
}

/// A builder for `server` with short timeouts and fast retries, no credentials yet.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder().base_url(server.uri()).timeout(TIMEOUT).retry_policy(fast_retries())
}

/// A client signing in with [`LOGIN`] and [`PASSWORD`].
pub fn password_client(server: &MockServer) -> Client {
    builder(server).credentials(LOGIN, PASSWORD).build().expect("valid configuration")
}

/// A client using [`API_KEY`].
pub fn api_key_client(server: &MockServer) -> Client {
    builder(server).api_key(API_KEY).build().expect("valid configuration")
}

/// An unsigned-but-well-formed JWT with these claims (the client never verifies).
pub fn jwt(claims: serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2lnbmF0dXJlLW5vdC1jaGVja2VkLWJ5LXRoZS1jbGllbnQ")
}

/// A company JWT named `jti`, issued now, that expires `seconds` from now.
pub fn company_jwt(jti: &str, seconds: i64) -> String {
    company_jwt_issued(jti, 0, seconds)
}

/// A company JWT named `jti` issued `issued` seconds from now (negative: in
/// the past) that expires `expires` seconds from now.
pub fn company_jwt_issued(jti: &str, issued: i64, expires: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    jwt(serde_json::json!({
        "iss": "chathub", "sub": "1", "iat": now + issued, "exp": now + expires, "jti": jti, "kind": "company"
    }))
}

/// An operator JWT for `operator` expiring at `exp`.
pub fn operator_jwt(operator: i32, exp: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    jwt(
        serde_json::json!({"iss": "chathub", "sub": operator.to_string(), "iat": now, "exp": exp, "jti": "op", "kind": "operator"}),
    )
}

/// Mounts a sign-in that answers `token` as a JSON string, expected `times` times.
pub async fn mount_sign_in(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(SIGN_IN))
        .respond_with(json_string(token))
        .expect(times)
        .named("sign-in")
        .mount(server)
        .await;
}

/// A 200 whose body is `token` as a JSON string (Decision 1 with `Accept: application/json`).
pub fn json_string(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_raw(serde_json::Value::from(token).to_string(), "application/json; charset=utf-8")
}

/// A 200 with a JSON body.
pub fn json(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json; charset=utf-8")
}

/// An RFC 7807 body with `status` and `detail`.
pub fn problem(status: u16, title: &str, detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(
        serde_json::json!({"type": "about:blank", "title": title, "status": status, "detail": detail}).to_string(),
        "application/problem+json",
    )
}

/// How many requests the server received for `path_`.
pub async fn hits(server: &MockServer, path_: &str) -> usize {
    server.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == path_).count()
}

/// Captures this thread's `chathub_client` log lines while alive.
///
/// One global subscriber, installed once, writes into the buffer of the
/// thread that logs. Scoped subscribers (`set_default`) would race: tracing
/// caches each callsite's interest process-wide, so a test on another
/// thread could switch a callsite off while this one captures.
pub struct Logs {
    buffer: Arc<Mutex<Vec<u8>>>,
}

thread_local! {
    static CAPTURE: std::cell::RefCell<Option<Arc<Mutex<Vec<u8>>>>> = const { std::cell::RefCell::new(None) };
}

impl Logs {
    /// Starts capturing (use a current-thread runtime, as `#[tokio::test]` does).
    pub fn capture() -> Self {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("chathub_client=trace"))
                .with_ansi(false)
                .with_writer(|| LogWriter(CAPTURE.with(|capture| capture.borrow().clone())))
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("the only global subscriber of this test binary");
        });
        let buffer = Arc::new(Mutex::new(Vec::new()));
        CAPTURE.with(|capture| *capture.borrow_mut() = Some(buffer.clone()));
        Self { buffer }
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().expect("log buffer")).into_owned()
    }

    /// The lines holding `needle`.
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        self.text().lines().filter(|line| line.contains(needle)).map(str::to_owned).collect()
    }
}

impl Drop for Logs {
    fn drop(&mut self) {
        CAPTURE.with(|capture| *capture.borrow_mut() = None);
    }
}

/// Writes into the capturing thread's buffer, or nowhere.
struct LogWriter(Option<Arc<Mutex<Vec<u8>>>>);

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(buffer) = &self.0 {
            buffer.lock().expect("log buffer").extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
