//! Credentials: the two headers (Decision 3), JWTs (Decision 12), password
//! hashing (Decision 2) and API keys (§4.15), and resolving a credential to
//! a principal (Decisions 4, 7, 9).

pub mod credential;
mod jwt;
mod passwords;

pub use credential::{Principal, authenticate, credential_from_headers};
pub use jwt::TokenKeys;
pub use passwords::{HashError, Passwords, api_key_digest};
