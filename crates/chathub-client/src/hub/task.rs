//! The one task that owns the socket: it routes completions to waiting
//! callers, turns invocations into events, keeps the connection alive and
//! reconnects.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chathub_types::hub::TOKEN_REVOKED;
use chathub_types::hub::event::{self, EventError, ReceivedEvent};
use chathub_types::hub::record::{self, ClientRecord, RecordBuffer, ServerRecord};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep, sleep_until};
use tokio_tungstenite::tungstenite::Message;

use super::connect::{self, Opened, Socket, seconds};
use super::{CloseCause, HubEvent, Shared};
use crate::{Error, Result};

/// How long a goodbye (Close record and WebSocket close) may take.
const GOODBYE_WAIT: Duration = Duration::from_secs(1);

/// What a [`Hub`](super::Hub) asks of its task.
pub(super) enum Command {
    /// Invoke a method; the completion goes to `reply`.
    Invoke { target: &'static str, arguments: Vec<Value>, reply: oneshot::Sender<Result<Value>> },
    /// Close the connection and end.
    Close,
}

/// The task's ends of the channels and what it shares with the builder.
pub(super) struct Task {
    pub(super) shared: Arc<Shared>,
    pub(super) commands: mpsc::UnboundedReceiver<Command>,
    pub(super) events: mpsc::UnboundedSender<HubEvent>,
}

/// One open connection and its bookkeeping.
struct Link {
    socket: Socket,
    /// How long one write may take (the server timeout).
    write_timeout: Duration,
    buffer: RecordBuffer,
    last_sent: Instant,
    last_received: Instant,
    pending: HashMap<String, oneshot::Sender<Result<Value>>>,
    next_id: u64,
}

/// Why serving a connection ended.
enum End {
    /// The Hub was closed or dropped: end quietly.
    Stopped,
    /// Lost, or closed by the server with `allowReconnect`: reconnect.
    Lost(String),
    /// Closed by the server without `allowReconnect`: end with `Closed`.
    Closed(Option<String>, CloseCause),
}

/// What happened while waiting without a connection.
enum Idle<T> {
    Done(T),
    Stopped,
}

impl Link {
    fn new(opened: Opened, write_timeout: Duration) -> (Self, Vec<Vec<u8>>) {
        let now = Instant::now();
        let link = Self {
            socket: opened.socket,
            write_timeout,
            buffer: opened.buffer,
            last_sent: now,
            last_received: now,
            pending: HashMap::new(),
            next_id: 0,
        };
        (link, opened.early)
    }

    /// Writes a record; `Err` with why when the socket failed or the write
    /// took longer than the write timeout (the connection is then lost).
    async fn send(&mut self, record: &ClientRecord<'_>) -> std::result::Result<(), String> {
        self.last_sent = Instant::now();
        let writing = self.socket.send(Message::text(record.to_frame()));
        match tokio::time::timeout(self.write_timeout, writing).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(format!("the connection was lost: {error}")),
            Err(_) => Err(format!("a write took longer than {}", seconds(self.write_timeout))),
        }
    }

    /// Fails every waiting call: the connection they were written on is
    /// gone, and whether the server acted on them is unknown.
    fn fail_pending(&mut self, reason: &str) {
        for (_, reply) in self.pending.drain() {
            let _ = reply.send(Err(Error::HubOutcomeUnknown { reason: reason.to_owned() }));
        }
    }

    /// A Close record (when `record`) and a WebSocket close, best effort and bounded.
    async fn goodbye(mut self, record: bool) {
        let _ = tokio::time::timeout(GOODBYE_WAIT, async {
            if record {
                let _ = self.send(&ClientRecord::Close).await;
            }
            let _ = self.socket.close(None).await;
        })
        .await;
    }
}

