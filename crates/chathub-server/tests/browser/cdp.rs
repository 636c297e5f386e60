//! A small Chrome DevTools Protocol client: one WebSocket to the browser,
//! commands answered by id, and every event kept in order so a test can
//! wait for one or read them all afterwards (console errors, requests).
//! Sessions are flat (`Target.attachToTarget` with `flatten`), so one
//! socket carries the browser's and every page's messages.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// How long one command may take before the test fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

/// One event: its method, parameters and the session it belongs to (none: the browser's).
#[derive(Debug, Clone)]
pub struct Event {
    /// E.g. `Page.loadEventFired`.
    pub method: String,
    /// Its parameters.
    pub params: Value,
    /// The page session, if any.
    pub session: Option<String>,
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

#[derive(Default)]
struct Events {
    list: Mutex<Vec<Event>>,
    added: Notify,
}

/// A connection to the browser; cheap to clone.
#[derive(Clone)]
pub struct Connection {
    outgoing: mpsc::UnboundedSender<String>,
    pending: Pending,
    events: Arc<Events>,
    next_id: Arc<AtomicU64>,
}

impl Connection {
    /// Connects to the browser's DevTools WebSocket.
    pub async fn connect(url: &str) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("connect to Chromium's DevTools socket");
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut queue) = mpsc::unbounded_channel::<String>();
        let pending: Pending = Arc::default();
        let events: Arc<Events> = Arc::default();
        tokio::spawn(async move {
            while let Some(text) = queue.recv().await {
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
        });
        let (reader_pending, reader_events) = (pending.clone(), events.clone());
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                dispatch(value, &reader_pending, &reader_events);
            }
            // The browser went away: fail every command still waiting.
            for (_, waiter) in reader_pending.lock().unwrap_or_else(PoisonError::into_inner).drain() {
                let _ = waiter.send(Err("the DevTools connection closed".to_owned()));
            }
        });
        Self { outgoing, pending, events, next_id: Arc::new(AtomicU64::new(1)) }
    }

    /// Sends a command (to a page session when given) and waits for its result.
    pub async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let (answer, answered) = oneshot::channel();
        self.pending.lock().unwrap_or_else(PoisonError::into_inner).insert(id, answer);
        self.outgoing.send(message.to_string()).map_err(|_| "the DevTools connection closed".to_owned())?;
        match tokio::time::timeout(COMMAND_TIMEOUT, answered).await {
            Ok(Ok(result)) => result.map_err(|error| format!("{method}: {error}")),
            Ok(Err(_)) => Err(format!("{method}: the DevTools connection closed")),
            Err(_) => Err(format!("{method}: no answer within {COMMAND_TIMEOUT:?}")),
        }
    }

    /// How many events have arrived so far (a mark for [`Self::wait_for_event`]).
    pub fn event_count(&self) -> usize {
        self.events.list.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Every event of `session` so far.
    pub fn events_of(&self, session: &str) -> Vec<Event> {
        let list = self.events.list.lock().unwrap_or_else(PoisonError::into_inner);
        list.iter().filter(|event| event.session.as_deref() == Some(session)).cloned().collect()
    }

    /// Waits for an event of `session` named `method`, arrived after the `since` mark:
    /// its index (the next mark to wait from is one past it) and the event.
    pub async fn wait_for_event(&self, session: &str, method: &str, since: usize, timeout: Duration) -> (usize, Event) {
        let found = tokio::time::timeout(timeout, async {
            let mut seen = since;
            loop {
                let added = self.events.added.notified();
                {
                    let list = self.events.list.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(offset) = list[seen..]
                        .iter()
                        .position(|event| event.method == method && event.session.as_deref() == Some(session))
                    {
                        return (seen + offset, list[seen + offset].clone());
                    }
                    seen = list.len();
                }
                added.await;
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no {method} event within {timeout:?}"))
    }

    /// The events of `session` that arrived after the `since` mark.
    pub fn events_since(&self, session: &str, since: usize) -> Vec<Event> {
        let list = self.events.list.lock().unwrap_or_else(PoisonError::into_inner);
        list[since.min(list.len())..]
            .iter()
            .filter(|event| event.session.as_deref() == Some(session))
            .cloned()
            .collect()
    }
}

fn dispatch(value: Value, pending: &Pending, events: &Events) {
    if let Some(id) = value.get("id").and_then(Value::as_u64) {
        let waiter = pending.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
        if let Some(waiter) = waiter {
            let result = match value.get("error") {
                Some(error) => Err(error.to_string()),
                None => Ok(value.get("result").cloned().unwrap_or(Value::Null)),
            };
            let _ = waiter.send(result);
        }
        return;
    }
    if let Some(method) = value.get("method").and_then(Value::as_str) {
        let event = Event {
            method: method.to_owned(),
            params: value.get("params").cloned().unwrap_or(Value::Null),
            session: value.get("sessionId").and_then(Value::as_str).map(str::to_owned),
        };
        events.list.lock().unwrap_or_else(PoisonError::into_inner).push(event);
        events.added.notify_waiters();
    }
}
