//! `chathub operators import`: operators from a CSV file, in batches of at
//! most [`MAX_SYNCHRONIZE_ELEMENTS`].
//!
//! The file is read and checked in full before anything is sent. Each batch
//! is one synchronize request, sent once: a batch that fails stops the
//! import, and the error names the input lines involved and how many
//! operators were created before it. Rows whose `status` is not Active are
//! set right after their batch is created.

use std::collections::HashSet;
use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context as _, Result};
use chathub_client::{Client, Error as ClientError, NewOperator, OperatorStatus, OrganizationId, SynchronizedOperator};
use chathub_types::limits::MAX_SYNCHRONIZE_ELEMENTS;
use chathub_types::validation::{ValidationErrors, check_name};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::ImportArgs;
use crate::cmd::Context;
use crate::error::{UsageError, usage};
use crate::output::{self, count};

/// How many row errors a failed check lists before `and N more`.
const MAX_LISTED_ERRORS: usize = 10;

/// One data row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its line in the input (the header is line 1).
    pub line: u64,
    /// The name, trimmed.
    pub name: String,
    /// The status it should end with (Active when the column is absent or empty).
    pub status: OperatorStatus,
}

/// Reads and checks every row: a header with `name` and optionally
/// `status` (any case, any order), then one operator per line. Every error
/// is a [`UsageError`] naming the input lines.
pub fn read_rows(mut input: impl Read, source: &str) -> Result<Vec<Row>> {
    let mut bytes = Vec::new();
    if let Err(error) = input.read_to_end(&mut bytes) {
        usage!("{source}: cannot be read: {error}");
    }
    // The csv crate skips blank lines without counting them, and a record's
    // offset is where the blank lines before it begin: count lines ourselves.
    let line_at = |byte: u64| {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        1 + bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64
    };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::Headers).from_reader(bytes.as_slice());
    let headers = reader.headers().map_err(|error| csv_error(source, &error, &line_at))?.clone();
    if headers.is_empty() || (headers.len() == 1 && headers.get(0) == Some("")) {
        usage!("{source}: the file is empty; its first line must be the header `name`");
    }
    let mut name_column = None;
    let mut status_column = None;
    for (index, header) in headers.iter().enumerate() {
        let slot = match header.to_ascii_lowercase().as_str() {
            "name" => &mut name_column,
            "status" => &mut status_column,
            _ => usage!("{source}: line 1: unknown column `{header}` (expected `name` and optionally `status`)"),
        };
        if slot.replace(index).is_some() {
            usage!("{source}: line 1: the column `{header}` appears twice");
        }
    }
    let Some(name_column) = name_column else {
        usage!("{source}: line 1: the header has no `name` column");
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| csv_error(source, &error, &line_at))?;
        let line = record.position().map_or(0, |position| line_at(position.byte()));
        let name = record.get(name_column).unwrap_or_default();
        let mut problems = ValidationErrors::new();
        check_name(name, "name", &mut problems);
        let status = match status_column.and_then(|column| record.get(column)).map(str::trim) {
            None | Some("") => OperatorStatus::Active,
            Some(text) => match crate::cli::parse_status(text) {
                Ok(status) => status,
                Err(error) => {
                    problems.add("status", error);
                    OperatorStatus::Active
                }
            },
        };
        if problems.is_empty() {
            rows.push(Row { line, name: name.trim().to_owned(), status });
        } else {
            errors.push(format!("line {line}: {problems}"));
        }
    }
    if !errors.is_empty() {
        let more = errors.len().saturating_sub(MAX_LISTED_ERRORS);
        let mut listed = errors.into_iter().take(MAX_LISTED_ERRORS).collect::<Vec<_>>().join("; ");
        if more > 0 {
            listed.push_str(&format!("; and {more} more"));
        }
        usage!("{source}: {listed}");
    }
    Ok(rows)
}

fn csv_error(source: &str, error: &csv::Error, line_at: &dyn Fn(u64) -> u64) -> anyhow::Error {
    let line = error.position().map(|position| format!("line {}: ", line_at(position.byte()))).unwrap_or_default();
    let reason = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
        csv::ErrorKind::Io(io) => format!("cannot be read: {io}"),
        _ => error.to_string(),
    };
    anyhow::Error::new(UsageError(format!("{source}: {line}{reason}")))
}

