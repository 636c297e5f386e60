//! The `--demo` page in the browser: the panel shows the operator the server
//! issued a token for, "Reload with a fresh token" replaces the tag without
//! a page reload, "Remove the panel" unmounts it. The first test also takes
//! the README's screenshot.

use crate::chromium::Browser;
use crate::support::{MAX_SCREENSHOT_BYTES, Server, panel, part_text, save_screenshot};

const ID: &str = "operator-chat-panel-script";

#[tokio::test]
async fn the_demo_page_shows_the_operator() {
    let server = Server::start(&[], true).await;
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.color_scheme("light").await;
    page.goto(&format!("{}/demo/widget", server.url())).await;
    page.wait_for("the panel to connect", &format!("{}?.dataset.state === 'connected'", panel(ID))).await;
    assert_eq!(page.eval(&part_text(ID, "operator-name")).await, "John Smith");
    assert_eq!(page.eval(&part_text(ID, "operator-status")).await, "Active");
    assert_eq!(page.eval(&part_text(ID, "organization-name")).await, "Customer Support");
    assert_eq!(page.eval("document.getElementById('operator').textContent").await, "John Smith");
    let hint = page.eval("document.getElementById('chats-hint').textContent").await;
    assert!(hint.as_str().is_some_and(|text| text.contains("--simulator")), "{hint}");
    assert_eq!(page.eval("document.getElementById('simulate').hidden").await, true);
    page.wait_for("the (empty) chat list", &format!("{} === 'No chats yet.'", part_text(ID, "chats-summary"))).await;
    page.wait_for("live updates", &format!("{}?.dataset.hub === 'live'", panel(ID))).await;
    let operators = page.eval(&part_text(ID, "operators")).await;
    let operators = operators.as_str().expect("the operator list");
    assert!(operators.contains("John Smith (you)") && operators.contains("Mike Wilson"), "{operators}");
    let lifetime = page.eval(&part_text(ID, "lifetime")).await;
    let lifetime = lifetime.as_str().expect("a lifetime");
    assert!(
        ["Token expires in 1 h 00 min", "Token expires in 59 min"].iter().any(|s| lifetime.starts_with(s)),
        "{lifetime}"
    );

    let png = page.screenshot().await;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(png.len() < MAX_SCREENSHOT_BYTES, "the screenshot is {} bytes", png.len());
    save_screenshot(&png, "widget-panel.png");
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn reload_with_a_fresh_token_remounts_and_remove_unmounts_without_a_page_reload() {
    let server = Server::start(&[], true).await;
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&format!("{}/demo/widget", server.url())).await;
    page.wait_for("the panel to connect", &format!("{}?.dataset.state === 'connected'", panel(ID))).await;
    let first = page.eval(&format!("{}.dataset.tokenId", panel(ID))).await;
    let first_token = page.eval(&format!("document.getElementById('{ID}').getAttribute('token')")).await;
    page.eval("window.__sameDocument = 'yes'").await;

    page.click("#fresh-token").await;
    let second = page
        .wait_for(
            "a panel for the fresh token",
            &format!(
                "{0}?.dataset.state === 'connected' && {0}.dataset.tokenId !== {first} && {0}.dataset.tokenId",
                panel(ID)
            ),
        )
        .await;
    assert_ne!(second, first);
    assert_ne!(page.eval(&format!("document.getElementById('{ID}').getAttribute('token')")).await, first_token);
    assert_eq!(page.eval(&format!("document.querySelectorAll('script[id^=\"{ID}\"]').length")).await, 1);
    assert_eq!(page.eval("document.querySelectorAll('[data-operator-chat-panel]').length").await, 1);
    assert_eq!(page.eval(&part_text(ID, "operator-name")).await, "John Smith");
    assert_eq!(page.eval("window.__sameDocument").await, "yes", "the page was not reloaded");

    page.click("#remove-panel").await;
    page.wait_for("the panel to go", &format!("{} === null", panel(ID))).await;
    assert_eq!(page.eval("window.__sameDocument").await, "yes");
    assert!(page.error_events().await.is_empty());
    page.assert_clean(&[]);
    browser.close().await;
}
