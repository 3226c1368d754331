//! A deterministic generator of a large, realistic PBS app that analyses with zero
//! diagnostics: `modules` modules of `files_per_module` files, each file
//! `blocks_per_file` blocks of ~95 lines (structs with methods and constants, errors,
//! contracts, services with fields, results, optionals, `?`, `when`, `handle`, loops,
//! HIP views), and each module importing items of the one before it. Shared by the
//! `analyze` benchmark and the test that keeps the generated code clean.

use std::fmt::Write as _;

/// The shape of a generated project.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// How many modules (`src/m0`, `src/m1`, …).
    pub modules: usize,
    /// How many files in each module.
    pub files_per_module: usize,
    /// How many ~95-line blocks in each file.
    pub blocks_per_file: usize,
}

/// One generated source file.
pub struct GeneratedFile {
    /// The path relative to the project directory, e.g. `src/m3/f07.pbs`.
    pub rel_path: String,
    /// The PBS source.
    pub text: String,
}

/// The manifest of the generated app.
pub const MANIFEST: &str =
    r#"{ "name": "bench", "version": "1.0.0", "kind": "app", "title": "Bench", "app_id": 1 }"#;

/// Every source file of a project of `shape`: `src/main.pbs` first, then the modules'
/// files in path order.
pub fn generate(shape: Shape) -> Vec<GeneratedFile> {
    let mut files = vec![GeneratedFile {
        rel_path: "src/main.pbs".into(),
        text: main_file(shape),
    }];
    for m in 0..shape.modules {
        for f in 0..shape.files_per_module {
            files.push(GeneratedFile {
                rel_path: format!("src/m{m}/f{f:02}.pbs"),
                text: module_file(m, f, shape.blocks_per_file, 0),
            });
        }
    }
    files
}

/// The text of file `f` of module `m` with the body of its first `work_` function
/// changed by `edit` (0 is the original); what an editor sends after a keystroke.
pub fn edited_file(shape: Shape, m: usize, f: usize, edit: usize) -> String {
    module_file(m, f, shape.blocks_per_file, edit)
}

fn main_file(shape: Shape) -> String {
    let mut out = String::new();
    for m in 0..shape.modules {
        let _ = writeln!(out, "import {{ link_{m}_0 }} from \"m{m}\";");
    }
    out.push_str("\nfn frame() {\n    let mut total = 0;\n");
    for m in 0..shape.modules {
        let _ = writeln!(out, "    total += link_{m}_0(total);");
    }
    out.push_str("    Log.info(total as string);\n}\n");
    out
}

fn module_file(m: usize, f: usize, blocks: usize, edit: usize) -> String {
    let mut out = String::new();
    if m == 0 {
        let _ = write!(
            out,
            "/// The first module links to nothing.\npub fn link_{m}_{f}(v: int): int {{ return v; }}\n\n"
        );
    } else {
        let p = format!("{}_{f}_0", m - 1);
        let _ = write!(
            out,
            r#"import {{ Point{p}, check_{p}, Fail{p}, Score{p} }} from "m{prev}";

/// Uses the previous module's items.
pub fn link_{m}_{f}(v: int): int {{
    let pt = Point{p}(v, v + 1, "link");
    Score{p}.add(pt.len2());
    let r = handle check_{p}(v) {{
        Fail{p}.NotFound -> ok(0),
        Fail{p}.Corrupt -> ok(1),
        Fail{p}.TooBig -> ok(2),
    }};
    return r + Score{p}.get();
}}

"#,
            prev = m - 1
        );
    }
    for j in 0..blocks {
        let edit = if j == 0 { edit } else { 0 };
        block(&format!("{m}_{f}_{j}"), edit, &mut out);
    }
    out
}

