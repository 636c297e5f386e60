//! Chats in the panel (spec §7): the list of the operator's organization
//! with unread counts, status and assignment; a chat's messages and the
//! reply box; live updates through the hub `/chathub`, which the panel
//! speaks itself; and the end of the hub connection on revocation.
//! Customers are played by `--simulator`.

use std::time::{Duration, Instant};

use chathub_server::hub::HubSettings;
use chathub_server::testing::DEFAULT_SEED;
use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::accessibility::{colors_of, contrast};
use crate::chromium::Browser;
use crate::page::{ConsoleError, Page, WAIT};
// hub_edge.rs imports it from here.
pub(crate) use crate::support::diagnostics;
use crate::support::{ACME, PageServer, Server, panel, part_text, plain_page, save_screenshot, tag};

pub(crate) const ID: &str = "operator-chat-panel-script";

/// The requirement: a customer's message shows in the panel this soon.
const LIVE_DEADLINE: Duration = Duration::from_secs(2);

/// A small PNG (a parcel), as a customer's photo.
const PARCEL_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAHgAAABICAIAAACyfKYoAAAB/UlEQVR42u3QRW4bABhE4TlOj9Ej9DjZlpmZmSnlOrbj2LFjh5lzl+m2+1ZPs/ilbz3SG40OXAAaHrgANLPvAtBg3wWg/p4LQNN7LgD1dl0A6u66ADS14wJQZ8cFoMltF4Da2y4AtbZcAGpuuQA0sekCUGPTBaDfGy4A/dpwAejnugtAP9ZdAPq+Zsb42OF/N3bk0N/+yyaTr29rZsQezeTr66oZsUcz+fqyakbs0Uy+xlcMST2aydfnFTNij2by9WnZjNijmXx9XDYj9mgmXx+WzIg9msnX+yUzYo9m8vVu0YzYo5l8vV00I/ZoJl9vFsyIPZrJ1+sFM2KPZvL1at6M2KOZfL2cNyP2aCZfL+bMiD2aydfzOTNij2by9WzWjNijmXw9nTUj9mgmX09GZsQezeTr8ciM2KOZfD0amhF7NJOvh0MzYo9m8vVgxozYo5l83Z8xI/ZoJl/3BmbEHs3k6+7AjNijmXzd6ZsRezSTr9t9M2KPZvJ1a9qM2KOZfN2cNiP2aCZfN3pmxB7N5Ot6z4zYo5l8XeuaEXs0k6+rXTNij2bydWXKjNijmXxdnjIj9mgmX5c6ZsQezeTrYseM2KOZfF2YNCP2aCZf5yddADrXdgHobNsFoDMtF4BOt1wAOtV0Aehk0wWgExMuAB2fcAHoWMMFoKMNF8AfpJ9/3UrfeDQAAAAASUVORK5CYII=";

/// JavaScript: the panel's shadow root.
pub(crate) fn root() -> String {
    format!("{}?.shadowRoot", panel(ID))
}

/// JavaScript: the list item of chat `chat`.
pub(crate) fn row(chat: i64) -> String {
    format!(r#"{}?.querySelector('[data-part="chats"] [data-chat-id="{chat}"]')"#, root())
}

/// JavaScript: the text of `part` in chat `chat`'s row (undefined while absent).
pub(crate) fn row_text(chat: i64, part: &str) -> String {
    format!(r#"{}?.querySelector('[data-part="{part}"]')?.textContent"#, row(chat))
}

/// JavaScript: the open chat's message items, as `{author, status, statusText, text}`.
pub(crate) fn messages_in_panel() -> String {
    format!(
        r#"[...({}?.querySelectorAll('[data-part="messages"] [data-message-id]') ?? [])].map((item) => ({{
            id: Number(item.dataset.messageId),
            author: Number(item.dataset.author),
            status: Number(item.dataset.status),
            statusText: item.querySelector('[data-part="message-status"]')?.textContent,
            text: item.querySelector('[data-part="text"]')?.textContent ?? null,
        }}))"#,
        root()
    )
}

/// Keeps the panel's module as `window.__panel`, for [`IDLE`] (a wait's condition cannot be a promise).
pub(crate) async fn keep_module(page: &Page, server: &Server) {
    page.eval(&format!(
        "import({:?}).then((module) => {{ window.__panel = module; return true; }})",
        server.script_url()
    ))
    .await;
}

/// JavaScript, after [`keep_module`]: no request of the panel is in flight.
pub(crate) const IDLE: &str = "window.__panel.diagnostics().requests === 0";

