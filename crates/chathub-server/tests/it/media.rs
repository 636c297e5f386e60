//! Media in messages and at its URL (Decisions 26, 27).

use chathub_server::events::Event;
use chathub_types::chat::base64::encode;
use serde_json::json;

use crate::chat_support::{drain, olena_writes, simulator_api};
use crate::support::ACME_KEY;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really a picture";

#[tokio::test]
async fn media_is_stored_served_and_deleted() {
    let api = simulator_api().await;
    let (id, _) = olena_writes(&api, "one").await;
    let mut events = api.server.state().events.subscribe();
    let body = json!({"media": {"Name": "my photo.png", "Format": "PNG", "DataBase64": encode(PNG), "Type": 1}});
    let answer = api.post(&format!("/api/chat/{id}/message")).key(ACME_KEY).json(&body).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let message = answer.json();
    assert_eq!(message["message"], serde_json::Value::Null);
    assert_eq!((message["media"]["format"].as_str(), message["media"]["type"].as_i64()), (Some("image/png"), Some(1)));
    let uri = message["media"]["uri"].as_str().expect("uri").to_owned();
    assert!(uri.starts_with(&format!("{}/media/", api.server.base_url())), "{uri}");
    assert!(uri.ends_with("/my%20photo.png"), "{uri}");
    assert!(matches!(&drain(&mut events)[..], [Event::MessageStatusChanged { .. }, Event::ReceiveMediaMessage(_)]));

    let fetched = api.http.get(&uri).send().await.expect("fetched");
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.headers()["content-type"], "image/png");
    assert_eq!(fetched.headers()["x-content-type-options"], "nosniff");
    assert_eq!(fetched.bytes().await.expect("bytes").as_ref(), PNG);
    let wrong_name = uri.replace("my%20photo.png", "other.png");
    assert_eq!(api.http.get(&wrong_name).send().await.expect("sent").status(), 404);

    assert_eq!(
        api.request(http::Method::DELETE, &format!("/api/chat/chats/{id}")).key(ACME_KEY).send().await.status,
        200
    );
    assert_eq!(api.http.get(&uri).send().await.expect("sent").status(), 404, "gone with its chat");
}

#[tokio::test]
async fn bad_media_is_400_naming_the_field() {
    let api = simulator_api().await;
    let (id, _) = olena_writes(&api, "one").await;
    let media = |name: &str, format: &str, data: String, kind: i32| json!({"media": {"name": name, "format": format, "dataBase64": data, "type": kind}});
    let cases = [
        (media("a.png", "png", "not base64!".to_owned(), 1), "$.media.dataBase64"),
        (media("a.png", "png", "aGk".to_owned(), 1), "$.media.dataBase64"),
        (media("a.html", "text/html", encode(b"<script>"), 0), "$.media.format"),
        (media("a.svg", "image/svg+xml", encode(b"<svg/>"), 1), "$.media.format"),
        (media("a.mp4", "mp4", encode(b"x"), 1), "$.media.type"),
        (media("a.png", "png", encode(b"x"), 7), "$.media.type"),
        (media("..", "png", encode(b"x"), 1), "$.media.name"),
        (media("a/b.png", "png", encode(b"x"), 1), "$.media.name"),
        (media("a.png", "png", String::new(), 1), "$.media.dataBase64"),
        (media("a.bin", "txt", encode(&vec![0u8; 5 * 1024 * 1024 + 1]), 0), "$.media.dataBase64"),
    ];
    for (body, path) in cases {
        let answer = api.post(&format!("/api/chat/{id}/message")).key(ACME_KEY).json(&body).send().await;
        assert_eq!(answer.status, 400, "{path}");
        assert_eq!(answer.invalid_paths(), vec![path.to_owned()], "{path}");
    }
    let exactly = media("a.bin", "txt", encode(&vec![b'a'; 5 * 1024 * 1024]), 0);
    let answer = api.post(&format!("/api/chat/{id}/message")).key(ACME_KEY).json(&exactly).send().await;
    assert_eq!(answer.status, 200, "5 MiB exactly");
    let huge = json!({"textMessage": "x".repeat(9 * 1024 * 1024)});
    let answer = api.post(&format!("/api/chat/{id}/message")).key(ACME_KEY).json(&huge).send().await;
    assert_eq!(answer.status, 413);
    let list = api.get(&format!("/api/chat/{id}/messages")).key(ACME_KEY).send().await.json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
}
