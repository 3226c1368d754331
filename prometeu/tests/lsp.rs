//! The language server through its real transport: `prometeu lsp` as a child process,
//! driven over stdin/stdout by a small JSON-RPC client, one test per method and per
//! error path (`docs/spec/toolchain.md` §4).

#[path = "lsp/client.rs"]
mod client;
#[path = "support/examples.rs"]
mod examples;

use std::path::{Path, PathBuf};

use client::{LspClient, uri};
use serde_json::{Value, json};

/// A copy of the example projects `town` and `mathlib` (town depends on it), so tests
/// may change files on disk.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    examples::copy_examples(&["town", "mathlib"])
}

fn open(client: &mut LspClient, path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": uri(path), "languageId": "pbs", "version": 1, "text": text,
        }}),
    );
    text
}

/// The 0-based line and UTF-16 column of the first occurrence of `needle` (plus
/// `skip` characters) in `text`.
fn position_of(text: &str, needle: &str, skip: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in text"))
        + skip;
    let line = text[..at].matches('\n').count();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[line_start..at].encode_utf16().count();
    json!({ "line": line, "character": character })
}

fn at(path: &Path, text: &str, needle: &str, skip: usize) -> Value {
    json!({
        "textDocument": { "uri": uri(path) },
        "position": position_of(text, needle, skip),
    })
}