/// Waits on the server's side for its count of open hub connections.
pub(crate) async fn wait_for_hub_connections(server: &Server, expected: usize) {
    let deadline = Instant::now() + WAIT;
    loop {
        let connected = server.server.state().hub.registry().connected();
        if connected == expected {
            return;
        }
        assert!(Instant::now() < deadline, "{connected} hub connections open, {expected} expected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An integrator's page without hostile CSS, for the screenshot.
pub(crate) fn neutral_page(tags: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>Chats</title>
<link rel="icon" href="data:,"><style>body {{ margin: 0; padding: 12px; }}</style></head>
<body>{tags}</body>
</html>"#
    )
}

/// Opens a page on another origin (`plain`: the one with hostile CSS) with John's panel, live.
async fn johns_panel(server: &Server, pages: &PageServer, browser: &Browser, plain: bool) -> (Page, String, i32) {
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let token = server.operator_token(&company, john, TimeDelta::hours(1)).await;
    let tags = tag(ID, &server.script_url(), &token, "");
    let url = pages.put("chats", if plain { plain_page("Chats", &tags) } else { neutral_page(&tags) });
    let page = browser.new_page().await;
    page.color_scheme("light").await;
    page.goto(&url).await;
    page.wait_for("the hub to go live", &format!("{}?.dataset.hub === 'live'", panel(ID))).await;
    (page, company, john)
}

#[tokio::test]
async fn a_customer_message_shows_live_a_reply_reads_it_and_revocation_closes_the_hub() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(DEFAULT_SEED), &[pages.origin()], false, true).await;
    let browser = Browser::launch().await;
    let (page, company, john) = johns_panel(&server, &pages, &browser, true).await;
    page.wait_for("the empty list", &format!("{} === 'No chats yet.'", part_text(ID, "chats-summary"))).await;
    wait_for_hub_connections(&server, 1).await;

    // A customer writes: the chat and its message are in the panel within 2 s.
    let sent_at = Instant::now();
    let first = server
        .customer_message(
            &company,
            json!({
                "organizationId": 24, "source": 2, "theme": "Parcel #491",
                "client": { "name": "Olena", "phone": "+380 50 123 45 67" },
                "textMessage": "Where is my parcel?",
            }),
        )
        .await;
    let chat = first["chat"]["id"].as_i64().expect("a chat id");
    page.wait_for_within(
        "the new chat with its message and one unread",
        &format!("{} === 'Where is my parcel?' && {}?.dataset.unread === '1'", row_text(chat, "preview"), row(chat)),
        LIVE_DEADLINE.saturating_sub(sent_at.elapsed()),
    )
    .await;
    let elapsed = sent_at.elapsed();
    assert!(elapsed < LIVE_DEADLINE, "the message took {elapsed:?}");
    eprintln!("a customer's message reached the panel in {elapsed:?}");
    assert_eq!(page.eval(&row_text(chat, "chat-name")).await, "Olena");
    assert_eq!(page.eval(&row_text(chat, "theme")).await, "Parcel #491");
    assert_eq!(page.eval(&row_text(chat, "source")).await, "Telegram Bot");
    assert_eq!(page.eval(&row_text(chat, "chat-status")).await, "New");
    assert_eq!(page.eval(&row_text(chat, "unread")).await, "1");
    assert_eq!(page.eval(&format!("{}?.dataset.assigned", row(chat))).await, "none");

    // A second message joins the same chat: two unread.
    let sent_at = Instant::now();
    server
        .customer_message(
            &company,
            json!({ "organizationId": 24, "source": 2, "client": { "phone": "380501234567" }, "textMessage": "Hello?" }),
        )
        .await;
    page.wait_for_within(
        "the second message",
        &format!("{} === 'Hello?' && {} === '2'", row_text(chat, "preview"), row_text(chat, "unread")),
        LIVE_DEADLINE.saturating_sub(sent_at.elapsed()),
    )
    .await;
    assert_eq!(page.eval(&format!("{}.querySelectorAll('[data-part=\"chats\"] li').length", root())).await, 1);
    assert_eq!(page.eval(&part_text(ID, "chats-summary")).await, "1 chat, 2 unread");

    // Open it: the messages, oldest first, New.
    page.click_element(&format!("{}.querySelector('button')", row(chat))).await;
    page.wait_for("the messages", &format!("{}.length === 2", messages_in_panel())).await;
    let shown: Vec<Value> = serde_json::from_value(page.eval(&messages_in_panel()).await).expect("messages");
    assert_eq!(
        shown.iter().map(|m| (m["text"].clone(), m["author"].clone(), m["statusText"].clone())).collect::<Vec<_>>(),
        [(json!("Where is my parcel?"), json!(1), json!("New")), (json!("Hello?"), json!(1), json!("New"))]
    );
    assert_eq!(page.eval(&part_text(ID, "chat-title")).await, "Chat with Olena");
    assert_eq!(
        page.eval(&format!("{}.activeElement?.dataset.part", root())).await,
        "chat-title",
        "focus moves to the opened chat"
    );

    // Reply by typing in the box and pressing Send.
    page.click_element(&format!("{}.querySelector('[data-part=\"reply-text\"]')", root())).await;
    page.insert_text("It is on its way, arriving tomorrow.").await;
    page.click_element(&format!("{}.querySelector('[data-part=\"send\"]')", root())).await;
    page.wait_for(
        "the reply, and the customer's messages Read",
        &format!(
            "(() => {{ const m = {}; return m.length === 3 && m[2].author === 0 \
             && m[2].text === 'It is on its way, arriving tomorrow.' \
             && m.slice(0, 2).every((x) => x.status === 3 && x.statusText === 'Read'); }})()",
            messages_in_panel()
        ),
    )
    .await;
    page.wait_for("no unread left", &format!("{}?.dataset.unread === '0'", row(chat))).await;
    assert_eq!(page.eval(&row_text(chat, "unread")).await, Value::Null, "no badge at 0");
    assert_eq!(page.eval(&row_text(chat, "assigned")).await, "Assigned to you");
    assert_eq!(page.eval(&format!("{}.querySelector('[data-part=\"reply-text\"]').value", root())).await, "");

    // The server agrees: the reply is John's, the customer's messages Read, the chat his.
    let stored = server.messages(&company, chat).await;
    assert_eq!(stored.len(), 3, "{stored:?}");
    let reply = &stored[2];
    assert_eq!((&reply["author"], &reply["operatorId"], &reply["status"]), (&json!(0), &json!(john), &json!(1)));
    assert_eq!(reply["message"], "It is on its way, arriving tomorrow.");
    assert!(stored[..2].iter().all(|message| message["status"] == 3), "{stored:?}");
    let (_, chat_now) = server.call(&company, reqwest::Method::GET, &format!("/api/chat/chats/{chat}"), None).await;
    assert_eq!((&chat_now["countUnread"], &chat_now["operator"]["id"]), (&json!(0), &json!(john)));

    // Status changes made elsewhere show in place.
    server.set_chat_status(&company, chat, 2).await;
    page.wait_for("Waiting", &format!("{} === 'Waiting'", row_text(chat, "chat-status"))).await;
    server.set_chat_status(&company, chat, 4).await;
    page.wait_for("Closed", &format!("{} === 'Closed'", row_text(chat, "chat-status"))).await;
    assert_eq!(page.eval(&format!("{}.classList.contains('closed')", row(chat))).await, true);
    assert_eq!(page.eval(&format!("{}.querySelector('[data-part=\"reply-text\"]').disabled", root())).await, true);
    assert_eq!(page.eval(&part_text(ID, "reply-note")).await, "This chat is closed: replies are off.");
    server.set_chat_status(&company, chat, 1).await;
    page.wait_for(
        "reopened",
        &format!(
            "{} === 'Open' && !{}.querySelector('[data-part=\"reply-text\"]').disabled",
            row_text(chat, "chat-status"),
            root()
        ),
    )
    .await;
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);

    // Revocation: the hub closes the connection, the panel says so. Nothing
    // is in flight when it starts, so any request after it would be the
    // panel's own, and the hub's Close is what ends the panel.
    keep_module(&page, &server).await;
    page.wait_for("no request in flight", IDLE).await;
    let mark = page.mark();
    server.set_status(&company, john, 1).await;
    page.wait_for("the revocation", &format!("{}?.dataset.state === 'revoked'", panel(ID))).await;
    page.wait_for("the hub socket to close", &format!("{}?.dataset.hub === 'closed'", panel(ID))).await;
    wait_for_hub_connections(&server, 0).await;
    assert_eq!(page.eval(&part_text(ID, "connection-text")).await, "Token revoked");
    assert_eq!(page.eval(&part_text(ID, "live")).await, "Live updates: off");
    assert_eq!(page.eval(&format!("{}.querySelector('[data-part=\"reply-text\"]').disabled", root())).await, true);
    let events = page.error_events().await;
    assert!(events.len() == 1 && events[0].contains("token revoked"), "{events:?}");
    let stopped: Value = page.eval(&diagnostics(&server.script_url())).await;
    assert_eq!(
        (&stopped["timers"], &stopped["requests"], &stopped["sockets"]),
        (&0.into(), &0.into(), &0.into()),
        "nothing keeps running: {stopped}"
    );
    let asked: Vec<_> = page
        .requests_since(mark)
        .into_iter()
        .filter(|(_, url)| url.contains("/api/operator") || url.contains("/api/chat"))
        .collect();
    assert!(asked.is_empty(), "requests after the revocation: {asked:?}");
    assert_eq!(
        page.eval(&format!(
            "[...{}.querySelectorAll('[data-part=\"chats\"] button')].every((b) => b.disabled)",
            root()
        ))
        .await,
        true,
        "the rows ask nothing more"
    );
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn dropped_hub_connections_reconnect_back_off_and_reload_the_chats() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(DEFAULT_SEED), &[pages.origin()], false, true).await;
    // The server drops every connection silent for a second, with a Close
    // that allows reconnecting; the panel pings every 15 s, so each of its
    // connections lasts about a second (a server that accepts, then closes).
    let hub = &server.server.state().hub;
    hub.set_settings(HubSettings { client_timeout: Duration::from_secs(1), ..HubSettings::default() });
    let browser = Browser::launch().await;
    let (page, company, _) = johns_panel(&server, &pages, &browser, true).await;
    keep_module(&page, &server).await;
    let connects = "window.__panel.diagnostics().states[0].hubConnects";
    // The first drop: reconnected at once.
    page.wait_for("a reconnection", &format!("{connects} >= 2")).await;
    let second = Instant::now();
    // Settings are taken at the upgrade: the next connection stays.
    hub.set_settings(HubSettings::default());
    // The second drop comes a second later; the delays do not start over
    // for a connection that did not stay up, so the next try waits 2 s.
    page.wait_for(
        "the third connection",
        &format!("{connects} >= 3 && window.__panel.diagnostics().states[0].hub === 'live'"),
    )
    .await;
    let waited = second.elapsed();
    eprintln!("the third connection came {waited:?} after the second");
    assert!(waited >= Duration::from_secs(2), "no back-off after a second drop: {waited:?}");

    // Each connection reloaded the list: events may have been missed in between.
    let deadline = Instant::now() + WAIT;
    loop {
        let loads = page.requested_urls().iter().filter(|url| url.contains("/api/chat/chats?per_page=")).count();
        if loads >= 3 {
            break;
        }
        assert!(Instant::now() < deadline, "{loads} list loads for 3 connections");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A customer writes: within 2 s the chat is there.
    let sent_at = Instant::now();
    let answer = server
        .customer_message(
            &company,
            json!({ "organizationId": 24, "source": 4, "client": { "phone": "380501234567" }, "textMessage": "Still there?" }),
        )
        .await;
    let chat = answer["chat"]["id"].as_i64().expect("a chat id");
    page.wait_for_within(
        "the chat after the reconnections",
        &format!("{}?.dataset.unread === '1'", row(chat)),
        LIVE_DEADLINE.saturating_sub(sent_at.elapsed()),
    )
    .await;
    let elapsed = sent_at.elapsed();
    eprintln!("after reconnecting, a customer's message reached the panel in {elapsed:?}");
    assert_eq!(page.eval(&row_text(chat, "source")).await, "Widget");
    assert_eq!(page.eval(&format!("{}?.dataset.state", panel(ID))).await, "connected");
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn two_panels_each_see_their_own_organizations_chats_live() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(DEFAULT_SEED), &[pages.origin()], false, true).await;
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
    for id in [&support, &tech] {
        page.wait_for(&format!("{id}'s hub"), &format!("{}?.dataset.hub === 'live'", panel(id))).await;
        page.wait_for(&format!("{id}'s list"), &format!("{} === 'No chats yet.'", part_text(id, "chats-summary")))
            .await;
    }
    wait_for_hub_connections(&server, 2).await;

    // Technical Support first, with a text file; then Customer Support.
    let file = json!({ "name": "router-log.txt", "format": "txt", "type": 0, "dataBase64": "bGluayBkb3duCg==" });
    let tech_chat = server
        .customer_message(
            &company,
            json!({ "organizationId": 42, "source": 1, "client": { "name": "Petro", "tgUserId": 555 }, "media": file }),
        )
        .await;
    let support_chat = server
        .customer_message(
            &company,
            json!({ "organizationId": 24, "source": 2, "client": { "phone": "380501234567" }, "textMessage": "Hi" }),
        )
        .await;
    let in_panel = |id: &str, chat: &Value| {
        format!(
            r#"{}?.shadowRoot?.querySelector('[data-part="chats"] [data-chat-id="{}"]')"#,
            panel(id),
            chat["chat"]["id"]
        )
    };
    page.wait_for("Emma's new chat", &format!("{}?.dataset.unread === '1'", in_panel(&tech, &tech_chat))).await;
    page.wait_for("John's new chat", &format!("{}?.dataset.unread === '1'", in_panel(&support, &support_chat))).await;
    // Each connection gets events in commit order: Technical Support's came
    // first, so had John's panel been sent it, it would show by now.
    let count = |id: &str| format!("{}.shadowRoot.querySelectorAll('[data-part=\"chats\"] li').length", panel(id));
    assert_eq!((page.eval(&count(&support)).await, page.eval(&count(&tech)).await), (json!(1), json!(1)));

    // A file that is no image is a link, named, to the media URL.
    page.click_element(&format!("{}.querySelector('button')", in_panel(&tech, &tech_chat))).await;
    let link = format!(r#"{}.shadowRoot.querySelector('[data-part="messages"] a')"#, panel(&tech));
    page.wait_for("the file's link", &format!("{link}?.textContent === 'router-log.txt'")).await;
    assert_eq!(page.eval(&format!("{link}.href")).await, tech_chat["message"]["media"]["uri"]);
    assert_eq!(page.eval(&format!("{link}.getAttribute('download')")).await, "router-log.txt");
    assert_eq!(
        page.eval(&format!("{}.shadowRoot.querySelector('[data-part=\"chat-name\"]').textContent", panel(&tech))).await,
        "Petro"
    );
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);
    page.assert_clean(&[]);
    browser.close().await;
}

