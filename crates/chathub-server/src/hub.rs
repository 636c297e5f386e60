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

/// The hub's shared state: negotiated connections and settings.
#[derive(Debug, Default)]
pub struct Hub {
    registry: registry::Registry,
    settings: RwLock<HubSettings>,
}

impl Hub {
    /// A hub with the spec's timings.
    pub fn new() -> Self {
        Self::default()
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
