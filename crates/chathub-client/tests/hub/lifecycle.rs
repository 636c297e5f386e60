//! Closing, revocation, reconnecting (server restart, token expiry, a
//! silent server) and keep-alive.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chathub_client::hub::{CloseCause, HubEvent, ReconnectPolicy};
use chathub_client::types::OrganizationId;
use chathub_client::{Error, OperatorStatus};
use chathub_server::hub::HubSettings;
use chathub_server::testing::TestServer;

use crate::support::*;

/// A quick policy for tests: every 50 ms, at most 200 attempts.
fn quick() -> ReconnectPolicy {
    ReconnectPolicy::delays(std::iter::repeat_n(Duration::from_millis(50), 200))
}

#[tokio::test]
async fn revocation_closes_for_good_without_reconnecting() {
    let server = server().await;
    let acme = acme(&server);
    let john = operator_id(&acme, 24, "John Smith").await;
    let calls = Arc::new(AtomicUsize::new(0));
    let (issuer, counter) = (acme.clone(), Arc::clone(&calls));
    let mut hub = acme
        .hub()
        .operator_token_source(move || {
            let (issuer, counter) = (issuer.clone(), Arc::clone(&counter));
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(issuer.operators().issue_token(john, Duration::from_secs(600)).await?.token)
            }
        })
        .reconnect(quick())
        .connect()
        .await
        .unwrap();
    let spare = acme.operators().issue_token(john, Duration::from_secs(600)).await.unwrap().token;
    acme.operators().set_status(john, OperatorStatus::Inactive).await.unwrap();
    assert_eq!(next(&mut hub).await, HubEvent::closed(Some("Token revoked".to_owned()), CloseCause::Revoked));
    assert_eq!(tokio::time::timeout(WAIT, hub.next_event()).await.unwrap(), None);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "no reconnect after a revocation");
    let error = hub.send_message(1, "anyone?").await.unwrap_err();
    assert!(matches!(error, Error::HubConnection { .. }), "{error:?}");
    // Connecting again with a token issued before is refused: 403.
    let error = acme.hub().operator_token(spare).connect().await.unwrap_err();
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
}

#[tokio::test]
async fn a_server_restart_reconnects_and_events_flow_again() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("chathub.db").display());
    let first = TestServer::start_with(config(dir.path(), database.clone())).await.unwrap();
    let address = first.address();
    let acme = acme(&first);
    let mut hub = acme.hub().reconnect(quick()).connect().await.unwrap();
    customer_message(&acme, 24, "380501234567", "Before").await;
    assert!(matches!(next(&mut hub).await, HubEvent::ChatCreated { .. }));
    assert!(matches!(next(&mut hub).await, HubEvent::MessageReceived { .. }));

    first.stop().await;
    let HubEvent::Reconnecting { attempt: 1, reason, .. } = next(&mut hub).await else { panic!("Reconnecting 1") };
    assert_eq!(reason, "the server closed the connection");

    let second = TestServer::start_with(chathub_server::Config { listen: address, ..config(dir.path(), database) })
        .await
        .unwrap();
    until(&mut hub, |event| match event {
        HubEvent::Reconnected => Some(()),
        HubEvent::Reconnecting { .. } => None,
        other => panic!("only reconnect events until Reconnected, got {other:?}"),
    })
    .await;
    let sent = customer_message(&crate::support::acme(&second), 24, "380507654321", "After").await;
    let HubEvent::ChatCreated { chat, .. } = next(&mut hub).await else { panic!("ChatCreated after the restart") };
    assert_eq!(chat.id, sent.chat.id);
    let HubEvent::MessageReceived { message, .. } = next(&mut hub).await else { panic!("MessageReceived") };
    assert_eq!(message.message.as_deref(), Some("After"));
    hub.close().await.unwrap();
    second.stop().await;
}

#[tokio::test]
async fn an_expired_operator_token_is_replaced_from_the_source() {
    let server = server().await;
    let acme = acme(&server);
    let john = operator_id(&acme, 24, "John Smith").await;
    let calls = Arc::new(AtomicUsize::new(0));
    let (issuer, counter) = (acme.clone(), Arc::clone(&calls));
    let mut hub = acme
        .hub()
        .operator_token_source(move || {
            let (issuer, counter) = (issuer.clone(), Arc::clone(&counter));
            async move {
                // The first token lives two seconds (exp is whole seconds); the next ones ten minutes.
                let lifetime = if counter.fetch_add(1, Ordering::SeqCst) == 0 { 2 } else { 600 };
                Ok(issuer.operators().issue_token(john, Duration::from_secs(lifetime)).await?.token)
            }
        })
        .reconnect(quick())
        .connect()
        .await
        .unwrap();
    let HubEvent::Reconnecting { attempt: 1, reason, .. } = next(&mut hub).await else { panic!("Reconnecting") };
    assert_eq!(reason, "Token expired");
    assert_eq!(next(&mut hub).await, HubEvent::Reconnected);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the source gave a fresh token for the reconnect");
    customer_message(&acme, 24, "380501234567", "Hi").await;
    let HubEvent::ChatCreated { chat, .. } = next(&mut hub).await else { panic!("events flow again") };
    assert_eq!(chat.organization_id, OrganizationId(24));
}

