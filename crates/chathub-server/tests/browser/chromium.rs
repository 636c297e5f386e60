//! The distribution's Chromium, headless, one process per test with a fresh
//! profile, killed when the test ends (also when it fails). One Chromium
//! runs at a time in this process: the tests hold deadlines (a customer's
//! message shows within 2 s), and on a 2-core machine several browsers at
//! once would measure the machine, not the panel.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use crate::cdp::Connection;
use crate::page::Page;

/// The variable that may name another Chromium binary.
pub const CHROMIUM_VARIABLE: &str = "CHATHUB_CHROMIUM";

/// Where Debian's `chromium` package puts the browser.
const DEFAULT_PATHS: &[&str] = &["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/// The Chromium binary, or a failure that says how to get one.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os(CHROMIUM_VARIABLE).filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "{CHROMIUM_VARIABLE}={} names no file", path.display());
        return path;
    }
    DEFAULT_PATHS.iter().map(PathBuf::from).find(|path| path.is_file()).unwrap_or_else(|| {
        panic!(
            "Chromium is missing: these browser tests need the distribution's `chromium` package at /usr/bin/chromium \
             (or {CHROMIUM_VARIABLE}=/path/to/chromium). `cargo xtask ci` installs it; by hand: \
             `apt-get install chromium`."
        )
    })
}

/// Taken by [`Browser::launch`], held until the browser is closed or dropped.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A headless Chromium and the DevTools connection to it.
pub struct Browser {
    child: Child,
    connection: Connection,
    _profile: tempfile::TempDir,
    /// Last, so it is released after the browser is killed (fields drop in order).
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// Waits for its turn (see the module's note), starts Chromium on a fresh profile and connects to it.
    pub async fn launch() -> Self {
        let turn = ONE_AT_A_TIME.lock().await;
        let binary = binary();
        let profile = tempfile::tempdir().expect("a temporary profile directory");
        let mut child = Command::new(&binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--mute-audio",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let stderr = child.stderr.take().expect("Chromium's stderr");
        let mut lines = BufReader::new(stderr).lines();
        let mut seen = Vec::new();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return Some(url.trim().to_owned());
                }
                seen.push(line);
            }
            None
        })
        .await;
        let Ok(Some(url)) = url else {
            panic!("Chromium ({}) did not open its DevTools socket; it said:\n{}", binary.display(), seen.join("\n"))
        };
        // Keep reading stderr so Chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let connection = Connection::connect(&url).await;
        Self { child, connection, _profile: profile, _turn: turn }
    }

    /// Opens a new tab, attached and with the Page, Runtime, Network and Log domains on.
    pub async fn new_page(&self) -> Page {
        let created = self
            .connection
            .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
            .await
            .expect("Target.createTarget");
        let target = created["targetId"].as_str().expect("a targetId").to_owned();
        let attached = self
            .connection
            .call(None, "Target.attachToTarget", json!({ "targetId": target, "flatten": true }))
            .await
            .expect("Target.attachToTarget");
        let session = attached["sessionId"].as_str().expect("a sessionId").to_owned();
        Page::open(self.connection.clone(), session).await
    }

    /// Closes the browser (dropping it kills it too).
    pub async fn close(mut self) {
        let _ = self.connection.call(None, "Browser.close", json!({})).await;
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}