/// The Markdown of the hover at `needle` (plus `skip` characters) of an open file.
fn hover_markdown(
    client: &mut LspClient,
    path: &Path,
    text: &str,
    needle: &str,
    skip: usize,
) -> String {
    let hover = client.result("textDocument/hover", at(path, text, needle, skip));
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Whether an external client is there to run; under CI it must be (`.ci/run`
/// installs it), elsewhere its test says how to get it and passes.
fn external_client(available: bool, what: &str, how: &str) -> bool {
    assert!(
        available || std::env::var_os("CI").is_none(),
        "CI must provide {what}"
    );
    if !available {
        eprintln!("skipped: no {what}; {how}");
    }
    available
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics["diagnostics"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn initialize_negotiates_the_position_encoding() {
    let (_temp, root) = workspace();
    let mut client = LspClient::start();
    let reply = client.result(
        "initialize",
        json!({ "processId": null, "rootUri": uri(&root), "capabilities": {
            "general": { "positionEncodings": ["utf-8", "utf-16"] } } }),
    );
    assert_eq!(reply["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(reply["capabilities"]["textDocumentSync"]["change"], 2);
    assert_eq!(reply["serverInfo"]["name"], "prometeu");
    assert_eq!(client.shutdown(), Some(0));

    let mut client = LspClient::start();
    let reply = client.result(
        "initialize",
        json!({ "processId": null, "rootUri": uri(&root), "capabilities": {} }),
    );
    assert_eq!(reply["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let mut client = LspClient::start();
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), Some(1));
}

#[test]
fn diagnostics_cover_every_file_of_the_project_and_clear_when_fixed() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let hud = root.join("town/src/ui/hud.pbs");
    // A mistake in a file that is not open.
    let hud_text = std::fs::read_to_string(&hud).unwrap();
    std::fs::write(
        &hud,
        format!("{hud_text}\nfn broken(): int {{ return true; }}\n"),
    )
    .unwrap();
    let mut client = LspClient::initialized(&root, json!({}));
    open(&mut client, &main);
    let published = client.diagnostics_where(&uri(&hud), |d| !codes(d).is_empty());
    assert!(
        codes(&published).contains(&"E_TYPE_MISMATCH".to_string()),
        "{published}"
    );

    // Fix it on disk and say so: the diagnostics go away.
    std::fs::write(&hud, &hud_text).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&hud), "type": 2 }] }),
    );
    client.diagnostics_where(&uri(&hud), |d| codes(d).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn incremental_edits_apply_in_order_with_utf16_positions() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);
    let main_uri = uri(&main);
    // Insert a line with characters outside the BMP, then an error after them on the
    // same line: the column of the error counts UTF-16 units.
    let after_frame = position_of(&text, "fn frame() {", "fn frame() {".len());
    let edits = [
        json!({ "range": { "start": after_frame, "end": after_frame },
                "text": "\n    let s = \"😀😀\"; let n: int = \"x\";" }),
    ];
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main_uri, "version": 2 }, "contentChanges": edits }),
    );
    let published = client.diagnostics_where(&main_uri, |d| {
        d["version"] == 2 && codes(d).contains(&"E_TYPE_MISMATCH".to_string())
    });
    let mismatch = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E_TYPE_MISMATCH")
        .unwrap()
        .clone();
    let line = after_frame["line"].as_u64().unwrap() + 1;
    // `    let s = "😀😀"; let n: int = ` is 32 UTF-16 units (each emoji is 2).
    assert_eq!(
        mismatch["range"]["start"],
        json!({ "line": line, "character": 33 })
    );
    // Undo it with a second edit: clean again.
    let start = json!({ "line": line - 1, "character": after_frame["character"] });
    let end = json!({ "line": line, "character": 39 });
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main_uri, "version": 3 },
                "contentChanges": [{ "range": { "start": start, "end": end }, "text": "" }] }),
    );
    client.diagnostics_where(&main_uri, |d| d["version"] == 3 && codes(d).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn a_loose_file_is_analysed_while_open_and_cleared_when_closed() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().canonicalize().unwrap();
    let loose = root.join("scratch.pbs");
    std::fs::write(&loose, "fn frame() { let unused = 1; }\n").unwrap();
    let mut client = LspClient::initialized(&root, json!({}));
    open(&mut client, &loose);
    let published = client.diagnostics_where(&uri(&loose), |d| !codes(d).is_empty());
    assert_eq!(codes(&published), ["W_UNUSED_LOCAL"]);
    assert_eq!(
        published["diagnostics"][0]["tags"],
        json!([1]),
        "Unnecessary"
    );
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri(&loose) } }),
    );
    client.diagnostics_where(&uri(&loose), |d| codes(d).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn an_edited_manifest_reloads_its_project_and_gets_its_own_diagnostics() {
    let (_temp, root) = workspace();
    let manifest = root.join("town/prometeu.json");
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    open(&mut client, &main);
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"../mathlib\"", "\"../nowhere\"")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&manifest), "type": 2 }] }),
    );
    let published = client.diagnostics_where(&uri(&manifest), |d| !codes(d).is_empty());
    assert_eq!(codes(&published), ["E_PROJECT_DEPENDENCY"]);
    std::fs::write(&manifest, text).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&manifest), "type": 2 }] }),
    );
    client.diagnostics_where(&uri(&manifest), |d| codes(d).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn an_open_manifest_is_analysed_as_it_is_typed() {
    let (_temp, root) = workspace();
    let manifest = root.join("town/prometeu.json");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &manifest);
    let edited = text.replace("\"../mathlib\"", "\"../nowhere\"");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&manifest), "version": 2 },
                "contentChanges": [{ "text": edited }] }),
    );
    let published = client.diagnostics_where(&uri(&manifest), |d| !codes(d).is_empty());
    assert_eq!(codes(&published), ["E_PROJECT_DEPENDENCY"]);
    assert_eq!(published["version"], 2);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&manifest), "version": 3 },
                "contentChanges": [{ "text": text }] }),
    );
    client.diagnostics_where(&uri(&manifest), |d| codes(d).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn the_watcher_is_registered_and_indexing_reports_progress() {
    let (_temp, root) = workspace();
    let mut client = LspClient::initialized(
        &root,
        json!({
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
            "window": { "workDoneProgress": true },
        }),
    );
    let registration = client.wait_for(|m| m["method"] == "client/registerCapability");
    let watchers = &registration["params"]["registrations"][0];
    assert_eq!(watchers["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = watchers["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(globs, ["**/*.pbs", "**/prometeu.json"]);
    client.wait_for(|m| m["method"] == "window/workDoneProgress/create");
    let begin = client.wait_for(|m| m["method"] == "$/progress");
    assert_eq!(begin["params"]["value"]["kind"], "begin");
    let end = client.wait_for(|m| m["method"] == "$/progress");
    assert_eq!(end["params"]["value"]["kind"], "end");
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn hover_definition_declaration_and_type_definition() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);

    let markdown = hover_markdown(&mut client, &main, &text, "lerp(20.0", 1);
    assert!(markdown.contains("fn lerp("), "{markdown}");

    // `lerp` is defined in the dependency, declared by this file's import.
    let definition = client.result("textDocument/definition", at(&main, &text, "lerp(20.0", 1));
    let target = definition[0]["targetUri"].as_str().unwrap();
    assert!(target.ends_with("mathlib/src/lib.pbs"), "{definition}");
    let declaration = client.result("textDocument/declaration", at(&main, &text, "lerp(20.0", 1));
    assert_eq!(declaration[0]["targetUri"], uri(&main), "{declaration}");
    assert_eq!(declaration[0]["targetSelectionRange"]["start"]["line"], 0);

    // The type of `Vec2(x, 90.0)` is the struct `Vec2`.
    let type_definition =
        client.result("textDocument/typeDefinition", at(&main, &text, "Vec2(x", 1));
    assert!(
        type_definition[0]["targetUri"]
            .as_str()
            .unwrap()
            .ends_with("mathlib/src/lib.pbs"),
        "{type_definition}"
    );

    // A host function: its system-call id and cost come from the console's table.
    let markdown = hover_markdown(&mut client, &main, &text, "Gfx.clear", 5);
    assert!(
        markdown.contains("system call `0x1010` · cost `2000` cycles"),
        "{markdown}"
    );

    // A prelude item: a read-only virtual document with its text served on request.
    let prelude = client.result("textDocument/definition", at(&main, &text, "Gfx.clear", 1));
    let prelude_uri = prelude[0]["targetUri"].as_str().unwrap().to_string();
    assert_eq!(prelude_uri, "prometeu:prelude.pbs");
    let document = client.result("prometeu/virtualDocument", json!({ "uri": prelude_uri }));
    assert!(document["text"].as_str().unwrap().contains("Gfx"));
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn references_highlight_and_rename_across_projects() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let lib = root.join("mathlib/src/lib.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);

    let with_declaration = client.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri(&main) },
                "position": position_of(&text, "lerp(20.0", 1),
                "context": { "includeDeclaration": true } }),
    );
    let uris: Vec<&str> = with_declaration
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&uri(&lib).as_str()), "{with_declaration}");
    assert!(uris.contains(&uri(&main).as_str()), "{with_declaration}");
    let without = client.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri(&main) },
                "position": position_of(&text, "lerp(20.0", 1),
                "context": { "includeDeclaration": false } }),
    );
    assert_eq!(
        without.as_array().unwrap().len() + 1,
        with_declaration.as_array().unwrap().len()
    );

    let highlights = client.result(
        "textDocument/documentHighlight",
        at(&main, &text, "let t =", 4),
    );
    let kinds: Vec<i64> = highlights
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_i64().unwrap())
        .collect();
    assert!(kinds.len() >= 2, "{highlights}");

    let prepared = client.result(
        "textDocument/prepareRename",
        at(&main, &text, "lerp(20.0", 1),
    );
    assert_eq!(prepared["start"], position_of(&text, "lerp(20.0", 0));
    let edit = client.result(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri(&main) },
                "position": position_of(&text, "lerp(20.0", 1), "newName": "mix" }),
    );
    let changes = edit["changes"].as_object().unwrap();
    assert!(changes.contains_key(&uri(&lib)), "{edit}");
    assert!(changes.contains_key(&uri(&main)), "{edit}");
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn symbols_and_signature_help() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);

    let outline = client.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri(&main) } }),
    );
    let names: Vec<&str> = outline
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"frame") && names.contains(&"init"),
        "{outline}"
    );

    let found = client.result("workspace/symbol", json!({ "query": "lrp" }));
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "lerp"),
        "{found}"
    );

    let help = client.result(
        "textDocument/signatureHelp",
        at(&main, &text, "lerp(20.0, ", 11),
    );
    assert_eq!(help["activeParameter"], 1, "{help}");
    assert!(
        help["signatures"][0]["label"]
            .as_str()
            .unwrap()
            .starts_with("fn lerp(")
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn error_paths_are_answered_and_the_server_carries_on() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);

    // A document nobody has heard of.
    let unknown = root.join("nowhere/else.pbs");
    let reply = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&unknown) }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(reply["error"]["code"], -32602, "{reply}");

    // A line past the end.
    let reply = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&main) }, "position": { "line": 9999, "character": 0 } }),
    );
    assert_eq!(reply["error"]["code"], -32602, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("past the end")
    );

    // Renames that are refused say why.
    for (needle, new_name) in [
        ("lerp(20.0", "fn"),
        ("lerp(20.0", "1abc"),
        ("Gfx.clear", "Screen"),
    ] {
        let reply = client.request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": uri(&main) },
                    "position": position_of(&text, needle, 1), "newName": new_name }),
        );
        assert!(
            reply["error"]["message"].as_str().is_some(),
            "{needle} → {new_name}: {reply}"
        );
    }

    // Malformed JSON: a parse error, and the server goes on.
    client.send_raw(b"Content-Length: 9\r\n\r\n{\"oops\":}");
    let reply = client.wait_for(|m| m.get("error").is_some() && m["id"].is_null());
    assert_eq!(reply["error"]["code"], -32700);

    // An unknown method.
    let reply = client.request("prometeu/noSuchMethod", json!({}));
    assert_eq!(reply["error"]["code"], -32601);

    // A panic inside a request is an internal error, and the next request works.
    let reply = client.request("prometeu/debugPanic", Value::Null);
    assert_eq!(reply["error"]["code"], -32603, "{reply}");
    assert!(hover_markdown(&mut client, &main, &text, "lerp(20.0", 1).contains("lerp"));

    assert_eq!(client.shutdown(), Some(0));
}

