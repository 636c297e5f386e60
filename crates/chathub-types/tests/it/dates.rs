//! Decision 13: every accepted date-time form reads back as the instant it
//! names; writing is UTC, `Z`, whole seconds or milliseconds, cut.

use chathub_types::time::{format_instant, parse_instant, truncate_to_millis, truncate_to_seconds};
use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};
use proptest::prelude::*;

use crate::support::{self, instant};

/// How the offset of a generated date-time is written.
#[derive(Debug, Clone, Copy)]
enum Zone {
    /// `Z` (or `z`).
    Utc { lower: bool },
    /// `+HH:MM` / `-HH:MM`, in minutes east of UTC.
    Offset(i32),
    /// No offset at all: read as UTC.
    Bare,
}

fn zone() -> impl Strategy<Value = Zone> {
    prop_oneof![
        any::<bool>().prop_map(|lower| Zone::Utc { lower }),
        (-(23 * 60 + 59)..=(23 * 60 + 59)).prop_map(Zone::Offset),
        Just(Zone::Bare),
    ]
}

/// Writes `instant` with `digits` fractional digits (cut) in `zone`; returns
/// the text and the exact instant it names.
fn render(instant: DateTime<Utc>, digits: usize, zone: Zone, separator: char) -> (String, DateTime<Utc>) {
    let mut minutes = match zone {
        Zone::Offset(minutes) => minutes,
        _ => 0,
    };
    let mut local = instant.naive_utc() + TimeDelta::minutes(i64::from(minutes));
    if !(1..=9999).contains(&local.year()) {
        // Keep the wall-clock text in years 1..=9999 by flipping the offset.
        minutes = -minutes;
        local = instant.naive_utc() + TimeDelta::minutes(i64::from(minutes));
    }
    let nanos = format!("{:09}", instant.nanosecond());
    let fraction = if digits == 0 { String::new() } else { format!(".{}", &nanos[..digits]) };
    let suffix = match zone {
        Zone::Utc { lower: false } => "Z".to_owned(),
        Zone::Utc { lower: true } => "z".to_owned(),
        Zone::Offset(_) => {
            let sign = if minutes < 0 { '-' } else { '+' };
            format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
        }
        Zone::Bare => String::new(),
    };
    let text = format!("{}{separator}{}{fraction}{suffix}", local.format("%Y-%m-%d"), local.format("%H:%M:%S"));
    let kept =
        if digits == 0 { 0 } else { nanos[..digits].parse::<u32>().expect("digits") * 10u32.pow(9 - digits as u32) };
    let named = instant.with_nanosecond(kept).expect("a nanosecond count below 10^9");
    (text, named)
}

