//! The one error type of the client.

use std::sync::Arc;
use std::time::Duration;

use chathub_types::token::TokenBodyError;
use chathub_types::{ProblemDetails, ValidationErrors};
use reqwest::StatusCode;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The longest body kept in an error, in bytes (cut at a character boundary).
pub const MAX_KEPT_BODY_BYTES: usize = 2048;

/// The largest answer body the client reads, in bytes (32 MiB); a larger one
/// is [`Error::TooLarge`].
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// Everything that can go wrong when talking to ChatHub.
///
/// `Display` is one line a person can act on: the HTTP status and the
/// server's own message where there is one. No variant ever holds or shows a
/// password, a token or an API key.
///
/// ```
/// use chathub_client::Error;
/// fn explain(error: &Error) -> &'static str {
///     match error {
///         Error::Unauthorized { .. } => "check the login and password",
///         Error::RateLimited { .. } => "slow down",
///         Error::InvalidInput(_) => "fix the request",
///         _ => "try again later",
///     }
/// }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status not covered by a more
    /// specific variant (400, 409, 5xx, ...).
    #[error("{status}: {}", describe(problem.as_deref(), body))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The problem details, when the body was one.
        problem: Option<Box<ProblemDetails>>,
        /// The raw body (cut to [`MAX_KEPT_BODY_BYTES`]), kept when it was not problem details.
        body: String,
    },
    /// 401: the credentials or the token were refused (after one fresh sign-in, when possible).
    #[error("401 Unauthorized: {}", describe(problem.as_deref(), body))]
    Unauthorized {
        /// The problem details, when the body was one.
        problem: Option<Box<ProblemDetails>>,
        /// The raw body otherwise (cut).
        body: String,
    },
    /// 403: a genuine credential that may not do this (wrong kind, revoked).
    #[error("403 Forbidden: {}", describe(problem.as_deref(), body))]
    Forbidden {
        /// The problem details, when the body was one.
        problem: Option<Box<ProblemDetails>>,
        /// The raw body otherwise (cut).
        body: String,
    },
    /// 404: no such resource (or another company's).
    #[error("404 Not Found: {}", describe(problem.as_deref(), body))]
    NotFound {
        /// The problem details, when the body was one.
        problem: Option<Box<ProblemDetails>>,
        /// The raw body otherwise (cut).
        body: String,
    },
    /// 429: too many requests; `retry_after` is the server's `Retry-After`.
    #[error("429 Too Many Requests: {}{}", describe(problem.as_deref(), body), retry_hint(*retry_after))]
    RateLimited {
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
        /// The problem details, when the body was one.
        problem: Option<Box<ProblemDetails>>,
        /// The raw body otherwise (cut).
        body: String,
    },
    /// The server could not be reached, or the connection broke.
    #[error("could not talk to the ChatHub server: {}", causes(.0.as_ref()))]
    Transport(#[source] Arc<reqwest::Error>),
    /// No complete answer within the configured timeout, on every attempt.
    #[error("{method} {path}: no answer within {}{}", humanize(*after), attempts_note(*attempts))]
    Timeout {
        /// The request's method.
        method: &'static str,
        /// The request's path.
        path: &'static str,
        /// The timeout that passed (per attempt).
        after: Duration,
        /// How many attempts were made (see [`crate::RetryPolicy`]); the last one timed out.
        attempts: u32,
    },
    /// The answer's body is larger than [`MAX_ANSWER_BYTES`]; it was not read.
    #[error("{method} {path}: the answer is larger than {} MiB", limit / (1024 * 1024))]
    TooLarge {
        /// The request's method.
        method: &'static str,
        /// The request's path.
        path: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A success answer whose body could not be read.
    #[error("{status}: the answer could not be read: {source}")]
    Decode {
        /// The HTTP status (a success).
        status: StatusCode,
        /// The body that failed (cut to [`MAX_KEPT_BODY_BYTES`], anything shaped like a JWT redacted).
        body: String,
        /// What was wrong with it.
        #[source]
        source: DecodeError,
    },
    /// The request was refused locally, before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(#[source] ValidationErrors),
    /// The client was configured in a way that cannot work.
    #[error("invalid client configuration: {0}")]
    InvalidConfig(String),
    /// The hub refused: a failed invocation or handshake, in the server's
    /// words (e.g. `… HubException: Chat not found`).
    #[error("hub: {}", one_line(message))]
    Hub {
        /// The server's text.
        message: String,
    },
    /// The hub connection is not there: it could not be made at the
    /// WebSocket level, or it is closed or reconnecting. A call failing with
    /// this was **not** sent: sending it again is safe.
    #[error("hub connection: {}", one_line(reason))]
    HubConnection {
        /// What happened (never a secret).
        reason: String,
    },
    /// The hub connection was lost after the call was (at least partly)
    /// written and before its completion came: the server may have acted
    /// on it — **the message may have been stored and delivered**. Do not
    /// blindly send it again: read the chat's messages (REST) to see
    /// whether it is there.
    #[error("hub connection lost before the answer; the call may have reached the server: {}", one_line(reason))]
    HubOutcomeUnknown {
        /// What happened (never a secret).
        reason: String,
    },
}

/// Why a success body could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is not the JSON this endpoint answers with.
    #[error("{0}")]
    Json(#[source] ValidationErrors),
    /// The body is not a token in any of the three shapes of spec §5.
    #[error("{0}")]
    Token(#[source] TokenBodyError),
}

impl Error {
    /// The HTTP status of an answer, if the error came from one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::Decode { status, .. } => Some(*status),
            Self::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Self::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Self::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Self::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Self::Transport(_)
            | Self::Timeout { .. }
            | Self::TooLarge { .. }
            | Self::InvalidInput(_)
            | Self::InvalidConfig(_)
            | Self::Hub { .. }
            | Self::HubConnection { .. }
            | Self::HubOutcomeUnknown { .. } => None,
        }
    }

    /// The server's problem details, if the error body was one.
    pub fn problem(&self) -> Option<&ProblemDetails> {
        match self {
            Self::Api { problem, .. }
            | Self::Unauthorized { problem, .. }
            | Self::Forbidden { problem, .. }
            | Self::NotFound { problem, .. }
            | Self::RateLimited { problem, .. } => problem.as_deref(),
            _ => None,
        }
    }

    /// The raw body the server sent (cut), for error answers and undecodable ones.
    pub fn body(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. }
            | Self::Unauthorized { body, .. }
            | Self::Forbidden { body, .. }
            | Self::NotFound { body, .. }
            | Self::RateLimited { body, .. }
            | Self::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The server's own one-line message (problem `detail`, first field
    /// error, or `title`), if the answer carried one.
    pub fn server_message(&self) -> Option<String> {
        self.problem().map(ProblemDetails::message).filter(|message| !message.is_empty())
    }

    /// Builds the error of a non-success answer.
    pub(crate) fn from_response(status: StatusCode, retry_after: Option<Duration>, raw_body: &[u8]) -> Self {
        let problem = parse_problem(raw_body);
        let body = if problem.is_some() { String::new() } else { keep_body(raw_body) };
        match status {
            StatusCode::UNAUTHORIZED => Self::Unauthorized { problem, body },
            StatusCode::FORBIDDEN => Self::Forbidden { problem, body },
            StatusCode::NOT_FOUND => Self::NotFound { problem, body },
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited { retry_after, problem, body },
            _ => Self::Api { status, problem, body },
        }
    }

    /// Wraps a reqwest failure of `method path`.
    pub(crate) fn from_reqwest(
        error: reqwest::Error,
        method: &'static str,
        path: &'static str,
        after: Duration,
    ) -> Self {
        // A connect timeout is a connection failure: `after` would name the wrong timeout.
        if error.is_timeout() && !error.is_connect() {
            Self::Timeout { method, path, after, attempts: 1 }
        } else {
            Self::Transport(Arc::new(error))
        }
    }

    /// The error after `attempts` attempts: a timeout says how many were made.
    pub(crate) fn after_attempts(self, attempts: u32) -> Self {
        match self {
            Self::Timeout { method, path, after, .. } => Self::Timeout { method, path, after, attempts },
            other => other,
        }
    }

    /// Whether this is a connection failure (nothing reached the server's application).
    pub fn is_connect(&self) -> bool {
        matches!(self, Self::Transport(error) if error.is_connect())
    }
}

