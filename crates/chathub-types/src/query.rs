//! Query-string reading shared by list endpoints.

/// The first value of parameter `name` (matched without regard to ASCII
/// case, as ASP.NET binds), percent-decoded; `+` reads as a space.
pub fn first_value(raw: &str, name: &str) -> Option<String> {
    raw.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        decode(key).eq_ignore_ascii_case(name).then(|| decode(value))
    })
}

/// Every value of parameter `name`, in order.
pub fn all_values(raw: &str, name: &str) -> Vec<String> {
    raw.split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            decode(key).eq_ignore_ascii_case(name).then(|| decode(value))
        })
        .collect()
}

/// A whole integer in the 32-bit range, optionally signed, surrounding
/// spaces allowed; nothing else (no fraction, exponent or empty string).
pub fn parse_i32(text: &str) -> Option<i32> {
    parse_integer(text)
}

/// A whole integer in `T`'s range, read as [`parse_i32`] reads one.
pub fn parse_integer<T: std::str::FromStr>(text: &str) -> Option<T> {
    let text = text.trim();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The message for a value a parameter cannot take, as ASP.NET words it:
/// `The value 'abc' is not valid for organizationId.` (the value cut at 32
/// characters).
pub fn not_valid(name: &str, value: &str) -> String {
    format!("The value '{}' is not valid for {name}.", value.chars().take(32).collect::<String>())
}

/// Percent-decodes a query component; invalid escapes are kept as written
/// and invalid UTF-8 is replaced.
pub fn decode(component: &str) -> String {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => match (hex(bytes[index + 1]), hex(bytes[index + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    index += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query component: everything but RFC 3986's
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`).
///
/// ```
/// assert_eq!(chathub_types::query::encode("a+b/c= ✓"), "a%2Bb%2Fc%3D%20%E2%9C%93");
/// ```
pub fn encode(component: &str) -> String {
    let mut out = String::with_capacity(component.len());
    for byte in component.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(HEX_DIGITS[usize::from(byte & 0x0F)]));
        }
    }
    out
}

const HEX_DIGITS: &[u8; 16] = b"0123456789ABCDEF";

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_broken_ones() {
        assert_eq!(decode("a%20b+c"), "a b c");
        assert_eq!(decode("%2"), "%2");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%E2%9C%93"), "✓");
        assert_eq!(decode(&encode("a b+c/✓~")), "a b+c/✓~");
    }

    #[test]
    fn integers_only() {
        assert_eq!(parse_i32(" 24 "), Some(24));
        assert_eq!(parse_i32("+7"), Some(7));
        assert_eq!(parse_i32("2147483648"), None);
        assert_eq!(parse_i32("1e3"), None);
        assert_eq!(parse_i32("-"), None);
        assert_eq!(parse_integer::<i64>(" -9007199254740993 "), Some(-9_007_199_254_740_993));
        assert_eq!(parse_integer::<i64>("1.0"), None);
        assert_eq!(first_value("a=1&ORGANIZATIONID=5&organizationId=6", "organizationId"), Some("5".into()));
    }
}
