//! The panel's hub at its edges (§7.3): a negotiation answered with an
//! `error`, a Close before the handshake's answer, and the hub coming back
//! while the REST side is down; and what screen readers get of the chats.
//! Requests are held, failed or answered with the DevTools Fetch domain;
//! what a WebSocket delivers is changed by a page script wrapping
//! `WebSocket` (DevTools cannot write into a socket), never on the server.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::chats::{
    CHATS_SEED, ID, chat_ids, diagnostics, keep_module, messages_in_panel, neutral_page, part, root, row,
    wait_for_hub_connections,
};
use crate::chromium::Browser;
use crate::page::{ConsoleError, Page};
use crate::support::{ACME, PageServer, Server, panel, part_text, tag};

/// What the refused negotiation says.
const REFUSAL: &str = "Live updates are off for this company.";

/// Retries would come 0 s and 2 s after a drop: none within this long of a refusal means none at all.
const QUIET: Duration = Duration::from_secs(3);

/// Wraps `WebSocket`: the panel's handshake never leaves the page, and the
/// "server" answers it with a Close saying "Token revoked" instead.
const CLOSE_BEFORE_HANDSHAKE: &str = r#"
(() => {
  const Native = window.WebSocket;
  window.__hubShim = { handshakes: 0, closes: 0 };
  window.WebSocket = class extends Native {
    send(data) {
      if (typeof data === 'string' && data.startsWith('{"protocol"')) {
        window.__hubShim.handshakes += 1;
        setTimeout(() => {
          window.__hubShim.closes += 1;
          this.dispatchEvent(new MessageEvent('message', { data: '{"type":7,"error":"Token revoked"}\u001e' }));
        }, 0);
        return;
      }
      super.send(data);
    }
  };
})();
"#;

/// Wraps `WebSocket` to keep every socket the page opens in `window.__sockets`.
const KEEP_SOCKETS: &str = r"
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
  };
})();
";

/// The company token and the URL of a page on another origin with John's panel (Customer Support, 3 chats).
async fn johns_page(pages: &PageServer, server: &Server, name: &str) -> (String, String) {
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let token = server.operator_token(&company, john, TimeDelta::hours(1)).await;
    let url = pages.put(name, neutral_page(&tag(ID, &server.script_url(), &token, "")));
    (company, url)
}

/// A paused request's id.
fn request_id(paused: &Value) -> String {
    paused["requestId"].as_str().expect("a requestId").to_owned()
}

/// A paused request's URL.
fn request_url(paused: &Value) -> &str {
    paused["request"]["url"].as_str().unwrap_or_default()
}

fn is_negotiation(paused: &Value) -> bool {
    paused["request"]["method"] == "POST" && request_url(paused).contains("/chathub/negotiate")
}

/// The negotiations the page started since `mark`.
fn negotiations(page: &Page, mark: usize) -> usize {
    page.requests_since(mark)
        .iter()
        .filter(|(method, url)| method == "POST" && url.contains("/chathub/negotiate"))
        .count()
}

/// Lets a paused CORS preflight go on; fails any other request.
async fn release_or_fail(page: &Page, paused: &Value) {
    if paused["request"]["method"] == "OPTIONS" {
        page.resume(&request_id(paused)).await;
    } else {
        page.fail(&request_id(paused)).await;
    }
}

/// Replaces a paused negotiation's answer with 200 `{"error": REFUSAL}`, keeping its CORS headers.
async fn refuse(page: &Page, paused: &Value) {
    assert_eq!(paused["responseStatusCode"], 200, "the server's own answer: {paused}");
    let headers: Vec<Value> = paused["responseHeaders"]
        .as_array()
        .expect("response headers")
        .iter()
        .filter(|header| {
            let name = header["name"].as_str().unwrap_or_default().to_ascii_lowercase();
            name != "content-length" && name != "content-encoding"
        })
        .cloned()
        .collect();
    page.fulfil(&request_id(paused), 200, Value::Array(headers), &json!({ "error": REFUSAL }).to_string()).await;
}

