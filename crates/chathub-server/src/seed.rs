//! The seed file (spec §6) and the demo company of a first start.
//!
//! Loading is idempotent: a company is matched by login, an organization by
//! id (or by name when it has none), an operator by name within its
//! organization. The seed's credentials win; what the API changes (operator
//! status) is kept. A bad file stops the start with its line and reason and
//! changes nothing.

use std::collections::HashSet;
use std::path::Path;

use chathub_types::validation::{ValidationErrors, check_name, check_no_nul};
use chathub_types::{OperatorStatus, OrganizationId};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use toml::Spanned;

use crate::auth::{Passwords, api_key_digest};
use crate::store::Db;
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedOperator {
    name: Spanned<String>,
    #[serde(default)]
    status: Option<Spanned<i32>>,
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
    operators: Vec<(String, OperatorStatus)>,
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
    /// Reads and checks a seed file.
    pub fn from_file(path: &Path) -> Result<Self, SeedError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| SeedError::Read { path: path.display().to_string(), source })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and checks seed text; errors name `origin` and the line.
    pub fn parse(text: &str, origin: &str) -> Result<Self, SeedError> {
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
                    operators.push((operator.name.get_ref().trim().to_owned(), status));
                }
                organizations.push(OrganizationSeed {
                    id: organization.id.as_ref().map(|id| OrganizationId(*id.get_ref())),
                    name: organization.name.get_ref().trim().to_owned(),
                    operators,
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
                    operators: vec![
                        ("John Smith".to_owned(), OperatorStatus::Active),
                        ("Emma Davis".to_owned(), OperatorStatus::Active),
                        ("Mike Wilson".to_owned(), OperatorStatus::Inactive),
                    ],
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

    /// Hashes the passwords and stores the seed in one transaction.
    pub async fn apply(&self, db: &Db, passwords: &Passwords) -> Result<(), SeedError> {
        let mut hashed = Vec::with_capacity(self.companies.len());
        for company in &self.companies {
            let hash = passwords.hash(company.password.clone()).await.map_err(|e| SeedError::Apply(e.to_string()))?;
            let digest = company.api_key.as_ref().map(|key| api_key_digest(key.expose_secret()));
            hashed.push((hash, digest));
        }
        apply_in_transaction(db, &self.companies, &hashed).await.map_err(|e| SeedError::Apply(e.to_string()))
    }
}

async fn apply_in_transaction(
    db: &Db,
    companies: &[CompanySeed],
    hashed: &[(String, Option<ApiKeyDigest>)],
) -> Result<(), sqlx::Error> {
    use sqlx::Row;
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
                for (name, status) in &organization.operators {
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
        Ok(())
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
}
