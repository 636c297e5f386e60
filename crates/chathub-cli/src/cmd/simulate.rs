//! `chathub simulate customer-message|message-status`: play messenger users
//! on a server started with `--simulator` (spec §7.4).

use anyhow::Result;
use chathub_client::types::MessageId;
use chathub_client::types::chat::{MessageStatus, normalize_phone};
use chathub_client::types::simulator::customer_message::{MAX_THEME_CHARS, Request, SimulatedClient};
use chathub_client::types::simulator::message_status;

use super::Context;
use super::chats::message_parts;
use crate::cli::{CustomerMessageArgs, SimulateCommand};
use crate::error::usage;
use crate::names;

/// Runs one `simulate` subcommand.
pub async fn run(context: &Context, command: SimulateCommand) -> Result<()> {
    match command {
        SimulateCommand::CustomerMessage(args) => customer_message(context, args).await,
        SimulateCommand::MessageStatus { id, status } => set_message_status(context, id, status).await,
    }
}

async fn customer_message(context: &Context, args: CustomerMessageArgs) -> Result<()> {
    if let Some(phone) = args.phone.as_deref()
        && normalize_phone(phone).is_none()
    {
        usage!("--phone {phone:?}: a phone holds 7-15 digits (spaces, +, -, ( and ) are ignored)");
    }
    if let Some(theme) = args.theme.as_deref()
        && theme.chars().count() > MAX_THEME_CHARS
    {
        usage!("--theme: at most {MAX_THEME_CHARS} characters");
    }
    let (text, media) = message_parts(args.text, args.file.as_deref()).await?;
    let request = Request {
        organization_id: args.org,
        source: args.source,
        theme: args.theme,
        client: SimulatedClient { name: args.name, phone: args.phone, tg_user_id: args.tg_user_id },
        text_message: text,
        media,
    };
    let answer = context.client()?.simulator().customer_message(&request).await?;
    if context.out.is_json() {
        return context.out.json(&answer);
    }
    let chat = if answer.created { "new" } else { "existing" };
    context.out.line(format!(
        "Message {} in {chat} chat {} ({}, organization {}).",
        answer.message.id,
        answer.chat.id,
        names::source(answer.chat.mess_source),
        answer.chat.organization_id,
    ))
}

async fn set_message_status(context: &Context, id: MessageId, status: MessageStatus) -> Result<()> {
    context.client()?.simulator().message_status(id, status).await?;
    if context.out.is_json() {
        // The answer has no body: print the request that was applied.
        context.out.json(&message_status::Request { id, status })
    } else {
        context.out.line(format!("Message {id} is now {}.", names::message_status(status)))
    }
}
