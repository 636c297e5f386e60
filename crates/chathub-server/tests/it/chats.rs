//! Chat list, one chat, status and delete (Decisions 18, 20-23).

use chathub_server::events::Event;
use chathub_types::chat::ChatStatus;
use serde_json::json;

use crate::chat_support::{chat, customer, drain, john, olena, olena_writes, simulator_api};
use crate::support::{ACME_KEY, EMMA, GLOBEX_KEY, ORG_SUPPORT, ORG_TECH};

#[tokio::test]
async fn list_pages_newest_first_and_counts_all() {
    let api = simulator_api().await;
    let mut ids = Vec::new();
    for index in 0..3 {
        let body = json!({"organizationId": ORG_SUPPORT, "source": 2, "client": {"phone": format!("38050123450{index}")},
                          "textMessage": "hi"});
        ids.push(customer(&api, &body).await.json()["chat"]["id"].as_i64().expect("id"));
    }
    let page = api.get("/api/chat/chats?per_page=2").key(ACME_KEY).send().await.json();
    assert_eq!(page["total"], 3);
    let items: Vec<i64> = page["items"].as_array().expect("items").iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(items, [ids[2], ids[1]]);
    let page = api.get("/api/chat/chats?PER_PAGE=2&page=2").key(ACME_KEY).send().await.json();
    assert_eq!(page["items"][0]["id"].as_i64(), Some(ids[0]));
    let past = api.get("/api/chat/chats?page=9").key(ACME_KEY).send().await.json();
    assert_eq!((past["total"].as_i64(), past["items"].as_array().map(Vec::len)), (Some(3), Some(0)));
    for bad in [
        "per_page=0",
        "per_page=101",
        "page=x",
        "page=0",
        "date=2026-01-01&date=2026-01-02&date=2026-01-03",
        "date=tomorrow",
        "status=1.5",
        "tg_user_id=x",
        "date=2026-01-02&date=2026-01-01",
    ] {
        let answer = api.get(&format!("/api/chat/chats?{bad}")).key(ACME_KEY).send().await;
        assert_eq!(answer.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn filters_and_what_each_credential_sees() {
    let api = simulator_api().await;
    let (support_chat, _) = olena_writes(&api, "hi").await;
    let tech = customer(&api, &olena(ORG_TECH, "tech")).await.json()["chat"]["id"].as_i64().expect("id");
    let count = |query: &'static str, credential: String, bearer: bool| {
        let api = &api;
        async move {
            let request = api.get(&format!("/api/chat/chats?{query}"));
            let request = if bearer { request.bearer(&credential) } else { request.key(&credential) };
            request.send().await.json()["total"].as_i64().expect("total")
        }
    };
    let key = ACME_KEY.to_owned();
    assert_eq!(count("", key.clone(), false).await, 2);
    assert_eq!(count("phone=%2B380%20(50)%20123-45-67", key.clone(), false).await, 2);
    assert_eq!(count("phone=abc", key.clone(), false).await, 0);
    assert_eq!(count("search=OLENA", key.clone(), false).await, 2);
    assert_eq!(count("search=parcel&organizationId=42", key.clone(), false).await, 1);
    assert_eq!(count("status=0&source=2&tg_user_id=70123", key.clone(), false).await, 2);
    assert_eq!(count("source=1", key.clone(), false).await, 0);
    assert_eq!(count("organizationId=77", key.clone(), false).await, 0);
    assert_eq!(count("", GLOBEX_KEY.to_owned(), false).await, 0);
    let john = john(&api).await;
    assert_eq!(count("", john.clone(), true).await, 1, "an operator sees its organization's chats");
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().expect("a day");
    let both = format!("date={yesterday}&date={today}");
    let answer = api.get(&format!("/api/chat/chats?{both}")).key(ACME_KEY).send().await.json();
    assert_eq!(answer["total"], 2);
    let answer = api.get(&format!("/api/chat/chats?date={yesterday}")).key(ACME_KEY).send().await.json();
    assert_eq!(answer["total"], 0);

    // Others' chats are 404 for an operator and for another company.
    let answer = api.get(&format!("/api/chat/chats/{tech}")).bearer(&john).send().await;
    assert_eq!(answer.status, 404);
    let answer = api.get(&format!("/api/chat/chats/{support_chat}")).key(GLOBEX_KEY).send().await;
    assert_eq!(answer.status, 404);
    let answer = api.get(&format!("/api/chat/chats/{support_chat}")).bearer(&john).send().await;
    assert_eq!(answer.status, 200);
    let answer = api.get("/api/chat/chats/abc").key(ACME_KEY).send().await;
    assert_eq!((answer.status, answer.invalid_paths()), (400, vec!["id".to_owned()]));
    let emma = api.operator_token(ACME_KEY, EMMA).await;
    let answer = api
        .request(http::Method::PUT, "/api/chat/status")
        .bearer(&emma)
        .json(&json!({"id": support_chat, "status": 1}))
        .send()
        .await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn status_changes_emit_once_and_bad_ones_change_nothing() {
    let api = simulator_api().await;
    let (id, _) = olena_writes(&api, "hi").await;
    let mut events = api.server.state().events.subscribe();
    let put =
        |body: serde_json::Value| api.request(http::Method::PUT, "/api/chat/status").key(ACME_KEY).json(&body).send();
    let answer = put(json!({"id": id, "status": 1})).await;
    assert_eq!((answer.status, answer.body.len()), (200, 0));
    assert_eq!(put(json!({"id": id, "status": 1})).await.status, 200);
    let answer = put(json!({"id": id, "status": 5})).await;
    assert_eq!((answer.status, answer.invalid_paths()), (400, vec!["$.status".to_owned()]));
    assert_eq!(put(json!({"id": id, "status": "1"})).await.status, 400);
    assert_eq!(put(json!({"id": 999_999, "status": 1})).await.status, 404);
    let seen = drain(&mut events);
    assert!(matches!(&seen[..], [Event::ChatStatusChanged { status: ChatStatus::Open, .. }]), "{seen:?}");
    assert_eq!(chat(&api, id).await["chatStatus"], 1);
}

#[tokio::test]
async fn delete_is_hard_and_not_for_operators() {
    let api = simulator_api().await;
    let (id, _) = olena_writes(&api, "hi").await;
    let john = john(&api).await;
    let answer = api.request(http::Method::DELETE, "/api/chat/chats/abc").bearer(&john).send().await;
    assert_eq!(answer.status, 403, "403 before any other check");
    let answer = api.request(http::Method::DELETE, &format!("/api/chat/chats/{id}")).key(GLOBEX_KEY).send().await;
    assert_eq!(answer.status, 404);
    let answer = api.request(http::Method::DELETE, "/api/chat/chats/x1").key(ACME_KEY).send().await;
    assert_eq!(answer.status, 400);
    let answer = api.request(http::Method::DELETE, &format!("/api/chat/chats/{id}")).key(ACME_KEY).send().await;
    assert_eq!((answer.status, answer.body.len()), (200, 0));
    for path in
        [format!("/api/chat/chats/{id}"), format!("/api/chat/chats/{id}/messages"), format!("/api/chat/{id}/messages")]
    {
        assert_eq!(api.get(&path).key(ACME_KEY).send().await.status, 404, "{path}");
    }
    assert_eq!(api.get("/api/chat/chats").key(ACME_KEY).send().await.json()["total"], 0);
    let (again, _) = olena_writes(&api, "hi again").await;
    assert_ne!(again, id, "a new chat");
}
