//! Whole-program analysis of a generated app of 200 files / ~100k lines (issue 4's
//! performance targets): full analysis under 1 s, re-analysis after one function body
//! changes (reusing the other files' parses) under 100 ms. A parse-only pass over the
//! same files is the baseline the other figures are compared with.
//!
//! Run: `cargo bench -p prometeu-analysis --bench analyze -- --warm-up-time 1 --measurement-time 3`

mod support {
    pub mod generate;
}

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use prometeu_analysis::project::{ProjectGraph, load_project};
use prometeu_analysis::{FileDb, NameInterner, analyze, parse_file};
use support::generate::{
    SHARED_LIB, Shape, edited_file, generate, shared_lib, with_shared_helper, write_files,
    write_project,
};

/// The allocator of the `prometeu` binary, so in-process figures match the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 10 modules × 20 files (+ `main.pbs`) × 6 blocks of ~89 lines ≈ 107k lines.
const SHAPE: Shape = Shape {
    modules: 10,
    files_per_module: 20,
    blocks_per_file: 6,
};

/// The module and file whose first `work_` body the incremental benchmark edits.
const EDITED: (usize, usize) = (4, 7);

/// The average of `runs` runs of `f`, for the summary printed before criterion's own
/// figures.
fn average(runs: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    start.elapsed() / runs
}

fn bench_analyze(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_project(dir.path(), SHAPE).expect("write the generated project");

    let mut db = FileDb::new();
    let graph = load_project(dir.path(), &mut db);
    let analysis = analyze(&graph, &mut db, None);
    let shown: Vec<String> = analysis
        .diagnostics
        .iter()
        .take(5)
        .map(|d| format!("{} {}: {}", d.code, db.uri(d.span.file), d.message))
        .collect();
    assert!(
        shown.is_empty(),
        "the generated project must check clean:\n{}",
        shown.join("\n")
    );
    let lines: usize = graph
        .files
        .iter()
        .map(|f| db.text(f.file).lines().count())
        .sum();
    let bytes: usize = graph.files.iter().map(|f| db.text(f.file).len()).sum();

    let edited = graph
        .files
        .iter()
        .find(|f| f.rel_path == format!("src/m{}/f{:02}.pbs", EDITED.0, EDITED.1))
        .expect("the edited file exists");
    let edited_uri = db.uri(edited.file).to_string();
    let original_text = db.text(edited.file).to_string();
    let changed_text = edited_file(SHAPE, EDITED.0, EDITED.1, 1);
    assert_ne!(original_text, changed_text);

    let parse_only = || {
        let mut names = NameInterner::new();
        for f in &graph.files {
            std::hint::black_box(parse_file(f.file, db.text(f.file), &mut names));
        }
    };
    let mut full_db = db.clone();
    let mut edit_db = db.clone();
    edit_db.upsert(&edited_uri, changed_text.as_str());
    let check_edit = analyze(&graph, &mut edit_db, Some(&analysis));
    assert!(
        check_edit.diagnostics.is_empty(),
        "the edit must check clean"
    );

    let runs = 5;
    let t_parse = average(runs, parse_only);
    let t_full = average(runs, || {
        std::hint::black_box(analyze(&graph, &mut full_db, None));
    });
    let t_load = average(runs, || {
        let mut db = FileDb::new();
        let graph = load_project(dir.path(), &mut db);
        std::hint::black_box(analyze(&graph, &mut db, None));
    });
    let t_edit = average(runs, || {
        std::hint::black_box(analyze(&graph, &mut edit_db, Some(&analysis)));
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "generated {} files, {lines} lines, {bytes} bytes, {} symbols\n\
         parse only (baseline)      {:8.1} ms\n\
         full analysis              {:8.1} ms  ({:.2}x parse)\n\
         load + full analysis       {:8.1} ms  ({:.2}x parse)\n\
         re-analysis after one edit {:8.1} ms  ({:.2}x parse, {:.1}% of full)",
        graph.files.len(),
        analysis.symbols.len(),
        ms(t_parse),
        ms(t_full),
        ms(t_full) / ms(t_parse),
        ms(t_load),
        ms(t_load) / ms(t_parse),
        ms(t_edit),
        ms(t_edit) / ms(t_parse),
        100.0 * ms(t_edit) / ms(t_full),
    );

    incremental_session(&graph, &db, &edited_uri, &original_text);
    signature_change_used_by_50_modules();

    let mut group = c.benchmark_group("analyze");
    group.sample_size(10);
    group.bench_function("parse_only", |b| b.iter(parse_only));
    group.bench_function("full", |b| b.iter(|| analyze(&graph, &mut full_db, None)));
    group.bench_function("load_and_full", |b| {
        b.iter(|| {
            let mut db = FileDb::new();
            let graph = load_project(dir.path(), &mut db);
            analyze(&graph, &mut db, None)
        })
    });
    group.bench_function("one_body_edit", |b| {
        b.iter(|| analyze(&graph, &mut edit_db, Some(&analysis)))
    });
    group.finish();
}

/// The CPU time this thread has used: unlike wall-clock time it does not grow with
/// what else the machine runs.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The `p`th percentile of `times` (sorted in place).
fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
    times[i]
}

