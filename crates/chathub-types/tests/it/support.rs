//! Shared strategies and helpers.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::Value;

/// Proptest settings: the default 256 cases, failures kept under the
/// crate's `proptest-regressions/` (the test binary runs in the crate root).
pub fn config(regressions: &'static str) -> Config {
    Config { failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))), ..Config::default() }
}

/// `0001-01-01T00:00:00Z`, in seconds since the epoch.
pub const YEAR_1_SECS: i64 = -62_135_596_800;
/// `9999-12-31T23:59:59Z`, in seconds since the epoch.
pub const YEAR_9999_END_SECS: i64 = 253_402_300_799;

/// Any instant in the years 1 to 9999 (UTC), to the nanosecond.
pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (YEAR_1_SECS..=YEAR_9999_END_SECS, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).expect("the range holds only valid instants"))
}

/// Names: anything at all, a plain one, or one with spaces around it.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[A-Za-z][A-Za-z ]{0,30}", " {0,3}\\PC{1,20} {0,3}"]
}

/// Strings shaped like tokens (JWTs, API keys).
pub fn token_text() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,60}\\.[A-Za-z0-9_-]{1,40}", "[A-Za-z0-9._~+/=-]{1,80}"]
}

/// `name` with the case of each ASCII letter picked by the bits of `mask`.
pub fn recase(name: &str, mask: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(index, c)| if mask >> (index % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
        .collect()
}

/// Every property name of the crate's request and response types.
pub const FIELD_NAMES: &[&str] = &[
    "id",
    "name",
    "status",
    "organization",
    "organizationId",
    "login",
    "password",
    "expiresAt",
    "expiration",
    "token",
    "isValid",
    "operatorId",
    "clientId",
    "error",
    "type",
    "title",
    "detail",
    "errors",
    "iss",
    "sub",
    "iat",
    "exp",
    "jti",
    "kind",
];

/// Property names: ours in any case, or anything.
pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (proptest::sample::select(FIELD_NAMES), any::<u64>()).prop_map(|(name, mask)| recase(name, mask)),
        1 => any::<String>(),
    ]
}

/// Strings that are sometimes dates, tokens or names.
fn string_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        instant().prop_map(|t| t.to_rfc3339()),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,9})?(Z|[+-][0-9]{2}:[0-9]{2})?",
        token_text(),
        "-?[0-9]{1,12}",
    ]
}

/// Any JSON value, nested a few levels, biased towards our property names
/// and towards numbers at the edges of the 32-bit range.
pub fn json_value() -> impl Strategy<Value = Value> {
    json_value_with(any::<f64>().prop_map(Value::from).boxed())
}

/// Like [`json_value`] without fractions, so that values survive a trip
/// through text exactly (serde_json parses floats to within one ULP).
pub fn exact_json_value() -> impl Strategy<Value = Value> {
    json_value_with(Just(Value::Null).boxed())
}

fn json_value_with(float: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        prop_oneof![Just(i64::from(i32::MAX) + 1), Just(i64::from(i32::MIN) - 1), any::<i64>()].prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        float,
        string_value().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// Unpadded base64url, for building JWT-shaped strings without a crypto crate.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// An (unsigned) JWT-shaped string whose payload is `claims`.
pub fn jwt_with(claims: &Value) -> String {
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = base64url(claims.to_string().as_bytes());
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

#[test]
fn base64url_matches_rfc_4648_vectors() {
    assert_eq!(base64url(b""), "");
    assert_eq!(base64url(b"f"), "Zg");
    assert_eq!(base64url(b"fo"), "Zm8");
    assert_eq!(base64url(b"foo"), "Zm9v");
    assert_eq!(base64url(b"foob"), "Zm9vYg");
    assert_eq!(base64url(b"fooba"), "Zm9vYmE");
    assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
}

#[test]
fn year_bounds_are_the_ones_named() {
    assert_eq!(DateTime::from_timestamp(YEAR_1_SECS, 0).unwrap().to_rfc3339(), "0001-01-01T00:00:00+00:00");
    assert_eq!(DateTime::from_timestamp(YEAR_9999_END_SECS, 0).unwrap().to_rfc3339(), "9999-12-31T23:59:59+00:00");
}
