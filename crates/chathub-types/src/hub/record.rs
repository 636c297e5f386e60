//! The records of the JSON hub protocol (§7.3) and their framing: JSON
//! text, each ended by 0x1E; a WebSocket frame may hold several and a
//! record may span frames.

use serde_json::{Map, Value, json};

use super::{MAX_RECORD_BYTES, RECORD_SEPARATOR};

/// Record type numbers of the protocol.
pub mod kind {
    /// An invocation of a method (client to server) or an event (server to client).
    pub const INVOCATION: i64 = 1;
    /// A stream item (never used here).
    pub const STREAM_ITEM: i64 = 2;
    /// A completion: the result or error of an invocation.
    pub const COMPLETION: i64 = 3;
    /// A streaming invocation (refused with an error completion).
    pub const STREAM_INVOCATION: i64 = 4;
    /// A stream cancellation (never used here).
    pub const CANCEL_INVOCATION: i64 = 5;
    /// A keep-alive ping.
    pub const PING: i64 = 6;
    /// Closing the connection.
    pub const CLOSE: i64 = 7;
}

/// Collects the bytes of WebSocket frames and hands out whole records
/// (without their separator).
#[derive(Debug, Default)]
pub struct RecordBuffer {
    pending: Vec<u8>,
    /// How many bytes at the start of `pending` are known to hold no
    /// separator: a record arriving in many frames is scanned once.
    scanned: usize,
}

/// A record longer than [`MAX_RECORD_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a hub record is longer than {MAX_RECORD_BYTES} bytes")]
pub struct RecordTooLarge;

impl RecordBuffer {
    /// Appends a frame's bytes; returns every record it completes, in order.
    /// An unfinished record waits for the next frame.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, RecordTooLarge> {
        self.pending.extend_from_slice(bytes);
        let mut records = Vec::new();
        let mut start = 0;
        let mut from = self.scanned.min(self.pending.len());
        while let Some(offset) = self.pending[from..].iter().position(|&b| b == RECORD_SEPARATOR) {
            let end = from + offset;
            if end - start > MAX_RECORD_BYTES {
                return Err(RecordTooLarge);
            }
            records.push(self.pending[start..end].to_vec());
            start = end + 1;
            from = start;
        }
        self.pending.drain(..start);
        self.scanned = self.pending.len();
        if self.pending.len() > MAX_RECORD_BYTES {
            return Err(RecordTooLarge);
        }
        Ok(records)
    }

    /// Whether part of a record is waiting for its separator.
    pub fn has_partial(&self) -> bool {
        !self.pending.is_empty()
    }
}

/// An invocation a client sent (types 1 and 4).
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// The id its completion must carry; `None`: no completion is sent.
    pub invocation_id: Option<String>,
    /// The method name as sent.
    pub target: String,
    /// The arguments as sent.
    pub arguments: Vec<Value>,
}

/// A record a client sent, as the server acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// Type 1: call a hub method.
    Invocation(Invocation),
    /// Type 4: a streaming invocation, answered with an error completion.
    StreamInvocation(Invocation),
    /// Type 6.
    Ping,
    /// Type 7: the client is leaving.
    Close,
    /// Types 2, 3, 5, 8, 9 and unknown numbers: read and ignored.
    Ignored(i64),
}

/// A record that is not a JSON object, lacks an integer `type`, or is an
/// invocation without a string `target` and an `arguments` array (§7.3):
/// the connection is closed with [`super::CLOSED_WITH_ERROR`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed hub record: {0}")]
pub struct MalformedRecord(pub &'static str);

/// Reads one record (without its separator).
pub fn parse(record: &[u8]) -> Result<Incoming, MalformedRecord> {
    let (kind, object) = typed_object(record)?;
    Ok(match kind {
        kind::INVOCATION => Incoming::Invocation(invocation(object)?),
        kind::STREAM_INVOCATION => Incoming::StreamInvocation(invocation(object)?),
        kind::PING => Incoming::Ping,
        kind::CLOSE => Incoming::Close,
        other => Incoming::Ignored(other),
    })
}

/// A record's JSON object and its integer `type`.
fn typed_object(record: &[u8]) -> Result<(i64, Map<String, Value>), MalformedRecord> {
    let value: Value = serde_json::from_slice(record).map_err(|_| MalformedRecord("not JSON"))?;
    let Value::Object(object) = value else {
        return Err(MalformedRecord("not a JSON object"));
    };
    let kind = object.get("type").and_then(Value::as_i64).ok_or(MalformedRecord("no integer `type`"))?;
    Ok((kind, object))
}

fn invocation(mut object: Map<String, Value>) -> Result<Invocation, MalformedRecord> {
    let invocation_id = match object.remove("invocationId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id),
        Some(_) => return Err(MalformedRecord("`invocationId` is not a string")),
    };
    let Some(Value::String(target)) = object.remove("target") else {
        return Err(MalformedRecord("no string `target`"));
    };
    let Some(Value::Array(arguments)) = object.remove("arguments") else {
        return Err(MalformedRecord("no `arguments` array"));
    };
    Ok(Invocation { invocation_id, target, arguments })
}

/// A record the server sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// Type 1 without an invocation id: an event.
    Event {
        /// The event's name (`ReceiveMessage`, ...).
        target: &'static str,
        /// Its arguments.
        arguments: Vec<Value>,
    },
    /// Type 3: the answer to an invocation.
    Completion {
        /// The invocation's id.
        invocation_id: String,
        /// The method's result, or the error text.
        outcome: Result<Value, String>,
    },
    /// Type 6.
    Ping,
    /// Type 7.
    Close {
        /// Why, when it is an error.
        error: Option<String>,
        /// Whether the client should reconnect.
        allow_reconnect: bool,
    },
}

