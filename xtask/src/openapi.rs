//! `cargo xtask openapi`: writes the OpenAPI document that chathub-server
//! serves (`chathub_server::openapi::document()`, generated from
//! chathub-types) to `docs/openapi.json`, where a review sees every change of
//! the wire contract. With `--check` it writes nothing and fails when the
//! committed file differs (the `openapi` CI step).

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use anyhow::{Context as _, bail};

/// Where the document is kept, from the workspace root.
pub const DOCUMENT: &str = "docs/openapi.json";

/// Flags of `cargo xtask openapi`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write nothing; fail when docs/openapi.json differs from the generated document.
    #[arg(long)]
    pub check: bool,
}

/// Writes or checks `docs/openapi.json` under the workspace root `root`.
pub fn run(args: &Args, root: &Path) -> anyhow::Result<()> {
    let generated = render()?;
    let path = root.join(DOCUMENT);
    let committed = match fs::read_to_string(&path) {
        Ok(text) => Some(text.replace("\r\n", "\n")),
        Err(error) if error.kind() == ErrorKind::NotFound => None,
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    };
    if args.check {
        return check(committed.as_deref(), &generated);
    }
    if committed.as_deref() == Some(generated.as_str()) {
        println!("{DOCUMENT} is up to date");
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    fs::write(&path, &generated).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {DOCUMENT} ({} bytes); review the diff and commit it", generated.len());
    Ok(())
}

/// The document as pretty JSON with a final newline.
fn render() -> anyhow::Result<String> {
    let mut json = chathub_server::openapi::document().to_pretty_json().context("serializing the OpenAPI document")?;
    json.push('\n');
    Ok(json)
}

/// Fails, naming the first differing line, when `committed` is not `generated`.
fn check(committed: Option<&str>, generated: &str) -> anyhow::Result<()> {
    let Some(committed) = committed else {
        bail!("{DOCUMENT} is missing; run `cargo xtask openapi` and commit it");
    };
    if let Some((line, old, new)) = first_difference(committed, generated) {
        bail!(
            "{DOCUMENT} is stale: it differs from the document the server generates, first at line {line}:\n\
             \x20 committed: {}\n\
             \x20 generated: {}\n\
             run `cargo xtask openapi`, review the diff and commit it",
            old.unwrap_or("<end of file>").trim(),
            new.unwrap_or("<end of file>").trim(),
        );
    }
    println!("{DOCUMENT} is up to date");
    Ok(())
}

/// The first line (1-based) where `a` and `b` differ, with each side's
/// text there (`None` past its end); `None` when they are equal.
fn first_difference<'a>(a: &'a str, b: &'a str) -> Option<(usize, Option<&'a str>, Option<&'a str>)> {
    if a == b {
        return None;
    }
    let (mut left, mut right) = (a.split('\n'), b.split('\n'));
    let mut line = 1;
    loop {
        match (left.next(), right.next()) {
            (l, r) if l != r => return Some((line, l, r)),
            (None, None) => return Some((line, None, None)),
            _ => line += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-openapi-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn the_document_is_the_servers_pretty_printed() {
        let document = chathub_server::openapi::document();
        assert_eq!(document.info.title, "ChatHub API");
        assert!(document.paths.paths.contains_key("/api/operator/synchronize"));
        let rendered = render().unwrap();
        assert!(rendered.starts_with("{\n  \"openapi\": \"3.1.0\",\n"), "{}", &rendered[..40]);
        assert!(rendered.ends_with("\n}\n"));
    }

    #[test]
    fn write_then_check_passes_and_an_edit_fails_naming_the_line() {
        let root = scratch("roundtrip");
        let check = Args { check: true };
        let error = run(&check, &root).unwrap_err().to_string();
        assert_eq!(error, "docs/openapi.json is missing; run `cargo xtask openapi` and commit it");

        run(&Args { check: false }, &root).unwrap();
        run(&check, &root).unwrap();

        let path = root.join(DOCUMENT);
        let edited = fs::read_to_string(&path).unwrap().replacen("\"ChatHub API\"", "\"Old API\"", 1);
        fs::write(&path, &edited).unwrap();
        let error = run(&check, &root).unwrap_err().to_string();
        assert!(error.starts_with("docs/openapi.json is stale"), "{error}");
        assert!(error.contains(r#"committed: "title": "Old API","#), "{error}");
        assert!(error.contains(r#"generated: "title": "ChatHub API","#), "{error}");
        assert!(error.contains("run `cargo xtask openapi`"), "{error}");

        run(&Args { check: false }, &root).unwrap();
        run(&check, &root).unwrap();
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_checkout_with_crlf_line_ends_is_current() {
        let root = scratch("crlf");
        run(&Args { check: false }, &root).unwrap();
        let path = root.join(DOCUMENT);
        fs::write(&path, fs::read_to_string(&path).unwrap().replace('\n', "\r\n")).unwrap();
        run(&Args { check: true }, &root).unwrap();
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn first_difference_names_the_line_and_both_sides() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(first_difference("a\nb\nc", "a\nx\nc"), Some((2, Some("b"), Some("x"))));
        assert_eq!(first_difference("a\n", "a\nb\n"), Some((2, Some(""), Some("b"))));
        assert_eq!(first_difference("a", "a\n"), Some((2, None, Some(""))));
    }
}
