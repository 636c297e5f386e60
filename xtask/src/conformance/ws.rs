//! A raw hub client (§7.3): negotiate, a WebSocket upgrade at `/chathub`,
//! the JSON handshake and records separated by 0x1E, read one at a time
//! with a time limit. Events that arrive while a completion is awaited are
//! kept for [`Ws::event`].

use std::collections::VecDeque;
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::context::Ctx;
use super::verdict::{Stop, ensure, fail, one_line, skip};

/// How long a record may take to arrive (a safety net, never what is measured).
pub const RECORD_WAIT: Duration = Duration::from_secs(5);
/// The handshake of the JSON protocol, version 1.
pub const HANDSHAKE_V1: &str = "{\"protocol\":\"json\",\"version\":1}\u{1e}";

/// A hub connection speaking the JSON protocol by hand.
pub struct Ws {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pending: Vec<u8>,
    events: VecDeque<Value>,
}

/// Why an upgrade did not happen.
#[derive(Debug)]
pub enum Refused {
    /// The server answered the upgrade with this HTTP status.
    Status(u16),
    /// The check cannot run, or the connection failed otherwise.
    Stop(Stop),
}

impl From<Stop> for Refused {
    fn from(stop: Stop) -> Self {
        Refused::Stop(stop)
    }
}

/// The `ws://` base of the target, or a skip (the suite speaks no TLS).
fn ws_base(cx: &Ctx) -> Result<String, Stop> {
    match cx.base_url.strip_prefix("http://") {
        Some(rest) => Ok(format!("ws://{rest}")),
        None => Err(skip("the hub checks speak plain WebSockets (no TLS): they need an http:// base URL")),
    }
}

/// The negotiate request's path and query, version 1 (§7.3).
pub const NEGOTIATE_V1: &str = "/chathub/negotiate?negotiateVersion=1";

/// Negotiates (version 1) with `token` as `Authorization: Bearer`; answers the connection token.
pub async fn negotiate(cx: &Ctx, token: &str) -> Result<String, Stop> {
    let reply = cx.raw("POST", NEGOTIATE_V1).bearer(token).send().await?;
    let body = reply.expect_json(200).map_err(super::verdict::within("POST /chathub/negotiate"))?;
    body["connectionToken"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| fail("a negotiate answer with a connectionToken", body.to_string()))
}

impl Ws {
    /// Upgrades at `/chathub?<query>` with `token` as `Authorization: Bearer`.
    pub async fn open(cx: &Ctx, query: &str, token: &str) -> Result<Self, Refused> {
        Self::open_with(cx, query, Some(token)).await
    }

    /// Upgrades at `/chathub?<query>`, with `bearer` as `Authorization: Bearer` when given.
    pub async fn open_with(cx: &Ctx, query: &str, bearer: Option<&str>) -> Result<Self, Refused> {
        let base = ws_base(cx)?;
        let url = if query.is_empty() { format!("{base}/chathub") } else { format!("{base}/chathub?{query}") };
        let what = "a WebSocket upgrade at /chathub";
        let mut request = url.into_client_request().map_err(|e| Refused::Stop(fail(what, e.to_string())))?;
        if let Some(token) = bearer {
            let value =
                format!("Bearer {token}").parse().map_err(|_| Refused::Stop(fail(what, "an unusable token")))?;
            request.headers_mut().insert("authorization", value);
        }
        match tokio::time::timeout(RECORD_WAIT, tokio_tungstenite::connect_async(request)).await {
            Err(_) => Err(Refused::Stop(fail(what, format!("no answer within {}s", RECORD_WAIT.as_secs())))),
            Ok(Err(tungstenite::Error::Http(response))) => Err(Refused::Status(response.status().as_u16())),
            Ok(Err(error)) => Err(Refused::Stop(fail(what, one_line(&error.to_string(), 200)))),
            Ok(Ok((socket, _))) => Ok(Self { socket, pending: Vec::new(), events: VecDeque::new() }),
        }
    }

    /// Negotiates and upgrades with `token`; a refusal is a failure.
    pub async fn negotiated(cx: &Ctx, token: &str) -> Result<Self, Stop> {
        let id = negotiate(cx, token).await?;
        Self::open(cx, &format!("id={id}"), token).await.map_err(|refused| match refused {
            Refused::Status(status) => {
                fail("101 Switching Protocols at /chathub?id=<connectionToken>", status.to_string())
            }
            Refused::Stop(stop) => stop,
        })
    }

