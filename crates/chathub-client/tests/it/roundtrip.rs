//! Round trips against the real chathub-server, started in-process on a
//! free port with an in-memory database and its default seed.

use std::time::Duration;

use chathub_client::types::operator::synchronize_operators::NewOperator;
use chathub_client::types::time::truncate_to_seconds;
use chathub_client::{Client, Error, OperatorId, OperatorStatus, OperatorToken, OrganizationId};
use chathub_server::testing::TestServer;
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const ACME_PASSWORD: &str = "acme-pass-1";
const ACME_API_KEY: &str = "acme-static-api-key-0001";
const CUSTOMER_SUPPORT: OrganizationId = OrganizationId(24);
const TECHNICAL_SUPPORT: OrganizationId = OrganizationId(42);
const GLOBEX_SALES: OrganizationId = OrganizationId(77);

async fn server() -> TestServer {
    TestServer::start().await.expect("the test server starts")
}

fn acme(server: &TestServer) -> Client {
    Client::builder().base_url(server.base_url()).credentials("acme", ACME_PASSWORD).build().expect("client")
}

async fn operator_named(client: &Client, organization: OrganizationId, name: &str) -> OperatorId {
    let operators = client.operators().list(organization).await.expect("operators");
    operators.iter().find(|o| o.name == name).unwrap_or_else(|| panic!("{name} in {operators:?}")).id
}

#[tokio::test]
async fn sign_in_and_organizations_with_a_password_and_with_the_api_key() {
    let server = server().await;
    let by_password = acme(&server);
    let token = by_password.company().sign_in().await.expect("signed in");
    assert!(token.expires_at().is_some_and(|exp| exp > Utc::now()), "a company JWT with exp");
    let by_key = Client::builder().base_url(server.base_url()).api_key(ACME_API_KEY).build().expect("client");
    for client in [&by_password, &by_key] {
        let organizations = client.organizations().await.expect("organizations");
        let pairs: Vec<(i32, &str)> = organizations.iter().map(|o| (o.id.get(), o.name.as_str())).collect();
        assert_eq!(pairs, [(24, "Customer Support"), (42, "Technical Support")]);
    }
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized_with_the_servers_message() {
    let server = server().await;
    let client = Client::builder()
        .base_url(server.base_url())
        .credentials("acme", "not-the-password-417")
        .build()
        .expect("client");
    let error = client.organizations().await.expect_err("refused");
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    assert!(error.server_message().is_some(), "a problem body: {error:?}");
    assert!(!format!("{error} {error:?}").contains("not-the-password-417"), "{error:?}");
}

#[tokio::test]
async fn operators_are_listed_sorted_and_never_another_companys() {
    let server = server().await;
    let client = acme(&server);
    let operators = client.operators().list(CUSTOMER_SUPPORT).await.expect("operators");
    let rows: Vec<(&str, OperatorStatus, i32)> =
        operators.iter().map(|o| (o.name.as_str(), o.status, o.organization.id.get())).collect();
    assert_eq!(rows, [("John Smith", OperatorStatus::Active, 24), ("Mike Wilson", OperatorStatus::Inactive, 24)]);
    assert!(operators.windows(2).all(|pair| pair[0].id < pair[1].id));
    assert!(client.operators().list(GLOBEX_SALES).await.expect("empty, not an error").is_empty());
}

#[tokio::test]
async fn synchronize_then_status_then_list() {
    let server = server().await;
    let client = acme(&server);
    let added = client.operators().add(TECHNICAL_SUPPORT, ["  Alex Brown ", "Emma Davis"]).await.expect("added");
    let names: Vec<&str> = added.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["Alex Brown", "Emma Davis"], "stored trimmed, in order, duplicates allowed");
    assert!(added.iter().all(|o| o.status == OperatorStatus::Active));
    client.operators().set_status(added[0].id, OperatorStatus::Deleted).await.expect("status");
    let listed = client.operators().list(TECHNICAL_SUPPORT).await.expect("operators");
    let alex = listed.iter().find(|o| o.id == added[0].id).expect("still listed");
    assert_eq!(alex.status, OperatorStatus::Deleted);
    assert_eq!(alex.organization.name, "Technical Support");

    let error = client.operators().add(GLOBEX_SALES, ["Intruder"]).await.expect_err("not ours");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}");
    let error = client.operators().set_status(999_999, OperatorStatus::Active).await.expect_err("unknown");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn operator_tokens_issue_validate_and_revoke() {
    let server = server().await;
    let client = acme(&server);
    let john = operator_named(&client, CUSTOMER_SUPPORT, "John Smith").await;
    let issued = client.operators().issue_token(john, Duration::from_secs(3600)).await.expect("issued");
    assert_eq!(issued.token.expires_at(), Some(issued.expires_at));
    let answer = client.operators().validate_token(&issued.token).await.expect("validated");
    assert!(answer.is_valid, "{answer:?}");
    assert_eq!(answer.operator_id, Some(john));
    assert_eq!(answer.client_id, Some(0));
    assert_eq!(answer.expires_at, Some(issued.expires_at));
    assert_eq!(answer.error, None);

    // The operator token as the credential: its own organization only (Decision 7).
    let as_operator =
        Client::builder().base_url(server.base_url()).token(issued.token.expose()).build().expect("client");
    let own = as_operator.operators().list_own().await.expect("own organization");
    assert!(own.iter().any(|o| o.id == john));
    assert!(matches!(as_operator.organizations().await, Err(Error::Forbidden { .. })));

    client.operators().set_status(john, OperatorStatus::Inactive).await.expect("deactivated");
    let answer = client.operators().validate_token(&issued.token).await.expect("validated");
    assert!(!answer.is_valid);
    assert_eq!(answer.error.as_deref(), Some("Operator is not active"));
    let error = as_operator.operators().list_own().await.expect_err("revoked");
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");

    let garbage = client.operators().validate_token(&OperatorToken::new("not.a.token")).await.expect("answered");
    assert_eq!((garbage.is_valid, garbage.error.as_deref()), (false, Some("Invalid token")));
}

