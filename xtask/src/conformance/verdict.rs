//! What a check ends with: passed, failed (what was expected, what came
//! back) or skipped (why), and helpers that turn surprises into failures
//! so checks read as straight-line code with `?`.

use std::fmt::Debug;

/// Why a check stopped before passing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The server did not do what the spec says.
    Fail {
        /// What the spec asks for.
        expected: String,
        /// What came back (status, trimmed body) or what went wrong.
        got: String,
    },
    /// The check cannot run against this server (and why).
    Skip(String),
}

/// The result of one check: `Ok(())` when it passed.
pub type Outcome = Result<(), Stop>;

/// A failure: `expected`, but `got`.
pub fn fail(expected: impl Into<String>, got: impl Into<String>) -> Stop {
    Stop::Fail { expected: expected.into(), got: got.into() }
}

/// A skip with its reason.
pub fn skip(reason: impl Into<String>) -> Stop {
    Stop::Skip(reason.into())
}

/// Fails with `expected`/`got()` unless `condition` holds.
pub fn ensure(condition: bool, expected: impl Into<String>, got: impl FnOnce() -> String) -> Outcome {
    if condition { Ok(()) } else { Err(fail(expected, got())) }
}

/// Fails unless `got == want`, naming `what`.
pub fn ensure_eq<T: PartialEq + Debug>(what: &str, got: T, want: T) -> Outcome {
    if got == want { Ok(()) } else { Err(fail(format!("{what} = {want:?}"), format!("{got:?}"))) }
}

/// Turns a chathub-client error into a failure that says what was expected.
pub trait Expecting<T> {
    /// `Ok` as it is; an error becomes a failure expecting `what`.
    fn expecting(self, what: &str) -> Result<T, Stop>;
}

impl<T> Expecting<T> for chathub_client::Result<T> {
    fn expecting(self, what: &str) -> Result<T, Stop> {
        self.map_err(|error| fail(what, one_line(&error.to_string(), 300)))
    }
}

/// `text` on one line (newlines shown as `⏎`), cut to `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.trim().chars().map(|c| if c == '\n' || c == '\r' { '⏎' } else { c }).collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_flattens_and_cuts() {
        assert_eq!(one_line(" a\nb\r\n ", 10), "a⏎b");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("ééé", 3), "ééé");
    }

    #[test]
    fn ensure_eq_names_both_sides() {
        assert_eq!(ensure_eq("status", 1, 1), Ok(()));
        assert_eq!(ensure_eq("status", 2, 1), Err(fail("status = 1", "2")));
    }
}
