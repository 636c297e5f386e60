//! Tokens: the secret wrappers, the claims, the response bodies and the
//! pure rules of Decisions 1, 9, 10, 11 and 12.
//!
//! Signing and verifying are the server's business; this module never
//! touches a key.

mod body;
mod claims;
mod rules;
mod secret;

pub use body::{IssuedToken, TokenBodyError, TokenFormat, decode_token_body, negotiate_token_format};
pub use claims::{ISSUER, TokenClaims, TokenKind, peek_claims, peek_expiry};
pub use rules::{
    LifetimeError, OperatorFacts, TokenRejection, company_token_expiry, is_expired, is_revoked, operator_token_expiry,
    validate_operator_token,
};
pub use secret::{CompanyToken, OperatorToken};
