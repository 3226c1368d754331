//! Copies of the repository's example projects in a temporary directory, side by side
//! (so `town`'s `../mathlib` dependency resolves), for tests that run the command or
//! the server on them and may change their files. Shared by the test files that
//! include it with `#[path = "support/examples.rs"] mod examples;`.

use std::path::{Path, PathBuf};

/// A temporary directory (canonical path) holding copies of the example `projects`.
pub fn copy_examples(projects: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().canonicalize().expect("canonical");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for project in projects {
        copy_dir(&examples.join(project), &root.join(project));
    }
    (temp, root)
}

/// Copies `from` into `to` recursively, leaving out `build/` directories.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "build" {
                copy_dir(&path, &to.join(entry.file_name()));
            }
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}
