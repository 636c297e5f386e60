//! A model-based property test of the chats (spec §7, Decisions 18-31):
//! proptest generates sequences of simulated customer messages, replies,
//! chat status changes, deletes and lists, valid and invalid, sends them to
//! one real server started with `--simulator`, and checks every answer
//! against a small in-memory model of the spec, and which hub connection
//! received which event (Decision 30).
//!
//! Every case opens fresh raw hub connections (acme's API key, John of
//! organization 24, Emma of organization 42, globex's API key) and uses
//! fresh client phones, so cases (and shrinking reruns) do not depend on
//! each other. After each step every connection must receive exactly the
//! events the model expects, in order (a run of `MessageStatusChanged` in
//! any order); at the end of a case, fresh marker chats must be the next
//! events everywhere, so an unexpected extra event cannot go unnoticed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, FileFailurePersistence, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::chat_support::simulator_api;
use crate::hub::{Cred, Ws};
use crate::support::{
    ACME_KEY, Answer, Api, EMMA, GLOBEX_KEY, JOHN, MIKE, ORG_GLOBEX, ORG_SUPPORT, ORG_TECH, Req, after_second,
};

/// A chat id no one has.
const UNKNOWN_CHAT: i64 = 987_654_321;
/// How long a test waits for one expected event (a safety net for a broken
/// server, never what the test measures).
const EVENT_PATIENCE: Duration = Duration::from_secs(5);
/// Client phones: unique within the test binary's server.
static NEXT_PHONE: AtomicU64 = AtomicU64::new(0);

fn fresh_phone() -> String {
    format!("38067{:07}", NEXT_PHONE.fetch_add(1, Ordering::Relaxed))
}

/// Who makes a call.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// Acme's API key.
    Company,
    /// John, organization 24.
    John,
    /// Mike, organization 24.
    Mike,
    /// Emma, organization 42.
    Emma,
}

impl Who {
    fn operator(self) -> Option<i32> {
        match self {
            Who::Company => None,
            Who::John => Some(JOHN),
            Who::Mike => Some(MIKE),
            Who::Emma => Some(EMMA),
        }
    }

    /// Decision 20: a company credential sees every chat of the company, an
    /// operator token those of its organization.
    fn sees(self, organization: i32) -> bool {
        match self {
            Who::Company => true,
            Who::John | Who::Mike => organization == ORG_SUPPORT,
            Who::Emma => organization == ORG_TECH,
        }
    }
}

/// Which chat a call names.
#[derive(Debug, Clone, Copy)]
enum ChatPick {
    /// The n-th chat of this case (modulo their number; deleted ones too).
    Known(usize),
    Unknown,
}

#[derive(Debug, Clone)]
enum Step {
    Customer {
        support: bool,
        client: usize,
        source: i32,
    },
    /// The client of the n-th chat writes again from the same organization and source.
    CustomerAgain(usize),
    Reply {
        who: Who,
        chat: ChatPick,
    },
    Status {
        who: Who,
        chat: ChatPick,
        status: i32,
    },
    Delete {
        who: Who,
        chat: ChatPick,
    },
    List {
        who: Who,
        client: usize,
    },
    Messages {
        who: Who,
        chat: ChatPick,
    },
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![3 => Just(Who::Company), 2 => Just(Who::John), 2 => Just(Who::Mike), 2 => Just(Who::Emma)]
}

fn chat_pick() -> impl Strategy<Value = ChatPick> {
    prop_oneof![8 => (0..4usize).prop_map(ChatPick::Known), 1 => Just(ChatPick::Unknown)]
}

/// Weighted so that few (organization, client, source) triples repeat
/// often: joins, closes and reopenings, and second repliers do happen.
fn step() -> impl Strategy<Value = Step> {
    let support = prop_oneof![2 => Just(true), 1 => Just(false)];
    let source = prop_oneof![3 => Just(2), 1 => Just(4)];
    let status = prop_oneof![1 => 0..=3, 1 => Just(4), 1 => Just(5)];
    prop_oneof![
        5 => (support, 0..2usize, source)
            .prop_map(|(support, client, source)| Step::Customer { support, client, source }),
        3 => (0..4usize).prop_map(Step::CustomerAgain),
        4 => (who(), chat_pick()).prop_map(|(who, chat)| Step::Reply { who, chat }),
        3 => (who(), chat_pick(), status).prop_map(|(who, chat, status)| Step::Status { who, chat, status }),
        1 => (who(), chat_pick()).prop_map(|(who, chat)| Step::Delete { who, chat }),
        1 => (who(), 0..2usize).prop_map(|(who, client)| Step::List { who, client }),
        1 => (who(), chat_pick()).prop_map(|(who, chat)| Step::Messages { who, chat }),
    ]
}

