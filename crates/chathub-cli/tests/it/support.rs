//! Running the binary from async tests, and the seeded server's facts.

use std::time::Duration;

use assert_cmd::Command;
pub use chathub_server::testing::TestServer;
use chathub_server::testing::{DEFAULT_SEED, test_config};

/// The seeded company's login, password and API key (`DEFAULT_SEED`).
pub const LOGIN: &str = "acme";
pub const PASSWORD: &str = "acme-pass-1";
pub const API_KEY: &str = "acme-static-api-key-0001";

/// `simulate customer-message` arguments: Olena writes to organization 24 on Telegram.
pub const OLENA: &[&str] = &[
    "--org",
    "24",
    "--source",
    "telegram-bot",
    "--theme",
    "Parcel #491",
    "--name",
    "Olena",
    "--phone",
    "+380 50 123 45 67",
    "Where is my parcel?",
];

/// A finished run: exit code and both streams.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout parsed as one JSON document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:?}"))
    }

    /// Asserts the run failed with `code` and exactly one `error:` line on stderr; returns that line.
    pub fn error_line(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "{self:?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {self:?}");
        assert!(lines[0].starts_with("error: "), "{self:?}");
        assert!(!self.stderr.contains("panicked") && !self.stderr.contains("backtrace"), "{self:?}");
        lines[0]
    }

    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "{self:?}");
        &self.stdout
    }
}

/// The variables the binary would read from the test's environment: removed.
const INHERITED_VARIABLES: [&str; 6] =
    ["CHATHUB_BASE_URL", "CHATHUB_LOGIN", "CHATHUB_PASSWORD", "CHATHUB_API_KEY", "CHATHUB_TOKEN", "RUST_LOG"];

/// The binary with no `CHATHUB_*` or `RUST_LOG` from the environment, and a
/// guard that kills it if it ever hangs.
pub fn chathub<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("chathub"));
    for variable in INHERITED_VARIABLES {
        command.env_remove(variable);
    }
    // Help text wraps at COLUMNS when no stream is a terminal: fix it for the snapshots.
    command.env("NO_COLOR", "1").env("COLUMNS", "100").timeout(Duration::from_secs(120)).args(args);
    command
}

/// The binary pointed at `base_url` with the seeded API key.
pub fn with_api_key<I, S>(base_url: &str, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = chathub(args);
    command.args(["--base-url", base_url, "--api-key", API_KEY]);
    command
}

/// The binary pointed at `base_url`, signing in with the seeded login and password.
pub fn with_password<I, S>(base_url: &str, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = chathub(args);
    command.args(["--base-url", base_url, "--login", LOGIN, "--password", PASSWORD]);
    command
}

/// Runs the command on a blocking thread, so the in-process server keeps serving.
pub async fn run(mut command: Command) -> Run {
    let output = tokio::task::spawn_blocking(move || command.output()).await.expect("join").expect("run chathub");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

/// Starts the seeded server.
pub async fn server() -> TestServer {
    TestServer::start().await.expect("start the test server")
}

/// Starts the seeded server with the simulated customers of spec §7.4 (`--simulator`).
pub async fn simulator_server() -> TestServer {
    let config = chathub_server::Config { simulator: true, ..test_config().await.expect("a database") };
    TestServer::start_seeded(DEFAULT_SEED, config).await.expect("start the test server with the simulator")
}

/// A customer message through `chathub simulate customer-message --json`: the wire answer.
pub async fn simulate(base_url: &str, args: &[&str]) -> serde_json::Value {
    let mut command = with_api_key(base_url, ["simulate", "customer-message", "--json"]);
    command.args(args);
    run(command).await.json()
}

/// An operator token for `operator` (1 and 2 are in organization 24, 3 in 42).
pub async fn operator_token(base_url: &str, operator: u32) -> String {
    let operator = operator.to_string();
    let issued = run(with_api_key(base_url, ["token", "issue", operator.as_str()])).await;
    issued.ok().trim().to_owned()
}

/// `insta::assert_snapshot!` with tokens and instants, which change on every run, replaced.
macro_rules! assert_redacted {
    ($name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+", "[token]");
        settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[instant]");
        // Tables show instants to the second in one width: the layout does not change.
        settings.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "YYYY-MM-DD hh:mm:ss");
        settings.bind(|| insta::assert_snapshot!($name, $value));
    }};
}
pub(crate) use assert_redacted;

