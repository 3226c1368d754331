//! The server's memory rules (ARCHITECTURE.md, `prometeu-lsp`), checked through
//! `prometeu/debugMemory` on the real process: transparent huge pages are off, a burst
//! of edits with code lens asked after each compiles nothing until the edits pause, and
//! no more than one analysis beyond the installed ones is ever alive.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::client::{LspClient, uri};
use super::{open, workspace};

/// Edits in the burst.
const BURST: i64 = 20;

/// The time between two edits of the burst: fast typing, well under the size thread's
/// 300 ms pause, and long enough that the burst outlasts that pause several times.
const TYPING: Duration = Duration::from_millis(60);

fn memory(client: &mut LspClient) -> Value {
    client.result("prometeu/debugMemory", Value::Null)
}

#[test]
fn the_server_runs_without_transparent_huge_pages() {
    let (_temp, root) = workspace();
    let mut client = LspClient::initialized(&root, json!({}));
    let reply = memory(&mut client);
    assert!(
        reply["residentKib"].as_u64().is_some_and(|kib| kib > 0),
        "{reply}"
    );
    // Kernels since 5.0 report the flag; where this process sees it, so must the server.
    let own = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if own.lines().any(|line| line.starts_with("THP_enabled:")) {
        assert_eq!(reply["hugePagesOff"], true, "{reply}");
    }
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn a_burst_of_edits_with_code_lens_compiles_once_after_the_pause() {
    let (_temp, root) = workspace();
    let main = root.join("town/src/main.pbs");
    let main_uri = uri(&main);
    let mut client = LspClient::initialized(
        &root,
        json!({ "workspace": { "codeLens": { "refreshSupport": true } } }),
    );
    let text = open(&mut client, &main);
    client.diagnostics_where(&main_uri, |p| p["version"] == 1);
    let at_rest = memory(&mut client)["liveAnalyses"]
        .as_u64()
        .expect("a count");
    // `town` and `mathlib`: one analysis each.
    assert_eq!(at_rest, 2);

    // As an editor that shows lenses types: every edit (a comment that grows and
    // shrinks, so each one is a new text) asks for the file's lenses.
    let started = Instant::now();
    for version in 2..2 + BURST {
        std::thread::sleep(TYPING);
        let comment = "x".repeat((version % 3) as usize);
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": main_uri, "version": version },
                    "contentChanges": [{ "text": format!("{text}\n// {comment}\n") }] }),
        );
        let lens = client.send_request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": main_uri } }),
        );
        client.diagnostics_where(&main_uri, |p| p["version"] == version);
        let reply = client.response(lens);
        assert!(reply["result"].is_array(), "{reply}");
    }
    let burst = memory(&mut client);
    assert!(started.elapsed() > Duration::from_secs(1));
    assert_eq!(burst["sizeRounds"], 0, "compiled while edits came: {burst}");

    // The pause: one compile of the last revision, then the refresh, and the sizes.
    client.wait_for(|m| m["method"] == "workspace/codeLens/refresh");
    let lenses = client.result(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": main_uri } }),
    );
    assert!(
        lenses
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["command"]["title"]
                .as_str()
                .is_some_and(|t| t.ends_with(" bytes"))),
        "{lenses}"
    );
    let settled = memory(&mut client);
    assert_eq!(settled["sizeRounds"], 1, "{settled}");
    assert_eq!(settled["liveAnalyses"], at_rest, "{settled}");
    // While an edit's analysis finishes, its predecessor is still installed; nothing
    // (a compile, a request) keeps an older one alive.
    assert_eq!(settled["peakLiveAnalyses"], at_rest + 1, "{settled}");
    assert_eq!(client.shutdown(), Some(0));
}
