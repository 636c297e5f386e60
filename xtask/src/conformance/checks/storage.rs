//! What the server keeps at rest (Decision 2, §4.15): passwords only as
//! salted slow hashes, API keys only as SHA-256 digests. Read straight from
//! the SQLite files of the suite's own server (or `--database sqlite:…`).

use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use crate::conformance::context::Ctx;
use crate::conformance::runner::{Check, check};
use crate::conformance::verdict::{Outcome, Stop, ensure, skip};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "decision-2/passwords-not-stored",
            "§4.2",
            "no password is in the database files in plain text",
            passwords
        ),
        check!(
            "decision-15/api-key-stored-as-digest",
            "§4.15",
            "the API key is stored as its SHA-256 digest only",
            api_key
        ),
    ]
}

/// The bytes of the database file and its write-ahead log.
fn database_bytes(cx: &Ctx) -> Result<Vec<u8>, Stop> {
    let path = cx
        .database_file()
        .ok_or_else(|| skip("reads the database files: the suite's own server, or --database sqlite:PATH"))?;
    let mut bytes = std::fs::read(path).map_err(|e| skip(format!("cannot read {}: {e}", path.display())))?;
    for suffix in ["-wal", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        if let Ok(more) = std::fs::read(&side) {
            bytes.extend_from_slice(&more);
        }
    }
    Ok(bytes)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|window| window == needle)
}

async fn passwords(cx: Arc<Ctx>) -> Outcome {
    let bytes = database_bytes(&cx)?;
    let mut passwords = vec![cx.company.password.as_str()];
    if let Ok((account, _)) = cx.second() {
        passwords.push(account.password.as_str());
    }
    for password in passwords {
        ensure(!contains(&bytes, password.as_bytes()), "no password in plain text in the database", || {
            "a company's password is in the database files as it was given".to_owned()
        })?;
    }
    Ok(())
}

async fn api_key(cx: Arc<Ctx>) -> Outcome {
    let key = cx.api_key()?.to_owned();
    let bytes = database_bytes(&cx)?;
    ensure(!contains(&bytes, key.as_bytes()), "no API key in plain text in the database", || {
        "the API key is in the database files as it was given".to_owned()
    })?;
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    ensure(
        contains(&bytes, &digest) || contains(&bytes, hex.as_bytes()),
        "the API key's SHA-256 digest in the database",
        || "neither its raw nor its hex digest is there".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_finds_runs_of_bytes() {
        assert!(contains(b"abcdef", b"cde"));
        assert!(!contains(b"abcdef", b"ce"));
        assert!(!contains(b"abc", b""));
    }
}
