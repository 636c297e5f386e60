//! Opening one hub connection (§7.3): a credential, negotiate, the
//! WebSocket upgrade with the credential in a header (never in the URL),
//! and the JSON handshake.

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use chathub_types::hub::negotiate::{self, ID_QUERY, VERSION_QUERY, WEB_SOCKETS};
use chathub_types::hub::record::RecordBuffer;
use chathub_types::hub::{MAX_RECORD_BYTES, NEGOTIATE_PATH, PATH, handshake};
use futures::{SinkExt as _, StreamExt as _};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};

use super::Shared;
use crate::auth::{Credential, bearer};
use crate::client::{read_answer, success};
use crate::{Error, MAX_ANSWER_BYTES, Result};

/// The socket type.
pub(super) type Socket = WebSocketStream<Stream>;

/// A connection after a successful handshake.
pub(super) struct Opened {
    pub(super) socket: Socket,
    /// Records that arrived in the handshake's frames after its answer.
    pub(super) early: Vec<Vec<u8>>,
    /// The buffer, holding any unfinished record.
    pub(super) buffer: RecordBuffer,
}

/// The credential one connection uses, on negotiate and on the upgrade.
enum HubCredential {
    /// The client's own (company token, API key or ready token).
    Client(Credential),
    /// A token from the operator-token source.
    Operator(HeaderValue),
}

impl HubCredential {
    fn header(&self) -> (HeaderName, HeaderValue) {
        match self {
            Self::Client(credential) => (credential.name.clone(), credential.value.clone()),
            Self::Operator(value) => (AUTHORIZATION, value.clone()),
        }
    }
}

/// Opens a connection with a fresh credential: the operator-token source
/// is called again, or the client's token cache is asked (renewing a token
/// about to expire); a 401 on negotiate with a company login signs in once more.
pub(super) async fn open(shared: &Shared) -> Result<Opened> {
    let mut credential = credential(shared).await?;
    let mut answer = negotiate(shared, &credential).await;
    if let (Err(Error::Unauthorized { .. }), HubCredential::Client(rejected)) = (&answer, &credential) {
        let client = &shared.client;
        if let Some(fresh) = client.inner().auth.renew(client, rejected).await? {
            credential = HubCredential::Client(fresh);
            answer = negotiate(shared, &credential).await;
        }
    }
    let connection_token = answer?;
    let socket = upgrade(shared, &credential, &connection_token).await?;
    shake_hands(shared, socket).await
}

async fn credential(shared: &Shared) -> Result<HubCredential> {
    match &shared.operator_source {
        Some(source) => {
            let token = source().await?;
            let value = bearer(token.expose()).ok_or_else(|| {
                Error::InvalidConfig("the operator token holds characters a header cannot carry".into())
            })?;
            Ok(HubCredential::Operator(value))
        }
        None => {
            let client = &shared.client;
            Ok(HubCredential::Client(client.inner().auth.credential(client).await?))
        }
    }
}

/// `POST /chathub/negotiate?negotiateVersion=1`: the connection token.
async fn negotiate(shared: &Shared, credential: &HubCredential) -> Result<String> {
    let inner = shared.client.inner();
    let url = format!("{}{NEGOTIATE_PATH}?{VERSION_QUERY}=1", inner.base_url);
    let (name, value) = credential.header();
    let request = inner
        .http
        .post(url)
        .timeout(inner.timeout)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(USER_AGENT, inner.user_agent.clone())
        .header(name, value);
    let transport = |error| Error::from_reqwest(error, "POST", NEGOTIATE_PATH, inner.timeout);
    let response = request.send().await.map_err(transport)?;
    let answer = read_answer(response).await.map_err(transport)?.ok_or(Error::TooLarge {
        method: "POST",
        path: NEGOTIATE_PATH,
        limit: MAX_ANSWER_BYTES,
    })?;
    tracing::debug!(status = answer.status.as_u16(), "chathub hub: negotiated");
    let answer = success(answer)?;
    if let Ok(refused) = answer.json::<negotiate::ErrorResponse>() {
        return Err(Error::Hub { message: refused.error });
    }
    let answer: negotiate::Response = answer.json()?;
    if !answer.available_transports.iter().any(|transport| transport.transport.eq_ignore_ascii_case(WEB_SOCKETS)) {
        return Err(Error::Hub { message: "the server offers no WebSockets transport".to_owned() });
    }
    Ok(answer.upgrade_id().to_owned())
}

