//! What needs no browser: the script's headers, the CORS answers, the demo
//! routes and the flags.

use axum::http::{StatusCode, header};
use chathub_server::Config;
use chathub_server::cors::AllowedOrigin;
use chathub_types::token::{TokenClaims, TokenKind, peek_claims};
use clap::Parser as _;
use serde_json::{Value, json};

use crate::support::{ACME, SCRIPT_PATH, Server};

#[tokio::test]
async fn the_script_is_a_cacheable_public_module() {
    let server = Server::start(&[], false).await;
    let response = server.http().get(server.script_url()).send().await.expect("GET the script");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=300, must-revalidate");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "module scripts are fetched with CORS");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let etag = headers[header::ETAG].to_str().expect("an ASCII ETag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10, "{etag}");
    let body = response.text().await.expect("the script");
    assert_eq!(body, include_str!("../../assets/widget-script.js"));
    assert!(body.contains("import.meta.url") && body.contains("MutationObserver"));

    let again = server
        .http()
        .get(server.script_url())
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("revalidate the script");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::ETAG], etag.as_str());
    assert!(again.bytes().await.expect("no body").is_empty());

    let stale = server
        .http()
        .get(server.script_url())
        .header(header::IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .expect("revalidate with an old ETag");
    assert_eq!(stale.status(), StatusCode::OK);

    let head = server.http().head(server.script_url()).send().await.expect("HEAD the script");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
}

/// A preflight for `GET /api/operator` with both credential headers, from `origin`.
async fn preflight(server: &Server, path: &str, origin: &str) -> reqwest::Response {
    server
        .http()
        .request(reqwest::Method::OPTIONS, format!("{}{path}", server.url()))
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,x-authorization-key")
        .send()
        .await
        .expect("send a preflight")
}

