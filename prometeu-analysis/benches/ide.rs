//! The IDE layer's queries on the generated app of ~100k lines (issue 10's targets):
//! hover and go to definition p95 under 10 ms; references and rename of a symbol used
//! in 200 files under 100 ms; and (issue 13) an edit inside one function body through
//! the [`AnalysisHost`], as the language server runs it. The project lives in a
//! [`MemoryFs`]; one extra module,
//! `shared`, holds `shared_helper`, which every generated file imports and calls.
//!
//! Run: `cargo bench -p prometeu-analysis --bench ide -- --warm-up-time 1 --measurement-time 3`

// Shared with the `analyze` benchmark, which uses the parts this one does not.
#[allow(dead_code)]
mod support {
    pub mod generate;
}

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use prometeu_analysis::ide::vfs::MemoryFs;
use prometeu_analysis::ide::{AnalysisHost, FilePosition, Snapshot};
use prometeu_analysis::project::LoadOptions;
use prometeu_analysis::syntax::{TokenKind, lex};
use support::generate::{MANIFEST, Shape, edited_file, generate, with_shared_helper};

/// 10 modules × 20 files (+ `main.pbs`) × 6 blocks of ~89 lines ≈ 107k lines.
const SHAPE: Shape = Shape {
    modules: 10,
    files_per_module: 20,
    blocks_per_file: 6,
};

const ROOT: &str = "/bench";

/// The allocator of the `prometeu` binary, so in-process figures match the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The generated app plus `src/shared/lib.pbs`, used by every module file.
fn workspace() -> MemoryFs {
    let mut fs = MemoryFs::new();
    let root = Path::new(ROOT);
    fs.insert(root.join("prometeu.json"), MANIFEST);
    for file in with_shared_helper(generate(SHAPE)) {
        fs.insert(root.join(&file.rel_path), file.text);
    }
    fs
}

/// Every fifth identifier of every source file: where hovers and definitions are asked.
fn positions(s: &Snapshot) -> Vec<FilePosition> {
    let mut out = Vec::new();
    for file in s.files() {
        if !s.file_path(file).ends_with(".pbs") {
            continue;
        }
        let lexed = lex(file, s.file_text(file));
        let idents = lexed.tokens.iter().filter(|t| t.kind == TokenKind::Ident);
        for token in idents.step_by(5) {
            out.push(FilePosition {
                file,
                offset: token.start + 1,
            });
        }
    }
    out
}

/// The 50th, 95th and 100th percentiles of `f` over `positions`.
fn percentiles(positions: &[FilePosition], mut f: impl FnMut(FilePosition)) -> [Duration; 3] {
    let mut times: Vec<Duration> = positions
        .iter()
        .map(|&p| {
            let start = Instant::now();
            f(p);
            start.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    [at(0.5), at(0.95), at(1.0)]
}

fn bench_ide(c: &mut Criterion) {
    let mut host = AnalysisHost::new(Arc::new(workspace()), LoadOptions::default());
    host.add_workspace_folder(Path::new(ROOT));
    let start = Instant::now();
    let s = host.analyze_now();
    let t_analyze = start.elapsed();
    let errors: Vec<String> = s
        .files()
        .into_iter()
        .flat_map(|f| s.diagnostics(f))
        .filter(|d| d.severity == prometeu_analysis::Severity::Error)
        .take(5)
        .map(|d| d.message)
        .collect();
    assert!(errors.is_empty(), "the workspace must check: {errors:?}");
    let lines: usize = s
        .files()
        .iter()
        .map(|&f| s.file_text(f).lines().count())
        .sum();

    let shared = s
        .file_id(&Path::new(ROOT).join("src/shared/lib.pbs"))
        .expect("the shared module");
    let helper = FilePosition {
        file: shared,
        offset: s.file_text(shared).find("shared_helper").expect("the item") as u32,
    };
    let references = s.find_references(helper, true);
    let files: std::collections::BTreeSet<_> = references.iter().map(|r| r.span.file).collect();
    assert!(files.len() > 200, "used in {} files", files.len());

    let positions = positions(&s);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let hover = percentiles(&positions, |p| {
        std::hint::black_box(s.hover(p));
    });
    let definition = percentiles(&positions, |p| {
        std::hint::black_box(s.goto_definition(p));
    });
    let highlight = percentiles(&positions, |p| {
        std::hint::black_box(s.highlight_related(p));
    });
    let signature = percentiles(&positions, |p| {
        std::hint::black_box(s.signature_help(p));
    });
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let t_refs = time(&mut || {
        std::hint::black_box(s.find_references(helper, true));
    });
    let t_rename = time(&mut || {
        std::hint::black_box(s.rename(helper, "common_helper").expect("renamable"));
    });
    let t_symbols = time(&mut || {
        std::hint::black_box(s.workspace_symbols("wrk"));
    });
    let row = |name: &str, [p50, p95, max]: [Duration; 3]| {
        format!(
            "{name:<18} p50 {:7.3} ms  p95 {:7.3} ms  max {:7.3} ms\n",
            ms(p50),
            ms(p95),
            ms(max)
        )
    };
    eprintln!(
        "{} files, {lines} lines, analysed in {:.0} ms; {} positions\n{}{}{}{}\
         references of a symbol used in {} files ({} references): {:.2} ms\n\
         rename of it: {:.2} ms\n\
         workspace symbols \"wrk\": {:.2} ms",
        s.files().len(),
        ms(t_analyze),
        positions.len(),
        row("hover", hover),
        row("goto_definition", definition),
        row("highlight_related", highlight),
        row("signature_help", signature),
        files.len(),
        references.len(),
        ms(t_refs),
        ms(t_rename),
        ms(t_symbols),
    );

    // An edit inside one function body through the host, as the server runs it: the
    // project reloaded over the open buffer, then re-analysed reusing the last analysis.
    let edited = Path::new(ROOT).join("src/m4/f07.pbs");
    let original = s
        .file_text(s.file_id(&edited).expect("the edited file"))
        .to_string();
    let base = edited_file(SHAPE, 4, 7, 0);
    assert!(original.contains(&base));
    let mut edits: Vec<Duration> = (1..=60)
        .map(|k| {
            host.change_file(
                &edited,
                &original.replace(&base, &edited_file(SHAPE, 4, 7, k)),
            );
            let start = Instant::now();
            std::hint::black_box(host.analyze_now());
            start.elapsed()
        })
        .collect();
    edits.sort();
    let at = |q: f64| edits[((edits.len() - 1) as f64 * q) as usize];
    eprint!("{}", row("edit one body", [at(0.5), at(0.95), at(1.0)]));

    let mut group = c.benchmark_group("ide");
    group.sample_size(20);
    let some = &positions[positions.len() / 2];
    group.bench_function("hover", |b| b.iter(|| s.hover(*some)));
    group.bench_function("goto_definition", |b| b.iter(|| s.goto_definition(*some)));
    group.bench_function("find_references_200_files", |b| {
        b.iter(|| s.find_references(helper, true))
    });
    group.bench_function("rename_200_files", |b| {
        b.iter(|| s.rename(helper, "common_helper"))
    });
    group.bench_function("workspace_symbols", |b| {
        b.iter(|| s.workspace_symbols("wrk"))
    });
    group.finish();
}

criterion_group!(benches, bench_ide);
criterion_main!(benches);
