//! Semantic tokens and inlay hints over the real server: the legend, full, range and
//! delta answers, hints and the settings that turn them off, and a property test —
//! after random edits, the last answer patched with a delta equals a fresh full answer.
//!
//! Cases of the property test: `PROPTEST_CASES` when set, else 12 (each runs a server).

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use super::client::{LspClient, uri};

/// A small app: a module with a struct and functions, a main file that uses them, with
/// multi-byte text so that UTF-16 columns differ from bytes.
const MANIFEST: &str =
    r#"{ "name": "tokens", "version": "0.1.0", "kind": "app", "title": "Tokens", "app_id": 7 }"#;
const MAIN: &str = concat!(
    "import { Shape, area } from \"shapes\";\n",
    "\n",
    "/// The café's sign — 看板 😀.\n",
    "declare const SIZE: int = 4;\n",
    "\n",
    "fn frame() {\n",
    "    let s = Shape(SIZE, 2);\n",
    "    let mut a = area(s);\n",
    "    a += 1; // 😀 after\n",
    "    Log.info(\"a 😀 \" + (a as string));\n",
    "}\n",
);
const MODULE: &str = concat!(
    "pub declare struct Shape(w: int, h: int)\n",
    "pub fn area(s: Shape): int { return s.w * s.h; }\n",
);

/// What is typed by the property test.
#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    "x", "s", "a", "area", "Shape", "SIZE", "let", "let mut", "fn", "if", "return", "when",
    "+", "-", "*", "=", "==", "<", ">", "->", "..", ".", ",", ":", ";", "(", ")", "{", "}",
    " ", "\n", "0", "42", "2.5", "\"", "\"hi\"", "\"😀\"", "//", "/// doc ", "é", "😀", "𝄞",
    "let v = area(s);", "Shape(1, ", "s.w", "\n}\n", "list<int>", "alloc list<int>()",
    "declare const K: int = 2;", "fn g(a: int): int { return a; }",
];

fn write(root: &Path, relative: &str, text: &str) -> std::path::PathBuf {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write");
    path
}

/// A project on disk, a server initialised on it with `options`, and `src/main.pbs`
/// open; the folder, the server, the main file's URI and the server's capabilities.
fn session(options: Value, capabilities: Value) -> (tempfile::TempDir, LspClient, String, Value) {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().canonicalize().expect("canonical");
    write(&root, "prometeu.json", MANIFEST);
    let main = write(&root, "src/main.pbs", MAIN);
    write(&root, "src/shapes/shapes.pbs", MODULE);
    let mut client = LspClient::start();
    let reply = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(&root),
            "workspaceFolders": [{ "uri": uri(&root), "name": "root" }],
            "capabilities": capabilities,
            "initializationOptions": options,
        }),
    );
    let server_capabilities = reply["result"]["capabilities"].clone();
    assert!(
        server_capabilities.is_object(),
        "initialize failed: {reply}"
    );
    client.notify("initialized", json!({}));
    let main_uri = uri(&main);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": main_uri, "languageId": "pbs", "version": 1, "text": MAIN,
        }}),
    );
    (temp, client, main_uri, server_capabilities)
}

fn numbers(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("an array of integers: {value}"))
        .iter()
        .map(|n| n.as_u64().expect("an integer"))
        .collect()
}

/// Decodes the integers against the text: `line:col text kind` per token.
fn decode(data: &[u64], text: &str, kinds: &[Value]) -> Vec<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let (mut line, mut col) = (0usize, 0usize);
    let mut out = Vec::new();
    for token in data.chunks_exact(5) {
        if token[0] > 0 {
            line += token[0] as usize;
            col = token[1] as usize;
        } else {
            col += token[1] as usize;
        }
        let units: Vec<u16> = lines[line].encode_utf16().collect();
        let piece = String::from_utf16(&units[col..col + token[2] as usize]).expect("whole");
        let kind = kinds[token[3] as usize].as_str().expect("a name");
        out.push(format!("{}:{col} {piece} {kind}/{}", line + 1, token[4]));
    }
    out
}

