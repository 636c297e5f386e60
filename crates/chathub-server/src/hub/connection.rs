//! One hub connection (§7.3): the handshake, then records in both
//! directions, keep-alive pings, the client timeout, and the closes of
//! Decision 28 (expiry, revocation), and the close on graceful shutdown.
//! One task per socket; invocations run one at a time, in order, as
//! ASP.NET runs them by default.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code};
use chathub_types::hub::handshake::{self, HandshakeError};
use chathub_types::hub::invocation::{self, HubRuleError, InvocationError};
use chathub_types::hub::record::{self, Incoming, Invocation, Outgoing, RecordBuffer};
use chathub_types::hub::{CLOSED_WITH_ERROR, TOKEN_EXPIRED, TOKEN_REVOKED};
use chrono::Utc;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, sleep_until};

use super::HubSettings;
use super::broadcast::{Delivery, Outbound, delivery};
use super::credential::{HubCaller, HubCredential};
use super::methods;
use super::registry::Claim;
use crate::state::AppState;

/// Everything a connection task needs; the claim is released when it ends.
#[derive(Debug)]
pub struct Connection {
    /// The server's state.
    pub state: AppState,
    /// Who connected, and until when.
    pub caller: HubCaller,
    /// Its credential, whose `--rate-limit` bucket invocations draw from.
    pub credential: HubCredential,
    /// The timings.
    pub settings: HubSettings,
    /// The registry entry, forgotten on drop.
    pub claim: Claim,
}

/// The socket and its bookkeeping.
struct Link {
    socket: WebSocket,
    buffer: RecordBuffer,
    last_sent: Instant,
    last_received: Instant,
}

/// What to do after a step.
enum Step {
    Continue,
    /// Stop, sending this record first (then a WebSocket close frame).
    Stop(Option<Outgoing>),
}

/// What woke the connection.
enum Wake {
    Frame(Option<Result<Message, axum::Error>>),
    Event(Result<Arc<Outbound>, RecvError>),
    Ping,
    ClientTimeout,
    Expired,
    Shutdown,
}

impl Link {
    async fn send_text(&mut self, text: impl Into<Utf8Bytes>) -> bool {
        self.last_sent = Instant::now();
        self.socket.send(Message::Text(text.into())).await.is_ok()
    }

    async fn send(&mut self, record: &Outgoing) -> bool {
        self.send_text(record.to_frame()).await
    }

    async fn close(mut self, record: Option<Outgoing>) {
        if let Some(record) = record {
            let _ = self.send(&record).await;
        }
        let frame = CloseFrame { code: close_code::NORMAL, reason: "".into() };
        let _ = self.socket.send(Message::Close(Some(frame))).await;
    }

    /// The bytes of a data frame; `Err` with the step for anything else.
    fn frame_bytes(frame: Option<Result<Message, axum::Error>>) -> Result<Option<Bytes>, Step> {
        match frame {
            Some(Ok(Message::Text(text))) => Ok(Some(Bytes::from(text))),
            Some(Ok(Message::Binary(bytes))) => Ok(Some(bytes)),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(None),
            Some(Ok(Message::Close(_)) | Err(_)) | None => Err(Step::Stop(None)),
        }
    }
}

/// Runs a connection to its end.
pub async fn serve(socket: WebSocket, connection: Connection) {
    let _live = connection.state.hub.live_connection();
    let now = Instant::now();
    let mut link = Link { socket, buffer: RecordBuffer::default(), last_sent: now, last_received: now };
    let mut shutdown = connection.state.hub.shutdown_signal();
    let first = tokio::select! {
        first = handshake(&mut link, connection.settings.handshake_timeout) => first,
        _ = shutdown.wait_for(|down| *down) => None,
    };
    let Some(first) = first else {
        return;
    };
    tracing::debug!(principal = ?connection.caller.principal, "hub connection open");
    let step = run(&mut link, &connection, first).await;
    if let Step::Stop(record) = step {
        link.close(record).await;
    }
    tracing::debug!(principal = ?connection.caller.principal, "hub connection closed");
}

/// Reads the handshake; answers it. `Some(records after it)` on success;
/// `None` once the connection is closed.
async fn handshake(link: &mut Link, timeout: Duration) -> Option<Vec<Vec<u8>>> {
    let deadline = Instant::now() + timeout;
    let outcome = loop {
        let frame = tokio::select! {
            frame = link.socket.recv() => frame,
            () = sleep_until(deadline) => break Err(HandshakeError::Canceled),
        };
        let bytes = match Link::frame_bytes(frame) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(_) => return None,
        };
        link.last_received = Instant::now();
        match link.buffer.push(&bytes) {
            Err(_) => break Err(HandshakeError::Unexpected),
            Ok(records) if records.is_empty() => {}
            Ok(mut records) => {
                let first = records.remove(0);
                match handshake::parse_request(&first) {
                    Ok(()) => {
                        if !link.send_text(handshake::response(&Ok(()))).await {
                            return None;
                        }
                        return Some(records);
                    }
                    Err(error) => break Err(error),
                }
            }
        }
    };
    let _ = link.send_text(handshake::response(&outcome)).await;
    let frame = CloseFrame { code: close_code::NORMAL, reason: "".into() };
    let _ = link.socket.send(Message::Close(Some(frame))).await;
    None
}