#[derive(Debug, Clone)]
struct ModelMessage {
    id: i64,
    author: i64,
    status: i64,
}

#[derive(Debug, Clone)]
struct ModelChat {
    id: i64,
    organization: i32,
    client: usize,
    source: i32,
    status: i32,
    operator: Option<i32>,
    messages: Vec<ModelMessage>,
    deleted: bool,
}

impl ModelChat {
    /// Decision 18: New client messages.
    fn count_unread(&self) -> usize {
        self.messages.iter().filter(|m| m.author == 1 && m.status == 0).count()
    }
}

/// The hub connections of a case, in a fixed order.
const CONNECTIONS: [&str; 4] = ["acme key", "John", "Emma", "globex key"];

/// Whether connection `n` of [`CONNECTIONS`] may see a chat of `organization`.
fn connection_sees(n: usize, organization: i32) -> bool {
    match n {
        0 => organization == ORG_SUPPORT || organization == ORG_TECH,
        1 => organization == ORG_SUPPORT,
        2 => organization == ORG_TECH,
        _ => organization == ORG_GLOBEX,
    }
}

struct Case {
    phones: [String; 2],
    chats: Vec<ModelChat>,
    /// Per connection, the events the last step should have sent it.
    expected: [Vec<(String, Value)>; 4],
}

impl Case {
    fn pick(&self, pick: ChatPick) -> Option<usize> {
        match pick {
            ChatPick::Known(n) if !self.chats.is_empty() => Some(n % self.chats.len()),
            _ => None,
        }
    }

    fn id_of(&self, pick: Option<usize>) -> i64 {
        pick.map_or(UNKNOWN_CHAT, |n| self.chats[n].id)
    }

    /// A live chat `who` may see.
    fn visible(&self, pick: Option<usize>, who: Who) -> Option<usize> {
        pick.filter(|&n| !self.chats[n].deleted && who.sees(self.chats[n].organization))
    }

    fn expect(&mut self, organization: i32, target: &str, arguments: Value) {
        for (n, expected) in self.expected.iter_mut().enumerate() {
            if connection_sees(n, organization) {
                expected.push((target.to_owned(), arguments.clone()));
            }
        }
    }
}

struct Fixture {
    api: Api,
    john: String,
    mike: String,
    emma: String,
}

impl Fixture {
    fn authed(&self, request: Req, who: Who) -> Req {
        match who {
            Who::Company => request.key(ACME_KEY),
            Who::John => request.bearer(&self.john),
            Who::Mike => request.bearer(&self.mike),
            Who::Emma => request.bearer(&self.emma),
        }
    }
}

fn check(ok: bool, message: impl FnOnce() -> String) -> Result<(), TestCaseError> {
    if ok { Ok(()) } else { Err(TestCaseError::fail(message())) }
}

fn customer_body(organization: i32, source: i32, phone: &str, text: &str) -> Value {
    json!({"organizationId": organization, "source": source, "theme": "Model case",
           "client": {"name": "Model client", "phone": phone}, "textMessage": text})
}

async fn customer(api: &Api, key: &str, body: &Value) -> Result<Value, TestCaseError> {
    let answer = api.post("/api/simulator/customer-message").key(key).json(body).send().await;
    check(answer.status == 200, || format!("customer message {body}: {} {}", answer.status, answer.text()))?;
    Ok(answer.json())
}

fn operator_json(operator: Option<i32>) -> Value {
    operator.map_or(Value::Null, |id| json!(id))
}

