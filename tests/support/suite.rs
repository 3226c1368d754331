//! Shared by the crates whose integration tests are one binary (`tests/main.rs` with a
//! module per file): the guard that no test file is silently left out of it.

/// Asserts that every `tests/*.rs` file of the crate at `manifest_dir` (other than
/// `main.rs`) is a `mod` of `main_rs`, the text of its `tests/main.rs`.
pub fn assert_every_test_file_is_listed(manifest_dir: &str, main_rs: &str) {
    let dir = std::path::Path::new(manifest_dir).join("tests");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "main" {
            assert!(
                main_rs.contains(&format!("\nmod {stem};")),
                "tests/{stem}.rs is not a module of tests/main.rs, so it never runs"
            );
        }
    }
}
