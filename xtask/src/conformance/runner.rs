//! The check registry and its runner: every check has an id, the spec
//! section it enforces, and a time limit; checks run one after another (so
//! the server's sign-in throttle and revocations never race each other),
//! each in its own task, so a panic or a hang fails one check, never the run.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::context::Ctx;
use super::verdict::{Outcome, Stop, fail};

/// A check's body: takes the shared context, ends with its outcome.
pub type CheckFn = fn(Arc<Ctx>) -> Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// The time limit of a check when it sets none.
pub const DEFAULT_LIMIT: Limit = Limit::Secs(20);

/// One conformance check.
pub struct Check {
    /// Stable id: `<area>/<what>`, e.g. `decision-8/all-or-nothing`.
    pub id: &'static str,
    /// The spec section it enforces, e.g. `§4.8`.
    pub section: &'static str,
    /// What it checks, in a few words.
    pub title: &'static str,
    /// How long it may take.
    pub limit: Limit,
    /// The check itself.
    pub run: CheckFn,
}

/// How long a check may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A fixed number of seconds.
    Secs(u64),
    /// A base plus a share per property-test case (`--cases`).
    PerCase {
        /// Seconds for the fixed part.
        base_secs: u64,
        /// Milliseconds per case.
        per_case_ms: u64,
    },
}

impl Limit {
    /// The limit for a run with `cases` property-test cases.
    pub fn duration(self, cases: u32) -> Duration {
        match self {
            Limit::Secs(secs) => Duration::from_secs(secs),
            Limit::PerCase { base_secs, per_case_ms } => {
                Duration::from_secs(base_secs) + Duration::from_millis(per_case_ms.saturating_mul(u64::from(cases)))
            }
        }
    }
}

/// Builds a [`Check`] from an `async fn(Arc<Ctx>) -> Outcome`.
macro_rules! check {
    ($id:literal, $section:literal, $title:literal, $body:path) => {
        check!($id, $section, $title, $body, $crate::conformance::runner::DEFAULT_LIMIT)
    };
    ($id:literal, $section:literal, $title:literal, $body:path, $limit:expr) => {
        $crate::conformance::runner::Check {
            id: $id,
            section: $section,
            title: $title,
            limit: $limit,
            run: |cx| Box::pin($body(cx)),
        }
    };
}
pub(crate) use check;

/// What running one check gave.
#[derive(Debug, Clone)]
pub struct Ran {
    /// The check's id.
    pub id: &'static str,
    /// Its spec section.
    pub section: &'static str,
    /// Its title.
    pub title: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took.
    pub took: Duration,
}

/// Whether `check` is selected by the `--only` patterns (none: every check).
/// A pattern with `*` is a glob over the id; without, a part of the id or
/// the exact section (`§4.8`).
pub fn selected(check: &Check, patterns: &[String]) -> bool {
    patterns.is_empty()
        || patterns.iter().flat_map(|p| p.split(',')).map(str::trim).filter(|p| !p.is_empty()).any(|pattern| {
            if pattern.contains('*') {
                glob(pattern, check.id)
            } else {
                check.id.contains(pattern) || check.section == pattern
            }
        })
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = match parts.split_first() {
        Some(split) => split,
        None => return text.is_empty(),
    };
    let Some(mut remaining) = text.strip_prefix(first) else { return false };
    let Some((last, middle)) = rest.split_last() else { return remaining.is_empty() };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// Runs `checks` in order, each in its own task under its time limit;
/// `each` sees every result as soon as it is known.
pub async fn run_all(cx: &Arc<Ctx>, checks: &[Check], mut each: impl FnMut(&Ran)) -> Vec<Ran> {
    let mut results = Vec::with_capacity(checks.len());
    for check in checks {
        let limit = check.limit.duration(cx.cases);
        let started = Instant::now();
        if let Some(reason) = super::link::gone() {
            let outcome = Err(fail("a server that answers", reason));
            let ran =
                Ran { id: check.id, section: check.section, title: check.title, outcome, took: started.elapsed() };
            each(&ran);
            results.push(ran);
            continue;
        }
        let future = (check.run)(Arc::clone(cx));
        let outcome = match tokio::spawn(tokio::time::timeout(limit, future)).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_elapsed)) => Err(fail(
                format!("the check to finish within its time limit of {}s", limit.as_secs()),
                "the server was still being waited for when the time ran out",
            )),
            Err(error) => Err(fail("a check that ends without a panic", panic_message(error))),
        };
        let ran = Ran { id: check.id, section: check.section, title: check.title, outcome, took: started.elapsed() };
        each(&ran);
        results.push(ran);
    }
    results
}

fn panic_message(error: tokio::task::JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            format!("the check panicked: {text}")
        }
        Err(error) => format!("the check's task ended: {error}"),
    }
}

/// Passed, failed and skipped counts.
pub fn counts(results: &[Ran]) -> (usize, usize, usize) {
    let passed = results.iter().filter(|r| r.outcome.is_ok()).count();
    let skipped = results.iter().filter(|r| matches!(r.outcome, Err(Stop::Skip(_)))).count();
    (passed, results.len() - passed - skipped, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn never(_: Arc<Ctx>) -> Outcome {
        Ok(())
    }

    fn named(id: &'static str, section: &'static str) -> Check {
        Check { id, section, title: "t", limit: DEFAULT_LIMIT, run: |cx| Box::pin(never(cx)) }
    }

    #[test]
    fn globs_match_whole_ids() {
        assert!(glob("decision-8/*", "decision-8/all-or-nothing"));
        assert!(glob("*/all-*", "decision-8/all-or-nothing"));
        assert!(glob("*", ""));
        assert!(!glob("decision-8/*", "decision-9/x"));
        assert!(!glob("a*b", "acb-"));
        assert!(glob("a*b*b", "abb"));
    }

    #[test]
    fn only_takes_parts_of_ids_sections_and_lists() {
        let check = named("decision-8/all-or-nothing", "§4.8");
        assert!(selected(&check, &[]));
        assert!(selected(&check, &["all-or".to_owned()]));
        assert!(selected(&check, &["§4.8".to_owned()]));
        assert!(selected(&check, &["x, decision-8/*".to_owned()]));
        assert!(!selected(&check, &["§4.9".to_owned(), "decision-9".to_owned()]));
    }

    #[test]
    fn limits_scale_with_cases() {
        assert_eq!(Limit::Secs(3).duration(1000), Duration::from_secs(3));
        assert_eq!(Limit::PerCase { base_secs: 10, per_case_ms: 500 }.duration(4), Duration::from_secs(12));
    }
}
