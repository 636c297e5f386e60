//! Issuing and verifying HS256 JWTs. Expiry and revocation are judged by the
//! pure rules of `chathub_types::token`, with no leeway.

use chathub_types::token::{ISSUER, TokenClaims, TokenKind};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

/// The signing key and the verification rules, built once at start-up.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    header: Header,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys([redacted])")
    }
}

impl TokenKeys {
    /// Keys for a secret (from the database).
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 0;
        // Expiry is checked by `chathub_types::token::is_expired`, so both
        // uses of a token (credential, validate-token) apply one rule.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
        validation.set_issuer(&[ISSUER]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            header: Header::new(Algorithm::HS256),
        }
    }

    /// Signs a token for `kind`/`subject`, issued at `iat`, dead from `exp` (seconds).
    pub fn issue(
        &self,
        kind: TokenKind,
        subject: i32,
        iat: i64,
        exp: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut jti = [0u8; 16];
        rand::fill(&mut jti);
        let claims = TokenClaims {
            iss: ISSUER.to_owned(),
            sub: subject.to_string(),
            iat,
            exp,
            jti: jti.iter().map(|b| format!("{b:02x}")).collect(),
            kind,
        };
        jsonwebtoken::encode(&self.header, &claims, &self.encoding)
    }

    /// The claims of a token we signed, or `None` for anything else
    /// (another key, another algorithm, `none`, malformed, missing claims).
    pub fn verify(&self, token: &str) -> Option<TokenClaims> {
        jsonwebtoken::decode::<TokenClaims>(token, &self.decoding, &self.validation).ok().map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let token = keys.issue(TokenKind::Operator, 7, 1_000, 2_000).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(
            (claims.kind, claims.sub.as_str(), claims.iat, claims.exp),
            (TokenKind::Operator, "7", 1_000, 2_000)
        );
        assert!(TokenKeys::new(b"another secret of enough length!").verify(&token).is_none());
        // alg: none with the same payload.
        let payload = token.split('.').nth(1).unwrap();
        assert!(keys.verify(&format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.")).is_none());
        assert!(keys.verify("garbage").is_none());
    }
}
