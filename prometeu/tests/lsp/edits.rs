//! Random edit sequences against the server (see `edits_then_diagnostics_equal_check`).
//!
//! Each case starts the real `prometeu lsp`, opens one document (a file of a small app
//! project, or a loose file), sends a random sequence of incremental `didChange`
//! notifications interleaved with requests at random positions, and keeps its own model
//! of the text. At the end the model's text is written to disk and the server's last
//! diagnostics must equal `prometeu check --format json` on it, in order: the
//! document's and every other file's of the project (an edit of the module changes what
//! `main.pbs` imports), with the `Unnecessary` tag exactly on the unused and
//! unreachable kinds. Requests must be answered with a result, or `InvalidParams` for
//! a position past the end; the ranges of an answer must be positions the text has.
//! Positions in the model are converted with code of this file only (lines end at
//! `\n`, a `\r` before it belongs to the terminator, a lone `\r` is an ordinary
//! character: `docs/spec/pbs-language.md` §1), never with the server's.
//!
//! Cases: `PROPTEST_CASES` when set, else 16 (each case runs a server and the CLI).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use super::client::{LspClient, uri};

/// JSON-RPC `InvalidParams`: the answer to a position the document does not have.
const INVALID_PARAMS: i64 = -32602;
/// LSP `ContentModified`: the document changed before the request could be answered.
const CONTENT_MODIFIED: i64 = -32801;
/// LSP `RequestCancelled`.
const REQUEST_CANCELLED: i64 = -32800;

/// The codes whose diagnostics carry the `Unnecessary` tag (`toolchain.md` §4).
const UNNECESSARY: &[&str] = &[
    "W_UNUSED_LOCAL",
    "W_UNUSED_IMPORT",
    "W_UNUSED_PRIVATE",
    "W_UNREACHABLE_CODE",
    "W_UNREACHABLE_ARM",
];

/// The app's manifest.
const MANIFEST: &str =
    r#"{ "name": "edits", "version": "0.1.0", "kind": "app", "title": "Edits", "app_id": 9 }"#;

/// The app's main file: imports the module, multi-byte text in comments and strings.
const MAIN: &str = concat!(
    "import { Shape, area, scale } from \"shapes\";\n",
    "\n",
    "/// Where the café's sign goes — 看板 😀.\n",
    "declare const SIZE: int = 4;\n",
    "\n",
    "fn init() {\n",
    "    Log.info(\"start ☕ 𝄞\");\n",
    "}\n",
    "\n",
    "fn frame() {\n",
    "    let s = Shape(SIZE, 2);\n",
    "    let a = area(s);\n",
    "    let big = scale(s, 3);\n",
    "    if a > 10 { Log.info(\"big \" + (area(big) as string)); }\n",
    "}\n",
);

/// The app's one module file, with CRLF line ends.
const MODULE: &str = concat!(
    "/// A rectangle, in cells (é€).\r\n",
    "pub declare struct Shape(w: int, h: int)\r\n",
    "\r\n",
    "pub fn area(s: Shape): int {\r\n",
    "    return s.w * s.h;\r\n",
    "}\r\n",
    "\r\n",
    "pub fn scale(s: Shape, by: int): Shape {\r\n",
    "    let label = \"×𝄞\";\r\n",
    "    return Shape(s.w * by, s.h * by);\r\n",
    "}\r\n",
);

/// A loose file (no project around it), without a final line end.
const LOOSE: &str = concat!(
    "fn frame() {\n",
    "    let name = \"naïve €\";\n",
    "    let n: int = 3;\n",
    "    Log.info(name + (n as string)); // 😀\n",
    "}",
);

