//! The command line: global options, commands and their arguments (clap derive).

use std::path::PathBuf;
use std::time::Duration;

use chathub_client::types::chat::list_chats::{DateBound, MAX_PER_PAGE};
use chathub_client::types::chat::{ChatStatus, MessageSource, MessageStatus};
use chathub_client::types::{ChatId, MessageId};
use chathub_client::{DEFAULT_BASE_URL, OperatorId, OperatorStatus, OrganizationId};
use clap::{ArgAction, ArgGroup, Args, Parser, Subcommand};

use crate::duration::parse_duration;
use crate::names::{parse_chat_status, parse_message_status, parse_source};

/// What `--help` says about exit codes and credentials.
const AFTER_HELP: &str = "\
Credentials: --token, else --api-key, else --login with --password (or --password-stdin). \
One given on the command line beats one from the environment.

Exit codes:
  0  success
  1  the request failed (network, timeout, server error)
  2  usage or local validation error
  3  credentials refused (401/403)";

/// Operate SMSBAT ChatHub from a terminal and from scripts.
#[derive(Debug, Parser)]
#[command(name = "chathub", version, max_term_width = 100, after_help = AFTER_HELP)]
pub struct Cli {
    /// Options every command accepts, before or after its name.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts, before or after its name.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The ChatHub server.
    #[arg(long, global = true, env = "CHATHUB_BASE_URL", hide_env_values = true, value_name = "URL", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,

    /// The company's login (with a password).
    #[arg(long, global = true, env = "CHATHUB_LOGIN", hide_env_values = true, value_name = "LOGIN")]
    pub login: Option<String>,

    /// The company's password; prefer CHATHUB_PASSWORD or --password-stdin, as other users can see a command line.
    #[arg(long, global = true, env = "CHATHUB_PASSWORD", hide_env_values = true, value_name = "PASSWORD")]
    pub password: Option<Secret>,

    /// Read the password from the first line of standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,

    /// The company's static API key.
    #[arg(long, global = true, env = "CHATHUB_API_KEY", hide_env_values = true, value_name = "KEY")]
    pub api_key: Option<Secret>,

    /// A company token, e.g. printed by `chathub login`; `chats` also takes an operator token.
    #[arg(long, global = true, env = "CHATHUB_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<Secret>,

    /// How long one request may take, in seconds; a retry gets as long again.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "30", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Print the API's JSON (camelCase) instead of tables: one document on standard output (`chats watch`: one event a line).
    #[arg(long, global = true)]
    pub json: bool,

