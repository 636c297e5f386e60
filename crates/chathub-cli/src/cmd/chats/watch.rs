//! `chathub chats watch`: the hub's events as lines until Ctrl-C.

use std::time::Duration;

use anyhow::{Context as _, Result};
use chathub_client::hub::{Hub, HubEvent, ReconnectPolicy};
use chrono::Local;

use super::Context;
use crate::cli::{Reconnect, WatchArgs};
use crate::error::HubClosed;
use crate::output::safe;
use crate::{names, output};

/// With `--reconnect forever`: the wait between attempts after the default
/// ones (0, 2, 10 and 30 s).
pub const FOREVER_EVERY: Duration = Duration::from_secs(10);

/// How long saying goodbye to the server may take after Ctrl-C.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Connects to the hub with the command's credential and prints every event:
/// a line for people (local time first), or one JSON object a line with
/// `--json`. Ctrl-C (SIGINT) or SIGTERM, even while connecting, closes the
/// connection and ends with success; a close by the server (or reconnecting
/// given up) is an error naming its reason.
///
/// Events are written synchronously on the runtime's one thread: while
/// standard output is not read, nothing else happens (said in `--help`);
/// the connection may then time out and reconnect.
pub async fn run(context: &Context, args: WatchArgs) -> Result<()> {
    // First of all: from here on a Ctrl-C is ours (handlers exist once created).
    let mut stop = Stop::new().context("cannot listen for Ctrl-C")?;
    let client = context.client()?;
    tracing::debug!("chathub: connecting to the hub");
    let connect = client.hub().reconnect(policy(args.reconnect)).connect();
    let mut hub = tokio::select! {
        hub = connect => hub?,
        () = stop.requested() => return Ok(()),
    };
    // Said even with --json, on standard error: scripts learn when events start to flow.
    context.out.status(format!("Watching chats on {}; Ctrl-C to stop.", client.base_url()));
    loop {
        let event = tokio::select! {
            event = hub.next_event() => event,
            () = stop.requested() => {
                close(hub).await;
                return Ok(());
            }
        };
        let Some(event) = event else {
            return Err(HubClosed::new(None, false).into());
        };
        if context.out.is_json() {
            context.out.json_line(&event)?;
        } else {
            context.out.line(format!("{}  {}", Local::now().format("%H:%M:%S"), event_line(&event)))?;
        }
        if let HubEvent::Closed { reason, cause, .. } = event {
            return Err(HubClosed::new(reason, cause.is_credential_refused()).into());
        }
    }
}

/// The reconnect policy `--reconnect` names.
fn policy(reconnect: Reconnect) -> ReconnectPolicy {
    match reconnect {
        Reconnect::Default => ReconnectPolicy::default(),
        Reconnect::Forever => ReconnectPolicy::forever(FOREVER_EVERY),
        Reconnect::Never => ReconnectPolicy::never(),
    }
}

/// Closes the connection politely; the process ends either way.
async fn close(hub: Hub) {
    match tokio::time::timeout(CLOSE_WAIT, hub.close()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::debug!(%error, "chathub: closing the hub connection"),
        Err(_) => tracing::debug!("chathub: closing the hub connection took too long"),
    }
}

