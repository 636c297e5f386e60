//! Which steps a run includes: `--only` and `--skip`.

use anyhow::bail;

use super::step::Step;

/// The steps the command line asked for.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Selection {
    /// Run only these steps (repeat or separate with commas).
    #[arg(long, value_name = "STEP", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Run every step but these (repeat or separate with commas).
    #[arg(long, value_name = "STEP", value_delimiter = ',')]
    pub skip: Vec<String>,
}

impl Selection {
    /// Checks that every name given is a step of `steps`.
    pub fn check(&self, steps: &[Step]) -> anyhow::Result<()> {
        let unknown: Vec<&str> = self
            .only
            .iter()
            .chain(&self.skip)
            .map(String::as_str)
            .filter(|name| !steps.iter().any(|step| step.name == *name))
            .collect();
        if !unknown.is_empty() {
            let known: Vec<&str> = steps.iter().map(|step| step.name).collect();
            bail!("unknown step {}; the steps are: {}", quoted_list(&unknown), known.join(", "));
        }
        if !steps.iter().any(|step| self.includes(step.name)) {
            bail!("--only and --skip leave no step to run");
        }
        Ok(())
    }

    /// Whether the step called `name` runs: named by `--only` (when given)
    /// and not named by `--skip`.
    pub fn includes(&self, name: &str) -> bool {
        let wanted = self.only.is_empty() || self.only.iter().any(|only| only == name);
        wanted && !self.skip.iter().any(|skip| skip == name)
    }
}

fn quoted_list(names: &[&str]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::step::STEPS;
    use super::*;

    fn selection(only: &[&str], skip: &[&str]) -> Selection {
        Selection {
            only: only.iter().map(|&name| name.to_owned()).collect(),
            skip: skip.iter().map(|&name| name.to_owned()).collect(),
        }
    }

    fn included(selection: &Selection) -> Vec<&'static str> {
        STEPS.iter().map(|step| step.name).filter(|name| selection.includes(name)).collect()
    }

    #[test]
    fn no_flags_run_every_step() {
        let all = Selection::default();
        all.check(STEPS).unwrap();
        let every: Vec<_> = STEPS.iter().map(|step| step.name).collect();
        assert_eq!(included(&all), every);
    }

    #[test]
    fn only_keeps_the_step_order_not_the_flag_order() {
        assert_eq!(included(&selection(&["deny", "fmt"], &[])), ["fmt", "deny"]);
    }

    #[test]
    fn skip_removes_steps_and_wins_over_only() {
        let rest: Vec<_> = STEPS.iter().map(|step| step.name).filter(|name| !["test", "doc"].contains(name)).collect();
        assert_eq!(included(&selection(&[], &["test", "doc"])), rest);
        assert_eq!(included(&selection(&["fmt", "clippy"], &["clippy"])), ["fmt"]);
    }

    #[test]
    fn unknown_names_are_all_reported_with_the_known_ones() {
        let error = selection(&["fmt", "lint"], &["tests"]).check(STEPS).unwrap_err().to_string();
        let every: Vec<_> = STEPS.iter().map(|step| step.name).collect();
        assert_eq!(error, format!("unknown step `lint`, `tests`; the steps are: {}", every.join(", ")));
    }

    #[test]
    fn a_selection_of_nothing_is_an_error() {
        let error = selection(&["fmt"], &["fmt"]).check(STEPS).unwrap_err().to_string();
        assert_eq!(error, "--only and --skip leave no step to run");
    }
}
