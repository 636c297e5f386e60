//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes,
//! 1 lane), off the async threads and at most one hash per core at a time.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::store::model::ApiKeyDigest;

/// Hashes and verifies passwords with bounded parallelism.
#[derive(Debug, Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// A real hash of a random password: verifying against it costs what a
    /// real verification costs, so an unknown login is not faster.
    decoy: Arc<str>,
}

/// Why hashing failed.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl Passwords {
    /// A hasher allowing one hash per available core.
    pub fn new() -> Result<Self, HashError> {
        let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
        let mut random = [0u8; 24];
        rand::fill(&mut random);
        let decoy: String = random.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self { permits: Arc::new(Semaphore::new(cores)), decoy: hash_blocking(&decoy)?.into() })
    }

    /// The PHC string of `password` (salted argon2id).
    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError(e.to_string()))?;
        tokio::task::spawn_blocking(move || hash_blocking(password.expose_secret()))
            .await
            .map_err(|e| HashError(e.to_string()))?
    }

    /// Whether `password` matches `stored`; with `None` (unknown login) it
    /// verifies against the decoy and answers false, at the same cost.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else { return false };
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.decoy.to_string());
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| Argon2::default().verify_password(password.expose_secret().as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        known && matched
    }
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// The SHA-256 digest under which an API key is stored.
pub fn api_key_digest(api_key: &str) -> ApiKeyDigest {
    Sha256::digest(api_key.as_bytes()).into()
}
