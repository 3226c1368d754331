//! `analyze` end to end: the prelude, entry points, determinism, incremental reuse and
//! robustness on arbitrary input.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use prometeu_analysis::analysis::{PRELUDE_SOURCE, PRELUDE_URI};
use prometeu_analysis::project::{load_loose_file, load_project};
use prometeu_analysis::semantics::SymbolKind;
use prometeu_analysis::{Analysis, DiagnosticCode, FileDb, analyze};
use proptest::prelude::*;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn analyze_dir(dir: &Path) -> (FileDb, Arc<Analysis>) {
    let mut db = FileDb::new();
    let graph = load_project(dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    (db, analysis)
}

/// Analyses `text` as a loose file `main.pbs` in a fresh temporary directory.
fn analyze_text(text: &str) -> (FileDb, Arc<Analysis>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.pbs");
    std::fs::write(&path, text).unwrap();
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    (db, analysis)
}

fn codes(analysis: &Analysis) -> Vec<&'static str> {
    analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

#[test]
fn the_prelude_is_clean_and_declares_every_section_10_name() {
    let (db, analysis) = analyze_text("fn frame() {}\n");
    assert_eq!(codes(&analysis), Vec::<&str>::new());
    assert_eq!(db.uri(analysis.prelude_file), PRELUDE_URI);
    assert_eq!(&**db.text(analysis.prelude_file), PRELUDE_SOURCE);
    let prelude: Vec<(&str, SymbolKind)> = analysis
        .symbols
        .iter()
        .filter(|(_, s)| s.module == analysis.prelude_module && s.parent.is_none())
        .map(|(id, s)| (analysis.symbol_name(id), s.kind))
        .collect();
    for name in ["Color", "ButtonState", "Pad", "Touch"] {
        assert!(prelude.contains(&(name, SymbolKind::Struct)), "{name}");
    }
    for name in ["Gfx", "Input", "Audio", "Log", "System"] {
        assert!(prelude.contains(&(name, SymbolKind::Contract)), "{name}");
    }
    // Every Color constant folds to its RGB565 value.
    let value = |name: &str| {
        let (id, _) = analysis
            .symbols
            .iter()
            .find(|(id, s)| s.kind == SymbolKind::AssocConst && analysis.symbol_name(*id) == name)
            .unwrap();
        analysis.const_values.get(&id).cloned()
    };
    use prometeu_analysis::semantics::consts::ConstValue;
    for (name, rgb) in [
        ("BLACK", 0x0000u16),
        ("WHITE", 0xFFFF),
        ("RED", 0xF800),
        ("GREEN", 0x07E0),
        ("BLUE", 0x001F),
        ("YELLOW", 0xFFE0),
        ("CYAN", 0x07FF),
        ("GRAY", 0x8410),
        ("TRANSPARENT", 0xF81F),
    ] {
        match value(name) {
            Some(ConstValue::Struct(_, fields)) => {
                assert_eq!(fields, vec![ConstValue::Bounded(rgb)], "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn an_app_without_frame_gets_e_project_no_frame() {
    let (_, analysis) = analyze_text("fn init() {}\n");
    assert_eq!(codes(&analysis), vec!["E_PROJECT_NO_FRAME"]);
    // A `frame` with the wrong signature exists: its signature is the mistake.
    let (_, analysis) = analyze_text("fn frame(n: int) { Log.info(n as string); }\n");
    assert_eq!(codes(&analysis), vec!["E_PROJECT_ENTRY_SIGNATURE"]);
    assert_eq!(analysis.diagnostics[0].span.start, 3, "on the name");
    let (_, analysis) = analyze_text("fn init(): int { return 1; }\nfn frame() {}\n");
    assert_eq!(codes(&analysis), vec!["E_PROJECT_ENTRY_SIGNATURE"]);
    // A `main` instead of `frame` (C, Rust, Go): the message says what PBS calls.
    let (_, analysis) = analyze_text("fn main() {}\n");
    assert_eq!(codes(&analysis), vec!["E_PROJECT_NO_FRAME"]);
    assert!(
        analysis.diagnostics[0]
            .message
            .contains("PBS has no `main`"),
        "{}",
        analysis.diagnostics[0].message
    );
    // A library needs no frame.
    let (_, analysis) = analyze_dir(&examples().join("mathlib"));
    assert!(analysis.diagnostics.is_empty());
}

/// Everything observable of an analysis except file IDs, in a comparable form.
fn fingerprint(db: &FileDb, analysis: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    for (id, s) in analysis.symbols.iter() {
        let ty = analysis
            .facts
            .symbol_type(id)
            .map(|t| (t, analysis.display_type(t)));
        out.push(format!(
            "{id:?} {:?} {} {:?} {}:{} {ty:?} {:?}",
            s.kind,
            analysis.symbol_name(id),
            s.module,
            db.uri(s.decl_span.file).rsplit('/').next().unwrap_or(""),
            s.decl_span.start,
            {
                let mut refs: Vec<_> = analysis
                    .refs
                    .refs(id)
                    .iter()
                    .map(|r| (db.uri(r.span.file).to_string(), r.span.start, r.kind))
                    .collect();
                refs.sort();
                refs
            },
        ));
    }
    for (id, kind) in analysis.types.iter() {
        out.push(format!("{id:?} {kind:?}"));
    }
    let mut diagnostics: Vec<String> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} {} {}",
                db.uri(d.span.file),
                d.span.start,
                d.code,
                d.message
            )
        })
        .collect();
    diagnostics.sort();
    out.extend(diagnostics);
    out
}

#[test]
fn analysis_is_deterministic_across_runs_and_file_id_order() {
    for name in ["hello", "bounce", "town"] {
        let dir = examples().join(name);
        let (db1, a1) = analyze_dir(&dir);
        let (db2, a2) = analyze_dir(&dir);
        assert_eq!(fingerprint(&db1, &a1), fingerprint(&db2, &a2), "{name}");
        // Feed the files into the database in reverse order first: other file IDs,
        // same symbols, types and diagnostics.
        let mut db3 = FileDb::new();
        for f in db1.iter().collect::<Vec<_>>().into_iter().rev() {
            db3.upsert(db1.uri(f), Arc::clone(db1.text(f)));
        }
        let graph = load_project(&dir, &mut db3);
        let a3 = analyze(&graph, &mut db3, None);
        assert_eq!(
            fingerprint(&db1, &a1),
            fingerprint(&db3, &a3),
            "{name} reordered"
        );
    }
}

#[test]
fn re_analysis_reuses_unchanged_parses_and_gives_the_same_result() {
    let dir = examples().join("town");
    let mut db = FileDb::new();
    let graph = load_project(&dir, &mut db);
    let first = analyze(&graph, &mut db, None);
    let second = analyze(&graph, &mut db, Some(&first));
    for (a, b) in first.files.iter().zip(&second.files) {
        assert!(Arc::ptr_eq(&a.parse, &b.parse), "{}", db.uri(a.file));
    }
    assert_eq!(fingerprint(&db, &first), fingerprint(&db, &second));

    // Edit one file: only it is re-parsed, and the new error shows.
    let main = graph
        .files
        .iter()
        .find(|f| f.rel_path == "src/main.pbs")
        .unwrap()
        .file;
    let edited = db.text(main).replace("spawn_all();", "spawn_al();");
    db.upsert(db.uri(main).to_string().as_str(), edited);
    let third = analyze(&graph, &mut db, Some(&second));
    for (a, b) in second.files.iter().zip(&third.files) {
        assert_eq!(
            Arc::ptr_eq(&a.parse, &b.parse),
            a.file != main,
            "{}",
            db.uri(a.file)
        );
    }
    let codes: Vec<_> = third.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec![
            DiagnosticCode::UnusedImport,
            DiagnosticCode::ResolveUndefined
        ]
    );
    assert!(
        third.diagnostics[1]
            .message
            .contains("did you mean `spawn_all`")
    );
}

