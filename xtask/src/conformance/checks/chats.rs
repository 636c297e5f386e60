//! §7.2 chats and messages (Decisions 16-27) and §7.4 the simulator
//! (Decisions 31-32). Chats are made by the simulator, so on a foreign
//! server only the read-only checks run; every other is skipped.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Value, json};

use super::chat_support::{
    CHATS, CUSTOMER, MESSAGE_STATUS, OTHER_ORG, SECOND_COMPANY_ORG, chat, chat_org, customer, customer_body,
    expect_invalid_naming, get_json, id_of, needs_simulator, new_chat, phone,
};
use super::{expect_keys, within_body};
use crate::conformance::context::Ctx;
use crate::conformance::runner::{Check, Limit, check};
use crate::conformance::verdict::{Outcome, Stop, ensure, ensure_eq, fail, within};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "decision-21/list-pages",
            "§7.2.21",
            "{total, items}: 20 by default, newest first; past the end items [] with the same total",
            list_pages,
            Limit::Secs(30)
        ),
        check!(
            "decision-16/chat-status-values",
            "§7.2.16",
            "chat status 0-4 (New … Closed), any after any",
            status_values
        ),
        check!("decision-17/sources", "§7.2.17", "messSource 0-8 kept as sent; 9: 400", sources),
        check!(
            "decision-18/chat-shape",
            "§7.2.18",
            "one chat shape: GET, the list and the simulator's answer",
            chat_shape
        ),
        check!(
            "decision-19/message-shape",
            "§7.2.19",
            "one message shape: the simulator's and POST's answers",
            message_shape
        ),
        check!(
            "decision-21/per-page-bounds",
            "§7.2.21",
            "per_page=0, per_page=101, page=x, three dates: 400 naming the parameter",
            per_page_bounds
        ),
        check!("decision-21/date-span", "§7.2.21", "date=D&date=D+1 spans both days", date_span),
        check!("decision-21/phone-filter", "§7.2.21", "phone=+380 (50) 123-45-67 finds 380501234567", phone_filter),
        check!(
            "decision-20/operator-scope",
            "§7.2.20",
            "an operator token: its organization only, others' chats 404, DELETE 403",
            operator_scope
        ),
        check!(
            "decision-22/status-range",
            "§7.2.22",
            "PUT status 5: 400 naming $.status; unknown chat: 404",
            status_range
        ),
        check!(
            "decision-24/both-message-paths",
            "§7.2.24",
            "both message paths: one array, oldest first",
            message_paths
        ),
        check!(
            "decision-23/delete-is-hard",
            "§7.2.23",
            "DELETE: 200 empty; every path 404, lists omit it; the client's next message opens a new chat",
            delete_is_hard
        ),
        check!(
            "decision-25/post-message",
            "§7.2.25",
            "POST message: 200, author 0, status 1; author 1, {}, a Closed chat: 400",
            post_message
        ),
        check!(
            "decision-26/media-rules",
            "§7.2.26",
            "media: bad base64, text/html, 5 MiB + 1: 400 naming the field",
            media_rules,
            Limit::Secs(40)
        ),
        check!(
            "decision-27/media-served",
            "§7.2.27",
            "media uri: the bytes and MIME type without a credential, nosniff",
            media_served
        ),
        check!(
            "decision-25/reply-reads-and-assigns",
            "§7.2.25",
            "an operator's reply marks client messages Read (countUnread 0) and assigns the chat",
            reply_reads_and_assigns
        ),
        check!(
            "decision-31/same-chat-then-new",
            "§7.4.31",
            "simulator: again the same chat; after Closed a new one; another company's organization 400",
            same_chat_then_new
        ),
        check!(
            "decision-32/message-status",
            "§7.4.32",
            "simulator message status: 200 empty; unknown 404; an operator token 403",
            message_status
        ),
    ]
}

/// The members of a chat (Decision 18).
const CHAT_KEYS: &[&str] = &[
    "id",
    "theme",
    "organizationId",
    "messSource",
    "chatStatus",
    "countUnread",
    "client",
    "operator",
    "createdAt",
    "lastMessageAt",
];
/// The members of a message (Decision 19).
const MESSAGE_KEYS: &[&str] =
    &["id", "chatId", "author", "operatorId", "message", "phone", "media", "status", "createdAt"];

