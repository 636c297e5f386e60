//! The single writer: concurrent writes queue here and share one durable
//! commit (group commit). Only after the commit does the read model change
//! and does each caller get its answer, so an acknowledged write survives a
//! crash and a read never sees a write that might be lost.

use std::sync::{Arc, PoisonError, RwLock};

use chathub_types::{OperatorId, OperatorStatus, OrganizationId};
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::events::{Event, EventBus, Published};

use super::chats::{ChatWrite, ChatWritten};
use super::db::{Db, update_status, with_pool};
use super::model::{OperatorRecord, ReadModel};

/// Most operators in one INSERT statement (4 parameters each; SQLite allows 32,766).
const INSERT_CHUNK: usize = 1_000;

/// Most writes that share one transaction.
const MAX_BATCH: usize = 256;

/// One write the API asks for. Its checks (ownership, existence) were made
/// by the caller against the read model; organizations and operators are
/// never removed, so they still hold here.
#[derive(Debug, Clone)]
pub enum Write {
    /// Add operators (synchronize), all Active.
    AddOperators(Vec<(OrganizationId, String)>),
    /// Change an operator's status at an instant.
    SetStatus {
        /// The operator.
        operator: OperatorId,
        /// Its new status.
        status: OperatorStatus,
        /// When (a deactivation revokes tokens issued up to then).
        at: DateTime<Utc>,
    },
    /// A write to chats and messages (committed on its own, in queue order).
    Chat(ChatWrite),
    /// Re-read rows another server changed (`None`: everything). Runs in
    /// queue order like a write, so a snapshot read before one of this
    /// server's commits can never be applied after it.
    Refresh(Option<Vec<i32>>),
}

/// What a committed write produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The new operators' ids, in order.
    Operators(Vec<OperatorId>),
    /// The status was changed.
    Status,
    /// What a chat write produced.
    Chat(ChatWritten),
    /// The read model was refreshed from the database.
    Refreshed,
}

/// A queued write and where its answer goes.
pub(crate) struct Job {
    pub(crate) write: Write,
    pub(crate) reply: oneshot::Sender<Result<Written, String>>,
}

/// Runs until every sender is dropped: takes what is queued, commits it in
/// one transaction, applies it to the model, answers each caller.
pub(crate) async fn run(
    db: Db,
    model: Arc<RwLock<ReadModel>>,
    mut queue: mpsc::Receiver<Job>,
    origin: Arc<str>,
    events: EventBus,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut jobs = batch.drain(..).peekable();
        while let Some(job) = jobs.next() {
            if let Write::Chat(write) = &job.write {
                // Chat writes depend on every earlier write: each commits alone, after them.
                let mut published = Vec::new();
                let outcome = super::chats::run(&db, &model, write, &origin, &mut published).await.map(Written::Chat);
                publish(&db, &origin, &events, published).await;
                let _ = job.reply.send(outcome);
                continue;
            }
            if let Write::Refresh(ids) = &job.write {
                let outcome = super::sync::refresh(&db, &model, ids.as_deref()).await.map(|deactivated| {
                    // Another server deactivated these: close their hub connections here too (D28).
                    events.publish(deactivated);
                    Written::Refreshed
                });
                let _ = job.reply.send(outcome.map_err(|e| e.to_string()));
                continue;
            }
            let mut group = vec![job];
            while let Some(next) = jobs.next_if(|next| !matches!(next.write, Write::Chat(_) | Write::Refresh(_))) {
                group.push(next);
            }
            commit_group(&db, &model, group, &origin, &events).await;
        }
    }
}

/// Commits operator writes in one transaction (or one by one if that
/// fails), applies them, publishes their events, answers each caller.
async fn commit_group(db: &Db, model: &RwLock<ReadModel>, batch: Vec<Job>, origin: &str, events: &EventBus) {
    let writes: Vec<&Write> = batch.iter().map(|job| &job.write).collect();
    let outcomes = match commit(db, &writes, origin).await {
        Ok(results) => results.into_iter().map(Ok).collect(),
        Err(error) if batch.len() > 1 => {
            tracing::warn!(%error, size = batch.len(), "group commit failed; committing one by one");
            let mut outcomes = Vec::with_capacity(batch.len());
            for write in &writes {
                outcomes.push(commit(db, &[write], origin).await.map(|mut r| r.remove(0)).map_err(|e| e.to_string()));
            }
            outcomes
        }
        Err(error) => vec![Err(error.to_string())],
    };
    let mut published = Vec::new();
    {
        let mut model = model.write().unwrap_or_else(PoisonError::into_inner);
        for (job, outcome) in batch.iter().zip(&outcomes) {
            if let Ok(written) = outcome {
                apply(&mut model, &job.write, written, &mut published);
            }
        }
    }
    // Committed, applied, and in commit order (Decision 30).
    publish(db, origin, events, published).await;
    for (job, outcome) in batch.into_iter().zip(outcomes) {
        // A caller that gave up (client went away) still had its write committed.
        let _ = job.reply.send(outcome);
    }
}

