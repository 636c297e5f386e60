//! The operator chat panel (`/operator-chat-panel/widget-script.js`) and the
//! `--demo` page in a real browser: the distribution's Chromium, headless,
//! driven over the DevTools protocol. Every browser test starts its own
//! Chromium with a fresh profile and its own server, and checks at the end
//! that no request left the loopback interface and the console stayed clean.
//! One Chromium runs at a time (see `chromium`), so the deadlines measure
//! the panel and not a machine busy with other browsers.
//!
//! Chromium missing is a failure, not a skip: `cargo xtask ci` installs it
//! (`apt-get install chromium`), and `CHATHUB_CHROMIUM` may name another
//! binary. `http` holds the checks that need no browser; `chats` the
//! chats view and its live updates through the hub; `hub_edge` the hub's
//! refusals and drops, and what screen readers get of the chats.

mod accessibility;
mod cdp;
mod chats;
mod chromium;
mod cors;
mod demo;
mod http;
mod hub_edge;
mod lifecycle;
mod page;
mod support;
mod token_end;