/// The next event record on `ws` (pings skipped), or a failure after
/// [`EVENT_PATIENCE`].
async fn next_event(ws: &mut Ws, name: &str) -> Result<(String, Value), String> {
    let record = tokio::time::timeout(EVENT_PATIENCE, ws.record_not_ping())
        .await
        .map_err(|_| format!("{name}: an expected event did not arrive"))?;
    if record["type"] != 1 || record.get("invocationId").is_some() {
        return Err(format!("{name}: not an event: {record}"));
    }
    Ok((record["target"].as_str().unwrap_or_default().to_owned(), record["arguments"].clone()))
}

/// Sorts each run of `MessageStatusChanged` (Decision 25 names no order among them).
fn normalized(mut events: Vec<(String, Value)>) -> Vec<(String, Value)> {
    let mut start = 0;
    while start < events.len() {
        let mut end = start;
        while end < events.len() && events[end].0 == "MessageStatusChanged" {
            end += 1;
        }
        events[start..end].sort_by_key(|(_, arguments)| arguments[0].as_i64());
        start = end.max(start + 1);
    }
    events
}

/// Each connection receives exactly the expected events next.
async fn received(connections: &mut [Ws; 4], case: &mut Case, at: &str) -> Result<(), TestCaseError> {
    for (n, ws) in connections.iter_mut().enumerate() {
        let expected = std::mem::take(&mut case.expected[n]);
        let mut got = Vec::new();
        for _ in 0..expected.len() {
            got.push(
                next_event(ws, CONNECTIONS[n])
                    .await
                    .map_err(|e| TestCaseError::fail(format!("{at}: {e}; expected {expected:?}, got only {got:?}")))?,
            );
        }
        let (got, expected) = (normalized(got), normalized(expected));
        check(got == expected, || format!("{at}: {} received {got:?}, expected {expected:?}", CONNECTIONS[n]))?;
    }
    Ok(())
}

fn chat_agrees(chat: &ModelChat, json: &Value) -> bool {
    json["id"] == chat.id
        && json["organizationId"] == chat.organization
        && json["messSource"] == chat.source
        && json["chatStatus"] == chat.status
        && json["countUnread"] == chat.count_unread()
        && json["operator"]["id"] == operator_json(chat.operator)
}