/// Three chats in Customer Support (one New with unread messages, one
/// assigned to Ana Lee, one Closed) and one in Technical Support.
pub(crate) const CHATS_SEED: &str = r#"
[[company]]
login = "acme"
password = "acme-pass-1"
api_key = "acme-static-api-key-0001"

[[company.organization]]
id = 24
name = "Customer Support"

[[company.organization.operator]]
name = "John Smith"

[[company.organization.operator]]
name = "Ana Lee"

[[company.organization.chat]]
source = 3
status = 4
theme = "Wrong size"
client = { name = "Iryna", phone = "380931234567" }

[[company.organization.chat.message]]
text = "The shoes are too small."
status = 3
at = 2026-01-27T09:00:00Z

[[company.organization.chat.message]]
author = 0
text = "Exchanged, have a nice day!"
at = 2026-01-27T09:30:00Z

[[company.organization.chat]]
source = 0
status = 1
theme = "Refund"
operator = "Ana Lee"
client = { name = "Taras", phone = "380671112233" }

[[company.organization.chat.message]]
text = "I would like a refund."
status = 3
at = 2026-01-28T08:00:00Z

[[company.organization.chat.message]]
author = 0
text = "Ana here, looking into it."
at = 2026-01-28T08:05:00Z

[[company.organization.chat]]
source = 2
theme = "Parcel #491"
client = { name = "Olena", phone = "380501234567" }

