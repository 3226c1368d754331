//! Very long input through the real binary (issue 15 bug 4, issue 17 items 7–9): chains
//! of 100,000 terms check, build and run; `check --dump-ast` and
//! `disasm --source-root` cost about ten times more for an input ten times larger,
//! not a hundred.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs `prometeu ARGS` in `dir`.
fn prometeu(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(args)
        .current_dir(dir)
        .env_remove("PROMETEU_CACHE_DIR")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A new project in `dir/name` whose `src/main.pbs` is `source`.
fn project(dir: &Path, name: &str, source: &str) -> std::path::PathBuf {
    let out = prometeu(dir, &["new", name]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let root = dir.join(name);
    std::fs::write(root.join("src/main.pbs"), source).expect("write main.pbs");
    root
}

/// The first lines of an output, for a readable failure.
fn head(bytes: &[u8]) -> String {
    text(bytes).lines().take(8).collect::<Vec<_>>().join("\n")
}

#[test]
fn chains_of_100000_terms_check_build_and_run() {
    let n = 100_000;
    let method = "declare struct P(x: int) {\n    pub fn me(self): P { return self; }\n}\n";
    let cases = [
        (
            "plus",
            String::new(),
            format!("let v = 1{};\nLog.info(v as string);", " + 1".repeat(n - 1)),
            n.to_string(),
        ),
        (
            "and",
            String::new(),
            format!(
                "let v = true{};\nLog.info(v as string);",
                " && true".repeat(n - 1)
            ),
            "true".to_string(),
        ),
        (
            "methods",
            method.to_string(),
            format!(
                "let p = P(7);\nLog.info(p{}.x as string);",
                ".me()".repeat(n)
            ),
            "7".to_string(),
        ),
        (
            "casts",
            String::new(),
            format!("let v = 3{};\nLog.info(v as string);", " as int".repeat(n)),
            "3".to_string(),
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, items, body, logged) in cases {
        let source = format!("{items}fn frame() {{\n{body}\n}}\n");
        let root = project(dir.path(), name, &source);
        let root = root.to_str().expect("UTF-8 path");
        let check = prometeu(dir.path(), &["check", root]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{name}: {}",
            head(&check.stderr)
        );
        let build = prometeu(dir.path(), &["build", root]);
        assert_eq!(
            build.status.code(),
            Some(0),
            "{name}: {}",
            head(&build.stderr)
        );
        let run = prometeu(dir.path(), &["run", root, "--headless", "--frames", "1"]);
        assert_eq!(run.status.code(), Some(0), "{name}: {}", head(&run.stderr));
        let stdout = text(&run.stdout);
        assert!(
            stdout.lines().any(|l| l == format!("1 INFO {logged}")),
            "{name}: {}",
            head(&run.stdout)
        );
    }
}

/// Times `prometeu ARGS` in `dir`; it must succeed.
fn timed(dir: &Path, args: &[&str]) -> (Duration, usize) {
    let started = Instant::now();
    let out = prometeu(dir, args);
    let elapsed = started.elapsed();
    assert!(out.status.success(), "{args:?}: {}", head(&out.stderr));
    (elapsed, out.stdout.len())
}

fn ratio(small: Duration, large: Duration) -> f64 {
    // A floor under the small run: other tests at the same time cannot fake a ratio.
    large.as_secs_f64() / small.as_secs_f64().max(0.02)
}

/// `check --dump-ast` of a chain ten times longer (a tree ten times deeper) prints about
/// ten times the bytes in about ten times the time (it was quadratic: 8,000 `&& true`
/// printed 642 MB).
#[test]
fn dump_ast_is_linear_in_nesting_depth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut costs = Vec::new();
    for terms in [5_000, 50_000] {
        let file = dir.path().join(format!("chain{terms}.pbs"));
        let source = format!(
            "fn frame() {{ let v = true{}; }}\n",
            " && true".repeat(terms)
        );
        std::fs::write(&file, source).expect("write");
        let file = file.to_str().expect("UTF-8 path");
        costs.push(timed(dir.path(), &["check", "--dump-ast", file]));
    }
    let (small, large) = (costs[0], costs[1]);
    let size_ratio = large.1 as f64 / small.1 as f64;
    assert!(
        size_ratio < 12.0,
        "10x terms printed {size_ratio:.1}x bytes"
    );
    let time_ratio = ratio(small.0, large.0);
    assert!(
        time_ratio < 30.0,
        "10x terms took {time_ratio:.1}x ({small:?} vs {large:?})"
    );
}

/// `disasm --source-root` of a program with ten times the source lines takes about ten
/// times as long (it rescanned the source for every line: 20,000 lines took 81 s).
#[test]
fn disasm_with_sources_is_linear_in_source_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut costs = Vec::new();
    for lines in [1_500, 15_000] {
        let name = format!("lines{lines}");
        let source = format!(
            "fn frame() {{\n    let mut v = 0;\n{}    Log.info(v as string);\n}}\n",
            "    v += 1;\n".repeat(lines)
        );
        let root = project(dir.path(), &name, &source);
        let root_text = root.to_str().expect("UTF-8 path");
        let build = prometeu(dir.path(), &["build", root_text]);
        assert!(build.status.success(), "{}", head(&build.stderr));
        let pbc = root.join("build/cart/program.pbc");
        let pbc = pbc.to_str().expect("UTF-8 path");
        let (time, size) = timed(dir.path(), &["disasm", pbc, "--source-root", root_text]);
        let listing = prometeu(dir.path(), &["disasm", pbc, "--source-root", root_text]);
        let listing = text(&listing.stdout);
        // One note per source line: the sources were found and every line is named.
        let notes = listing.matches("; src/main.pbs:").count();
        assert!(notes > lines, "{notes} source notes for {lines} lines");
        costs.push((time, size));
    }
    let time_ratio = ratio(costs[0].0, costs[1].0);
    assert!(
        time_ratio < 30.0,
        "10x lines took {time_ratio:.1}x ({:?} vs {:?})",
        costs[0].0,
        costs[1].0
    );
}