    /// Log each request on standard error (method, path, status, latency, retries); repeat for more.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

/// A password, API key or token: `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, to hand to the client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with --login and --password and print the company token (for scripts).
    Login,
    /// List the company's organizations.
    Orgs,
    /// List, add, import operators and change their status.
    #[command(subcommand)]
    Operators(OperatorsCommand),
    /// Issue and validate operator tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Issue an operator token and print the chat widget's script tag.
    Widget(WidgetArgs),
    /// List, read, answer, close and delete chats; watch them live.
    #[command(subcommand)]
    Chats(ChatsCommand),
    /// Play messenger users on a server started with --simulator (for tests and demos).
    #[command(subcommand)]
    Simulate(SimulateCommand),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// `chathub chats ...`.
#[derive(Debug, Subcommand)]
pub enum ChatsCommand {
    /// List chats, newest first, one page at a time; filters combine.
    List(ListArgs),
    /// Show a chat, then its messages, oldest first.
    #[command(after_help = "With --json: {\"chat\": <the chat>, \"messages\": [<its messages, oldest first>]}.")]
    Show {
        /// The chat.
        #[arg(value_name = "ID", value_parser = parse_chat)]
        id: ChatId,
    },
    /// Send a reply: a text, a file, or both.
    Send(SendArgs),
    /// Set a chat's status; a closed chat takes no reply until it is reopened.
    Status {
        /// The chat.
        #[arg(value_name = "ID", value_parser = parse_chat)]
        id: ChatId,
        /// new, open, waiting, paused or closed (or 0-4).
        #[arg(value_name = "STATUS", value_parser = parse_chat_status)]
        status: ChatStatus,
    },
    /// Delete a chat with all its messages and media, for good.
    #[command(after_help = "\
On a terminal it asks first; answering anything but y leaves the chat as it is (exit 0). \
Without a terminal (scripts, pipes) it needs --yes, else it refuses with exit code 2 and sends nothing. \
Operator tokens may not delete (403).")]
    Delete {
        /// The chat.
        #[arg(value_name = "ID", value_parser = parse_chat)]
        id: ChatId,
        /// Do not ask: delete at once (for scripts).
        #[arg(short, long)]
        yes: bool,
    },
    /// Print chat events as they happen, one line each, until Ctrl-C.
    #[command(after_help = "\
Events: new chats, messages (the company's and operators' replies too), chat and message status changes, \
and the connection's own: reconnecting, reconnected, closed. With --json each is one JSON object a line, \
named by its \"event\" member.

Standard error says when it is connected (with --json too). A lost connection is tried again after \
0, 2, 10 and 30 seconds (see --reconnect); events sent meanwhile are lost (`chats list` catches up). \
A revoked or refused credential is never tried again.

Ctrl-C (or SIGTERM), also while connecting, closes the connection and ends with exit code 0. When the \
server closes the connection for good (a revoked token, say) or reconnecting gives up, it prints why on \
standard error and exits 1 (3 for a revoked or refused credential).

Text from messenger users (messages, names, themes) is shown with control characters and bidirectional \
overrides escaped (\\u{1b}, \\r); --json gives it exactly.

Events are written as they come: while standard output is not read (a paused terminal, a full pipe), \
watching stalls, the connection may time out and reconnect, and events are lost.")]
    Watch(WatchArgs),
}

/// `chathub chats watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// After a lost connection: default (try after 0, 2, 10 and 30 s, then give up), forever (the same, then every 10 s, for long-running watchers) or never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = Reconnect::Default, hide_possible_values = true)]
    pub reconnect: Reconnect,
}

/// `chats watch --reconnect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Reconnect {
    /// After 0, 2, 10 and 30 seconds, then give up (exit 1).
    Default,
    /// After 0, 2, 10 and 30 seconds, then every 10 seconds for ever (for long-running watchers).
    Forever,
    /// Not at all: a lost connection ends it (exit 1).
    Never,
}

/// `chathub chats list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The page, from 1.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub page: u32,
    /// Chats a page, 1-100.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PER_PAGE)))]
    pub per_page: u32,
    /// Only chats whose theme, client name or phone holds this text (any case).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only chats on this messenger: viber, viber-bot, telegram-bot, whatsapp, widget, instagram, facebook, rozetka, prom-ua (or 0-8).
    #[arg(long, value_name = "SOURCE", value_parser = parse_source)]
    pub source: Option<MessageSource>,
    /// Only chats with this status: new, open, waiting, paused, closed (or 0-4).
    #[arg(long, value_name = "STATUS", value_parser = parse_chat_status)]
    pub status: Option<ChatStatus>,
    /// Only chats of this organization.
    #[arg(long, value_name = "ID", value_parser = parse_organization)]
    pub org: Option<OrganizationId>,
    /// Only chats assigned to this operator.
    #[arg(long, value_name = "ID", value_parser = parse_operator)]
    pub operator: Option<OperatorId>,
    /// Only chats of the client with this phone (its digits count: "+380 (50) 123-45-67" finds 380501234567).
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// Only chats of the client with this Telegram user id.
    #[arg(long, value_name = "N")]
    pub tg_user_id: Option<i64>,
    /// Only chats created then: a UTC day (2026-01-28) or from an instant on; twice for a range, the second day included.
    #[arg(long, value_name = "DATE", value_parser = parse_date, action = ArgAction::Append)]
    pub date: Vec<DateBound>,
}

