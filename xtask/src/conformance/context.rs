//! What every check shares: the target, its credentials, the clients, what
//! the target lets the suite do (writes, a second company, the signing
//! secret), and fixtures built once or per check.

use std::sync::Mutex;
use std::time::Duration;

use chathub_client::{Client, Operator, OperatorId, OperatorStatus, OperatorToken, OrganizationId, RetryPolicy};
use chathub_types::company::Organization;
use chathub_types::operator::synchronize_operators::SynchronizedOperator;
use serde_json::Value;
use tokio::sync::OnceCell;

use super::http::{RawRequest, Reply, media_type};
use super::verdict::{Expecting, Stop, skip};

/// How long a request through chathub-client may take.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest body kept for the schema review.
const MAX_RECORDED_BODY: usize = 256 * 1024;

/// A company's credentials. `Debug` shows the login only.
#[derive(Clone)]
pub struct Account {
    /// The login.
    pub login: String,
    /// The password.
    pub password: String,
    /// The static API key, when known.
    pub api_key: Option<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("login", &self.login).finish_non_exhaustive()
    }
}

/// What the target is and what it lets the suite do.
#[derive(Debug)]
pub struct Target {
    /// The base URL, without a trailing slash.
    pub base_url: String,
    /// The company the suite signs in as.
    pub company: Account,
    /// A second company, for the checks that one never sees the other's data.
    pub second: Option<Account>,
    /// The organization operators may be added to; `None`: read-only.
    pub write_org: Option<OrganizationId>,
    /// The server's JWT signing secret, to sign tokens only the server could.
    pub secret: Option<Vec<u8>>,
    /// The server's SQLite database file, to see what it keeps at rest.
    pub database_file: Option<std::path::PathBuf>,
    /// Whether the suite started this server itself.
    pub local: bool,
    /// Whether the suite may add 1,000 operators at once.
    pub bulk: bool,
}

/// One answer kept for the schema review.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The method.
    pub method: &'static str,
    /// The path, without query.
    pub path: String,
    /// The status.
    pub status: u16,
    /// The media type (`application/json`).
    pub media_type: String,
    /// The body, when it was JSON.
    pub body: Option<Value>,
}

/// The context every check gets.
pub struct Ctx {
    /// The base URL, without a trailing slash.
    pub base_url: String,
    /// For raw requests: no redirects, no retries.
    pub http: reqwest::Client,
    /// chathub-client signed in as the company (no retries: the suite wants
    /// to see every answer as it is).
    pub client: Client,
    /// The company's credentials.
    pub company: Account,
    /// Whether the suite started the server.
    pub local: bool,
    /// This run's id, in the names of the operators it adds.
    pub run_id: String,
    /// Property-test cases per round-trip check.
    pub cases: u32,
    /// Whether the suite may add 1,000 operators at once.
    pub bulk: bool,
    /// Whether the checks that wait 15-30 seconds run (`--slow`).
    pub slow: bool,
    second: Option<(Account, Client)>,
    write_org: Option<OrganizationId>,
    secret: Option<Vec<u8>>,
    database_file: Option<std::path::PathBuf>,
    token: OnceCell<Result<String, Stop>>,
    created: Mutex<Vec<OperatorId>>,
    exchanges: Mutex<Vec<Exchange>>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("base_url", &self.base_url).field("run_id", &self.run_id).finish_non_exhaustive()
    }
}

