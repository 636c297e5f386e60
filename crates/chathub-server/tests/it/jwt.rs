//! Decision 12: HS256 JWTs of our own key only, with every claim required,
//! no expiry leeway, and company and operator tokens told apart.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chathub_server::auth::TokenKeys;
use chathub_types::token::TokenKind;
use chrono::Utc;
use insta::assert_json_snapshot;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::support::{ACME_KEY, ACME_LOGIN, ACME_PASSWORD, Api, GLOBEX_LOGIN, GLOBEX_PASSWORD, JOHN, claims};

const ORGANIZATIONS: &str = "/api/company/organization";

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("JSON"))
}

fn parts(token: &str) -> Vec<&str> {
    token.split('.').collect()
}

async fn secret(api: &Api) -> Vec<u8> {
    api.server.state().store.db().signing_secret().await.expect("secret")
}

/// Signs any claims with our secret and any algorithm.
fn sign(secret: &[u8], algorithm: Algorithm, claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(secret)).expect("sign")
}

/// The company id of acme, from a token of its.
async fn acme_id(api: &Api) -> i32 {
    claims(&api.company_token(ACME_LOGIN, ACME_PASSWORD).await).sub.parse().expect("an integer subject")
}

#[tokio::test]
async fn tokens_are_hs256_with_every_claim() {
    let api = Api::start().await;
    let company = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
    let operator = api.operator_token(ACME_KEY, JOHN).await;
    for token in [&company, &operator] {
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts(token)[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "HS256");
        let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts(token)[1]).unwrap()).unwrap();
        let mut names: Vec<&str> = payload.as_object().unwrap().keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["exp", "iat", "iss", "jti", "kind", "sub"]);
    }
    let operator = claims(&operator);
    assert_eq!((operator.kind, operator.sub.as_str(), operator.iss.as_str()), (TokenKind::Operator, "1", "chathub"));
}

#[tokio::test]
async fn an_expired_token_is_401_invalid_token_from_the_second_of_its_exp() {
    let api = Api::start().await;
    let company = acme_id(&api).await;
    let now = Utc::now().timestamp();
    let expired = api.forge(TokenKind::Company, company, now - 3_600, now - 10);
    let answer = api.get(ORGANIZATIONS).bearer(&expired).send().await;
    assert_json_snapshot!("expired_401", answer.unauthorized(true));
    let challenge = answer.header("www-authenticate").unwrap();
    assert!(challenge.contains("expired"), "{challenge}");
    // No leeway: dead in the very second of its exp.
    let dead_now = api.forge(TokenKind::Company, company, now - 60, now);
    api.get(ORGANIZATIONS).key(&dead_now).send().await.unauthorized(true);
    let alive = api.forge(TokenKind::Company, company, now - 60, now + 3_600);
    assert_eq!(api.get(ORGANIZATIONS).key(&alive).send().await.status, 200);
    // An expired operator token as a credential: 401 too.
    let operator = api.forge(TokenKind::Operator, JOHN, now - 60, now - 1);
    api.get("/api/operator").bearer(&operator).send().await.unauthorized(true);
}

