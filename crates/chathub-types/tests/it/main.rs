//! Integration tests of `chathub-types`: round trips, input rules, token
//! rules, robustness against arbitrary input, and snapshots of every wire
//! shape of spec §3 (one test binary, as the style guide asks).

mod chat_shapes;
mod dates;
mod dto_roundtrip;
mod input_rules;
mod robustness;
mod secrets;
mod shapes;
mod status;
mod support;
mod synchronize;
mod token_body;
mod token_rules;