async fn run_step(fixture: &Fixture, case: &mut Case, step: &Step, at: &str) -> Result<(), TestCaseError> {
    let api = &fixture.api;
    let at = |what: &str| format!("{at}: {what}");
    match *step {
        Step::Customer { .. } | Step::CustomerAgain(_) => {
            let (organization, client, source) = match *step {
                Step::Customer { support: true, client, source } => (ORG_SUPPORT, client, source),
                Step::Customer { support: false, client, source } => (ORG_TECH, client, source),
                Step::CustomerAgain(n) => case.pick(ChatPick::Known(n)).map_or((ORG_SUPPORT, 0, 2), |n| {
                    (case.chats[n].organization, case.chats[n].client, case.chats[n].source)
                }),
                _ => unreachable!("a customer step"),
            };
            let body = customer_body(organization, source, &case.phones[client], "Hello?");
            let answer = customer(api, ACME_KEY, &body).await?;
            // Decision 31: the newest non-Closed chat of that organization, client and source.
            let joined = case
                .chats
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    !c.deleted
                        && c.status != 4
                        && c.organization == organization
                        && c.client == client
                        && c.source == source
                })
                .max_by_key(|(_, c)| c.id)
                .map(|(n, _)| n);
            let id = answer["chat"]["id"].as_i64().unwrap_or_default();
            let n = match joined {
                Some(n) => {
                    check(answer["created"] == false && id == case.chats[n].id, || {
                        at(&format!("expected to join chat {}, got {answer}", case.chats[n].id))
                    })?;
                    n
                }
                None => {
                    check(answer["created"] == true && case.chats.iter().all(|c| c.id != id), || {
                        at(&format!("expected a new chat, got {answer}"))
                    })?;
                    case.chats.push(ModelChat {
                        id,
                        organization,
                        client,
                        source,
                        status: 0,
                        operator: None,
                        messages: Vec::new(),
                        deleted: false,
                    });
                    case.chats.len() - 1
                }
            };
            let message = &answer["message"];
            check(message["chatId"] == id && message["author"] == 1 && message["status"] == 0, || {
                at(&format!("the customer's message {message}"))
            })?;
            let chat = &mut case.chats[n];
            chat.messages.push(ModelMessage { id: message["id"].as_i64().unwrap_or_default(), author: 1, status: 0 });
            check(chat_agrees(chat, &answer["chat"]), || at(&format!("chat {:?} vs {}", chat, answer["chat"])))?;
            if joined.is_none() {
                case.expect(organization, "ChatCreated", json!([answer["chat"]]));
            }
            case.expect(organization, "ReceiveMessage", json!([message]));
        }
        Step::Reply { who, chat } => {
            let pick = case.pick(chat);
            let id = case.id_of(pick);
            let request =
                api.post(&format!("/api/chat/{id}/message")).json(&json!({"textMessage": "On it", "author": 0}));
            let answer = fixture.authed(request, who).send().await;
            let Some(n) = case.visible(pick, who) else {
                return check(answer.status == 404, || at(&format!("expected 404, got {}", answer.status)));
            };
            if case.chats[n].status == 4 {
                return check(answer.status == 400, || {
                    at(&format!("closed chat: expected 400, got {}", answer.status))
                });
            }
            check(answer.status == 200, || at(&format!("expected 200, got {} {}", answer.status, answer.text())))?;
            let message = answer.json();
            check(
                message["chatId"] == id
                    && message["author"] == 0
                    && message["status"] == 1
                    && message["operatorId"] == operator_json(who.operator()),
                || at(&format!("the reply {message}")),
            )?;
            let chat = &mut case.chats[n];
            if chat.operator.is_none() {
                chat.operator = who.operator();
            }
            let mut read = Vec::new();
            for m in chat.messages.iter_mut().filter(|m| m.author == 1 && m.status == 0) {
                m.status = 3;
                read.push(m.id);
            }
            chat.messages.push(ModelMessage { id: message["id"].as_i64().unwrap_or_default(), author: 0, status: 1 });
            let organization = chat.organization;
            for m in read {
                case.expect(organization, "MessageStatusChanged", json!([m, 3]));
            }
            case.expect(organization, "ReceiveMessage", json!([message]));
        }
        Step::Status { who, chat, status } => {
            let pick = case.pick(chat);
            let id = case.id_of(pick);
            let request = api.request(http::Method::PUT, "/api/chat/status").json(&json!({"id": id, "status": status}));
            let answer = fixture.authed(request, who).send().await;
            if status > 4 {
                return check(answer.status == 400, || at(&format!("status {status}: got {}", answer.status)));
            }
            let Some(n) = case.visible(pick, who) else {
                return check(answer.status == 404, || at(&format!("expected 404, got {}", answer.status)));
            };
            check(answer.status == 200 && answer.body.is_empty(), || {
                at(&format!("expected 200 empty, got {} {}", answer.status, answer.text()))
            })?;
            let chat = &mut case.chats[n];
            if chat.status != status {
                chat.status = status;
                let organization = chat.organization;
                case.expect(organization, "ChatStatusChanged", json!([id, status]));
            }
        }
        Step::Delete { who, chat } => {
            let pick = case.pick(chat);
            let id = case.id_of(pick);
            let request = api.request(http::Method::DELETE, &format!("/api/chat/chats/{id}"));
            let answer = fixture.authed(request, who).send().await;
            if who.operator().is_some() {
                return check(answer.status == 403, || at(&format!("operator DELETE: got {}", answer.status)));
            }
            let Some(n) = case.visible(pick, who) else {
                return check(answer.status == 404, || at(&format!("expected 404, got {}", answer.status)));
            };
            check(answer.status == 200, || at(&format!("expected 200, got {} {}", answer.status, answer.text())))?;
            case.chats[n].deleted = true;
        }
        Step::List { who, client } => {
            let path = format!("/api/chat/chats?per_page=100&phone={}", case.phones[client]);
            let answer = fixture.authed(api.get(&path), who).send().await;
            check(answer.status == 200, || at(&format!("list: {} {}", answer.status, answer.text())))?;
            let body = answer.json();
            let mut expected: Vec<&ModelChat> =
                case.chats.iter().filter(|c| !c.deleted && c.client == client && who.sees(c.organization)).collect();
            expected.sort_by_key(|c| std::cmp::Reverse(c.id));
            let items = body["items"].as_array().cloned().unwrap_or_default();
            let agrees = body["total"] == expected.len()
                && items.len() == expected.len()
                && expected.iter().zip(&items).all(|(chat, item)| chat_agrees(chat, item));
            check(agrees, || at(&format!("listed {body}, expected {expected:?}")))?;
        }
        Step::Messages { who, chat } => {
            let pick = case.pick(chat);
            let id = case.id_of(pick);
            let answer = fixture.authed(api.get(&format!("/api/chat/{id}/messages")), who).send().await;
            let Some(n) = case.visible(pick, who) else {
                return check(answer.status == 404, || at(&format!("expected 404, got {}", answer.status)));
            };
            check(answer.status == 200, || at(&format!("messages: {} {}", answer.status, answer.text())))?;
            let body = answer.json();
            let messages = body.as_array().cloned().unwrap_or_default();
            let expected = &case.chats[n].messages;
            let agrees = messages.len() == expected.len()
                && expected.iter().zip(&messages).all(|(m, json)| {
                    json["id"] == m.id
                        && json["author"] == m.author
                        && json["status"] == m.status
                        && json["chatId"] == id
                });
            check(agrees, || at(&format!("messages {body}, expected {expected:?}")))?;
        }
    }
    Ok(())
}

