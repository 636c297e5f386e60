//! A minimal HTTP/1.1 client over `std::net`, for the few set-up requests
//! of a run (sign in, issue an operator token, one probe per scenario).
//! The load itself comes from wrk.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context as _, bail};

/// One request: method, path with query, extra headers, optional JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, with its query.
    pub path: String,
    /// Headers besides `Host`, `Content-Length` and `Connection`.
    pub headers: Vec<(&'static str, String)>,
    /// A JSON body (sent with `Content-Type: application/json`).
    pub body: Option<String>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body, as text.
    pub body: String,
}

impl Request {
    /// The request's headers, `Content-Type` included when it has a body.
    pub fn all_headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = self.headers.clone();
        if self.body.is_some() {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        headers
    }

    /// Sends the request on a fresh connection and reads the whole answer.
    pub fn send(&self, address: SocketAddr) -> anyhow::Result<Reply> {
        let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(10))
            .with_context(|| format!("cannot connect to {address}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_write_timeout(Some(Duration::from_secs(60)))?;
        let body = self.body.as_deref().unwrap_or("");
        let mut head = format!("{} {} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n", self.method, self.path);
        for (name, value) in self.all_headers() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).with_context(|| format!("reading the answer to {} {}", self.method, self.path))?;
        parse_reply(&raw).with_context(|| format!("the answer to {} {}", self.method, self.path))
    }
}

/// Parses a whole HTTP/1.1 answer (fixed length, chunked or up to EOF).
fn parse_reply(raw: &[u8]) -> anyhow::Result<Reply> {
    let Some(split) = raw.windows(4).position(|window| window == b"\r\n\r\n") else {
        bail!("no complete HTTP head in {} bytes", raw.len());
    };
    let head = std::str::from_utf8(&raw[..split]).context("the HTTP head is not UTF-8")?;
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("bad status line `{status_line}`"))?;
    let mut content_type = None;
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value.to_owned()),
            "content-length" => length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    let body = if chunked {
        dechunk(rest)?
    } else {
        let end = length.map_or(rest.len(), |length| length.min(rest.len()));
        rest[..end].to_vec()
    };
    Ok(Reply { status, content_type, body: String::from_utf8_lossy(&body).into_owned() })
}

fn dechunk(mut rest: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").context("a chunk size line is cut off")?;
        let size_text = std::str::from_utf8(&rest[..line_end])?.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).with_context(|| format!("bad chunk size `{size_text}`"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size + 2 {
            bail!("a chunk is cut off");
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fixed_length_answers() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 5\r\n\r\nhello";
        let reply = parse_reply(raw).unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.content_type.as_deref(), Some("text/plain; charset=utf-8"));
        assert_eq!(reply.body, "hello");
    }

    #[test]
    fn reads_chunked_answers() {
        let raw =
            b"HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let reply = parse_reply(raw).unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (401, "abcde"));
    }

    #[test]
    fn refuses_what_is_not_http() {
        assert!(parse_reply(b"garbage").is_err());
        assert!(parse_reply(b"HTTP/1.1 abc\r\n\r\n").is_err());
        assert!(parse_reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab").is_err());
    }

    #[test]
    fn talks_to_a_real_listener() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            let mut buffer = [0u8; 1024];
            while !seen.ends_with(b"{\"a\":1}") {
                let n = socket.read(&mut buffer).unwrap();
                assert!(n > 0, "the request ended early: {}", String::from_utf8_lossy(&seen));
                seen.extend_from_slice(&buffer[..n]);
            }
            socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap();
            String::from_utf8(seen).unwrap()
        });
        let request = Request {
            method: "POST",
            path: "/x?y=1".to_owned(),
            headers: vec![("Accept", "text/plain".to_owned())],
            body: Some("{\"a\":1}".to_owned()),
        };
        let reply = request.send(address).unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "ok"));
        let seen = server.join().unwrap();
        assert!(seen.starts_with("POST /x?y=1 HTTP/1.1\r\n"), "{seen}");
        assert!(seen.contains("Content-Type: application/json\r\n") && seen.contains("Content-Length: 7\r\n"));
    }
}
