//! Very long and very deep input (issue 15 bug 4, issue 17 item 7): for every construct
//! that can be chained or listed, a generated program of great length (or of the
//! deepest nesting the parser accepts) goes through analysis with no error, the
//! compiler and its verifier, the loader and one frame on the real kernel, and logs the
//! value it computes. No phase may overflow the stack or take quadratic time.
//!
//! The forms run one after another in one test, so their memory never adds up.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::{Duration, Instant};

use prometeu_abi::Manifest;
use prometeu_analysis::project::load_loose_file;
use prometeu_analysis::syntax::{MAX_DEPTH, write_ast_json};
use prometeu_analysis::{FileDb, FileId, NameInterner, analyze, parse_file};
use prometeu_compiler::compile;
use prometeu_kernel::{Cartridge, HeadlessHost, Kernel, KernelConfig};

/// Terms of every flat chain, elements of every long list.
const LONG: usize = 100_000;

/// The deepest nesting a function body may hold: the body's `{ }` is one level.
const DEEPEST: usize = MAX_DEPTH as usize - 1;

/// One generated program: a `frame()` body and the one log line it must print.
struct Case {
    name: &'static str,
    /// Items before `fn frame()`.
    items: String,
    /// The body of `fn frame()`.
    body: String,
    /// What `Log.info` prints.
    log: String,
}

fn case(name: &'static str, items: &str, body: String, log: impl Into<String>) -> Case {
    Case {
        name,
        items: items.to_string(),
        body,
        log: log.into(),
    }
}

/// `term` `n` times, separated by `op`.
fn chain(term: &str, op: &str, n: usize) -> String {
    vec![term; n].join(op)
}

