//! The `chathub` command: operate SMSBAT ChatHub from a terminal and from scripts.
//!
//! Parses the command line, runs the command, and turns a failure into one
//! `error:` line on standard error and an exit code (see `chathub --help`).

mod cli;
mod cmd;
mod duration;
mod error;
mod import;
mod names;
mod output;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&anyhow::Error::new(error).context("cannot start the async runtime")),
    };
    match runtime.block_on(cmd::run(cli, &matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn fail(error: &anyhow::Error) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {}", error::one_line(error));
    error::exit_code(error)
}

/// Logs on standard error: `-v` shows the client's request events, `-vv`
/// everything of ours; without `-v`, `RUST_LOG` decides. Only events of the
/// chathub crates are ever shown, and those never hold a secret (HTTP
/// libraries' own traces could show headers, so they are always left out).
fn init_tracing(verbose: u8) {
    let filter = match verbose {
        0 => match std::env::var("RUST_LOG") {
            Ok(directives) if !directives.trim().is_empty() => EnvFilter::try_new(directives).ok(),
            _ => None,
        },
        1 => Some(EnvFilter::new("chathub_client=debug,chathub=info")),
        _ => Some(EnvFilter::new("chathub_client=trace,chathub=trace")),
    };
    let Some(filter) = filter else { return };
    let ours = tracing_subscriber::filter::filter_fn(|metadata| {
        let target = metadata.target();
        target == "chathub" || target.starts_with("chathub::") || target.starts_with("chathub_")
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(verbose >= 2)
        .with_filter(filter)
        .with_filter(ours);
    // Only fails when a subscriber is already set, which nothing here does.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
