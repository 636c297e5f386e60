//! Helpers of the chat tests: a server with `--simulator`, simulated
//! customer messages, and an event subscriber.

use chathub_server::Config;
use chathub_server::events::{Event, Published};
use chathub_server::testing::DEFAULT_SEED;
use serde_json::{Value, json};

use crate::support::{ACME_KEY, Answer, Api, JOHN, ORG_SUPPORT, config};

/// A server with the default seed and `--simulator`.
pub async fn simulator_api() -> Api {
    Api::start_with(Config { simulator: true, ..config().await }, DEFAULT_SEED).await
}

/// A customer message body from Olena (phone `380501234567`) to `organization`.
pub fn olena(organization: i32, text: &str) -> Value {
    json!({"organizationId": organization, "source": 2, "theme": "Parcel #491",
           "client": {"name": "Olena", "phone": "+380 50 123 45 67", "tgUserId": 70123},
           "textMessage": text})
}

/// Posts a simulated customer message with acme's API key.
pub async fn customer(api: &Api, body: &Value) -> Answer {
    api.post("/api/simulator/customer-message").key(ACME_KEY).json(body).send().await
}

/// Posts Olena's message to the support organization; answers `(chat id, message id)`.
pub async fn olena_writes(api: &Api, text: &str) -> (i64, i64) {
    let answer = customer(api, &olena(ORG_SUPPORT, text)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let body = answer.json();
    (body["chat"]["id"].as_i64().expect("chat id"), body["message"]["id"].as_i64().expect("message id"))
}

/// John's operator token (support organization).
pub async fn john(api: &Api) -> String {
    api.operator_token(ACME_KEY, JOHN).await
}

/// Every event published so far on `receiver`, without waiting.
pub fn drain(receiver: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<Published>>) -> Vec<Event> {
    let mut events = Vec::new();
    while let Ok(published) = receiver.try_recv() {
        events.push(published.event.clone());
    }
    events
}

/// A chat's JSON (GET /api/chat/chats/{id}) with acme's key.
pub async fn chat(api: &Api, id: i64) -> Value {
    let answer = api.get(&format!("/api/chat/chats/{id}")).key(ACME_KEY).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}
