//! The PBS conformance suite: small loose-file apps under `tests/conformance/`, each with
//! the exact log (and trap) that running it must produce. The format is described in
//! `tests/conformance/README.md`.
//!
//! Every program's annotations are well formed, every program lexes, parses and
//! analyses with zero diagnostics, the suite is large enough and covers every required
//! trap, and every program compiles and runs on the real kernel ([`run_program`]) with
//! exactly its annotated log and trap, under both collector modes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use prometeu_abi::{Manifest, TrapCode};
use prometeu_analysis::project::load_loose_file;
use prometeu_analysis::{FileDb, FileId, NameInterner, analyze, parse_file};
use prometeu_compiler::compile;
use prometeu_kernel::{Cartridge, HeadlessHost, Kernel, KernelConfig};
use prometeu_tests::{fixture_files, repo_root};
use prometeu_vm::{GcMode, VmConfig};
use proptest::prelude::*;

/// The suite must hold at least this many programs.
const MIN_PROGRAMS: usize = 60;

/// A program's source part (before the annotations) has at most this many lines.
const MAX_PROGRAM_LINES: usize = 60;

/// Traps the suite must provoke at least once each.
const REQUIRED_TRAPS: &[TrapCode] = &[
    TrapCode::DivZero,
    TrapCode::BoundedOverflow,
    TrapCode::Oob,
    TrapCode::DeadGate,
    TrapCode::GateBusy,
    TrapCode::Cast,
    TrapCode::StackOverflow,
    TrapCode::Arg,
    TrapCode::HeapExhausted,
];

/// What a program must do when run, read from its `//~` and `//>` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expected {
    /// How many logical frames to run (`//~ frames: N`, default 1).
    frames: u32,
    /// The exact log lines, `FRAME LEVEL MESSAGE`, in order.
    log: Vec<String>,
    /// The trap that ends the run, if one must.
    trap: Option<ExpectedTrap>,
}

/// A trap the program must hit (`//~ trap: TRAP_NAME at LINE:COL`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct ExpectedTrap {
    /// The trap.
    code: TrapCode,
    /// 1-based line of the start of the trapping expression.
    line: u32,
    /// 1-based column, in characters, of the start of the trapping expression.
    col: u32,
}

/// What running a program produced.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Outcome {
    /// Every log line as the CLI prints it (`toolchain.md` §5).
    log: Vec<String>,
    /// The trap that stopped the run, if any.
    trap: Option<TrapOutcome>,
}

/// A trap as the host reports it, with the source position already turned into
/// 1-based line and column (characters).
#[derive(Clone, Debug, PartialEq, Eq)]
struct TrapOutcome {
    /// The trap.
    code: TrapCode,
    /// The logical frame it happened in (0 during `init`).
    frame: u32,
    /// 1-based line of the trapping instruction's span start.
    line: u32,
    /// 1-based column (characters) of that span start.
    col: u32,
}

/// Ticks one logical frame may take before a run gives up (the CLI's limit): a
/// program whose frame never ends fails instead of hanging the suite.
const MAX_TICKS_PER_FRAME: u64 = 300;

