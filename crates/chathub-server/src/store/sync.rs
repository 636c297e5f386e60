//! Keeping the read models of several servers on one Postgres database in
//! step (spec §6): every committed batch sends a notification naming the
//! operators it changed; every other server re-reads those rows. A listener
//! that lost its connection (and so may have missed notifications) reloads
//! everything.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use chathub_types::OperatorId;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPool};

use super::Db;
use super::model::ReadModel;

/// The notification channel.
pub const CHANNEL: &str = "chathub_changes";

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

/// Listens for other servers' changes until the pool closes.
pub(crate) async fn listen(db: Db, pool: PgPool, model: Arc<RwLock<ReadModel>>, origin: Arc<str>) {
    loop {
        if pool.is_closed() {
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
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever happened before this LISTEN may have been missed.
        reload(&db, &model).await;
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    let change: Option<Change> = serde_json::from_str(notification.payload()).ok();
                    match change {
                        Some(change) if *change.origin == *origin => {}
                        Some(Change { operators: Some(ids), .. }) => refresh_operators(&db, &model, &ids).await,
                        _ => reload(&db, &model).await,
                    }
                }
                Ok(None) => {
                    tracing::warn!("lost the notification connection; reloading");
                    reload(&db, &model).await;
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

async fn refresh_operators(db: &Db, model: &Arc<RwLock<ReadModel>>, ids: &[i32]) {
    match db.load_operators(ids).await {
        Ok(operators) => {
            let mut model = model.write().unwrap_or_else(PoisonError::into_inner);
            for (id, operator) in operators {
                model.put_operator(OperatorId(id), operator);
            }
        }
        Err(error) => {
            tracing::warn!(%error, "cannot read changed operators; reloading");
            reload(db, model).await;
        }
    }
}

async fn reload(db: &Db, model: &Arc<RwLock<ReadModel>>) {
    match db.load().await {
        Ok(mut fresh) => {
            let mut model = model.write().unwrap_or_else(PoisonError::into_inner);
            fresh.chats.public_url = std::mem::take(&mut model.chats.public_url);
            *model = fresh;
        }
        Err(error) => tracing::error!(%error, "cannot reload the read model"),
    }
}
