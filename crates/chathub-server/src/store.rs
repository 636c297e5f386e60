//! Storage: the database (`db`), the in-memory read model every read is
//! answered from (`model`), and the group-committing writer (`writer`).

pub mod chat_model;
pub mod chats;
pub mod db;
pub mod model;
pub mod sync;
pub mod writer;

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use chathub_types::token::OperatorFacts;
use chathub_types::{OperatorId, OperatorStatus, OrganizationId};
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::events::EventBus;

pub use db::Db;
pub use model::ReadModel;
pub use writer::{Write, Written};

/// Why storage failed. Its text is for the log, never for a client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The write was not committed.
    #[error("write failed: {0}")]
    Write(String),
    /// The writer has stopped (shutting down).
    #[error("the writer has stopped")]
    Closed,
}

/// The database plus the read model and the writer that keep them in step.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    model: Arc<RwLock<ReadModel>>,
    queue: mpsc::Sender<writer::Job>,
    events: EventBus,
}

impl Store {
    /// Loads the read model from `db` and starts the writer, which
    /// publishes every committed change on `events`.
    pub async fn start(db: Db, events: EventBus) -> Result<Self, StoreError> {
        let model = Arc::new(RwLock::new(db.load().await?));
        let (queue, receiver) = mpsc::channel(4096);
        let mut origin = [0u8; 8];
        rand::fill(&mut origin);
        let origin: Arc<str> = origin.iter().map(|b| format!("{b:02x}")).collect::<String>().into();
        if let Db::Postgres(pool) = &db {
            tokio::spawn(sync::listen(pool.clone(), queue.downgrade(), origin.clone(), events.clone()));
        }
        tokio::spawn(writer::run(db.clone(), model.clone(), receiver, origin, events.clone()));
        Ok(Self { db, model, queue, events })
    }

    /// The read model, for a short read. Never hold it across an `.await`.
    pub fn read(&self) -> RwLockReadGuard<'_, ReadModel> {
        self.model.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The bus the writer publishes committed changes on.
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// What token checks need of an operator (Decisions 9, 11). With a
    /// database other servers share, status and revocation are read from
    /// it, so a deactivation through any server revokes at once.
    pub async fn operator_facts(&self, id: OperatorId) -> Result<Option<OperatorFacts>, StoreError> {
        let Some(mut facts) = self.read().operator_facts(id) else { return Ok(None) };
        if self.db.is_shared() {
            match self.db.operator_state(id.0).await? {
                Some((status, last_deactivated_at)) => {
                    facts.status = status;
                    facts.last_deactivated_at = last_deactivated_at;
                }
                None => return Ok(None),
            }
        }
        Ok(Some(facts))
    }

    /// Adds operators durably; their ids in order.
    pub async fn add_operators(&self, operators: Vec<(OrganizationId, String)>) -> Result<Vec<OperatorId>, StoreError> {
        if operators.is_empty() {
            return Ok(Vec::new());
        }
        match self.write(Write::AddOperators(operators)).await? {
            Written::Operators(ids) => Ok(ids),
            other => Err(StoreError::Write(format!("unexpected outcome {other:?}"))),
        }
    }

    /// Changes an operator's status durably.
    pub async fn set_status(
        &self,
        operator: OperatorId,
        status: OperatorStatus,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(Write::SetStatus { operator, status, at }).await.map(|_| ())
    }

    /// Commits a chat write durably (its events go out in commit order).
    pub async fn chat_write(&self, write: chats::ChatWrite) -> Result<chats::ChatWritten, StoreError> {
        match self.write(Write::Chat(write)).await? {
            Written::Chat(written) => Ok(written),
            other => Err(StoreError::Write(format!("unexpected outcome {other:?}"))),
        }
    }

    /// Sets the base of media URLs (`--public-url`, else the bound address).
    pub fn set_public_url(&self, url: &str) {
        let mut model = self.model.write().unwrap_or_else(PoisonError::into_inner);
        model.chats.public_url = url.trim_end_matches('/').to_owned();
    }

    /// Whether the base of media URLs is set.
    pub fn has_public_url(&self) -> bool {
        !self.read().chats.public_url.is_empty()
    }

    async fn write(&self, write: Write) -> Result<Written, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(writer::Job { write, reply }).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?.map_err(StoreError::Write)
    }
}
