//! Input rules with JSON paths (Decisions 5, 8, 14, §4.15).

use chathub_types::company::get_token as company_get_token;
use chathub_types::json::{self, RequestBody};
use chathub_types::operator::{get_token, set_status, synchronize_operators, validate_token};
use chathub_types::time::format_instant;
use chathub_types::{OperatorId, OperatorStatus, OrganizationId, ValidationErrors};
use proptest::prelude::*;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::support::{self, instant, recase};

/// Decodes `body` as `T` and returns its errors, failing if it was accepted.
fn refused<T: RequestBody + std::fmt::Debug>(body: &str) -> ValidationErrors {
    match T::decode(body.as_bytes()) {
        Ok(value) => panic!("{body} was accepted as {value:?}"),
        Err(errors) => errors,
    }
}

fn paths(errors: &ValidationErrors) -> Vec<&str> {
    errors.iter().map(|(path, _)| path).collect()
}

#[test]
fn property_names_match_without_case() {
    let request: get_token::Request = json::from_slice(br#"{"ID": 123, "EXPIRESAT": "2025-12-31T23:59:59Z"}"#).unwrap();
    assert_eq!(request.id, OperatorId(123));
    assert_eq!(format_instant(request.expires_at), "2025-12-31T23:59:59Z");
    let request = synchronize_operators::Request::decode(br#"[{"OrganizationId": 24, "Name": "Alex Brown"}]"#).unwrap();
    assert_eq!(request.0, [synchronize_operators::NewOperator::new(OrganizationId(24), "Alex Brown")]);
    let request = set_status::Request::decode(br#"{"Id": 104, "STATUS": 1}"#).unwrap();
    assert_eq!(request.status, OperatorStatus::Inactive);
    let request = company_get_token::Request::decode(br#"{"Login": "acme", "PASSWORD": "s3cret"}"#).unwrap();
    assert_eq!((request.login.as_str(), request.password.expose_secret()), ("acme", "s3cret"));
    let request = validate_token::Request::decode(br#"{"Token": "eyJ.a.b"}"#).unwrap();
    assert_eq!(request.token.expose(), "eyJ.a.b");
}

#[test]
fn unknown_properties_are_ignored() {
    let body = br#"{"id": 104, "status": 2, "reason": "left", "nested": {"id": "x"}, "list": [1, {"status": "y"}]}"#;
    assert_eq!(
        set_status::Request::decode(body),
        Ok(set_status::Request { id: OperatorId(104), status: OperatorStatus::Deleted })
    );
    let body = br#"[{"organizationId": 24, "name": "Emma", "email": null, "organization": {"id": "?"}}]"#;
    assert_eq!(synchronize_operators::Request::decode(body).unwrap().0.len(), 1);
}

#[test]
fn numbers_must_be_json_integers_in_range() {
    for bad in [r#""104""#, "104.0", "1.04e2", "2147483648", "-2147483649", "null", "true", "[104]", "{}"] {
        let errors = refused::<set_status::Request>(&format!(r#"{{"id": {bad}, "status": 1}}"#));
        assert_eq!(paths(&errors), ["$.id"], "id {bad}");
        let errors = refused::<set_status::Request>(&format!(r#"{{"id": 1, "status": {bad}}}"#));
        assert_eq!(paths(&errors), ["$.status"], "status {bad}");
        let errors = refused::<synchronize_operators::Request>(&format!(
            r#"[{{"organizationId": 1, "name": "a"}}, {{"organizationId": 1, "name": "b"}}, {{"organizationId": {bad}, "name": "c"}}]"#
        ));
        assert_eq!(paths(&errors), ["$[2].organizationId"], "organizationId {bad}");
    }
    // `24.0` and `2.4e1` name 24 but are not integers (§4.15).
    for bad in ["24.0", "2.4e1"] {
        let errors = refused::<get_token::Request>(&format!(r#"{{"id": {bad}, "expiresAt": "2025-12-31T23:59:59Z"}}"#));
        assert_eq!(paths(&errors), ["$.id"]);
    }
    // The 32-bit edges themselves are fine.
    for edge in [i32::MIN, i32::MAX] {
        assert_eq!(
            set_status::Request::decode(format!(r#"{{"id": {edge}, "status": 0}}"#).as_bytes()).unwrap().id.get(),
            edge
        );
    }
}

#[test]
fn strings_must_be_json_strings() {
    for bad in ["null", "42", "true", "[]", "{}"] {
        let cases: [(ValidationErrors, &str); 5] = [
            (refused::<company_get_token::Request>(&format!(r#"{{"login": {bad}, "password": "p"}}"#)), "$.login"),
            (refused::<company_get_token::Request>(&format!(r#"{{"login": "l", "password": {bad}}}"#)), "$.password"),
            (refused::<get_token::Request>(&format!(r#"{{"id": 1, "expiresAt": {bad}}}"#)), "$.expiresAt"),
            (refused::<validate_token::Request>(&format!(r#"{{"token": {bad}}}"#)), "$.token"),
            (
                refused::<synchronize_operators::Request>(&format!(r#"[{{"organizationId": 1, "name": {bad}}}]"#)),
                "$[0].name",
            ),
        ];
        for (errors, path) in cases {
            assert_eq!(paths(&errors), [path], "{path} = {bad}");
        }
    }
}

#[test]
fn missing_fields_are_named() {
    let cases: [(ValidationErrors, &str); 8] = [
        (refused::<company_get_token::Request>(r#"{"password": "p"}"#), "$.login"),
        (refused::<company_get_token::Request>(r#"{"login": "l"}"#), "$.password"),
        (refused::<get_token::Request>(r#"{"expiresAt": "2025-12-31T23:59:59Z"}"#), "$.id"),
        (refused::<get_token::Request>(r#"{"id": 123}"#), "$.expiresAt"),
        (refused::<set_status::Request>(r#"{"status": 1}"#), "$.id"),
        (refused::<set_status::Request>(r#"{"id": 1}"#), "$.status"),
        (refused::<validate_token::Request>("{}"), "$.token"),
        (
            refused::<synchronize_operators::Request>(r#"[{"organizationId": 1, "name": "a"}, {"name": "b"}]"#),
            "$[1].organizationId",
        ),
    ];
    for (errors, path) in cases {
        assert_eq!(paths(&errors), [path]);
        assert_eq!(errors.iter().next().map(|(_, m)| m), Some("The field is required."));
    }
}

#[test]
fn unreadable_dates_name_expires_at() {
    for bad in ["tomorrow", "2025-12-31", "2025-12-31T23:59Z", "", "31/12/2025 23:59:59"] {
        let errors = refused::<get_token::Request>(&json!({"id": 1, "expiresAt": bad}).to_string());
        assert_eq!(paths(&errors), ["$.expiresAt"], "{bad}");
    }
}

#[test]
fn bodies_that_are_not_json_objects() {
    for (body, path) in [
        (&b""[..], "$"),
        (b"   ", "$"),
        (b"{", "$"),
        (b"\xff\xfe", "$"),
        (b"[]", "$"),
        (b"null", "$"),
        (b"\"x\"", "$"),
        (b"{\"id\": 1, \"status\": 1} trailing", "$"),
    ] {
        let errors = set_status::Request::decode(body).unwrap_err();
        assert_eq!(paths(&errors), [path], "{}", String::from_utf8_lossy(body));
    }
    let errors = synchronize_operators::Request::decode(br#"{"organizationId": 1, "name": "a"}"#).unwrap_err();
    assert_eq!(paths(&errors), ["$"]);
    let errors =
        synchronize_operators::Request::decode(br#"[{"organizationId": 1, "name": "a"}, 5, null]"#).unwrap_err();
    assert_eq!(paths(&errors), ["$[1]", "$[2]"]);
}

#[test]
fn names_are_counted_in_unicode_scalar_values() {
    let emoji = |n: usize| "😀".repeat(n);
    let body = |name: &str| json!([{"organizationId": 24, "name": name}]).to_string();
    assert!(synchronize_operators::Request::decode(body(&emoji(100)).as_bytes()).is_ok(), "100 emoji (400 bytes)");
    let errors = synchronize_operators::Request::decode(body(&emoji(101)).as_bytes()).unwrap_err();
    assert_eq!(paths(&errors), ["$[0].name"]);
    // Spaces around the name do not count: it is stored trimmed.
    assert!(synchronize_operators::Request::decode(body(&format!("  {}\n", emoji(100))).as_bytes()).is_ok());
    let a100 = "é".repeat(100);
    assert!(synchronize_operators::Request::decode(body(&a100).as_bytes()).is_ok());
    assert!(synchronize_operators::Request::decode(body(&format!("{a100}x")).as_bytes()).is_err());
}

#[test]
fn blank_names_are_refused() {
    for blank in ["", " ", "\t\n", "\u{3000}", "\u{a0} \u{2003}"] {
        let errors =
            refused::<synchronize_operators::Request>(&json!([{"organizationId": 24, "name": blank}]).to_string());
        assert_eq!(paths(&errors), ["$[0].name"], "{blank:?}");
    }
}

#[test]
fn nul_is_refused_in_every_string() {
    let cases: [(ValidationErrors, &str); 5] = [
        (refused::<synchronize_operators::Request>(r#"[{"organizationId": 24, "name": "Al\u0000ex"}]"#), "$[0].name"),
        (refused::<synchronize_operators::Request>(r#"[{"organizationId": 24, "name": "\u0000"}]"#), "$[0].name"),
        (refused::<company_get_token::Request>(r#"{"login": "ac\u0000me", "password": "p"}"#), "$.login"),
        (refused::<company_get_token::Request>(r#"{"login": "acme", "password": "p\u0000"}"#), "$.password"),
        (refused::<validate_token::Request>(r#"{"token": "eyJ\u0000"}"#), "$.token"),
    ];
    for (errors, path) in cases {
        assert_eq!(paths(&errors), [path]);
        assert!(errors.iter().all(|(_, m)| m.contains("U+0000")), "{errors}");
    }
}

#[test]
fn synchronize_accepts_an_empty_array_and_at_most_1000_elements() {
    assert_eq!(synchronize_operators::Request::decode(b"[]"), Ok(synchronize_operators::Request(vec![])));
    let element = json!({"organizationId": 24, "name": "Op"});
    let thousand = serde_json::Value::Array(vec![element.clone(); 1000]).to_string();
    assert_eq!(synchronize_operators::Request::decode(thousand.as_bytes()).unwrap().0.len(), 1000);
    let more = serde_json::Value::Array(vec![element; 1001]).to_string();
    let errors = synchronize_operators::Request::decode(more.as_bytes()).unwrap_err();
    assert_eq!(paths(&errors), ["$"]);
    // Built in code, the same rule holds.
    let built =
        synchronize_operators::Request(vec![synchronize_operators::NewOperator::new(OrganizationId(1), "x"); 1001]);
    assert_eq!(paths(&chathub_types::Validate::validate(&built).unwrap_err()), ["$"]);
}

#[test]
fn duplicate_names_are_allowed() {
    let body = br#"[{"organizationId": 24, "name": "Alex"}, {"organizationId": 24, "name": "Alex"}]"#;
    assert_eq!(synchronize_operators::Request::decode(body).unwrap().0.len(), 2);
}

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/input_rules.txt"))]

    /// Any mixture of upper and lower case in property names binds the same
    /// fields, and unknown properties change nothing.
    #[test]
    fn any_casing_of_property_names_binds(
        masks in proptest::array::uniform4(any::<u64>()),
        id in any::<i32>(),
        expires_at in instant(),
        extra in crate::support::json_value(),
    ) {
        let body = json!({
            (recase("id", masks[0])): id,
            (recase("expiresAt", masks[1])): format_instant(expires_at),
            "unknownProperty": extra,
        });
        let request = get_token::Request::decode(body.to_string().as_bytes()).expect("accepted");
        prop_assert_eq!(request.id, OperatorId(id));
        prop_assert_eq!(format_instant(request.expires_at), format_instant(expires_at));

        let body = json!([{ (recase("organizationId", masks[2])): id, (recase("name", masks[3])): "Ann" }]);
        let request = synchronize_operators::Request::decode(body.to_string().as_bytes()).expect("accepted");
        prop_assert_eq!(request.0, vec![synchronize_operators::NewOperator::new(OrganizationId(id), "Ann")]);
    }

    /// Integers out of the 32-bit range are refused at their path, whatever they are.
    #[test]
    fn out_of_range_integers_are_refused(value in prop_oneof![i64::MIN..i64::from(i32::MIN), i64::from(i32::MAX) + 1..=i64::MAX]) {
        let body = json!({"id": value, "status": 0}).to_string();
        let errors = set_status::Request::decode(body.as_bytes()).expect_err("out of range");
        prop_assert_eq!(paths(&errors), ["$.id"]);
    }

    /// Names of 1–100 non-space scalar values pass, 101 and more do not.
    #[test]
    fn name_length_rule(name in "[^\\s\\x00]{1,120}") {
        let body = json!([{"organizationId": 24, "name": name}]).to_string();
        let accepted = synchronize_operators::Request::decode(body.as_bytes()).is_ok();
        prop_assert_eq!(accepted, name.chars().count() <= 100);
    }
}
