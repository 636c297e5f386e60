//! `cargo xtask conformance`: does a server speak ChatHub as the spec
//! (`../shared/spec/chathub-api.md`, §3-§7) defines it?
//!
//! Without `--base-url` it builds `chathub-server`, starts it on a free
//! loopback port with `--simulator`, a temporary SQLite database and its own seed, runs
//! every check and stops it. With `--base-url` it checks any server: read
//! and sign in only, unless `--allow-writes --org ID` lets it add operators
//! (named `conformance-<run id>-…`, set Deleted at the end; it never
//! deletes). Checks a server cannot support (a second company, its signing
//! secret) are skipped with the reason.
//!
//! Well-formed traffic goes through chathub-client with chathub-types
//! values, so the three crates meet here; malformed requests are sent raw.

mod checks;
mod context;
mod http;
mod jwt;
mod link;
mod report;
mod roundtrip;
mod runner;
mod schema;
mod server;
mod verdict;
mod ws;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chathub_client::OrganizationId;

use self::context::{Account, Ctx, Target};
use self::runner::{Check, Ran};

/// Flags of `cargo xtask conformance`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check this server instead of starting chathub-server (needs --login and --password).
    #[arg(long, value_name = "URL", requires_all = ["login", "password"])]
    pub base_url: Option<String>,
    /// The company login to sign in with (with --base-url).
    #[arg(long, requires = "base_url")]
    pub login: Option<String>,
    /// Its password (with --base-url).
    #[arg(long, env = "CHATHUB_CONFORMANCE_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// The company's API key, for the API-key checks (with --base-url).
    #[arg(long, env = "CHATHUB_CONFORMANCE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Let the suite add operators to --org (named `conformance-<run id>-…`, set Deleted at the end).
    #[arg(long, requires_all = ["base_url", "org"])]
    pub allow_writes: bool,
    /// Let the suite add 1,000 operators in one request (decision-8/1000-elements); set Deleted at the end.
    #[arg(long, requires = "allow_writes")]
    pub allow_bulk: bool,
    /// The organization operators may be added to (with --allow-writes).
    #[arg(long, value_name = "ID", requires = "allow_writes")]
    pub org: Option<i32>,
    /// A second company's login, for the checks that one company never sees another's data.
    #[arg(long, requires_all = ["base_url", "second_password"])]
    pub second_login: Option<String>,
    /// The second company's password.
    #[arg(long, env = "CHATHUB_CONFORMANCE_SECOND_PASSWORD", hide_env_values = true)]
    pub second_password: Option<String>,
    /// The database URL of the chathub-server behind --base-url, to read its signing secret.
    #[arg(long, value_name = "URL", requires = "base_url")]
    pub database: Option<String>,
    /// Build and start the server in release mode (without --base-url).
    #[arg(long, conflicts_with = "base_url")]
    pub release: bool,
    /// Start this chathub-server binary instead of building one (without --base-url).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["base_url", "release"])]
    pub server: Option<PathBuf>,
    /// Print every check with its id and spec section, and run nothing.
    #[arg(long)]
    pub list: bool,
    /// Print the seed the suite starts its own server with, and run nothing.
    #[arg(long)]
    pub print_seed: bool,
    /// Run only the checks whose id contains PATTERN (or matches it, with `*`), or of that section (`§4.8`).
    #[arg(long, value_name = "PATTERN", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Write a JSON report on stdout (the human lines go to stderr).
    #[arg(long)]
    pub json: bool,
    /// Write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Property-test cases per round-trip check.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub cases: u32,
    /// Also run the hub's keep-alive checks, which wait 15 and 30 seconds.
    #[arg(long)]
    pub slow: bool,
    /// Also print a line for every passed and skipped check.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Runs the suite; exits with status 1 when a check failed.
