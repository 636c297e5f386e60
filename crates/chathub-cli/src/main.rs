//! The `chathub` command (skeleton; see issue 7).

fn main() {}