/// Runs `analyze` and returns the result with its wall-clock and CPU time.
fn timed(
    graph: &ProjectGraph,
    db: &mut FileDb,
    previous: Option<&prometeu_analysis::Analysis>,
) -> (
    std::sync::Arc<prometeu_analysis::Analysis>,
    Duration,
    Duration,
) {
    let (start, cpu) = (Instant::now(), thread_cpu());
    let analysis = analyze(graph, db, previous);
    (analysis, start.elapsed(), thread_cpu() - cpu)
}

/// Issue 13's figures: a session of edits, each analysis reusing the previous one. An
/// edit inside one function body re-checks that body only; an interface change of one
/// file of `m4` re-checks the modules that import `m4`, directly or not (`m4`…`m9` and
/// `main.pbs`: 121 of the 201 files).
fn incremental_session(graph: &ProjectGraph, db: &FileDb, edited_uri: &str, original: &str) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut db = db.clone();
    let mut current = analyze(graph, &mut db, None);
    let (mut body_wall, mut body_cpu) = (Vec::new(), Vec::new());
    for k in 1..=100 {
        let text = edited_file(SHAPE, EDITED.0, EDITED.1, k);
        db.upsert(edited_uri, text.as_str());
        let (next, wall, cpu) = timed(graph, &mut db, Some(&current));
        body_wall.push(wall);
        body_cpu.push(cpu);
        assert_eq!(next.stats.bodies_checked.len(), 1, "one body re-checked");
        assert!(next.stats.one_file_rechecked, "the rest shared");
        current = next;
    }
    // Typing a `let` and deleting it again: the file's locals change in number, so every
    // later file's local IDs move; still the file alone is checked.
    let (mut local_wall, mut local_cpu) = (Vec::new(), Vec::new());
    for k in 0..40 {
        let text = if k % 2 == 0 {
            original.replacen(
                "let mut total = 0;",
                &format!("let mut total = 0;\n    let extra = {k};"),
                1,
            )
        } else {
            original.to_string()
        };
        db.upsert(edited_uri, text.as_str());
        let (next, wall, cpu) = timed(graph, &mut db, Some(&current));
        local_wall.push(wall);
        local_cpu.push(cpu);
        assert!(
            next.stats.one_file_rechecked,
            "a new local re-checks the file alone"
        );
        current = next;
    }
    let (mut interface_wall, mut interface_cpu) = (Vec::new(), Vec::new());
    let mut rechecked = 0;
    for k in 0..20 {
        let text = format!("{original}\npub fn added_{k}(): int {{ return {k}; }}\n");
        db.upsert(edited_uri, text.as_str());
        let (next, wall, cpu) = timed(graph, &mut db, Some(&current));
        interface_wall.push(wall);
        interface_cpu.push(cpu);
        rechecked = next.stats.bodies_checked.len();
        current = next;
    }
    let bodies = current.stats.bodies_checked.len() + current.stats.bodies_reused;
    let (mut full_wall, mut full_cpu) = (Vec::new(), Vec::new());
    // One run first, not counted: the first analysis from scratch after the session
    // pages in fresh memory (about 300 ms here), as criterion's warm-up does below.
    let _ = timed(graph, &mut db, None);
    for _ in 0..10 {
        let (_, wall, cpu) = timed(graph, &mut db, None);
        full_wall.push(wall);
        full_cpu.push(cpu);
    }
    let row = |what: &str, wall: &mut Vec<Duration>, cpu: &mut Vec<Duration>, note: String| {
        eprintln!(
            "{what:<24} p50 {:7.2} ms  p95 {:7.2} ms  | cpu p50 {:7.2} ms  p95 {:7.2} ms  {note}",
            ms(percentile(wall, 0.5)),
            ms(percentile(wall, 0.95)),
            ms(percentile(cpu, 0.5)),
            ms(percentile(cpu, 0.95)),
        );
    };
    eprintln!("incremental session (each analysis reuses the previous one): wall clock | CPU");
    row(
        "edit inside one body",
        &mut body_wall,
        &mut body_cpu,
        format!("(1 of {bodies} bodies re-checked)"),
    );
    row(
        "a new local, then gone",
        &mut local_wall,
        &mut local_cpu,
        String::new(),
    );
    row(
        "interface change in m4",
        &mut interface_wall,
        &mut interface_cpu,
        format!("({rechecked} bodies re-checked)"),
    );
    row("from scratch", &mut full_wall, &mut full_cpu, String::new());
}

