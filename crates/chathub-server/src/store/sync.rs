//! Keeping the read models of several servers on one Postgres database in
//! step (spec §6): every committed batch sends a notification naming the
//! operators it changed; every other server re-reads those rows. A listener
//! that lost its connection (and so may have missed notifications) reloads
//! everything.

use std::sync::{Arc, PoisonError, RwLock};

use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

use chathub_types::OperatorId;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPool};

use super::Db;
use super::model::ReadModel;
use super::writer::{Job, Write};
use crate::events::{Event, EventBus, Published};
use chrono::{DateTime, Utc};

/// The notification channel.
pub const CHANNEL: &str = "chathub_changes";

/// The channel on which committed hub events go to the other servers.
pub const EVENTS_CHANNEL: &str = "chathub_events";

/// Largest notification payload sent as it is; larger events go through
/// `hub_event_payloads` and the notification names their row.
const MAX_PAYLOAD: usize = 7_000;

/// A forwarded hub event: inline, or the row holding it.
#[derive(Debug, Serialize, Deserialize)]
struct Forwarded {
    origin: String,
    #[serde(default)]
    event: Option<Published>,
    #[serde(default)]
    row: Option<i64>,
}

/// Sends this server's committed hub events to the servers sharing the
/// database, after the commit and in commit order. Deactivations are not
/// sent: the other servers derive them from the refreshed rows.
pub(crate) async fn forward(pool: &PgPool, origin: &str, events: &[Published]) -> Result<(), sqlx::Error> {
    for published in events {
        if matches!(published.event, Event::OperatorDeactivated { .. }) {
            continue;
        }
        let inline =
            serde_json::to_string(&Forwarded { origin: origin.to_owned(), event: Some(published.clone()), row: None })
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        let payload = if inline.len() <= MAX_PAYLOAD {
            inline
        } else {
            let body = serde_json::to_string(published).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            let row: i64 =
                sqlx::query_scalar("INSERT INTO hub_event_payloads (payload, created_ms) VALUES ($1, $2) RETURNING id")
                    .bind(body)
                    .bind(Utc::now().timestamp_millis())
                    .fetch_one(pool)
                    .await?;
            // Rows are read within milliseconds of their notification; ten minutes is plenty.
            sqlx::query("DELETE FROM hub_event_payloads WHERE created_ms < $1")
                .bind(Utc::now().timestamp_millis() - 10 * 60 * 1000)
                .execute(pool)
                .await?;
            serde_json::to_string(&Forwarded { origin: origin.to_owned(), event: None, row: Some(row) })
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))?
        };
        sqlx::query("SELECT pg_notify($1, $2)").bind(EVENTS_CHANNEL).bind(payload).execute(pool).await?;
    }
    Ok(())
}

/// Publishes another server's forwarded event on this server's bus.
async fn receive_forwarded(pool: &PgPool, payload: &str, origin: &str, events: &EventBus) {
    let Ok(forwarded) = serde_json::from_str::<Forwarded>(payload) else {
        tracing::warn!("an unreadable forwarded hub event was dropped");
        return;
    };
    if forwarded.origin == origin {
        return;
    }
    let published = match (forwarded.event, forwarded.row) {
        (Some(published), _) => Some(published),
        (None, Some(row)) => sqlx::query_scalar::<_, String>("SELECT payload FROM hub_event_payloads WHERE id = $1")
            .bind(row)
            .fetch_optional(pool)
            .await
            .ok()
            .flatten()
            .and_then(|text| serde_json::from_str(&text).ok()),
        (None, None) => None,
    };
    match published {
        Some(published) => events.publish([published]),
        None => tracing::warn!("a forwarded hub event could not be read"),
    }
}

/// Most ids named in one notification (Postgres payloads stop at 8000 bytes).
const MAX_IDS: usize = 500;

/// What one committed batch changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The server that committed it (it has already applied it).
    pub origin: String,
    /// Operators added or changed; `None` means "reload everything".
    pub operators: Option<Vec<i32>>,
}

