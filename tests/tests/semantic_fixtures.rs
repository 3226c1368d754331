//! The whole front end against the diagnostic fixtures: every `.pbs` file under
//! `examples/diagnostics/` and `tests/fixtures/diagnostics/` (loose files, with the
//! prelude) and every project there (a directory with a `prometeu.json`) must produce
//! exactly its annotated diagnostics; every example project must check clean. The
//! projects of `tests/fixtures/projects/` produce exactly the diagnostics listed in
//! [`PROJECT_FIXTURES`] (manifest and column-0 diagnostics carets cannot point at), and
//! every code of §11 has a fixture of our own.

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

/// One diagnostic a project fixture must produce: its code, its file (relative to the
/// project directory) and the exact text its span covers, found at its first occurrence
/// in that file (`""`: the empty span at offset 0).
struct Expected {
    code: &'static str,
    file: &'static str,
    covers: &'static str,
}

const fn expect(code: &'static str, file: &'static str, covers: &'static str) -> Expected {
    Expected { code, file, covers }
}

/// The projects of `tests/fixtures/projects/` (see its README) and every diagnostic
/// each produces: the ones the caret format cannot express.
const PROJECT_FIXTURES: &[(&str, &[Expected])] = &[
    (
        "no_frame",
        &[expect("E_PROJECT_NO_FRAME", "src/main.pbs", "")],
    ),
    (
        "no_main",
        &[expect("E_PROJECT_NO_MAIN", "prometeu.json", "\"app\"")],
    ),
    (
        "bad_manifest",
        &[
            expect("E_PROJECT_MANIFEST", "prometeu.json", "\"1.0\""),
            expect("W_PROJECT_UNKNOWN_FIELD", "prometeu.json", "\"colour\""),
        ],
    ),
    (
        "bad_dependency",
        &[expect(
            "E_PROJECT_DEPENDENCY",
            "prometeu.json",
            "\"../no_such_project\"",
        )],
    ),
    ("unreadable", &[expect("E_PROJECT_IO", "prometeu.json", "")]),
    ("uses_dep_lib", &[]),
];

/// Copies the files of `from` into `to` (which must not exist), recursively.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Analyses one project fixture and compares its diagnostics with `expected`.
fn check_project_fixture(dir: &Path, expected: &[Expected]) -> Result<(), String> {
    let mut db = FileDb::new();
    let graph = load_project(dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    let base = dir.canonicalize().map_err(|e| e.to_string())?;
    let rel = |file| {
        let uri = db.uri(file);
        Path::new(uri)
            .strip_prefix(&base)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| uri.to_string())
    };
    let show =
        |code: &str, file: &str, start: u32, end: u32| format!("{code} {file}@{start}..{end}");
    let mut produced: Vec<String> = analysis
        .diagnostics
        .iter()
        .map(|d| show(d.code.as_str(), &rel(d.span.file), d.span.start, d.span.end))
        .collect();
    let mut wanted = Vec::new();
    for e in expected {
        let text = std::fs::read_to_string(dir.join(e.file)).map_err(|err| err.to_string())?;
        let start = text
            .find(e.covers)
            .ok_or_else(|| format!("`{}` is not in {}", e.covers, e.file))?;
        let end = start + e.covers.len();
        wanted.push(show(e.code, e.file, start as u32, end as u32));
    }
    produced.sort();
    wanted.sort();
    if produced == wanted {
        Ok(())
    } else {
        let messages: Vec<String> = analysis
            .diagnostics
            .iter()
            .map(|d| format!("    {} {}", d.code, d.message))
            .collect();
        Err(format!(
            "{}: expected {wanted:?}\n  produced {produced:?}\n{}",
            dir.display(),
            messages.join("\n")
        ))
    }
}

#[test]
fn every_project_fixture_produces_exactly_its_listed_diagnostics() {
    let projects = repo_root().join("tests/fixtures/projects");
    let mut failures = Vec::new();
    for (name, expected) in PROJECT_FIXTURES {
        let dir = projects.join(name);
        let result = if *name == "unreadable" {
            check_unreadable(&dir, expected)
        } else {
            check_project_fixture(&dir, expected)
        };
        if let Err(m) = result {
            failures.push(m);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `unreadable` with a dangling link `src/broken.pbs` added to a copy of it.
#[cfg(unix)]
fn check_unreadable(dir: &Path, expected: &[Expected]) -> Result<(), String> {
    let copy = std::env::temp_dir().join(format!("prometeu-unreadable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(dir, &copy).map_err(|e| e.to_string())?;
    std::os::unix::fs::symlink("no_such_file.pbs", copy.join("src/broken.pbs"))
        .map_err(|e| e.to_string())?;
    let result = check_project_fixture(&copy, expected);
    let _ = std::fs::remove_dir_all(&copy);
    result
}

/// Without symbolic links, the project is only checked to load (the code is covered on
/// unix).
#[cfg(not(unix))]
fn check_unreadable(dir: &Path, _expected: &[Expected]) -> Result<(), String> {
    check_project_fixture(dir, &[])
}

#[test]
fn every_project_fixture_directory_is_listed() {
    let projects = repo_root().join("tests/fixtures/projects");
    let mut on_disk: Vec<String> = std::fs::read_dir(&projects)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = PROJECT_FIXTURES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

/// Issue 4: every code of §11 has at least one fixture of our own (beyond
/// `examples/diagnostics`): a caret annotation under `tests/fixtures/`, or, where carets
/// cannot point, an entry of [`PROJECT_FIXTURES`].
#[test]
fn every_code_has_a_fixture_of_our_own() {
    use prometeu_analysis::DiagnosticCode;
    let mut covered = std::collections::BTreeSet::new();
    for file in fixture_files(&repo_root().join("tests/fixtures"), "pbs") {
        let source = std::fs::read_to_string(&file).unwrap();
        let fixture = prometeu_tests::parse_fixture(&source)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        covered.extend(fixture.expectations.into_iter().map(|e| e.code));
    }
    for (_, expected) in PROJECT_FIXTURES {
        covered.extend(expected.iter().map(|e| e.code.to_string()));
    }
    let missing: Vec<&str> = DiagnosticCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c))
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
