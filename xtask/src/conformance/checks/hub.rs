//! §7.3 the hub `/chathub` (Decisions 28-30) over a raw WebSocket speaking
//! the JSON hub protocol: negotiate, the handshake, invocations, events of
//! simulated customers and who gets them, revocation, other transports,
//! and (with `--slow`) the keep-alive timings.

use std::sync::Arc;
use std::time::Duration;

use chathub_client::{OperatorId, OperatorStatus, OrganizationId};
use serde_json::{Value, json};

use super::chat_support::{
    OTHER_ORG, SECOND_COMPANY_ORG, chat_org, customer, customer_body, customer_with, id_of, needs_simulator, new_chat,
    phone,
};
use super::chats::set_status;
use crate::conformance::context::Ctx;
use crate::conformance::runner::{Check, Limit, check};
use crate::conformance::verdict::{Expecting, Outcome, Stop, ensure, ensure_eq, fail, skip, within};
use crate::conformance::ws::{NEGOTIATE_V1 as NEGOTIATE, Refused, Ws};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!("hub/negotiate-needs-credential", "§7.3.28", "negotiate without a credential: 401", negotiate_401),
        check!("hub/negotiate-websockets-only", "§7.3", "negotiate: version 1, WebSockets (Text) only", negotiate),
        check!(
            "hub/handshake-messagepack",
            "§7.3",
            "handshake messagepack: the error record, then the socket closes",
            messagepack
        ),
        check!("hub/handshake-versions", "§7.3", "handshake json versions 1 and 2: {}", versions),
        check!(
            "decision-28/access-token-query",
            "§7.3.28",
            "negotiate and upgrade by access_token in the query; an upgrade without a credential: 401",
            access_token_query
        ),
        check!("decision-29/send-message", "§7.3.29", "SendMessage completes with the message", send_message),
        check!(
            "decision-29/unknown-chat",
            "§7.3.29",
            "SendMessage to an unknown chat: …HubException: Chat not found",
            unknown_chat
        ),
        check!("decision-29/unknown-method", "§7.3.29", "Foo: …HubException: Method does not exist.", unknown_method),
        check!(
            "decision-30/simulator-events",
            "§7.3.30",
            "simulator: ChatCreated then ReceiveMessage to the company and its organization's operators only; \
             again the same chat; media: ReceiveMediaMessage",
            simulator_events,
            Limit::Secs(40)
        ),
        check!(
            "decision-22/status-events",
            "§7.2.22",
            "a status change: one ChatStatusChanged; the same status: none; after Closed a new chat",
            status_events
        ),
        check!(
            "decision-28/deactivation-closes",
            "§7.3.28",
            "deactivating an operator closes its connections (\"Token revoked\")",
            deactivation_closes
        ),
        check!(
            "hub/only-websockets",
            "§7.3",
            "a long-polling or SSE request: 404 text \"… transport not supported by this end point type\"",
            only_websockets
        ),
        check!("hub/keep-alive-ping", "§7.3", "a ping after ~15 s quiet (--slow)", keep_alive, Limit::Secs(40)),
        check!(
            "hub/client-timeout",
            "§7.3",
            "a silent client closed at ~30 s (--slow)",
            client_timeout,
            Limit::Secs(60)
        ),
    ]
}

async fn negotiate_401(cx: Arc<Ctx>) -> Outcome {
    cx.raw("POST", NEGOTIATE).send().await?.expect_status(401).map(drop)
}

async fn negotiate(cx: Arc<Ctx>) -> Outcome {
    let body = cx.raw("POST", NEGOTIATE).with_company_token().send().await?.expect_json(200)?;
    ensure_eq("negotiateVersion", &body["negotiateVersion"], &json!(1))?;
    for name in ["connectionId", "connectionToken"] {
        ensure(body[name].as_str().is_some_and(|s| !s.is_empty()), format!("a {name}"), || body.to_string())?;
    }
    ensure_eq(
        "availableTransports",
        &body["availableTransports"],
        &json!([{"transport": "WebSockets", "transferFormats": ["Text"]}]),
    )
}

async fn messagepack(cx: Arc<Ctx>) -> Outcome {
    let mut ws = Ws::negotiated(&cx, &cx.company_token().await?).await?;
    ws.send_text("{\"protocol\":\"messagepack\",\"version\":1}\u{1e}").await?;
    let answer = ws.record().await?;
    ensure_eq("the handshake answer", answer, json!({"error": "The protocol 'messagepack' is not supported."}))?;
    ws.expect_closed().await
}

