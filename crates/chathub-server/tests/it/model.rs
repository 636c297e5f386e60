//! A model-based property test: proptest generates sequences of
//! synchronize / status / get-token / validate-token / list calls, valid
//! and invalid, sends them to one real server, and checks every answer
//! against a small in-memory model of the spec (Decisions 6-11, 14).
//!
//! One server serves every case. Each case starts its model from what the
//! server lists at that moment and only changes operators it created, so
//! cases (and shrinking reruns) do not depend on each other.

use std::collections::BTreeMap;

use chathub_types::time::format_instant;
use chrono::{TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::support::{ACME_KEY, ACME_LOGIN, ACME_PASSWORD, Api, GLOBEX_KEY, HANK, ORG_SUPPORT, ORG_TECH, claims};

/// An unknown operator id.
const NOBODY: i32 = 999_999;
/// An unknown organization id.
const NOWHERE: i32 = 9_999;

#[derive(Debug, Clone, Copy)]
enum Org {
    Support,
    Tech,
    Globex,
    Unknown,
}

impl Org {
    fn id(self) -> i32 {
        match self {
            Org::Support => ORG_SUPPORT,
            Org::Tech => ORG_TECH,
            Org::Globex => crate::support::ORG_GLOBEX,
            Org::Unknown => NOWHERE,
        }
    }

    fn is_acmes(self) -> bool {
        matches!(self, Org::Support | Org::Tech)
    }
}

/// Which operator a call names.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The n-th operator this case created (modulo their number).
    Created(usize),
    /// Globex's operator.
    Foreign,
    /// No operator at all.
    Unknown,
}

#[derive(Debug, Clone, Copy)]
enum Lifetime {
    Hour,
    Past,
    TooLong,
}

/// Which token validate-token is asked about.
#[derive(Debug, Clone, Copy)]
enum TokenPick {
    /// The n-th operator token this case got (modulo their number).
    Issued(usize),
    Garbage,
    Company,
    ForeignOperator,
}

#[derive(Debug, Clone)]
enum Step {
    Synchronize(Vec<(Org, String)>),
    SetStatus(Target, i32),
    GetToken(Target, Lifetime),
    Validate(TokenPick, bool),
    List(Org),
    UseToken(usize),
}

