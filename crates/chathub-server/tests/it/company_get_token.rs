//! `POST /api/company/get-token` (§3.1, Decisions 2 and 12): signing in,
//! the company token's claims, and the 401 that tells nothing.

use std::time::Duration;

use chathub_server::Config;
use chathub_server::testing::DEFAULT_SEED;
use chathub_types::token::TokenKind;
use insta::assert_json_snapshot;
use serde_json::json;

use crate::support::{ACME_LOGIN, ACME_PASSWORD, Api, GLOBEX_LOGIN, GLOBEX_PASSWORD, claims};

#[tokio::test]
async fn the_right_password_gets_a_company_token_with_every_claim() {
    let api = Api::start().await;
    let token = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    let acme = claims(&token);
    assert_eq!(acme.kind, TokenKind::Company);
    assert_eq!(acme.iss, "chathub");
    assert_eq!(acme.exp - acme.iat, 24 * 60 * 60, "default lifetime 24 h");
    assert!(acme.jti.len() >= 16, "{}", acme.jti);
    let globex = claims(&api.company_token(GLOBEX_LOGIN, GLOBEX_PASSWORD).await);
    assert_ne!(acme.sub, globex.sub, "each company its own subject");
    assert_ne!(acme.jti, claims(&api.company_token(ACME_LOGIN, ACME_PASSWORD).await).jti, "jti is unique");
    assert_json_snapshot!("company_token_claims", serde_json::to_value(&acme).unwrap(), {
        ".iat" => "[iat]", ".exp" => "[exp]", ".jti" => "[jti]"
    });
    let organizations = api.get("/api/company/organization").bearer(&token).send().await;
    assert_eq!(organizations.json().as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn the_company_token_lifetime_follows_the_setting() {
    let config = Config { company_token_ttl: Duration::from_secs(90 * 60), ..crate::support::config().await };
    let api = Api::start_with(config, DEFAULT_SEED).await;
    let claims = claims(&api.company_token(ACME_LOGIN, ACME_PASSWORD).await);
    assert_eq!(claims.exp - claims.iat, 5_400);
}

#[tokio::test]
async fn wrong_password_and_unknown_login_get_the_same_401() {
    let api = Api::start().await;
    let wrong_password =
        api.post("/api/company/get-token").json(&json!({ "login": ACME_LOGIN, "password": "nope" })).send().await;
    let unknown_login =
        api.post("/api/company/get-token").json(&json!({ "login": "nobody", "password": ACME_PASSWORD })).send().await;
    let other_company_password = api
        .post("/api/company/get-token")
        .json(&json!({ "login": ACME_LOGIN, "password": GLOBEX_PASSWORD }))
        .send()
        .await;
    let body = wrong_password.unauthorized(false);
    for answer in [&unknown_login, &other_company_password] {
        answer.unauthorized(false);
        assert_eq!(answer.body, wrong_password.body);
        assert_eq!(answer.header("www-authenticate"), wrong_password.header("www-authenticate"));
    }
    assert!(!wrong_password.text().contains("nope") && !unknown_login.text().contains(ACME_PASSWORD));
    assert_json_snapshot!("bad_credentials_401", body);
}

#[tokio::test]
async fn sign_in_bodies_name_the_bad_field() {
    let api = Api::start().await;
    let cases = [
        (json!({ "password": ACME_PASSWORD }), "$.login"),
        (json!({ "login": ACME_LOGIN }), "$.password"),
        (json!({ "login": null, "password": ACME_PASSWORD }), "$.login"),
        (json!({ "login": ACME_LOGIN, "password": null }), "$.password"),
        (json!({ "login": 5, "password": ACME_PASSWORD }), "$.login"),
        (json!({ "login": ACME_LOGIN, "password": ["acme-pass-1"] }), "$.password"),
        (json!({ "login": "ac\u{0}me", "password": ACME_PASSWORD }), "$.login"),
        (json!({ "login": ACME_LOGIN, "password": "a\u{0}" }), "$.password"),
    ];
    for (body, path) in cases {
        let answer = api.post("/api/company/get-token").json(&body).send().await;
        assert_eq!(answer.invalid_paths(), [path], "{body}");
        assert!(!answer.text().contains(ACME_PASSWORD), "a 400 never echoes the password");
    }
    let answer = api.post("/api/company/get-token").json(&json!([ACME_LOGIN, ACME_PASSWORD])).send().await;
    assert_eq!(answer.invalid_paths(), ["$"], "an array of the fields is no object");
}

#[tokio::test]
async fn property_names_match_without_regard_to_case_and_unknown_ones_are_ignored() {
    let api = Api::start().await;
    let body = json!({ "LOGIN": ACME_LOGIN, "Password": ACME_PASSWORD, "rememberMe": true });
    let answer = api.post("/api/company/get-token").header("accept", "text/plain").json(&body).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(claims(answer.text()).kind, TokenKind::Company);
}
