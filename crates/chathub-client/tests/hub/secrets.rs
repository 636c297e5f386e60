//! No credential reaches a log, even with everything at TRACE and the
//! `log` crate's records (tungstenite's, rustls', hyper's) forwarded to
//! `tracing`. Its own test binary: the subscriber is global.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chathub_client::Client;
use chathub_server::testing::TestServer;

const API_KEY: &str = "acme-static-api-key-0001";

/// Everything written by the subscriber.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("capture")).into_owned()
    }
}

#[tokio::test]
async fn no_credential_is_logged_at_trace_with_the_log_bridge() {
    let capture = Capture::default();
    let writer = capture.clone();
    // `init` with tracing-subscriber's `tracing-log` feature also installs
    // the `log` → `tracing` bridge (LogTracer).
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let server = TestServer::start().await.unwrap();
    let acme = Client::builder().base_url(server.base_url()).credentials("acme", "acme-pass-1").build().unwrap();
    let operators = acme.operators().list(24).await.unwrap();
    let john = operators.iter().find(|operator| operator.name == "John Smith").unwrap().id;
    let token = acme.operators().issue_token(john, Duration::from_secs(600)).await.unwrap().token;
    let operator_token = token.expose().to_owned();

    let by_key = Client::builder().base_url(server.base_url()).api_key(API_KEY).build().unwrap();
    by_key.hub().connect().await.unwrap().close().await.unwrap();
    acme.hub().operator_token(token).connect().await.unwrap().close().await.unwrap();
    acme.hub().connect().await.unwrap().close().await.unwrap();

    let logged = capture.text();
    assert!(logged.contains("tungstenite"), "the log bridge forwards tungstenite's records:\n{logged}");
    assert!(logged.contains("chathub hub: connected"), "the client's own records are there");
    for secret in [API_KEY, operator_token.as_str(), "acme-pass-1"] {
        assert!(
            !logged.contains(secret),
            "a credential was logged: {:?}",
            logged
                .lines()
                .filter(|l| l.contains(secret))
                .map(|l| l.split(": ").next().unwrap_or_default())
                .collect::<Vec<_>>()
        );
    }
    // The operator token's signature alone (the part after the last dot) neither.
    let signature = operator_token.rsplit('.').next().unwrap();
    assert!(!logged.contains(signature), "a token's signature was logged");
    server.stop().await;
}
