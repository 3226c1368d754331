//! `prometeu build` of the generated ~108k-line, 201-file app (issue 6's performance
//! target: under 2 s end to end), measured as a whole and stage by stage: load the
//! project from disk → analyse → compile (lower, link, verify) → encode `program.pbc`
//! → render `symbols.json` and `analysis.json` → write the three files. A parse-only
//! pass over the same files is the baseline the other figures are compared with.
//!
//! Run: `cargo bench -p prometeu-compiler --bench build -- --warm-up-time 1 --measurement-time 3`
//! With `PROMETEU_BENCH_PROJECT=DIR` set, the generated project is also written to DIR,
//! to time `prometeu build DIR` itself.

// The generator is shared with the analysis benchmark rather than copied; this bench
// does not use every helper it offers (e.g. the edited-file variant).
#[allow(dead_code)]
#[path = "../../prometeu-analysis/benches/support/generate.rs"]
mod generate;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use generate::{Shape, write_project};
use prometeu_analysis::project::{ProjectGraph, load_project};
use prometeu_analysis::{Analysis, FileDb, NameInterner, analyze, parse_file};
use prometeu_compiler::compile;
use prometeu_compiler::exports::{analysis_json, symbols_json};

/// The same project as the `analyze` benchmark of `prometeu-analysis`:
/// 10 modules × 20 files (+ `main.pbs`) × 6 blocks ≈ 107k lines.
const SHAPE: Shape = Shape {
    modules: 10,
    files_per_module: 20,
    blocks_per_file: 6,
};

/// The outputs of one build, in memory.
struct Outputs {
    program: Vec<u8>,
    symbols: String,
    analysis: String,
}