impl Outgoing {
    /// A close record.
    pub fn close(error: Option<&str>, allow_reconnect: bool) -> Self {
        Self::Close { error: error.map(str::to_owned), allow_reconnect }
    }

    /// The record as JSON, without the separator.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Event { target, arguments } => {
                json!({"type": kind::INVOCATION, "target": target, "arguments": arguments})
            }
            Self::Completion { invocation_id, outcome: Ok(result) } => {
                json!({"type": kind::COMPLETION, "invocationId": invocation_id, "result": result})
            }
            Self::Completion { invocation_id, outcome: Err(error) } => {
                json!({"type": kind::COMPLETION, "invocationId": invocation_id, "error": error})
            }
            Self::Ping => json!({"type": kind::PING}),
            Self::Close { error, allow_reconnect } => {
                let mut object = Map::new();
                object.insert("type".to_owned(), json!(kind::CLOSE));
                if let Some(error) = error {
                    object.insert("error".to_owned(), json!(error));
                }
                if *allow_reconnect {
                    object.insert("allowReconnect".to_owned(), json!(true));
                }
                Value::Object(object)
            }
        }
    }

    /// The record as it goes on the wire: JSON and the separator.
    pub fn to_frame(&self) -> String {
        super::frame(&self.to_json())
    }
}

/// A record the server sent, as a client acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerRecord {
    /// Type 1: an event (`invocation_id` is `None` for every event the hub sends).
    Invocation(Invocation),
    /// Type 3: the answer to the client's invocation `invocation_id`.
    Completion {
        /// The invocation it answers.
        invocation_id: String,
        /// The result (`null` when the record has neither), or the error text.
        outcome: Result<Value, String>,
    },
    /// Type 6.
    Ping,
    /// Type 7: the server closes the connection.
    Close {
        /// Why, when it is an error (`Token revoked`, `Token expired`, ...).
        error: Option<String>,
        /// Whether the client may reconnect.
        allow_reconnect: bool,
    },
    /// Types 2, 4, 5, 8, 9 and unknown numbers: nothing a client of this hub acts on.
    Ignored(i64),
}

/// Reads one record the server sent (without its separator).
pub fn parse_server(record: &[u8]) -> Result<ServerRecord, MalformedRecord> {
    let (kind, mut object) = typed_object(record)?;
    Ok(match kind {
        kind::INVOCATION => ServerRecord::Invocation(invocation(object)?),
        kind::COMPLETION => {
            let Some(Value::String(invocation_id)) = object.remove("invocationId") else {
                return Err(MalformedRecord("a completion without a string `invocationId`"));
            };
            let outcome = match object.remove("error") {
                Some(Value::String(error)) => Err(error),
                Some(Value::Null) | None => Ok(object.remove("result").unwrap_or(Value::Null)),
                Some(other) => Err(other.to_string()),
            };
            ServerRecord::Completion { invocation_id, outcome }
        }
        kind::PING => ServerRecord::Ping,
        kind::CLOSE => ServerRecord::Close {
            error: object.get("error").and_then(Value::as_str).map(str::to_owned),
            allow_reconnect: object.get("allowReconnect").and_then(Value::as_bool).unwrap_or(false),
        },
        other => ServerRecord::Ignored(other),
    })
}

/// A record a client sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClientRecord<'a> {
    /// Type 1: call a hub method; with an id, the server answers with a completion.
    Invocation {
        /// The id the completion will carry.
        invocation_id: Option<&'a str>,
        /// The method.
        target: &'a str,
        /// Its arguments.
        arguments: &'a [Value],
    },
    /// Type 6.
    Ping,
    /// Type 7: the client is leaving.
    Close,
}

