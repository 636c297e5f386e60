//! `chathub operators import`: against the real server, and against
//! wiremock for batches that fail part-way.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{chathub, run, server, with_api_key};

const SYNCHRONIZE: &str = "/api/operator/synchronize";

fn csv_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".csv").tempfile().expect("temp file");
    file.write_all(text.as_bytes()).expect("write csv");
    file
}

fn bulk_csv(rows: usize) -> String {
    let mut text = String::from("name\n");
    for index in 0..rows {
        text.push_str(&format!("Bulk operator {index}\n"));
    }
    text
}

fn path_of(file: &tempfile::NamedTempFile) -> String {
    file.path().display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn imports_names_and_statuses_and_prints_the_wire_json() {
    let server = server().await;
    let url = server.base_url();
    let file = csv_file("name,status\nAlex Brown,\n\"Smith, Jane\",inactive\nOld Timer,2\n");
    let imported = run(with_api_key(url, ["operators", "import", "--org", "42", &path_of(&file), "--json"])).await;
    let created = imported.json();
    let summary: Vec<(&str, i64)> = created
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| (o["name"].as_str().unwrap_or_default(), o["status"].as_i64().unwrap_or(-1)))
        .collect();
    assert_eq!(summary, [("Alex Brown", 0), ("Smith, Jane", 1), ("Old Timer", 2)]);
    assert!(imported.stderr.is_empty(), "{imported:?}");
    let listed = run(with_api_key(url, ["operators", "list", "--org", "42", "--json"])).await.json();
    let stored: Vec<(&str, i64)> = listed
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| (o["name"].as_str().unwrap_or_default(), o["status"].as_i64().unwrap_or(-1)))
        .collect();
    assert_eq!(stored, [("Emma Davis", 0), ("Alex Brown", 0), ("Smith, Jane", 1), ("Old Timer", 2)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn imports_thousands_in_batches_from_stdin_and_skips_existing_on_a_rerun() {
    let server = server().await;
    let url = server.base_url();
    let text = bulk_csv(2_345);
    let mut first = with_api_key(url, ["operators", "import", "--org", "24", "-"]);
    first.write_stdin(text.clone());
    let first = run(first).await;
    assert_eq!(first.ok(), "Added 2345 operators to organization 24 in 3 batches.\n");
    let listed = run(with_api_key(url, ["operators", "list", "--org", "24", "--json"])).await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(2 + 2_345));

    let mut again = with_api_key(url, ["operators", "import", "--org", "24", "-", "--skip-existing"]);
    again.write_stdin(format!("{text}John Smith\nNew One\nNew One\n"));
    let again = run(again).await;
    assert_eq!(
        again.ok(),
        "Added 1 operator to organization 24 in 1 batch; 2347 lines left out (already there or repeated).\n"
    );
    let listed = run(with_api_key(url, ["operators", "list", "--org", "24", "--json"])).await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(2 + 2_345 + 1));

    let mut nothing = with_api_key(url, ["operators", "import", "--org", "24", "-", "--skip-existing"]);
    nothing.write_stdin("name\nNew One\nJohn Smith\n");
    let nothing = run(nothing).await;
    assert_eq!(nothing.ok(), "Nothing to import into organization 24; 2 lines left out (already there or repeated).\n");
    let mut empty = with_api_key(url, ["operators", "import", "--org", "24", "-", "--json"]);
    empty.write_stdin("name\n");
    assert_eq!(run(empty).await.json(), json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_shows_what_would_be_sent_and_sends_nothing() {
    let server = server().await;
    let file = csv_file("name,status\nJohn Smith,\nNina Park,inactive\n\nOmar Haddad,\nNina Park,\n");
    let dry = run(with_api_key(
        server.base_url(),
        ["operators", "import", "--org", "24", &path_of(&file), "--dry-run", "--skip-existing"],
    ))
    .await;
    insta::assert_snapshot!("import_dry_run", dry.ok());
    let json = run(with_api_key(
        server.base_url(),
        ["operators", "import", "--org", "24", &path_of(&file), "--dry-run", "--skip-existing", "--json"],
    ))
    .await;
    insta::assert_json_snapshot!("import_dry_run_json", json.json());
    let listed = run(with_api_key(server.base_url(), ["operators", "list", "--org", "24", "--json"])).await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "a dry run adds nothing");

    // Without --skip-existing a dry run needs no server and no credentials.
    let offline = run(chathub(["operators", "import", "--org", "24", &path_of(&file), "--dry-run", "--json"])).await;
    let batches = &offline.json()["batches"];
    assert_eq!(batches[0].as_array().map(Vec::len), Some(4), "{offline:?}");
    assert_eq!(batches[0][0], json!({"organizationId": 24, "name": "John Smith"}));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_file_is_refused_before_anything_is_sent() {
    let mock = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&mock).await;
    let file = csv_file("name,status\nAnn,\n   ,\nBob,paused\n");
    let bad = run(with_api_key(&mock.uri(), ["operators", "import", "--org", "24", &path_of(&file)])).await;
    let line = bad.error_line(2);
    assert!(line.contains(": line 3: name: The name must not be blank."), "{line}");
    assert!(line.contains("; line 4: status: unknown operator status `paused`"), "{line}");
    let missing = run(with_api_key(&mock.uri(), ["operators", "import", "--org", "24", "/nonexistent/ops.csv"])).await;
    assert!(missing.error_line(2).starts_with("error: /nonexistent/ops.csv: cannot be opened"), "{missing:?}");
    let header = csv_file("full name\nAnn\n");
    let header = run(with_api_key(&mock.uri(), ["operators", "import", "--org", "24", &path_of(&header)])).await;
    assert!(
        header.error_line(2).ends_with("line 1: unknown column `full name` (expected `name` and optionally `status`)")
    );
    let mut both_stdin = with_api_key(&mock.uri(), ["operators", "import", "--org", "24", "-", "--password-stdin"]);
    both_stdin.write_stdin("name\nAnn\n");
    let both_stdin = run(both_stdin).await;
    assert!(both_stdin.error_line(2).contains("cannot both read standard input"), "{both_stdin:?}");
    mock.verify().await;
}

/// Answers synchronize like the server would, until batch `fail_at` (1-based), which gets `failure`.
struct Batches {
    seen: AtomicUsize,
    fail_at: usize,
    failure: ResponseTemplate,
}

impl Respond for Batches {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let batch = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        if batch == self.fail_at {
            return self.failure.clone();
        }
        let sent: Vec<Value> = serde_json::from_slice(&request.body).unwrap_or_default();
        let created: Vec<Value> = sent
            .iter()
            .enumerate()
            .map(|(index, o)| json!({"id": batch * 10_000 + index, "name": o["name"], "status": 0}))
            .collect();
        ResponseTemplate::new(200).set_body_json(created)
    }
}