/// Where the upgrade goes: from the base URL, with the connection token.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    tls: bool,
    /// The host to connect to and to name in TLS (an IPv6 address without brackets).
    host: String,
    port: u16,
    /// The `Host` header: the host as in the URL, the port unless the scheme's default.
    authority: String,
    /// `/prefix/chathub?id=<token>`.
    path_and_query: String,
}

/// The upgrade's target for a base URL and a connection token.
fn target(base_url: &str, connection_token: &str) -> Result<Target> {
    let invalid = || Error::InvalidConfig("the hub needs an http:// or https:// base URL with a host".to_owned());
    let url = reqwest::Url::parse(base_url).map_err(|_| invalid())?;
    let tls = match url.scheme() {
        "https" => true,
        "http" => false,
        _ => return Err(invalid()),
    };
    let authority_host = url.host_str().filter(|host| !host.is_empty()).ok_or_else(invalid)?;
    // An IPv6 address is bracketed in a URL, bare for connecting and TLS.
    let host = authority_host.strip_prefix('[').and_then(|host| host.strip_suffix(']')).unwrap_or(authority_host);
    let host = host.to_owned();
    let port = url.port_or_known_default().ok_or_else(invalid)?;
    let mut authority = authority_host.to_owned();
    if let Some(port) = url.port() {
        authority.push_str(&format!(":{port}"));
    }
    let prefix = url.path().trim_end_matches('/');
    let path_and_query = format!("{prefix}{PATH}?{ID_QUERY}={}", chathub_types::query::encode(connection_token));
    Ok(Target { tls, host, port, authority, path_and_query })
}

/// rustls with aws-lc-rs and the platform's verifier, built once.
fn tls_config() -> Result<Arc<rustls::ClientConfig>> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use rustls_platform_verifier::BuilderVerifierExt as _;
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .and_then(|builder| builder.with_platform_verifier())
                .map(|builder| Arc::new(builder.with_no_client_auth()))
                .map_err(|error| format!("TLS could not be set up: {error}"))
        })
        .clone()
        .map_err(Error::InvalidConfig)
}

/// The WebSocket upgrade, done here rather than by tungstenite, whose
/// client handshake logs the whole request (the credential header
/// included) at trace level: a plain `GET` with the `Upgrade` headers over
/// our own TCP (+ rustls) stream, the answer's head read (at most
/// [`MAX_RESPONSE_HEAD`]) and checked (101, `Sec-WebSocket-Accept`), then
/// tungstenite takes over the socket. Nothing here logs a header.
async fn upgrade(shared: &Shared, credential: &HubCredential, connection_token: &str) -> Result<Socket> {
    let inner = shared.client.inner();
    let target = target(&inner.base_url, connection_token)?;
    let opening = async {
        let tcp = TcpStream::connect((target.host.as_str(), target.port))
            .await
            .map_err(|error| Error::HubConnection { reason: format!("could not connect to the hub: {error}") })?;
        let _ = tcp.set_nodelay(true);
        let mut stream = if target.tls {
            let name = ServerName::try_from(target.host.clone())
                .map_err(|_| Error::InvalidConfig("the base URL's host is not a valid TLS name".to_owned()))?;
            let tls = tokio_rustls::TlsConnector::from(tls_config()?)
                .connect(name, tcp)
                .await
                .map_err(|error| Error::HubConnection { reason: format!("TLS with the hub failed: {error}") })?;
            Stream::Tls(Box::new(tls))
        } else {
            Stream::Plain(tcp)
        };
        let key = tungstenite::handshake::client::generate_key();
        let request = upgrade_request(&target, &key, credential, &inner.user_agent);
        let lost =
            |error: std::io::Error| Error::HubConnection { reason: format!("the WebSocket upgrade failed: {error}") };
        stream.write_all(&request).await.map_err(lost)?;
        stream.flush().await.map_err(lost)?;
        let (head, rest) = read_response_head(&mut stream).await?;
        let rest = check_response(&head, rest, &key, &mut stream).await?;
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        Ok(WebSocketStream::from_partially_read(stream, rest, Role::Client, Some(config)).await)
    };
    match tokio::time::timeout(inner.timeout, opening).await {
        Err(_) => Err(Error::Timeout { method: "GET", path: PATH, after: inner.timeout, attempts: 1 }),
        Ok(result) => result,
    }
}

