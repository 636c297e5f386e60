//! Nothing a client sends produces a 5xx: arbitrary JSON values (biased
//! toward the real property names), arbitrary bytes and arbitrary query
//! strings, sent to every endpoint of `chathub_types::ENDPOINTS` with a
//! valid credential (and sometimes another one), through `oneshot`. Every
//! 4xx answer has a problem body (Decision 4).

use axum::body::Body;
use chathub_types::{ENDPOINTS, Endpoint};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use serde_json::{Map, Number, Value};

use crate::support::{ACME_KEY, Answer, Api, JOHN, PROBLEM, oneshot, raw_request};

/// Property names of the API in several cases, and a few others.
const NAMES: &[&str] = &[
    "id",
    "ID",
    "status",
    "Status",
    "name",
    "NAME",
    "organizationId",
    "organizationid",
    "OrganizationId",
    "expiresAt",
    "EXPIRESAT",
    "token",
    "Token",
    "login",
    "password",
    "Password",
    "organization",
    "extra",
];

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => "[a-zA-Z0-9 ]{0,12}",
        1 => Just("acme".to_owned()),
        1 => Just("acme-pass-1".to_owned()),
        1 => Just("2030-01-01T00:00:00Z".to_owned()),
        1 => "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-][01][0-9]:[0-5][0-9])?",
        1 => Just("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.".to_owned()),
        1 => Just("\u{0}".to_owned()),
        1 => "\\PC{90,120}",
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (-3i64..50).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => prop_oneof![
            Just(i64::from(i32::MAX)),
            Just(i64::from(i32::MAX) + 1),
            Just(i64::from(i32::MIN)),
            Just(i64::from(i32::MIN) - 1),
        ]
        .prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => number(),
        3 => string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        let key = prop_oneof![3 => prop::sample::select(NAMES).prop_map(str::to_owned), 1 => any::<String>()];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A credential for the request: usually the endpoint's own, sometimes another.
#[derive(Debug, Clone, Copy)]
enum Credential {
    Proper,
    Operator,
    Garbage,
    None,
}

fn credential() -> impl Strategy<Value = Credential> {
    prop_oneof![
        6 => Just(Credential::Proper),
        1 => Just(Credential::Operator),
        1 => Just(Credential::Garbage),
        1 => Just(Credential::None),
    ]
}

/// What the body is.
#[derive(Debug, Clone)]
enum Payload {
    Json(Value),
    Bytes(Vec<u8>),
}

/// A property name as sent: usually as documented, sometimes in capitals.
fn key(name: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![4 => Just(name.to_owned()), 1 => Just(name.to_ascii_uppercase())]
}

/// A field's value: usually one of the right type near real values,
/// sometimes anything at all.
fn field(plausible: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![4 => plausible, 1 => json_value()].boxed()
}

fn small_int() -> BoxedStrategy<Value> {
    prop_oneof![4 => (-1i64..12).prop_map(Value::from), 1 => number()].boxed()
}

fn date() -> BoxedStrategy<Value> {
    let offsets = prop_oneof![(-90i64..90), (86_300i64..86_500), any::<i32>().prop_map(i64::from)];
    offsets
        .prop_map(|minutes| {
            let at =
                chrono::Utc::now() + chrono::TimeDelta::seconds(minutes.saturating_mul(60).clamp(-1 << 40, 1 << 40));
            Value::from(chathub_types::time::format_instant(at))
        })
        .boxed()
}

/// A body shaped like the endpoint's own, with plausible or wild values.
fn structured(endpoint: &Endpoint) -> BoxedStrategy<Value> {
    let object = |fields: Vec<(BoxedStrategy<String>, BoxedStrategy<Value>)>| {
        fields
            .into_iter()
            .map(|field| field.boxed())
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>()))
            .boxed()
    };
    let text = || string().prop_map(Value::from).boxed();
    match endpoint.name {
        "company.get_token" => {
            object(vec![(key("login").boxed(), field(text())), (key("password").boxed(), field(text()))])
        }
        "operator.set_status" => {
            object(vec![(key("id").boxed(), field(small_int())), (key("status").boxed(), field(small_int()))])
        }
        "operator.get_token" => {
            object(vec![(key("id").boxed(), field(small_int())), (key("expiresAt").boxed(), field(date()))])
        }
        "operator.validate_token" => object(vec![(key("token").boxed(), field(text()))]),
        "operator.synchronize" => {
            let organization = prop_oneof![4 => prop::sample::select(vec![24i64, 42, 77, 0, 9999]).prop_map(Value::from), 1 => number()];
            let element = object(vec![
                (key("organizationId").boxed(), field(organization.boxed())),
                (key("name").boxed(), field(text())),
            ]);
            prop::collection::vec(prop_oneof![8 => element, 1 => json_value()], 0..6).prop_map(Value::Array).boxed()
        }
        _ => json_value().boxed(),
    }
}

