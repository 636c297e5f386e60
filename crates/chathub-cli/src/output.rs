//! What commands print: tables and sentences for people, the API's JSON for
//! scripts (`--json`: one document on standard output, nothing else).

use std::io::Write;

use anyhow::{Context as _, Result};
use chathub_client::{Operator, Organization, SynchronizedOperator};
use comfy_table::{CellAlignment, Table, presets};
use serde::Serialize;

/// Where and how a command prints.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
}

impl Output {
    /// Tables and sentences, or JSON when `json`.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether `--json` was given.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Writes one JSON document (pretty-printed) on standard output.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value).context("cannot write the answer as JSON")?;
        self.line(text)
    }

    /// Writes a line on standard output.
    pub fn line(&self, text: impl std::fmt::Display) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}").and_then(|()| stdout.flush()).context("cannot write to standard output")
    }

    /// Writes a table on standard output.
    pub fn table(&self, table: &Table) -> Result<()> {
        self.line(table)
    }

    /// A remark for people on standard error; left out with `--json`.
    pub fn note(&self, text: impl std::fmt::Display) {
        if !self.json {
            // Nothing useful is left to do when standard error is gone.
            let _ = writeln!(std::io::stderr(), "{text}");
        }
    }
}

/// `1 operator`, `2 operators`, `3 batches`.
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ if noun.ends_with("ch") || noun.ends_with('s') => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

/// A table with our style and these column headers.
fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners()).set_header(header.to_vec());
    table
}

fn align_right(table: &mut Table, column: usize) {
    if let Some(column) = table.column_mut(column) {
        column.set_cell_alignment(CellAlignment::Right);
    }
}

/// ID, NAME.
pub fn organizations(organizations: &[Organization]) -> Table {
    let mut table = new_table(&["ID", "NAME"]);
    for organization in organizations {
        table.add_row(vec![organization.id.to_string(), organization.name.clone()]);
    }
    align_right(&mut table, 0);
    table
}

/// ID, NAME, STATUS (name, or the number when unknown), ORGANIZATION.
pub fn operators(operators: &[Operator]) -> Table {
    let mut table = new_table(&["ID", "NAME", "STATUS", "ORGANIZATION"]);
    for operator in operators {
        table.add_row(vec![
            operator.id.to_string(),
            operator.name.clone(),
            operator.status.to_string(),
            format!("{} ({})", operator.organization.name, operator.organization.id),
        ]);
    }
    align_right(&mut table, 0);
    table
}

/// ID, NAME, STATUS of operators just created.
pub fn created(operators: &[SynchronizedOperator]) -> Table {
    let mut table = new_table(&["ID", "NAME", "STATUS"]);
    for operator in operators {
        table.add_row(vec![operator.id.to_string(), operator.name.clone(), operator.status.to_string()]);
    }
    align_right(&mut table, 0);
    table
}

/// LINE, NAME, STATUS of CSV rows (an import's dry run).
pub fn rows<'a>(rows: impl IntoIterator<Item = (u64, &'a str, chathub_client::OperatorStatus)>) -> Table {
    let mut table = new_table(&["LINE", "NAME", "STATUS"]);
    for (line, name, status) in rows {
        table.add_row(vec![line.to_string(), name.to_owned(), status.to_string()]);
    }
    align_right(&mut table, 0);
    table
}

/// LINE, NAME, REASON of CSV rows left out.
pub fn skipped<'a>(rows: impl IntoIterator<Item = (u64, &'a str, &'a str)>) -> Table {
    let mut table = new_table(&["LINE", "NAME", "REASON"]);
    for (line, name, reason) in rows {
        table.add_row(vec![line.to_string(), name.to_owned(), reason.to_owned()]);
    }
    align_right(&mut table, 0);
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use chathub_client::{OperatorId, OperatorStatus, OrganizationId};

    #[test]
    fn unknown_statuses_show_as_numbers() {
        let organization = Organization { id: OrganizationId(24), name: "Customer Support".into() };
        let operator =
            Operator { id: OperatorId(7), name: "Ann".into(), status: OperatorStatus::from_i32(9), organization };
        let text = operators(&[operator]).to_string();
        assert!(text.contains("┆ 9 "), "{text}");
        assert!(text.contains("Customer Support (24)"), "{text}");
    }

    #[test]
    fn counts() {
        assert_eq!(count(1, "operator"), "1 operator");
        assert_eq!(count(0, "operator"), "0 operators");
        assert_eq!(count(3, "batch"), "3 batches");
    }
}