fn items(page: &Value) -> Result<&Vec<Value>, Stop> {
    page["items"].as_array().ok_or_else(|| fail("a list with an items array", page.to_string()))
}

fn ids(list: &[Value]) -> Vec<i64> {
    list.iter().filter_map(|item| item["id"].as_i64()).collect()
}

fn total(page: &Value) -> Result<i64, Stop> {
    page["total"].as_i64().ok_or_else(|| fail("a list with an integer total", page.to_string()))
}

/// The chats of client `phone` as the company sees them (`total`).
async fn count_by_phone(cx: &Ctx, phone: &str, extra: &str) -> Result<i64, Stop> {
    total(&get_json(cx, &format!("{CHATS}?phone={phone}{extra}")).await?)
}

async fn list_pages(cx: Arc<Ctx>) -> Outcome {
    if cx.local {
        for n in 0..21 {
            new_chat(&cx, chat_org(&cx)?, &format!("Pager {n}"), &phone(&cx, 60 + n)).await?;
        }
    }
    let first = get_json(&cx, CHATS).await?;
    expect_keys(&first, &["total", "items"], "the chat list")?;
    let count = total(&first)?;
    let listed = ids(items(&first)?);
    ensure(listed.len() == items(&first)?.len(), "chats with integer ids", || first.to_string())?;
    ensure_eq("the items of the first page (per_page 20)", listed.len() as i64, count.min(20))?;
    ensure(listed.windows(2).all(|pair| pair[0] > pair[1]), "newest id first", || format!("ids {listed:?}"))?;
    if count > 20 {
        let second = get_json(&cx, &format!("{CHATS}?page=2")).await?;
        let next = ids(items(&second)?);
        ensure(
            next.first().is_some_and(|id| listed.last().is_some_and(|last| id < last)),
            "page 2 after page 1",
            || format!("page 1 {listed:?}, page 2 {next:?}"),
        )?;
    }
    let past = count / 20 + 2;
    let beyond = get_json(&cx, &format!("{CHATS}?page={past}")).await?;
    ensure_eq(&format!("page {past}'s (total, items)"), (total(&beyond)?, items(&beyond)?.len()), (count, 0))
}

async fn chat_shape(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 1);
    let answer = customer(&cx, &customer_body(chat_org(&cx)?, "Shape", &phone, "Where is my parcel?")).await?;
    expect_keys(&answer, &["chat", "message", "created"], "the simulator's answer")?;
    let id = id_of(&answer["chat"], "chat")?;
    let got = chat(&cx, id).await?;
    expect_keys(&got, CHAT_KEYS, "a chat (Decision 18)")?;
    expect_keys(&got["client"], &["id", "name", "phone", "tgUserId"], "the chat's client")?;
    ensure_eq(
        "the chat's (organizationId, messSource, chatStatus, countUnread, operator)",
        (&got["organizationId"], &got["messSource"], &got["chatStatus"], &got["countUnread"], &got["operator"]),
        (&json!(chat_org(&cx)?.get()), &json!(2), &json!(0), &json!(1), &Value::Null),
    )?;
    ensure_eq("the simulator's chat and GET's", &answer["chat"], &got)?;
    let listed = get_json(&cx, &format!("{CHATS}?phone={phone}")).await?;
    ensure_eq("the listed chat and GET's", items(&listed)?.first(), Some(&got))
}

async fn message_shape(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 13);
    let answer = customer(&cx, &customer_body(chat_org(&cx)?, "Shape", &phone, "Where is my parcel?")).await?;
    let message = &answer["message"];
    expect_keys(message, MESSAGE_KEYS, "the simulator's message (Decision 19)")?;
    ensure_eq(
        "the message's (author, status, message, phone, operatorId, media)",
        (
            &message["author"],
            &message["status"],
            &message["message"],
            &message["phone"],
            &message["operatorId"],
            &message["media"],
        ),
        (&json!(1), &json!(0), &json!("Where is my parcel?"), &json!(phone), &Value::Null, &Value::Null),
    )?;
    let id = id_of(&answer["chat"], "chat")?;
    let sent = post(&cx, id, &json!({"textMessage": "Soon"})).await?.expect_json(200)?;
    expect_keys(&sent, MESSAGE_KEYS, "POST's message (Decision 19)")?;
    let listed = get_json(&cx, &format!("{CHATS}/{id}/messages")).await?;
    ensure_eq("the listed messages' last and POST's answer", listed.as_array().and_then(|l| l.last()), Some(&sent))
}