/// JavaScript: the hub given up after the refusal, and said so.
fn refused() -> String {
    format!(
        "{}?.dataset.hub === 'offline' && {} === 'Live updates: off ({REFUSAL}). Refresh to try again.'",
        panel(ID),
        part_text(ID, "live")
    )
}

#[tokio::test]
async fn a_negotiation_answered_with_an_error_is_not_retried_and_the_chats_still_work() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(CHATS_SEED), &[pages.origin()], false, true).await;
    let (company, url) = johns_page(&pages, &server, "refused").await;
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    // Every negotiation is answered 200 {"error": ...}, as a server refusing the hub answers.
    page.intercept("*/chathub/negotiate*", "Response").await;
    let start = page.mark();
    page.goto(&url).await;
    keep_module(&page, &server).await;
    let given_up_expression = refused();
    let mut mark = start;
    loop {
        tokio::select! {
            (next, paused) = page.next_paused(mark) => {
                mark = next;
                if is_negotiation(&paused) { refuse(&page, &paused).await } else { page.resume(&request_id(&paused)).await }
            }
            _ = page.wait_for("the hub given up", &given_up_expression) => break,
        }
    }
    let given_up = Instant::now();
    assert_eq!(negotiations(&page, start), 1);

    // The REST side goes on: the chats, a chat's messages, a reply.
    page.wait_for(
        "the chats, connected",
        &format!(
            "{}?.dataset.state === 'connected' && {} === '3 chats, 1 unread'",
            panel(ID),
            part_text(ID, "chats-summary")
        ),
    )
    .await;
    let olena = chat_ids(&page).await[0];
    page.click_element(&format!("{}.querySelector('button')", row(olena))).await;
    page.wait_for("Olena's messages", &format!("{}.length === 1", messages_in_panel())).await;
    page.click_element(&part("reply-text")).await;
    page.insert_text("We are on it.").await;
    page.click_element(&part("send")).await;
    page.wait_for(
        "the reply, from its answer alone",
        &format!(
            "(() => {{ const m = {}; return m.length === 2 && m[1].author === 0 && m[1].text === 'We are on it.'; }})()",
            messages_in_panel()
        ),
    )
    .await;
    let stored = server.messages(&company, olena).await;
    assert_eq!(stored.last().expect("the reply")["message"], "We are on it.", "{stored:?}");

    // No retry: the first two of the back-off would have come by now.
    while given_up.elapsed() < QUIET {
        assert_eq!(negotiations(&page, start), 1, "the refusal was retried");
        assert_eq!(page.eval(&format!("{}?.dataset.hub", panel(ID))).await, "offline");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_for_hub_connections(&server, 0).await;
    let running: Value = page.eval(&diagnostics(&server.script_url())).await;
    assert_eq!(running["sockets"], 0, "{running}");

    // Refresh tries once more, and is refused once more.
    let again = page.mark();
    page.click_element(&part("refresh")).await;
    let mut mark = again;
    loop {
        let (next, paused) = page.next_paused(mark).await;
        mark = next;
        if is_negotiation(&paused) {
            refuse(&page, &paused).await;
            break;
        }
        page.resume(&request_id(&paused)).await;
    }
    page.wait_for("the hub given up again", &refused()).await;
    page.stop_intercepting().await;
    assert_eq!(negotiations(&page, again), 1);
    assert_eq!(page.eval(&format!("{}?.dataset.state", panel(ID))).await, "connected");
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn a_close_saying_token_revoked_before_the_handshake_answer_ends_the_panel() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(CHATS_SEED), &[pages.origin()], false, true).await;
    let (_, url) = johns_page(&pages, &server, "closed-first").await;
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.add_init_script(CLOSE_BEFORE_HANDSHAKE).await;
    page.goto(&url).await;
    page.wait_for("the revocation", &format!("{}?.dataset.state === 'revoked'", panel(ID))).await;
    page.wait_for("the socket closed", &format!("{}?.dataset.hub === 'closed'", panel(ID))).await;
    assert_eq!(page.eval(&part_text(ID, "connection-text")).await, "Token revoked");
    assert_eq!(page.eval(&part_text(ID, "live")).await, "Live updates: off");
    assert_eq!(page.eval("window.__hubShim").await, json!({ "handshakes": 1, "closes": 1 }));
    let stopped: Value = page.eval(&diagnostics(&server.script_url())).await;
    assert_eq!(stopped["states"][0]["hubConnects"], 0, "the hub never went live: {stopped}");
    assert_eq!(
        (&stopped["timers"], &stopped["requests"], &stopped["sockets"]),
        (&0.into(), &0.into(), &0.into()),
        "nothing keeps running: {stopped}"
    );
    let events = page.error_events().await;
    assert!(events.len() == 1 && events[0].contains("token revoked"), "{events:?}");
    wait_for_hub_connections(&server, 0).await;
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn the_hub_coming_back_while_the_rest_side_is_down_refreshes_the_panel() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(CHATS_SEED), &[pages.origin()], false, true).await;
    let (_, url) = johns_page(&pages, &server, "hub-first").await;
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.add_init_script(KEEP_SOCKETS).await;
    page.goto(&url).await;
    keep_module(&page, &server).await;
    let summary = part_text(ID, "chats-summary");
    page.wait_for(
        "the chats, live",
        &format!("{}?.dataset.hub === 'live' && {summary} === '3 chats, 1 unread'", panel(ID)),
    )
    .await;
    let olena = chat_ids(&page).await[0];
    page.click_element(&format!("{}.querySelector('button')", row(olena))).await;
    page.wait_for("Olena's messages", &format!("{}.length === 1", messages_in_panel())).await;
    let reply_box = part("reply-text");
    assert_eq!(page.eval(&format!("{reply_box}.disabled")).await, false);

    // The REST side fails: Refresh reads the operators, which fail.
    page.intercept_each(&[
        ("*/api/operator*", "Request"),
        ("*/api/chat/chats?*", "Request"),
        ("*/chathub/negotiate*", "Request"),
    ])
    .await;
    let retry = format!(r#"{}.querySelector('[data-part="retry"]')"#, root());
    let disconnected = format!("{}?.dataset.state === 'disconnected' && {retry} && {reply_box}.disabled", panel(ID));
    let mut mark = page.mark();
    page.click_element(&part("refresh")).await;
    loop {
        tokio::select! {
            (next, paused) = page.next_paused(mark) => {
                mark = next;
                release_or_fail(&page, &paused).await;
            }
            _ = page.wait_for("the REST side disconnected", &disconnected) => break,
        }
    }
    assert_eq!(page.eval(&format!("{}?.dataset.hub", panel(ID))).await, "live");

    // The hub drops; its reconnection is held, then let go.
    page.eval("(() => { window.__sockets.at(-1).close(); return true; })()").await;
    let held = loop {
        let (next, paused) = page.next_paused(mark).await;
        mark = next;
        if is_negotiation(&paused) {
            break request_id(&paused);
        }
        release_or_fail(&page, &paused).await;
    };
    assert_eq!(
        page.eval(&format!("[{}?.dataset.state, {}?.dataset.hub]", panel(ID), panel(ID))).await,
        json!(["disconnected", "reconnecting"])
    );
    let back_mark = page.mark();
    page.resume(&held).await;

    // Live again, the panel reads the operators by itself: connected, replies on, no Retry.
    let back = format!(
        "{}?.dataset.state === 'connected' && {}?.dataset.hub === 'live' && !{reply_box}.disabled \
         && {}.hidden && !{retry} && {summary} === '3 chats, 1 unread'",
        panel(ID),
        panel(ID),
        part("notice")
    );
    loop {
        tokio::select! {
            (next, paused) = page.next_paused(mark) => {
                mark = next;
                page.resume(&request_id(&paused)).await;
            }
            _ = page.wait_for("the panel back by itself", &back) => break,
        }
    }
    page.stop_intercepting().await;
    let asked: Vec<_> = page.requests_since(back_mark);
    assert!(
        asked.iter().any(|(method, url)| method == "GET" && url.ends_with("/api/operator")),
        "no refresh after the hub came back: {asked:?}"
    );
    assert_eq!(page.eval(&part_text(ID, "live")).await, "Live updates: on");
    let events = page.error_events().await;
    assert!(events.len() == 1 && events[0].contains("cannot reach ChatHub"), "{events:?}");
    let failed = |error: &ConsoleError| error.source == "network" && error.text.contains("/api/operator");
    page.assert_clean(&[&failed]);
    browser.close().await;
}

