//! End-to-end tests of `prometeu build`, `prometeu run --headless` and `disasm` of a
//! built program: real projects copied into temporary directories (the examples are
//! never written to), real files, exit codes and printed output.

#[path = "support/examples.rs"]
mod examples;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `prometeu ARGS` in `dir`.
fn prometeu_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(args)
        .current_dir(dir)
        .env_remove("PROMETEU_CACHE_DIR")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A temporary directory holding copies of the example projects (side by side, so
/// `town`'s `../mathlib` dependency resolves).
fn examples_copy() -> tempfile::TempDir {
    examples::copy_examples(&["hello", "bounce", "town", "mathlib"]).0
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn every_example_builds_into_the_documented_layout() {
    let dir = examples_copy();
    for name in ["hello", "bounce", "town"] {
        let out = prometeu_in(dir.path(), &["build", name, "--pack"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let files: Vec<String> = tree(&dir.path().join(name).join("build"))
            .into_keys()
            .collect();
        let mut expected = vec![
            "analysis.json".to_owned(),
            "cart/manifest.json".to_owned(),
            "cart/program.pbc".to_owned(),
            format!("{name}.pmc"),
            "symbols.json".to_owned(),
        ];
        expected.sort();
        assert_eq!(files, expected, "{name}");
    }
    let out = prometeu_in(dir.path(), &["build", "mathlib"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let files: Vec<String> = tree(&dir.path().join("mathlib/build"))
        .into_keys()
        .collect();
    assert_eq!(
        files,
        ["analysis.json", "symbols.json"],
        "a lib has no cartridge"
    );
    assert_eq!(
        text(&out.stderr),
        "built mathlib (library) → mathlib/build/symbols.json\n"
    );
}

#[test]
fn build_prints_a_summary_and_the_manifest() {
    let dir = examples_copy();
    let out = prometeu_in(dir.path(), &["build", "hello"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("build_hello_stderr", text(&out.stderr));
    let manifest =
        std::fs::read_to_string(dir.path().join("hello/build/cart/manifest.json")).unwrap();
    insta::assert_snapshot!("build_hello_manifest", manifest);
}

#[test]
fn builds_are_byte_identical_twice_and_from_another_directory() {
    let first = examples_copy();
    let second = examples_copy();
    for name in ["hello", "town"] {
        let mut trees = Vec::new();
        for (base, times) in [(first.path(), 2), (second.path(), 1)] {
            for _ in 0..times {
                let out = prometeu_in(base, &["build", name, "--pack"]);
                assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
                trees.push(tree(&base.join(name).join("build")));
            }
        }
        assert_eq!(trees[0], trees[1], "{name}: rebuilding changed the outputs");
        assert_eq!(
            trees[0], trees[2],
            "{name}: the location changed the outputs"
        );
        let pmc = &trees[0][&format!("{name}.pmc")];
        assert!(pmc.starts_with(b"PMC1"));
        for bytes in trees[0].values() {
            let shown = String::from_utf8_lossy(bytes);
            let base = first.path().to_string_lossy();
            assert!(
                !shown.contains(base.as_ref()),
                "{name}: an absolute path was written"
            );
        }
    }
}

#[test]
fn out_writes_elsewhere_and_a_failed_build_leaves_the_old_cart() {
    let dir = examples_copy();
    let out = prometeu_in(dir.path(), &["build", "hello", "--out", "elsewhere"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.path().join("elsewhere/cart/program.pbc").is_file());
    assert!(!dir.path().join("hello/build").exists());
    let before = tree(&dir.path().join("elsewhere"));

    let main = dir.path().join("hello/src/main.pbs");
    let source = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        source.replace("fn frame() {", "fn frame() { let x: int = \"no\";"),
    )
    .unwrap();
    let out = prometeu_in(dir.path(), &["build", "hello", "--out", "elsewhere"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E_TYPE_MISMATCH]"), "{stderr}");
    assert!(stderr.contains("--> src/main.pbs:"), "{stderr}");
    assert_eq!(
        tree(&dir.path().join("elsewhere")),
        before,
        "nothing written"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("elsewhere"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn examples_run_headless_for_600_frames() {
    let dir = examples_copy();
    for name in ["hello", "bounce", "town"] {
        let out = prometeu_in(dir.path(), &["run", name, "--headless", "--frames", "600"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
        insta::assert_snapshot!(
            format!("run_{name}"),
            format!("stdout:\n{}stderr:\n{stderr}", text(&out.stdout))
        );
        // Running builds the project into its build/ first.
        assert!(
            dir.path()
                .join(name)
                .join("build/cart/program.pbc")
                .is_file()
        );
    }
}

#[test]
fn every_kind_of_target_runs_the_same_program() {
    let dir = examples_copy();
    // hello draws nothing random: a bare .pbc runs with `app_id` 0, and `app_id` seeds
    // `System.random`, so a program using it would differ there.
    let out = prometeu_in(dir.path(), &["build", "hello", "--pack"]);
    assert_eq!(out.status.code(), Some(0));
    let reference = prometeu_in(
        dir.path(),
        &["run", "hello", "--headless", "--frames", "30"],
    );
    assert_eq!(reference.status.code(), Some(0));
    assert_eq!(text(&reference.stdout), "0 INFO hello, prometeu\n");
    for target in [
        "hello/build/cart",
        "hello/build/hello.pmc",
        "hello/build/cart/program.pbc",
    ] {
        let out = prometeu_in(dir.path(), &["run", target, "--headless", "--frames", "30"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{target}: {}",
            text(&out.stderr)
        );
        assert_eq!(out.stdout, reference.stdout, "{target}");
        assert_eq!(out.stderr, reference.stderr, "{target}");
    }
    // A loose file runs as a one-file app.
    std::fs::write(
        dir.path().join("solo.pbs"),
        "fn init() { Log.info(\"one\"); }\nfn frame() { if System.frame_count() == 2 { Log.warn(\"two\\nlines\"); } }\n",
    )
    .unwrap();
    let out = prometeu_in(
        dir.path(),
        &["run", "solo.pbs", "--headless", "--frames", "3"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "0 INFO one\n2 WARN two\\nlines\n");
    assert!(
        text(&out.stderr).starts_with("ran 3 frames"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn without_a_display_run_points_to_headless_before_building() {
    let dir = examples_copy();
    let out = Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(["run", "hello"])
        .current_dir(dir.path())
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot open a window (DISPLAY is not set; the window needs X11 or XWayland); run without one with `prometeu run --headless`\n"
    );
    assert!(!dir.path().join("hello/build").exists(), "nothing built");
}

#[test]
fn a_trap_prints_its_source_line_and_call_stack_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("crash.pbs"),
        "fn divide(a: int, b: int): int {\n    return a / b;\n}\n\nfn frame() {\n    Log.info(\"before\");\n    let n = divide(10, System.frame_count() - 2);\n}\n",
    )
    .unwrap();
    let out = prometeu_in(dir.path(), &["run", "crash.pbs", "--headless"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "1 INFO before\n2 INFO before\n");
    insta::assert_snapshot!("trap_report", text(&out.stderr));
}

#[test]
fn screenshot_is_a_320_by_180_png_of_the_last_frame() {
    let dir = examples_copy();
    let out = prometeu_in(
        dir.path(),
        &[
            "run",
            "hello",
            "--headless",
            "--frames",
            "5",
            "--screenshot",
            "shot.png",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let file = std::fs::File::open(dir.path().join("shot.png")).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (320, 180));
    // hello clears to rgb(20, 24, 40): not a black screen.
    assert!(pixels.iter().any(|&b| b != 0));
}

#[test]
fn audio_out_writes_a_wav_of_every_frame() {
    let dir = examples_copy();
    let out = prometeu_in(
        dir.path(),
        &[
            "run",
            "bounce",
            "--headless",
            "--frames",
            "300",
            "--audio-out",
            "run.wav",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let wav = std::fs::read(dir.path().join("run.wav")).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(&wav[8..12], b"WAVE");
    // 300 frames × 800 stereo samples × 2 channels × 2 bytes, after a 44-byte header.
    assert_eq!(wav.len(), 44 + 300 * 800 * 2 * 2);
    assert!(wav[44..].iter().any(|&b| b != 0), "bounce plays tones");
}

#[test]
fn a_recording_replays_the_same_run() {
    let dir = examples_copy();
    // Hold right for 30 frames, then right + a (faster) for 20.
    let mut script = String::from("prometeu-input 1\n");
    for _ in 0..30 {
        script.push_str("...>........\n");
    }
    for _ in 0..20 {
        script.push_str("...>a.......\n");
    }
    std::fs::write(dir.path().join("script.txt"), script).unwrap();
    let args = ["run", "hello", "--headless", "--frames", "80"];
    let idle = prometeu_in(dir.path(), &args);
    let first = prometeu_in(
        dir.path(),
        &[&args[..], &["--input", "script.txt", "--record", "rec.txt"]].concat(),
    );
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let replay = prometeu_in(dir.path(), &[&args[..], &["--input", "rec.txt"]].concat());
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay.stderr));
    assert_eq!(
        replay.stderr, first.stderr,
        "same last frame and audio hashes"
    );
    assert_ne!(first.stderr, idle.stderr, "the input moved the square");
    let recording = std::fs::read_to_string(dir.path().join("rec.txt")).unwrap();
    assert_eq!(
        recording.lines().count(),
        1 + 80,
        "a header and one line per frame"
    );
    assert_eq!(recording.lines().nth(31), Some("...>a......."));
    assert_eq!(recording.lines().nth(80), Some("............"));

    std::fs::write(dir.path().join("bad.txt"), "prometeu-input 1\nnope\n").unwrap();
    let out = prometeu_in(dir.path(), &[&args[..], &["--input", "bad.txt"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 2"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn error_paths_have_clear_messages_and_exit_codes() {
    let dir = examples_copy();
    let base = dir.path();

    let out = prometeu_in(base, &["build", "no-such-project"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `no-such-project` does not exist\n"
    );

    let out = prometeu_in(base, &["run", "no-such.pmc", "--headless"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "error: `no-such.pmc` does not exist\n");

    let out = prometeu_in(
        base,
        &["run", "hello", "--headless", "--input", "missing.txt"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read `missing.txt`"));

    // A broken manifest: the project's own error, exit 1.
    std::fs::write(base.join("hello/prometeu.json"), "{ \"name\": \"hello\", ").unwrap();
    let out = prometeu_in(base, &["build", "hello"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("error[E_PROJECT_MANIFEST]"),
        "{}",
        text(&out.stderr)
    );
    assert!(!base.join("hello/build").exists());

    // A library does not run.
    let out = prometeu_in(base, &["run", "mathlib", "--headless"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is a library: only apps run"),
        "{}",
        text(&out.stderr)
    );

    // A directory in no project and not a cartridge: the same answer from every
    // command, with a way out, and no snippet of a manifest that does not exist.
    std::fs::create_dir_all(base.join("empty")).unwrap();
    for command in [
        &["check", "empty"][..],
        &["build", "empty"],
        &["run", "empty", "--headless"],
    ] {
        let out = prometeu_in(base, command);
        assert_eq!(out.status.code(), Some(2), "{command:?}");
        assert_eq!(
            text(&out.stderr),
            "error: `empty` is not in a project: there is no prometeu.json in it or in any directory above it\n  \
             help: `prometeu new empty` makes it a project that builds and runs as it is\n",
            "{command:?}"
        );
    }

    // A file that is not a cartridge at all.
    std::fs::write(base.join("junk.pmc"), b"garbage").unwrap();
    let out = prometeu_in(base, &["run", "junk.pmc", "--headless"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("junk.pmc: not a cartridge"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_cartridge_that_fails_verification_is_refused() {
    let dir = examples_copy();
    let out = prometeu_in(dir.path(), &["build", "bounce"]);
    assert_eq!(out.status.code(), Some(0));
    examples::copy_dir(
        &dir.path().join("bounce/build/cart"),
        &dir.path().join("broken"),
    );
    let program = dir.path().join("broken/program.pbc");
    let bytes = std::fs::read(&program).unwrap();
    // Replace the body of the program with junk of the same size; headers stay readable
    // only partly, so the reader or the verifier refuses it.
    let mut corrupted = bytes.clone();
    for b in corrupted
        .iter_mut()
        .skip(bytes.len() / 3)
        .take(bytes.len() / 3)
    {
        *b = 0xFF;
    }
    std::fs::write(&program, corrupted).unwrap();
    let out = prometeu_in(dir.path(), &["run", "broken", "--headless"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: broken/program.pbc: "),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn assets_are_copied_and_sprite_pngs_become_numbered_banks() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("art");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::create_dir_all(project.join("assets/sprites/raw")).unwrap();
    std::fs::create_dir_all(project.join("assets/data")).unwrap();
    std::fs::write(
        project.join("prometeu.json"),
        "{ \"name\": \"art\", \"version\": \"1.0.0\" }\n",
    )
    .unwrap();
    std::fs::write(
        project.join("src/main.pbs"),
        "fn frame() { Gfx.sprite(1, 0, 10, 10, false, false); }\n",
    )
    .unwrap();
    write_png(&project.join("assets/sprites/b_hero_8.png"), 16, 8);
    write_png(&project.join("assets/sprites/a_tiles.png"), 32, 16);
    std::fs::write(project.join("assets/sprites/raw/notes.txt"), "kept as is").unwrap();
    std::fs::write(project.join("assets/data/level.txt"), "1 2 3").unwrap();

    let out = prometeu_in(dir.path(), &["build", "art", "--pack"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let files = tree(&project.join("build/cart"));
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "assets/data/level.txt",
            "assets/sprites/00.bank",
            "assets/sprites/01.bank",
            "assets/sprites/raw/notes.txt",
            "manifest.json",
            "program.pbc"
        ]
    );
    assert_eq!(files["assets/data/level.txt"], b"1 2 3");
    assert!(files["assets/sprites/00.bank"].starts_with(b"PSB1"));
    // a_tiles (16-pixel tiles, 2 of them) is bank 00; b_hero_8 (8-pixel, 2) is bank 01.
    assert_ne!(
        files["assets/sprites/00.bank"],
        files["assets/sprites/01.bank"]
    );
    let out = prometeu_in(
        dir.path(),
        &["run", "art/build/art.pmc", "--headless", "--frames", "2"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    std::fs::write(project.join("assets/sprites/c.png"), b"not a png").unwrap();
    let out = prometeu_in(dir.path(), &["build", "art"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: assets/sprites/c.png: "),
        "{}",
        text(&out.stderr)
    );
}

/// Writes an RGBA PNG of `w`×`h` with a pattern that differs per pixel.
fn write_png(path: &Path, w: u32, h: u32) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i * 7) as u8, (i * 13) as u8, (w * 5) as u8, 255])
        .collect();
    writer.write_image_data(&data).unwrap();
}

#[test]
fn disasm_of_a_built_program_shows_source_lines() {
    let dir = examples_copy();
    let out = prometeu_in(dir.path(), &["build", "hello"]);
    assert_eq!(out.status.code(), Some(0));
    let out = prometeu_in(
        &dir.path().join("hello"),
        &["disasm", "build/cart/program.pbc"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(
        listing.contains("; src/main.pbs:31: Log.info(\"hello, prometeu\");"),
        "{listing}"
    );
    insta::assert_snapshot!("disasm_hello_with_sources", listing);

    // From elsewhere, the project of the program is found, or `--source-root` says
    // where the sources are; a program out of every project shows byte ranges.
    let found = prometeu_in(dir.path(), &["disasm", "hello/build/cart/program.pbc"]);
    assert_eq!(found.stdout, out.stdout);
    let with_root = prometeu_in(
        dir.path(),
        &[
            "disasm",
            "hello/build/cart/program.pbc",
            "--source-root",
            "hello",
        ],
    );
    assert_eq!(with_root.stdout, out.stdout);
    std::fs::copy(
        dir.path().join("hello/build/cart/program.pbc"),
        dir.path().join("loose.pbc"),
    )
    .unwrap();
    let without = prometeu_in(dir.path(), &["disasm", "loose.pbc"]);
    assert!(text(&without.stdout).contains("; src/main.pbs @"));
}

#[test]
fn a_new_project_builds_and_runs_as_is() {
    let dir = tempfile::tempdir().unwrap();
    for (name, flags) in [("game", &[][..]), ("kit", &["--lib"][..])] {
        let out = prometeu_in(dir.path(), &[&["new", name][..], flags].concat());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let out = prometeu_in(dir.path(), &["build", name]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
    }
    let out = prometeu_in(dir.path(), &["run", "game", "--headless", "--frames", "60"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_frame_that_never_ends_is_stopped_and_gc_stats_print() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("spin.pbs"),
        "fn frame() {\n    let mut i = 0;\n    while true { i += 1; }\n}\n",
    )
    .unwrap();
    let out = prometeu_in(dir.path(), &["run", "spin.pbs", "--headless", "--gc-stats"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "error: frame 1 ran for 300 ticks (5 seconds of console time) without finishing; stopped at spin.pbs:3:"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("gc: 0 cycles"), "{stderr}");
}

#[test]
fn an_explicit_frame_count_lets_a_long_frame_finish() {
    let dir = tempfile::tempdir().unwrap();
    // About 400 ticks of work in one logical frame: past the default run's stall guard.
    std::fs::write(
        dir.path().join("long.pbs"),
        "fn frame() {\n    let mut i = 0;\n    while i < 80000000 { i += 1; }\n    Log.info(i as string);\n}\n",
    )
    .unwrap();
    let out = prometeu_in(
        dir.path(),
        &["run", "long.pbs", "--headless", "--frames", "1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "1 INFO 80000000\n");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("warning: frame 1 has run for 300 ticks (5 seconds of console time) and is still running at long.pbs:3:"),
        "{stderr}"
    );
    assert!(stderr.contains("\nran 1 frame (last frame "), "{stderr}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Whatever bytes a cartridge file holds, `run` refuses or runs it: exit 0 or 1 with
    /// a message, never a crash.
    #[test]
    fn damaged_cartridge_files_are_refused_cleanly(
        magic in proptest::sample::select(vec![&b"PMC1"[..], &b"PBC\0"[..], &b""[..]]),
        body in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(&body);
        std::fs::write(dir.path().join("x.pmc"), &bytes).unwrap();
        let out = prometeu_in(dir.path(), &["run", "x.pmc", "--headless", "--frames", "2"]);
        let code = out.status.code();
        proptest::prop_assert!(code == Some(0) || code == Some(1), "{code:?}: {}", text(&out.stderr));
        if code == Some(1) {
            proptest::prop_assert!(text(&out.stderr).starts_with("error: x.pmc"), "{}", text(&out.stderr));
        }
    }
}

#[test]
fn town_cannot_reach_into_its_dependency_past_the_visibility_rules() {
    // `square` is `mod` in mathlib's easing module: usable there (`ease_in` calls it),
    // invisible to town. The build stops with the resolver's error and writes nothing.
    let dir = examples_copy();
    let main = dir.path().join("town/src/main.pbs");
    let source = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        source.replace(
            "import { ease_in_out as ease } from \"@math/easing\";",
            "import { ease_in_out as ease, square } from \"@math/easing\";",
        ),
    )
    .unwrap();
    let out = prometeu_in(dir.path(), &["build", "town"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E_RESOLVE_NOT_VISIBLE]"), "{stderr}");
    assert!(!dir.path().join("town/build").exists());
}

/// Runs `prometeu ARGS` in `dir` with `PROMETEU_CACHE_DIR` set to `cache`.
fn prometeu_with_cache(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(args)
        .current_dir(dir)
        .env("PROMETEU_CACHE_DIR", cache)
        .output()
        .expect("the binary runs")
}

/// A program that never finishes its first frame, inside a function that is not
/// inlined (its division could trap), so the call stack has two entries.
const SPIN: &str = "fn spin(n: int): int {\n    let mut i = 0;\n    while i >= 0 { i = (i + 100 / n) % 1000; }\n    return i;\n}\n\nfn frame() {\n    Log.info((spin(1)) as string);\n}\n";

#[cfg(unix)]
#[test]
fn a_long_frame_warns_once_with_its_location_and_ctrl_c_stops_the_run() {
    use std::io::{BufRead, BufReader, Read};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spin.pbs"), SPIN).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_prometeu"))
        .args(["run", "spin.pbs", "--headless", "--frames", "120"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    // A watchdog, so a regression fails the test instead of hanging it.
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .is_err()
        {
            // SAFETY: sending a signal to our own child process.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    // The warning comes after 300 ticks of the first frame, then the run goes on.
    let mut warning = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        warning.push_str(&line);
        if line.starts_with("  1: ") {
            break;
        }
    }
    insta::assert_snapshot!("long_frame_warning", warning);
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let _ = done.send(());
    watchdog.join().unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(
        rest.starts_with("interrupted (Ctrl-C) in frame 1 at spin.pbs:3:"),
        "{rest}"
    );
    assert!(rest.contains("\n3 |     while i >= 0"), "{rest}");
    assert!(
        rest.contains("call stack (innermost first):\n  0: spin at spin.pbs:3:"),
        "{rest}"
    );
    assert!(rest.ends_with("\n  1: frame at spin.pbs:8:15\n"), "{rest}");
    assert!(!rest.contains("warning"), "one warning only: {rest}");
}

#[test]
fn the_default_runs_stall_error_names_the_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spin.pbs"), SPIN).unwrap();
    let out = prometeu_in(dir.path(), &["run", "spin.pbs", "--headless"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("stall_error", text(&out.stderr));
}

#[test]
fn a_deep_recursion_prints_a_folded_call_stack() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.pbs"),
        "fn depth(n: int): int { return depth(n + 1) + 1; }\n\nfn frame() {\n    Log.info(depth(0) as string);\n}\n",
    )
    .unwrap();
    let out = prometeu_in(dir.path(), &["run", "t.pbs", "--headless"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.lines().count() < 20, "{stderr}");
    insta::assert_snapshot!("deep_recursion_trap", stderr);
}

/// An app `game` whose dependency `util` (a library) divides by zero; `dependency` is
/// the entry of `game`'s manifest.
fn app_with_a_trapping_dependency(base: &Path, util_dir: &Path, dependency: &str) {
    std::fs::create_dir_all(util_dir.join("src")).unwrap();
    std::fs::write(
        util_dir.join("prometeu.json"),
        "{ \"name\": \"util\", \"version\": \"1.0.0\", \"kind\": \"lib\" }\n",
    )
    .unwrap();
    std::fs::write(
        util_dir.join("src/lib.pbs"),
        "pub fn ratio(a: int, b: int): int {\n    return a / b;\n}\n",
    )
    .unwrap();
    std::fs::create_dir_all(base.join("game/src")).unwrap();
    std::fs::write(
        base.join("game/prometeu.json"),
        format!(
            "{{ \"name\": \"game\", \"version\": \"1.0.0\", \"dependencies\": {{ \"util\": {dependency} }} }}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        base.join("game/src/main.pbs"),
        "import { ratio } from \"@util\";\n\nfn frame() {\n    Log.info(ratio(1, System.frame_count() - 1) as string);\n}\n",
    )
    .unwrap();
}

#[test]
fn trap_reports_of_prebuilt_cartridges_find_dependency_sources() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    app_with_a_trapping_dependency(base, &base.join("util"), r#"{ "path": "../util" }"#);
    let out = prometeu_in(base, &["build", "game", "--pack"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // From outside the project (its sources are found from the cartridge's place) …
    let out = prometeu_in(base, &["run", "game/build/game.pmc", "--headless"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    insta::assert_snapshot!("dependency_trap", stderr);
    // … and from a subdirectory of it.
    let out = prometeu_in(
        &base.join("game/src"),
        &["run", "../build/cart", "--headless"],
    );
    assert_eq!(text(&out.stderr), stderr);
}

#[test]
fn git_dependency_sources_are_found_in_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("work");
    let cache = dir.path().join("cache");
    let url = "file:///nowhere/util.git";
    // A checkout already in the cache is used as is: git never runs.
    let checkout = cache.join(prometeu_git::checkout_dir_name(url, None));
    app_with_a_trapping_dependency(&base, &checkout, &format!("{{ \"git\": \"{url}\" }}"));
    let out = prometeu_with_cache(&base, &cache, &["build", "game", "--pack"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = prometeu_with_cache(&base, &cache, &["run", "game/build/game.pmc", "--headless"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "trap TRAP_DIV_ZERO at @util/src/lib.pbs:2:12 in frame 1\n  |\n2 |     return a / b;"
        ),
        "{stderr}"
    );
    let out = prometeu_with_cache(&base, &cache, &["disasm", "game/build/game.pmc"]);
    assert!(
        text(&out.stdout).contains("; @util/src/lib.pbs:2: return a / b;"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn disasm_reads_packed_cartridges_and_names_system_calls() {
    let dir = examples_copy();
    let out = prometeu_in(dir.path(), &["build", "town", "--pack"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).ends_with(", packed as town/build/town.pmc\n"),
        "{}",
        text(&out.stderr)
    );
    let packed = prometeu_in(dir.path(), &["disasm", "town/build/town.pmc"]);
    assert_eq!(packed.status.code(), Some(0), "{}", text(&packed.stderr));
    let listing = text(&packed.stdout);
    for expected in [
        "    SYSCALL Gfx.clear               ; ",
        "; @math/src/easing/curves.pbs:3: if t < 0.5 { return 2.0 * t * t; }",
        "; src/main.pbs:",
    ] {
        assert!(listing.contains(expected), "{expected}\n{listing}");
    }
    assert!(!listing.contains("SYSCALL 0x"), "{listing}");
    // The cartridge directory and the program inside it give the same listing, from
    // anywhere in the project.
    for (cwd, file) in [
        (dir.path().to_path_buf(), "town/build/cart"),
        (dir.path().join("town/src"), "../build/cart/program.pbc"),
    ] {
        let out = prometeu_in(&cwd, &["disasm", file]);
        assert_eq!(text(&out.stdout), listing, "{file}");
    }
}
