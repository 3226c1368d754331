//! `prometeu lsp --stdio` driven as an editor drives it, on the generated ~100k-line app
//! (issue 10's performance targets), timed from the client's side of the pipe:
//!
//! 1. open → first diagnostics: a fresh server, `initialize` with the workspace folder,
//!    `initialized`, `didOpen` of a module file (clean, or with an error in the buffer),
//!    until its first `publishDiagnostics`;
//! 2. an edit inside one function body → that file's `publishDiagnostics` carrying the
//!    edit's version (edits alternately add and remove an unknown name, so every edit
//!    changes the diagnostics and is published); then the same edits with
//!    `textDocument/codeLens` asked after each (compiled sizes are computed in the
//!    background and must not delay diagnostics), and the time from the last edit
//!    until the sizes are shown; then typing the start of a name in that body with a completion asked right
//!    away, timed until its reply (issue 13's figure: it answers from the keystroke's
//!    analysis);
//! 3. hover and go to definition at identifiers of the open file;
//! 4. references and rename of `shared_helper`, which every module file imports and
//!    calls (as in `prometeu-analysis`'s `ide` benchmark); code actions at a misspelled
//!    call of it, and organize imports; completion right after the `.` of member
//!    accesses and one character into names in expression position;
//! 5. the server process's resident memory (`VmRSS`, and its peak `VmHWM`) after
//!    indexing and after the edits;
//! 6. semantic tokens (full, and full/delta after a one-line edit) and inlay hints of
//!    [`BIG_FILE`], a module file of about 3,000 lines (issue 11's figure).
//!
//! Beside the wall-clock times it reports the CPU time the server spent (all its threads,
//! from `/proc`), which does not depend on what else the machine runs.
//!
//! It prints one table with the targets; a bench reports, so a missed target does not
//! fail it. Run: `cargo bench -p prometeu --bench lsp_stdio`. Iteration counts can be
//! changed with `PROMETEU_BENCH_COLD` (fresh servers, default 20, at least 2),
//! `PROMETEU_BENCH_EDITS` (default 100), `PROMETEU_BENCH_POSITIONS` (default 200) and
//! `PROMETEU_BENCH_REQUESTS` (references and renames, default 50).

// The test client and the generator are shared, not copied; this bench does not use
// every helper they offer.
#[allow(dead_code)]
#[path = "../tests/lsp/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "../../prometeu-analysis/benches/support/generate.rs"]
mod generate;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use client::{LspClient, uri};
use generate::{MANIFEST, Shape, generate};
use prometeu_analysis::FileId;
use prometeu_analysis::syntax::{TokenKind, lex};
use serde_json::{Value, json};

/// 10 modules × 20 files (+ `main.pbs`) × 6 blocks ≈ 107k lines: the `analyze`, `ide`
/// and `build` benchmarks' project.
const SHAPE: Shape = Shape {
    modules: 10,
    files_per_module: 20,
    blocks_per_file: 6,
};

/// The file the editor opens and edits: a module in the middle of the import chain.
const OPEN_FILE: &str = "src/m5/f10.pbs";

/// A module file of [`BIG_FILE_BLOCKS`] generated blocks (about 3,000 lines), where
/// semantic tokens and inlay hints are timed.
const BIG_FILE: &str = "src/big/big.pbs";

/// 35 blocks of ~87 lines.
const BIG_FILE_BLOCKS: usize = 35;

/// The text the edits insert after the first `let mut total = 0` of the open file and
/// then remove again: a name that does not resolve (one error, local to the file).
const BREAKING_TEXT: &str = " + missing_name";

/// What is typed before the completion right after an edit: the start of a name.
const TYPED: &str = " + shared_h";

/// The text inserted for the code-action figures: a misspelled call of the imported
/// `shared_helper` (`E_RESOLVE_UNDEFINED` with a suggestion).
const MISSPELLED_TEXT: &str = " + shared_helpr(1)";

/// What an editor (VS Code, Neovim) announces: UTF-16 positions, progress, and a file
/// watcher the server may register.
fn capabilities() -> Value {
    json!({
        "window": { "workDoneProgress": true },
        "workspace": {
            "workspaceFolders": true,
            "didChangeWatchedFiles": { "dynamicRegistration": true },
        },
        "textDocument": {
            "synchronization": { "didSave": true },
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "rename": { "prepareSupport": true },
        },
    })
}

