//! Typed async client for the SMSBAT ChatHub API.
//!
//! Talks to the live service (`https://chatapi.smsbat.com`, the default) or
//! to any compatible server such as `chathub-server`. Every request and
//! answer is a type of [`chathub_types`], re-exported here as [`types`], so
//! this crate is the only dependency you need.
//!
//! ```no_run
//! use std::time::Duration;
//! use chathub_client::{Client, NewOperator, OperatorStatus, widget};
//!
//! # async fn run() -> Result<(), chathub_client::Error> {
//! let client = Client::builder()
//!     .base_url("https://chatapi.smsbat.com")
//!     .credentials("acme", "s3cret")
//!     .build()?;
//!
//! let organizations = client.organizations().await?;
//! let support = organizations[0].id;
//! for operator in client.operators().list(support).await? {
//!     println!("{} {} {}", operator.id, operator.name, operator.status);
//! }
//!
//! let added = client.operators().synchronize([NewOperator::new(support, "Alex Brown")]).await?;
//! client.operators().set_status(added[0].id, OperatorStatus::Inactive).await?;
//!
//! let issued = client.operators().issue_token(101, Duration::from_secs(3600)).await?;
//! println!("{}", widget::script_tag(&issued.token));
//! # Ok(()) }
//! ```
//!
//! # Chats
//!
//! [`Client::chats`] lists, reads, answers, re-statuses and deletes chats
//! (spec §7); [`media_from_file`] and [`NewMedia::from_bytes`] make media
//! to send; [`Client::simulator`] plays the messenger users of a
//! `chathub-server` started with `--simulator`. An operator token works as
//! the credential too (`ClientBuilder::token`): the operator's organization
//! only, and no deleting.
//!
//! ```no_run
//! use chathub_client::{ChatStatus, Client};
//! use chathub_client::types::chat::list_chats::Query;
//! use chathub_client::types::chat::send_message::Request;
//!
//! # async fn run(client: Client) -> Result<(), chathub_client::Error> {
//! let unread = client.chats().list(&Query::new().status(ChatStatus::New)).await?;
//! if let Some(chat) = unread.items.first() {
//!     let history = client.chats().messages(chat.id).await?; // oldest first
//!     println!("{} messages", history.len());
//!     let receipt = chathub_client::media_from_file("receipt.pdf").await?;
//!     client.chats().send(chat.id, Request::media(receipt).with_text("Your receipt")).await?;
//!     client.chats().set_status(chat.id, ChatStatus::Closed).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! # Behaviour on the wire
//!
//! - **Credentials**: a login and password (a company token is fetched,
//!   cached, renewed [`REFRESH_MARGIN`] before its `exp` and once after a
//!   401, one sign-in shared by concurrent requests), a static API key, or
//!   a ready token.
//! - **Retries** ([`RetryPolicy`]): GETs, both get-token calls,
//!   validate-token and `PUT /api/chat/status` (the same status twice
//!   changes nothing) are retried on connection errors, timeouts, 429, 502,
//!   503 and 504, at most three attempts in all, honouring `Retry-After`.
//!   Synchronize, operator status, sending a message, deleting a chat and
//!   the simulator are sent exactly once: a retried send could post twice,
//!   a retried delete would answer 404.
//! - **Local checks**: requests with rules in [`types`] (message text and
//!   media, chat list paging, statuses, operator names, token lifetimes)
//!   are checked before sending; a bad one is [`Error::InvalidInput`] and
//!   nothing is sent.
//! - **Paths with ids** (`/api/chat/chats/123`): logs and errors name the
//!   template (`/api/chat/chats/{id}`).
//! - **Empty answers**: `DELETE /api/chat/chats/{id}` succeeds with an
//!   empty body or `"OK"` (Decision 23); `PUT /api/chat/status` with an
//!   empty body.
//! - **Tolerance** (spec §5): tokens as a JSON string, raw text or an
//!   object; validate-token answers with missing fields; unknown status
//!   numbers; date-times with 0–7 fractional digits and any or no offset;
//!   empty, HTML or problem-details error bodies; property names in any case.
//! - **Errors**: one [`Error`] enum; its `Display` is one line with the
//!   status and the server's message, never a secret.
//! - **Tracing**: a `debug` event per attempt (method, path, status,
//!   attempt, latency), an `info` event per retry; never a secret.
//! - TLS by rustls only; HTTP/2 when the server offers it.
//! - **Hub** (cargo feature `hub`): `Client::hub()` opens the real-time
//!   connection `/chathub` (events, sending, keep-alive, reconnecting with
//!   a fresh credential); see the `hub` module.

mod auth;
mod chats;
mod client;
mod company;
mod config;
mod error;
#[cfg(feature = "hub")]
pub mod hub;
mod media;
mod operator;
mod retry;
mod simulator;
mod token_cache;
pub mod widget;

pub use chathub_types as types;

pub use auth::REFRESH_MARGIN;
pub use chats::Chats;
pub use client::Client;
pub use company::Company;
pub use config::{ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT};
pub use error::{DecodeError, Error, MAX_ANSWER_BYTES, MAX_KEPT_BODY_BYTES, Result};
pub use media::media_from_file;
pub use operator::{IssuedOperatorToken, Operators};
pub use retry::RetryPolicy;
pub use simulator::Simulator;
pub use token_cache::OperatorTokenCache;

pub use chathub_types::chat::{Author, Chat, ChatStatus, MediaType, Message, MessageSource, MessageStatus, NewMedia};
pub use chathub_types::company::Organization;
pub use chathub_types::operator::Operator;
pub use chathub_types::operator::synchronize_operators::{NewOperator, SynchronizedOperator};
pub use chathub_types::operator::validate_token::Response as TokenValidation;
pub use chathub_types::{
    ChatId, CompanyToken, MessageId, OperatorId, OperatorStatus, OperatorToken, OrganizationId, ProblemDetails,
    ValidationErrors,
};