#[test]
fn deeply_nested_input_does_not_overflow_the_stack() {
    // Run on a thread with a small stack, as a language server worker might.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut text = String::from("fn frame() { let x = ");
            text.push_str(&"(".repeat(300));
            text.push('1');
            text.push_str(&")".repeat(300));
            text.push_str(";\nlet y = ");
            text.push_str(&"-".repeat(300));
            text.push_str("1; Log.info((x + y) as string); }\n");
            let (_, analysis) = analyze_text(&text);
            analysis.diagnostics.len()
        })
        .unwrap();
    assert!(handle.join().unwrap() >= 1);
}

#[test]
fn long_chains_of_constants_and_structs_fold_without_deep_recursion() {
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            // Declared last-first, so every constant needs the next one folded first.
            let mut lines: Vec<String> = (1..3000)
                .map(|i| format!("pub declare const C{i}: int = C{} + 1;", i - 1))
                .collect();
            lines.push("pub declare const C0: int = 1;".to_string());
            lines.reverse();
            lines.extend((1..3000).map(|i| format!("pub declare struct S{i}(s: S{})", i - 1)));
            lines.push("pub declare struct S0(v: int)".to_string());
            lines.push("fn frame() { Log.info(C2999 as string); }".to_string());
            lines.reverse();
            let (_, analysis) = analyze_text(&lines.join("\n"));
            let c = analysis
                .symbols
                .iter()
                .find(|(id, _)| analysis.symbol_name(*id) == "C2999")
                .unwrap()
                .0;
            (
                codes(&analysis).len(),
                analysis.const_values.get(&c).cloned(),
            )
        })
        .unwrap();
    let (diagnostics, value) = handle.join().unwrap();
    assert_eq!(diagnostics, 0);
    assert_eq!(
        value,
        Some(prometeu_analysis::semantics::consts::ConstValue::Int(3000))
    );
}