async fn status_values(cx: Arc<Ctx>) -> Outcome {
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Statuses", &phone(&cx, 14)).await?;
    for status in [4, 0, 3, 1, 2, 4, 1] {
        set_status(&cx, id, status).await?;
        ensure_eq(&format!("chatStatus after PUT {status}"), &chat(&cx, id).await?["chatStatus"], &json!(status))?;
    }
    Ok(())
}

async fn sources(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 15);
    for source in 0..=8 {
        let mut body = customer_body(chat_org(&cx)?, "Sources", &phone, "Hi");
        body["source"] = json!(source);
        let answer = customer(&cx, &body).await?;
        ensure_eq(
            &format!("messSource of a chat from source {source}"),
            &answer["chat"]["messSource"],
            &json!(source),
        )?;
    }
    let mut body = customer_body(chat_org(&cx)?, "Sources", &phone, "Hi");
    body["source"] = json!(9);
    let reply = cx.raw("POST", CUSTOMER).with_company_token().json(&body).send().await?;
    reply.expect_problem(400).map(drop).map_err(within("for source 9"))
}

async fn per_page_bounds(cx: Arc<Ctx>) -> Outcome {
    for (query, name) in [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=x", "page"),
        ("date=2026-01-01&date=2026-01-02&date=2026-01-03", "date"),
    ] {
        let reply = cx.raw("GET", format!("{CHATS}?{query}")).with_company_token().send().await?;
        expect_invalid_naming(&reply, name).map_err(within(format!("for ?{query}")))?;
    }
    Ok(())
}

async fn date_span(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 2);
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Dates", &phone).await?;
    let created = chat(&cx, id).await?["createdAt"].as_str().unwrap_or("").to_owned();
    let day = chrono::DateTime::parse_from_rfc3339(&created)
        .map_err(|e| fail("createdAt in RFC 3339", format!("{created:?}: {e}")))?
        .with_timezone(&chrono::Utc)
        .date_naive();
    let d = |offset: i64| {
        day.checked_add_signed(chrono::TimeDelta::days(offset)).map(|d| d.to_string()).unwrap_or_default()
    };
    for (from, to, want) in [(0, 1, 1), (-1, 0, 1), (1, 2, 0), (-2, -1, 0)] {
        let extra = format!("&date={}&date={}", d(from), d(to));
        let got = count_by_phone(&cx, &phone, &extra).await?;
        ensure_eq(&format!("total for a chat created {created} with {extra}"), got, want)?;
    }
    Ok(())
}

async fn phone_filter(cx: Arc<Ctx>) -> Outcome {
    let digits = phone(&cx, 3);
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Phone", &digits).await?;
    // `+380 (9x) xxx-xx-xxxx`: the same digits, written as people write them.
    let written =
        format!("+{} ({}) {}-{}-{}", &digits[..3], &digits[3..5], &digits[5..8], &digits[8..10], &digits[10..]);
    let query = written.replace('+', "%2B").replace(' ', "%20");
    let page = get_json(&cx, &format!("{CHATS}?phone={query}")).await.map_err(within(format!("phone={written}")))?;
    ensure_eq(&format!("the chats found by phone={written}"), ids(items(&page)?), vec![id])?;
    ensure_eq("the found client's phone", &items(&page)?[0]["client"]["phone"], &json!(digits))
}

