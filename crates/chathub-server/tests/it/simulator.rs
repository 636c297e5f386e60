//! The simulator (Decisions 31, 32) and the events it causes (Decision 30).

use chathub_server::events::Event;
use chathub_types::chat::{ChatStatus, MessageStatus};
use serde_json::json;

use crate::chat_support::{customer, drain, olena, olena_writes, simulator_api};
use crate::support::{ACME_KEY, Api, GLOBEX_KEY, JOHN, ORG_GLOBEX, ORG_SUPPORT, ORG_TECH};

#[tokio::test]
async fn a_first_message_opens_a_chat_and_the_next_joins_it() {
    let api = simulator_api().await;
    let mut events = api.server.state().events.subscribe();
    let first = customer(&api, &olena(ORG_SUPPORT, "Where is my parcel?")).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let first = first.json();
    assert_eq!(first["created"], true);
    let chat = &first["chat"];
    assert_eq!((chat["organizationId"].as_i64(), chat["messSource"].as_i64()), (Some(24), Some(2)));
    assert_eq!((chat["chatStatus"].as_i64(), chat["countUnread"].as_i64()), (Some(0), Some(1)));
    assert_eq!(chat["client"]["phone"], "380501234567");
    assert_eq!(chat["client"]["tgUserId"], 70123);
    assert_eq!(chat["operator"], serde_json::Value::Null);
    let message = &first["message"];
    assert_eq!((message["author"].as_i64(), message["status"].as_i64()), (Some(1), Some(0)));
    assert_eq!(message["message"], "Where is my parcel?");
    assert_eq!(message["phone"], "380501234567");

    let seen = drain(&mut events);
    assert!(
        matches!(&seen[..], [Event::ChatCreated(c), Event::ReceiveMessage(m)]
        if c.id.0 as i64 == chat["id"].as_i64().unwrap_or(0) && c.count_unread == 1 && m.chat_id == c.id),
        "{seen:?}"
    );

    // Found by phone (a different tgUserId is ignored, the missing name is not overwritten).
    let again = customer(
        &api,
        &json!({"organizationId": ORG_SUPPORT, "source": 2, "theme": "Other", "client": {"phone": "380501234567"},
                "textMessage": "Hello?"}),
    )
    .await
    .json();
    assert_eq!(again["created"], false);
    assert_eq!(again["chat"]["id"], chat["id"]);
    assert_eq!(again["chat"]["theme"], "Parcel #491", "the theme stays");
    assert_eq!(again["chat"]["countUnread"], 2);
    assert!(matches!(&drain(&mut events)[..], [Event::ReceiveMessage(_)]));

    // Another source: another chat for the same client.
    let viber = customer(
        &api,
        &json!({"organizationId": ORG_SUPPORT, "source": 0, "client": {"tgUserId": 70123},
        "textMessage": "Via Viber"}),
    )
    .await
    .json();
    assert_eq!(viber["created"], true);
    assert_eq!(viber["chat"]["client"]["id"], chat["client"]["id"], "found by tgUserId");
}

#[tokio::test]
async fn a_closed_chat_is_not_joined() {
    let api = simulator_api().await;
    let (chat, _) = olena_writes(&api, "One").await;
    let answer = api
        .request(http::Method::PUT, "/api/chat/status")
        .key(ACME_KEY)
        .json(&json!({"id": chat, "status": 4}))
        .send()
        .await;
    assert_eq!(answer.status, 200);
    let next = customer(&api, &olena(ORG_SUPPORT, "Two")).await.json();
    assert_eq!(next["created"], true);
    assert_ne!(next["chat"]["id"].as_i64(), Some(chat));
}

#[tokio::test]
async fn bad_customer_messages_are_400_and_store_nothing() {
    let api = simulator_api().await;
    let cases = [
        (
            json!({"organizationId": ORG_SUPPORT, "source": 9, "client": {"phone": "380501234567"}, "textMessage": "x"}),
            "$.source",
        ),
        (json!({"organizationId": ORG_SUPPORT, "source": 2, "client": {"name": "N"}, "textMessage": "x"}), "$.client"),
        (
            json!({"organizationId": ORG_SUPPORT, "source": 2, "client": {"phone": "12-34"}, "textMessage": "x"}),
            "$.client.phone",
        ),
        (
            json!({"organizationId": ORG_SUPPORT, "source": 2, "client": {"phone": "380501234567"}, "textMessage": " "}),
            "$.textMessage",
        ),
        (
            json!({"organizationId": ORG_GLOBEX, "source": 2, "client": {"phone": "380501234567"}, "textMessage": "x"}),
            "$.organizationId",
        ),
        (
            json!({"organizationId": ORG_SUPPORT, "source": 2.0, "client": {"phone": "380501234567"}, "textMessage": "x"}),
            "$.source",
        ),
        (
            json!({"organizationId": ORG_SUPPORT, "source": 2, "client": {"phone": "380501234567"}, "textMessage": "x",
                "media": {"name": "a.jpg", "format": "jpg", "dataBase64": "###", "type": 1}}),
            "$.media.dataBase64",
        ),
    ];
    for (body, path) in cases {
        let answer = customer(&api, &body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert!(answer.invalid_paths().contains(&path.to_owned()), "{body}: {:?}", answer.invalid_paths());
    }
    let list = api.get("/api/chat/chats").key(ACME_KEY).send().await.json();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn operator_tokens_and_other_companies() {
    let api = simulator_api().await;
    let token = api.operator_token(ACME_KEY, JOHN).await;
    let answer = api.post("/api/simulator/customer-message").bearer(&token).json(&olena(ORG_SUPPORT, "x")).send().await;
    assert_eq!(answer.status, 403);
    let (_, message) = olena_writes(&api, "Hi").await;
    let answer = api
        .post("/api/simulator/message-status")
        .bearer(&token)
        .json(&json!({"id": message, "status": 3}))
        .send()
        .await;
    assert_eq!(answer.status, 403);
    let answer = api
        .post("/api/simulator/message-status")
        .key(GLOBEX_KEY)
        .json(&json!({"id": message, "status": 3}))
        .send()
        .await;
    assert_eq!(answer.status, 404);
    let _ = ORG_TECH;
}

#[tokio::test]
async fn message_status_changes_emit_once() {
    let api = simulator_api().await;
    let (chat, message) = olena_writes(&api, "Hi").await;
    let mut events = api.server.state().events.subscribe();
    for (status, expected) in [(1, 200), (1, 200), (4, 400)] {
        let answer = api
            .post("/api/simulator/message-status")
            .key(ACME_KEY)
            .json(&json!({"id": message, "status": status}))
            .send()
            .await;
        assert_eq!(answer.status, expected, "{}", answer.text());
    }
    let seen = drain(&mut events);
    assert!(matches!(&seen[..], [Event::MessageStatusChanged { status: MessageStatus::Success, .. }]), "{seen:?}");
    let answer =
        api.post("/api/simulator/message-status").key(ACME_KEY).json(&json!({"id": 999_999, "status": 3})).send().await;
    assert_eq!(answer.status, 404);
    let _ = (chat, ChatStatus::New);
}

#[tokio::test]
async fn without_the_flag_the_paths_are_404() {
    let api = Api::start().await;
    let answer = api.post("/api/simulator/customer-message").key(ACME_KEY).json(&olena(ORG_SUPPORT, "x")).send().await;
    assert_eq!(answer.status, 404);
}