#[tokio::test]
async fn no_cross_origin_access_by_default() {
    let server = Server::start(&[], false).await;
    let answer = preflight(&server, "/api/operator", "http://localhost:3000").await;
    assert!(answer.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{:?}", answer.headers());
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED, "no CORS layer: OPTIONS is just another method");
    let plain = server
        .http()
        .get(format!("{}/api/operator", server.url()))
        .header(header::ORIGIN, "http://localhost:3000")
        .send()
        .await
        .expect("GET with an Origin");
    assert_eq!(plain.status(), StatusCode::UNAUTHORIZED);
    assert!(plain.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn named_origins_get_cors_on_the_api_only() {
    let server = Server::start(&["http://localhost:3000", "https://app.example.com/"], false).await;
    let allowed = preflight(&server, "/api/operator", "http://localhost:3000").await;
    assert_eq!(allowed.status(), StatusCode::OK);
    let headers = allowed.headers();
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "http://localhost:3000");
    let allow_headers = headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().expect("ASCII").to_ascii_lowercase();
    for name in ["authorization", "x-authorization-key", "content-type"] {
        assert!(allow_headers.contains(name), "{name} in {allow_headers}");
    }
    let methods = headers[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().expect("ASCII");
    for method in ["GET", "POST", "PUT", "DELETE"] {
        assert!(methods.contains(method), "{method} in {methods}");
    }
    assert!(headers[header::VARY].to_str().expect("ASCII").contains("origin"));

    let second = preflight(&server, "/api/company/get-token", "https://app.example.com").await;
    assert_eq!(second.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");

    let other = preflight(&server, "/api/operator", "http://localhost:3001").await;
    assert!(other.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{:?}", other.headers());

    // Real requests, failures included, carry the header so the page can read a 401.
    let unauthorized = server
        .http()
        .get(format!("{}/api/operator", server.url()))
        .header(header::ORIGIN, "http://localhost:3000")
        .send()
        .await
        .expect("GET with an Origin");
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unauthorized.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "http://localhost:3000");
    let exposed = unauthorized.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().expect("ASCII");
    assert!(exposed.to_ascii_lowercase().contains("www-authenticate"), "{exposed}");

    // Outside /api/ nothing changes: OPTIONS is still 405, no CORS headers.
    let health = preflight(&server, "/health", "http://localhost:3000").await;
    assert_eq!(health.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(health.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn a_star_allows_every_origin() {
    let server = Server::start(&["*"], false).await;
    let answer = preflight(&server, "/api/operator", "http://anything.test:8000").await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

#[test]
fn the_flags_parse() {
    let config = Config::try_parse_from([
        "chathub-server",
        "--cors-allow-origin",
        "http://localhost:3000",
        "--cors-allow-origin",
        "*",
        "--demo",
    ])
    .expect("valid flags");
    assert_eq!(config.cors_allow_origin, [AllowedOrigin::Exact("http://localhost:3000".into()), AllowedOrigin::Any]);
    assert!(config.demo);
    let plain = Config::try_parse_from(["chathub-server"]).expect("no flags");
    assert!(plain.cors_allow_origin.is_empty() && !plain.demo);
    assert!(Config::in_memory().cors_allow_origin.is_empty() && !Config::in_memory().demo);
    let error = Config::try_parse_from(["chathub-server", "--cors-allow-origin", "localhost:3000"])
        .expect_err("an origin needs a scheme");
    assert!(error.to_string().contains("is not an origin"), "{error}");
}

#[tokio::test]
async fn the_demo_routes_exist_only_with_demo() {
    let server = Server::start(&[], false).await;
    for (method, path) in [(reqwest::Method::GET, "/demo/widget"), (reqwest::Method::POST, "/demo/widget/token")] {
        let answer =
            server.http().request(method.clone(), format!("{}{path}", server.url())).send().await.expect("request");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
}

/// Asks the server, as the company, whether `token` is valid; its operator id.
async fn validate(server: &Server, token: &str) -> i64 {
    let company = server.company_token(ACME).await;
    let answer: Value = server
        .http()
        .post(format!("{}/api/operator/validate-token", server.url()))
        .bearer_auth(company)
        .json(&json!({ "token": token }))
        .send()
        .await
        .expect("validate")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["isValid"], true, "{answer}");
    answer["operatorId"].as_i64().expect("an operator id")
}

/// A token's claims, unverified.
fn claims_of(token: &str) -> TokenClaims {
    serde_json::from_value(peek_claims(token).expect("a JWT")).expect("our claims")
}

/// The token in the demo page's tag.
fn token_in(html: &str) -> String {
    let start = html.find("token=\"").expect("a token attribute") + 7;
    let end = html[start..].find('"').expect("its end") + start;
    html[start..end].to_owned()
}

#[tokio::test]
async fn the_demo_page_embeds_a_fresh_token_for_the_lowest_active_operator() {
    let server = Server::start(&[], true).await;
    let company = server.company_token(ACME).await;
    let john = server.operator_id(&company, 24, "John Smith").await;
    let answer = server.http().get(format!("{}/demo/widget", server.url())).send().await.expect("GET the demo");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(answer.headers()[header::CACHE_CONTROL], "no-store");
    let html = answer.text().await.expect("the page");
    assert!(html.contains(&format!(r#"src="{SCRIPT_PATH}""#)) && html.contains(r#"id="operator-chat-panel-script""#));
    assert!(html.contains(r#"<strong id="operator">John Smith</strong> (Customer Support)"#), "{html}");
    assert!(!html.contains("acme-pass-1") && !html.contains("acme-static-api-key"), "no company credential");
    assert!(html.contains("const SIMULATOR = false;") && html.contains("const ORGANIZATION_ID = 24;"), "{html}");
    let token = token_in(&html);
    assert_eq!(validate(&server, &token).await, i64::from(john));
    let claims = claims_of(&token);
    assert_eq!((claims.kind, claims.exp - claims.iat), (TokenKind::Operator, 3600));

    let fresh = server
        .http()
        .post(format!("{}/demo/widget/token?ttl=5", server.url()))
        .send()
        .await
        .expect("POST for a fresh token");
    assert_eq!(fresh.status(), StatusCode::OK);
    assert_eq!(fresh.headers()[header::CACHE_CONTROL], "no-store");
    let fresh = fresh.text().await.expect("a token");
    assert_ne!(fresh, token);
    assert_eq!(validate(&server, &fresh).await, i64::from(john));
    let claims = claims_of(&fresh);
    assert_eq!(claims.exp - claims.iat, 5);

    let bad = server.http().get(format!("{}/demo/widget?ttl=0", server.url())).send().await.expect("bad ttl");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn with_the_simulator_the_demo_page_shows_how_to_play_a_customer() {
    let server = Server::start_with_options(Some(chathub_server::testing::DEFAULT_SEED), &[], true, true).await;
    let html = server
        .http()
        .get(format!("{}/demo/widget", server.url()))
        .send()
        .await
        .expect("GET the demo")
        .text()
        .await
        .expect("the page");
    assert!(html.contains("const SIMULATOR = true;") && html.contains("simulate customer-message --org"), "{html}");
    assert!(!html.contains("acme-pass-1") && !html.contains("acme-static-api-key"), "no company credential");
}

#[tokio::test]
async fn the_demo_page_prefers_the_demo_companys_first_active_operator() {
    let server = Server::start_with_seed(None, &[], true).await;
    let expected = {
        let model = server.server.state().store.read();
        let demo = model.demo_company().expect("a first start without a seed creates the demo company");
        let id = model.first_active_operator_of(demo.id).expect("an Active demo operator");
        (id, model.operator(id).expect("the operator").name.clone())
    };
    let html = server
        .http()
        .get(format!("{}/demo/widget", server.url()))
        .send()
        .await
        .expect("GET the demo")
        .text()
        .await
        .expect("the page");
    assert!(html.contains(&format!(r#"<strong id="operator">{}</strong>"#, expected.1)), "{html}");
    let claims = claims_of(&token_in(&html));
    assert_eq!(claims.sub, expected.0.0.to_string());
}

#[tokio::test]
async fn without_an_active_operator_the_demo_page_is_404() {
    let seed = r#"
[[company]]
login = "quiet"
password = "quiet-pass-1"

[[company.organization]]
id = 5
name = "Nobody Home"

[[company.organization.operator]]
name = "Away"
status = 1
"#;
    let server = Server::start_with_seed(Some(seed), &[], true).await;
    for (method, path) in [(reqwest::Method::GET, "/demo/widget"), (reqwest::Method::POST, "/demo/widget/token")] {
        let answer = server.http().request(method, format!("{}{path}", server.url())).send().await.expect("request");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND);
        assert_eq!(answer.headers()[header::CONTENT_TYPE], "application/problem+json");
    }
}
