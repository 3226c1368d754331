//! The project generator of the `analyze` benchmark must produce code that analyses
//! with zero diagnostics (the benchmark measures the clean path), and re-analysis after
//! an edit must reuse the other files' parses and agree with a fresh analysis.

#[path = "../benches/support/generate.rs"]
mod generate;

use std::sync::Arc;

use generate::{
    SHARED_LIB, Shape, edited_file, generate, shared_lib, with_shared_helper, write_files,
    write_project,
};
use prometeu_analysis::project::load_project;
use prometeu_analysis::{FileDb, analyze};

const SHAPE: Shape = Shape {
    modules: 3,
    files_per_module: 3,
    blocks_per_file: 2,
};

fn describe(db: &FileDb, analysis: &prometeu_analysis::Analysis) -> Vec<String> {
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {}@{}: {}",
                d.code,
                db.uri(d.span.file),
                d.span.start,
                d.message
            )
        })
        .collect()
}

#[test]
fn the_generated_project_analyses_clean() {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), SHAPE).unwrap();
    let mut db = FileDb::new();
    let graph = load_project(dir.path(), &mut db);
    assert_eq!(graph.files.len(), 1 + 3 * 3);
    let analysis = analyze(&graph, &mut db, None);
    let shown = describe(&db, &analysis);
    assert!(shown.is_empty(), "{}", shown.join("\n"));
}

#[test]
fn the_shared_helper_project_analyses_clean_and_breaks_where_the_helper_is_called() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), with_shared_helper(generate(SHAPE))).unwrap();
    let mut db = FileDb::new();
    let graph = load_project(dir.path(), &mut db);
    let analysis = analyze(&graph, &mut db, None);
    let shown = describe(&db, &analysis);
    assert!(shown.is_empty(), "{}", shown.join("\n"));
    // The benchmarks' signature change: a call in every module file becomes an error.
    let shared = graph
        .files
        .iter()
        .find(|f| f.rel_path == SHARED_LIB)
        .unwrap();
    let uri = db.uri(shared.file).to_string();
    db.upsert(&uri, shared_lib("(v: int): bool { return v > 0; }"));
    let broken = analyze(&graph, &mut db, Some(&analysis));
    assert_eq!(
        broken.diagnostics.len(),
        3 * 3,
        "{:?}",
        describe(&db, &broken)
    );
}

#[test]
fn an_edited_body_reuses_the_other_parses_and_matches_a_fresh_analysis() {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), SHAPE).unwrap();
    let mut db = FileDb::new();
    let graph = load_project(dir.path(), &mut db);
    let before = analyze(&graph, &mut db, None);
    let target = graph
        .files
        .iter()
        .find(|f| f.rel_path == "src/m1/f02.pbs")
        .unwrap();
    let uri = db.uri(target.file).to_string();
    db.upsert(&uri, edited_file(SHAPE, 1, 2, 7));
    let after = analyze(&graph, &mut db, Some(&before));
    assert!(after.diagnostics.is_empty(), "{:?}", describe(&db, &after));
    for (old, new) in before.files.iter().zip(&after.files) {
        let reused = Arc::ptr_eq(&old.parse, &new.parse);
        assert_eq!(reused, new.file != target.file, "{}", db.uri(new.file));
    }
    let fresh = analyze(&graph, &mut db, None);
    assert_eq!(fresh.symbols.len(), after.symbols.len());
    assert_eq!(fresh.facts.node_types(), after.facts.node_types());
    assert_eq!(fresh.facts.symbol_types(), after.facts.symbol_types());
}