/// What is typed: PBS fragments, line ends, characters that start no token, and
/// characters of 2, 3 and 4 UTF-8 bytes (`😀`, `𝄞` and `👍🏽` are outside the BMP: surrogate
/// pairs in UTF-16).
#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    "x", "s", "area", "scale", "Shape", "SIZE", "frame", "init", "name", "_t", "Log.info",
    "let", "let mut", "fn", "pub", "mod", "if", "else", "return", "when", "for", "in",
    "while", "struct", "declare", "const", "import", "from", "some", "none", "true",
    "+", "-", "*", "/", "%", "=", "==", "!=", "<", ">", "->", "..", ".", ",", ":", ";",
    "?", "(", ")", "{", "}", "[", "]", " ", "    ", "\n", "\r\n", "\r", "\t", "0", "42",
    "2.5", "0x1F", "10b", "\"", "\"hi\"", "\"é€\"", "\"😀\"", "\"\\u{1F600}\"", "//",
    "/// doc ", "#", "`", "@", "é", "€", "中文", "漢", "😀", "𝄞", "👍🏽", "let v = area(s);",
    "let q: int = \"no\";", "fn g(a: int): int { return a; }", "area(", "scale(s, ",
    "Shape(1, ", "s.w", "big.h", "\n}\n", "{\n    ", "return none;",
    "declare struct Shape(a: int)", "pub fn area(x: int): int { return x; }",
    "import { Shape } from \"shapes\";\n", "let s = Shape(SIZE, 2);", "s.area()",
    "when", "some(x) -> 1,", "none -> 2,", "ok(", "err(", "handle", "for i in 0..3 {",
];

/// Where a position is taken from, resolved against the text at the time.
#[derive(Clone, Debug)]
enum Anchor {
    /// Any character boundary (a `\r\n` counts as one place: the line's end).
    Any(Index),
    /// The very end of the text.
    End,
    /// The start of the last line.
    LastLineStart,
    /// The end of a line.
    LineEnd(Index),
}

/// What one content change replaces.
#[derive(Clone, Debug)]
enum Extent {
    /// Nothing: an insertion.
    Insert,
    /// This many characters after the start (fewer at the end of the text).
    Chars(usize),
    /// Up to another anchor (the two are put in order).
    To(Anchor),
}

/// One content change of a `didChange`.
#[derive(Clone, Debug)]
enum Change {
    /// A range and its new text.
    Range {
        start: Anchor,
        extent: Extent,
        text: Vec<&'static str>,
    },
    /// The whole text (a client may always send it).
    Whole(Vec<&'static str>),
}

/// A request position, possibly one the document does not have.
#[derive(Clone, Debug)]
enum Place {
    /// A position the text has.
    At(Anchor),
    /// A line (relative to the line count: may be past it) and any column (may be past
    /// the line's end, or inside a character).
    Raw { line: Index, past: u32, column: u32 },
}

/// The requests sent at random positions.
#[derive(Clone, Copy, Debug)]
enum Method {
    Hover,
    Definition,
    DocumentSymbol,
    References(bool),
    SignatureHelp,
}

/// One step of a session.
#[derive(Clone, Debug)]
enum Step {
    /// A `didChange` with these changes, applied in order.
    Edit(Vec<Change>),
    /// A request; `wait`: its answer is awaited before the next step, else collected at
    /// the end (and, if `cancel`, cancelled right away).
    Ask {
        method: Method,
        place: Place,
        wait: bool,
        cancel: bool,
    },
}

/// Which document a case edits.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// `src/main.pbs` of the app.
    Main,
    /// `src/shapes/shapes.pbs` of the app.
    Module,
    /// A `.pbs` file with no `prometeu.json` above it.
    Loose,
}

/// How columns are counted: the negotiated position encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16,
}

// ---------------------------------------------------------------------------------------
// The text model: positions ↔ byte offsets, written independently of the server.

/// Each line of `text`: its start offset and the end of its content (before `\n` or
/// `\r\n`).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (at, byte) in text.bytes().enumerate() {
        if byte == b'\n' {
            let end = if at > start && text.as_bytes()[at - 1] == b'\r' {
                at - 1
            } else {
                at
            };
            lines.push((start, end));
            start = at + 1;
        }
    }
    lines.push((start, text.len()));
    lines
}

