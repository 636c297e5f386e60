//! Every DTO written with serde and read back with `json::from_slice` is
//! what it was (dates compared after the millisecond cut of Decision 13).

use std::collections::BTreeMap;

use chathub_types::company::{Organization, get_token as company_get_token, list_organizations};
use chathub_types::json::{self, RequestBody};
use chathub_types::operator::{Operator, get_token, list_operators, set_status, synchronize_operators, validate_token};
use chathub_types::time::truncate_to_millis;
use chathub_types::token::{TokenClaims, TokenKind};
use chathub_types::{CompanyId, OperatorId, OperatorStatus, OperatorToken, OrganizationId, ProblemDetails};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::support::{self, exact_json_value, instant, name, token_text};

/// Serializes with serde_json and reads back through the crate's reader.
fn trip<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let bytes = serde_json::to_vec(value).expect("every DTO serializes");
    json::from_slice(&bytes)
        .unwrap_or_else(|errors| panic!("{} did not read back: {errors}", String::from_utf8_lossy(&bytes)))
}

fn status() -> impl Strategy<Value = OperatorStatus> {
    any::<i32>().prop_map(OperatorStatus::from_i32)
}

fn organization() -> impl Strategy<Value = Organization> {
    (any::<i32>(), name()).prop_map(|(id, name)| Organization { id: OrganizationId(id), name })
}

fn operator() -> impl Strategy<Value = Operator> {
    (any::<i32>(), name(), status(), organization()).prop_map(|(id, name, status, organization)| Operator {
        id: OperatorId(id),
        name,
        status,
        organization,
    })
}

fn new_operator() -> impl Strategy<Value = synchronize_operators::NewOperator> {
    (any::<i32>(), name()).prop_map(|(org, name)| synchronize_operators::NewOperator::new(OrganizationId(org), name))
}

fn synchronized() -> impl Strategy<Value = synchronize_operators::SynchronizedOperator> {
    (any::<i32>(), name(), status()).prop_map(|(id, name, status)| synchronize_operators::SynchronizedOperator {
        id: OperatorId(id),
        name,
        status,
    })
}

fn validate_response() -> impl Strategy<Value = validate_token::Response> {
    (
        any::<bool>(),
        option::of(any::<i32>()),
        option::of(any::<i32>()),
        option::of(instant()),
        option::of(any::<String>()),
    )
        .prop_map(|(is_valid, operator_id, client_id, expires_at, error)| validate_token::Response {
            is_valid,
            operator_id: operator_id.map(OperatorId),
            client_id,
            expires_at,
            error,
        })
}

const PROBLEM_MEMBERS: &[&str] = &["type", "title", "status", "detail", "errors"];

fn problem() -> impl Strategy<Value = ProblemDetails> {
    (
        any::<String>(),
        any::<String>(),
        any::<u16>(),
        option::of(any::<String>()),
        option::of(btree_map(any::<String>(), vec(any::<String>(), 0..3), 0..4)),
        vec((crate::support::key(), exact_json_value()), 0..4),
    )
        .prop_map(|(kind, title, status, detail, errors, extensions)| ProblemDetails {
            kind,
            title,
            status,
            detail,
            errors,
            // Its own members match in any case: an extension cannot be spelt like one.
            extensions: extensions
                .into_iter()
                .filter(|(key, _)| !PROBLEM_MEMBERS.iter().any(|member| member.eq_ignore_ascii_case(key)))
                .collect(),
        })
}

