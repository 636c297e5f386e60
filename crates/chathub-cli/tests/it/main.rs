//! Integration tests of the `chathub` binary: against the real server
//! in-process, and against wiremock for the failures a real server does not
//! produce on demand.

mod chats;
mod commands;
mod failures;
mod help;
mod import;
mod secrets;
mod support;
mod watch;
