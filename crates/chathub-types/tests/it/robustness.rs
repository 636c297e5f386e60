//! No input, however malformed, makes the crate panic; and whatever the
//! readers accept is consistent with what the writers produce.

use chathub_types::company::{Organization, get_token as company_get_token};
use chathub_types::json::{self, RequestBody};
use chathub_types::operator::{Operator, get_token, list_operators, set_status, synchronize_operators, validate_token};
use chathub_types::time::{format_instant, parse_instant, truncate_to_millis};
use chathub_types::token::{TokenClaims, decode_token_body, negotiate_token_format, peek_claims, peek_expiry};
use chathub_types::{OperatorId, OperatorStatus, OrganizationId, ProblemDetails};
use chrono::{DateTime, Datelike};
use proptest::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::support::{self, json_value, jwt_with, key, token_text};

/// Reads `bytes` as every request type, checking that an accepted body is
/// valid and reads back the same once written again.
fn decode_every_request(bytes: &[u8]) -> Result<(), TestCaseError> {
    fn again<T: RequestBody + Serialize + PartialEq + std::fmt::Debug>(bytes: &[u8]) -> Result<(), TestCaseError> {
        if let Ok(body) = T::decode(bytes) {
            prop_assert!(body.validate().is_ok());
            let written = serde_json::to_vec(&body).expect("serializable");
            let again = T::decode(&written);
            prop_assert_eq!(again.as_ref(), Ok(&body));
        }
        Ok(())
    }
    again::<synchronize_operators::Request>(bytes)?;
    again::<set_status::Request>(bytes)?;
    again::<validate_token::Request>(bytes)?;
    if let Ok(request) = get_token::Request::decode(bytes) {
        let written = serde_json::to_vec(&request).expect("serializable");
        let expected = get_token::Request { expires_at: truncate_to_millis(request.expires_at), ..request };
        prop_assert_eq!(get_token::Request::decode(&written), Ok(expected));
    }
    if let Ok(request) = company_get_token::Request::decode(bytes) {
        prop_assert!(!request.login.contains('\0'));
    }
    Ok(())
}

/// Reads `bytes` with `json::from_slice` as every type of the crate.
fn read_every_type(bytes: &[u8]) {
    let _ = json::parse(bytes);
    let _ = json::from_slice::<company_get_token::Request>(bytes);
    let _ = json::from_slice::<Vec<Organization>>(bytes);
    let _ = json::from_slice::<Vec<Operator>>(bytes);
    let _ = json::from_slice::<synchronize_operators::Request>(bytes);
    let _ = json::from_slice::<synchronize_operators::Response>(bytes);
    let _ = json::from_slice::<set_status::Request>(bytes);
    let _ = json::from_slice::<get_token::Request>(bytes);
    let _ = json::from_slice::<validate_token::Request>(bytes);
    let _ = json::from_slice::<validate_token::Response>(bytes);
    let _ = json::from_slice::<ProblemDetails>(bytes);
    let _ = json::from_slice::<TokenClaims>(bytes);
    let _ = json::from_slice::<OperatorStatus>(bytes);
    let _ = json::from_slice::<OrganizationId>(bytes);
}

