//! Token bodies (§3.1, §5, Decision 1): the three shapes read back, and the
//! `Accept` negotiation picks the shape the spec says.

use chathub_types::IssuedToken;
use chathub_types::time::{format_instant, truncate_to_millis};
use chathub_types::token::{TokenBodyError, TokenFormat, decode_token_body, negotiate_token_format, peek_expiry};
use chrono::DateTime;
use proptest::option;
use proptest::prelude::*;

use crate::support::{self, instant, jwt_with, recase, token_text};

fn weight(thousandths: u16) -> String {
    match thousandths {
        1000 => "1".to_owned(),
        0 => "0".to_owned(),
        w => format!("0.{w:03}"),
    }
}

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/token_body.txt"))]

    /// Each shape the server can write reads back as the token (and the
    /// object's `expiration`, cut to milliseconds).
    #[test]
    fn all_three_shapes_round_trip(token in token_text(), expiration in option::of(instant())) {
        let issued = IssuedToken { token: token.clone(), expiration };
        for format in [TokenFormat::Text, TokenFormat::JsonString] {
            let read = decode_token_body(&format.body(&issued));
            prop_assert_eq!(read, Ok(IssuedToken { token: token.clone(), expiration: None }), "{:?}", format);
        }
        let read = decode_token_body(&TokenFormat::Object.body(&issued));
        prop_assert_eq!(read, Ok(IssuedToken { token, expiration: expiration.map(truncate_to_millis) }));
    }

    /// Raw text survives what proxies and `echo` add around it.
    #[test]
    fn text_shape_tolerates_surrounding_whitespace(
        token in token_text(),
        before in "[ \t\r\n]{0,3}",
        after in "[ \t\r\n]{0,3}",
        bom in any::<bool>(),
    ) {
        let body = format!("{}{before}{token}{after}", if bom { "\u{feff}" } else { "" });
        prop_assert_eq!(decode_token_body(&body), Ok(IssuedToken { token: token.clone(), expiration: None }));
        let quoted = format!("{before}{}{after}", serde_json::Value::String(format!(" {token}\n")));
        prop_assert_eq!(decode_token_body(&quoted).map(|t| t.token), Ok(token));
    }

    /// The object shape binds `token` and `expiration` in any case, and ignores the rest.
    #[test]
    fn object_shape_matches_names_without_case(
        token in token_text(),
        expiration in instant(),
        mask in any::<u64>(),
        extra in crate::support::exact_json_value(),
    ) {
        let body = serde_json::json!({
            (recase("token", mask)): token,
            (recase("expiration", mask >> 5)): format_instant(expiration),
            "extra": extra,
        });
        let read = decode_token_body(&body.to_string());
        prop_assert_eq!(read, Ok(IssuedToken { token, expiration: Some(truncate_to_millis(expiration)) }));
    }

    /// Decision 1, restated: JSON only for an `application/json` weight
    /// above 0 that no `text/plain` weight beats.
    #[test]
    fn negotiation_follows_decision_1(
        json in option::of(0u16..=1000),
        text in option::of(0u16..=1000),
        json_first in any::<bool>(),
        others in proptest::sample::subsequence(vec!["*/*", "text/html", "application/*", "application/xml;q=0.9"], 0..3),
    ) {
        let mut ranges: Vec<String> = others.iter().map(|s| (*s).to_owned()).collect();
        let json_range = json.map(|w| format!("application/json;q={}", weight(w)));
        let text_range = text.map(|w| format!("text/plain; q={}", weight(w)));
        let (first, second) = if json_first { (json_range, text_range) } else { (text_range, json_range) };
        ranges.extend(first);
        ranges.extend(second);
        let accept = ranges.join(", ");
        let expected = match (json, text) {
            (Some(json), text) if json > 0 && text.is_none_or(|text| text <= json) => TokenFormat::JsonString,
            _ => TokenFormat::Text,
        };
        prop_assert_eq!(negotiate_token_format(Some(&accept)), expected, "{}", accept);
    }
}