async fn operator_scope(cx: Arc<Ctx>) -> Outcome {
    needs_simulator(&cx)?;
    let own = new_chat(&cx, chat_org(&cx)?, "Scope", &phone(&cx, 4)).await?.0;
    let other = new_chat(&cx, OTHER_ORG, "Scope", &phone(&cx, 5)).await?.0;
    let operator = cx.fresh_operator("chat-scope").await?;
    let token = cx.operator_token(operator, std::time::Duration::from_secs(600)).await?;
    let token = token.expose();
    let reply = cx.raw("GET", format!("{CHATS}?per_page=100")).bearer(token).send().await?;
    let page = reply.expect_json(200).map_err(within("GET the chat list with an operator token"))?;
    let orgs: Vec<&Value> = items(&page)?.iter().map(|c| &c["organizationId"]).collect();
    let org = json!(chat_org(&cx)?.get());
    ensure(orgs.iter().all(|o| **o == org), format!("only chats of organization {org}"), || format!("{orgs:?}"))?;
    ensure(ids(items(&page)?).contains(&own), format!("its organization's chat {own} listed"), || page.to_string())?;
    for path in [format!("{CHATS}/{other}"), format!("{CHATS}/{other}/messages"), format!("/api/chat/{other}/messages")]
    {
        let reply = cx.raw("GET", path.clone()).bearer(token).send().await?;
        reply.expect_problem(404).map_err(within(format!("GET {path} (another organization's chat)")))?;
    }
    cx.raw("GET", format!("{CHATS}/{own}")).bearer(token).send().await?.expect_json(200)?;
    let reply = cx.raw("DELETE", format!("{CHATS}/{own}")).bearer(token).send().await?;
    reply.expect_problem(403).map_err(within("DELETE with an operator token"))?;
    chat(&cx, own).await.map(drop).map_err(within("the chat after an operator's refused DELETE"))
}

async fn put_status(cx: &Ctx, id: i64, status: i64) -> Result<crate::conformance::http::Reply, Stop> {
    cx.raw("PUT", chathub_types::chat::set_chat_status::ENDPOINT.path)
        .with_company_token()
        .json(&json!({"id": id, "status": status}))
        .send()
        .await
}

/// PUT /api/chat/status: 200 with an empty body.
pub async fn set_status(cx: &Ctx, id: i64, status: i64) -> Outcome {
    let reply = put_status(cx, id, status).await?;
    reply.expect_status(200).map_err(within(format!("PUT status {status} of chat {id}")))?;
    ensure(reply.body.is_empty(), "PUT /api/chat/status: 200 with an empty body", || reply.describe())
}

async fn status_range(cx: Arc<Ctx>) -> Outcome {
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Range", &phone(&cx, 6)).await?;
    let reply = put_status(&cx, id, 5).await?;
    reply.expect_invalid(&["$.status"]).map_err(within("for status 5"))?;
    ensure_eq("the chat's status after a refused change", &chat(&cx, id).await?["chatStatus"], &json!(0))?;
    put_status(&cx, i64::from(i32::MAX), 1).await?.expect_problem(404).map(drop).map_err(within("for an unknown chat"))
}

async fn message_paths(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 7);
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Paths", &phone).await?;
    for text in ["second", "third"] {
        let again = customer(&cx, &customer_body(chat_org(&cx)?, "Paths", &phone, text)).await?;
        ensure_eq("the chat of the same client's next message", id_of(&again["chat"], "chat")?, id)?;
    }
    let one = get_json(&cx, &format!("{CHATS}/{id}/messages")).await?;
    let other = get_json(&cx, &format!("/api/chat/{id}/messages")).await?;
    ensure_eq("both message paths' answers", &one, &other)?;
    let list = one.as_array().ok_or_else(|| fail("a JSON array of messages", one.to_string()))?;
    let texts: Vec<&Value> = list.iter().map(|m| &m["message"]).collect();
    ensure_eq(
        "the messages, oldest first",
        texts,
        vec![&json!("Where is my parcel?"), &json!("second"), &json!("third")],
    )?;
    let message_ids = ids(list);
    ensure(message_ids.windows(2).all(|p| p[0] < p[1]), "message ids increasing", || format!("{message_ids:?}"))
}

async fn delete_is_hard(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 16);
    let body = customer_body(chat_org(&cx)?, "Deleted", &phone, "Hi");
    let id = id_of(&customer(&cx, &body).await?["chat"], "chat")?;
    let reply = cx.raw("DELETE", format!("{CHATS}/{id}")).with_company_token().send().await?;
    reply.expect_status(200).map_err(within("DELETE the chat"))?;
    ensure(reply.body.is_empty() || reply.text() == "\"OK\"", "DELETE: 200, empty (or \"OK\")", || reply.describe())?;
    for path in [format!("{CHATS}/{id}"), format!("{CHATS}/{id}/messages"), format!("/api/chat/{id}/messages")] {
        let reply = cx.raw("GET", path.clone()).with_company_token().send().await?;
        reply.expect_problem(404).map_err(within(format!("GET {path} after DELETE")))?;
    }
    ensure_eq("chats of the client listed after DELETE", count_by_phone(&cx, &phone, "").await?, 0)?;
    let next = customer(&cx, &body).await?;
    let new = id_of(&next["chat"], "chat")?;
    ensure(new != id && next["created"] == json!(true), "the client's next message opens a new chat", || {
        next.to_string()
    })
}

