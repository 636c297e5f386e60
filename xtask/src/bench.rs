//! `cargo xtask bench`: chathub-server against the least work a Rust
//! server could do (benches/baseline), one after the other on this machine,
//! under the same load from wrk; results in docs/performance.md.
//!
//! For each scenario and round, each server starts fresh (chathub-server on
//! a new SQLite file seeded with the baseline's data), answers one probe
//! (both answers must agree), takes an unmeasured warm-up, then the
//! measured load. Rounds alternate which server goes first; the report
//! gives medians with their spread (min–max).

mod http;
mod machine;
mod process;
mod report;
mod scenario;
mod wrk;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};
use chathub_types::time::{format_instant, truncate_to_seconds};
use chrono::{TimeDelta, Utc};

use self::machine::Machine;
use self::process::Server;
use self::report::{Measurement, Report, Side};
use self::scenario::{Credentials, Scenario};
use crate::cmd::Cmd;

/// Flags of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rounds per scenario; each runs both servers, alternating which goes first.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub rounds: u32,
    /// Measured load per server and round, in seconds (`5`, `5s`, `1m`).
    #[arg(long, default_value = "5s", value_parser = parse_seconds)]
    pub duration: Duration,
    /// Unmeasured load before each measured run, in seconds (`0` for none).
    #[arg(long, default_value = "1s", value_parser = parse_seconds_or_zero)]
    pub warmup: Duration,
    /// Only these scenarios (repeat or separate with commas).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub scenario: Vec<Scenario>,
    /// A remark for docs/performance.md, e.g. what else the machine was doing.
    #[arg(long)]
    pub note: Option<String>,
    /// Print the table only; leave docs/performance.md as it is.
    #[arg(long)]
    pub no_write: bool,
}

/// Builds both servers in release, runs every scenario, prints the table
/// and writes docs/performance.md. Fails when a request failed or the two
/// servers answered differently; a missed target is reported, not a failure.
pub fn run(args: &Args, root: &Path) -> anyhow::Result<()> {
    wrk::ensure_installed()?;
    let build = Cmd::cargo(&["build", "--release", "-p", "chathub-server", "-p", "chathub-bench-baseline"]);
    println!("==> $ {build}");
    if !build.run(root)?.success() {
        bail!("the release build failed");
    }
    let binaries = target_dir(root).join("release");
    let work = WorkDir::create()?;
    let baseline_binary = binaries.join("chathub-bench-baseline");
    let seed_text = output_of(Command::new(&baseline_binary).arg("--print-seed"))?;
    let seed = work.path.join("seed.toml");
    std::fs::write(&seed, &seed_text)?;
    let setup = Setup {
        server: binaries.join("chathub-server"),
        baseline: baseline_binary,
        seed,
        credentials: Credentials::from_seed(&seed_text)?,
        // Well inside the 24 hours an operator token may live, for the whole run.
        expires_at: format_instant(truncate_to_seconds(Utc::now() + TimeDelta::hours(23))),
        clock_ticks: machine::clock_ticks_per_second(),
        work: work.path.clone(),
        duration: args.duration,
        warmup: args.warmup,
    };
    let scenarios: Vec<Scenario> =
        scenario::ALL.into_iter().filter(|s| args.scenario.is_empty() || args.scenario.contains(s)).collect();
    let machine = Machine::detect();
    let load_before = machine::load_average();
    let mut report = Report::new(args.rounds);
    let mut runs = 0;
    for &scenario in &scenarios {
        for round in 1..=args.rounds {
            let order = if round % 2 == 1 { [Side::Server, Side::Baseline] } else { [Side::Baseline, Side::Server] };
            for side in order {
                runs += 1;
                let measurement = setup
                    .measure(scenario, side, round, runs)
                    .with_context(|| format!("{} on {} (round {round})", scenario.title(), side.name()))?;
                println!("    {}", measurement.one_line());
                report.add(measurement);
            }
        }
    }
    let context = report::Context {
        machine,
        command: machine::this_command_line(),
        load: format!("{load_before} before, {} after", machine::load_average()),
        duration: args.duration,
        warmup: args.warmup,
        note: args.note.clone(),
    };
    let section = report.markdown(&context);
    println!("\n{section}");
    if !args.no_write {
        let path = root.join("docs/performance.md");
        report::write_docs(&path, &section)?;
        println!("wrote {}", path.display());
    }
    let problems = report.problems();
    if !problems.is_empty() {
        bail!("the bench found problems:\n  {}", problems.join("\n  "));
    }
    Ok(())
}

