//! The parts around the browser: a chathub-server, a second tiny server
//! playing an integrator's page on another origin, and the company-side API
//! calls an integrator's backend makes (sign in, issue, deactivate).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chathub_server::Config;
use chathub_server::cors::AllowedOrigin;
use chathub_server::testing::{DEFAULT_SEED, TestServer, test_config};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

/// The panel's path on the server.
pub const SCRIPT_PATH: &str = "/operator-chat-panel/widget-script.js";

/// [`DEFAULT_SEED`]'s first company.
pub const ACME: (&str, &str) = ("acme", "acme-pass-1");

/// JavaScript: the panel module's `diagnostics()` (the same module instance: same URL).
pub fn diagnostics(script_url: &str) -> String {
    format!("import({script_url:?}).then((module) => module.diagnostics())")
}

/// A chathub-server on a fresh database, plus a company-side client.
pub struct Server {
    /// The server.
    pub server: TestServer,
    http: reqwest::Client,
}

impl Server {
    /// [`DEFAULT_SEED`], with `--cors-allow-origin` for `origins` and `--demo` when asked.
    pub async fn start(origins: &[&str], demo: bool) -> Self {
        Self::start_with_seed(Some(DEFAULT_SEED), origins, demo).await
    }

    /// A server with the given seed (none: the demo company is created).
    pub async fn start_with_seed(seed: Option<&str>, origins: &[&str], demo: bool) -> Self {
        Self::start_with_options(seed, origins, demo, false).await
    }

    /// A server with the given seed, `--cors-allow-origin`, `--demo` and `--simulator`.
    pub async fn start_with_options(seed: Option<&str>, origins: &[&str], demo: bool, simulator: bool) -> Self {
        let cors_allow_origin: Vec<AllowedOrigin> =
            origins.iter().map(|origin| chathub_server::cors::parse_origin(origin).expect("a valid origin")).collect();
        let config = Config { cors_allow_origin, demo, simulator, ..test_config().await.expect("a database") };
        let server = match seed {
            Some(seed) => TestServer::start_seeded(seed, config).await,
            None => TestServer::start_with(config).await,
        }
        .expect("the server starts");
        Self { server, http: reqwest::Client::builder().no_proxy().build().expect("an HTTP client") }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        self.server.base_url()
    }

    /// The panel script's URL on this server.
    pub fn script_url(&self) -> String {
        format!("{}{SCRIPT_PATH}", self.url())
    }

    /// An HTTP client that bypasses any proxy.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A company token for `(login, password)`.
    pub async fn company_token(&self, (login, password): (&str, &str)) -> String {
        let response = self
            .http
            .post(format!("{}/api/company/get-token", self.url()))
            .header(header::ACCEPT, "text/plain")
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), StatusCode::OK, "sign in as {login}");
        response.text().await.expect("a token")
    }

    /// The id of the operator named `name` in `organization`.
    pub async fn operator_id(&self, company: &str, organization: i32, name: &str) -> i32 {
        let list: Vec<Value> = self
            .http
            .get(format!("{}/api/operator?organizationId={organization}", self.url()))
            .bearer_auth(company)
            .send()
            .await
            .expect("list operators")
            .json()
            .await
            .expect("a JSON list");
        let found = list.iter().find(|operator| operator["name"] == name).unwrap_or_else(|| panic!("no {name}"));
        i32::try_from(found["id"].as_i64().expect("an id")).expect("a 32-bit id")
    }

    /// An operator token for `operator`, alive for `lifetime`.
    pub async fn operator_token(&self, company: &str, operator: i32, lifetime: TimeDelta) -> String {
        let expires_at: DateTime<Utc> = Utc::now() + lifetime;
        let response = self
            .http
            .post(format!("{}/api/operator/get-token", self.url()))
            .bearer_auth(company)
            .header(header::ACCEPT, "text/plain")
            .json(&json!({ "id": operator, "expiresAt": expires_at.to_rfc3339_opts(SecondsFormat::Millis, true) }))
            .send()
            .await
            .expect("issue an operator token");
        assert_eq!(response.status(), StatusCode::OK, "issue a token for operator {operator}");
        response.text().await.expect("a token")
    }

    /// Sets an operator's status (1: Inactive, revoking its tokens).
    pub async fn set_status(&self, company: &str, operator: i32, status: i32) {
        let response = self
            .http
            .post(format!("{}/api/operator/status", self.url()))
            .bearer_auth(company)
            .json(&json!({ "id": operator, "status": status }))
            .send()
            .await
            .expect("set the status");
        assert_eq!(response.status(), StatusCode::OK, "set operator {operator} to status {status}");
    }
}

