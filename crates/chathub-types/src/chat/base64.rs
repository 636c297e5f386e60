//! Base64 as Decision 26 reads it: the RFC 4648 standard alphabet, padded
//! to whole quanta, ASCII whitespace anywhere skipped.

/// Why base64 text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    /// A character outside the alphabet (the position counts every character).
    #[error("the character at position {0} is not base64 (RFC 4648: A-Z a-z 0-9 + /)")]
    InvalidCharacter(usize),
    /// The length (without whitespace) is not a multiple of 4.
    #[error("the data is not padded to a multiple of 4 characters")]
    Unpadded,
    /// `=` somewhere other than the last one or two places.
    #[error("padding `=` appears before the end")]
    MisplacedPadding,
    /// More decoded bytes than allowed.
    #[error("the decoded data is larger than {0} bytes")]
    TooLarge(usize),
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes `text`, refusing anything that would decode to more than
/// `max_bytes` before allocating for it.
///
/// ```
/// use chathub_types::chat::base64::decode;
/// assert_eq!(decode("aGk=", 10).unwrap(), b"hi");
/// assert_eq!(decode(" aG\r\nk= ", 10).unwrap(), b"hi");
/// assert!(decode("aGk", 10).is_err());
/// assert!(decode("aGk=", 1).is_err());
/// ```
pub fn decode(text: &str, max_bytes: usize) -> Result<Vec<u8>, Base64Error> {
    let mut symbols = 0usize;
    for (position, byte) in text.bytes().enumerate() {
        if byte.is_ascii_whitespace() {
            continue;
        }
        if byte != b'=' && sextet(byte).is_none() {
            return Err(Base64Error::InvalidCharacter(text[..position].chars().count()));
        }
        symbols += 1;
    }
    if !symbols.is_multiple_of(4) {
        return Err(Base64Error::Unpadded);
    }
    if symbols / 4 * 3 > max_bytes.saturating_add(2) {
        return Err(Base64Error::TooLarge(max_bytes));
    }
    let mut out = Vec::with_capacity(symbols / 4 * 3);
    let mut quantum = [0u8; 4];
    let mut filled = 0;
    let mut padding = 0;
    let mut seen = 0;
    for byte in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        seen += 1;
        if byte == b'=' {
            // Only the last two symbols of the text may be padding.
            if seen + 2 <= symbols {
                return Err(Base64Error::MisplacedPadding);
            }
            padding += 1;
            quantum[filled] = 0;
        } else {
            if padding > 0 {
                return Err(Base64Error::MisplacedPadding);
            }
            quantum[filled] = sextet(byte).unwrap_or(0);
        }
        filled += 1;
        if filled == 4 {
            let bits = u32::from(quantum[0]) << 18
                | u32::from(quantum[1]) << 12
                | u32::from(quantum[2]) << 6
                | u32::from(quantum[3]);
            let bytes = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
            out.extend_from_slice(&bytes[..3 - padding]);
            filled = 0;
        }
    }
    if padding > 2 {
        return Err(Base64Error::MisplacedPadding);
    }
    if out.len() > max_bytes {
        return Err(Base64Error::TooLarge(max_bytes));
    }
    Ok(out)
}

/// Encodes bytes as padded standard base64 (for tests, clients and seeds).
pub fn encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let bits = u32::from(chunk[0]) << 16
            | u32::from(chunk.get(1).copied().unwrap_or(0)) << 8
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(char::from(ALPHABET[(bits >> (18 - 6 * index) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_test_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded, 100).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn refuses_what_is_not_padded_standard_base64() {
        assert_eq!(decode("Zg", 10), Err(Base64Error::Unpadded));
        assert_eq!(decode("Zg=a", 10), Err(Base64Error::MisplacedPadding));
        assert_eq!(decode("Z===", 10), Err(Base64Error::MisplacedPadding));
        assert_eq!(decode("====", 10), Err(Base64Error::MisplacedPadding));
        assert_eq!(decode("Zg==Zg==", 10), Err(Base64Error::MisplacedPadding));
        assert_eq!(decode("Zm9-", 10), Err(Base64Error::InvalidCharacter(3)));
        assert_eq!(decode("Zm9_", 10), Err(Base64Error::InvalidCharacter(3)));
        assert_eq!(decode("Zm9v", 2), Err(Base64Error::TooLarge(2)));
        assert_eq!(decode("Zm\t9v\n", 3).unwrap(), b"foo");
    }

    #[test]
    fn every_byte_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        for len in 0..bytes.len() {
            assert_eq!(decode(&encode(&bytes[..len]), 1000).unwrap(), &bytes[..len]);
        }
    }
}