#[tokio::test]
async fn another_companys_operator_gets_no_token() {
    let server = server().await;
    let globex = Client::builder().base_url(server.base_url()).credentials("globex", "globex-pass-1").build();
    let globex = globex.expect("client");
    let hank = operator_named(&globex, GLOBEX_SALES, "Hank Scorpio").await;
    let error = acme(&server).operators().issue_token(hank, Duration::from_secs(60)).await.expect_err("not ours");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn the_issued_token_works_with_the_local_widget_script() {
    let server = server().await;
    let client = acme(&server);
    let john = operator_named(&client, CUSTOMER_SUPPORT, "John Smith").await;
    let issued = client.operators().issue_token(john, Duration::from_secs(600)).await.expect("issued");
    let src = format!("{}/operator-chat-panel/widget-script.js", server.base_url());
    let tag = chathub_client::widget::script_tag_with_src(&issued.token, &src);
    assert!(tag.contains(&format!("token=\"{}\"", issued.token.expose())), "{tag}");
}

/// A name of 1-100 characters of any Unicode (emoji weighted in), without
/// U+0000 and not blank.
fn any_name() -> impl Strategy<Value = String> {
    let character = prop_oneof![
        3 => any::<char>(),
        1 => proptest::char::range('\u{1F300}', '\u{1FAFF}'),
        1 => proptest::char::range('a', 'z'),
    ];
    proptest::collection::vec(character, 1..=100)
        .prop_map(|chars| chars.into_iter().filter(|c| *c != '\0').collect::<String>())
        .prop_filter("not blank", |name| !name.trim().is_empty())
}

#[test]
fn names_in_any_unicode_round_trip() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(server());
    let client = acme(&server);
    let mut runner = TestRunner::new(Config { cases: 16, failure_persistence: None, ..Config::default() });
    let strategy = proptest::collection::vec(any_name(), 1..=4);
    let result = runner.run(&strategy, |names| {
        runtime.block_on(async {
            let request: Vec<NewOperator> =
                names.iter().map(|name| NewOperator::new(CUSTOMER_SUPPORT, name.as_str())).collect();
            let added = client.operators().synchronize(request.clone()).await.map_err(fail)?;
            prop_assert_eq!(added.len(), request.len());
            let listed = client.operators().list(CUSTOMER_SUPPORT).await.map_err(fail)?;
            for (sent, created) in request.iter().zip(&added) {
                prop_assert_eq!(created.name.as_str(), sent.trimmed_name());
                let found = listed.iter().find(|o| o.id == created.id);
                prop_assert_eq!(found.map(|o| o.name.as_str()), Some(sent.trimmed_name()));
            }
            Ok(())
        })
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// An instant 2 minutes to 23 hours ahead with 0-7 fractional digits.
fn any_expiry(now: DateTime<Utc>) -> impl Strategy<Value = DateTime<Utc>> {
    (120i64..23 * 3600, 0u32..=7, 0u32..10_000_000).prop_map(move |(seconds, digits, fraction)| {
        // Keep `digits` digits of a 7-digit fraction (100 ns units, as .NET writes).
        let kept = fraction / 10u32.pow(7 - digits) * 10u32.pow(7 - digits);
        truncate_to_seconds(now) + TimeDelta::seconds(seconds) + TimeDelta::nanoseconds(i64::from(kept) * 100)
    })
}

#[test]
fn expiries_with_0_to_7_fractional_digits_read_back_cut_to_seconds() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(server());
    let client = acme(&server);
    let john = runtime.block_on(operator_named(&client, CUSTOMER_SUPPORT, "John Smith"));
    let mut runner = TestRunner::new(Config { cases: 16, failure_persistence: None, ..Config::default() });
    let result = runner.run(&any_expiry(Utc::now()), |expires_at| {
        runtime.block_on(async {
            let issued = client.operators().issue_token_until(john, expires_at).await.map_err(fail)?;
            let expected = truncate_to_seconds(expires_at);
            prop_assert_eq!(issued.expires_at, expected);
            prop_assert_eq!(issued.token.expires_at(), Some(expected));
            let answer = client.operators().validate_token(&issued.token).await.map_err(fail)?;
            prop_assert!(answer.is_valid);
            prop_assert_eq!(answer.expires_at, Some(expected));
            Ok(())
        })
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

fn fail(error: Error) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}

/// A server with the default seed and `adjust` applied to its configuration.
async fn server_with(adjust: impl FnOnce(&mut chathub_server::Config)) -> TestServer {
    let mut config = chathub_server::Config::in_memory();
    adjust(&mut config);
    TestServer::start_seeded(chathub_server::testing::DEFAULT_SEED, config).await.expect("the test server starts")
}

#[tokio::test]
async fn every_token_format_of_the_server_is_read() {
    use chathub_server::config::TokenFormatSetting;
    for format in [TokenFormatSetting::Json, TokenFormatSetting::Text, TokenFormatSetting::Object] {
        let server = server_with(|config| config.token_format = format).await;
        let client = acme(&server);
        let token = client.company().sign_in().await.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert!(token.expires_at().is_some(), "{format:?}");
        let john = operator_named(&client, CUSTOMER_SUPPORT, "John Smith").await;
        let issued = client.operators().issue_token(john, Duration::from_secs(600)).await.expect("issued");
        assert!(client.operators().validate_token(&issued.token).await.expect("validated").is_valid, "{format:?}");
    }
}

#[tokio::test]
async fn the_servers_rate_limit_is_waited_out() {
    let logs = crate::support::Logs::capture();
    let server = server_with(|config| config.rate_limit = chathub_server::config::RateLimitSetting(Some(1))).await;
    let client = Client::builder().base_url(server.base_url()).api_key(ACME_API_KEY).build().expect("client");
    // One request a second with bursts of 1.5: back-to-back requests meet 429 and wait `Retry-After`.
    for _ in 0..3 {
        assert_eq!(client.organizations().await.expect("waited, then served").len(), 2);
    }
    let retries = logs.lines_with("chathub: retrying");
    assert!(!retries.is_empty(), "a 429 was met");
    assert!(retries.iter().all(|line| line.contains("429 Too Many Requests")), "{retries:?}");
}
