//! The real-time hub `/chathub` (spec §7.3, Decisions 28-30), behind the
//! `hub` cargo feature: live events for the chats a credential can see,
//! and sending messages over the same connection.
//!
//! ```no_run
//! use chathub_client::Client;
//! use chathub_client::hub::{HubEvent, ReconnectPolicy};
//!
//! # async fn run() -> Result<(), chathub_client::Error> {
//! let client = Client::builder()
//!     .base_url("http://127.0.0.1:8080")
//!     .credentials("acme", "acme-pass-1")
//!     .build()?;
//!
//! // The company's connection; `.operator_token_source(...)` connects as an operator.
//! let mut hub = client.hub().reconnect(ReconnectPolicy::default()).connect().await?;
//! while let Some(event) = hub.next_event().await {
//!     match event {
//!         HubEvent::ChatCreated { chat, .. } => println!("new chat {} from {:?}", chat.id, chat.client.name),
//!         HubEvent::MessageReceived { message, .. } => {
//!             println!("chat {}: {}", message.chat_id, message.message.as_deref().unwrap_or("[media]"));
//!             if message.author == chathub_client::types::chat::Author::Client {
//!                 let reply = hub.send_message(message.chat_id, "Thanks, we are on it").await?;
//!                 println!("replied with message {}", reply.id);
//!             }
//!         }
//!         HubEvent::Reconnecting { attempt, reason, .. } => eprintln!("reconnecting ({attempt}): {reason}"),
//!         HubEvent::Closed { reason, cause, .. } => eprintln!("closed ({cause:?}): {}", reason.unwrap_or_default()),
//!         other => println!("{other:?}"),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//!
//! - **Connecting**: `POST {base}/chathub/negotiate?negotiateVersion=1`,
//!   then a WebSocket upgrade at `ws(s)://…/chathub?id=<connectionToken>`,
//!   then the JSON handshake. The credential travels in a header on both
//!   (`Authorization: Bearer`, or `X-Authorization-Key` for an API key),
//!   never in the URL, and is never logged. TLS is rustls only.
//! - **Credentials**: the client's own (company token from its login,
//!   API key or ready token), or with
//!   [`HubBuilder::operator_token_source`] an operator token, asked for
//!   again on every (re)connect. A 401 on negotiate with a company login
//!   signs in once more.
//! - **One task** owns the socket: completions go to the waiting
//!   [`Hub::send_message`] / [`Hub::send_media`], events to an
//!   **unbounded** queue [`Hub::next_event`] reads: keep reading it (the
//!   events of a busy company pile up in memory otherwise), or drop the
//!   [`Hub`].
//! - **Keep-alive**: a ping after [`KEEP_ALIVE_INTERVAL`] without sending;
//!   [`SERVER_TIMEOUT`] without receiving anything counts as a lost connection.
//! - **Reconnect** ([`ReconnectPolicy`], default 0, 2, 10, 30 s then give
//!   up): after a lost socket, or a server Close with `allowReconnect`
//!   (token expired, server shutting down), each attempt yields
//!   [`HubEvent::Reconnecting`] and takes a fresh credential; success
//!   yields [`HubEvent::Reconnected`]. A Close without `allowReconnect`
//!   (`Token revoked`), a 403, or giving up yields [`HubEvent::Closed`],
//!   the last event. A call made while reconnecting or after the close
//!   fails with [`Error::HubConnection`] (it was not sent); a call whose
//!   connection is lost after it was written fails with
//!   [`Error::HubOutcomeUnknown`]: the message may have been stored, so
//!   check the chat (REST) before sending it again.
//! - A socket write that takes longer than the server timeout counts as a
//!   lost connection.
//! - Unknown event targets are ignored and malformed events skipped, each
//!   with a `debug` log.

mod connect;
mod policy;
mod task;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chathub_types::chat::{Chat, ChatStatus, Message, MessageStatus, NewMedia};
use chathub_types::hub::invocation::HubMethod;
use chathub_types::{ChatId, MessageId, OperatorToken};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub use policy::{MIN_RETRY_DELAY, ReconnectPolicy};