async fn post(cx: &Ctx, id: i64, body: &Value) -> Result<crate::conformance::http::Reply, Stop> {
    cx.raw("POST", format!("/api/chat/{id}/message")).with_company_token().json(body).send().await
}

async fn post_message(cx: Arc<Ctx>) -> Outcome {
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Post", &phone(&cx, 8)).await?;
    let body = json!({"textMessage": "Hello from Chathub!", "author": 0});
    let sent = post(&cx, id, &body).await?.expect_json(200).map_err(within_body(&body))?;
    expect_keys(&sent, MESSAGE_KEYS, "the sent message (Decision 19)")?;
    ensure_eq(
        "the sent message's (chatId, author, status, message)",
        (&sent["chatId"], &sent["author"], &sent["status"], &sent["message"]),
        (&json!(id), &json!(0), &json!(1), &json!("Hello from Chathub!")),
    )?;
    for (body, path) in [(json!({"textMessage": "x", "author": 1}), "$.author"), (json!({}), "$.textMessage")] {
        post(&cx, id, &body).await?.expect_invalid(&[path]).map_err(within_body(&body))?;
    }
    set_status(&cx, id, 4).await?;
    let reply = post(&cx, id, &json!({"textMessage": "closed?"})).await?;
    reply.expect_invalid(&["chatId"]).map_err(within("for a Closed chat"))?;
    Ok(())
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn media_body(name: &str, format: &str, data: String, kind: i32) -> Value {
    json!({"media": {"name": name, "format": format, "dataBase64": data, "type": kind}})
}

fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn media_rules(cx: Arc<Ctx>) -> Outcome {
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Media rules", &phone(&cx, 17)).await?;
    let too_big = vec![b'a'; 5 * 1024 * 1024 + 1];
    for (body, field, what) in [
        (media_body("a.png", "png", "not base64!".to_owned(), 1), "$.media.dataBase64", "bad base64"),
        (media_body("a.html", "text/html", encode(b"<script>"), 0), "$.media.format", "text/html"),
        (media_body("a.txt", "txt", encode(&too_big), 0), "$.media.dataBase64", "5 MiB + 1 bytes"),
    ] {
        post(&cx, id, &body).await?.expect_invalid(&[field]).map_err(within(format!("for {what}")))?;
    }
    // [P]'s casing binds; an extension is written back as the MIME type.
    let body = json!({"media": {"Name": "dot.png", "Format": "PNG", "DataBase64": encode(PNG), "Type": 1}});
    let sent = post(&cx, id, &body).await?.expect_json(200).map_err(within_body(&body))?;
    ensure_eq("the sent media's format", &sent["media"]["format"], &json!("image/png"))
}

async fn media_served(cx: Arc<Ctx>) -> Outcome {
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Media", &phone(&cx, 9)).await?;
    let body = media_body("dot.png", "png", encode(PNG), 1);
    let sent = post(&cx, id, &body).await?.expect_json(200).map_err(within("POST a photo"))?;
    ensure_eq(
        "the sent media's (name, format, type)",
        (&sent["media"]["name"], &sent["media"]["format"], &sent["media"]["type"]),
        (&json!("dot.png"), &json!("image/png"), &json!(1)),
    )?;
    let uri = sent["media"]["uri"].as_str().ok_or_else(|| fail("media.uri", sent.to_string()))?;
    let path = uri.strip_prefix(&cx.base_url).ok_or_else(|| fail(format!("a uri below {}", cx.base_url), uri))?;
    let reply = cx.raw("GET", path.to_owned()).send().await?;
    reply.expect_status(200).map_err(within(format!("GET {path} without a credential")))?;
    ensure_eq("the media's Content-Type", reply.content_type(), "image/png")?;
    ensure_eq("X-Content-Type-Options", reply.header("x-content-type-options"), Some("nosniff"))?;
    ensure(reply.body == PNG, "the media's bytes as sent", || format!("{} bytes", reply.body.len()))
}

async fn reply_reads_and_assigns(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 10);
    let (id, _) = new_chat(&cx, chat_org(&cx)?, "Unread", &phone).await?;
    customer(&cx, &customer_body(chat_org(&cx)?, "Unread", &phone, "Hello?")).await?;
    ensure_eq("countUnread after two client messages", &chat(&cx, id).await?["countUnread"], &json!(2))?;
    let operator = cx.fresh_operator("replies").await?;
    let token = cx.operator_token(operator, std::time::Duration::from_secs(600)).await?;
    let body = json!({"textMessage": "On its way", "author": 0});
    let reply = cx.raw("POST", format!("/api/chat/{id}/message")).bearer(token.expose()).json(&body).send().await?;
    let sent = reply.expect_json(200).map_err(within("an operator's reply"))?;
    ensure_eq("the reply's operatorId", &sent["operatorId"], &json!(operator.get()))?;
    let after = chat(&cx, id).await?;
    ensure_eq(
        "the chat's (countUnread, operator.id) after the reply",
        (&after["countUnread"], &after["operator"]["id"]),
        (&json!(0), &json!(operator.get())),
    )?;
    let messages = get_json(&cx, &format!("{CHATS}/{id}/messages")).await?;
    let client_statuses: Vec<&Value> =
        messages.as_array().into_iter().flatten().filter(|m| m["author"] == 1).map(|m| &m["status"]).collect();
    ensure_eq("the client messages' statuses (3 Read)", client_statuses, vec![&json!(3), &json!(3)])
}

