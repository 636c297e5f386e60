//! `chathub chats ...` and `chathub simulate ...` against the real server
//! in-process, started with the simulator (spec §7).

use serde_json::{Value, json};

use crate::support::{OLENA, assert_redacted, chathub, operator_token, run, simulate, simulator_server, with_api_key};

const TARAS: &[&str] = &["--org", "42", "--source", "viber", "--name", "Taras", "--tg-user-id", "70123", "Hello"];

/// Two chats: Olena's (chat 1, two messages) in organization 24, Taras's (chat 2) in 42.
async fn two_chats(url: &str) {
    simulate(url, OLENA).await;
    simulate(url, TARAS).await;
    let again: Vec<&str> = OLENA[..OLENA.len() - 1].iter().copied().chain(["It was due on Monday."]).collect();
    simulate(url, &again).await;
}

async fn list(url: &str, filters: &[&str]) -> Value {
    let mut command = with_api_key(url, ["chats", "list", "--json"]);
    command.args(filters);
    run(command).await.json()
}

fn path(path: &std::path::Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

fn ids(answer: &Value) -> Vec<i64> {
    answer["items"].as_array().into_iter().flatten().filter_map(|chat| chat["id"].as_i64()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_as_a_table_and_as_the_wire_json() {
    let server = simulator_server().await;
    let url = server.base_url();
    let empty = run(with_api_key(url, ["chats", "list"])).await;
    assert_eq!(empty.ok(), "No chats match.\n");
    two_chats(url).await;
    let table = run(with_api_key(url, ["chats", "list"])).await;
    assert_redacted!("chats_list_table", table.ok());
    let answer = list(url, &[]).await;
    assert_eq!(answer["total"], 2);
    assert_eq!(ids(&answer), [2, 1], "newest first");
    let olena = &answer["items"][1];
    assert_eq!(olena["theme"], "Parcel #491");
    assert_eq!(olena["messSource"], 2);
    assert_eq!(olena["chatStatus"], 0);
    assert_eq!(olena["countUnread"], 2);
    assert_eq!(olena["client"]["phone"], "380501234567");
    let page = run(with_api_key(url, ["chats", "list", "--per-page", "1"])).await;
    assert!(page.ok().ends_with("Chats 1-1 of 2 (page 1 of 2; --page 2 for more).\n"), "{page:?}");
    let past = run(with_api_key(url, ["chats", "list", "--per-page", "1", "--page", "3"])).await;
    assert_eq!(past.ok(), "Page 3 is past the end: 2 chats match.\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_filter_reaches_the_server() {
    let server = simulator_server().await;
    let url = server.base_url();
    two_chats(url).await;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let cases: &[(&[&str], &[i64])] = &[
        (&["--phone", "+380 (50) 123-45-67"], &[1]),
        (&["--phone", "380501234568"], &[]),
        (&["--search", "OLENA"], &[1]),
        (&["--search", "parcel"], &[1]),
        (&["--source", "viber"], &[2]),
        (&["--source", "2"], &[1]),
        (&["--source", "TelegramBot", "--org", "24"], &[1]),
        (&["--status", "new"], &[2, 1]),
        (&["--status", "closed"], &[]),
        (&["--org", "42"], &[2]),
        (&["--tg-user-id", "70123"], &[2]),
        (&["--operator", "1"], &[]),
        (&["--date", &today], &[2, 1]),
        (&["--date", "2020-01-01", "--date", &today], &[2, 1]),
        (&["--date", "2020-01-01"], &[]),
    ];
    for (filters, expected) in cases {
        let answer = list(url, filters).await;
        assert_eq!(ids(&answer), *expected, "{filters:?}");
        assert_eq!(answer["total"], expected.len(), "{filters:?}");
    }
    let none = run(with_api_key(url, ["chats", "list", "--status", "paused"])).await;
    assert_eq!(none.ok(), "No chats match.\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_options_are_checked_before_sending() {
    // Nobody listens at port 9: a request would fail with exit code 1.
    let url = "http://127.0.0.1:9";
    for (args, says) in [
        (&["--per-page", "101"][..], "101"),
        (&["--per-page", "0"], "0"),
        (&["--page", "0"], "0"),
        (&["--date", "yesterday"], "neither a date"),
        (&["--date", "2026-01-28", "--date", "2026-01-29", "--date", "2026-01-30"], "at most two"),
        (&["--date", "2026-01-29", "--date", "2026-01-28"], "earlier than the first"),
        (&["--source", "sms"], "unknown source `sms`"),
        (&["--status", "archived"], "unknown chat status"),
        (&["--tg-user-id", "x"], "x"),
        (&["--org", "0"], "not an id"),
    ] {
        let mut command = with_api_key(url, ["chats", "list"]);
        command.args(args);
        let refused = run(command).await;
        assert_eq!(refused.code, 2, "{args:?}: {refused:?}");
        assert!(refused.stderr.contains(says), "{args:?}: {refused:?}");
        assert!(refused.stdout.is_empty(), "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn show_prints_the_chat_then_its_messages_oldest_first() {
    let server = simulator_server().await;
    let url = server.base_url();
    two_chats(url).await;
    run(with_api_key(url, ["chats", "send", "1", "On its way:\nit leaves Kyiv today."])).await.ok();
    let shown = run(with_api_key(url, ["chats", "show", "1"])).await;
    assert_redacted!("chats_show", shown.ok());
    let json = run(with_api_key(url, ["chats", "show", "1", "--json"])).await.json();
    assert_eq!(json["chat"]["id"], 1);
    assert_eq!(json["chat"]["countUnread"], 0, "a reply shows the client's messages read");
    let texts: Vec<&str> =
        json["messages"].as_array().into_iter().flatten().filter_map(|m| m["message"].as_str()).collect();
    assert_eq!(texts, ["Where is my parcel?", "It was due on Monday.", "On its way:\nit leaves Kyiv today."]);
    let authors: Vec<i64> =
        json["messages"].as_array().into_iter().flatten().filter_map(|m| m["author"].as_i64()).collect();
    assert_eq!(authors, [1, 1, 0]);
    let unknown = run(with_api_key(url, ["chats", "show", "999"])).await;
    assert!(unknown.error_line(1).starts_with("error: 404 Not Found: "), "{unknown:?}");
    assert!(unknown.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn send_text_a_file_or_both() {
    let server = simulator_server().await;
    let url = server.base_url();
    simulate(url, OLENA).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let png = dir.path().join("label.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n fake but non-empty").expect("write");
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "Tracking: 59000123456789\n").expect("write");
    let exe = dir.path().join("setup.exe");
    std::fs::write(&exe, b"MZ").expect("write");

    let text = run(with_api_key(url, ["chats", "send", "1", "Hello, Olena!"])).await;
    assert_eq!(text.ok(), "Sent message 2 to chat 1 (success).\n");
    let file = run(with_api_key(url, ["chats", "send", "1", "--file", path(&png)])).await;
    assert_eq!(file.ok(), "Sent message 3 to chat 1 (success).\n");
    let both = run(with_api_key(url, ["chats", "send", "1", "The tracking number", "--json", "--file", path(&txt)]));
    let both = both.await.json();
    assert_eq!(both["message"], "The tracking number");
    assert_eq!(both["author"], 0);
    assert_eq!(both["status"], 1);
    assert_eq!(both["media"]["name"], "notes.txt");

    let messages = run(with_api_key(url, ["chats", "show", "1", "--json"])).await.json()["messages"].clone();
    assert_eq!(messages[1]["message"], "Hello, Olena!");
    assert_eq!(messages[2]["message"], Value::Null);
    assert_eq!(messages[2]["media"]["name"], "label.png");
    assert_eq!(messages[2]["media"]["format"], "image/png");
    assert_eq!(messages[2]["media"]["type"], 1, "a png is a photo");
    assert_eq!(messages[3]["media"]["format"], "text/plain");
    assert_eq!(messages[3]["media"]["type"], 0);
    assert!(messages[3]["media"]["uri"].as_str().is_some_and(|uri| uri.starts_with(url)), "{messages}");

    // Refused locally, nothing sent: exit code 2.
    let unknown_kind = run(with_api_key(url, ["chats", "send", "1", "--file", path(&exe)])).await;
    assert!(unknown_kind.error_line(2).contains("setup.exe"), "{unknown_kind:?}");
    let blank = run(with_api_key(url, ["chats", "send", "1", "  "])).await;
    assert_eq!(blank.error_line(2), "error: TEXT is blank: give a text, --file, or both");
    let missing = run(with_api_key(url, ["chats", "send", "1", "--file", "/nonexistent/x.png"])).await;
    assert!(missing.error_line(2).contains("/nonexistent/x.png"), "{missing:?}");
    let nothing = run(with_api_key(url, ["chats", "send", "1"])).await;
    assert_eq!(nothing.code, 2, "{nothing:?}");
    let long = "x".repeat(4097);
    let too_long = run(with_api_key(url, ["chats", "send", "1", &long])).await;
    assert!(too_long.error_line(2).contains("at most 4096"), "{too_long:?}");
    let count =
        run(with_api_key(url, ["chats", "show", "1", "--json"])).await.json()["messages"].as_array().map(Vec::len);
    assert_eq!(count, Some(4), "nothing more was sent");

    // The server's refusals: a closed chat is 400, an unknown one 404 (exit code 1).
    run(with_api_key(url, ["chats", "status", "1", "closed"])).await.ok();
    let closed = run(with_api_key(url, ["chats", "send", "1", "Anyone?"])).await;
    assert!(closed.error_line(1).starts_with("error: 400 Bad Request: "), "{closed:?}");
    let unknown = run(with_api_key(url, ["chats", "send", "999", "Anyone?"])).await;
    assert!(unknown.error_line(1).starts_with("error: 404 Not Found: "), "{unknown:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_by_name_or_number() {
    let server = simulator_server().await;
    let url = server.base_url();
    simulate(url, OLENA).await;
    let closed = run(with_api_key(url, ["chats", "status", "1", "closed"])).await;
    assert_eq!(closed.ok(), "Chat 1 is now closed.\n");
    assert_eq!(ids(&list(url, &["--status", "closed"]).await), [1]);
    let paused = run(with_api_key(url, ["chats", "status", "1", "3"])).await;
    assert_eq!(paused.ok(), "Chat 1 is now paused.\n");
    let json = run(with_api_key(url, ["chats", "status", "1", "Open", "--json"])).await.json();
    assert_eq!(json, json!({"id": 1, "status": 1}));
    assert_eq!(list(url, &[]).await["items"][0]["chatStatus"], 1);
    let bad = run(with_api_key(url, ["chats", "status", "1", "5"])).await;
    assert_eq!(bad.code, 2, "{bad:?}");
    let unknown = run(with_api_key(url, ["chats", "status", "999", "open"])).await;
    assert!(unknown.error_line(1).starts_with("error: 404 Not Found: "), "{unknown:?}");
    // An operator token may set the status of its organization's chats.
    let token = operator_token(url, 1).await;
    let by_operator = run(chathub(["chats", "status", "1", "waiting", "--base-url", url, "--token", &token])).await;
    assert_eq!(by_operator.ok(), "Chat 1 is now waiting.\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_needs_a_terminal_or_yes() {
    let server = simulator_server().await;
    let url = server.base_url();
    simulate(url, OLENA).await;
    // Standard input is not a terminal here: without --yes nothing is sent.
    let refused = run(with_api_key(url, ["chats", "delete", "1"])).await;
    assert_eq!(
        refused.error_line(2),
        "error: chats delete 1: standard input is not a terminal to confirm on; add --yes to delete"
    );
    assert_eq!(list(url, &[]).await["total"], 1, "not deleted");
    // An operator token may not delete: 403, a refused credential (exit code 3).
    let token = operator_token(url, 1).await;
    let forbidden = run(chathub(["chats", "delete", "1", "--yes", "--base-url", url, "--token", &token])).await;
    assert!(forbidden.error_line(3).starts_with("error: 403 Forbidden: "), "{forbidden:?}");
    assert_eq!(list(url, &[]).await["total"], 1, "not deleted");

    let deleted = run(with_api_key(url, ["chats", "delete", "1", "--yes"])).await;
    assert_eq!(deleted.ok(), "Deleted chat 1 with its messages.\n");
    assert_eq!(list(url, &[]).await["total"], 0);
    let gone = run(with_api_key(url, ["chats", "show", "1"])).await;
    assert!(gone.error_line(1).starts_with("error: 404 Not Found: "), "{gone:?}");
    let again = run(with_api_key(url, ["chats", "delete", "1", "-y", "--json"])).await;
    assert!(again.error_line(1).starts_with("error: 404 Not Found: "), "{again:?}");
    simulate(url, OLENA).await;
    let json = run(with_api_key(url, ["chats", "delete", "2", "--yes", "--json"])).await.json();
    assert_eq!(json, json!({"id": 2, "deleted": true}));
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_opens_a_chat_then_joins_it() {
    let server = simulator_server().await;
    let url = server.base_url();
    let mut first = with_api_key(url, ["simulate", "customer-message"]);
    first.args(OLENA);
    let first = run(first).await;
    assert_eq!(first.ok(), "Message 1 in new chat 1 (telegram-bot, organization 24).\n");
    let mut second = with_api_key(url, ["simulate", "customer-message"]);
    second.args(["--org", "24", "--source", "2", "--phone", "380501234567", "Still there?"]);
    let second = run(second).await;
    assert_eq!(second.ok(), "Message 2 in existing chat 1 (telegram-bot, organization 24).\n");
    let json = simulate(url, &["--org", "24", "--source", "whatsapp", "--phone", "380501234567", "Hi"]).await;
    assert_eq!(json["created"], true, "another messenger, another chat");
    assert_eq!(json["chat"]["id"], 2);
    assert_eq!(json["chat"]["messSource"], 3);
    assert_eq!(json["message"]["author"], 1);
    assert_eq!(json["message"]["status"], 0);
    let keys: Vec<&String> = json.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["chat", "created", "message"]);

    let dir = tempfile::tempdir().expect("a temporary directory");
    let photo = dir.path().join("parcel.jpg");
    std::fs::write(&photo, b"\xff\xd8\xff not really a jpeg").expect("write");
    let mut media = with_api_key(url, ["simulate", "customer-message", "--json", "--org", "42", "--source", "8"]);
    media.args(["--tg-user-id", "70123", "--file", path(&photo)]);
    let media = run(media).await.json();
    assert_eq!(media["message"]["message"], Value::Null);
    assert_eq!(media["message"]["media"]["type"], 1);
    assert_eq!(media["chat"]["client"]["tgUserId"], 70123);

    let read = run(with_api_key(url, ["simulate", "message-status", "2", "read"])).await;
    assert_eq!(read.ok(), "Message 2 is now read.\n");
    let json = run(with_api_key(url, ["simulate", "message-status", "2", "1", "--json"])).await.json();
    assert_eq!(json, json!({"id": 2, "status": 1}));
    let shown = run(with_api_key(url, ["chats", "show", "1", "--json"])).await.json();
    assert_eq!(shown["messages"][1]["status"], 1);
    let unknown = run(with_api_key(url, ["simulate", "message-status", "999", "read"])).await;
    assert!(unknown.error_line(1).starts_with("error: 404 Not Found: "), "{unknown:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_checks_its_input_and_needs_the_simulator() {
    let server = simulator_server().await;
    let url = server.base_url();
    for (args, says) in [
        (&["--org", "24", "--source", "2", "Hi"][..], "--phone"),
        (&["--org", "24", "--source", "2", "--phone", "12345", "Hi"], "7-15 digits"),
        (&["--org", "24", "--source", "9", "--phone", "380501234567", "Hi"], "unknown source"),
        (&["--org", "24", "--source", "2", "--phone", "380501234567"], "TEXT"),
        (&["--org", "24", "--source", "2", "--phone", "380501234567", " "], "blank"),
    ] {
        let mut command = with_api_key(url, ["simulate", "customer-message"]);
        command.args(args);
        let refused = run(command).await;
        assert_eq!(refused.code, 2, "{args:?}: {refused:?}");
        assert!(refused.stderr.contains(says), "{args:?}: {refused:?}");
    }
    let bad_status = run(with_api_key(url, ["simulate", "message-status", "1", "delivered"])).await;
    assert_eq!(bad_status.code, 2);
    assert_eq!(list(url, &[]).await["total"], 0, "nothing was sent");
    // Another company's organization is the server's check: 400.
    let mut foreign = with_api_key(url, ["simulate", "customer-message"]);
    foreign.args(["--org", "77", "--source", "2", "--phone", "380501234567", "Hi"]);
    assert!(run(foreign).await.error_line(1).starts_with("error: 400 Bad Request: "));
    // Operator tokens may not play customers: 403.
    let token = operator_token(url, 1).await;
    let mut operator = chathub(["simulate", "customer-message", "--base-url", url, "--token", &token]);
    operator.args(OLENA);
    assert!(run(operator).await.error_line(3).starts_with("error: 403 Forbidden: "));
    // A server without --simulator does not have these paths.
    let plain = crate::support::server().await;
    let mut absent = with_api_key(plain.base_url(), ["simulate", "customer-message"]);
    absent.args(OLENA);
    assert!(run(absent).await.error_line(1).starts_with("error: 404 Not Found"));
}

/// Runs `chathub ARGS` with a terminal for standard input (util-linux
/// `script`), typing `answer`; `None` where `script` is missing.
async fn on_a_terminal(args: Vec<String>, answer: &'static str) -> Option<(i32, String)> {
    let script = ["/usr/bin/script", "/bin/script"].into_iter().find(|path| std::path::Path::new(path).exists())?;
    let binary = assert_cmd::cargo::cargo_bin!("chathub").to_str().expect("a UTF-8 path").to_owned();
    let line = std::iter::once(binary).chain(args).map(|word| format!("'{word}'")).collect::<Vec<_>>().join(" ");
    let output = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new(script)
            .args(["-qec", &line, "/dev/null"])
            .env_remove("CHATHUB_API_KEY")
            .env_remove("CHATHUB_TOKEN")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run script");
        child.stdin.take().expect("stdin").write_all(answer.as_bytes()).expect("type the answer");
        child.wait_with_output().expect("wait for script")
    })
    .await
    .expect("join");
    Some((output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned()))
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_on_a_terminal_asks_first() {
    let server = simulator_server().await;
    let url = server.base_url();
    simulate(url, OLENA).await;
    let args = |id: &str| -> Vec<String> {
        ["chats", "delete", id, "--base-url", url, "--api-key", crate::support::API_KEY].map(str::to_owned).to_vec()
    };
    let Some((code, screen)) = on_a_terminal(args("1"), "n\n").await else {
        eprintln!("skipped: no `script` to give chathub a terminal");
        return;
    };
    assert_eq!(code, 0, "{screen}");
    // The terminal echoes the typed answer before or after the question, as it comes.
    assert!(screen.contains("Delete chat 1 and all its messages? [y/N]"), "{screen}");
    assert!(screen.contains("Chat 1 was not deleted."), "{screen}");
    assert_eq!(list(url, &[]).await["total"], 1, "not deleted");
    let (code, screen) = on_a_terminal(args("1"), "y\n").await.expect("script");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Deleted chat 1 with its messages."), "{screen}");
    assert_eq!(list(url, &[]).await["total"], 0);
}
