//! How a failure becomes an exit code and one `error:` line.

use std::process::ExitCode;

use chathub_client::Error as ClientError;

/// A usage or local validation error: nothing was sent (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The hub closed the live connection for good (`chats watch`): exit code 3
/// when the credential was revoked or refused, else 1.
#[derive(Debug)]
pub struct HubClosed {
    reason: Option<String>,
    refused: bool,
}

impl HubClosed {
    /// A close for this reason (the server's words, or the client's), if
    /// any; `refused` when the hub's close cause says the credential was
    /// revoked or refused (never decided on the reason's text).
    pub fn new(reason: Option<String>, refused: bool) -> Self {
        Self { reason: reason.map(|reason| reason.trim().to_owned()).filter(|reason| !reason.is_empty()), refused }
    }

    /// Whether the credential was revoked or refused.
    pub fn refused(&self) -> bool {
        self.refused
    }
}

impl std::fmt::Display for HubClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.reason {
            Some(reason) => write!(f, "the live connection closed: {reason}"),
            None => f.write_str("the live connection closed"),
        }
    }
}

impl std::error::Error for HubClosed {}

/// Returns early with a [`UsageError`] built like `format!`.
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err(anyhow::Error::new($crate::error::UsageError(format!($($arg)*))))
    };
}
pub(crate) use usage;

/// Exit code 1: the request failed (network, timeout, server error).
pub const REQUEST_FAILED: u8 = 1;
/// Exit code 2: usage or local validation error.
pub const USAGE: u8 = 2;
/// Exit code 3: credentials refused (401/403).
pub const REFUSED: u8 = 3;

/// The exit code an error means: the first client or usage error in its chain decides.
pub fn exit_code(error: &anyhow::Error) -> ExitCode {
    for cause in error.chain() {
        if let Some(client) = cause.downcast_ref::<ClientError>() {
            return ExitCode::from(client_exit_code(client));
        }
        if let Some(closed) = cause.downcast_ref::<HubClosed>() {
            return ExitCode::from(if closed.refused() { REFUSED } else { REQUEST_FAILED });
        }
        if cause.is::<UsageError>() || cause.is::<csv::Error>() {
            return ExitCode::from(USAGE);
        }
    }
    ExitCode::from(REQUEST_FAILED)
}

fn client_exit_code(error: &ClientError) -> u8 {
    match error {
        ClientError::Unauthorized { .. } | ClientError::Forbidden { .. } => REFUSED,
        ClientError::InvalidInput(_) | ClientError::InvalidConfig(_) => USAGE,
        _ => REQUEST_FAILED,
    }
}

/// Whether the error is a closed standard output (`chathub ... | head -1`).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

/// The error and its causes on one line (line breaks become spaces), each
/// cause left out when the text so far already says it (the client's errors
/// name their causes).
pub fn one_line(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        let message = message.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join(" ");
        // Reasons and server messages may hold anyone's text: no raw control characters.
        let message = crate::output::safe(&message);
        if message.is_empty() || text.contains(&message) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_join_on_one_line_without_repeats() {
        let io = std::io::Error::other("disk\nfull");
        let error = anyhow::Error::new(io).context("reading input.csv");
        assert_eq!(one_line(&error), "reading input.csv: disk full");
        let repeated = anyhow::anyhow!("inner").context("outer: inner");
        assert_eq!(one_line(&repeated), "outer: inner");
    }

    #[test]
    fn usage_errors_exit_2_and_others_1() {
        let usage = anyhow::Error::new(UsageError("bad".into())).context("while reading");
        assert_eq!(exit_code(&usage), ExitCode::from(USAGE));
        assert_eq!(exit_code(&anyhow::anyhow!("boom")), ExitCode::from(REQUEST_FAILED));
        let refused = anyhow::Error::new(ClientError::InvalidConfig("x".into()));
        assert_eq!(exit_code(&refused), ExitCode::from(USAGE));
    }

    #[test]
    fn hub_closes_exit_3_when_the_credential_went() {
        let revoked = HubClosed::new(Some("Token revoked".into()), true);
        assert_eq!(revoked.to_string(), "the live connection closed: Token revoked");
        assert_eq!(exit_code(&anyhow::Error::new(revoked)), ExitCode::from(REFUSED));
        // The reason's text decides nothing: a port or a word in it is no refusal.
        let lost = HubClosed::new(Some("reconnecting gave up: 127.0.0.1:4031 refused (403)".into()), false);
        assert_eq!(exit_code(&anyhow::Error::new(lost)), ExitCode::from(REQUEST_FAILED));
        assert_eq!(HubClosed::new(Some("  ".into()), false).to_string(), "the live connection closed");
    }

    #[test]
    fn error_lines_show_no_raw_control_characters() {
        let error = anyhow::Error::new(HubClosed::new(Some("\u{1b}]0;pwned\u{7}bye\rfrom operator 7".into()), false));
        assert_eq!(one_line(&error), "the live connection closed: \\u{1b}]0;pwned\\u{7}bye\\rfrom operator 7");
    }
}