fn units(ch: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => ch.len_utf8(),
        Encoding::Utf16 => ch.len_utf16(),
    }
}

/// The byte offset of `line`/`column`, if that names a character boundary of the line.
fn offset_of(text: &str, line: usize, column: usize, encoding: Encoding) -> Option<usize> {
    let &(start, end) = lines(text).get(line)?;
    let mut counted = 0;
    for (at, ch) in text[start..end].char_indices() {
        if counted == column {
            return Some(start + at);
        }
        if counted > column {
            return None;
        }
        counted += units(ch, encoding);
    }
    (counted == column).then_some(end)
}

/// The line and column of a byte offset at a character boundary; an offset inside a
/// line terminator is its line's end.
fn position_of(text: &str, offset: usize, encoding: Encoding) -> (usize, usize) {
    let lines = lines(text);
    let line = lines
        .iter()
        .rposition(|&(start, _)| start <= offset)
        .expect("line 0");
    let (start, end) = lines[line];
    let column = text[start..offset.min(end)]
        .chars()
        .map(|ch| units(ch, encoding))
        .sum();
    (line, column)
}

/// Byte offsets of the character boundaries of `text`, end included.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(at, _)| at)
        .chain([text.len()])
        .collect()
}

/// The byte offset an anchor names (always a place a client could name: a character
/// boundary, and never between the `\r` and `\n` of a line end).
fn resolve(text: &str, anchor: &Anchor) -> usize {
    let line_end = |line: usize| lines(text)[line].1;
    let offset = match anchor {
        Anchor::Any(index) => {
            let all = boundaries(text);
            all[index.index(all.len())]
        }
        Anchor::End => text.len(),
        Anchor::LastLineStart => lines(text).last().expect("a line").0,
        Anchor::LineEnd(index) => line_end(index.index(lines(text).len())),
    };
    let (line, column) = position_of(text, offset, Encoding::Utf8);
    offset_of(text, line, column, Encoding::Utf8).expect("a boundary")
}

fn protocol_position(text: &str, offset: usize, encoding: Encoding) -> Value {
    let (line, character) = position_of(text, offset, encoding);
    json!({ "line": line, "character": character })
}

/// Whether the server must accept a position in `text`: a line the text has (a column
/// past its end or inside a character is clamped, as the protocol asks), or the line
/// just after the last at column 0 (the end of the text). `None`: the server may do
/// either (only that last case, which the protocol leaves open).
fn position_is_valid(text: &str, line: usize, character: usize) -> Option<bool> {
    let count = lines(text).len();
    if line < count {
        Some(true)
    } else if line == count && character == 0 {
        None
    } else {
        Some(false)
    }
}

// ---------------------------------------------------------------------------------------
// Strategies.

fn any_anchor() -> impl Strategy<Value = Anchor> {
    prop_oneof![
        6 => any::<Index>().prop_map(Anchor::Any),
        1 => Just(Anchor::End),
        1 => Just(Anchor::LastLineStart),
        2 => any::<Index>().prop_map(Anchor::LineEnd),
    ]
}

fn any_text() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..4)
}

fn any_change() -> impl Strategy<Value = Change> {
    let extent = prop_oneof![
        4 => Just(Extent::Insert),
        3 => (1usize..12).prop_map(Extent::Chars),
        1 => any_anchor().prop_map(Extent::To),
    ];
    prop_oneof![
        30 => (any_anchor(), extent, any_text())
            .prop_map(|(start, extent, text)| Change::Range { start, extent, text }),
        1 => prop::collection::vec(prop::sample::select(FRAGMENTS), 0..30).prop_map(Change::Whole),
    ]
}

