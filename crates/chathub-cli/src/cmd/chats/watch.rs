//! `chathub chats watch`: the hub's events as lines until Ctrl-C.

use std::io::Write;

use anyhow::{Context as _, Result};
use chathub_client::hub::{HubEvent, ReconnectPolicy};
use chrono::Local;

use super::Context;
use crate::error::HubClosed;
use crate::{names, output};

/// Connects to the hub with the command's credential and prints every event:
/// a line for people (local time first), or one JSON object a line with
/// `--json`. Ctrl-C closes the connection and ends with success; a close by
/// the server (or reconnecting given up) is an error naming its reason.
pub async fn run(context: &Context) -> Result<()> {
    let client = context.client()?;
    // The default policy, as @microsoft/signalr's: after 0, 2, 10 and 30 s, then it gives up.
    let mut hub = client.hub().reconnect(ReconnectPolicy::default()).connect().await?;
    // Said even with --json, on standard error: scripts learn when events start to flow.
    let _ = writeln!(std::io::stderr(), "Watching chats on {}; Ctrl-C to stop.", client.base_url());
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let next = tokio::select! {
            event = hub.next_event() => Next::Event(event),
            signal = &mut interrupted => Next::Interrupted(signal),
        };
        match next {
            Next::Interrupted(signal) => {
                signal.context("cannot listen for Ctrl-C")?;
                // Saying goodbye is a courtesy: the process ends either way.
                if let Err(error) = hub.close().await {
                    tracing::debug!(%error, "chathub: closing the hub connection");
                }
                return Ok(());
            }
            Next::Event(None) => {
                return Err(HubClosed::new(None).into());
            }
            Next::Event(Some(event)) => {
                if context.out.is_json() {
                    let line = serde_json::to_string(&event).context("cannot write the event as JSON")?;
                    context.out.line(line)?;
                } else {
                    context.out.line(format!("{}  {}", Local::now().format("%H:%M:%S"), event_line(&event)))?;
                }
                if let HubEvent::Closed { reason, .. } = event {
                    return Err(HubClosed::new(reason).into());
                }
            }
        }
    }
}

enum Next {
    Event(Option<HubEvent>),
    Interrupted(std::io::Result<()>),
}

/// One event for people, without the time.
pub fn event_line(event: &HubEvent) -> String {
    match event {
        HubEvent::ChatCreated { chat, .. } => {
            let theme = chat.theme.as_deref().map(|theme| format!(", theme {theme:?}")).unwrap_or_default();
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
            format!("connection lost ({reason}); reconnecting, attempt {attempt}")
        }
        HubEvent::Reconnected => "reconnected".to_owned(),
        HubEvent::Closed { reason: Some(reason), .. } => format!("connection closed: {reason}"),
        HubEvent::Closed { reason: None, .. } => "connection closed".to_owned(),
        other => serde_json::to_string(other).unwrap_or_else(|_| format!("{other:?}")),
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
}
