//! `--rate-limit N` (spec §6, §4.15): per credential, bursts up to 1.5 N,
//! then 429 with `Retry-After` and the vendor's rate-limit members.

use chathub_server::Config;
use chathub_server::config::RateLimitSetting;
use chathub_server::testing::{DEFAULT_SEED, TestServer};

#[tokio::test]
async fn a_credential_over_its_rate_gets_429_and_others_do_not() {
    let config = Config { rate_limit: RateLimitSetting(Some(2)), ..Config::in_memory() };
    let server = TestServer::start_seeded(DEFAULT_SEED, config).await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/api/company/organization", server.base_url());
    let mut statuses = Vec::new();
    // A burst far faster than 2 a second: the bucket holds 3.
    for _ in 0..8 {
        let answer = client.get(&url).header("X-Authorization-Key", "acme-static-api-key-0001").send().await.unwrap();
        statuses.push(answer.status().as_u16());
        if answer.status() == 429 {
            assert!(answer.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
            let body: serde_json::Value = answer.json().await.unwrap();
            assert_eq!(body["error"], "Too Many Requests");
            assert_eq!(body["status"], 429);
            assert_eq!(body["message"], "Rate limit exceeded. Please wait before sending more requests.");
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    // Another company's credential has its own bucket.
    let other = client.get(&url).header("X-Authorization-Key", "globex-static-api-key-0001").send().await.unwrap();
    assert_eq!(other.status(), 200);
}