use crate::{Client, Error, Result};

/// The client pings after this long without sending (15 s, as `@microsoft/signalr`).
pub const KEEP_ALIVE_INTERVAL: Duration = chathub_types::hub::KEEP_ALIVE_INTERVAL;

/// The connection counts as lost after this long without receiving (30 s,
/// as `@microsoft/signalr`; the server pings every 15 s).
pub const SERVER_TIMEOUT: Duration = chathub_types::hub::CLIENT_TIMEOUT;

/// The handshake answer must come within this long (15 s).
pub const HANDSHAKE_TIMEOUT: Duration = chathub_types::hub::HANDSHAKE_TIMEOUT;

/// Something that happened on the hub.
///
/// Serialized (for `--json` output and logs) with an `event` tag:
/// `{"event":"MessageReceived","message":{…}}`,
/// `{"event":"Closed","reason":"Token revoked","cause":"revoked"}`.
///
/// Variants may gain fields (match with `..`) and the enum may gain
/// variants (keep a `_` arm). To build events, e.g. in tests of code that
/// handles them, use the constructors ([`HubEvent::closed`], ...).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "event", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum HubEvent {
    /// A chat was opened (`ChatCreated`); its first message's event follows.
    #[non_exhaustive]
    ChatCreated {
        /// The chat, already counting its first message.
        chat: Chat,
    },
    /// A message was written, by a client or an operator (`ReceiveMessage`
    /// and `ReceiveMediaMessage`; media is in `message.media`).
    #[non_exhaustive]
    MessageReceived {
        /// The message.
        message: Message,
    },
    /// A chat's status changed (`ChatStatusChanged`).
    #[non_exhaustive]
    ChatStatusChanged {
        /// The chat.
        chat_id: ChatId,
        /// Its new status.
        status: ChatStatus,
    },
    /// A message's delivery status changed (`MessageStatusChanged`).
    #[non_exhaustive]
    MessageStatusChanged {
        /// The message.
        message_id: MessageId,
        /// Its new status.
        status: MessageStatus,
    },
    /// The connection was lost; attempt `attempt` (from 1) to reconnect
    /// starts after the policy's wait.
    #[non_exhaustive]
    Reconnecting {
        /// Which attempt, from 1.
        attempt: u32,
        /// Why the connection (or the previous attempt) failed.
        reason: String,
    },
    /// Connected again; events flow again (those sent while away are lost:
    /// read the chats over REST to catch up).
    Reconnected,
    /// Closed for good: the last event; [`Hub::next_event`] answers `None` after it.
    #[non_exhaustive]
    Closed {
        /// Why, for people: the server's text (`Token revoked`), the
        /// refusal, or the last failure when reconnecting gave up.
        reason: Option<String>,
        /// Why, for programs (decide on this, never on `reason`'s text).
        cause: CloseCause,
    },
}

impl HubEvent {
    /// A [`HubEvent::ChatCreated`].
    pub fn chat_created(chat: Chat) -> Self {
        Self::ChatCreated { chat }
    }

    /// A [`HubEvent::MessageReceived`].
    pub fn message_received(message: Message) -> Self {
        Self::MessageReceived { message }
    }

    /// A [`HubEvent::ChatStatusChanged`].
    pub fn chat_status_changed(chat_id: impl Into<ChatId>, status: ChatStatus) -> Self {
        Self::ChatStatusChanged { chat_id: chat_id.into(), status }
    }

    /// A [`HubEvent::MessageStatusChanged`].
    pub fn message_status_changed(message_id: impl Into<MessageId>, status: MessageStatus) -> Self {
        Self::MessageStatusChanged { message_id: message_id.into(), status }
    }

    /// A [`HubEvent::Reconnecting`].
    pub fn reconnecting(attempt: u32, reason: impl Into<String>) -> Self {
        Self::Reconnecting { attempt, reason: reason.into() }
    }