async fn versions(cx: Arc<Ctx>) -> Outcome {
    for version in [1, 2] {
        let mut ws = Ws::negotiated(&cx, &cx.company_token().await?).await?;
        ws.send_text(&format!("{{\"protocol\":\"json\",\"version\":{version}}}\u{1e}")).await?;
        let answer = ws.record().await?;
        ensure_eq(&format!("the answer to version {version}"), answer, json!({}))?;
        ws.close().await;
    }
    Ok(())
}

async fn access_token_query(cx: Arc<Ctx>) -> Outcome {
    let token = cx.company_token().await?;
    let reply = cx.raw("POST", format!("{NEGOTIATE}&access_token={token}")).send().await?;
    let body = reply.expect_json(200).map_err(within("negotiate with access_token in the query"))?;
    let id = body["connectionToken"].as_str().ok_or_else(|| fail("a connectionToken", body.to_string()))?;
    let mut ws = match Ws::open_with(&cx, &format!("id={id}&access_token={token}"), None).await {
        Ok(ws) => ws,
        Err(Refused::Status(status)) => {
            return Err(fail("101 for an upgrade with access_token in the query", status.to_string()));
        }
        Err(Refused::Stop(stop)) => return Err(stop),
    };
    ws.send_text(crate::conformance::ws::HANDSHAKE_V1).await?;
    ensure_eq("the handshake answer", ws.record().await?, json!({}))?;
    ws.close().await;
    match Ws::open_with(&cx, "", None).await {
        Err(Refused::Status(status)) => ensure_eq("the status of an upgrade without a credential", status, 401),
        Err(Refused::Stop(stop)) => Err(stop),
        Ok(ws) => {
            ws.close().await;
            Err(fail("401 for an upgrade without a credential", "101 Switching Protocols"))
        }
    }
}

/// The completion's `result`, or a failure showing it.
fn result_of(completion: &Value) -> Result<&Value, Stop> {
    completion
        .get("result")
        .filter(|_| completion.get("error").is_none())
        .ok_or_else(|| fail("a completion with a result", completion.to_string()))
}

async fn send_message(cx: Arc<Ctx>) -> Outcome {
    let (chat, _) = new_chat(&cx, chat_org(&cx)?, "Hub", &phone(&cx, 20)).await?;
    let mut ws = Ws::ready(&cx, &cx.company_token().await?).await?;
    let completion = ws.invoke("0", "SendMessage", json!([chat, "Hi from the hub"])).await?;
    let message = result_of(&completion)?;
    ensure_eq(
        "the message's (chatId, author, status, message)",
        (&message["chatId"], &message["author"], &message["status"], &message["message"]),
        (&json!(chat), &json!(0), &json!(1), &json!("Hi from the hub")),
    )?;
    let id = id_of(message, "message")?;
    let listed = super::chat_support::get_json(&cx, &format!("/api/chat/{chat}/messages")).await?;
    let found = listed.as_array().into_iter().flatten().any(|m| m["id"] == json!(id));
    ensure(found, format!("message {id} among the chat's messages"), || listed.to_string())
}

async fn expect_error(cx: &Ctx, target: &str, arguments: Value, want: &str) -> Outcome {
    let mut ws = Ws::ready(cx, &cx.company_token().await?).await?;
    let completion = ws.invoke("1", target, arguments).await?;
    ensure_eq(
        &format!("the completion of {target}"),
        completion,
        json!({"type": 3, "invocationId": "1", "error": want}),
    )
}

async fn unknown_chat(cx: Arc<Ctx>) -> Outcome {
    let want = "An unexpected error occurred invoking 'SendMessage' on the server. HubException: Chat not found";
    expect_error(&cx, "SendMessage", json!([i32::MAX, "anyone?"]), want).await
}

async fn unknown_method(cx: Arc<Ctx>) -> Outcome {
    let want = "Failed to invoke 'Foo' due to an error on the server. HubException: Method does not exist.";
    expect_error(&cx, "Foo", json!([]), want).await
}

