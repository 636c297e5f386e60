//! The end of a token: its `exp` passing, a 401, and revocation (403) by
//! deactivating the operator. Each shows in the panel and as one window
//! `error` event the integrator's page can listen for; nothing retries.

use base64::Engine as _;
use chrono::TimeDelta;
use serde_json::Value;

use crate::chromium::Browser;
use crate::page::ConsoleError;
use crate::support::{ACME, PageServer, Server, diagnostics, panel, part_text, plain_page, tag};

const ID: &str = "operator-chat-panel-script";

fn state(id: &str) -> String {
    format!("{}?.dataset.state", panel(id))
}

/// The network log line Chromium writes for a failed fetch with `status`.
fn network_status(status: u16) -> impl Fn(&ConsoleError) -> bool {
    move |error| error.source == "network" && error.text.contains(&format!("status of {status}"))
}

#[tokio::test]
async fn an_expiring_token_says_token_expired_and_fires_the_error_event() {
    let pages = PageServer::start().await;
    let server = Server::start(&[pages.origin()], false).await;
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    // Three seconds ahead, cut to whole seconds by the server: two to three
    // seconds to live, issued once the browser is ready to load the page.
    let token = server.operator_token(&company, john, TimeDelta::seconds(3)).await;
    let url = pages.put("short", plain_page("Short-lived", &tag(ID, &server.script_url(), &token, "")));
    page.goto(&url).await;

    // Waiting on the clock is the point here: the token's exp passes.
    page.wait_for("the token to expire", &format!("{} === 'expired'", state(ID))).await;
    // The name comes only from the API: the panel connected before the token died.
    assert_eq!(page.eval(&part_text(ID, "operator-name")).await, "John Smith");
    assert_eq!(page.eval(&part_text(ID, "connection-text")).await, "Token expired");
    let notice = page.eval(&part_text(ID, "notice")).await;
    assert!(notice.as_str().is_some_and(|text| text.starts_with("Token expired.")), "{notice}");
    let events = page.error_events().await;
    assert_eq!(events.iter().filter(|message| message.contains("token expired")).count(), 1, "{events:?}");
    assert_eq!(events.len(), 1, "{events:?}");
    let stopped: Value = page.eval(&diagnostics(&server.script_url())).await;
    assert_eq!((&stopped["timers"], &stopped["requests"]), (&0.into(), &0.into()), "nothing keeps running");
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn a_401_from_the_api_also_reads_as_token_expired() {
    let pages = PageServer::start().await;
    let server = Server::start(&[pages.origin()], false).await;
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let genuine = server.operator_token(&company, john, TimeDelta::hours(1)).await;
    // The same claims under a signature the server never made: it answers 401,
    // while the claims the panel reads still look alive.
    let mut parts: Vec<String> = genuine.split('.').map(str::to_owned).collect();
    parts[2] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 32]);
    let forged = parts.join(".");
    let url = pages.put("forged", plain_page("Forged", &tag(ID, &server.script_url(), &forged, "")));

    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&url).await;
    page.wait_for("the panel to give up", &format!("{} === 'expired'", state(ID))).await;
    let events = page.error_events().await;
    assert!(events.len() == 1 && events[0].contains("token expired"), "{events:?}");
    page.assert_clean(&[&network_status(401)]);
    browser.close().await;
}

#[tokio::test]
async fn deactivating_the_operator_makes_the_panel_report_revocation() {
    let pages = PageServer::start().await;
    let server = Server::start(&[pages.origin()], false).await;
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let token = server.operator_token(&company, john, TimeDelta::hours(1)).await;
    let url = pages
        .put("revoked", plain_page("Revocation", &tag(ID, &server.script_url(), &token, r#"refresh-interval="1""#)));

    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&url).await;
    page.wait_for("the panel to connect", &format!("{} === 'connected'", state(ID))).await;
    // Its hub connection too: deactivating while it is being made would also
    // end it, with a refused WebSocket upgrade (403) in the console.
    page.wait_for("the hub to go live", &format!("{}?.dataset.hub === 'live'", panel(ID))).await;
    assert!(page.error_events().await.is_empty());

    server.set_status(&company, john, 1).await;
    page.wait_for("the panel to notice the revocation", &format!("{} === 'revoked'", state(ID))).await;
    assert_eq!(page.eval(&part_text(ID, "connection-text")).await, "Token revoked");
    let events = page.error_events().await;
    assert!(events.len() == 1 && events[0].contains("token revoked"), "{events:?}");
    page.wait_for("the hub socket to close", &format!("{}?.dataset.hub === 'closed'", panel(ID))).await;
    let stopped: Value = page.eval(&diagnostics(&server.script_url())).await;
    assert_eq!(
        (&stopped["timers"], &stopped["requests"], &stopped["sockets"]),
        (&0.into(), &0.into(), &0.into()),
        "no retry loop"
    );
    page.assert_clean(&[&network_status(403)]);
    browser.close().await;
}