fn parse_problem(body: &[u8]) -> Option<Box<ProblemDetails>> {
    // Its own members match in any case (chathub-types reads them so).
    let problem: ProblemDetails = chathub_types::json::from_slice(body).ok()?;
    // An object with none of the RFC 7807 members is not problem details.
    let looks_like_problem = !problem.title.is_empty()
        || problem.status != 0
        || problem.detail.is_some()
        || problem.errors.is_some()
        || problem.extensions.contains_key("message");
    looks_like_problem.then(|| Box::new(problem))
}

/// The body as text, cut to [`MAX_KEPT_BODY_BYTES`], with JWT-shaped words redacted.
pub(crate) fn keep_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut cut = text.as_ref();
    if cut.len() > MAX_KEPT_BODY_BYTES {
        let mut end = MAX_KEPT_BODY_BYTES;
        while !cut.is_char_boundary(end) {
            end -= 1;
        }
        cut = &cut[..end];
    }
    redact_jwts(cut)
}

/// Replaces every word shaped like a JWT (three base64url parts) with `[redacted]`.
fn redact_jwts(text: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut out = String::with_capacity(text.len());
    let mut word_start = None;
    let flush = |out: &mut String, word: &str| {
        let parts: Vec<&str> = word.split('.').collect();
        if parts.len() == 3 && parts.iter().all(|part| !part.is_empty()) && word.len() >= 16 {
            out.push_str("[redacted]");
        } else {
            out.push_str(word);
        }
    };
    for (index, c) in text.char_indices() {
        if is_token_char(c) {
            word_start.get_or_insert(index);
        } else {
            if let Some(start) = word_start.take() {
                flush(&mut out, &text[start..index]);
            }
            out.push(c);
        }
    }
    if let Some(start) = word_start {
        flush(&mut out, &text[start..]);
    }
    out
}