/// Compiles one conformance program as a loose-file app and runs it headless on the
/// real kernel (under the collector mode `gc_mode`, with or without the loader's
/// register forms) until `frames` logical frames have completed or it stops. `Err` says why it could not run (analysis or compile errors,
/// a cartridge that does not load).
fn run_program(
    path: &Path,
    frames: u32,
    gc_mode: GcMode,
    register_forms: bool,
) -> Result<Outcome, String> {
    let mut db = FileDb::new();
    let graph = load_loose_file(path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    if analysis.has_errors() {
        return Err(format!("{} diagnostics", analysis.diagnostics.len()));
    }
    let compiled = compile(&analysis, &graph).map_err(|e| format!("compile error: {e:?}"))?;
    // `app_id` 0, the file stem as title, entry point `frame`, no assets.
    let root = &graph.projects[0];
    let manifest = Manifest::new_game(0, &root.name, &root.version);
    let cartridge = Cartridge::new(manifest, compiled.program, Vec::new(), BTreeMap::new())
        .map_err(|e| format!("cartridge: {e}"))?;
    let config = KernelConfig {
        vm: VmConfig {
            gc_mode,
            register_forms,
            ..VmConfig::default()
        },
        ..KernelConfig::default()
    };
    let mut kernel = Kernel::with_config(cartridge, HeadlessHost::new(), config)
        .map_err(|e| format!("kernel: {e}"))?;
    let max_ticks = u64::from(frames + 1) * MAX_TICKS_PER_FRAME;
    kernel.run_frames(u64::from(frames), max_ticks);
    let trap = match kernel.trap() {
        Some(report) => {
            let mut report = report.clone();
            // The debug map names the loose file by the path it was loaded with.
            let sources: BTreeMap<String, String> = graph
                .files
                .iter()
                .map(|f| (f.display_path.clone(), db.text(f.file).to_string()))
                .collect();
            report.resolve_lines(&mut |file| sources.get(file).cloned());
            let (line, col) = report
                .span
                .as_ref()
                .and_then(|s| s.line_col)
                .ok_or_else(|| format!("a trap without a source position: {report}"))?;
            let code = TrapCode::from_code(report.code)
                .ok_or_else(|| format!("unknown trap code {}", report.code))?;
            Some(TrapOutcome {
                code,
                frame: u32::try_from(report.frame).unwrap_or(u32::MAX),
                line,
                col,
            })
        }
        None => None,
    };
    Ok(Outcome {
        log: kernel.into_host().log,
        trap,
    })
}

/// Compares a run with the annotations; `Err` is a readable report.
fn compare(expected: &Expected, outcome: &Outcome) -> Result<(), String> {
    let mut report = Vec::new();
    let longest = expected.log.len().max(outcome.log.len());
    for i in 0..longest {
        match (expected.log.get(i), outcome.log.get(i)) {
            (Some(e), Some(o)) if e == o => {}
            (Some(e), Some(o)) => {
                report.push(format!("log line {}: expected `{e}`, got `{o}`", i + 1))
            }
            (Some(e), None) => report.push(format!("log line {}: missing `{e}`", i + 1)),
            (None, Some(o)) => report.push(format!("log line {}: unexpected `{o}`", i + 1)),
            (None, None) => unreachable!("i is below the longer length"),
        }
    }
    match (&expected.trap, &outcome.trap) {
        (None, None) => {}
        (Some(e), None) => report.push(format!(
            "expected {} at {}:{} in frame {}, but the run ended normally",
            e.code, e.line, e.col, expected.frames
        )),
        (None, Some(o)) => report.push(format!(
            "unexpected {} at {}:{} in frame {}",
            o.code, o.line, o.col, o.frame
        )),
        (Some(e), Some(o)) => {
            if (e.code, e.line, e.col, expected.frames) != (o.code, o.line, o.col, o.frame) {
                report.push(format!(
                    "expected {} at {}:{} in frame {}, got {} at {}:{} in frame {}",
                    e.code, e.line, e.col, expected.frames, o.code, o.line, o.col, o.frame
                ));
            }
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report.join("\n"))
    }
}

/// Reads a program's annotations. They form the end of the file: once the first `//~`
/// or `//>` line appears, only annotation lines and blank lines may follow. `Err` names
/// the 1-based line.
fn parse_expected(source: &str) -> Result<Expected, String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut frames: Option<u32> = None;
    let mut log: Vec<String> = Vec::new();
    let mut trap: Option<ExpectedTrap> = None;
    let mut in_annotations = false;
    let mut last_frame = 0u32;
    for (i, raw) in lines.iter().enumerate() {
        let at = |what: String| format!("line {}: {what}", i + 1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = line.strip_prefix("//>") {
            in_annotations = true;
            if trap.is_some() {
                return Err(at("a log line after the trap can never print".into()));
            }
            let entry = rest
                .strip_prefix(' ')
                .ok_or_else(|| at("expected `//> FRAME LEVEL MESSAGE`".into()))?;
            let frame = check_log_line(entry).map_err(&at)?;
            if frame < last_frame {
                return Err(at(format!(
                    "frame {frame} after frame {last_frame}: log lines are in run order"
                )));
            }
            last_frame = frame;
            log.push(entry.to_string());
        } else if let Some(rest) = line.strip_prefix("//~") {
            in_annotations = true;
            let rest = rest.trim();
            if let Some(n) = rest.strip_prefix("frames:") {
                if frames.is_some() {
                    return Err(at("`frames` given twice".into()));
                }
                let n: u32 = n
                    .trim()
                    .parse()
                    .map_err(|_| at(format!("bad frame count `{}`", n.trim())))?;
                if n == 0 {
                    return Err(at("a program runs at least one frame".into()));
                }
                frames = Some(n);
            } else if let Some(t) = rest.strip_prefix("trap:") {
                if trap.is_some() {
                    return Err(at("a run stops at its first trap".into()));
                }
                trap = Some(parse_trap(t.trim(), &lines).map_err(&at)?);
            } else {
                return Err(at(format!("unknown directive `//~ {rest}`")));
            }
        } else if in_annotations && !line.trim().is_empty() {
            return Err(at("only annotations may follow the first annotation".into()));
        }
    }
    let frames = frames.unwrap_or(1);
    if last_frame > frames {
        return Err(format!(
            "a log line of frame {last_frame} but only {frames} frame(s) run"
        ));
    }
    if !in_annotations {
        return Err("no annotations: a program must state its expected log".into());
    }
    Ok(Expected { frames, log, trap })
}

/// Checks `FRAME LEVEL MESSAGE` and returns the frame.
fn check_log_line(entry: &str) -> Result<u32, String> {
    let mut parts = entry.splitn(3, ' ');
    let frame = parts.next().unwrap_or_default();
    let frame: u32 = frame
        .parse()
        .ok()
        .filter(|_| frame.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("bad frame number `{frame}`"))?;
    match parts.next() {
        Some("INFO" | "WARN") => {}
        other => {
            return Err(format!(
                "bad level `{}` (INFO or WARN)",
                other.unwrap_or_default()
            ));
        }
    }
    Ok(frame)
}

/// Parses `TRAP_NAME at LINE:COL` and checks that the position is inside the program.
fn parse_trap(text: &str, lines: &[&str]) -> Result<ExpectedTrap, String> {
    let (name, position) = text
        .split_once(" at ")
        .ok_or_else(|| format!("expected `TRAP_NAME at LINE:COL`, found `{text}`"))?;
    let code = TrapCode::ALL
        .iter()
        .copied()
        .find(|c| c.name() == name.trim())
        .ok_or_else(|| format!("unknown trap `{}`", name.trim()))?;
    let (line, col) = position
        .trim()
        .split_once(':')
        .ok_or_else(|| format!("expected `LINE:COL`, found `{}`", position.trim()))?;
    let parse = |s: &str| s.parse::<u32>().ok().filter(|&n| n >= 1);
    let (Some(line), Some(col)) = (parse(line), parse(col)) else {
        return Err(format!("bad position `{}`", position.trim()));
    };
    let target = lines
        .get(line as usize - 1)
        .ok_or_else(|| format!("trap line {line} is past the end of the file"))?;
    if target.trim_start().starts_with("//") {
        return Err(format!("trap line {line} is a comment"));
    }
    let width = target.trim_end_matches('\r').chars().count() as u32;
    if col > width {
        return Err(format!("trap column {col} is past the end of line {line}"));
    }
    if target
        .chars()
        .nth(col as usize - 1)
        .is_some_and(char::is_whitespace)
    {
        return Err(format!("trap position {line}:{col} is whitespace"));
    }
    Ok(ExpectedTrap { code, line, col })
}

/// The number of lines before the first annotation.
fn program_lines(source: &str) -> usize {
    source
        .lines()
        .position(|l| l.starts_with("//>") || l.starts_with("//~"))
        .unwrap_or(source.lines().count())
}

/// Every program of the suite, sorted by file name.
fn programs() -> Vec<PathBuf> {
    fixture_files(&repo_root().join("tests/conformance"), "pbs")
}

/// A program file's name must be `NNN_topic.pbs`; returns `NNN`.
fn program_number(path: &Path) -> Result<u32, String> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("file name is not UTF-8")?;
    let (number, topic) = stem
        .split_once('_')
        .ok_or("file name is not `NNN_topic.pbs`")?;
    let topic_ok = !topic.is_empty()
        && topic
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) || !topic_ok {
        return Err("file name is not `NNN_topic.pbs`".into());
    }
    Ok(number.parse().expect("three digits"))
}