fn any_step() -> impl Strategy<Value = Step> {
    let method = prop_oneof![
        Just(Method::Hover),
        Just(Method::Definition),
        Just(Method::DocumentSymbol),
        any::<bool>().prop_map(Method::References),
        Just(Method::SignatureHelp),
    ];
    let place = prop_oneof![
        3 => any_anchor().prop_map(Place::At),
        1 => (any::<Index>(), prop_oneof![3 => Just(0u32), 1 => 1u32..4], 0u32..120)
            .prop_map(|(line, past, column)| Place::Raw { line, past, column }),
    ];
    prop_oneof![
        3 => prop::collection::vec(any_change(), 1..4).prop_map(Step::Edit),
        1 => (method, place, any::<bool>(), prop::bool::weighted(0.25)).prop_map(
            |(method, place, wait, cancel)| Step::Ask { method, place, wait, cancel: cancel && !wait }
        ),
    ]
}

fn any_target() -> impl Strategy<Value = Target> {
    prop_oneof![
        Just(Target::Main),
        Just(Target::Module),
        Just(Target::Loose)
    ]
}

fn any_encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![Just(Encoding::Utf8), Just(Encoding::Utf16)]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(16)
}

// ---------------------------------------------------------------------------------------
// A session.

/// The files of a case on disk and the document that is edited.
struct Setup {
    _temp: tempfile::TempDir,
    /// The workspace folder.
    root: PathBuf,
    /// What `prometeu check` is given.
    check_target: PathBuf,
    /// The edited document.
    document: PathBuf,
    /// How `check` names the document in its `file` field.
    check_name: String,
    /// Whether the document is a loose file.
    loose: bool,
}

fn setup(target: Target) -> Setup {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().canonicalize().expect("canonical");
    let write = |relative: &str, text: &str| {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    };
    let (document, check_target, check_name) = if let Target::Loose = target {
        let document = write("scratch.pbs", LOOSE);
        let name = document.display().to_string();
        (document.clone(), document, name)
    } else {
        write("prometeu.json", MANIFEST);
        let main = write("src/main.pbs", MAIN);
        let module = write("src/shapes/shapes.pbs", MODULE);
        match target {
            Target::Main => (main, root.clone(), "src/main.pbs".to_string()),
            _ => (module, root.clone(), "src/shapes/shapes.pbs".to_string()),
        }
    };
    Setup {
        _temp: temp,
        root,
        check_target,
        document,
        check_name,
        loose: matches!(target, Target::Loose),
    }
}

/// A request sent and not yet answered, with what is needed to judge its answer.
struct Asked {
    id: i64,
    method: Method,
    /// The document's text when the request was sent (the server answers from a
    /// snapshot consistent with it).
    text: String,
    /// Whether the server must answer (`Some(true)`) or refuse (`Some(false)`) the
    /// position, or may do either.
    valid: Option<bool>,
    cancelled: bool,
}

/// The state of one case: the server, the document's URI and the model of its text.
struct Session {
    client: LspClient,
    uri: String,
    text: String,
    version: i64,
    encoding: Encoding,
    /// Requests whose answers are collected at the end.
    outstanding: Vec<Asked>,
    /// The last diagnostics published for each URI (see `settle`).
    published: BTreeMap<String, Value>,
}

