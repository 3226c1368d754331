//! Every `.pbs` file in the repository and in the shared examples: formats to the same
//! tree (checked inside the formatter), is idempotent, and the examples' formatted text
//! is snapshotted.

use prometeu_analysis::format::{FormatError, format_text};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn pbs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                pbs_files(&path, out);
            }
        } else if name.ends_with(".pbs") {
            out.push(path);
        }
    }
}

/// Formats `path`; `None` when it has syntax errors (then the formatter must refuse).
fn check_file(path: &Path) -> Option<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return None;
    };
    match format_text(&text) {
        Ok(formatted) => {
            let again = format_text(&formatted)
                .unwrap_or_else(|e| panic!("{}: formatted output refused: {e}", path.display()));
            assert_eq!(again, formatted, "{}: not idempotent", path.display());
            Some(formatted)
        }
        Err(FormatError::Syntax(_)) => None,
        Err(error) => panic!("{}: {error}", path.display()),
    }
}

#[test]
fn every_pbs_file_in_the_repository_formats_to_the_same_tree_idempotently() {
    let mut files = Vec::new();
    pbs_files(&repo_root(), &mut files);
    pbs_files(Path::new("/work/shared/examples"), &mut files);
    assert!(files.len() > 100, "only {} .pbs files found", files.len());
    let mut formatted = 0;
    for path in &files {
        if check_file(path).is_some() {
            formatted += 1;
        }
    }
    // Most files parse; the rest are diagnostics fixtures with deliberate errors.
    assert!(
        formatted * 2 > files.len(),
        "{formatted} of {} formatted",
        files.len()
    );
}

#[test]
fn the_examples_format_to_their_snapshots() {
    let root = repo_root();
    let mut files = Vec::new();
    pbs_files(&root.join("examples"), &mut files);
    pbs_files(&root.join("bench/pbs"), &mut files);
    let mut all = String::new();
    for path in &files {
        if let Some(formatted) = check_file(path) {
            let relative = path.strip_prefix(&root).unwrap().display().to_string();
            all.push_str(&format!("=== {relative}\n{formatted}"));
        }
    }
    insta::assert_snapshot!("examples_formatted", all);
}
