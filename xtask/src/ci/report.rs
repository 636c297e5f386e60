//! What a CI run prints: step headers, durations and the closing summary.

use std::fmt::Write as _;
use std::time::Duration;

/// How a step ended, or why it did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The step ran and succeeded.
    Passed(Duration),
    /// The step ran and failed.
    Failed(Duration),
    /// `--only`/`--skip` left the step out.
    Skipped,
    /// An earlier step failed, so this one never started.
    NotRun,
}

/// `0.4s`, `59.9s`, `1m 05s`, `12m 00s`.
pub fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = duration.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}

/// The closing table: one row per step, then the total time.
pub fn summary(rows: &[(&str, Outcome)], total: Duration) -> String {
    let width = rows.iter().map(|(name, _)| name.len()).chain(["total".len()]).max().unwrap_or(0);
    let mut out = String::from("ci summary\n");
    for (name, outcome) in rows {
        let (result, time) = match outcome {
            Outcome::Passed(took) => ("passed", format_duration(*took)),
            Outcome::Failed(took) => ("FAILED", format_duration(*took)),
            Outcome::Skipped => ("skipped", String::new()),
            Outcome::NotRun => ("not run", String::new()),
        };
        let line = format!("  {name:<width$}  {result:<7}  {time}");
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "  {:<width$}  {:<7}  {}", "total", "", format_duration(total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_seconds_then_minutes() {
        assert_eq!(format_duration(Duration::from_millis(420)), "0.4s");
        assert_eq!(format_duration(Duration::from_millis(59_940)), "59.9s");
        assert_eq!(format_duration(Duration::from_secs(65)), "1m 05s");
        assert_eq!(format_duration(Duration::from_secs(720)), "12m 00s");
    }

    #[test]
    fn summary_lists_every_step_with_its_result() {
        let rows = [
            ("fmt", Outcome::Passed(Duration::from_millis(300))),
            ("clippy", Outcome::Failed(Duration::from_secs(75))),
            ("test", Outcome::NotRun),
            ("deny", Outcome::Skipped),
        ];
        let expected = "ci summary\n\
                        \x20 fmt     passed   0.3s\n\
                        \x20 clippy  FAILED   1m 15s\n\
                        \x20 test    not run\n\
                        \x20 deny    skipped\n\
                        \x20 total            1m 15s\n";
        assert_eq!(summary(&rows, Duration::from_millis(75_300)), expected);
    }
}