impl ClientRecord<'_> {
    /// The record as JSON, without the separator.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Invocation { invocation_id: Some(id), target, arguments } => {
                json!({"type": kind::INVOCATION, "invocationId": id, "target": target, "arguments": arguments})
            }
            Self::Invocation { invocation_id: None, target, arguments } => {
                json!({"type": kind::INVOCATION, "target": target, "arguments": arguments})
            }
            Self::Ping => json!({"type": kind::PING}),
            Self::Close => json!({"type": kind::CLOSE}),
        }
    }

    /// The record as it goes on the wire: JSON and the separator.
    pub fn to_frame(&self) -> String {
        super::frame(&self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_records_a_frame_and_a_record_across_frames() {
        let mut buffer = RecordBuffer::default();
        assert_eq!(buffer.push(b"{\"type\":6}\x1e{\"ty").unwrap(), vec![b"{\"type\":6}".to_vec()]);
        assert!(buffer.has_partial());
        assert_eq!(buffer.push(b"pe\":6}").unwrap(), Vec::<Vec<u8>>::new());
        assert_eq!(buffer.push(b"\x1e\x1e").unwrap(), vec![b"{\"type\":6}".to_vec(), Vec::new()]);
        assert!(!buffer.has_partial());
    }

    #[test]
    fn a_record_in_many_pieces_is_found_once_complete() {
        let mut buffer = RecordBuffer::default();
        for piece in [&b"{\"ty"[..], b"pe\"", b":", b"6}"] {
            assert!(buffer.push(piece).unwrap().is_empty());
        }
        assert_eq!(buffer.push(b"\x1e{").unwrap(), vec![b"{\"type\":6}".to_vec()]);
        assert_eq!(buffer.push(b"}\x1e").unwrap(), vec![b"{}".to_vec()]);
        assert!(!buffer.has_partial());
    }

    #[test]
    fn a_record_over_the_limit_is_refused_even_unfinished() {
        let mut buffer = RecordBuffer::default();
        let big = vec![b' '; MAX_RECORD_BYTES];
        assert!(buffer.push(&big).unwrap().is_empty());
        assert_eq!(buffer.push(b" "), Err(RecordTooLarge));
        let mut exact = vec![b' '; MAX_RECORD_BYTES];
        exact.push(RECORD_SEPARATOR);
        assert_eq!(RecordBuffer::default().push(&exact).unwrap().len(), 1);
        exact.insert(0, b' ');
        assert_eq!(RecordBuffer::default().push(&exact), Err(RecordTooLarge));
    }

    #[test]
    fn reads_each_record_type() {
        let call = parse(br#"{"type":1,"invocationId":"0","target":"SendMessage","arguments":[123,"Hi"]}"#).unwrap();
        assert_eq!(
            call,
            Incoming::Invocation(Invocation {
                invocation_id: Some("0".to_owned()),
                target: "SendMessage".to_owned(),
                arguments: vec![json!(123), json!("Hi")],
            })
        );
        let fire = parse(br#"{"type":1,"target":"x","arguments":[]}"#).unwrap();
        assert!(matches!(fire, Incoming::Invocation(Invocation { invocation_id: None, .. })));
        assert!(matches!(
            parse(br#"{"type":4,"invocationId":"1","target":"x","arguments":[]}"#),
            Ok(Incoming::StreamInvocation(_))
        ));
        assert_eq!(parse(br#"{"type":6}"#), Ok(Incoming::Ping));
        assert_eq!(parse(br#"{"type":7,"error":null}"#), Ok(Incoming::Close));
        for ignored in [2, 3, 5, 8, 9, 42, -1] {
            let text = format!(r#"{{"type":{ignored}}}"#);
            assert_eq!(parse(text.as_bytes()), Ok(Incoming::Ignored(ignored)));
        }
    }

    #[test]
    fn malformed_records() {
        for bad in [
            &b"not json"[..],
            b"[1]",
            b"\"x\"",
            b"{}",
            br#"{"type":"1"}"#,
            br#"{"type":1.5}"#,
            br#"{"type":1,"arguments":[]}"#,
            br#"{"type":1,"target":5,"arguments":[]}"#,
            br#"{"type":1,"target":"x"}"#,
            br#"{"type":1,"target":"x","arguments":{}}"#,
            br#"{"type":1,"invocationId":1,"target":"x","arguments":[]}"#,
            br#"{"type":4,"target":"x"}"#,
            b"",
            b"\xff",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn writes_each_record() {
        assert_eq!(Outgoing::Ping.to_frame(), "{\"type\":6}\x1e");
        let frame = Outgoing::close(Some("Token expired"), true).to_frame();
        let json_text = frame.strip_suffix('\u{1e}').unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(json_text).unwrap(),
            json!({"type":7,"error":"Token expired","allowReconnect":true})
        );
        assert_eq!(Outgoing::close(Some("Token revoked"), false).to_json(), json!({"type":7,"error":"Token revoked"}));
        assert_eq!(Outgoing::close(None, true).to_json(), json!({"type":7,"allowReconnect":true}));
        let event = Outgoing::Event { target: "ChatStatusChanged", arguments: vec![json!(123), json!(4)] };
        assert_eq!(event.to_json(), json!({"type":1,"target":"ChatStatusChanged","arguments":[123,4]}));
        let done = Outgoing::Completion { invocation_id: "0".to_owned(), outcome: Ok(json!({"id": 1})) };
        assert_eq!(done.to_json(), json!({"type":3,"invocationId":"0","result":{"id":1}}));
        let failed = Outgoing::Completion { invocation_id: "1".to_owned(), outcome: Err("no".to_owned()) };
        assert_eq!(failed.to_json(), json!({"type":3,"invocationId":"1","error":"no"}));
    }

    #[test]
    fn a_client_reads_what_the_server_writes() {
        let frame = |record: &Outgoing| record.to_frame().trim_end_matches('\u{1e}').as_bytes().to_vec();
        let event = Outgoing::Event { target: "ChatStatusChanged", arguments: vec![json!(123), json!(4)] };
        assert_eq!(
            parse_server(&frame(&event)),
            Ok(ServerRecord::Invocation(Invocation {
                invocation_id: None,
                target: "ChatStatusChanged".to_owned(),
                arguments: vec![json!(123), json!(4)],
            }))
        );
        let done = Outgoing::Completion { invocation_id: "7".to_owned(), outcome: Ok(json!({"id": 1})) };
        assert_eq!(
            parse_server(&frame(&done)),
            Ok(ServerRecord::Completion { invocation_id: "7".to_owned(), outcome: Ok(json!({"id": 1})) })
        );
        let failed = Outgoing::Completion { invocation_id: "8".to_owned(), outcome: Err("no".to_owned()) };
        assert_eq!(
            parse_server(&frame(&failed)),
            Ok(ServerRecord::Completion { invocation_id: "8".to_owned(), outcome: Err("no".to_owned()) })
        );
        assert_eq!(
            parse_server(br#"{"type":3,"invocationId":"9"}"#),
            Ok(ServerRecord::Completion { invocation_id: "9".to_owned(), outcome: Ok(Value::Null) })
        );
        assert_eq!(parse_server(&frame(&Outgoing::Ping)), Ok(ServerRecord::Ping));
        assert_eq!(
            parse_server(&frame(&Outgoing::close(Some("Token revoked"), false))),
            Ok(ServerRecord::Close { error: Some("Token revoked".to_owned()), allow_reconnect: false })
        );
        assert_eq!(
            parse_server(&frame(&Outgoing::close(None, true))),
            Ok(ServerRecord::Close { error: None, allow_reconnect: true })
        );
        assert_eq!(parse_server(br#"{"type":2,"item":1}"#), Ok(ServerRecord::Ignored(2)));
        for bad in [&b"nope"[..], b"[]", b"{}", br#"{"type":3}"#, br#"{"type":1,"target":"x"}"#] {
            assert!(parse_server(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn a_server_reads_what_a_client_writes() {
        let arguments = [json!(123), json!("Hi")];
        let call = ClientRecord::Invocation { invocation_id: Some("0"), target: "SendMessage", arguments: &arguments };
        assert_eq!(call.to_json(), json!({"type":1,"invocationId":"0","target":"SendMessage","arguments":[123,"Hi"]}));
        let frame = call.to_frame();
        let records = RecordBuffer::default().push(frame.as_bytes()).unwrap();
        assert_eq!(
            parse(&records[0]),
            Ok(Incoming::Invocation(Invocation {
                invocation_id: Some("0".to_owned()),
                target: "SendMessage".to_owned(),
                arguments: arguments.to_vec(),
            }))
        );
        let fire = ClientRecord::Invocation { invocation_id: None, target: "X", arguments: &[] };
        assert!(fire.to_json().get("invocationId").is_none());
        assert_eq!(ClientRecord::Ping.to_frame(), "{\"type\":6}\u{1e}");
        assert_eq!(ClientRecord::Close.to_json(), json!({"type":7}));
    }
}
