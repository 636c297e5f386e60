//! One external command line: what it runs, shown exactly as a person would
//! type it to reproduce it.

use std::fmt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use anyhow::Context as _;

/// A program, its arguments and the environment variables it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    program: String,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

impl Cmd {
    /// `program` with `args`, no extra environment.
    pub fn new(program: &str, args: &[&str]) -> Self {
        Self { program: program.to_owned(), args: args.iter().map(|&arg| arg.to_owned()).collect(), envs: Vec::new() }
    }

    /// `cargo` with `args`.
    pub fn cargo(args: &[&str]) -> Self {
        Self::new("cargo", args)
    }

    /// Sets an environment variable for this command only.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The value this command sets for `key`, if it sets one.
    #[cfg(test)]
    pub fn env_value(&self, key: &str) -> Option<&str> {
        self.envs.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }

    /// The arguments after the program.
    #[cfg(test)]
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// Runs the command in `dir` with inherited stdio and waits for it.
    pub fn run(&self, dir: &Path) -> anyhow::Result<ExitStatus> {
        self.command(dir).status().with_context(|| format!("could not start `{}`", self.program))
    }

    /// Runs the command in `dir` with its output discarded; `true` when it
    /// started and exited successfully.
    pub fn succeeds_quietly(&self, dir: &Path) -> bool {
        self.command(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn command(&self, dir: &Path) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).current_dir(dir);
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }
}

/// Installs a distribution package with apt-get (no recommends,
/// non-interactive), running `apt-get update` and trying once more when the
/// first attempt fails. `Ok(false)` when it still could not be installed.
pub fn apt_install(package: &str) -> anyhow::Result<bool> {
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
    };
    if install().is_ok_and(|status| status.success()) {
        return Ok(true);
    }
    let updated = Command::new("apt-get").arg("update").status().context("running apt-get update")?;
    Ok(updated.success() && install().context("running apt-get install")?.success())
}

impl fmt::Display for Cmd {
    /// Shell syntax: `KEY=value program arg ...`, quoting what needs it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.envs {
            write!(f, "{key}={} ", quote(value))?;
        }
        write!(f, "{}", quote(&self.program))?;
        for arg in &self.args {
            write!(f, " {}", quote(arg))?;
        }
        Ok(())
    }
}

/// Quotes `word` for a POSIX shell when it holds anything but plain characters.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | ',' | '+'));
    if plain { word.to_owned() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_a_command_line_a_shell_accepts() {
        let cmd = Cmd::cargo(&["doc", "--workspace"]).env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(cmd.to_string(), "RUSTDOCFLAGS='-D warnings' cargo doc --workspace");
    }

    #[test]
    fn quoting_escapes_single_quotes_and_empty_words() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("--all-features"), "--all-features");
    }

    #[test]
    fn run_passes_the_environment_and_reports_the_exit_status() {
        let dir = std::env::temp_dir();
        let checks_env = Cmd::new("sh", &["-c", r#"test "$XTASK_PROBE" = 'a b'"#]);
        assert!(!checks_env.run(&dir).unwrap().success());
        assert!(checks_env.clone().env("XTASK_PROBE", "a b").run(&dir).unwrap().success());
        assert_eq!(Cmd::new("sh", &["-c", "exit 3"]).run(&dir).unwrap().code(), Some(3));
        assert!(!Cmd::new("sh", &["-c", "exit 1"]).succeeds_quietly(&dir));
    }

    #[test]
    fn a_missing_program_is_an_error_naming_it() {
        let dir = std::env::temp_dir();
        let error = Cmd::new("chathub-xtask-no-such-program", &[]).run(&dir).unwrap_err();
        assert!(error.to_string().contains("could not start `chathub-xtask-no-such-program`"));
        assert!(!Cmd::new("chathub-xtask-no-such-program", &[]).succeeds_quietly(&dir));
    }
}