/// Every case, each chain and list [`LONG`] terms long.
fn cases() -> Vec<Case> {
    let n = LONG;
    let d = DEEPEST;
    let method = "declare struct P(x: int) {\n    pub fn me(self): P { return self; }\n}\n";
    let params: Vec<String> = (0..200).map(|i| format!("a{i}: int")).collect();
    let sum: Vec<String> = (0..200).map(|i| format!("a{i}")).collect();
    let wide_fn = format!(
        "fn sum({}): int {{ return {}; }}\n",
        params.join(", "),
        sum.join(" + ")
    );
    vec![
        case(
            "int +",
            "",
            format!("let v = {};\nLog.info(v as string);", chain("1", " + ", n)),
            n.to_string(),
        ),
        case(
            "&&",
            "",
            format!(
                "let v = {};\nLog.info(v as string);",
                chain("true", " && ", n)
            ),
            "true",
        ),
        case(
            "||",
            "",
            format!(
                "let v = {};\nLog.info(v as string);",
                chain("false", " || ", n)
            ),
            "false",
        ),
        case(
            "as int",
            "",
            format!("let v = 1{};\nLog.info(v as string);", " as int".repeat(n)),
            "1",
        ),
        case(
            "method calls",
            method,
            format!(
                "let p = P(1);\nLog.info(p{}.x as string);",
                ".me()".repeat(n)
            ),
            "1",
        ),
        case(
            ".field",
            method,
            format!(
                "let p = P(1);\nLog.info(({}) as string);",
                chain("p.x", " + ", n)
            ),
            n.to_string(),
        ),
        case(
            "[i]",
            "",
            format!(
                "let a = [1, 2];\nLog.info(({}) as string);",
                chain("a[1]", " + ", n)
            ),
            (2 * n).to_string(),
        ),
        case(
            "when chain",
            "",
            format!(
                "let v = 1{};\nLog.info(v as string);",
                " when { _ -> 1 }".repeat(n)
            ),
            "1",
        ),
        case(
            "string +",
            "",
            format!("Log.info({});", chain("\"a\"", " + ", n)),
            "a".repeat(n),
        ),
        case(
            "statements",
            "",
            format!(
                "let mut v = 0;\n{}Log.info(v as string);",
                "v += 1;\n".repeat(n)
            ),
            n.to_string(),
        ),
        case(
            "lets",
            "",
            // A `let` is a local slot; a function has 65,535.
            format!(
                "let v0 = 0;\n{}Log.info(v{} as string);",
                (1..60_000)
                    .map(|i| format!("let v{i} = v{} + 1;\n", i - 1))
                    .collect::<String>(),
                60_000 - 1
            ),
            (60_000 - 1).to_string(),
        ),
        case(
            "array elements",
            "",
            // A frame's locals and operand stack share the VM's 65,534-slot value stack.
            format!(
                "let a = [{}];\nLog.info(a.len() as string);",
                chain("1", ", ", 30_000)
            ),
            "30000",
        ),
        case(
            "arguments",
            &wide_fn,
            format!("Log.info(sum({}) as string);", chain("1", ", ", 200)),
            "200",
        ),
        case(
            "comparisons",
            "",
            format!(
                "let x = 1;\nLog.info(({}) as string);",
                chain("x < 2", " && ", n)
            ),
            "true",
        ),
        case(
            "?",
            "fn get(o: optional<int>): optional<int> {\n",
            // Completed below: `?` needs a function returning an optional.
            String::new(),
            n.to_string(),
        ),
        case(
            "else chain",
            "",
            format!(
                "let o: optional<int> = none;\nLog.info(({} else 7) as string);",
                chain("o", " else ", n)
            ),
            "7",
        ),
        case(
            "else if",
            "",
            format!(
                "let x = {last};\nif x == 0 {{ Log.info(\"0\"); }}{} else {{ Log.info(\"none\"); }}",
                (1..n)
                    .map(|i| format!(" else if x == {i} {{ Log.info(\"{i}\"); }}\n"))
                    .collect::<String>(),
                last = n - 1
            ),
            (n - 1).to_string(),
        ),
        case(
            "when arms",
            "",
            format!(
                "let x = {last};\nLog.info((x when {{ {}_ -> -1 }}) as string);",
                (0..n).map(|i| format!("{i} -> {i},\n")).collect::<String>(),
                last = n - 1
            ),
            (n - 1).to_string(),
        ),
        case(
            "nested calls",
            "fn id(v: int): int { return v; }\n",
            format!(
                "let v = {}1{};\nLog.info(v as string);",
                "id(".repeat(d),
                ")".repeat(d)
            ),
            "1",
        ),
        case(
            "nested parentheses",
            "",
            format!(
                "let v = {}1{};\nLog.info(v as string);",
                "(".repeat(d),
                ")".repeat(d)
            ),
            "1",
        ),
        case(
            "nested blocks",
            "",
            format!(
                "let v = {}1{};\nLog.info(v as string);",
                "{ ".repeat(d),
                " }".repeat(d)
            ),
            "1",
        ),
        case(
            "prefix -",
            "",
            // An even count: the value is 1 again.
            format!("let v = {}1;\nLog.info(v as string);", "-".repeat(d - 1)),
            "1",
        ),
    ]
}

/// The source of a case; `?` chains have `n` terms.
fn source(case: &Case, n: usize) -> String {
    if case.name == "?" {
        return format!(
            "{}    return some({});\n}}\nfn frame() {{\n    Log.info((get(some(1)) else 0) as string);\n}}\n",
            case.items,
            chain("o?", " + ", n)
        );
    }
    format!("{}fn frame() {{\n{}\n}}\n", case.items, case.body)
}

/// Analyses, compiles, loads and runs `text` for one frame; the log, or why not.
fn run(name: &str, text: &str) -> Result<Vec<String>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("long.pbs");
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    if analysis.has_errors() {
        let errors: Vec<String> = analysis
            .diagnostics
            .iter()
            .take(3)
            .map(|d| format!("{:?}: {}", d.code, d.message))
            .collect();
        return Err(format!("{name}: analysis errors: {errors:?}"));
    }
    let compiled = compile(&analysis, &graph).map_err(|e| format!("{name}: {e}"))?;
    let root = &graph.projects[0];
    let manifest = Manifest::new_game(0, &root.name, &root.version);
    let cartridge = Cartridge::new(manifest, compiled.program, Vec::new(), BTreeMap::new())
        .map_err(|e| format!("{name}: cartridge: {e}"))?;
    let mut kernel = Kernel::with_config(cartridge, HeadlessHost::new(), KernelConfig::default())
        .map_err(|e| format!("{name}: kernel: {e}"))?;
    kernel.run_frames(1, 100);
    if let Some(trap) = kernel.trap() {
        return Err(format!("{name}: trapped: {trap}"));
    }
    Ok(kernel.into_host().log)
}

