//! Tokens and passwords never show in `Debug` output or error messages.

use chathub_types::company::get_token as company_get_token;
use chathub_types::json::RequestBody;
use chathub_types::operator::validate_token;
use chathub_types::{CompanyToken, IssuedToken, OperatorToken};
use proptest::prelude::*;

use crate::support::{self, instant};

/// Secrets long and distinctive enough not to appear by chance.
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{12,40}\\.[A-Za-z0-9_-]{12,40}"
}

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/secrets.txt"))]

    #[test]
    fn debug_output_hides_tokens_and_passwords(secret in secret(), expiration in proptest::option::of(instant())) {
        let shown = [
            format!("{:?}", CompanyToken::new(secret.clone())),
            format!("{:?}", OperatorToken::new(secret.clone())),
            format!("{:?}", validate_token::Request { token: OperatorToken::new(secret.clone()) }),
            format!("{:?}", company_get_token::Request::new("acme", secret.clone())),
            format!("{:#?}", IssuedToken { token: secret.clone(), expiration }),
        ];
        for text in shown {
            prop_assert!(!text.contains(&secret), "{}", text);
        }
    }

    /// A sign-in body with a bad login, or a validate-token body with a bad
    /// member, never echoes the secret in its errors.
    #[test]
    fn errors_do_not_echo_secrets(secret in secret()) {
        let bodies = [
            serde_json::json!({"login": 5, "password": secret}),
            serde_json::json!({"login": "a\u{0}", "password": secret}),
            serde_json::json!({"password": secret}),
            serde_json::json!({"password": secret, "Password": secret}),
            serde_json::json!({"login": "acme", "password": format!("{secret}\u{0}")}),
            serde_json::json!({"login": "acme", "password": [secret]}),
        ];
        for body in bodies {
            let errors = company_get_token::Request::decode(body.to_string().as_bytes()).expect_err("refused");
            prop_assert!(!errors.to_string().contains(&secret), "{}", errors);
            let debug = format!("{errors:?}");
            prop_assert!(!debug.contains(&secret), "{}", debug);
        }
        for body in [
            serde_json::json!({"token": format!("{secret}\u{0}")}),
            serde_json::json!({"token": [secret]}),
            serde_json::json!({"token": {"value": secret}}),
        ] {
            let errors = validate_token::Request::decode(body.to_string().as_bytes()).expect_err("refused");
            prop_assert!(!errors.to_string().contains(&secret), "{}", errors);
        }
    }
}
