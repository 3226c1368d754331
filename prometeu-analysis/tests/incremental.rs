//! Incremental analysis (issue 13): after any sequence of edits the analysis that
//! reuses the previous one equals a fresh analysis of the same texts; the work it does
//! follows the edit (one body; a module and the bodies that use what changed); the
//! interner stays
//! bounded over a long session; cancellation is noticed between bodies.

#[path = "../benches/support/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::cell::Cell;
use std::collections::BTreeSet;

use generate::{Shape, write_project};
use prometeu_analysis::analysis::NAMES_SLACK;
use prometeu_analysis::project::{ProjectGraph, load_project};
use prometeu_analysis::{Analysis, FileDb, FileId, analyze, analyze_cancellable};
use proptest::prelude::*;

/// m0 ← m1 ← m2 ← m3 (each imports the one before), `main` imports all four.
const SHAPE: Shape = Shape {
    modules: 4,
    files_per_module: 2,
    blocks_per_file: 1,
};

struct Session {
    _dir: tempfile::TempDir,
    db: FileDb,
    graph: ProjectGraph,
}

fn session(shape: Shape) -> Session {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), shape).unwrap();
    let mut db = FileDb::new();
    let graph = load_project(dir.path(), &mut db);
    Session {
        _dir: dir,
        db,
        graph,
    }
}

impl Session {
    fn file(&self, rel_path: &str) -> FileId {
        self.graph
            .files
            .iter()
            .find(|f| f.rel_path == rel_path)
            .unwrap_or_else(|| panic!("{rel_path} is generated"))
            .file
    }

    fn text(&self, file: FileId) -> String {
        self.db.text(file).to_string()
    }

    fn set_text(&mut self, file: FileId, text: &str) {
        let uri = self.db.uri(file).to_string();
        self.db.upsert(&uri, text);
    }

    fn replace(&mut self, file: FileId, from: &str, to: &str) {
        let text = self.text(file);
        assert!(text.contains(from), "{from:?} is in the file");
        self.set_text(file, &text.replacen(from, to, 1));
    }

    fn analyze(&mut self, previous: Option<&Analysis>) -> std::sync::Arc<Analysis> {
        analyze(&self.graph, &mut self.db, previous)
    }

    /// The module path (`m1`, or `` for `main.pbs`, `prelude`) of a file.
    fn module_of(&self, file: FileId) -> String {
        match self.graph.files.iter().find(|f| f.file == file) {
            Some(f) => f
                .rel_path
                .strip_prefix("src/")
                .and_then(|p| p.split_once('/'))
                .map_or(String::new(), |(m, _)| m.to_string()),
            None => "prelude".to_string(),
        }
    }
}

/// Everything an analysis exports, with names as text (a reused interner numbers
/// names differently from a fresh one; everything else must be identical, in order).
fn render(a: &Analysis) -> Vec<String> {
    let name = |n| a.names.resolve(n).to_string();
    let mut out = Vec::new();
    for (id, s) in a.symbols.iter() {
        out.push(format!(
            "symbol {id:?} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} mut={} dup={}",
            name(s.name),
            s.kind,
            s.visibility,
            s.module,
            s.decl_span,
            s.doc,
            s.parent,
            s.node,
            s.mutable,
            s.duplicate
        ));
        out.push(format!("  refs {:?}", a.refs.refs(id)));
        out.push(format!("  members {:?}", a.defs.members(id)));
        out.push(format!("  signature {:?}", a.facts.signature(id)));
        out.push(format!("  const {:?}", a.const_values.get(&id)));
    }
    for (id, kind) in a.types.iter() {
        out.push(format!("type {id:?} {kind:?}"));
    }
    let mut items: Vec<String> = a
        .defs
        .items()
        .into_iter()
        .map(|((m, n, ns), s)| format!("item {m:?} {} {ns:?} {s:?}", name(n)))
        .collect();
    items.sort();
    out.extend(items);
    out.extend(
        a.refs
            .node_symbols()
            .into_iter()
            .map(|(node, s)| format!("node symbol {node:?} {s:?}")),
    );
    out.extend(
        a.facts
            .node_types()
            .into_iter()
            .map(|(node, t)| format!("node type {node:?} {t:?}")),
    );
    out.extend(
        a.facts
            .symbol_types()
            .into_iter()
            .map(|(s, t)| format!("symbol type {s:?} {t:?}")),
    );
    out.extend(a.diagnostics.iter().map(|d| format!("diagnostic {d:?}")));
    // What completion sees in scope where each local is declared.
    for (_, sym) in a.symbols.iter().filter(|(_, s)| s.kind.is_local()) {
        let scope = a.locals_in_scope(sym.decl_span.file, sym.decl_span.end);
        out.push(format!("in scope at {:?} {scope:?}", sym.decl_span));
    }
    out
}