[[company.organization.chat.message]]
text = "Where is my parcel?"
at = 2026-01-28T10:15:00Z

[[company.organization]]
id = 42
name = "Technical Support"

[[company.organization.operator]]
name = "Emma Davis"

[[company.organization.chat]]
source = 2
theme = "Router down"
client = { name = "Petro", phone = "380991112233" }

[[company.organization.chat.message]]
text = "My router is down."
"#;

#[tokio::test]
async fn chats_assigned_elsewhere_or_closed_are_shown_as_such_and_media_shows() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(CHATS_SEED), &[pages.origin()], false, true).await;
    let browser = Browser::launch().await;
    let (page, company, _) = johns_panel(&server, &pages, &browser, false).await;
    page.wait_for("the seeded chats", &format!("{} === '3 chats, 1 unread'", part_text(ID, "chats-summary"))).await;
    let rows: Vec<Value> = serde_json::from_value(
        page.eval(&format!(
            r#"[...{}.querySelectorAll('[data-part="chats"] li')].map((item) => ({{
                name: item.querySelector('[data-part="chat-name"]').textContent,
                status: item.querySelector('[data-part="chat-status"]').textContent,
                assigned: item.querySelector('[data-part="assigned"]')?.textContent ?? null,
                closed: item.classList.contains('closed'),
                unread: item.dataset.unread,
            }}))"#,
            root()
        ))
        .await,
    )
    .expect("rows");
    assert_eq!(
        rows,
        [
            json!({ "name": "Olena", "status": "New", "assigned": null, "closed": false, "unread": "1" }),
            json!({ "name": "Taras", "status": "Open", "assigned": "Assigned to Ana Lee", "closed": false, "unread": "0" }),
            json!({ "name": "Iryna", "status": "Closed", "assigned": null, "closed": true, "unread": "0" }),
        ],
        "newest first; Technical Support's chat is not John's"
    );

    // A Closed chat opens read-only.
    let ids: Vec<i64> = serde_json::from_value(
        page.eval(&format!(
            r#"[...{}.querySelectorAll('[data-part="chats"] li')].map((item) => Number(item.dataset.chatId))"#,
            root()
        ))
        .await,
    )
    .expect("ids");
    let (olena, iryna) = (ids[0], ids[2]);
    page.click_element(&format!("{}.querySelector('button')", row(iryna))).await;
    page.wait_for("Iryna's messages", &format!("{}.length === 2", messages_in_panel())).await;
    assert_eq!(page.eval(&format!("{}.querySelector('[data-part=\"reply-text\"]').disabled", root())).await, true);
    assert_eq!(page.eval(&format!("{}.querySelector('[data-part=\"send\"]').disabled", root())).await, true);
    assert_eq!(page.eval(&part_text(ID, "reply-note")).await, "This chat is closed: replies are off.");
    let info = page.eval(&part_text(ID, "chat-info")).await;
    assert_eq!(info, "Wrong size · WhatsApp · Closed · Unassigned");

    // The operator reopens it from the panel, and closes it again.
    let select = format!("{}.querySelector('[data-part=\"status-select\"]')", root());
    assert_eq!(page.eval(&format!("{select}.value")).await, "4");
    let set_status = format!("{}.querySelector('[data-part=\"set-status\"]')", root());
    for (status, name, disabled) in [(1, "Open", false), (4, "Closed", true)] {
        page.eval(&format!("(() => {{ const s = {select}; s.value = '{status}'; return true; }})()")).await;
        page.click_element(&set_status).await;
        page.wait_for(
            &format!("the chat {name} in the panel"),
            &format!(
                "{} === '{name}' && {}.querySelector('[data-part=\"reply-text\"]').disabled === {disabled}",
                row_text(iryna, "chat-status"),
                root()
            ),
        )
        .await;
        let (_, stored) = server.call(&company, reqwest::Method::GET, &format!("/api/chat/chats/{iryna}"), None).await;
        assert_eq!(stored["chatStatus"], status, "{stored}");
    }

    // Olena sends a photo: it shows as an image from the media URL.
    page.click_element(&format!("{}.querySelector('button')", row(olena))).await;
    page.wait_for("Olena's messages", &format!("{}.length === 1", messages_in_panel())).await;
    let photo = server
        .customer_message(
            &company,
            json!({
                "organizationId": 24, "source": 2, "client": { "phone": "380501234567" },
                "textMessage": "This is the box I am waiting for.",
                "media": { "name": "parcel.png", "format": "image/png", "type": 1, "dataBase64": PARCEL_PNG },
            }),
        )
        .await;
    assert_eq!(photo["chat"]["id"], olena);
    let uri = photo["message"]["media"]["uri"].as_str().expect("a media uri").to_owned();
    let image = format!(r#"{}.querySelector('[data-part="messages"] img')"#, root());
    page.wait_for("the photo to load", &format!("{image}?.complete && {image}.naturalWidth === 120")).await;
    assert_eq!(page.eval(&format!("{image}.src")).await, uri.as_str());
    assert_eq!(page.eval(&format!("{image}.alt")).await, "parcel.png");
    page.wait_for("two unread", &format!("{} === '2'", row_text(olena, "unread"))).await;

    // Readable in light and dark with chats on screen; labelled for screen readers.
    for scheme in ["dark", "light"] {
        page.color_scheme(scheme).await;
        page.wait_for(scheme, &format!("matchMedia('(prefers-color-scheme: {scheme})').matches")).await;
        let parts: Vec<Value> = serde_json::from_value(
            page.eval(&colors_of(ID, "h3, p, li span, .badge, button, .label, time, a, textarea, select")).await,
        )
        .expect("a list");
        assert!(parts.len() >= 20, "too few text parts found: {parts:?}");
        for part in &parts {
            let (fg, bg) = (part["fg"].as_str().expect("a color"), part["bg"].as_str().expect("a background"));
            let ratio = contrast(fg, bg);
            assert!(ratio >= 4.5, "{scheme}: `{}` is {fg} on {bg}, contrast {ratio:.2} < 4.5", part["text"]);
        }
    }
    let labels = page
        .eval(&format!(
            r#"(() => {{ const root = {}; return [
                root.querySelector('[data-part="chats"]').getAttribute('aria-label'),
                root.querySelector('[data-part="messages"]').getAttribute('aria-label'),
                root.querySelector('[data-part="conversation"]').getAttribute('aria-labelledby'),
                root.querySelector('label[for="reply-text"]').textContent,
                root.querySelector('[data-part="unread"]').parentElement.textContent.replace(/\s+/g, ' '),
                root.querySelector('[data-part="reply-note"]').getAttribute('role'),
            ]; }})()"#,
            root()
        ))
        .await;
    assert_eq!(
        labels,
        json!(["Chats of Customer Support", "Messages", "conversation-title", "Reply", "Olena2 unread", "status"])
    );

    // Enter in the reply box sends (Shift+Enter would start a new line).
    page.click_element(&format!("{}.querySelector('[data-part=\"reply-text\"]')", root())).await;
    page.insert_text("Thanks! It ships today.").await;
    page.press("Enter", 13, false).await;
    page.wait_for(
        "the reply sent with Enter",
        &format!(
            "(() => {{ const m = {}; return m.length === 3 && m[2].author === 0 && m[2].text === 'Thanks! It ships today.' \
             && m[0].statusText === 'Read' && m[1].statusText === 'Read'; }})()",
            messages_in_panel()
        ),
    )
    .await;
    page.wait_for("no unread left", &format!("{}?.dataset.unread === '0'", row(olena))).await;
    page.eval(&format!("{}.activeElement.blur()", root())).await;

    let png = page.screenshot_of(&format!("{}.shadowRoot.querySelector('section')", panel(ID)), 12.0).await;
    save_screenshot(&png, "widget-chats.png");
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);
    page.assert_clean(&[]);
    browser.close().await;
}