impl Session {
    fn change(&mut self, changes: &[Change]) {
        let mut events = Vec::new();
        for change in changes {
            match change {
                Change::Whole(fragments) => {
                    self.text = fragments.concat();
                    events.push(json!({ "text": self.text }));
                }
                Change::Range {
                    start,
                    extent,
                    text,
                } => {
                    let first = resolve(&self.text, start);
                    let second = match extent {
                        Extent::Insert => first,
                        Extent::Chars(count) => self.text[first..]
                            .char_indices()
                            .map(|(at, _)| first + at)
                            .chain([self.text.len()])
                            .nth(*count)
                            .unwrap_or(self.text.len()),
                        Extent::To(anchor) => resolve(&self.text, anchor),
                    };
                    let (start, end) = (first.min(second), first.max(second));
                    // `Chars` may end between `\r` and `\n`: name it as the client would.
                    let range = json!({
                        "start": protocol_position(&self.text, start, self.encoding),
                        "end": protocol_position(&self.text, end, self.encoding),
                    });
                    let end = offset_of_position(&self.text, &range["end"], self.encoding);
                    let inserted = text.concat();
                    self.text.replace_range(start..end, &inserted);
                    events.push(json!({ "range": range, "text": inserted }));
                }
            }
        }
        self.version += 1;
        self.client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": self.uri, "version": self.version },
                    "contentChanges": events }),
        );
    }

    fn ask(&mut self, method: Method, place: &Place, wait: bool, cancel: bool) {
        let (position, valid) = match place {
            Place::At(anchor) => {
                let offset = resolve(&self.text, anchor);
                (
                    protocol_position(&self.text, offset, self.encoding),
                    Some(true),
                )
            }
            Place::Raw { line, past, column } => {
                let count = lines(&self.text).len();
                let line = if *past == 0 {
                    line.index(count)
                } else {
                    count - 1 + *past as usize
                };
                let valid = position_is_valid(&self.text, line, *column as usize);
                (json!({ "line": line, "character": column }), valid)
            }
        };
        let document = json!({ "uri": self.uri });
        let (name, params, valid) = match method {
            Method::Hover => (
                "textDocument/hover",
                json!({ "textDocument": document, "position": position }),
                valid,
            ),
            Method::Definition => (
                "textDocument/definition",
                json!({ "textDocument": document, "position": position }),
                valid,
            ),
            Method::DocumentSymbol => (
                "textDocument/documentSymbol",
                json!({ "textDocument": document }),
                Some(true),
            ),
            Method::References(declaration) => (
                "textDocument/references",
                json!({ "textDocument": document, "position": position,
                        "context": { "includeDeclaration": declaration } }),
                valid,
            ),
            Method::SignatureHelp => (
                "textDocument/signatureHelp",
                json!({ "textDocument": document, "position": position }),
                valid,
            ),
        };
        let id = self.client.send_request(name, params.clone());
        let asked = Asked {
            id,
            method,
            text: self.text.clone(),
            valid,
            cancelled: cancel,
        };
        if cancel {
            self.client.notify("$/cancelRequest", json!({ "id": id }));
        }
        if wait {
            let reply = self.client.response(id);
            judge(&asked, &reply, &self.uri, self.encoding, false);
        } else {
            self.outstanding.push(asked);
        }
    }

    /// Collects the answers of the requests nobody waited for.
    fn collect(&mut self) {
        for asked in std::mem::take(&mut self.outstanding) {
            let reply = self.client.response(asked.id);
            judge(&asked, &reply, &self.uri, self.encoding, true);
        }
    }

    /// Waits until the server's diagnostics of every file show the current text, and
    /// returns that text (the server's then has one more line end).
    ///
    /// An open document gets its diagnostics for every new version (`toolchain.md` §4),
    /// so the current version's arrive. The publisher sends one snapshot's diagnostics
    /// together, the open document's first: the other files' of this version have all
    /// arrived once the document's of the next version arrive.
    fn settle(&mut self) -> String {
        let text = self.text.clone();
        self.receive_diagnostics_until(self.version, true);
        self.edit_at_end(text.len(), "\n");
        self.receive_diagnostics_until(self.version, false);
        text
    }

    /// Reads published diagnostics in arrival order, remembering the last of each URI,
    /// up to the document's of `version` (remembered only if `keep`).
    fn receive_diagnostics_until(&mut self, version: i64, keep: bool) {
        loop {
            let message = self
                .client
                .wait_for(|m| m["method"] == "textDocument/publishDiagnostics");
            let params = message["params"].clone();
            let uri = params["uri"].as_str().expect("a URI").to_string();
            let done = uri == self.uri && params["version"] == version;
            if keep || !done {
                self.published.insert(uri, params);
            }
            if done {
                return;
            }
        }
    }

    /// Replaces the text from byte `start` to the end with `text`, as a new version.
    fn edit_at_end(&mut self, start: usize, text: &str) {
        let range = json!({
            "start": protocol_position(&self.text, start, self.encoding),
            "end": protocol_position(&self.text, self.text.len(), self.encoding),
        });
        self.text.replace_range(start.., text);
        self.version += 1;
        self.client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": self.uri, "version": self.version },
                    "contentChanges": [{ "range": range, "text": text }] }),
        );
    }
}

