//! The steps of `cargo xtask ci`, in the order they run.
//!
//! To add a check, append a [`Step`] to [`STEPS`]: a short name (used by
//! `--only`/`--skip` and the summary), one line saying what it checks, and the
//! command it runs.

use std::path::Path;

use anyhow::{Context as _, bail};

use crate::browser::ensure_chromium;
use crate::cmd::Cmd;

/// One check of the CI run.
pub struct Step {
    /// Short name for `--only`, `--skip` and the summary.
    pub name: &'static str,
    /// What the step checks, in a few words.
    pub about: &'static str,
    /// The command the step runs; its exit status decides the step.
    pub command: fn() -> Cmd,
    /// Work done before the command, such as installing a missing tool.
    pub prepare: Option<fn(&Path) -> anyhow::Result<()>>,
}

/// Every step, in the order `cargo xtask ci` runs them.
pub const STEPS: &[Step] = &[
    Step { name: "fmt", about: "formatting (rustfmt)", command: fmt, prepare: None },
    Step { name: "clippy", about: "lints, warnings denied", command: clippy, prepare: None },
    Step { name: "features", about: "libraries without optional features", command: features, prepare: None },
    Step { name: "openapi", about: "OpenAPI document current", command: openapi, prepare: None },
    // Both run the widget's browser tests, which need Chromium.
    Step { name: "test", about: "every test, all features", command: test, prepare: Some(ensure_chromium) },
    Step {
        name: "postgres",
        about: "server tests on a throwaway Postgres",
        command: postgres,
        prepare: Some(ensure_chromium),
    },
    Step { name: "conformance", about: "spec conformance, local server", command: conformance, prepare: None },
    Step { name: "doc", about: "API docs, warnings denied", command: doc, prepare: None },
    Step { name: "deny", about: "licenses, bans, sources", command: deny, prepare: Some(ensure_cargo_deny) },
];

fn fmt() -> Cmd {
    Cmd::cargo(&["fmt", "--all", "--", "--check"])
}

fn clippy() -> Cmd {
    Cmd::cargo(&["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"])
}

/// The libraries with no optional feature (the client without `hub`, the
/// types without `openapi`): every other step turns all features on.
fn features() -> Cmd {
    Cmd::cargo(&[
        "clippy",
        "-p",
        "chathub-types",
        "-p",
        "chathub-client",
        "--no-default-features",
        "--lib",
        "--",
        "-D",
        "warnings",
    ])
}

/// Fails when docs/openapi.json is not the document the server generates.
fn openapi() -> Cmd {
    Cmd::cargo(&["xtask", "openapi", "--check"])
}

/// Plain `cargo test`, so CI's log reader sees the `test result:` lines.
/// insta never writes snapshots here: a mismatch fails the run.
fn test() -> Cmd {
    Cmd::cargo(&["test", "--workspace", "--all-features"]).env("INSTA_UPDATE", "no").env("CI", "true")
}

/// Starts a throwaway PostgreSQL cluster and runs the server's tests on it.
fn postgres() -> Cmd {
    Cmd::cargo(&["xtask", "test-postgres"])
}

/// Builds chathub-server, starts it with the suite's own seed and runs every
/// conformance check against it (spec §3-§6, cross-crate round trips).
fn conformance() -> Cmd {
    Cmd::cargo(&["xtask", "conformance"])
}

fn doc() -> Cmd {
    Cmd::cargo(&["doc", "--workspace", "--no-deps", "--all-features"]).env("RUSTDOCFLAGS", "-D warnings")
}

/// Offline checks only: advisories need the network and are run by hand.
fn deny() -> Cmd {
    Cmd::cargo(&["deny", "check", "licenses", "bans", "sources"])
}

/// Installs cargo-deny when `cargo deny --version` fails.
fn ensure_cargo_deny(root: &Path) -> anyhow::Result<()> {
    if Cmd::cargo(&["deny", "--version"]).succeeds_quietly(root) {
        return Ok(());
    }
    let install = Cmd::cargo(&["install", "--locked", "cargo-deny"]);
    println!("cargo-deny is missing; installing it: {install}");
    let status = install.run(root).context("installing cargo-deny")?;
    if !status.success() {
        bail!("`{install}` failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_the_documented_order() {
        let names: Vec<_> = STEPS.iter().map(|step| step.name).collect();
        assert_eq!(names, ["fmt", "clippy", "features", "openapi", "test", "postgres", "conformance", "doc", "deny"]);
    }

    #[test]
    fn test_step_never_lets_insta_write_snapshots() {
        let cmd = test();
        assert_eq!(cmd.env_value("INSTA_UPDATE"), Some("no"));
        assert_eq!(cmd.env_value("CI"), Some("true"));
        assert_eq!(cmd.to_string(), "INSTA_UPDATE=no CI=true cargo test --workspace --all-features");
    }

    #[test]
    fn warnings_are_errors_in_clippy_and_doc() {
        assert!(clippy().args().ends_with(&["-D".to_owned(), "warnings".to_owned()]));
        assert!(features().args().ends_with(&["-D".to_owned(), "warnings".to_owned()]));
        assert_eq!(doc().env_value("RUSTDOCFLAGS"), Some("-D warnings"));
    }

    #[test]
    fn steps_that_run_the_browser_tests_install_chromium() {
        for step in STEPS.iter().filter(|step| matches!(step.name, "test" | "postgres")) {
            assert!(step.prepare.is_some(), "{} needs Chromium", step.name);
        }
    }

    #[test]
    fn deny_never_checks_advisories() {
        assert_eq!(deny().to_string(), "cargo deny check licenses bans sources");
    }
}