#[tokio::test]
async fn a_silent_server_counts_as_lost() {
    let server = server().await;
    // The server pings rarely; the client expects something every 300 ms.
    let settings = HubSettings { keep_alive_interval: Duration::from_secs(60), ..HubSettings::default() };
    server.state().hub.set_settings(settings);
    let acme = acme(&server);
    let mut hub = acme
        .hub()
        .keep_alive_interval(Duration::from_millis(100))
        .server_timeout(Duration::from_millis(300))
        .reconnect(quick())
        .connect()
        .await
        .unwrap();
    let HubEvent::Reconnecting { attempt: 1, reason, .. } = next(&mut hub).await else { panic!("Reconnecting") };
    assert_eq!(reason, "nothing from the server within 0.3s");
    assert_eq!(next(&mut hub).await, HubEvent::Reconnected);
    hub.close().await.unwrap();
}

#[tokio::test]
async fn client_pings_keep_a_quiet_connection_open() {
    let server = server().await;
    // The server closes connections quiet for 2 s and never pings first; the
    // client pings every 100 ms, so only a 2 s stall of the test could break it.
    let settings = HubSettings {
        keep_alive_interval: Duration::from_secs(60),
        client_timeout: Duration::from_secs(2),
        ..HubSettings::default()
    };
    server.state().hub.set_settings(settings);
    let acme = acme(&server);
    let mut hub = acme
        .hub()
        .keep_alive_interval(Duration::from_millis(100))
        .server_timeout(Duration::from_secs(60))
        .reconnect(ReconnectPolicy::never())
        .connect()
        .await
        .unwrap();
    // Quiet for two and a half of the server's timeouts: what is measured is time.
    tokio::time::sleep(Duration::from_secs(5)).await;
    customer_message(&acme, 24, "380501234567", "Still there?").await;
    assert!(matches!(next(&mut hub).await, HubEvent::ChatCreated { .. }), "no reconnect, no close");
}

#[tokio::test]
async fn giving_up_closes_with_the_last_reason() {
    let server = server().await;
    let acme = acme(&server);
    let mut hub = acme.hub().reconnect(ReconnectPolicy::delays([Duration::ZERO])).connect().await.unwrap();
    server.stop().await;
    assert!(matches!(next(&mut hub).await, HubEvent::Reconnecting { attempt: 1, .. }));
    let HubEvent::Closed { reason: Some(reason), cause, .. } = next(&mut hub).await else { panic!("Closed") };
    assert_eq!(cause, CloseCause::GaveUp);
    assert!(!cause.is_credential_refused());
    assert!(reason.contains("could not talk to the ChatHub server"), "{reason}");
    assert_eq!(tokio::time::timeout(WAIT, hub.next_event()).await.unwrap(), None);
}

#[tokio::test]
async fn close_and_drop_end_the_server_side_connection() {
    let server = server().await;
    let acme = acme(&server);
    let hub = acme.hub().connect().await.unwrap();
    assert_eq!(server.state().hub.registry().connected(), 1);
    hub.close().await.unwrap();
    wait_for_no_connection(&server).await;

    let hub = acme.hub().connect().await.unwrap();
    assert_eq!(server.state().hub.registry().connected(), 1);
    drop(hub);
    wait_for_no_connection(&server).await;
}

#[tokio::test]
async fn a_bad_credential_fails_the_first_connect() {
    let server = server().await;
    let bad = chathub_client::Client::builder().base_url(server.base_url()).api_key("nope").build().unwrap();
    let error = bad.hub().connect().await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    let api_key = chathub_client::Client::builder().base_url(server.base_url()).api_key(ACME_API_KEY).build().unwrap();
    api_key.hub().connect().await.unwrap().close().await.unwrap();
}

/// The server forgets a connection once its task ends; checked every 10 ms.
async fn wait_for_no_connection(server: &TestServer) {
    tokio::time::timeout(WAIT, async {
        while server.state().hub.registry().connected() != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the server closed the connection");
}
