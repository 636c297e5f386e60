//! A terminal operator console: one operator's chats, live.
//!
//! Walked through step by step in `docs/guides/operator-console.md`.
//!
//! ```sh
//! CHATHUB_URL=http://127.0.0.1:8080 CHATHUB_LOGIN=acme CHATHUB_PASSWORD=acme-pass-1 \
//!     cargo run -p chathub-client --features hub --example operator_console -- 1
//! ```
//!
//! Then type `<chat id> <text>` and Enter to reply as that operator;
//! `/show <chat id>` prints a chat's messages; Ctrl-D or Ctrl-C quits.

use std::time::Duration;

use anyhow::{Context, bail};
use chathub_client::hub::{Hub, HubEvent};
use chathub_client::types::chat::Author;
use chathub_client::types::chat::list_chats::Query;
use chathub_client::{ChatId, ChatStatus, Client, Message, OperatorId, OperatorTokenCache};
use tokio::io::{AsyncBufReadExt as _, BufReader};

#[path = "support/env.rs"]
mod env;
use env::client_from_env;

const USAGE: &str = "\
usage: operator_console OPERATOR_ID [--auto-reply TEXT]

Shows the operator's open chats, then every new message live; replies as
that operator.

  <chat id> <text>   reply in a chat (the reply assigns the chat to you)
  /show <chat id>    print a chat's messages, oldest first
  --auto-reply TEXT  also answer every customer message with TEXT

environment:
  CHATHUB_URL        base URL (default https://chatapi.smsbat.com)
  CHATHUB_LOGIN      company login      } or CHATHUB_API_KEY
  CHATHUB_PASSWORD   company password   }";

/// How long each operator token lives; the hub asks for a fresh one on
/// every reconnect, and the cache issues a new one after 3/4 of this.
const TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (operator, auto_reply) = match args.as_slice() {
        [id] if id != "-h" && id != "--help" => (id, None),
        [id, flag, text] if flag == "--auto-reply" => (id, Some(text.clone())),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let operator: OperatorId = operator.parse().with_context(|| format!("`{operator}` is not an operator id"))?;
    let Some(company) = client_from_env()? else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };

    // 1. Sign in (the client does it on the first request) and find the operator.
    let organization = find_organization(&company, operator).await?;

    // 2. What is waiting: the organization's chats that are not Closed.
    let page = company.chats().list(&Query::new().organization(organization).per_page(100)).await?;
    println!("{} chats in organization {organization}", page.total);
    for chat in page.items.iter().filter(|chat| chat.chat_status != ChatStatus::Closed) {
        let who = chat.client.name.as_deref().unwrap_or("(no name)");
        println!("  chat {:>5}  {:<8}  {} unread  {who}", chat.id, chat.chat_status, chat.count_unread);
    }

    // 3. Live: the hub as the operator. Each (re)connect asks the cache for a
    //    token, which issues a fresh one with the company credential when needed.
    let tokens = OperatorTokenCache::new(company.clone(), TOKEN_LIFETIME);
    let mut hub = company
        .hub()
        .operator_token_source(move || {
            let tokens = tokens.clone();
            async move { tokens.get(operator).await.map(|issued| issued.token) }
        })
        .connect()
        .await?;
    println!("live as operator {operator}; type `<chat id> <text>` to reply");

    // 4. Events and typed lines, as they come.
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            event = hub.next_event() => {
                let Some(event) = event else { break };
                if let Some(chat) = on_event(&event) && let Some(text) = &auto_reply {
                    reply(&hub, chat, text).await;
                }
            }
            line = lines.next_line() => {
                let Some(line) = line? else { break };
                on_line(&company, &hub, line.trim()).await;
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    hub.close().await?;
    Ok(())
}

/// The organization `operator` belongs to.
async fn find_organization(company: &Client, operator: OperatorId) -> anyhow::Result<chathub_client::OrganizationId> {
    for organization in company.organizations().await? {
        if company.operators().list(organization.id).await?.iter().any(|o| o.id == operator) {
            return Ok(organization.id);
        }
    }
    bail!("operator {operator} is not one of this company's")
}

/// Prints an event; the chat of a customer's message, to answer it.
fn on_event(event: &HubEvent) -> Option<ChatId> {
    match event {
        HubEvent::ChatCreated { chat, .. } => {
            let who = chat.client.name.as_deref().unwrap_or("(no name)");
            println!("new chat {} from {who} via {}", chat.id, chat.mess_source);
        }
        HubEvent::MessageReceived { message, .. } => {
            print_message(message);
            return (message.author == Author::Client).then_some(message.chat_id);
        }
        HubEvent::ChatStatusChanged { chat_id, status, .. } => println!("chat {chat_id} is now {status}"),
        HubEvent::MessageStatusChanged { message_id, status, .. } => println!("message {message_id} is now {status}"),
        HubEvent::Reconnecting { attempt, reason, .. } => println!("reconnecting (attempt {attempt}): {reason}"),
        HubEvent::Reconnected => println!("reconnected"),
        HubEvent::Closed { reason, .. } => println!("closed: {}", reason.as_deref().unwrap_or("by the server")),
        _ => {}
    }
    None
}

fn print_message(message: &Message) {
    let text = message.message.as_deref().unwrap_or_default();
    let media = message.media.as_ref().map(|media| format!(" [{}]", media.uri)).unwrap_or_default();
    println!("chat {} #{} {}: {text}{media}", message.chat_id, message.id, message.author);
}

/// `<chat id> <text>` replies through the hub; `/show <chat id>` lists messages.
async fn on_line(company: &Client, hub: &Hub, line: &str) {
    if let Some(chat) = line.strip_prefix("/show ") {
        match chat.trim().parse::<ChatId>() {
            Ok(chat) => match company.chats().messages(chat).await {
                Ok(messages) => messages.iter().for_each(print_message),
                Err(error) => eprintln!("error: {error}"),
            },
            Err(_) => eprintln!("error: `{chat}` is not a chat id"),
        }
        return;
    }
    match line.split_once(' ').map(|(chat, text)| (chat.parse::<ChatId>(), text)) {
        Some((Ok(chat), text)) => reply(hub, chat, text).await,
        _ if line.is_empty() => {}
        _ => eprintln!("type `<chat id> <text>` or `/show <chat id>`"),
    }
}

/// Sends a reply as the operator and says how it went.
async fn reply(hub: &Hub, chat: ChatId, text: &str) {
    match hub.send_message(chat, text).await {
        Ok(sent) => println!("sent #{} to chat {chat}", sent.id),
        Err(error) => eprintln!("error: {error}"),
    }
}
