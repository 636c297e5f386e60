//! Seeded chats (Decision 33): loaded once through the same database,
//! shown by the chat endpoints in the shape of Decision 18, media served
//! from a file beside the seed, bad entries stopping the start with their
//! line and changing nothing.

use std::path::{Path, PathBuf};

use chathub_server::Config;
use chathub_server::testing::TestServer;
use serde_json::{Value, json};

const KEY: &str = "acme-static-api-key-0001";
const PHOTO: &[u8] = b"\xff\xd8\xff\xe0 a tiny photo";

const SEED: &str = r#"
[[company]]
login = "acme"
password = "acme-pass-1"
api_key = "acme-static-api-key-0001"

[[company.organization]]
id = 24
name = "Customer Support"

[[company.organization.operator]]
name = "John Smith"
photo = "https://example.test/john.png"

[[company.organization.chat]]
source = 2
theme = "Parcel #491"
status = 1
operator = "John Smith"
client = { name = "Olena", phone = "+380 50 123 45 67", tg_user_id = 7012345678 }

[[company.organization.chat.message]]
text = "Where is my parcel?"
at = 2026-01-28T10:15:00Z
media = { file = "p.jpg", type = 1 }

[[company.organization.chat.message]]
author = 0
text = "It left the warehouse."
at = 2026-01-28T10:20:31Z

[[company.organization.chat]]
source = 0
client = { tg_user_id = 70123 }

[[company.organization.chat.message]]
text = "Hello?"
"#;

/// A directory holding `seed.toml` (with `seed`), `p.jpg` and a database file.
fn workspace(seed: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("seed.toml"), seed).expect("seed");
    std::fs::write(dir.path().join("p.jpg"), PHOTO).expect("photo");
    dir
}

fn config(dir: &Path) -> Config {
    let seed: PathBuf = dir.join("seed.toml");
    let database = format!("sqlite:{}", dir.join("chathub.db").display());
    Config { seed: Some(seed), database, ..Config::in_memory() }
}

async fn get(server: &TestServer, path: &str) -> Value {
    let answer = reqwest::Client::new()
        .get(format!("{}{path}", server.base_url()))
        .header("X-Authorization-Key", KEY)
        .send()
        .await
        .expect("request");
    assert_eq!(answer.status(), 200, "GET {path}");
    answer.json().await.expect("JSON")
}

/// `value` with this server's base URL dropped from media URIs (a restart binds another port).
fn without_base(server: &TestServer, value: &Value) -> Value {
    serde_json::from_str(&value.to_string().replace(server.base_url(), "")).expect("JSON")
}

fn id(value: &Value) -> i64 {
    value.as_i64().expect("an integer id")
}

#[tokio::test]
async fn seeded_chats_show_the_chat_shape_and_serve_their_media() {
    let dir = workspace(SEED);
    let server = TestServer::start_with(config(dir.path())).await.expect("start");
    let list = get(&server, "/api/chat/chats").await;
    assert_eq!(list["total"], 2, "{list}");
    let [hello, parcel] = list["items"].as_array().expect("items").as_slice() else { panic!("two chats: {list}") };

    let john = &get(&server, "/api/operator?organizationId=24").await[0];
    assert_eq!(john["name"], "John Smith");
    let expected = json!({
        "id": parcel["id"], "theme": "Parcel #491", "organizationId": 24, "messSource": 2, "chatStatus": 1,
        "countUnread": 1,
        "client": {"id": parcel["client"]["id"], "name": "Olena", "phone": "380501234567", "tgUserId": 7012345678_i64},
        "operator": {"id": john["id"], "name": "John Smith", "photo": "https://example.test/john.png"},
        "createdAt": "2026-01-28T10:15:00Z", "lastMessageAt": "2026-01-28T10:20:31Z"
    });
    assert_eq!(*parcel, expected);
    assert_eq!(get(&server, &format!("/api/chat/chats/{}", id(&parcel["id"]))).await, expected);

    assert!(id(&hello["id"]) > id(&parcel["id"]), "newest id first");
    assert_eq!((hello["messSource"].clone(), hello["chatStatus"].clone()), (json!(0), json!(0)));
    assert_eq!((hello["theme"].clone(), hello["operator"].clone()), (Value::Null, Value::Null));
    assert_eq!(hello["client"]["tgUserId"], 70123);
    assert_eq!(hello["client"]["phone"], Value::Null);
    assert_eq!(hello["createdAt"], hello["lastMessageAt"], "without `at`, the load time");

    let messages = get(&server, &format!("/api/chat/{}/messages", id(&parcel["id"]))).await;
    let [question, reply] = messages.as_array().expect("messages").as_slice() else { panic!("{messages}") };
    assert_eq!((question["author"].clone(), question["status"].clone()), (json!(1), json!(0)));
    assert_eq!(question["operatorId"], Value::Null);
    assert_eq!(question["message"], "Where is my parcel?");
    assert_eq!(question["phone"], "380501234567");
    assert_eq!((reply["author"].clone(), reply["status"].clone()), (json!(0), json!(1)));
    assert_eq!(reply["operatorId"], john["id"], "a seeded operator message is the chat's operator's");
    assert_eq!(reply["media"], Value::Null);

    let media = &question["media"];
    assert_eq!(
        (media["name"].clone(), media["format"].clone(), media["type"].clone()),
        (json!("p.jpg"), json!("image/jpeg"), json!(1))
    );
    let uri = media["uri"].as_str().expect("uri");
    assert!(uri.ends_with("/p.jpg"), "{uri}");
    let path = uri.find("/media/").map(|at| &uri[at..]).expect("a media path");
    let served = reqwest::get(format!("{}{path}", server.base_url())).await.expect("media");
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), PHOTO);
    server.stop().await;
}

