//! The hub `/chathub` over its raw protocol (spec §7.3, Decisions 28-30):
//! negotiate, the upgrade's checks, framing, the handshake, records,
//! keep-alive, and the closes on expiry and revocation. A real server,
//! real HTTP and real WebSockets (tokio-tungstenite); timings shortened
//! through `HubSettings`.

use std::time::Duration;

use chathub_server::hub::HubSettings;
use chrono::{TimeDelta, Utc};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::*;

/// How long a test waits for the server before failing (a safety net for
/// a broken server, never what a test measures).
const PATIENCE: Duration = Duration::from_secs(20);

/// A client speaking the JSON hub protocol by hand.
pub struct Ws {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pending: Vec<u8>,
}

/// The credential of an upgrade.
#[derive(Clone, Copy)]
pub enum Cred<'a> {
    Bearer(&'a str),
    Key(&'a str),
    Query(&'a str),
    None,
}

impl Ws {
    /// Upgrades at `/chathub` with `query` (e.g. `id=...`) and a credential.
    pub async fn open(api: &Api, query: &str, cred: Cred<'_>) -> Result<Self, tungstenite::Error> {
        let base = api.server.base_url().replacen("http://", "ws://", 1);
        let mut query = query.to_owned();
        if let Cred::Query(token) = cred {
            let sep = if query.is_empty() { "" } else { "&" };
            query = format!("{query}{sep}access_token={token}");
        }
        let url = if query.is_empty() { format!("{base}/chathub") } else { format!("{base}/chathub?{query}") };
        let mut request = url.into_client_request().expect("request");
        match cred {
            Cred::Bearer(token) => {
                request.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
            }
            Cred::Key(token) => {
                request.headers_mut().insert("x-authorization-key", token.parse().expect("header"));
            }
            Cred::Query(_) | Cred::None => {}
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Self { socket, pending: Vec::new() })
    }

    /// Negotiates (version 1) and upgrades with the token, by `cred`.
    pub async fn negotiated(api: &Api, cred: Cred<'_>) -> Self {
        let id = negotiate(api, cred).await;
        Self::open(api, &format!("id={id}"), cred).await.expect("upgrade")
    }

    /// Negotiates, upgrades and completes the handshake.
    pub async fn ready(api: &Api, cred: Cred<'_>) -> Self {
        let mut ws = Self::negotiated(api, cred).await;
        ws.send_text("{\"protocol\":\"json\",\"version\":1}\u{1e}").await;
        assert_eq!(ws.record().await, json!({}));
        ws
    }

    /// Sends one text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::text(text)).await.expect("send");
    }

    /// Sends one record (adds the separator).
    pub async fn send(&mut self, record: &Value) {
        self.send_text(&format!("{record}\u{1e}")).await;
    }

    /// The next record, or `None` once the server closed the socket.
    pub async fn next_record(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == 0x1e) {
                let record: Vec<u8> = self.pending.drain(..=end).collect();
                return Some(serde_json::from_slice(&record[..end]).expect("a JSON record"));
            }
            let frame = tokio::time::timeout(PATIENCE, self.socket.next()).await.expect("the server answers in time");
            match frame {
                Some(Ok(Message::Text(text))) => self.pending.extend_from_slice(text.as_bytes()),
                Some(Ok(Message::Binary(bytes))) => panic!("binary frame from the server: {bytes:?}"),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => {}
            }
        }
    }

    /// The next record (must come).
    pub async fn record(&mut self) -> Value {
        self.next_record().await.expect("a record before the socket closed")
    }

    /// The next record that is not a ping.
    pub async fn record_not_ping(&mut self) -> Value {
        loop {
            let record = self.record().await;
            if record != json!({"type": 6}) {
                return record;
            }
        }
    }

    /// Expects the server to close the socket with no further record.
    pub async fn expect_closed(&mut self) {
        assert_eq!(self.next_record().await, None, "the socket closes");
    }

    /// Invokes a method and answers its completion (events and pings
    /// before it are skipped: an answer and events may come in either order).
    pub async fn invoke(&mut self, id: &str, target: &str, arguments: Value) -> Value {
        self.send(&json!({"type": 1, "invocationId": id, "target": target, "arguments": arguments})).await;
        let mut completion = self.record().await;
        while completion["type"] == 1 || completion["type"] == 6 {
            completion = self.record().await;
        }
        assert_eq!(completion["type"], 3, "{completion}");
        assert_eq!(completion["invocationId"], id, "{completion}");
        completion
    }
}