/// The generated app plus `src/shared/lib.pbs`, whose `shared_helper` every module
/// file imports and calls, written under `dir`. Returns the number of files and lines.
fn write_workspace(dir: &Path) -> (usize, usize) {
    let mut files: Vec<(String, String)> = generate::with_shared_helper(generate(SHAPE))
        .into_iter()
        .map(|f| (f.rel_path, f.text))
        .collect();
    let mut big = String::new();
    for block in 0..BIG_FILE_BLOCKS {
        generate::block(&format!("big_{block}"), 0, &mut big);
    }
    files.push((BIG_FILE.to_string(), big));
    std::fs::write(dir.join("prometeu.json"), MANIFEST).expect("write the manifest");
    let mut lines = 0;
    for (rel_path, text) in &files {
        let path = dir.join(rel_path);
        std::fs::create_dir_all(path.parent().expect("under src")).expect("mkdir");
        std::fs::write(&path, text).expect("write a source");
        lines += text.lines().count();
    }
    (files.len(), lines)
}

/// The 0-based line and UTF-16 column of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> Value {
    let line = text[..offset].matches('\n').count();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let character = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// A request's parameters for `position` in the document `uri`.
fn at(uri: &str, position: &Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

/// About `count` identifiers spread evenly over `text`: where hovers and definitions
/// are asked (the middle of each identifier).
fn identifier_positions(text: &str, count: usize) -> Vec<Value> {
    let lexed = lex(FileId(0), text);
    let idents: Vec<usize> = lexed
        .tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Ident)
        .map(|t| ((t.start + t.end) / 2) as usize)
        .collect();
    let step = (idents.len() / count.max(1)).max(1);
    idents
        .into_iter()
        .step_by(step)
        .take(count)
        .map(|offset| position(text, offset))
        .collect()
}

/// Up to `count` completion positions of each kind spread over `text`: right after the
/// `.` of a member access, and one character into an identifier in expression position.
fn completion_positions(text: &str, count: usize) -> (Vec<Value>, Vec<Value>) {
    let lexed = lex(FileId(0), text);
    let tokens = &lexed.tokens;
    let mut members = Vec::new();
    let mut expressions = Vec::new();
    for pair in tokens.windows(2) {
        let (before, token) = (pair[0], pair[1]);
        if token.kind != TokenKind::Ident {
            continue;
        }
        match before.kind {
            TokenKind::Dot => members.push(before.end as usize),
            TokenKind::Eq
            | TokenKind::LParen
            | TokenKind::Comma
            | TokenKind::Plus
            | TokenKind::Minus
            | TokenKind::Star
            | TokenKind::Return => expressions.push(token.start as usize + 1),
            _ => {}
        }
    }
    let spread = |offsets: Vec<usize>| -> Vec<Value> {
        let step = (offsets.len() / count.max(1)).max(1);
        offsets
            .into_iter()
            .step_by(step)
            .take(count)
            .map(|offset| position(text, offset))
            .collect()
    };
    (spread(members), spread(expressions))
}

/// The pid of the running `prometeu` child of this process (the test client keeps its
/// `Child` private; a finished server has been reaped by then).
fn server_pid() -> u32 {
    let me = std::process::id();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc is there") {
        let entry = entry.expect("an entry");
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces, so split after the last `)`.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let (state, ppid) = (fields.next(), fields.next().and_then(|p| p.parse().ok()));
        if ppid == Some(me) && state != Some("Z") && head.ends_with("(prometeu") {
            found.push(pid);
        }
    }
    assert_eq!(found.len(), 1, "exactly one live server child: {found:?}");
    found[0]
}