/// Why a row is left out with `--skip-existing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Skip {
    /// The organization already has an operator with this name.
    Existing,
    /// An earlier line of the file has the same name.
    Repeated,
}

/// What an import sends, and what it leaves out.
#[derive(Debug, Default)]
pub struct Plan {
    /// Rows to create, in file order.
    pub send: Vec<Row>,
    /// Rows left out, and why.
    pub skipped: Vec<(Row, Skip)>,
}

impl Plan {
    /// Every row, or with `skip` those whose name is neither in `existing`
    /// nor on an earlier line.
    pub fn new(rows: Vec<Row>, existing: &HashSet<String>, skip: bool) -> Self {
        let mut plan = Self::default();
        let mut seen = HashSet::new();
        for row in rows {
            if skip && existing.contains(&row.name) {
                plan.skipped.push((row, Skip::Existing));
            } else if skip && !seen.insert(row.name.clone()) {
                plan.skipped.push((row, Skip::Repeated));
            } else {
                plan.send.push(row);
            }
        }
        plan
    }

    /// The synchronize requests, in order.
    pub fn batches(&self) -> std::slice::Chunks<'_, Row> {
        self.send.chunks(MAX_SYNCHRONIZE_ELEMENTS)
    }

    fn status_changes(&self) -> usize {
        self.send.iter().filter(|row| !row.status.is_active()).count()
    }
}

/// Runs `chathub operators import`.
pub async fn run(context: &Context, args: ImportArgs) -> Result<()> {
    let from_stdin = args.file == Path::new("-");
    let (rows, source) = if from_stdin {
        if context.password_from_stdin() {
            usage!("--password-stdin and FILE `-` cannot both read standard input");
        }
        (read_rows(std::io::stdin().lock(), "standard input")?, "standard input".to_owned())
    } else {
        let source = args.file.display().to_string();
        let file = match std::fs::File::open(&args.file) {
            Ok(file) => file,
            Err(error) => usage!("{source}: cannot be opened: {error}"),
        };
        (read_rows(std::io::BufReader::new(file), &source)?, source)
    };
    let organization = args.org;
    let client = if args.skip_existing || !args.dry_run { Some(context.client()?) } else { None };
    let existing = match (&client, args.skip_existing) {
        (Some(client), true) => client
            .operators()
            .list(organization)
            .await
            .context("listing the organization's operators for --skip-existing")?
            .into_iter()
            .map(|operator| operator.name.trim().to_owned())
            .collect(),
        _ => HashSet::new(),
    };
    let plan = Plan::new(rows, &existing, args.skip_existing);
    tracing::debug!(source, rows = plan.send.len(), skipped = plan.skipped.len(), "chathub: import planned");
    match client {
        Some(client) if !args.dry_run => send(context, &client, organization, &plan).await,
        _ => dry_run(context, organization, &plan),
    }
}

/// A row of the dry run's `statuses` or `skipped` list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlannedRow<'a> {
    line: u64,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<OperatorStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Skip>,
}

/// The dry run's JSON document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DryRun<'a> {
    organization_id: OrganizationId,
    /// Each element is one synchronize request body.
    batches: Vec<Vec<NewOperator>>,
    /// Status changes that would follow creation.
    statuses: Vec<PlannedRow<'a>>,
    skipped: Vec<PlannedRow<'a>>,
}

