//! Mounting, remounting and unmounting on a plain integrator page on
//! another origin (the page server), allowed by `--cors-allow-origin`.

use chrono::TimeDelta;
use serde_json::Value;

use crate::chromium::Browser;
use crate::support::{ACME, PageServer, Server, diagnostics, panel, part_text, plain_page, tag};

const ID: &str = "operator-chat-panel-script";

#[tokio::test]
async fn a_new_token_remounts_and_removing_the_tag_unmounts_without_a_reload() {
    let pages = PageServer::start().await;
    let server = Server::start(&[pages.origin()], false).await;
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let emma = server.operator_id(&company, 42, "Emma Davis").await;
    let john_token = server.operator_token(&company, john, TimeDelta::hours(1)).await;
    let url = pages.put("one", plain_page("One panel", &tag(ID, &server.script_url(), &john_token, "")));

    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&url).await;
    page.wait_for("John's panel", &format!("{} === 'John Smith'", part_text(ID, "operator-name"))).await;
    assert_eq!(page.eval(&part_text(ID, "connection-text")).await, "Connected");
    assert_eq!(page.eval(&part_text(ID, "organization-name")).await, "Customer Support");
    page.eval("window.__sameDocument = 'yes'").await;
    let first_panel = page.eval(&format!("{}.dataset.tokenId", panel(ID))).await;
    let running: Value = page.eval(&diagnostics(&server.script_url())).await;
    assert_eq!(running["panels"], 1, "{running}");
    assert!(running["timers"].as_i64() > Some(0), "a mounted panel keeps its clock running: {running}");

    // A new token in the attribute: the panel remounts for Emma, no reload.
    let emma_token = server.operator_token(&company, emma, TimeDelta::hours(1)).await;
    page.eval(&format!("document.getElementById('{ID}').setAttribute('token', {emma_token:?})")).await;
    page.wait_for("Emma's panel", &format!("{} === 'Emma Davis'", part_text(ID, "operator-name"))).await;
    page.wait_for("Emma's organization", &format!("{} === 'Technical Support'", part_text(ID, "organization-name")))
        .await;
    assert_ne!(page.eval(&format!("{}.dataset.tokenId", panel(ID))).await, first_panel);
    assert_eq!(page.eval("document.querySelectorAll('[data-operator-chat-panel]').length").await, 1);
    assert_eq!(page.eval("window.__sameDocument").await, "yes", "the page was not reloaded");

    // Removing the tag unmounts the panel and stops its timers and requests.
    page.eval(&format!("document.getElementById('{ID}').remove()")).await;
    page.wait_for("the panel to go", &format!("{} === null", panel(ID))).await;
    let stopped: Value = page.eval(&diagnostics(&server.script_url())).await;
    assert_eq!((&stopped["panels"], &stopped["timers"], &stopped["requests"]), (&0.into(), &0.into(), &0.into()));

    // A new tag mounts a panel again, as the vendor's sample reloads it.
    page.eval(&format!(
        "(() => {{ const tag = document.createElement('script'); tag.type = 'module'; tag.id = '{ID}'; \
         tag.src = {src:?}; tag.setAttribute('token', {john_token:?}); \
         document.getElementById('slot').append(tag); }})()",
        src = server.script_url()
    ))
    .await;
    page.wait_for("John's panel again", &format!("{} === 'John Smith'", part_text(ID, "operator-name"))).await;
    assert_eq!(page.eval("window.__sameDocument").await, "yes");
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn two_tags_give_two_independent_panels_the_page_css_cannot_touch() {
    let pages = PageServer::start().await;
    let server = Server::start(&[pages.origin()], false).await;
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let emma = server.operator_id(&company, 42, "Emma Davis").await;
    let (support, tech) = (format!("{ID}-24"), format!("{ID}-42"));
    let tags = [
        tag(&support, &server.script_url(), &server.operator_token(&company, john, TimeDelta::hours(1)).await, ""),
        tag(&tech, &server.script_url(), &server.operator_token(&company, emma, TimeDelta::hours(1)).await, ""),
    ];
    let url = pages.put("two", plain_page("Two organizations", &tags.join("\n")));

    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&url).await;
    page.wait_for("John's panel", &format!("{} === 'John Smith'", part_text(&support, "operator-name"))).await;
    page.wait_for("Emma's panel", &format!("{} === 'Emma Davis'", part_text(&tech, "operator-name"))).await;
    let operators = page.eval(&part_text(&support, "operators")).await;
    assert!(operators.as_str().is_some_and(|text| text.contains("Mike Wilson") && text.contains("Inactive")));

    // Each panel sits right after its own tag.
    for id in [&support, &tech] {
        let after = page.eval(&format!("document.getElementById('{id}').nextElementSibling === {}", panel(id))).await;
        assert_eq!(after, true, "{id}'s panel follows its tag");
    }
    // The page's hostile CSS (dashed red borders, serif red text) stays outside.
    let style = page
        .eval(&format!(
            "(() => {{ const s = getComputedStyle({}.shadowRoot.querySelector('section')); \
             return [s.borderTopStyle, s.fontFamily, s.color]; }})()",
            panel(&support)
        ))
        .await;
    assert_eq!(style[0], "solid", "{style}");
    assert!(!style[1].as_str().unwrap_or_default().starts_with("serif"), "{style}");
    assert_ne!(style[2], "rgb(136, 0, 0)", "{style}");

    // Removing one leaves the other running.
    page.eval(&format!("document.getElementById('{support}').remove()")).await;
    page.wait_for("John's panel to go", &format!("{} === null", panel(&support))).await;
    assert_eq!(page.eval(&part_text(&tech, "connection-text")).await, "Connected");
    let running: Value = page.eval(&diagnostics(&server.script_url())).await;
    assert_eq!(running["panels"], 1, "{running}");
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn a_tag_without_a_usable_token_says_so_and_asks_nothing() {
    let pages = PageServer::start().await;
    let server = Server::start(&[pages.origin()], false).await;
    let script = server.script_url();
    let tags = [
        tag(&format!("{ID}-garbage"), &script, "not-a-jwt", ""),
        format!(r#"<script type="module" id="{ID}-missing" src="{script}"></script>"#),
    ];
    let url = pages.put("unusable", plain_page("Unusable tokens", &tags.join("\n")));

    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&url).await;
    for (id, title) in [(format!("{ID}-garbage"), "Invalid token."), (format!("{ID}-missing"), "No token.")] {
        page.wait_for(&format!("{id} to give up"), &format!("{}?.dataset.state === 'invalid'", panel(&id))).await;
        let notice = page.eval(&part_text(&id, "notice")).await;
        assert!(notice.as_str().is_some_and(|text| text.starts_with(title)), "{notice}");
    }
    let mut events = page.error_events().await;
    events.sort();
    assert_eq!(events, ["operator chat panel: invalid token", "operator chat panel: missing token"]);
    let api_calls: Vec<_> = page.requested_urls().into_iter().filter(|url| url.contains("/api/")).collect();
    assert!(api_calls.is_empty(), "{api_calls:?}");
    let stopped: Value = page.eval(&diagnostics(&script)).await;
    assert_eq!((&stopped["timers"], &stopped["requests"]), (&0.into(), &0.into()));
    page.assert_clean(&[]);
    browser.close().await;
}