/// The ids of the chats in the panel's list, top to bottom.
pub(crate) async fn chat_ids(page: &Page) -> Vec<i64> {
    serde_json::from_value(
        page.eval(&format!(
            r#"[...{}.querySelectorAll('[data-part="chats"] li')].map((item) => Number(item.dataset.chatId))"#,
            root()
        ))
        .await,
    )
    .expect("ids")
}

/// JavaScript: the element of `part` in the panel.
pub(crate) fn part(part: &str) -> String {
    format!(r#"{}.querySelector('[data-part="{part}"]')"#, root())
}

#[tokio::test]
async fn answers_after_their_events_undo_nothing_drafts_stay_per_chat_and_only_new_messages_are_announced() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(CHATS_SEED), &[pages.origin()], false, true).await;
    let browser = Browser::launch().await;
    let (page, company, _) = johns_panel(&server, &pages, &browser, false).await;
    keep_module(&page, &server).await;
    page.wait_for("the seeded chats", &format!("{} === '3 chats, 1 unread'", part_text(ID, "chats-summary"))).await;
    let ids = chat_ids(&page).await;
    let (olena, taras, iryna) = (ids[0], ids[1], ids[2]);
    let open = |chat: i64| format!("{}.querySelector('button')", row(chat));
    let reply_box = part("reply-text");

    // Opening a chat reads nothing aloud: the list is no live region (it
    // scrolls by keyboard), and the announcer stays empty.
    page.click_element(&open(olena)).await;
    page.wait_for("Olena's messages", &format!("{}.length === 1", messages_in_panel())).await;
    let list = part("messages");
    assert_eq!(
        page.eval(&format!(
            "[{list}.getAttribute('aria-live'), {list}.getAttribute('tabindex'), {}.getAttribute('aria-live')]",
            part("announcer")
        ))
        .await,
        json!([null, "0", "polite"])
    );
    assert_eq!(page.eval(&part_text(ID, "announcer")).await, "");

    // Each chat keeps its own unsent reply.
    page.click_element(&reply_box).await;
    page.insert_text("For Olena").await;
    page.click_element(&open(taras)).await;
    page.wait_for(
        "Taras's chat, empty box",
        &format!("{}.length === 2 && {reply_box}.value === ''", messages_in_panel()),
    )
    .await;
    page.click_element(&reply_box).await;
    page.insert_text("For Taras").await;
    page.click_element(&open(iryna)).await;
    page.wait_for(
        "Iryna's chat, empty box",
        &format!("{} === 'Chat with Iryna' && {reply_box}.value === ''", part_text(ID, "chat-title")),
    )
    .await;
    for (chat, name, draft) in
        [(olena, "Olena", "For Olena"), (taras, "Taras", "For Taras"), (olena, "Olena", "For Olena")]
    {
        page.click_element(&open(chat)).await;
        page.wait_for(
            &format!("{name}'s draft back"),
            &format!("{} === 'Chat with {name}' && {reply_box}.value === '{draft}'", part_text(ID, "chat-title")),
        )
        .await;
    }
    page.wait_for("Olena's messages again", &format!("{}.length === 1", messages_in_panel())).await;

    // Status: what arrow keys on the select do (input and change events)
    // saves nothing; "Set status" saves once. Its answer is held back while
    // someone else sets another status: the newer word stays.
    let select = part("status-select");
    let set_status = part("set-status");
    page.intercept("*/api/chat/status", "Response").await;
    let mark = page.mark();
    page.eval(&format!(
        "(() => {{ const s = {select}; for (const v of ['1', '2']) {{ s.value = v; \
         s.dispatchEvent(new Event('input', {{ bubbles: true }})); s.dispatchEvent(new Event('change', {{ bubbles: true }})); }} \
         return true; }})()"
    ))
    .await;
    page.click_element(&set_status).await;
    let (_, held) = page.paused("PUT", mark).await;
    assert_eq!(
        page.eval(&format!("[{set_status}.disabled, {}]", part_text(ID, "status-note"))).await,
        json!([true, "Saving…"])
    );
    server.set_chat_status(&company, olena, 3).await;
    page.wait_for("Paused, set elsewhere", &format!("{} === 'Paused'", row_text(olena, "chat-status"))).await;
    page.resume(&held).await;
    page.wait_for("the held answer", &format!("{} === 'Saved.'", part_text(ID, "status-note"))).await;
    page.stop_intercepting().await;
    page.wait_for("no request in flight", IDLE).await;
    assert_eq!(page.eval(&row_text(olena, "chat-status")).await, "Paused");
    assert_eq!(page.eval(&format!("[{select}.value, {set_status}.disabled]")).await, json!(["3", false]));
    let puts: Vec<_> = page.requests_since(mark).into_iter().filter(|(method, _)| method == "PUT").collect();
    assert_eq!(puts.len(), 1, "{puts:?}");
    let (_, stored) = server.call(&company, reqwest::Method::GET, &format!("/api/chat/chats/{olena}"), None).await;
    assert_eq!(stored["chatStatus"], 3);

    // A reply whose answer comes after its event and after a messenger read
    // it: it stays Read.
    page.intercept("*/api/chat/*/message", "Response").await;
    let mark = page.mark();
    page.click_element(&part("send")).await;
    let (_, held) = page.paused("POST", mark).await;
    let mine = format!(
        "(() => {{ const m = {}; return m.length === 2 && m[1].author === 0 && m[1].text === 'For Olena' && m[1].statusText; }})()",
        messages_in_panel()
    );
    page.wait_for("the reply from its event", &format!("{mine} === 'Sent'")).await;
    let reply = server.messages(&company, olena).await.last().expect("the reply")["id"].clone();
    let (status, body) = server
        .call(
            &company,
            reqwest::Method::POST,
            "/api/simulator/message-status",
            Some(json!({ "id": reply, "status": 3 })),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    page.wait_for("the reply Read", &format!("{mine} === 'Read'")).await;
    page.resume(&held).await;
    page.wait_for("the held answer", &format!("{} === 'Sent.'", part_text(ID, "reply-note"))).await;
    page.stop_intercepting().await;
    page.wait_for("no request in flight", IDLE).await;
    assert_eq!(page.eval(&mine).await, "Read", "the answer undid the newer status");
    assert_eq!(page.eval(&format!("{reply_box}.value")).await, "");
    assert_eq!(page.eval(&row_text(olena, "preview")).await, "For Olena");
    assert_eq!(page.eval(&part_text(ID, "announcer")).await, "", "one's own reply is not announced");

    // A customer's new message is announced.
    server
        .customer_message(
            &company,
            json!({ "organizationId": 24, "source": 2, "client": { "phone": "380501234567" }, "textMessage": "Thank you!" }),
        )
        .await;
    page.wait_for("the announcement", &format!("{} === 'Olena: Thank you!'", part_text(ID, "announcer"))).await;
    page.click_element(&open(taras)).await;
    page.wait_for("Taras's draft still", &format!("{reply_box}.value === 'For Taras'")).await;
    assert_eq!(page.eval(&part_text(ID, "announcer")).await, "", "another chat starts quiet");

    // The length limit counts what the server counts (Unicode scalar
    // values): 4,096 emoji fit, though they are 8,192 UTF-16 units.
    page.eval(&format!("(() => {{ const box = {reply_box}; box.value = ''; box.focus(); return true; }})()")).await;
    page.insert_text(&"😀".repeat(4096)).await;
    let length_state = format!(
        "[[...{reply_box}.value].length, {reply_box}.getAttribute('aria-invalid'), {}]",
        part_text(ID, "reply-note")
    );
    assert_eq!(page.eval(&length_state).await, json!([4096, "false", ""]));
    page.insert_text("!").await;
    assert_eq!(page.eval(&length_state).await, json!([4097, "true", "Too long: 4097 of at most 4096 characters."]));
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);
    page.assert_clean(&[]);
    browser.close().await;
}