/// Whether `text` is what Decision 13 says we write.
fn is_written_form(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let base = (0..4).all(digit)
        && bytes.get(4) == Some(&b'-')
        && (5..7).all(digit)
        && bytes.get(7) == Some(&b'-')
        && (8..10).all(digit)
        && bytes.get(10) == Some(&b'T')
        && (11..13).all(digit)
        && bytes.get(13) == Some(&b':')
        && (14..16).all(digit)
        && bytes.get(16) == Some(&b':')
        && (17..19).all(digit);
    base && match bytes.len() {
        20 => bytes[19] == b'Z',
        24 => bytes[19] == b'.' && (20..23).all(digit) && bytes[23] == b'Z' && &bytes[20..23] != b"000",
        _ => false,
    }
}

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/dates.txt"))]

    /// Any instant of years 1..=9999, with 0–7 fractional digits, with `Z`,
    /// any offset or none, reads as the instant it names; written and read
    /// again it equals that instant cut to milliseconds.
    #[test]
    fn every_accepted_form_round_trips(
        instant in instant(),
        digits in 0usize..=7,
        zone in zone(),
        separator in prop_oneof![3 => Just('T'), 1 => Just('t'), 1 => Just(' ')],
    ) {
        let (text, named) = render(instant, digits, zone, separator);
        let read = parse_instant(&text);
        prop_assert_eq!(read.as_ref().ok(), Some(&named), "{} did not read as {}", text, named);
        let written = format_instant(named);
        prop_assert!(is_written_form(&written), "{} is not a Decision 13 form", written);
        prop_assert_eq!(parse_instant(&written).ok(), Some(truncate_to_millis(named)));
    }

    /// Writing cuts: the written instant is never later than the real one
    /// and less than a millisecond earlier.
    #[test]
    fn writing_cuts_and_never_rounds(instant in instant()) {
        let written = parse_instant(&format_instant(instant)).expect("we read what we write");
        prop_assert!(written <= instant);
        prop_assert!(instant - written < TimeDelta::milliseconds(1));
        prop_assert_eq!(written, truncate_to_millis(instant));
        prop_assert!(truncate_to_seconds(instant) <= written);
    }

    /// The serde module of date fields reads and writes the same forms.
    #[test]
    fn serde_module_agrees_with_the_functions(instant in instant(), digits in 0usize..=7, zone in zone()) {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Holder {
            #[serde(with = "chathub_types::time::rfc3339")]
            at: DateTime<Utc>,
        }
        let (text, named) = render(instant, digits, zone, 'T');
        let body = serde_json::json!({ "at": text }).to_string();
        let holder: Holder = chathub_types::json::from_slice(body.as_bytes()).expect("an accepted form");
        prop_assert_eq!(holder.at, named);
        let written = serde_json::to_value(&holder).expect("serializable");
        let expected = format_instant(named);
        prop_assert_eq!(written["at"].as_str(), Some(expected.as_str()));
    }
}

#[test]
fn spec_examples_read_as_written() {
    let t = parse_instant("2025-01-20T14:33:34.147Z").unwrap();
    assert_eq!((t.timestamp(), t.timestamp_subsec_millis()), (1_737_383_614, 147));
    assert_eq!(format_instant(t), "2025-01-20T14:33:34.147Z");
    let t = parse_instant("2025-12-31T23:59:59Z").unwrap();
    assert_eq!(t.timestamp(), 1_767_225_599);
    assert_eq!(format_instant(t), "2025-12-31T23:59:59Z");
}

#[test]
fn seven_digits_as_dotnet_writes_them() {
    let t = parse_instant("2025-01-20T14:33:34.1234567+00:00").unwrap();
    assert_eq!(t.timestamp_subsec_nanos(), 123_456_700);
    assert_eq!(format_instant(t), "2025-01-20T14:33:34.123Z");
    // Under a millisecond: whole seconds are written, not `.000`.
    let t = parse_instant("2025-01-20T14:33:34.0009999Z").unwrap();
    assert_eq!(format_instant(t), "2025-01-20T14:33:34Z");
}

#[test]
fn first_and_last_years_are_accepted() {
    let first = parse_instant("0001-01-01T00:00:00Z").unwrap();
    assert_eq!(first.timestamp(), support::YEAR_1_SECS);
    assert_eq!(format_instant(first), "0001-01-01T00:00:00Z");
    let last = parse_instant("9999-12-31T23:59:59.9999999").unwrap();
    assert_eq!(format_instant(last), "9999-12-31T23:59:59.999Z");
    let east = parse_instant("0001-01-01T23:59:00+23:59").unwrap();
    assert_eq!(east, first);
}

#[test]
fn malformed_date_times_are_refused() {
    for text in [
        "2025-01-20T14:33Z",
        "2025-01-20T14:33:34+0200",
        "2025-01-20T14:33:34+24:00",
        "2025-01-20T14:33:34 Z",
        "2025-02-30T00:00:00Z",
        "2025-01-20T25:00:00Z",
        "2025-01-20T14:33:34.Z",
        "25-01-20T14:33:34Z",
        "2025-01-20X14:33:34",
        "  ",
        "null",
    ] {
        let error = parse_instant(text).expect_err(text);
        assert!(error.to_string().contains(text.trim()), "{error}");
    }
}