impl Server {
    /// `method path` with `credential` and an optional JSON body; the status and the JSON answer (`Null` when empty).
    pub async fn call(
        &self,
        credential: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.url())).bearer_auth(credential);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|error| panic!("{path}: {error}"));
        let status = response.status();
        let text = response.text().await.expect("an answer");
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    /// `POST /api/simulator/customer-message` (the server runs with `--simulator`): `{chat, message, created}`.
    pub async fn customer_message(&self, company: &str, body: Value) -> Value {
        let (status, answer) =
            self.call(company, reqwest::Method::POST, "/api/simulator/customer-message", Some(body)).await;
        assert_eq!(status, StatusCode::OK, "simulate a customer message: {answer}");
        answer
    }

    /// A chat's messages, oldest first.
    pub async fn messages(&self, credential: &str, chat: i64) -> Vec<Value> {
        let (status, answer) =
            self.call(credential, reqwest::Method::GET, &format!("/api/chat/{chat}/messages"), None).await;
        assert_eq!(status, StatusCode::OK, "messages of chat {chat}: {answer}");
        serde_json::from_value(answer).expect("a list of messages")
    }

    /// `PUT /api/chat/status`.
    pub async fn set_chat_status(&self, credential: &str, chat: i64, status: i32) {
        let (answer, body) = self
            .call(credential, reqwest::Method::PUT, "/api/chat/status", Some(json!({ "id": chat, "status": status })))
            .await;
        assert_eq!(answer, StatusCode::OK, "set chat {chat} to status {status}: {body}");
    }
}

/// A second server on another port, so on another origin: the integrator's
/// pages, served from memory by path.
pub struct PageServer {
    origin: String,
    pages: Arc<Mutex<HashMap<String, String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl PageServer {
    /// Listens on a free loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the page server");
        let origin = format!("http://{}", listener.local_addr().expect("its address"));
        let pages: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let router = axum::Router::new().route("/{name}", axum::routing::get(serve)).with_state(pages.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { origin, pages, task }
    }

    /// `http://127.0.0.1:<port>`, the pages' origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Serves `html` at `/<name>` and returns its URL.
    pub fn put(&self, name: &str, html: String) -> String {
        self.pages.lock().unwrap_or_else(PoisonError::into_inner).insert(name.to_owned(), html);
        format!("{}/{name}", self.origin)
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    State(pages): State<Arc<Mutex<HashMap<String, String>>>>,
    Path(name): Path<String>,
) -> impl IntoResponse {
    match pages.lock().unwrap_or_else(PoisonError::into_inner).get(&name) {
        Some(html) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html.clone()),
        None => {
            (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "no such page".to_owned())
        }
    }
}

/// A plain integrator page holding `tags` (already written script tags) in `<div id="slot">`.
pub fn plain_page(title: &str, tags: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title><link rel="icon" href="data:,">
<style>body {{ font-family: serif; color: #800; }} div, section, p {{ border: 3px dashed red !important; }}</style>
</head>
<body>
<h1>{title}</h1>
<div id="slot">
{tags}
</div>
</body>
</html>"#
    )
}

/// A panel tag: `<script type="module" id=… src=… token=…>`, with extra attributes.
pub fn tag(id: &str, src: &str, token: &str, extra: &str) -> String {
    format!(r#"<script type="module" id="{id}" src="{src}" token="{token}" {extra}></script>"#)
}

/// JavaScript: the shadow root of the panel mounted for the tag with id `id`.
pub fn panel(id: &str) -> String {
    format!(r#"document.querySelector('[data-operator-chat-panel="{id}"]')"#)
}

/// JavaScript: the text of `part` in the panel for tag `id` (undefined until it exists).
pub fn part_text(id: &str, part: &str) -> String {
    format!(r#"{}?.shadowRoot?.querySelector('[data-part="{part}"]')?.textContent"#, panel(id))
}

/// Set to `1` to rewrite the screenshots in docs/img/ from this run.
pub const UPDATE_SCREENSHOTS_VARIABLE: &str = "CHATHUB_UPDATE_SCREENSHOT";

/// A screenshot's size limit (they are committed).
pub const MAX_SCREENSHOT_BYTES: usize = 300 * 1024;

/// Saves a screenshot as `name`: always into cargo's scratch directory for
/// tests; into docs/img/ when [`UPDATE_SCREENSHOTS_VARIABLE`] is `1`, or
/// when it is not there yet.
pub fn save_screenshot(png: &[u8], name: &str) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(png.len() < MAX_SCREENSHOT_BYTES, "the screenshot {name} is {} bytes", png.len());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&scratch, png).unwrap_or_else(|error| panic!("write {}: {error}", scratch.display()));
    let committed = root.join("docs/img").join(name);
    if std::env::var(UPDATE_SCREENSHOTS_VARIABLE).is_ok_and(|value| value == "1") || !committed.exists() {
        std::fs::create_dir_all(committed.parent().expect("docs/img")).expect("create docs/img");
        std::fs::write(&committed, png).unwrap_or_else(|error| panic!("write {}: {error}", committed.display()));
    }
}
