//! Every integration test of `prometeu-abi`, in one test binary: one binary links the
//! dependencies once instead of once per file, which makes the first `cargo test` of
//! the workspace faster and `target/` smaller. Each `tests/*.rs` file is a module here
//! (run one with `cargo test -p prometeu-abi --test abi FILE::`); the last test below
//! fails when a file is not listed, so none is silently left out.

mod manifest;
mod tables;

/// Every `tests/*.rs` file is one of the modules above.
#[test]
fn every_test_file_is_in_the_suite() {
    let listed = include_str!("main.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "main" {
            assert!(
                listed.contains(&format!("\nmod {stem};")),
                "tests/{stem}.rs is not a module of tests/main.rs, so it never runs"
            );
        }
    }
}
