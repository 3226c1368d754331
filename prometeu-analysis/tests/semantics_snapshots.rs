//! Snapshots of what the analysis exposes for the example projects: the symbol table
//! (as `symbols.json`/`analysis.json` list it) and the type a hover shows for every
//! `let` and every call.

use std::path::Path;

use prometeu_analysis::project::{ProjectGraph, load_project};
use prometeu_analysis::{Analysis, FileDb, NodeKind, analyze};

/// `display/path.pbs:line:col` (1-based, as humans read it) of a byte offset.
fn at(
    graph: &ProjectGraph,
    db: &FileDb,
    analysis: &Analysis,
    span: prometeu_analysis::Span,
) -> String {
    let path = if span.file == analysis.prelude_file {
        "<prelude>".to_string()
    } else {
        graph.display_path(span.file).unwrap_or_default()
    };
    let lc = db
        .line_index(span.file)
        .offset_to_line_col(span.start)
        .unwrap();
    format!("{path}:{}:{}", lc.line + 1, lc.col + 1)
}

fn symbol_table(graph: &ProjectGraph, db: &FileDb, analysis: &Analysis, prelude: bool) -> String {
    let mut out = String::new();
    for (id, s) in analysis.symbols.iter() {
        if (s.module == analysis.prelude_module) != prelude {
            continue;
        }
        let module = if s.module == analysis.prelude_module {
            "<prelude>".to_string()
        } else {
            format!(
                "{}:{:?}",
                graph.project(graph.module(s.module).project).name,
                graph.module(s.module).path
            )
        };
        let ty = analysis
            .facts
            .symbol_type(id)
            .map(|t| format!(": {}", analysis.display_type(t)))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>3} {:<13} {}{ty}  module {module}  at {}{}\n",
            id.0,
            s.kind.export_kind(),
            analysis.symbol_name(id),
            at(graph, db, analysis, s.decl_span),
            if s.doc.is_some() { "  (doc)" } else { "" },
        ));
    }
    out
}

fn hovers(graph: &ProjectGraph, db: &FileDb, analysis: &Analysis) -> String {
    let mut out = String::new();
    for f in &graph.files {
        let parse = analysis.parse(f.file).unwrap();
        let text = db.text(f.file);
        for node in parse.arena.ids() {
            let span = parse.arena.span(node);
            let line = match *parse.arena.kind(node) {
                NodeKind::LetStmt { name, .. } => {
                    let Some(symbol) = analysis.refs.symbol_at(f.file, name) else {
                        continue;
                    };
                    let ty = analysis.facts.symbol_type(symbol).unwrap();
                    format!(
                        "let {}: {}",
                        analysis.symbol_name(symbol),
                        analysis.display_type(ty)
                    )
                }
                NodeKind::Call { callee, .. } => {
                    let callee = &text[parse.arena.span(callee).range()];
                    let ty = analysis.facts.node_type(f.file, node).unwrap();
                    format!("call {callee}(…): {}", analysis.display_type(ty))
                }
                _ => continue,
            };
            out.push_str(&format!("{}  {line}\n", at(graph, db, analysis, span)));
        }
    }
    out
}

fn check(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    let mut db = FileDb::new();
    let graph = load_project(&dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    assert!(
        analysis.diagnostics.is_empty(),
        "{name}: {:?}",
        analysis.diagnostics
    );
    insta::assert_snapshot!(
        format!("{name}_symbols"),
        symbol_table(&graph, &db, &analysis, false)
    );
    insta::assert_snapshot!(format!("{name}_hovers"), hovers(&graph, &db, &analysis));
}

#[test]
fn hello() {
    check("hello");
}

#[test]
fn bounce() {
    check("bounce");
}

#[test]
fn town() {
    check("town");
}

#[test]
fn mathlib() {
    check("mathlib");
}

#[test]
fn prelude_symbols() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hello");
    let mut db = FileDb::new();
    let graph = load_project(&dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    insta::assert_snapshot!(
        "prelude_symbols",
        symbol_table(&graph, &db, &analysis, true)
    );
}