#[tokio::test]
async fn a_failed_chats_load_is_tried_again_and_refresh_and_retry_read_the_chats() {
    let pages = PageServer::start().await;
    let server = Server::start_with_options(Some(CHATS_SEED), &[pages.origin()], false, true).await;
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let token = server.operator_token(&company, john, TimeDelta::hours(1)).await;
    let url = pages.put("failing", neutral_page(&tag(ID, &server.script_url(), &token, r#"refresh-interval="1""#)));
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    let summary = part_text(ID, "chats-summary");
    let retry = part("chats-retry");

    // Every load of the list fails until the hub is live and none is in flight.
    page.intercept("*/api/chat/chats?*", "Request").await;
    let mut mark = page.mark();
    page.goto(&url).await;
    keep_module(&page, &server).await;
    let failed = format!(
        "{}?.dataset.hub === 'live' && {summary} === 'The chats could not be loaded.' && !{retry}.hidden && {IDLE}",
        panel(ID)
    );
    let mut failures = 0;
    loop {
        tokio::select! {
            (next, id) = page.paused("GET", mark) => {
                mark = next;
                page.fail(&id).await;
                failures += 1;
            }
            _ = page.wait_for("the failed load, live", &failed) => break,
        }
    }
    page.stop_intercepting().await;
    eprintln!("{failures} list loads failed");
    assert!(failures >= 1);
    // The panel's next refresh (every second here) loads it, live hub or not.
    page.wait_for("the list, loaded after all", &format!("{summary} === '3 chats, 1 unread' && {retry}.hidden")).await;

    // Refresh reads the list again; a failure shows Retry, which reads it again.
    page.intercept("*/api/chat/chats?*", "Request").await;
    let mark = page.mark();
    page.click_element(&part("refresh")).await;
    let (_, id) = page.paused("GET", mark).await;
    page.fail(&id).await;
    page.wait_for(
        "the failure and Retry",
        &format!("{summary} === 'The chats could not be loaded.' && !{retry}.hidden"),
    )
    .await;
    page.stop_intercepting().await;
    page.click_element(&retry).await;
    page.wait_for("the list again", &format!("{summary} === '3 chats, 1 unread' && {retry}.hidden")).await;
    assert!(page.error_events().await.is_empty(), "{:?}", page.error_events().await);
    let failed_load = |error: &ConsoleError| error.source == "network" && error.text.contains("/api/chat/chats?");
    page.assert_clean(&[&failed_load]);
    browser.close().await;
}
