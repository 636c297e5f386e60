//! The `chathub-server` binary.

fn main() {}
