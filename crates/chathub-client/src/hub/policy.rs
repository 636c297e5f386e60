//! [`ReconnectPolicy`]: how long to wait before each reconnect attempt.

use std::time::Duration;

/// The waits of `@microsoft/signalr`'s automatic reconnect: 0, 2, 10 and 30 s.
const SIGNALR_DELAYS: [Duration; 4] =
    [Duration::ZERO, Duration::from_secs(2), Duration::from_secs(10), Duration::from_secs(30)];

/// How a [`Hub`](super::Hub) reconnects after losing its connection: the
/// wait before each attempt, and when to give up (then the hub yields
/// [`HubEvent::Closed`](super::HubEvent::Closed)).
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
    /// the first), or `None` to give up.
    pub fn delay(&self, failed: usize) -> Option<Duration> {
        self.delays.get(failed).copied().or(self.then)
    }
}