/// Panics with the first difference between an incremental and a fresh analysis.
fn assert_same(incremental: &Analysis, fresh: &Analysis, step: &str) {
    let (a, b) = (render(incremental), render(fresh));
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "after {step}: line {i} differs");
    }
    assert_eq!(a.len(), b.len(), "after {step}: lengths differ");
}

/// Snippets the random edits insert: statements (new locals, type errors, unknown
/// names), items (new functions, a duplicate), import changes and broken syntax.
const SNIPPETS: &[&str] = &[
    "\n    let fresh_local = 41 + 1;\n",
    "\n    let wrong: int = true;\n",
    "\n    missing_name_here(3);\n",
    "\n    Log.info(\"x\");\n",
    "\npub fn added_item(): int { return 7; }\n",
    "\nfn added_item(q: float): float { return q * 2.0; }\n",
    "\npub declare struct Extra(a: int) { pub fn get(self): int { return self.a; } }\n",
    "\nimport { Point0_0_0 as Renamed } from \"m0\";\n",
    "fn (",
    "}",
    "{",
    " let ",
    "\n    let s = Extra(1).get();\n",
    "\n    return;\n",
];

/// Textual replacements with a meaning: signature changes, renamed imports, deleted
/// items.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("(v: int): result<int", "(v: float): result<int"),
    ("(a: int, b: int): optional<int>", "(a: int): optional<int>"),
    ("check_0_0_0, ", "check_0_0_0 as chk, "),
    ("check_1_1_0, ", ""),
    ("pub fn maybe_", "fn maybe_"),
    ("let mut total = 0;", "let mut total = 3;"),
    ("return some(x + y);", "return some(x - y);"),
    ("declare const LIMIT_", "declare const LIMITS_"),
    ("x: int, y: int", "x: int, y: float"),
    ("Fail", "Fault"),
];

#[derive(Clone, Debug)]
enum Edit {
    Insert {
        file: usize,
        at: f64,
        snippet: usize,
    },
    Delete {
        file: usize,
        at: f64,
        len: usize,
    },
    Replace {
        file: usize,
        which: usize,
    },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..9usize, 0.0..1.0f64, 0..SNIPPETS.len()).prop_map(|(file, at, snippet)| Edit::Insert {
            file,
            at,
            snippet
        }),
        (0..9usize, 0.0..1.0f64, 1..40usize).prop_map(|(file, at, len)| Edit::Delete {
            file,
            at,
            len
        }),
        (0..9usize, 0..REPLACEMENTS.len()).prop_map(|(file, which)| Edit::Replace { file, which }),
    ]
}

