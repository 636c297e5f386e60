//! Concurrent writers (issue 5): 8 clients each sending 100 synchronize
//! requests at once get 800 distinct ids, none lost, no 5xx (no "database
//! is locked" reaches a client), on the default database and on a file.

use std::collections::BTreeSet;

use chathub_server::testing::DEFAULT_SEED;
use serde_json::json;
use tokio::task::JoinSet;

use crate::support::{ACME_KEY, Api, ORG_SUPPORT, ORG_TECH, Req, client, config};

const CLIENTS: usize = 8;
const REQUESTS: usize = 100;

/// Every client sends all its requests at once; answers (name, id) pairs.
async fn hammer(api: &Api) -> Vec<(String, i64)> {
    let url = api.url("/api/operator/synchronize");
    let mut clients = JoinSet::new();
    for client_number in 0..CLIENTS {
        let url = url.clone();
        clients.spawn(async move {
            let http = client();
            let mut requests = JoinSet::new();
            for request_number in 0..REQUESTS {
                let organization = if request_number % 2 == 0 { ORG_SUPPORT } else { ORG_TECH };
                let name = format!("client {client_number} request {request_number}");
                let request =
                    Req(http.post(&url)).key(ACME_KEY).json(&json!([{ "organizationId": organization, "name": name }]));
                requests.spawn(async move {
                    let answer = request.send().await;
                    assert_eq!(answer.status, 200, "{name}: {}", String::from_utf8_lossy(&answer.body));
                    let created = answer.json();
                    assert_eq!(created[0]["name"], name.as_str());
                    (name, created[0]["id"].as_i64().expect("id"))
                });
            }
            requests.join_all().await
        });
    }
    clients.join_all().await.into_iter().flatten().collect()
}

async fn check(api: &Api) {
    let created = hammer(api).await;
    assert_eq!(created.len(), CLIENTS * REQUESTS);
    let ids: BTreeSet<i64> = created.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids.len(), CLIENTS * REQUESTS, "800 distinct ids");
    let mut listed = Vec::new();
    for organization in [ORG_SUPPORT, ORG_TECH] {
        let list = api.operators(ACME_KEY, organization).await;
        listed.extend(
            list.as_array().expect("list").iter().map(|o| (o["name"].as_str().map(str::to_owned), o["id"].as_i64())),
        );
    }
    for (name, id) in &created {
        assert!(listed.contains(&(Some(name.clone()), Some(*id))), "{name} ({id}) is listed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_clients_with_100_requests_each_on_the_default_database() {
    check(&Api::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_clients_with_100_requests_each_on_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite:{}", dir.path().join("chathub.db").display());
    let api = Api::start_with(chathub_server::Config { database, ..config().await }, DEFAULT_SEED).await;
    check(&api).await;
}
