//! The hub client (feature `hub`) against a real chathub-server in-process:
//! events, sending, errors, revocation, reconnecting after a restart and
//! after a token expired.

mod events;
mod fake;
mod lifecycle;
mod support;