/// A chathub-client for `account` at `base_url`.
pub fn client_for(base_url: &str, account: &Account) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .base_url(base_url)
        .credentials(&account.login, &account.password)
        .retry_policy(RetryPolicy::never())
        .timeout(CLIENT_TIMEOUT)
        .connect_timeout(CLIENT_TIMEOUT)
        .user_agent(concat!("chathub-conformance/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

impl Ctx {
    /// The context for `target`.
    pub fn new(target: Target, run_id: String, cases: u32, slow: bool) -> anyhow::Result<Self> {
        for account in [Some(&target.company), target.second.as_ref()].into_iter().flatten() {
            super::verdict::register_secret(&account.password);
            if let Some(key) = &account.api_key {
                super::verdict::register_secret(key);
            }
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CLIENT_TIMEOUT)
            .user_agent(concat!("chathub-conformance/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let client = client_for(&target.base_url, &target.company)?;
        let second = match target.second {
            Some(account) => {
                let client = client_for(&target.base_url, &account)?;
                Some((account, client))
            }
            None => None,
        };
        Ok(Self {
            base_url: target.base_url,
            http,
            client,
            company: target.company,
            local: target.local,
            run_id,
            cases,
            bulk: target.bulk && target.write_org.is_some(),
            slow,
            second,
            write_org: target.write_org,
            secret: target.secret,
            database_file: target.database_file,
            token: OnceCell::new(),
            created: Mutex::new(Vec::new()),
            exchanges: Mutex::new(Vec::new()),
        })
    }

    /// A raw request: `cx.raw("GET", "/api/company/organization")`.
    pub fn raw(&self, method: &'static str, path: impl Into<String>) -> RawRequest<'_> {
        RawRequest::new(self, method, path)
    }

    /// Keeps an answer for the schema review and hands it back.
    pub fn record(&self, reply: Reply) -> Reply {
        let path = reply.path.split('?').next().unwrap_or("").to_owned();
        let media_type = media_type(reply.content_type());
        let body = if reply.body.len() > MAX_RECORDED_BODY {
            None
        } else if media_type.ends_with("json") {
            serde_json::from_slice(&reply.body).ok()
        } else if media_type == "text/plain" {
            Some(Value::String(reply.text()))
        } else {
            None
        };
        let exchange = Exchange { method: reply.method, path, status: reply.status, media_type, body };
        if let Ok(mut exchanges) = self.exchanges.lock() {
            exchanges.push(exchange);
        }
        reply
    }

    /// Every answer recorded so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// A company token, signed in once per run through chathub-client.
    pub async fn company_token(&self) -> Result<String, Stop> {
        self.token
            .get_or_init(|| async {
                let token = self.client.company().sign_in().await.expecting("200 with a company token (§3.1)")?;
                Ok(token.expose().to_owned())
            })
            .await
            .clone()
    }

    /// A company token of its own (another sign-in).
    pub async fn fresh_company_token(&self) -> Result<String, Stop> {
        let client = client_for(&self.base_url, &self.company)
            .map_err(|e| super::verdict::fail("a usable client", e.to_string()))?;
        let token = client.company().sign_in().await.expecting("200 with a company token (§3.1)")?;
        Ok(token.expose().to_owned())
    }

    /// The company's API key, or a skip.
    pub fn api_key(&self) -> Result<&str, Stop> {
        self.company.api_key.as_deref().ok_or_else(|| skip("needs the company's API key (--api-key)"))
    }

    /// The second company's client and credentials, or a skip.
    pub fn second(&self) -> Result<(&Account, &Client), Stop> {
        self.second.as_ref().map(|(account, client)| (account, client)).ok_or_else(|| {
            skip("needs a second company: the suite's own server has one; elsewhere pass --second-login/--second-password")
        })
    }

    /// The server's signing secret, or a skip.
    pub fn secret(&self) -> Result<&[u8], Stop> {
        self.secret.as_deref().ok_or_else(|| {
            skip("needs the server's signing secret: the suite's own server, or --database URL of a chathub-server")
        })
    }

    /// The server's SQLite database file, when the suite can read it.
    pub fn database_file(&self) -> Option<&std::path::Path> {
        self.database_file.as_deref()
    }

    /// The organization operators may be added to, or a skip.
    pub fn write_org(&self) -> Result<OrganizationId, Stop> {
        self.write_org
            .ok_or_else(|| skip("adds operators: run against the suite's own server or pass --allow-writes --org ID"))
    }

    /// `conformance-<run id>-<label>`: the name of every operator the suite adds.
    pub fn name(&self, label: &str) -> String {
        format!("{}{label}", self.name_prefix())
    }

    /// `conformance-<run id>-`.
    pub fn name_prefix(&self) -> String {
        format!("conformance-{}-", self.run_id)
    }

    /// The company's organizations, through chathub-client.
    pub async fn organizations(&self) -> Result<Vec<Organization>, Stop> {
        self.client.organizations().await.expecting("200 with the organizations (§3.2)")
    }

    /// Adds operators with these exact names to the write organization,
    /// through chathub-client, remembering them for the clean-up.
    pub async fn add_operators(&self, names: Vec<String>) -> Result<Vec<SynchronizedOperator>, Stop> {
        let organization = self.write_org()?;
        let added =
            self.client.operators().add(organization, names).await.expecting("200 with the added operators (§3.4)")?;
        self.remember(added.iter().map(|op| op.id));
        Ok(added)
    }

    /// Adds one Active operator named `conformance-<run id>-<label>`.
    pub async fn fresh_operator(&self, label: &str) -> Result<OperatorId, Stop> {
        let added = self.add_operators(vec![self.name(label)]).await?;
        added.first().map(|op| op.id).ok_or_else(|| super::verdict::fail("one added operator", "an empty list"))
    }

    /// Records operators added some other way (raw requests), for the clean-up.
    pub fn remember(&self, ids: impl IntoIterator<Item = OperatorId>) {
        if let Ok(mut created) = self.created.lock() {
            created.extend(ids);
        }
    }

    /// An Active operator to issue tokens for: a new one when writes are
    /// allowed, else the first Active one the company lists.
    pub async fn active_operator(&self, label: &str) -> Result<Operator, Stop> {
        if self.write_org.is_some() {
            let id = self.fresh_operator(label).await?;
            let organization = self.write_org()?;
            let listed = self.client.operators().list(organization).await.expecting("200 with the operators (§3.3)")?;
            return listed.into_iter().find(|op| op.id == id).ok_or_else(|| {
                super::verdict::fail(format!("operator {id}, just added, in the list of its organization"), "absent")
            });
        }
        for organization in self.organizations().await? {
            let listed =
                self.client.operators().list(organization.id).await.expecting("200 with the operators (§3.3)")?;
            if let Some(operator) = listed.into_iter().find(|op| op.status == OperatorStatus::Active) {
                return Ok(operator);
            }
        }
        Err(skip("needs an Active operator: none is listed and writes are not allowed"))
    }

    /// An operator token for `operator` that lives `lifetime`, through chathub-client.
    pub async fn operator_token(&self, operator: OperatorId, lifetime: Duration) -> Result<OperatorToken, Stop> {
        let issued = self
            .client
            .operators()
            .issue_token(operator, lifetime)
            .await
            .expecting("200 with an operator token (§3.6)")?;
        Ok(issued.token)
    }

    /// Marks every operator the suite added as Deleted (it never deletes);
    /// returns what could not be done.
    pub async fn clean_up(&self) -> Vec<String> {
        let created = self.created.lock().map(|c| c.clone()).unwrap_or_default();
        let mut problems = Vec::new();
        for id in created {
            if let Err(error) = self.client.operators().set_status(id, OperatorStatus::Deleted).await {
                problems.push(format!("operator {id}: {error}"));
            }
        }
        problems
    }
}
