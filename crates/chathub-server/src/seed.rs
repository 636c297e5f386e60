//! The seed file (spec §6) and the demo company of a first start.
//!
//! Loading is idempotent: a company is matched by login, an organization by
//! id (or by name when it has none), an operator by name within its
//! organization. The seed's credentials win; what the API changes (operator
//! status) is kept. Chats (Decision 33) load without events: a chat is
//! matched by organization, source, client (by phone, else Telegram user
//! id, as Decision 31 finds clients) and theme, and a matched chat gets
//! nothing added. A bad file stops the start with its line and reason and
//! changes nothing.

use std::collections::HashSet;
use std::path::Path;

use chathub_types::chat::{
    Author, ChatStatus, CheckedMedia, MediaType, MessageSource, MessageStatus, NewMedia, check_text, normalize_phone,
};
use chathub_types::validation::{ValidationErrors, check_name, check_no_nul};
use chathub_types::{OperatorStatus, OrganizationId};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use toml::Spanned;

use crate::auth::{Passwords, api_key_digest};
use crate::store::Db;
use crate::store::chats::{media_key, stored_text};
use crate::store::db::{insert_operator, with_pool};
use crate::store::model::{ApiKeyDigest, ReadModel};

/// Why a seed could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid (line and reason).
    #[error("{0}")]
    Invalid(String),
    /// Hashing or the database failed.
    #[error("loading the seed failed: {0}")]
    Apply(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    company: Vec<Spanned<SeedCompany>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedCompany {
    login: Spanned<String>,
    password: Spanned<String>,
    #[serde(default)]
    api_key: Option<Spanned<String>>,
    #[serde(default)]
    organization: Vec<Spanned<SeedOrganization>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedOrganization {
    #[serde(default)]
    id: Option<Spanned<i32>>,
    name: Spanned<String>,
    #[serde(default)]
    operator: Vec<Spanned<SeedOperator>>,
    #[serde(default)]
    chat: Vec<Spanned<SeedChat>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedOperator {
    name: Spanned<String>,
    #[serde(default)]
    status: Option<Spanned<i32>>,
    #[serde(default)]
    photo: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedChat {
    source: Spanned<i32>,
    #[serde(default)]
    status: Option<Spanned<i32>>,
    #[serde(default)]
    theme: Option<Spanned<String>>,
    #[serde(default)]
    operator: Option<Spanned<String>>,
    client: Spanned<SeedClient>,
    #[serde(default)]
    message: Vec<Spanned<SeedMessage>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedClient {
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    phone: Option<Spanned<String>>,
    #[serde(default)]
    tg_user_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedMessage {
    #[serde(default)]
    author: Option<Spanned<i32>>,
    #[serde(default)]
    text: Option<Spanned<String>>,
    #[serde(default)]
    status: Option<Spanned<i32>>,
    #[serde(default)]
    at: Option<Spanned<toml::Value>>,
    #[serde(default)]
    media: Option<Spanned<SeedMedia>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedMedia {
    file: Spanned<String>,
    #[serde(rename = "type")]
    media_type: Spanned<i32>,
}

/// A checked seed: what to make sure exists.
#[derive(Debug)]
pub struct Seed {
    companies: Vec<CompanySeed>,
}

#[derive(Debug)]
struct CompanySeed {
    login: String,
    password: SecretString,
    api_key: Option<SecretString>,
    is_demo: bool,
    organizations: Vec<OrganizationSeed>,
}

#[derive(Debug)]
struct OrganizationSeed {
    id: Option<OrganizationId>,
    name: String,
    operators: Vec<OperatorSeed>,
    chats: Vec<ChatSeed>,
}

#[derive(Debug)]
struct OperatorSeed {
    name: String,
    status: OperatorStatus,
    photo: Option<String>,
}

/// A seeded chat (Decision 33).
#[derive(Debug)]
struct ChatSeed {
    source: MessageSource,
    status: ChatStatus,
    theme: Option<String>,
    /// The operator's name and where the seed names it.
    operator: Option<(String, String)>,
    client: ClientSeed,
    messages: Vec<MessageSeed>,
}

#[derive(Debug)]
struct ClientSeed {
    name: Option<String>,
    /// Phone digits (Decision 31).
    phone: Option<String>,
    tg_user_id: Option<i64>,
}

#[derive(Debug)]
struct MessageSeed {
    author: Author,
    text: Option<String>,
    status: MessageStatus,
    at: Option<DateTime<Utc>>,
    media: Option<CheckedMedia>,
}

/// The demo company's credentials, printed once when it is created.
#[derive(Debug)]
pub struct DemoCompany {
    /// Its login.
    pub login: String,
    /// Its password.
    pub password: SecretString,
    /// Its API key.
    pub api_key: SecretString,
}

impl DemoCompany {
    /// The one line printed on first start.
    pub fn banner(&self) -> String {
        format!(
            "demo company: login={} password={} api_key={}",
            self.login,
            self.password.expose_secret(),
            self.api_key.expose_secret()
        )
    }
}

impl Seed {
    /// Reads and checks a seed file; media files are read beside it.
    pub fn from_file(path: &Path) -> Result<Self, SeedError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| SeedError::Read { path: path.display().to_string(), source })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::parse_in(&text, &path.display().to_string(), dir)
    }

    /// Parses and checks seed text; errors name `origin` and the line.
    /// Media files are read relative to the working directory.
    pub fn parse(text: &str, origin: &str) -> Result<Self, SeedError> {
        Self::parse_in(text, origin, Path::new("."))
    }

    /// Parses and checks seed text whose media files are in `dir`.
    pub fn parse_in(text: &str, origin: &str, dir: &Path) -> Result<Self, SeedError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let at = |offset: usize, message: &str| SeedError::Invalid(format!("{origin}:{}: {message}", line_of(offset)));
        let file: SeedFile = toml::from_str(text).map_err(|error| match error.span() {
            Some(span) => at(span.start, error.message()),
            None => SeedError::Invalid(format!("{origin}: {}", error.message())),
        })?;

        let check = |value: &Spanned<String>, what: &str, rule: fn(&str, &str, &mut ValidationErrors)| {
            let mut errors = ValidationErrors::new();
            rule(value.get_ref(), what, &mut errors);
            match errors.iter().next() {
                Some((_, message)) => Err(at(value.span().start, &format!("{what}: {message}"))),
                None => Ok(()),
            }
        };
        let non_empty = |value: &Spanned<String>, what: &str| {
            if value.get_ref().trim().is_empty() {
                return Err(at(value.span().start, &format!("{what} must not be empty")));
            }
            check(value, what, check_no_nul)
        };

        let mut logins = HashSet::new();
        let mut organization_ids = HashSet::new();
        let mut api_keys = HashSet::new();
        let mut companies = Vec::new();
        for company in &file.company {
            let company = company.get_ref();
            non_empty(&company.login, "login")?;
            non_empty(&company.password, "password")?;
            if !logins.insert(company.login.get_ref().clone()) {
                return Err(at(company.login.span().start, "this login appears twice in the seed"));
            }
            if let Some(api_key) = &company.api_key {
                non_empty(api_key, "api_key")?;
                if api_key.get_ref().contains(char::is_whitespace) {
                    return Err(at(api_key.span().start, "api_key must not contain spaces"));
                }
                if !api_keys.insert(api_key.get_ref().clone()) {
                    return Err(at(api_key.span().start, "this api_key appears twice in the seed"));
                }
            }
            let mut organizations = Vec::new();
            for organization in &company.organization {
                let organization = organization.get_ref();
                check(&organization.name, "organization name", check_name)?;
                if let Some(id) = &organization.id {
                    if *id.get_ref() <= 0 {
                        return Err(at(id.span().start, "organization id must be a positive integer"));
                    }
                    if !organization_ids.insert(*id.get_ref()) {
                        return Err(at(id.span().start, "this organization id appears twice in the seed"));
                    }
                }
                let mut operators = Vec::new();
                for operator in &organization.operator {
                    let operator = operator.get_ref();
                    check(&operator.name, "operator name", check_name)?;
                    if let Some(photo) = &operator.photo {
                        non_empty(photo, "photo")?;
                    }
                    let status = match &operator.status {
                        None => OperatorStatus::Active,
                        Some(status) => {
                            let parsed = OperatorStatus::from_i32(*status.get_ref());
                            if !parsed.is_known() {
                                return Err(at(
                                    status.span().start,
                                    "status must be 0 (Active), 1 (Inactive) or 2 (Deleted)",
                                ));
                            }
                            parsed
                        }
                    };
                    operators.push(OperatorSeed {
                        name: operator.name.get_ref().trim().to_owned(),
                        status,
                        photo: operator.photo.as_ref().map(|photo| photo.get_ref().trim().to_owned()),
                    });
                }
                let mut chats = Vec::new();
                for chat in &organization.chat {
                    chats.push(parse_chat(chat.get_ref(), &at, dir)?);
                }
                organizations.push(OrganizationSeed {
                    id: organization.id.as_ref().map(|id| OrganizationId(*id.get_ref())),
                    name: organization.name.get_ref().trim().to_owned(),
                    operators,
                    chats,
                });
            }
            companies.push(CompanySeed {
                login: company.login.get_ref().clone(),
                password: SecretString::from(company.password.get_ref().clone()),
                api_key: company.api_key.as_ref().map(|k| SecretString::from(k.get_ref().clone())),
                is_demo: false,
                organizations,
            });
        }
        Ok(Self { companies })
    }

    /// A demo company with fresh random credentials.
    pub fn demo() -> (Self, DemoCompany) {
        let password = random_text(16);
        let api_key = format!("demo-{}", random_text(32));
        let demo = DemoCompany {
            login: "demo".to_owned(),
            password: SecretString::from(password.clone()),
            api_key: SecretString::from(api_key.clone()),
        };
        let seed = Self {
            companies: vec![CompanySeed {
                login: demo.login.clone(),
                password: SecretString::from(password),
                api_key: Some(SecretString::from(api_key)),
                is_demo: true,
                organizations: vec![OrganizationSeed {
                    id: None,
                    name: "Customer Support".to_owned(),
                    operators: [
                        ("John Smith", OperatorStatus::Active),
                        ("Emma Davis", OperatorStatus::Active),
                        ("Mike Wilson", OperatorStatus::Inactive),
                    ]
                    .into_iter()
                    .map(|(name, status)| OperatorSeed { name: name.to_owned(), status, photo: None })
                    .collect(),
                    chats: Vec::new(),
                }],
            }],
        };
        (seed, demo)
    }

    /// Checks the seed against what is stored (an organization id may not
    /// belong to another company; an API key may not be another company's).
    pub fn check_against(&self, model: &ReadModel) -> Result<(), SeedError> {
        for company in &self.companies {
            let existing = model.company_by_login(&company.login).map(|c| c.id);
            for organization in &company.organizations {
                if let Some(id) = organization.id
                    && let Some(stored) = model.organization(id)
                    && Some(stored.company) != existing
                {
                    return Err(SeedError::Invalid(format!(
                        "organization {id} of `{}` already belongs to another company",
                        company.login
                    )));
                }
            }
            if let Some(api_key) = &company.api_key
                && let Some(owner) = model.company_by_api_key(&api_key_digest(api_key.expose_secret()))
                && owner.login != company.login
            {
                return Err(SeedError::Invalid(format!(
                    "the api_key of `{}` is already another company's",
                    company.login
                )));
            }
        }
        Ok(())
    }

    /// Hashes the passwords and stores the seed in one transaction. Answers
    /// whether a demo company of this seed already existed: it is then left
    /// as it is (another server created it and printed its credentials), so
    /// servers starting together never overwrite each other's demo password.
    pub async fn apply(&self, db: &Db, passwords: &Passwords) -> Result<bool, SeedError> {
        let mut hashed = Vec::with_capacity(self.companies.len());
        for company in &self.companies {
            let hash = passwords.hash(company.password.clone()).await.map_err(|e| SeedError::Apply(e.to_string()))?;
            let digest = company.api_key.as_ref().map(|key| api_key_digest(key.expose_secret()));
            hashed.push((hash, digest));
        }
        let now = chathub_types::time::truncate_to_millis(Utc::now());
        apply_in_transaction(db, &self.companies, &hashed, now).await.map_err(|error| match error {
            ApplyError::Sql(error) => SeedError::Apply(error.to_string()),
            ApplyError::Invalid(reason) => SeedError::Invalid(reason),
        })
    }
}

/// Why the seed's transaction was rolled back.
#[derive(Debug)]
enum ApplyError {
    Sql(sqlx::Error),
    /// An entry that only the stored data shows to be bad (line and reason).
    Invalid(String),
}

impl From<sqlx::Error> for ApplyError {
    fn from(error: sqlx::Error) -> Self {
        Self::Sql(error)
    }
}

async fn apply_in_transaction(
    db: &Db,
    companies: &[CompanySeed],
    hashed: &[(String, Option<ApiKeyDigest>)],
    now: DateTime<Utc>,
) -> Result<bool, ApplyError> {
    use sqlx::Row;
    let mut kept_existing_demo = false;
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        for (company, (hash, digest)) in companies.iter().zip(hashed) {
            let digest = digest.map(|d| d.to_vec());
            let existing: Option<i32> = sqlx::query("SELECT id FROM companies WHERE login = $1")
                .bind(&company.login)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.try_get(0))
                .transpose()?;
            if company.is_demo && existing.is_some() {
                kept_existing_demo = true;
                continue;
            }
            let company_id = match existing {
                Some(id) => {
                    sqlx::query("UPDATE companies SET password_hash = $1, api_key_digest = COALESCE($2, api_key_digest) WHERE id = $3")
                        .bind(hash)
                        .bind(digest)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    id
                }
                None => sqlx::query(
                    "INSERT INTO companies (login, password_hash, api_key_digest, is_demo) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&company.login)
                .bind(hash)
                .bind(digest)
                .bind(i32::from(company.is_demo))
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i32, _>(0)?,
            };
            for organization in &company.organizations {
                let found: Option<i32> = match organization.id {
                    Some(id) => sqlx::query("SELECT id FROM organizations WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|row| row.try_get(0))
                        .transpose()?,
                    None => sqlx::query("SELECT id FROM organizations WHERE company_id = $1 AND name = $2 ORDER BY id LIMIT 1")
                        .bind(company_id)
                        .bind(&organization.name)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|row| row.try_get(0))
                        .transpose()?,
                };
                let organization_id = match (found, organization.id) {
                    (Some(id), _) => {
                        sqlx::query("UPDATE organizations SET name = $1 WHERE id = $2")
                            .bind(&organization.name)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        id
                    }
                    (None, Some(id)) => {
                        sqlx::query("INSERT INTO organizations (id, company_id, name) VALUES ($1, $2, $3)")
                            .bind(id.0)
                            .bind(company_id)
                            .bind(&organization.name)
                            .execute(&mut *tx)
                            .await?;
                        id.0
                    }
                    (None, None) => sqlx::query("INSERT INTO organizations (company_id, name) VALUES ($1, $2) RETURNING id")
                        .bind(company_id)
                        .bind(&organization.name)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get::<i32, _>(0)?,
                };
                for OperatorSeed { name, status, photo } in &organization.operators {
                    let exists = sqlx::query("SELECT id FROM operators WHERE organization_id = $1 AND name = $2 LIMIT 1")
                        .bind(organization_id)
                        .bind(name)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some();
                    if !exists {
                        let deactivated = (!status.is_active()).then(|| chrono::Utc::now().timestamp_millis());
                        insert_operator!(tx, organization_id, name.as_str(), status.to_i32(), deactivated)?;
                    }
                    if let Some(photo) = photo {
                        sqlx::query("UPDATE operators SET photo = $1 WHERE organization_id = $2 AND name = $3")
                            .bind(photo)
                            .bind(organization_id)
                            .bind(name)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                for chat in &organization.chats {
                    let operator: Option<i32> = match &chat.operator {
                        None => None,
                        Some((name, missing)) => Some(
                            sqlx::query("SELECT id FROM operators WHERE organization_id = $1 AND name = $2 ORDER BY id LIMIT 1")
                                .bind(organization_id)
                                .bind(name)
                                .fetch_optional(&mut *tx)
                                .await?
                                .ok_or_else(|| ApplyError::Invalid(missing.clone()))?
                                .try_get(0)?,
                        ),
                    };
                    let client = &chat.client;
                    let mut found: Option<i32> = None;
                    if let Some(phone) = &client.phone {
                        found = sqlx::query("SELECT id FROM clients WHERE company_id = $1 AND phone = $2 ORDER BY id LIMIT 1")
                            .bind(company_id)
                            .bind(phone)
                            .fetch_optional(&mut *tx)
                            .await?
                            .map(|row| row.try_get(0))
                            .transpose()?;
                    }
                    if found.is_none() && let Some(tg_user_id) = client.tg_user_id {
                        found = sqlx::query("SELECT id FROM clients WHERE company_id = $1 AND tg_user_id = $2 ORDER BY id LIMIT 1")
                            .bind(company_id)
                            .bind(tg_user_id)
                            .fetch_optional(&mut *tx)
                            .await?
                            .map(|row| row.try_get(0))
                            .transpose()?;
                    }
                    let client_id: i32 = match found {
                        Some(id) => {
                            // A found client gains the fields it lacks; nothing is overwritten (Decision 31).
                            sqlx::query(
                                "UPDATE clients SET name = COALESCE(name, $1), phone = COALESCE(phone, $2), \
                                 tg_user_id = COALESCE(tg_user_id, $3) WHERE id = $4",
                            )
                            .bind(client.name.as_deref())
                            .bind(client.phone.as_deref())
                            .bind(client.tg_user_id)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                            id
                        }
                        None => sqlx::query(
                            "INSERT INTO clients (company_id, name, phone, tg_user_id) VALUES ($1, $2, $3, $4) RETURNING id",
                        )
                        .bind(company_id)
                        .bind(client.name.as_deref())
                        .bind(client.phone.as_deref())
                        .bind(client.tg_user_id)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get(0)?,
                    };
                    let matched = match &chat.theme {
                        Some(theme) => sqlx::query(
                            "SELECT id FROM chats WHERE organization_id = $1 AND source = $2 AND client_id = $3 \
                             AND theme = $4 LIMIT 1",
                        )
                        .bind(organization_id)
                        .bind(chat.source.to_i32())
                        .bind(client_id)
                        .bind(theme)
                        .fetch_optional(&mut *tx)
                        .await?,
                        None => sqlx::query(
                            "SELECT id FROM chats WHERE organization_id = $1 AND source = $2 AND client_id = $3 \
                             AND theme IS NULL LIMIT 1",
                        )
                        .bind(organization_id)
                        .bind(chat.source.to_i32())
                        .bind(client_id)
                        .fetch_optional(&mut *tx)
                        .await?,
                    };
                    if matched.is_some() {
                        continue;
                    }
                    let created_at = chat.messages.first().and_then(|message| message.at).unwrap_or(now);
                    let chat_id: i32 = sqlx::query(
                        "INSERT INTO chats (organization_id, client_id, source, status, theme, operator_id, created_at_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(organization_id)
                    .bind(client_id)
                    .bind(chat.source.to_i32())
                    .bind(chat.status.to_i32())
                    .bind(chat.theme.as_deref())
                    .bind(operator)
                    .bind(created_at.timestamp_millis())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                    for message in &chat.messages {
                        let key = message.media.as_ref().map(|_| media_key());
                        let author_operator = (message.author == Author::Operator).then_some(operator).flatten();
                        let message_id: i32 = sqlx::query(
                            "INSERT INTO messages (chat_id, author, operator_id, body, status, created_at_ms, \
                             media_key, media_name, media_format, media_type) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                        )
                        .bind(chat_id)
                        .bind(message.author.to_i32())
                        .bind(author_operator)
                        .bind(message.text.as_deref())
                        .bind(message.status.to_i32())
                        .bind(message.at.unwrap_or(now).timestamp_millis())
                        .bind(key.as_deref())
                        .bind(message.media.as_ref().map(|m| m.name.as_str()))
                        .bind(message.media.as_ref().map(|m| m.format))
                        .bind(message.media.as_ref().map(|m| m.media_type.to_i32()))
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get(0)?;
                        if let (Some(media), Some(key)) = (&message.media, &key) {
                            sqlx::query("INSERT INTO media (media_key, message_id, data) VALUES ($1, $2, $3)")
                                .bind(key.as_str())
                                .bind(message_id)
                                .bind(media.bytes.as_slice())
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                }
            }
        }
        if matches!(db, Db::Postgres(_)) {
            // Explicit ids do not move identity sequences in Postgres.
            for table in ["companies", "organizations", "operators"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(kept_existing_demo)
    })
}

/// Longest chat theme (as the simulator takes it).
const MAX_THEME_CHARS: usize = chathub_types::simulator::customer_message::MAX_THEME_CHARS;

/// Checks one `[[company.organization.chat]]` and reads its media files
/// from `dir`; `at` makes an error naming a line.
fn parse_chat(chat: &SeedChat, at: &impl Fn(usize, &str) -> SeedError, dir: &Path) -> Result<ChatSeed, SeedError> {
    let text_rule = |value: &Spanned<String>, what: &str, max: usize| {
        if value.get_ref().contains('\0') {
            return Err(at(value.span().start, &format!("{what} must not contain U+0000")));
        }
        if value.get_ref().chars().count() > max {
            return Err(at(value.span().start, &format!("{what} must be at most {max} characters long")));
        }
        Ok(())
    };
    let source = MessageSource::from_i32(*chat.source.get_ref());
    if !source.is_known() {
        return Err(at(chat.source.span().start, &format!("source: {}", MessageSource::rule())));
    }
    let status = match &chat.status {
        None => ChatStatus::New,
        Some(status) => {
            let parsed = ChatStatus::from_i32(*status.get_ref());
            if !parsed.is_known() {
                return Err(at(status.span().start, &format!("status: {}", ChatStatus::rule())));
            }
            parsed
        }
    };
    if let Some(theme) = &chat.theme {
        text_rule(theme, "theme", MAX_THEME_CHARS)?;
    }
    let operator = match &chat.operator {
        None => None,
        Some(name) => {
            if name.get_ref().trim().is_empty() {
                return Err(at(name.span().start, "operator must not be empty"));
            }
            let missing = at(
                name.span().start,
                &format!("operator `{}` is not an operator of this organization", name.get_ref().trim()),
            );
            Some((name.get_ref().trim().to_owned(), missing.to_string()))
        }
    };
    let client = chat.client.get_ref();
    if let Some(name) = &client.name {
        text_rule(name, "client name", chathub_types::limits::MAX_NAME_CHARS)?;
    }
    let phone = match &client.phone {
        None => None,
        Some(phone) => Some(normalize_phone(phone.get_ref()).ok_or_else(|| {
            at(phone.span().start, "client phone must hold 7-15 digits (spaces, +, -, ( and ) are ignored)")
        })?),
    };
    if phone.is_none() && client.tg_user_id.is_none() {
        return Err(at(chat.client.span().start, "client needs a phone or a tg_user_id"));
    }
    let mut messages = Vec::new();
    for message in &chat.message {
        messages.push(parse_message(message, at, dir)?);
    }
    Ok(ChatSeed {
        source,
        status,
        theme: chat.theme.as_ref().map(|theme| theme.get_ref().clone()),
        operator,
        client: ClientSeed {
            name: client.name.as_ref().map(|name| name.get_ref().clone()),
            phone,
            tg_user_id: client.tg_user_id,
        },
        messages,
    })
}

/// Checks one `[[company.organization.chat.message]]`.
fn parse_message(
    message: &Spanned<SeedMessage>,
    at: &impl Fn(usize, &str) -> SeedError,
    dir: &Path,
) -> Result<MessageSeed, SeedError> {
    let start = message.span().start;
    let message = message.get_ref();
    let author = match &message.author {
        None => Author::Client,
        Some(author) => match Author::from_i32(*author.get_ref()) {
            parsed @ (Author::Client | Author::Operator) => parsed,
            _ => return Err(at(author.span().start, "author must be 0 (Operator) or 1 (Client)")),
        },
    };
    let status = match &message.status {
        None if author == Author::Operator => MessageStatus::Success,
        None => MessageStatus::New,
        Some(status) => {
            let parsed = MessageStatus::from_i32(*status.get_ref());
            if !parsed.is_known() {
                return Err(at(status.span().start, &format!("status: {}", MessageStatus::rule())));
            }
            parsed
        }
    };
    let created_at = match &message.at {
        None => None,
        Some(value) => {
            let text = match value.get_ref() {
                toml::Value::Datetime(datetime) => datetime.to_string(),
                toml::Value::String(text) => text.clone(),
                _ => String::new(),
            };
            let parsed = DateTime::parse_from_rfc3339(&text).map_err(|_| {
                at(value.span().start, "at must be a date-time with an offset, such as 2026-01-28T10:15:00Z")
            })?;
            Some(chathub_types::time::truncate_to_millis(parsed.with_timezone(&Utc)))
        }
    };
    let media = match &message.media {
        None => None,
        Some(media) => Some(read_media(media.get_ref(), at, dir)?),
    };
    let text = message.text.as_ref().map(|text| text.get_ref().clone());
    if let Err(error) = check_text(text.as_deref(), media.is_some()) {
        let offset = message.text.as_ref().map_or(start, |text| text.span().start);
        let reason = match error {
            chathub_types::chat::TextError::Empty => "a message needs a non-blank text or media".to_owned(),
            other => format!("text: {}", other.rest_message()),
        };
        return Err(at(offset, &reason));
    }
    Ok(MessageSeed { author, text: stored_text(text), status, at: created_at, media })
}

/// Reads a media file beside the seed and checks it as Decision 26 checks
/// media in requests (the format is the file's extension).
fn read_media(
    media: &SeedMedia,
    at: &impl Fn(usize, &str) -> SeedError,
    dir: &Path,
) -> Result<CheckedMedia, SeedError> {
    let offset = media.file.span().start;
    let file = media.file.get_ref();
    let path = dir.join(file);
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_owned();
    let extension = path.extension().and_then(|ext| ext.to_str()).unwrap_or_default().to_owned();
    let bytes = std::fs::read(&path).map_err(|error| at(offset, &format!("media file `{file}`: {error}")))?;
    let media_type = MediaType::from_i32(*media.media_type.get_ref());
    let encoded = chathub_types::chat::base64::encode(&bytes);
    NewMedia::new(name, extension, encoded, media_type).check("media").map_err(|errors| {
        let reason = errors.iter().next().map_or_else(String::new, |(field, message)| format!("{field}: {message}"));
        let offset = if reason.starts_with("media.type") { media.media_type.span().start } else { offset };
        at(offset, &format!("media file `{file}`: {reason}"))
    })
}

fn random_text(length: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = vec![0u8; length];
    rand::fill(bytes.as_mut_slice());
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line() {
        let text = "[[company]]\nlogin = \"acme\"\npassword = \"p\"\n\n[[company.organization]]\nname = \"   \"\n";
        let error = Seed::parse(text, "seed.toml").unwrap_err().to_string();
        assert!(error.starts_with("seed.toml:6: organization name"), "{error}");
        let error = Seed::parse("[[company]]\nlogin = \"a\"\npassword = \"p\"\ncolour = 1\n", "s.toml").unwrap_err();
        assert!(error.to_string().starts_with("s.toml:4:"), "{error}");
        let text = "[[company]]\nlogin=\"a\"\npassword=\"p\"\n[[company.organization]]\nname=\"x\"\n[[company.organization.operator]]\nname=\"o\"\nstatus=7\n";
        assert!(Seed::parse(text, "s").unwrap_err().to_string().starts_with("s:8: status"));
    }

    const COMPANY: &str = "[[company]]\nlogin = \"acme\"\npassword = \"p\"\n\n[[company.organization]]\nname = \"Support\"\n\n[[company.organization.operator]]\nname = \"John Smith\"\nphoto = \"https://example.test/john.png\"\n";

    /// The error of `COMPANY` followed by `chat`, and the line it names
    /// counted within `chat` (1 = its first line).
    fn chat_error(chat: &str) -> (usize, String) {
        let text = format!("{COMPANY}{chat}");
        let error = Seed::parse(&text, "s").unwrap_err().to_string();
        let line: usize =
            error.split(':').nth(1).and_then(|line| line.parse().ok()).unwrap_or_else(|| panic!("{error}"));
        (line - COMPANY.lines().count(), error)
    }

    fn chats_of(seed: &Seed) -> &[ChatSeed] {
        &seed.companies[0].organizations[0].chats
    }

    #[test]
    fn a_chat_takes_the_defaults_of_decision_33() {
        let chat = "[[company.organization.chat]]\nsource = 2\nclient = { phone = \"+380 (50) 123-45-67\" }\n\
            [[company.organization.chat.message]]\ntext = \"Hi\"\n\
            [[company.organization.chat.message]]\nauthor = 0\ntext = \"Hello\"\nat = 2026-01-28T10:15:00.1234Z\n\
            [[company.organization.chat.message]]\nauthor = 0\ntext = \"Seen?\"\nstatus = 3\nat = \"2026-01-28T12:15:00+02:00\"\n";
        let seed = Seed::parse(&format!("{COMPANY}{chat}"), "s").unwrap();
        let operator = &seed.companies[0].organizations[0].operators[0];
        assert_eq!(operator.photo.as_deref(), Some("https://example.test/john.png"));
        let [chat] = chats_of(&seed) else { panic!("one chat") };
        assert_eq!(
            (chat.source, chat.status, chat.theme.as_deref()),
            (MessageSource::TelegramBot, ChatStatus::New, None)
        );
        assert!(chat.operator.is_none());
        assert_eq!(chat.client.phone.as_deref(), Some("380501234567"), "phones are kept as digits (Decision 31)");
        let [client, reply, seen] = chat.messages.as_slice() else { panic!("three messages") };
        assert_eq!((client.author, client.status, client.at), (Author::Client, MessageStatus::New, None));
        assert_eq!((reply.author, reply.status), (Author::Operator, MessageStatus::Success));
        assert_eq!(reply.at.map(|at| at.to_rfc3339()).as_deref(), Some("2026-01-28T10:15:00.123+00:00"));
        assert_eq!(
            (seen.status, seen.at.map(|at| at.timestamp())),
            (MessageStatus::Read, reply.at.map(|at| at.timestamp()))
        );
    }

    #[test]
    fn media_is_read_beside_the_seed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.jpg"), b"\xff\xd8\xff photo").unwrap();
        let chat = "[[company.organization.chat]]\nsource = 0\nclient = { tg_user_id = 7012345678 }\n\
            [[company.organization.chat.message]]\nmedia = { file = \"p.jpg\", type = 1 }\n";
        let seed = Seed::parse_in(&format!("{COMPANY}{chat}"), "s", dir.path()).unwrap();
        let message = &chats_of(&seed)[0].messages[0];
        assert_eq!(message.text, None, "text is optional with media");
        let media = message.media.as_ref().unwrap();
        assert_eq!((media.name.as_str(), media.format, media.media_type), ("p.jpg", "image/jpeg", MediaType::Photo));
        assert_eq!(media.bytes, b"\xff\xd8\xff photo");

        let error = Seed::parse_in(&format!("{COMPANY}{}", chat.replace("type = 1", "type = 2")), "s", dir.path());
        let error = error.unwrap_err().to_string();
        assert!(error.contains("media.type"), "a photo is not a video: {error}");
        let error = Seed::parse(&format!("{COMPANY}{chat}"), "s").unwrap_err().to_string();
        assert!(error.contains("media file `p.jpg`"), "not beside the working directory: {error}");
    }

    #[test]
    fn bad_chats_name_their_line() {
        let head = "[[company.organization.chat]]\nsource = 2\nclient = { phone = \"380501234567\" }\n";
        let message = "[[company.organization.chat.message]]\n";
        let cases: [(String, usize, &str); 11] = [
            (head.replace("source = 2", "source = 9"), 2, "source"),
            (format!("{head}status = 5\n"), 4, "status"),
            (format!("{head}theme = \"{}\"\n", "x".repeat(256)), 4, "theme"),
            (format!("{head}colour = 1\n"), 4, "colour"),
            (head.replace("phone = \"380501234567\"", "name = \"Olena\""), 3, "phone or a tg_user_id"),
            (head.replace("380501234567", "12-34"), 3, "7-15 digits"),
            (format!("{head}{message}text = \"  \"\n"), 5, "non-blank text or media"),
            (format!("{head}{message}text = \"{}\"\n", "x".repeat(4097)), 5, "4096"),
            (format!("{head}{message}text = \"a\"\nauthor = 2\n"), 6, "author"),
            (format!("{head}{message}text = \"a\"\nstatus = 4\n"), 6, "status"),
            (format!("{head}{message}text = \"a\"\nat = \"yesterday\"\n"), 6, "date-time"),
        ];
        for (chat, line, reason) in cases {
            let (found, error) = chat_error(&chat);
            assert_eq!(found, line, "{error}");
            assert!(error.contains(reason), "{error} should say {reason}");
        }
        let missing = format!("{head}{message}media = {{ file = \"nope.jpg\", type = 1 }}\n");
        let (line, error) = chat_error(&missing);
        assert_eq!(line, 5, "{error}");
        assert!(error.contains("nope.jpg"), "{error}");
    }
}