#[test]
fn the_legend_and_full_and_range_tokens() {
    let (_temp, mut client, main_uri, caps) = session(json!(null), json!({}));
    let provider = &caps["semanticTokensProvider"];
    assert_eq!(provider["full"]["delta"], true, "{caps}");
    assert_eq!(provider["range"], true);
    assert_eq!(caps["inlayHintProvider"], true);
    let kinds = provider["legend"]["tokenTypes"]
        .as_array()
        .expect("types")
        .clone();
    let modifiers = provider["legend"]["tokenModifiers"].clone();
    assert_eq!(kinds[0], "namespace");
    assert!(kinds.contains(&json!("parameter")) && kinds.contains(&json!("operator")));
    assert_eq!(modifiers[0], "declaration");
    assert!(
        modifiers
            .as_array()
            .expect("modifiers")
            .contains(&json!("defaultLibrary"))
    );

    let full = client.result(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": main_uri } }),
    );
    assert!(full["resultId"].is_string(), "{full}");
    let tokens = decode(&numbers(&full["data"]), MAIN, &kinds);
    for expected in [
        "1:28 \"shapes\" namespace/0",
        "3:0 /// The café's sign — 看板 😀. comment/32",
        "4:14 SIZE variable/3",
        "7:12 Shape struct/0",
        "8:12 a variable/5",
        "9:12 // 😀 after comment/0",
        "10:4 Log interface/16",
        "10:13 \"a 😀 \" string/0",
        "10:24 a variable/4",
    ] {
        assert!(
            tokens.contains(&expected.to_string()),
            "{expected}\n{tokens:#?}"
        );
    }
    // A range: the tokens of lines 8 and 9 (0-based 7..9), the same as in the full answer.
    let range = client.result(
        "textDocument/semanticTokens/range",
        json!({ "textDocument": { "uri": main_uri },
                "range": { "start": { "line": 7, "character": 0 },
                           "end": { "line": 9, "character": 0 } } }),
    );
    let ranged = decode(&numbers(&range["data"]), MAIN, &kinds);
    let expected: Vec<_> = tokens
        .iter()
        .filter(|t| t.starts_with("8:") || t.starts_with("9:"))
        .cloned()
        .collect();
    assert_eq!(ranged, expected);
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn a_delta_of_an_unknown_result_is_the_full_tokens_and_of_a_known_one_an_edit() {
    let (_temp, mut client, main_uri, _) = session(json!(null), json!({}));
    let full = client.result(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": main_uri } }),
    );
    let unknown = client.result(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": main_uri }, "previousResultId": "nope" }),
    );
    assert_eq!(unknown["data"], full["data"], "{unknown}");
    // Unchanged text: no edits.
    let same = client.result(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": main_uri }, "previousResultId": unknown["resultId"] }),
    );
    assert_eq!(same["edits"], json!([]), "{same}");
    // Rename a local in one place: one edit, not the whole file.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main_uri, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 8, "character": 4 },
                                                "end": { "line": 8, "character": 11 } },
                                     "text": "" }] }),
    );
    let edited = client.result(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": main_uri }, "previousResultId": same["resultId"] }),
    );
    let edits = edited["edits"].as_array().expect("edits");
    assert_eq!(edits.len(), 1, "{edited}");
    assert!(numbers(&edits[0]["data"]).len() < numbers(&full["data"]).len() / 2);
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn inlay_hints_and_the_settings_that_turn_them_off() {
    let hints_of = |client: &mut LspClient, main_uri: &str| -> Vec<String> {
        let hints = client.result(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": main_uri },
                    "range": { "start": { "line": 0, "character": 0 },
                               "end": { "line": 11, "character": 0 } } }),
        );
        hints
            .as_array()
            .expect("hints")
            .iter()
            .map(|h| {
                format!(
                    "{}:{} {} {}",
                    h["position"]["line"], h["position"]["character"], h["label"], h["kind"]
                )
            })
            .collect()
    };
    let (_temp, mut client, main_uri, _) = session(
        json!(null),
        json!({ "workspace": { "inlayHint": { "refreshSupport": true } } }),
    );
    assert_eq!(
        hints_of(&mut client, &main_uri),
        ["6:9 \": Shape\" 1", "6:24 \"h:\" 2", "7:13 \": int\" 1",]
    );
    // Types off through the settings: the client is asked to refresh.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "prometeu": { "inlayHints": { "types": false } } } }),
    );
    let refresh = client.wait_for(|m| m["method"] == "workspace/inlayHint/refresh");
    client.send(&json!({ "jsonrpc": "2.0", "id": refresh["id"], "result": null }));
    assert_eq!(hints_of(&mut client, &main_uri), ["6:24 \"h:\" 2"]);
    assert_eq!(client.shutdown(), Some(0));

    // Parameter names off from the start.
    let (_temp, mut client, main_uri, _) = session(
        json!({ "inlayHints": { "parameterNames": false } }),
        json!({}),
    );
    assert_eq!(
        hints_of(&mut client, &main_uri),
        ["6:9 \": Shape\" 1", "7:13 \": int\" 1"]
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn other_documents_are_refreshed_when_an_edit_changes_more_than_one_files_bodies() {
    let (temp, mut client, main_uri, _) = session(
        json!(null),
        json!({ "workspace": { "semanticTokens": { "refreshSupport": true },
                               "inlayHint": { "refreshSupport": true } } }),
    );
    client.diagnostics_where(&main_uri, |p| p["version"] == 1);
    let module = temp
        .path()
        .canonicalize()
        .unwrap()
        .join("src/shapes/shapes.pbs");
    let module_uri = uri(&module);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": module_uri, "languageId": "pbs", "version": 1, "text": MODULE,
        }}),
    );
    client.diagnostics_where(&module_uri, |p| p["version"] == 1);
    let change = |client: &mut LspClient, version: i32, text: &str| {
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": module_uri, "version": version },
                    "contentChanges": [{ "text": text }] }),
        );
        client.diagnostics_where(&module_uri, |p| p["version"] == version);
    };
    let is_refresh = |m: &Value| {
        m["method"] == "workspace/semanticTokens/refresh"
            || m["method"] == "workspace/inlayHint/refresh"
    };
    // A body edit: what `main.pbs` shows cannot change, so nothing is refreshed.
    change(&mut client, 2, &MODULE.replace("s.w * s.h", "s.h * s.w"));
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        !client.has_received(is_refresh),
        "no refresh after a body edit"
    );
    // A signature: `main.pbs`'s tokens and hints may change, so both are refreshed.
    change(
        &mut client,
        3,
        &MODULE.replace(
            "(s: Shape): int { return s.w * s.h; }",
            "(s: Shape): float { return 1.5; }",
        ),
    );
    client.wait_for(|m| m["method"] == "workspace/semanticTokens/refresh");
    client.wait_for(|m| m["method"] == "workspace/inlayHint/refresh");
    assert_eq!(client.shutdown(), Some(0));
}