fn org() -> impl Strategy<Value = Org> {
    prop_oneof![6 => Just(Org::Support), 3 => Just(Org::Tech), 1 => Just(Org::Globex), 1 => Just(Org::Unknown)]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[A-Za-z][A-Za-z .'-]{0,24}",
        2 => "[A-Za-z]{1,10}".prop_map(|n| format!("  {n}\t ")),
        2 => "\\PC{0,40}",
        1 => Just("   ".to_owned()),
        1 => Just(String::new()),
        1 => "[a-z😀]{101,110}",
        1 => "[a-z]{1,5}".prop_map(|n| format!("{n}\u{0}")),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![8 => any::<usize>().prop_map(Target::Created), 1 => Just(Target::Foreign), 1 => Just(Target::Unknown)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::collection::vec((org(), name()), 0..4).prop_map(Step::Synchronize),
        3 => (target(), prop_oneof![6 => 0..=2i32, 1 => Just(3), 1 => Just(-1)]).prop_map(|(t, s)| Step::SetStatus(t, s)),
        3 => (target(), prop_oneof![6 => Just(Lifetime::Hour), 1 => Just(Lifetime::Past), 1 => Just(Lifetime::TooLong)])
            .prop_map(|(t, l)| Step::GetToken(t, l)),
        4 => (
            prop_oneof![
                8 => any::<usize>().prop_map(TokenPick::Issued),
                1 => Just(TokenPick::Garbage),
                1 => Just(TokenPick::Company),
                1 => Just(TokenPick::ForeignOperator),
            ],
            prop::bool::weighted(0.8),
        )
            .prop_map(|(t, acme)| Step::Validate(t, acme)),
        2 => org().prop_map(Step::List),
        2 => any::<usize>().prop_map(Step::UseToken),
    ]
}

/// An operator this case created.
#[derive(Debug)]
struct Created {
    id: i64,
    org: i32,
    name: String,
    status: i32,
    /// The last deactivation happened within these seconds (inclusive).
    deactivated: Option<(i64, i64)>,
}

/// An operator token this case got.
#[derive(Debug)]
struct Issued {
    token: String,
    operator: usize,
    iat: i64,
    exp: i64,
}

/// What validate-token (and the token as a credential) may answer.
#[derive(Debug, PartialEq)]
enum Verdict {
    Valid,
    Rejected(&'static str),
    /// Issued in the very second of a deactivation: Decision 9 allows either.
    ValidOrRevoked,
}

/// The model of one case.
struct Model {
    organizations: BTreeMap<i32, Value>,
    baseline: BTreeMap<i32, Vec<Value>>,
    highest_id: i64,
    created: Vec<Created>,
    issued: Vec<Issued>,
}

impl Model {
    fn operator(&self, target: Target) -> Option<usize> {
        match target {
            Target::Created(n) if !self.created.is_empty() => Some(n % self.created.len()),
            _ => None,
        }
    }

    fn target_id(&self, target: Target) -> i64 {
        match (target, self.operator(target)) {
            (_, Some(index)) => self.created[index].id,
            (Target::Foreign, _) => i64::from(HANK),
            _ => i64::from(NOBODY),
        }
    }

    fn expected_list(&self, org: i32) -> Value {
        let mut list = self.baseline.get(&org).cloned().unwrap_or_default();
        let organization = self.organizations.get(&org).cloned().unwrap_or_default();
        for op in self.created.iter().filter(|op| op.org == org) {
            list.push(json!({ "id": op.id, "name": op.name, "status": op.status, "organization": organization }));
        }
        Value::Array(list)
    }

    fn verdict(&self, issued: &Issued) -> Verdict {
        let op = &self.created[issued.operator];
        if op.status != 0 {
            return Verdict::Rejected("Operator is not active");
        }
        match op.deactivated {
            Some((low, _)) if issued.iat <= low => Verdict::Rejected("Token revoked"),
            Some((_, high)) if issued.iat <= high => Verdict::ValidOrRevoked,
            _ => Verdict::Valid,
        }
    }
}

/// Whether a name passes Decision 8's rules.
fn name_is_valid(name: &str) -> bool {
    let trimmed = name.trim();
    !trimmed.is_empty() && trimmed.chars().count() <= 100 && !name.contains('\0')
}

fn check(condition: bool, message: impl FnOnce() -> String) -> Result<(), TestCaseError> {
    if condition { Ok(()) } else { Err(TestCaseError::fail(message())) }
}

/// Fixed facts of the server, shared by every case.
struct Fixture {
    api: Api,
    /// Acme's organizations, by id, as lists show them.
    organizations: BTreeMap<i32, Value>,
    company_token: String,
    foreign_token: String,
}

async fn run_case(fixture: &Fixture, steps: &[Step]) -> Result<(), TestCaseError> {
    let api = &fixture.api;
    let mut baseline = BTreeMap::new();
    for org in [ORG_SUPPORT, ORG_TECH] {
        baseline.insert(org, api.operators(ACME_KEY, org).await.as_array().cloned().unwrap_or_default());
    }
    let highest_id = baseline.values().flatten().filter_map(|o| o["id"].as_i64()).max().unwrap_or(0);
    let organizations = fixture.organizations.clone();
    let mut model = Model { organizations, baseline, highest_id, created: Vec::new(), issued: Vec::new() };

    for (number, step) in steps.iter().enumerate() {
        let at = |what: &str| format!("step {number} {step:?}: {what}");
        match step {
            Step::Synchronize(elements) => {
                let body: Vec<Value> =
                    elements.iter().map(|(org, name)| json!({ "organizationId": org.id(), "name": name })).collect();
                let answer = api.post("/api/operator/synchronize").key(ACME_KEY).json(&Value::Array(body)).send().await;
                let mut expected_errors: Vec<String> = Vec::new();
                for (index, (org, name)) in elements.iter().enumerate() {
                    if !org.is_acmes() {
                        expected_errors.push(format!("$[{index}].organizationId"));
                    }
                    if !name_is_valid(name) {
                        expected_errors.push(format!("$[{index}].name"));
                    }
                }
                expected_errors.sort();
                if !expected_errors.is_empty() {
                    check(answer.status == 400, || {
                        at(&format!("expected 400, got {} {}", answer.status, answer.text()))
                    })?;
                    let paths = answer.invalid_paths();
                    check(paths == expected_errors, || at(&format!("named {paths:?}, expected {expected_errors:?}")))?;
                    continue;
                }
                check(answer.status == 200, || at(&format!("expected 200, got {} {}", answer.status, answer.text())))?;
                let created = answer.json();
                let created = created.as_array().cloned().unwrap_or_default();
                check(created.len() == elements.len(), || at("one answer element per request element"))?;
                for ((org, name), answer) in elements.iter().zip(&created) {
                    let id = answer["id"].as_i64().unwrap_or(-1);
                    check(id > model.highest_id, || at(&format!("id {id} not above {}", model.highest_id)))?;
                    check(answer["name"] == name.trim(), || at(&format!("name {} for {name:?}", answer["name"])))?;
                    check(answer["status"] == 0, || at("new operators are Active"))?;
                    model.highest_id = id;
                    model.created.push(Created {
                        id,
                        org: org.id(),
                        name: name.trim().to_owned(),
                        status: 0,
                        deactivated: None,
                    });
                }
            }
            Step::SetStatus(target, status) => {
                let id = model.target_id(*target);
                let low = Utc::now().timestamp();
                let answer = api
                    .post("/api/operator/status")
                    .key(ACME_KEY)
                    .json(&json!({ "id": id, "status": status }))
                    .send()
                    .await;
                let high = Utc::now().timestamp();
                let expected = match (status, model.operator(*target)) {
                    (0..=2, Some(_)) => 200,
                    (0..=2, None) => 404,
                    _ => 400,
                };
                check(answer.status == expected, || {
                    at(&format!("expected {expected}, got {} {}", answer.status, answer.text()))
                })?;
                if expected == 400 {
                    let paths = answer.invalid_paths();
                    check(paths == ["$.status"], || at(&format!("named {paths:?}")))?;
                } else if expected == 404 {
                    answer.problem(404);
                } else if let Some(index) = model.operator(*target) {
                    check(answer.body.is_empty(), || at("a status answer is empty"))?;
                    let op = &mut model.created[index];
                    op.status = *status;
                    if *status != 0 {
                        op.deactivated = Some((low, high));
                    }
                }
            }
            Step::GetToken(target, lifetime) => {
                let id = model.target_id(*target);
                let expires_at = match lifetime {
                    Lifetime::Hour => Utc::now() + TimeDelta::hours(1),
                    Lifetime::Past => Utc::now() - TimeDelta::hours(1),
                    Lifetime::TooLong => Utc::now() + TimeDelta::hours(25),
                };
                let low = Utc::now().timestamp();
                let answer = api
                    .post("/api/operator/get-token")
                    .key(ACME_KEY)
                    .header("accept", "text/plain")
                    .json(&json!({ "id": id, "expiresAt": format_instant(expires_at) }))
                    .send()
                    .await;
                let high = Utc::now().timestamp();
                let operator = model.operator(*target);
                let expected = match (lifetime, operator) {
                    (Lifetime::Past | Lifetime::TooLong, _) => 400,
                    (Lifetime::Hour, None) => 404,
                    (Lifetime::Hour, Some(index)) if model.created[index].status != 0 => 400,
                    (Lifetime::Hour, Some(_)) => 200,
                };
                check(answer.status == expected, || {
                    at(&format!("expected {expected}, got {} {}", answer.status, answer.text()))
                })?;
                match (expected, operator) {
                    (400, _) if !matches!(lifetime, Lifetime::Hour) => {
                        let paths = answer.invalid_paths();
                        check(paths == ["$.expiresAt"], || at(&format!("named {paths:?}")))?;
                    }
                    (200, Some(index)) => {
                        let token = answer.text().to_owned();
                        let claims = claims(&token);
                        check(claims.sub == id.to_string(), || at("sub is the operator"))?;
                        check(claims.exp == expires_at.timestamp(), || at("exp is expiresAt cut to seconds"))?;
                        check((low..=high).contains(&claims.iat), || at("iat is the time of issue"))?;
                        model.issued.push(Issued { token, operator: index, iat: claims.iat, exp: claims.exp });
                    }
                    (status, _) => {
                        answer.problem(status);
                    }
                }
            }
            Step::Validate(pick, acme_asks) => {
                let credential = if *acme_asks { ACME_KEY } else { GLOBEX_KEY };
                let issued = match pick {
                    TokenPick::Issued(n) if !model.issued.is_empty() => Some(&model.issued[n % model.issued.len()]),
                    _ => None,
                };
                let token = match (pick, issued) {
                    (_, Some(issued)) => issued.token.as_str(),
                    (TokenPick::Company, _) => fixture.company_token.as_str(),
                    (TokenPick::ForeignOperator, _) => fixture.foreign_token.as_str(),
                    _ => "not-a-token",
                };
                let answer = api.validate(credential, token).await;
                let expected = match (pick, issued, acme_asks) {
                    (_, Some(_), false) => Verdict::Rejected("Invalid token"),
                    (_, Some(issued), true) => model.verdict(issued),
                    (TokenPick::Company, _, _) => Verdict::Rejected("Not an operator token"),
                    (TokenPick::ForeignOperator, _, true) => Verdict::Rejected("Invalid token"),
                    (TokenPick::ForeignOperator, _, false) => Verdict::Valid,
                    _ => Verdict::Rejected("Invalid token"),
                };
                let fields = answer.as_object().map(|o| o.len()).unwrap_or(0);
                check(fields == 5, || at(&format!("five fields: {answer}")))?;
                let valid = answer["isValid"] == true;
                let agrees = match &expected {
                    Verdict::Valid => valid,
                    Verdict::Rejected(phrase) => !valid && answer["error"] == *phrase,
                    Verdict::ValidOrRevoked => valid || answer["error"] == "Token revoked",
                };
                check(agrees, || at(&format!("expected {expected:?}, got {answer}")))?;
                if valid {
                    check(answer["clientId"] == 0 && answer["error"].is_null(), || at(&format!("{answer}")))?;
                    if let Some(issued) = issued {
                        let op = &model.created[issued.operator];
                        let exp = chrono::DateTime::from_timestamp(issued.exp, 0).map(format_instant);
                        check(answer["operatorId"] == op.id, || at(&format!("operatorId in {answer}")))?;
                        check(answer["expiresAt"].as_str() == exp.as_deref(), || {
                            at(&format!("expiresAt in {answer}"))
                        })?;
                    }
                } else {
                    let nulls = ["operatorId", "clientId", "expiresAt"].iter().all(|f| answer[*f].is_null());
                    check(nulls, || at(&format!("nulls when not valid: {answer}")))?;
                }
            }
            Step::List(org) => {
                let answer = api.get(&format!("/api/operator?organizationId={}", org.id())).key(ACME_KEY).send().await;
                check(answer.status == 200, || at(&format!("{} {}", answer.status, answer.text())))?;
                let expected = if org.is_acmes() { model.expected_list(org.id()) } else { json!([]) };
                let body = answer.json();
                check(body == expected, || at(&format!("listed {body}, expected {expected}")))?;
            }
            Step::UseToken(n) => {
                if model.issued.is_empty() {
                    continue;
                }
                let issued = &model.issued[n % model.issued.len()];
                let answer = api.get("/api/operator").bearer(&issued.token).send().await;
                let own = model.expected_list(model.created[issued.operator].org);
                let allowed = match model.verdict(issued) {
                    Verdict::Valid => vec![200],
                    Verdict::Rejected(_) => vec![403],
                    Verdict::ValidOrRevoked => vec![200, 403],
                };
                check(allowed.contains(&answer.status), || {
                    at(&format!("expected {allowed:?}, got {}", answer.status))
                })?;
                if answer.status == 200 {
                    let body = answer.json();
                    check(body == own, || at(&format!("listed {body}, expected {own}")))?;
                } else {
                    let body = answer.problem(403);
                    let detail = body["detail"].as_str().unwrap_or_default();
                    check(detail.contains("revoked"), || at(&format!("403 says revoked: {body}")))?;
                }
            }
        }
    }
    // Whatever was refused stored nothing; whatever was answered is listed.
    for org in [ORG_SUPPORT, ORG_TECH] {
        let listed = api.operators(ACME_KEY, org).await;
        let expected = model.expected_list(org);
        check(listed == expected, || format!("end of case, organization {org}: listed {listed}, expected {expected}"))?;
    }
    Ok(())
}

#[test]
fn the_server_agrees_with_the_model() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let fixture = runtime.block_on(async {
        let api = Api::start().await;
        let company_token = api.company_token(ACME_LOGIN, ACME_PASSWORD).await;
        let foreign_token = api.operator_token(GLOBEX_KEY, HANK).await;
        let listed = api.get("/api/company/organization").key(ACME_KEY).send().await.json();
        let organizations = listed
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| Some((i32::try_from(o["id"].as_i64()?).ok()?, o.clone())))
            .collect();
        Fixture { api, organizations, company_token, foreign_token }
    });
    let config = Config {
        cases: 64,
        max_shrink_iters: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/it/model.txt"))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result =
        runner.run(&prop::collection::vec(step(), 1..=20), |steps| runtime.block_on(run_case(&fixture, &steps)));
    if let Err(error) = result {
        panic!("{error}");
    }
}
