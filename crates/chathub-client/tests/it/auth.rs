//! Company credentials: sign-in, caching, renewal before `exp` and after 401.

use chathub_client::{Client, Error};
use futures::future::join_all;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const ORGS: &str = r#"[{"id": 24, "name": "Customer Support"}]"#;

fn orgs() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(ORGS, "application/json")
}

/// Sign-in answers `first` once, then `second` from then on.
async fn mount_two_sign_ins(server: &MockServer, first: &str, second: &str) {
    Mock::given(method("POST"))
        .and(path(SIGN_IN))
        .respond_with(json_string(first))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(SIGN_IN))
        .respond_with(json_string(second))
        .with_priority(2)
        .mount(server)
        .await;
}

async fn mount_orgs_for(server: &MockServer, token: &str, answer: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(answer)
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_company_token_is_fetched_once_and_reused() {
    let server = MockServer::start().await;
    let token = company_jwt("a", 3600);
    mount_sign_in(&server, &token, 1).await;
    mount_orgs_for(&server, &token, orgs()).await;
    let client = password_client(&server);
    client.organizations().await.expect("first");
    client.clone().organizations().await.expect("second, from a clone");
    client.operators().list(24).await.expect_err("no mock for operators: 404");
    assert_eq!(hits(&server, SIGN_IN).await, 1);
}

#[tokio::test]
async fn the_sign_in_sends_login_and_password_as_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SIGN_IN))
        .and(header("content-type", "application/json"))
        .and(wiremock::matchers::body_json(serde_json::json!({"login": LOGIN, "password": PASSWORD})))
        .respond_with(json_string(&company_jwt("a", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    let token = password_client(&server).company().sign_in().await.expect("signed in");
    assert_eq!(token.expires_at().map(|exp| exp > chrono::Utc::now()), Some(true));
}

#[tokio::test]
async fn a_401_signs_in_again_once_and_repeats_the_request_once() {
    let server = MockServer::start().await;
    let (old, new) = (company_jwt("old", 3600), company_jwt("new", 3600));
    mount_two_sign_ins(&server, &old, &new).await;
    mount_orgs_for(&server, &old, ResponseTemplate::new(401)).await;
    mount_orgs_for(&server, &new, orgs()).await;
    let organizations = password_client(&server).organizations().await.expect("after re-login");
    assert_eq!(organizations[0].id.get(), 24);
    assert_eq!(hits(&server, SIGN_IN).await, 2, "exactly one extra sign-in");
    assert_eq!(hits(&server, ORGANIZATIONS).await, 2, "the request is repeated once");
}

#[tokio::test]
async fn a_second_401_is_returned_without_signing_in_again() {
    let server = MockServer::start().await;
    let (old, new) = (company_jwt("old", 3600), company_jwt("new", 3600));
    mount_two_sign_ins(&server, &old, &new).await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .respond_with(problem(401, "Unauthorized", "The token expired."))
        .mount(&server)
        .await;
    let error = password_client(&server).organizations().await.expect_err("still refused");
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    assert_eq!(error.to_string(), "401 Unauthorized: The token expired.");
    assert_eq!(hits(&server, SIGN_IN).await, 2);
    assert_eq!(hits(&server, ORGANIZATIONS).await, 2);
}

#[tokio::test]
async fn concurrent_401s_share_one_sign_in() {
    let server = MockServer::start().await;
    let (old, new) = (company_jwt("old", 3600), company_jwt("new", 3600));
    mount_two_sign_ins(&server, &old, &new).await;
    mount_orgs_for(&server, &old, ResponseTemplate::new(401)).await;
    mount_orgs_for(&server, &new, orgs()).await;
    let client = password_client(&server);
    client.company().sign_in().await.expect("the old token is cached");
    // Every request is sent with the old token before any answer is read.
    let results = join_all((0..8).map(|_| client.organizations())).await;
    for result in results {
        assert_eq!(result.expect("each succeeds after the shared re-login")[0].id.get(), 24);
    }
    assert_eq!(hits(&server, SIGN_IN).await, 2, "one sign-in for the cache, one shared renewal");
    assert_eq!(hits(&server, ORGANIZATIONS).await, 16);
}

#[tokio::test]
async fn concurrent_first_requests_share_one_sign_in() {
    let server = MockServer::start().await;
    let token = company_jwt("a", 3600);
    mount_sign_in(&server, &token, 1).await;
    mount_orgs_for(&server, &token, orgs()).await;
    let client = password_client(&server);
    for result in join_all((0..8).map(|_| client.organizations())).await {
        result.expect("organizations");
    }
}

#[tokio::test]
async fn a_failed_sign_in_is_shared_by_everyone_waiting_for_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SIGN_IN))
        .respond_with(problem(401, "Unauthorized", "Wrong login or password."))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path(ORGANIZATIONS)).respond_with(orgs()).expect(0).mount(&server).await;
    let client = password_client(&server);
    for result in join_all((0..8).map(|_| client.organizations())).await {
        let error = result.expect_err("bad credentials");
        assert_eq!(error.to_string(), "401 Unauthorized: Wrong login or password.");
    }
    assert_eq!(hits(&server, SIGN_IN).await, 1, "one sign-in for all eight");
    // A later call tries again.
    client.organizations().await.expect_err("still bad");
    assert_eq!(hits(&server, SIGN_IN).await, 2);
}

