//! Lexing and parsing throughput on a generated ~100k-line PBS file that mixes every
//! construct, plus the arena's memory per source byte.
//!
//! Run: `cargo bench -p prometeu-analysis --bench parse -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prometeu_analysis::syntax::lex;
use prometeu_analysis::{FileId, NameInterner, parse_file};

/// One block of ~100 lines using every declaration, statement and expression form;
/// `i` makes names distinct so the interner sees a realistic number of identifiers.
fn block(i: usize, out: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        r#"/// A point, number {i}.
pub declare struct Point{i}(x: int, y: int, tag: string) {{
    /// The origin.
    pub const ORIGIN: Point{i} = Point{i}(0, 0, "origin");
    pub fn len2(self): int {{ return self.x * self.x + self.y * self.y; }}
    pub fn shift(mut self, dx: int, dy: int) {{ self.x += dx; self.y -= dy; }}
}}

pub declare error Fail{i} {{ NotFound, Corrupt, TooBig, }}
declare const LIMIT_{i}: int = 0x7F_FF + 1_000 * 2;
pub declare contract Scorer{i} {{ fn add(n: int); fn get(): int; }}

service Score{i}: Scorer{i} {{
    let mut points: int = 0;
    let items: list<ref<Point{i}>> = alloc list<ref<Point{i}>>();
    pub fn add(n: int) {{ points += n; }}
    pub fn get(): int {{ return points; }}
}}

fn check_{i}(v: int): result<int, Fail{i}> {{
    if v < 0 {{ return err(Fail{i}.NotFound); }} else if v > 1000 {{ return err(Fail{i}.TooBig); }}
    return ok(v / 2);
}}

fn maybe_{i}(v: int): optional<int> {{
    let h = check_{i}(v) else 0;
    if h == 0 {{ return none; }}
    return some(h % 7);
}}

mod fn work_{i}(mut n: int, scale: float, flags: bounded): int {{
    let mut total = 0;
    let arr: [int; 4] = [1, 2, 3, 4,];
    let zeros = [0; 8];
    for k in 0..n + 3 {{
        total += arr[k % 4] << 2 | (k & 3) ^ 1;
        if total > 10000 && !(k == 3) || false {{ break; }}
    }}
    for z in zeros {{ total -= z; }}
    while n > 0 {{ n -= 1; if n % 2 == 0 {{ continue; }} total *= 1; }}
    let f = (total as float) * scale + 1.5e3 - 0.25;
    let b = 640b + flags;
    let label = total when {{
        0 -> "zero",
        1 | 2 | 3 -> "few",
        -1 -> "negative",
        _ -> "many",
    }};
    let r = handle check_{i}(total) {{
        Fail{i}.NotFound -> ok(0),
        Fail{i}.Corrupt -> ok(-1),
        Fail{i}.TooBig -> err(Fail{i}.TooBig),
    }};
    let m = maybe_{i}(total)?;
    let o = maybe_{i}(n) when {{ some(v) -> v, none -> 0 }};
    let p: ref<Point{i}> = alloc Point{i}(1, 2, "p\n\u{{41}}");
    mutate p as q {{ q.x = q.x + 1; q.tag = label; }}
    let seen = borrow p as q {{ q.x + q.y }};
    let copy = peek p;
    let gone = take p;
    Score{i}.add(seen + copy.x + gone.y + m + o + (f as int) + (b as int));
    Log.info(label + " " + (r as string));
    return total;
}}

fn frame_{i}() {{
    let v = work_{i}(10, 2.0, 3b);
    let w = if v > 5 {{ v }} else {{ -v }};
    {{
        let inner = w * 2;
        Log.info(inner as string);
    }}
}}

"#
    );
}

/// A deterministic file of about `lines` lines.
fn generate(lines: usize) -> String {
    let mut one = String::new();
    block(0, &mut one);
    let per_block = one.lines().count();
    let mut out = String::from("import { Vec2, lerp as mix } from \"@math\";\n\n");
    for i in 0..lines.div_ceil(per_block) {
        block(i, &mut out);
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