#[test]
fn every_chain_list_and_nesting_builds_and_runs() {
    let mut failures = Vec::new();
    for case in cases() {
        let text = source(&case, LONG);
        let started = Instant::now();
        match run(case.name, &text) {
            Ok(log) => {
                let expected = format!("1 INFO {}", case.log);
                if log != [expected.clone()] {
                    let shown: Vec<String> =
                        log.iter().map(|l| l.chars().take(80).collect()).collect();
                    failures.push(format!("{}: logged {shown:?}", case.name));
                }
            }
            Err(e) => failures.push(e.chars().take(400).collect()),
        }
        eprintln!(
            "{}: {:?} ({} bytes)",
            case.name,
            started.elapsed(),
            text.len()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nesting_past_the_limit_is_one_diagnostic() {
    let d = DEEPEST + 1;
    for (open, close) in [
        ("id(", ")"),
        ("(", ")"),
        ("{ ", " }"),
        ("[", "]"),
        ("-", ""),
    ] {
        let text = format!(
            "fn id(v: int): int {{ return v; }}\nfn frame() {{ let v = {}1{}; }}\n",
            open.repeat(d),
            close.repeat(d)
        );
        let mut names = NameInterner::new();
        let parse = parse_file(FileId(0), &text, &mut names);
        assert_eq!(
            parse.diagnostics.len(),
            1,
            "{open}: {:?}",
            parse.diagnostics
        );
        assert!(
            parse.diagnostics[0].message.contains("256 levels"),
            "{open}"
        );
    }
}

/// How long writing the AST dump of `terms` chained `&& true` takes, and its size.
fn dump_cost(terms: usize) -> (Duration, usize) {
    let text = format!(
        "fn frame() {{ let v = true{}; }}\n",
        " && true".repeat(terms)
    );
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), &text, &mut names);
    let mut out = Counter(0);
    let started = Instant::now();
    write_ast_json(&parse.arena, &names, &mut out).expect("a counter takes every byte");
    (started.elapsed(), out.0)
}

/// A writer that only counts bytes.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A chain ten times longer (a tree ten times deeper) dumps about ten times the bytes
/// in about ten times the time, not a hundred (issue 17 item 8: indentation was
/// proportional to depth, so 8,000 terms printed 642 MB).
#[test]
fn ast_dump_costs_grow_linearly_with_depth() {
    let best = |terms| (0..3).map(|_| dump_cost(terms)).min().expect("3 runs");
    let (small_time, small_size) = best(4_000);
    let (large_time, large_size) = best(40_000);
    let size_ratio = large_size as f64 / small_size as f64;
    assert!(size_ratio < 12.0, "10x terms gave {size_ratio:.1}x bytes");
    let time_ratio = large_time.as_secs_f64() / small_time.as_secs_f64().max(0.01);
    assert!(
        time_ratio < 30.0,
        "10x terms took {time_ratio:.1}x the time ({small_time:?} vs {large_time:?})"
    );
    // The dump still says everything: a bounded size per node.
    assert!(large_size < 40_000 * 4 * 1024, "{large_size} bytes");
    let _ = std::io::stderr().flush();
}

/// Asserts that `cost` of 10× the input is under 30× the cost of `small` (linear with
/// room for noise, not quadratic). The best of three runs each, and a floor under the
/// small one, so that other tests running at the same time cannot fake a ratio.
fn assert_linear(what: &str, small: usize, cost: impl Fn(usize) -> Duration) {
    let best = |n| (0..3).map(|_| cost(n)).min().expect("3 runs");
    let (small_time, large_time) = (best(small), best(small * 10));
    let ratio = large_time.as_secs_f64() / small_time.as_secs_f64().max(0.01);
    assert!(
        ratio < 30.0,
        "10x {what} took {ratio:.1}x ({small_time:?} vs {large_time:?})"
    );
}

/// How long analysing a chain of `count` structs, each holding the next by value,
/// takes (with a cycle closed at the end, so the recursive-struct check has work).
fn struct_chain_cost(count: usize) -> Duration {
    let mut text = String::new();
    for i in 0..count - 1 {
        text.push_str(&format!("pub declare struct S{i}(next: S{})\n", i + 1));
    }
    text.push_str(&format!(
        "pub declare struct S{}(back: S{})\n",
        count - 1,
        count - 2
    ));
    text.push_str("fn frame() {}\n");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("chain.pbs");
    std::fs::write(&path, text).expect("write");
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let started = Instant::now();
    let analysis = analyze(&graph, &mut db, None);
    let elapsed = started.elapsed();
    // The last two close a cycle: exactly they are reported.
    let cycles = analysis
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("would contain itself"))
        .count();
    assert_eq!(cycles, 2, "{count} structs");
    elapsed
}

