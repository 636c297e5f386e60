//! The database behind the read model: connection, migrations, and every
//! SQL statement of the server. SQLite and Postgres run the same statements
//! (`$1` placeholders work on both); only the migrations differ.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use chathub_types::chat::{Author, ChatStatus, MediaType, MessageSource, MessageStatus};
use chathub_types::{ChatId, ClientId, CompanyId, MessageId, OperatorId, OperatorStatus, OrganizationId};
use chrono::DateTime;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlSafeStr};

use super::chat_model::{ChatRecord, ClientRecord, MediaRecord, MessageRecord};
use super::model::{ApiKeyDigest, CompanyRecord, OperatorRecord, ReadModel};

/// A connection pool on one of the supported databases.
#[derive(Debug, Clone)]
pub enum Db {
    /// `sqlite:PATH` or `sqlite::memory:`.
    Sqlite(SqlitePool),
    /// `postgres://…`.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool, so one statement
/// text serves both databases.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, "chats", include_str!("../../migrations/sqlite/0002_chats.sql")),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/postgres/0001_init.sql")),
    (2, "chats", include_str!("../../migrations/postgres/0002_chats.sql")),
    (3, "hub_events", include_str!("../../migrations/postgres/0003_hub_events.sql")),
];

fn migrator(migrations: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(*version, Cow::Borrowed(*description), MigrationType::Simple, sql.into_sql_str(), false)
            })
            .collect(),
    )
}

impl Db {
    /// Connects to `url` and creates or migrates the schema.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        let db = if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(if memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = if memory {
                // Every connection to `:memory:` is its own database: keep exactly one, forever.
                SqlitePoolOptions::new().min_connections(1).max_connections(1).idle_timeout(None).max_lifetime(None)
            } else {
                SqlitePoolOptions::new().max_connections(4)
            };
            Db::Sqlite(pool.connect_with(options).await?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            Db::Postgres(PgPoolOptions::new().max_connections(8).connect_with(options).await?)
        } else {
            return Err(sqlx::Error::Configuration(
                "unsupported database URL scheme (use sqlite:PATH, sqlite::memory: or postgres://…)".into(),
            ));
        };
        match &db {
            Db::Sqlite(pool) => migrator(SQLITE_MIGRATIONS).run(pool).await?,
            Db::Postgres(pool) => migrator(POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(db)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }

    /// The token signing secret: created on first start, then always the same.
    pub async fn signing_secret(&self) -> Result<Vec<u8>, sqlx::Error> {
        let mut fresh = [0u8; 32];
        rand::fill(&mut fresh);
        with_pool!(self, pool => {
            sqlx::query("INSERT INTO server_settings (name, value) VALUES ('jwt_secret', $1) ON CONFLICT (name) DO NOTHING")
                .bind(fresh.to_vec())
                .execute(pool)
                .await?;
            sqlx::query("SELECT value FROM server_settings WHERE name = 'jwt_secret'")
                .fetch_one(pool)
                .await?
                .try_get::<Vec<u8>, _>(0)
        })
    }

    /// Reads every company, organization and operator.
    pub async fn load(&self) -> Result<ReadModel, sqlx::Error> {
        let mut model = ReadModel::default();
        with_pool!(self, pool => {
            for row in sqlx::query("SELECT id, login, password_hash, api_key_digest, is_demo FROM companies")
                .fetch_all(pool)
                .await?
            {
                let digest: Option<Vec<u8>> = row.try_get(3)?;
                model.put_company(CompanyRecord {
                    id: CompanyId(row.try_get(0)?),
                    login: row.try_get(1)?,
                    password_hash: row.try_get(2)?,
                    api_key_digest: digest.and_then(|d| ApiKeyDigest::try_from(d.as_slice()).ok()),
                    is_demo: row.try_get::<i32, _>(4)? != 0,
                });
            }
            for row in sqlx::query("SELECT id, company_id, name FROM organizations").fetch_all(pool).await? {
                model.put_organization(OrganizationId(row.try_get(0)?), CompanyId(row.try_get(1)?), row.try_get(2)?);
            }
            for row in sqlx::query(
                "SELECT id, organization_id, name, status, last_deactivated_at_ms, photo FROM operators ORDER BY id",
            )
            .fetch_all(pool)
            .await?
            {
                let (id, operator) = operator_from_row(&row)?;
                model.put_operator(OperatorId(id), operator);
            }
            for row in sqlx::query("SELECT id, company_id, name, phone, tg_user_id FROM clients").fetch_all(pool).await? {
                model.chats.clients.insert(
                    ClientId(row.try_get(0)?),
                    ClientRecord {
                        company: CompanyId(row.try_get(1)?),
                        name: row.try_get(2)?,
                        phone: row.try_get(3)?,
                        tg_user_id: row.try_get(4)?,
                    },
                );
            }
            for row in sqlx::query(
                "SELECT id, organization_id, client_id, source, status, theme, operator_id, created_at_ms FROM chats",
            )
            .fetch_all(pool)
            .await?
            {
                let operator: Option<i32> = row.try_get(6)?;
                model.chats.chats.insert(
                    ChatId(row.try_get(0)?),
                    ChatRecord {
                        organization: OrganizationId(row.try_get(1)?),
                        client: ClientId(row.try_get(2)?),
                        source: MessageSource::from_i32(row.try_get(3)?),
                        status: ChatStatus::from_i32(row.try_get(4)?),
                        theme: row.try_get(5)?,
                        operator: operator.map(OperatorId),
                        created_at: millis(row.try_get(7)?),
                        messages: Vec::new(),
                    },
                );
            }
            for row in sqlx::query(
                "SELECT id, chat_id, author, operator_id, body, status, created_at_ms, \
                 media_key, media_name, media_format, media_type FROM messages ORDER BY id",
            )
            .fetch_all(pool)
            .await?
            {
                let operator: Option<i32> = row.try_get(3)?;
                let key: Option<String> = row.try_get(7)?;
                let name: Option<String> = row.try_get(8)?;
                let format: Option<String> = row.try_get(9)?;
                let media_type: Option<i32> = row.try_get(10)?;
                let media = match (key, name, format, media_type) {
                    (Some(key), Some(name), Some(format), Some(media_type)) => {
                        Some(MediaRecord { key, name, format, media_type: MediaType::from_i32(media_type) })
                    }
                    _ => None,
                };
                model.chats.put_message(
                    MessageId(row.try_get(0)?),
                    MessageRecord {
                        chat: ChatId(row.try_get(1)?),
                        author: Author::from_i32(row.try_get(2)?),
                        operator: operator.map(OperatorId),
                        text: row.try_get(4)?,
                        status: MessageStatus::from_i32(row.try_get(5)?),
                        created_at: millis(row.try_get(6)?),
                        media,
                    },
                );
            }
        });
        Ok(model)
    }
}