/// Reads a program and its annotations, or says what is wrong with `file:line`.
fn load(path: &Path) -> Result<(String, Expected), String> {
    let source = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let expected = parse_expected(&source).map_err(|m| format!("{}: {m}", path.display()))?;
    Ok((source, expected))
}

#[test]
fn conformance_suite_is_large_and_well_annotated() {
    let paths = programs();
    assert!(
        paths.len() >= MIN_PROGRAMS,
        "the suite has {} programs, at least {MIN_PROGRAMS} are required",
        paths.len()
    );
    let mut failures = Vec::new();
    let mut numbers = BTreeSet::new();
    let mut traps = BTreeSet::new();
    let (mut multi_frame, mut init_logs) = (false, false);
    for path in &paths {
        match program_number(path) {
            Ok(n) if !numbers.insert(n) => {
                failures.push(format!("{}: number {n:03} used twice", path.display()));
            }
            Ok(_) => {}
            Err(m) => failures.push(format!("{}: {m}", path.display())),
        }
        let (source, expected) = match load(path) {
            Ok(loaded) => loaded,
            Err(m) => {
                failures.push(m);
                continue;
            }
        };
        let lines = program_lines(&source);
        if lines > MAX_PROGRAM_LINES {
            failures.push(format!(
                "{}: {lines} program lines, at most {MAX_PROGRAM_LINES}",
                path.display()
            ));
        }
        if expected.log.is_empty() && expected.trap.is_none() {
            failures.push(format!("{}: expects nothing observable", path.display()));
        }
        traps.extend(expected.trap.as_ref().map(|t| t.code));
        multi_frame |= expected.frames >= 3;
        init_logs |= expected.log.iter().any(|l| l.starts_with("0 "));
    }
    for code in REQUIRED_TRAPS {
        if !traps.contains(code) {
            failures.push(format!("no program expects {code}"));
        }
    }
    if !multi_frame {
        failures.push("no program runs three frames or more".into());
    }
    if !init_logs {
        failures.push("no program logs from `init` (frame 0)".into());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn conformance_programs_parse_without_diagnostics() {
    let mut failures = Vec::new();
    for path in programs() {
        let source = std::fs::read_to_string(&path).expect("readable program");
        let mut names = NameInterner::default();
        let parse = parse_file(FileId(0), &source, &mut names);
        for d in &parse.diagnostics {
            failures.push(format!(
                "{}: {} at bytes {}..{}: {}",
                path.display(),
                d.code,
                d.span.start,
                d.span.end,
                d.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn conformance_programs_analyse_without_diagnostics() {
    let mut failures = Vec::new();
    for path in programs() {
        let mut db = FileDb::new();
        let graph = load_loose_file(&path, &mut db);
        let analysis = analyze(&graph, &mut db, None);
        let source = std::fs::read_to_string(&path).expect("readable program");
        let index = prometeu_analysis::LineIndex::new(&source);
        for d in &analysis.diagnostics {
            let at = index
                .offset_to_line_col(d.span.start)
                .map_or((0, 0), |p| (p.line + 1, p.col + 1));
            failures.push(format!(
                "{}:{}:{}: {} {}",
                path.display(),
                at.0,
                at.1,
                d.code,
                d.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn conformance_programs_run_as_annotated() {
    let mut failures = Vec::new();
    for path in programs() {
        let (_, expected) = load(&path).unwrap_or_else(|m| panic!("{m}"));
        // Collection must be unobservable: the stress mode collects at every safepoint.
        // The register forms must be too: the plain stack code is the reference.
        for (gc_mode, register_forms) in [
            (GcMode::Incremental, true),
            (GcMode::Stress, true),
            (GcMode::Incremental, false),
        ] {
            let result = run_program(&path, expected.frames, gc_mode, register_forms)
                .and_then(|outcome| compare(&expected, &outcome));
            if let Err(report) = result {
                failures.push(format!(
                    "{} ({gc_mode:?}, register forms {register_forms}):\n{report}",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn annotations_read_frames_log_and_trap() {
    let source = "fn frame() {\n    let x = 1 / 0;\n}\n//~ frames: 2\n//> 0 INFO hi there\n\n//> 2 WARN x\n//~ trap: TRAP_DIV_ZERO at 2:13\n";
    let expected = parse_expected(source).unwrap();
    assert_eq!(
        expected,
        Expected {
            frames: 2,
            log: vec!["0 INFO hi there".into(), "2 WARN x".into()],
            trap: Some(ExpectedTrap {
                code: TrapCode::DivZero,
                line: 2,
                col: 13
            }),
        }
    );
    let defaults = parse_expected("fn frame() {}\n//> 1 INFO \n").unwrap();
    assert_eq!(defaults.frames, 1);
    assert_eq!(defaults.log, vec!["1 INFO ".to_string()]);
}

#[test]
fn malformed_annotations_name_their_line() {
    let cases = [
        ("fn frame() {}\n", "no annotations"),
        ("//> 1 INFO a\nfn frame() {}\n", "line 2: only annotations"),
        (
            "fn frame() {}\n//> x INFO a\n",
            "line 2: bad frame number `x`",
        ),
        (
            "fn frame() {}\n//> +1 INFO a\n",
            "line 2: bad frame number `+1`",
        ),
        (
            "fn frame() {}\n//> 1 DEBUG a\n",
            "line 2: bad level `DEBUG`",
        ),
        (
            "fn frame() {}\n//>1 INFO a\n",
            "line 2: expected `//> FRAME",
        ),
        (
            "fn frame() {}\n//> 2 INFO a\n//> 1 INFO b\n",
            "line 3: frame 1 after frame 2",
        ),
        (
            "fn frame() {}\n//> 2 INFO a\n",
            "frame 2 but only 1 frame(s)",
        ),
        (
            "fn frame() {}\n//~ frames: 0\n",
            "line 2: a program runs at least one",
        ),
        (
            "fn frame() {}\n//~ frames: 2\n//~ frames: 2\n",
            "line 3: `frames` given twice",
        ),
        ("fn frame() {}\n//~ bogus\n", "line 2: unknown directive"),
        (
            "fn frame() {}\n//~ trap: TRAP_NOPE at 1:1\n",
            "line 2: unknown trap",
        ),
        (
            "fn frame() {}\n//~ trap: TRAP_OOB at 9:1\n",
            "line 2: trap line 9 is past",
        ),
        (
            "fn frame() {}\n//~ trap: TRAP_OOB at 1:40\n",
            "line 2: trap column 40",
        ),
        (
            "fn frame() {}\n//~ trap: TRAP_OOB at 1:3\n",
            "position 1:3 is whitespace",
        ),
        (
            "fn frame() {}\n//~ trap: TRAP_OOB at 2:1\n",
            "trap line 2 is a comment",
        ),
        (
            "fn frame() {}\n//~ trap: TRAP_OOB 1:1\n",
            "expected `TRAP_NAME at",
        ),
        (
            "fn frame() {}\n//~ trap: TRAP_OOB at 0:1\n",
            "bad position `0:1`",
        ),
        (
            "fn frame() {}\n//~ trap: TRAP_OOB at 1:1\n//> 1 INFO a\n",
            "line 3: a log line after the trap",
        ),
        (
            "fn frame() {}\n//~ trap: TRAP_OOB at 1:1\n//~ trap: TRAP_OOB at 1:1\n",
            "line 3: a run stops at its first trap",
        ),
    ];
    for (source, message) in cases {
        let err = parse_expected(source).expect_err(source);
        assert!(
            err.contains(message),
            "{source:?}: `{err}` lacks `{message}`"
        );
    }
}

#[test]
fn program_names_are_numbered_topics() {
    assert_eq!(program_number(Path::new("a/007_int_shifts.pbs")), Ok(7));
    for bad in [
        "7_x.pbs",
        "007.pbs",
        "007_.pbs",
        "abc_x.pbs",
        "007_Upper.pbs",
    ] {
        assert!(program_number(Path::new(bad)).is_err(), "{bad}");
    }
}

#[test]
fn comparison_reports_every_difference() {
    let expected = Expected {
        frames: 2,
        log: vec!["1 INFO a".into(), "2 INFO b".into(), "2 INFO c".into()],
        trap: Some(ExpectedTrap {
            code: TrapCode::Oob,
            line: 4,
            col: 9,
        }),
    };
    let same = Outcome {
        log: expected.log.clone(),
        trap: Some(TrapOutcome {
            code: TrapCode::Oob,
            frame: 2,
            line: 4,
            col: 9,
        }),
    };
    assert_eq!(compare(&expected, &same), Ok(()));
    let wrong_frame = Outcome {
        trap: Some(TrapOutcome {
            frame: 1,
            ..same.trap.clone().unwrap()
        }),
        ..same.clone()
    };
    assert!(compare(&expected, &wrong_frame).is_err());
    let different = Outcome {
        log: vec!["1 INFO a".into(), "2 INFO x".into()],
        trap: Some(TrapOutcome {
            code: TrapCode::DeadGate,
            frame: 2,
            line: 5,
            col: 1,
        }),
    };
    insta::assert_snapshot!(
        "conformance_mismatch_report",
        compare(&expected, &different).unwrap_err()
    );
    let extra = Outcome {
        log: vec![
            "1 INFO a".into(),
            "2 INFO b".into(),
            "2 INFO c".into(),
            "2 INFO d".into(),
        ],
        trap: None,
    };
    insta::assert_snapshot!(
        "conformance_extra_line_and_missing_trap",
        compare(&expected, &extra).unwrap_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any text is either read or refused with a message; never a panic.
    #[test]
    fn annotation_parser_never_panics(body in "(fn frame\\(\\) \\{\\}|\\n|//[>~] ?|[0-9]{1,3}|:| at |INFO|WARN|TRAP_OOB|frames|trap|x| ){0,40}") {
        let _ = parse_expected(&body);
    }

    /// Well-formed log lines are read back exactly.
    #[test]
    fn log_lines_round_trip(lines in proptest::collection::vec((0u32..5, any::<bool>(), "[ -~]{0,20}"), 1..8)) {
        let mut sorted = lines.clone();
        sorted.sort_by_key(|l| l.0);
        let mut source = String::from("fn frame() {}\n//~ frames: 5\n");
        let mut want = Vec::new();
        for (frame, warn, message) in &sorted {
            let entry = format!("{frame} {} {message}", if *warn { "WARN" } else { "INFO" });
            source.push_str(&format!("//> {entry}\n"));
            want.push(entry);
        }
        let expected = parse_expected(&source).unwrap();
        prop_assert_eq!(expected.log, want);
    }
}