/// One block of ~95 lines; `i` makes its names unique in the program, and `edit`
/// changes a constant inside one function body (no declaration changes).
pub fn block(i: &str, edit: usize, out: &mut String) {
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

pub service Score{i}: Scorer{i} {{
    let mut points: int = 0;
    let items: list<Point{i}> = alloc list<Point{i}>();
    pub fn add(n: int) {{ points += n; items.push(Point{i}(n, -n, "item")); }}
    pub fn get(): int {{ return points + items.len(); }}
}}

pub fn check_{i}(v: int): result<int, Fail{i}> {{
    if v < 0 {{ return err(Fail{i}.NotFound); }} else if v > LIMIT_{i} {{ return err(Fail{i}.TooBig); }}
    if v == 13 {{ return err(Fail{i}.Corrupt); }}
    return ok(v / 2);
}}

pub fn maybe_{i}(v: int): optional<int> {{
    let h = check_{i}(v) else 0;
    if h == 0 {{ return none; }}
    return some(h % 7);
}}

fn sum_{i}(a: int, b: int): optional<int> {{
    let x = maybe_{i}(a)?;
    let y = maybe_{i}(b)?;
    return some(x + y);
}}

fn classify_{i}(total: int): string {{
    return total when {{
        0 -> "zero",
        1 | 2 | 3 -> "few",
        -1 -> "negative",
        _ -> "many",
    }};
}}

pub fn work_{i}(mut n: int, scale: float, flags: bounded): int {{
    let mut total = {edit};
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
    let label = classify_{i}(total);
    let r = handle check_{i}(total) {{
        Fail{i}.NotFound -> ok(0),
        Fail{i}.Corrupt -> ok(-1),
        Fail{i}.TooBig -> ok(1),
    }};
    let m = sum_{i}(total, n) else 0;
    let o = maybe_{i}(n) when {{ some(v) -> v, none -> 0 }};
    let mut p = Point{i}.ORIGIN;
    p.shift(r, m);
    let h: ref<Point{i}> = alloc Point{i}(1, 2, "p\n\u{{41}}");
    mutate h as q {{ q.x = q.x + 1; q.tag = label; }}
    let seen = borrow h as q {{ q.x + q.y }};
    let copy = peek h;
    let gone = take h;
    Score{i}.add(seen + copy.x + gone.y + o + p.len2() + (f as int) + (b as int));
    Log.info(label + " " + (r as string));
    return total;
}}

pub fn frame_{i}() {{
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

/// The module every module file of [`with_shared_helper`] imports.
pub const SHARED_LIB: &str = "src/shared/lib.pbs";

/// The text of [`SHARED_LIB`] with `shared_helper`'s signature and body `rest`, e.g.
/// `(v: int): int { return v + 1; }`.
pub fn shared_lib(rest: &str) -> String {
    format!("/// Used by every file.\npub fn shared_helper{rest}\n")
}

/// `files` plus [`SHARED_LIB`], whose `shared_helper` every module file imports and
/// calls: one function used everywhere (references, renames and signature changes are
/// measured on it).
pub fn with_shared_helper(files: Vec<GeneratedFile>) -> Vec<GeneratedFile> {
    let mut out: Vec<GeneratedFile> = files
        .into_iter()
        .enumerate()
        .map(|(k, file)| {
            if file.rel_path == "src/main.pbs" {
                return file;
            }
            let text = format!(
                "import {{ shared_helper }} from \"shared\";\n{}\npub fn uses_shared_{k}(): int {{ return shared_helper({k}); }}\n",
                file.text
            );
            GeneratedFile { text, ..file }
        })
        .collect();
    out.push(GeneratedFile {
        rel_path: SHARED_LIB.into(),
        text: shared_lib("(v: int): int { return v + 1; }"),
    });
    out
}

/// Writes the project of `shape` under `dir` (which must exist).
pub fn write_project(dir: &std::path::Path, shape: Shape) -> std::io::Result<()> {
    write_files(dir, generate(shape))
}

/// Writes the manifest and `files` under `dir` (which must exist).
pub fn write_files(dir: &std::path::Path, files: Vec<GeneratedFile>) -> std::io::Result<()> {
    std::fs::write(dir.join("prometeu.json"), MANIFEST)?;
    for file in files {
        let path = dir.join(&file.rel_path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, file.text)?;
    }
    Ok(())
}