/// Fails unless `event` is `target` whose first argument has `id` (a chat
/// or a message); answers that argument.
fn expect_event<'a>(event: &'a Value, target: &str, who: &str) -> Result<&'a Value, Stop> {
    ensure_eq(&format!("{who}: the event's target"), event["target"].as_str(), Some(target))?;
    event["arguments"][0]
        .as_object()
        .map(|_| &event["arguments"][0])
        .ok_or_else(|| fail(format!("{who}: {target} with an object argument"), event.to_string()))
}

/// An operator added to `organization` (remembered for the clean-up) and its token.
async fn operator_in(cx: &Ctx, organization: OrganizationId, label: &str) -> Result<(OperatorId, String), Stop> {
    let added = cx
        .client
        .operators()
        .add(organization, vec![cx.name(label)])
        .await
        .expecting("200 with the added operator (§3.4)")?;
    let id = added.first().map(|op| op.id).ok_or_else(|| fail("one added operator", "none"))?;
    cx.remember([id]);
    let token = cx.operator_token(id, Duration::from_secs(600)).await?;
    Ok((id, token.expose().to_owned()))
}

async fn simulator_events(cx: Arc<Ctx>) -> Outcome {
    needs_simulator(&cx)?;
    let org = chat_org(&cx)?;
    let (_, own_token) = operator_in(&cx, org, "hub-own").await?;
    let (_, other_token) = operator_in(&cx, OTHER_ORG, "hub-other").await?;
    let (second, _) = cx.second()?;
    let second_token = crate::conformance::context::client_for(&cx.base_url, second)
        .map_err(|e| fail("a client for the second company", e.to_string()))?
        .company()
        .sign_in()
        .await
        .expecting("200 with the second company's token")?;
    let second_token = second_token.expose().to_owned();
    let mut company = Ws::ready(&cx, &cx.company_token().await?).await?;
    let mut own = Ws::ready(&cx, &own_token).await?;
    let mut other = Ws::ready(&cx, &other_token).await?;
    let mut theirs = Ws::ready(&cx, &second_token).await?;

    let phone = phone(&cx, 21);
    let body = customer_body(org, "Events", &phone, "Hi");
    let answer = customer(&cx, &body).await?;
    let (chat, message) = (id_of(&answer["chat"], "chat")?, id_of(&answer["message"], "message")?);
    for (ws, who) in [(&mut company, "the company"), (&mut own, "an operator of the organization")] {
        let created = ws.event().await?;
        ensure_eq(
            &format!("{who}: ChatCreated's chat id"),
            expect_event(&created, "ChatCreated", who)?["id"].as_i64(),
            Some(chat),
        )?;
        let received = ws.event().await?;
        ensure_eq(
            &format!("{who}: ReceiveMessage's message id"),
            expect_event(&received, "ReceiveMessage", who)?["id"].as_i64(),
            Some(message),
        )?;
    }
    // Again: the same chat, no ChatCreated.
    let again = customer(&cx, &body).await?;
    ensure_eq("the chat of the next message", id_of(&again["chat"], "chat")?, chat)?;
    let event = company.event().await?;
    ensure_eq(
        "the next event's chatId",
        expect_event(&event, "ReceiveMessage", "the company")?["chatId"].as_i64(),
        Some(chat),
    )?;
    // Media: ReceiveMediaMessage only.
    let mut with_media = body.clone();
    with_media["textMessage"] = Value::Null;
    with_media["media"] = json!({"name": "note.txt", "format": "txt", "dataBase64": "aGk=", "type": 0});
    customer(&cx, &with_media).await?;
    let event = company.event().await?;
    let media = expect_event(&event, "ReceiveMediaMessage", "the company")?;
    ensure(media["media"]["uri"].is_string(), "ReceiveMediaMessage with media.uri", || event.to_string())?;
    // The first event the others see is of their own organization's chat.
    let elsewhere = new_chat(&cx, OTHER_ORG, "Events", &phone).await?.0;
    let event = other.event().await?;
    ensure_eq(
        "the first event of an operator of another organization: ChatCreated of its chat",
        expect_event(&event, "ChatCreated", "an operator of another organization")?["id"].as_i64(),
        Some(elsewhere),
    )?;
    let globex = customer_with(&cx, &second_token, &customer_body(SECOND_COMPANY_ORG, "Events", &phone, "Hi")).await?;
    let event = theirs.event().await?;
    ensure_eq(
        "the first event of another company: ChatCreated of its chat",
        expect_event(&event, "ChatCreated", "another company")?["id"].as_i64(),
        Some(id_of(&globex["chat"], "chat")?),
    )?;
    for ws in [company, own, other, theirs] {
        ws.close().await;
    }
    Ok(())
}