fn dry_run(context: &Context, organization: OrganizationId, plan: &Plan) -> Result<()> {
    if context.out.is_json() {
        let document = DryRun {
            organization_id: organization,
            batches: plan
                .batches()
                .map(|batch| batch.iter().map(|row| NewOperator::new(organization, row.name.clone())).collect())
                .collect(),
            statuses: plan
                .send
                .iter()
                .filter(|row| !row.status.is_active())
                .map(|row| PlannedRow { line: row.line, name: &row.name, status: Some(row.status), reason: None })
                .collect(),
            skipped: plan
                .skipped
                .iter()
                .map(|(row, skip)| PlannedRow { line: row.line, name: &row.name, status: None, reason: Some(*skip) })
                .collect(),
        };
        return context.out.json(&document);
    }
    let mut sentence = format!(
        "Dry run: would add {} to organization {organization} in {}",
        count(plan.send.len(), "operator"),
        count(plan.batches().len(), "batch")
    );
    if plan.status_changes() > 0 {
        sentence.push_str(&format!(", then set the status of {}", count(plan.status_changes(), "operator")));
    }
    if !plan.skipped.is_empty() {
        sentence.push_str(&format!("; {} left out", count(plan.skipped.len(), "line")));
    }
    sentence.push_str(". Nothing was sent.");
    context.out.line(sentence)?;
    if !plan.send.is_empty() {
        context.out.table(&output::rows(plan.send.iter().map(|row| (row.line, row.name.as_str(), row.status))))?;
    }
    if !plan.skipped.is_empty() {
        context.out.line("Left out:")?;
        context.out.table(&output::skipped(plan.skipped.iter().map(|(row, skip)| {
            let reason = match skip {
                Skip::Existing => "already in the organization",
                Skip::Repeated => "repeats an earlier line",
            };
            (row.line, row.name.as_str(), reason)
        })))?;
    }
    Ok(())
}

/// Whether to draw a progress bar: only for people watching a terminal.
pub fn wants_progress(json: bool, verbose: u8, stdout_is_terminal: bool, stderr_is_terminal: bool) -> bool {
    !json && verbose == 0 && stdout_is_terminal && stderr_is_terminal
}

fn progress_bar(context: &Context, total: usize) -> ProgressBar {
    let wanted = wants_progress(
        context.out.is_json(),
        context.verbose(),
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    );
    if !wanted {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} operators ({eta} left)") {
        bar.set_style(style);
    }
    bar
}

async fn send(context: &Context, client: &Client, organization: OrganizationId, plan: &Plan) -> Result<()> {
    let total_batches = plan.batches().len();
    let progress = progress_bar(context, plan.send.len());
    let mut created: Vec<SynchronizedOperator> = Vec::with_capacity(plan.send.len());
    let mut status_changes = 0;
    for (index, batch) in plan.batches().enumerate() {
        let request = batch.iter().map(|row| NewOperator::new(organization, row.name.clone()));
        tracing::debug!(batch = index + 1, of = total_batches, operators = batch.len(), "chathub: import batch");
        let stop = |kind: StopKind| Stopped {
            kind,
            batch: index + 1,
            of: total_batches,
            first_line: batch.first().map_or(0, |row| row.line),
            last_line: batch.last().map_or(0, |row| row.line),
            organization,
        };
        let answer = match client.operators().synchronize(request).await {
            Ok(answer) => answer,
            Err(error) => {
                let failed_lines = failed_lines(&error, batch);
                let stopped = stop(StopKind::Batch { created: created.len(), failed_lines, source: error });
                progress.abandon();
                return fail(context, &created, stopped);
            }
        };
        if answer.len() != batch.len() {
            progress.abandon();
            let stopped =
                stop(StopKind::Mismatch { created: created.len(), answered: answer.len(), sent: batch.len() });
            created.extend(answer);
            return fail(context, &created, stopped);
        }
        let mut answer = answer.into_iter();
        for row in batch {
            let Some(mut operator) = answer.next() else { break };
            if operator.status != row.status {
                if let Err(error) = client.operators().set_status(operator.id, row.status).await {
                    let id = operator.id;
                    created.push(operator);
                    created.extend(answer);
                    progress.abandon();
                    let stopped = stop(StopKind::Status {
                        created: created.len(),
                        line: row.line,
                        operator: id,
                        status: row.status,
                        source: error,
                    });
                    return fail(context, &created, stopped);
                }
                operator.status = row.status;
                status_changes += 1;
            }
            created.push(operator);
        }
        progress.inc(batch.len() as u64);
    }
    progress.finish_and_clear();
    if context.out.is_json() {
        return context.out.json(&created);
    }
    let mut sentence = if created.is_empty() {
        format!("Nothing to import into organization {organization}")
    } else {
        format!(
            "Added {} to organization {organization} in {}",
            count(created.len(), "operator"),
            count(total_batches, "batch")
        )
    };
    if status_changes > 0 {
        sentence.push_str(&format!(" and set the status of {}", count(status_changes, "operator")));
    }
    if !plan.skipped.is_empty() {
        sentence.push_str(&format!("; {} left out (already there or repeated)", count(plan.skipped.len(), "line")));
    }
    sentence.push('.');
    context.out.line(sentence)
}

