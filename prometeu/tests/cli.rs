//! End-to-end tests of the `prometeu` binary: real arguments, real files, exit codes and
//! printed output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `prometeu ARGS` from the repository root.
fn prometeu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(args)
        .current_dir(repo())
        .env_remove("PROMETEU_CACHE_DIR")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn every_example_project_checks_clean() {
    for example in ["hello", "bounce", "town", "mathlib"] {
        let out = prometeu(&["check", &format!("examples/{example}")]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{example}: {stderr}");
        assert!(
            stderr.contains("0 errors, 0 warnings"),
            "{example}: {stderr}"
        );
    }
}

#[test]
fn the_imports_fixture_project_reports_its_three_errors() {
    let out = prometeu(&["check", "examples/diagnostics/imports", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let codes: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        codes,
        [
            "E_RESOLVE_NOT_VISIBLE",
            "E_RESOLVE_IMPORT_NOT_FOUND",
            "E_RESOLVE_MODULE_NOT_FOUND"
        ]
    );
}

#[test]
fn type_errors_render_with_snippets() {
    let out = prometeu(&["check", "examples/diagnostics/types.pbs"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn syntax_errors_render_with_snippets_and_exit_1() {
    let out = prometeu(&["check", "examples/diagnostics/parse.pbs"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "human output goes to stderr");
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn json_format_prints_one_sorted_object_per_line() {
    let out = prometeu(&["check", "examples/diagnostics/lex.pbs", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let mut starts = Vec::new();
    for line in stdout.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        starts.push(value["span"]["start"].as_u64().unwrap());
    }
    assert_eq!(starts.len(), 6);
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "sorted by offset");
    insta::assert_snapshot!(stdout);
}

#[test]
fn a_manifest_error_points_into_the_manifest() {
    let dir =
        std::env::temp_dir().join(format!("prometeu-cli-bad-manifest-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("prometeu.json"),
        "{ \"name\": \"Bad Name\", \"version\": \"1.0.0\" }\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/main.pbs"), "fn frame() {}\n").unwrap();
    let out = prometeu(&["check", dir.to_str().unwrap(), "--format", "json"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(line["code"], "E_PROJECT_MANIFEST");
    assert_eq!(line["file"], "prometeu.json", "relative, never absolute");
    assert_eq!(line["range"]["start"]["line"], 0);
    assert_eq!(line["range"]["start"]["col"], 10, "the bad name's value");
}

#[test]
fn missing_targets_and_unreadable_files_are_io_errors() {
    let out = prometeu(&["check", "no/such/place"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`no/such/place` does not exist"));

    let out = prometeu(&["check", "README.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("neither a project directory nor a .pbs file"));

    let out = prometeu(&["check", "--bogus"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn dump_ast_prints_the_canonical_tree() {
    let out = prometeu(&["check", "--dump-ast", "examples/hello/src/main.pbs"]);
    assert_eq!(out.status.code(), Some(0));
    let tree: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(tree["kind"], "SourceFile");
}

#[test]
fn disasm_refuses_files_that_are_not_programs() {
    let out = prometeu(&["disasm", "README.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not a valid program"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn new_creates_projects_that_check_clean() {
    let base = std::env::temp_dir().join(format!("prometeu-cli-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    for (name, flags) in [("my-game", &[][..]), ("my_lib", &["--lib"][..])] {
        let dir = base.join(name);
        let mut args = vec!["new", dir.to_str().unwrap()];
        args.extend_from_slice(flags);
        let out = prometeu(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let out = prometeu(&["check", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("0 errors, 0 warnings"),
            "{}",
            text(&out.stderr)
        );
        // A second `new` into the same place refuses to overwrite.
        let out = prometeu(&args);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("already exists"));
    }
    let out = prometeu(&["new", base.join("Bad Name").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a valid project name"));
    std::fs::remove_dir_all(&base).unwrap();
}
