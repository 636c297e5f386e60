//! `--help` of every command, as snapshots; exit codes are documented.

use crate::support::chathub;

const COMMANDS: &[&[&str]] = &[
    &[],
    &["login"],
    &["orgs"],
    &["operators"],
    &["operators", "list"],
    &["operators", "add"],
    &["operators", "import"],
    &["operators", "status"],
    &["token"],
    &["token", "issue"],
    &["token", "validate"],
    &["widget"],
    &["chats"],
    &["chats", "list"],
    &["chats", "show"],
    &["chats", "send"],
    &["chats", "status"],
    &["chats", "delete"],
    &["chats", "watch"],
    &["simulate"],
    &["simulate", "customer-message"],
    &["simulate", "message-status"],
    &["completions"],
];

#[test]
fn help_of_every_command() {
    for command in COMMANDS {
        let output = chathub(command.iter().chain(&["--help"])).output().expect("run chathub");
        assert_eq!(output.status.code(), Some(0), "{command:?}");
        let help = String::from_utf8(output.stdout).expect("utf-8");
        let name = if command.is_empty() { "help".to_owned() } else { format!("help_{}", command.join("_")) };
        insta::assert_snapshot!(name, help);
    }
}

#[test]
fn exit_codes_are_documented() {
    let output = chathub(["--help"]).output().expect("run chathub");
    let help = String::from_utf8(output.stdout).expect("utf-8");
    for line in ["0  success", "1  the request failed", "2  usage or local validation error", "3  credentials refused"]
    {
        assert!(help.contains(line), "{line}: {help}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["operators", "list"][..],
        &["operators", "status", "5", "paused"],
        &["operators", "status", "5", "7"],
        &["operators", "list", "--org", "0"],
        &["token", "issue", "5", "--ttl", "soon"],
        &["token", "issue", "5", "--ttl", "1h", "--expires-at", "2030-01-01T00:00:00Z"],
        &["orgs", "--timeout", "0"],
        &["chats", "show"],
        &["chats", "show", "x"],
        &["chats", "send", "1"],
        &["chats", "status", "1", "archived"],
        &["chats", "status", "1", "5"],
        &["chats", "list", "--per-page", "101"],
        &["simulate", "customer-message", "--org", "24", "--source", "2", "Hi"],
        &["simulate", "message-status", "1", "4"],
        &["frobnicate"],
    ] {
        let output = chathub(args).output().expect("run chathub");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn version() {
    let output = chathub(["--version"]).output().expect("run chathub");
    assert_eq!(String::from_utf8(output.stdout).expect("utf-8"), format!("chathub {}\n", env!("CARGO_PKG_VERSION")));
}
