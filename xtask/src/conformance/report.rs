//! What a run prints: one line per failed check, the closing count, and
//! the machine reports (`--json` on stdout, `--junit FILE`).

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::json;

use super::runner::{Ran, counts};
use super::verdict::{Stop, one_line, redact};

/// `FAIL <id> (§x): expected …; got …`, or `None` when the check did not fail.
pub fn failure_line(ran: &Ran) -> Option<String> {
    match &ran.outcome {
        Err(Stop::Fail { expected, got }) => Some(format!(
            "FAIL {} ({}): expected {}; got {}",
            ran.id,
            ran.section,
            one_line(expected, 300),
            one_line(got, 400)
        )),
        _ => None,
    }
}

/// `skip <id> (§x): <reason>` or `ok   <id> (§x) 0.2s`, for `--verbose`.
pub fn other_line(ran: &Ran) -> Option<String> {
    match &ran.outcome {
        Ok(()) => Some(format!("ok   {} ({}) {:.1}s", ran.id, ran.section, ran.took.as_secs_f64())),
        Err(Stop::Skip(reason)) => Some(format!("skip {} ({}): {}", ran.id, ran.section, one_line(reason, 300))),
        Err(Stop::Fail { .. }) => None,
    }
}

/// The last line: `conformance: N passed, M failed, K skipped`.
pub fn summary_line(results: &[Ran]) -> String {
    let (passed, failed, skipped) = counts(results);
    format!("conformance: {passed} passed, {failed} failed, {skipped} skipped")
}

/// The `--json` report.
pub fn json_report(target: &str, results: &[Ran], took: Duration) -> serde_json::Value {
    let (passed, failed, skipped) = counts(results);
    let checks: Vec<_> = results
        .iter()
        .map(|ran| {
            let mut entry = json!({
                "id": ran.id,
                "section": ran.section,
                "title": ran.title,
                "millis": u64::try_from(ran.took.as_millis()).unwrap_or(u64::MAX),
            });
            match &ran.outcome {
                Ok(()) => entry["outcome"] = json!("passed"),
                Err(Stop::Fail { expected, got }) => {
                    entry["outcome"] = json!("failed");
                    entry["expected"] = json!(redact(expected));
                    entry["got"] = json!(redact(got));
                }
                Err(Stop::Skip(reason)) => {
                    entry["outcome"] = json!("skipped");
                    entry["reason"] = json!(redact(reason));
                }
            }
            entry
        })
        .collect();
    json!({
        "target": target,
        "passed": passed,
        "failed": failed,
        "skipped": skipped,
        "millis": u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        "checks": checks,
    })
}

/// JUnit XML: one `testcase` per check, `failure` and `skipped` elements.
pub fn junit_report(results: &[Ran], took: Duration) -> String {
    let (_, failed, skipped) = counts(results);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"chathub conformance\" tests=\"{}\" failures=\"{failed}\" skipped=\"{skipped}\" time=\"{:.3}\">",
        results.len(),
        took.as_secs_f64()
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"conformance\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\" time=\"{:.3}\">",
        results.len(),
        took.as_secs_f64()
    );
    for ran in results {
        let area = ran.id.split('/').next().unwrap_or(ran.id);
        let _ = write!(
            xml,
            "    <testcase classname=\"conformance.{}\" name=\"{} {}\" time=\"{:.3}\"",
            escape(area),
            escape(ran.id),
            escape(ran.section),
            ran.took.as_secs_f64()
        );
        match &ran.outcome {
            Ok(()) => xml.push_str("/>\n"),
            Err(Stop::Fail { expected, got }) => {
                let _ = write!(
                    xml,
                    ">\n      <failure message=\"expected {}\">got {}</failure>\n    </testcase>\n",
                    escape(&one_line(expected, 300)),
                    escape(&redact(got))
                );
            }
            Err(Stop::Skip(reason)) => {
                let _ = write!(xml, ">\n      <skipped message=\"{}\"/>\n    </testcase>\n", escape(reason));
            }
        }
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// XML text and attribute escaping; characters XML 1.0 cannot hold become `�`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::verdict::{fail, skip};

    fn ran(id: &'static str, outcome: super::super::verdict::Outcome) -> Ran {
        Ran { id, section: "§4.8", title: "t", outcome, took: Duration::from_millis(1500) }
    }

    fn sample() -> Vec<Ran> {
        vec![
            ran("decision-8/a", Ok(())),
            ran("decision-8/b", Err(fail("400 naming $[1].name", "200 application/json [<\"x\">]\u{1}"))),
            ran("decision-8/c", Err(skip("needs writes"))),
        ]
    }

    #[test]
    fn lines_name_the_check_and_the_difference() {
        let results = sample();
        assert_eq!(failure_line(&results[0]), None);
        assert_eq!(
            failure_line(&results[1]).unwrap(),
            "FAIL decision-8/b (§4.8): expected 400 naming $[1].name; got 200 application/json [<\"x\">]\u{1}"
        );
        assert_eq!(other_line(&results[2]).unwrap(), "skip decision-8/c (§4.8): needs writes");
        assert_eq!(summary_line(&results), "conformance: 1 passed, 1 failed, 1 skipped");
    }

    #[test]
    fn json_counts_and_outcomes() {
        let report = json_report("http://x", &sample(), Duration::from_secs(2));
        assert_eq!(
            (report["passed"].as_u64(), report["failed"].as_u64(), report["skipped"].as_u64()),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(report["checks"][1]["outcome"], "failed");
        assert_eq!(report["checks"][2]["reason"], "needs writes");
    }

    #[test]
    fn junit_is_escaped_and_counted() {
        let xml = junit_report(&sample(), Duration::from_secs(2));
        assert!(xml.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""), "{xml}");
        assert!(xml.contains("got 200 application/json [&lt;&quot;x&quot;&gt;]\u{fffd}</failure>"), "{xml}");
        assert!(xml.contains("<skipped message=\"needs writes\"/>"), "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 3);
    }
}
