//! Chats and the simulator on the wire (wiremock): paths with ids, the list
//! query, the JSON bodies (snapshots), empty answers, retries, local checks
//! and `media_from_file`.

use chathub_client::types::chat::list_chats::{DateFilter, Query};
use chathub_client::types::chat::send_message::Request;
use chathub_client::types::simulator::customer_message::{self, SimulatedClient};
use chathub_client::{ChatStatus, Error, MediaType, MessageSource, MessageStatus, NewMedia, media_from_file};
use chrono::NaiveDate;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const LIST: &str = "/api/chat/chats";
const CHAT_STATUS: &str = "/api/chat/status";
const CUSTOMER_MESSAGE: &str = "/api/simulator/customer-message";
const MESSAGE_STATUS: &str = "/api/simulator/message-status";

fn chat_json(id: i32) -> serde_json::Value {
    serde_json::json!({"id": id, "theme": "Parcel #491", "organizationId": 24, "messSource": 2, "chatStatus": 1,
        "countUnread": 3, "client": {"id": 501, "name": "Olena", "phone": "380501234567", "tgUserId": 7012345678i64},
        "operator": {"id": 21, "name": "Jane", "photo": null},
        "createdAt": "2026-01-28T10:15:00Z", "lastMessageAt": "2026-01-28T10:20:31Z"})
}

fn message_json(id: i32, chat: i32, author: i32, text: Option<&str>) -> serde_json::Value {
    serde_json::json!({"id": id, "chatId": chat, "author": author, "operatorId": null, "message": text,
        "phone": "380501234567", "media": null, "status": 1, "createdAt": "2026-01-28T10:15:00Z"})
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, d).expect("a date")
}

/// The only request the server received: method, path and raw query.
async fn only_request(server: &MockServer) -> (String, String, Option<String>) {
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 1, "{requests:?}");
    let url = &requests[0].url;
    (requests[0].method.to_string(), url.path().to_owned(), url.query().map(str::to_owned))
}

#[tokio::test]
async fn list_sends_every_filter_with_two_dates_and_reads_total_and_items() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(json(serde_json::json!({"total": 124, "items": [chat_json(123)]})))
        .expect(1)
        .mount(&server)
        .await;
    let query = Query::new()
        .page(2)
        .per_page(5)
        .search("Olena K")
        .source(MessageSource::TelegramBot)
        .date(DateFilter::days(day(28), day(29)))
        .tg_user_id(7_012_345_678)
        .phone("+380 (50) 123-45-67")
        .status(ChatStatus::Open)
        .organization(24)
        .operator(21);
    let page = api_key_client(&server).chats().list(&query).await.expect("listed");
    assert_eq!(page.total, 124);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].client.tg_user_id, Some(7_012_345_678));
    assert_eq!(page.items[0].chat_status, ChatStatus::Open);
    let (method, path, query) = only_request(&server).await;
    assert_eq!((method.as_str(), path.as_str()), ("GET", LIST));
    assert_eq!(
        query.as_deref(),
        Some(
            "page=2&per_page=5&search=Olena%20K&source=2&date=2026-01-28&date=2026-01-29&tg_user_id=7012345678\
             &phone=%2B380%20%2850%29%20123-45-67&status=1&organizationId=24&operatorId=21"
        )
    );
}

#[tokio::test]
async fn the_default_list_sends_no_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(json(serde_json::json!({"total": 0, "items": []})))
        .mount(&server)
        .await;
    let page = api_key_client(&server).chats().list(&Query::new()).await.expect("listed");
    assert_eq!((page.total, page.items.len()), (0, 0));
    assert_eq!(only_request(&server).await.2, None);
}

