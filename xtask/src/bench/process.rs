//! A server under test: started from its release binary, waited for,
//! measured through /proc, stopped with SIGTERM (SIGKILL if it lingers).

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use super::http;
use super::machine::{field, kib};

/// A running server process, killed on drop if still running.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// Where it listens.
    pub address: SocketAddr,
    log: PathBuf,
}

/// CPU time and memory of a process, from /proc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// utime + stime, in clock ticks.
    pub cpu_ticks: u64,
    /// Resident set size now, in KiB.
    pub rss_kib: u64,
    /// Peak resident set size (VmHWM), in KiB.
    pub peak_rss_kib: u64,
}

impl Server {
    /// Starts `command` (which must listen on `address`), logging to `log`,
    /// and waits until `GET /health` answers 200.
    pub fn start(mut command: Command, address: SocketAddr, log: &Path) -> anyhow::Result<Self> {
        let out = File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("cannot start {:?}", command.get_program()))?;
        let mut server = Self { child, address, log: log.to_path_buf() };
        server.wait_until_ready().with_context(|| format!("the server's log:\n{}", server.log_tail()))?;
        Ok(server)
    }

    fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        let health = http::Request { method: "GET", path: "/health".to_owned(), headers: Vec::new(), body: None };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited with {status} before answering /health");
            }
            if health.send(self.address).is_ok_and(|reply| reply.status == 200) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the server did not answer /health on {} within 60 s", self.address);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its CPU time and memory now.
    pub fn usage(&self) -> anyhow::Result<Usage> {
        let pid = self.child.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let memory = |name| field(&status, name).and_then(|value| kib(&value)).with_context(|| format!("no {name}"));
        Ok(Usage {
            cpu_ticks: cpu_ticks(&stat).context("cannot read utime and stime")?,
            rss_kib: memory("VmRSS")?,
            peak_rss_kib: memory("VmHWM")?,
        })
    }

    /// Fails when the process has exited (it should serve until stopped).
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait()? {
            Some(status) => bail!("the server exited with {status} under load; its log:\n{}", self.log_tail()),
            None => Ok(()),
        }
    }

    /// SIGTERM, then up to 10 s for it to finish, then SIGKILL.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// The last lines of its log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A loopback address with a port that was free a moment ago.
pub fn free_address() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?)
}

/// utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line. The
/// command name (field 2) may hold spaces and parentheses, so fields are
/// counted after its last `)`.
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpu_ticks_past_a_strange_command_name() {
        let stat = "4242 (chat (hub) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 6 0 100 0 0";
        assert_eq!(cpu_ticks(stat), Some(325));
        assert_eq!(cpu_ticks("4242 (x) S 1"), None);
    }

    #[test]
    fn reads_this_process_and_finds_a_free_port() {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        assert!(cpu_ticks(&stat).is_some());
        let address = free_address().unwrap();
        assert!(address.ip().is_loopback() && address.port() > 0);
    }

    #[test]
    fn a_server_that_exits_at_once_is_reported_with_its_log() {
        let address = free_address().unwrap();
        let log = std::env::temp_dir().join(format!("xtask-bench-test-{}.log", std::process::id()));
        let mut command = Command::new("sh");
        command.args(["-c", "echo cannot bind >&2; exit 3"]);
        let error = Server::start(command, address, &log).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("exited") && message.contains("cannot bind"), "{message}");
        let _ = std::fs::remove_file(log);
    }
}
