//! Lexing and parsing throughput on a generated ~100k-line PBS file that mixes every
//! construct, plus the arena's memory per source byte.
//!
//! Run: `cargo bench -p prometeu-analysis --bench parse -- --warm-up-time 1 --measurement-time 3`

// The parse benchmark needs only the block writer of the shared generator.
#[allow(dead_code)]
mod support {
    pub mod generate;
}

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prometeu_analysis::syntax::lex;
use prometeu_analysis::{FileId, NameInterner, parse_file};
use support::generate::block;

/// A deterministic file of about `lines` lines: the analysis benchmark's blocks (every
/// declaration, statement and expression form) back to back.
fn generate(lines: usize) -> String {
    let mut one = String::new();
    block("0", 0, &mut one);
    let per_block = one.lines().count();
    let mut out = String::new();
    for i in 0..lines.div_ceil(per_block) {
        block(&i.to_string(), 0, &mut out);
    }
    out
}

fn bench_parse(c: &mut Criterion) {
    let source = generate(100_000);
    let lines = source.lines().count();
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), &source, &mut names);
    assert!(
        parse.diagnostics.is_empty(),
        "{:?}",
        &parse.diagnostics[..1]
    );
    let heap = parse.arena.heap_size();
    eprintln!(
        "generated {lines} lines, {} bytes; {} nodes; arena heap {heap} bytes = {:.2}x source; \
         tokens {} ({} bytes)",
        source.len(),
        parse.arena.len(),
        heap as f64 / source.len() as f64,
        parse.lexed.tokens.len(),
        parse.lexed.tokens.capacity() * std::mem::size_of::<prometeu_analysis::syntax::Token>(),
    );

    let mut group = c.benchmark_group("syntax");
    group.throughput(Throughput::Bytes(source.len() as u64));
    group.sample_size(10);
    group.bench_function("lex", |b| {
        b.iter(|| lex(FileId(0), std::hint::black_box(&source)))
    });
    group.bench_function("lex+parse", |b| {
        b.iter(|| {
            let mut names = NameInterner::new();
            parse_file(FileId(0), std::hint::black_box(&source), &mut names)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