/// Ctrl-C (SIGINT) and SIGTERM, listened for from creation on: a signal
/// that comes before [`Stop::requested`] is first awaited is kept, not fatal.
struct Stop {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    #[cfg(unix)]
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
    }

    #[cfg(not(unix))]
    fn new() -> std::io::Result<Self> {
        Ok(Self {})
    }

    /// Resolves when a stop was asked for.
    #[cfg(unix)]
    async fn requested(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }

    /// Resolves when a stop was asked for (Ctrl-C; off Unix the handler is
    /// only installed once this is first awaited).
    #[cfg(not(unix))]
    async fn requested(&mut self) {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// One event for people, without the time.
pub fn event_line(event: &HubEvent) -> String {
    match event {
        HubEvent::ChatCreated { chat, .. } => {
            let theme = chat.theme.as_deref().map(|theme| format!(", theme \"{}\"", safe(theme))).unwrap_or_default();
            format!(
                "chat {} created: {}, organization {}, {}{theme}",
                chat.id,
                names::source(chat.mess_source),
                chat.organization_id,
                output::client(&chat.client),
            )
        }
        HubEvent::MessageReceived { message, .. } => format!(
            "chat {} message {} from {} ({}): {}",
            message.chat_id,
            message.id,
            output::author(message),
            names::message_status(message.status),
            output::message_text(message)
        ),
        HubEvent::ChatStatusChanged { chat_id, status, .. } => {
            format!("chat {chat_id} is now {}", names::chat_status(*status))
        }
        HubEvent::MessageStatusChanged { message_id, status, .. } => {
            format!("message {message_id} is now {}", names::message_status(*status))
        }
        HubEvent::Reconnecting { attempt, reason, .. } => {
            format!("connection lost ({}); reconnecting, attempt {attempt}", safe(reason))
        }
        HubEvent::Reconnected => "reconnected".to_owned(),
        HubEvent::Closed { reason: Some(reason), .. } => format!("connection closed: {}", safe(reason)),
        HubEvent::Closed { reason: None, .. } => "connection closed".to_owned(),
        other => safe(&serde_json::to_string(other).unwrap_or_else(|_| format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chathub_client::hub::CloseCause;
    use chathub_client::types::chat::{Author, ChatStatus, MediaRef, MediaType, Message, MessageStatus};
    use chathub_client::types::{ChatId, MessageId, OperatorId};

    fn message(author: Author, operator: Option<i32>, text: Option<&str>) -> Message {
        Message {
            id: MessageId(9),
            chat_id: ChatId(3),
            author,
            operator_id: operator.map(OperatorId),
            message: text.map(str::to_owned),
            phone: None,
            media: None,
            status: MessageStatus::Success,
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn one_line_per_event() {
        let reply = HubEvent::message_received(message(Author::Operator, Some(7), Some("Hi\nthere")));
        assert_eq!(event_line(&reply), "chat 3 message 9 from operator 7 (success): Hi ⏎ there");
        let mut photo = message(Author::Client, None, None);
        photo.media = Some(MediaRef {
            name: "p.jpg".into(),
            format: "image/jpeg".into(),
            media_type: MediaType::Photo,
            uri: "http://h/media/x/p.jpg".into(),
        });
        let photo = HubEvent::message_received(photo);
        assert_eq!(event_line(&photo), "chat 3 message 9 from client (success): [photo p.jpg] http://h/media/x/p.jpg");
        let status = HubEvent::chat_status_changed(ChatId(3), ChatStatus::OnPause);
        assert_eq!(event_line(&status), "chat 3 is now paused");
        let unknown = HubEvent::chat_status_changed(ChatId(3), ChatStatus::from_i32(11));
        assert_eq!(event_line(&unknown), "chat 3 is now 11");
        let read = HubEvent::message_status_changed(MessageId(9), MessageStatus::Read);
        assert_eq!(event_line(&read), "message 9 is now read");
        let lost = HubEvent::reconnecting(2, "connection reset");
        assert_eq!(event_line(&lost), "connection lost (connection reset); reconnecting, attempt 2");
        assert_eq!(event_line(&HubEvent::Reconnected), "reconnected");
        assert_eq!(
            event_line(&HubEvent::closed(Some("Token revoked".into()), CloseCause::Revoked)),
            "connection closed: Token revoked"
        );
        assert_eq!(event_line(&HubEvent::closed(None, CloseCause::GaveUp)), "connection closed");
    }

    #[test]
    fn hostile_text_is_escaped_in_event_lines() {
        let text = "\u{1b}]0;pwned\u{7}\rfrom operator 7\u{202e}";
        let line = event_line(&HubEvent::message_received(message(Author::Client, None, Some(text))));
        assert_eq!(line, "chat 3 message 9 from client (success): \\u{1b}]0;pwned\\u{7}\\rfrom operator 7\\u{202e}");
        let closed = event_line(&HubEvent::closed(Some("bye\u{1b}[2J".into()), CloseCause::ServerClosed));
        assert_eq!(closed, "connection closed: bye\\u{1b}[2J");
        let lost = event_line(&HubEvent::reconnecting(1, "reset\r\n\u{9b}"));
        assert_eq!(lost, "connection lost (reset ⏎ \\u{9b}); reconnecting, attempt 1");
    }

    #[test]
    fn reconnect_policies() {
        assert_eq!(policy(Reconnect::Default), ReconnectPolicy::default());
        assert_eq!(policy(Reconnect::Never).delay(0), None);
        let forever = policy(Reconnect::Forever);
        assert_eq!(forever.delay(0), Some(Duration::ZERO));
        assert_eq!(forever.delay(10_000), Some(FOREVER_EVERY));
        assert_eq!(FOREVER_EVERY, Duration::from_secs(10), "--help says every 10 seconds");
    }
}
