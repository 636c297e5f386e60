//! Durability (spec §6): the real binary, on a SQLite file, is killed with
//! SIGKILL right after its last acknowledged write; restarted on the same
//! file it still has every acknowledged write, and every token it issued is
//! still valid (or still revoked).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use chathub_server::testing::DEFAULT_SEED;
use chathub_types::time::format_instant;
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::{ACME_KEY, ACME_LOGIN, ACME_PASSWORD, Answer, JOHN, ORG_SUPPORT, ORG_TECH, Req, client};

/// The binary cargo built for this test run.
const BINARY: &str = env!("CARGO_BIN_EXE_chathub-server");

/// A running `chathub-server` process and its base URL.
struct Process {
    child: Child,
    base_url: String,
    http: reqwest::Client,
}

impl Process {
    /// Starts the binary on `database` with `seed`, on a free port, and waits
    /// until `/health` answers.
    async fn start(database: &Path, seed: &Path) -> Self {
        let mut child = Command::new(BINARY)
            .args(["--listen", "127.0.0.1:0", "--log-format", "json", "--seed"])
            .arg(seed)
            .arg("--database")
            .arg(format!("sqlite:{}", database.display()))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        // The bound address is in the `listening` log line; keep draining
        // stderr afterwards so the process never blocks on a full pipe.
        let stderr = child.stderr.take().expect("stderr");
        let (found, address) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut found = Some(found);
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let address = serde_json::from_str::<Value>(&line)
                    .ok()
                    .and_then(|entry| entry["fields"]["address"].as_str().map(str::to_owned));
                if let (Some(address), Some(sender)) = (address, found.take()) {
                    let _ = sender.send(address);
                }
            }
        });
        let address = tokio::time::timeout(Duration::from_secs(60), address)
            .await
            .expect("the server logs its address within a minute")
            .expect("the server logs its address before exiting");
        let process = Self { child, base_url: format!("http://{address}"), http: client() };
        // Readiness: a bounded poll of /health.
        for _ in 0..200 {
            if let Ok(response) = process.http.get(format!("{}/health", process.base_url)).send().await
                && response.status() == 200
            {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server never became healthy");
    }

    fn post(&self, path: &str) -> Req {
        Req(self.http.post(format!("{}{path}", self.base_url)))
    }

    fn get(&self, path: &str) -> Req {
        Req(self.http.get(format!("{}{path}", self.base_url)))
    }

    async fn operators(&self, organization: i32) -> Value {
        let answer = self.get(&format!("/api/operator?organizationId={organization}")).key(ACME_KEY).send().await;
        assert_eq!(answer.status, 200);
        answer.json()
    }

    async fn validate(&self, token: &str) -> Value {
        let answer =
            self.post("/api/operator/validate-token").key(ACME_KEY).json(&json!({ "token": token })).send().await;
        answer.json()
    }

    /// SIGKILL, and wait for the process to be gone.
    async fn kill(mut self) {
        self.child.start_kill().expect("SIGKILL");
        let status = self.child.wait().await.expect("wait");
        assert!(!status.success(), "killed, not exited: {status:?}");
    }
}

fn ok(answer: &Answer) -> Value {
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    if answer.body.is_empty() { Value::Null } else { serde_json::from_slice(&answer.body).expect("JSON") }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_and_issued_tokens_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("chathub.db");
    let seed = dir.path().join("seed.toml");
    std::fs::write(&seed, DEFAULT_SEED).expect("seed");

    let first = Process::start(&database, &seed).await;
    let body = json!([
        { "organizationId": ORG_SUPPORT, "name": "Ann" },
        { "organizationId": ORG_SUPPORT, "name": "Ben" },
        { "organizationId": ORG_TECH, "name": "Cid" },
    ]);
    let created = ok(&first.post("/api/operator/synchronize").key(ACME_KEY).json(&body).send().await);
    let [ann, ben, cid] = [0, 1, 2].map(|i| created[i]["id"].as_i64().expect("id"));
    let expires_at = Utc::now() + TimeDelta::hours(2);
    let get_token = |id: i64| json!({ "id": id, "expiresAt": format_instant(expires_at) });
    let request = first.post("/api/operator/get-token").key(ACME_KEY).header("accept", "application/json");
    let ann_token = ok(&request.json(&get_token(ann)).send().await).as_str().expect("token").to_owned();
    let request = first.post("/api/operator/get-token").key(ACME_KEY).header("accept", "application/json");
    let ben_token = ok(&request.json(&get_token(ben)).send().await).as_str().expect("token").to_owned();
    let request = first.post("/api/company/get-token").header("accept", "text/plain");
    let company = request.json(&json!({ "login": ACME_LOGIN, "password": ACME_PASSWORD })).send().await;
    assert_eq!(company.status, 200);
    let company_token = company.text().to_owned();
    ok(&first.post("/api/operator/status").key(ACME_KEY).json(&json!({ "id": ben, "status": 1 })).send().await);
    ok(&first.post("/api/operator/status").key(ACME_KEY).json(&json!({ "id": JOHN, "status": 2 })).send().await);
    // A burst of concurrent writes, each acknowledged, the last right before the kill.
    let mut burst = tokio::task::JoinSet::new();
    for n in 0..20 {
        let request = first.post("/api/operator/synchronize").key(ACME_KEY);
        burst.spawn(async move {
            let body = json!([{ "organizationId": ORG_TECH, "name": format!("Burst {n}") }]);
            ok(&request.json(&body).send().await)[0]["id"].as_i64().expect("id")
        });
    }
    let mut burst_ids: Vec<i64> = burst.join_all().await;
    burst_ids.sort_unstable();
    ok(&first.post("/api/operator/status").key(ACME_KEY).json(&json!({ "id": cid, "status": 2 })).send().await);
    let support_before = first.operators(ORG_SUPPORT).await;
    let tech_before = first.operators(ORG_TECH).await;
    first.kill().await;

    let second = Process::start(&database, &seed).await;
    assert_eq!(second.operators(ORG_SUPPORT).await, support_before, "the same seed again adds nothing");
    let tech = second.operators(ORG_TECH).await;
    assert_eq!(tech, tech_before);
    let tech_ids: Vec<i64> = tech.as_array().expect("list").iter().map(|o| o["id"].as_i64().expect("id")).collect();
    assert!(burst_ids.iter().all(|id| tech_ids.contains(id)), "every burst write is there");
    let status_of = |list: &Value, id: i64| {
        list.as_array().and_then(|l| l.iter().find(|o| o["id"] == id)).map(|o| o["status"].clone())
    };
    assert_eq!(status_of(&support_before, ben), Some(json!(1)));
    assert_eq!(status_of(&support_before, i64::from(JOHN)), Some(json!(2)));
    assert_eq!(status_of(&tech, cid), Some(json!(2)));

    let validated = second.validate(&ann_token).await;
    assert_eq!(validated["isValid"], true, "{validated}");
    assert_eq!(validated["operatorId"], ann);
    assert_eq!(validated["expiresAt"], format_instant(chathub_types::time::truncate_to_seconds(expires_at)));
    assert_eq!(second.get("/api/operator").bearer(&ann_token).send().await.status, 200);
    assert_eq!(second.get("/api/company/organization").bearer(&company_token).send().await.status, 200);
    // The revocation survived too.
    assert_eq!(second.validate(&ben_token).await["error"], "Operator is not active");
    ok(&second.post("/api/operator/status").key(ACME_KEY).json(&json!({ "id": ben, "status": 0 })).send().await);
    assert_eq!(second.validate(&ben_token).await["error"], "Token revoked");
    second.kill().await;
}