fn status_changed(event: &Value, chat: i64, status: i64) -> Outcome {
    ensure_eq(
        "the event",
        (event["target"].as_str(), &event["arguments"]),
        (Some("ChatStatusChanged"), &json!([chat, status])),
    )
}

async fn status_events(cx: Arc<Ctx>) -> Outcome {
    let phone = phone(&cx, 22);
    let (chat, _) = new_chat(&cx, chat_org(&cx)?, "Status", &phone).await?;
    let mut ws = Ws::ready(&cx, &cx.company_token().await?).await?;
    set_status(&cx, chat, 1).await?;
    status_changed(&ws.event().await?, chat, 1).map_err(within("after Open"))?;
    // The same status again emits nothing: the next event is the next change.
    set_status(&cx, chat, 1).await?;
    set_status(&cx, chat, 4).await?;
    status_changed(&ws.event().await?, chat, 4).map_err(within("after Open again, then Closed"))?;
    let answer = customer(&cx, &customer_body(chat_org(&cx)?, "Status", &phone, "Hello again")).await?;
    let new = id_of(&answer["chat"], "chat")?;
    ensure(new != chat, "a new chat after the client's chat was Closed", || answer.to_string())?;
    let event = ws.event().await?;
    ensure_eq(
        "ChatCreated of the new chat",
        expect_event(&event, "ChatCreated", "the company")?["id"].as_i64(),
        Some(new),
    )?;
    ws.close().await;
    Ok(())
}

async fn deactivation_closes(cx: Arc<Ctx>) -> Outcome {
    let operator = cx.fresh_operator("hub-revoked").await?;
    let token = cx.operator_token(operator, Duration::from_secs(600)).await?;
    let mut ws = Ws::ready(&cx, token.expose()).await?;
    cx.client
        .operators()
        .set_status(operator, OperatorStatus::Inactive)
        .await
        .expecting("200 setting the operator Inactive (§3.5)")?;
    let record = ws.next_not_ping().await?.ok_or_else(|| fail("a Close record", "the socket closed without one"))?;
    ensure_eq("the record's (type, error)", (&record["type"], &record["error"]), (&json!(7), &json!("Token revoked")))?;
    ensure(record.get("allowReconnect").is_none_or(|v| v == &json!(false)), "no allowReconnect", || {
        record.to_string()
    })?;
    ws.expect_closed().await
}

async fn only_websockets(cx: Arc<Ctx>) -> Outcome {
    for (accept, transport) in [(None, "LongPolling"), (Some("text/event-stream"), "ServerSentEvents")] {
        let mut request = cx.raw("GET", "/chathub?id=conformance").with_company_token();
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        let reply = request.send().await?;
        let want = format!("{transport} transport not supported by this end point type");
        reply.expect_status(404).map_err(within(format!("a {transport} request")))?;
        ensure(
            crate::conformance::http::media_type(reply.content_type()) == "text/plain" && reply.text() == want,
            format!("404 text/plain {want:?}"),
            || reply.describe(),
        )?;
    }
    Ok(())
}

fn needs_slow(cx: &Ctx) -> Result<(), Stop> {
    if cx.slow { Ok(()) } else { Err(skip("takes 15-30 s: run with --slow")) }
}

async fn keep_alive(cx: Arc<Ctx>) -> Outcome {
    needs_slow(&cx)?;
    let mut ws = Ws::ready(&cx, &cx.company_token().await?).await?;
    // Nothing is sent and no event is due: the server's own quiet ends in a ping.
    let record = ws.next_record_within(Duration::from_secs(25)).await?;
    ensure_eq("the first record on a quiet connection", record, Some(json!({"type": 6})))
}

async fn client_timeout(cx: Arc<Ctx>) -> Outcome {
    needs_slow(&cx)?;
    let mut ws = Ws::ready(&cx, &cx.company_token().await?).await?;
    loop {
        match ws.next_record_within(Duration::from_secs(45)).await? {
            Some(record) if record == json!({"type": 6}) => {}
            Some(record) => {
                ensure_eq("the Close record of a silent client", record, json!({"type": 7, "allowReconnect": true}))?;
                return ws.expect_closed().await;
            }
            None => return Err(fail("a Close record before the socket closes", "the socket closed")),
        }
    }
}
