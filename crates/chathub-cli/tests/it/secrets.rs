//! No verbosity level, `RUST_LOG` setting, error or help text ever shows a
//! password, an API key or a token.

use crate::support::{
    API_KEY, LOGIN, PASSWORD, Watcher, chathub, operator_token, run, server, simulator_server, with_api_key,
};

fn assert_clean(stderr: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!stderr.contains(secret), "a secret leaked into stderr:\n{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_at_every_level_hold_no_secret() {
    let server = server().await;
    let url = server.base_url();
    let token =
        run(with_api_key(url, ["login", "--login", LOGIN, "--password", PASSWORD])).await.ok().trim().to_owned();
    let operator_token = run(with_api_key(url, ["token", "issue", "1"])).await.ok().trim().to_owned();
    let secrets = [PASSWORD, API_KEY, token.as_str(), operator_token.as_str()];

    let levels: [(&[&str], Option<&str>); 5] = [
        (&["-v"], None),
        (&["-vvv"], None),
        (&[], Some("trace")),
        (&[], Some("trace,chathub_client=trace,reqwest=trace,hyper=trace,hyper_util=trace,h2=trace")),
        (&["-vv"], Some("trace")),
    ];
    for (flags, rust_log) in levels {
        let with = |args: &[&str]| {
            let mut command = chathub(args.iter().chain(flags));
            command.args(["--base-url", url]);
            if let Some(filter) = rust_log {
                command.env("RUST_LOG", filter);
            }
            command
        };
        let mut signed_in = with(&["orgs", "--login", LOGIN]);
        signed_in.env("CHATHUB_PASSWORD", PASSWORD);
        let signed_in = run(signed_in).await;
        signed_in.ok();
        assert!(signed_in.stderr.contains("/api/company/get-token"), "requests are logged: {signed_in:?}");
        assert_clean(&signed_in.stderr, &secrets);

        let keyed = run(with(&["operators", "list", "--org", "24", "--api-key", API_KEY])).await;
        keyed.ok();
        assert_clean(&keyed.stderr, &secrets);

        let with_token = run(with(&["token", "validate", &operator_token, "--token", &token])).await;
        with_token.ok();
        assert_clean(&with_token.stderr, &secrets);

        let issued = run(with(&["token", "issue", "3", "--api-key", API_KEY])).await;
        let fresh = issued.ok().trim().to_owned();
        assert_clean(&issued.stderr, &[&fresh, API_KEY]);

        let refused = run(with(&["orgs", "--login", LOGIN, "--password", "wrong-password-123"])).await;
        assert_eq!(refused.code, 3);
        assert_clean(&refused.stderr, &["wrong-password-123"]);
    }
}