impl Change {
    /// The payload for a batch that touched `operators`.
    pub fn payload(origin: &str, operators: Vec<i32>) -> String {
        let operators = (operators.len() <= MAX_IDS).then_some(operators);
        serde_json::to_string(&Change { origin: origin.to_owned(), operators }).unwrap_or_default()
    }

    /// The payload for a batch every other server must reload after (chats).
    pub fn reload_payload(origin: &str) -> String {
        serde_json::to_string(&Change { origin: origin.to_owned(), operators: None }).unwrap_or_default()
    }
}

/// Listens for other servers' changes until the pool closes, handing each
/// refresh to the writer's queue: it runs there in order with this server's
/// own writes, so a snapshot read before one of them is never applied after.
/// The queue is held weakly: the writer stops when the store is dropped.
pub(crate) async fn listen(pool: PgPool, queue: mpsc::WeakSender<Job>, origin: Arc<str>, events: EventBus) {
    let refresh = |ids: Option<Vec<i32>>| {
        let queue = queue.upgrade();
        async move {
            let (reply, answer) = oneshot::channel();
            let Some(queue) = queue else { return };
            if queue.send(Job { write: Write::Refresh(ids), reply }).await.is_ok()
                && let Ok(Err(error)) = answer.await
            {
                tracing::error!(%error, "cannot refresh the read model");
            }
        }
    };
    loop {
        if pool.is_closed() || queue.strong_count() == 0 {
            return;
        }
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for other servers' changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen_all([CHANNEL, EVENTS_CHANNEL]).await {
            tracing::warn!(%error, "LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever happened before this LISTEN may have been missed.
        refresh(None).await;
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) if notification.channel() == EVENTS_CHANNEL => {
                    // The data notification of the same commit came first, and
                    // its refresh has run: the hub sees the chat it names.
                    receive_forwarded(&pool, notification.payload(), &origin, &events).await;
                }
                Ok(Some(notification)) => {
                    let change: Option<Change> = serde_json::from_str(notification.payload()).ok();
                    match change {
                        Some(change) if *change.origin == *origin => {}
                        Some(Change { operators: Some(ids), .. }) => refresh(Some(ids)).await,
                        _ => refresh(None).await,
                    }
                }
                Ok(None) => {
                    tracing::warn!("lost the notification connection; reloading");
                    refresh(None).await;
                }
                Err(error) => {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(%error, "notification listener failed; reconnecting");
                    break;
                }
            }
        }
    }
}

/// Re-reads the named operators (or everything) into the model. Called by
/// the writer, in queue order. Answers a deactivation event for every
/// operator another server deactivated since this model last saw it.
pub(crate) async fn refresh(
    db: &Db,
    model: &RwLock<ReadModel>,
    ids: Option<&[i32]>,
) -> Result<Vec<Published>, sqlx::Error> {
    let mut deactivated = Vec::new();
    let mut note = |model: &ReadModel, id: OperatorId, before: Option<DateTime<Utc>>| {
        if let Some(record) = model.operator(id)
            && record.last_deactivated_at.is_some_and(|at| before.is_none_or(|before| at > before))
            && let Some(company) = model.company_of_operator(id)
        {
            deactivated.push(Published {
                company,
                organization: record.organization,
                event: Event::OperatorDeactivated { operator: id },
            });
        }
    };
    match ids {
        Some(ids) => {
            let operators = db.load_operators(ids).await?;
            let mut model = model.write().unwrap_or_else(PoisonError::into_inner);
            for (id, operator) in operators {
                let id = OperatorId(id);
                let before = model.operator(id).and_then(|op| op.last_deactivated_at);
                model.put_operator(id, operator);
                note(&model, id, before);
            }
        }
        None => {
            let mut fresh = db.load().await?;
            let mut model = model.write().unwrap_or_else(PoisonError::into_inner);
            fresh.chats.public_url = std::mem::take(&mut model.chats.public_url);
            let before: Vec<(OperatorId, Option<DateTime<Utc>>)> =
                fresh.operator_ids().map(|id| (id, model.operator(id).and_then(|op| op.last_deactivated_at))).collect();
            *model = fresh;
            for (id, before) in before {
                note(&model, id, before);
            }
        }
    }
    Ok(deactivated)
}
