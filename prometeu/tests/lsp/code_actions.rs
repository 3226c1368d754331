//! `textDocument/codeAction` over the real transport: the declared kinds, quick fixes
//! attached to the diagnostic they fix, `only` filtering, `source.organizeImports`, and
//! each fix applied by the client (UTF-16 ranges after multi-byte text) clearing its
//! diagnostic in the next publication.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::client::{LspClient, uri};
use super::codes;

const MAIN: &str = concat!(
    "import { volume, length } from \"geo\";\n",
    "import { area } from \"geo\";\n",
    "\n",
    "fn frame() {\n",
    "    let mut count = length(2);\n",
    "    Log.info(\"café ☕ 𝄞\" + (cuont as string));\n",
    "    let half = count as float * 0.5;\n",
    "    Log.info(half as string);\n",
    "    Log.info(area(1) as string);\n",
    "}\n",
);

const GEO: &str = concat!(
    "pub fn length(n: int): int { return n; }\n",
    "pub fn area(n: int): int { return n * n; }\n",
    "pub fn volume(n: int): int { return n * n * n; }\n",
);

/// A project with `MAIN` and its `geo` module, and the path of `main.pbs`.
fn project() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().canonicalize().expect("canonical");
    std::fs::create_dir_all(root.join("src/geo")).expect("mkdir");
    std::fs::write(
        root.join("prometeu.json"),
        r#"{"name": "actions", "version": "0.1.0"}"#,
    )
    .expect("manifest");
    std::fs::write(root.join("src/main.pbs"), MAIN).expect("main");
    std::fs::write(root.join("src/geo/lib.pbs"), GEO).expect("geo");
    let main = root.join("src/main.pbs");
    (temp, root, main)
}

/// The byte offset of a UTF-16 position of `text`.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (at, c) in text[line_start..].char_indices() {
        if units >= character || c == '\n' {
            return line_start + at;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with the action's edits of `document` applied (from its `changes`, which
/// must equal its versioned `documentChanges`).
fn apply(text: &str, action: &Value, document: &str) -> String {
    let edits = action["edit"]["changes"][document]
        .as_array()
        .unwrap_or_else(|| panic!("no edits of {document}: {action}"));
    let versioned = &action["edit"]["documentChanges"][0];
    assert_eq!(versioned["textDocument"]["uri"], document);
    assert_eq!(&versioned["edits"], &action["edit"]["changes"][document]);
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().expect("new text"),
            )
        })
        .collect();
    spans.sort();
    let mut out = text.to_string();
    for (start, end, new) in spans.into_iter().rev() {
        out.replace_range(start..end, new);
    }
    out
}

/// The code actions for the range of `diagnostic`, with it as the context.
fn actions_for(client: &mut LspClient, document: &str, diagnostic: &Value) -> Vec<Value> {
    let reply = client.result(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": document },
            "range": diagnostic["range"],
            "context": { "diagnostics": [diagnostic], "only": ["quickfix"] },
        }),
    );
    reply.as_array().expect("a list").clone()
}

/// Replaces the whole document and waits for the diagnostics of its new version.
fn change(client: &mut LspClient, document: &str, version: i64, text: &str) -> Value {
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": document, "version": version },
            "contentChanges": [{ "text": text }],
        }),
    );
    client.diagnostics_where(document, |d| d["version"] == version)
}

