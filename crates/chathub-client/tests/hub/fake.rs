//! A scripted hub on a raw socket, for what the real server never does:
//! unknown and malformed events, completions out of order, a dropped
//! socket under a waiting call, handshake errors, a refused reconnect.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chathub_client::hub::{CloseCause, Hub, HubEvent, ReconnectPolicy};
use chathub_client::types::ChatId;
use chathub_client::types::chat::ChatStatus;
use chathub_client::{Client, Error};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use crate::support::WAIT;

type Socket = WebSocketStream<TcpStream>;

/// What the fake saw of an upgrade.
#[derive(Debug, Clone)]
struct Upgrade {
    uri: String,
    authorization: Option<String>,
}

struct Fake {
    base_url: String,
    sockets: mpsc::UnboundedReceiver<Socket>,
    upgrades: Arc<Mutex<Vec<Upgrade>>>,
    /// The status negotiate answers with (200: a connection token).
    negotiate_status: Arc<Mutex<u16>>,
}

impl Fake {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("fake hub");
        let base_url = format!("http://{}", listener.local_addr().expect("fake hub"));
        let (found, sockets) = mpsc::unbounded_channel();
        let upgrades = Arc::new(Mutex::new(Vec::new()));
        let negotiate_status = Arc::new(Mutex::new(200));
        let (seen, status) = (Arc::clone(&upgrades), Arc::clone(&negotiate_status));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mut head = [0u8; 4];
                if stream.peek(&mut head).await.is_err() {
                    continue;
                }
                if &head == b"POST" {
                    let status = *status.lock().expect("fake hub");
                    tokio::spawn(answer_negotiate(stream, status));
                    continue;
                }
                let seen = Arc::clone(&seen);
                // tungstenite's callback type fixes the error type.
                #[allow(clippy::result_large_err)]
                let callback = move |request: &Request, response: Response| {
                    let authorization = request
                        .headers()
                        .get("authorization")
                        .map(|value| value.to_str().expect("fake hub").to_owned());
                    seen.lock().expect("fake hub").push(Upgrade { uri: request.uri().to_string(), authorization });
                    Ok(response)
                };
                if let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await {
                    let _ = found.send(socket);
                }
            }
        });
        Self { base_url, sockets, upgrades, negotiate_status }
    }

    fn client(&self) -> Client {
        Client::builder().base_url(&self.base_url).token("header.payload.signature").build().expect("fake hub")
    }

    /// The next upgraded socket, after answering its handshake with `answer`.
    async fn accept(&mut self, answer: &str) -> Socket {
        let mut socket = tokio::time::timeout(WAIT, self.sockets.recv()).await.expect("fake hub").expect("fake hub");
        let handshake = read(&mut socket).await.expect("fake hub");
        assert_eq!(handshake, json!({"protocol": "json", "version": 1}));
        socket.send(Message::text(format!("{answer}\u{1e}"))).await.expect("fake hub");
        socket
    }

    /// Connects `builder`'s hub while accepting it.
    async fn connect(&mut self, policy: ReconnectPolicy) -> (Hub, Socket) {
        let client = self.client();
        let (hub, socket) = tokio::join!(client.hub().reconnect(policy).connect(), self.accept("{}"));
        (hub.expect("fake hub"), socket)
    }
}

async fn answer_negotiate(mut stream: TcpStream, status: u16) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => request.extend_from_slice(&buffer[..read]),
        }
    }
    let body = if status == 200 {
        json!({"negotiateVersion": 1, "connectionId": "c", "connectionToken": "tok",
               "availableTransports": [{"transport": "WebSockets", "transferFormats": ["Text"]}]})
    } else {
        json!({"title": "Forbidden", "status": status, "detail": "The token was revoked."})
    };
    let body = body.to_string();
    let answer = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The next record the client sent (pings skipped), or `None` once it closed.
async fn read(socket: &mut Socket) -> Option<Value> {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next()).await.expect("fake hub")?;
        let Ok(Message::Text(text)) = frame else { return None };
        let value: Value = serde_json::from_str(text.trim_end_matches('\u{1e}')).expect("fake hub");
        if value["type"] != json!(6) {
            return Some(value);
        }
    }
}

async fn send(socket: &mut Socket, records: &[Value]) {
    let text: String = records.iter().map(|record| format!("{record}\u{1e}")).collect();
    socket.send(Message::text(text)).await.expect("fake hub");
}

async fn next(hub: &mut Hub) -> HubEvent {
    tokio::time::timeout(WAIT, hub.next_event()).await.expect("fake hub").expect("fake hub")
}

fn message(id: i32) -> Value {
    json!({"id": id, "chatId": 5, "author": 0, "operatorId": null, "message": "Hi", "phone": null,
           "media": null, "status": 1, "createdAt": "2026-01-28T10:15:00Z"})
}

#[tokio::test]
async fn the_credential_is_a_header_never_in_the_url() {
    let mut fake = Fake::start().await;
    let (hub, _socket) = fake.connect(ReconnectPolicy::never()).await;
    let upgrade = fake.upgrades.lock().unwrap()[0].clone();
    assert_eq!(upgrade.uri, "/chathub?id=tok");
    assert_eq!(upgrade.authorization.as_deref(), Some("Bearer header.payload.signature"));
    drop(hub);
}

