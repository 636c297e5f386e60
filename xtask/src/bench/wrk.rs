//! wrk, the load generator: installing it, the Lua script that carries
//! method, headers and body, and reading its results.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};

use super::http::Request;
use super::machine::on_path;
use crate::cmd::Cmd;

/// Open connections: 32, as issue 9 asks.
pub const CONNECTIONS: u32 = 32;
/// wrk threads driving them.
pub const THREADS: u32 = 2;
/// How long wrk waits for one answer before counting a timeout.
pub const TIMEOUT_SECS: u64 = 10;

/// The line the script's `done` prints, parsed by [`Outcome::parse`].
const MARKER: &str = "XTASK-BENCH";

/// Installs wrk from the distribution when it is missing.
pub fn ensure_installed() -> anyhow::Result<()> {
    if on_path("wrk") {
        return Ok(());
    }
    println!("==> wrk is missing: installing it with apt-get");
    if !crate::cmd::apt_install("wrk")? || !on_path("wrk") {
        bail!("could not install wrk; install it (Debian/Ubuntu: `apt-get install -y wrk`) and run again");
    }
    Ok(())
}

/// The Lua script sending `request` and printing the summary line.
pub fn script(request: &Request) -> String {
    let mut lua = format!("wrk.method = {}\n", lua_string(request.method));
    for (name, value) in request.all_headers() {
        lua.push_str(&format!("wrk.headers[{}] = {}\n", lua_string(name), lua_string(&value)));
    }
    if let Some(body) = &request.body {
        lua.push_str(&format!("wrk.body = {}\n", lua_string(body)));
    }
    lua.push_str(&format!(
        r#"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("{MARKER} requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f connect=%.0f read=%.0f write=%.0f status=%.0f timeout=%.0f\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"#
    ));
    lua
}

/// A double-quoted Lua string holding `text` exactly.
fn lua_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for byte in text.bytes() {
        match byte {
            b'"' => quoted.push_str("\\\""),
            b'\\' => quoted.push_str("\\\\"),
            b' '..=b'~' => quoted.push(char::from(byte)),
            other => quoted.push_str(&format!("\\{other:03}")),
        }
    }
    quoted.push('"');
    quoted
}

/// One wrk command line: `wrk <args>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation(Vec<String>);

impl Invocation {
    /// Load on `path` at `address` for `duration`, requests from `script`.
    pub fn new(address: SocketAddr, path: &str, duration: Duration, script: &Path) -> Self {
        Self(vec![
            "-c".to_owned(),
            CONNECTIONS.to_string(),
            "-t".to_owned(),
            THREADS.to_string(),
            "-d".to_owned(),
            format!("{}s", duration.as_secs().max(1)),
            "--timeout".to_owned(),
            format!("{TIMEOUT_SECS}s"),
            "--latency".to_owned(),
            "-s".to_owned(),
            script.display().to_string(),
            format!("http://{address}{path}"),
        ])
    }

    /// The command as a shell would take it.
    pub fn to_cmd(&self) -> Cmd {
        let args: Vec<&str> = self.0.iter().map(String::as_str).collect();
        Cmd::new("wrk", &args)
    }

    /// Runs wrk and reads its outcome; wrk's own report is kept in `report`.
    pub fn run(&self, report: &Path) -> anyhow::Result<Outcome> {
        let output = Command::new("wrk")
            .args(&self.0)
            .output()
            .with_context(|| format!("could not start `{}`", self.to_cmd()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let _ = std::fs::write(report, stdout.as_bytes());
        if !output.status.success() {
            bail!(
                "`{}` ended with {}:\n{stdout}{}",
                self.to_cmd(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Outcome::parse(&stdout)
    }
}

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Answers received.
    pub requests: u64,
    /// How long the run lasted.
    pub duration: Duration,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Answers with a status of 400 or more ("Non-2xx or 3xx responses").
    pub bad_status: u64,
    /// Connect, read and write errors and timeouts ("Socket errors").
    pub socket_errors: u64,
}

impl Outcome {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.duration.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// Reads the script's summary line from wrk's standard output.
    pub fn parse(stdout: &str) -> anyhow::Result<Self> {
        let line = stdout
            .lines()
            .find_map(|line| line.strip_prefix(MARKER))
            .with_context(|| format!("wrk printed no {MARKER} line:\n{stdout}"))?;
        let value = |key: &str| -> anyhow::Result<u64> {
            line.split_whitespace()
                .find_map(|pair| pair.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
                .and_then(|text| text.parse().ok())
                .with_context(|| format!("no `{key}` in `{line}`"))
        };
        Ok(Self {
            requests: value("requests")?,
            duration: Duration::from_micros(value("duration_us")?),
            p50: Duration::from_micros(value("p50_us")?),
            p99: Duration::from_micros(value("p99_us")?),
            bad_status: value("status")?,
            socket_errors: value("connect")? + value("read")? + value("write")? + value("timeout")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_summary_line() {
        let stdout = "Running 5s test @ http://127.0.0.1:1/\n  2 threads and 32 connections\n\
            XTASK-BENCH requests=51234 duration_us=5001234 p50_us=512 p99_us=4100 connect=0 read=1 write=0 status=3 timeout=2\n";
        let outcome = Outcome::parse(stdout).unwrap();
        assert_eq!(outcome.requests, 51_234);
        assert_eq!(outcome.p50, Duration::from_micros(512));
        assert_eq!(outcome.p99, Duration::from_micros(4_100));
        assert_eq!((outcome.bad_status, outcome.socket_errors), (3, 3));
        assert!((outcome.rate() - 10_244.27).abs() < 0.1);
        assert!(Outcome::parse("Running 5s test\n").is_err());
        assert!(Outcome::parse("XTASK-BENCH requests=1\n").is_err());
    }

    #[test]
    fn strings_are_quoted_and_escaped() {
        assert_eq!(lua_string(r#"[{"a":"b\\"}]"#), r#""[{\"a\":\"b\\\\\"}]""#);
        assert_eq!(lua_string("tab\there\n"), r#""tab\009here\010""#);
        assert_eq!(lua_string("Olena Kovalenko ü"), r#""Olena Kovalenko \195\188""#);
    }

    #[test]
    fn the_script_sets_method_headers_and_body() {
        let request = Request {
            method: "POST",
            path: "/api/operator/synchronize".to_owned(),
            headers: vec![("Authorization", "Bearer a.b.c".to_owned())],
            body: Some(r#"[{"organizationId":42,"name":"N"}]"#.to_owned()),
        };
        let lua = script(&request);
        assert!(lua.contains(r#"wrk.method = "POST""#));
        assert!(lua.contains(r#"wrk.headers["Authorization"] = "Bearer a.b.c""#));
        assert!(lua.contains(r#"wrk.headers["Content-Type"] = "application/json""#));
        assert!(lua.contains(r#"wrk.body = "[{\"organizationId\":42,\"name\":\"N\"}]""#));
        assert!(lua.contains("function done(summary, latency, requests)"));
    }

    #[test]
    fn the_command_is_fixed_at_32_connections_on_2_threads() {
        let address: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let wrk = Invocation::new(
            address,
            "/api/operator?organizationId=24",
            Duration::from_secs(5),
            Path::new("/tmp/s.lua"),
        );
        assert_eq!(
            wrk.to_cmd().to_string(),
            "wrk -c 32 -t 2 -d 5s --timeout 10s --latency -s /tmp/s.lua 'http://127.0.0.1:8080/api/operator?organizationId=24'"
        );
    }
}