/// The byte offset of a protocol position the model produced itself.
fn offset_of_position(text: &str, position: &Value, encoding: Encoding) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    offset_of(text, line, character, encoding).expect("a position of the text")
}

/// Checks one answer: a result for a position the document has (whose ranges in the
/// document are positions of the text it was asked about), `InvalidParams` for one it
/// has not; `late` answers may also be `ContentModified`, cancelled ones
/// `RequestCancelled`.
fn judge(asked: &Asked, reply: &Value, uri: &str, encoding: Encoding, late: bool) {
    let context = || format!("{:?}: {reply}\n--- text ---\n{}", asked.method, asked.text);
    if let Some(error) = reply.get("error") {
        let code = error["code"].as_i64().unwrap_or_default();
        let allowed = (code == INVALID_PARAMS && asked.valid != Some(true))
            || (code == CONTENT_MODIFIED && late)
            || (code == REQUEST_CANCELLED && asked.cancelled);
        assert!(allowed, "unexpected error: {}", context());
        return;
    }
    assert!(
        reply.get("result").is_some(),
        "neither result nor error: {}",
        context()
    );
    assert_ne!(
        asked.valid,
        Some(false),
        "a position past the end was answered: {}",
        context()
    );
    check_ranges(&reply["result"], true, uri, &asked.text, encoding, &context);
}

/// Every range of `value` that lies in the document (`in_document`, or an object whose
/// `uri`/`targetUri` is the document's) names positions the text has, in order.
fn check_ranges(
    value: &Value,
    in_document: bool,
    uri: &str,
    text: &str,
    encoding: Encoding,
    context: &dyn Fn() -> String,
) {
    match value {
        Value::Array(items) => {
            for item in items {
                check_ranges(item, in_document, uri, text, encoding, context);
            }
        }
        Value::Object(fields) => {
            let in_document = match fields.get("uri").or_else(|| fields.get("targetUri")) {
                Some(named) => named == uri,
                None => in_document,
            };
            for (key, field) in fields {
                let is_range = matches!(
                    key.as_str(),
                    "range"
                        | "selectionRange"
                        | "targetRange"
                        | "targetSelectionRange"
                        | "originSelectionRange"
                );
                if is_range && in_document {
                    let start = offset_of_checked(text, &field["start"], encoding);
                    let end = offset_of_checked(text, &field["end"], encoding);
                    match (start, end) {
                        (Some(start), Some(end)) => {
                            assert!(start <= end, "reversed {key}: {}", context())
                        }
                        _ => panic!("{key} {field} is not in the text: {}", context()),
                    }
                } else {
                    check_ranges(field, in_document, uri, text, encoding, context);
                }
            }
        }
        _ => {}
    }
}

fn offset_of_checked(text: &str, position: &Value, encoding: Encoding) -> Option<usize> {
    let line = usize::try_from(position["line"].as_u64()?).ok()?;
    let character = usize::try_from(position["character"].as_u64()?).ok()?;
    offset_of(text, line, character, encoding)
}

// ---------------------------------------------------------------------------------------
// Comparing with `prometeu check`.

