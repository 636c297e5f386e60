//! `chathub completions SHELL`: a completion script on standard output.

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use super::Context;
use crate::cli::{Cli, CompletionsArgs};

/// Writes the script for the shell; needs no server.
pub fn run(context: &Context, args: &CompletionsArgs) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "chathub", &mut script);
    let text = String::from_utf8(script).context("the completion script is not UTF-8")?;
    context.out.raw_line(text.trim_end())
}
