//! Secrets never reach the logs or `Debug` output (issue 5, Decisions 2, 12,
//! §4.15): everything the server logs at every level, across sign-ins,
//! token issue, validate-token and rejected credentials, holds no password,
//! token or API key.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use chathub_server::seed::Seed;
use chathub_server::testing::DEFAULT_SEED;
use chathub_types::token::TokenKind;
use chrono::Utc;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

use crate::support::{
    ACME_KEY, ACME_LOGIN, ACME_PASSWORD, Api, GLOBEX_KEY, GLOBEX_PASSWORD, JOHN, ORG_SUPPORT, oneshot, raw_request,
};

/// Everything written, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A current-thread runtime: the server's tasks run on this thread, under
/// this test's subscriber (argon2 runs on blocking threads and logs nothing).
#[tokio::test]
async fn logs_at_every_level_hold_no_secret() {
    // With a single registered dispatcher, tracing-core lets a callsite first
    // hit on another thread (another test's server) cache "never" for every
    // thread; a second registered dispatcher keeps interest per thread.
    let _second_dispatcher = tracing::Dispatch::new(tracing_subscriber::registry());
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let api = Api::start().await;
    let wrong_password = "wrong-password-d41d8cd9";
    let company_token = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    for (login, password) in [(ACME_LOGIN, wrong_password), ("nobody", GLOBEX_PASSWORD), (ACME_LOGIN, "")] {
        let answer =
            api.post("/api/company/get-token").json(&json!({ "login": login, "password": password })).send().await;
        assert_eq!(answer.status, 401);
    }
    let answer = api
        .post("/api/company/get-token")
        .json(&json!({ "login": ACME_LOGIN, "password": [wrong_password] }))
        .send()
        .await;
    assert_eq!(answer.status, 400);
    let operator_token = api.operator_token(&company_token, JOHN).await;
    let second_operator_token = api.operator_token(ACME_KEY, JOHN).await;
    assert_eq!(api.validate(&company_token, &operator_token).await["isValid"], true);
    assert_eq!(api.validate(ACME_KEY, "garbage-token-5f0c").await["isValid"], false);
    assert_eq!(api.get("/api/operator").bearer(&operator_token).send().await.status, 200);
    assert_eq!(api.get("/api/company/organization").key(GLOBEX_KEY).send().await.status, 200);
    assert_eq!(api.get("/api/company/organization").bearer(&operator_token).send().await.status, 403);
    let now = Utc::now().timestamp();
    let expired = api.forge(TokenKind::Company, 1, now - 100, now - 1);
    assert_eq!(api.get("/api/company/organization").bearer(&expired).send().await.status, 401);
    assert_eq!(api.get("/api/company/organization").bearer(&company_token).key(ACME_KEY).send().await.status, 401);
    api.set_status(ACME_KEY, JOHN, 1).await;
    assert_eq!(api.get("/api/operator").bearer(&second_operator_token).send().await.status, 403);
    // And without a socket, with the credential in the other header.
    let request = raw_request(
        "GET",
        &format!("/api/operator?organizationId={ORG_SUPPORT}"),
        &[("x-authorization-key", ACME_KEY.as_bytes())],
        axum::body::Body::empty(),
    );
    assert_eq!(oneshot(api.router(), request).await.status, 200);
    let debug = format!("{:?}", api.server.state());
    api.server.stop().await;

    let logs = captured.text();
    for expected in ["/api/company/get-token", "/api/operator/validate-token", "chathub_server", "status=401"] {
        assert!(logs.contains(expected), "the logs show {expected}: {logs}");
    }
    let mut secrets = vec![
        ACME_PASSWORD,
        GLOBEX_PASSWORD,
        wrong_password,
        ACME_KEY,
        GLOBEX_KEY,
        "garbage-token-5f0c",
        &company_token,
        &operator_token,
        &second_operator_token,
        &expired,
    ];
    // Each part of each token: a signature or a payload alone is as bad.
    let tokens = [&company_token, &operator_token, &second_operator_token, &expired];
    let parts: Vec<&str> = tokens.iter().flat_map(|t| t.split('.').skip(1)).collect();
    secrets.extend(parts);
    for secret in &secrets {
        assert!(!logs.contains(secret), "the logs hold {secret:?}");
        assert!(!debug.contains(secret), "the state's Debug holds {secret:?}");
    }
}

#[test]
fn a_seeds_debug_holds_no_secret() {
    let seed = Seed::parse(DEFAULT_SEED, "seed.toml").expect("seed");
    let debug = format!("{seed:?}");
    assert!(debug.contains("acme"), "{debug}");
    for secret in [ACME_PASSWORD, GLOBEX_PASSWORD, ACME_KEY, GLOBEX_KEY] {
        assert!(!debug.contains(secret), "{debug}");
    }
}
