//! Canonical AST JSON of every `.pbs` under `examples/`, one snapshot per file, plus the
//! syntax diagnostics of the files that have some.

use std::path::{Path, PathBuf};

use prometeu_analysis::syntax::ast_to_json;
use prometeu_analysis::{FileId, NameInterner, parse_file};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn pbs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("examples directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            pbs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "pbs") {
            out.push(path);
        }
    }
}

#[test]
fn canonical_ast_of_every_example_file() {
    let root = examples_dir();
    let mut files = Vec::new();
    pbs_files(&root, &mut files);
    files.sort();
    assert!(
        files.len() >= 15,
        "found only {} example files",
        files.len()
    );
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let source = std::fs::read_to_string(&path).unwrap();
        let mut names = NameInterner::new();
        let parse = parse_file(FileId(0), &source, &mut names);
        let mut dump = ast_to_json(&parse.arena, &names);
        for d in &parse.diagnostics {
            dump.push_str(&format!(
                "// {} {}..{} {:?}: {}\n",
                d.code,
                d.span.start,
                d.span.end,
                &source[d.span.range()],
                d.message
            ));
        }
        // Deterministic: a second parse with a fresh interner dumps the same text.
        let mut again = NameInterner::new();
        let second = parse_file(FileId(0), &source, &mut again);
        assert!(
            dump.starts_with(&ast_to_json(&second.arena, &again)),
            "{rel}"
        );
        let name = rel.trim_end_matches(".pbs").replace('/', "__");
        insta::with_settings!({ snapshot_suffix => "", description => rel.clone(), omit_expression => true }, {
            insta::assert_snapshot!(name, dump);
        });
    }
}

#[test]
fn canonical_ast_of_the_everything_fixture() {
    let source = include_str!("syntax/everything.pbs");
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), source, &mut names);
    assert!(parse.diagnostics.is_empty(), "{:?}", parse.diagnostics);
    insta::assert_snapshot!("everything", ast_to_json(&parse.arena, &names));
}
