//! Typed async client for the SMSBAT ChatHub API (skeleton; see issue 6).

pub use chathub_types as types;
