//! Chats end to end against a real chathub-server started with
//! `--simulator`: simulated customers open chats, the client lists,
//! reads, replies (text and media), sets statuses and deletes.

use std::time::Duration;

use chathub_client::types::chat::list_chats::{DateFilter, Query};
use chathub_client::types::chat::send_message::Request;
use chathub_client::types::simulator::customer_message::{self, SimulatedClient};
use chathub_client::{
    Author, ChatId, ChatStatus, Client, Error, MediaType, MessageSource, MessageStatus, NewMedia, OperatorId,
    OrganizationId, media_from_file,
};
use chathub_server::Config;
use chathub_server::testing::{DEFAULT_SEED, TestServer, test_config};
use chrono::{TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

const CUSTOMER_SUPPORT: OrganizationId = OrganizationId(24);
const TECHNICAL_SUPPORT: OrganizationId = OrganizationId(42);

/// A server with the default seed and the simulator on.
async fn server() -> TestServer {
    let config = Config { simulator: true, ..test_config().await.expect("a database") };
    TestServer::start_seeded(DEFAULT_SEED, config).await.expect("the test server starts")
}

fn acme(server: &TestServer) -> Client {
    Client::builder().base_url(server.base_url()).credentials("acme", "acme-pass-1").build().expect("client")
}

fn globex(server: &TestServer) -> Client {
    Client::builder().base_url(server.base_url()).api_key("globex-static-api-key-0001").build().expect("client")
}

fn olena() -> SimulatedClient {
    SimulatedClient::phone("+380 50 123 45 67").with_name("Olena Kovalenko")
}

/// Olena writes `text` to Customer Support through the Telegram bot.
fn from_olena(text: &str) -> customer_message::Request {
    customer_message::Request::text(CUSTOMER_SUPPORT, MessageSource::TelegramBot, olena(), text)
        .with_theme("Parcel #491")
}

/// A client signed in as the operator named `name` of `organization`, by operator token.
async fn operator_client(
    server: &TestServer,
    company: &Client,
    organization: OrganizationId,
    name: &str,
) -> (OperatorId, Client) {
    let operators = company.operators().list(organization).await.expect("operators");
    let id = operators.iter().find(|o| o.name == name).expect("seeded operator").id;
    let issued = company.operators().issue_token(id, Duration::from_secs(600)).await.expect("issued");
    let client = Client::builder().base_url(server.base_url()).token(issued.token.expose()).build().expect("client");
    (id, client)
}

#[tokio::test]
async fn a_customer_message_opens_a_chat_and_the_next_one_joins_it() {
    let server = server().await;
    let client = acme(&server);
    let first = client.simulator().customer_message(&from_olena("Where is my parcel?")).await.expect("written");
    assert!(first.created);
    assert_eq!(first.chat.chat_status, ChatStatus::New);
    assert_eq!(first.chat.client.phone.as_deref(), Some("380501234567"), "stored as digits");
    assert_eq!(first.chat.theme.as_deref(), Some("Parcel #491"));
    assert_eq!((first.message.author, first.message.status), (Author::Client, MessageStatus::New));
    let second = client.simulator().customer_message(&from_olena("Hello?")).await.expect("written");
    assert!(!second.created);
    assert_eq!(second.chat.id, first.chat.id);

    let chat = client.chats().get(first.chat.id).await.expect("chat");
    assert_eq!((chat.count_unread, chat.mess_source), (2, MessageSource::TelegramBot));
    let messages = client.chats().messages(chat.id).await.expect("messages");
    let texts: Vec<_> = messages.iter().map(|m| m.message.as_deref()).collect();
    assert_eq!(texts, [Some("Where is my parcel?"), Some("Hello?")], "oldest first");
    assert_eq!(messages[0], first.message);
}

#[tokio::test]
async fn the_list_filters_by_search_phone_date_status_source_organization_and_pages() {
    let server = server().await;
    let client = acme(&server);
    let today = Utc::now().date_naive();
    let simulate = |request: customer_message::Request| {
        let client = client.clone();
        async move { client.simulator().customer_message(&request).await.expect("written").chat.id }
    };
    let parcel = simulate(from_olena("Hi")).await;
    let refund = simulate(
        customer_message::Request::text(
            TECHNICAL_SUPPORT,
            MessageSource::Viber,
            SimulatedClient::telegram(777).with_name("Petro"),
            "Refund please",
        )
        .with_theme("Повернення коштів"),
    )
    .await;
    let widget = simulate(customer_message::Request::text(
        CUSTOMER_SUPPORT,
        MessageSource::Widget,
        SimulatedClient::phone("380671112233"),
        "Hello from the site",
    ))
    .await;
    globex(&server)
        .simulator()
        .customer_message(&customer_message::Request::text(
            77,
            MessageSource::TelegramBot,
            olena(),
            "Another company's chat with the same phone",
        ))
        .await
        .expect("written");
    client.chats().set_status(refund, ChatStatus::Open).await.expect("status");

    let ids = |query: Query| {
        let client = client.clone();
        async move {
            let page = client.chats().list(&query).await.expect("listed");
            (page.total, page.items.iter().map(|chat| chat.id).collect::<Vec<ChatId>>())
        }
    };
    assert_eq!(ids(Query::new()).await, (3, vec![widget, refund, parcel]), "newest first, acme's only");
    assert_eq!(ids(Query::new().search("OLENA")).await, (1, vec![parcel]));
    assert_eq!(ids(Query::new().search("ПОВЕРНЕННЯ")).await, (1, vec![refund]), "Unicode case folding");
    assert_eq!(ids(Query::new().search("0671112")).await, (1, vec![widget]), "phone substring");
    assert_eq!(ids(Query::new().phone("+380 (50) 123-45-67")).await, (1, vec![parcel]));
    assert_eq!(ids(Query::new().tg_user_id(777)).await, (1, vec![refund]));
    assert_eq!(ids(Query::new().status(ChatStatus::Open)).await, (1, vec![refund]));
    assert_eq!(ids(Query::new().status(ChatStatus::New)).await, (2, vec![widget, parcel]));
    assert_eq!(ids(Query::new().source(MessageSource::Widget)).await, (1, vec![widget]));
    assert_eq!(ids(Query::new().organization(TECHNICAL_SUPPORT)).await, (1, vec![refund]));
    assert_eq!(
        ids(Query::new().organization(CUSTOMER_SUPPORT).source(MessageSource::TelegramBot)).await,
        (1, vec![parcel]),
        "filters AND"
    );
    let tomorrow = today + TimeDelta::days(1);
    assert_eq!(ids(Query::new().date(DateFilter::days(today, tomorrow))).await.0, 3, "two days");
    assert_eq!(ids(Query::new().date(DateFilter::day(today))).await.0, 3);
    let before = today - TimeDelta::days(2);
    assert_eq!(ids(Query::new().date(DateFilter::days(before, today - TimeDelta::days(1)))).await.0, 0);
    assert_eq!(ids(Query::new().per_page(2).page(2)).await, (3, vec![parcel]), "the second page");
    assert_eq!(ids(Query::new().per_page(2).page(3)).await, (3, vec![]), "past the end");
}

#[tokio::test]
async fn replies_with_text_and_media_read_back_and_the_media_is_served() {
    let server = server().await;
    let client = acme(&server);
    let chat = client.simulator().customer_message(&from_olena("Send me the receipt")).await.expect("written").chat.id;
    let text = client.chats().send_text(chat, "Здравствуйте! 👋").await.expect("sent");
    assert_eq!((text.author, text.status), (Author::Operator, MessageStatus::Success));
    assert_eq!((text.message.as_deref(), text.operator_id), (Some("Здравствуйте! 👋"), None));

    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n".iter().copied().chain((0..=255u8).cycle().take(10_000)).collect();
    let photo = NewMedia::from_bytes("photo of parcel.png", "png", MediaType::Photo, &png);
    let with_photo = client.chats().send(chat, Request::media(photo).with_text("Your parcel")).await.expect("sent");
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf_path = dir.path().join("receipt.pdf");
    std::fs::write(&pdf_path, b"%PDF-1.4 receipt").expect("written");
    let pdf = media_from_file(&pdf_path).await.expect("read");
    let with_pdf = client.chats().send(chat, Request::media(pdf)).await.expect("sent");
    assert_eq!(with_pdf.message, None, "media without text");

    let http = reqwest::Client::new();
    for (message, bytes, format, media_type) in [
        (&with_photo, png.as_slice(), "image/png", MediaType::Photo),
        (&with_pdf, b"%PDF-1.4 receipt".as_slice(), "application/pdf", MediaType::File),
    ] {
        let media = message.media.as_ref().expect("media");
        assert_eq!((media.format.as_str(), media.media_type), (format, media_type));
        assert!(media.uri.starts_with(server.base_url()), "{}", media.uri);
        let response = http.get(&media.uri).send().await.expect("fetched without a credential");
        assert_eq!(response.status(), 200);
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(content_type.as_deref(), Some(format));
        assert_eq!(response.bytes().await.expect("body").as_ref(), bytes);
    }
    let media = with_photo.media.as_ref().expect("media");
    assert_eq!(media.name, "photo of parcel.png");

    let messages = client.chats().messages(chat).await.expect("messages");
    assert_eq!(messages.len(), 4);
    assert_eq!(&messages[1..], [text, with_photo, with_pdf], "as the send answers, oldest first");
}

#[tokio::test]
async fn a_reply_marks_the_clients_messages_read() {
    let server = server().await;
    let client = acme(&server);
    let chat = client.simulator().customer_message(&from_olena("One")).await.expect("written").chat.id;
    client.simulator().customer_message(&from_olena("Two")).await.expect("written");
    assert_eq!(client.chats().get(chat).await.expect("chat").count_unread, 2);
    client.chats().send_text(chat, "Reading you").await.expect("sent");
    let statuses: Vec<(Author, MessageStatus)> =
        client.chats().messages(chat).await.expect("messages").iter().map(|m| (m.author, m.status)).collect();
    assert_eq!(
        statuses,
        [
            (Author::Client, MessageStatus::Read),
            (Author::Client, MessageStatus::Read),
            (Author::Operator, MessageStatus::Success)
        ]
    );
    let listed = client.chats().list(&Query::new()).await.expect("listed");
    assert_eq!(listed.items[0].count_unread, 0);
    assert_eq!(listed.items[0].operator, None, "a company credential's reply does not assign");
}

#[tokio::test]
async fn a_closed_chat_refuses_replies_until_it_reopens() {
    let server = server().await;
    let client = acme(&server);
    let chat = client.simulator().customer_message(&from_olena("Bye")).await.expect("written").chat.id;
    client.chats().set_status(chat, ChatStatus::Closed).await.expect("closed");
    client.chats().set_status(chat, ChatStatus::Closed).await.expect("the same status again");
    assert_eq!(client.chats().get(chat).await.expect("chat").chat_status, ChatStatus::Closed);
    let error = client.chats().send_text(chat, "Anything else?").await.expect_err("closed");
    assert!(matches!(error, Error::Api { status, .. } if status == 400), "{error:?}");
    let message = error.server_message().expect("the server's message");
    assert!(message.to_lowercase().contains("closed"), "{message}");
    assert!(error.problem().and_then(|p| p.errors.as_ref()).is_some_and(|e| e.contains_key("chatId")), "{error:?}");
    client.chats().set_status(chat, ChatStatus::Open).await.expect("reopened");
    client.chats().send_text(chat, "Anything else?").await.expect("sent once open");
    let error = client.chats().set_status(987_654, ChatStatus::Open).await.expect_err("unknown");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn delete_then_every_path_is_not_found() {
    let server = server().await;
    let client = acme(&server);
    let chat = client.simulator().customer_message(&from_olena("Delete me")).await.expect("written").chat.id;
    client.chats().delete(chat).await.expect("deleted");
    for error in [
        client.chats().get(chat).await.map(drop).expect_err("gone"),
        client.chats().messages(chat).await.map(drop).expect_err("gone"),
        client.chats().send_text(chat, "Hello?").await.map(drop).expect_err("gone"),
        client.chats().delete(chat).await.expect_err("gone"),
    ] {
        assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    }
    assert_eq!(client.chats().list(&Query::new()).await.expect("listed").total, 0);
    let again = client.simulator().customer_message(&from_olena("Me again")).await.expect("written");
    assert!(again.created && again.chat.id != chat, "a new chat");
}

#[tokio::test]
async fn another_companys_chat_is_not_found() {
    let server = server().await;
    let chat = acme(&server).simulator().customer_message(&from_olena("Private")).await.expect("written").chat.id;
    let globex = globex(&server);
    for error in [
        globex.chats().get(chat).await.map(drop).expect_err("invisible"),
        globex.chats().messages(chat).await.map(drop).expect_err("invisible"),
        globex.chats().set_status(chat, ChatStatus::Open).await.expect_err("invisible"),
        globex.chats().delete(chat).await.expect_err("invisible"),
    ] {
        assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    }
    assert_eq!(globex.chats().list(&Query::new()).await.expect("listed").total, 0);
}

#[tokio::test]
async fn an_operator_token_sees_its_organization_replies_and_assigns_but_may_not_delete() {
    let server = server().await;
    let company = acme(&server);
    let ours = company.simulator().customer_message(&from_olena("Hi")).await.expect("written").chat.id;
    let theirs = company
        .simulator()
        .customer_message(&customer_message::Request::text(
            TECHNICAL_SUPPORT,
            MessageSource::Viber,
            SimulatedClient::telegram(5),
            "Hi",
        ))
        .await
        .expect("written")
        .chat
        .id;
    let (john, operator) = operator_client(&server, &company, CUSTOMER_SUPPORT, "John Smith").await;
    let listed = operator.chats().list(&Query::new()).await.expect("listed");
    assert_eq!(listed.items.iter().map(|c| c.id).collect::<Vec<_>>(), [ours], "its organization only");
    let error = operator.chats().get(theirs).await.expect_err("another organization's");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");

    let reply = operator.chats().send_text(ours, "John here").await.expect("sent");
    assert_eq!(reply.operator_id, Some(john));
    let chat = operator.chats().get(ours).await.expect("chat");
    assert_eq!(chat.operator.map(|o| o.id), Some(john), "an operator's reply assigns");
    operator.chats().set_status(ours, ChatStatus::Waiting).await.expect("operators set status");

    let error = operator.chats().delete(ours).await.expect_err("operators may not delete");
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    let error = operator.simulator().customer_message(&from_olena("x")).await.expect_err("company only");
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    company.chats().get(ours).await.expect("still there");
}

#[tokio::test]
async fn the_simulator_sets_message_statuses() {
    let server = server().await;
    let client = acme(&server);
    let chat = client.simulator().customer_message(&from_olena("Hi")).await.expect("written").chat.id;
    let sent = client.chats().send_text(chat, "Delivered?").await.expect("sent");
    client.simulator().message_status(sent.id, MessageStatus::Rejected).await.expect("set");
    let messages = client.chats().messages(chat).await.expect("messages");
    assert_eq!(messages.last().map(|m| m.status), Some(MessageStatus::Rejected));
    let error = client.simulator().message_status(999_999, MessageStatus::Read).await.expect_err("unknown");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn without_the_simulator_its_paths_are_not_found() {
    let server = TestServer::start().await.expect("the test server starts");
    let error = acme(&server).simulator().customer_message(&from_olena("Hi")).await.expect_err("no simulator");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

/// A message text of 1-4,096 characters of any Unicode (emoji and
/// Cyrillic weighted in), without U+0000 and not blank.
fn any_text() -> impl Strategy<Value = String> {
    let character = prop_oneof![
        3 => any::<char>(),
        1 => proptest::char::range('\u{1F300}', '\u{1FAFF}'),
        1 => proptest::char::range('а', 'я'),
        1 => Just(' '),
        1 => Just('\n'),
    ];
    prop_oneof![
        4 => proptest::collection::vec(character.clone(), 1..=64),
        1 => proptest::collection::vec(character, 4000..=4096),
    ]
    .prop_map(|chars| chars.into_iter().filter(|c| *c != '\0').collect::<String>())
    .prop_filter("not blank", |text| !text.trim().is_empty())
}

fn fail(error: Error) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}

#[test]
fn message_texts_in_any_unicode_round_trip() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(server());
    let client = acme(&server);
    let chat = runtime.block_on(client.simulator().customer_message(&from_olena("Hi"))).expect("written").chat.id;
    let mut runner = TestRunner::new(proptest::test_runner::Config {
        cases: 24,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    });
    let result = runner.run(&any_text(), |text| {
        runtime.block_on(async {
            let sent = client.chats().send_text(chat, text.clone()).await.map_err(fail)?;
            prop_assert_eq!(sent.message.as_deref(), Some(text.as_str()));
            let messages = client.chats().messages(chat).await.map_err(fail)?;
            prop_assert_eq!(messages.last(), Some(&sent));
            Ok(())
        })
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}
