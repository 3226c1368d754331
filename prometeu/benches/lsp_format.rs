//! `textDocument/formatting` through `prometeu lsp --stdio` on a ~3,000-line file
//! (issue 12's target: under 20 ms), timed from the client's side of the pipe: the
//! request, the formatter (with its re-parse check), the line diff into minimal edits
//! and the reply. Two texts: the generator's compact code (almost every line changes)
//! and the same file already formatted (the edit list is empty), plus
//! `rangeFormatting` of one statement of the compact file.
//!
//! It prints a table; a bench reports, so a missed target does not fail it. Run:
//! `cargo bench -p prometeu --bench lsp_format`. Requests per case:
//! `PROMETEU_BENCH_REQUESTS` (default 50).

#[allow(dead_code)]
#[path = "../tests/lsp/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "../../prometeu-analysis/benches/support/generate.rs"]
mod generate;

use std::time::{Duration, Instant};

use client::{LspClient, uri};
use generate::{MANIFEST, block};
use serde_json::{Value, json};

/// About `lines` lines of the generator's blocks.
fn file_of(lines: usize) -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.lines().count() < lines {
        block(&i.to_string(), 0, &mut out);
        i += 1;
    }
    out
}

/// Times `count` requests of `method` with `params`; returns the sorted durations and
/// the last reply.
fn time(
    client: &mut LspClient,
    method: &str,
    params: &Value,
    count: usize,
) -> (Vec<Duration>, Value) {
    let mut times = Vec::with_capacity(count);
    let mut last = Value::Null;
    for _ in 0..count {
        let start = Instant::now();
        last = client.result(method, params.clone());
        times.push(start.elapsed());
    }
    times.sort();
    (times, last)
}

fn row(name: &str, times: &[Duration], edits: &Value) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    let p90 = times[times.len() * 9 / 10];
    let count = edits.as_array().map_or(0, Vec::len);
    println!(
        "{name:<44} median {:>7.2} ms   p90 {:>7.2} ms   max {:>7.2} ms   {count} edits   (target < 20 ms)",
        ms(median),
        ms(p90),
        ms(*times.last().unwrap())
    );
}

fn main() {
    let requests: usize = std::env::var("PROMETEU_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50)
        .max(2);
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().canonicalize().expect("canonical");
    std::fs::write(root.join("prometeu.json"), MANIFEST).expect("manifest");
    std::fs::create_dir_all(root.join("src/big")).expect("mkdir");
    std::fs::write(root.join("src/main.pbs"), "fn frame() {}\n").expect("main");
    let compact = file_of(3000);
    let formatted = prometeu_analysis::format::format_text(&compact).expect("formats");
    let path = root.join("src/big/big.pbs");
    std::fs::write(&path, &compact).expect("write");
    println!(
        "one file: {} lines compact, {} lines formatted; {requests} requests per case",
        compact.lines().count(),
        formatted.lines().count()
    );

    let mut client = LspClient::initialized(&root, json!({}));
    let file = uri(&path);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "pbs", "version": 1, "text": compact } }),
    );
    client.diagnostics_where(&file, |_| true);
    let options = json!({ "tabSize": 4, "insertSpaces": true });
    let whole = json!({ "textDocument": { "uri": file }, "options": options });
    let (times, edits) = time(&mut client, "textDocument/formatting", &whole, requests);
    row("formatting, compact 3,000 lines", &times, &edits);

    let line = compact
        .lines()
        .position(|l| l.contains("let mut total"))
        .unwrap_or(10);
    let range = json!({ "textDocument": { "uri": file }, "options": options,
        "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 4 } } });
    let (times, edits) = time(
        &mut client,
        "textDocument/rangeFormatting",
        &range,
        requests,
    );
    row("rangeFormatting, one statement", &times, &edits);

    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": 2 },
                "contentChanges": [{ "text": formatted }] }),
    );
    client.diagnostics_where(&file, |p| p["version"] == 2 || p.get("version").is_none());
    let (times, edits) = time(&mut client, "textDocument/formatting", &whole, requests);
    row("formatting, already formatted", &times, &edits);
    let _ = client.shutdown();
}
