//! Helpers shared by the export tests: building the examples and checking that an
//! `analysis.json` is self-consistent.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use prometeu_analysis::project::load_project;
use prometeu_analysis::{FileDb, analyze};
use prometeu_compiler::exports::{AnalysisJson, analysis_json, symbols_json};

/// The directory of the example project `name`.
pub fn example_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

/// The workspace root, as an absolute canonical path.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace root exists")
}

/// Loads and analyses the project in `dir` in a fresh session and returns
/// `(symbols.json, analysis.json)`.
pub fn build(dir: &Path) -> (String, String) {
    build_in(dir, &mut FileDb::new())
}

/// Like [`build`], in the session `db` (which may already hold other files).
pub fn build_in(dir: &Path, db: &mut FileDb) -> (String, String) {
    let graph = load_project(dir, db);
    let analysis = analyze(&graph, db, None);
    (
        symbols_json(&analysis, &graph),
        analysis_json(&analysis, &graph),
    )
}

/// Copies the directory tree `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Every string value of a JSON document.
pub fn json_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| json_strings(v, out)),
        _ => {}
    }
}

/// Asserts that no string of `text` (a JSON document) is or contains an absolute path.
pub fn assert_no_absolute_paths(text: &str) {
    let root = workspace_root();
    let root = root.to_string_lossy();
    assert!(!text.contains(&*root), "the workspace path {root} leaks");
    let value: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let mut strings = Vec::new();
    json_strings(&value, &mut strings);
    for s in strings {
        assert!(!s.starts_with('/'), "absolute path {s:?}");
        assert!(!s.contains(":\\"), "absolute Windows path {s:?}");
    }
}

/// Asserts that every ID an `analysis.json` mentions exists, that tables are indexed by
/// their own IDs and that every documented list is sorted.
pub fn assert_consistent(export: &AnalysisJson) {
    let files = export.file_table.len() as u32;
    let modules = export.modules.len() as u32;
    let names = export.names.len() as u32;
    let symbols = export.symbols.len() as u32;
    let types = export.types.len() as u32;
    for (i, f) in export.file_table.iter().enumerate() {
        assert_eq!(f.file_id, i as u32, "file_table is indexed by file_id");
    }
    for (i, m) in export.modules.iter().enumerate() {
        assert_eq!(m.module_id, i as u32, "modules are indexed by module_id");
    }
    for (i, n) in export.names.iter().enumerate() {
        assert_eq!(n.name_id, i as u32, "names are indexed by name_id");
    }
    for (i, t) in export.types.iter().enumerate() {
        assert_eq!(t.type_id, i as u32, "types are indexed by type_id");
        for inner in [t.inner, t.ok, t.err].into_iter().flatten() {
            assert!(inner < types, "type {i} names type {inner}");
        }
        if let Some(s) = t.symbol_id {
            assert!(s < symbols, "type {i} names symbol {s}");
        }
    }
    let span_ok = |s: &prometeu_compiler::exports::analysis_json::SpanEntry| {
        s.file_id < files && s.start <= s.end
    };
    for (i, s) in export.symbols.iter().enumerate() {
        assert_eq!(s.symbol_id, i as u32, "symbols are indexed by symbol_id");
        assert!(s.name_id < names && s.module_id < modules);
        assert!(span_ok(&s.decl_span), "{s:?}");
        if let Some(p) = s.parent {
            assert!(p < symbols);
        }
    }
    let mut last = None;
    for r in &export.refs {
        assert!(r.symbol_id < symbols);
        assert!(last < Some(r.symbol_id), "refs sorted by symbol");
        last = Some(r.symbol_id);
        assert!(r.spans.iter().all(span_ok));
        assert!(r.spans.windows(2).all(|w| w[0] < w[1]), "spans sorted");
    }
    assert!(
        export
            .facts
            .node_type
            .windows(2)
            .all(|w| (w[0].file_id, w[0].node_id) < (w[1].file_id, w[1].node_id)),
        "node types sorted"
    );
    for n in &export.facts.node_type {
        assert!(n.file_id < files && n.type_id < types && n.start <= n.end);
    }
    let mut last = None;
    for s in &export.facts.symbol_type {
        assert!(s.symbol_id < symbols && s.type_id < types);
        assert!(last < Some(s.symbol_id), "symbol types sorted");
        last = Some(s.symbol_id);
    }
    for s in &export.facts.signatures {
        assert!(s.symbol_id < symbols && s.ret < types);
        assert!(s.params.iter().all(|&p| p < types));
    }
    for d in &export.diagnostics {
        assert!(span_ok(&d.span));
        assert!(d.related.iter().all(|r| span_ok(&r.span)));
    }
    let keys: Vec<_> = export
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.span.file_id,
                d.span.start,
                &d.code,
                d.span.end,
                &d.message,
            )
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "diagnostics sorted");
}