    /// A [`HubEvent::Closed`].
    pub fn closed(reason: Option<String>, cause: CloseCause) -> Self {
        Self::Closed { reason, cause }
    }
}

/// Why a hub closed for good ([`HubEvent::Closed`]); serialized camelCase
/// (`"revoked"`, `"credentialRefused"`, `"serverClosed"`, `"gaveUp"`,
/// `"clientClosed"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum CloseCause {
    /// The server closed the connection because its credential was revoked
    /// (Close `Token revoked` without `allowReconnect`, Decision 28).
    Revoked,
    /// Reconnecting was refused for good: 403 (a revoked or unfit
    /// credential), or 401 for the client's own credential after a fresh
    /// sign-in.
    CredentialRefused,
    /// The server closed the connection without `allowReconnect` for
    /// another reason (e.g. `Connection closed with an error.`).
    ServerClosed,
    /// Reconnecting stopped: the reconnect policy gave up (at once with
    /// [`ReconnectPolicy::never`]), or an error no retry can fix that is
    /// not a refused credential (a bad configuration).
    GaveUp,
    /// This side closed it ([`Hub::close`] or dropping the [`Hub`]).
    ClientClosed,
}

impl CloseCause {
    /// Whether the credential was refused or revoked: reconnecting with the
    /// same credential cannot help (a command-line tool's "credentials
    /// refused" exit).
    pub fn is_credential_refused(self) -> bool {
        matches!(self, Self::Revoked | Self::CredentialRefused)
    }
}

type TokenFuture = Pin<Box<dyn Future<Output = Result<OperatorToken>> + Send>>;
type TokenSource = Arc<dyn Fn() -> TokenFuture + Send + Sync>;

/// Timings of one hub (see the builder's methods).
#[derive(Debug, Clone, Copy)]
struct Settings {
    keep_alive_interval: Duration,
    server_timeout: Duration,
    handshake_timeout: Duration,
}

impl Settings {
    /// Zero timings would flood pings or lose every connection at once.
    fn check(&self) -> Result<()> {
        let zero = [
            ("keep_alive_interval", self.keep_alive_interval),
            ("server_timeout", self.server_timeout),
            ("handshake_timeout", self.handshake_timeout),
        ]
        .into_iter()
        .find(|(_, value)| value.is_zero());
        if let Some((name, _)) = zero {
            return Err(Error::InvalidConfig(format!("the hub's {name} must not be zero")));
        }
        if self.server_timeout <= self.keep_alive_interval {
            return Err(Error::InvalidConfig(format!(
                "the hub's server_timeout ({}) must be above its keep_alive_interval ({})",
                connect::seconds(self.server_timeout),
                connect::seconds(self.keep_alive_interval)
            )));
        }
        Ok(())
    }
}

/// What the builder hands the task.
struct Shared {
    client: Client,
    operator_source: Option<TokenSource>,
    policy: ReconnectPolicy,
    settings: Settings,
}

/// Configures and opens a [`Hub`]; from [`Client::hub`].
///
/// ```no_run
/// # async fn run(client: chathub_client::Client) -> Result<(), chathub_client::Error> {
/// use std::time::Duration;
/// use chathub_client::hub::ReconnectPolicy;
///
/// // An operator's connection: a fresh operator token on every (re)connect.
/// let issuer = client.clone();
/// let hub = client
///     .hub()
///     .operator_token_source(move || {
///         let issuer = issuer.clone();
///         async move { Ok(issuer.operators().issue_token(101, Duration::from_secs(3600)).await?.token) }
///     })
///     .reconnect(ReconnectPolicy::forever(Duration::from_secs(60)))
///     .connect()
///     .await?;
/// # let _ = hub; Ok(()) }
/// ```
#[must_use = "a builder does nothing until .connect()"]
pub struct HubBuilder {
    client: Client,
    operator_source: Option<TokenSource>,
    policy: ReconnectPolicy,
    settings: Settings,
}