/// `VmRSS` and `VmHWM` of process `pid`, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map(|kib| kib / 1024.0)
            .unwrap_or(f64::NAN)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU time the threads of process `pid` have used so far (threads that ended are not
/// counted; the server's threads live as long as it does): what the work costs the
/// server whatever else the machine is doing. `/proc/PID/task/TID/schedstat` counts
/// nanoseconds on the CPU.
fn cpu_time(pid: u32) -> Duration {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("the server's threads");
    tasks
        .filter_map(|task| {
            let schedstat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
            schedstat.split_whitespace().next()?.parse().ok()
        })
        .map(Duration::from_nanos)
        .sum()
}

/// A server initialised on `root`, with the time `initialize` took.
fn start(root: &Path) -> (LspClient, Duration) {
    let started = Instant::now();
    let client = LspClient::initialized(root, capabilities());
    (client, started.elapsed())
}

fn open(client: &mut LspClient, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": uri, "languageId": "pbs", "version": 1, "text": text,
        }}),
    );
}

/// Times one request, failing the bench on an error reply (a wrong answer is not a
/// figure).
fn timed(client: &mut LspClient, method: &str, params: Value) -> (Duration, Value) {
    let started = Instant::now();
    let reply = client.request(method, params);
    let elapsed = started.elapsed();
    match reply.get("result") {
        Some(result) => (elapsed, result.clone()),
        None => panic!("{method} failed: {reply}"),
    }
}

/// Sorted samples and their summary.
struct Samples {
    times: Vec<Duration>,
}

impl Samples {
    fn new(mut times: Vec<Duration>) -> Samples {
        assert!(!times.is_empty(), "no samples");
        times.sort();
        Samples { times }
    }

    /// The `q`-th quantile by nearest rank.
    fn quantile(&self, q: f64) -> f64 {
        let rank = ((self.times.len() as f64 * q).ceil() as usize).clamp(1, self.times.len());
        self.times[rank - 1].as_secs_f64() * 1000.0
    }
}

/// One row of the table: a figure in milliseconds or MiB against its limit.
enum Figure {
    Time(Samples),
    Memory(f64),
    Note(String),
}