/// `chathub chats send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The chat.
    #[arg(value_name = "ID", value_parser = parse_chat)]
    pub id: ChatId,
    /// The text (at most 4,096 characters); optional with --file.
    #[arg(value_name = "TEXT", required_unless_present = "file")]
    pub text: Option<String>,
    /// Attach this file (at most 5 MiB): jpg, jpeg, png, gif, webp, mp4, mp3, ogg, oga, pdf or txt.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

/// `chathub simulate ...`.
#[derive(Debug, Subcommand)]
pub enum SimulateCommand {
    /// A messenger user writes to an organization: the message joins the client's open chat or opens one.
    #[command(after_help = "\
The client is found by --phone, else --tg-user-id, else created. Prints the chat, the message and whether \
the chat was created; with --json, the server's answer {\"chat\", \"message\", \"created\"}. \
Needs a company credential and a server started with --simulator (others answer 404).")]
    CustomerMessage(CustomerMessageArgs),
    /// Set a message's delivery status as the messenger would report it.
    #[command(after_help = "Needs a company credential and a server started with --simulator (others answer 404).")]
    MessageStatus {
        /// The message.
        #[arg(value_name = "MESSAGE_ID", value_parser = parse_message)]
        id: MessageId,
        /// new, success, rejected or read (or 0-3).
        #[arg(value_name = "STATUS", value_parser = parse_message_status)]
        status: MessageStatus,
    },
}

/// `chathub simulate customer-message`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("who").args(["phone", "tg_user_id"]).required(true).multiple(true)))]
pub struct CustomerMessageArgs {
    /// The organization written to.
    #[arg(long, value_name = "ID", value_parser = parse_organization)]
    pub org: OrganizationId,
    /// The messenger: viber, viber-bot, telegram-bot, whatsapp, widget, instagram, facebook, rozetka, prom-ua (or 0-8).
    #[arg(long, value_name = "SOURCE", value_parser = parse_source)]
    pub source: MessageSource,
    /// The theme of a chat this message opens (an open chat keeps its own).
    #[arg(long, value_name = "THEME")]
    pub theme: Option<String>,
    /// The client's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The client's phone: 7-15 digits; spaces, +, -, ( and ) are ignored.
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// The client's Telegram user id.
    #[arg(long, value_name = "N")]
    pub tg_user_id: Option<i64>,
    /// The text (at most 4,096 characters); optional with --file.
    #[arg(value_name = "TEXT", required_unless_present = "file")]
    pub text: Option<String>,
    /// Attach this file (at most 5 MiB): jpg, jpeg, png, gif, webp, mp4, mp3, ogg, oga, pdf or txt.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

/// `chathub operators ...`.
#[derive(Debug, Subcommand)]
pub enum OperatorsCommand {
    /// List an organization's operators: id, name, status, organization.
    List {
        /// The organization.
        #[arg(long, value_name = "ID", value_parser = parse_organization)]
        org: OrganizationId,
    },
    /// Add operators in one request and print what was created.
    Add {
        /// The organization they join.
        #[arg(long, value_name = "ID", value_parser = parse_organization)]
        org: OrganizationId,
        /// Their names (at most 100 characters each).
        #[arg(value_name = "NAME", required = true)]
        names: Vec<String>,
    },
    /// Add operators from a CSV file (header `name`, optional `status`), in batches of at most 1,000.
    #[command(after_help = "\
A batch that fails stops the import: nothing after it is sent, and the batch is never sent again. \
The error says how many operators were created and which input line failed.")]
    Import(ImportArgs),
    /// Set an operator's status; Inactive and Deleted revoke its tokens.
    Status {
        /// The operator.
        #[arg(value_name = "ID", value_parser = parse_operator)]
        id: OperatorId,
        /// active, inactive or deleted (or 0, 1, 2).
        #[arg(value_name = "STATUS", value_parser = parse_status)]
        status: OperatorStatus,
    },
}

/// `chathub operators import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The organization they join.
    #[arg(long, value_name = "ID", value_parser = parse_organization)]
    pub org: OrganizationId,
    /// The CSV file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Leave out names already in the organization (and repeated names in the file).
    #[arg(long)]
    pub skip_existing: bool,
    /// Show what would be sent, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `chathub token ...`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue an operator token and print it.
    Issue {
        /// The operator.
        #[arg(value_name = "OPERATOR_ID", value_parser = parse_operator)]
        operator: OperatorId,
        /// How long it lives.
        #[command(flatten)]
        lifetime: Lifetime,
    },
    /// Check whether an operator token is valid for this company.
    Validate {
        /// The operator token, or `-` to read it from standard input.
        #[arg(id = "operator_token", value_name = "TOKEN")]
        token: Secret,
    },
}