/// The largest response head the upgrade reads (16 KiB).
const MAX_RESPONSE_HEAD: usize = 16 * 1024;

/// The largest refusal body kept from a failed upgrade (64 KiB).
const MAX_REFUSAL_BODY: usize = 64 * 1024;

/// The largest WebSocket message or frame accepted: a record of
/// [`MAX_RECORD_BYTES`] and its separator, with slack.
const MAX_MESSAGE_BYTES: usize = MAX_RECORD_BYTES + 64 * 1024;

/// The `GET` upgrade request's bytes (they hold the credential: never log them).
fn upgrade_request(target: &Target, key: &str, credential: &HubCredential, user_agent: &HeaderValue) -> Vec<u8> {
    let (name, value) = credential.header();
    let mut request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n",
        target.path_and_query, target.authority
    )
    .into_bytes();
    for (name, value) in [(USER_AGENT.as_str(), user_agent), (name.as_str(), &value)] {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request
}

/// Reads until the end of the response head; the head and the bytes after it.
async fn read_response_head(stream: &mut Stream) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let mut scanned: usize = 0;
    loop {
        // Only the new bytes (and the 3 before them) can complete the blank line.
        let from = scanned.saturating_sub(3);
        if let Some(at) = buffer[from..].windows(4).position(|window| window == b"\r\n\r\n") {
            let rest = buffer.split_off(from + at + 4);
            return Ok((buffer, rest));
        }
        scanned = buffer.len();
        if buffer.len() > MAX_RESPONSE_HEAD {
            return Err(Error::HubConnection {
                reason: format!("the upgrade's answer head is larger than {} KiB", MAX_RESPONSE_HEAD / 1024),
            });
        }
        let read = stream
            .read(&mut chunk)
            .await
            .map_err(|error| Error::HubConnection { reason: format!("the WebSocket upgrade failed: {error}") })?;
        if read == 0 {
            return Err(Error::HubConnection {
                reason: "the server closed the connection during the upgrade".to_owned(),
            });
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// Checks the answer to the upgrade: 101 with the right
/// `Sec-WebSocket-Accept` gives the bytes read past the head (the first
/// frames); another status is the error it means (401, 403, 404, ...).
async fn check_response(head: &[u8], rest: Vec<u8>, key: &str, stream: &mut Stream) -> Result<Vec<u8>> {
    let bad = |what: &str| Error::HubConnection { reason: format!("the WebSocket upgrade failed: {what}") };
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(_) => return Err(bad("the answer is not HTTP")),
    }
    let code = response.code.unwrap_or_default();
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|header| header.name.eq_ignore_ascii_case(name))
            .map(|header| String::from_utf8_lossy(header.value).trim().to_owned())
    };
    if code != 101 {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
        tracing::debug!(status = status.as_u16(), "chathub hub: upgrade refused");
        let length = header("content-length").and_then(|length| length.parse::<usize>().ok());
        let body = read_body(stream, rest, length).await;
        return Err(Error::from_response(status, None, &body));
    }
    if !header("upgrade").is_some_and(|value| value.eq_ignore_ascii_case("websocket")) {
        return Err(bad("the answer lacks `Upgrade: websocket`"));
    }
    let connection = header("connection").unwrap_or_default();
    if !connection.split(',').any(|token| token.trim().eq_ignore_ascii_case("upgrade")) {
        return Err(bad("the answer lacks `Connection: Upgrade`"));
    }
    if header("sec-websocket-accept").as_deref() != Some(derive_accept_key(key.as_bytes()).as_str()) {
        return Err(bad("the answer's Sec-WebSocket-Accept does not match the key"));
    }
    Ok(rest)
}

