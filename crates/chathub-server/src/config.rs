//! The server's flags (spec §6), each also read from a `CHATHUB_*` variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// A faithful, persistent SMSBAT ChatHub server.
///
/// First start on an empty database without --seed creates a demo company
/// and prints its login, password and API key once.
#[derive(Debug, Clone, Parser)]
#[command(name = "chathub-server", version, about, long_about = None)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "CHATHUB_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database URL: `sqlite:PATH` (created on first start), `sqlite::memory:` (nothing kept) or `postgres://…`.
    #[arg(long, env = "CHATHUB_DATABASE", default_value = "sqlite:chathub.db")]
    pub database: String,

    /// TOML file of companies, organizations and operators, loaded idempotently on start.
    #[arg(long, env = "CHATHUB_SEED")]
    pub seed: Option<PathBuf>,

    /// Lifetime of company tokens: whole seconds (`3600`) or units s, m, h, d combined (`90m`, `1h30m`, `7d`).
    #[arg(long, env = "CHATHUB_COMPANY_TOKEN_TTL", default_value = "24h", value_parser = parse_duration)]
    pub company_token_ttl: Duration,

    /// Body of both get-token answers: `negotiate` by the Accept header (Decision 1), or always `json`, `text` or `object`.
    #[arg(long, env = "CHATHUB_TOKEN_FORMAT", value_enum, default_value_t = TokenFormatSetting::Negotiate)]
    pub token_format: TokenFormatSetting,

    /// Requests a second per credential (or per client address for sign-in) before 429, bursts up to 1.5×; `off` for none.
    #[arg(long, env = "CHATHUB_RATE_LIMIT", default_value = "off", value_parser = parse_rate_limit)]
    pub rate_limit: RateLimitSetting,

    /// A page origin (`http://localhost:3000`) allowed to call `/api/` from a browser (CORS); repeatable, `*` for any.
    #[arg(
        long,
        env = "CHATHUB_CORS_ALLOW_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ',',
        value_parser = crate::cors::parse_origin
    )]
    pub cors_allow_origin: Vec<crate::cors::AllowedOrigin>,

    /// Serve the widget demo page at /demo/widget (it issues operator tokens to anyone who can reach the server).
    #[arg(long, env = "CHATHUB_DEMO")]
    pub demo: bool,

    /// Serve the simulated customers of spec §7.4 under /api/simulator/ (tests play the messenger users).
    #[arg(long, env = "CHATHUB_SIMULATOR")]
    pub simulator: bool,

    /// The base of media URLs in messages (`https://chat.example.com`); default `http://` plus the bound address.
    #[arg(long, env = "CHATHUB_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// Log format on stderr.
    #[arg(long, env = "CHATHUB_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl Config {
    /// A configuration for tests and embedding: an in-memory database and defaults.
    pub fn in_memory() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: "sqlite::memory:".to_owned(),
            seed: None,
            company_token_ttl: Duration::from_secs(24 * 60 * 60),
            token_format: TokenFormatSetting::Negotiate,
            rate_limit: RateLimitSetting(None),
            cors_allow_origin: Vec::new(),
            demo: false,
            simulator: false,
            public_url: None,
            log_format: LogFormat::Text,
        }
    }
}

/// How get-token answers are shaped (spec §6 `--token-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenFormatSetting {
    /// By the request's `Accept` header (Decision 1).
    Negotiate,
    /// Always a JSON string.
    Json,
    /// Always the raw token as text/plain.
    Text,
    /// Always `{"token": "...", "expiration": "..."}`.
    Object,
}

/// `--rate-limit`: `None` is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSetting(pub Option<u32>);

/// Parses `off` or a positive number of requests a second.
pub fn parse_rate_limit(text: &str) -> Result<RateLimitSetting, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(RateLimitSetting(None));
    }
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(RateLimitSetting(Some(n))),
        _ => Err(format!("`{text}` is not `off` or a positive number of requests a second")),
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Parses `3600`, `90m`, `1h30m`, `7d` into a duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let invalid = || format!("`{text}` is not a duration (use whole seconds like 3600, or units like 90m, 1h30m, 7d)");
    if text.is_empty() {
        return Err(invalid());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: u64 = text.parse().map_err(|_| invalid())?;
        if seconds == 0 || seconds > 100 * 365 * 86_400 {
            return Err(invalid());
        }
        return Ok(Duration::from_secs(seconds));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(invalid()),
        };
        let value: u64 = number.parse().map_err(|_| invalid())?;
        number.clear();
        total = value.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or_else(invalid)?;
    }
    if !number.is_empty() || total == 0 {
        return Err(invalid());
    }
    // Keep durations representable as chrono deltas.
    if total > 100 * 365 * 86_400 {
        return Err(format!("`{text}` is longer than 100 years"));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        for bad in ["", "h", "1x", "10m5", "0", "0s", "99999999999999999999d", "1.5h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