/// What must hold for any analysis: spans inside their files, references on name
/// tokens, IDs inside their tables.
fn check_invariants(db: &FileDb, analysis: &Analysis) {
    let in_file = |span: prometeu_analysis::Span| {
        let text = db.text(span.file);
        assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "{span:?}"
        );
        &text[span.range()]
    };
    for (id, symbol) in analysis.symbols.iter() {
        let name = in_file(symbol.decl_span);
        if symbol.kind != SymbolKind::Local || !name.is_empty() {
            assert_eq!(name, analysis.symbol_name(id), "{symbol:?}");
        }
        for r in analysis.refs.refs(id) {
            let used = in_file(r.span);
            // The symbol's own name, or an import alias of it.
            let is_name =
                !used.is_empty() && used.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            assert!(is_name, "{used:?} for {symbol:?}");
        }
    }
    for (_, ty) in analysis.facts.node_types() {
        assert!(ty.index() < analysis.types.len());
    }
    for d in &analysis.diagnostics {
        in_file(d.span);
        d.related.iter().for_each(|r| {
            in_file(r.span);
        });
    }
}

/// Bits of PBS to build random programs from: names, keywords, operators, literals.
const PIECES: &[&str] = &[
    "fn ",
    "frame",
    "()",
    "{",
    "}",
    "(",
    ")",
    "let ",
    "mut ",
    "x",
    "y",
    "=",
    ";",
    ":",
    "int",
    "float",
    "string",
    "bool",
    "optional<",
    "result<",
    "ref<",
    "list<",
    ">",
    ",",
    "1",
    "2.5",
    "3b",
    "\"s\"",
    "true",
    "none",
    "some(",
    "ok(",
    "err(",
    "alloc ",
    "list<int>()",
    "+",
    "-",
    "*",
    "/",
    "==",
    "<",
    "&&",
    "as ",
    "else ",
    "when ",
    "->",
    "_",
    "handle ",
    "borrow ",
    "mutate ",
    "peek ",
    "take ",
    "return ",
    "if ",
    "while ",
    "for ",
    "in ",
    "..",
    "break;",
    "continue;",
    "declare struct P(a: int) { pub fn m(mut self) { self.a += 1; } }",
    "declare error E { A, B }",
    "service S { let mut n: int = 0; pub fn f(): int { return n; } }",
    "E.A",
    "P(1)",
    ".",
    "a",
    "m()",
    "S.f()",
    "?",
    "[",
    "]",
    "[0; 3]",
    "Gfx.clear(Color.BLACK)",
    "import { X } from \"m\";",
    "self",
    "pub ",
    "const ",
    "declare const K: int = 1 / 0;",
    "\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Any token soup analyses without panicking, and twice to the same diagnostics.
    #[test]
    fn analysis_never_panics(picks in prop::collection::vec(0..PIECES.len(), 0..80)) {
        let text: String = picks.iter().map(|&i| PIECES[i]).collect();
        let (db, a) = analyze_text(&text);
        let (_, b) = analyze_text(&text);
        prop_assert_eq!(&a.diagnostics, &b.diagnostics);
        check_invariants(&db, &a);
    }

    /// Arbitrary text too (including non-ASCII and control characters).
    #[test]
    fn analysis_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = analyze_text(&text);
    }
}

#[test]
fn an_analysis_can_be_shared_across_threads() {
    // The language server answers requests from an `Arc<Analysis>` on worker threads.
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Analysis>();
}
