//! `chathub chats list|show|send|status|delete|watch` (spec §7).

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context as _, Result};
use chathub_client::types::ChatId;
use chathub_client::types::chat::list_chats::{DateFilter, Query};
use chathub_client::types::chat::send_message::Request as SendRequest;
use chathub_client::types::chat::set_chat_status::Request as StatusRequest;
use chathub_client::types::chat::{Author, ChatStatus, NewMedia, TextError, check_text};
use serde_json::json;

use super::Context;
use crate::cli::{ChatsCommand, ListArgs, SendArgs};
use crate::error::usage;
use crate::{names, output};

mod watch;

/// Runs one `chats` subcommand.
pub async fn run(context: &Context, command: ChatsCommand) -> Result<()> {
    match command {
        ChatsCommand::List(args) => list(context, args).await,
        ChatsCommand::Show { id } => show(context, id).await,
        ChatsCommand::Send(args) => send(context, args).await,
        ChatsCommand::Status { id, status } => set_status(context, id, status).await,
        ChatsCommand::Delete { id, yes } => delete(context, id, yes).await,
        ChatsCommand::Watch(args) => watch::run(context, args).await,
    }
}

/// The list query the options ask for; at most two dates, the second not before the first.
fn query(args: ListArgs) -> Result<Query> {
    let date = match args.date.as_slice() {
        [] => None,
        [once] => Some(DateFilter::Once(*once)),
        [from, until] if until.start() >= from.start() => Some(DateFilter::Between(*from, *until)),
        [_, _] => usage!("--date: the second date must not be earlier than the first"),
        _ => usage!("--date: at most two (a range), not {}", args.date.len()),
    };
    Ok(Query {
        page: args.page,
        per_page: args.per_page,
        search: args.search.filter(|search| !search.is_empty()),
        source: args.source.map(|source| source.to_i32()),
        date,
        tg_user_id: args.tg_user_id,
        phone: args.phone,
        status: args.status.map(|status| status.to_i32()),
        organization_id: args.org,
        operator_id: args.operator,
    })
}

async fn list(context: &Context, args: ListArgs) -> Result<()> {
    let query = query(args)?;
    let client = context.client()?;
    let answer = client.chats().list(&query).await?;
    if context.out.is_json() {
        return context.out.json(&answer);
    }
    if answer.items.is_empty() {
        return context.out.line(if answer.total == 0 {
            "No chats match.".to_owned()
        } else {
            format!("Page {} is past the end: {} match.", query.page, output::count_u64(answer.total, "chat"))
        });
    }
    context.out.table(&output::chats(&answer.items))?;
    context.out.line(output::page_summary(query.page, query.per_page, answer.items.len(), answer.total))
}

async fn show(context: &Context, id: ChatId) -> Result<()> {
    let client = context.client()?;
    let chat = client.chats().get(id).await?;
    let messages = client.chats().messages(id).await?;
    if context.out.is_json() {
        return context.out.json(&json!({"chat": chat, "messages": messages}));
    }
    context.out.line(output::chat_summary(&chat))?;
    if messages.is_empty() {
        context.out.line("No messages.")
    } else {
        context.out.line("")?;
        context.out.table(&output::messages(&messages))
    }
}

/// Checks a message's text and file locally and reads the file: nothing is
/// sent when either breaks a rule (exit code 2).
pub(super) async fn message_parts(
    text: Option<String>,
    file: Option<&Path>,
) -> Result<(Option<String>, Option<NewMedia>)> {
    // With a file, a blank text is no text.
    let text = text.filter(|text| !(file.is_some() && text.trim().is_empty()));
    match check_text(text.as_deref(), file.is_some()) {
        Ok(()) => {}
        Err(TextError::Empty) => usage!("TEXT is blank: give a text, --file, or both"),
        Err(error) => usage!("TEXT: {}", error.rest_message()),
    }
    let media = match file {
        Some(path) => Some(chathub_client::media_from_file(path).await?),
        None => None,
    };
    Ok((text, media))
}

