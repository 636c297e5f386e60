//! Project automation for chathub, run as `cargo xtask <command>`.
//!
//! In the style of rust-analyzer's xtask: this file parses the command line
//! and dispatches; each command lives in its own module and shells out with
//! [`std::process::Command`] (see [`cmd`]). No bash scripts beside it.

mod bench;
mod browser;
mod ci;
mod cmd;
mod conformance;
mod openapi;
mod postgres;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Project automation for chathub.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    /// The command to run.
    #[command(subcommand)]
    command: Command,
}

/// Every xtask command. Add a variant and a module per new command.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run every check CI runs, in order, stopping at the first failure (`--list` shows the steps).
    Ci(ci::Args),
    /// Check that a server speaks ChatHub as the spec defines it (default: a fresh local chathub-server).
    Conformance(conformance::Args),
    /// Measure chathub-server against a bare axum baseline under wrk; writes docs/performance.md.
    Bench(bench::Args),
    /// Run the server's tests on a throwaway PostgreSQL cluster (installed with apt when missing).
    TestPostgres,
    /// Write the server's OpenAPI document to docs/openapi.json (`--check`: fail when it is stale).
    Openapi(openapi::Args),
}

/// Runs the command; a failure prints its message (without a backtrace,
/// whatever `RUST_BACKTRACE` says) and exits with status 1.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = project_root();
    let result = match cli.command {
        Command::Ci(args) => ci::run(&args, &root),
        Command::Conformance(args) => conformance::run(&args, &root),
        Command::Bench(args) => bench::run(&args, &root),
        Command::TestPostgres => postgres::test_postgres(&root),
        Command::Openapi(args) => openapi::run(&args, &root),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn project_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn project_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(project_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"));
    }

    #[test]
    fn ci_takes_repeated_and_comma_separated_steps() {
        let cli = Cli::try_parse_from(["cargo xtask", "ci", "--skip", "doc,deny", "--skip", "fmt"]).unwrap();
        let Command::Ci(args) = cli.command else { panic!("parsed another command") };
        assert_eq!(args.selection.skip, ["doc", "deny", "fmt"]);
        assert!(args.selection.only.is_empty());
    }
}