pub fn run(args: &Args, root: &Path) -> anyhow::Result<()> {
    let checks: Vec<Check> = checks::all().into_iter().filter(|check| runner::selected(check, &args.only)).collect();
    if args.list {
        for check in &checks {
            println!("{:<52} {:<7} {}", check.id, check.section, check.title);
        }
        return Ok(());
    }
    if args.print_seed {
        print!("{}", server::SEED);
        return Ok(());
    }
    if checks.is_empty() {
        bail!("--only {} selects no check (see --list)", args.only.join(","));
    }
    let binary = match (&args.base_url, &args.server) {
        (Some(_), _) => None,
        (None, Some(path)) => Some(path.clone()),
        (None, None) => Some(server::build(root, args.release)?),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let result = runtime.block_on(run_checks(args, binary.as_deref(), &checks));
    // Property tests run on blocking threads; a timed-out one is not waited for.
    runtime.shutdown_timeout(Duration::from_secs(2));
    let failed = result?;
    if failed > 0 {
        let _ = std::io::stdout().flush();
        std::process::exit(1);
    }
    Ok(())
}

/// Sets up the target, runs `checks`, tears down; returns how many failed.
async fn run_checks(args: &Args, binary: Option<&Path>, checks: &[Check]) -> anyhow::Result<usize> {
    let started = Instant::now();
    let run_id = run_id();
    let (target, local) = match binary {
        Some(binary) => {
            let server = server::LocalServer::start(binary).await?;
            let secret = server::read_signing_secret(&server.database)
                .await
                .with_context(|| format!("reading the signing secret from {}", server.database))?;
            let target = Target {
                base_url: server.base_url.clone(),
                company: server::company(),
                second: Some(server::second_company()),
                write_org: Some(server::WRITE_ORG),
                secret: Some(secret),
                database_file: server::sqlite_file(&server.database),
                local: true,
                bulk: true,
            };
            (target, Some(server))
        }
        None => (foreign_target(args).await?, None),
    };
    let describe = describe_target(&target, &run_id);
    let cx = Arc::new(Ctx::new(target, run_id, args.cases, args.slow)?);
    let human = |line: &str| {
        if args.json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    human(&format!("conformance: {} checks against {describe}", checks.len()));
    let results: Vec<Ran> = runner::run_all(&cx, checks, |ran| {
        if let Some(line) = report::failure_line(ran) {
            human(&line);
        } else if args.verbose
            && let Some(line) = report::other_line(ran)
        {
            human(&line);
        }
    })
    .await;
    if !cx.local && cx.write_org().is_ok() {
        for problem in cx.clean_up().await {
            eprintln!("conformance: clean-up: could not set Deleted: {problem}");
        }
    }
    let (_, failed, _) = runner::counts(&results);
    if let Some(server) = local {
        if failed > 0 && args.verbose {
            eprintln!("conformance: the server's log, last lines:\n{}", server.log());
        }
        server.stop().await?;
    }
    let took = started.elapsed();
    if let Some(path) = &args.junit {
        std::fs::write(path, report::junit_report(&results, took))
            .with_context(|| format!("writing the JUnit report to {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report::json_report(&cx.base_url, &results, took))?);
        eprintln!("{}", report::summary_line(&results));
    } else {
        println!("{}", report::summary_line(&results));
    }
    Ok(failed)
}

/// The target of `--base-url`, with what the flags let the suite do.
async fn foreign_target(args: &Args) -> anyhow::Result<Target> {
    let base_url = args.base_url.clone().context("--base-url is required")?;
    let company = Account {
        login: args.login.clone().context("--login is required with --base-url")?,
        password: args.password.clone().context("--password is required with --base-url")?,
        api_key: args.api_key.clone(),
    };
    let second = match (&args.second_login, &args.second_password) {
        (Some(login), Some(password)) => {
            Some(Account { login: login.clone(), password: password.clone(), api_key: None })
        }
        _ => None,
    };
    let secret = match &args.database {
        Some(database) => Some(
            server::read_signing_secret(database)
                .await
                .with_context(|| format!("reading the signing secret from --database {database}"))?,
        ),
        None => None,
    };
    let write_org = if args.allow_writes { args.org.map(OrganizationId) } else { None };
    Ok(Target {
        base_url: base_url.trim_end_matches('/').to_owned(),
        company,
        second,
        write_org,
        secret,
        database_file: args.database.as_deref().and_then(server::sqlite_file),
        local: false,
        bulk: args.allow_bulk,
    })
}

fn describe_target(target: &Target, run_id: &str) -> String {
    let mode = match (target.local, target.write_org) {
        (true, _) => "the suite's own chathub-server".to_owned(),
        (false, Some(org)) => format!("writes allowed to organization {org}"),
        (false, None) => "read-only".to_owned(),
    };
    format!("{} ({mode}; run {run_id})", target.base_url)
}

/// Six hex digits from the clock and the process id: unique enough to tell
/// this run's operators from another's.
fn run_id() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mixed = (nanos ^ (u128::from(std::process::id()) << 20)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    format!("{:06x}", (mixed >> 64) as u32 & 0xff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_fifty_checks_with_unique_ids_and_spec_sections() {
        let checks = checks::all();
        assert!(checks.len() >= 50, "{} checks", checks.len());
        let mut ids: Vec<_> = checks.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), checks.len(), "duplicate check ids");
        for check in &checks {
            assert!(check.section.starts_with('§'), "{} cites no section", check.id);
            assert!(check.id.contains('/') && !check.id.contains(' '), "{}", check.id);
        }
    }

    #[test]
    fn every_decision_of_section_4_has_a_check() {
        let checks = checks::all();
        for decision in 1..=15 {
            let section = format!("§4.{decision}");
            assert!(checks.iter().any(|c| c.section == section), "no check for {section}");
        }
        for endpoint in ["§3.1", "§3.2", "§3.3", "§3.4", "§3.5", "§3.6", "§3.7"] {
            assert!(checks.iter().any(|c| c.section == endpoint), "no check for {endpoint}");
        }
    }

    #[test]
    fn the_chat_and_hub_decisions_of_section_7_have_checks() {
        let checks = checks::all();
        for (part, decisions) in [("7.2", 16..=27), ("7.3", 28..=30), ("7.4", 31..=32)] {
            for decision in decisions {
                let section = format!("§{part}.{decision}");
                assert!(checks.iter().any(|c| c.section == section), "no check for {section}");
            }
        }
        for id in ["hub/keep-alive-ping", "hub/client-timeout"] {
            assert!(checks.iter().any(|c| c.id == id), "{id}");
        }
    }

    #[test]
    fn the_throttle_and_the_schema_review_run_last() {
        let ids: Vec<_> = checks::all().iter().map(|c| c.id).collect();
        assert_eq!(&ids[ids.len() - 2..], ["decision-2/sign-in-throttle", "section-6/responses-match-schema"]);
    }

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn parse(argv: &[&str]) -> Result<Args, clap::Error> {
        use clap::Parser as _;
        Cli::try_parse_from(std::iter::once("conformance").chain(argv.iter().copied())).map(|cli| cli.args)
    }

    #[test]
    fn flags_need_their_companions() {
        let args =
            parse(&["--base-url", "http://x", "--login", "l", "--password", "p", "--allow-writes", "--org", "24"])
                .unwrap();
        assert_eq!((args.org, args.allow_writes, args.cases, args.slow), (Some(24), true, 32, false));
        assert!(parse(&["--slow"]).unwrap().slow);
        assert!(parse(&["--base-url", "http://x"]).is_err());
        assert!(parse(&["--allow-writes", "--org", "24"]).is_err());
        assert!(parse(&["--base-url", "http://x", "--login", "l", "--password", "p", "--allow-writes"]).is_err());
        assert!(parse(&["--base-url", "http://x", "--login", "l", "--password", "p", "--release"]).is_err());
        assert!(parse(&["--cases", "0"]).is_err());
        let only = parse(&["--only", "decision-8,§4.9", "--only", "x"]).unwrap().only;
        assert_eq!(only, ["decision-8", "§4.9", "x"]);
    }

    #[test]
    fn run_ids_are_six_hex_digits() {
        let id = run_id();
        assert_eq!(id.len(), 6);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
