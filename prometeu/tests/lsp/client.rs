//! A minimal LSP client for tests: runs `prometeu lsp` as a child process and speaks
//! JSON-RPC over its stdin and stdout, as an editor does.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a test waits for any one answer.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A running server and the messages it sent that nobody has looked at yet.
pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    pending: VecDeque<Value>,
    next_id: i64,
}

/// `file://` URI of a path.
pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl LspClient {
    /// Starts `prometeu lsp --stdio`.
    pub fn start() -> LspClient {
        let mut child = Command::new(env!("CARGO_BIN_EXE_prometeu"))
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("prometeu lsp starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        LspClient {
            stdin: child.stdin.take(),
            child,
            incoming,
            pending: VecDeque::new(),
            next_id: 1,
        }
    }

    /// Starts a server and initialises it with `root` as the workspace folder.
    pub fn initialized(root: &Path, capabilities: Value) -> LspClient {
        let mut client = LspClient::start();
        let reply = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{ "uri": uri(root), "name": "root" }],
                "capabilities": capabilities,
            }),
        );
        assert!(reply.get("result").is_some(), "initialize failed: {reply}");
        client.notify("initialized", json!({}));
        client
    }

    /// Sends raw bytes (for malformed-input tests).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    /// Sends one message.
    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serialisable");
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.send_raw(&framed);
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({ "jsonrpc": "2.0", "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
    }

    /// Sends a request and returns its id, without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        // Methods without parameters (`shutdown`) take none at all, not `null`.
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
        id
    }

    /// Sends a request and waits for its whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Sends a request and returns its `result`, failing the test on an error.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let reply = self.request(method, params);
        match reply.get("result") {
            Some(result) => result.clone(),
            None => panic!("{method} failed: {reply}"),
        }
    }

    /// Waits for the response to request `id`.
    pub fn response(&mut self, id: i64) -> Value {
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// Waits for the response to request `id` like a client that ignores the server's own
    /// requests: they are kept, unanswered.
    pub fn response_leaving_requests_unanswered(&mut self, id: i64) -> Value {
        let is_reply = |m: &Value| m.get("id") == Some(&json!(id)) && m.get("method").is_none();
        if let Some(at) = self.pending.iter().position(is_reply) {
            return self.pending.remove(at).expect("present");
        }
        loop {
            let message = self
                .incoming
                .recv_timeout(TIMEOUT)
                .expect("the server answers in time");
            if is_reply(&message) {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    /// Waits for the first message that `matches`, answering the server's own requests
    /// (registration, progress tokens) with `null` meanwhile; other messages are kept.
    pub fn wait_for(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.pending.iter().position(&matches) {
            return self.pending.remove(at).expect("present");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => panic!("no matching message in {TIMEOUT:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            };
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
            if matches(&message) {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    /// Whether a message that `matches` has arrived by now (without waiting; the server's
    /// own requests are answered with `null` as [`LspClient::wait_for`] does).
    pub fn has_received(&mut self, matches: impl Fn(&Value) -> bool) -> bool {
        while let Ok(message) = self.incoming.try_recv() {
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
            self.pending.push_back(message);
        }
        self.pending.iter().any(matches)
    }

    /// Waits for `publishDiagnostics` of `uri` that satisfies `accept`.
    pub fn diagnostics_where(&mut self, uri: &str, accept: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.wait_for(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            });
            if accept(&message["params"]) {
                return message["params"].clone();
            }
        }
    }

    /// `shutdown` then `exit`; returns the exit status, waiting at most 10 s.
    pub fn shutdown(mut self) -> Option<i32> {
        let reply = self.request("shutdown", Value::Null);
        assert!(reply.get("error").is_none(), "shutdown failed: {reply}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Waits up to 10 s for the process to end.
    pub fn wait_exit(mut self) -> Option<i32> {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit within 10 s");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one framed message; `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
