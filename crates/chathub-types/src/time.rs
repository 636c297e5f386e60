//! Date-times on the wire (Decision 13).
//!
//! Reading accepts RFC 3339 with any offset (`Z`, `+02:00`) or none at all
//! (read as UTC), with any number of fractional digits (.NET writes up to
//! 7). Writing always uses UTC with a `Z` and whole seconds or
//! milliseconds, cut and never rounded.
//!
//! ```
//! use chathub_types::time::{format_instant, parse_instant};
//! let t = parse_instant("2025-01-20T16:33:34.1479999+02:00").unwrap();
//! assert_eq!(format_instant(t), "2025-01-20T14:33:34.147Z");
//! let t = parse_instant("2025-12-31T23:59:59").unwrap();
//! assert_eq!(format_instant(t), "2025-12-31T23:59:59Z");
//! ```

use chrono::{DateTime, Datelike, NaiveDateTime, SubsecRound, Timelike, Utc};

/// Why a date-time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an ISO 8601 date-time (expected e.g. 2025-12-31T23:59:59Z)")]
pub struct InstantError {
    /// The text that failed (cut to 64 characters).
    pub input: String,
}

/// Reads a date-time as Decision 13 says.
pub fn parse_instant(input: &str) -> Result<DateTime<Utc>, InstantError> {
    let error = || InstantError { input: input.chars().take(64).collect() };
    let text = input.trim();
    // Only the shape `YYYY-MM-DDTHH:MM:SS[.fff…][offset]`: four-digit years, a time part.
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return Err(error());
    }
    // An offset may move the instant outside years 1-9999, which RFC 3339 cannot write back.
    let in_range = |instant: DateTime<Utc>| (1..=9999).contains(&instant.year());
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        let instant = with_offset.with_timezone(&Utc);
        return if in_range(instant) { Ok(instant) } else { Err(error()) };
    }
    // No offset: read as UTC.
    let separator = bytes[10];
    if !matches!(separator, b'T' | b't' | b' ') {
        return Err(error());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dt%H:%M:%S%.f"))
        .ok()
        .map(|naive| naive.and_utc())
        .filter(|instant| in_range(*instant))
        .ok_or_else(error)
}

/// Cuts an instant to whole milliseconds (never rounding up).
pub fn truncate_to_millis(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant.trunc_subsecs(3)
}

/// Cuts an instant to whole seconds (never rounding up).
pub fn truncate_to_seconds(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant.trunc_subsecs(0)
}

/// Writes an instant: UTC, `Z`, whole seconds when there are no
/// milliseconds, else milliseconds (cut).
pub fn format_instant(instant: DateTime<Utc>) -> String {
    let millis = instant.nanosecond() % 1_000_000_000 / 1_000_000;
    if millis == 0 {
        instant.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        format!("{}.{millis:03}Z", instant.format("%Y-%m-%dT%H:%M:%S"))
    }
}

/// A serde module for `DateTime<Utc>` fields: `#[serde(with = "chathub_types::time::rfc3339")]`.
pub mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    /// Writes [`super::format_instant`].
    pub fn serialize<S: Serializer>(instant: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_instant(*instant))
    }

    /// Reads with [`super::parse_instant`].
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        super::parse_instant(&text).map_err(D::Error::custom)
    }

    /// The same for `Option<DateTime<Utc>>` (null when absent).
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

        /// Writes the instant or `null`.
        pub fn serialize<S: Serializer>(instant: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
            match instant {
                Some(instant) => serializer.serialize_str(&super::super::format_instant(*instant)),
                None => serializer.serialize_none(),
            }
        }

        /// Reads an instant, or `None` for `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
            let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(deserializer)?;
            text.map(|text| super::super::parse_instant(&text).map_err(D::Error::custom)).transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_offsets_fractions_and_bare_times() {
        let expected = parse_instant("2025-01-20T14:33:34.147Z").unwrap();
        for text in [
            "2025-01-20T14:33:34.147Z",
            "2025-01-20T14:33:34.1470000Z",
            "2025-01-20T16:33:34.147+02:00",
            "2025-01-20T14:33:34.147",
            "2025-01-20 14:33:34.147",
            "2025-01-20t14:33:34.147z",
        ] {
            assert_eq!(parse_instant(text).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_date_time() {
        for text in [
            "",
            "tomorrow",
            "2025-01-20",
            "20250120T143334Z",
            "2025-13-01T00:00:00Z",
            "+2025-01-20T14:33:34Z",
            "١٢٣٤-01-20T14:33:34Z",
        ] {
            assert!(parse_instant(text).is_err(), "{text}");
        }
    }

    #[test]
    fn writes_cut_not_rounded() {
        let t = parse_instant("2025-01-20T14:33:34.9999999Z").unwrap();
        assert_eq!(format_instant(t), "2025-01-20T14:33:34.999Z");
        assert_eq!(format_instant(truncate_to_seconds(t)), "2025-01-20T14:33:34Z");
    }
}