/// Prints what was created (`--json`) and returns the error.
fn fail(context: &Context, created: &[SynchronizedOperator], stopped: Stopped) -> Result<()> {
    if context.out.is_json() {
        context.out.json(created)?;
    }
    Err(anyhow::Error::new(stopped))
}

/// The input lines of the elements a 400 answer names (`$[3].name` → the
/// fourth row of the batch).
fn failed_lines(error: &ClientError, batch: &[Row]) -> Vec<u64> {
    let Some(errors) = error.problem().and_then(|problem| problem.errors.as_ref()) else { return Vec::new() };
    let mut lines: Vec<u64> = errors
        .keys()
        .filter_map(|path| path.strip_prefix("$[")?.split(']').next()?.parse::<usize>().ok())
        .filter_map(|index| batch.get(index).map(|row| row.line))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// Why an import stopped.
#[derive(Debug)]
enum StopKind {
    /// A synchronize request failed.
    Batch { created: usize, failed_lines: Vec<u64>, source: ClientError },
    /// The server answered with another number of operators than were sent.
    Mismatch { created: usize, answered: usize, sent: usize },
    /// Setting a created operator's status failed.
    Status {
        created: usize,
        line: u64,
        operator: chathub_client::OperatorId,
        status: OperatorStatus,
        source: ClientError,
    },
}

/// An import that stopped part-way: what failed and what was created.
#[derive(Debug)]
struct Stopped {
    kind: StopKind,
    batch: usize,
    of: usize,
    first_line: u64,
    last_line: u64,
    organization: OrganizationId,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self { batch, of, first_line, last_line, organization, .. } = self;
        match &self.kind {
            StopKind::Batch { created, failed_lines, source } => {
                write!(f, "{source}; import stopped at batch {batch} of {of} (input lines {first_line}-{last_line})")?;
                match failed_lines.as_slice() {
                    [] => {}
                    [line] => write!(f, ", input line {line} failed")?,
                    lines => {
                        let lines = lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
                        write!(f, ", input lines {lines} failed")?;
                    }
                }
                write!(f, "; {} created before it", count(*created, "operator"))?;
                if stored_for_certain_not(source) {
                    write!(f, "; nothing of this batch was stored and nothing was sent again")
                } else {
                    write!(
                        f,
                        "; this batch may have been stored (it is never sent again): check with \
                         `chathub operators list --org {organization}` and import the rest with --skip-existing"
                    )
                }
            }
            StopKind::Mismatch { created, answered, sent } => write!(
                f,
                "import stopped at batch {batch} of {of} (input lines {first_line}-{last_line}): the server answered \
                 {answered} operators for {sent} sent; {} created in all",
                count(*created, "operator")
            ),
            StopKind::Status { created, line, operator, status, source } => write!(
                f,
                "{source}; import stopped at input line {line}: operator {operator} was created but could not be \
                 made {status}; {} created in all, the statuses of input lines {line}-{last_line} were not set and \
                 nothing after line {last_line} was sent",
                count(*created, "operator")
            ),
        }
    }
}

impl std::error::Error for Stopped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            StopKind::Batch { source, .. } | StopKind::Status { source, .. } => Some(source),
            StopKind::Mismatch { .. } => None,
        }
    }
}

