//! Opening one hub connection (§7.3): a credential, negotiate, the
//! WebSocket upgrade with the credential in a header (never in the URL),
//! and the JSON handshake.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chathub_types::hub::negotiate::{self, ID_QUERY, VERSION_QUERY, WEB_SOCKETS};
use chathub_types::hub::record::RecordBuffer;
use chathub_types::hub::{NEGOTIATE_PATH, PATH, handshake};
use futures::{SinkExt as _, StreamExt as _};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::Shared;
use crate::auth::Credential;
use crate::error::keep_body;
use crate::{Error, Result};

/// The socket type.
pub(super) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

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
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Error::InvalidConfig("the operator token holds characters a header cannot carry".into())
            })?;
            value.set_sensitive(true);
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
    let status = response.status();
    let body = response.bytes().await.map_err(transport)?;
    tracing::debug!(status = status.as_u16(), "chathub hub: negotiated");
    if !status.is_success() {
        return Err(Error::from_response(status, None, &body));
    }
    let value: serde_json::Value = chathub_types::json::from_slice(&body).map_err(|source| Error::Decode {
        status,
        body: keep_body(&body),
        source: crate::DecodeError::Json(source),
    })?;
    if let Ok(refused) = chathub_types::json::from_value::<negotiate::ErrorResponse>(&value) {
        return Err(Error::Hub { message: refused.error });
    }
    let answer: negotiate::Response = chathub_types::json::from_value(&value).map_err(|source| Error::Decode {
        status,
        body: keep_body(&body),
        source: crate::DecodeError::Json(source),
    })?;
    if !answer.available_transports.iter().any(|transport| transport.transport.eq_ignore_ascii_case(WEB_SOCKETS)) {
        return Err(Error::Hub { message: "the server offers no WebSockets transport".to_owned() });
    }
    Ok(answer.upgrade_id().to_owned())
}

/// The `ws(s)://` URL of the hub for a base URL, with the connection token.
fn hub_url(base_url: &str, connection_token: &str) -> Result<(String, bool)> {
    let (scheme, rest, tls) = if let Some(rest) = base_url.strip_prefix("https://") {
        ("wss", rest, true)
    } else if let Some(rest) = base_url.strip_prefix("http://") {
        ("ws", rest, false)
    } else {
        return Err(Error::InvalidConfig("the hub needs an http:// or https:// base URL".to_owned()));
    };
    Ok((format!("{scheme}://{rest}{PATH}?{ID_QUERY}={}", encode_query_value(connection_token)), tls))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode_query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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

async fn upgrade(shared: &Shared, credential: &HubCredential, connection_token: &str) -> Result<Socket> {
    let inner = shared.client.inner();
    let (url, tls) = hub_url(&inner.base_url, connection_token)?;
    let mut request = url
        .into_client_request()
        .map_err(|error| Error::InvalidConfig(format!("the hub URL is not usable: {error}")))?;
    let (name, value) = credential.header();
    request.headers_mut().insert(name, value);
    request.headers_mut().insert(USER_AGENT, inner.user_agent.clone());
    let connector = if tls { Connector::Rustls(tls_config()?) } else { Connector::Plain };
    let connecting = tokio_tungstenite::connect_async_tls_with_config(request, None, true, Some(connector));
    match tokio::time::timeout(inner.timeout, connecting).await {
        Err(_) => Err(Error::Timeout { method: "GET", path: PATH, after: inner.timeout }),
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(tungstenite::Error::Http(response))) => {
            let status = StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            tracing::debug!(status = status.as_u16(), "chathub hub: upgrade refused");
            Err(Error::from_response(status, None, response.body().as_deref().unwrap_or_default()))
        }
        Ok(Err(error)) => Err(Error::HubConnection { reason: format!("the WebSocket upgrade failed: {error}") }),
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
    fn hub_urls_carry_only_the_connection_token() {
        assert_eq!(
            hub_url("http://127.0.0.1:8080", "a-b_c").unwrap(),
            ("ws://127.0.0.1:8080/chathub?id=a-b_c".into(), false)
        );
        assert_eq!(
            hub_url("https://chatapi.smsbat.com/x", "a+b/c=").unwrap(),
            ("wss://chatapi.smsbat.com/x/chathub?id=a%2Bb%2Fc%3D".into(), true)
        );
        assert!(hub_url("ftp://x", "t").is_err());
    }

    #[test]
    fn tls_is_set_up_with_rustls() {
        assert!(tls_config().is_ok());
    }
}
