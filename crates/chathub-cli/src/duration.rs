//! Durations as people write them: `1h`, `90m`, `1h30m`, `45s`, `1d`, or bare seconds (`3600`).

use std::time::Duration;

/// Reads a duration: bare seconds, or whole numbers each followed by a unit
/// (`d`, `h`, `m`, `s`, any case), largest unit first, each unit at most
/// once. Zero is refused.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let invalid = || format!("`{text}` is not a duration (expected e.g. 1h, 90m, 1h30m or 3600)");
    if text.is_empty() {
        return Err(invalid());
    }
    let seconds = if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u64>().map_err(|_| invalid())?
    } else {
        let mut total: u64 = 0;
        let mut digits = String::new();
        let mut last_unit_rank = usize::MAX;
        for c in text.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let (rank, unit_seconds) = match c.to_ascii_lowercase() {
                'd' => (3, 86_400),
                'h' => (2, 3_600),
                'm' => (1, 60),
                's' => (0, 1),
                _ => return Err(invalid()),
            };
            if digits.is_empty() || rank >= last_unit_rank {
                return Err(invalid());
            }
            let amount: u64 = digits.parse().map_err(|_| invalid())?;
            total = amount.checked_mul(unit_seconds).and_then(|part| total.checked_add(part)).ok_or_else(invalid)?;
            digits.clear();
            last_unit_rank = rank;
        }
        if !digits.is_empty() {
            return Err(invalid());
        }
        total
    };
    if seconds == 0 {
        return Err("the duration must be longer than zero".to_owned());
    }
    Ok(Duration::from_secs(seconds))
}

/// Writes a duration the way [`parse_duration`] reads it (`1h30m`, `45s`, `25h`).
pub fn format_duration(duration: Duration) -> String {
    let mut rest = duration.as_secs();
    if rest == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, seconds) in [("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= seconds {
            out.push_str(&format!("{}{unit}", rest / seconds));
            rest %= seconds;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_units_and_bare_seconds() {
        let cases = [
            ("1h", 3_600),
            ("90m", 5_400),
            ("1h30m", 5_400),
            ("3600", 3_600),
            ("45s", 45),
            ("1d", 86_400),
            ("2H5M7S", 7_507),
            (" 24h ", 86_400),
            ("1h0m", 3_600),
        ];
        for (text, seconds) in cases {
            assert_eq!(parse_duration(text), Ok(Duration::from_secs(seconds)), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for text in ["", "0", "0h", "h", "1x", "1.5h", "-1h", "30m1h", "1h1h", "1h 30m", "1hm", "99999999999999999999s"]
        {
            assert!(parse_duration(text).is_err(), "{text}");
        }
        assert!(parse_duration("18446744073709551615d").is_err());
    }

    #[test]
    fn writes_what_it_reads() {
        for seconds in [1, 59, 60, 3_600, 5_400, 86_400, 90_061] {
            let duration = Duration::from_secs(seconds);
            assert_eq!(parse_duration(&format_duration(duration)), Ok(duration));
        }
        assert_eq!(format_duration(Duration::from_secs(5_400)), "1h30m");
        assert_eq!(format_duration(Duration::from_secs(90_000)), "25h");
    }
}
