//! A request written byte for byte over a plain TCP socket, and its answer
//! read until the server closes: for what reqwest will not send (a request
//! without `Accept`, a chunked body of our choosing).

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Why an exchange over a socket did not give an answer.
#[derive(Debug)]
pub enum SocketError {
    /// The target cannot be reached this way (HTTPS): the check is skipped.
    Unsupported(String),
    /// The connection failed or the answer was not HTTP.
    Failed(String),
}

/// Largest answer read (the checks need status, headers and small bodies).
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// Sends one request and reads the answer: status, headers, body.
pub async fn exchange(
    base_url: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
    chunked: bool,
) -> Result<(u16, HeaderMap, Vec<u8>), SocketError> {
    let url = reqwest::Url::parse(base_url).map_err(|e| SocketError::Failed(format!("bad base URL: {e}")))?;
    if url.scheme() != "http" {
        return Err(SocketError::Unsupported(format!(
            "this check writes raw HTTP/1.1 over a socket, which needs an http:// base URL, not {}",
            url.scheme()
        )));
    }
    let host = url.host_str().unwrap_or("localhost").to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let prefix = url.path().trim_end_matches('/');
    let mut request = format!("{method} {prefix}{path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let mut bytes = Vec::new();
    match (body, chunked) {
        (Some(body), true) => {
            request.push_str("Transfer-Encoding: chunked\r\n\r\n");
            bytes.extend_from_slice(request.as_bytes());
            for chunk in body.chunks(64 * 1024) {
                bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                bytes.extend_from_slice(chunk);
                bytes.extend_from_slice(b"\r\n");
            }
            bytes.extend_from_slice(b"0\r\n\r\n");
        }
        (Some(body), false) => {
            request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            bytes.extend_from_slice(request.as_bytes());
            bytes.extend_from_slice(body);
        }
        (None, _) => {
            request.push_str("\r\n");
            bytes.extend_from_slice(request.as_bytes());
        }
    }
    let failed = |what: &str, e: std::io::Error| SocketError::Failed(format!("{what}: {e}"));
    let stream = TcpStream::connect((host.as_str(), port)).await.map_err(|e| failed("could not connect", e))?;
    let (reader, mut writer) = stream.into_split();
    // Read while writing: a server may answer (401, 413) and close before it
    // has read the whole body. The answer is what counts then, and reading it
    // as it arrives keeps it from being lost to the reset that follows.
    // The write half stays open until the answer is in: hyper, for one,
    // drops a connection whose client half-closes before it answers.
    let write = writer.write_all(&bytes);
    let read = async move {
        let mut answer = Vec::new();
        let read = reader.take(MAX_ANSWER_BYTES as u64).read_to_end(&mut answer).await;
        (answer, read)
    };
    let (written, (answer, read)) = tokio::join!(write, read);
    drop(writer);
    if answer.is_empty() {
        return Err(match (written, read) {
            (Err(e), _) => failed("the connection broke while sending", e),
            (_, Err(e)) => failed("the connection broke before an answer", e),
            _ => SocketError::Failed("the server closed the connection without an answer".to_owned()),
        });
    }
    parse_answer(&answer).map_err(SocketError::Failed)
}

/// Reads `HTTP/1.1 200 OK`, the headers and the body (by `Content-Length`,
/// chunked, or to the end).
fn parse_answer(answer: &[u8]) -> Result<(u16, HeaderMap, Vec<u8>), String> {
    let head_end = find(answer, b"\r\n\r\n").ok_or("the answer has no end of headers")?;
    let head = std::str::from_utf8(&answer[..head_end]).map_err(|_| "the answer's headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP status line: {status_line:?}"))?;
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| format!("not a header line: {line:?}"))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| format!("bad header name: {e}"))?;
        let value = HeaderValue::from_str(value.trim()).map_err(|e| format!("bad header value: {e}"))?;
        headers.append(name, value);
    }
    let rest = &answer[head_end + 4..];
    let chunked = headers
        .get("transfer-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = headers.get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(length) = length {
        rest.get(..length).ok_or("the answer is shorter than its Content-Length")?.to_vec()
    } else {
        rest.to_vec()
    };
    Ok((status, headers, body))
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n").ok_or("a chunk size line has no end")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| "a chunk size is not text")?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| format!("bad chunk size {size_text:?}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(rest.get(..size).ok_or("a chunk is cut short")?);
        rest = rest.get(size + 2..).ok_or("a chunk has no end")?;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_with_length_chunks_or_neither() {
        let (status, headers, body) =
            parse_answer(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 3\r\n\r\nabcdef").unwrap();
        assert_eq!((status, body.as_slice()), (200, b"abc".as_slice()));
        assert_eq!(headers["content-type"], "text/plain");
        let (_, _, body) =
            parse_answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n")
                .unwrap();
        assert_eq!(body, b"abcde");
        let (status, _, body) = parse_answer(b"HTTP/1.0 404 Not Found\r\n\r\ngone").unwrap();
        assert_eq!((status, body.as_slice()), (404, b"gone".as_slice()));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_answer(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse_answer(b"HTTP/1.1 200 OK\r\nno header\r\n\r\n").is_err());
        assert!(parse_answer(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nab").is_err());
        assert!(parse_answer(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n").is_err());
        assert!(parse_answer(b"HTTP/1.1").is_err());
    }
}
