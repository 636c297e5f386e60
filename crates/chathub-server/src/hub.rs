//! The real-time hub `/chathub` (spec §7.3, Decisions 28-30): SignalR's
//! JSON hub protocol over WebSockets, as `@microsoft/signalr` speaks it.
//!
//! - [`negotiate`]: `POST /chathub/negotiate` registers a connection token.
//! - [`upgrade`]: `/chathub` checks the credential, the token and the
//!   transport, then upgrades.
//! - [`connection`]: one task per socket: handshake, records, keep-alive,
//!   closing on expiry or revocation.
//! - [`methods`]: `SendMessage` and `SendMediaMessage`.
//! - [`broadcast`]: which committed events a connection sees, as records.
//! - [`Hub::shutdown`]: on graceful shutdown every open connection gets
//!   Close `{"type":7,"allowReconnect":true}` and its socket is closed.
//!
//! The pure protocol (records, handshake, texts) is `chathub_types::hub`.

pub mod broadcast;
pub mod connection;
pub mod credential;
pub mod methods;
pub mod negotiate;
pub mod registry;
pub mod upgrade;

use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::routing::{any, post};
use chathub_types::hub as wire;
use tokio::sync::watch;

use crate::state::AppState;

/// The hub's timings; [`Default`] is the spec's (§7.3). Tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubSettings {
    /// A handshake must arrive within this long of the upgrade.
    pub handshake_timeout: Duration,
    /// A ping goes out after this long without sending.
    pub keep_alive_interval: Duration,
    /// A connection is closed after this long without receiving.
    pub client_timeout: Duration,
    /// A negotiated connection token unused for this long is forgotten.
    pub negotiation_ttl: Duration,
}

impl Default for HubSettings {
    fn default() -> Self {
        Self {
            handshake_timeout: wire::HANDSHAKE_TIMEOUT,
            keep_alive_interval: wire::KEEP_ALIVE_INTERVAL,
            client_timeout: wire::CLIENT_TIMEOUT,
            negotiation_ttl: wire::NEGOTIATION_TTL,
        }
    }
}

/// The hub's shared state: negotiated connections, settings, and the
/// shutdown every open connection watches.
#[derive(Debug)]
pub struct Hub {
    registry: registry::Registry,
    settings: RwLock<HubSettings>,
    /// Set once the server shuts down: open connections close with
    /// `{"type":7,"allowReconnect":true}`, new ones at once.
    shutting_down: watch::Sender<bool>,
    /// How many connection tasks are running.
    live: watch::Sender<usize>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            registry: registry::Registry::default(),
            settings: RwLock::default(),
            shutting_down: watch::Sender::new(false),
            live: watch::Sender::new(0),
        }
    }
}

/// Counts a running connection task while it lives.
#[derive(Debug)]
pub struct LiveConnection {
    live: watch::Sender<usize>,
}

impl Drop for LiveConnection {
    fn drop(&mut self) {
        self.live.send_modify(|count| *count = count.saturating_sub(1));
    }
}

/// The longest [`Hub::shutdown`] waits for connections to send their Close.
pub const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

impl Hub {
    /// A hub with the spec's timings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Graceful shutdown (axum's does not close upgraded sockets): every
    /// open connection gets Close `{"type":7,"allowReconnect":true}` and
    /// its socket is closed; connections made from now on are closed the
    /// same way right after the upgrade. Waits until every connection task
    /// has ended, at most [`SHUTDOWN_WAIT`].
    pub async fn shutdown(&self) {
        self.begin_shutdown();
        let mut live = self.live.subscribe();
        let _ = tokio::time::timeout(SHUTDOWN_WAIT, live.wait_for(|count| *count == 0)).await;
    }

    /// Starts [`Hub::shutdown`] without waiting (for `Drop`).
    pub fn begin_shutdown(&self) {
        self.shutting_down.send_replace(true);
    }

    /// A receiver that turns `true` once the server shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutting_down.subscribe()
    }

    /// Counts a connection task until the guard drops.
    pub fn live_connection(&self) -> LiveConnection {
        self.live.send_modify(|count| *count += 1);
        LiveConnection { live: self.live.clone() }
    }

    /// The timings new connections get.
    pub fn settings(&self) -> HubSettings {
        *self.settings.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the timings for connections made from now on (tests).
    pub fn set_settings(&self, settings: HubSettings) {
        *self.settings.write().unwrap_or_else(PoisonError::into_inner) = settings;
    }

    /// The negotiated and connected connections.
    pub fn registry(&self) -> &registry::Registry {
        &self.registry
    }
}

/// The hub's routes: negotiate (POST only, so GET is 405) and `/chathub`
/// (any method: upgrades, and the 404 for other transports).
pub fn routes() -> Router<AppState> {
    Router::new().route(wire::NEGOTIATE_PATH, post(negotiate::negotiate)).route(wire::PATH, any(upgrade::connect))
}

#[cfg(test)]
mod tests {
    use futures::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

    use crate::testing::TestServer;

    async fn next_text(
        socket: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    ) -> Option<String> {
        let wait = std::time::Duration::from_secs(10);
        loop {
            match tokio::time::timeout(wait, socket.next()).await.expect("a frame in time")? {
                Ok(Message::Text(text)) => return Some(text.to_string()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    #[tokio::test]
    async fn shutdown_closes_open_connections_with_allow_reconnect() {
        let server = TestServer::start().await.unwrap();
        let url = format!("ws://{}/chathub", server.address());
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert("x-authorization-key", "acme-static-api-key-0001".parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        socket.send(Message::text("{\"protocol\":\"json\",\"version\":1}\u{1e}")).await.unwrap();
        assert_eq!(next_text(&mut socket).await.as_deref(), Some("{}\u{1e}"));
        assert_eq!(server.state().hub.registry().connected(), 1);

        let hub = std::sync::Arc::clone(&server.state().hub);
        server.stop().await;
        let close = next_text(&mut socket).await.expect("a Close record");
        let close: serde_json::Value = serde_json::from_str(close.trim_end_matches('\u{1e}')).unwrap();
        assert_eq!(close, serde_json::json!({"type": 7, "allowReconnect": true}));
        assert_eq!(next_text(&mut socket).await, None, "then the socket closes");
        assert_eq!(hub.registry().connected(), 0, "stop waited for the connection to end");
    }
}