#[test]
fn quick_fixes_are_attached_to_their_diagnostics_and_clear_them() {
    let (_temp, root, main) = project();
    let mut client = LspClient::initialized(&root, json!({}));
    let document = uri(&main);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": document, "languageId": "pbs", "version": 1, "text": MAIN,
        }}),
    );
    let published = client.diagnostics_where(&document, |d| !codes(d).is_empty());
    let mut found = codes(&published);
    found.sort();
    assert_eq!(
        found,
        vec![
            "E_PARSE_UNEXPECTED_TOKEN",
            "E_RESOLVE_UNDEFINED",
            "W_UNUSED_IMPORT",
            "W_UNUSED_MUT"
        ],
        "{published}"
    );

    // Each fix in turn, on the text the previous one left.
    let expected = [
        ("E_RESOLVE_UNDEFINED", "Change `cuont` to `count`"),
        (
            "E_PARSE_UNEXPECTED_TOKEN",
            "Add parentheses: `(count as float)`",
        ),
        ("W_UNUSED_MUT", "Remove the `mut` of `count`"),
        ("W_UNUSED_IMPORT", "Remove `volume` from the import"),
    ];
    let mut text = MAIN.to_string();
    let mut diagnostics = published;
    for (version, (code, title)) in (2..).zip(expected) {
        let diagnostic = diagnostics["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {diagnostics}"))
            .clone();
        let actions = actions_for(&mut client, &document, &diagnostic);
        let action = actions
            .iter()
            .find(|a| a["title"] == title)
            .unwrap_or_else(|| panic!("`{title}` among {actions:?}"));
        assert_eq!(action["kind"], "quickfix");
        assert_eq!(action["isPreferred"], true);
        assert_eq!(action["diagnostics"][0]["code"], code);
        assert_eq!(action["diagnostics"][0]["range"], diagnostic["range"]);
        text = apply(&text, action, &document);
        diagnostics = change(&mut client, &document, version, &text);
        assert!(
            !codes(&diagnostics).contains(&code.to_string()),
            "{code} after `{title}`:\n{text}\n{diagnostics}"
        );
    }
    assert!(codes(&diagnostics).is_empty(), "{diagnostics}");
    assert!(
        text.contains("Log.info(\"café ☕ 𝄞\" + (count as string));"),
        "{text}"
    );
    assert!(
        text.contains("let half = (count as float) * 0.5;"),
        "{text}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn organize_imports_is_a_source_action_filtered_by_only() {
    let (_temp, root, main) = project();
    let mut client = LspClient::start();
    let reply = client.result(
        "initialize",
        json!({ "processId": null, "rootUri": uri(&root), "capabilities": {} }),
    );
    let provider = &reply["capabilities"]["codeActionProvider"];
    assert_eq!(
        provider["codeActionKinds"],
        json!(["quickfix", "source.organizeImports"])
    );
    client.notify("initialized", json!({}));
    let document = uri(&main);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": document, "languageId": "pbs", "version": 1, "text": MAIN,
        }}),
    );
    client.diagnostics_where(&document, |d| !codes(d).is_empty());
    let whole = json!({ "start": { "line": 0, "character": 0 },
                        "end": { "line": 10, "character": 0 } });
    let ask = |client: &mut LspClient, only: Value| -> Vec<Value> {
        let mut context = json!({ "diagnostics": [] });
        if !only.is_null() {
            context["only"] = only;
        }
        client
            .result(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": document }, "range": whole,
                        "context": context }),
            )
            .as_array()
            .expect("a list")
            .clone()
    };
    let kinds = |actions: &[Value]| -> Vec<String> {
        actions
            .iter()
            .map(|a| a["kind"].as_str().expect("a kind").to_string())
            .collect()
    };
    let organize = ask(&mut client, json!(["source.organizeImports"]));
    assert_eq!(kinds(&organize), vec!["source.organizeImports"]);
    assert!(organize[0].get("diagnostics").is_none_or(Value::is_null));
    let organized = apply(MAIN, &organize[0], &document);
    assert!(
        organized.starts_with("import { area, length } from \"geo\";\n\nfn frame()"),
        "{organized}"
    );
    assert_eq!(
        kinds(&ask(&mut client, json!(["source"]))),
        vec!["source.organizeImports"]
    );
    let fixes = ask(&mut client, json!(["quickfix"]));
    assert!(kinds(&fixes).iter().all(|k| k == "quickfix") && fixes.len() >= 4);
    let everything = ask(&mut client, Value::Null);
    assert_eq!(everything.len(), fixes.len() + 1);
    assert!(ask(&mut client, json!(["refactor"])).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}
