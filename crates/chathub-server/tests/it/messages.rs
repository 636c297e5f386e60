//! Messages: both list paths and replies (Decisions 24, 25).

use chathub_server::events::Event;
use chathub_types::chat::MessageStatus;
use serde_json::json;

use crate::chat_support::{chat, drain, john, olena_writes, simulator_api};
use crate::support::{ACME_KEY, GLOBEX_KEY, JOHN};

#[tokio::test]
async fn both_paths_list_oldest_first() {
    let api = simulator_api().await;
    let (id, first) = olena_writes(&api, "one").await;
    let (_, second) = olena_writes(&api, "two").await;
    for path in [format!("/api/chat/chats/{id}/messages"), format!("/api/chat/{id}/messages")] {
        let list = api.get(&path).key(ACME_KEY).send().await.json();
        let ids: Vec<i64> = list.as_array().expect("array").iter().filter_map(|m| m["id"].as_i64()).collect();
        assert_eq!(ids, [first, second], "{path}");
    }
    let answer = api.get("/api/chat/x/messages").key(ACME_KEY).send().await;
    assert_eq!((answer.status, answer.invalid_paths()), (400, vec!["chatId".to_owned()]));
    assert_eq!(api.get(&format!("/api/chat/{id}/messages")).key(GLOBEX_KEY).send().await.status, 404);
}

#[tokio::test]
async fn an_operator_reply_assigns_marks_read_and_emits_in_order() {
    let api = simulator_api().await;
    let (id, first) = olena_writes(&api, "one").await;
    let (_, second) = olena_writes(&api, "two").await;
    let token = john(&api).await;
    let mut events = api.server.state().events.subscribe();
    let answer = api
        .post(&format!("/api/chat/{id}/message"))
        .bearer(&token)
        .json(&json!({"textMessage": "Hello from Chathub!", "author": 0}))
        .send()
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let message = answer.json();
    assert_eq!((message["author"].as_i64(), message["status"].as_i64()), (Some(0), Some(1)));
    assert_eq!(message["operatorId"], JOHN);
    assert_eq!(message["message"], "Hello from Chathub!");
    let seen = drain(&mut events);
    assert!(
        matches!(&seen[..], [
        Event::MessageStatusChanged { message: a, status: MessageStatus::Read },
        Event::MessageStatusChanged { message: b, status: MessageStatus::Read },
        Event::ReceiveMessage(m),
    ] if i64::from(a.0) == first && i64::from(b.0) == second && i64::from(m.id.0) == message["id"].as_i64().unwrap_or(0)),
        "{seen:?}"
    );
    let now = chat(&api, id).await;
    assert_eq!(now["countUnread"], 0);
    assert_eq!(now["operator"]["id"], JOHN);
    assert_eq!(now["operator"]["name"], "John Smith");
}

#[tokio::test]
async fn a_company_reply_does_not_assign() {
    let api = simulator_api().await;
    let (id, _) = olena_writes(&api, "one").await;
    let answer =
        api.post(&format!("/api/chat/{id}/message")).key(ACME_KEY).json(&json!({"textMessage": "Hi"})).send().await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["operatorId"], serde_json::Value::Null);
    assert_eq!(chat(&api, id).await["operator"], serde_json::Value::Null);
}

#[tokio::test]
async fn bad_replies_are_400_before_404_and_store_nothing() {
    let api = simulator_api().await;
    let (id, _) = olena_writes(&api, "one").await;
    let cases = [
        (json!({"textMessage": "x", "author": 1}), "$.author"),
        (json!({}), "$.textMessage"),
        (json!({"textMessage": "   "}), "$.textMessage"),
        (json!({"textMessage": "x".repeat(4097)}), "$.textMessage"),
        (json!({"textMessage": "x", "author": 0.5}), "$.author"),
        (json!({"textMessage": "a\u{0}b"}), "$.textMessage"),
    ];
    for (body, path) in &cases {
        for chat in [id, 999_999] {
            let answer = api.post(&format!("/api/chat/{chat}/message")).key(ACME_KEY).json(body).send().await;
            assert_eq!(answer.status, 400, "{body}");
            assert_eq!(answer.invalid_paths(), vec![(*path).to_owned()], "{body}");
        }
    }
    let ok = json!({"textMessage": "x".repeat(4096)});
    assert_eq!(api.post("/api/chat/999999/message").key(ACME_KEY).json(&ok).send().await.status, 404);
    assert_eq!(api.post(&format!("/api/chat/{id}/message")).key(GLOBEX_KEY).json(&ok).send().await.status, 404);
    let put = api
        .request(http::Method::PUT, "/api/chat/status")
        .key(ACME_KEY)
        .json(&json!({"id": id, "status": 4}))
        .send()
        .await;
    assert_eq!(put.status, 200);
    let closed = api.post(&format!("/api/chat/{id}/message")).key(ACME_KEY).json(&ok).send().await;
    assert_eq!((closed.status, closed.invalid_paths()), (400, vec!["chatId".to_owned()]));
    let list = api.get(&format!("/api/chat/{id}/messages")).key(ACME_KEY).send().await.json();
    assert_eq!(list.as_array().map(Vec::len), Some(1), "nothing stored");
}
