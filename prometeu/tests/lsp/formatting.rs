//! `textDocument/formatting` and `textDocument/rangeFormatting` through the real server:
//! minimal edits that, applied to the document, give `prometeu fmt`'s text; nothing for a
//! document with syntax errors; the text of the version the request follows.

use serde_json::{Value, json};

use super::client::{LspClient, uri};
use super::{open, workspace};

const MESSY: &str = "\
fn frame() {
    let a = 1;
    let  b=2;
    Log.info(\"ok\");
    if a==b { Log.info( \"same\" ); }
}
";

/// Applies protocol edits (UTF-16 positions) to `text`, last first.
fn apply(text: &str, edits: &Value) -> String {
    let mut edits: Vec<&Value> = edits
        .as_array()
        .expect("an array of edits")
        .iter()
        .collect();
    edits.sort_by_key(|e| {
        (
            e["range"]["start"]["line"].as_u64().unwrap(),
            e["range"]["start"]["character"].as_u64().unwrap(),
        )
    });
    let mut out = text.to_string();
    for edit in edits.iter().rev() {
        let start = offset(text, &edit["range"]["start"]);
        let end = offset(text, &edit["range"]["end"]);
        out.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    out
}

fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (at, ch) in text[line_start..].char_indices() {
        if units >= character {
            return line_start + at;
        }
        units += ch.len_utf16();
    }
    text.len()
}

#[test]
fn formatting_answers_minimal_edits_that_give_the_formatters_text() {
    let (_temp, root) = workspace();
    let path = root.join("town/src/messy.pbs");
    std::fs::write(&path, MESSY).unwrap();
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &path);
    let edits = client.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) },
                "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    let expected = prometeu_analysis::format::format_text(&text).unwrap();
    assert_eq!(apply(&text, &edits), expected);
    // Only the changed lines are edited: the first two lines are already formatted and
    // no edit touches them or the `Log.info("ok")` line.
    for edit in edits.as_array().unwrap() {
        let line = edit["range"]["start"]["line"].as_u64().unwrap();
        assert!(line >= 2 && line != 3, "edit of a formatted line: {edit}");
    }

    // Range formatting: only the statements of the range change.
    let range =
        json!({ "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 5 } });
    let edits = client.result(
        "textDocument/rangeFormatting",
        json!({ "textDocument": { "uri": uri(&path) }, "range": range,
                "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    let expected = MESSY.replace("    let  b=2;\n", "    let b = 2;\n");
    assert_eq!(apply(&text, &edits), expected);
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn formatting_follows_the_documents_version_and_leaves_syntax_errors_alone() {
    let (_temp, root) = workspace();
    let path = root.join("town/src/messy.pbs");
    std::fs::write(&path, MESSY).unwrap();
    let mut client = LspClient::initialized(&root, json!({}));
    open(&mut client, &path);
    let broken = "fn frame() {\n  let x = ;\n}\n";
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&path), "version": 2 },
                "contentChanges": [{ "text": broken }] }),
    );
    let edits = client.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) },
                "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(
        edits,
        Value::Null,
        "a document with syntax errors gets no edits"
    );
    let fixed = "fn frame() {\n  let x = 1;\n}\n";
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&path), "version": 3 },
                "contentChanges": [{ "text": fixed }] }),
    );
    let edits = client.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) },
                "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(apply(fixed, &edits), "fn frame() {\n    let x = 1;\n}\n");
    assert_eq!(client.shutdown(), Some(0));
}
