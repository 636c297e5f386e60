//! The real-time hub `/chathub` (spec §7.3, Decisions 28-30): ASP.NET Core
//! SignalR's JSON hub protocol as the official `@microsoft/signalr` client
//! speaks it.
//!
//! Pure pieces only: the negotiate answer and its version rule
//! ([`negotiate`]), the handshake and its exact error texts ([`handshake`]),
//! the records and their framing ([`record`]), binding a client's
//! invocation to a hub method with ASP.NET's error texts ([`invocation`]),
//! each event's target and arguments ([`event`]).
//! The server owns the sockets and timers.
//!
//! ```
//! use chathub_types::hub::{handshake, record::{Incoming, RecordBuffer}};
//!
//! let mut buffer = RecordBuffer::default();
//! let records = buffer.push(b"{\"protocol\":\"json\",\"version\":1}\x1e{\"type\":6}\x1e").unwrap();
//! assert!(handshake::parse_request(&records[0]).is_ok());
//! assert_eq!(handshake::response(&Ok(())), "{}\x1e");
//! assert!(matches!(chathub_types::hub::record::parse(&records[1]), Ok(Incoming::Ping)));
//! ```

pub mod event;
pub mod handshake;
pub mod invocation;
pub mod negotiate;
pub mod record;

use std::time::Duration;

/// The hub's path; WebSocket upgrades arrive here.
pub const PATH: &str = "/chathub";

/// The negotiate path (`POST`).
pub const NEGOTIATE_PATH: &str = "/chathub/negotiate";

/// The query parameter that may carry the credential on paths under
/// [`PATH`] only (Decision 28).
pub const ACCESS_TOKEN_QUERY: &str = "access_token";

/// The byte ending every record of the JSON hub protocol.
pub const RECORD_SEPARATOR: u8 = 0x1e;

/// A record as it goes on the wire: its JSON text and [`RECORD_SEPARATOR`].
fn frame(record: &serde_json::Value) -> String {
    let mut text = record.to_string();
    text.push(char::from(RECORD_SEPARATOR));
    text
}

/// The largest record the hub reads (Decision 29): larger ones close the
/// connection with an error.
pub const MAX_RECORD_BYTES: usize = 8 * 1024 * 1024;

/// A handshake must arrive within this long of the upgrade (§7.3).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// The server pings after this long without sending (§7.3).
pub const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(15);

/// The server closes a connection after this long without receiving (§7.3).
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// A negotiated connection token unused for this long is forgotten (§7.3).
pub const NEGOTIATION_TTL: Duration = Duration::from_secs(15);

/// At most this long after its credential's `exp` a connection is closed
/// with "Token expired" (Decision 28).
pub const EXPIRY_GRACE: Duration = Duration::from_secs(5);

/// The close error for a malformed or oversized record (§7.3, Decision 29).
pub const CLOSED_WITH_ERROR: &str = "Connection closed with an error.";

/// The close error once the connection's token expired (Decision 28).
pub const TOKEN_EXPIRED: &str = "Token expired";

/// The close error once the connection's token was revoked (Decision 28).
pub const TOKEN_REVOKED: &str = "Token revoked";