/// After the handshake: until something stops the connection.
async fn run(link: &mut Link, connection: &Connection, first: Vec<Vec<u8>>) -> Step {
    let settings = connection.settings;
    let mut events = connection.state.events.subscribe_hub();
    let mut shutdown = connection.state.hub.shutdown_signal();
    let far = Instant::now() + Duration::from_secs(10 * 365 * 24 * 3600);
    let expiry = connection
        .caller
        .expires_at
        .map_or(far, |exp| Instant::now() + (exp - Utc::now()).to_std().unwrap_or(Duration::ZERO));
    for record in first {
        if let Step::Stop(record) = on_record(link, connection, &record).await {
            return Step::Stop(record);
        }
    }
    loop {
        let ping_at = link.last_sent + settings.keep_alive_interval;
        let timeout_at = link.last_received + settings.client_timeout;
        let wake = tokio::select! {
            biased;
            _ = shutdown.wait_for(|down| *down) => Wake::Shutdown,
            () = sleep_until(expiry) => Wake::Expired,
            frame = link.socket.recv() => Wake::Frame(frame),
            event = events.recv() => Wake::Event(event),
            () = sleep_until(timeout_at) => Wake::ClientTimeout,
            () = sleep_until(ping_at) => Wake::Ping,
        };
        let step = match wake {
            // Graceful shutdown: the client may come back to the next server.
            Wake::Shutdown => Step::Stop(Some(Outgoing::close(None, true))),
            Wake::Expired => Step::Stop(Some(Outgoing::close(Some(TOKEN_EXPIRED), true))),
            Wake::ClientTimeout => Step::Stop(Some(Outgoing::close(None, true))),
            Wake::Ping => sent(link.send(&Outgoing::Ping).await),
            Wake::Frame(frame) => on_frame(link, connection, frame).await,
            Wake::Event(Ok(outbound)) => on_event(link, connection, &outbound).await,
            Wake::Event(Err(RecvError::Lagged(missed))) => {
                tracing::warn!(missed, "a hub connection fell behind the events; closing it");
                Step::Stop(Some(Outgoing::close(Some(CLOSED_WITH_ERROR), true)))
            }
            Wake::Event(Err(RecvError::Closed)) => Step::Stop(Some(Outgoing::close(None, true))),
        };
        if let Step::Stop(record) = step {
            return Step::Stop(record);
        }
    }
}

fn sent(ok: bool) -> Step {
    if ok { Step::Continue } else { Step::Stop(None) }
}

async fn on_frame(link: &mut Link, connection: &Connection, frame: Option<Result<Message, axum::Error>>) -> Step {
    let bytes = match Link::frame_bytes(frame) {
        Ok(bytes) => bytes,
        Err(step) => return step,
    };
    link.last_received = Instant::now();
    let Some(bytes) = bytes else {
        return Step::Continue;
    };
    let Ok(records) = link.buffer.push(&bytes) else {
        return Step::Stop(Some(Outgoing::close(Some(CLOSED_WITH_ERROR), false)));
    };
    for record in records {
        if let Step::Stop(record) = on_record(link, connection, &record).await {
            return Step::Stop(record);
        }
    }
    Step::Continue
}

async fn on_record(link: &mut Link, connection: &Connection, bytes: &[u8]) -> Step {
    let Ok(incoming) = record::parse(bytes) else {
        return Step::Stop(Some(Outgoing::close(Some(CLOSED_WITH_ERROR), false)));
    };
    match incoming {
        Incoming::Invocation(call) => {
            let outcome = invoke(connection, &call).await;
            match call.invocation_id {
                Some(invocation_id) => {
                    let outcome = outcome.map_err(|error| error.to_string());
                    sent(link.send(&Outgoing::Completion { invocation_id, outcome }).await)
                }
                None => Step::Continue,
            }
        }
        Incoming::StreamInvocation(call) => match call.invocation_id {
            Some(invocation_id) => {
                let outcome = Err(invocation::streaming(&call.target).to_string());
                sent(link.send(&Outgoing::Completion { invocation_id, outcome }).await)
            }
            None => Step::Continue,
        },
        Incoming::Close => Step::Stop(None),
        Incoming::Ping | Incoming::Ignored(_) => Step::Continue,
    }
}

async fn invoke(connection: &Connection, call: &Invocation) -> Result<serde_json::Value, InvocationError> {
    // Decision 29: `--rate-limit` counts invocations, as it counts requests.
    if let Some(limiter) = &connection.state.rate_limiter
        && limiter.admit_credential(connection.credential.expose()).is_err()
    {
        return Err(InvocationError::rule(&call.target, HubRuleError::TooManyRequests));
    }
    let bound = invocation::bind(&call.target, &call.arguments)?;
    methods::call(&connection.state, connection.caller.principal, &call.target, bound).await
}

async fn on_event(link: &mut Link, connection: &Connection, outbound: &Outbound) -> Step {
    match delivery(connection.caller.principal, &outbound.published) {
        Delivery::Skip => Step::Continue,
        Delivery::Revoked => Step::Stop(Some(Outgoing::close(Some(TOKEN_REVOKED), false))),
        Delivery::Send => {
            // No event after the credential's `exp` (Decision 28).
            if connection.caller.expires_at.is_some_and(|exp| Utc::now() >= exp) {
                return Step::Stop(Some(Outgoing::close(Some(TOKEN_EXPIRED), true)));
            }
            match outbound.frame() {
                Some(frame) => sent(link.send_text(frame).await),
                None => Step::Continue,
            }
        }
    }
}
