//! Every command against the real server in-process.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

use crate::support::{API_KEY, LOGIN, PASSWORD, assert_redacted, chathub, run, server, with_api_key, with_password};

#[tokio::test(flavor = "multi_thread")]
async fn orgs_as_a_table_and_as_the_wire_json() {
    let server = server().await;
    let table = run(with_api_key(server.base_url(), ["orgs"])).await;
    insta::assert_snapshot!("orgs_table", table.ok());
    let json = run(with_api_key(server.base_url(), ["orgs", "--json"])).await;
    assert_eq!(json.json(), json!([{"id": 24, "name": "Customer Support"}, {"id": 42, "name": "Technical Support"}]));
}

#[tokio::test(flavor = "multi_thread")]
async fn global_options_go_before_or_after_the_command_or_in_the_environment() {
    let server = server().await;
    let url = server.base_url();
    let before = run(chathub(["--base-url", url, "--api-key", API_KEY, "--json", "orgs"])).await;
    let after = run(chathub(["orgs", "--base-url", url, "--api-key", API_KEY, "--json"])).await;
    let mut env = chathub(["orgs", "--json"]);
    env.env("CHATHUB_BASE_URL", url).env("CHATHUB_LOGIN", LOGIN).env("CHATHUB_PASSWORD", PASSWORD);
    let env = run(env).await;
    let mut nested = chathub(["operators", "list", "--org", "24", "--json", "--base-url", url]);
    nested.env("CHATHUB_API_KEY", API_KEY);
    let nested = run(nested).await;
    assert_eq!(before.json(), after.json());
    assert_eq!(before.json(), env.json());
    assert_eq!(nested.json().as_array().map(Vec::len), Some(2), "{nested:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_credentials_beat_the_environment() {
    let server = server().await;
    // A wrong API key in the environment loses to the login typed on the command line...
    let mut typed = with_password(server.base_url(), ["orgs", "--json"]);
    typed.env("CHATHUB_API_KEY", "wrong-key");
    run(typed).await.ok();
    // ...and within one source a token beats an API key.
    let mut both = chathub(["orgs", "--base-url", server.base_url(), "--token", "not-a-token"]);
    both.env("CHATHUB_API_KEY", API_KEY);
    let refused = run(both).await;
    assert!(refused.error_line(3).starts_with("error: 401 Unauthorized"), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_list_shows_status_names_and_the_organization() {
    let server = server().await;
    let table = run(with_api_key(server.base_url(), ["operators", "list", "--org", "24"])).await;
    insta::assert_snapshot!("operators_list_table", table.ok());
    let json = run(with_api_key(server.base_url(), ["operators", "list", "--org", "24", "--json"])).await.json();
    let first = &json[0];
    assert_eq!(first["name"], "John Smith");
    assert_eq!(first["status"], 0);
    assert_eq!(first["organization"], json!({"id": 24, "name": "Customer Support"}));
    assert_eq!(json[1]["status"], 1);
    let keys: Vec<&String> = first.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["id", "name", "organization", "status"]);
    // Another company's organization lists as empty (Decision 6).
    let foreign = run(with_api_key(server.base_url(), ["operators", "list", "--org", "77"])).await;
    assert_eq!(foreign.ok(), "Organization 77 has no operators (or is not this company's).\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_add_prints_what_was_created() {
    let server = server().await;
    let added =
        run(with_api_key(server.base_url(), ["operators", "add", "--org", "42", "Alex Brown", "  Olena Kovalenko "]))
            .await;
    insta::assert_snapshot!("operators_add_table", added.ok());
    let json = run(with_api_key(server.base_url(), ["--json", "operators", "add", "--org", "42", "Lee"])).await.json();
    assert_eq!(json.as_array().map(Vec::len), Some(1));
    assert_eq!(json[0]["name"], "Lee");
    assert_eq!(json[0]["status"], 0);
    assert!(json[0]["id"].is_i64());
    let listed = run(with_api_key(server.base_url(), ["operators", "list", "--org", "42", "--json"])).await.json();
    let names: Vec<&str> = listed.as_array().into_iter().flatten().filter_map(|o| o["name"].as_str()).collect();
    assert_eq!(names, ["Emma Davis", "Alex Brown", "Olena Kovalenko", "Lee"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_add_checks_names_before_sending() {
    let server = server().await;
    let blank = run(with_api_key(server.base_url(), ["operators", "add", "--org", "42", "Ann", "   "])).await;
    assert_eq!(blank.error_line(2), r#"error: NAME 2 ("   "): The name must not be blank."#);
    let long = "x".repeat(101);
    let long = run(with_api_key(server.base_url(), ["operators", "add", "--org", "42", &long])).await;
    assert!(long.error_line(2).contains("at most 100 characters"), "{long:?}");
    // A foreign organization is the server's check: 400, exit 1.
    let foreign = run(with_api_key(server.base_url(), ["operators", "add", "--org", "77", "Ann"])).await;
    assert!(foreign.error_line(1).starts_with("error: 400 Bad Request: "), "{foreign:?}");
    let listed = run(with_api_key(server.base_url(), ["operators", "list", "--org", "42", "--json"])).await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "nothing was added");
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_status_by_name_or_number() {
    let server = server().await;
    let url = server.base_url();
    let inactive = run(with_api_key(url, ["operators", "status", "1", "inactive"])).await;
    assert_eq!(inactive.ok(), "Operator 1 is now Inactive; its tokens were revoked.\n");
    let active = run(with_api_key(url, ["operators", "status", "1", "0"])).await;
    assert_eq!(active.ok(), "Operator 1 is now Active.\n");
    let json = run(with_api_key(url, ["operators", "status", "1", "Deleted", "--json"])).await;
    assert_eq!(json.json(), json!({"id": 1, "status": 2}));
    let listed = run(with_api_key(url, ["operators", "list", "--org", "24", "--json"])).await.json();
    assert_eq!(listed[0]["status"], 2);
    let unknown = run(with_api_key(url, ["operators", "status", "9999", "active"])).await;
    assert!(unknown.error_line(1).starts_with("error: 404 Not Found"), "{unknown:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_prints_a_token_other_commands_can_use() {
    let server = server().await;
    let url = server.base_url();
    let login = run(with_password(url, ["login"])).await;
    let token = login.ok().trim().to_owned();
    assert!(token.starts_with("eyJ") && !token.contains(char::is_whitespace), "{login:?}");
    let orgs = run(chathub(["orgs", "--json", "--base-url", url, "--token", &token])).await;
    assert_eq!(orgs.json()[0]["id"], 24);
    let json = run(with_password(url, ["login", "--json"])).await.json();
    assert!(json["token"].as_str().is_some_and(|t| t.starts_with("eyJ")), "{json}");
    assert!(json["expiration"].as_str().is_some_and(|e| e.ends_with('Z')), "{json}");
    let mut from_stdin = chathub(["login", "--base-url", url, "--login", LOGIN, "--password-stdin"]);
    from_stdin.write_stdin(format!("{PASSWORD}\n"));
    assert!(run(from_stdin).await.ok().starts_with("eyJ"));
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_exit_3() {
    let server = server().await;
    let url = server.base_url();
    let wrong = run(chathub(["orgs", "--base-url", url, "--login", LOGIN, "--password", "nope"])).await;
    assert_eq!(wrong.error_line(3), "error: 401 Unauthorized: The login or password is wrong.");
    assert!(wrong.stdout.is_empty());
    let key = run(chathub(["orgs", "--json", "--base-url", url, "--api-key", "wrong-key"])).await;
    key.error_line(3);
    assert!(key.stdout.is_empty(), "nothing on stdout with --json: {key:?}");
    // An operator token is genuine but may not list organizations: 403.
    let issued = run(with_api_key(url, ["token", "issue", "1"])).await;
    let operator_token = issued.ok().trim().to_owned();
    let forbidden = run(chathub(["orgs", "--base-url", url, "--token", &operator_token])).await;
    assert!(forbidden.error_line(3).starts_with("error: 403 Forbidden: "), "{forbidden:?}");
    let login_with_key = run(with_api_key(url, ["login"])).await;
    assert!(login_with_key.error_line(2).contains("signing in needs --login"), "{login_with_key:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_or_partial_credentials_are_usage_errors() {
    let none = run(chathub(["orgs", "--base-url", "http://127.0.0.1:9"])).await;
    assert!(none.error_line(2).starts_with("error: no credentials: "), "{none:?}");
    let no_password = run(chathub(["orgs", "--base-url", "http://127.0.0.1:9", "--login", "acme"])).await;
    assert!(no_password.error_line(2).contains("--login acme needs a password"), "{no_password:?}");
    let bad_url = run(chathub(["orgs", "--base-url", "ftp://x", "--api-key", "k"])).await;
    assert!(bad_url.error_line(2).contains("base URL"), "{bad_url:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn token_issue_validate_and_revoke() {
    let server = server().await;
    let url = server.base_url();
    let issued = run(with_api_key(url, ["token", "issue", "1"])).await;
    let token = issued.ok().trim().to_owned();
    assert_redacted!("token_issue_note", &issued.stderr);
    let valid = run(with_api_key(url, ["token", "validate", &token])).await;
    assert_redacted!("token_validate_valid", valid.ok());
    let answer = run(with_api_key(url, ["token", "validate", &token, "--json"])).await.json();
    assert_eq!(answer["isValid"], true);
    assert_eq!(answer["operatorId"], 1);
    assert_eq!(answer["clientId"], 0);
    assert_eq!(answer["error"], serde_json::Value::Null);
    let expires: DateTime<Utc> = answer["expiresAt"].as_str().and_then(|t| t.parse().ok()).expect("expiresAt");
    let lifetime = expires - Utc::now();
    assert!(lifetime <= TimeDelta::hours(1) && lifetime > TimeDelta::minutes(50), "default 1h: {lifetime}");

    run(with_api_key(url, ["operators", "status", "1", "inactive"])).await.ok();
    let mut from_stdin = with_api_key(url, ["token", "validate", "-"]);
    from_stdin.write_stdin(format!("{token}\n"));
    let revoked = run(from_stdin).await;
    assert_eq!(revoked.ok(), "Not valid: Operator is not active.\n");
    let garbage = run(with_api_key(url, ["token", "validate", "garbage", "--json"])).await.json();
    assert_eq!(
        garbage,
        json!({"isValid": false, "operatorId": null, "clientId": null, "expiresAt": null, "error": "Invalid token"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn token_issue_until_an_instant_and_as_json() {
    let server = server().await;
    let at = Utc::now() + TimeDelta::hours(2) + TimeDelta::milliseconds(500);
    let instant = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let json = run(with_api_key(server.base_url(), ["token", "issue", "3", "--expires-at", &instant, "--json"])).await;
    assert!(json.stderr.is_empty(), "{json:?}");
    let json = json.json();
    // The token never outlives the instant asked for: cut to whole seconds (Decision 10).
    let expected = whole_seconds(at);
    assert_eq!(json["expiration"], expected);
    assert!(json["token"].as_str().is_some_and(|t| t.starts_with("eyJ")));
    let ttl = run(with_api_key(server.base_url(), ["token", "issue", "3", "--ttl", "90m", "--json"])).await.json();
    let expires: DateTime<Utc> = ttl["expiration"].as_str().and_then(|t| t.parse().ok()).expect("expiration");
    assert!(expires - Utc::now() <= TimeDelta::minutes(90), "{ttl}");
    let unknown = run(with_api_key(server.base_url(), ["token", "issue", "9999"])).await;
    assert!(unknown.error_line(1).starts_with("error: 404 Not Found"), "{unknown:?}");
}

fn whole_seconds(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn widget_prints_a_script_tag_with_a_valid_token() {
    let server = server().await;
    let url = server.base_url();
    let widget = run(with_api_key(url, ["widget", "3", "--ttl", "1h30m"])).await;
    assert_redacted!("widget_tag", widget.ok());
    let tag = widget.stdout.trim();
    let token = tag.split("token=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a token attribute");
    let valid = run(with_api_key(url, ["token", "validate", token, "--json"])).await.json();
    assert_eq!(valid["operatorId"], 3);
    let json =
        run(with_api_key(url, ["widget", "3", "--json", "--src", "http://127.0.0.1:1/widget-script.js"])).await.json();
    assert_eq!(json["operatorId"], 3);
    let script = json["scriptTag"].as_str().expect("scriptTag");
    assert!(script.contains(r#"src="http://127.0.0.1:1/widget-script.js""#), "{script}");
    assert!(json["token"].as_str().is_some_and(|t| script.contains(t)), "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_need_no_server() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = run(chathub(["completions", shell])).await;
        assert!(run.ok().contains("chathub"), "{shell}");
        assert!(run.stdout.contains("operators"), "{shell}");
    }
    let unknown = run(chathub(["completions", "tcsh"])).await;
    assert_eq!(unknown.code, 2);
}