/// One diagnostic as both sides can show it: severity, code, message, range (0-based
/// line, UTF-8 column) and related information (message, file, range).
type Shown = (
    String,
    String,
    String,
    [usize; 4],
    Vec<(String, String, [usize; 4])>,
);

/// Diagnostics by file name (as `check` names files), files without any left out.
type ByFile = BTreeMap<String, Vec<Shown>>;

/// `check --format json`'s diagnostics.
fn checked(setup: &Setup) -> ByFile {
    let output = Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .arg("check")
        .arg(&setup.check_target)
        .args(["--format", "json"])
        .output()
        .expect("prometeu check runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "check failed: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let range = |r: &Value| {
        let n = |v: &Value| v.as_u64().expect("a number") as usize;
        [
            n(&r["start"]["line"]),
            n(&r["start"]["col"]),
            n(&r["end"]["line"]),
            n(&r["end"]["col"]),
        ]
    };
    let mut by_file = ByFile::new();
    for line in String::from_utf8(output.stdout).expect("UTF-8").lines() {
        let d: Value = serde_json::from_str(line).expect("a JSON line");
        let related = d["related"]
            .as_array()
            .expect("related is always present")
            .iter()
            .map(|r| {
                (
                    r["message"].as_str().expect("message").to_string(),
                    r["file"].as_str().expect("file").to_string(),
                    range(&r["range"]),
                )
            })
            .collect();
        let shown = (
            d["severity"].as_str().expect("severity").to_string(),
            d["code"].as_str().expect("code").to_string(),
            d["message"].as_str().expect("message").to_string(),
            range(&d["range"]),
            related,
        );
        let file = d["file"].as_str().expect("file").to_string();
        by_file.entry(file).or_default().push(shown);
    }
    by_file
}

/// The server's last published diagnostics, converted to `check`'s shape with the
/// model: the document's against its final `text`, other files' against their text on
/// disk.
fn published(setup: &Setup, session: &Session, text: &str) -> ByFile {
    // A file by URI: its text and its name as `check` has it (a project's files relative
    // to it, a loose file as given).
    let file_of = |uri: &str| -> (String, String) {
        if uri == session.uri {
            return (text.to_string(), setup.check_name.clone());
        }
        let Some(path) = uri.strip_prefix("file://") else {
            return (String::new(), uri.to_string());
        };
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = match Path::new(path).strip_prefix(&setup.root) {
            Ok(relative) if !setup.loose => relative.display().to_string(),
            _ => path.to_string(),
        };
        (text, name)
    };
    let range = |text: &str, r: &Value| -> [usize; 4] {
        let at = |p: &Value| {
            let offset = offset_of_checked(text, p, session.encoding)
                .unwrap_or_else(|| panic!("published position {p} is not in the text"));
            position_of(text, offset, Encoding::Utf8)
        };
        let (start, end) = (at(&r["start"]), at(&r["end"]));
        [start.0, start.1, end.0, end.1]
    };
    let mut by_file = ByFile::new();
    for (uri, params) in &session.published {
        let (file_text, name) = file_of(uri);
        let shown: Vec<Shown> = params["diagnostics"]
            .as_array()
            .expect("an array")
            .iter()
            .map(|d| {
                let severity = match d["severity"].as_i64() {
                    Some(1) => "error",
                    Some(2) => "warning",
                    other => panic!("severity {other:?}"),
                };
                let code = d["code"].as_str().expect("code");
                let tags = d.get("tags").cloned().unwrap_or(json!([]));
                let unnecessary = UNNECESSARY.contains(&code);
                assert_eq!(
                    tags,
                    if unnecessary { json!([1]) } else { json!([]) },
                    "the Unnecessary tag of {d}"
                );
                let related = d["relatedInformation"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|r| {
                        let (text, name) = file_of(r["location"]["uri"].as_str().expect("uri"));
                        let message = r["message"].as_str().expect("message").to_string();
                        (message, name, range(&text, &r["location"]["range"]))
                    })
                    .collect();
                (
                    severity.to_string(),
                    code.to_string(),
                    d["message"].as_str().expect("message").to_string(),
                    range(&file_text, &d["range"]),
                    related,
                )
            })
            .collect();
        if !shown.is_empty() {
            by_file.insert(name, shown);
        }
    }
    by_file
}

/// Runs one case: returns `Err` with a description when the server and `check`
/// disagree (panics for everything else: a crash, a bad answer, a timeout).
fn run(target: Target, encoding: Encoding, steps: &[Step]) -> Result<(), String> {
    let setup = setup(target);
    let capabilities = match encoding {
        Encoding::Utf8 => json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } }),
        Encoding::Utf16 => json!({}),
    };
    let mut client = LspClient::initialized(&setup.root, capabilities);
    let text = std::fs::read_to_string(&setup.document).expect("readable");
    let document_uri = uri(&setup.document);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": document_uri, "languageId": "pbs", "version": 1, "text": text,
        }}),
    );
    let mut session = Session {
        client,
        uri: document_uri,
        text,
        version: 1,
        encoding,
        outstanding: Vec::new(),
        published: BTreeMap::new(),
    };
    for step in steps {
        match step {
            Step::Edit(changes) => session.change(changes),
            Step::Ask {
                method,
                place,
                wait,
                cancel,
            } => session.ask(*method, place, *wait, *cancel),
        }
    }
    session.collect();
    let text = session.settle();
    std::fs::write(&setup.document, &text).expect("write the final text");
    let server = published(&setup, &session, &text);
    let check = checked(&setup);

    // Still alive and answering, then a clean exit.
    let symbols = session.client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": session.uri } }),
    );
    assert!(symbols.get("result").is_some(), "{symbols}");
    assert_eq!(session.client.shutdown(), Some(0), "shutdown then exit");

    if server == check {
        Ok(())
    } else {
        Err(format!(
            "the server's diagnostics differ from `prometeu check`'s\n\
             --- text ({:?}) ---\n{text:?}\n--- server ---\n{server:#?}\n--- check ---\n{check:#?}",
            setup.check_name
        ))
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // A failing case runs a server per shrink step: bound the time spent.
        max_shrink_time: 120_000,
        ..ProptestConfig::default()
    })]

    /// Random incremental edits and requests, then the server's diagnostics equal
    /// `prometeu check --format json` on the final text.
    #[test]
    fn edits_then_diagnostics_equal_check(
        target in any_target(),
        encoding in any_encoding(),
        steps in prop::collection::vec(any_step(), 1..80),
    ) {
        if let Err(difference) = run(target, encoding, &steps) {
            prop_assert!(false, "{}", difference);
        }
    }
}

#[test]
fn the_text_model_counts_columns_like_the_protocol() {
    let text = "a😀b\r\né€\rx\n";
    assert_eq!(lines(text), [(0, 6), (8, 15), (16, 16)]);
    // `😀` is 4 UTF-8 bytes and 2 UTF-16 units; a lone `\r` is part of its line.
    assert_eq!(offset_of(text, 0, 3, Encoding::Utf16), Some(5));
    assert_eq!(offset_of(text, 0, 2, Encoding::Utf16), None);
    assert_eq!(offset_of(text, 0, 5, Encoding::Utf8), Some(5));
    assert_eq!(offset_of(text, 1, 3, Encoding::Utf16), Some(14));
    assert_eq!(offset_of(text, 1, 4, Encoding::Utf16), Some(15));
    assert_eq!(offset_of(text, 1, 5, Encoding::Utf16), None);
    assert_eq!(position_of(text, 7, Encoding::Utf16), (0, 4));
    assert_eq!(position_of(text, 15, Encoding::Utf8), (1, 7));
    assert_eq!(position_of(text, 16, Encoding::Utf16), (2, 0));
}