async fn run_case(fixture: &Fixture, steps: &[Step]) -> Result<(), TestCaseError> {
    let api = &fixture.api;
    let mut connections = [
        Ws::ready(api, Cred::Key(ACME_KEY)).await,
        Ws::ready(api, Cred::Bearer(&fixture.john)).await,
        Ws::ready(api, Cred::Query(&fixture.emma)).await,
        Ws::ready(api, Cred::Key(GLOBEX_KEY)).await,
    ];
    let mut case = Case { phones: [fresh_phone(), fresh_phone()], chats: Vec::new(), expected: Default::default() };
    for (n, step) in steps.iter().enumerate() {
        let at = format!("step {n} {step:?}");
        run_step(fixture, &mut case, step, &at).await?;
        received(&mut connections, &mut case, &at).await?;
    }
    // Markers: a fresh chat in each organization; each must be the next
    // events of the connections that see it, so nothing unexpected came.
    let marker = fresh_phone();
    for (key, organization) in [(ACME_KEY, ORG_SUPPORT), (ACME_KEY, ORG_TECH), (GLOBEX_KEY, ORG_GLOBEX)] {
        let answer = customer(api, key, &customer_body(organization, 2, &marker, "Marker")).await?;
        check(answer["created"] == true, || format!("marker: {answer}"))?;
        case.expect(organization, "ChatCreated", json!([answer["chat"]]));
        case.expect(organization, "ReceiveMessage", json!([answer["message"]]));
    }
    received(&mut connections, &mut case, "end of case (markers)").await?;
    // The model's chats agree with what the company reads, one by one.
    for chat in &case.chats {
        let answer: Answer = api.get(&format!("/api/chat/chats/{}", chat.id)).key(ACME_KEY).send().await;
        if chat.deleted {
            check(answer.status == 404, || format!("deleted chat {} answers {}", chat.id, answer.status))?;
        } else {
            check(answer.status == 200 && chat_agrees(chat, &answer.json()), || {
                format!("end of case: chat {chat:?} vs {} {}", answer.status, answer.text())
            })?;
        }
    }
    Ok(())
}

#[test]
fn chats_and_hub_events_agree_with_the_model() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let fixture = runtime.block_on(async {
        let api = simulator_api().await;
        let john = api.operator_token(ACME_KEY, JOHN).await;
        // Mike is seeded inactive; tokens issued in the second of a status change count as revoked (D9).
        after_second(api.set_status(ACME_KEY, MIKE, 0).await).await;
        let mike = api.operator_token(ACME_KEY, MIKE).await;
        let emma = api.operator_token(ACME_KEY, EMMA).await;
        Fixture { api, john, mike, emma }
    });
    let config = RunnerConfig {
        cases: 48,
        max_shrink_iters: 32,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/it/chat_model.txt"))),
        ..RunnerConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let result =
        runner.run(&prop::collection::vec(step(), 1..=12), |steps| runtime.block_on(run_case(&fixture, &steps)));
    if let Err(error) = result {
        panic!("{error}");
    }
}