#[tokio::test]
async fn unknown_and_malformed_events_are_skipped() {
    let mut fake = Fake::start().await;
    let (mut hub, mut socket) = fake.connect(ReconnectPolicy::never()).await;
    send(
        &mut socket,
        &[
            json!({"type": 1, "target": "SomethingNew", "arguments": [1]}),
            json!({"type": 1, "target": "ChatStatusChanged", "arguments": ["x", 1]}),
            json!({"type": 2, "invocationId": "9", "item": 1}),
            json!({"type": 6}),
            json!({"type": 1, "target": "chatStatusChanged", "arguments": [5, 4]}),
        ],
    )
    .await;
    assert_eq!(next(&mut hub).await, HubEvent::chat_status_changed(ChatId(5), ChatStatus::Closed));
}

#[tokio::test]
async fn completions_reach_their_callers_in_any_order() {
    let mut fake = Fake::start().await;
    let (hub, mut socket) = fake.connect(ReconnectPolicy::never()).await;
    let server = async {
        let first = read(&mut socket).await.unwrap();
        let second = read(&mut socket).await.unwrap();
        assert_eq!(first["target"], json!("SendMessage"));
        assert_eq!(second["target"], json!("SendMediaMessage"));
        assert_eq!(second["arguments"][1]["dataBase64"], json!("AA=="));
        send(
            &mut socket,
            &[
                json!({"type": 3, "invocationId": second["invocationId"], "error": "No media today"}),
                json!({"type": 3, "invocationId": first["invocationId"], "result": message(77)}),
            ],
        )
        .await;
        socket
    };
    let media = chathub_client::types::chat::NewMedia::new(
        "a.txt",
        "txt",
        "AA==",
        chathub_client::types::chat::MediaType::File,
    );
    let (text, media, _socket) = tokio::join!(hub.send_message(5, "Hi"), hub.send_media(5, media), server);
    assert_eq!(text.unwrap().id.0, 77);
    let error = media.unwrap_err();
    assert!(matches!(&error, Error::Hub { message } if message == "No media today"), "{error:?}");
}

#[tokio::test]
async fn a_waiting_call_fails_when_the_socket_drops() {
    let mut fake = Fake::start().await;
    let (mut hub, mut socket) = fake.connect(ReconnectPolicy::never()).await;
    let server = async {
        assert_eq!(read(&mut socket).await.unwrap()["target"], json!("SendMessage"));
        drop(socket);
    };
    let (result, ()) = tokio::join!(hub.send_message(5, "Hi"), server);
    let error = result.unwrap_err();
    assert!(matches!(error, Error::HubConnection { .. }), "{error:?}");
    assert!(matches!(next(&mut hub).await, HubEvent::Closed { reason: Some(_), cause: CloseCause::GaveUp, .. }));
    assert_eq!(tokio::time::timeout(WAIT, hub.next_event()).await.unwrap(), None);
}

#[tokio::test]
async fn a_handshake_error_is_the_servers_text() {
    let mut fake = Fake::start().await;
    let client = fake.client();
    let refusal = r#"{"error":"The server does not support version 1 of the 'json' protocol."}"#;
    let (hub, _socket) = tokio::join!(client.hub().connect(), fake.accept(refusal));
    let error = hub.unwrap_err();
    assert_eq!(error.to_string(), "hub: The server does not support version 1 of the 'json' protocol.");
}

#[tokio::test]
async fn a_close_without_allow_reconnect_is_final() {
    let mut fake = Fake::start().await;
    let (mut hub, mut socket) = fake.connect(ReconnectPolicy::delays([Duration::ZERO])).await;
    send(&mut socket, &[json!({"type": 7, "error": "Bye"})]).await;
    assert_eq!(next(&mut hub).await, HubEvent::closed(Some("Bye".to_owned()), CloseCause::ServerClosed));
    assert_eq!(tokio::time::timeout(WAIT, hub.next_event()).await.unwrap(), None);
    assert_eq!(read(&mut socket).await, None, "no Close record back, only the WebSocket close");
}

#[tokio::test]
async fn a_forbidden_reconnect_is_final() {
    let mut fake = Fake::start().await;
    let (mut hub, mut socket) = fake.connect(ReconnectPolicy::delays([Duration::ZERO; 5])).await;
    *fake.negotiate_status.lock().unwrap() = 403;
    send(&mut socket, &[json!({"type": 7, "allowReconnect": true})]).await;
    assert!(matches!(next(&mut hub).await, HubEvent::Reconnecting { attempt: 1, .. }));
    let HubEvent::Closed { reason: Some(reason), cause, .. } = next(&mut hub).await else { panic!("Closed") };
    assert_eq!(reason, "403 Forbidden: The token was revoked.");
    assert_eq!(cause, CloseCause::CredentialRefused);
    assert!(cause.is_credential_refused());
    assert_eq!(tokio::time::timeout(WAIT, hub.next_event()).await.unwrap(), None);
}

#[tokio::test]
async fn close_sends_a_close_record_and_ends() {
    let mut fake = Fake::start().await;
    let (hub, mut socket) = fake.connect(ReconnectPolicy::default()).await;
    let (closed, record) = tokio::join!(hub.close(), read(&mut socket));
    closed.unwrap();
    assert_eq!(record, Some(json!({"type": 7})));
    assert_eq!(read(&mut socket).await, None, "then a WebSocket close");
}
