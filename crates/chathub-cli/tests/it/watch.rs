//! `chathub chats watch` as a child process: events as they happen, the
//! connection's end, Ctrl-C.

use serde_json::json;

use crate::support::{
    API_KEY, OLENA, Watcher, chathub, operator_token, run, server, simulate, simulator_server, with_api_key,
};

/// A customer message that tries to take over the operator's terminal: set
/// the window title, go back to the line's start and fake an operator's
/// words, reverse what follows.
const HOSTILE_TEXT: &str = "\u{1b}]0;pwned\u{7}hello\rfrom operator 7: refund sent\u{202e}gnp.exe";
const HOSTILE_SHOWN: &str = "\\u{1b}]0;pwned\\u{7}hello\\rfrom operator 7: refund sent\\u{202e}gnp.exe";

/// Asserts `text` holds no control character but line breaks and no bidirectional override.
fn assert_terminal_safe(text: &str) {
    let raw = |c: char| (c.is_control() && c != '\n') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    assert!(!text.chars().any(raw), "raw control characters reach the terminal: {text:?}");
}

/// A line without its leading local time (`15:49:02  `).
fn untimed(line: &str) -> &str {
    assert!(line.as_bytes().get(2) == Some(&b':') && line.get(8..10) == Some("  "), "{line}");
    &line[10..]
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn watch_prints_events_as_they_happen_until_ctrl_c() {
    let server = simulator_server().await;
    let url = server.base_url();
    let mut json = Watcher::spawn(url, &["--json", "--api-key", API_KEY]);
    let mut human = Watcher::spawn(url, &["--api-key", API_KEY]);
    json.connected().await;
    human.connected().await;

    simulate(url, OLENA).await;
    let created = json.json_event("ChatCreated").await;
    assert_eq!(created["chat"]["id"], 1);
    assert_eq!(created["chat"]["client"]["phone"], "380501234567");
    assert_eq!(created["chat"]["countUnread"], 1, "already counting its first message");
    let received = json.json_event("MessageReceived").await;
    assert_eq!(received["message"]["id"], 1);
    assert_eq!(received["message"]["message"], "Where is my parcel?");
    assert_eq!(received["message"]["author"], 1);

    run(with_api_key(url, ["chats", "send", "1", "On its way."])).await.ok();
    let read = json.json_event("MessageStatusChanged").await;
    assert_eq!(read, json!({"event": "MessageStatusChanged", "messageId": 1, "status": 3}));
    let reply = json.json_event("MessageReceived").await;
    assert_eq!(reply["message"]["message"], "On its way.");
    assert_eq!(reply["message"]["author"], 0);
    run(with_api_key(url, ["chats", "status", "1", "closed"])).await.ok();
    let closed = json.json_event("ChatStatusChanged").await;
    assert_eq!(closed, json!({"event": "ChatStatusChanged", "chatId": 1, "status": 4}));

    let mut lines = Vec::new();
    for _ in 0..5 {
        let line = human.stdout_line().await.expect("a line");
        lines.push(untimed(&line).to_owned());
    }
    assert_eq!(
        lines,
        [
            r#"chat 1 created: telegram-bot, organization 24, Olena (380501234567), theme "Parcel #491""#,
            "chat 1 message 1 from client (new): Where is my parcel?",
            "message 1 is now read",
            "chat 1 message 2 from company (success): On its way.",
            "chat 1 is now closed",
        ]
    );

    json.interrupt();
    human.interrupt();
    assert_eq!(json.exit_code().await, 0, "{:?}", json.stderr_seen);
    assert_eq!(human.exit_code().await, 0, "{:?}", human.stderr_seen);
    assert_eq!(json.stdout_line().await, None, "nothing more on stdout");
    assert!(!json.stderr_seen.iter().any(|line| line.starts_with("error")), "{:?}", json.stderr_seen);
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_for_an_operator_ends_when_its_token_is_revoked() {
    let server = simulator_server().await;
    let url = server.base_url();
    let token = operator_token(url, 1).await;
    let mut watcher = Watcher::spawn(url, &["--json", "--token", &token]);
    watcher.connected().await;
    // Operator 1 is in organization 24: a chat of 42 never reaches it.
    simulate(url, &["--org", "42", "--source", "viber", "--tg-user-id", "70123", "Hello"]).await;
    simulate(url, OLENA).await;
    let created = watcher.json_event("ChatCreated").await;
    assert_eq!(created["chat"]["organizationId"], 24);

    run(with_api_key(url, ["operators", "status", "1", "inactive"])).await.ok();
    let closed = watcher.json_event("Closed").await;
    assert_eq!(closed, json!({"event": "Closed", "reason": "Token revoked", "cause": "revoked"}));
    assert_eq!(watcher.exit_code().await, 3);
    let last = watcher.stderr_seen.last().cloned().unwrap_or_default();
    assert_eq!(last, "error: the live connection closed: Token revoked", "{:?}", watcher.stderr_seen);
    assert!(!watcher.stderr_seen.iter().any(|line| line.contains(&token)));
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_that_cannot_connect_fails_at_once() {
    let server = server().await;
    let refused = run(chathub(["chats", "watch", "--base-url", server.base_url(), "--api-key", "wrong-key"])).await;
    assert!(refused.error_line(3).starts_with("error: 401 Unauthorized"), "{refused:?}");
    assert!(refused.stdout.is_empty());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let nobody = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let unreachable = run(chathub(["chats", "watch", "--json", "--base-url", &nobody, "--api-key", API_KEY])).await;
    unreachable.error_line(1);
    assert!(unreachable.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_customer_text_is_escaped_in_watch_show_and_list() {
    let server = simulator_server().await;
    let url = server.base_url();
    let mut human = Watcher::spawn(url, &["--api-key", API_KEY]);
    let mut json = Watcher::spawn(url, &["--json", "--api-key", API_KEY]);
    human.connected().await;
    json.connected().await;
    let args = [
        "--org",
        "24",
        "--source",
        "viber",
        "--theme",
        "\u{1b}[2JRefund",
        "--name",
        "Eve\u{202e}\u{7}",
        "--phone",
        "380501234567",
        HOSTILE_TEXT,
    ];
    let answer = simulate(url, &args).await;
    assert_eq!(answer["message"]["message"], HOSTILE_TEXT, "the server keeps the text as it is");

    let created = human.stdout_line().await.expect("a line");
    assert_terminal_safe(&created);
    assert!(created.ends_with(r#"Eve\u{202e}\u{7} (380501234567), theme "\u{1b}[2JRefund""#), "{created:?}");
    let received = human.stdout_line().await.expect("a line");
    assert_terminal_safe(&received);
    assert!(received.ends_with(&format!("from client (new): {HOSTILE_SHOWN}")), "{received:?}");
    // JSON lines keep the text exact (serde escapes control characters).
    let exact = json.json_event("MessageReceived").await;
    assert_eq!(exact["message"]["message"], HOSTILE_TEXT);

    let shown = run(with_api_key(url, ["chats", "show", "1"])).await;
    assert_terminal_safe(shown.ok());
    assert!(shown.stdout.contains(HOSTILE_SHOWN), "{}", shown.stdout);
    assert!(shown.stdout.contains("Theme:    \\u{1b}[2JRefund\n"), "{}", shown.stdout);
    assert!(shown.stdout.contains("Client:   Eve\\u{202e}\\u{7}, phone"), "{}", shown.stdout);
    let listed = run(with_api_key(url, ["chats", "list"])).await;
    assert_terminal_safe(listed.ok());
    assert!(listed.stdout.contains("\\u{1b}[2JRefund"), "{}", listed.stdout);
    assert!(listed.stdout.contains("Eve\\u{202e}\\u{7} (380501234567)"), "{}", listed.stdout);
    let exact = run(with_api_key(url, ["chats", "show", "1", "--json"])).await.json();
    assert_eq!(exact["messages"][0]["message"], HOSTILE_TEXT);
    assert_eq!(exact["chat"]["theme"], "\u{1b}[2JRefund");
}

/// SIGINT right after the "Watching chats" line (and SIGTERM) end it with
/// exit code 0: the handlers are in place before connecting. Repeated, to
/// catch a handler installed late.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_signal_right_after_connecting_ends_it_cleanly() {
    let server = server().await;
    let url = server.base_url();
    for round in 0..6 {
        let mut watcher = Watcher::spawn(url, &["--api-key", API_KEY]);
        watcher.connected().await;
        let signal = if round % 3 == 2 { "TERM" } else { "INT" };
        watcher.signal(signal);
        assert_eq!(watcher.exit_code().await, 0, "SIG{signal}, round {round}: {:?}", watcher.stderr_seen);
        assert!(!watcher.stderr_seen.iter().any(|line| line.starts_with("error")), "{:?}", watcher.stderr_seen);
    }
}

/// Ctrl-C while the connection is still being made (a server that never
/// answers) ends it at once with exit code 0.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_connecting_ends_it_cleanly() {
    // Accepts connections (the kernel's backlog) but never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent = format!("http://{}", listener.local_addr().expect("address"));
    let mut watcher = Watcher::spawn(&silent, &["-vv", "--timeout", "120", "--api-key", API_KEY]);
    watcher.stderr_until("connecting to the hub").await;
    let started = std::time::Instant::now();
    watcher.interrupt();
    assert_eq!(watcher.exit_code().await, 0, "{:?}", watcher.stderr_seen);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "ended by Ctrl-C, not a timeout");
    assert!(!watcher.stderr_seen.iter().any(|line| line.contains("Watching chats")), "{:?}", watcher.stderr_seen);
    drop(listener);
}
