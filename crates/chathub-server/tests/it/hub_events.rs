//! Events and methods of the hub with real chats (Decisions 29-31): a
//! simulated customer's message reaches exactly the connections whose
//! credential could GET its chat, as `ChatCreated` then `ReceiveMessage`;
//! `SendMessage` and `SendMediaMessage` act as the REST reply and complete
//! with the message. Also measures the latency from a simulated message to
//! its event and the events per second through one connection.

use std::time::Instant;

use serde_json::{Value, json};

use crate::chat_support::simulator_api;
use crate::hub::{Cred, Ws};
use crate::support::*;

fn customer_body(organization: i32, phone: &str, text: &str) -> Value {
    json!({
        "organizationId": organization, "source": 2, "theme": "Parcel #491",
        "client": {"name": "Olena", "phone": phone}, "textMessage": text
    })
}

async fn customer_writes(api: &Api, credential: &str, body: &Value) -> Value {
    let answer = api.post("/api/simulator/customer-message").bearer(credential).json(body).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}

/// The next event record (pings skipped).
async fn event(ws: &mut Ws) -> (String, Value) {
    let record = ws.record_not_ping().await;
    assert_eq!(record["type"], 1, "{record}");
    assert!(record.get("invocationId").is_none(), "{record}");
    (record["target"].as_str().expect("target").to_owned(), record["arguments"].clone())
}

#[tokio::test]
async fn a_customer_message_reaches_exactly_the_connections_that_may_see_it() {
    let api = simulator_api().await;
    let john = api.operator_token(ACME_KEY, JOHN).await;
    let emma = api.operator_token(ACME_KEY, EMMA).await;
    let mut company = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    let mut john_ws = Ws::ready(&api, Cred::Bearer(&john)).await;
    let mut emma_ws = Ws::ready(&api, Cred::Query(&emma)).await;
    let mut globex = Ws::ready(&api, Cred::Key(GLOBEX_KEY)).await;

    let answer = customer_writes(&api, ACME_KEY, &customer_body(ORG_SUPPORT, "+380 50 123 45 67", "Hi")).await;
    assert_eq!(answer["created"], true);
    for ws in [&mut company, &mut john_ws] {
        let (target, arguments) = event(ws).await;
        assert_eq!(target, "ChatCreated");
        assert_eq!(arguments, json!([answer["chat"]]), "the chat as GET shows it");
        let (target, arguments) = event(ws).await;
        assert_eq!(target, "ReceiveMessage");
        assert_eq!(arguments, json!([answer["message"]]));
        assert_eq!(arguments[0]["message"], "Hi");
    }
    // The same client again: the same chat, no ChatCreated.
    let again = customer_writes(&api, ACME_KEY, &customer_body(ORG_SUPPORT, "380501234567", "Still there?")).await;
    assert_eq!(again["created"], false);
    assert_eq!(again["chat"]["id"], answer["chat"]["id"]);
    assert_eq!(event(&mut john_ws).await, ("ReceiveMessage".to_owned(), json!([again["message"]])));

    // Emma (organization 42) and globex saw none of it: their first events are
    // those of later messages of their own (events arrive in commit order).
    let tech = customer_writes(&api, ACME_KEY, &customer_body(ORG_TECH, "380509999999", "Printer?")).await;
    assert_eq!(event(&mut emma_ws).await, ("ChatCreated".to_owned(), json!([tech["chat"]])));
    let theirs = customer_writes(&api, GLOBEX_KEY, &customer_body(ORG_GLOBEX, "380508888888", "Hello")).await;
    assert_eq!(event(&mut globex).await, ("ChatCreated".to_owned(), json!([theirs["chat"]])));
    // The company saw organization 42's chat too, after the rest.
    assert_eq!(event(&mut company).await.0, "ReceiveMessage");
    assert_eq!(event(&mut company).await, ("ChatCreated".to_owned(), json!([tech["chat"]])));
}

