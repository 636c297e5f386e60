//! The official `@microsoft/signalr` JavaScript client against the hub
//! (spec §7.3, §7.5): it connects by header (Node's `accessTokenFactory`)
//! and by `access_token` in the hub URL, receives events, sees ASP.NET's
//! error texts, and a long-polling-only client fails in `start()`.
//!
//! Runs `tests/signalr/hub.mjs` with Node, installing the client with npm
//! when `node_modules` is missing. Skipped (saying why) only when `node`
//! is not installed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chathub_server::auth::{Principal, authenticate};
use chathub_server::events::{Event, Published};
use chathub_types::chat::ChatStatus;
use chathub_types::{ChatId, CompanyId, OrganizationId};
use chrono::Utc;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::support::*;

/// A safety net for a hung client, never what a test measures.
const PATIENCE: Duration = Duration::from_secs(60);

fn script_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("signalr")
}

/// `Some(dir)` once the client is installed; `None` (with the reason
/// printed) when Node is not installed.
async fn installed() -> Option<PathBuf> {
    static INSTALL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    if Command::new("node").arg("--version").output().await.is_err() {
        eprintln!("SKIPPED: `node` is not installed, so the official SignalR client cannot run");
        return None;
    }
    let dir = script_dir();
    let _guard = INSTALL.lock().await;
    if !dir.join("node_modules").join("@microsoft").join("signalr").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .await
            .expect("npm runs (it comes with node)");
        assert!(status.success(), "npm ci in {} failed", dir.display());
    }
    Some(dir)
}

struct Client {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Client {
    async fn start(dir: &Path, base_url: &str, token: &str, mode: &str, events: usize) -> Self {
        let mut child = Command::new("node")
            .arg(dir.join("hub.mjs"))
            .args([base_url, token, mode, &events.to_string()])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().expect("stdout");
        Self { child, lines: BufReader::new(stdout).lines() }
    }

    async fn line(&mut self) -> Value {
        let line = tokio::time::timeout(PATIENCE, self.lines.next_line())
            .await
            .expect("the client answers in time")
            .expect("read stdout")
            .expect("a line before the client exits");
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"))
    }

    async fn exits_cleanly(mut self) {
        let status = tokio::time::timeout(PATIENCE, self.child.wait()).await.expect("exits in time").expect("wait");
        assert!(status.success(), "node exited with {status}");
    }
}

async fn company_of(api: &Api) -> CompanyId {
    match authenticate(api.server.state(), ACME_KEY, Utc::now()).await.expect("the seeded key") {
        Principal::Company(company) => company,
        Principal::Operator { .. } => unreachable!("an API key is a company credential"),
    }
}

fn status_changed(company: CompanyId, organization: i32, chat: i32) -> Published {
    Published {
        company,
        organization: OrganizationId(organization),
        event: Event::ChatStatusChanged { chat: ChatId(chat), status: ChatStatus::Closed },
    }
}

/// By header (company token) and by `access_token` (operator token of
/// organization 24): each connects, receives the event it may see and not
/// the one of another organization, and reads ASP.NET's error texts.
#[tokio::test]
async fn the_official_client_connects_by_header_and_by_access_token() {
    let Some(dir) = installed().await else { return };
    let api = Api::start().await;
    let company = company_of(&api).await;
    let company_token = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    let john = api.operator_token(ACME_KEY, JOHN).await;
    // Organization 42 is acme's but not John's: the company sees both events, John one.
    let cases =
        [("header", &company_token, vec![json!([42, 4]), json!([24, 4])]), ("query", &john, vec![json!([24, 4])])];
    for (mode, token, expected) in cases {
        let mut client = Client::start(&dir, api.server.base_url(), token, mode, expected.len()).await;
        let ready = client.line().await;
        assert!(ready["ready"].is_string(), "{mode}: {ready}");
        api.server
            .state()
            .events
            .publish([status_changed(company, ORG_TECH, 42), status_changed(company, ORG_SUPPORT, 24)]);
        for args in expected {
            assert_eq!(client.line().await, json!({"event": "ChatStatusChanged", "args": args}), "{mode}");
        }
        assert_eq!(
            client.line().await,
            json!({"method": "Foo",
                   "error": "Failed to invoke 'Foo' due to an error on the server. HubException: Method does not exist."})
        );
        assert_eq!(
            client.line().await,
            json!({"method": "SendMessage",
                   "error": "An unexpected error occurred invoking 'SendMessage' on the server. HubException: Chat not found"})
        );
        assert_eq!(client.line().await, json!({"onclose": null}));
        assert_eq!(client.line().await, json!({"closed": true}));
        client.exits_cleanly().await;
    }
}

#[tokio::test]
async fn a_long_polling_client_fails_to_start() {
    let Some(dir) = installed().await else { return };
    let api = Api::start().await;
    let mut client = Client::start(&dir, api.server.base_url(), ACME_KEY, "longpolling", 0).await;
    let failed = client.line().await;
    let message = failed["startFailed"].as_str().unwrap_or_else(|| panic!("start() must fail: {failed}"));
    assert!(message.contains("transport"), "{message}");
    client.exits_cleanly().await;
}

/// The acceptance: with `--simulator`, the official client (an
/// operator token by header) watches a simulated customer's message arrive
/// as `ChatCreated` then `ReceiveMessage`.
#[tokio::test]
async fn the_official_client_watches_a_simulated_customer_message_arrive() {
    let Some(dir) = installed().await else { return };
    let api = crate::chat_support::simulator_api().await;
    let john = api.operator_token(ACME_KEY, JOHN).await;
    let mut client = Client::start(&dir, api.server.base_url(), &john, "header", 2).await;
    assert!(client.line().await["ready"].is_string());
    let body = json!({"organizationId": ORG_SUPPORT, "source": 2, "theme": "Parcel #491",
                      "client": {"name": "Olena", "phone": "+380 50 123 45 67"}, "textMessage": "Where is my parcel?"});
    let answer = api.post("/api/simulator/customer-message").key(ACME_KEY).json(&body).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let written = answer.json();
    assert_eq!(client.line().await, json!({"event": "ChatCreated", "args": [written["chat"]]}));
    assert_eq!(client.line().await, json!({"event": "ReceiveMessage", "args": [written["message"]]}));
    assert_eq!(client.line().await["method"], "Foo");
    assert_eq!(client.line().await["method"], "SendMessage");
    assert_eq!(client.line().await, json!({"onclose": null}));
    assert_eq!(client.line().await, json!({"closed": true}));
    client.exits_cleanly().await;
}