/// Bodies that are almost right: a request of each kind with one member replaced.
fn near_miss() -> impl Strategy<Value = Value> {
    let base = prop_oneof![
        Just(serde_json::json!({"login": "acme", "password": "s3cret"})),
        Just(serde_json::json!({"id": 104, "status": 1})),
        Just(serde_json::json!({"id": 123, "expiresAt": "2025-12-31T23:59:59Z"})),
        Just(serde_json::json!({"token": "eyJ.a.b"})),
        Just(serde_json::json!({"organizationId": 24, "name": "Alex Brown"})),
    ];
    (base, key(), json_value(), any::<bool>()).prop_map(|(mut base, key, value, wrap)| {
        if let Value::Object(map) = &mut base {
            map.insert(key, value);
        }
        if wrap { Value::Array(vec![base.clone(), base]) } else { base }
    })
}

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/robustness.txt"))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        read_every_type(&bytes);
        decode_every_request(&bytes)?;
    }

    #[test]
    fn arbitrary_json_never_panics(value in prop_oneof![json_value(), near_miss()]) {
        let bytes = serde_json::to_vec(&value).expect("serializable");
        read_every_type(&bytes);
        decode_every_request(&bytes)?;
        let _ = synchronize_operators::Request::from_json(&value);
        let _ = json::from_value_each::<synchronize_operators::NewOperator>(&value);
        let _ = decode_token_body(&value.to_string());
    }

    #[test]
    fn arbitrary_strings_never_panic(text in prop_oneof![any::<String>(), "[0-9T:.+ Zz-]{0,40}", token_text()]) {
        let _ = decode_token_body(&text);
        let _ = peek_claims(&text);
        let _ = peek_expiry(&text);
        let _ = negotiate_token_format(Some(&text));
        let _ = list_operators::Query::parse(Some(&text));
        let _ = text.parse::<OperatorStatus>();
        let _ = text.parse::<OperatorId>();
        if let Ok(instant) = parse_instant(&text) {
            // Whatever we read in years 1..=9999, we write in a form we read back.
            if (1..=9999).contains(&instant.year()) {
                prop_assert_eq!(parse_instant(&format_instant(instant)), Ok(truncate_to_millis(instant)));
            }
        }
        if let Ok(token) = decode_token_body(&text) {
            prop_assert!(!token.token.is_empty());
            prop_assert_eq!(token.token.trim(), token.token.as_str());
        }
    }

    /// `peek_expiry` reads `exp` from any JWT-shaped string and nothing else.
    #[test]
    fn peek_reads_exp_of_any_payload(payload in json_value(), exp in prop_oneof![any::<i64>(), -62_135_596_800i64..253_402_300_799]) {
        let token = jwt_with(&payload);
        let expected = payload.get("exp").and_then(Value::as_i64).and_then(|exp| DateTime::from_timestamp(exp, 0));
        prop_assert_eq!(peek_expiry(&token), expected);
        let token = jwt_with(&serde_json::json!({"exp": exp, "sub": "1"}));
        prop_assert_eq!(peek_expiry(&token), DateTime::from_timestamp(exp, 0));
        prop_assert_eq!(peek_expiry(&format!("{token}.extra")), None);
    }

    /// The query reader takes the first `organizationId` in any case, and
    /// refuses anything but a 32-bit integer there.
    #[test]
    fn query_parsing(
        pairs in proptest::collection::vec(
            (prop_oneof![Just("organizationId".to_owned()), Just("ORGANIZATIONID".to_owned()), Just("other".to_owned()), "[a-z%+=]{0,8}"],
             prop_oneof![any::<i32>().prop_map(|n| n.to_string()), "[0-9.e+%-]{0,12}", any::<String>()]),
            0..5,
        ),
    ) {
        let raw = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let outcome = list_operators::Query::parse(Some(&raw));
        // Without escapes and stray separators, the pairs are the ones generated.
        let clean = !raw.contains(['%', '+']) && pairs.iter().all(|(k, v)| !k.contains('=') && !v.contains('&'));
        if clean {
            match pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case("organizationId")) {
                None => prop_assert_eq!(outcome, Ok(list_operators::Query::default())),
                Some((_, value)) => {
                    let text = value.trim();
                    let digits = text.strip_prefix('-').unwrap_or(text);
                    match text.parse::<i32>() {
                        Ok(id) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                            prop_assert_eq!(outcome, Ok(list_operators::Query::for_organization(OrganizationId(id))));
                        }
                        _ => prop_assert!(outcome.is_err(), "{} read as {:?}", raw, outcome),
                    }
                }
            }
        }
    }
}