#[tokio::test]
async fn send_message_completes_with_the_message_and_acts_as_the_rest_reply() {
    let api = simulator_api().await;
    let john = api.operator_token(ACME_KEY, JOHN).await;
    let mut company = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    let mut john_ws = Ws::ready(&api, Cred::Bearer(&john)).await;
    let written = customer_writes(&api, ACME_KEY, &customer_body(ORG_SUPPORT, "380501234567", "Where is it?")).await;
    let chat = written["chat"]["id"].as_i64().expect("chat id");
    for _ in 0..2 {
        event(&mut john_ws).await;
        event(&mut company).await;
    }

    let completion = john_ws.invoke("0", "sendmessage", json!([chat, "On its way"])).await;
    let reply = &completion["result"];
    assert!(completion.get("error").is_none(), "{completion}");
    assert_eq!(reply["chatId"], chat);
    assert_eq!(reply["author"], 0);
    assert_eq!(reply["status"], 1);
    assert_eq!(reply["operatorId"], JOHN);
    assert_eq!(reply["message"], "On its way");
    // The company sees the client's message turn Read, then the reply.
    assert_eq!(event(&mut company).await, ("MessageStatusChanged".to_owned(), json!([written["message"]["id"], 3])));
    assert_eq!(event(&mut company).await, ("ReceiveMessage".to_owned(), json!([reply])));
    // The chat is now John's, as GET shows.
    let got = api.get(&format!("/api/chat/chats/{chat}")).key(ACME_KEY).send().await.json();
    assert_eq!(got["operator"]["id"], JOHN);
    assert_eq!(got["countUnread"], 0);

    // Media: ReceiveMediaMessage, `message` null.
    let media = json!({"Name": "p.txt", "Format": "txt", "DataBase64": "aGVsbG8=", "Type": 0});
    let completion = company.invoke("1", "SendMediaMessage", json!([chat, media])).await;
    let sent = &completion["result"];
    assert_eq!(sent["message"], Value::Null, "{completion}");
    assert_eq!(sent["media"]["format"], "text/plain");
    assert_eq!(sent["operatorId"], Value::Null, "a company credential's reply");
    assert_eq!(event(&mut john_ws).await.0, "MessageStatusChanged");
    let (target, arguments) = event(&mut john_ws).await;
    assert_eq!(target, "ReceiveMessage", "John's own reply reaches him too");
    assert_eq!(arguments[0]["id"], reply["id"]);
    assert_eq!(event(&mut john_ws).await, ("ReceiveMediaMessage".to_owned(), json!([sent])));
    let uri = sent["media"]["uri"].as_str().expect("uri");
    assert_eq!(api.http.get(uri).send().await.expect("media").text().await.expect("body"), "hello");

    // A Closed chat; an invisible one.
    let closed =
        api.request(http::Method::PUT, "/api/chat/status").key(ACME_KEY).json(&json!({"id": chat, "status": 4}));
    assert_eq!(closed.send().await.status, 200);
    let refused = john_ws.invoke("2", "SendMessage", json!([chat, "Hello?"])).await;
    assert_eq!(
        refused["error"],
        "An unexpected error occurred invoking 'SendMessage' on the server. HubException: Chat is closed"
    );
    let mut globex = Ws::ready(&api, Cred::Key(GLOBEX_KEY)).await;
    let foreign = globex.invoke("3", "SendMessage", json!([chat, "Hi"])).await;
    assert_eq!(
        foreign["error"],
        "An unexpected error occurred invoking 'SendMessage' on the server. HubException: Chat not found"
    );
}

/// Not a pass/fail check: prints the latency from a simulated message's
/// request to its `ReceiveMessage` on a connection, and the events per
/// second one connection receives.
#[tokio::test]
async fn measure_latency_and_throughput() {
    let api = simulator_api().await;
    let mut company = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    let mut latencies = Vec::new();
    for n in 0..50 {
        let body = customer_body(ORG_SUPPORT, "380501234567", &format!("message {n}"));
        let started = Instant::now();
        let posted = api.post("/api/simulator/customer-message").key(ACME_KEY).json(&body).send();
        let (answer, arrived) = tokio::join!(posted, async {
            loop {
                let (target, _) = event(&mut company).await;
                if target == "ReceiveMessage" {
                    return started.elapsed();
                }
            }
        });
        assert_eq!(answer.status, 200);
        latencies.push(arrived);
    }
    latencies.sort();
    let count = 500;
    let started = Instant::now();
    let writers = (0..count).map(|n| {
        let body = customer_body(ORG_SUPPORT, "380501234567", &format!("burst {n}"));
        api.post("/api/simulator/customer-message").key(ACME_KEY).json(&body).send()
    });
    let (answers, received) = tokio::join!(futures::future::join_all(writers), async {
        let mut received = 0;
        while received < count {
            if event(&mut company).await.0 == "ReceiveMessage" {
                received += 1;
            }
        }
        received
    });
    assert!(answers.iter().all(|answer| answer.status == 200));
    let elapsed = started.elapsed();
    eprintln!(
        "hub: simulated message -> ReceiveMessage latency p50 {:?}, p95 {:?}, max {:?} (50 sequential); \
         {received} messages through one connection in {elapsed:?} ({:.0} events/s, debug build, SQLite in memory)",
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 95 / 100],
        latencies[latencies.len() - 1],
        f64::from(received) / elapsed.as_secs_f64(),
    );
}
