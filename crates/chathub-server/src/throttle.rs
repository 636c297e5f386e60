//! Sign-in throttling (Decision 2): after 10 failed sign-ins for one login,
//! or from one client address, within 60 seconds, further attempts for it
//! are refused with 429 until the window passes. Per process (see
//! docs/scaling.md when several servers share a database).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chathub_types::limits::{SIGN_IN_FAILURES_BEFORE_THROTTLE, SIGN_IN_WINDOW_SECS};

/// Most keys remembered; beyond it the oldest-expiring entries are swept.
const MAX_KEYS: usize = 100_000;

/// What a throttled key is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Login(String),
    Address(IpAddr),
}

impl Key {
    /// The key of a login: its first 256 characters, for checks and records alike.
    fn login(login: &str) -> Self {
        Self::Login(login.chars().take(256).collect())
    }
}

/// Failed sign-ins per login and per client address, in a sliding window.
#[derive(Debug)]
pub struct SignInThrottle {
    window: Duration,
    limit: usize,
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self::new(Duration::from_secs(SIGN_IN_WINDOW_SECS as u64), SIGN_IN_FAILURES_BEFORE_THROTTLE as usize)
    }
}

impl SignInThrottle {
    /// A throttle allowing `limit` failures per `window`.
    pub fn new(window: Duration, limit: usize) -> Self {
        Self { window, limit, failures: Mutex::new(HashMap::new()) }
    }

    /// `Some(seconds to wait)` when `login` or `address` has used up its failures.
    pub fn check(&self, login: &str, address: Option<IpAddr>, now: Instant) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let keys = [Some(Key::login(login)), address.map(Key::Address)];
        keys.into_iter()
            .flatten()
            .filter_map(|key| {
                let times = failures.get_mut(&key)?;
                self.prune(times, now);
                (times.len() >= self.limit).then(|| {
                    let oldest = times.front().copied().unwrap_or(now);
                    let wait = (oldest + self.window).saturating_duration_since(now);
                    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
                })
            })
            .max()
            .map(|secs| secs.max(1))
    }

    /// Records a failed sign-in for `login` and `address`.
    pub fn record_failure(&self, login: &str, address: Option<IpAddr>, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, times| times.back().is_some_and(|last| now.duration_since(*last) < self.window));
        }
        let keys = [Some(Key::login(login)), address.map(Key::Address)];
        for key in keys.into_iter().flatten() {
            let times = failures.entry(key).or_default();
            self.prune(times, now);
            times.push_back(now);
            while times.len() > self.limit {
                times.pop_front();
            }
        }
    }

    fn prune(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times.front().is_some_and(|first| now.duration_since(*first) >= self.window) {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_lock_a_login_until_the_window_passes() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        for i in 0..10 {
            assert_eq!(throttle.check("acme", None, start), None, "attempt {i}");
            throttle.record_failure("acme", None, start + Duration::from_secs(i));
        }
        assert_eq!(throttle.check("acme", None, start + Duration::from_secs(10)), Some(50));
        assert_eq!(throttle.check("other", None, start + Duration::from_secs(10)), None);
        assert_eq!(throttle.check("acme", None, start + Duration::from_secs(60)), None);
    }

    #[test]
    fn a_long_login_is_checked_under_the_key_it_was_recorded_under() {
        let throttle = SignInThrottle::default();
        let login = "x".repeat(300);
        let now = Instant::now();
        for _ in 0..10 {
            throttle.record_failure(&login, None, now);
        }
        assert!(throttle.check(&login, None, now).is_some());
    }

    #[test]
    fn an_address_is_throttled_across_logins() {
        let throttle = SignInThrottle::default();
        let address = Some(IpAddr::from([127, 0, 0, 9]));
        let now = Instant::now();
        for i in 0..10 {
            throttle.record_failure(&format!("login-{i}"), address, now);
        }
        assert!(throttle.check("fresh-login", address, now).is_some());
        assert!(throttle.check("fresh-login", Some(IpAddr::from([127, 0, 0, 10])), now).is_none());
    }
}
