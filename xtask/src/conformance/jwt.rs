//! Forged and hand-signed JWTs for the Decision 12 checks: `alg: none`, a
//! wrong key, a swapped payload, and (with the server's secret) tokens only
//! the server could sign: expired, HS512, without `kind`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Sha256, Sha512};

/// The algorithms the suite can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// HMAC-SHA-256, the only one the server accepts.
    Hs256,
    /// HMAC-SHA-512, which the server must refuse (Decision 12).
    Hs512,
}

/// Base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The three parts of a compact JWT.
pub fn parts(token: &str) -> Option<(&str, &str, &str)> {
    let mut parts = token.split('.');
    let parts3 = (parts.next()?, parts.next()?, parts.next()?);
    parts.next().is_none().then_some(parts3)
}

/// A part's JSON (header or payload), read without verifying anything.
pub fn decode_part(part: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Signs `claims` with `secret`.
pub fn sign(alg: Alg, secret: &[u8], claims: &Value) -> String {
    let name = match alg {
        Alg::Hs256 => "HS256",
        Alg::Hs512 => "HS512",
    };
    let header = json!({"alg": name, "typ": "JWT"});
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let signature = match alg {
        Alg::Hs256 => hmac::<Sha256>(secret, input.as_bytes(), 64),
        Alg::Hs512 => hmac::<Sha512>(secret, input.as_bytes(), 128),
    };
    format!("{input}.{}", b64(&signature))
}

/// The token's payload under an `alg: none` header, without a signature.
pub fn alg_none(token: &str) -> Option<String> {
    let (_, payload, _) = parts(token)?;
    Some(format!("{}.{payload}.", b64(br#"{"alg":"none","typ":"JWT"}"#)))
}

/// The token's header and signature around another payload.
pub fn swap_payload(token: &str, claims: &Value) -> Option<String> {
    let (header, _, signature) = parts(token)?;
    Some(format!("{header}.{}.{signature}", b64(claims.to_string().as_bytes())))
}

/// RFC 2104 HMAC over a block hash.
fn hmac<D: sha2::Digest>(key: &[u8], message: &[u8], block: usize) -> Vec<u8> {
    let mut key = if key.len() > block { D::digest(key).to_vec() } else { key.to_vec() };
    key.resize(block, 0);
    let inner_key: Vec<u8> = key.iter().map(|b| b ^ 0x36).collect();
    let outer_key: Vec<u8> = key.iter().map(|b| b ^ 0x5c).collect();
    let mut inner = D::new();
    inner.update(&inner_key);
    inner.update(message);
    let mut outer = D::new();
    outer.update(&outer_key);
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let (key, data) = (b"Jefe".as_slice(), b"what do ya want for nothing?".as_slice());
        assert_eq!(
            hex(&hmac::<Sha256>(key, data, 64)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac::<Sha512>(key, data, 128)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
    }

    #[test]
    fn hmac_hashes_long_keys_first() {
        // RFC 4231 case 6: a 131-byte key.
        let key = [0xaa_u8; 131];
        let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
        assert_eq!(
            hex(&hmac::<Sha256>(&key, data, 64)),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn rfc_7515_example_verifies() {
        // RFC 7515 appendix A.1: an HS256 JWS and its key.
        let key = URL_SAFE_NO_PAD
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .unwrap();
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        assert_eq!(b64(&hmac::<Sha256>(&key, input.as_bytes(), 64)), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    }

    #[test]
    fn forgeries_keep_the_parts_they_promise() {
        let token = sign(Alg::Hs256, b"k", &json!({"sub": "1"}));
        let (header, payload, signature) = parts(&token).unwrap();
        assert_eq!(decode_part(header).unwrap()["alg"], "HS256");
        let none = alg_none(&token).unwrap();
        assert!(none.ends_with(&format!(".{payload}.")));
        assert_eq!(decode_part(parts(&none).unwrap().0).unwrap()["alg"], "none");
        let swapped = swap_payload(&token, &json!({"sub": "2"})).unwrap();
        assert!(swapped.starts_with(header) && swapped.ends_with(signature));
        assert_eq!(decode_part(parts(&swapped).unwrap().1).unwrap()["sub"], "2");
        assert!(parts("a.b").is_none() && parts("a.b.c.d").is_none());
    }
}