/// Whether the server surely did not store the batch: it refused it (4xx) or
/// was never reached. After a timeout or a 5xx nobody knows.
fn stored_for_certain_not(error: &ClientError) -> bool {
    error.status().is_some_and(|status| status.is_client_error()) || error.is_connect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Row>> {
        read_rows(text.as_bytes(), "input.csv")
    }

    fn message(result: Result<Vec<Row>>) -> String {
        match result {
            Ok(rows) => panic!("expected an error, got {rows:?}"),
            Err(error) => {
                assert!(error.is::<UsageError>(), "{error}");
                error.to_string()
            }
        }
    }

    #[test]
    fn reads_names_and_statuses_with_their_lines() {
        let rows = read("Status , NAME\n,Alex Brown\ninactive,\"Smith, Jane\"\n\n2,  Lee  \n").unwrap();
        assert_eq!(
            rows,
            vec![
                Row { line: 2, name: "Alex Brown".into(), status: OperatorStatus::Active },
                Row { line: 3, name: "Smith, Jane".into(), status: OperatorStatus::Inactive },
                Row { line: 5, name: "Lee".into(), status: OperatorStatus::Deleted },
            ]
        );
        assert_eq!(read("name\n").unwrap(), vec![]);
        assert_eq!(read("\u{feff}name\nAnn\n").unwrap()[0].name, "Ann");
        assert_eq!(
            read("name\r\n\r\n\"Multi\nline\"\r\n\r\nBob\r\n").unwrap().iter().map(|r| r.line).collect::<Vec<_>>(),
            [3, 6]
        );
    }

    #[test]
    fn bad_files_name_the_line() {
        assert_eq!(message(read("")), "input.csv: the file is empty; its first line must be the header `name`");
        assert_eq!(
            message(read("email\nx\n")),
            "input.csv: line 1: unknown column `email` (expected `name` and optionally `status`)"
        );
        assert_eq!(message(read("status\n1\n")), "input.csv: line 1: the header has no `name` column");
        assert_eq!(message(read("name,name\na,b\n")), "input.csv: line 1: the column `name` appears twice");
        assert_eq!(message(read("name,status\nAnn,1\n\nBob\n")), "input.csv: line 4: 1 fields where the header has 2");
        let text = message(read("name,status\nAnn,paused\nBob,7\nCy,0\n"));
        assert!(text.starts_with("input.csv: line 2: status: unknown operator status `paused`"), "{text}");
        assert!(text.contains("line 3: status: unknown operator status `7`"), "{text}");
        let long = format!("name\n{}\n", "x".repeat(101));
        assert!(message(read(&long)).contains("line 2: name: The name must be at most 100 characters long."));
        let many = format!("name\n{}", "\"\"\n".repeat(12));
        assert!(message(read(&many)).ends_with("; and 2 more"));
        assert!(message(read_rows(&b"name\n\xff\n"[..], "input.csv")).contains("not valid UTF-8"));
    }

    #[test]
    fn plans_leave_out_existing_and_repeated_names_only_when_asked() {
        let rows = read("name\nJohn Smith\nAnn\nAnn\nBob\n").unwrap();
        let existing = HashSet::from(["John Smith".to_owned()]);
        let plan = Plan::new(rows.clone(), &existing, true);
        assert_eq!(plan.send.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 5]);
        assert_eq!(
            plan.skipped.iter().map(|(r, s)| (r.line, *s)).collect::<Vec<_>>(),
            [(2, Skip::Existing), (4, Skip::Repeated)]
        );
        let plan = Plan::new(rows, &existing, false);
        assert_eq!(plan.send.len(), 4);
        assert!(plan.skipped.is_empty());
    }

    #[test]
    fn batches_hold_at_most_the_limit() {
        let rows: Vec<Row> =
            (0..2_001).map(|i| Row { line: i + 2, name: format!("op {i}"), status: OperatorStatus::Active }).collect();
        let plan = Plan::new(rows, &HashSet::new(), false);
        let sizes: Vec<usize> = plan.batches().map(<[Row]>::len).collect();
        assert_eq!(sizes, [1_000, 1_000, 1]);
    }

    #[test]
    fn progress_only_for_people_at_a_terminal() {
        assert!(wants_progress(false, 0, true, true));
        assert!(!wants_progress(true, 0, true, true));
        assert!(!wants_progress(false, 1, true, true));
        assert!(!wants_progress(false, 0, false, true));
        assert!(!wants_progress(false, 0, true, false));
    }
}
