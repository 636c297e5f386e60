//! Measurements, their medians and spread, the markdown table, and
//! docs/performance.md (whose hand-written intro above the marker is kept).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::machine::Machine;
use super::scenario::{ALL, Scenario, Target};
use super::wrk::{self, Outcome};

/// The line after which docs/performance.md is written by the bench.
pub const MARKER: &str = "<!-- Written by `cargo xtask bench` from here to the end; edit only above this line. -->";

/// Which server a measurement is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// chathub-server, the product.
    Server,
    /// benches/baseline.
    Baseline,
}

impl Side {
    /// Its name in logs and tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Server => "chathub-server",
            Self::Baseline => "baseline",
        }
    }
}

/// One measured run of one server.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The scenario.
    pub scenario: Scenario,
    /// The server.
    pub side: Side,
    /// Which round (from 1).
    pub round: u32,
    /// What wrk saw.
    pub outcome: Outcome,
    /// Failed answers during the warm-up.
    pub warmup_errors: u64,
    /// Server CPU time (user + system) per answered request, in µs.
    pub cpu_us_per_request: f64,
    /// RSS after start, before any request.
    pub idle_rss_kib: u64,
    /// Peak RSS (VmHWM) at the end of the run.
    pub peak_rss_kib: u64,
    /// The probe answer, reduced for comparison.
    pub probe: String,
}

impl Measurement {
    /// Failed answers: status >= 400, socket errors, timeouts, warm-up included.
    pub fn errors(&self) -> u64 {
        self.outcome.bad_status + self.outcome.socket_errors + self.warmup_errors
    }

    /// A progress line.
    pub fn one_line(&self) -> String {
        format!(
            "{:<26} round {} {:<15} {:>10} req/s  p50 {:>8} ms  p99 {:>8} ms  cpu {:>7} µs/req  peak {:>6} MiB  errors {}",
            self.scenario.title(),
            self.round,
            self.side.name(),
            rate(self.outcome.rate()),
            millis(self.outcome.p50),
            millis(self.outcome.p99),
            micros(self.cpu_us_per_request),
            mib(self.peak_rss_kib),
            self.errors()
        )
    }
}

