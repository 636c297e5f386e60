//! The bus of committed changes: the group-commit writer publishes each
//! write's events after its commit, in commit order (Decision 30); the hub
//! subscribes and delivers each to the connections that may see it.

use std::sync::Arc;

use chathub_types::chat::{Chat, ChatStatus, Message, MessageStatus};
use chathub_types::{ChatId, CompanyId, MessageId, OperatorId, OrganizationId};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::hub::broadcast::Outbound;

/// How many published events a slow subscriber may lag behind before it
/// misses some (it then sees `RecvError::Lagged`).
pub const CAPACITY: usize = 4096;

/// One committed change. Serializable, so servers sharing a database can
/// forward it to each other's hubs (docs/scaling.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// A chat was opened (its first message already counted).
    ChatCreated(Chat),
    /// A message without media was written.
    ReceiveMessage(Message),
    /// A message with media was written.
    ReceiveMediaMessage(Message),
    /// A chat's status changed.
    ChatStatusChanged {
        /// The chat.
        chat: ChatId,
        /// Its new status.
        status: ChatStatus,
    },
    /// A message's status changed.
    MessageStatusChanged {
        /// The message.
        message: MessageId,
        /// Its new status.
        status: MessageStatus,
    },
    /// An operator was made Inactive or Deleted: its tokens are revoked
    /// and its hub connections must close with "Token revoked" (Decision 28).
    OperatorDeactivated {
        /// The operator.
        operator: OperatorId,
    },
}

/// An event and who may see it: connections of the company, and operator
/// connections of the organization (Decisions 20, 30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The company it belongs to.
    pub company: CompanyId,
    /// The organization it belongs to.
    pub organization: OrganizationId,
    /// What happened.
    pub event: Event,
}

/// The sending side of the bus; cheap to clone.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Published>>,
    /// The same events for the hub's connections, each frame built once.
    hub: broadcast::Sender<Arc<Outbound>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus with room for [`CAPACITY`] events per subscriber.
    pub fn new() -> Self {
        Self { sender: broadcast::channel(CAPACITY).0, hub: broadcast::channel(CAPACITY).0 }
    }

    /// A receiver of every event published from now on, in order.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.sender.subscribe()
    }

    /// A receiver of every event published from now on, in order, as the
    /// hub's connections send it: the record's frame is built once per
    /// event and shared by every connection.
    pub fn subscribe_hub(&self) -> broadcast::Receiver<Arc<Outbound>> {
        self.hub.subscribe()
    }

    /// Sends events in order (nothing happens when nobody listens).
    pub fn publish(&self, events: impl IntoIterator<Item = Published>) {
        for event in events {
            let event = Arc::new(event);
            let _ = self.sender.send(Arc::clone(&event));
            let _ = self.hub.send(Arc::new(Outbound::new(event)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_see_events_in_order() {
        let bus = EventBus::new();
        let mut receiver = bus.subscribe();
        let clone = bus.clone();
        let event = |n| Published {
            company: CompanyId(1),
            organization: OrganizationId(2),
            event: Event::ChatStatusChanged { chat: ChatId(n), status: ChatStatus::Open },
        };
        clone.publish([event(1), event(2)]);
        assert_eq!(*receiver.recv().await.unwrap(), event(1));
        assert_eq!(*receiver.recv().await.unwrap(), event(2));
    }
}
