//! The whole front end against the diagnostic fixtures: every `.pbs` file under
//! `examples/diagnostics/` and `tests/fixtures/diagnostics/` (loose files, with the
//! prelude) and every project there (a directory with a `prometeu.json`) must produce
//! exactly its annotated diagnostics; every example project must check clean.

use std::path::{Path, PathBuf};

use prometeu_analysis::project::{load_loose_file, load_project};
use prometeu_analysis::{FileDb, analyze};
use prometeu_tests::{check_fixture, fixture_files, produced_in, repo_root};

/// Fixture files the checker does not get right yet, relative to the repository root.
/// Each must still fail (so this list only shrinks, honestly); an entry that starts to
/// pass makes the test fail until it is removed.
const EXPECTED_TO_FAIL: &[&str] = &[];

/// Checks one loose fixture file; `Err` describes the mismatch.
fn check_loose(path: &Path) -> Result<(), String> {
    let mut db = FileDb::new();
    let graph = load_loose_file(path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    let file = graph.files[0].file;
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let stray: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.span.file != file)
        .map(|d| format!("{} in another file: {}", d.code, d.message))
        .collect();
    if !stray.is_empty() {
        return Err(stray.join("\n"));
    }
    check_fixture(&source, &produced_in(&analysis.diagnostics, file))
        .map_err(|m| format!("{}:\n{m}", path.display()))
}

/// Checks every file of a fixture project.
fn check_project(dir: &Path) -> Result<(), String> {
    let mut db = FileDb::new();
    let graph = load_project(dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    let mut failures = Vec::new();
    for f in &graph.files {
        let source = db.text(f.file).to_string();
        if let Err(m) = check_fixture(&source, &produced_in(&analysis.diagnostics, f.file)) {
            failures.push(format!("{}/{}:\n{m}", dir.display(), f.rel_path));
        }
    }
    let known: Vec<_> = graph.files.iter().map(|f| f.file).collect();
    for d in &analysis.diagnostics {
        if !known.contains(&d.span.file) {
            failures.push(format!(
                "{}: {} outside the sources: {}",
                dir.display(),
                d.code,
                d.message
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Every fixture: loose `.pbs` files not inside a project, and project directories.
fn fixtures() -> Vec<PathBuf> {
    let root = repo_root();
    let mut out = Vec::new();
    for dir in ["examples/diagnostics", "tests/fixtures/diagnostics"] {
        let dir = root.join(dir);
        for file in fixture_files(&dir, "pbs") {
            match project_of(&dir, &file) {
                Some(project) => {
                    if !out.contains(&project) {
                        out.push(project);
                    }
                }
                None => out.push(file),
            }
        }
    }
    out
}

/// The project directory (below `base`) a fixture file belongs to, if any.
fn project_of(base: &Path, file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .take_while(|d| *d != base)
        .find(|d| d.join("prometeu.json").is_file())
        .map(Path::to_path_buf)
}

fn check(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        check_project(path)
    } else {
        check_loose(path)
    }
}

#[test]
fn every_fixture_produces_exactly_its_annotations() {
    let root = repo_root();
    let all = fixtures();
    assert!(all.len() >= 20, "found only {} fixtures", all.len());
    let mut failures = Vec::new();
    for path in &all {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let expected_fail = EXPECTED_TO_FAIL.contains(&rel.as_str());
        match (check(path), expected_fail) {
            (Ok(()), false) | (Err(_), true) => {}
            (Ok(()), true) => {
                failures.push(format!("{rel} passes now: remove it from EXPECTED_TO_FAIL"))
            }
            (Err(m), false) => failures.push(m),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_example_project_checks_clean() {
    for name in ["hello", "bounce", "town", "mathlib"] {
        let dir = repo_root().join("examples").join(name);
        let mut db = FileDb::new();
        let graph = load_project(&dir, &mut db);
        let analysis = analyze(&graph, &mut db, None);
        let shown: Vec<String> = analysis
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {}:{}: {}",
                    d.code,
                    db.uri(d.span.file),
                    d.span.start,
                    d.message
                )
            })
            .collect();
        assert!(shown.is_empty(), "{name}:\n{}", shown.join("\n"));
    }
}

#[test]
fn every_semantic_code_has_a_fixture() {
    use prometeu_analysis::DiagnosticCode;
    let mut annotated = std::collections::BTreeSet::new();
    for dir in ["examples/diagnostics", "tests/fixtures/diagnostics"] {
        for file in fixture_files(&repo_root().join(dir), "pbs") {
            let source = std::fs::read_to_string(&file).unwrap();
            let fixture = prometeu_tests::parse_fixture(&source).unwrap();
            annotated.extend(fixture.expectations.into_iter().map(|e| e.code));
        }
    }
    let missing: Vec<&str> = DiagnosticCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| {
            ["E_RESOLVE_", "E_TYPE_", "E_HIP_", "W_"]
                .iter()
                .any(|p| c.starts_with(p))
                && *c != "W_PROJECT_UNKNOWN_FIELD"
        })
        .filter(|c| !annotated.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

/// The messages are not part of the fixtures' contract, but they are what users read:
/// one snapshot of every fixture's semantic diagnostics with their messages and related
/// notes.
#[test]
fn fixture_messages_snapshot() {
    let root = repo_root();
    let mut out = String::new();
    for path in fixtures() {
        let mut db = FileDb::new();
        let graph = if path.is_dir() {
            load_project(&path, &mut db)
        } else {
            load_loose_file(&path, &mut db)
        };
        let analysis = analyze(&graph, &mut db, None);
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        out.push_str(&format!("== {rel}\n"));
        let show = |span: prometeu_analysis::Span| {
            let file = graph
                .source_file(span.file)
                .map(|f| f.rel_path.clone())
                .unwrap_or_default();
            let lc = db
                .line_index(span.file)
                .offset_to_line_col(span.start)
                .unwrap();
            format!("{file}:{}:{}", lc.line + 1, lc.col + 1)
        };
        // Lexer and parser messages belong to the syntax layer's own snapshots.
        let semantic = analysis.diagnostics.iter().filter(|d| {
            !d.code.as_str().starts_with("E_LEX_") && !d.code.as_str().starts_with("E_PARSE_")
        });
        for d in semantic {
            out.push_str(&format!("{} {} {}\n", show(d.span), d.code, d.message));
            for r in &d.related {
                out.push_str(&format!("    related {} {}\n", show(r.span), r.message));
            }
        }
    }
    insta::assert_snapshot!(out);
}