/// How long a watcher test waits for one line before it fails (a safety net only).
const LINE_WAIT: Duration = Duration::from_secs(30);

/// `chathub chats watch` as a child process whose lines arrive as they are written.
pub struct Watcher {
    child: std::process::Child,
    stdout: tokio::sync::mpsc::UnboundedReceiver<String>,
    stderr: tokio::sync::mpsc::UnboundedReceiver<String>,
    /// Every line read so far from stderr (to show when a test fails).
    pub stderr_seen: Vec<String>,
}

impl Watcher {
    /// Starts `chathub chats watch` pointed at `base_url` with these further arguments.
    pub fn spawn(base_url: &str, args: &[&str]) -> Self {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("chathub"));
        for variable in INHERITED_VARIABLES {
            command.env_remove(variable);
        }
        command
            .args(["chats", "watch", "--base-url", base_url])
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().expect("start chathub chats watch");
        let stdout = lines(child.stdout.take().expect("stdout"));
        let stderr = lines(child.stderr.take().expect("stderr"));
        Self { child, stdout, stderr, stderr_seen: Vec::new() }
    }

    /// Waits until standard error says the connection is up.
    pub async fn connected(&mut self) {
        loop {
            let line = self.stderr_line().await.unwrap_or_else(|| panic!("watch ended: {:?}", self.stderr_seen));
            if line.starts_with("Watching chats on ") {
                return;
            }
        }
    }

    /// The next line on stdout; `None` once it is closed.
    pub async fn stdout_line(&mut self) -> Option<String> {
        match tokio::time::timeout(LINE_WAIT, self.stdout.recv()).await {
            Ok(line) => line,
            Err(_) => panic!("no line on stdout within {LINE_WAIT:?}; stderr: {:?}", self.stderr_seen),
        }
    }

    /// The next line on stderr; `None` once it is closed.
    pub async fn stderr_line(&mut self) -> Option<String> {
        let line = match tokio::time::timeout(LINE_WAIT, self.stderr.recv()).await {
            Ok(line) => line,
            Err(_) => panic!("no line on stderr within {LINE_WAIT:?}; so far: {:?}", self.stderr_seen),
        };
        self.stderr_seen.extend(line.clone());
        line
    }

    /// Reads stdout lines as JSON until one has `"event": event`, and returns it.
    pub async fn json_event(&mut self, event: &str) -> serde_json::Value {
        loop {
            let line = self.stdout_line().await.unwrap_or_else(|| panic!("stdout ended before {event}"));
            let value: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"));
            assert!(value["event"].is_string(), "{line}");
            if value["event"] == event {
                return value;
            }
        }
    }

    /// Sends SIGINT, as Ctrl-C does.
    #[cfg(unix)]
    pub fn interrupt(&self) {
        self.signal("INT");
    }

    /// Sends this signal (`INT`, `TERM`) with `kill`.
    #[cfg(unix)]
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Reads standard error until a line holds `text`.
    pub async fn stderr_until(&mut self, text: &str) {
        loop {
            let line = self
                .stderr_line()
                .await
                .unwrap_or_else(|| panic!("stderr ended before {text:?}: {:?}", self.stderr_seen));
            if line.contains(text) {
                return;
            }
        }
    }

    /// Waits for the process to end (reading what is left of stderr) and returns its exit code.
    pub async fn exit_code(&mut self) -> i32 {
        while self.stderr_line().await.is_some() {}
        // Standard error is closed: the process has ended or is ending.
        let status = tokio::task::block_in_place(|| self.child.wait()).expect("wait for chathub");
        status.code().unwrap_or(-1)
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Each line of `stream`, as it is written, on a thread of its own.
fn lines(stream: impl std::io::Read + Send + 'static) -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}
