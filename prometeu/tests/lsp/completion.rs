//! `textDocument/completion` and `completionItem/resolve` through the real server: the
//! edit ranges, snippets only for clients that support them, auto-import edits, and
//! documentation on resolve (`toolchain.md` §4, completion).

use serde_json::{Value, json};

use super::client::{LspClient, uri};
use super::{at, open, workspace};

/// What an editor with snippets announces.
fn snippet_capabilities() -> Value {
    json!({ "textDocument": { "completion": { "completionItem": {
        "snippetSupport": true,
        "resolveSupport": { "properties": ["documentation"] },
    }}}})
}

/// The unfinished code the tests complete in: a trailing `.`, a half-typed name.
const PROBE: &str = "\nfn probe(count: int) {\n    let c = Color.\n    let n = clamp_i\n}\n";

/// The item labelled `label` of a completion reply.
fn item<'a>(reply: &'a Value, label: &str) -> &'a Value {
    reply["items"]
        .as_array()
        .expect("a completion list")
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no `{label}` in {reply}"))
}

/// The labels of a completion reply, in order.
fn item_labels(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .expect("a completion list")
        .iter()
        .map(|i| i["label"].as_str().expect("a label").to_string())
        .collect()
}

/// Opens town's main file with [`PROBE`] appended; returns the new text.
fn open_probe(client: &mut LspClient, main: &std::path::Path) -> String {
    let text = open(client, main) + PROBE;
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri(main), "version": 2 },
            "contentChanges": [{ "text": text }],
        }),
    );
    text
}

#[test]
fn completion_members_snippets_auto_import_and_resolve() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, snippet_capabilities());
    let text = open_probe(&mut client, &main);

    // After `Color.`: the constants, replacing nothing yet.
    let reply = client.result("textDocument/completion", at(&main, &text, "Color.\n", 6));
    let red = item(&reply, "RED");
    assert_eq!(red["kind"], 21, "a constant: {red}");
    let range = &red["textEdit"]["range"];
    assert_eq!(range["start"], range["end"], "{red}");
    assert_eq!(red["textEdit"]["newText"], "RED");

    // `clamp_i`: the dependency's function, imported into the existing `@math` import,
    // as a snippet with its parameters.
    let reply = client.result("textDocument/completion", at(&main, &text, "clamp_i\n", 7));
    // Filtered by the prefix, so the editor asks again when it changes.
    assert_eq!(reply["isIncomplete"], true, "{reply}");
    assert!(
        item_labels(&reply).iter().all(|l| l.starts_with('c')),
        "{reply}"
    );
    let clamp = item(&reply, "clamp_int");
    assert_eq!(clamp["insertTextFormat"], 2, "{clamp}");
    assert_eq!(
        clamp["textEdit"]["newText"],
        "clamp_int(${1:v}, ${2:lo}, ${3:hi})$0"
    );
    assert_eq!(
        clamp["textEdit"]["range"]["start"]["character"], 12,
        "{clamp}"
    );
    assert_eq!(
        clamp["labelDetails"]["description"],
        "import from \"@math\""
    );
    let edits = clamp["additionalTextEdits"].as_array().expect("the import");
    assert_eq!(edits.len(), 1, "{clamp}");
    assert_eq!(edits[0]["newText"], "clamp_int, ");
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 0, "character": 15 }),
        "before `lerp` in `import {{ Vec2, lerp }}`: {clamp}"
    );

    // The documentation comes on resolve.
    assert!(clamp.get("documentation").is_none(), "{clamp}");
    let resolved = client.result("completionItem/resolve", clamp.clone());
    let doc = resolved["documentation"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        doc.contains("fn clamp_int(v: int, lo: int, hi: int): int"),
        "{resolved}"
    );

    // With `c` typed: the parameter first, the prelude's `Color` later, the item that
    // needs an import last.
    let reply = client.result("textDocument/completion", at(&main, &text, "clamp_i\n", 1));
    let labels = item_labels(&reply);
    let position = |label: &str| labels.iter().position(|l| *l == label);
    assert_eq!(position("count"), Some(0), "{labels:?}");
    assert!(position("Color") < position("clamp_int"), "{labels:?}");
    assert_eq!(position("clamp_int"), Some(labels.len() - 1), "{labels:?}");
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn completion_without_snippet_support_inserts_plain_names() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open_probe(&mut client, &main);
    let reply = client.result("textDocument/completion", at(&main, &text, "clamp_i\n", 7));
    let clamp = item(&reply, "clamp_int");
    assert_eq!(clamp["textEdit"]["newText"], "clamp_int", "{clamp}");
    assert_eq!(clamp["insertTextFormat"], 1, "{clamp}");
    // Built-in methods resolve to their description.
    let folk = root.join("town/src/world/folk.pbs");
    let folk_text = open(&mut client, &folk);
    let reply = client.result(
        "textDocument/completion",
        at(&folk, &folk_text, "people.push", 7),
    );
    let push = item(&reply, "push");
    let resolved = client.result("completionItem/resolve", push.clone());
    assert!(
        resolved["documentation"]["value"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{resolved}"
    );
    assert_eq!(client.shutdown(), Some(0));
}
