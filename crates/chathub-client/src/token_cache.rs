//! An optional cache of operator tokens, one per operator.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use chathub_types::OperatorId;
use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::{Client, Error, IssuedOperatorToken, Result};

/// Reuses each operator's token until three quarters of its lifetime have
/// passed, then issues a new one. Concurrent callers for one operator share
/// one request (and its error). Cheap to clone: clones share the cache.
///
/// ```no_run
/// # async fn run(client: chathub_client::Client) -> Result<(), chathub_client::Error> {
/// use std::time::Duration;
/// use chathub_client::{OperatorTokenCache, widget};
/// let tokens = OperatorTokenCache::new(client, Duration::from_secs(8 * 3600));
/// let issued = tokens.get(101).await?; // issued
/// let again = tokens.get(101).await?; // reused
/// assert_eq!(issued.token, again.token);
/// println!("{}", widget::script_tag(&again.token));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct OperatorTokenCache {
    inner: Arc<CacheInner>,
}

#[derive(Debug)]
struct CacheInner {
    client: Client,
    lifetime: Duration,
    slots: std::sync::Mutex<HashMap<OperatorId, Arc<Slot>>>,
}

#[derive(Debug, Default)]
struct Slot {
    /// Requests finished for this operator (successful or not).
    requests: AtomicU64,
    state: Mutex<SlotState>,
}

#[derive(Debug, Default)]
struct SlotState {
    token: Option<Cached>,
    last_failure: Option<Error>,
}

#[derive(Debug)]
struct Cached {
    issued: IssuedOperatorToken,
    /// When the client asked for it.
    requested_at: DateTime<Utc>,
}

impl Cached {
    /// Whether less than three quarters of its lifetime have passed.
    fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        let lifetime = self.issued.expires_at - self.requested_at;
        now < self.requested_at + lifetime * 3 / 4
    }
}

impl OperatorTokenCache {
    /// A cache that issues tokens living `lifetime` (at most 24 hours; a
    /// longer one fails each [`OperatorTokenCache::get`] with
    /// [`Error::InvalidInput`]).
    pub fn new(client: Client, lifetime: Duration) -> Self {
        Self { inner: Arc::new(CacheInner { client, lifetime, slots: std::sync::Mutex::default() }) }
    }

    /// The operator's token: the cached one while fresh, else a new one.
    pub async fn get(&self, operator: impl Into<OperatorId>) -> Result<IssuedOperatorToken> {
        let operator = operator.into();
        let slot = self.slot(operator);
        let requests_before = slot.requests.load(Ordering::Acquire);
        let mut state = slot.state.lock().await;
        if let Some(cached) = &state.token
            && cached.is_fresh(Utc::now())
        {
            return Ok(cached.issued.clone());
        }
        if slot.requests.load(Ordering::Acquire) != requests_before
            && let Some(failure) = &state.last_failure
        {
            return Err(failure.clone());
        }
        let requested_at = Utc::now();
        let result = self.inner.client.operators().issue_token(operator, self.inner.lifetime).await;
        slot.requests.fetch_add(1, Ordering::AcqRel);
        match result {
            Ok(issued) => {
                state.last_failure = None;
                state.token = Some(Cached { issued: issued.clone(), requested_at });
                Ok(issued)
            }
            Err(error) => {
                state.token = None;
                state.last_failure = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Forgets an operator's token (e.g. after making it Inactive, which revokes it).
    pub fn invalidate(&self, operator: impl Into<OperatorId>) {
        self.slots().remove(&operator.into());
    }

    /// Forgets every token.
    pub fn clear(&self) {
        self.slots().clear();
    }

    fn slot(&self, operator: OperatorId) -> Arc<Slot> {
        self.slots().entry(operator).or_default().clone()
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<OperatorId, Arc<Slot>>> {
        // The map is never left half-changed, so a poisoned lock is still usable.
        self.inner.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