impl Db {
    /// Whether other servers may share this database (Postgres).
    pub fn is_shared(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// Reads the named operators (after another server changed them).
    pub async fn load_operators(&self, ids: &[i32]) -> Result<Vec<(i32, OperatorRecord)>, sqlx::Error> {
        let Db::Postgres(pool) = self else { return Ok(Vec::new()) };
        let rows = sqlx::query(
            "SELECT id, organization_id, name, status, last_deactivated_at_ms, photo FROM operators WHERE id = ANY($1) ORDER BY id",
        )
        .bind(ids)
        .fetch_all(pool)
        .await?;
        rows.iter().map(operator_from_row).collect()
    }

    /// An operator's status and last deactivation, read from the database
    /// (for revocation checks that must see other servers' writes at once).
    pub async fn operator_state(
        &self,
        id: i32,
    ) -> Result<Option<(OperatorStatus, Option<DateTime<chrono::Utc>>)>, sqlx::Error> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT status, last_deactivated_at_ms FROM operators WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
            row.map(|row| {
                let deactivated: Option<i64> = row.try_get(1)?;
                Ok((OperatorStatus::from_i32(row.try_get(0)?), deactivated.and_then(DateTime::from_timestamp_millis)))
            })
            .transpose()
        })
    }
}

/// An instant stored as Unix milliseconds.
pub(crate) fn millis(ms: i64) -> DateTime<chrono::Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl Db {
    /// The bytes of a media key (Decision 27), read on demand.
    pub async fn media_bytes(&self, key: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT data FROM media WHERE media_key = $1").bind(key).fetch_optional(pool).await?;
            row.map(|row| row.try_get::<Vec<u8>, _>(0)).transpose()
        })
    }
}

fn operator_from_row<R: Row>(row: &R) -> Result<(i32, OperatorRecord), sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    i32: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let deactivated: Option<i64> = row.try_get(4)?;
    Ok((
        row.try_get(0)?,
        OperatorRecord {
            organization: OrganizationId(row.try_get(1)?),
            name: row.try_get(2)?,
            status: OperatorStatus::from_i32(row.try_get(3)?),
            last_deactivated_at: deactivated.and_then(DateTime::from_timestamp_millis),
            photo: row.try_get(5)?,
        },
    ))
}

/// Adds one operator inside a transaction; answers its new id.
macro_rules! insert_operator {
    ($tx:expr, $organization:expr, $name:expr, $status:expr, $deactivated_ms:expr) => {
        sqlx::query(
            "INSERT INTO operators (organization_id, name, status, last_deactivated_at_ms) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind($organization)
        .bind($name)
        .bind($status)
        .bind($deactivated_ms)
        .fetch_one(&mut *$tx)
        .await
        .and_then(|row| sqlx::Row::try_get::<i32, _>(&row, 0))
    };
}
pub(crate) use insert_operator;

/// Changes one operator's status inside a transaction.
macro_rules! update_status {
    ($tx:expr, $operator:expr, $status:expr, $deactivated_ms:expr) => {
        match $deactivated_ms {
            Some(at) => {
                sqlx::query("UPDATE operators SET status = $1, last_deactivated_at_ms = $2 WHERE id = $3")
                    .bind($status)
                    .bind(at)
                    .bind($operator)
                    .execute(&mut *$tx)
                    .await
            }
            None => {
                sqlx::query("UPDATE operators SET status = $1 WHERE id = $2")
                    .bind($status)
                    .bind($operator)
                    .execute(&mut *$tx)
                    .await
            }
        }
    };
}
pub(crate) use update_status;
