//! A real server with the simulator on, clients for it, simulated customers and
//! event waits (timeouts are safety nets, never what passes a test).

use std::path::Path;
use std::time::Duration;

use chathub_client::hub::{Hub, HubEvent};
use chathub_client::types::simulator::customer_message::{self, Request, SimulatedClient};
use chathub_client::{Client, MessageSource, OperatorId};
use chathub_server::Config;
use chathub_server::testing::{DEFAULT_SEED, TestServer, test_config};

pub const ACME_API_KEY: &str = "acme-static-api-key-0001";

/// How long any one event may take to arrive: a safety net.
pub const WAIT: Duration = Duration::from_secs(10);

/// A server on a fresh database with [`DEFAULT_SEED`] and the simulator on.
pub async fn server() -> TestServer {
    let config = Config { simulator: true, ..test_config().await.expect("test setup") };
    TestServer::start_seeded(DEFAULT_SEED, config).await.expect("test setup")
}

/// A configuration with the simulator on, the seed written into `dir`.
pub fn config(dir: &Path, database: String) -> Config {
    let seed = dir.join("seed.toml");
    std::fs::write(&seed, DEFAULT_SEED).expect("test setup");
    Config { seed: Some(seed), database, simulator: true, ..Config::in_memory() }
}

/// A client signing in as acme.
pub fn acme(server: &TestServer) -> Client {
    Client::builder().base_url(server.base_url()).credentials("acme", "acme-pass-1").build().expect("test setup")
}

/// A client signing in as globex.
pub fn globex(server: &TestServer) -> Client {
    Client::builder().base_url(server.base_url()).credentials("globex", "globex-pass-1").build().expect("test setup")
}

/// The id of the operator `name` in organization `organization`.
pub async fn operator_id(client: &Client, organization: i32, name: &str) -> OperatorId {
    let operators = client.operators().list(organization).await.expect("test setup");
    operators.into_iter().find(|operator| operator.name == name).expect("test setup").id
}

/// A simulated customer message from Olena to `organization`, written with `client`.
pub async fn customer_message(
    client: &Client,
    organization: i32,
    phone: &str,
    text: &str,
) -> customer_message::Response {
    let olena = SimulatedClient::phone(phone).with_name("Olena");
    let request = Request::text(organization, MessageSource::TelegramBot, olena, text).with_theme("Parcel #491");
    client.simulator().customer_message(&request).await.expect("test setup")
}

/// The next event, or a panic after [`WAIT`].
pub async fn next(hub: &mut Hub) -> HubEvent {
    tokio::time::timeout(WAIT, hub.next_event())
        .await
        .expect("an event within the safety net")
        .expect("the hub is still open")
}

/// Events until one `pick` accepts (skipping the others); its value.
pub async fn until<T>(hub: &mut Hub, mut pick: impl FnMut(HubEvent) -> Option<T>) -> T {
    loop {
        if let Some(found) = pick(next(hub).await) {
            return found;
        }
    }
}
