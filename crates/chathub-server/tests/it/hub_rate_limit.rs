//! `--rate-limit N` counts hub invocations (Decision 29): a credential's
//! invocations draw from the bucket its requests draw from (bursts up to
//! 1.5 N), and the ones over it complete with `HubException: Too Many
//! Requests`.

use chathub_server::Config;
use chathub_server::config::RateLimitSetting;
use chathub_server::testing::DEFAULT_SEED;
use serde_json::json;

use crate::chat_support::olena_writes;
use crate::hub::{Cred, Ws};
use crate::support::{ACME_KEY, ACME_LOGIN, ACME_PASSWORD, Api, config};

const TOO_MANY: &str =
    "An unexpected error occurred invoking 'SendMessage' on the server. HubException: Too Many Requests";

#[tokio::test]
async fn invocations_over_the_rate_complete_with_too_many_requests() {
    let config = Config { simulator: true, rate_limit: RateLimitSetting(Some(2)), ..config().await };
    let api = Api::start_with(config, DEFAULT_SEED).await;
    // The simulator's request uses the API key, the sign-in and the hub's
    // negotiate and upgrade (access_token in the query) count for the
    // address: the token's bucket is full when the invocations start.
    let (chat, _) = olena_writes(&api, "Hi").await;
    let token = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    let mut ws = Ws::ready(&api, Cred::Query(&token)).await;
    let mut passed = 0;
    let mut refused = 0;
    // A burst far faster than 2 a second: the bucket holds 3.
    for n in 0..8 {
        let completion = ws.invoke(&n.to_string(), "SendMessage", json!([chat, format!("reply {n}")])).await;
        match (completion.get("result"), completion.get("error")) {
            (Some(message), None) => {
                assert_eq!(message["message"], format!("reply {n}"), "{completion}");
                passed += 1;
            }
            (None, Some(error)) => {
                assert_eq!(error, TOO_MANY, "{completion}");
                refused += 1;
            }
            _ => panic!("a completion with a result or an error: {completion}"),
        }
    }
    assert_eq!((passed, refused), (3, 5));
    // The same token's requests share the bucket; the API key has its own.
    let answer = api.get("/api/company/organization").bearer(&token).send().await;
    assert_eq!(answer.status, 429, "{}", answer.text());
    let answer = api.get("/api/company/organization").key(ACME_KEY).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
}