/// What every run needs.
struct Setup {
    server: PathBuf,
    baseline: PathBuf,
    seed: PathBuf,
    credentials: Credentials,
    expires_at: String,
    clock_ticks: u64,
    work: PathBuf,
    duration: Duration,
    warmup: Duration,
}

impl Setup {
    /// Starts `side` fresh, probes, warms up, measures, stops it.
    fn measure(&self, scenario: Scenario, side: Side, round: u32, run: u32) -> anyhow::Result<Measurement> {
        let address = process::free_address()?;
        let listen = address.to_string();
        let name = format!("run{run:03}-{}", side.name());
        let mut command = match side {
            Side::Server => {
                let database = format!("sqlite:{}", self.work.join(format!("{name}.db")).display());
                let mut command = Command::new(&self.server);
                command.args(["--listen", &listen, "--database", &database]).arg("--seed").arg(&self.seed);
                command.env("RUST_LOG", "warn");
                command
            }
            Side::Baseline => {
                let mut command = Command::new(&self.baseline);
                command.args(["--listen", &listen]);
                command
            }
        };
        command.current_dir(&self.work);
        let mut server = Server::start(command, address, &self.work.join(format!("{name}.log")))?;
        let idle = server.usage()?;
        let request = scenario.prepare(address, &self.credentials, &self.expires_at)?;
        let probe = scenario.comparable(&request.send(address)?).context("the probe request")?;
        let script = self.work.join(format!("{name}.lua"));
        std::fs::write(&script, wrk::script(&request))?;
        let mut warmup_errors = 0;
        if !self.warmup.is_zero() {
            let warmup = wrk::Invocation::new(address, &request.path, self.warmup, &script)
                .run(&self.work.join(format!("{name}-warmup.txt")))?;
            warmup_errors = warmup.bad_status + warmup.socket_errors;
        }
        let before = server.usage()?;
        let outcome = wrk::Invocation::new(address, &request.path, self.duration, &script)
            .run(&self.work.join(format!("{name}.txt")))?;
        let after = server.usage()?;
        server.check_alive()?;
        server.stop()?;
        let cpu_seconds = after.cpu_ticks.saturating_sub(before.cpu_ticks) as f64 / self.clock_ticks as f64;
        Ok(Measurement {
            scenario,
            side,
            round,
            outcome,
            warmup_errors,
            cpu_us_per_request: cpu_seconds * 1e6 / outcome.requests.max(1) as f64,
            idle_rss_kib: idle.rss_kib,
            peak_rss_kib: after.peak_rss_kib,
            probe,
        })
    }
}

/// A temporary directory for seeds, databases, scripts and logs, removed on drop.
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    fn create() -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!("chathub-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, else `<root>/target`).
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

/// Runs a command and returns its standard output.
fn output_of(command: &mut Command) -> anyhow::Result<String> {
    let output = command.output().with_context(|| format!("could not start {:?}", command.get_program()))?;
    if !output.status.success() {
        bail!("{:?} ended with {}: {}", command.get_program(), output.status, String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// `5`, `5s`, `2m` → a duration of at least one second.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    match parse_seconds_or_zero(text)? {
        duration if duration.is_zero() => Err("the duration must be at least 1s".to_owned()),
        duration => Ok(duration),
    }
}

/// `0`, `5`, `5s`, `2m` → a duration in whole seconds.
fn parse_seconds_or_zero(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.strip_suffix('m') {
        Some(minutes) => (minutes, 60),
        None => (text.strip_suffix('s').unwrap_or(text), 1),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|&seconds| seconds <= 3600)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`{text}` is not a duration in whole seconds or minutes (5, 5s, 2m; at most 1 hour)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_whole_seconds_or_minutes() {
        assert_eq!(parse_seconds("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_seconds("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_seconds("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_seconds_or_zero("0"), Ok(Duration::ZERO));
        for bad in ["0", "0s", "", "1.5s", "5h", "-1", "2h", "61m"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_work_directory_goes_away() {
        let work = WorkDir::create().unwrap();
        let path = work.path.clone();
        std::fs::write(path.join("x"), "y").unwrap();
        drop(work);
        assert!(!path.exists());
    }
}
