//! Simulated customers (spec §7.4): `client.simulator()`, for servers
//! started with `--simulator`.

use chathub_types::chat::MessageStatus;
use chathub_types::simulator::{customer_message, message_status};
use chathub_types::{MessageId, Validate};

use crate::client::Call;
use crate::{Client, Error, Result};

/// The simulator's endpoints, borrowed from a [`Client`] by
/// [`Client::simulator`]. They exist only on a `chathub-server` started
/// with `--simulator` (elsewhere [`Error::NotFound`]) and take a company
/// credential (an operator token gets [`Error::Forbidden`]). Tests use them
/// to play the messenger users whose messages open chats.
///
/// ```no_run
/// use chathub_client::Client;
/// use chathub_client::types::chat::MessageSource;
/// use chathub_client::types::simulator::customer_message::{Request, SimulatedClient};
///
/// # async fn run() -> Result<(), chathub_client::Error> {
/// let client = Client::builder().base_url("http://127.0.0.1:8080").credentials("acme", "acme-pass-1").build()?;
/// let olena = SimulatedClient::phone("+380 50 123 45 67").with_name("Olena");
/// let written = client
///     .simulator()
///     .customer_message(&Request::text(24, MessageSource::TelegramBot, olena, "Where is my parcel?"))
///     .await?;
/// println!("chat {} (new: {}), message {}", written.chat.id, written.created, written.message.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Simulator<'c> {
    client: &'c Client,
}

impl<'c> Simulator<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// `POST /api/simulator/customer-message`: a client writes (Decision
    /// 31). The message joins the newest open chat of that organization,
    /// client and source, or opens one. Checked first (source, phone or
    /// Telegram id, text and media rules): a bad request is
    /// [`Error::InvalidInput`] without a request. Sent exactly once.
    pub async fn customer_message(&self, request: &customer_message::Request) -> Result<customer_message::Response> {
        request.check().map_err(Error::InvalidInput)?;
        let call = Call::new(&customer_message::ENDPOINT).json(request)?;
        self.client.send(call).await?.json::<customer_message::Response>()
    }

    /// `POST /api/simulator/message-status`: the messenger reports a
    /// message's status (Decision 32). An unknown status number is refused
    /// with [`Error::InvalidInput`]; an unknown message is [`Error::NotFound`].
    pub async fn message_status(&self, message: impl Into<MessageId>, status: MessageStatus) -> Result<()> {
        let request = message_status::Request { id: message.into(), status };
        request.validate().map_err(Error::InvalidInput)?;
        let call = Call::new(&message_status::ENDPOINT).json(&request)?;
        self.client.send(call).await.map(drop)
    }
}
