//! Two server processes on one Postgres database (spec §6, issue 9): a token
//! issued by one is accepted by the other, a deactivation through one
//! revokes at once on the other, and concurrent synchronize through both
//! yields distinct ids and loses nothing. Needs `CHATHUB_TEST_POSTGRES`;
//! `cargo xtask test-postgres` (the `postgres` CI step) provides it.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chathub_server::testing::{TEST_POSTGRES_VARIABLE, create_postgres_database};
use serde_json::{Value, json};

const SEED: &str = r#"
[[company]]
login = "acme"
password = "acme-pass-1"
api_key = "scale-out-key"

[[company.organization]]
id = 24
name = "Customer Support"

[[company.organization.operator]]
name = "John Smith"
"#;
const KEY: &str = "scale-out-key";

/// A server process, killed on drop.
struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn spawn(database: &str, seed: &std::path::Path) -> Process {
    spawn_with(database, seed, &[]).await
}

async fn spawn_with(database: &str, seed: &std::path::Path, extra: &[&str]) -> Process {
    let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port();
    let child = Command::new(env!("CARGO_BIN_EXE_chathub-server"))
        .args(["--database", database, "--listen", &format!("127.0.0.1:{port}"), "--seed"])
        .arg(seed)
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server binary starts");
    let process = Process { child, base: format!("http://127.0.0.1:{port}") };
    // Waiting for a process to come up, not for a race: bounded.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if reqwest::get(format!("{}/health", process.base)).await.is_ok_and(|r| r.status().is_success()) {
            return process;
        }
        assert!(Instant::now() < deadline, "server at {} did not come up", process.base);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn post(base: &str, path: &str, credential: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("X-Authorization-Key", credential)
        .header("accept", "text/plain")
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

async fn listed_ids(base: &str) -> BTreeSet<i64> {
    let list: Value = reqwest::Client::new()
        .get(format!("{base}/api/operator?organizationId=24"))
        .header("X-Authorization-Key", KEY)
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a JSON list");
    list.as_array().expect("a list").iter().map(|op| op["id"].as_i64().expect("an id")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs CHATHUB_TEST_POSTGRES; `cargo xtask test-postgres` runs it"]
async fn two_servers_share_tokens_revocations_and_writes() {
    let admin = std::env::var(TEST_POSTGRES_VARIABLE)
        .unwrap_or_else(|_| panic!("{TEST_POSTGRES_VARIABLE} must name a Postgres server for this test"));
    let database = create_postgres_database(&admin).await.unwrap();
    let seed = std::env::temp_dir().join(format!("chathub-scale-out-{}.toml", std::process::id()));
    std::fs::write(&seed, SEED).unwrap();
    let a = spawn(&database, &seed).await;
    let b = spawn(&database, &seed).await;

    // A token issued by one is accepted by the other.
    let expires = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
    let token = post(&a.base, "/api/operator/get-token", KEY, json!({"id": 1, "expiresAt": expires})).await;
    assert_eq!(token.status(), 200);
    let token = token.text().await.unwrap();
    let verdict: Value =
        post(&b.base, "/api/operator/validate-token", KEY, json!({"token": token})).await.json().await.unwrap();
    assert_eq!(verdict["isValid"], true, "{verdict}");
    let as_credential =
        reqwest::Client::new().get(format!("{}/api/operator", b.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(as_credential.status(), 200);

    // A deactivation through A revokes on B at once: no waiting in between.
    assert_eq!(post(&a.base, "/api/operator/status", KEY, json!({"id": 1, "status": 1})).await.status(), 200);
    let verdict: Value =
        post(&b.base, "/api/operator/validate-token", KEY, json!({"token": token})).await.json().await.unwrap();
    assert_eq!((verdict["isValid"].clone(), verdict["error"].clone()), (json!(false), json!("Operator is not active")));
    let as_credential =
        reqwest::Client::new().get(format!("{}/api/operator", b.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(as_credential.status(), 403);

    // Concurrent synchronize through both: distinct ids, none lost.
    let mut tasks = Vec::new();
    for client in 0..8 {
        let base = if client % 2 == 0 { a.base.clone() } else { b.base.clone() };
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for request in 0..25 {
                let answer = post(
                    &base,
                    "/api/operator/synchronize",
                    KEY,
                    json!([{"organizationId": 24, "name": format!("op-{client}-{request}")}]),
                )
                .await;
                assert_eq!(answer.status(), 200);
                let created: Value = answer.json().await.unwrap();
                ids.push(created[0]["id"].as_i64().unwrap());
            }
            ids
        }));
    }
    let mut created = BTreeSet::new();
    for task in tasks {
        for id in task.await.unwrap() {
            assert!(created.insert(id), "id {id} was handed out twice");
        }
    }
    assert_eq!(created.len(), 200);

    // Both read models converge on every row (notifications take milliseconds;
    // the bound is generous for a loaded 2-core machine).
    let deadline = Instant::now() + Duration::from_secs(10);
    for server in [&a, &b] {
        loop {
            let listed = listed_ids(&server.base).await;
            if created.is_subset(&listed) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} lists {} of the 200 new operators",
                server.base,
                created.intersection(&listed).count()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // A third server, started now, reads everything from the database.
    let c = spawn(&database, &seed).await;
    assert!(created.is_subset(&listed_ids(&c.base).await));
    let _ = std::fs::remove_file(seed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs CHATHUB_TEST_POSTGRES; `cargo xtask test-postgres` runs it"]
async fn a_deactivation_through_one_server_closes_hub_connections_on_the_other() {
    use crate::hub::{Cred, Ws};
    use crate::support::Api;

    let admin = std::env::var(TEST_POSTGRES_VARIABLE)
        .unwrap_or_else(|_| panic!("{TEST_POSTGRES_VARIABLE} must name a Postgres server for this test"));
    let database = create_postgres_database(&admin).await.expect("database");
    let seed = std::env::temp_dir().join(format!("chathub-scale-out-hub-{}.toml", std::process::id()));
    std::fs::write(&seed, SEED).expect("seed");
    let a = spawn(&database, &seed).await;
    let b = Api::start_with(chathub_server::Config { database, ..chathub_server::Config::in_memory() }, SEED).await;

    let expires = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
    let token = post(&a.base, "/api/operator/get-token", KEY, json!({"id": 1, "expiresAt": expires})).await;
    assert_eq!(token.status(), 200);
    let token = token.text().await.expect("token");
    let mut connection = Ws::ready(&b, Cred::Bearer(&token)).await;

    assert_eq!(post(&a.base, "/api/operator/status", KEY, json!({"id": 1, "status": 2})).await.status(), 200);
    // Server B learns of it through Postgres and closes the connection (D28).
    assert_eq!(connection.record_not_ping().await, json!({"type": 7, "error": "Token revoked"}));
    let _ = std::fs::remove_file(seed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs CHATHUB_TEST_POSTGRES; `cargo xtask test-postgres` runs it"]
async fn hub_events_committed_through_one_server_reach_the_others_clients() {
    use crate::hub::{Cred, Ws};
    use crate::support::Api;

    let admin = std::env::var(TEST_POSTGRES_VARIABLE)
        .unwrap_or_else(|_| panic!("{TEST_POSTGRES_VARIABLE} must name a Postgres server for this test"));
    let database = create_postgres_database(&admin).await.expect("database");
    let seed = std::env::temp_dir().join(format!("chathub-scale-out-events-{}.toml", std::process::id()));
    std::fs::write(&seed, SEED).expect("seed");
    let a = spawn_with(&database, &seed, &["--simulator"]).await;
    let b = Api::start_with(chathub_server::Config { database, ..chathub_server::Config::in_memory() }, SEED).await;
    let mut company = Ws::ready(&b, Cred::Key(KEY)).await;

    // A customer writes through A (spec 7.4); B's company connection sees the chat open (D30).
    let short = json!({"organizationId": 24, "source": 2, "theme": "Parcel #491",
        "client": {"name": "Olena", "phone": "380501234567"}, "textMessage": "Where is my parcel?"});
    let answer = post(&a.base, "/api/simulator/customer-message", KEY, short).await;
    assert_eq!(answer.status(), 200);
    let created: Value = answer.json().await.expect("json");
    let chat = created["chat"]["id"].clone();
    let first = company.record_not_ping().await;
    assert_eq!((first["target"].clone(), first["arguments"][0]["id"].clone()), (json!("ChatCreated"), chat.clone()));
    let second = company.record_not_ping().await;
    assert_eq!(second["target"], "ReceiveMessage");
    assert_eq!(second["arguments"][0]["message"], "Where is my parcel?");

    // A message too large for a NOTIFY payload (4,000 two-byte characters) still arrives.
    let long_text = "Ж".repeat(4_000);
    let long = json!({"organizationId": 24, "source": 2, "theme": "Parcel #491",
        "client": {"name": "Olena", "phone": "380501234567"}, "textMessage": long_text});
    assert_eq!(post(&a.base, "/api/simulator/customer-message", KEY, long).await.status(), 200);
    let third = company.record_not_ping().await;
    assert_eq!(third["target"], "ReceiveMessage");
    assert_eq!(
        (third["arguments"][0]["chatId"].clone(), third["arguments"][0]["message"].clone()),
        (chat, json!(long_text))
    );
    let _ = std::fs::remove_file(seed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs CHATHUB_TEST_POSTGRES; `cargo xtask test-postgres` runs it"]
async fn servers_starting_together_on_an_empty_database_print_one_working_demo_company() {
    use std::io::Read;

    let admin = std::env::var(TEST_POSTGRES_VARIABLE)
        .unwrap_or_else(|_| panic!("{TEST_POSTGRES_VARIABLE} must name a Postgres server for this test"));
    let database = create_postgres_database(&admin).await.expect("database");
    let start = || {
        let port = TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("address").port();
        let child = Command::new(env!("CARGO_BIN_EXE_chathub-server"))
            .args(["--database", &database, "--listen", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn");
        Process { child, base: format!("http://127.0.0.1:{port}") }
    };
    let mut servers = [start(), start()];
    for server in &servers {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !reqwest::get(format!("{}/health", server.base)).await.is_ok_and(|r| r.status().is_success()) {
            assert!(Instant::now() < deadline, "{} did not come up", server.base);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let mut banners = Vec::new();
    for server in &mut servers {
        let _ = server.child.kill();
        let mut out = String::new();
        server.child.stdout.take().expect("stdout").read_to_string(&mut out).expect("read");
        banners.extend(out.lines().filter(|l| l.starts_with("demo company:")).map(str::to_owned));
    }
    assert_eq!(banners.len(), 1, "exactly one server prints the demo company: {banners:?}");
    let password = banners[0].split_whitespace().find_map(|w| w.strip_prefix("password=")).expect("password");
    // Both servers are gone now; a third one on the same database accepts the printed password.
    let seedless = std::env::temp_dir().join(format!("chathub-empty-seed-{}.toml", std::process::id()));
    std::fs::write(&seedless, "").expect("empty seed");
    let third = spawn(&database, &seedless).await;
    let answer = reqwest::Client::new()
        .post(format!("{}/api/company/get-token", third.base))
        .json(&json!({"login": "demo", "password": password}))
        .send()
        .await
        .expect("sign-in");
    assert_eq!(answer.status(), 200, "the printed password works ({bases:?})");
    let _ = std::fs::remove_file(seedless);
}