// ---------------------------------------------------------------------------------------
// The property test.

/// One random edit: replace `length` characters at a character boundary with text.
#[derive(Clone, Debug)]
struct Edit {
    at: Index,
    length: usize,
    text: Vec<&'static str>,
}

fn any_edit() -> impl Strategy<Value = Edit> {
    (
        any::<Index>(),
        prop_oneof![3 => Just(0usize), 2 => 1usize..12],
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..4),
    )
        .prop_map(|(at, length, text)| Edit { at, length, text })
}

/// The protocol position (UTF-16 columns) of a byte offset of `text`.
fn position(text: &str, offset: usize) -> Value {
    let line = text[..offset].matches('\n').count();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let character = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// `old` patched with a delta's edits (applied back to front, as the protocol says
/// they do not overlap and refer to the old array).
fn apply(old: &[u64], edits: &[Value]) -> Vec<u64> {
    let mut data = old.to_vec();
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e["start"].as_u64()));
    for edit in edits {
        let start = edit["start"].as_u64().expect("start") as usize;
        let count = edit["deleteCount"].as_u64().expect("deleteCount") as usize;
        let inserted = edit.get("data").map(numbers).unwrap_or_default();
        assert!(start + count <= data.len(), "edit past the end: {edit}");
        data.splice(start..start + count, inserted);
    }
    data
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(12)
}

fn run(edits: &[Edit]) {
    let (_temp, mut client, main_uri, _) = session(json!(null), json!({}));
    let full = client.result(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": main_uri } }),
    );
    let mut previous = (full["resultId"].clone(), numbers(&full["data"]));
    let mut text = MAIN.to_string();
    for (version, edit) in edits.iter().enumerate() {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let start = boundaries[edit.at.index(boundaries.len())];
        let end = text[start..]
            .char_indices()
            .nth(edit.length)
            .map_or(text.len(), |(i, _)| start + i);
        let inserted = edit.text.concat();
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": main_uri, "version": version + 2 },
                    "contentChanges": [{ "range": { "start": position(&text, start),
                                                    "end": position(&text, end) },
                                         "text": inserted }] }),
        );
        text.replace_range(start..end, &inserted);
        let delta = client.result(
            "textDocument/semanticTokens/full/delta",
            json!({ "textDocument": { "uri": main_uri }, "previousResultId": previous.0 }),
        );
        let patched = match delta.get("edits") {
            Some(edits) => apply(&previous.1, edits.as_array().expect("edits")),
            None => panic!("the previous result is known, so an edit is expected: {delta}"),
        };
        let fresh = client.result(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": main_uri } }),
        );
        let fresh_data = numbers(&fresh["data"]);
        assert_eq!(patched, fresh_data, "after {edits:?}\n--- text ---\n{text}");
        previous = (fresh["resultId"].clone(), fresh_data);
    }
    assert_eq!(client.shutdown(), Some(0));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_time: 60_000,
        ..ProptestConfig::default()
    })]

    /// Random edits: each delta applied to the previous tokens equals a fresh full
    /// answer for the same text.
    #[test]
    fn a_delta_applied_to_the_previous_tokens_equals_a_fresh_full_answer(
        edits in prop::collection::vec(any_edit(), 1..24),
    ) {
        run(&edits);
    }
}

#[test]
fn the_prelude_document_has_tokens_and_its_items_are_default_library() {
    let (_temp, mut client, _main_uri, caps) = session(json!(null), json!({}));
    let kinds = caps["semanticTokensProvider"]["legend"]["tokenTypes"]
        .as_array()
        .expect("types")
        .clone();
    let document = json!({ "textDocument": { "uri": "prometeu:prelude.pbs" } });
    let prelude = client.result(
        "prometeu/virtualDocument",
        json!({ "uri": "prometeu:prelude.pbs" }),
    );
    let text = prelude["text"]
        .as_str()
        .expect("the prelude's text")
        .to_string();
    let full = client.result("textDocument/semanticTokens/full", document);
    let tokens = decode(&numbers(&full["data"]), &text, &kinds);
    // `Gfx` where the prelude declares it: an interface, declared, of the default library.
    let declaration = tokens
        .iter()
        .find(|t| t.contains(" Gfx interface/"))
        .unwrap_or_else(|| panic!("{tokens:#?}"));
    assert!(declaration.ends_with("/17"), "{declaration}");
    assert_eq!(client.shutdown(), Some(0));
}
