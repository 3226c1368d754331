//! The syntax layer against the example files: `examples/diagnostics/lex.pbs` and
//! `parse.pbs` must produce exactly their annotated diagnostics, and every other `.pbs`
//! under `examples/` exactly its annotated `E_LEX_*`/`E_PARSE_*` ones (for the example
//! projects and `clean.pbs`: none).

use prometeu_analysis::{FileId, NameInterner, parse_file};
use prometeu_tests::{Produced, check_fixture, fixture_files, repo_root};

fn is_syntax_code(code: &str) -> bool {
    code.starts_with("E_LEX_") || code.starts_with("E_PARSE_")
}

/// The fixture with every annotation of a later phase blanked out (same length, so byte
/// offsets are unchanged): what the syntax layer alone must produce.
fn syntax_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let is_later_phase_annotation = body
            .strip_prefix("//")
            .map(|rest| rest.trim_start_matches(' '))
            .is_some_and(|rest| {
                rest.starts_with('^')
                    && rest
                        .split_whitespace()
                        .nth(1)
                        .is_some_and(|code| !is_syntax_code(code))
            });
        if is_later_phase_annotation {
            out.push_str("//");
            out.push_str(&" ".repeat(body.len() - 2));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn check_file(path: &std::path::Path) -> Result<usize, String> {
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), &source, &mut names);
    let produced: Vec<Produced> = parse.diagnostics.iter().map(Produced::from).collect();
    for p in &produced {
        assert!(
            is_syntax_code(&p.code),
            "{}: non-syntax code {}",
            path.display(),
            p.code
        );
    }
    check_fixture(&syntax_only(&source), &produced)
        .map(|()| produced.len())
        .map_err(|mismatch| format!("{}:\n{mismatch}", path.display()))
}

#[test]
fn lex_and_parse_fixtures_produce_exactly_their_annotations() {
    let dir = repo_root().join("examples/diagnostics");
    for name in ["lex.pbs", "parse.pbs"] {
        let path = dir.join(name);
        let source = std::fs::read_to_string(&path).unwrap();
        // These two files are all syntax: the blanking must not change them.
        assert_eq!(syntax_only(&source), source, "{name}");
        let count = check_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(count >= 4, "{name}: only {count} diagnostics");
    }
}

#[test]
fn every_example_file_has_exactly_its_annotated_syntax_diagnostics() {
    let files = fixture_files(&repo_root().join("examples"), "pbs");
    assert!(
        files.len() >= 15,
        "expected the example files, found {}",
        files.len()
    );
    let failures: Vec<String> = files.iter().filter_map(|f| check_file(f).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn blanking_keeps_offsets_and_syntax_annotations() {
    let source = "let x = 1;\n//  ^ E_TYPE_MISMATCH\n//  ^ E_PARSE_RESERVED\n";
    let blanked = syntax_only(source);
    assert_eq!(blanked.len(), source.len());
    assert!(!blanked.contains("E_TYPE_MISMATCH"));
    assert!(blanked.contains("E_PARSE_RESERVED"));
}