fn apply(s: &mut Session, edit: &Edit) {
    let files: Vec<FileId> = s.graph.files.iter().map(|f| f.file).collect();
    let pick = |i: usize| files[i % files.len()];
    let boundary = |text: &str, at: f64| {
        let mut i = ((text.len() as f64) * at) as usize;
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match *edit {
        Edit::Insert { file, at, snippet } => {
            let file = pick(file);
            let mut text = s.text(file);
            // Insert at a line start most of the time, so statements land in bodies.
            let mut i = boundary(&text, at);
            if let Some(nl) = text[..i].rfind('\n') {
                i = nl + 1;
            }
            text.insert_str(i, SNIPPETS[snippet]);
            s.set_text(file, &text);
        }
        Edit::Delete { file, at, len } => {
            let file = pick(file);
            let mut text = s.text(file);
            let i = boundary(&text, at);
            let end = boundary(
                &text,
                ((i + len).min(text.len()) as f64) / text.len() as f64,
            );
            text.replace_range(i..end.max(i), "");
            s.set_text(file, &text);
        }
        Edit::Replace { file, which } => {
            let file = pick(file);
            let (from, to) = REPLACEMENTS[which];
            let text = s.text(file).replacen(from, to, 1);
            s.set_text(file, &text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn after_every_edit_the_incremental_analysis_equals_a_fresh_one(
        edits in proptest::collection::vec(edit_strategy(), 1..12)
    ) {
        let mut s = session(SHAPE);
        let mut current = s.analyze(None);
        for (step, edit) in edits.iter().enumerate() {
            apply(&mut s, edit);
            let next = s.analyze(Some(&current));
            let fresh = s.analyze(None);
            assert_same(&next, &fresh, &format!("edit {step}: {edit:?}"));
            current = next;
        }
    }
}

#[test]
fn edits_reuse_recorded_bodies() {
    let mut s = session(SHAPE);
    let first = s.analyze(None);
    assert_eq!(first.stats.bodies_reused, 0);
    assert!(first.stats.bodies_checked.len() > 50);
    // A new item: the whole program is analysed again, replaying what it can.
    let file = s.file("src/m2/f01.pbs");
    let text = s.text(file) + "\npub fn added_item(): int { return 7; }\n";
    s.set_text(file, &text);
    let second = s.analyze(Some(&first));
    assert!(!second.stats.one_file_rechecked);
    assert!(second.stats.bodies_reused > 50);
    assert_same(&second, &s.analyze(None), "a new item");
}

/// The names (`module/name`) of the declarations whose bodies an analysis checked.
fn checked(s: &Session, a: &Analysis) -> Vec<String> {
    a.stats
        .bodies_checked
        .iter()
        .map(|&(file, node)| {
            let name = a
                .symbols
                .iter()
                .find(|(_, sym)| sym.node == (file, node) && !sym.kind.is_local())
                .map_or("?".to_string(), |(id, _)| a.symbol_name(id).to_string());
            format!("{}/{name}", s.module_of(file))
        })
        .collect()
}

#[test]
fn bodies_with_equal_text_in_an_edited_file_are_told_apart() {
    // Each block has a struct with `len2` and `shift` and a service whose `get` and
    // `points` read the same in every block: the records are matched by text, then by
    // the symbols they belong to.
    let mut s = session(Shape {
        modules: 2,
        files_per_module: 1,
        blocks_per_file: 3,
    });
    let before = s.analyze(None);
    let file = s.file("src/m1/f00.pbs");
    s.replace(file, "let mut total = 0;", "let mut total = 1;");
    let after = s.analyze(Some(&before));
    assert_eq!(checked(&s, &after), ["m1/work_1_0_0"]);
    assert_same(&after, &s.analyze(None), "the body edit");
}

#[test]
fn an_edit_inside_one_body_rechecks_exactly_that_body() {
    let mut s = session(SHAPE);
    let before = s.analyze(None);
    let file = s.file("src/m1/f00.pbs");
    s.replace(file, "let mut total = 0;", "let mut total = 12;");
    let after = s.analyze(Some(&before));
    assert_eq!(checked(&s, &after), ["m1/work_1_0_0"]);
    assert_eq!(
        after.stats.files_parsed, 1,
        "the other files keep their parse"
    );
    assert!(after.stats.one_file_rechecked, "everything else is shared");
    assert_same(&after, &s.analyze(None), "the body edit");
}

#[test]
fn an_edit_to_a_private_helpers_body_rechecks_no_other_module() {
    let mut s = session(SHAPE);
    let before = s.analyze(None);
    let file = s.file("src/m1/f01.pbs");
    s.replace(file, "return some(x + y);", "return some(x + y + 1);");
    let after = s.analyze(Some(&before));
    assert_eq!(checked(&s, &after), ["m1/sum_1_1_0"]);
    assert!(after.stats.one_file_rechecked);
    assert_same(&after, &s.analyze(None), "the helper edit");
}

/// The declarations (`module/name`, as [`checked`] names them) of the bodies `a`
/// checked whose text mentions one of `words`.
fn bodies_mentioning(s: &Session, a: &Analysis, words: &[&str]) -> BTreeSet<String> {
    let names = checked(s, a);
    a.stats
        .bodies_checked
        .iter()
        .zip(names)
        .filter(|&(&(file, decl), _)| {
            let span = a.parse(file).unwrap().arena.span(decl);
            let text = &s.text(file)[span.start as usize..span.end as usize];
            words.iter().any(|w| text.contains(w))
        })
        .map(|(_, name)| name)
        .collect()
}

#[test]
fn an_interface_change_rechecks_its_module_and_the_bodies_that_use_the_file() {
    let mut s = session(SHAPE);
    let before = s.analyze(None);
    let file = s.file("src/m2/f00.pbs");
    let text = s.text(file) + "\npub fn extra_item(): int { return 1; }\n";
    s.set_text(file, &text);
    let after = s.analyze(Some(&before));
    let fresh = s.analyze(None);
    assert_same(&after, &fresh, "the interface change");
    let rechecked: BTreeSet<String> = checked(&s, &after).into_iter().collect();
    // Every body of the module (its scope changed)…
    let module: BTreeSet<String> = checked(&s, &fresh)
        .into_iter()
        .filter(|c| c.starts_with("m2/"))
        .collect();
    assert!(module.len() > 10 && module.is_subset(&rechecked));
    // …and elsewhere exactly the bodies that name an item of the changed file: the
    // importing module's `link_3_0` and `main.pbs`'s `frame`; m0 and m1 keep theirs.
    let users = bodies_mentioning(&s, &fresh, &["2_0_0", "link_2_0"]);
    let outside: BTreeSet<String> = rechecked.difference(&module).cloned().collect();
    let users_outside: BTreeSet<String> = users.difference(&module).cloned().collect();
    assert_eq!(outside, users_outside);
    assert_eq!(
        outside,
        BTreeSet::from(["/frame".to_string(), "m3/link_3_0".to_string()])
    );
}

#[test]
fn a_body_that_missed_a_name_is_rechecked_when_anything_it_can_see_changes() {
    let mut s = session(SHAPE);
    let user = s.file("src/m3/f01.pbs");
    s.replace(
        user,
        "let mut total = 0;",
        "let mut total = 0;\n    total += extra_item();",
    );
    let before = s.analyze(None);
    assert!(before.has_errors());
    // An item added to a module that m3 imports: the body that failed to find
    // `extra_item` depends on everything in its scope, so it is checked again.
    let file = s.file("src/m2/f01.pbs");
    let text = s.text(file) + "\npub fn extra_item(): int { return 1; }\n";
    s.set_text(file, &text);
    let after = s.analyze(Some(&before));
    assert!(checked(&s, &after).contains(&"m3/work_3_1_0".to_string()));
    assert!(!checked(&s, &after).contains(&"m3/work_3_0_0".to_string()));
    assert_same(&after, &s.analyze(None), "the new item");
}

#[test]
fn cancellation_is_noticed_between_bodies() {
    let mut s = session(SHAPE);
    let before = s.analyze(None);
    let file = s.file("src/m0/f00.pbs");
    s.replace(file, "pub fn maybe_", "fn maybe_");
    // Count the checks of a whole run: at least one per body.
    let calls = Cell::new(0usize);
    let count = || {
        calls.set(calls.get() + 1);
        false
    };
    let done = analyze_cancellable(&s.graph, &mut s.db, Some(&before), &count).unwrap();
    let total = calls.get();
    let bodies = done.stats.bodies_checked.len() + done.stats.bodies_reused;
    assert!(total > bodies, "{total} checks for {bodies} bodies");
    // Cancel a few checks before the end, in the middle of the bodies: the analysis
    // stops at the next check and asks no more.
    let stop_at = total - bodies / 2;
    calls.set(0);
    let stop = || {
        calls.set(calls.get() + 1);
        calls.get() >= stop_at
    };
    assert!(analyze_cancellable(&s.graph, &mut s.db, Some(&before), &stop).is_none());
    assert_eq!(calls.get(), stop_at, "no check after the cancellation");
}

#[test]
fn a_long_session_of_fresh_names_keeps_the_interner_bounded() {
    const EDITS: usize = 100_000;
    let mut s = session(Shape {
        modules: 1,
        files_per_module: 1,
        blocks_per_file: 0,
    });
    let main = s.file("src/main.pbs");
    let original = s.text(main);
    let mut current = s.analyze(None);
    let live = current.names.len();
    let records = current.memo_len();
    let symbols = current.symbols.len();
    let (mut most, mut alone) = (0, 0);
    for edit in 0..EDITS {
        let text = original.replace("total", &format!("total_{edit}"));
        s.set_text(main, &text);
        current = s.analyze(Some(&current));
        most = most.max(current.names.len());
        alone += usize::from(current.stats.one_file_rechecked);
        assert!(current.diagnostics.is_empty(), "{:?}", current.diagnostics);
        assert_eq!(current.symbols.len(), symbols, "the arena does not grow");
    }
    // Renaming a local re-checks the file alone, except after each interner restart.
    assert!(
        alone > EDITS * 9 / 10,
        "{alone} of {EDITS} edits re-checked alone"
    );
    // Every edit interns one new name; the interner is rebuilt once garbage reaches
    // the live data (plus the slack), so it never holds more than this.
    let bound = 2 * live + NAMES_SLACK + 1;
    assert!(most <= bound, "{most} names, bound {bound}");
    assert!(
        most > live + NAMES_SLACK / 2,
        "the edits did intern new names"
    );
    assert_eq!(current.memo_len(), records, "records do not pile up");
}

const SCOPES: &str = r#"fn frame() {
    let a = 1;
    Log.info("A");
    for k in 0..3 {
        let b = k + a;
        Log.info("B");
    }
    Log.info("C");
    let r: optional<int> = some(a);
    let v = r when { some(inner) -> inner + 100, none -> 0 };
    {
        let a = v + 2;
        Log.info("E");
    }
}

fn helper(p: int): int {
    Log.info("F");
    return p;
}
"#;

/// The names of the locals in scope at the first `marker` of `main.pbs`.
fn in_scope(s: &Session, a: &Analysis, marker: &str) -> Vec<String> {
    let main = s.file("src/main.pbs");
    let offset = s
        .text(main)
        .find(marker)
        .expect("the marker is in the text") as u32;
    a.locals_in_scope(main, offset)
        .into_iter()
        .map(|l| a.symbol_name(l).to_string())
        .collect()
}

#[test]
fn the_locals_in_scope_at_an_offset_follow_blocks_loops_arms_and_shadowing() {
    let mut s = session(Shape {
        modules: 0,
        files_per_module: 0,
        blocks_per_file: 0,
    });
    let main = s.file("src/main.pbs");
    s.set_text(main, SCOPES);
    let fresh = s.analyze(None);
    // An edit in the other body: `frame`'s locals then come from a replayed record.
    s.replace(main, "return p;", "return p + 1;");
    let incremental = s.analyze(Some(&fresh));
    assert_eq!(checked(&s, &incremental), ["/helper"]);
    for a in [&fresh, &incremental] {
        assert_eq!(in_scope(&s, a, "fn frame"), Vec::<String>::new());
        assert_eq!(in_scope(&s, a, "Log.info(\"A\")"), ["a"]);
        assert_eq!(in_scope(&s, a, "Log.info(\"B\")"), ["a", "k", "b"]);
        assert_eq!(in_scope(&s, a, "Log.info(\"C\")"), ["a"]);
        assert_eq!(in_scope(&s, a, "100"), ["a", "r", "inner"]);
        assert_eq!(in_scope(&s, a, "none -> 0"), ["a", "r"]);
        assert_eq!(in_scope(&s, a, "Log.info(\"E\")"), ["r", "v", "a"]);
        assert_eq!(in_scope(&s, a, "Log.info(\"F\")"), ["p"]);
    }
}

/// One step of a session: the edit, whether it may re-check the file's bodies alone.
fn step(
    s: &mut Session,
    previous: &Analysis,
    file: FileId,
    from: &str,
    to: &str,
    alone: bool,
) -> std::sync::Arc<Analysis> {
    s.replace(file, from, to);
    let next = s.analyze(Some(previous));
    assert_eq!(
        next.stats.one_file_rechecked, alone,
        "{from:?} → {to:?}: re-checked alone"
    );
    assert_same(&next, &s.analyze(None), &format!("{from:?} → {to:?}"));
    next
}

#[test]
fn body_edits_recheck_one_file_and_share_the_rest() {
    let mut s = session(SHAPE);
    let f = s.file("src/m1/f00.pbs");
    let g = s.file("src/m1/f01.pbs");
    // Another file of the module implements a contract of `f` badly: its diagnostic
    // points into `f`, after the body that the first edit grows.
    let text = s.text(g) + "\npub service Lazy: Scorer1_0_0 { }\n";
    s.set_text(g, &text);
    let mut a = s.analyze(None);
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.related.iter().any(|r| r.span.file == f))
    );
    let edits: &[(&str, &str)] = &[
        // A longer body before the contract: everything after it moves.
        (
            "Score0_0_0.add(pt.len2());",
            "Score0_0_0.add(pt.len2() + 1000);",
        ),
        ("let mut total = 0;", "let mut total = 5;"),
        // A type error, and its fix.
        ("Log.info(label + \" \" + (r as string));", "Log.info(r);"),
        ("Log.info(r);", "Log.info(label + \" \" + (r as string));"),
        // The only use of a private function goes: it is reported unused; then back.
        ("let m = sum_1_0_0(total, n) else 0;", "let m = 0;"),
        ("let m = 0;", "let m = sum_1_0_0(total, n) else 0;"),
        // An import no body uses any more, then used again.
        ("    Score0_0_0.add(pt.len2() + 1000);\n", "\n"),
        ("return r + Score0_0_0.get();", "return r;"),
        ("return r;", "return r + Score0_0_0.get();"),
        // Locals never used, or never changed, and back.
        ("Log.info(inner as string);", "Log.info(\"x\");"),
        ("p.shift(r, m);", "p.len2();"),
        ("p.len2();", "p.shift(r, m);"),
        ("Log.info(\"x\");", "Log.info(inner as string);"),
        // Broken statement syntax inside a body.
        ("let zeros = [0; 8];", "let zeros = [0; 8] +;"),
        ("let zeros = [0; 8] +;", "let zeros = [0; 8];"),
    ];
    for &(from, to) in edits {
        a = step(&mut s, &a, f, from, to, true);
    }
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.code.to_string() == "E_TYPE_CONTRACT_MISMATCH")
    );
    // Another file: the whole program once (the base is patched for `f`), then that
    // file alone.
    a = step(
        &mut s,
        &a,
        g,
        "let mut total = 0;",
        "let mut total = 1;",
        false,
    );
    a = step(
        &mut s,
        &a,
        g,
        "let mut total = 1;",
        "let mut total = 2;",
        true,
    );
    // New locals and removed ones (every later file's locals move): alone.
    let locals: &[(&str, &str)] = &[
        (
            "let mut total = 2;",
            "let mut total = 2;\n    let extra = 1;",
        ),
        (
            "let extra = 1;",
            "let extra = 1;\n    let more = extra + 1;",
        ),
        ("\n    let extra = 1;\n    let more = extra + 1;", ""),
        (
            "let mut total = 2;",
            "let mut total = 2;\n    let extra = 1;",
        ),
    ];
    for &(from, to) in locals {
        a = step(&mut s, &a, g, from, to, true);
    }
    // A type its bodies did not create before: the whole program.
    a = step(
        &mut s,
        &a,
        g,
        "let extra = 1;",
        "let extra: [float; 9] = [0.5; 9];",
        false,
    );
    a = step(
        &mut s,
        &a,
        g,
        "\n    let extra: [float; 9] = [0.5; 9];",
        "",
        false,
    );
    // An interface change: the whole program.
    let _ = step(
        &mut s,
        &a,
        g,
        "fn sum_1_1_0(a: int,",
        "fn sum_1_1_0(a: float,",
        false,
    );
}