/// The body of a refused upgrade, best effort: `Content-Length` bytes, or
/// up to the end; at most [`MAX_REFUSAL_BODY`] (the caller bounds the time).
async fn read_body(stream: &mut Stream, mut body: Vec<u8>, length: Option<usize>) -> Vec<u8> {
    let want = length.unwrap_or(MAX_REFUSAL_BODY).min(MAX_REFUSAL_BODY);
    let mut chunk = [0u8; 2048];
    while body.len() < want {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(read) => body.extend_from_slice(&chunk[..read]),
        }
    }
    body.truncate(want);
    body
}

/// The socket under the WebSocket: plain TCP or rustls over TCP.
pub(super) enum Stream {
    /// `ws://`.
    Plain(TcpStream),
    /// `wss://`.
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_flush(cx),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Sends the handshake and reads its answer.
async fn shake_hands(shared: &Shared, mut socket: Socket) -> Result<Opened> {
    let lost = |error: tungstenite::Error| Error::HubConnection { reason: format!("during the handshake: {error}") };
    socket.send(Message::text(handshake::request())).await.map_err(lost)?;
    let mut buffer = RecordBuffer::default();
    let wait = shared.settings.handshake_timeout;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let frame = match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return Err(Error::Hub { message: format!("no handshake answer within {}", seconds(wait)) }),
            Ok(None) => return Err(Error::HubConnection { reason: "closed during the handshake".to_owned() }),
            Ok(Some(frame)) => frame.map_err(lost)?,
        };
        let bytes = match frame {
            Message::Text(text) => text.as_bytes().to_vec(),
            Message::Binary(bytes) => bytes.to_vec(),
            Message::Close(_) => {
                return Err(Error::HubConnection { reason: "closed during the handshake".to_owned() });
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
        };
        let mut records = buffer.push(&bytes).map_err(|error| Error::Hub { message: error.to_string() })?;
        if records.is_empty() {
            continue;
        }
        let answer = records.remove(0);
        handshake::parse_response(&answer).map_err(|message| Error::Hub { message })?;
        return Ok(Opened { socket, early: records, buffer });
    }
}

/// `1.5s`, `30s`.
pub(super) fn seconds(duration: Duration) -> String {
    format!("{}s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_targets_carry_only_the_connection_token() {
        let plain = target("http://127.0.0.1:8080", "a-b_c").unwrap();
        assert_eq!(
            plain,
            Target {
                tls: false,
                host: "127.0.0.1".into(),
                port: 8080,
                authority: "127.0.0.1:8080".into(),
                path_and_query: "/chathub?id=a-b_c".into(),
            }
        );
        let tls = target("https://chatapi.smsbat.com/x/", "a+b/c=").unwrap();
        assert_eq!((tls.tls, tls.port, tls.authority.as_str()), (true, 443, "chatapi.smsbat.com"));
        assert_eq!(tls.path_and_query, "/x/chathub?id=a%2Bb%2Fc%3D");
        let v6 = target("http://[::1]:9000", "t").unwrap();
        assert_eq!((v6.host.as_str(), v6.authority.as_str()), ("::1", "[::1]:9000"));
        assert!(target("ftp://x", "t").is_err());
        assert!(target("not a url", "t").is_err());
    }

    #[test]
    fn tls_is_set_up_with_rustls() {
        assert!(tls_config().is_ok());
    }
}
