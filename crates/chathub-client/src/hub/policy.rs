//! [`ReconnectPolicy`]: how long to wait before each reconnect attempt.

use std::time::Duration;

/// The shortest wait before any attempt but the first (100 ms).
pub const MIN_RETRY_DELAY: Duration = Duration::from_millis(100);

/// The waits of `@microsoft/signalr`'s automatic reconnect: 0, 2, 10 and 30 s.
const SIGNALR_DELAYS: [Duration; 4] =
    [Duration::ZERO, Duration::from_secs(2), Duration::from_secs(10), Duration::from_secs(30)];

/// How a [`Hub`](super::Hub) reconnects after losing its connection: the
/// wait before each attempt, and when to give up (then the hub yields
/// [`HubEvent::Closed`](super::HubEvent::Closed)).
///
/// Only the first attempt may start at once: every later wait is at least
/// [`MIN_RETRY_DELAY`] (100 ms), so a server refusing at once is not
/// hammered. The hub also spreads each non-zero wait by up to ±20 %
/// (jitter), so clients dropped together do not come back together.
///
/// ```
/// use std::time::Duration;
/// use chathub_client::hub::ReconnectPolicy;
///
/// // Like @microsoft/signalr: at once, then after 2, 10 and 30 s, then give up.
/// let default = ReconnectPolicy::default();
/// assert_eq!(default.delay(0), Some(Duration::ZERO));
/// assert_eq!(default.delay(3), Some(Duration::from_secs(30)));
/// assert_eq!(default.delay(4), None);
///
/// // The same start, then every minute for ever.
/// let forever = ReconnectPolicy::forever(Duration::from_secs(60));
/// assert_eq!(forever.delay(1000), Some(Duration::from_secs(60)));
///
/// assert_eq!(ReconnectPolicy::never().delay(0), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconnectPolicy {
    delays: Vec<Duration>,
    then: Option<Duration>,
}

impl Default for ReconnectPolicy {
    /// 0, 2, 10 and 30 s, then give up (`@microsoft/signalr`'s default).
    fn default() -> Self {
        Self { delays: SIGNALR_DELAYS.to_vec(), then: None }
    }
}

impl ReconnectPolicy {
    /// Never reconnect: a lost connection ends the hub at once.
    pub fn never() -> Self {
        Self { delays: Vec::new(), then: None }
    }

    /// The default waits (0, 2, 10, 30 s), then `every` between attempts,
    /// never giving up.
    pub fn forever(every: Duration) -> Self {
        Self { delays: SIGNALR_DELAYS.to_vec(), then: Some(every) }
    }

    /// Exactly these waits, one per attempt, then give up.
    pub fn delays(delays: impl IntoIterator<Item = Duration>) -> Self {
        Self { delays: delays.into_iter().collect(), then: None }
    }

    /// The wait before the attempt after `failed` failed attempts (0 for
    /// the first), or `None` to give up: as configured, but at least
    /// [`MIN_RETRY_DELAY`] after the first (before the hub's jitter).
    ///
    /// ```
    /// use std::time::Duration;
    /// use chathub_client::hub::{MIN_RETRY_DELAY, ReconnectPolicy};
    /// let eager = ReconnectPolicy::delays([Duration::ZERO; 3]);
    /// assert_eq!(eager.delay(0), Some(Duration::ZERO));
    /// assert_eq!(eager.delay(1), Some(MIN_RETRY_DELAY));
    /// assert_eq!(ReconnectPolicy::forever(Duration::ZERO).delay(99), Some(MIN_RETRY_DELAY));
    /// ```
    pub fn delay(&self, failed: usize) -> Option<Duration> {
        let delay = self.delays.get(failed).copied().or(self.then)?;
        Some(if failed == 0 { delay } else { delay.max(MIN_RETRY_DELAY) })
    }

    /// [`ReconnectPolicy::delay`] spread by `jitter` in `[-1, 1]` times 20 %.
    pub(super) fn jittered_delay(&self, failed: usize, jitter: f64) -> Option<Duration> {
        let delay = self.delay(failed)?;
        if delay.is_zero() {
            return Some(delay);
        }
        let factor = 1.0 + 0.2 * jitter.clamp(-1.0, 1.0);
        Some(delay.mul_f64(factor).max(if failed == 0 { Duration::ZERO } else { MIN_RETRY_DELAY }))
    }
}

/// A number in `[-1, 1]`, different on every call (no cryptographic quality).
pub(super) fn jitter() -> f64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    let bits = hasher.finish() >> 11; // 53 bits
    #[allow(clippy::cast_precision_loss)]
    let unit = bits as f64 / (1u64 << 53) as f64;
    unit * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_attempt_may_be_immediate() {
        let zero = ReconnectPolicy::delays([Duration::ZERO; 4]);
        assert_eq!(zero.delay(0), Some(Duration::ZERO));
        assert_eq!(zero.delay(1), Some(MIN_RETRY_DELAY));
        assert_eq!(zero.delay(4), None);
        assert_eq!(ReconnectPolicy::forever(Duration::ZERO).delay(usize::MAX), Some(MIN_RETRY_DELAY));
        assert_eq!(zero.jittered_delay(0, 1.0), Some(Duration::ZERO));
        assert_eq!(zero.jittered_delay(1, -1.0), Some(MIN_RETRY_DELAY), "never under the floor");
    }

    #[test]
    fn jitter_spreads_by_at_most_a_fifth() {
        let policy = ReconnectPolicy::default();
        assert_eq!(policy.jittered_delay(1, 1.0), Some(Duration::from_millis(2400)));
        assert_eq!(policy.jittered_delay(1, -1.0), Some(Duration::from_millis(1600)));
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100 {
            let value = jitter();
            assert!((-1.0..=1.0).contains(&value), "{value}");
            let wait = policy.jittered_delay(3, value).unwrap();
            assert!(wait >= Duration::from_secs(24) && wait <= Duration::from_secs(36), "{wait:?}");
            seen.insert(wait);
        }
        assert!(seen.len() > 50, "the waits differ: {}", seen.len());
    }
}
