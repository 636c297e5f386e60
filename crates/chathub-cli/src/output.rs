//! What commands print: tables and sentences for people, the API's JSON for
//! scripts (`--json`: one document on standard output, nothing else).
//!
//! Text that messenger users, operators or the server chose (message texts,
//! client names, themes, operator names, reasons) never reaches a terminal
//! raw: [`safe`] shows control characters (ESC, BEL, a lone carriage return,
//! C1 codes) and bidirectional overrides as visible escapes (`\u{1b}`), so
//! nobody can move the cursor, rewrite a line, set the window title or
//! reorder what is shown. Every line written for people passes through the
//! same escaping once more ([`Output::line`], [`Output::note`]); JSON keeps
//! the text exact (serde escapes control characters).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Context as _, Result};
use chathub_client::types::chat::{Author, Chat, ChatClient, Message};
use chathub_client::{Operator, Organization, SynchronizedOperator};
use chrono::{DateTime, Utc};
use comfy_table::{CellAlignment, Table, presets};
use serde::Serialize;

/// Where and how a command prints.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
}

impl Output {
    /// Tables and sentences, or JSON when `json`.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether `--json` was given.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Writes one JSON document (pretty-printed) on standard output.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value).context("cannot write the answer as JSON")?;
        self.raw_line(&text)
    }

    /// Writes one JSON document on one line on standard output (JSON lines).
    pub fn json_line<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string(value).context("cannot write the answer as JSON")?;
        self.raw_line(&text)
    }

    /// Writes a line for people on standard output: line breaks stay, every
    /// other control character or bidirectional override shows escaped.
    pub fn line(&self, text: impl std::fmt::Display) -> Result<()> {
        self.raw_line(&escape(&text.to_string(), Breaks::Keep))
    }

    /// Writes a line exactly as given (JSON, completion scripts, tokens).
    pub fn raw_line(&self, text: &str) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}").and_then(|()| stdout.flush()).context("cannot write to standard output")
    }

    /// Writes a table on standard output.
    pub fn table(&self, table: &Table) -> Result<()> {
        self.line(table)
    }

    /// A line on standard error, said even with `--json` (e.g. that `chats
    /// watch` is connected).
    pub fn status(&self, text: impl std::fmt::Display) {
        // Nothing useful is left to do when standard error is gone.
        let _ = writeln!(std::io::stderr(), "{}", escape(&text.to_string(), Breaks::Keep));
    }

    /// A remark for people on standard error; left out with `--json`.
    pub fn note(&self, text: impl std::fmt::Display) {
        if !self.json {
            // Nothing useful is left to do when standard error is gone.
            let _ = writeln!(std::io::stderr(), "{}", escape(&text.to_string(), Breaks::Keep));
        }
    }
}

/// What [`escape`] does with line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breaks {
    /// `\n` stays a line break (whole lines and tables of already safe cells).
    Keep,
    /// Each line break (`\n` or `\r\n`) shows as ` ⏎ `: one line.
    Mark,
}

/// Whether a character must not reach a terminal as it is: control
/// characters (C0 with ESC, BEL, CR and TAB, DEL, C1 with CSI), the
/// bidirectional embeddings, overrides, isolates and marks, and the Unicode
/// line and paragraph separators.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}'
        )
}

/// `text` with every unsafe character (see [`unsafe_char`]) shown as an
/// escape: `\t`, `\r`, `\n`, else `\u{1b}`; line breaks kept or marked.
fn escape(text: &str, breaks: Breaks) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        // `\r\n` is one line break; a carriage return anywhere else is shown.
        let line = if last { line } else { line.strip_suffix('\r').unwrap_or(line) };
        for c in line.chars() {
            match c {
                '\t' => shown.push_str("\\t"),
                '\r' => shown.push_str("\\r"),
                c if unsafe_char(c) => {
                    let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
                }
                c => shown.push(c),
            }
        }
        if !last {
            shown.push_str(match breaks {
                Breaks::Keep => "\n",
                Breaks::Mark => " ⏎ ",
            });
        }
    }
    Cow::Owned(shown)
}

