//! A page on another origin: one page, four panels, each loading the script
//! from its own server. Only the servers whose `--cors-allow-origin` names
//! the page (or is `*`) let their panel connect; the others' panels say they
//! are disconnected and why, and the browser itself logs the CORS refusal.

use chrono::TimeDelta;

use crate::chromium::Browser;
use crate::support::{ACME, PageServer, Server, panel, part_text, plain_page, tag};

#[tokio::test]
async fn a_page_on_another_origin_works_only_when_cors_allow_origin_names_it() {
    let pages = PageServer::start().await;
    let named = Server::start(&[pages.origin()], false).await;
    let star = Server::start(&["*"], false).await;
    let other = Server::start(&["http://127.0.0.1:1"], false).await;
    let none = Server::start(&[], false).await;
    let servers = [("named", &named), ("star", &star), ("other", &other), ("none", &none)];
    let mut tags = Vec::new();
    for (name, server) in servers {
        let company = server.company_token(ACME).await;
        let john = server.operator_id(&company, 24, "John Smith").await;
        let token = server.operator_token(&company, john, TimeDelta::hours(1)).await;
        tags.push(tag(&format!("operator-chat-panel-script-{name}"), &server.script_url(), &token, ""));
    }
    let url = pages.put("cross-origin", plain_page("Another origin", &tags.join("\n")));

    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&url).await;
    for (name, expected) in
        [("named", "connected"), ("star", "connected"), ("other", "disconnected"), ("none", "disconnected")]
    {
        let id = format!("operator-chat-panel-script-{name}");
        page.wait_for(
            &format!("the `{name}` panel to be {expected}"),
            &format!("{}?.dataset.state === '{expected}'", panel(&id)),
        )
        .await;
    }
    assert_eq!(page.eval(&part_text("operator-chat-panel-script-named", "operator-name")).await, "John Smith");
    for name in ["other", "none"] {
        let notice = page.eval(&part_text(&format!("operator-chat-panel-script-{name}"), "notice")).await;
        assert!(notice.as_str().is_some_and(|text| text.contains("--cors-allow-origin")), "{notice}");
    }
    let events = page.error_events().await;
    assert_eq!(events.len(), 2, "one error event per refused panel: {events:?}");
    assert!(events.iter().all(|message| message.contains("cannot reach ChatHub")), "{events:?}");

    // The only console errors are Chromium's CORS refusals, for the refused servers.
    let refused = [other.url(), none.url()];
    let cors_refusal = |error: &crate::page::ConsoleError| {
        error.text.contains("CORS policy") && refused.iter().any(|url| error.text.contains(url))
    };
    let failed_fetch = |error: &crate::page::ConsoleError| {
        error.source == "network" && refused.iter().any(|url| error.text.contains(url))
    };
    assert!(page.console_errors().iter().any(cors_refusal), "{:#?}", page.console_errors());
    page.assert_clean(&[&cors_refusal, &failed_fetch]);
    browser.close().await;
}