async fn same_chat_then_new(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 11);
    let body = customer_body(chat_org(&cx)?, "Again", &phone, "Hi");
    let first = customer(&cx, &body).await?;
    let id = id_of(&first["chat"], "chat")?;
    ensure_eq("created, for a new client", &first["created"], &json!(true))?;
    let again = customer(&cx, &body).await?;
    ensure_eq(
        "(chat id, created) of the next message",
        (id_of(&again["chat"], "chat")?, &again["created"]),
        (id, &json!(false)),
    )?;
    set_status(&cx, id, 4).await?;
    let after = customer(&cx, &body).await?;
    let new = id_of(&after["chat"], "chat")?;
    ensure(new != id && after["created"] == json!(true), "a new chat after the last was Closed", || after.to_string())?;
    let theirs = customer_body(SECOND_COMPANY_ORG, "Again", &phone, "Hi");
    let reply = cx.raw("POST", CUSTOMER).with_company_token().json(&theirs).send().await?;
    reply.expect_problem(400).map(drop).map_err(within("for another company's organization"))
}

async fn message_status(cx: Arc<Ctx>) -> Outcome {
    let (chat_id, message) = new_chat(&cx, chat_org(&cx)?, "Ticks", &phone(&cx, 12)).await?;
    let reply =
        cx.raw("POST", MESSAGE_STATUS).with_company_token().json(&json!({"id": message, "status": 3})).send().await?;
    reply.expect_status(200)?;
    ensure(reply.body.is_empty(), "200 with an empty body", || reply.describe())?;
    let messages = get_json(&cx, &format!("{CHATS}/{chat_id}/messages")).await?;
    ensure_eq("the message's status", &messages[0]["status"], &json!(3))?;
    let unknown = json!({"id": i64::from(i32::MAX), "status": 1});
    let reply = cx.raw("POST", MESSAGE_STATUS).with_company_token().json(&unknown).send().await?;
    reply.expect_problem(404).map_err(within("for an unknown message"))?;
    let operator = cx.fresh_operator("message-status").await?;
    let token = cx.operator_token(operator, std::time::Duration::from_secs(600)).await?;
    let reply =
        cx.raw("POST", MESSAGE_STATUS).bearer(token.expose()).json(&json!({"id": message, "status": 1})).send().await?;
    reply.expect_problem(403).map(drop).map_err(within("with an operator token"))?;
    // The simulator refuses operators altogether (Decision 20).
    let body = customer_body(chat_org(&cx)?, "Ticks", &phone(&cx, 12), "x");
    let reply = cx.raw("POST", CUSTOMER).bearer(token.expose()).json(&body).send().await?;
    reply.expect_problem(403).map(drop).map_err(within("customer-message with an operator token"))
}