impl Task {
    /// Serves `first`, reconnecting per the policy, until the end.
    pub(super) async fn run(mut self, first: Opened) {
        let mut opened = first;
        loop {
            let (mut link, early) = Link::new(opened, self.shared.settings.server_timeout);
            let end = self.serve(&mut link, early).await;
            let reason = match &end {
                End::Stopped => "the hub was closed".to_owned(),
                End::Lost(reason) => reason.clone(),
                End::Closed(reason, _) => reason.clone().unwrap_or_else(|| "closed by the server".to_owned()),
            };
            link.fail_pending(&reason);
            match end {
                End::Stopped => {
                    let _ = self.events.send(HubEvent::Closed { reason: None, cause: CloseCause::ClientClosed });
                    link.goodbye(true).await;
                    return;
                }
                End::Closed(reason, cause) => {
                    tracing::debug!(reason = reason.as_deref().unwrap_or(""), "chathub hub: closed by the server");
                    // The event first: the goodbye may take up to GOODBYE_WAIT.
                    let _ = self.events.send(HubEvent::Closed { reason, cause });
                    // The server closed first: no Close record back, only the WebSocket close.
                    link.goodbye(false).await;
                    return;
                }
                End::Lost(reason) => {
                    drop(link);
                    match self.reconnect(reason).await {
                        Some(next) => opened = next,
                        None => return,
                    }
                }
            }
        }
    }

    async fn serve(&mut self, link: &mut Link, early: Vec<Vec<u8>>) -> End {
        let settings = self.shared.settings;
        for bytes in early {
            if let Some(end) = self.on_record(link, &bytes) {
                return end;
            }
        }
        loop {
            let ping_at = link.last_sent + settings.keep_alive_interval;
            let timeout_at = link.last_received + settings.server_timeout;
            // Biased: what the server sent first (a long write may have kept
            // the task from reading, and a due timer must not count a
            // healthy connection lost), then the caller's commands, then timers.
            tokio::select! {
                biased;
                frame = link.socket.next() => {
                    link.last_received = Instant::now();
                    let bytes = match frame {
                        Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
                        Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                        Some(Ok(Message::Close(_))) => return End::Lost("the server closed the WebSocket".to_owned()),
                        Some(Err(error)) => return End::Lost(format!("the connection was lost: {error}")),
                        None => return End::Lost("the connection was lost".to_owned()),
                    };
                    let records = match link.buffer.push(&bytes) {
                        Ok(records) => records,
                        Err(error) => return End::Lost(error.to_string()),
                    };
                    for bytes in records {
                        if let Some(end) = self.on_record(link, &bytes) {
                            return end;
                        }
                    }
                    // Reads come first: under a steady stream of events the
                    // ping timer's branch may not get its turn.
                    if Instant::now() >= link.last_sent + settings.keep_alive_interval
                        && let Err(reason) = link.send(&ClientRecord::Ping).await
                    {
                        return End::Lost(reason);
                    }
                }
                command = self.commands.recv() => match command {
                    None | Some(Command::Close) => return End::Stopped,
                    Some(Command::Invoke { target, arguments, reply }) => {
                        let id = link.next_id.to_string();
                        link.next_id = link.next_id.wrapping_add(1);
                        let record = ClientRecord::Invocation { invocation_id: Some(&id), target, arguments: &arguments };
                        if let Err(reason) = link.send(&record).await {
                            // Part of it, or all of it, may have left.
                            let _ = reply.send(Err(Error::HubOutcomeUnknown { reason: reason.clone() }));
                            return End::Lost(reason);
                        }
                        link.pending.insert(id, reply);
                    }
                },
                () = sleep_until(timeout_at) => {
                    return End::Lost(format!("nothing from the server within {}", seconds(settings.server_timeout)));
                }
                () = sleep_until(ping_at) => {
                    if let Err(reason) = link.send(&ClientRecord::Ping).await {
                        return End::Lost(reason);
                    }
                }
            }
        }
    }

    /// Acts on one record; `Some` when it ends the connection.
    fn on_record(&self, link: &mut Link, bytes: &[u8]) -> Option<End> {
        let parsed = match record::parse_server(bytes) {
            Ok(parsed) => parsed,
            Err(error) => {
                tracing::debug!(%error, "chathub hub: skipped a record");
                return None;
            }
        };
        match parsed {
            ServerRecord::Invocation(invocation) => {
                match event::parse(&invocation.target, &invocation.arguments) {
                    Ok(received) => {
                        let _ = self.events.send(received.into());
                    }
                    Err(error @ EventError::UnknownTarget(_)) => tracing::debug!(%error, "chathub hub: ignored"),
                    Err(error) => tracing::debug!(%error, "chathub hub: skipped"),
                }
                None
            }
            ServerRecord::Completion { invocation_id, outcome } => {
                match link.pending.remove(&invocation_id) {
                    Some(reply) => {
                        let _ = reply.send(outcome.map_err(|message| Error::Hub { message }));
                    }
                    None => tracing::debug!(invocation_id, "chathub hub: a completion nobody waits for"),
                }
                None
            }
            ServerRecord::Close { error, allow_reconnect: true } => {
                Some(End::Lost(error.unwrap_or_else(|| "the server closed the connection".to_owned())))
            }
            ServerRecord::Close { error, allow_reconnect: false } => {
                let cause = if error.as_deref() == Some(TOKEN_REVOKED) {
                    CloseCause::Revoked
                } else {
                    CloseCause::ServerClosed
                };
                Some(End::Closed(error, cause))
            }
            ServerRecord::Ping | ServerRecord::Ignored(_) => None,
        }
    }