/// Publishes committed events on this server's bus and, with a shared
/// database, forwards them to the other servers' hubs.
async fn publish(db: &Db, origin: &str, events: &EventBus, published: Vec<Published>) {
    if let Db::Postgres(pool) = db
        && !published.is_empty()
        && let Err(error) = super::sync::forward(pool, origin, &published).await
    {
        tracing::warn!(%error, "hub events could not be forwarded to the other servers");
    }
    events.publish(published);
}

async fn commit(db: &Db, writes: &[&Write], origin: &str) -> Result<Vec<Written>, sqlx::Error> {
    let shared = db.is_shared();
    let new_operators: usize =
        writes.iter().map(|write| if let Write::AddOperators(ops) = write { ops.len() } else { 0 }).sum();
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        // Every new operator of the batch goes in with one id reservation and
        // one multi-row INSERT per chunk, not a statement each.
        let mut reserved = if new_operators == 0 {
            Vec::new()
        } else if shared {
            sqlx::query_scalar::<_, i32>(
                "SELECT CAST(nextval(pg_get_serial_sequence('operators', 'id')) AS INTEGER) FROM generate_series(1, $1)",
            )
            .bind(new_operators as i32)
            .fetch_all(&mut *tx)
            .await?
        } else {
            // One process owns a SQLite file, and this writer is its only writer of operators.
            let last: i64 = sqlx::query_scalar(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'operators'), 0), \
                 COALESCE((SELECT MAX(id) FROM operators), 0))",
            )
            .fetch_one(&mut *tx)
            .await?;
            let first = i32::try_from(last + 1).map_err(|_| sqlx::Error::Protocol("operator ids exhausted".into()))?;
            (0..new_operators as i32).map(|offset| first + offset).collect()
        };
        reserved.sort_unstable();
        let mut reserved = reserved.into_iter();
        let mut rows: Vec<(i32, i32, &str)> = Vec::with_capacity(new_operators);
        let mut results = Vec::with_capacity(writes.len());
        for write in writes {
            results.push(match write {
                Write::AddOperators(operators) => {
                    let mut ids = Vec::with_capacity(operators.len());
                    for (organization, name) in operators {
                        let id = reserved.next().ok_or_else(|| sqlx::Error::Protocol("too few operator ids".into()))?;
                        rows.push((id, organization.0, name.as_str()));
                        ids.push(OperatorId(id));
                    }
                    Written::Operators(ids)
                }
                Write::Chat(_) | Write::Refresh(_) => {
                    return Err(sqlx::Error::Protocol("chat writes and refreshes run alone".into()));
                }
                Write::SetStatus { operator, status, at } => {
                    let deactivated = (!status.is_active()).then(|| at.timestamp_millis());
                    update_status!(tx, operator.0, status.to_i32(), deactivated)?;
                    Written::Status
                }
            });
        }
        for chunk in rows.chunks(INSERT_CHUNK) {
            let mut insert = sqlx::QueryBuilder::new("INSERT INTO operators (id, organization_id, name, status) ");
            insert.push_values(chunk, |mut row, (id, organization, name)| {
                row.push_bind(*id).push_bind(*organization).push_bind(*name).push_bind(0_i32);
            });
            insert.build().execute(&mut *tx).await?;
        }
        if shared {
            // Delivered to the other servers when (and only if) this commits.
            let mut touched: Vec<i32> = Vec::new();
            for (write, written) in writes.iter().zip(&results) {
                match (write, written) {
                    (_, Written::Operators(ids)) => touched.extend(ids.iter().map(|id| id.0)),
                    (Write::SetStatus { operator, .. }, _) => touched.push(operator.0),
                    _ => {}
                }
            }
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(super::sync::CHANNEL)
                .bind(super::sync::Change::payload(origin, touched))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(results)
    })
}

fn apply(model: &mut ReadModel, write: &Write, written: &Written, published: &mut Vec<Published>) {
    match (write, written) {
        (Write::AddOperators(operators), Written::Operators(ids)) => {
            for ((organization, name), id) in operators.iter().zip(ids) {
                model.put_operator(
                    *id,
                    OperatorRecord {
                        organization: *organization,
                        name: name.clone(),
                        status: OperatorStatus::Active,
                        last_deactivated_at: None,
                        photo: None,
                    },
                );
            }
        }
        (Write::SetStatus { operator, status, at }, Written::Status) => {
            model.set_status(*operator, *status, *at);
            if !status.is_active()
                && let Some(record) = model.operator(*operator)
                && let Some(company) = model.company_of_operator(*operator)
            {
                published.push(Published {
                    company,
                    organization: record.organization,
                    event: Event::OperatorDeactivated { operator: *operator },
                });
            }
        }
        _ => {}
    }
}