#[test]
fn help_never_shows_secrets_from_the_environment() {
    for args in [&["--help"][..], &["orgs", "--help"], &["token", "issue", "--help"]] {
        let output = chathub(args)
            .env("CHATHUB_PASSWORD", "env-password-42")
            .env("CHATHUB_API_KEY", "env-api-key-42")
            .env("CHATHUB_TOKEN", "env-token-42")
            .output()
            .expect("run chathub");
        let help = String::from_utf8(output.stdout).expect("utf-8");
        assert!(help.contains("CHATHUB_PASSWORD"), "{help}");
        for secret in ["env-password-42", "env-api-key-42", "env-token-42"] {
            assert!(!help.contains(secret), "{help}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_never_echo_secrets() {
    let mut stdin_empty = chathub(["orgs", "--base-url", "http://127.0.0.1:9", "--login", LOGIN, "--password-stdin"]);
    stdin_empty.write_stdin("");
    let failed = run(stdin_empty).await;
    assert!(failed.error_line(2).contains("standard input holds no password"), "{failed:?}");
    let bad_key = run(chathub(["orgs", "--base-url", "http://127.0.0.1:9", "--api-key", "bad\nkey-secret"])).await;
    let line = bad_key.error_line(2);
    assert!(!line.contains("key-secret"), "{line}");
    let in_url =
        run(chathub(["orgs", "-vv", "--base-url", "http://user:url-secret@127.0.0.1:9", "--api-key", "k"])).await;
    assert!(in_url.error_line(2).contains("must not hold a user name or password"), "{in_url:?}");
    assert!(!in_url.stderr.contains("url-secret"), "{in_url:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_commands_at_every_level_hold_no_secret() {
    let server = simulator_server().await;
    let url = server.base_url();
    let token =
        run(with_api_key(url, ["login", "--login", LOGIN, "--password", PASSWORD])).await.ok().trim().to_owned();
    let operator_token = operator_token(url, 1).await;
    let secrets = [PASSWORD, API_KEY, token.as_str(), operator_token.as_str()];
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("note.txt");
    std::fs::write(&file, "hello").expect("write");
    let file = file.to_str().expect("UTF-8 path").to_owned();

    for (flags, rust_log) in [(&["-vvv"][..], None), (&[], Some("trace,reqwest=trace,hyper=trace,tungstenite=trace"))] {
        let credentials: [&[&str]; 4] = [
            &["--login", LOGIN, "--password", PASSWORD],
            &["--api-key", API_KEY],
            &["--token", &token],
            &["--token", &operator_token],
        ];
        for (index, credential) in credentials.iter().enumerate() {
            let with = |args: &[&str]| {
                let mut command = chathub(args.iter().chain(flags).chain(credential.iter()));
                command.args(["--base-url", url]);
                if let Some(filter) = rust_log {
                    command.env("RUST_LOG", filter);
                }
                command
            };
            let operator = index == 3;
            let runs = [
                run(with(&[
                    "simulate",
                    "customer-message",
                    "--org",
                    "24",
                    "--source",
                    "2",
                    "--phone",
                    "380501234567",
                    "Hi",
                ]))
                .await,
                run(with(&["chats", "list", "--phone", "380501234567"])).await,
                run(with(&["chats", "show", "1"])).await,
                run(with(&["chats", "send", "1", "Hello", "--file", &file])).await,
                run(with(&["chats", "status", "1", "open"])).await,
                run(with(&["simulate", "message-status", "1", "read"])).await,
                run(with(&["chats", "delete", "999", "--yes"])).await,
            ];
            for (step, done) in runs.iter().enumerate() {
                let expected = match step {
                    0 | 5 if operator => 3,
                    6 if operator => 3,
                    6 => 1,
                    _ => 0,
                };
                assert_eq!(done.code, expected, "step {step} with credential {index}: {done:?}");
                assert_clean(&done.stderr, &secrets);
                assert_clean(&done.stdout, &[PASSWORD, API_KEY, &operator_token, &token]);
            }
            assert!(runs[1].stderr.contains("/api/chat/chats"), "requests are logged: {:?}", runs[1]);
        }
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn watch_at_every_level_holds_no_secret() {
    let server = simulator_server().await;
    let url = server.base_url();
    let operator_token = operator_token(url, 1).await;
    let mut by_password = Watcher::spawn(url, &["-vvv", "--json", "--login", LOGIN, "--password", PASSWORD]);
    let mut by_operator = Watcher::spawn(url, &["-vvv", "--token", &operator_token]);
    by_password.connected().await;
    by_operator.connected().await;
    run(with_api_key(
        url,
        ["simulate", "customer-message", "--org", "24", "--source", "2", "--phone", "380501234567", "Hi"],
    ))
    .await
    .ok();
    by_password.json_event("MessageReceived").await;
    by_operator.stdout_line().await.expect("the ChatCreated line");
    by_password.interrupt();
    by_operator.interrupt();
    assert_eq!(by_password.exit_code().await, 0);
    assert_eq!(by_operator.exit_code().await, 0);
    for watcher in [&by_password, &by_operator] {
        let stderr = watcher.stderr_seen.join("\n");
        assert!(stderr.contains("chathub"), "logs are written: {stderr}");
        assert_clean(&stderr, &[PASSWORD, API_KEY, &operator_token]);
    }
}