    /// Reconnects per the policy; `None` once the task should end (the
    /// `Closed` event is sent when it gives up or is refused for good).
    async fn reconnect(&mut self, mut reason: String) -> Option<Opened> {
        let policy = self.shared.policy.clone();
        let mut failed: usize = 0;
        loop {
            let attempt = u32::try_from(failed).unwrap_or(u32::MAX).saturating_add(1);
            let Some(delay) = policy.jittered_delay(failed, super::policy::jitter()) else {
                tracing::debug!(attempt, reason, "chathub hub: gave up reconnecting");
                let _ = self.events.send(HubEvent::Closed { reason: Some(reason), cause: CloseCause::GaveUp });
                return None;
            };
            tracing::debug!(attempt, reason, delay_ms = delay.as_millis() as u64, "chathub hub: reconnecting");
            let _ = self.events.send(HubEvent::Reconnecting { attempt, reason: reason.clone() });
            if let Idle::Stopped = self.idle(sleep(delay), &reason).await {
                return None;
            }
            let shared = Arc::clone(&self.shared);
            match self.idle(connect::open(&shared), &reason).await {
                Idle::Stopped => return None,
                Idle::Done(Ok(opened)) => {
                    tracing::debug!(attempt, "chathub hub: reconnected");
                    let _ = self.events.send(HubEvent::Reconnected);
                    return Some(opened);
                }
                Idle::Done(Err(error)) if self.is_final(&error) => {
                    tracing::debug!(%error, "chathub hub: refused for good");
                    let cause = match error {
                        Error::Forbidden { .. } | Error::Unauthorized { .. } => CloseCause::CredentialRefused,
                        _ => CloseCause::GaveUp,
                    };
                    let _ = self.events.send(HubEvent::Closed { reason: Some(error.to_string()), cause });
                    return None;
                }
                Idle::Done(Err(error)) => reason = error.to_string(),
            }
            failed = failed.saturating_add(1);
        }
    }

    /// Errors no retry can fix: a revoked credential (403), a refused
    /// company credential after a fresh sign-in (401), a bad configuration.
    /// An operator token source may have a better token next time.
    fn is_final(&self, error: &Error) -> bool {
        match error {
            Error::Forbidden { .. } | Error::InvalidConfig(_) => true,
            Error::Unauthorized { .. } => self.shared.operator_source.is_none(),
            _ => false,
        }
    }

    /// Runs `work` while there is no connection: calls fail at once,
    /// a close or a dropped Hub stops.
    async fn idle<T>(&mut self, work: impl Future<Output = T>, reason: &str) -> Idle<T> {
        let mut work = std::pin::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return Idle::Done(done),
                command = self.commands.recv() => match command {
                    None | Some(Command::Close) => return Idle::Stopped,
                    Some(Command::Invoke { reply, .. }) => {
                        let reason = format!("reconnecting: {reason}");
                        let _ = reply.send(Err(Error::HubConnection { reason }));
                    }
                },
            }
        }
    }
}

impl From<ReceivedEvent> for HubEvent {
    fn from(received: ReceivedEvent) -> Self {
        match received {
            ReceivedEvent::ChatCreated(chat) => Self::ChatCreated { chat },
            ReceivedEvent::ReceiveMessage(message) | ReceivedEvent::ReceiveMediaMessage(message) => {
                Self::MessageReceived { message }
            }
            ReceivedEvent::ChatStatusChanged(chat_id, status) => Self::ChatStatusChanged { chat_id, status },
            ReceivedEvent::MessageStatusChanged(message_id, status) => {
                Self::MessageStatusChanged { message_id, status }
            }
        }
    }
}
