//! Token strings that never show in `Debug` or `Display`.

use secrecy::{ExposeSecret, SecretString};

macro_rules! token_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a token string (surrounding whitespace removed).
            pub fn new(token: impl Into<String>) -> Self {
                let token: String = token.into();
                let trimmed = token.trim();
                if trimmed.len() == token.len() {
                    Self(SecretString::from(token))
                } else {
                    Self(SecretString::from(trimmed.to_owned()))
                }
            }

            /// The token itself, for a header or a request body. Keep it out of logs.
            pub fn expose(&self) -> &str {
                self.0.expose_secret()
            }

            /// The `exp` claim, read without verifying the signature.
            pub fn expires_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
                super::peek_expiry(self.expose())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.expose() == other.expose()
            }
        }

        impl Eq for $name {}

        impl From<String> for $name {
            fn from(token: String) -> Self {
                Self::new(token)
            }
        }

        impl From<&str> for $name {
            fn from(token: &str) -> Self {
                Self::new(token)
            }
        }
    };
}

token_type!(
    /// A company token (from `POST /api/company/get-token`) or an API key.
    ///
    /// ```
    /// use chathub_types::CompanyToken;
    /// let token = CompanyToken::new("eyJhbGciOiJIUzI1NiJ9.e30.sig");
    /// assert_eq!(format!("{token:?}"), "CompanyToken([redacted])");
    /// ```
    CompanyToken
);
token_type!(
    /// An operator token (from `POST /api/operator/get-token`), what the widget runs on.
    OperatorToken
);

macro_rules! token_serde {
    ($name:ident) => {
        /// Written as the bare token string (for request bodies).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.expose())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::new)
            }
        }
    };
}

token_serde!(CompanyToken);
token_serde!(OperatorToken);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_serialization() {
        let token = OperatorToken::new("  secret.jwt.value\n");
        assert_eq!(token.expose(), "secret.jwt.value");
        assert!(!format!("{token:?}").contains("secret"));
        assert_eq!(serde_json::to_string(&token).unwrap(), "\"secret.jwt.value\"");
    }
}