/// Issue 13's figure for a signature change: `shared_helper`, which every file of 50
/// modules imports and calls, changes its return type (every call becomes an error) and
/// back, ten times; each analysis reuses the previous one. The bodies that call it are
/// checked again, the others replayed.
fn signature_change_used_by_50_modules() {
    const FIFTY: Shape = Shape {
        modules: 50,
        files_per_module: 2,
        blocks_per_file: 10,
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    write_files(dir.path(), with_shared_helper(generate(FIFTY))).expect("write the project");
    let mut db = FileDb::new();
    let graph = load_project(dir.path(), &mut db);
    let lines: usize = graph
        .files
        .iter()
        .map(|f| db.text(f.file).lines().count())
        .sum();
    let shared = graph
        .files
        .iter()
        .find(|f| f.rel_path == SHARED_LIB)
        .expect("the shared module");
    let uri = db.uri(shared.file).to_string();
    let mut current = analyze(&graph, &mut db, None);
    assert!(current.diagnostics.is_empty(), "the project checks clean");
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let mut rechecked = 0;
    for k in 0..20 {
        let rest = if k % 2 == 0 {
            "(v: int): bool { return v > 0; }"
        } else {
            "(v: int): int { return v + 1; }"
        };
        db.upsert(&uri, shared_lib(rest).as_str());
        let (next, w, c) = timed(&graph, &mut db, Some(&current));
        wall.push(w);
        cpu.push(c);
        rechecked = rechecked.max(next.stats.bodies_checked.len());
        current = next;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "signature change used by 50 modules ({} files, {lines} lines, at most {rechecked} bodies re-checked):\n  \
         p50 {:7.2} ms  p95 {:7.2} ms  | cpu p50 {:7.2} ms  p95 {:7.2} ms",
        graph.files.len(),
        ms(percentile(&mut wall, 0.5)),
        ms(percentile(&mut wall, 0.95)),
        ms(percentile(&mut cpu, 0.5)),
        ms(percentile(&mut cpu, 0.95)),
    );
}

criterion_group!(benches, bench_analyze);
criterion_main!(benches);