#[tokio::test]
async fn a_second_start_adds_nothing_and_a_matched_chat_gets_nothing_added() {
    let dir = workspace(SEED);
    let first = TestServer::start_with(config(dir.path())).await.expect("first start");
    let before = get(&first, "/api/chat/chats").await;
    let parcel = id(&before["items"][1]["id"]);
    let messages_before = without_base(&first, &get(&first, &format!("/api/chat/chats/{parcel}/messages")).await);
    assert!(messages_before.to_string().contains("\"uri\":\"/media/"), "{messages_before}");
    first.stop().await;

    let more = SEED.replace(
        "text = \"Hello?\"",
        "text = \"Hello?\"\n\n[[company.organization.chat.message]]\ntext = \"Anyone there?\"",
    );
    std::fs::write(dir.path().join("seed.toml"), &more).expect("seed");
    for _ in 0..2 {
        let again = TestServer::start_with(config(dir.path())).await.expect("restart");
        assert_eq!(get(&again, "/api/chat/chats").await, before);
        let messages = get(&again, &format!("/api/chat/chats/{parcel}/messages")).await;
        assert_eq!(without_base(&again, &messages), messages_before, "the same messages and media key");
        let hello = id(&before["items"][0]["id"]);
        assert_eq!(get(&again, &format!("/api/chat/chats/{hello}/messages")).await.as_array().map(Vec::len), Some(1));
        again.stop().await;
    }
}

#[tokio::test]
async fn one_load_matches_a_repeated_chat_by_organization_source_client_and_theme() {
    let chat = "\n[[company.organization.chat]]\nsource = 1\ntheme = \"Refund\"\nclient = { phone = \"380671112233\" }\n\n\
                [[company.organization.chat.message]]\ntext = \"Refund please\"\n";
    let other_theme = chat.replace("Refund\"", "Invoice\"");
    let seed = format!("{SEED}{chat}{chat}{other_theme}").replace("media = { file = \"p.jpg\", type = 1 }", "");
    let server = TestServer::start_with_seed(&seed).await.expect("start");
    let list = get(&server, "/api/chat/chats").await;
    assert_eq!(list["total"], 4, "the repeated chat once, another theme apart: {list}");
    let themes: Vec<&Value> = list["items"].as_array().expect("items").iter().map(|chat| &chat["theme"]).collect();
    assert_eq!(themes, [&json!("Invoice"), &json!("Refund"), &Value::Null, &json!("Parcel #491")]);
    let (refund, invoice) = (&list["items"][1], &list["items"][0]);
    assert_eq!(refund["client"]["id"], invoice["client"]["id"], "one client, found by phone");
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_operator_stops_the_start_with_its_line_and_changes_nothing() {
    let dir = workspace(SEED);
    let first = TestServer::start_with(config(dir.path())).await.expect("first start");
    let before = get(&first, "/api/chat/chats").await;
    first.stop().await;

    let bad = format!(
        "{SEED}\n[[company.organization.operator]]\nname = \"Emma Davis\"\n\n\
         [[company.organization.chat]]\nsource = 3\noperator = \"Nobody\"\nclient = {{ phone = \"380670000000\" }}\n"
    );
    std::fs::write(dir.path().join("seed.toml"), &bad).expect("seed");
    let error = TestServer::start_with(config(dir.path())).await.expect_err("a bad seed").to_string();
    let line = bad.lines().position(|line| line.contains("Nobody")).map(|at| at + 1).expect("the line");
    assert!(error.contains(&format!("seed.toml:{line}: operator `Nobody`")), "{error}");

    std::fs::write(dir.path().join("seed.toml"), SEED).expect("seed");
    let after = TestServer::start_with(config(dir.path())).await.expect("good start");
    assert_eq!(get(&after, "/api/chat/chats").await, before);
    let operators = get(&after, "/api/operator?organizationId=24").await;
    assert_eq!(operators.as_array().map(Vec::len), Some(1), "Emma Davis was not added: {operators}");
    after.stop().await;
}

/// `TestServer` sets the public URL to the bound address at start, so
/// media URLs never depend on the first request's `Host`.
#[tokio::test]
async fn media_urls_name_the_bound_address_whatever_the_first_host() {
    let dir = workspace(SEED);
    let server = TestServer::start_with(config(dir.path())).await.expect("start");
    assert!(server.state().store.has_public_url());
    let answer = reqwest::Client::new()
        .get(format!("{}/api/chat/chats/1/messages", server.base_url()))
        .header("X-Authorization-Key", KEY)
        .header("Host", "127.0.0.2:9")
        .send()
        .await
        .expect("request");
    assert_eq!(answer.status(), 200);
    let messages: Value = answer.json().await.expect("JSON");
    let uri = messages[0]["media"]["uri"].as_str().expect("a media uri");
    assert!(uri.starts_with(&format!("{}/media/", server.base_url())), "{uri}");
    server.stop().await;
}