/// The third-party client: pytest-lsp (pygls) drives the binary over stdio with VS
/// Code's capabilities (`tests/lsp-e2e/`). `.ci/run` installs it into a virtual
/// environment and names its Python in `PROMETEU_E2E_PYTHON`; elsewhere the test runs
/// when `python3` has `pytest_lsp`, and otherwise says how to get it. Under CI it must
/// run.
#[test]
fn a_third_party_client_drives_the_server_over_stdio() {
    let python = std::env::var("PROMETEU_E2E_PYTHON").unwrap_or_else(|_| "python3".into());
    let available = std::process::Command::new(&python)
        .args(["-c", "import pytest_lsp"])
        .output()
        .is_ok_and(|o| o.status.success());
    let how = "`pip install -r tests/lsp-e2e/requirements.txt`, then PROMETEU_E2E_PYTHON";
    if !external_client(available, &format!("pytest-lsp for `{python}`"), how) {
        return;
    }
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/lsp-e2e");
    let output = std::process::Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(&suite)
        .current_dir(&suite)
        .env("PROMETEU_BIN", env!("CARGO_BIN_EXE_prometeu"))
        .output()
        .expect("pytest runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "pytest-lsp failed:\n{report}");
    assert!(report.contains(" passed"), "{report}");
}

/// Neovim's built-in client (Debian's `neovim`, 0.7+) runs `tests/lsp-e2e/neovim.lua`
/// headless: the README's setup, a typed mistake, hover and definition. Required under
/// CI (`.ci/run` installs Neovim); elsewhere it runs when `nvim` is on the PATH.
#[test]
fn neovim_drives_the_server() {
    let available = std::process::Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !external_client(available, "`nvim` on the PATH", "Debian's package `neovim`") {
        return;
    }
    let (_temp, root) = workspace();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/lsp-e2e/neovim.lua");
    let out = root.join("neovim.out");
    let status = std::process::Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(&root)
        .env("PROMETEU_BIN", env!("CARGO_BIN_EXE_prometeu"))
        .env("PROMETEU_NVIM_OUT", &out)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("nvim runs");
    assert!(status.success());
    let seen = std::fs::read_to_string(&out).expect("the script wrote what it saw");
    let text = std::fs::read_to_string(root.join("town/src/main.pbs")).unwrap();
    let frame_line = text
        .lines()
        .position(|l| l.starts_with("fn frame()"))
        .unwrap()
        + 1;
    assert_eq!(
        seen,
        format!(
            "diagnostic W_UNUSED_LOCAL line {frame_line}\n\
             diagnostic E_TYPE_MISMATCH line {frame_line}\n\
             hover fn lerp(a: float, b: float, t: float)\n\
             definition mathlib/src/lib.pbs\n\
             code action Rename `n` to `_n`\n\
             after the fix E_TYPE_MISMATCH\n\
             completion Color.RED Color.rgb\n\
             stopped\n"
        )
    );
}

#[test]
fn workspace_folders_can_come_and_go() {
    let (_temp, root) = workspace();
    let empty = tempfile::tempdir().unwrap();
    let mut client = LspClient::initialized(&empty.path().canonicalize().unwrap(), json!({}));
    let hud = root.join("town/src/ui/hud.pbs");
    let text = std::fs::read_to_string(&hud).unwrap();
    std::fs::write(
        &hud,
        format!("{text}\nfn broken(): int {{ return true; }}\n"),
    )
    .unwrap();
    let folder = json!({ "uri": uri(&root.join("town")), "name": "town" });
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [folder], "removed": [] } }),
    );
    client.diagnostics_where(&uri(&hud), |d| !codes(d).is_empty());
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [], "removed": [folder] } }),
    );
    client.diagnostics_where(&uri(&hud), |d| codes(d).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn a_cancelled_request_is_answered_once_and_the_server_goes_on() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);
    // Cancelled right away: whether it was still waiting for its snapshot or already
    // done, it gets exactly one answer, a result or RequestCancelled.
    let id = client.send_request("textDocument/hover", at(&main, &text, "lerp(20.0", 1));
    client.notify("$/cancelRequest", json!({ "id": id }));
    let reply = client.response(id);
    assert!(
        reply.get("result").is_some() || reply["error"]["code"] == -32800,
        "{reply}"
    );
    assert!(hover_markdown(&mut client, &main, &text, "lerp(20.0", 1).contains("lerp"));
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn requests_inside_the_prelude_document_work() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);
    let prelude = client.result("textDocument/definition", at(&main, &text, "Gfx.clear", 1));
    let range = prelude[0]["targetSelectionRange"].clone();
    let hover = client.result(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "prometeu:prelude.pbs" }, "position": range["start"] }),
    );
    assert!(
        hover["contents"]["value"].as_str().unwrap().contains("Gfx"),
        "{hover}"
    );
    let outline = client.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": "prometeu:prelude.pbs" } }),
    );
    assert!(
        outline
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "Gfx"),
        "{outline}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[path = "lsp/edits.rs"]
mod edits;

/// A client that leaves the server's `client/registerCapability` unanswered (or answers
/// it after `exit`, when nothing is read any more) still sees the server exit after
/// `shutdown` and `exit`: it gives pending handlers a moment, then stops (editors
/// otherwise leave orphaned servers behind).
#[test]
fn the_server_exits_even_with_a_request_to_the_client_unanswered() {
    let (_temp, root) = workspace();
    let capabilities = json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
    });
    let mut client = LspClient::initialized(&root.join("mathlib"), capabilities);
    let shutdown = client.send_request("shutdown", Value::Null);
    let reply = client.response_leaving_requests_unanswered(shutdown);
    assert!(reply.get("error").is_none(), "{reply}");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), Some(0));
}

#[path = "lsp/code_actions.rs"]
mod code_actions;
#[path = "lsp/completion.rs"]
mod completion;
#[path = "lsp/formatting.rs"]
mod formatting;
#[path = "lsp/memory.rs"]
mod memory;
#[path = "lsp/semantic_tokens.rs"]
mod semantic_tokens;
#[path = "lsp/structure.rs"]
mod structure;
