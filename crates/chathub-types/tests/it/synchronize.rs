//! Decision 8: synchronize checks every element and names each bad one in
//! one pass, whatever mixture of problems the body holds.

use std::collections::BTreeSet;

use chathub_types::json::RequestBody;
use chathub_types::operator::synchronize_operators::Request;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support;

/// One element of a generated body: good, or bad in one way.
#[derive(Debug, Clone)]
enum Element {
    Good(String),
    Blank(String),
    TooLong(usize),
    Nul,
    QuotedId,
    FractionId,
    OutOfRangeId,
    NullName,
    MissingName,
    MissingId,
    NotAnObject(Value),
}

fn element() -> impl Strategy<Value = Element> {
    prop_oneof![
        6 => "[A-Za-z][A-Za-z ]{0,20}".prop_map(Element::Good),
        1 => "[ \t\n\u{3000}]{0,4}".prop_map(Element::Blank),
        1 => (101usize..140).prop_map(Element::TooLong),
        1 => Just(Element::Nul),
        1 => Just(Element::QuotedId),
        1 => Just(Element::FractionId),
        1 => Just(Element::OutOfRangeId),
        1 => Just(Element::NullName),
        1 => Just(Element::MissingName),
        1 => Just(Element::MissingId),
        1 => prop_oneof![Just(Value::Null), Just(json!(5)), Just(json!("Ann")), Just(json!([]))].prop_map(Element::NotAnObject),
    ]
}

impl Element {
    fn to_json(&self) -> Value {
        match self {
            Element::Good(name) | Element::Blank(name) => json!({"organizationId": 24, "name": name}),
            Element::TooLong(n) => json!({"organizationId": 24, "name": "ж".repeat(*n)}),
            Element::Nul => json!({"organizationId": 24, "name": "A\u{0}"}),
            Element::QuotedId => json!({"organizationId": "24", "name": "Ann"}),
            Element::FractionId => json!({"organizationId": 24.5, "name": "Ann"}),
            Element::OutOfRangeId => json!({"organizationId": 4_294_967_296_i64, "name": "Ann"}),
            Element::NullName => json!({"organizationId": 24, "name": null}),
            Element::MissingName => json!({"organizationId": 24}),
            Element::MissingId => json!({"name": "Ann"}),
            Element::NotAnObject(value) => value.clone(),
        }
    }

    fn is_good(&self) -> bool {
        matches!(self, Element::Good(_))
    }
}

/// The element index an error path points into (`$[12].name` → 12).
fn index_of(path: &str) -> Option<usize> {
    path.strip_prefix("$[")?.split(']').next()?.parse().ok()
}

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/synchronize.txt"))]

    #[test]
    fn every_bad_element_is_named_and_no_good_one(elements in proptest::collection::vec(element(), 0..24)) {
        let body = Value::Array(elements.iter().map(Element::to_json).collect()).to_string();
        let outcome = Request::decode(body.as_bytes());
        let bad: BTreeSet<usize> = elements.iter().enumerate().filter(|(_, e)| !e.is_good()).map(|(i, _)| i).collect();
        match outcome {
            Ok(request) => {
                prop_assert!(bad.is_empty(), "accepted with bad elements {:?}", bad);
                prop_assert_eq!(request.0.len(), elements.len());
            }
            Err(errors) => {
                let named: BTreeSet<usize> = errors.iter().filter_map(|(path, _)| index_of(path)).collect();
                prop_assert_eq!(&named, &bad, "errors: {}", errors);
                prop_assert!(errors.iter().all(|(path, _)| index_of(path).is_some()), "errors: {}", errors);
            }
        }
    }
}

#[test]
fn one_pass_names_type_errors_and_rule_errors_together() {
    let body = json!([
        {"organizationId": 24, "name": "Alex Brown"},
        {"organizationId": "24", "name": "Quoted"},
        {"organizationId": 24, "name": "   "},
        {"organizationId": 24, "name": "Emma Davis"},
        {"organizationId": 24, "name": "x".repeat(101)},
        {"organizationId": 24},
    ]);
    let errors = Request::decode(body.to_string().as_bytes()).unwrap_err();
    let mut paths: Vec<&str> = errors.iter().map(|(path, _)| path).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["$[1].organizationId", "$[2].name", "$[4].name", "$[5].name"]);
}