    /// Negotiates, upgrades and completes the version 1 handshake.
    pub async fn ready(cx: &Ctx, token: &str) -> Result<Self, Stop> {
        let mut ws = Self::negotiated(cx, token).await?;
        ws.send_text(HANDSHAKE_V1).await?;
        let answer = ws.record().await?;
        ensure(answer == json!({}), "the handshake answered {}", || answer.to_string())?;
        Ok(ws)
    }

    /// Sends one text frame.
    pub async fn send_text(&mut self, text: &str) -> Result<(), Stop> {
        self.socket.send(Message::text(text)).await.map_err(|e| fail("an open hub connection", e.to_string()))
    }

    /// Sends one record (adds the separator).
    pub async fn send(&mut self, record: &Value) -> Result<(), Stop> {
        self.send_text(&format!("{record}\u{1e}")).await
    }

    /// The next record, or `None` once the server closed the socket; waits
    /// at most `wait`.
    pub async fn next_record_within(&mut self, wait: Duration) -> Result<Option<Value>, Stop> {
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == 0x1e) {
                let record: Vec<u8> = self.pending.drain(..=end).collect();
                let text = String::from_utf8_lossy(&record[..end]).into_owned();
                return serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|e| fail("a JSON record", format!("{e}: {}", one_line(&text, 200))));
            }
            let frame = tokio::time::timeout(wait, self.socket.next())
                .await
                .map_err(|_| fail(format!("a hub record within {}s", wait.as_secs()), "nothing"))?;
            match frame {
                Some(Ok(Message::Text(text))) => self.pending.extend_from_slice(text.as_bytes()),
                Some(Ok(Message::Binary(_))) => return Err(fail("text frames (the JSON protocol)", "a binary frame")),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(None),
                Some(Ok(_)) => {}
            }
        }
    }

    /// The next record, or `None` once the server closed the socket.
    pub async fn next_record(&mut self) -> Result<Option<Value>, Stop> {
        self.next_record_within(RECORD_WAIT).await
    }

    /// The next record (it must come).
    pub async fn record(&mut self) -> Result<Value, Stop> {
        self.next_record().await?.ok_or_else(|| fail("a hub record", "the server closed the connection"))
    }

    /// The next record that is not a ping, or `None` once closed; events
    /// kept earlier come first.
    pub async fn next_not_ping(&mut self) -> Result<Option<Value>, Stop> {
        if let Some(event) = self.events.pop_front() {
            return Ok(Some(event));
        }
        loop {
            match self.next_record().await? {
                Some(record) if record == json!({"type": 6}) => {}
                other => return Ok(other),
            }
        }
    }

    /// The next event (an invocation record from the server), skipping pings.
    pub async fn event(&mut self) -> Result<Value, Stop> {
        let record = self.next_not_ping().await?.ok_or_else(|| fail("a hub event", "the connection closed"))?;
        ensure(record["type"] == 1 && record.get("invocationId").is_none(), "an event record (type 1)", || {
            one_line(&record.to_string(), 300)
        })?;
        Ok(record)
    }

    /// Expects the server to close the socket with no further record.
    pub async fn expect_closed(&mut self) -> Result<(), Stop> {
        match self.next_record().await? {
            None => Ok(()),
            Some(record) => Err(fail("the socket closed", one_line(&record.to_string(), 300))),
        }
    }

    /// Invokes `target` with `arguments`; answers the completion. Events
    /// before it are kept (an answer and events may come in either order).
    pub async fn invoke(&mut self, id: &str, target: &str, arguments: Value) -> Result<Value, Stop> {
        self.send(&json!({"type": 1, "invocationId": id, "target": target, "arguments": arguments})).await?;
        loop {
            let record = self.record().await?;
            match record["type"].as_i64() {
                Some(6) => {}
                Some(1) => self.events.push_back(record),
                Some(3) if record["invocationId"] == id => return Ok(record),
                _ => {
                    return Err(fail(format!("the completion of invocation {id}"), one_line(&record.to_string(), 300)));
                }
            }
        }
    }

    /// Closes the socket politely.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
