//! Every request and response shape of spec §3, read from the spec's own
//! example bodies and snapshotted as we write it.

use chathub_types::company::{get_token as company_get_token, list_organizations};
use chathub_types::json::{self, RequestBody};
use chathub_types::operator::{get_token, list_operators, set_status, synchronize_operators, validate_token};
use chathub_types::time::parse_instant;
use chathub_types::token::{ISSUER, TokenClaims, TokenFormat, TokenKind, TokenRejection, decode_token_body};
use chathub_types::{
    Auth, ENDPOINTS, IssuedToken, OperatorId, OperatorStatus, OrganizationId, ProblemDetails, Validate,
};
use insta::assert_json_snapshot;
use secrecy::ExposeSecret;
use serde::Serialize;

/// The spec's example JWT prefix (§3.1), as the examples abbreviate it.
const SPEC_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ...";

#[test]
fn s3_1_company_sign_in_request() {
    let request = company_get_token::Request::decode(br#"{"login": "acme", "password": "s3cret"}"#).unwrap();
    assert_eq!((request.login.as_str(), request.password.expose_secret()), ("acme", "s3cret"));
    assert_json_snapshot!("s3_1_company_sign_in_request", request);
}

#[test]
fn s3_1_token_bodies_in_every_shape() {
    let issued = IssuedToken {
        token: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.c2ln".into(),
        expiration: Some(parse_instant("2025-01-24T12:00:00Z").unwrap()),
    };
    let json_string: serde_json::Value = serde_json::from_str(&TokenFormat::JsonString.body(&issued)).unwrap();
    let object: serde_json::Value = serde_json::from_str(&TokenFormat::Object.body(&issued)).unwrap();
    assert_eq!(TokenFormat::Text.body(&issued), issued.token);
    for format in [TokenFormat::Text, TokenFormat::JsonString, TokenFormat::Object] {
        assert_eq!(decode_token_body(&format.body(&issued)).unwrap().token, issued.token);
    }
    assert_json_snapshot!("s3_1_token_as_json_string", json_string);
    assert_json_snapshot!("s3_1_token_as_object", object);
}

#[test]
fn s3_2_organizations() {
    let body = br#"[{"id": 6, "name": "Customer Support"},
     {"id": 24, "name": "Sales Team"},
     {"id": 42, "name": "Technical Support"}]"#;
    let organizations: list_organizations::Response = json::from_slice(body).unwrap();
    assert_eq!(organizations.iter().map(|o| o.id.get()).collect::<Vec<_>>(), [6, 24, 42]);
    assert_eq!(organizations[1].name, "Sales Team");
    assert_json_snapshot!("s3_2_organizations", organizations);
}

#[test]
fn s3_3_operators() {
    let body = br#"[{"id": 101, "name": "John Smith", "status": 0,
      "organization": {"id": 24, "name": "Customer Support"}},
     {"id": 103, "name": "Mike Wilson", "status": 1,
      "organization": {"id": 24, "name": "Customer Support"}}]"#;
    let operators: list_operators::Response = json::from_slice(body).unwrap();
    assert_eq!(operators[0].status, OperatorStatus::Active);
    assert_eq!(operators[1].status, OperatorStatus::Inactive);
    assert_eq!(operators[1].organization.id, OrganizationId(24));
    let query = list_operators::Query::for_organization(OrganizationId(24));
    assert_eq!(query.to_query_string(), "organizationId=24");
    assert_eq!(list_operators::Query::parse(Some("organizationId=24")), Ok(query));
    assert_json_snapshot!("s3_3_operators", operators);
}

#[test]
fn s3_4_synchronize_request_and_response() {
    let body = br#"[{"organizationId": 24, "name": "Alex Brown"},
     {"organizationId": 24, "name": "Emma Davis"}]"#;
    let request = synchronize_operators::Request::decode(body).unwrap();
    assert_eq!(request.0.len(), 2);
    assert_eq!(request.0[1], synchronize_operators::NewOperator::new(OrganizationId(24), "Emma Davis"));
    assert_json_snapshot!("s3_4_synchronize_request", request);

    let body = br#"[{"id": 104, "name": "Alex Brown", "status": 0},
     {"id": 105, "name": "Emma Davis", "status": 0}]"#;
    let response: synchronize_operators::Response = json::from_slice(body).unwrap();
    assert!(response.iter().all(|o| o.status == OperatorStatus::Active));
    assert_eq!(response[0].id, OperatorId(104));
    assert_json_snapshot!("s3_4_synchronize_response", response);
}

