//! Structure requests through the real server: folding and selection ranges, document
//! links, call hierarchy, and code lens with compiled sizes that arrive off the
//! protocol loop (`toolchain.md` §4, "Structure").

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::client::{LspClient, uri};
use super::{at, open, position_of, workspace};

#[test]
fn folding_selection_and_document_links() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);

    let folds = client.result(
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": uri(&main) } }),
    );
    let folds: Vec<(u64, u64, String)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
                f["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    // The four imports, `init`'s body and `frame`'s body (closing braces stay visible).
    assert!(folds.contains(&(0, 3, "imports".to_string())), "{folds:?}");
    assert!(folds.contains(&(5, 6, "region".to_string())), "{folds:?}");
    assert!(folds.contains(&(9, 14, "region".to_string())), "{folds:?}");

    let position = position_of(&text, "lerp(20.0", 1);
    let selection = client.result(
        "textDocument/selectionRange",
        json!({ "textDocument": { "uri": uri(&main) }, "positions": [position] }),
    );
    let mut ranges = Vec::new();
    let mut at_level = &selection[0];
    while at_level.is_object() {
        ranges.push(at_level["range"].clone());
        at_level = &at_level["parent"];
    }
    assert_eq!(
        ranges[0],
        json!({ "start": position_of(&text, "lerp(20.0", 0),
                "end": position_of(&text, "lerp(20.0", 4) })
    );
    assert!(ranges.len() >= 5, "{selection}");
    assert_eq!(
        ranges.last().unwrap()["start"],
        json!({ "line": 0, "character": 0 })
    );

    let links = client.result(
        "textDocument/documentLink",
        json!({ "textDocument": { "uri": uri(&main) } }),
    );
    let targets: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            uri(&root.join("mathlib/src/lib.pbs")),
            uri(&root.join("mathlib/src/easing/curves.pbs")),
            uri(&root.join("town/src/world/folk.pbs")),
            uri(&root.join("town/src/ui/hud.pbs")),
        ],
        "{links}"
    );
    assert_eq!(
        links[0]["range"],
        json!({ "start": position_of(&text, "@math\"", 0),
                "end": position_of(&text, "@math\"", 5) })
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn call_hierarchy_across_projects() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let lib = root.join("mathlib/src/lib.pbs");
    let mut client = LspClient::initialized(&root, json!({}));
    let text = open(&mut client, &main);

    let items = client.result(
        "textDocument/prepareCallHierarchy",
        at(&main, &text, "lerp(20.0", 1),
    );
    let item = items[0].clone();
    assert_eq!(item["name"], "lerp");
    assert_eq!(item["uri"], uri(&lib));
    let incoming = client.result("callHierarchy/incomingCalls", json!({ "item": item }));
    let frame = incoming
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["from"]["name"] == "frame")
        .unwrap_or_else(|| panic!("frame calls lerp: {incoming}"));
    assert_eq!(frame["from"]["uri"], uri(&main));
    assert_eq!(
        frame["fromRanges"][0]["start"],
        position_of(&text, "lerp(20.0", 0)
    );

    let items = client.result(
        "textDocument/prepareCallHierarchy",
        at(&main, &text, "fn frame", 4),
    );
    let outgoing = client.result(
        "callHierarchy/outgoingCalls",
        json!({ "item": items[0].clone() }),
    );
    let names: Vec<&str> = outgoing
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["to"]["name"].as_str().unwrap())
        .collect();
    for callee in [
        "lerp",
        "ease_in_out",
        "Gfx.clear",
        "Townsfolk.draw_all",
        "Vec2",
    ] {
        assert!(names.contains(&callee), "{callee} in {names:?}");
    }
    // Not a function: no item.
    let none = client.result(
        "textDocument/prepareCallHierarchy",
        at(&main, &text, "let t", 4),
    );
    assert!(none.is_null(), "{none}");
    assert_eq!(client.shutdown(), Some(0));
}

/// The lenses of `path`, asked again (resolving size lenses that came back without a
/// title) until every size lens has a title other than "compiling…".
fn settled_lenses(client: &mut LspClient, path: &Path) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let lenses = client.result(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": uri(path) } }),
        );
        let mut resolved = Vec::new();
        for lens in lenses.as_array().unwrap() {
            let lens = if lens.get("command").is_some_and(|c| !c.is_null()) {
                lens.clone()
            } else {
                client.result("codeLens/resolve", lens.clone())
            };
            resolved.push(lens);
        }
        let pending = resolved
            .iter()
            .any(|l| l["command"]["title"] == "size: compiling…");
        if !pending {
            return resolved;
        }
        assert!(Instant::now() < deadline, "sizes never arrived");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The lens titles on the line of `needle`.
fn titles_at(lenses: &[Value], text: &str, needle: &str) -> Vec<String> {
    let line = position_of(text, needle, 0)["line"].clone();
    lenses
        .iter()
        .filter(|l| l["range"]["start"]["line"] == line)
        .map(|l| l["command"]["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn code_lens_shows_references_and_compiled_sizes() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let lib = root.join("mathlib/src/lib.pbs");
    // A client that takes refreshes: it is told when sizes arrive.
    let mut client = LspClient::initialized(
        &root,
        json!({ "workspace": { "codeLens": { "refreshSupport": true } } }),
    );
    let text = open(&mut client, &main);
    let first = client.result(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri(&main) } }),
    );
    // The references lens is there at once; `frame` is used by nobody in source.
    let frame_line = position_of(&text, "fn frame", 0)["line"].clone();
    let on_frame: Vec<&Value> = first
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["range"]["start"]["line"] == frame_line)
        .collect();
    assert_eq!(on_frame.len(), 2, "{first}");
    assert_eq!(on_frame[0]["command"]["title"], "0 references");
    assert_eq!(on_frame[0]["command"]["command"], "prometeu.showReferences");
    // The sizes come later, and the server says so.
    client.wait_for(|m| m["method"] == "workspace/codeLens/refresh");

    let lenses = settled_lenses(&mut client, &main);
    let frame = titles_at(&lenses, &text, "fn frame");
    assert_eq!(frame[0], "0 references");
    let size = &frame[1];
    let numbers: Vec<u64> = size
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        size.ends_with(" bytes") && numbers.len() == 2 && numbers[0] > 5 && numbers[1] > numbers[0],
        "{size}"
    );

    // A function of the library, as the town's build compiled it; and one no build
    // reaches.
    let lib_text = open(&mut client, &lib);
    let lib_lenses = settled_lenses(&mut client, &lib);
    let lerp = titles_at(&lib_lenses, &lib_text, "pub fn lerp");
    assert!(lerp[0].ends_with(" references"), "{lerp:?}");
    assert!(lerp[1].ends_with(" bytes"), "{lerp:?}");

    // An error: no sizes, the references lens stays.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&main), "version": 2 },
                "contentChanges": [{ "text": format!("{text}\nfn broken(): int {{ return true; }}\n") }] }),
    );
    let lenses = settled_lenses(&mut client, &main);
    let frame = titles_at(&lenses, &text, "fn frame");
    assert_eq!(
        frame,
        ["0 references", "no size while the project has errors"]
    );
    assert_eq!(client.shutdown(), Some(0));
}