#[tokio::test]
async fn get_and_messages_put_the_id_in_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/chat/chats/123"))
        .respond_with(json(chat_json(123)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/chat/chats/123/messages"))
        .respond_with(json(serde_json::json!([
            message_json(1, 123, 1, Some("Where is my parcel?")),
            message_json(2, 123, 0, Some("On its way")),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let client = api_key_client(&server);
    let chat = client.chats().get(123).await.expect("chat");
    assert_eq!((chat.id.get(), chat.count_unread), (123, 3));
    let messages = client.chats().messages(chat.id).await.expect("messages");
    let texts: Vec<_> = messages.iter().map(|m| m.message.as_deref()).collect();
    assert_eq!(texts, [Some("Where is my parcel?"), Some("On its way")]);
}

#[tokio::test]
async fn request_bodies_of_send_status_and_the_simulator() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat/123/message"))
        .respond_with(json(message_json(9, 123, 0, Some("Hi"))))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("PUT")).and(path(CHAT_STATUS)).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    Mock::given(method("POST"))
        .and(path(CUSTOMER_MESSAGE))
        .respond_with(json(serde_json::json!({
            "chat": chat_json(123), "message": message_json(1, 123, 1, Some("Hi")), "created": true
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(MESSAGE_STATUS)).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = api_key_client(&server);
    let chats = client.chats();
    let sent = chats.send_text(123, "Hi").await.expect("sent");
    assert_eq!((sent.id.get(), sent.message.as_deref()), (9, Some("Hi")));
    let photo = NewMedia::from_bytes("p.jpg", "jpg", MediaType::Photo, b"\xff\xd8\xff\xe0 not really a jpeg");
    chats.send(123, Request::media(photo.clone())).await.expect("sent media");
    chats.send(123, Request::text("See the photo").with_media(photo)).await.expect("sent both");
    chats.set_status(123, ChatStatus::Closed).await.expect("status set, empty answer");
    let olena = SimulatedClient::phone("+380 50 123 45 67").with_name("Olena").with_tg_user_id(70123);
    let request =
        customer_message::Request::text(24, MessageSource::TelegramBot, olena, "Hi").with_theme("Parcel #491");
    let written = client.simulator().customer_message(&request).await.expect("written");
    assert!(written.created);
    client.simulator().message_status(9002, MessageStatus::Read).await.expect("status, empty answer");

    let requests = server.received_requests().await.expect("recorded");
    let shapes: Vec<(String, String, serde_json::Value)> = requests
        .iter()
        .map(|request| {
            assert_eq!(request.headers.get("content-type").map(|v| v.as_bytes()), Some(&b"application/json"[..]));
            let body = serde_json::from_slice(&request.body).expect("JSON body");
            (request.method.to_string(), request.url.path().to_owned(), body)
        })
        .collect();
    insta::assert_json_snapshot!(shapes);
}

#[tokio::test]
async fn delete_takes_an_empty_answer_and_ok() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/chat/chats/1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/chat/chats/2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("\"OK\"", "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/chat/chats/3"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("OK", "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    let client = api_key_client(&server);
    for id in 1..=3 {
        client.chats().delete(id).await.unwrap_or_else(|error| panic!("chat {id}: {error}"));
    }
}

#[tokio::test]
async fn sends_deletes_and_the_simulator_are_never_retried() {
    let server = MockServer::start().await;
    let unavailable = || ResponseTemplate::new(503).insert_header("retry-after", "0");
    for (verb, route) in [
        ("POST", "/api/chat/7/message"),
        ("DELETE", "/api/chat/chats/7"),
        ("POST", CUSTOMER_MESSAGE),
        ("POST", MESSAGE_STATUS),
    ] {
        Mock::given(method(verb)).and(path(route)).respond_with(unavailable()).expect(1).mount(&server).await;
    }
    let client = api_key_client(&server);
    let error = client.chats().send_text(7, "once").await.expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
    assert!(client.chats().delete(7).await.is_err());
    let request = customer_message::Request::text(24, MessageSource::Viber, SimulatedClient::telegram(1), "x");
    assert!(client.simulator().customer_message(&request).await.is_err());
    assert!(client.simulator().message_status(1, MessageStatus::Read).await.is_err());
}

#[tokio::test]
async fn reads_and_status_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/chat/chats/7"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/api/chat/chats/7")).respond_with(json(chat_json(7))).mount(&server).await;
    Mock::given(method("PUT"))
        .and(path(CHAT_STATUS))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(CHAT_STATUS))
        .and(body_json(serde_json::json!({"id": 7, "status": 2})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = api_key_client(&server);
    assert_eq!(client.chats().get(7).await.expect("second attempt").id.get(), 7);
    client.chats().set_status(7, ChatStatus::Waiting).await.expect("second attempt");
    assert_eq!(hits(&server, "/api/chat/chats/7").await, 2);
}

#[tokio::test]
async fn not_found_and_forbidden_carry_the_servers_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/chat/chats/5"))
        .respond_with(problem(404, "Not Found", "No such chat."))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/chat/chats/5"))
        .respond_with(problem(403, "Forbidden", "Operator tokens may not delete chats."))
        .mount(&server)
        .await;
    let client = api_key_client(&server);
    let error = client.chats().get(5).await.expect_err("404");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(error.server_message().as_deref(), Some("No such chat."));
    let error = client.chats().delete(5).await.expect_err("403");
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    assert_eq!(error.to_string(), "403 Forbidden: Operator tokens may not delete chats.");
}

#[tokio::test]
async fn logs_and_errors_name_the_path_template() {
    let logs = Logs::capture();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/chat/chats/4242"))
        .respond_with(json(chat_json(4242)))
        .mount(&server)
        .await;
    api_key_client(&server).chats().get(4242).await.expect("chat");
    let lines = logs.lines_with("chathub request");
    assert!(lines.iter().any(|line| line.contains("/api/chat/chats/{id}")), "{lines:?}");
}

/// Asserts that `result` is [`Error::InvalidInput`] naming `name`.
fn names<T: std::fmt::Debug>(result: Result<T, Error>, name: &str) {
    match result {
        Err(Error::InvalidInput(errors)) => assert!(errors.names(name), "{name}: {errors}"),
        other => panic!("{name}: {other:?}"),
    }
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = api_key_client(&server);
    let chats = client.chats();
    names(chats.list(&Query::new().per_page(0)).await, "per_page");
    names(chats.list(&Query::new().per_page(101)).await, "per_page");
    names(chats.list(&Query::new().page(0)).await, "page");
    names(chats.list(&Query::new().date(DateFilter::days(day(29), day(28)))).await, "date");
    names(chats.send_text(1, " \n\t").await, "$.textMessage");
    names(chats.send_text(1, "x".repeat(4097)).await, "$.textMessage");
    names(chats.send_text(1, "a\0b").await, "$.textMessage");
    let html = NewMedia::from_bytes("x.html", "text/html", MediaType::File, b"<script>");
    names(chats.send(1, Request::media(html)).await, "$.media.format");
    let video_as_photo = NewMedia::from_bytes("v.mp4", "mp4", MediaType::Photo, b"mp4");
    names(chats.send(1, Request::media(video_as_photo)).await, "$.media.type");
    names(
        chats.send(1, Request::media(NewMedia::from_bytes("e.txt", "txt", MediaType::File, b""))).await,
        "$.media.dataBase64",
    );
    names(chats.set_status(1, ChatStatus::Unknown(5)).await, "$.status");
    names(client.simulator().message_status(1, MessageStatus::Unknown(4)).await, "$.status");
    let nobody = customer_message::Request::text(24, MessageSource::Viber, SimulatedClient::default(), "Hi");
    names(client.simulator().customer_message(&nobody).await, "$.client");
    let short_phone = customer_message::Request::text(24, MessageSource::Viber, SimulatedClient::phone("12-34"), "Hi");
    names(client.simulator().customer_message(&short_phone).await, "$.client.phone");
    assert!(chats.send_text(1, "x".repeat(4096)).await.is_err(), "no mock: the longest text is sent (404)");
    let sent = server.received_requests().await.expect("recorded");
    assert_eq!(sent.len(), 1, "only the valid 4,096-character text went out: {sent:?}");
}

#[tokio::test]
async fn media_from_a_file_takes_its_name_format_and_type() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        ("Parcel photo.JPG", "image/jpeg", MediaType::Photo),
        ("clip.mp4", "video/mp4", MediaType::Video),
        ("voice.oga", "audio/ogg", MediaType::Audio),
        ("receipt.pdf", "application/pdf", MediaType::File),
        ("notes.txt", "text/plain", MediaType::File),
    ];
    for (name, format, media_type) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, b"\x00\x01binary\xff").expect("written");
        let media = media_from_file(&file).await.expect("read");
        assert_eq!((media.name.as_str(), media.format.as_str(), media.media_type), (name, format, media_type));
        assert_eq!(media.check("$.media").expect("valid").bytes, b"\x00\x01binary\xff");
    }
}