/// A median with the smallest and largest value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The median (the mean of the middle two for an even count).
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`, `None` when there are none.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut values: Vec<f64> = values.into_iter().collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let middle = values.len() / 2;
        let median =
            if values.len() % 2 == 1 { values[middle] } else { f64::midpoint(values[middle - 1], values[middle]) };
        Some(Self { median, min: values[0], max: values[values.len() - 1] })
    }

    fn show(&self, format: fn(f64) -> String) -> String {
        if self.min == self.max {
            format(self.median)
        } else {
            format!("{} ({}–{})", format(self.median), format(self.min), format(self.max))
        }
    }
}

/// What surrounds the table.
#[derive(Debug, Clone)]
pub struct Context {
    /// The machine.
    pub machine: Machine,
    /// The command that produced the report.
    pub command: String,
    /// Load averages before and after.
    pub load: String,
    /// Measured seconds per run.
    pub duration: Duration,
    /// Warm-up seconds per run.
    pub warmup: Duration,
    /// A remark given with `--note`.
    pub note: Option<String>,
}

/// Every measurement of a bench run.
#[derive(Debug, Default)]
pub struct Report {
    rounds: u32,
    measurements: Vec<Measurement>,
}

impl Report {
    /// An empty report for `rounds` rounds.
    pub fn new(rounds: u32) -> Self {
        Self { rounds, measurements: Vec::new() }
    }

    /// Adds one measurement.
    pub fn add(&mut self, measurement: Measurement) {
        self.measurements.push(measurement);
    }

    fn of(&self, scenario: Scenario, side: Side) -> impl Iterator<Item = &Measurement> {
        self.measurements.iter().filter(move |m| m.scenario == scenario && m.side == side)
    }

    fn find(&self, scenario: Scenario, side: Side, round: u32) -> Option<&Measurement> {
        self.of(scenario, side).find(|m| m.round == round)
    }

    fn scenarios(&self) -> Vec<Scenario> {
        ALL.into_iter().filter(|&s| self.measurements.iter().any(|m| m.scenario == s)).collect()
    }

    /// Server req/s over baseline req/s, per round.
    fn ratios(&self, scenario: Scenario) -> Vec<f64> {
        (1..=self.rounds)
            .filter_map(|round| {
                let server = self.find(scenario, Side::Server, round)?.outcome.rate();
                let baseline = self.find(scenario, Side::Baseline, round)?.outcome.rate();
                (baseline > 0.0).then(|| server / baseline)
            })
            .collect()
    }

    /// Failed requests and answers that differ between the servers.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for m in &self.measurements {
            if m.errors() > 0 {
                problems.push(format!(
                    "{} on {}, round {}: {} answers with status >= 400, {} socket errors or timeouts, {} failures in the warm-up",
                    m.scenario.title(),
                    m.side.name(),
                    m.round,
                    m.outcome.bad_status,
                    m.outcome.socket_errors,
                    m.warmup_errors
                ));
            }
        }
        for scenario in self.scenarios() {
            for round in 1..=self.rounds {
                if let (Some(server), Some(baseline)) =
                    (self.find(scenario, Side::Server, round), self.find(scenario, Side::Baseline, round))
                    && server.probe != baseline.probe
                {
                    problems.push(format!(
                        "{}, round {round}: the servers answered differently:\n    chathub-server: {}\n    baseline:       {}",
                        scenario.title(),
                        server.probe,
                        baseline.probe
                    ));
                }
            }
        }
        problems
    }

    /// Whether `scenario` met its target, and the target as text.
    fn verdict(&self, scenario: Scenario) -> Option<(bool, String)> {
        Some(match scenario.target() {
            Target::Ratio(least) => {
                let ratio = Spread::of(self.ratios(scenario))?.median;
                (ratio >= least, format!("≥ {least}×"))
            }
            Target::RateAndMemory(least, below_mib) => {
                let rate = Spread::of(self.of(scenario, Side::Server).map(|m| m.outcome.rate()))?.median;
                let peak = self.of(scenario, Side::Server).map(|m| m.peak_rss_kib).max()? as f64 / 1024.0;
                (rate >= least && peak < below_mib, format!("≥ {least}/s, peak < {below_mib} MiB"))
            }
        })
    }

    /// The generated part of docs/performance.md.
    pub fn markdown(&self, context: &Context) -> String {
        let mut out = String::new();
        let machine = &context.machine;
        let _ = writeln!(out, "## Results\n");
        let _ = writeln!(out, "- Command: `{}`", context.command);
        let _ = writeln!(
            out,
            "- Machine: {} CPUs ({}), {} MiB memory, Linux {}",
            machine.cpus, machine.cpu_model, machine.memory_mib, machine.kernel
        );
        let _ = writeln!(out, "- Load average (1, 5, 15 min): {}", context.load);
        let _ = writeln!(
            out,
            "- Each run: a fresh server, {} s warm-up, then {} s of `wrk -c {} -t {} --timeout {}s --latency`; {} rounds, alternating which server goes first",
            context.warmup.as_secs(),
            context.duration.as_secs(),
            wrk::CONNECTIONS,
            wrk::THREADS,
            wrk::TIMEOUT_SECS,
            self.rounds
        );
        if let Some(note) = &context.note {
            let _ = writeln!(out, "- Note: {note}");
        }
        let _ = writeln!(out, "\nMedians over the rounds, (min–max) where they differ.\n");
        let _ = writeln!(
            out,
            "| scenario | chathub-server req/s | baseline req/s | ratio | p50 ms server / baseline | p99 ms server / baseline | CPU µs/req server / baseline | peak RSS MiB server / baseline | errors server / baseline | target |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        for scenario in self.scenarios() {
            let _ = writeln!(out, "{}", self.row(scenario));
        }
        let idle = |side| Spread::of(self.of_all(side).map(|m| m.idle_rss_kib as f64 / 1024.0));
        if let (Some(server), Some(baseline)) = (idle(Side::Server), idle(Side::Baseline)) {
            let met = if server.median < 30.0 { "met" } else { "**missed**" };
            let _ = writeln!(
                out,
                "\nIdle RSS after start (seeded, before the first request), over {} starts: chathub-server {} MiB, baseline {} MiB. Target for chathub-server < 30 MiB: {met}.",
                self.of_all(Side::Server).count(),
                server.show(one_decimal),
                baseline.show(one_decimal)
            );
        }
        let _ = writeln!(out, "\n### Rounds\n");
        let _ = writeln!(out, "| scenario | round | first | chathub-server req/s | baseline req/s | ratio |");
        let _ = writeln!(out, "|---|--:|---|--:|--:|--:|");
        for scenario in self.scenarios() {
            for round in 1..=self.rounds {
                let (Some(server), Some(baseline)) =
                    (self.find(scenario, Side::Server, round), self.find(scenario, Side::Baseline, round))
                else {
                    continue;
                };
                let first = if round % 2 == 1 { Side::Server } else { Side::Baseline };
                let (s, b) = (server.outcome.rate(), baseline.outcome.rate());
                let _ = writeln!(
                    out,
                    "| {} | {round} | {} | {} | {} | {} |",
                    scenario.title(),
                    first.name(),
                    rate(s),
                    rate(b),
                    ratio(s / b.max(f64::MIN_POSITIVE))
                );
            }
        }
        out
    }

    fn of_all(&self, side: Side) -> impl Iterator<Item = &Measurement> {
        self.measurements.iter().filter(move |m| m.side == side)
    }

    fn row(&self, scenario: Scenario) -> String {
        let column = |side, value: fn(&Measurement) -> f64, format: fn(f64) -> String| {
            Spread::of(self.of(scenario, side).map(value)).map_or_else(|| "–".to_owned(), |s| s.show(format))
        };
        let pair = |value: fn(&Measurement) -> f64, format: fn(f64) -> String| {
            let median = |side| {
                Spread::of(self.of(scenario, side).map(value)).map_or_else(|| "–".to_owned(), |s| format(s.median))
            };
            format!("{} / {}", median(Side::Server), median(Side::Baseline))
        };
        let peak = |side| self.of(scenario, side).map(|m| m.peak_rss_kib).max().map_or_else(|| "–".to_owned(), mib);
        let errors = |side| self.of(scenario, side).map(Measurement::errors).sum::<u64>();
        let target = match self.verdict(scenario) {
            Some((true, text)) => format!("{text}: met"),
            Some((false, text)) => format!("{text}: **missed**"),
            None => "–".to_owned(),
        };
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} / {} | {} / {} | {target} |",
            scenario.title(),
            column(Side::Server, |m| m.outcome.rate(), rate),
            column(Side::Baseline, |m| m.outcome.rate(), rate),
            Spread::of(self.ratios(scenario)).map_or_else(|| "–".to_owned(), |s| s.show(ratio)),
            pair(|m| m.outcome.p50.as_secs_f64() * 1e3, latency),
            pair(|m| m.outcome.p99.as_secs_f64() * 1e3, latency),
            pair(|m| m.cpu_us_per_request, micros),
            peak(Side::Server),
            peak(Side::Baseline),
            errors(Side::Server),
            errors(Side::Baseline),
        )
    }
}

/// Replaces what follows [`MARKER`] in `path` with `section`, keeping the
/// hand-written text above it (a missing file or marker gets one).
pub fn write_docs(path: &Path, section: &str) -> anyhow::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    std::fs::write(path, merge(&existing, section))?;
    Ok(())
}

fn merge(existing: &str, section: &str) -> String {
    let intro = match existing.find(MARKER) {
        Some(at) => existing[..at].to_owned(),
        None if existing.trim().is_empty() => "# Performance\n\n".to_owned(),
        None => format!("{}\n\n", existing.trim_end()),
    };
    format!("{intro}{MARKER}\n\n{section}")
}

fn rate(value: f64) -> String {
    if value >= 100.0 { thousands(value.round() as u64) } else { format!("{value:.1}") }
}

fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn ratio(value: f64) -> String {
    if value >= 0.1 { format!("{value:.2}×") } else { format!("{value:.5}×") }
}

fn latency(ms: f64) -> String {
    if ms < 10.0 { format!("{ms:.2}") } else { format!("{ms:.0}") }
}

fn millis(duration: Duration) -> String {
    latency(duration.as_secs_f64() * 1e3)
}

fn micros(value: f64) -> String {
    if value >= 100.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

fn mib(kib: u64) -> String {
    one_decimal(kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement(scenario: Scenario, side: Side, round: u32, requests: u64) -> Measurement {
        Measurement {
            scenario,
            side,
            round,
            outcome: Outcome {
                requests,
                duration: Duration::from_secs(1),
                p50: Duration::from_micros(1_500),
                p99: Duration::from_millis(12),
                bad_status: 0,
                socket_errors: 0,
            },
            warmup_errors: 0,
            cpu_us_per_request: 42.0,
            idle_rss_kib: 10 * 1024,
            peak_rss_kib: 20 * 1024,
            probe: "200 application/json\n[]".to_owned(),
        }
    }

    fn report(server: &[u64], baseline: &[u64]) -> Report {
        let mut report = Report::new(server.len() as u32);
        for (round, (&s, &b)) in (1..).zip(server.iter().zip(baseline)) {
            report.add(measurement(Scenario::Organizations, Side::Server, round, s));
            report.add(measurement(Scenario::Organizations, Side::Baseline, round, b));
        }
        report
    }

    #[test]
    fn spreads_take_the_middle() {
        let odd = Spread::of([3.0, 1.0, 2.0]).unwrap();
        assert_eq!((odd.median, odd.min, odd.max), (2.0, 1.0, 3.0));
        assert_eq!(Spread::of([4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert_eq!(Spread::of([]), None);
        assert_eq!(Spread::of([5.0]).unwrap().show(one_decimal), "5.0");
        assert_eq!(Spread::of([5.0, 7.0, 6.0]).unwrap().show(one_decimal), "6.0 (5.0–7.0)");
    }

    #[test]
    fn ratios_pair_rounds_and_decide_the_target() {
        let met = report(&[900, 850, 800], &[1000, 1000, 1000]);
        assert_eq!(met.ratios(Scenario::Organizations), [0.9, 0.85, 0.8]);
        assert_eq!(met.verdict(Scenario::Organizations), Some((true, "≥ 0.8×".to_owned())));
        let missed = report(&[700, 900, 750], &[1000, 1000, 1000]);
        assert_eq!(missed.verdict(Scenario::Organizations).map(|v| v.0), Some(false));
        assert_eq!(missed.verdict(Scenario::SignIn), None);
    }

    #[test]
    fn errors_and_differing_answers_are_problems() {
        let mut clean = report(&[1, 2], &[3, 4]);
        assert!(clean.problems().is_empty());
        let mut bad = measurement(Scenario::Operators, Side::Server, 1, 10);
        bad.outcome.bad_status = 2;
        bad.probe = "200 application/json\n[1]".to_owned();
        clean.add(bad);
        clean.add(measurement(Scenario::Operators, Side::Baseline, 1, 10));
        let problems = clean.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("2 answers with status >= 400"));
        assert!(problems[1].contains("answered differently"));
    }

    #[test]
    fn the_table_has_a_row_per_scenario_and_the_idle_line() {
        let report = report(&[900, 1_200, 1_100], &[1000, 1000, 1000]);
        let context = Context {
            machine: Machine { cpus: 2, cpu_model: "Test CPU".to_owned(), kernel: "6.0".to_owned(), memory_mib: 4096 },
            command: "cargo xtask bench".to_owned(),
            load: "0.1 0.2 0.3 before, 1.0 1.0 1.0 after".to_owned(),
            duration: Duration::from_secs(5),
            warmup: Duration::from_secs(1),
            note: Some("shared with compile jobs".to_owned()),
        };
        let text = report.markdown(&context);
        assert!(text.contains("- Command: `cargo xtask bench`"));
        assert!(text.contains("2 CPUs (Test CPU)"));
        assert!(text.contains("- Note: shared with compile jobs"));
        assert!(text.contains(
            "| list organizations | 1,100 (900–1,200) | 1,000 | 1.10× (0.90×–1.20×) | 1.50 / 1.50 | 12 / 12 | 42.0 / 42.0 | 20.0 / 20.0 | 0 / 0 | ≥ 0.8×: met |"
        ), "{text}");
        assert!(text.contains("chathub-server 10.0 MiB, baseline 10.0 MiB. Target for chathub-server < 30 MiB: met."));
        assert!(text.contains("| list organizations | 2 | baseline | 1,200 | 1,000 | 1.20× |"));
    }

    #[test]
    fn the_docs_keep_their_intro() {
        let first = merge("", "## Results\nA\n");
        assert_eq!(first, format!("# Performance\n\n{MARKER}\n\n## Results\nA\n"));
        let edited = first.replace("# Performance\n", "# Performance\n\nHow to read this.\n");
        let second = merge(&edited, "## Results\nB\n");
        assert!(second.starts_with("# Performance\n\nHow to read this.\n"));
        assert!(second.ends_with(&format!("{MARKER}\n\n## Results\nB\n")));
        assert!(!second.contains("\nA\n"));
        assert_eq!(merge("# Old\n", "S"), format!("# Old\n\n{MARKER}\n\nS"));
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!((ratio(0.854), ratio(0.00104)), ("0.85×".to_owned(), "0.00104×".to_owned()));
    }
}
