//! The browser the widget's tests drive (crates/chathub-server/tests/browser):
//! the distribution's `chromium` package, installed with apt-get when it is
//! missing. No downloaded browser builds.

use std::path::Path;

use anyhow::bail;

/// Where Debian's package puts the browser, as the tests look for it.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The variable that points the tests at another Chromium binary.
pub const CHROMIUM_VARIABLE: &str = "CHATHUB_CHROMIUM";

/// Installs `chromium` with apt-get unless the tests can already find a browser.
pub fn ensure_chromium(_root: &Path) -> anyhow::Result<()> {
    if let Some(path) = std::env::var_os(CHROMIUM_VARIABLE).filter(|path| !path.is_empty()) {
        if Path::new(&path).is_file() {
            return Ok(());
        }
        bail!("{CHROMIUM_VARIABLE}={} names no file", Path::new(&path).display());
    }
    if Path::new(CHROMIUM).is_file() {
        return Ok(());
    }
    println!("browser: {CHROMIUM} is missing; installing the distribution's `chromium` package with apt-get");
    if !crate::cmd::apt_install("chromium")? {
        bail!("could not install Chromium with apt-get; install the `chromium` package and rerun");
    }
    if !Path::new(CHROMIUM).is_file() {
        bail!("the `chromium` package was installed, but {CHROMIUM} is not there");
    }
    Ok(())
}
