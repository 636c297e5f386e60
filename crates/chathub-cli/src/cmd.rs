//! The commands, one module each, and what they share: the client and the output.

mod chats;
mod completions;
mod login;
mod operators;
mod orgs;
mod simulate;
mod token;
mod widget;

use std::io::BufRead;
use std::time::Duration;

use anyhow::{Context as _, Result};
use chathub_client::{Client, RetryPolicy};
use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::{Cli, Command, Global, Secret};
use crate::error::usage;
use crate::output::Output;

/// The longest backoff pause between retries (the client's default).
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// The longest `Retry-After` honoured (the client's default).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Runs the command the command line names.
pub async fn run(cli: Cli, matches: &ArgMatches) -> Result<()> {
    let context = Context::new(cli.global, matches);
    match cli.command {
        Command::Login => login::run(&context).await,
        Command::Orgs => orgs::run(&context).await,
        Command::Operators(command) => operators::run(&context, command).await,
        Command::Token(command) => token::run(&context, command).await,
        Command::Widget(args) => widget::run(&context, args).await,
        Command::Chats(command) => chats::run(&context, command).await,
        Command::Simulate(command) => simulate::run(&context, command).await,
        Command::Completions(args) => completions::run(&context, &args),
    }
}

/// Which credential options were typed on the command line (rather than
/// read from the environment): those win.
#[derive(Debug, Clone, Copy, Default)]
struct Typed {
    token: bool,
    api_key: bool,
    password: bool,
}

impl Typed {
    fn from_matches(matches: &ArgMatches) -> Self {
        // Global options are found on the subcommand's matches as well; any level counts.
        let typed = |id: &str| {
            let mut level = Some(matches);
            while let Some(current) = level {
                if current.try_contains_id(id).unwrap_or(false)
                    && current.value_source(id) == Some(ValueSource::CommandLine)
                {
                    return true;
                }
                level = current.subcommand().map(|(_, sub)| sub);
            }
            false
        };
        Self {
            token: typed("token"),
            api_key: typed("api_key"),
            password: typed("login") || typed("password") || typed("password_stdin"),
        }
    }
}

/// The credential a command signs in with.
enum Credential {
    Token(Secret),
    ApiKey(Secret),
    Password { login: String, password: Secret },
}

impl Credential {
    fn kind(&self) -> &'static str {
        match self {
            Self::Token(_) => "token",
            Self::ApiKey(_) => "API key",
            Self::Password { .. } => "login and password",
        }
    }
}

/// What every command gets: the global options and where to print.
pub struct Context {
    global: Global,
    typed: Typed,
    /// How to print.
    pub out: Output,
}

impl Context {
    fn new(global: Global, matches: &ArgMatches) -> Self {
        let out = Output::new(global.json);
        Self { typed: Typed::from_matches(matches), global, out }
    }

    /// How many times `-v` was given.
    pub fn verbose(&self) -> u8 {
        self.global.verbose
    }

    /// Whether `--password-stdin` was given (standard input is then taken).
    pub fn password_from_stdin(&self) -> bool {
        self.global.password_stdin
    }

    /// A client with the credential the options give: `--token`, else
    /// `--api-key`, else `--login` with a password; typed options beat
    /// environment variables.
    pub fn client(&self) -> Result<Client> {
        let credential = self.credential()?;
        self.build(credential)
    }

    /// A client that signs in with `--login` and a password (for `chathub login`).
    pub fn password_client(&self) -> Result<Client> {
        match self.login_and_password()? {
            Some(credential) => self.build(credential),
            None => usage!(
                "signing in needs --login and a password (--password, CHATHUB_PASSWORD or --password-stdin); \
                 an API key or a token cannot sign in"
            ),
        }
    }

    fn credential(&self) -> Result<Credential> {
        let nonblank = |secret: &Option<Secret>| secret.clone().filter(|s| !s.expose().trim().is_empty());
        // Typed first, then from the environment; within each, token > API key > password.
        for typed in [true, false] {
            if self.typed.token == typed
                && let Some(token) = nonblank(&self.global.token)
            {
                return Ok(Credential::Token(token));
            }
            if self.typed.api_key == typed
                && let Some(key) = nonblank(&self.global.api_key)
            {
                return Ok(Credential::ApiKey(key));
            }
            if self.typed.password == typed
                && let Some(credential) = self.login_and_password()?
            {
                return Ok(credential);
            }
        }
        usage!(
            "no credentials: give --login with --password (or CHATHUB_LOGIN and CHATHUB_PASSWORD), \
             --api-key (CHATHUB_API_KEY) or --token (CHATHUB_TOKEN)"
        )
    }

    /// The login and password, when a login is given; a login without a
    /// password (or the reverse) is a usage error.
    fn login_and_password(&self) -> Result<Option<Credential>> {
        let login = self.global.login.as_deref().map(str::trim).filter(|login| !login.is_empty());
        let password =
            if self.global.password_stdin { Some(read_password_line()?) } else { self.global.password.clone() };
        match (login, password) {
            (Some(login), Some(password)) => Ok(Some(Credential::Password { login: login.to_owned(), password })),
            (Some(login), None) => {
                usage!("--login {login} needs a password: --password, CHATHUB_PASSWORD or --password-stdin")
            }
            (None, Some(_)) => usage!("a password needs --login (or CHATHUB_LOGIN)"),
            (None, None) => Ok(None),
        }
    }

    fn build(&self, credential: Credential) -> Result<Client> {
        let timeout = self.global.timeout;
        let kind = credential.kind();
        let builder = Client::builder()
            .base_url(self.global.base_url.clone())
            .timeout(timeout)
            .connect_timeout(timeout.min(chathub_client::DEFAULT_CONNECT_TIMEOUT))
            .user_agent(concat!("chathub-cli/", env!("CARGO_PKG_VERSION")))
            // A pause never lasts longer than one request may: `--timeout 2` fails in seconds.
            .retry_policy(
                RetryPolicy::default()
                    .max_delay(timeout.min(MAX_BACKOFF))
                    .max_retry_after(timeout.min(MAX_RETRY_AFTER)),
            );
        let builder = match credential {
            Credential::Token(token) => builder.token(token.expose().trim().to_owned()),
            Credential::ApiKey(key) => builder.api_key(key.expose().trim().to_owned()),
            Credential::Password { login, password } => builder.credentials(login, password.expose().to_owned()),
        };
        let client = builder.build()?;
        // Only a checked base URL is logged: the builder refuses one holding a user name or password.
        tracing::debug!(base_url = client.base_url(), credential = kind, ?timeout, "chathub: client");
        Ok(client)
    }
}

/// The first line of standard input, without its line ending.
fn read_password_line() -> Result<Secret> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        usage!("--password-stdin: standard input holds no password");
    }
    Ok(Secret::from(password.to_owned()))
}
