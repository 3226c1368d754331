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

/// Runs `prometeu ARGS` in `dir`.
fn prometeu_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(args)
        .current_dir(dir)
        .env_remove("PROMETEU_CACHE_DIR")
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

/// A project `two` with an error in each of its two files.
fn project_with_two_broken_files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("two");
    std::fs::create_dir_all(project.join("src/world")).unwrap();
    std::fs::write(
        project.join("prometeu.json"),
        "{ \"name\": \"two\", \"version\": \"1.0.0\" }\n",
    )
    .unwrap();
    std::fs::write(
        project.join("src/main.pbs"),
        "import { size } from \"world\";\n\nfn frame() {\n    let n: string = size();\n    Log.info(n);\n}\n",
    )
    .unwrap();
    std::fs::write(
        project.join("src/world/map.pbs"),
        "pub fn size(): int {\n    return true;\n}\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_file_inside_a_project_is_checked_as_part_of_its_project() {
    // Its imports of modules and dependencies resolve: no false errors.
    let out = prometeu(&["check", "examples/town/src/main.pbs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "checked town (src/main.pbs): 0 errors, 0 warnings\n"
    );
    // Only that file's diagnostics are reported, in either format.
    let dir = project_with_two_broken_files();
    let out = prometeu_in(dir.path(), &["check", "two/src/world/map.pbs"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("one_file_of_a_project", text(&out.stderr));
    let out = prometeu_in(
        dir.path(),
        &["check", "two/src/main.pbs", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let files: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["file"].to_string())
        .collect();
    assert_eq!(files, ["\"src/main.pbs\""]);
    // A .pbs file of the project directory that is not under src/ is a loose file.
    std::fs::write(dir.path().join("two/tool.pbs"), "fn frame() {}\n").unwrap();
    let out = prometeu_in(dir.path(), &["check", "two/tool.pbs"]);
    assert_eq!(
        text(&out.stderr),
        "checked tool (1 file): 0 errors, 0 warnings\n"
    );
}

#[test]
fn every_command_finds_the_project_from_a_subdirectory() {
    let dir = project_with_two_broken_files();
    let world = dir.path().join("two/src/world");
    let out = prometeu_in(&world, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).ends_with("checked two (2 files): 2 errors, 0 warnings\n"),
        "{}",
        text(&out.stderr)
    );
    // Fix both files; then build and run work from the subdirectory too, writing the
    // project's own build/.
    let project = dir.path().join("two");
    std::fs::write(
        project.join("src/main.pbs"),
        "import { size } from \"world\";\n\nfn frame() {\n    Log.info(size() as string);\n}\n",
    )
    .unwrap();
    std::fs::write(
        project.join("src/world/map.pbs"),
        "pub fn size(): int {\n    return 3;\n}\n",
    )
    .unwrap();
    let out = prometeu_in(&world, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("built two → ../../build/cart ("),
        "{}",
        text(&out.stderr)
    );
    assert!(project.join("build/cart/program.pbc").is_file());
    assert!(!world.join("build").exists());
    let out = prometeu_in(&world, &["run", "--headless", "--frames", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "1 INFO 3\n");
    assert!(
        text(&out.stderr).contains("ran 1 frame ("),
        "{}",
        text(&out.stderr)
    );
    // A source file given to `run` runs its project; given to `build`, builds it.
    let out = prometeu_in(&world, &["run", "map.pbs", "--headless", "--frames", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "1 INFO 3\n");
    std::fs::remove_dir_all(project.join("build")).unwrap();
    let out = prometeu_in(&world, &["build", "map.pbs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(project.join("build/cart/program.pbc").is_file());
    // A loose file is not a project to build: the message says what to do instead.
    std::fs::write(dir.path().join("loose.pbs"), "fn frame() {}\n").unwrap();
    let out = prometeu_in(dir.path(), &["build", "loose.pbs"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("`build` builds a project (run the file with `prometeu run loose.pbs`"),
        "{}",
        text(&out.stderr)
    );
}

/// Runs `prometeu ARGS` with stdout and stderr on a pipe whose reading end is already
/// closed, as in `prometeu check x.pbs 2>&1 | head -0`.
#[cfg(unix)]
fn prometeu_into_a_closed_pipe(args: &[&str]) -> std::process::ExitStatus {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned by nobody else.
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let stderr = writer.try_clone().unwrap();
    Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(args)
        .current_dir(repo())
        .stdout(std::process::Stdio::from(writer))
        .stderr(std::process::Stdio::from(stderr))
        .status()
        .expect("the binary runs")
}

#[cfg(unix)]
#[test]
fn output_to_a_closed_pipe_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    for args in [
        &["check", "examples/diagnostics/types.pbs"][..],
        &["check", "examples/diagnostics/lex.pbs", "--format", "json"],
        &["check", "--dump-ast", "examples/hello/src/main.pbs"],
        &[
            "run",
            "examples/hello/src/main.pbs",
            "--headless",
            "--frames",
            "3",
        ],
        &["--help"],
        &["check", "--bogus"],
    ] {
        let status = prometeu_into_a_closed_pipe(args);
        // Ended by SIGPIPE, as `cat` or `grep` would be: no panic (exit 101), no
        // message (there is nowhere to write it).
        assert_eq!(status.signal(), Some(libc::SIGPIPE), "{args:?}: {status:?}");
    }
}

#[test]
fn rough_edges_of_the_first_hour() {
    let dir = tempfile::tempdir().unwrap();
    // An empty loose file is told what a loose file needs.
    std::fs::write(dir.path().join("empty.pbs"), "").unwrap();
    let out = prometeu_in(dir.path(), &["check", "empty.pbs"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("empty_loose_file", text(&out.stderr));

    // `new .` names the project after the directory.
    let game = dir.path().join("space-game");
    std::fs::create_dir_all(&game).unwrap();
    let out = prometeu_in(&game, &["new", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let manifest = std::fs::read_to_string(game.join("prometeu.json")).unwrap();
    assert!(manifest.contains("\"name\": \"space-game\""), "{manifest}");

    // `check DIR --dump-ast` says what it wants.
    let out = prometeu_in(dir.path(), &["check", "space-game", "--dump-ast"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `space-game` is a directory: `check --dump-ast` prints the syntax tree of one .pbs file\n"
    );

    // Flags of toolchain.md that do not exist yet say so.
    let out = prometeu_in(
        dir.path(),
        &["run", "space-game", "--headless", "--realtime"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("`prometeu run --realtime` is not implemented yet"),
        "{}",
        text(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(["run", "space-game"])
        .current_dir(dir.path())
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("run without one with `prometeu run --headless`"),
        "{}",
        text(&out.stderr)
    );
}

/// `prometeu check` of a file with errors on a pseudo-terminal (through util-linux
/// `script`), with `NO_COLOR` set to `no_color` or unset; what the terminal showed.
#[cfg(target_os = "linux")]
fn check_on_a_terminal(no_color: Option<&str>) -> Option<String> {
    let command = format!(
        "{} check examples/diagnostics/types.pbs",
        env!("CARGO_BIN_EXE_prometeu")
    );
    let mut script = Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(repo());
    match no_color {
        Some(value) => script.env("NO_COLOR", value),
        None => script.env_remove("NO_COLOR"),
    };
    let out = script.output().ok()?;
    Some(text(&out.stdout))
}

#[cfg(target_os = "linux")]
#[test]
fn colour_on_a_terminal_unless_no_color_is_set() {
    let Some(coloured) = check_on_a_terminal(None) else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert!(
        coloured.contains("\x1b[1;31merror[E_TYPE_MISMATCH]"),
        "{coloured}"
    );
    let plain = check_on_a_terminal(Some("1")).unwrap();
    assert!(plain.contains("error[E_TYPE_MISMATCH]"), "{plain}");
    assert!(!plain.contains('\x1b'), "{plain}");
    // An empty NO_COLOR does not count (no-color.org).
    let empty = check_on_a_terminal(Some("")).unwrap();
    assert!(empty.contains("\x1b[1;31m"), "{empty}");
}

// ----- prometeu fmt (toolchain.md §2 and §6) -----

const UNFORMATTED: &str = "fn frame() {  let x=1;\n  Log.info( \"x\" ) ; }\n";
const FORMATTED: &str = "fn frame() {\n    let x = 1;\n    Log.info(\"x\");\n}\n";

#[test]
fn fmt_check_lists_the_files_that_would_change_and_exits_1_without_touching_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("messy.pbs"), UNFORMATTED).unwrap();
    std::fs::write(dir.path().join("tidy.pbs"), FORMATTED).unwrap();
    let out = prometeu_in(dir.path(), &["fmt", "--check", "messy.pbs", "tidy.pbs"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "messy.pbs\n");
    assert_eq!(
        text(&out.stderr),
        "1 of 2 files would be reformatted, 1 already formatted\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.pbs")).unwrap(),
        UNFORMATTED
    );
    let out = prometeu_in(dir.path(), &["fmt", "--check", "tidy.pbs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn fmt_rewrites_files_atomically_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("messy.pbs");
    std::fs::write(&file, UNFORMATTED).unwrap();
    #[cfg(unix)]
    let inode_before = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&file).unwrap());
    let out = prometeu_in(dir.path(), &["fmt", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "formatted 1 files: 1 changed, 0 already formatted\n"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FORMATTED);
    // The new text was renamed over the old file (a crash leaves one or the other), and
    // no temporary file is left behind.
    #[cfg(unix)]
    assert_ne!(
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&file).unwrap()),
        inode_before
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["messy.pbs"]);
    let out = prometeu_in(dir.path(), &["fmt", "messy.pbs"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stderr),
        "formatted 1 files: 0 changed, 1 already formatted\n"
    );
}

#[test]
fn fmt_reads_standard_input_when_given_a_dash() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(UNFORMATTED.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), FORMATTED);
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_untouched_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "fn frame() {\n  let x = ;\n}\n";
    std::fs::write(dir.path().join("broken.pbs"), broken).unwrap();
    std::fs::write(dir.path().join("messy.pbs"), UNFORMATTED).unwrap();
    let out = prometeu_in(dir.path(), &["fmt", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: ./broken.pbs:2:11: expected an expression, found `;` (not formatted: 1 syntax error)\n"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "formatted 2 files: 1 changed, 0 already formatted, 1 not formatted (syntax errors)\n"
        ),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.pbs")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.pbs")).unwrap(),
        FORMATTED
    );
}

#[test]
fn fmt_without_paths_formats_the_sources_of_the_project_around_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = prometeu_in(dir.path(), &["new", "game"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let game = dir.path().join("game");
    std::fs::create_dir_all(game.join("src/world")).unwrap();
    std::fs::write(game.join("src/world/messy.pbs"), UNFORMATTED).unwrap();
    std::fs::write(game.join("outside.pbs"), UNFORMATTED).unwrap();
    let out = prometeu_in(&game.join("src/world"), &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(game.join("src/world/messy.pbs")).unwrap(),
        FORMATTED
    );
    assert_eq!(
        std::fs::read_to_string(game.join("outside.pbs")).unwrap(),
        UNFORMATTED
    );
    // Outside any project, `fmt` needs paths.
    let out = prometeu_in(dir.path(), &["fmt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not in a project"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_diagnostic_on_a_very_long_line_shows_a_window_around_its_span() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wide.pbs");
    // A generated table on one line, with the mistake in the middle of it.
    let values: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
    let (left, right) = values.split_at(10_000);
    let source = format!(
        "fn frame() {{\n    let table = [{}, \"oops\", {}];\n    Log.info(table[0] as string);\n}}\n",
        left.join(", "),
        right.join(", ")
    );
    std::fs::write(&file, &source).unwrap();
    let out = prometeu(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 1_000, "{} bytes:\n{stderr}", stderr.len());
    let lines: Vec<&str> = stderr.lines().collect();
    let shown = lines
        .iter()
        .find(|l| l.starts_with("2 | "))
        .expect("the source line");
    let carets = lines
        .iter()
        .find(|l| l.contains('^'))
        .expect("the underline");
    assert!(
        shown.starts_with("2 | ...") && shown.ends_with("..."),
        "{shown}"
    );
    // The carets sit under `"oops"`.
    let column = carets.find('^').unwrap();
    assert_eq!(&shown[column..column + 6], "\"oops\"", "{stderr}");
    assert_eq!(carets.trim_end().len() - column, 6);
}