/// Loads and analyses the project in `dir`.
fn load_and_analyze(dir: &Path) -> (FileDb, ProjectGraph, Arc<Analysis>) {
    let mut db = FileDb::new();
    let graph = load_project(dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    (db, graph, analysis)
}

/// Compiles an analysed project and renders every output.
fn render(analysis: &Analysis, graph: &ProjectGraph) -> Outputs {
    let compiled = compile(analysis, graph).expect("the generated project compiles");
    Outputs {
        program: compiled.to_bytes(),
        symbols: symbols_json(analysis, graph),
        analysis: analysis_json(analysis, graph),
    }
}

/// Writes the outputs where `prometeu build` puts them (`toolchain.md` §3).
fn write_outputs(out: &Path, outputs: &Outputs) {
    std::fs::create_dir_all(out.join("cart")).expect("create the output directory");
    std::fs::write(out.join("cart/program.pbc"), &outputs.program).expect("write program");
    std::fs::write(out.join("symbols.json"), &outputs.symbols).expect("write symbols.json");
    std::fs::write(out.join("analysis.json"), &outputs.analysis).expect("write analysis.json");
}

/// The whole build: what `prometeu build` does, minus printing and the cartridge
/// manifest.
fn build(dir: &Path, out: &Path) {
    let (_db, graph, analysis) = load_and_analyze(dir);
    let outputs = render(&analysis, &graph);
    write_outputs(out, &outputs);
}

/// The average of `runs` runs of `f`, for the summary printed before criterion's own
/// figures.
fn average(runs: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    start.elapsed() / runs
}

/// Makes every generated function reachable, so that `compile` lowers the whole
/// program and not only the few functions the generated `frame()` calls: adds an
/// `init()` to `src/main.pbs` that calls every block's `frame_*` (which calls, directly
/// or not, everything else in its block).
fn reach_everything(dir: &Path, shape: Shape) {
    let main = dir.join("src/main.pbs");
    let original = std::fs::read_to_string(&main).expect("read main.pbs");
    let mut imports = String::new();
    let mut calls = String::new();
    for m in 0..shape.modules {
        let mut names = Vec::new();
        for f in 0..shape.files_per_module {
            for j in 0..shape.blocks_per_file {
                names.push(format!("frame_{m}_{f}_{j}"));
                calls.push_str(&format!("    frame_{m}_{f}_{j}();\n"));
            }
        }
        imports.push_str(&format!(
            "import {{ {} }} from \"m{m}\";\n",
            names.join(", ")
        ));
    }
    let text = format!("{imports}{original}\nfn init() {{\n{calls}}}\n");
    std::fs::write(main, text).expect("write main.pbs");
}

fn bench_build(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_project(dir.path(), SHAPE).expect("write the generated project");
    reach_everything(dir.path(), SHAPE);
    // A copy to time the `prometeu build` command on (bench/README.md).
    if let Some(keep) = std::env::var_os("PROMETEU_BENCH_PROJECT") {
        let keep = Path::new(&keep);
        std::fs::create_dir_all(keep).expect("create PROMETEU_BENCH_PROJECT");
        write_project(keep, SHAPE).expect("write the generated project");
        reach_everything(keep, SHAPE);
    }
    let out = tempfile::tempdir().expect("temporary output directory");

    let (db, graph, analysis) = load_and_analyze(dir.path());
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
    let compiled = compile(&analysis, &graph)
        .unwrap_or_else(|e| panic!("the generated project must compile: {e:?}"));
    let lines: usize = graph
        .files
        .iter()
        .map(|f| db.text(f.file).lines().count())
        .sum();
    let outputs = render(&analysis, &graph);

    let parse_only = || {
        let mut names = NameInterner::new();
        for f in &graph.files {
            std::hint::black_box(parse_file(f.file, db.text(f.file), &mut names));
        }
    };
    let runs = 3;
    let t_parse = average(runs, parse_only);
    let t_load = average(runs, || {
        let mut db = FileDb::new();
        std::hint::black_box(load_project(dir.path(), &mut db));
    });
    let mut analyze_db = db.clone();
    let t_analyze = average(runs, || {
        std::hint::black_box(analyze(&graph, &mut analyze_db, None));
    });
    let t_compile = average(runs, || {
        std::hint::black_box(compile(&analysis, &graph).expect("compiles"));
    });
    let t_encode = average(runs, || {
        std::hint::black_box(compiled.to_bytes());
    });
    let t_symbols = average(runs, || {
        std::hint::black_box(symbols_json(&analysis, &graph));
    });
    let t_analysis_json = average(runs, || {
        std::hint::black_box(analysis_json(&analysis, &graph));
    });
    let t_write = average(runs, || write_outputs(out.path(), &outputs));
    let t_build = average(runs, || build(dir.path(), out.path()));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let row = |name: &str, d: Duration| {
        format!(
            "{name:<28}{:8.1} ms  ({:5.2}x parse)",
            ms(d),
            ms(d) / ms(t_parse)
        )
    };
    eprintln!(
        "generated {} files, {lines} lines; program.pbc {} bytes ({} functions), \
         symbols.json {} bytes, analysis.json {} bytes\n{}",
        graph.files.len(),
        outputs.program.len(),
        compiled.program.functions.len(),
        outputs.symbols.len(),
        outputs.analysis.len(),
        [
            row("parse only (baseline)", t_parse),
            row("load (read + graph)", t_load),
            row("analyze", t_analyze),
            row("compile (lower+link+verify)", t_compile),
            row("encode program.pbc", t_encode),
            row("symbols.json", t_symbols),
            row("analysis.json", t_analysis_json),
            row("write the three files", t_write),
            row("whole build (target 2 s)", t_build),
        ]
        .join("\n"),
    );

    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("parse_only", |b| b.iter(parse_only));
    group.bench_function("analyze", |b| {
        b.iter(|| analyze(&graph, &mut analyze_db, None))
    });
    group.bench_function("compile", |b| b.iter(|| compile(&analysis, &graph)));
    group.bench_function("exports", |b| {
        b.iter(|| {
            (
                symbols_json(&analysis, &graph),
                analysis_json(&analysis, &graph),
            )
        })
    });
    group.bench_function("whole_build", |b| b.iter(|| build(dir.path(), out.path())));
    group.finish();
}

criterion_group!(benches, bench_build);
criterion_main!(benches);