#[test]
fn spec_token_shapes_read() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MzcyOTk2MDB9.c2ln";
    let quoted = format!("\"{jwt}\"");
    assert_eq!(decode_token_body(&quoted).unwrap().token, jwt);
    assert_eq!(decode_token_body(jwt).unwrap().token, jwt);
    let object = format!(r#"{{"token": "{jwt}", "expiration": "2025-01-24T12:00:00Z"}}"#);
    let read = decode_token_body(&object).unwrap();
    assert_eq!(read.token, jwt);
    assert_eq!(read.expiration.map(format_instant).as_deref(), Some("2025-01-24T12:00:00Z"));
    // Object without `expiration`, or with null: none sent.
    assert_eq!(decode_token_body(r#"{"TOKEN": "a.b.c"}"#).unwrap().expiration, None);
    assert_eq!(decode_token_body(r#"{"token": "a.b.c", "expiration": null}"#).unwrap().expiration, None);
    assert_eq!(
        decode_token_body(r#"{"token": "a.b.c", "EXPIRESAT": "2025-01-24T14:00:00+02:00"}"#).unwrap().expiration,
        DateTime::from_timestamp(1_737_720_000, 0)
    );
}

#[test]
fn bodies_that_are_not_tokens_are_refused() {
    let cases: &[(&str, TokenBodyError)] = &[
        ("", TokenBodyError::Empty),
        (" \n\t", TokenBodyError::Empty),
        ("\u{feff}", TokenBodyError::Empty),
        ("\"\"", TokenBodyError::Empty),
        ("\"   \"", TokenBodyError::Empty),
        ("<html><body>502 Bad Gateway</body></html>", TokenBodyError::NotAToken),
        ("Bad Gateway", TokenBodyError::NotAToken),
        ("\"has space\"", TokenBodyError::NotAToken),
        ("tok\u{0}en", TokenBodyError::NotAToken),
        ("{\"token\": 42}", TokenBodyError::UnexpectedJson),
        ("{\"token\": null}", TokenBodyError::UnexpectedJson),
        ("{\"expiration\": \"2025-01-24T12:00:00Z\"}", TokenBodyError::UnexpectedJson),
        ("{\"token\": \"a.b.c\", \"expiration\": \"soon\"}", TokenBodyError::UnexpectedJson),
        ("{\"token\": \"a b\"}", TokenBodyError::NotAToken),
        ("{\"token\": \"\"}", TokenBodyError::Empty),
        ("{\"token\": \"a\"", TokenBodyError::NotAToken),
    ];
    for (body, expected) in cases {
        assert_eq!(decode_token_body(body).as_ref().err(), Some(expected), "{body:?}");
    }
}

#[test]
fn each_shape_has_its_content_type() {
    assert_eq!(TokenFormat::JsonString.content_type(), "application/json; charset=utf-8");
    assert_eq!(TokenFormat::Object.content_type(), "application/json; charset=utf-8");
    assert_eq!(TokenFormat::Text.content_type(), "text/plain; charset=utf-8");
    let issued = IssuedToken { token: "a.b.c".into(), expiration: None };
    assert_eq!(TokenFormat::Text.body(&issued), "a.b.c");
    assert_eq!(TokenFormat::JsonString.body(&issued), "\"a.b.c\"");
    assert_eq!(TokenFormat::Object.body(&issued), r#"{"expiration":null,"token":"a.b.c"}"#);
}

#[test]
fn negotiation_of_the_vendor_samples() {
    // curl, fetch, the Python and PHP samples: text (Decision 1).
    for accept in [None, Some("*/*"), Some("text/plain"), Some("application/json;q=0")] {
        assert_eq!(negotiate_token_format(accept), TokenFormat::Text, "{accept:?}");
    }
    // axios's default names JSON first at full weight: a JSON string, which axios parses.
    assert_eq!(negotiate_token_format(Some("application/json, text/plain, */*")), TokenFormat::JsonString);
    assert_eq!(negotiate_token_format(Some("application/json;q=0.001")), TokenFormat::JsonString);
    assert_eq!(negotiate_token_format(Some("application/json;q=0.5, text/plain;q=0.501")), TokenFormat::Text);
    assert_eq!(negotiate_token_format(Some("application/json;q=2")), TokenFormat::Text);
}

#[test]
fn expiry_comes_from_the_body_or_else_from_the_claims() {
    let token = jwt_with(&serde_json::json!({"exp": 1_767_225_599, "sub": "123"}));
    assert_eq!(peek_expiry(&token), DateTime::from_timestamp(1_767_225_599, 0));
    let text = decode_token_body(&token).unwrap();
    assert_eq!(text.expires_at(), DateTime::from_timestamp(1_767_225_599, 0));
    let object = decode_token_body(&format!(r#"{{"token":"{token}","expiration":"2025-12-31T00:00:00Z"}}"#)).unwrap();
    assert_eq!(object.expires_at(), DateTime::from_timestamp(1_767_139_200, 0));
    assert_eq!(decode_token_body("opaque-api-key").unwrap().expires_at(), None);
}