impl std::fmt::Debug for HubBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubBuilder")
            .field("base_url", &self.client.base_url())
            .field("operator", &self.operator_source.is_some())
            .field("reconnect", &self.policy)
            .field("settings", &self.settings)
            .finish()
    }
}

impl Client {
    /// Starts configuring a connection to the hub `/chathub` with this
    /// client's credential (see [`hub`](crate::hub)).
    pub fn hub(&self) -> HubBuilder {
        HubBuilder {
            client: self.clone(),
            operator_source: None,
            policy: ReconnectPolicy::default(),
            settings: Settings {
                keep_alive_interval: KEEP_ALIVE_INTERVAL,
                server_timeout: SERVER_TIMEOUT,
                handshake_timeout: HANDSHAKE_TIMEOUT,
            },
        }
    }
}

/// The REST body's rules for a message (Decisions 25, 26), checked before
/// a hub call so a bad one costs no round trip.
fn check_locally(text: Option<&str>, media: Option<&NewMedia>) -> Result<()> {
    let mut errors = chathub_types::ValidationErrors::new();
    chathub_types::chat::check_message_content(text, media, &mut errors);
    errors.into_result().map_err(Error::InvalidInput)
}

impl HubBuilder {
    /// Connects as an operator: `source` gives the operator token, and is
    /// called again on every reconnect (so it can issue a fresh one, e.g.
    /// with [`Operators::issue_token`](crate::Operators::issue_token)).
    pub fn operator_token_source<F, Fut>(mut self, source: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<OperatorToken>> + Send + 'static,
    {
        self.operator_source = Some(Arc::new(move || Box::pin(source()) as TokenFuture));
        self
    }

    /// Connects as an operator with this one token (reconnects reuse it:
    /// once it expires, reconnecting fails; prefer a source).
    pub fn operator_token(self, token: OperatorToken) -> Self {
        self.operator_token_source(move || {
            let token = token.clone();
            async move { Ok(token) }
        })
    }

    /// How to reconnect after losing the connection (default:
    /// [`ReconnectPolicy::default`]).
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Ping after this long without sending (default [`KEEP_ALIVE_INTERVAL`];
    /// not zero, and below the server timeout).
    pub fn keep_alive_interval(mut self, interval: Duration) -> Self {
        self.settings.keep_alive_interval = interval;
        self
    }

    /// Count the connection lost after this long without receiving
    /// (default [`SERVER_TIMEOUT`]; keep it above the server's ping
    /// interval; not zero, and above the keep-alive interval). A socket
    /// write taking this long also counts as lost.
    pub fn server_timeout(mut self, timeout: Duration) -> Self {
        self.settings.server_timeout = timeout;
        self
    }

    /// Wait this long for the handshake answer (default [`HANDSHAKE_TIMEOUT`]; not zero).
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.settings.handshake_timeout = timeout;
        self
    }

    /// Negotiates, upgrades and completes the handshake, then starts the
    /// task that owns the socket. A failure here is returned as it is (no
    /// reconnect policy applies to the first connection): e.g.
    /// [`Error::Unauthorized`], [`Error::Forbidden`] for a revoked token,
    /// [`Error::Hub`] with the server's handshake error;
    /// [`Error::InvalidConfig`] for a zero timing or a server timeout not
    /// above the keep-alive interval, before anything is sent.
    ///
    /// Needs a Tokio runtime.
    pub async fn connect(self) -> Result<Hub> {
        self.settings.check()?;
        let shared = Arc::new(Shared {
            client: self.client,
            operator_source: self.operator_source,
            policy: self.policy,
            settings: self.settings,
        });
        let opened = connect::open(&shared).await?;
        tracing::debug!(operator = shared.operator_source.is_some(), "chathub hub: connected");
        let (commands, command_queue) = mpsc::unbounded_channel();
        let (event_queue, events) = mpsc::unbounded_channel();
        let task = task::Task { shared, commands: command_queue, events: event_queue };
        let handle = tokio::spawn(task.run(opened));
        Ok(Hub { commands, events, task: Some(handle) })
    }
}

/// An open hub connection (reconnecting on its own per its policy).
///
/// Read events with [`Hub::next_event`] or [`Hub::events`]; send with
/// [`Hub::send_message`] and [`Hub::send_media`] (these take `&self`, so
/// sending while another future reads events is fine). [`Hub::close`]
/// ends it cleanly; dropping it also stops its task.
pub struct Hub {
    commands: mpsc::UnboundedSender<task::Command>,
    events: mpsc::UnboundedReceiver<HubEvent>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").field("running", &!self.commands.is_closed()).finish_non_exhaustive()
    }
}

