//! A real server with the simulator on, clients for it, REST helpers and
//! event waits (timeouts are safety nets, never what passes a test).

use std::path::Path;
use std::time::Duration;

use chathub_client::hub::{Hub, HubEvent};
use chathub_client::{Client, OperatorId};
use chathub_server::Config;
use chathub_server::testing::{DEFAULT_SEED, TestServer, fresh_database_url};
use serde_json::{Value, json};

pub const ACME_API_KEY: &str = "acme-static-api-key-0001";
pub const GLOBEX_API_KEY: &str = "globex-static-api-key-0001";

/// How long any one event may take to arrive: a safety net.
pub const WAIT: Duration = Duration::from_secs(10);

/// A server on a fresh database with [`DEFAULT_SEED`] and the simulator on.
pub async fn server() -> TestServer {
    let dir = tempfile::tempdir().expect("test setup");
    let config = config(dir.path(), fresh_database_url().await.expect("test setup"));
    TestServer::start_with(config).await.expect("test setup")
}

/// A configuration with the simulator on, the seed written into `dir`.
pub fn config(dir: &Path, database: String) -> Config {
    let seed = dir.join("seed.toml");
    std::fs::write(&seed, DEFAULT_SEED).expect("test setup");
    Config { seed: Some(seed), database, simulator: true, ..Config::in_memory() }
}

/// A client signing in as acme.
pub fn acme(server: &TestServer) -> Client {
    Client::builder().base_url(server.base_url()).credentials("acme", "acme-pass-1").build().expect("test setup")
}

/// A client signing in as globex.
pub fn globex(server: &TestServer) -> Client {
    Client::builder().base_url(server.base_url()).credentials("globex", "globex-pass-1").build().expect("test setup")
}

/// The id of the operator `name` in organization `organization`.
pub async fn operator_id(client: &Client, organization: i32, name: &str) -> OperatorId {
    let operators = client.operators().list(organization).await.expect("test setup");
    operators.into_iter().find(|operator| operator.name == name).expect("test setup").id
}

/// A REST call with an API key; the answer's JSON (null when empty). Panics unless 200.
pub async fn rest(server: &TestServer, api_key: &str, method: &str, path: &str, body: Value) -> Value {
    let http = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("test setup");
    let response = http
        .request(method, format!("{}{path}", server.base_url()))
        .header("X-Authorization-Key", api_key)
        .json(&body)
        .send()
        .await
        .expect("test setup");
    let status = response.status();
    let text = response.text().await.expect("test setup");
    assert_eq!(status, 200, "{path}: {text}");
    if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("test setup") }
}

/// A simulated customer message to `organization`: `{chat, message, created}`.
pub async fn customer_message(server: &TestServer, api_key: &str, organization: i32, phone: &str, text: &str) -> Value {
    let body = json!({
        "organizationId": organization, "source": 2, "theme": "Parcel #491",
        "client": {"name": "Olena", "phone": phone}, "textMessage": text,
    });
    rest(server, api_key, "POST", "/api/simulator/customer-message", body).await
}

/// The next event, or a panic after [`WAIT`].
pub async fn next(hub: &mut Hub) -> HubEvent {
    tokio::time::timeout(WAIT, hub.next_event())
        .await
        .expect("an event within the safety net")
        .expect("the hub is still open")
}

/// Events until one `pick` accepts (skipping the others); its value.
pub async fn until<T>(hub: &mut Hub, mut pick: impl FnMut(HubEvent) -> Option<T>) -> T {
    loop {
        if let Some(found) = pick(next(hub).await) {
            return found;
        }
    }
}