#[tokio::test]
async fn media_files_too_big_unknown_empty_or_missing_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let refused = |result: chathub_client::Result<NewMedia>, name: &str, why: &str| match result {
        Err(Error::InvalidInput(errors)) => {
            let text = errors.to_string();
            assert!(text.contains(name) && text.contains(why), "{name}: {text}");
            assert!(!text.contains("SECRET-CONTENT"), "{text}");
        }
        other => panic!("{name}: {other:?}"),
    };
    let exactly = dir.path().join("exactly-5mib.pdf");
    std::fs::write(&exactly, vec![b'a'; 5 * 1024 * 1024]).expect("written");
    assert_eq!(media_from_file(&exactly).await.expect("5 MiB is allowed").media_type, MediaType::File);
    let big = dir.path().join("big.pdf");
    let mut content = b"SECRET-CONTENT".to_vec();
    content.resize(5 * 1024 * 1024 + 1, b'x');
    std::fs::write(&big, content).expect("written");
    refused(media_from_file(&big).await, "big.pdf", "5 MiB");
    let page = dir.path().join("page.html");
    std::fs::write(&page, b"SECRET-CONTENT").expect("written");
    refused(media_from_file(&page).await, "page.html", "extension");
    let empty = dir.path().join("empty.png");
    std::fs::write(&empty, b"").expect("written");
    refused(media_from_file(&empty).await, "empty.png", "empty");
    refused(media_from_file(dir.path().join("missing.jpg")).await, "missing.jpg", "cannot be read");
    refused(media_from_file(dir.path()).await, "", "");
}