#[test]
fn s3_5_set_status_request() {
    let request = set_status::Request::decode(br#"{"id": 104, "status": 1}"#).unwrap();
    assert_eq!(request, set_status::Request { id: OperatorId(104), status: OperatorStatus::Inactive });
    assert_json_snapshot!("s3_5_set_status_request", request);
}

#[test]
fn s3_6_operator_token_requests() {
    let whole = get_token::Request::decode(br#"{"id": 123, "expiresAt": "2025-12-31T23:59:59Z"}"#).unwrap();
    let millis = get_token::Request::decode(br#"{"id": 123, "expiresAt": "2025-01-20T14:33:34.147Z"}"#).unwrap();
    assert_eq!(whole.id, OperatorId(123));
    assert_eq!(whole.expires_at.timestamp(), 1_767_225_599);
    // Decision 10: exp is expiresAt cut to seconds.
    let now = parse_instant("2025-01-20T14:00:00Z").unwrap();
    assert_eq!(millis.expiry(now), Ok(1_737_383_614));
    assert_json_snapshot!("s3_6_operator_token_requests", [whole, millis]);
}

#[test]
fn s3_7_validate_token_request() {
    let request = validate_token::Request::decode(format!(r#"{{"token": "{SPEC_TOKEN}"}}"#).as_bytes()).unwrap();
    assert_eq!(request.token.expose(), SPEC_TOKEN);
    assert_json_snapshot!("s3_7_validate_token_request", request);
}

#[test]
fn s3_7_validate_token_valid_answer() {
    let body = br#"{"isValid": true, "operatorId": 123, "clientId": 0,
     "expiresAt": "2025-12-31T23:59:59Z", "error": null}"#;
    let read: validate_token::Response = json::from_slice(body).unwrap();
    let built = validate_token::Response::valid(OperatorId(123), parse_instant("2025-12-31T23:59:59Z").unwrap());
    assert_eq!(read, built);
    assert_json_snapshot!("s3_7_validate_token_valid", built);
}

#[test]
fn s3_7_validate_token_invalid_answers() {
    // The vendor's example shows two fields; we read it and write all five.
    let read: validate_token::Response = json::from_slice(br#"{"isValid": false, "error": "Invalid token"}"#).unwrap();
    assert_eq!(read, validate_token::Response::invalid(TokenRejection::Invalid));
    let empty: validate_token::Response = json::from_slice(b"{}").unwrap();
    assert!(!empty.is_valid && empty.error.is_none());
    let every: Vec<validate_token::Response> = [
        TokenRejection::Invalid,
        TokenRejection::NotOperatorToken,
        TokenRejection::Expired,
        TokenRejection::OperatorNotActive,
        TokenRejection::Revoked,
    ]
    .into_iter()
    .map(validate_token::Response::invalid)
    .collect();
    assert_json_snapshot!("s3_7_validate_token_invalid", every);
}

#[test]
fn problem_400_from_a_real_validation_failure() {
    let body = br#"[{"organizationId": 24, "name": "Alex Brown"},
     {"organizationId": 24, "name": "   "},
     {"organizationId": "24", "name": "Emma Davis"}]"#;
    let errors = synchronize_operators::Request::decode(body).unwrap_err();
    let problem = ProblemDetails::validation(errors);
    assert_eq!(problem.status, 400);
    let read: ProblemDetails = json::from_slice(&serde_json::to_vec(&problem).unwrap()).unwrap();
    assert_eq!(read, problem);
    assert_json_snapshot!("problem_400_validation", problem);

    let errors = get_token::Request::decode(br#"{"id": 24.0}"#).unwrap_err();
    assert_json_snapshot!("problem_400_operator_token", ProblemDetails::validation(errors));
}

#[test]
fn problem_429_too_many_requests() {
    let problem = ProblemDetails::too_many_requests();
    assert_eq!(problem.message(), "Rate limit exceeded. Please wait before sending more requests.");
    let written = serde_json::to_value(&problem).unwrap();
    // The vendor's documented rate-limit members are all there (§4.15).
    assert_eq!(written["error"], "Too Many Requests");
    assert_eq!(written["status"], 429);
    assert_json_snapshot!("problem_429_too_many_requests", problem);
}

#[test]
fn problem_bodies_from_others_are_read() {
    // ASP.NET's own shape, with a trace id, and a bare one.
    let aspnet = br#"{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.",
        "status": 400, "errors": {"$.expiresAt": ["The field is required."]}, "traceId": "00-abc-01"}"#;
    let problem: ProblemDetails = json::from_slice(aspnet).unwrap();
    assert_eq!(problem.message(), "$.expiresAt: The field is required.");
    assert_eq!(problem.extensions["traceId"], "00-abc-01");
    let bare: ProblemDetails = json::from_slice(b"{}").unwrap();
    assert_eq!((bare.kind.as_str(), bare.status), ("about:blank", 0));
}

#[test]
fn token_claims_of_both_kinds() {
    let company = TokenClaims {
        iss: ISSUER.into(),
        sub: "7".into(),
        iat: 1_737_383_614,
        exp: 1_737_470_014,
        jti: "01JHX8Q3V8K6".into(),
        kind: TokenKind::Company,
    };
    let operator = TokenClaims { sub: "123".into(), exp: 1_737_387_214, kind: TokenKind::Operator, ..company.clone() };
    assert_eq!(operator.subject_id(), Some(123));
    assert_eq!(operator.expires_at().map(|t| t.timestamp()), Some(1_737_387_214));
    assert_json_snapshot!("token_claims", [company, operator]);
}

/// One row of the endpoint table, for the snapshot.
#[derive(Serialize)]
struct Row {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    auth: &'static str,
    has_body: bool,
}

#[test]
fn endpoint_table() {
    let rows: Vec<Row> = ENDPOINTS
        .iter()
        .map(|e| Row {
            name: e.name,
            method: e.method.as_str(),
            path: e.path,
            auth: match e.auth {
                Auth::None => "none",
                Auth::Company => "company",
                Auth::CompanyOrOperator => "company or operator",
            },
            has_body: e.has_body,
        })
        .collect();
    assert_eq!(rows.len(), 7);
    assert_json_snapshot!("endpoints", rows);
}

#[test]
fn spec_requests_pass_validation() {
    let request = synchronize_operators::Request::decode(br#"[{"organizationId": 24, "name": "Alex Brown"}]"#).unwrap();
    assert!(request.validate().is_ok());
    let request = company_get_token::Request::decode(br#"{"login": "acme", "password": "s3cret"}"#).unwrap();
    assert!(request.validate().is_ok());
}