/// The recursive-struct check is linear in the number of structs (it walked everything
/// each field reaches, for every field: a chain of 20,000 structs was quadratic).
#[test]
fn struct_chains_are_checked_in_linear_time() {
    assert_linear("structs", 4_000, struct_chain_cost);
}

/// How long analysing `count` `let`s, each wrapping the previous in `some(…)` (an
/// inferred type `count` levels deep), takes.
fn deep_type_cost(count: usize) -> Duration {
    let mut body = String::from("let v0 = some(1);\n");
    for i in 1..count {
        body.push_str(&format!("let v{i} = some(v{});\n", i - 1));
    }
    body.push_str(&format!(
        "Log.info((v{last} == v{last}) as string);\n",
        last = count - 1
    ));
    let text = format!("fn frame() {{\n{body}}}\n");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("types.pbs");
    std::fs::write(&path, text).expect("write");
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let started = Instant::now();
    let analysis = analyze(&graph, &mut db, None);
    let elapsed = started.elapsed();
    assert!(!analysis.has_errors(), "{count} nested optionals");
    elapsed
}

/// Types inferred through a chain of `let`s can nest as deep as the chain is long:
/// asking whether one contains an error costs the same at any depth (it walked the
/// whole type: 20,000 levels took 5 s to check).
#[test]
fn deep_inferred_types_are_checked_in_linear_time() {
    assert_linear("depth", 2_000, deep_type_cost);
}

/// How long analysing a `when` over an error type of `count` cases, one arm per case,
/// takes; the arms are exhaustive, and an arm after them is unreachable.
fn error_cases_cost(count: usize) -> Duration {
    let cases: Vec<String> = (0..count).map(|i| format!("C{i}")).collect();
    let arms: String = (0..count).map(|i| format!("E.C{i} -> {i},\n")).collect();
    let text = format!(
        "declare error E {{ {} }}\nfn pick(e: E): int {{\n    return e when {{\n{arms}_ -> -1,\n}};\n}}\nfn frame() {{ Log.info(pick(E.C1) as string); }}\n",
        cases.join(", ")
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cases.pbs");
    std::fs::write(&path, text).expect("write");
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let started = Instant::now();
    let analysis = analyze(&graph, &mut db, None);
    let elapsed = started.elapsed();
    let codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["W_UNREACHABLE_ARM"], "{count} cases");
    elapsed
}

/// Arm coverage is kept per arm: a `when` over every case of a large error type is
/// checked in linear time (it recomputed exhaustiveness against every earlier arm for
/// every arm: 2,000 cases took 20 s).
#[test]
fn when_over_many_error_cases_is_checked_in_linear_time() {
    assert_linear("cases", 2_000, error_cases_cost);
}

/// Types nest as deep as a program's struct chains go: a value of a 5,000-level chain
/// of structs is laid out, built, verified, loaded and run (the compiler's layout once
/// stopped at 256 levels, after `check` had accepted the program).
#[test]
fn deeply_nested_struct_types_build_and_run() {
    let depth = 5_000;
    let mut text = String::from("declare struct S0(x: int)\n");
    for i in 1..depth {
        text.push_str(&format!("declare struct S{i}(inner: S{})\n", i - 1));
    }
    let last = depth - 1;
    text.push_str(&format!(
        "fn nothing(): optional<S{last}> {{ return none; }}\n\
         fn frame() {{ let v = nothing(); if v == none {{ Log.info(\"none\"); }} }}\n"
    ));
    let log = run("nested struct types", &text).expect("builds and runs");
    assert_eq!(log, ["1 INFO none"]);
}
