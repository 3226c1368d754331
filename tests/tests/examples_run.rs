//! The example apps, end to end through the library crates: each project (with its
//! dependencies) analyses clean, compiles, loads as a cartridge and runs 600 frames on
//! the real kernel without a trap. The log and the frame hashes at frames 1, 60 and 600
//! are pinned by snapshots, under both collector modes (collection is unobservable).
//!
//! `town` depends on `mathlib` through a path dependency: it only runs because the
//! dependency's exported items resolve, compile and link into one program.

use std::collections::BTreeMap;
use std::fmt::Write;

use prometeu_abi::Manifest;
use prometeu_analysis::project::{ProjectKind, load_project};
use prometeu_analysis::{FileDb, analyze};
use prometeu_compiler::compile;
use prometeu_kernel::{Cartridge, HeadlessHost, Kernel, KernelConfig, Tick};
use prometeu_tests::repo_root;
use prometeu_vm::{GcMode, VmConfig};

/// Frames each example runs.
const FRAMES: u64 = 600;

/// Frames whose hash is pinned.
const HASHED_FRAMES: [u64; 3] = [1, 60, 600];

/// Builds the example in memory and runs it; returns the report to snapshot.
fn run_example(name: &str, gc_mode: GcMode) -> String {
    let dir = repo_root().join("examples").join(name);
    let mut db = FileDb::new();
    let graph = load_project(&dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    assert!(
        analysis.diagnostics.is_empty(),
        "{name}: {:#?}",
        analysis.diagnostics
    );
    let root = &graph.projects[0];
    assert_eq!(root.kind, ProjectKind::App, "{name}");
    let compiled = compile(&analysis, &graph).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let manifest = Manifest::new_game(root.app_id, &root.title, &root.version);
    let cartridge = Cartridge::new(manifest, compiled.program, Vec::new(), BTreeMap::new())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let config = KernelConfig {
        vm: VmConfig {
            gc_mode,
            ..VmConfig::default()
        },
        ..KernelConfig::default()
    };
    let mut kernel = Kernel::with_config(cartridge, HeadlessHost::new(), config)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let summary = kernel.run_frames(FRAMES, FRAMES * 10);
    if let Some(trap) = kernel.trap() {
        panic!("{name} trapped:\n{trap}");
    }
    assert_eq!(summary.frames, FRAMES, "{name}: {summary:?}");
    assert_eq!(summary.last, Some(Tick::Presented(FRAMES)), "{name}");
    let host = kernel.into_host();
    let mut report = String::new();
    for frame in HASHED_FRAMES {
        let hash = host
            .frame_hashes
            .iter()
            .find(|(f, _)| *f == frame)
            .map(|(_, h)| *h)
            .unwrap_or_else(|| panic!("{name}: frame {frame} was not presented"));
        let _ = writeln!(report, "frame {frame}: {hash:016x}");
    }
    let _ = writeln!(
        report,
        "audio: {:016x} ({} frames)",
        host.audio_hash, host.audio_frames
    );
    report.push_str("log:\n");
    for line in &host.log {
        let _ = writeln!(report, "{line}");
    }
    report
}

fn check_example(name: &str) {
    let incremental = run_example(name, GcMode::Incremental);
    let stress = run_example(name, GcMode::Stress);
    assert_eq!(
        incremental, stress,
        "{name}: the collector mode changed the run"
    );
    insta::assert_snapshot!(format!("example_run_{name}"), incremental);
}

#[test]
fn hello_runs_600_frames() {
    check_example("hello");
}

#[test]
fn bounce_runs_600_frames() {
    check_example("bounce");
}

#[test]
fn town_runs_600_frames_with_its_dependency() {
    check_example("town");
}

#[test]
fn hashes_differ_between_frames_of_a_moving_example() {
    // Guards the snapshots against a host that hashes a constant: bounce animates.
    let report = run_example("bounce", GcMode::Incremental);
    let hashes: Vec<&str> = report.lines().take(3).collect();
    assert_ne!(hashes[0], hashes[1]);
    assert_ne!(hashes[1], hashes[2]);
}
