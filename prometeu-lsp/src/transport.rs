//! The stdio framing in front of tower-lsp, which ends the whole session on the first
//! malformed message. Here every message is read and checked first: a well-formed one is
//! passed on whole; a malformed one (bad headers, a body that is not JSON, JSON that is
//! no JSON-RPC message, a body over [`MAX_MESSAGE_BYTES`]) is answered with the
//! JSON-RPC error the protocol names, and the session goes on. Replies of both kinds are
//! written whole, one after the other, so they never interleave.

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp::jsonrpc::{Request, Response};

/// The largest message body read (64 MiB); a larger one is skipped unread and answered
/// with an error, so memory stays bounded whatever the client sends.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// The longest header section accepted before its blank line.
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// What the decoder made of the next bytes of the input.
#[derive(Clone, PartialEq, Debug)]
pub enum Incoming {
    /// A well-formed JSON-RPC message body, to pass on as it is.
    Message(Vec<u8>),
    /// A complete reply to send for input that was not a message.
    Malformed(Vec<u8>),
}

/// Splits a byte stream into LSP messages (`Content-Length` framing), checking each.
#[derive(Default, Debug)]
pub struct Decoder {
    buffer: Vec<u8>,
    /// Bytes of an oversized body still to drop.
    skipping: usize,
}

impl Decoder {
    /// Appends input.
    pub fn feed(&mut self, bytes: &[u8]) {
        let skipped = self.skipping.min(bytes.len());
        self.skipping -= skipped;
        self.buffer.extend_from_slice(&bytes[skipped..]);
    }

    /// The next message or error reply; `None` when more input is needed.
    pub fn next_message(&mut self) -> Option<Incoming> {
        Some(match self.next_frame()? {
            Ok(body) => check(body),
            Err(reply) => Incoming::Malformed(reply),
        })
    }

    /// The next framed body, unchecked, or the error reply for bad framing.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, Vec<u8>>> {
        // Blank lines between messages are tolerated.
        let leading = self
            .buffer
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        self.buffer.drain(..leading);
        if self.buffer.is_empty() {
            return None;
        }
        let Some((header_len, body_start)) = find_blank_line(&self.buffer) else {
            if self.buffer.len() > MAX_HEADER_BYTES {
                self.buffer.clear();
                return Some(Err(error_reply(
                    Value::Null,
                    -32700,
                    "header section too long",
                )));
            }
            return None;
        };
        let length = content_length(&self.buffer[..header_len]);
        let Some(length) = length else {
            self.buffer.drain(..body_start);
            return Some(Err(error_reply(
                Value::Null,
                -32700,
                "a message without a valid Content-Length header",
            )));
        };
        if length > MAX_MESSAGE_BYTES {
            let available = self.buffer.len() - body_start;
            self.skipping = length.saturating_sub(available);
            let end = body_start + length.min(available);
            self.buffer.drain(..end);
            return Some(Err(error_reply(
                Value::Null,
                -32600,
                &format!("a message of {length} bytes is over the limit of {MAX_MESSAGE_BYTES}"),
            )));
        }
        if self.buffer.len() < body_start + length {
            return None;
        }
        let body: Vec<u8> = self
            .buffer
            .drain(..body_start + length)
            .skip(body_start)
            .collect();
        Some(Ok(body))
    }
}

/// The end of the header section: (its length, where the body starts).
fn find_blank_line(buffer: &[u8]) -> Option<(usize, usize)> {
    let crlf = buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, at + 4));
    let lf = buffer
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|at| (at, at + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// The `Content-Length` of a header section (names are case-insensitive).
fn content_length(headers: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(headers).ok()?;
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// A body that tower-lsp will accept, or the error reply for it.
fn check(body: Vec<u8>) -> Incoming {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => {
            return Incoming::Malformed(error_reply(
                Value::Null,
                -32700,
                &format!("not JSON: {error}"),
            ));
        }
    };
    let is_message = serde_json::from_value::<Request>(value.clone()).is_ok()
        || serde_json::from_value::<Response>(value.clone()).is_ok();
    if is_message {
        return Incoming::Message(body);
    }
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Incoming::Malformed(error_reply(
        id,
        -32600,
        "not a JSON-RPC 2.0 request, notification or response",
    ))
}

/// Whether a checked body is the `exit` notification.
fn is_exit(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .is_ok_and(|v| v.get("method").and_then(Value::as_str) == Some("exit"))
}

/// A framed JSON-RPC error response.
fn error_reply(id: Value, code: i64, message: &str) -> Vec<u8> {
    let reply =
        json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    frame(&serde_json::to_vec(&reply).expect("serialisable"))
}

/// One message with its header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

/// Copies checked messages from `input` to the server's input, sending error replies for
/// everything else to `replies`. Ends at the end of `input`.
pub async fn filter_input<I, W>(
    mut input: I,
    mut server: W,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) where
    I: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut decoder = Decoder::default();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = match input.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        decoder.feed(&chunk[..read]);
        while let Some(incoming) = decoder.next_message() {
            match incoming {
                Incoming::Message(body) => {
                    if server.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                    // After `exit` nothing more is read: the server sees the end of its
                    // input and stops, even though the client keeps the pipe open.
                    if is_exit(&body) {
                        let _ = server.shutdown().await;
                        return;
                    }
                }
                Incoming::Malformed(reply) => {
                    let _ = replies.send(reply);
                }
            }
        }
        if server.flush().await.is_err() {
            return;
        }
    }
    let _ = server.shutdown().await;
}