impl Hub {
    /// The next event, waiting for it; `None` once the hub is closed for
    /// good (after [`HubEvent::Closed`]).
    pub async fn next_event(&mut self) -> Option<HubEvent> {
        self.events.recv().await
    }

    /// The events as a [`Stream`](futures::Stream) (the same queue as
    /// [`Hub::next_event`]); it ends after [`HubEvent::Closed`].
    ///
    /// ```no_run
    /// # async fn run(mut hub: chathub_client::hub::Hub) {
    /// use futures::StreamExt as _;
    /// let mut events = hub.events();
    /// while let Some(event) = events.next().await {
    ///     println!("{}", serde_json::to_string(&event).unwrap_or_default());
    /// }
    /// # }
    /// ```
    pub fn events(&mut self) -> impl futures::Stream<Item = HubEvent> + '_ {
        futures::stream::poll_fn(move |cx| self.events.poll_recv(cx))
    }

    /// `SendMessage(chatId, text)`: sends a text to a chat; the message as
    /// stored (status 1). Blank text, more than 4,096 characters or U+0000
    /// is [`Error::InvalidInput`] before anything is sent (as
    /// [`Chats::send`](crate::Chats::send)). A refusal is [`Error::Hub`]
    /// with the server's text (`… HubException: Chat not found`); a call
    /// made while reconnecting or closed, [`Error::HubConnection`] (not
    /// sent); a connection lost after the call was written,
    /// [`Error::HubOutcomeUnknown`] (it may have been stored: check before
    /// sending again).
    pub async fn send_message(&self, chat: impl Into<ChatId>, text: impl Into<String>) -> Result<Message> {
        let chat: ChatId = chat.into();
        let text = text.into();
        check_locally(Some(&text), None)?;
        self.invoke_message(HubMethod::SendMessage.name(), vec![json!(chat), Value::String(text)]).await
    }

    /// `SendMediaMessage(chatId, media)`: sends media (see [`NewMedia`]).
    /// The media is checked first (name, format, type, base64 and size, as
    /// [`Chats::send`](crate::Chats::send)): a bad one is
    /// [`Error::InvalidInput`] before anything is sent. Answers and fails
    /// otherwise as [`Hub::send_message`].
    pub async fn send_media(&self, chat: impl Into<ChatId>, media: NewMedia) -> Result<Message> {
        let chat: ChatId = chat.into();
        check_locally(None, Some(&media))?;
        self.invoke_message(HubMethod::SendMediaMessage.name(), vec![json!(chat), json!(media)]).await
    }

    async fn invoke_message(&self, target: &'static str, arguments: Vec<Value>) -> Result<Message> {
        let (reply, answer) = oneshot::channel();
        let closed = || Error::HubConnection { reason: "the hub is closed".to_owned() };
        self.commands.send(task::Command::Invoke { target, arguments, reply }).map_err(|_| closed())?;
        let result = answer.await.map_err(|_| closed())??;
        chathub_types::json::from_value(&result)
            .map_err(|error| Error::Hub { message: format!("the {target} completion could not be read: {error}") })
    }

    /// Sends a Close record and a WebSocket close, ends the task and
    /// returns once it has ended.
    pub async fn close(mut self) -> Result<()> {
        let _ = self.commands.send(task::Command::Close);
        if let Some(task) = self.task.take() {
            task.await.map_err(|error| Error::HubConnection { reason: format!("the hub task failed: {error}") })?;
        }
        Ok(())
    }
}
