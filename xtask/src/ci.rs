//! `cargo xtask ci`: every check CI runs, in order, stopping at the first
//! failure. Each step prints a header and its time; a summary table closes
//! the run. The steps themselves are listed in [`step::STEPS`].

mod report;
mod select;
mod step;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::bail;

use self::report::{Outcome, format_duration, summary};
use self::select::Selection;
use self::step::{STEPS, Step};

/// Flags of `cargo xtask ci`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which steps to run.
    #[command(flatten)]
    pub selection: Selection,
    /// Print the steps and their commands, and run nothing.
    #[arg(long)]
    pub list: bool,
}

/// Runs the selected steps from the workspace root `root`.
pub fn run(args: &Args, root: &Path) -> anyhow::Result<()> {
    if args.list {
        let name_width = STEPS.iter().map(|step| step.name.len()).max().unwrap_or(0);
        let about_width = STEPS.iter().map(|step| step.about.len()).max().unwrap_or(0);
        for step in STEPS {
            println!("{:<name_width$}  {:<about_width$}  {}", step.name, step.about, (step.command)());
        }
        return Ok(());
    }
    args.selection.check(STEPS)?;

    let started = Instant::now();
    let run = execute(STEPS, &args.selection, |step, position, of| run_step(step, root, position, of));
    println!();
    print!("{}", summary(&run.outcomes, started.elapsed()));
    if let Some((step, error)) = run.failure {
        bail!(
            "ci step `{}` failed: {error:#}\n\
             reproduce it with:  {}\n\
             or rerun only this step:  cargo xtask ci --only {}",
            step.name,
            (step.command)(),
            step.name
        );
    }
    println!("ci passed");
    Ok(())
}

/// What a run did: every step's outcome, and the step that failed, if any.
struct Run<'a> {
    outcomes: Vec<(&'a str, Outcome)>,
    failure: Option<(&'a Step, anyhow::Error)>,
}

/// Runs the selected `steps` in order with `run_one(step, position, of)`,
/// stopping at the first failure; later steps are recorded as not run.
fn execute<'a>(
    steps: &'a [Step],
    selection: &Selection,
    mut run_one: impl FnMut(&Step, usize, usize) -> Result<Duration, (Duration, anyhow::Error)>,
) -> Run<'a> {
    let selected = steps.iter().filter(|step| selection.includes(step.name)).count();
    let mut run = Run { outcomes: Vec::with_capacity(steps.len()), failure: None };
    let mut position = 0;
    for step in steps {
        let outcome = if !selection.includes(step.name) {
            Outcome::Skipped
        } else if run.failure.is_some() {
            Outcome::NotRun
        } else {
            position += 1;
            match run_one(step, position, selected) {
                Ok(took) => Outcome::Passed(took),
                Err((took, error)) => {
                    run.failure = Some((step, error));
                    Outcome::Failed(took)
                }
            }
        };
        run.outcomes.push((step.name, outcome));
    }
    run
}

/// Runs one step; on failure returns how long it took and why it failed.
fn run_step(step: &Step, root: &Path, position: usize, of: usize) -> Result<Duration, (Duration, anyhow::Error)> {
    let command = (step.command)();
    println!();
    println!("==> [{position}/{of}] {}: {}", step.name, step.about);
    println!("==> $ {command}");
    let started = Instant::now();
    let result = step.prepare.map_or(Ok(()), |prepare| prepare(root)).and_then(|()| {
        let status = command.run(root)?;
        if !status.success() {
            bail!("the command ended with {status}");
        }
        Ok(())
    });
    let took = started.elapsed();
    match result {
        Ok(()) => {
            println!("==> {} passed in {}", step.name, format_duration(took));
            Ok(took)
        }
        Err(error) => {
            println!("==> {} FAILED after {}", step.name, format_duration(took));
            Err((took, error))
        }
    }
}

#[cfg(test)]
mod tests {
    use anyhow::anyhow;

    use super::*;

    fn skipping(names: &[&str]) -> Selection {
        Selection { only: Vec::new(), skip: names.iter().map(|&name| name.to_owned()).collect() }
    }

    #[test]
    fn the_first_failure_stops_the_run() {
        let mut started = Vec::new();
        let run = execute(STEPS, &skipping(&["fmt"]), |step, position, of| {
            started.push((step.name, position, of));
            if step.name == "test" {
                Err((Duration::from_secs(2), anyhow!("boom")))
            } else {
                Ok(Duration::from_secs(1))
            }
        });
        let selected = STEPS.len() - 1;
        assert_eq!(
            started,
            [("clippy", 1, selected), ("features", 2, selected), ("openapi", 3, selected), ("test", 4, selected)]
        );
        let expected: Vec<_> = STEPS
            .iter()
            .map(|step| match step.name {
                "fmt" => (step.name, Outcome::Skipped),
                "clippy" | "features" | "openapi" => (step.name, Outcome::Passed(Duration::from_secs(1))),
                "test" => (step.name, Outcome::Failed(Duration::from_secs(2))),
                name => (name, Outcome::NotRun),
            })
            .collect();
        assert_eq!(run.outcomes, expected);
        let (step, error) = run.failure.unwrap();
        assert_eq!((step.name, error.to_string()), ("test", "boom".to_owned()));
    }

    #[test]
    fn a_run_without_failure_runs_every_selected_step() {
        let mut started = Vec::new();
        let run = execute(STEPS, &skipping(&["doc"]), |step, _, _| {
            started.push(step.name);
            Ok(Duration::ZERO)
        });
        let expected: Vec<_> = STEPS.iter().map(|step| step.name).filter(|name| *name != "doc").collect();
        assert_eq!(started, expected);
        assert!(run.failure.is_none());
        assert!(run.outcomes.contains(&("doc", Outcome::Skipped)));
    }
}
