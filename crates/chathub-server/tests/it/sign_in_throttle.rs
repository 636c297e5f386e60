//! Decision 2's brute-force protection: after 10 failed sign-ins for one
//! login, or from one client address, within 60 seconds, further attempts
//! get 429 with `Retry-After` and the vendor's members, without the
//! password being checked. Distinct loopback addresses (127.0.0.x) play
//! distinct clients.

use std::net::{IpAddr, Ipv4Addr};

use insta::assert_json_snapshot;
use serde_json::json;

use crate::support::{ACME_LOGIN, ACME_PASSWORD, Answer, Api, GLOBEX_LOGIN, GLOBEX_PASSWORD, Req};

/// A client whose connections come from 127.0.0.`last`.
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .build()
        .expect("client")
}

async fn sign_in(api: &Api, from: u8, login: &str, password: &str) -> Answer {
    let request = client_from(from).post(api.url("/api/company/get-token"));
    Req(request).json(&json!({ "login": login, "password": password })).send().await
}

fn assert_throttled(answer: &Answer) -> serde_json::Value {
    let body = answer.problem(429);
    let retry_after: u64 = answer.header("retry-after").expect("Retry-After").parse().expect("whole seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(body["message"], "Rate limit exceeded. Please wait before sending more requests.");
    body
}

#[tokio::test]
async fn ten_failures_for_a_login_lock_it_even_for_the_right_password() {
    let api = Api::start().await;
    for attempt in 0..10 {
        // Spread over addresses so only the login's count reaches 10.
        sign_in(&api, 10 + attempt, ACME_LOGIN, "wrong").await.unauthorized(false);
    }
    let answer = sign_in(&api, 30, ACME_LOGIN, ACME_PASSWORD).await;
    assert_json_snapshot!("throttled_429", assert_throttled(&answer));
    assert_throttled(&sign_in(&api, 31, ACME_LOGIN, "wrong").await);
    // Another login from a fresh address is not slowed.
    assert_eq!(sign_in(&api, 32, GLOBEX_LOGIN, GLOBEX_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn ten_failures_from_an_address_lock_it_for_every_login() {
    let api = Api::start().await;
    for attempt in 0..10 {
        sign_in(&api, 40, &format!("nobody-{attempt}"), "wrong").await.unauthorized(false);
    }
    assert_throttled(&sign_in(&api, 40, ACME_LOGIN, ACME_PASSWORD).await);
    assert_throttled(&sign_in(&api, 40, "nobody-new", "wrong").await);
    // The same login from another address is fine: only the address is locked.
    assert_eq!(sign_in(&api, 41, ACME_LOGIN, ACME_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_long_login_is_locked_like_a_short_one() {
    let api = Api::start().await;
    let login = "x".repeat(300);
    for attempt in 0..10 {
        sign_in(&api, 50 + attempt, &login, "wrong").await.unauthorized(false);
    }
    assert_throttled(&sign_in(&api, 70, &login, "wrong").await);
}

#[tokio::test]
async fn nine_failures_do_not_lock_and_successes_are_never_counted() {
    let api = Api::start().await;
    for _ in 0..9 {
        sign_in(&api, 80, ACME_LOGIN, "wrong").await.unauthorized(false);
    }
    for _ in 0..12 {
        assert_eq!(sign_in(&api, 80, ACME_LOGIN, ACME_PASSWORD).await.status, 200);
    }
    sign_in(&api, 80, ACME_LOGIN, "wrong").await.unauthorized(false);
    assert_throttled(&sign_in(&api, 80, ACME_LOGIN, ACME_PASSWORD).await);
}
