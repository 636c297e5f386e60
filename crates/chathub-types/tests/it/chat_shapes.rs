//! The chat, message and media shapes of spec §7 (Decisions 18, 19, 25,
//! 26, 31), read from the spec's own examples and snapshotted as written.

use chathub_types::chat::{
    Author, Chat, ChatStatus, MediaType, Message, MessageSource, MessageStatus, list_chats, send_message,
    set_chat_status,
};
use chathub_types::json::{self, RequestBody};
use chathub_types::simulator::{customer_message, message_status};
use insta::assert_json_snapshot;

#[test]
fn d18_chat() {
    let chat: Chat = json::from_slice(
        br#"{"id": 123, "theme": "Parcel #491", "organizationId": 24,
         "messSource": 2, "chatStatus": 1, "countUnread": 3,
         "client": {"id": 501, "name": "Olena", "phone": "380501234567", "tgUserId": 7012345678},
         "operator": {"id": 21, "name": "Jane", "photo": null},
         "createdAt": "2026-01-28T10:15:00Z", "lastMessageAt": "2026-01-28T10:20:31Z"}"#,
    )
    .unwrap();
    assert_eq!((chat.mess_source, chat.chat_status), (MessageSource::TelegramBot, ChatStatus::Open));
    assert_eq!(chat.client.tg_user_id, Some(7_012_345_678));
    assert_json_snapshot!("d18_chat", chat);
    let list = list_chats::Response { total: 124, items: vec![chat] };
    assert_json_snapshot!("d21_chat_list", list);
}

#[test]
fn d19_message_keeps_unknown_numbers() {
    let message: Message = json::from_slice(
        br#"{"id": 9001, "chatId": 123, "author": 7, "operatorId": null,
         "message": "Where is my parcel?", "phone": "380501234567",
         "media": {"name": "p.jpg", "format": "image/jpeg", "type": 1, "uri": "http://127.0.0.1:8080/media/Zk3q/p.jpg"},
         "status": 9, "createdAt": "2026-01-28T10:15:00.1234567+02:00"}"#,
    )
    .unwrap();
    assert_eq!((message.author, message.status), (Author::Unknown(7), MessageStatus::Unknown(9)));
    assert_eq!(message.media.as_ref().map(|m| m.media_type), Some(MediaType::Photo));
    assert_json_snapshot!("d19_message", message);
}

#[test]
fn d25_send_message_with_product_page_media_names() {
    let request = send_message::Request::decode(
        br#"{"textMessage": "Hello from Chathub!", "author": 0,
         "media": {"Name": "image.jpg", "Format": "jpg", "DataBase64": "aGk=", "Type": 1}}"#,
    )
    .unwrap();
    let media = request.check().unwrap().unwrap();
    assert_eq!((media.format, media.bytes.as_slice()), ("image/jpeg", &b"hi"[..]));
    assert_json_snapshot!("d25_send_message", request);
    let error = send_message::Request::decode(br#"{"author": 1}"#).unwrap_err();
    assert!(error.names("$.author") && error.names("$.textMessage"), "{error}");
}

#[test]
fn d22_and_d32_status_bodies() {
    assert!(set_chat_status::Request::decode(br#"{"id": 123, "status": 4}"#).is_ok());
    assert!(set_chat_status::Request::decode(br#"{"id": 123, "status": 5}"#).unwrap_err().names("$.status"));
    assert!(set_chat_status::Request::decode(br#"{"id": 123, "status": 1.0}"#).unwrap_err().names("$.status"));
    assert!(message_status::Request::decode(br#"{"id": 9002, "status": 3}"#).is_ok());
    assert!(message_status::Request::decode(br#"{"id": 9002, "status": 4}"#).unwrap_err().names("$.status"));
}

#[test]
fn d31_customer_message() {
    let request = customer_message::Request::decode(
        br#"{"organizationId": 24, "source": 2, "theme": "Parcel #491",
         "client": {"name": "Olena", "phone": "+380 50 123 45 67", "tgUserId": 70123}, "textMessage": "Hi"}"#,
    )
    .unwrap();
    assert_eq!(request.phone_digits().as_deref(), Some("380501234567"));
    assert_json_snapshot!("d31_customer_message", request);
    let error = customer_message::Request::decode(br#"{"organizationId": 24, "source": 9, "client": {}}"#).unwrap_err();
    for path in ["$.source", "$.client", "$.textMessage"] {
        assert!(error.names(path), "{path}: {error}");
    }
}

#[test]
fn d21_query_rules() {
    let query =
        list_chats::Query::parse(Some("date=2026-01-28&date=2026-01-29&phone=%2B380%20(50)%20123-45-67")).unwrap();
    let round = list_chats::Query::parse(Some(&query.to_query_string())).unwrap();
    assert_eq!(round, query);
    for bad in [
        "page=0",
        "per_page=0",
        "per_page=101",
        "page=x",
        "date=a",
        "date=2026-01-29&date=2026-01-28",
        "date=1&date=2&date=3",
        "source=x",
        "tg_user_id=1.5",
        "organizationId=",
        "operatorId=9999999999",
    ] {
        assert!(list_chats::Query::parse(Some(bad)).is_err(), "{bad}");
    }
    let q = list_chats::Query::parse(Some("Per_Page=5&per_page=50&unknown=1&search=")).unwrap();
    assert_eq!((q.per_page, q.search), (5, None));
}
