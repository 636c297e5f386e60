//! The state every handler shares: storage, keys, hashing and settings.

use std::sync::Arc;

use chrono::TimeDelta;

use crate::auth::{Passwords, TokenKeys};
use crate::config::TokenFormatSetting;
use crate::rate_limit::RateLimiter;
use crate::store::Store;
use crate::throttle::SignInThrottle;

/// Settings handlers read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Lifetime of company tokens (Decision 12).
    pub company_token_ttl: TimeDelta,
    /// How get-token answers are shaped (Decision 1, `--token-format`).
    pub token_format: TokenFormatSetting,
    /// Page origins allowed to call `/api/` from a browser (`--cors-allow-origin`).
    pub cors_allow_origin: Vec<crate::cors::AllowedOrigin>,
    /// Whether `/demo/widget` is served (`--demo`).
    pub demo: bool,
    /// Whether the simulator's endpoints are served (`--simulator`, spec §7.4).
    pub simulator: bool,
}

/// Shared by every handler; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Database, read model and writer.
    pub store: Store,
    /// JWT signing and verification.
    pub keys: Arc<TokenKeys>,
    /// Password hashing.
    pub passwords: Passwords,
    /// Sign-in throttling.
    pub throttle: Arc<SignInThrottle>,
    /// Settings.
    pub settings: Arc<Settings>,
    /// `--rate-limit`, when on.
    pub rate_limiter: Option<Arc<RateLimiter>>,
    /// Committed changes, in commit order, for the hub (Decision 30).
    pub events: crate::events::EventBus,
    /// The hub's connections and timings (§7.3).
    pub hub: Arc<crate::hub::Hub>,
}