/// The best one-line message of an error answer.
fn describe(problem: Option<&ProblemDetails>, body: &str) -> String {
    if let Some(message) = problem.map(ProblemDetails::message).filter(|m| !m.trim().is_empty()) {
        return one_line(&message);
    }
    let text = body.trim();
    if text.is_empty() {
        return "the server sent no explanation".to_owned();
    }
    if looks_like_html(text) {
        return match html_title(text) {
            Some(title) => format!("the server sent an HTML page: {}", one_line(&title)),
            None => "the server sent an HTML page".to_owned(),
        };
    }
    one_line(text)
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(64).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<head")
}

fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let title = text.get(open_end..close)?.trim();
    (!title.is_empty()).then(|| title.to_owned())
}

/// Collapses whitespace runs (newlines included) and cuts to 200 characters.
fn one_line(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 200 {
        let mut cut: String = collapsed.chars().take(199).collect();
        cut.push('…');
        cut
    } else {
        collapsed
    }
}

/// An error and its sources, joined with `: ` (reqwest's own text hides the cause).
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    one_line(&text)
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    retry_after.map(|after| format!(" (retry after {})", humanize(after))).unwrap_or_default()
}

/// ` (3 attempts)` after a timeout that was retried; nothing for one attempt.
fn attempts_note(attempts: u32) -> String {
    if attempts > 1 { format!(" ({attempts} attempts)") } else { String::new() }
}

fn humanize(duration: Duration) -> String {
    if duration.subsec_millis() == 0 && duration.as_secs() > 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_shaped_words_are_redacted() {
        assert_eq!(redact_jwts("token eyJhbGciOi.eyJzdWIiOiI0MiJ9.c2ln!"), "token [redacted]!");
        assert_eq!(redact_jwts("a.b.c is short; version 1.2.3"), "a.b.c is short; version 1.2.3");
        assert_eq!(redact_jwts("\"eyJhbGciOiJIUzI1NiJ9.e30.abcdefgh\""), "\"[redacted]\"");
    }

    #[test]
    fn bodies_are_cut_at_a_character_boundary() {
        let body = "é".repeat(MAX_KEPT_BODY_BYTES);
        let kept = keep_body(body.as_bytes());
        assert_eq!(kept.len(), MAX_KEPT_BODY_BYTES);
    }

    #[test]
    fn html_titles_are_shown() {
        let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>";
        assert_eq!(describe(None, page), "the server sent an HTML page: 502 Bad Gateway");
        assert_eq!(describe(None, "<html><body>x</body></html>"), "the server sent an HTML page");
    }

    #[test]
    fn a_json_object_without_problem_members_is_not_a_problem() {
        assert!(parse_problem(br#"{"foo": 1}"#).is_none());
        assert!(parse_problem(b"[1]").is_none());
        assert_eq!(parse_problem(br#"{"Title": "Bad", "Status": 400}"#).map(|p| p.status), Some(400));
    }
}
