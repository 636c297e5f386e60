//! What a check ends with: passed, failed (what was expected, what came
//! back) or skipped (why), and helpers that turn surprises into failures
//! so checks read as straight-line code with `?`.

use std::fmt::Debug;
use std::sync::Mutex;

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

/// Prefixes a failure's expectation with what was being tried, so the line
/// says which request failed: `.map_err(within("for Accept: text/plain"))`.
pub fn within(context: impl std::fmt::Display) -> impl FnOnce(Stop) -> Stop {
    move |stop| match stop {
        Stop::Fail { expected, got } => fail(format!("{context}: {expected}"), got),
        skip @ Stop::Skip(_) => skip,
    }
}

/// Turns a chathub-client error into a failure that says what was expected.
pub trait Expecting<T> {
    /// `Ok` as it is; an error becomes a failure expecting `what`.
    fn expecting(self, what: &str) -> Result<T, Stop>;
}

impl<T> Expecting<T> for chathub_client::Result<T> {
    fn expecting(self, what: &str) -> Result<T, Stop> {
        super::link::observe(&self);
        self.map_err(|error| fail(what, one_line(&error.to_string(), 300)))
    }
}

/// Passwords and API keys of this run, never to be shown.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Registers a password or API key so [`redact`] hides it.
pub fn register_secret(secret: &str) {
    if secret.len() >= 4
        && let Ok(mut secrets) = SECRETS.lock()
    {
        secrets.push(secret.to_owned());
    }
}

/// `text` with registered secrets and anything shaped like a JWT (`eyJ`
/// and base64url, whole or cut) replaced: failure lines show what came
/// back, never a credential.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let run = rest[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(rest.len() - at);
        if run >= 16 {
            out.push_str("eyJ…[JWT redacted]");
        } else {
            out.push_str(&rest[at..at + run]);
        }
        rest = &rest[at + run..];
    }
    out.push_str(rest);
    if let Ok(secrets) = SECRETS.lock() {
        for secret in secrets.iter() {
            out = out.replace(secret.as_str(), "[redacted]");
        }
    }
    out
}

/// `text` on one line (newlines shown as `⏎`), redacted, cut to `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = redact(text).trim().chars().map(|c| if c == '\n' || c == '\r' { '⏎' } else { c }).collect();
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
    fn tokens_and_secrets_are_redacted_even_when_cut() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        assert_eq!(redact(&format!("200 \"{jwt}\" ok")), "200 \"eyJ…[JWT redacted]\" ok");
        assert_eq!(redact("got eyJhbGciOiJIUzI1NiJ9.eyJzdW"), "got eyJ…[JWT redacted]");
        assert_eq!(redact("eyJ short"), "eyJ short");
        register_secret("conformance-test-secret-value");
        assert_eq!(one_line("password conformance-test-secret-value!", 100), "password [redacted]!");
    }

    #[test]
    fn within_names_the_request_and_keeps_skips() {
        assert_eq!(within("for x")(fail("400", "200")), fail("for x: 400", "200"));
        assert_eq!(within("for x")(skip("why")), skip("why"));
    }

    #[test]
    fn ensure_eq_names_both_sides() {
        assert_eq!(ensure_eq("status", 1, 1), Ok(()));
        assert_eq!(ensure_eq("status", 2, 1), Err(fail("status = 1", "2")));
    }
}
