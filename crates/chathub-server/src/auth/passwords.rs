//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes,
//! 1 lane), off the async threads and at most one hash per core at a time.

use std::sync::Arc;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
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
        let matched = tokio::task::spawn_blocking(move || verify_blocking(password.expose_secret(), &hash))
            .await
            .unwrap_or(false);
        known && matched
    }
}

/// Capacity of argon2's scratch memory, in 1 KiB blocks: 33 MiB, above
/// glibc's largest dynamic mmap threshold (32 MiB). Such an allocation is
/// always mapped on its own and unmapped when freed, so each hash's 19 MiB
/// go back to the system at once. Sized to fit, the block would land in the
/// heap after the first free and stay there: a login flood then grew the
/// server to ~490 MiB (docs/performance.md).
const SCRATCH_CAPACITY_BLOCKS: usize = 33 * 1024;

/// Runs argon2 in a scratch buffer of [`SCRATCH_CAPACITY_BLOCKS`] (only the
/// blocks the parameters need are touched).
fn argon2_into(argon2: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), argon2::Error> {
    let needed = argon2.params().block_count();
    let mut memory: Vec<Block> = Vec::with_capacity(needed.max(SCRATCH_CAPACITY_BLOCKS));
    memory.resize(needed, Block::new());
    argon2.hash_password_into_with_memory(password, salt, out, &mut memory)
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    let fail = |e: &dyn std::fmt::Display| HashError(e.to_string());
    let salt = Salt::generate();
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon2, password.as_bytes(), salt.as_ref(), &mut out).map_err(|e| fail(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` produces the hash in the PHC string `stored`, with the
/// parameters written there.
fn verify_blocking(password: &str, stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else { return false };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else { return false };
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    argon2_into(&argon2, password.as_bytes(), salt.as_ref(), &mut out).is_ok()
        && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

/// The SHA-256 digest under which an API key is stored.
pub fn api_key_digest(api_key: &str) -> ApiKeyDigest {
    Sha256::digest(api_key.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordVerifier;

    use super::*;

    #[test]
    fn hashes_verify_here_and_with_the_argon2_crate() {
        let stored = hash_blocking("s3cret").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify_blocking("s3cret", &stored));
        assert!(!verify_blocking("s3cret!", &stored));
        assert!(!verify_blocking("s3cret", "not a phc string"));
        // The crate's own verifier agrees, so stored hashes stay standard.
        assert!(Argon2::default().verify_password(b"s3cret", stored.as_str()).is_ok());
        // And a hash made with other parameters verifies with those.
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap());
        let salt = Salt::generate();
        let mut out = [0u8; 32];
        other.hash_password_into(b"pw", salt.as_ref(), &mut out).unwrap();
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(other.params()).unwrap(),
            salt: Some(salt),
            hash: Some(Output::new(&out).unwrap()),
        };
        assert!(verify_blocking("pw", &phc.to_string()));
        assert!(!verify_blocking("pv", &phc.to_string()));
    }
}
