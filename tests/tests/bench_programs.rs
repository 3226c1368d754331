//! The benchmark programs under `bench/` (issue 6) stay valid as the language tooling
//! evolves: every `bench/pbs/*.pbs` parses with no syntax diagnostic and analyses as a
//! loose file with no diagnostic at all, and every one has its Lua twin in `bench/lua/`
//! (and no Lua program lacks a PBS one), since `bench/run.sh` compares them in pairs.

use std::path::{Path, PathBuf};

use prometeu_analysis::project::load_loose_file;
use prometeu_analysis::{Diagnostic, FileDb, FileId, NameInterner, analyze, parse_file};
use prometeu_tests::{fixture_files, repo_root};

/// The six programs issue 6 asks for; the directory must hold exactly these.
const PROGRAMS: &[&str] = &["fib", "lists", "nbody", "sieve", "strings", "structs"];

/// The file names without their extension, sorted.
fn stems(files: &[PathBuf]) -> Vec<String> {
    let mut stems: Vec<String> = files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    stems.sort();
    stems
}

/// Every `bench/pbs/*.pbs`, sorted.
fn pbs_files() -> Vec<PathBuf> {
    fixture_files(&repo_root().join("bench/pbs"), "pbs")
}

/// The diagnostics, one line each, as `CODE at start..end: message`.
fn describe(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "  {} at {}..{}: {}",
                d.code, d.span.start, d.span.end, d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What is wrong with the syntax of `path`, if anything.
fn syntax_failure(path: &Path) -> Option<String> {
    let source = std::fs::read_to_string(path).unwrap();
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), &source, &mut names);
    (!parse.diagnostics.is_empty())
        .then(|| format!("{}:\n{}", path.display(), describe(&parse.diagnostics)))
}

/// What the whole analysis of `path` (a loose file, with the prelude) reports, if anything.
fn analysis_failure(path: &Path) -> Option<String> {
    let mut db = FileDb::new();
    let graph = load_loose_file(path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    (!analysis.diagnostics.is_empty())
        .then(|| format!("{}:\n{}", path.display(), describe(&analysis.diagnostics)))
}

#[test]
fn the_benchmark_directories_hold_the_six_programs_in_both_languages() {
    let pbs = stems(&pbs_files());
    let lua = stems(&fixture_files(&repo_root().join("bench/lua"), "lua"));
    assert_eq!(pbs, PROGRAMS, "bench/pbs");
    assert_eq!(lua, PROGRAMS, "bench/lua");
}

#[test]
fn every_benchmark_program_parses_without_diagnostics() {
    let files = pbs_files();
    assert_eq!(files.len(), PROGRAMS.len());
    let failures: Vec<String> = files.iter().filter_map(|f| syntax_failure(f)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_benchmark_program_analyses_without_diagnostics() {
    let files = pbs_files();
    assert_eq!(files.len(), PROGRAMS.len());
    let failures: Vec<String> = files.iter().filter_map(|f| analysis_failure(f)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
