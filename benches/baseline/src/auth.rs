//! HS256 tokens with the claims of Decision 12, and the caller of a request.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, header};
use chathub_types::token::{ISSUER, TokenClaims, TokenKind};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

/// The signing key, fixed: this server is for benchmarks only.
const SECRET: &[u8] = b"chathub-bench-baseline-secret-not-for-production!";

/// The signing and verification keys.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    header: Header,
    next_jti: AtomicU64,
}

impl Keys {
    /// Keys with the validation rules chathub-server uses.
    pub fn new() -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
        validation.set_issuer(&[ISSUER]);
        Self {
            encoding: EncodingKey::from_secret(SECRET),
            decoding: DecodingKey::from_secret(SECRET),
            validation,
            header: Header::new(Algorithm::HS256),
            next_jti: AtomicU64::new(1),
        }
    }

    /// Signs a token; the `jti` is a counter, as long as chathub-server's random one.
    pub fn issue(&self, kind: TokenKind, subject: i32, iat: i64, exp: i64) -> Option<String> {
        let jti = format!("{:032x}", self.next_jti.fetch_add(1, Ordering::Relaxed));
        let claims = TokenClaims { iss: ISSUER.to_owned(), sub: subject.to_string(), iat, exp, jti, kind };
        jsonwebtoken::encode(&self.header, &claims, &self.encoding).ok()
    }

    /// The claims of a token signed here.
    pub fn verify(&self, token: &str) -> Option<TokenClaims> {
        jsonwebtoken::decode::<TokenClaims>(token, &self.decoding, &self.validation).ok().map(|data| data.claims)
    }
}

/// The token of `Authorization: Bearer …` or `X-Authorization-Key`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let (scheme, token) = value.to_str().ok()?.trim().split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim());
    }
    headers.get("x-authorization-key")?.to_str().ok().map(str::trim)
}
