//! The formatter's throughput (issue 12's targets): the generated ~100k-line project
//! (the `analyze` benchmark's, written compactly, so almost every line changes) and the
//! same project once formatted (what `prometeu fmt --check` meets day to day), against
//! lexing and parsing the same text; and one ~3,000-line file, the size the language
//! server's formatting request is timed on (`prometeu/benches/lsp_format.rs` times it
//! through the server).
//!
//! Every run includes the formatter's own check: the output is parsed again and compared
//! with the input.
//!
//! Run: `cargo bench -p prometeu-analysis --bench format -- --warm-up-time 1 --measurement-time 3`

#[allow(dead_code)]
mod support {
    pub mod generate;
}

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prometeu_analysis::format::format_text;
use prometeu_analysis::{FileId, NameInterner, parse_file};
use support::generate::{Shape, block, generate};

/// 10 modules × 20 files (+ `main.pbs`) × 6 blocks ≈ 107k lines.
const SHAPE: Shape = Shape {
    modules: 10,
    files_per_module: 20,
    blocks_per_file: 6,
};

/// A file of about `lines` lines of the generator's blocks.
fn file_of(lines: usize) -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.lines().count() < lines {
        block(&i.to_string(), 0, &mut out);
        i += 1;
    }
    out
}

fn bench_format(c: &mut Criterion) {
    let project: Vec<String> = generate(SHAPE).into_iter().map(|f| f.text).collect();
    let lines: usize = project.iter().map(|t| t.lines().count()).sum();
    let bytes: usize = project.iter().map(String::len).sum();
    let formatted: Vec<String> = project
        .iter()
        .map(|text| format_text(text).expect("the generated project formats"))
        .collect();
    let formatted_lines: usize = formatted.iter().map(|t| t.lines().count()).sum();
    eprintln!(
        "project: {} files, {lines} lines, {bytes} bytes; formatted: {formatted_lines} lines",
        project.len()
    );

    let mut group = c.benchmark_group("format");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("project_100k/parse_only", |b| {
        b.iter(|| {
            for text in &project {
                let mut names = NameInterner::new();
                std::hint::black_box(parse_file(FileId(0), text, &mut names));
            }
        })
    });
    group.bench_function("project_100k/format", |b| {
        b.iter(|| {
            for text in &project {
                std::hint::black_box(format_text(text).unwrap());
            }
        })
    });
    group.bench_function("project_100k/already_formatted", |b| {
        b.iter(|| {
            for text in &formatted {
                std::hint::black_box(format_text(text).unwrap());
            }
        })
    });
    let file = file_of(3000);
    eprintln!("one file: {} lines", file.lines().count());
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.bench_function("file_3000_lines", |b| {
        b.iter(|| std::hint::black_box(format_text(&file).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_format);
criterion_main!(benches);