/// Text from users or the server, safe on a terminal and on one line: line
/// breaks show as ` ⏎ ` (none at the very end), control characters and
/// bidirectional overrides as escapes (`\r`, `\t`, `\u{1b}`, `\u{202e}`).
pub fn safe(text: &str) -> String {
    escape(text.trim_end_matches(['\n', '\r']), Breaks::Mark).into_owned()
}

/// [`safe`] for text that may be missing.
pub fn safe_or(text: Option<&str>, missing: &str) -> String {
    text.map_or_else(|| missing.to_owned(), safe)
}

/// `1 operator`, `2 operators`, `3 batches`.
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ if noun.ends_with("ch") || noun.ends_with('s') => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

/// [`count`] for a server's 64-bit total.
pub fn count_u64(n: u64, noun: &str) -> String {
    count(usize::try_from(n).unwrap_or(usize::MAX), noun)
}

/// A table with our style and these column headers.
fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners()).set_header(header.to_vec());
    table
}

fn align_right(table: &mut Table, column: usize) {
    if let Some(column) = table.column_mut(column) {
        column.set_cell_alignment(CellAlignment::Right);
    }
}

/// ID, NAME.
pub fn organizations(organizations: &[Organization]) -> Table {
    let mut table = new_table(&["ID", "NAME"]);
    for organization in organizations {
        table.add_row(vec![organization.id.to_string(), safe(&organization.name)]);
    }
    align_right(&mut table, 0);
    table
}

/// ID, NAME, STATUS (name, or the number when unknown), ORGANIZATION.
pub fn operators(operators: &[Operator]) -> Table {
    let mut table = new_table(&["ID", "NAME", "STATUS", "ORGANIZATION"]);
    for operator in operators {
        table.add_row(vec![
            operator.id.to_string(),
            safe(&operator.name),
            operator.status.to_string(),
            format!("{} ({})", safe(&operator.organization.name), operator.organization.id),
        ]);
    }
    align_right(&mut table, 0);
    table
}

/// ID, NAME, STATUS of operators just created.
pub fn created(operators: &[SynchronizedOperator]) -> Table {
    let mut table = new_table(&["ID", "NAME", "STATUS"]);
    for operator in operators {
        table.add_row(vec![operator.id.to_string(), safe(&operator.name), operator.status.to_string()]);
    }
    align_right(&mut table, 0);
    table
}

/// LINE, NAME, STATUS of CSV rows (an import's dry run).
pub fn rows<'a>(rows: impl IntoIterator<Item = (u64, &'a str, chathub_client::OperatorStatus)>) -> Table {
    let mut table = new_table(&["LINE", "NAME", "STATUS"]);
    for (line, name, status) in rows {
        table.add_row(vec![line.to_string(), safe(name), status.to_string()]);
    }
    align_right(&mut table, 0);
    table
}

/// LINE, NAME, REASON of CSV rows left out.
pub fn skipped<'a>(rows: impl IntoIterator<Item = (u64, &'a str, &'a str)>) -> Table {
    let mut table = new_table(&["LINE", "NAME", "REASON"]);
    for (line, name, reason) in rows {
        table.add_row(vec![line.to_string(), safe(name), safe(reason)]);
    }
    align_right(&mut table, 0);
    table
}