/// Writes the server's messages and the error replies to `output`, each whole.
pub async fn merge_output<R, O>(
    mut server: R,
    mut output: O,
    mut replies: mpsc::UnboundedReceiver<Vec<u8>>,
) where
    R: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut frames = Decoder::default();
    let mut chunk = vec![0u8; 64 * 1024];
    let (mut server_open, mut replies_open) = (true, true);
    while server_open || replies_open {
        let mut out = Vec::new();
        tokio::select! {
            read = server.read(&mut chunk), if server_open => match read {
                Ok(0) | Err(_) => server_open = false,
                Ok(read) => {
                    frames.feed(&chunk[..read]);
                    // The server's framing is always right: only whole bodies come out.
                    while let Some(Ok(body)) = frames.next_frame() {
                        out.extend(frame(&body));
                    }
                }
            },
            reply = replies.recv(), if replies_open => match reply {
                Some(reply) => out = reply,
                None => replies_open = false,
            },
        }
        if !out.is_empty()
            && (output.write_all(&out).await.is_err() || output.flush().await.is_err())
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// One unit of a client's output: a message the server must get, or something it
    /// must answer with an error (with the error code expected).
    #[derive(Clone, Debug)]
    enum Unit {
        Valid(Vec<u8>),
        Bad(Vec<u8>, i64),
    }

    fn unit() -> impl Strategy<Value = Unit> {
        prop_oneof![
            (0i64..1000, "[a-z/]{1,20}", "\\PC{0,40}").prop_map(|(id, method, text)| {
                let body = json!({ "jsonrpc": "2.0", "id": id, "method": method,
                                   "params": { "text": text } });
                Unit::Valid(frame(&serde_json::to_vec(&body).unwrap()))
            }),
            "\\PC{0,40}".prop_map(|text| {
                let body = json!({ "jsonrpc": "2.0", "method": "n", "params": [text] });
                Unit::Valid(frame(&serde_json::to_vec(&body).unwrap()))
            }),
            // Not JSON at all.
            "[{}\\[\\],:a-z]{1,30}"
                .prop_filter("not JSON", |t| serde_json::from_str::<Value>(t).is_err())
                .prop_map(|t| Unit::Bad(frame(t.as_bytes()), -32700)),
            // JSON, but no JSON-RPC message.
            (0i64..10).prop_map(|n| Unit::Bad(frame(format!("[{n}]").as_bytes()), -32600)),
            Just(Unit::Bad(
                frame(br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#),
                -32600
            )),
            // A header section without a length.
            Just(Unit::Bad(b"Content-Type: x\r\n\r\n".to_vec(), -32700)),
            Just(Unit::Bad(b"Content-Length: many\r\n\r\n".to_vec(), -32700)),
        ]
    }

    fn decode_all(stream: &[u8], chunk: usize) -> Vec<Incoming> {
        let mut decoder = Decoder::default();
        let mut out = Vec::new();
        for piece in stream.chunks(chunk.max(1)) {
            decoder.feed(piece);
            while let Some(incoming) = decoder.next_message() {
                out.push(incoming);
            }
        }
        out
    }

    proptest! {
        #[test]
        fn every_message_passes_and_every_mistake_is_answered_once(
            units in proptest::collection::vec(unit(), 0..20),
            chunk in 1usize..64,
        ) {
            let stream: Vec<u8> = units.iter().flat_map(|u| match u {
                Unit::Valid(bytes) | Unit::Bad(bytes, _) => bytes.clone(),
            }).collect();
            let decoded = decode_all(&stream, chunk);
            prop_assert_eq!(decoded.len(), units.len());
            for (unit, incoming) in units.iter().zip(&decoded) {
                match (unit, incoming) {
                    (Unit::Valid(framed), Incoming::Message(body)) => {
                        prop_assert!(framed.ends_with(body));
                    }
                    (Unit::Bad(_, code), Incoming::Malformed(reply)) => {
                        let text = String::from_utf8_lossy(reply);
                        let json_start = text.find('{').unwrap();
                        let reply: Value = serde_json::from_str(&text[json_start..]).unwrap();
                        prop_assert_eq!(&reply["error"]["code"], &json!(code));
                    }
                    (unit, incoming) => prop_assert!(false, "{unit:?} gave {incoming:?}"),
                }
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic_and_memory_stays_bounded(
            bytes in proptest::collection::vec(any::<u8>(), 0..4096),
            chunk in 1usize..512,
        ) {
            let mut decoder = Decoder::default();
            for piece in bytes.chunks(chunk) {
                decoder.feed(piece);
                while decoder.next_message().is_some() {}
                prop_assert!(decoder.buffer.len() <= MAX_HEADER_BYTES + bytes.len());
            }
        }
    }

    #[test]
    fn an_oversized_body_is_skipped_without_being_kept() {
        let mut decoder = Decoder::default();
        let huge = MAX_MESSAGE_BYTES + 10;
        decoder.feed(format!("Content-Length: {huge}\r\n\r\n").as_bytes());
        let Some(Incoming::Malformed(reply)) = decoder.next_message() else {
            panic!("an error reply");
        };
        assert!(String::from_utf8_lossy(&reply).contains("over the limit"));
        // Feed the body in pieces: nothing is buffered, then the next message comes.
        let piece = vec![b'x'; 1 << 20];
        let mut left = huge;
        while left > 0 {
            let n = left.min(piece.len());
            decoder.feed(&piece[..n]);
            left -= n;
            assert!(decoder.buffer.is_empty());
        }
        decoder.feed(&frame(
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
        assert!(matches!(decoder.next_message(), Some(Incoming::Message(_))));
    }
}