async fn send(context: &Context, args: SendArgs) -> Result<()> {
    let (text, media) = message_parts(args.text, args.file.as_deref()).await?;
    let request = SendRequest { text_message: text, author: Some(Author::Operator), media };
    let message = context.client()?.chats().send(args.id, request).await?;
    if context.out.is_json() {
        context.out.json(&message)
    } else {
        context.out.line(format!(
            "Sent message {} to chat {} ({}).",
            message.id,
            message.chat_id,
            names::message_status(message.status)
        ))
    }
}

async fn set_status(context: &Context, id: ChatId, status: ChatStatus) -> Result<()> {
    context.client()?.chats().set_status(id, status).await?;
    if context.out.is_json() {
        // The answer has no body: print the request that was applied.
        context.out.json(&StatusRequest { id, status })
    } else {
        context.out.line(format!("Chat {id} is now {}.", names::chat_status(status)))
    }
}

async fn delete(context: &Context, id: ChatId, yes: bool) -> Result<()> {
    if !yes {
        if !std::io::stdin().is_terminal() {
            usage!("chats delete {id}: standard input is not a terminal to confirm on; add --yes to delete");
        }
        if !confirm(&format!("Delete chat {id} and all its messages? [y/N] "))? {
            context.out.note(format!("Chat {id} was not deleted."));
            return Ok(());
        }
    }
    context.client()?.chats().delete(id).await?;
    if context.out.is_json() {
        context.out.json(&json!({"id": id, "deleted": true}))
    } else {
        context.out.line(format!("Deleted chat {id} with its messages."))
    }
}

/// Asks on standard error and reads one line from standard input: y or yes (any case) confirms.
fn confirm(question: &str) -> Result<bool> {
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{question}").and_then(|()| stderr.flush()).context("cannot write to standard error")?;
    drop(stderr);
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).context("cannot read the answer from standard input")?;
    Ok(is_yes(&answer))
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chathub_client::types::chat::list_chats::DateBound;

    fn args() -> ListArgs {
        ListArgs {
            page: 1,
            per_page: 20,
            search: None,
            source: None,
            status: None,
            org: None,
            operator: None,
            phone: None,
            tg_user_id: None,
            date: Vec::new(),
        }
    }

    fn day(text: &str) -> DateBound {
        DateBound::parse(text).unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn dates_make_one_filter_or_a_range() {
        let once = query(ListArgs { date: vec![day("2026-01-28")], ..args() }).unwrap();
        assert_eq!(once.date, Some(DateFilter::Once(day("2026-01-28"))));
        let range = query(ListArgs { date: vec![day("2026-01-28"), day("2026-01-28")], ..args() }).unwrap();
        assert_eq!(range.to_query_string(), "date=2026-01-28&date=2026-01-28");
        let reversed = query(ListArgs { date: vec![day("2026-01-29"), day("2026-01-28")], ..args() });
        assert!(reversed.unwrap_err().to_string().contains("earlier"));
        let three = query(ListArgs { date: vec![day("2026-01-28"); 3], ..args() });
        assert!(three.unwrap_err().to_string().contains("at most two"));
    }

    #[test]
    fn filters_reach_the_query() {
        let query = query(ListArgs {
            page: 2,
            per_page: 5,
            search: Some(String::new()),
            source: Some(chathub_client::types::chat::MessageSource::TelegramBot),
            status: Some(ChatStatus::OnPause),
            phone: Some("+380 (50) 123-45-67".into()),
            tg_user_id: Some(70123),
            ..args()
        })
        .unwrap();
        assert_eq!(
            query.to_query_string(),
            "page=2&per_page=5&source=2&tg_user_id=70123&phone=%2B380%20%2850%29%20123-45-67&status=3"
        );
    }

    #[test]
    fn only_y_or_yes_confirms() {
        for yes in ["y\n", "Y", " yes \r\n", "YES"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yep", "delete"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }
}
