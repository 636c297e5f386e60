//! Events and invocations on an open connection.

use std::time::Duration;

use base64::Engine as _;
use chathub_client::hub::{CloseCause, HubEvent};
use chathub_client::types::OrganizationId;
use chathub_client::types::chat::{Author, ChatStatus, MediaType, MessageStatus, NewMedia};
use chathub_client::{Client, Error};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_customer_message_reaches_the_company_and_its_operators_only() {
    let server = server().await;
    let acme = acme(&server);
    let john = operator_id(&acme, 24, "John Smith").await;
    let mut company = acme.hub().connect().await.unwrap();
    let issuer = acme.clone();
    let mut operator = acme
        .hub()
        .operator_token_source(move || {
            let issuer = issuer.clone();
            async move { Ok(issuer.operators().issue_token(john, Duration::from_secs(600)).await?.token) }
        })
        .connect()
        .await
        .unwrap();
    let mut other_company = globex(&server).hub().connect().await.unwrap();

    let sent = customer_message(&acme, 24, "380501234567", "Where is my parcel?").await;
    let chat_id = sent.chat.id;
    let message_id = sent.message.id;

    for hub in [&mut company, &mut operator] {
        let HubEvent::ChatCreated { chat, .. } = next(hub).await else { panic!("ChatCreated first") };
        assert_eq!((chat.id, chat.organization_id, chat.count_unread), (chat_id, OrganizationId(24), 1));
        assert_eq!(chat.client.name.as_deref(), Some("Olena"));
        let HubEvent::MessageReceived { message, .. } = next(hub).await else { panic!("then MessageReceived") };
        assert_eq!((message.id, message.chat_id, message.author), (message_id, chat_id, Author::Client));
        assert_eq!(message.message.as_deref(), Some("Where is my parcel?"));
    }

    // Events come in commit order: globex's first event is its own chat, not acme's.
    customer_message(&globex(&server), 77, "380661112233", "Hello").await;
    let HubEvent::ChatCreated { chat, .. } = next(&mut other_company).await else { panic!("globex's ChatCreated") };
    assert_eq!(chat.organization_id, OrganizationId(77));
    company.close().await.unwrap();
    operator.close().await.unwrap();
    other_company.close().await.unwrap();
}

#[tokio::test]
async fn send_message_completes_and_the_other_connection_sees_it() {
    let server = server().await;
    let acme = acme(&server);
    let john = operator_id(&acme, 24, "John Smith").await;
    let token = acme.operators().issue_token(john, Duration::from_secs(600)).await.unwrap().token;
    let operator = acme.hub().operator_token(token).connect().await.unwrap();
    let mut company = acme.hub().connect().await.unwrap();
    let sent = customer_message(&acme, 24, "380501234567", "Hi").await;
    let chat_id = sent.chat.id;
    let client_message = sent.message.id;

    let reply = operator.send_message(chat_id, "Your parcel is on its way").await.unwrap();
    assert_eq!((reply.chat_id, reply.author, reply.operator_id), (chat_id, Author::Operator, Some(john)));
    assert_eq!(reply.message.as_deref(), Some("Your parcel is on its way"));
    assert_eq!(reply.status, MessageStatus::Success);

    // The reply marks the client's message Read, then its own event follows.
    let read = until(&mut company, |event| match event {
        HubEvent::MessageStatusChanged { message_id, status, .. } => Some((message_id, status)),
        _ => None,
    })
    .await;
    assert_eq!(read, (client_message, MessageStatus::Read));
    let seen = until(&mut company, |event| match event {
        HubEvent::MessageReceived { message, .. } if message.author == Author::Operator => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(seen, reply);
}

#[tokio::test]
async fn refusals_carry_the_servers_text_and_the_connection_stays() {
    let server = server().await;
    let acme = acme(&server);
    let hub = acme.hub().connect().await.unwrap();
    let error = hub.send_message(999_999, "Hi").await.unwrap_err();
    let Error::Hub { message } = &error else { panic!("Error::Hub, got {error:?}") };
    assert!(message.ends_with("HubException: Chat not found"), "{message}");
    assert_eq!(
        error.to_string(),
        "hub: An unexpected error occurred invoking 'SendMessage' on the server. HubException: Chat not found"
    );
    let sent = customer_message(&acme, 24, "380501234567", "Hi").await;
    let chat_id = sent.chat.id;
    // Blank text is refused before sending (as REST); the server would say "Message is empty".
    let error = hub.send_message(chat_id, "   ").await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    // Still connected: a good call completes.
    assert!(hub.send_message(chat_id, "Still here").await.is_ok());
    hub.close().await.unwrap();
}

#[tokio::test]
async fn send_media_completes_with_the_media() {
    let server = server().await;
    let acme = acme(&server);
    let hub = acme.hub().connect().await.unwrap();
    let mut watcher = acme.hub().connect().await.unwrap();
    let sent = customer_message(&acme, 24, "380501234567", "Hi").await;
    let chat_id = sent.chat.id;
    let data = base64::engine::general_purpose::STANDARD.encode(b"tracking: 123");
    let media = NewMedia::new("tracking.txt", "txt", data, MediaType::File);
    let message = hub.send_media(chat_id, media).await.unwrap();
    let stored = message.media.clone().expect("media");
    assert_eq!((stored.name.as_str(), stored.format.as_str()), ("tracking.txt", "text/plain"));
    assert_eq!(message.message, None);
    let bytes = reqwest::get(&stored.uri).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"tracking: 123");

    let seen = until(&mut watcher, |event| match event {
        HubEvent::MessageReceived { message, .. } if message.media.is_some() => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(seen, message);

    let bad = NewMedia::new("x.html", "text/html", "AA==", MediaType::File);
    let error = hub.send_media(chat_id, bad).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "refused before sending: {error:?}");
}

#[tokio::test]
async fn status_changes_arrive() {
    let server = server().await;
    let acme: Client = acme(&server);
    let mut hub = acme.hub().connect().await.unwrap();
    let sent = customer_message(&acme, 24, "380501234567", "Hi").await;
    let chat_id = sent.chat.id;
    let message_id = sent.message.id;
    assert!(matches!(next(&mut hub).await, HubEvent::ChatCreated { .. }));
    assert!(matches!(next(&mut hub).await, HubEvent::MessageReceived { .. }));

    acme.chats().set_status(chat_id, ChatStatus::Waiting).await.unwrap();
    assert_eq!(next(&mut hub).await, HubEvent::chat_status_changed(chat_id, ChatStatus::Waiting));

    acme.simulator().message_status(message_id, MessageStatus::Read).await.unwrap();
    assert_eq!(next(&mut hub).await, HubEvent::message_status_changed(message_id, MessageStatus::Read));

    let as_json = serde_json::to_value(HubEvent::chat_status_changed(chat_id, ChatStatus::Closed)).unwrap();
    assert_eq!(as_json, json!({"event": "ChatStatusChanged", "chatId": chat_id, "status": 4}));
    let closed = HubEvent::closed(Some("Token revoked".to_owned()), CloseCause::Revoked);
    let as_json = serde_json::to_value(closed).unwrap();
    assert_eq!(as_json, json!({"event": "Closed", "reason": "Token revoked", "cause": "revoked"}));
    let refused = serde_json::to_value(HubEvent::closed(None, CloseCause::CredentialRefused)).unwrap();
    assert_eq!(refused, json!({"event": "Closed", "reason": null, "cause": "credentialRefused"}));
}