fn payload(endpoint: &Endpoint) -> impl Strategy<Value = Payload> + use<> {
    prop_oneof![
        4 => structured(endpoint).prop_map(Payload::Json),
        3 => json_value().prop_map(Payload::Json),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(Payload::Bytes),
        1 => prop::collection::vec(prop::sample::select(b"[]{}\",:0123456789.-eE \\ntrufalsn\x00\xff".to_vec()), 0..64)
            .prop_map(Payload::Bytes),
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        8 => Just(Some("application/json")),
        1 => Just(Some("application/problem+json; charset=utf-8")),
        1 => Just(Some("text/plain")),
        1 => Just(None),
    ]
}

/// A query string for the list endpoint: percent-encoded arbitrary text.
fn query() -> impl Strategy<Value = String> {
    let value = prop_oneof![2 => "-?[0-9]{0,12}", 1 => any::<String>(), 1 => "[0-9.eE+x -]{0,6}"];
    let name = prop_oneof![4 => Just("organizationId".to_owned()), 1 => "[a-zA-Z]{0,16}"];
    prop::collection::vec((name, value), 0..3).prop_map(|pairs| {
        pairs.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
    })
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Sends one request.
async fn send(
    api: &Api,
    operator_token: &str,
    endpoint: &Endpoint,
    credential: Credential,
    payload: &Payload,
    content_type: Option<&str>,
    query: &str,
) -> Answer {
    let credential = match credential {
        Credential::Proper if endpoint.auth == chathub_types::Auth::None => None,
        Credential::Proper => Some(ACME_KEY),
        Credential::Operator => Some(operator_token),
        Credential::Garbage => Some("garbage"),
        Credential::None => None,
    };
    let authorization = credential.map(|c| format!("Bearer {c}"));
    let mut headers: Vec<(&str, &[u8])> = Vec::new();
    if let Some(authorization) = &authorization {
        headers.push(("authorization", authorization.as_bytes()));
    }
    if let Some(content_type) = content_type {
        headers.push(("content-type", content_type.as_bytes()));
    }
    let body = match payload {
        Payload::Json(value) => serde_json::to_vec(value).expect("JSON"),
        Payload::Bytes(bytes) => bytes.clone(),
    };
    let uri = if query.is_empty() { endpoint.path.to_owned() } else { format!("{}?{query}", endpoint.path) };
    let request = raw_request(endpoint.method.as_str(), &uri, &headers, Body::from(body));
    oneshot(api.router(), request).await
}

#[test]
fn arbitrary_input_never_gets_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (api, operator_token) = runtime.block_on(async {
        let api = Api::start().await;
        let token = api.operator_token(ACME_KEY, JOHN).await;
        (api, token)
    });
    let strategy = prop::sample::select(ENDPOINTS)
        .prop_flat_map(|endpoint| (Just(endpoint), credential(), payload(&endpoint), content_type(), query()));
    let config = Config {
        cases: 1024,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/it/fuzz.txt"))),
        ..Config::default()
    };
    let result = TestRunner::new(config).run(&strategy, |(endpoint, credential, payload, content_type, query)| {
        let answer =
            runtime.block_on(send(&api, &operator_token, &endpoint, credential, &payload, content_type, &query));
        let status = answer.status;
        prop_assert!(status < 500, "{} {} answered {status}", endpoint.method, endpoint.path);
        if status >= 400 {
            prop_assert_eq!(answer.content_type(), Some(PROBLEM), "every 4xx has a problem body");
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}