fn claims() -> impl Strategy<Value = TokenClaims> {
    (any::<String>(), any::<String>(), any::<i64>(), any::<i64>(), any::<String>(), any::<bool>()).prop_map(
        |(iss, sub, iat, exp, jti, operator)| TokenClaims {
            iss,
            sub,
            iat,
            exp,
            jti,
            kind: if operator { TokenKind::Operator } else { TokenKind::Company },
        },
    )
}

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/dto_roundtrip.txt"))]

    #[test]
    fn company_sign_in_request(login in any::<String>(), password in any::<String>()) {
        let request = company_get_token::Request::new(login.clone(), password.clone());
        let read = trip(&request);
        prop_assert_eq!(read.login, login);
        prop_assert_eq!(read.password.expose_secret(), password.as_str());
    }

    #[test]
    fn organizations(list in vec(organization(), 0..8)) {
        let list: list_organizations::Response = list;
        prop_assert_eq!(trip(&list), list);
    }

    #[test]
    fn operators(list in vec(operator(), 0..8)) {
        let list: list_operators::Response = list;
        prop_assert_eq!(trip(&list), list);
    }

    #[test]
    fn operator_list_query(id in option::of(any::<i32>())) {
        let query = list_operators::Query { organization_id: id.map(OrganizationId) };
        let text = query.to_query_string();
        prop_assert_eq!(list_operators::Query::parse(Some(&text)), Ok(query));
    }

    #[test]
    fn synchronize_request(list in vec(new_operator(), 0..8)) {
        let request = synchronize_operators::Request(list);
        prop_assert_eq!(&trip(&request), &request);
        let bytes = serde_json::to_vec(&request).expect("serializable");
        let decoded = synchronize_operators::Request::from_json(&json::parse(&bytes).expect("JSON"));
        prop_assert_eq!(decoded, Ok(request));
    }

    #[test]
    fn synchronize_response(list in vec(synchronized(), 0..8)) {
        let list: synchronize_operators::Response = list;
        prop_assert_eq!(trip(&list), list);
    }

    #[test]
    fn set_status_request(id in any::<i32>(), status in status()) {
        let request = set_status::Request { id: OperatorId(id), status };
        prop_assert_eq!(trip(&request), request);
        let bytes = serde_json::to_vec(&request).expect("serializable");
        prop_assert_eq!(set_status::Request::decode(&bytes).is_ok(), status.is_known());
    }

    #[test]
    fn operator_token_request(id in any::<i32>(), expires_at in instant()) {
        let request = get_token::Request { id: OperatorId(id), expires_at };
        let expected = get_token::Request { expires_at: truncate_to_millis(expires_at), ..request };
        prop_assert_eq!(trip(&request), expected);
        let bytes = serde_json::to_vec(&request).expect("serializable");
        prop_assert_eq!(get_token::Request::decode(&bytes), Ok(expected));
    }

    #[test]
    fn validate_token_request(token in prop_oneof![token_text(), any::<String>()]) {
        let request = validate_token::Request { token: OperatorToken::new(token) };
        prop_assert_eq!(&trip(&request), &request);
    }

    #[test]
    fn validate_token_response(response in validate_response()) {
        let expected = validate_token::Response { expires_at: response.expires_at.map(truncate_to_millis), ..response.clone() };
        prop_assert_eq!(trip(&response), expected);
        // All five fields are always written, nulls included (Decision 11).
        let written = serde_json::to_value(&response).expect("serializable");
        let object = written.as_object().expect("an object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        prop_assert_eq!(keys, ["clientId", "error", "expiresAt", "isValid", "operatorId"]);
    }

    #[test]
    fn problem_details(problem in problem()) {
        prop_assert_eq!(trip(&problem), problem);
    }

    #[test]
    fn token_claims(claims in claims()) {
        prop_assert_eq!(trip(&claims), claims.clone());
        let written = serde_json::to_value(&claims).expect("serializable");
        prop_assert_eq!(written["kind"].as_str(), Some(if claims.kind == TokenKind::Operator { "operator" } else { "company" }));
    }

    #[test]
    fn ids_print_and_parse(value in any::<i32>()) {
        prop_assert_eq!(OrganizationId(value).to_string().parse::<OrganizationId>(), Ok(OrganizationId(value)));
        prop_assert_eq!(OperatorId(value).to_string().parse::<OperatorId>(), Ok(OperatorId(value)));
        prop_assert_eq!(CompanyId::from(value).get(), value);
        prop_assert_eq!(trip(&OperatorId(value)), OperatorId(value));
        prop_assert_eq!(serde_json::to_string(&OrganizationId(value)).expect("serializable"), value.to_string());
    }
}

#[test]
fn problem_errors_keep_their_keys_as_sent() {
    let problem = ProblemDetails::validation({
        let mut errors = chathub_types::ValidationErrors::new();
        errors.add("$[2].name", "The name must not be blank.");
        errors.add("$[2].name", "The value must not contain the character U+0000.");
        errors.add("$.ExpiresAt", "odd");
        errors
    });
    let read = trip(&problem);
    let expected: BTreeMap<String, Vec<String>> = [
        ("$.ExpiresAt".to_owned(), vec!["odd".to_owned()]),
        (
            "$[2].name".to_owned(),
            vec![
                "The name must not be blank.".to_owned(),
                "The value must not contain the character U+0000.".to_owned(),
            ],
        ),
    ]
    .into();
    assert_eq!(read.errors, Some(expected));
}
