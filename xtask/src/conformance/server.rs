//! The suite's own server: `chathub-server` built by cargo, started on a
//! free loopback port with `--simulator` (§7.4), a temporary SQLite database and a seed the suite
//! writes itself, stopped (killed) at the end with its files removed.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr as _;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chathub_client::OrganizationId;
use sqlx::{ConnectOptions as _, Connection as _, Row as _};

use super::context::Account;

/// The seed the suite starts its server with (spec §6): two companies, so
/// the checks can see that one never sees the other's data; an Inactive and
/// a Deleted operator; a second organization.
pub const SEED: &str = r#"# The seed of `cargo xtask conformance` (spec §6).
[[company]]
login = "conformance-acme"
password = "conformance-acme-password"
api_key = "conformance-acme-api-key-0001"

[[company.organization]]
id = 24
name = "Customer Support"

[[company.organization.operator]]
name = "John Smith"

[[company.organization.operator]]
name = "Mike Wilson"
status = 1

[[company.organization.operator]]
name = "Mary Jones"
status = 2

[[company.organization]]
id = 42
name = "Technical Support"

[[company.organization.operator]]
name = "Emma Davis"

[[company]]
login = "conformance-globex"
password = "conformance-globex-password"
api_key = "conformance-globex-api-key-0001"

[[company.organization]]
id = 77
name = "Globex Sales"

[[company.organization.operator]]
name = "Hank Scorpio"

[[company.organization.operator]]
name = "Frank Grimes"
status = 1
"#;

/// The organization of [`SEED`] the checks add operators to.
pub const WRITE_ORG: OrganizationId = OrganizationId(24);

/// The seed's first company.
pub fn company() -> Account {
    Account {
        login: "conformance-acme".to_owned(),
        password: "conformance-acme-password".to_owned(),
        api_key: Some("conformance-acme-api-key-0001".to_owned()),
    }
}

/// The seed's second company.
pub fn second_company() -> Account {
    Account {
        login: "conformance-globex".to_owned(),
        password: "conformance-globex-password".to_owned(),
        api_key: Some("conformance-globex-api-key-0001".to_owned()),
    }
}

/// How long the server may take to answer `/health` after it starts.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds `chathub-server` (debug, or release with `release`) and returns
/// the path of the binary cargo reports.
pub fn build(root: &Path, release: bool) -> anyhow::Result<PathBuf> {
    let mut args = vec!["build", "--package", "chathub-server", "--bin", "chathub-server"];
    if release {
        args.push("--release");
    }
    args.push("--message-format=json-render-diagnostics");
    eprintln!("conformance: building the server: cargo {}", args.join(" "));
    let mut child = std::process::Command::new("cargo")
        .args(&args)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("could not start cargo")?;
    let mut executable = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("reading cargo's output")?;
            let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            if message["reason"] == "compiler-artifact"
                && message["target"]["name"] == "chathub-server"
                && let Some(path) = message["executable"].as_str()
            {
                executable = Some(PathBuf::from(path));
            }
        }
    }
    let status = child.wait().context("waiting for cargo")?;
    if !status.success() {
        bail!("building chathub-server failed ({status})");
    }
    executable.context("cargo built chathub-server but named no executable")
}

/// A running server, killed when stopped or dropped.
pub struct LocalServer {
    child: tokio::process::Child,
    dir: tempfile::TempDir,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// `sqlite:<temporary file>`.
    pub database: String,
}

impl LocalServer {
    /// Writes the seed, starts `binary` on a free port and waits for `/health`.
    /// A port taken between choosing and binding is retried with another.
    pub async fn start(binary: &Path) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("chathub-conformance-").tempdir()?;
        let seed = dir.path().join("seed.toml");
        std::fs::write(&seed, SEED).context("writing the seed")?;
        let database = format!("sqlite:{}", dir.path().join("chathub.db").display());
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            match Self::spawn(binary, &dir, &seed, &database, port).await {
                Ok(child) => {
                    return Ok(Self { child, dir, base_url: format!("http://127.0.0.1:{port}"), database });
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("the server did not start")))
    }

    async fn spawn(
        binary: &Path,
        dir: &tempfile::TempDir,
        seed: &Path,
        database: &str,
        port: u16,
    ) -> anyhow::Result<tokio::process::Child> {
        let log_path = dir.path().join("server.log");
        let log = std::fs::File::create(&log_path).context("creating the server log")?;
        let mut command = tokio::process::Command::new(binary);
        command
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database")
            .arg(database)
            .arg("--seed")
            .arg(seed)
            .arg("--simulator")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        // Flags win over the environment, but a stray CHATHUB_* variable
        // (a token format, a rate limit) could still change what is tested.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CHATHUB_") {
                command.env_remove(name);
            }
        }
        let mut child = command.spawn().with_context(|| format!("could not start {}", binary.display()))?;
        let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
        let health = format!("http://127.0.0.1:{port}/health");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                bail!("chathub-server exited ({status}) before answering /health:\n{}", log_tail(&log_path));
            }
            if let Ok(response) = http.get(&health).send().await
                && response.status().is_success()
            {
                return Ok(child);
            }
            if started.elapsed() > START_TIMEOUT {
                let _ = child.kill().await;
                bail!(
                    "chathub-server did not answer /health within {}s:\n{}",
                    START_TIMEOUT.as_secs(),
                    log_tail(&log_path)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server's log so far (its last lines).
    pub fn log(&self) -> String {
        log_tail(&self.dir.path().join("server.log"))
    }

    /// Kills the server, waits for it, and removes the database, seed and log.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await.context("stopping chathub-server")?;
        self.dir.close().context("removing the server's temporary files")
    }
}

/// A port the kernel just had free on 127.0.0.1.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(30);
    lines[start..].join("\n")
}

/// The file of a `sqlite:PATH` (or `sqlite://PATH`) URL, without its query.
pub fn sqlite_file(database: &str) -> Option<PathBuf> {
    let rest = database.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Reads the JWT signing secret a chathub-server keeps in its database
/// (spec §6: "created on first start and stored in the database").
pub async fn read_signing_secret(database: &str) -> anyhow::Result<Vec<u8>> {
    const QUERY: &str = "SELECT value FROM server_settings WHERE name = 'jwt_secret'";
    let secret: Vec<u8> = if database.starts_with("postgres") {
        let mut connection = sqlx::PgConnection::connect(database).await?;
        let secret = sqlx::query(QUERY).fetch_one(&mut connection).await?.try_get(0)?;
        connection.close().await?;
        secret
    } else {
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(database)?.read_only(true);
        let mut connection = options.connect().await?;
        let secret = sqlx::query(QUERY).fetch_one(&mut connection).await?.try_get(0)?;
        connection.close().await?;
        secret
    };
    if secret.len() < 16 {
        bail!("the signing secret in {database} is only {} bytes long", secret.len());
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_files() {
        assert_eq!(sqlite_file("sqlite:/tmp/x.db"), Some(PathBuf::from("/tmp/x.db")));
        assert_eq!(sqlite_file("sqlite:///tmp/x.db?mode=rwc"), Some(PathBuf::from("/tmp/x.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    #[test]
    fn the_seed_holds_the_accounts_it_promises() {
        for account in [company(), second_company()] {
            assert!(SEED.contains(&format!("login = \"{}\"", account.login)));
            assert!(SEED.contains(&format!("password = \"{}\"", account.password)));
            assert!(SEED.contains(&format!("api_key = \"{}\"", account.api_key.unwrap())));
        }
        assert!(SEED.contains(&format!("id = {WRITE_ORG}")));
    }
}