async fn mount_batches(mock: &MockServer, fail_at: usize, failure: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(SYNCHRONIZE))
        .respond_with(Batches { seen: AtomicUsize::new(0), fail_at, failure })
        .mount(mock)
        .await;
}

async fn batch_sizes(mock: &MockServer) -> Vec<usize> {
    let requests = mock.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .filter(|r| r.url.path() == SYNCHRONIZE)
        .map(|r| serde_json::from_slice::<Vec<Value>>(&r.body).map(|b| b.len()).unwrap_or(0))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_batch_stops_the_import_and_names_the_input_line() {
    let mock = MockServer::start().await;
    let problem = json!({
        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": {"$[3].name": ["The name must be at most 100 characters long."]}
    });
    mount_batches(&mock, 2, ResponseTemplate::new(400).set_body_raw(problem.to_string(), "application/problem+json"))
        .await;
    let file = csv_file(&bulk_csv(2_500));
    let failed =
        run(with_api_key(&mock.uri(), ["operators", "import", "--org", "24", &path_of(&file), "--json"])).await;
    assert_eq!(
        failed.error_line(1),
        "error: 400 Bad Request: $[3].name: The name must be at most 100 characters long.; import stopped at batch 2 \
         of 3 (input lines 1002-2001), input line 1005 failed; 1000 operators created before it; nothing of this \
         batch was stored and nothing was sent again"
    );
    // --json still prints what was created.
    assert_eq!(failed.json().as_array().map(Vec::len), Some(1_000));
    assert_eq!(batch_sizes(&mock).await, [1_000, 1_000], "batch 3 never sent, batch 2 never resent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_with_an_unknown_outcome_is_never_resent() {
    let mock = MockServer::start().await;
    let page = "<html><head><title>502 Bad Gateway</title></head><body>upstream died</body></html>";
    mount_batches(&mock, 1, ResponseTemplate::new(502).set_body_raw(page, "text/html")).await;
    let file = csv_file(&bulk_csv(10));
    let failed = run(with_api_key(&mock.uri(), ["operators", "import", "--org", "24", &path_of(&file)])).await;
    assert_eq!(
        failed.error_line(1),
        "error: 502 Bad Gateway: the server sent an HTML page: 502 Bad Gateway; import stopped at batch 1 of 1 \
         (input lines 2-11); 0 operators created before it; this batch may have been stored (it is never sent \
         again): check with `chathub operators list --org 24` and import the rest with --skip-existing"
    );
    assert!(failed.stdout.is_empty());
    assert_eq!(batch_sizes(&mock).await, [10], "a 502 on synchronize is not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_status_change_stops_the_import() {
    let mock = MockServer::start().await;
    mount_batches(&mock, 0, ResponseTemplate::new(500)).await;
    let problem = json!({"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No such operator."});
    Mock::given(method("POST"))
        .and(path("/api/operator/status"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(problem.to_string(), "application/problem+json"))
        .mount(&mock)
        .await;
    let file = csv_file("name,status\nAnn,\nBob,inactive\nCy,deleted\n");
    let failed = run(with_api_key(&mock.uri(), ["operators", "import", "--org", "24", &path_of(&file)])).await;
    assert_eq!(
        failed.error_line(1),
        "error: 404 Not Found: No such operator.; import stopped at input line 3: operator 10001 was created but \
         could not be made Inactive; 3 operators created in all, the statuses of input lines 3-4 were not set and \
         nothing after line 4 was sent"
    );
}