#[tokio::test]
async fn tokens_not_signed_by_us_are_401() {
    let api = Api::start().await;
    let company = acme_id(&api).await;
    let secret = secret(&api).await;
    let now = Utc::now().timestamp();
    let good_claims = json!({
        "iss": "chathub", "sub": company.to_string(), "iat": now, "exp": now + 3_600,
        "jti": "0123456789abcdef", "kind": "company"
    });
    let good = sign(&secret, Algorithm::HS256, &good_claims);
    assert_eq!(api.get(ORGANIZATIONS).bearer(&good).send().await.status, 200, "the control passes");

    let other_key =
        TokenKeys::new(b"another secret, of enough length!").issue(TokenKind::Company, company, now, now + 60);
    let [header, payload, signature] = parts(&good)[..] else { panic!() };
    let none = format!("{}.{payload}.", b64(&json!({ "alg": "none", "typ": "JWT" })));
    let none_with_signature = format!("{}.{payload}.{signature}", b64(&json!({ "alg": "none", "typ": "JWT" })));
    let globex = api.company_token(GLOBEX_LOGIN, GLOBEX_PASSWORD).await;
    let swapped = format!("{header}.{}.{signature}", parts(&globex)[1]);
    let cases = [
        ("another key", other_key.unwrap()),
        ("HS384 with our secret", sign(&secret, Algorithm::HS384, &good_claims)),
        ("HS512 with our secret", sign(&secret, Algorithm::HS512, &good_claims)),
        ("alg none", none),
        ("alg none with a signature", none_with_signature),
        ("payload swapped", swapped),
        ("signature cut", format!("{header}.{payload}.")),
        ("two parts", format!("{header}.{payload}")),
        ("four parts", format!("{good}.{signature}")),
        ("signature of another token", format!("{header}.{payload}.{}", parts(&globex)[2])),
    ];
    for (case, token) in cases {
        let answer = api.get(ORGANIZATIONS).bearer(&token).send().await;
        assert_eq!(answer.status, 401, "{case}");
        answer.unauthorized(true);
        let validated = api.validate(ACME_KEY, &token).await;
        assert_eq!(validated["error"], "Invalid token", "{case}");
    }
}

#[tokio::test]
async fn every_claim_is_required_and_checked() {
    let api = Api::start().await;
    let company = acme_id(&api).await;
    let secret = secret(&api).await;
    let now = Utc::now().timestamp();
    let base = json!({
        "iss": "chathub", "sub": company.to_string(), "iat": now, "exp": now + 3_600,
        "jti": "0123456789abcdef", "kind": "company"
    });
    let mut cases: Vec<(String, Value)> = Vec::new();
    for claim in ["iss", "sub", "iat", "exp", "jti", "kind"] {
        let mut claims = base.clone();
        claims.as_object_mut().unwrap().remove(claim);
        cases.push((format!("without {claim}"), claims));
    }
    for (claim, value) in [
        ("iss", json!("someone-else")),
        ("sub", json!("acme")),
        ("sub", json!(company)),
        ("sub", json!("999")),
        ("kind", json!("admin")),
        ("kind", json!("Company")),
        ("exp", json!("tomorrow")),
    ] {
        let mut claims = base.clone();
        claims[claim] = value.clone();
        cases.push((format!("{claim} = {value}"), claims));
    }
    for (case, claims) in cases {
        let token = sign(&secret, Algorithm::HS256, &claims);
        let answer = api.get(ORGANIZATIONS).bearer(&token).send().await;
        assert_eq!(answer.status, 401, "{case}: {}", answer.text());
        answer.unauthorized(true);
    }
}

#[tokio::test]
async fn company_and_operator_tokens_never_pass_for_each_other() {
    let api = Api::start().await;
    let company = acme_id(&api).await;
    let now = Utc::now().timestamp();
    // An operator token whose subject is the company's id is an operator's.
    assert_eq!(company, JOHN, "acme and John share the id 1 in a fresh database");
    let operator_named_like_company = api.forge(TokenKind::Operator, company, now, now + 3_600);
    let answer = api.get(ORGANIZATIONS).bearer(&operator_named_like_company).send().await;
    assert_eq!(answer.status, 403, "operator {company} is John: an operator token, not a company's");
    // A company token is no operator token.
    let company_token = api.forge(TokenKind::Company, JOHN, now, now + 3_600);
    assert_eq!(api.validate(ACME_KEY, &company_token).await["error"], "Not an operator token");
    // A company token of an unknown company is nobody's.
    let nobody = api.forge(TokenKind::Company, 999, now, now + 3_600);
    api.get(ORGANIZATIONS).bearer(&nobody).send().await.unauthorized(true);
    // An operator token of an unknown operator, likewise.
    let ghost = api.forge(TokenKind::Operator, 999, now, now + 3_600);
    api.get("/api/operator").bearer(&ghost).send().await.unauthorized(true);
}