/// An instant in tables and sentences: UTC, to the second, one width for all.
pub fn time(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `Olena (380501234567)`, `380501234567`, `Telegram 70123`, or `client 501`.
pub fn client(client: &ChatClient) -> String {
    let name = client.name.as_deref().map(str::trim).filter(|name| !name.is_empty()).map(safe);
    let reach = client.phone.as_deref().map(safe).or_else(|| client.tg_user_id.map(|id| format!("Telegram {id}")));
    match (name, reach) {
        (Some(name), Some(reach)) => format!("{name} ({reach})"),
        (Some(name), None) => name,
        (None, Some(reach)) => reach,
        (None, None) => format!("client {}", client.id),
    }
}

/// Who wrote a message: `client`, `operator 7`, `company` (an operator
/// message sent with a company credential), `system`.
pub fn author(message: &Message) -> String {
    match (message.author, message.operator_id) {
        (Author::Operator, Some(operator)) => format!("operator {operator}"),
        (Author::Operator, None) => "company".to_owned(),
        (author, _) => crate::names::author(author),
    }
}

/// A message's text and media on one line, [`safe`]: line breaks become ` ⏎ `.
pub fn message_text(message: &Message) -> String {
    let mut parts = Vec::new();
    if let Some(text) = message.message.as_deref().filter(|text| !text.is_empty()) {
        parts.push(safe(text));
    }
    if let Some(media) = &message.media {
        parts.push(format!(
            "[{} {}] {}",
            crate::names::media_type(media.media_type),
            safe(&media.name),
            safe(&media.uri)
        ));
    }
    parts.join(" ")
}

/// ID, THEME, CLIENT, SOURCE, STATUS, UNREAD, OPERATOR, ORG, LAST MESSAGE (UTC).
pub fn chats(chats: &[Chat]) -> Table {
    let mut table =
        new_table(&["ID", "THEME", "CLIENT", "SOURCE", "STATUS", "UNREAD", "OPERATOR", "ORG", "LAST MESSAGE (UTC)"]);
    for chat in chats {
        table.add_row(vec![
            chat.id.to_string(),
            safe_or(chat.theme.as_deref(), "-"),
            client(&chat.client),
            crate::names::source(chat.mess_source),
            crate::names::chat_status(chat.chat_status),
            chat.count_unread.to_string(),
            chat.operator
                .as_ref()
                .map_or_else(|| "-".to_owned(), |operator| format!("{} ({})", safe(&operator.name), operator.id)),
            chat.organization_id.to_string(),
            chat.last_message_at.map_or_else(|| "-".to_owned(), time),
        ]);
    }
    for column in [0, 5, 7] {
        align_right(&mut table, column);
    }
    table
}

/// `Chats 1-20 of 124 (page 1 of 7; --page 2 for more).`
pub fn page_summary(page: u32, per_page: u32, shown: usize, total: u64) -> String {
    let first = u64::from(page - 1) * u64::from(per_page) + 1;
    let last = first + shown as u64 - 1;
    let pages = total.div_ceil(u64::from(per_page)).max(1);
    if u64::from(page) < pages {
        format!("Chats {first}-{last} of {total} (page {page} of {pages}; --page {} for more).", page + 1)
    } else {
        format!("Chats {first}-{last} of {total} (page {page} of {pages}).")
    }
}

/// The chat's facts, a few lines (before its messages in `chats show`).
pub fn chat_summary(chat: &Chat) -> String {
    let operator =
        chat.operator.as_ref().map_or_else(|| "none".to_owned(), |op| format!("{} ({})", safe(&op.name), op.id));
    let mut reach = Vec::new();
    if let Some(phone) = &chat.client.phone {
        reach.push(format!("phone {}", safe(phone)));
    }
    if let Some(id) = chat.client.tg_user_id {
        reach.push(format!("Telegram {id}"));
    }
    let name = safe_or(chat.client.name.as_deref(), "(no name)");
    let reach = if reach.is_empty() { String::new() } else { format!(", {}", reach.join(", ")) };
    let last = chat.last_message_at.map_or_else(|| "none".to_owned(), |at| format!("{} UTC", time(at)));
    format!(
        "Chat {}: {}, {}, organization {}\n\
         Theme:    {}\n\
         Client:   {name}{reach} (client {})\n\
         Operator: {operator}\n\
         Created:  {} UTC; last message: {last}; unread: {}",
        chat.id,
        crate::names::source(chat.mess_source),
        crate::names::chat_status(chat.chat_status),
        chat.organization_id,
        safe_or(chat.theme.as_deref(), "(none)"),
        chat.client.id,
        time(chat.created_at),
        chat.count_unread,
    )
}

/// ID, TIME (UTC), FROM, STATUS, MESSAGE, in the order given (oldest first from the server).
pub fn messages(messages: &[Message]) -> Table {
    let mut table = new_table(&["ID", "TIME (UTC)", "FROM", "STATUS", "MESSAGE"]);
    for message in messages {
        table.add_row(vec![
            message.id.to_string(),
            time(message.created_at),
            author(message),
            crate::names::message_status(message.status),
            message_text(message),
        ]);
    }
    align_right(&mut table, 0);
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use chathub_client::{OperatorId, OperatorStatus, OrganizationId};

    #[test]
    fn unknown_statuses_show_as_numbers() {
        let organization = Organization { id: OrganizationId(24), name: "Customer Support".into() };
        let operator =
            Operator { id: OperatorId(7), name: "Ann".into(), status: OperatorStatus::from_i32(9), organization };
        let text = operators(&[operator]).to_string();
        assert!(text.contains("┆ 9 "), "{text}");
        assert!(text.contains("Customer Support (24)"), "{text}");
    }

    #[test]
    fn user_text_shows_no_raw_control_characters() {
        assert_eq!(safe("Where is my parcel?"), "Where is my parcel?");
        assert_eq!(safe("Hi\nthere\r\nbye\n"), "Hi ⏎ there ⏎ bye");
        assert_eq!(safe("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(safe("ok\rfrom operator 7: paid"), "ok\\rfrom operator 7: paid");
        assert_eq!(safe("a\tb\u{7f}\u{9b}2J"), "a\\tb\\u{7f}\\u{9b}2J");
        assert_eq!(
            safe("\u{202e}txt.exe\u{2066}\u{2069}\u{200f}\u{2028}"),
            "\\u{202e}txt.exe\\u{2066}\\u{2069}\\u{200f}\\u{2028}"
        );
        assert_eq!(safe("Оля 👋 ⏎ \\u{1b}"), "Оля 👋 ⏎ \\u{1b}", "printable text and backslashes stay");
        assert_eq!(escape("table\nrow \u{1b}[2J\r\n", Breaks::Keep), "table\nrow \\u{1b}[2J\n");
    }

    #[test]
    fn cells_of_hostile_text_stay_in_their_table() {
        let message = Message {
            id: chathub_client::types::MessageId(1),
            chat_id: chathub_client::types::ChatId(1),
            author: Author::Client,
            operator_id: None,
            message: Some("line one\n\u{1b}[1A\u{1b}[2K\rfrom operator 7\u{7}".into()),
            phone: None,
            media: None,
            status: chathub_client::types::chat::MessageStatus::New,
            created_at: DateTime::UNIX_EPOCH,
        };
        let table = messages(&[message]).to_string();
        assert!(!table.chars().any(|c| c.is_control() && c != '\n'), "{table:?}");
        assert_eq!(table.lines().count(), 5, "one row: {table}");
        assert!(table.contains("line one ⏎ \\u{1b}[1A\\u{1b}[2K\\rfrom operator 7\\u{7}"), "{table}");
    }

    #[test]
    fn counts() {
        assert_eq!(count(1, "operator"), "1 operator");
        assert_eq!(count(0, "operator"), "0 operators");
        assert_eq!(count(3, "batch"), "3 batches");
        assert_eq!(count_u64(2, "chat"), "2 chats");
    }

    #[test]
    fn pages() {
        assert_eq!(page_summary(1, 20, 3, 3), "Chats 1-3 of 3 (page 1 of 1).");
        assert_eq!(page_summary(1, 20, 20, 124), "Chats 1-20 of 124 (page 1 of 7; --page 2 for more).");
        assert_eq!(page_summary(7, 20, 4, 124), "Chats 121-124 of 124 (page 7 of 7).");
    }

    #[test]
    fn clients_by_what_is_known() {
        let mut known = ChatClient {
            id: chathub_client::types::ClientId(5),
            name: Some("Olena".into()),
            phone: Some("380501234567".into()),
            tg_user_id: Some(70123),
        };
        assert_eq!(client(&known), "Olena (380501234567)");
        known.phone = None;
        assert_eq!(client(&known), "Olena (Telegram 70123)");
        known.name = Some("  ".into());
        assert_eq!(client(&known), "Telegram 70123");
        known.tg_user_id = None;
        assert_eq!(client(&known), "client 5");
    }
}