/// The accessibility tree of the page: nodes by id, and each node's parent.
async fn accessibility_tree(page: &Page) -> (HashMap<String, Value>, HashMap<String, String>) {
    page.call("Accessibility.enable", json!({})).await;
    let tree = page.call("Accessibility.getFullAXTree", json!({})).await;
    let mut nodes = HashMap::new();
    let mut parents = HashMap::new();
    for node in tree["nodes"].as_array().expect("nodes") {
        let id = node["nodeId"].as_str().expect("a node id").to_owned();
        for child in node["childIds"].as_array().into_iter().flatten() {
            parents.insert(child.as_str().expect("a child id").to_owned(), id.clone());
        }
        nodes.insert(id, node.clone());
    }
    (nodes, parents)
}

fn role(node: &Value) -> &str {
    node["role"]["value"].as_str().unwrap_or_default()
}

fn name(node: &Value) -> &str {
    node["name"]["value"].as_str().unwrap_or_default()
}

fn property<'a>(node: &'a Value, wanted: &str) -> Option<&'a Value> {
    node["properties"]
        .as_array()?
        .iter()
        .find(|property| property["name"] == wanted)
        .map(|property| &property["value"]["value"])
}

#[tokio::test]
async fn screen_readers_get_the_unread_count_the_live_line_as_a_status_and_a_focusable_message_list() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(CHATS_SEED), &[pages.origin()], false, true).await;
    let (_, url) = johns_page(&pages, &server, "readers").await;
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&url).await;
    page.wait_for(
        "the chats, live",
        &format!("{}?.dataset.hub === 'live' && {} === '3 chats, 1 unread'", panel(ID), part_text(ID, "chats-summary")),
    )
    .await;
    let olena = chat_ids(&page).await[0];
    page.click_element(&format!("{}.querySelector('button')", row(olena))).await;
    page.wait_for("Olena's messages", &format!("{}.length === 1", messages_in_panel())).await;

    // The badge is a number with its word as (visually hidden) text, not an aria-label.
    let badge = format!(r#"{}.querySelector('[data-part="unread"]')"#, row(olena));
    assert_eq!(
        page.eval(&format!("[{badge}.textContent, {badge}.getAttribute('aria-label'), {badge}.getAttribute('role')]"))
            .await,
        json!(["1", null, null])
    );
    let (nodes, parents) = accessibility_tree(&page).await;
    let buttons: Vec<&str> =
        nodes.values().filter(|node| role(node) == "button" && name(node).starts_with("Olena")).map(name).collect();
    assert_eq!(buttons.len(), 1, "{buttons:?}");
    assert!(buttons[0].contains("1 unread"), "Olena's row reads {:?}", buttons[0]);

    // The live line is a status: its text sits in a node of role status.
    let text = nodes
        .values()
        .find(|node| role(node) == "StaticText" && name(node) == "Live updates: on")
        .expect("the live line's text in the accessibility tree");
    let mut ancestor = parents.get(text["nodeId"].as_str().expect("an id"));
    let mut roles = Vec::new();
    while let Some(id) = ancestor {
        roles.push(role(&nodes[id]).to_owned());
        ancestor = parents.get(id);
    }
    assert!(roles.iter().take(2).any(|role| role == "status"), "the live line's ancestors: {roles:?}");
    assert_eq!(page.eval(&format!("{}.getAttribute('role')", part("live"))).await, "status");

    // The message list takes keyboard focus (it scrolls with the arrow keys).
    let list = nodes
        .values()
        .find(|node| role(node) == "list" && name(node) == "Messages")
        .expect("the message list in the accessibility tree");
    assert_eq!(property(list, "focusable"), Some(&json!(true)), "{list}");
    let messages = part("messages");
    assert_eq!(
        page.eval(&format!(
            "(() => {{ const list = {messages}; list.focus(); return [list.tabIndex, {}.activeElement === list]; }})()",
            root()
        ))
        .await,
        json!([0, true])
    );
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);
    page.assert_clean(&[]);
    browser.close().await;
}
