//! Integration tests of chathub-client: wiremock for every rule and quirk,
//! and round trips against a real chathub-server.

mod auth;
mod chats;
mod errors;
mod quirks;
mod requests;
mod retries;
mod roundtrip;
mod simulator;
mod support;
mod tokens;