#[tokio::test]
async fn a_token_about_to_expire_is_renewed_before_use() {
    let server = MockServer::start().await;
    // An hour-long token with 10 s left is inside the 30 s margin: every request needs a fresh one.
    let ending = company_jwt_issued("ending", -3590, 10);
    mount_sign_in(&server, &ending, 2).await;
    mount_orgs_for(&server, &ending, orgs()).await;
    let client = password_client(&server);
    client.organizations().await.expect("first");
    client.organizations().await.expect("second");
}

#[tokio::test]
async fn a_short_lived_token_is_used_for_the_first_half_of_its_life() {
    let server = MockServer::start().await;
    // Issued now for 20 s: renewed 10 s before its end, so reused at once.
    let short = company_jwt("short", 20);
    mount_sign_in(&server, &short, 1).await;
    mount_orgs_for(&server, &short, orgs()).await;
    let client = password_client(&server);
    client.organizations().await.expect("first");
    client.organizations().await.expect("second");
}

#[tokio::test]
async fn a_token_without_exp_is_used_until_a_401() {
    let server = MockServer::start().await;
    mount_sign_in(&server, "opaque-company-token", 1).await;
    mount_orgs_for(&server, "opaque-company-token", orgs()).await;
    let client = password_client(&server);
    client.organizations().await.expect("first");
    client.organizations().await.expect("second");
}

#[tokio::test]
async fn the_api_key_travels_in_x_authorization_key_and_is_never_renewed() {
    let server = MockServer::start().await;
    mount_sign_in(&server, "unused", 0).await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .and(header("x-authorization-key", API_KEY))
        .respond_with(orgs())
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path(ORGANIZATIONS)).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let client = api_key_client(&server);
    client.organizations().await.expect("accepted");
    let error = client.organizations().await.expect_err("refused");
    assert!(matches!(error, Error::Unauthorized { .. }));
    assert_eq!(error.to_string(), "401 Unauthorized: the server sent no explanation");
    assert_eq!(hits(&server, ORGANIZATIONS).await, 2, "a 401 for an API key is not repeated");
}

#[tokio::test]
async fn a_ready_token_is_sent_as_bearer_and_a_401_ends_there() {
    let server = MockServer::start().await;
    mount_sign_in(&server, "unused", 0).await;
    Mock::given(method("GET"))
        .and(path(ORGANIZATIONS))
        .and(header("authorization", "Bearer ready.made.token"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).token("ready.made.token").build().expect("client");
    assert!(matches!(client.organizations().await, Err(Error::Unauthorized { .. })));
    let error = client.company().sign_in().await.expect_err("no password to sign in with");
    assert!(matches!(error, Error::InvalidConfig(_)), "{error:?}");
}

#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let logs = Logs::capture();
    let server = MockServer::start().await;
    let (old, new) = (company_jwt("old", 3600), company_jwt("new", 3600));
    mount_two_sign_ins(&server, &old, &new).await;
    mount_orgs_for(&server, &old, ResponseTemplate::new(401)).await;
    mount_orgs_for(&server, &new, orgs()).await;
    Mock::given(method("POST"))
        .and(path(OPERATOR_TOKEN))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let operator_token = operator_jwt(101, chrono::Utc::now().timestamp() + 600);
    Mock::given(method("POST"))
        .and(path(OPERATOR_TOKEN))
        .respond_with(json_string(&operator_token))
        .mount(&server)
        .await;
    let client = password_client(&server);
    client.organizations().await.expect("organizations");
    let issued = client.operators().issue_token(101, std::time::Duration::from_secs(600)).await.expect("token");
    let debug = format!("{client:?} {issued:?}");
    let text = logs.text();
    assert!(text.contains("chathub request"), "requests are logged: {text}");
    assert!(text.contains("attempt=2"), "the retry is logged: {text}");
    assert!(text.contains(r#"path="/api/company/organization""#), "{text}");
    assert!(text.contains("status=401"), "{text}");
    assert!(text.contains("latency_ms="), "{text}");
    for secret in [PASSWORD, old.as_str(), new.as_str(), operator_token.as_str()] {
        assert!(!text.contains(secret), "a secret in the logs: {text}");
        assert!(!debug.contains(secret), "a secret in Debug: {debug}");
    }
}

#[tokio::test]
async fn debug_output_holds_no_secret() {
    let server = MockServer::start().await;
    for client in [
        builder(&server).credentials(LOGIN, PASSWORD).build().expect("password"),
        builder(&server).api_key(API_KEY).build().expect("api key"),
        builder(&server).token("ready.made.token").build().expect("token"),
    ] {
        let debug = format!("{client:?} {:?}", client.operators());
        for secret in [PASSWORD, API_KEY, "ready.made.token"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains(&server.uri()), "{debug}");
    }
    let builder_debug = format!("{:?}", Client::builder().credentials(LOGIN, PASSWORD).api_key(API_KEY));
    assert!(!builder_debug.contains(API_KEY) && !builder_debug.contains(PASSWORD), "{builder_debug}");
}
