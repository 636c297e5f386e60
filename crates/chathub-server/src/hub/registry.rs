//! Negotiated connections (§7.3): a token is usable once, within the
//! negotiation TTL, by the principal that negotiated it; while its socket
//! is open a second upgrade gets 409; once it closes, the token is gone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine;
use tokio::time::Instant;

use crate::auth::Principal;

/// The connections a hub knows.
#[derive(Debug, Default)]
pub struct Registry {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    principal: Principal,
    negotiated_at: Instant,
    connected: bool,
}

/// Why an upgrade's `id` cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    /// Unknown, expired unused, or negotiated by another principal: 404.
    #[error("No Connection with that ID")]
    Unknown,
    /// Its socket is open: 409.
    #[error("Connection ID already in use")]
    InUse,
}

/// A connected entry; dropping it forgets the connection.
#[derive(Debug)]
pub struct Claim {
    key: String,
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.key);
    }
}

/// A random 128-bit id, base64url without padding (22 characters).
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Registry {
    /// Remembers a negotiation under `key` (the id the upgrade will carry).
    pub fn negotiated(&self, key: String, principal: Principal, ttl: Duration) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, entry| entry.connected || now.duration_since(entry.negotiated_at) < ttl);
        entries.insert(key, Entry { principal, negotiated_at: now, connected: false });
    }

    /// Marks `key` connected for `principal`.
    pub fn claim(&self, key: &str, principal: Principal, ttl: Duration) -> Result<Claim, ClaimError> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get_mut(key).ok_or(ClaimError::Unknown)?;
        if entry.principal != principal {
            return Err(ClaimError::Unknown);
        }
        if entry.connected {
            return Err(ClaimError::InUse);
        }
        if entry.negotiated_at.elapsed() >= ttl {
            entries.remove(key);
            return Err(ClaimError::Unknown);
        }
        entry.connected = true;
        Ok(Claim { key: key.to_owned(), entries: Arc::clone(&self.entries) })
    }

    /// A connection made without negotiating (`skipNegotiation`).
    pub fn unnegotiated(&self, principal: Principal) -> Claim {
        let key = random_id();
        let entry = Entry { principal, negotiated_at: Instant::now(), connected: true };
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).insert(key.clone(), entry);
        Claim { key, entries: Arc::clone(&self.entries) }
    }

    /// How many connections are open now.
    pub fn connected(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).values().filter(|entry| entry.connected).count()
    }
}

#[cfg(test)]
mod tests {
    use chathub_types::CompanyId;

    use super::*;

    const TTL: Duration = Duration::from_secs(15);

    #[tokio::test]
    async fn once_per_principal_and_gone_after_close() {
        let registry = Registry::default();
        let acme = Principal::Company(CompanyId(1));
        registry.negotiated("t".to_owned(), acme, TTL);
        assert_eq!(registry.claim("t", Principal::Company(CompanyId(2)), TTL).unwrap_err(), ClaimError::Unknown);
        assert_eq!(registry.claim("u", acme, TTL).unwrap_err(), ClaimError::Unknown);
        let claim = registry.claim("t", acme, TTL).unwrap();
        assert_eq!(registry.connected(), 1);
        assert_eq!(registry.claim("t", acme, TTL).unwrap_err(), ClaimError::InUse);
        drop(claim);
        assert_eq!(registry.connected(), 0);
        assert_eq!(registry.claim("t", acme, TTL).unwrap_err(), ClaimError::Unknown);
    }

    #[tokio::test]
    async fn an_unused_token_expires() {
        let registry = Registry::default();
        let acme = Principal::Company(CompanyId(1));
        registry.negotiated("t".to_owned(), acme, TTL);
        // A TTL of zero has passed for any token.
        assert_eq!(registry.claim("t", acme, Duration::ZERO).unwrap_err(), ClaimError::Unknown);
        assert_eq!(registry.claim("t", acme, TTL).unwrap_err(), ClaimError::Unknown, "forgotten once expired");
        assert_eq!(random_id().len(), 22);
    }
}
