//! A scripted hub on a raw socket, for what the real server never does:
//! unknown and malformed events, completions out of order, a dropped
//! socket under a waiting call, handshake errors, a refused reconnect.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use chathub_client::hub::{CloseCause, Hub, HubEvent, ReconnectPolicy};
use chathub_client::types::ChatId;
use chathub_client::types::chat::ChatStatus;
use chathub_client::types::chat::{MediaType, NewMedia};
use chathub_client::{Client, Error};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use crate::support::{WAIT, next};

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
    // Written, then lost: the server may have stored it.
    assert!(matches!(error, Error::HubOutcomeUnknown { .. }), "{error:?}");
    assert!(error.to_string().contains("may have reached the server"), "{error}");
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

#[tokio::test]
async fn a_call_while_reconnecting_was_not_sent() {
    let mut fake = Fake::start().await;
    // The second connection's negotiate is refused: the hub stays in its reconnect wait.
    let (mut hub, mut socket) = fake.connect(ReconnectPolicy::delays([Duration::from_secs(60)])).await;
    send(&mut socket, &[json!({"type": 7, "allowReconnect": true})]).await;
    assert!(matches!(next(&mut hub).await, HubEvent::Reconnecting { attempt: 1, .. }));
    let error = hub.send_message(5, "Hi").await.unwrap_err();
    assert!(matches!(error, Error::HubConnection { .. }), "not sent: safe to send again: {error:?}");
}

#[tokio::test]
async fn a_write_that_blocks_counts_as_lost() {
    let mut fake = Fake::start().await;
    let client = fake.client();
    let connecting = client
        .hub()
        .keep_alive_interval(Duration::from_millis(100))
        .server_timeout(Duration::from_millis(500))
        .reconnect(ReconnectPolicy::never())
        .connect();
    let (hub, socket) = tokio::join!(connecting, fake.accept("{}"));
    let mut hub = hub.unwrap();
    // The fake never reads again: once the socket buffers are full, writes block.
    let data = base64::engine::general_purpose::STANDARD
        .encode(vec![0u8; chathub_client::types::chat::media::MAX_MEDIA_BYTES]);
    let media = || NewMedia::new("big.txt", "txt", data.clone(), MediaType::File);
    let calls = futures::future::join_all((0..4).map(|_| hub.send_media(5, media())));
    // Checking 4 × 5 MiB locally takes seconds in a debug build on a busy machine: a wide safety net.
    let results = tokio::time::timeout(WAIT * 6, calls).await.expect("the blocked write gives up");
    for result in results {
        let error = result.unwrap_err();
        assert!(matches!(error, Error::HubOutcomeUnknown { .. } | Error::HubConnection { .. }), "{error:?}");
    }
    let HubEvent::Closed { reason: Some(reason), cause, .. } = next(&mut hub).await else { panic!("Closed") };
    assert_eq!(reason, "a write took longer than 0.5s");
    assert_eq!(cause, CloseCause::GaveUp);
    drop(socket);
}

#[tokio::test]
async fn local_checks_refuse_before_sending() {
    let mut fake = Fake::start().await;
    let (hub, mut socket) = fake.connect(ReconnectPolicy::never()).await;
    let error = hub.send_message(5, "   ").await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    let error = hub.send_message(5, "a\0b").await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    let bad = NewMedia::new("x.html", "text/html", "AA==", MediaType::File);
    let error = hub.send_media(5, bad).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    let server = async {
        let first = read(&mut socket).await.unwrap();
        assert_eq!(first["arguments"], json!([5, "Good"]), "nothing of the refused calls was sent");
        send(&mut socket, &[json!({"type": 3, "invocationId": first["invocationId"], "result": message(1)})]).await;
    };
    let (sent, ()) = tokio::join!(hub.send_message(5, "Good"), server);
    sent.unwrap();
}

#[tokio::test]
async fn zero_or_inverted_timings_are_refused_before_connecting() {
    // Nothing listens there: a refusal that is not InvalidConfig would be a transport error.
    let client = Client::builder().base_url("http://127.0.0.1:9").token("header.payload.signature").build().unwrap();
    let cases = [
        client.hub().keep_alive_interval(Duration::ZERO),
        client.hub().server_timeout(Duration::ZERO),
        client.hub().handshake_timeout(Duration::ZERO),
        client.hub().keep_alive_interval(Duration::from_secs(30)).server_timeout(Duration::from_secs(30)),
    ];
    for builder in cases {
        let error = builder.connect().await.unwrap_err();
        assert!(matches!(error, Error::InvalidConfig(_)), "{error:?}");
    }
}

/// A hub whose negotiate succeeds and whose upgrade answers `answer` (raw
/// bytes); the upgrade request it read comes back on the channel.
async fn scripted_upgrade(answer: Vec<u8>) -> (Client, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("fake hub");
    let base_url = format!("http://{}", listener.local_addr().expect("fake hub"));
    let (seen, requests) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = [0u8; 4];
            if stream.peek(&mut head).await.is_err() {
                continue;
            }
            if &head == b"POST" {
                tokio::spawn(answer_negotiate(stream, 200));
                continue;
            }
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(read) => request.extend_from_slice(&buffer[..read]),
                }
            }
            let _ = seen.send(String::from_utf8_lossy(&request).into_owned());
            let _ = stream.write_all(&answer).await;
            let _ = stream.shutdown().await;
        }
    });
    let client = Client::builder().base_url(base_url).token("header.payload.signature").build().expect("fake hub");
    (client, requests)
}

#[tokio::test]
async fn a_refused_upgrade_is_the_error_its_status_means() {
    let body = r#"{"title":"Forbidden","status":403,"detail":"The token was revoked."}"#;
    let answer = format!(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let (client, mut requests) = scripted_upgrade(answer.into_bytes()).await;
    let error = client.hub().connect().await.unwrap_err();
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    assert_eq!(error.to_string(), "403 Forbidden: The token was revoked.");
    let request = requests.recv().await.unwrap();
    assert!(request.starts_with("GET /chathub?id=tok HTTP/1.1\r\n"), "{request}");
    // Header names are case-insensitive.
    let lower = request.to_ascii_lowercase();
    assert!(lower.contains("\r\nauthorization: bearer header.payload.signature\r\n"), "{request}");
    assert!(lower.contains("\r\nupgrade: websocket\r\n") && lower.contains("\r\nsec-websocket-key: "));

    let answer = "HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n\r\nLongPolling transport not supported by this end point type";
    let (client, _requests) = scripted_upgrade(answer.as_bytes().to_vec()).await;
    let error = client.hub().connect().await.unwrap_err();
    assert_eq!(error.to_string(), "404 Not Found: LongPolling transport not supported by this end point type");
}

#[tokio::test]
async fn a_bad_upgrade_answer_is_refused() {
    let wrong_key = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                     Sec-WebSocket-Accept: bm90IHRoZSBrZXk=\r\n\r\n";
    let (client, _requests) = scripted_upgrade(wrong_key.as_bytes().to_vec()).await;
    let error = client.hub().connect().await.unwrap_err();
    assert!(matches!(&error, Error::HubConnection { reason } if reason.contains("Sec-WebSocket-Accept")), "{error:?}");

    let mut endless = b"HTTP/1.1 101 Switching Protocols\r\n".to_vec();
    while endless.len() < 20 * 1024 {
        endless
            .extend_from_slice(b"X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    let (client, _requests) = scripted_upgrade(endless).await;
    let error = client.hub().connect().await.unwrap_err();
    assert!(matches!(&error, Error::HubConnection { reason } if reason.contains("larger than 16 KiB")), "{error:?}");
}