/// An operator token's lifetime: `--ttl` or `--expires-at`.
#[derive(Debug, Args)]
pub struct Lifetime {
    /// Lifetime such as 1h, 90m, 1h30m or 3600 (seconds); at most 24h.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration, conflicts_with = "expires_at")]
    pub ttl: Duration,
    /// Expiry instant (ISO 8601, e.g. 2025-12-31T23:59:59Z); at most 24 hours ahead.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `chathub widget`.
#[derive(Debug, Args)]
pub struct WidgetArgs {
    /// The operator.
    #[arg(value_name = "OPERATOR_ID", value_parser = parse_operator)]
    pub operator: OperatorId,
    /// How long the token lives.
    #[command(flatten)]
    pub lifetime: Lifetime,
    /// Load the panel script from this URL instead of the vendor's.
    #[arg(long, value_name = "URL")]
    pub src: Option<String>,
}

/// `chathub completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 3600.0 {
        return Err("the timeout must be more than 0 and at most 3600 seconds".to_owned());
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn parse_positive(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(format!("`{text}` is not an id (a positive 32-bit integer)")),
    }
}

fn parse_organization(text: &str) -> Result<OrganizationId, String> {
    parse_positive(text).map(OrganizationId)
}

fn parse_operator(text: &str) -> Result<OperatorId, String> {
    parse_positive(text).map(OperatorId)
}

fn parse_chat(text: &str) -> Result<ChatId, String> {
    parse_positive(text).map(ChatId)
}

fn parse_message(text: &str) -> Result<MessageId, String> {
    parse_positive(text).map(MessageId)
}

fn parse_date(text: &str) -> Result<DateBound, String> {
    DateBound::parse(text).ok_or_else(|| {
        format!("`{}` is neither a date (2026-01-28) nor an instant (2026-01-28T10:15:00Z)", text.trim())
    })
}

/// A status a write may set: active, inactive, deleted or 0-2.
pub fn parse_status(text: &str) -> Result<OperatorStatus, String> {
    let status: OperatorStatus = text.parse()?;
    if status.is_known() {
        Ok(status)
    } else {
        Err(format!("unknown operator status `{}` (expected active, inactive, deleted or 0-2)", text.trim()))
    }
}

fn parse_instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chathub_types::time::parse_instant(text).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn statuses_a_write_may_set() {
        assert_eq!(parse_status("Inactive"), Ok(OperatorStatus::Inactive));
        assert_eq!(parse_status("2"), Ok(OperatorStatus::Deleted));
        assert!(parse_status("3").is_err());
        assert!(parse_status("paused").is_err());
    }

    #[test]
    fn timeouts_and_ids() {
        assert_eq!(parse_timeout("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_timeout("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "-1", "NaN", "inf", "two", "3601"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_organization("24"), Ok(OrganizationId(24)));
        for bad in ["0", "-3", "x", "2147483648"] {
            assert!(parse_operator(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let secret: Secret = "hunter2".parse().unwrap_or_else(|never| match never {});
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }
}
