//! Chat endpoints (spec §7): `client.chats()`.

use chathub_types::chat::{
    Chat, ChatStatus, Message, delete_chat, get_chat, list_chats, list_messages, send_message, set_chat_status,
};
use chathub_types::{ChatId, Validate};

use crate::client::Call;
use crate::{Client, Error, Result};

/// Chat endpoints, borrowed from a [`Client`] by [`Client::chats`].
///
/// A company credential (password or API key) sees every chat of the
/// company; an operator token (see [`crate::ClientBuilder::token`]) the
/// chats of its organization, and may not delete (Decision 20). A chat the
/// credential cannot see is [`Error::NotFound`], like an unknown one.
///
/// ```no_run
/// use chathub_client::{ChatStatus, Client};
/// use chathub_client::types::chat::list_chats::Query;
///
/// # async fn run() -> Result<(), chathub_client::Error> {
/// let client = Client::builder().credentials("acme", "acme-pass-1").build()?;
/// let page = client.chats().list(&Query::new().status(ChatStatus::New).per_page(50)).await?;
/// println!("{} new chats", page.total);
/// for chat in &page.items {
///     for message in client.chats().messages(chat.id).await? {
///         println!("{}: {}", message.author, message.message.as_deref().unwrap_or("[media]"));
///     }
///     client.chats().send_text(chat.id, "Hello! How can I help?").await?;
///     client.chats().set_status(chat.id, ChatStatus::Open).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Chats<'c> {
    client: &'c Client,
}

impl<'c> Chats<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// `GET /api/chat/chats`: one page of the chats that pass every filter
    /// of `query`, newest first, and how many pass in all (Decision 21).
    /// A `page` of 0, a `per_page` outside 1-100 or a reversed `date` range
    /// is refused with [`Error::InvalidInput`] before anything is sent.
    pub async fn list(&self, query: &list_chats::Query) -> Result<list_chats::Response> {
        query.check().map_err(Error::InvalidInput)?;
        let call = Call::new(&list_chats::ENDPOINT).query(query.to_query_string());
        self.client.send(call).await?.json::<list_chats::Response>()
    }

    /// `GET /api/chat/chats/{id}`: one chat (the server's extension, Decision 18).
    pub async fn get(&self, chat: impl Into<ChatId>) -> Result<Chat> {
        let call = Call::at(&get_chat::ENDPOINT, get_chat::path(chat.into()));
        self.client.send(call).await?.json::<get_chat::Response>()
    }

    /// `GET /api/chat/chats/{id}/messages`: every message of a chat, oldest
    /// first, no paging (Decision 24).
    pub async fn messages(&self, chat: impl Into<ChatId>) -> Result<Vec<Message>> {
        let call = Call::at(&list_messages::ENDPOINT, list_messages::path(chat.into()));
        self.client.send(call).await?.json::<list_messages::Response>()
    }

    /// `POST /api/chat/{chatId}/message` with a text: the stored message
    /// (author Operator, status Success). Blank text, more than 4,096
    /// characters or U+0000 is refused with [`Error::InvalidInput`] before
    /// anything is sent. See [`Chats::send`].
    pub async fn send_text(&self, chat: impl Into<ChatId>, text: impl Into<String>) -> Result<Message> {
        self.send(chat, send_message::Request::text(text)).await
    }

    /// `POST /api/chat/{chatId}/message`: a reply with text, media or both
    /// (Decisions 25, 26). The request is checked first (text rules, media
    /// name, format, type and size), so a bad one is [`Error::InvalidInput`]
    /// without a request. Sent exactly once, never retried: a retry could
    /// post the message twice. A Closed chat answers 400 ([`Error::Api`]
    /// with the server's message).
    ///
    /// ```no_run
    /// # async fn run(client: chathub_client::Client) -> Result<(), chathub_client::Error> {
    /// use chathub_client::types::chat::send_message::Request;
    /// let receipt = chathub_client::media_from_file("receipt.pdf").await?;
    /// let sent = client.chats().send(123, Request::media(receipt).with_text("Your receipt")).await?;
    /// println!("{}", sent.media.map(|media| media.uri).unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, chat: impl Into<ChatId>, request: send_message::Request) -> Result<Message> {
        request.check().map_err(Error::InvalidInput)?;
        let call = Call::at(&send_message::ENDPOINT, send_message::path(chat.into())).json(&request)?;
        self.client.send(call).await?.json::<send_message::Response>()
    }

    /// `PUT /api/chat/status`: sets a chat's status (any may follow any;
    /// a Closed chat reopens). An unknown status number is refused with
    /// [`Error::InvalidInput`] before anything is sent. Retried like a GET:
    /// setting the same status again changes nothing (Decision 22).
    pub async fn set_status(&self, chat: impl Into<ChatId>, status: ChatStatus) -> Result<()> {
        let request = set_chat_status::Request { id: chat.into(), status };
        request.validate().map_err(Error::InvalidInput)?;
        let call = Call::new(&set_chat_status::ENDPOINT).json(&request)?;
        self.client.send(call).await.map(drop)
    }

    /// `DELETE /api/chat/chats/{id}`: deletes a chat with its messages and
    /// media, for good (Decision 23). The server answers an empty body or
    /// `"OK"`; both are success. Operator tokens get [`Error::Forbidden`].
    /// Sent exactly once, never retried: a retry of a delete that did
    /// happen would answer 404.
    pub async fn delete(&self, chat: impl Into<ChatId>) -> Result<()> {
        let call = Call::at(&delete_chat::ENDPOINT, delete_chat::path(chat.into()));
        self.client.send(call).await.map(drop)
    }
}