struct Row {
    what: String,
    figure: Figure,
    /// The limit, judged on the p95 of times; `None` for figures without a target.
    limit: Option<f64>,
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<52} {:>5} {:>9} {:>9} {:>9}  {:>10}  result",
        "measurement", "n", "p50", "p95", "max", "target"
    );
    println!("{}", "-".repeat(110));
    for row in rows {
        let (n, p50, p95, max, value, unit) = match &row.figure {
            Figure::Time(s) => (
                s.times.len().to_string(),
                format!("{:.2}", s.quantile(0.5)),
                format!("{:.2}", s.quantile(0.95)),
                format!("{:.2}", s.quantile(1.0)),
                s.quantile(0.95),
                "ms",
            ),
            Figure::Memory(mib) => (
                String::new(),
                String::new(),
                String::new(),
                format!("{mib:.1}"),
                *mib,
                "MiB",
            ),
            Figure::Note(note) => {
                println!("{:<52} {note}", row.what);
                continue;
            }
        };
        let (target, result) = match row.limit {
            Some(limit) => (
                format!("< {limit} {unit}"),
                if value < limit { "PASS" } else { "FAIL" },
            ),
            None => (String::new(), ""),
        };
        println!(
            "{:<52} {n:>5} {p50:>9} {p95:>9} {max:>9}  {target:>10}  {result}",
            row.what
        );
    }
    println!("(times in ms; memory in MiB; targets are judged on the p95, memory on its value)");
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn main() {
    // Half the fresh servers open the clean file, half the broken one.
    let cold_runs = env_count("PROMETEU_BENCH_COLD", 20).max(2);
    let edit_runs = env_count("PROMETEU_BENCH_EDITS", 100);
    let position_count = env_count("PROMETEU_BENCH_POSITIONS", 200);
    let request_runs = env_count("PROMETEU_BENCH_REQUESTS", 50);

    let temp = tempfile::tempdir().expect("a temp dir");
    let root: PathBuf = temp.path().canonicalize().expect("canonical");
    let (file_count, line_count) = write_workspace(&root);
    let open_path = root.join(OPEN_FILE);
    let open_uri = uri(&open_path);
    let clean_text = std::fs::read_to_string(&open_path).expect("the open file");
    // The edit point: right after the `0` of the first `let mut total = 0;`.
    let edit_offset = clean_text
        .find("let mut total = 0")
        .expect("a work_ function")
        + "let mut total = 0".len();
    let edit_at = position(&clean_text, edit_offset);
    let broken_text = format!(
        "{}{BREAKING_TEXT}{}",
        &clean_text[..edit_offset],
        &clean_text[edit_offset..]
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "workspace: {file_count} files, {line_count} lines; the editor opens {OPEN_FILE}; \
         load average at start: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );

    // 1. Cold start: every run is a fresh server. Runs alternate between opening the
    // file as it is on disk (clean: its first diagnostics are an empty list) and with
    // an error in the buffer.
    let mut initialize_times = Vec::new();
    let mut first_diagnostics = [Vec::new(), Vec::new()];
    let mut cold_cpu = Duration::ZERO;
    for run in 0..cold_runs {
        let broken = run % 2 == 1;
        let started = Instant::now();
        let (mut client, initialize) = start(&root);
        let pid = server_pid();
        initialize_times.push(initialize);
        open(
            &mut client,
            &open_uri,
            if broken { &broken_text } else { &clean_text },
        );
        let published = client.diagnostics_where(&open_uri, |p| p["version"] == 1);
        first_diagnostics[usize::from(broken)].push(started.elapsed());
        cold_cpu += cpu_time(pid);
        let count = published["diagnostics"].as_array().map_or(0, Vec::len);
        assert_eq!(count > 0, broken, "first diagnostics: {published}");
        assert_eq!(client.shutdown(), Some(0), "the server exits cleanly");
    }
    let [first_clean, first_broken] = first_diagnostics;

    // The session the other figures come from.
    let (mut client, _) = start(&root);
    let pid = server_pid();
    open(&mut client, &open_uri, &broken_text);
    let first = client.diagnostics_where(&open_uri, |p| p["version"] == 1);
    assert!(
        first["diagnostics"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "the broken buffer has diagnostics"
    );
    let after_indexing = memory(pid);

    // 2. Edits: version 2 removes the error, 3 adds it back, and so on; each waits for
    // the diagnostics of its own version.
    let end_of_break = json!({
        "line": edit_at["line"],
        "character": edit_at["character"].as_u64().expect("a column") as usize
            + BREAKING_TEXT.len(),
    });
    let mut edit_times = Vec::new();
    let cpu_before_edits = cpu_time(pid);
    for run in 0..edit_runs {
        let version = run as i64 + 2;
        let removes = run % 2 == 0;
        let change = if removes {
            json!({ "range": { "start": edit_at, "end": end_of_break }, "text": "" })
        } else {
            json!({ "range": { "start": edit_at, "end": edit_at }, "text": BREAKING_TEXT })
        };
        let started = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": open_uri, "version": version },
                "contentChanges": [change],
            }),
        );
        let published = client.diagnostics_where(&open_uri, |p| p["version"] == version);
        edit_times.push(started.elapsed());
        let count = published["diagnostics"].as_array().map_or(0, Vec::len);
        assert_eq!(
            count == 0,
            removes,
            "version {version}: unexpected diagnostics {published}"
        );
    }
    let cpu_per_edit = (cpu_time(pid) - cpu_before_edits) / edit_runs as u32;
    let final_version = edit_runs as i64 + 1;
    // An odd number of edits leaves the buffer clean; make it so for what follows.
    if edit_runs % 2 == 0 {
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": open_uri, "version": final_version + 1 },
                "contentChanges": [{ "range": { "start": edit_at, "end": end_of_break }, "text": "" }],
            }),
        );
        client.diagnostics_where(&open_uri, |p| p["version"] == final_version + 1);
    }

    // 2b. The same edits with code lens on, as an editor that shows lenses asks: the
    // file's lenses after every edit. Their compiled sizes are computed by the server in
    // the background (toolchain.md §4, "Code lens"); the edits' diagnostics must not
    // wait for them. Then, after the last edit, how long until the sizes are shown.
    let lens_runs = edit_runs.max(2);
    let mut next_version = if edit_runs % 2 == 0 {
        final_version + 2
    } else {
        final_version + 1
    };
    let lens_params = json!({ "textDocument": { "uri": open_uri } });
    let mut lens_edit_times = Vec::new();
    let mut lens_times = Vec::new();
    let mut lens_count = 0;
    for run in 0..lens_runs {
        let version = next_version;
        next_version += 1;
        let adds = run % 2 == 0;
        let change = if adds {
            json!({ "range": { "start": edit_at, "end": edit_at }, "text": BREAKING_TEXT })
        } else {
            json!({ "range": { "start": edit_at, "end": end_of_break }, "text": "" })
        };
        let started = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": open_uri, "version": version },
                "contentChanges": [change],
            }),
        );
        let lens_request = client.send_request("textDocument/codeLens", lens_params.clone());
        client.diagnostics_where(&open_uri, |p| p["version"] == version);
        lens_edit_times.push(started.elapsed());
        let reply = client.response(lens_request);
        lens_times.push(started.elapsed());
        lens_count = reply["result"].as_array().map_or(0, Vec::len);
    }
    if lens_runs % 2 == 1 {
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": open_uri, "version": next_version },
                "contentChanges": [{ "range": { "start": edit_at, "end": end_of_break }, "text": "" }],
            }),
        );
        client.diagnostics_where(&open_uri, |p| p["version"] == next_version);
    }
    let pause = Instant::now();
    let size_title = loop {
        let (_, lenses) = timed(&mut client, "textDocument/codeLens", lens_params.clone());
        // Size lenses come back without a command until their sizes are known.
        let lenses = lenses.as_array().cloned().unwrap_or_default();
        let pending = lenses.iter().any(|l| l["command"].is_null());
        let size = lenses.iter().find(|l| l["command"]["command"] == "");
        if let (false, Some(size)) = (pending, size) {
            let sized: Vec<&Value> = lenses
                .iter()
                .filter(|l| l["command"]["command"] == "")
                .collect();
            let built = sized
                .iter()
                .filter(|l| {
                    l["command"]["title"]
                        .as_str()
                        .is_some_and(|t| t.ends_with(" bytes"))
                })
                .count();
            break format!(
                "{built} of {} functions in the build; first: {}",
                sized.len(),
                size["command"]["title"].as_str().unwrap_or("")
            );
        }
        assert!(
            pause.elapsed() < Duration::from_secs(120),
            "sizes never arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let sizes_after_pause = pause.elapsed();
    // The entry point's size, from the app's main file (a file not open in the editor).
    let (_, main_lenses) = timed(
        &mut client,
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri(&root.join("src/main.pbs")) } }),
    );
    let frame_size = main_lenses
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["command"]["command"] == "")
        .and_then(|l| l["command"]["title"].as_str())
        .unwrap_or("(none)")
        .to_string();

    // 2c. Typing then completing at once: a keystroke inside the body, and right away a
    // completion there, which answers from the analysis of that keystroke's text.
    let typed_end = json!({
        "line": edit_at["line"],
        "character": edit_at["character"].as_u64().expect("a column") as usize + TYPED.len(),
    });
    let mut version = next_version + 1;
    let mut typed_completion_times = Vec::new();
    for _ in 0..edit_runs {
        let started = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": open_uri, "version": version },
                "contentChanges": [{ "range": { "start": edit_at, "end": edit_at }, "text": TYPED }],
            }),
        );
        let reply = client.result(
            "textDocument/completion",
            json!({ "textDocument": { "uri": open_uri }, "position": typed_end }),
        );
        typed_completion_times.push(started.elapsed());
        let items = reply["items"].as_array().cloned().unwrap_or_default();
        assert!(
            items.iter().any(|i| i["label"] == "shared_helper"),
            "completion after typing offers the import: {reply}"
        );
        version += 1;
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": open_uri, "version": version },
                "contentChanges": [{ "range": { "start": edit_at, "end": typed_end }, "text": "" }],
            }),
        );
        client.diagnostics_where(&open_uri, |p| p["version"] == version);
        version += 1;
    }

    // 3. Hover and definition.
    let positions = identifier_positions(&clean_text, position_count);
    for position in positions.iter().take(10) {
        timed(&mut client, "textDocument/hover", at(&open_uri, position));
    }
    let mut hover_times = Vec::new();
    let mut hovers_with_content = 0;
    for position in &positions {
        let (elapsed, result) = timed(&mut client, "textDocument/hover", at(&open_uri, position));
        hover_times.push(elapsed);
        hovers_with_content += usize::from(!result.is_null());
    }
    let mut definition_times = Vec::new();
    let mut definitions_found = 0;
    for position in &positions {
        let (elapsed, result) = timed(
            &mut client,
            "textDocument/definition",
            at(&open_uri, position),
        );
        definition_times.push(elapsed);
        definitions_found += usize::from(!result.is_null());
    }

    // 4. References and rename of `shared_helper`, asked at its call in the open file.
    let helper_offset = clean_text.rfind("shared_helper(").expect("the call") + 3;
    let helper_at = at(&open_uri, &position(&clean_text, helper_offset));
    let references_params = || {
        let mut params = helper_at.clone();
        params["context"] = json!({ "includeDeclaration": true });
        params
    };
    let (_, references) = timed(&mut client, "textDocument/references", references_params());
    let references = references.as_array().cloned().unwrap_or_default();
    let reference_files: BTreeSet<&str> = references
        .iter()
        .filter_map(|r| r["uri"].as_str())
        .collect();
    assert!(
        reference_files.len() > 200,
        "shared_helper is used in {} files",
        reference_files.len()
    );
    let mut references_times = Vec::new();
    for _ in 0..request_runs {
        references_times.push(timed(&mut client, "textDocument/references", references_params()).0);
    }
    let rename_params = || {
        let mut params = helper_at.clone();
        params["newName"] = json!("common_helper");
        params
    };
    let (_, edit) = timed(&mut client, "textDocument/rename", rename_params());
    let renamed_files = edit["changes"].as_object().map_or(0, |c| c.len());
    let renamed_edits: usize = edit["changes"].as_object().map_or(0, |c| {
        c.values().filter_map(Value::as_array).map(Vec::len).sum()
    });
    assert_eq!(
        renamed_edits,
        references.len(),
        "rename edits every reference"
    );
    let mut rename_times = Vec::new();
    for _ in 0..request_runs {
        rename_times.push(timed(&mut client, "textDocument/rename", rename_params()).0);
    }

    // 4b. Code actions: with a misspelled call in the buffer, the actions at its
    // diagnostic (what an editor asks whenever the cursor rests there: quick fixes,
    // the import search over every module, organize imports), and organize imports
    // alone (what an editor asks on save).
    let actions_version = edit_runs as i64 + 10;
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": open_uri, "version": actions_version },
            "contentChanges": [{ "range": { "start": edit_at, "end": edit_at }, "text": MISSPELLED_TEXT }],
        }),
    );
    let published = client.diagnostics_where(&open_uri, |p| p["version"] == actions_version);
    let misspelled = published["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "E_RESOLVE_UNDEFINED"))
        .unwrap_or_else(|| panic!("the misspelled call is reported: {published}"))
        .clone();
    let actions_params = |only: Value| {
        json!({
            "textDocument": { "uri": open_uri },
            "range": misspelled["range"],
            "context": { "diagnostics": [misspelled], "only": only },
        })
    };
    let (_, actions) = timed(
        &mut client,
        "textDocument/codeAction",
        actions_params(json!(["quickfix", "source"])),
    );
    let action_count = actions.as_array().map_or(0, Vec::len);
    assert!(
        actions.as_array().is_some_and(|a| a
            .iter()
            .any(|a| a["title"] == "Change `shared_helpr` to `shared_helper`")),
        "the misspelling is fixed: {actions}"
    );
    let mut action_times = Vec::new();
    for _ in 0..request_runs {
        let params = actions_params(json!(["quickfix", "source"]));
        action_times.push(timed(&mut client, "textDocument/codeAction", params).0);
    }
    let mut organize_times = Vec::new();
    for _ in 0..request_runs {
        let params = actions_params(json!(["source.organizeImports"]));
        organize_times.push(timed(&mut client, "textDocument/codeAction", params).0);
    }
    // 4b. Completion (issue 11): right after the `.` of member accesses of the open
    // file, and one character into names in expression position (after `=`, `(`, `,`,
    // an operator or `return`: locals, module items, imports, prelude, and the other
    // modules' exports by auto-import).
    let (member_positions, expression_positions) =
        completion_positions(&clean_text, position_count);
    for position in member_positions.iter().take(10) {
        timed(
            &mut client,
            "textDocument/completion",
            at(&open_uri, position),
        );
    }
    let mut member_completion_times = Vec::new();
    let mut member_items = 0;
    for position in &member_positions {
        let (elapsed, result) = timed(
            &mut client,
            "textDocument/completion",
            at(&open_uri, position),
        );
        member_completion_times.push(elapsed);
        member_items += result["items"].as_array().map_or(0, Vec::len);
    }
    let mut expression_completion_times = Vec::new();
    let mut expression_items = 0;
    for position in &expression_positions {
        let (elapsed, result) = timed(
            &mut client,
            "textDocument/completion",
            at(&open_uri, position),
        );
        expression_completion_times.push(elapsed);
        expression_items += result["items"].as_array().map_or(0, Vec::len);
    }
    assert!(
        member_items > 0 && expression_items > 0,
        "completion answers"
    );

    // 6. Semantic tokens and inlay hints of the 3,000-line file, once it is analysed.
    let big_path = root.join(BIG_FILE);
    let big_uri = uri(&big_path);
    let big_text = std::fs::read_to_string(&big_path).expect("the big file");
    let big_lines = big_text.lines().count();
    open(&mut client, &big_uri, &big_text);
    client.diagnostics_where(&big_uri, |p| p["version"] == 1);
    let document = json!({ "textDocument": { "uri": big_uri } });
    let mut tokens_full_times = Vec::new();
    let mut tokens_count = 0;
    let mut result_id = Value::Null;
    let mut tokens_cpu = Duration::ZERO;
    for run in 0..request_runs + 3 {
        let cpu_before = cpu_time(pid);
        let (elapsed, result) = timed(
            &mut client,
            "textDocument/semanticTokens/full",
            document.clone(),
        );
        // The first answers warm the caches; they are not figures.
        if run >= 3 {
            tokens_full_times.push(elapsed);
            tokens_cpu += cpu_time(pid) - cpu_before;
        }
        tokens_count = result["data"].as_array().map_or(0, Vec::len) / 5;
        result_id = result["resultId"].clone();
    }
    assert!(tokens_count > big_lines, "{tokens_count} tokens");
    // A delta after each edit of one line in the middle (alternately adding and
    // removing a `+ 0`), waiting for the edit's diagnostics first.
    let middle = big_text[..big_text.len() / 2]
        .rfind("let mut total = 0")
        .expect("a work_ function")
        + "let mut total = 0".len();
    let middle_at = position(&big_text, middle);
    let middle_end = json!({
        "line": middle_at["line"],
        "character": middle_at["character"].as_u64().expect("a column") + 4,
    });
    let mut tokens_delta_times = Vec::new();
    for run in 0..request_runs {
        let version = run as i64 + 2;
        let change = if run % 2 == 0 {
            json!({ "range": { "start": middle_at, "end": middle_at }, "text": " + 0" })
        } else {
            json!({ "range": { "start": middle_at, "end": middle_end }, "text": "" })
        };
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": big_uri, "version": version },
                    "contentChanges": [change] }),
        );
        client.diagnostics_where(&big_uri, |p| p["version"] == version);
        let mut params = document.clone();
        params["previousResultId"] = result_id.clone();
        let (elapsed, result) = timed(
            &mut client,
            "textDocument/semanticTokens/full/delta",
            params,
        );
        assert!(result["edits"].is_array(), "a delta: {result}");
        tokens_delta_times.push(elapsed);
        result_id = result["resultId"].clone();
    }
    let whole_file = json!({
        "textDocument": { "uri": big_uri },
        "range": { "start": { "line": 0, "character": 0 },
                   "end": { "line": big_lines + 1, "character": 0 } },
    });
    let mut hint_times = Vec::new();
    let mut hint_count = 0;
    for _ in 0..request_runs {
        let (elapsed, result) = timed(&mut client, "textDocument/inlayHint", whole_file.clone());
        hint_times.push(elapsed);
        hint_count = result.as_array().map_or(0, Vec::len);
    }

    // 5. Memory after everything.
    let after_edits = memory(pid);
    assert_eq!(client.shutdown(), Some(0), "the server exits cleanly");

    let time = |what: String, samples: Vec<Duration>, limit: Option<f64>| Row {
        what,
        figure: Figure::Time(Samples::new(samples)),
        limit,
    };
    let note = |what: &str, text: String| Row {
        what: what.to_string(),
        figure: Figure::Note(text),
        limit: None,
    };
    let memory_row = |what: &str, mib: f64, limit: Option<f64>| Row {
        what: what.to_string(),
        figure: Figure::Memory(mib),
        limit,
    };
    let rows = vec![
        time("initialize (spawn → reply)".into(), initialize_times, None),
        time(
            "open clean file → first diagnostics (fresh server)".into(),
            first_clean,
            Some(1000.0),
        ),
        time(
            "open file with an error → first diagnostics (fresh)".into(),
            first_broken,
            Some(1000.0),
        ),
        note(
            "  server CPU time to first diagnostics (mean)",
            format!(
                "{:.2} ms",
                cold_cpu.as_secs_f64() * 1000.0 / cold_runs as f64
            ),
        ),
        time(
            "edit in a function body → its diagnostics".into(),
            edit_times,
            Some(20.0),
        ),
        note(
            "  server CPU time per edit (mean, all threads)",
            format!("{:.2} ms", cpu_per_edit.as_secs_f64() * 1000.0),
        ),
        time(
            "edit → its diagnostics, code lens asked after every edit".into(),
            lens_edit_times,
            Some(20.0),
        ),
        time(
            format!("typing `{}` → completion there", TYPED.trim()),
            typed_completion_times,
            Some(10.0),
        ),
        time(
            format!("edit → code lens reply ({lens_count} lenses)"),
            lens_times,
            None,
        ),
        note(
            "  pause after the last edit → compiled sizes shown",
            format!(
                "{:.0} ms ({size_title})",
                sizes_after_pause.as_secs_f64() * 1000.0
            ),
        ),
        note("  `frame` of src/main.pbs", frame_size),
        time(
            format!(
                "hover ({hovers_with_content}/{} with content)",
                positions.len()
            ),
            hover_times,
            Some(10.0),
        ),
        time(
            format!("definition ({definitions_found}/{} found)", positions.len()),
            definition_times,
            Some(10.0),
        ),
        time(
            format!(
                "references ({} in {} files)",
                references.len(),
                reference_files.len()
            ),
            references_times,
            Some(100.0),
        ),
        time(
            format!("rename ({renamed_edits} edits in {renamed_files} files)"),
            rename_times,
            Some(100.0),
        ),
        time(
            format!("code actions at a diagnostic ({action_count} actions)"),
            action_times,
            Some(20.0),
        ),
        time(
            "code actions: source.organizeImports".into(),
            organize_times,
            Some(20.0),
        ),
        time(
            format!(
                "completion after `.` ({} positions, {:.1} items each)",
                member_positions.len(),
                member_items as f64 / member_positions.len().max(1) as f64
            ),
            member_completion_times,
            Some(20.0),
        ),
        time(
            format!(
                "completion in expression position ({} positions, {:.1} items)",
                expression_positions.len(),
                expression_items as f64 / expression_positions.len().max(1) as f64
            ),
            expression_completion_times,
            Some(20.0),
        ),
        time(
            format!("semantic tokens full ({big_lines} lines, {tokens_count} tokens)"),
            tokens_full_times,
            Some(20.0),
        ),
        note(
            "  server CPU time per full semantic tokens (mean)",
            format!(
                "{:.2} ms",
                tokens_cpu.as_secs_f64() * 1000.0 / request_runs as f64
            ),
        ),
        time(
            "semantic tokens full/delta after a one-line edit".into(),
            tokens_delta_times,
            None,
        ),
        time(
            format!("inlay hints of the whole file ({hint_count} hints)"),
            hint_times,
            None,
        ),
        memory_row("VmRSS after indexing", after_indexing.0, None),
        memory_row("VmHWM (peak) after indexing", after_indexing.1, Some(300.0)),
        memory_row(
            "VmRSS after the edits and requests",
            after_edits.0,
            Some(300.0),
        ),
        memory_row(
            "VmHWM (peak) after the edits and requests",
            after_edits.1,
            Some(300.0),
        ),
        note(
            "load average at the end",
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ];
    print_table(&rows);
}
