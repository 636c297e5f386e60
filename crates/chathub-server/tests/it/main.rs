//! Integration tests of `chathub-server`: one module per endpoint or area,
//! through real HTTP (`testing::TestServer` + reqwest) or `oneshot` on
//! `app(state)`, with insta snapshots of the bodies.

mod chat_model;
mod chat_support;
mod chats;
mod check_order;
mod company_get_token;
mod concurrency;
mod crash;
mod credentials;
mod fuzz;
mod health;
mod hub;
mod hub_events;
mod hub_rate_limit;
mod hub_signalr;
mod jwt;
mod list_operators;
mod logs;
mod media;
mod messages;
mod model;
mod operator_get_token;
mod organizations;
mod rate_limit;
mod routing;
mod scale_out;
mod seed_chats;
mod sign_in_throttle;
mod simulator;
mod status;
mod support;
mod synchronize;
mod token_format;
mod validate_token;
