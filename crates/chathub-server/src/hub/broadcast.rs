//! Which committed events a connection gets (Decision 30): a company
//! credential sees its company's chats, an operator token its
//! organization's (Decision 20), so exactly the connections whose
//! credential could GET the chat. An operator's deactivation closes its
//! connections instead (Decision 28).

use std::sync::{Arc, OnceLock};

use axum::extract::ws::Utf8Bytes;
use chathub_types::hub::event::HubEvent;

use crate::auth::Principal;
use crate::events::{Event, Published};

/// A published event on its way to the hub's connections: its text frame
/// is built once, by the first connection that sends it, and shared.
#[derive(Debug)]
pub struct Outbound {
    /// The event.
    pub published: Arc<Published>,
    frame: OnceLock<Option<Utf8Bytes>>,
}

impl Outbound {
    /// `published`, its frame not built yet.
    pub fn new(published: Arc<Published>) -> Self {
        Self { published, frame: OnceLock::new() }
    }

    /// The event's record as a text frame; `None` for an event no client
    /// receives (a deactivation closes connections instead).
    pub fn frame(&self) -> Option<Utf8Bytes> {
        self.frame
            .get_or_init(|| hub_event(&self.published.event).map(|event| event.record().to_frame().into()))
            .clone()
    }
}

/// The hub event a client receives for `event`, if any.
fn hub_event(event: &Event) -> Option<HubEvent<'_>> {
    Some(match event {
        Event::ChatCreated(chat) => HubEvent::ChatCreated(chat),
        Event::ReceiveMessage(message) => HubEvent::ReceiveMessage(message),
        Event::ReceiveMediaMessage(message) => HubEvent::ReceiveMediaMessage(message),
        Event::ChatStatusChanged { chat, status } => HubEvent::ChatStatusChanged(*chat, *status),
        Event::MessageStatusChanged { message, status } => HubEvent::MessageStatusChanged(*message, *status),
        Event::OperatorDeactivated { .. } => return None,
    })
}

/// What a connection does with one published event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Not for this connection.
    Skip,
    /// Send the event's record ([`Outbound::frame`]).
    Send,
    /// The connection's operator was deactivated: close with "Token revoked".
    Revoked,
}

/// Whether `principal` may see what belongs to `published`'s company and organization.
pub fn visible(principal: Principal, published: &Published) -> bool {
    match principal {
        Principal::Company(company) => company == published.company,
        Principal::Operator { organization, company, .. } => {
            company == published.company && organization == published.organization
        }
    }
}

/// The delivery of `published` to a connection of `principal`.
pub fn delivery(principal: Principal, published: &Published) -> Delivery {
    if let Event::OperatorDeactivated { operator } = published.event {
        return match principal {
            Principal::Operator { id, .. } if id == operator => Delivery::Revoked,
            _ => Delivery::Skip,
        };
    }
    if !visible(principal, published) {
        return Delivery::Skip;
    }
    Delivery::Send
}

#[cfg(test)]
mod tests {
    use chathub_types::chat::ChatStatus;
    use chathub_types::{ChatId, CompanyId, OperatorId, OrganizationId};

    use super::*;

    fn published(company: i32, organization: i32, event: Event) -> Published {
        Published { company: CompanyId(company), organization: OrganizationId(organization), event }
    }

    #[test]
    fn company_sees_its_company_operator_its_organization() {
        let status = Event::ChatStatusChanged { chat: ChatId(5), status: ChatStatus::Open };
        let acme = Principal::Company(CompanyId(1));
        let john = Principal::Operator { id: OperatorId(7), organization: OrganizationId(24), company: CompanyId(1) };
        let in_24 = published(1, 24, status.clone());
        let in_42 = published(1, 42, status.clone());
        let globex = published(2, 77, status);
        assert!(matches!(delivery(acme, &in_24), Delivery::Send));
        assert!(matches!(delivery(acme, &in_42), Delivery::Send));
        assert_eq!(delivery(acme, &globex), Delivery::Skip);
        assert!(matches!(delivery(john, &in_24), Delivery::Send));
        assert_eq!(delivery(john, &in_42), Delivery::Skip);
        assert_eq!(delivery(john, &globex), Delivery::Skip);
    }

    #[test]
    fn the_shared_frame_is_the_event_record() {
        let status = published(1, 24, Event::ChatStatusChanged { chat: ChatId(5), status: ChatStatus::Open });
        let expected = HubEvent::ChatStatusChanged(ChatId(5), ChatStatus::Open).record().to_frame();
        let outbound = Outbound::new(Arc::new(status));
        assert_eq!(outbound.frame().as_deref(), Some(expected.as_str()));
        let gone = Outbound::new(Arc::new(published(1, 24, Event::OperatorDeactivated { operator: OperatorId(7) })));
        assert_eq!(gone.frame(), None);
    }

    #[test]
    fn deactivation_revokes_only_that_operator() {
        let john = Principal::Operator { id: OperatorId(7), organization: OrganizationId(24), company: CompanyId(1) };
        let emma = Principal::Operator { id: OperatorId(8), organization: OrganizationId(24), company: CompanyId(1) };
        let gone = published(1, 24, Event::OperatorDeactivated { operator: OperatorId(7) });
        assert_eq!(delivery(john, &gone), Delivery::Revoked);
        assert_eq!(delivery(emma, &gone), Delivery::Skip);
        assert_eq!(delivery(Principal::Company(CompanyId(1)), &gone), Delivery::Skip);
    }
}
