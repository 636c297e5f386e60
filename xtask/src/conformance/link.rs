//! Whether the server still answers at all. Every request reports here;
//! after [`SILENCE_LIMIT`] requests in a row without an HTTP answer (time
//! out, refused, dropped), the checks still to run fail at once with that
//! reason instead of each waiting out its own time limit.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Requests in a row without an answer after which the server counts as gone.
pub const SILENCE_LIMIT: u32 = 3;

static SILENT_IN_A_ROW: AtomicU32 = AtomicU32::new(0);
static LAST_SILENCE: Mutex<String> = Mutex::new(String::new());

/// An HTTP answer came back (whatever its status).
pub fn answered() {
    SILENT_IN_A_ROW.store(0, Ordering::Relaxed);
}

/// A request got no HTTP answer, for `reason`.
pub fn silent(reason: &str) {
    SILENT_IN_A_ROW.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut last) = LAST_SILENCE.lock() {
        reason.clone_into(&mut last);
    }
}

/// Why the server counts as gone, or `None` while it answers.
pub fn gone() -> Option<String> {
    let silent = SILENT_IN_A_ROW.load(Ordering::Relaxed);
    (silent >= SILENCE_LIMIT).then(|| {
        let last = LAST_SILENCE.lock().map(|l| l.clone()).unwrap_or_default();
        format!("not run: the server gave no answer to the last {silent} requests (the last: {last})")
    })
}

/// Reports a chathub-client result: an error without an answer is silence.
pub fn observe<T>(result: &chathub_client::Result<T>) {
    match result {
        Ok(_) => answered(),
        Err(error @ (chathub_client::Error::Transport(_) | chathub_client::Error::Timeout { .. })) => {
            silent(&error.to_string());
        }
        Err(error) if error.status().is_some() => answered(),
        Err(_) => {}
    }
}