/// Negotiates (version 1) with `cred`; answers the connection token.
pub async fn negotiate(api: &Api, cred: Cred<'_>) -> String {
    let answer = negotiate_request(api, "?negotiateVersion=1", cred).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["connectionToken"].as_str().expect("a connection token").to_owned()
}

fn negotiate_request(api: &Api, query: &str, cred: Cred<'_>) -> Req {
    let query = match cred {
        Cred::Query(token) if query.is_empty() => format!("?access_token={token}"),
        Cred::Query(token) => format!("{query}&access_token={token}"),
        _ => query.to_owned(),
    };
    let request = api.post(&format!("/chathub/negotiate{query}"));
    match cred {
        Cred::Bearer(token) => request.bearer(token),
        Cred::Key(token) => request.key(token),
        Cred::Query(_) | Cred::None => request,
    }
}

fn status_of(error: tungstenite::Error) -> u16 {
    match error {
        tungstenite::Error::Http(response) => response.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

const HANDSHAKE: &str = "{\"protocol\":\"json\",\"version\":1}\u{1e}";
const CLOSED_WITH_ERROR: &str = "Connection closed with an error.";

#[tokio::test]
async fn negotiate_answers_websockets_only_for_each_version() {
    let api = Api::start().await;
    let answer = negotiate_request(&api, "?negotiateVersion=1", Cred::Key(ACME_KEY))
        .body(Some("text/xml"), "<ignored/>")
        .send()
        .await;
    let body = answer.json();
    assert_eq!(body["negotiateVersion"], 1);
    assert!(body["connectionId"].as_str().is_some_and(|id| id.len() >= 16), "{body}");
    assert!(body["connectionToken"].as_str().is_some_and(|id| id.len() >= 16), "{body}");
    assert_ne!(body["connectionId"], body["connectionToken"]);
    assert_eq!(body["availableTransports"], json!([{"transport": "WebSockets", "transferFormats": ["Text"]}]));

    let zero = negotiate_request(&api, "", Cred::Key(ACME_KEY)).send().await.json();
    assert_eq!(zero["negotiateVersion"], 0);
    assert!(zero.get("connectionToken").is_none(), "{zero}");
    let above = negotiate_request(&api, "?negotiateVersion=5", Cred::Key(ACME_KEY)).send().await.json();
    assert_eq!(above["negotiateVersion"], 1);
    for bad in ["x", "-1", "1.5"] {
        let answer = negotiate_request(&api, &format!("?negotiateVersion={bad}"), Cred::Key(ACME_KEY)).send().await;
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.json(),
            json!({"error": format!("The client requested an invalid protocol version '{bad}'")})
        );
    }
    let get = api.get("/chathub/negotiate?negotiateVersion=1").key(ACME_KEY).send().await;
    get.problem(405);
    assert_eq!(get.header("allow"), Some("POST"));
}

#[tokio::test]
async fn version_zero_upgrades_with_the_connection_id() {
    let api = Api::start().await;
    let zero = negotiate_request(&api, "", Cred::Key(ACME_KEY)).send().await.json();
    let id = zero["connectionId"].as_str().expect("id");
    let mut ws = Ws::open(&api, &format!("id={id}"), Cred::Key(ACME_KEY)).await.expect("upgrade");
    ws.send_text(HANDSHAKE).await;
    assert_eq!(ws.record().await, json!({}));
}

#[tokio::test]
async fn credentials_are_checked_before_anything_else() {
    let api = Api::start().await;
    negotiate_request(&api, "?negotiateVersion=1", Cred::None).send().await.unauthorized(false);
    negotiate_request(&api, "?negotiateVersion=x", Cred::Bearer("not-a-token")).send().await.unauthorized(true);
    // access_token in the query counts under /chathub, and must agree with a header.
    let company = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    assert_eq!(negotiate_request(&api, "?negotiateVersion=1", Cred::Query(&company)).send().await.status, 200);
    negotiate_request(&api, "?negotiateVersion=1", Cred::Query(&company)).key(ACME_KEY).send().await.unauthorized(true);
    let both = format!("/chathub/negotiate?access_token={company}&access_token={company}");
    api.post(&both).send().await.unauthorized(true);
    // ...and nowhere else.
    api.get(&format!("/api/company/organization?access_token={company}")).send().await.unauthorized(false);

    // A revoked operator token: 403 on negotiate and on the upgrade.
    let john = api.operator_token(ACME_KEY, JOHN).await;
    let id = negotiate(&api, Cred::Bearer(&john)).await;
    api.set_status(ACME_KEY, JOHN, 1).await;
    negotiate_request(&api, "?negotiateVersion=1", Cred::Bearer(&john)).send().await.problem(403);
    let refused = Ws::open(&api, &format!("id={id}"), Cred::Bearer(&john)).await.err().expect("refused");
    assert_eq!(status_of(refused), 403);

    // Missing or bad on the upgrade: 401, before the id is looked at.
    for cred in [Cred::None, Cred::Bearer("nope"), Cred::Query("nope")] {
        let refused = Ws::open(&api, "id=unknown", cred).await.err().expect("refused");
        assert_eq!(status_of(refused), 401);
    }
}

#[tokio::test]
async fn each_credential_source_connects() {
    let api = Api::start().await;
    let company = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    let john = api.operator_token(ACME_KEY, JOHN).await;
    for cred in [Cred::Bearer(&company), Cred::Key(ACME_KEY), Cred::Query(&john), Cred::Bearer(&john)] {
        let mut ws = Ws::ready(&api, cred).await;
        ws.send(&json!({"type": 6})).await;
    }
    // skipNegotiation: no id at all.
    let mut ws = Ws::open(&api, "", Cred::Bearer(&company)).await.expect("upgrade");
    ws.send_text(HANDSHAKE).await;
    assert_eq!(ws.record().await, json!({}));
    // Another token of the same principal may upgrade (token factories run again).
    let id = negotiate(&api, Cred::Bearer(&company)).await;
    assert!(Ws::open(&api, &format!("id={id}"), Cred::Key(ACME_KEY)).await.is_ok());
}

#[tokio::test]
async fn connection_ids_unknown_taken_foreign_or_stale() {
    let api = Api::start().await;
    let refused = Ws::open(&api, "id=no-such-connection", Cred::Key(ACME_KEY)).await.err().expect("refused");
    assert_eq!(status_of(refused), 404);

    let id = negotiate(&api, Cred::Key(ACME_KEY)).await;
    let foreign = Ws::open(&api, &format!("id={id}"), Cred::Key(GLOBEX_KEY)).await.err().expect("refused");
    assert_eq!(status_of(foreign), 404, "another principal's id is unknown");
    let john = api.operator_token(ACME_KEY, JOHN).await;
    let operator = Ws::open(&api, &format!("id={id}"), Cred::Bearer(&john)).await.err().expect("refused");
    assert_eq!(status_of(operator), 404, "the company's operator is another principal");

    let _first = Ws::open(&api, &format!("id={id}"), Cred::Key(ACME_KEY)).await.expect("upgrade");
    let again = Ws::open(&api, &format!("id={id}"), Cred::Key(ACME_KEY)).await.err().expect("refused");
    assert_eq!(status_of(again), 409);

    // Unused for the negotiation TTL: forgotten (a TTL of zero has always passed).
    let hub = &api.server.state().hub;
    hub.set_settings(HubSettings { negotiation_ttl: Duration::ZERO, ..hub.settings() });
    let stale = negotiate(&api, Cred::Key(ACME_KEY)).await;
    let refused = Ws::open(&api, &format!("id={stale}"), Cred::Key(ACME_KEY)).await.err().expect("refused");
    assert_eq!(status_of(refused), 404);
}

#[tokio::test]
async fn other_transports_get_aspnets_404() {
    let api = Api::start().await;
    let id = negotiate(&api, Cred::Key(ACME_KEY)).await;
    let polling = api.get(&format!("/chathub?id={id}")).key(ACME_KEY).send().await;
    assert_eq!(polling.status, 404);
    assert_eq!(polling.content_type(), Some("text/plain"));
    assert_eq!(polling.text(), "LongPolling transport not supported by this end point type");
    let post = api.post("/chathub?id=whatever").key(ACME_KEY).body(Some("text/plain"), "x").send().await;
    assert_eq!(post.text(), "LongPolling transport not supported by this end point type");
    let sse = api.get("/chathub").key(ACME_KEY).header("accept", "text/event-stream").send().await;
    assert_eq!(sse.status, 404);
    assert_eq!(sse.text(), "ServerSentEvents transport not supported by this end point type");
    // The credential is checked first.
    api.get(&format!("/chathub?id={id}")).send().await.unauthorized(false);
}

#[tokio::test]
async fn handshake_versions_and_errors() {
    let api = Api::start().await;
    for version in [1, 2] {
        let mut ws = Ws::negotiated(&api, Cred::Key(ACME_KEY)).await;
        ws.send(&json!({"protocol": "json", "version": version})).await;
        assert_eq!(ws.record().await, json!({}));
    }
    let cases = [
        (r#"{"protocol":"messagepack","version":1}"#, "The protocol 'messagepack' is not supported."),
        (r#"{"protocol":"json","version":3}"#, "The server does not support version 3 of the 'json' protocol."),
        ("not json", "An unexpected error occurred during connection handshake."),
        (r#"{"protocol":"json"}"#, "An unexpected error occurred during connection handshake."),
        (r#"{"version":1}"#, "An unexpected error occurred during connection handshake."),
    ];
    for (handshake, error) in cases {
        let mut ws = Ws::negotiated(&api, Cred::Key(ACME_KEY)).await;
        ws.send_text(&format!("{handshake}\u{1e}")).await;
        assert_eq!(ws.record().await, json!({ "error": error }), "{handshake}");
        ws.expect_closed().await;
    }
}

#[tokio::test]
async fn a_handshake_that_never_comes_is_canceled() {
    let api = Api::start().await;
    let hub = &api.server.state().hub;
    hub.set_settings(HubSettings { handshake_timeout: Duration::from_millis(200), ..hub.settings() });
    let mut ws = Ws::negotiated(&api, Cred::Key(ACME_KEY)).await;
    // Half a handshake does not count.
    ws.send_text("{\"protocol\":").await;
    assert_eq!(ws.record().await, json!({"error": "Handshake was canceled."}));
    ws.expect_closed().await;
}

#[tokio::test]
async fn framing_several_records_a_frame_and_a_record_across_frames() {
    let api = Api::start().await;
    let mut ws = Ws::negotiated(&api, Cred::Key(ACME_KEY)).await;
    // The handshake and two invocations in one frame.
    let call = |id: &str| json!({"type": 1, "invocationId": id, "target": "Foo", "arguments": []}).to_string();
    ws.send_text(&format!("{HANDSHAKE}{}\u{1e}{}\u{1e}", call("a"), call("b"))).await;
    assert_eq!(ws.record().await, json!({}));
    assert_eq!(ws.record_not_ping().await["invocationId"], "a");
    assert_eq!(ws.record_not_ping().await["invocationId"], "b");
    // One record over three frames.
    let text = format!("{}\u{1e}", call("c"));
    let (head, tail) = text.split_at(10);
    let (middle, tail) = tail.split_at(10);
    for part in [head, middle, tail] {
        ws.send_text(part).await;
    }
    assert_eq!(ws.record_not_ping().await["invocationId"], "c");
}

#[tokio::test]
async fn method_errors_in_aspnets_words() {
    let api = Api::start().await;
    let mut ws = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    let foo = ws.invoke("1", "Foo", json!([])).await;
    assert_eq!(
        foo["error"],
        "Failed to invoke 'Foo' due to an error on the server. HubException: Method does not exist."
    );
    assert!(foo.get("result").is_none());
    for arguments in
        [json!([]), json!([1]), json!(["1", "Hi"]), json!([1, 2]), json!([1.5, "Hi"]), json!([1, "a", "b"])]
    {
        let bad = ws.invoke("2", "sendMessage", arguments.clone()).await;
        assert_eq!(bad["error"], "Failed to invoke 'sendMessage' due to an error on the server.", "{arguments}");
    }
    let rule = |target: &str, reason: &str| {
        format!("An unexpected error occurred invoking '{target}' on the server. HubException: {reason}")
    };
    assert_eq!(
        ws.invoke("3", "SendMessage", json!([999_999, "Hi"])).await["error"],
        rule("SendMessage", "Chat not found")
    );
    assert_eq!(
        ws.invoke("4", "SendMessage", json!([999_999, null])).await["error"],
        rule("SendMessage", "Message is empty")
    );
    assert_eq!(
        ws.invoke("5", "SendMessage", json!([999_999, "   "])).await["error"],
        rule("SendMessage", "Message is empty")
    );
    let long = "x".repeat(4097);
    assert_eq!(
        ws.invoke("6", "SENDMESSAGE", json!([999_999, long])).await["error"],
        rule("SENDMESSAGE", "Message is too long")
    );
    let media = ws.invoke("7", "SendMediaMessage", json!([999_999, null])).await;
    assert_eq!(media["error"], rule("SendMediaMessage", "Message is empty"));
    let bad_format = json!({"Name": "p.jpg", "Format": "exe", "DataBase64": "AAAA", "Type": 1});
    let media = ws.invoke("8", "SendMediaMessage", json!([999_999, bad_format])).await;
    let error = media["error"].as_str().expect("error");
    assert!(error.starts_with(&rule("SendMediaMessage", "Invalid media.format: ")), "{error}");
    let bad_base64 = json!({"name": "p.jpg", "format": "jpg", "dataBase64": "***", "type": 1});
    let media = ws.invoke("9", "SendMediaMessage", json!([999_999, bad_base64])).await;
    let error = media["error"].as_str().expect("error");
    assert!(error.starts_with(&rule("SendMediaMessage", "Invalid media.dataBase64: ")), "{error}");
    // A stream invocation of a known method.
    ws.send(&json!({"type": 4, "invocationId": "10", "target": "SendMessage", "arguments": [1, "Hi"]})).await;
    let stream = ws.record_not_ping().await;
    assert_eq!(
        stream,
        json!({"type": 3, "invocationId": "10",
               "error": "The client attempted to invoke the non-streaming 'SendMessage' method with a streaming invocation."})
    );
    // Without an invocation id: no completion. The next answer is the next call's.
    ws.send(&json!({"type": 1, "target": "Foo", "arguments": []})).await;
    assert_eq!(ws.invoke("11", "Foo", json!([])).await["invocationId"], "11");
}

#[tokio::test]
async fn ignored_record_types_leave_the_connection_up() {
    let api = Api::start().await;
    let mut ws = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    for kind in [2, 3, 5, 8, 9, 42] {
        ws.send(&json!({"type": kind, "invocationId": "x", "item": 1})).await;
    }
    ws.send(&json!({"type": 6})).await;
    assert_eq!(ws.invoke("after", "Foo", json!([])).await["invocationId"], "after");
}

#[tokio::test]
async fn malformed_records_close_with_an_error() {
    let api = Api::start().await;
    let cases = [
        "[1,2]".to_owned(),
        "not json".to_owned(),
        r#"{"target":"Foo","arguments":[]}"#.to_owned(),
        r#"{"type":1,"target":"Foo"}"#.to_owned(),
        r#"{"type":1,"arguments":[]}"#.to_owned(),
        r#"{"type":1,"target":5,"arguments":[]}"#.to_owned(),
    ];
    for record in cases {
        let mut ws = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
        ws.send_text(&format!("{record}\u{1e}")).await;
        assert_eq!(ws.record_not_ping().await, json!({"type": 7, "error": CLOSED_WITH_ERROR}), "{record}");
        ws.expect_closed().await;
    }
    // A record over 8 MiB.
    let mut ws = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    let huge = format!("{{\"type\":1,\"target\":\"Foo\",\"arguments\":[\"{}\"]}}\u{1e}", "x".repeat(8 * 1024 * 1024));
    ws.send_text(&huge).await;
    assert_eq!(ws.record_not_ping().await, json!({"type": 7, "error": CLOSED_WITH_ERROR}));
    ws.expect_closed().await;
}

#[tokio::test]
async fn a_client_close_record_ends_the_connection() {
    let api = Api::start().await;
    let mut ws = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    ws.send(&json!({"type": 7})).await;
    ws.expect_closed().await;
}

#[tokio::test]
async fn pings_when_quiet_and_closes_a_silent_client() {
    let api = Api::start().await;
    let hub = &api.server.state().hub;
    let base = hub.settings();
    hub.set_settings(HubSettings { keep_alive_interval: Duration::from_millis(100), ..base });
    let mut ws = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    assert_eq!(ws.record().await, json!({"type": 6}));
    assert_eq!(ws.record().await, json!({"type": 6}));

    hub.set_settings(HubSettings { client_timeout: Duration::from_millis(300), ..base });
    let mut silent = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    assert_eq!(silent.record().await, json!({"type": 7, "allowReconnect": true}));
    silent.expect_closed().await;
}

#[tokio::test]
async fn an_expired_token_closes_its_connection_for_reconnection() {
    let api = Api::start().await;
    let expires = Utc::now() + TimeDelta::seconds(2);
    let john = api.operator_token_until(ACME_KEY, JOHN, expires).await;
    let exp = claims(&john).exp;
    let mut ws = Ws::ready(&api, Cred::Bearer(&john)).await;
    let close = ws.record_not_ping().await;
    assert!(Utc::now().timestamp() >= exp, "closed only once the token died");
    assert_eq!(close, json!({"type": 7, "error": "Token expired", "allowReconnect": true}));
    ws.expect_closed().await;
}

#[tokio::test]
async fn deactivating_an_operator_closes_its_connections_without_reconnection() {
    let api = Api::start().await;
    let john = api.operator_token(ACME_KEY, JOHN).await;
    let emma = api.operator_token(ACME_KEY, EMMA).await;
    let mut john_ws = Ws::ready(&api, Cred::Bearer(&john)).await;
    let mut emma_ws = Ws::ready(&api, Cred::Query(&emma)).await;
    let mut company_ws = Ws::ready(&api, Cred::Key(ACME_KEY)).await;
    api.set_status(ACME_KEY, JOHN, 2).await;
    assert_eq!(john_ws.record_not_ping().await, json!({"type": 7, "error": "Token revoked"}));
    john_ws.expect_closed().await;
    // The others stay up.
    assert_eq!(emma_ws.invoke("1", "Foo", json!([])).await["invocationId"], "1");
    assert_eq!(company_ws.invoke("1", "Foo", json!([])).await["invocationId"], "1");
}
