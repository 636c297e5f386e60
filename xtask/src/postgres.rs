//! A throwaway PostgreSQL cluster for tests: the distribution's `postgresql`
//! package (installed with apt when missing), a temporary data directory, a
//! free loopback port; stopped and removed on drop. `cargo xtask
//! test-postgres` runs the server's tests on it (the `postgres` CI step).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::cmd::Cmd;

/// The variable the server's tests read.
pub use chathub_server::testing::TEST_POSTGRES_VARIABLE;

/// A running cluster; dropped, it is stopped and its directory removed.
pub struct Throwaway {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

impl Throwaway {
    /// Installs PostgreSQL if needed, then creates and starts a cluster.
    pub fn start() -> anyhow::Result<Self> {
        let bin = match find_bin_dir() {
            Some(bin) => bin,
            None => {
                install()?;
                find_bin_dir().context("PostgreSQL was installed, but no /usr/lib/postgresql/*/bin/pg_ctl is there")?
            }
        };
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!("chathub-postgres-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        // PostgreSQL refuses to run as root: run it as the package's `postgres` user.
        let as_postgres_user = is_root();
        let cluster = Self { bin, dir, port, as_postgres_user };
        if as_postgres_user {
            cluster.check(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&cluster.dir), "chown")?;
        }
        let data = cluster.dir.join("data");
        cluster.check(
            cluster.tool("initdb").arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ]),
            "initdb",
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=64MB",
            cluster.dir.display()
        );
        cluster.check(
            cluster
                .tool("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-w", "-t", "60", "-l"])
                .arg(cluster.dir.join("log"))
                .arg("start"),
            "pg_ctl start",
        )?;
        cluster.wait_until_ready()?;
        Ok(cluster)
    }

    /// A URL of a user that may create databases.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Where the cluster lives.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn check(&self, command: &mut Command, what: &str) -> anyhow::Result<()> {
        let output = command.stdin(Stdio::null()).output().with_context(|| format!("could not run {what}"))?;
        if !output.status.success() {
            bail!("{what} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr).trim());
        }
        Ok(())
    }

    fn wait_until_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self
                .tool("pg_isready")
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("PostgreSQL did not accept connections within 30 s (log: {})", self.dir.join("log").display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ =
            self.tool("pg_ctl").arg("-D").arg(&data).args(["-m", "immediate", "stop"]).stdout(Stdio::null()).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `cargo xtask test-postgres`: the server's tests (the Postgres-only ones
/// included) on a throwaway cluster.
pub fn test_postgres(root: &Path) -> anyhow::Result<()> {
    let cluster = Throwaway::start()?;
    println!(
        "postgres: started a throwaway cluster at {} (data in {}, removed afterwards)",
        cluster.url(),
        cluster.dir().display()
    );
    let status = Cmd::cargo(&["test", "-p", "chathub-server", "--all-features", "--", "--include-ignored"])
        .env(TEST_POSTGRES_VARIABLE, &cluster.url())
        .env("INSTA_UPDATE", "no")
        .env("CI", "true")
        .run(root)?;
    if !status.success() {
        bail!("the server's tests failed on Postgres ({status})");
    }
    println!("postgres: stopping and removing the throwaway cluster");
    Ok(())
}

fn find_bin_dir() -> Option<PathBuf> {
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin)
}

fn install() -> anyhow::Result<()> {
    println!("postgres: not installed; installing the distribution's `postgresql` package with apt-get");
    if !crate::cmd::apt_install("postgresql")? {
        bail!("could not install PostgreSQL with apt-get; install the `postgresql` package and rerun");
    }
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}
