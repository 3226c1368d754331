//! The one frame driver (`prometeu_kernel::driver`), the cycle profiler and
//! `Kernel::restart`, on hand-assembled cartridges.

use crate::carts;

use prometeu_kernel::driver::{
    DriverConfig, Ended, FrameDriver, LONG_FRAME_TICKS, LongFrame, Step,
};
use prometeu_kernel::host::HeadlessHost;
use prometeu_kernel::kernel::{Kernel, KernelConfig};
use prometeu_kernel::profile::Profiler;

/// A frame that never returns.
const SPIN_FOREVER: &str = r#"
.func frame
spin:
    JMP spin
.export frame frame
"#;

/// Logs the frame number, after a loop of `n` iterations in a helper.
const COUNT: &str = r#"
.syscall 0x0010 args=0 rets=1   ; System.frame_count
.syscall 0x5001 args=1 rets=0   ; Log.info
.func busy params=(i32) locals=1
    PUSH_I32 0
    SET_LOCAL 1
loop:
    GET_LOCAL 1
    PUSH_I32 1
    I_ADD
    DUP
    SET_LOCAL 1
    GET_LOCAL 0
    I_LT
    JMP_IF_TRUE loop
    RET
.func frame
    PUSH_I32 300000
    CALL busy
    SYSCALL 0x0010
    I2S
    SYSCALL 0x5001
    RET
.export frame frame
"#;

fn kernel(asm: &str) -> Kernel<HeadlessHost> {
    Kernel::new(carts::cartridge(asm, Vec::new()), HeadlessHost::new()).unwrap()
}

fn config(frames: Option<u64>, long_frame: LongFrame) -> DriverConfig {
    DriverConfig {
        frames,
        max_ticks: None,
        long_frame,
    }
}

#[test]
fn a_frame_that_never_ends_stops_a_default_run_after_the_long_frame_ticks() {
    let mut k = kernel(SPIN_FOREVER);
    let mut driver = FrameDriver::new(config(Some(600), LongFrame::Stop));
    let ended = driver.run(&mut k, |_, _| true, |_, _| panic!("no warning under Stop"));
    assert_eq!(ended, Some(Ended::Stalled(1)));
    // The initialisation tick, then the long frame's ticks.
    assert_eq!(driver.ticks(), 1 + LONG_FRAME_TICKS);
    assert_eq!(
        driver.step(&mut k),
        Step::Ended(Ended::Stalled(1)),
        "over stays over"
    );
}

#[test]
fn under_warn_a_long_frame_is_reported_once_and_the_run_goes_on() {
    let mut k = kernel(SPIN_FOREVER);
    let mut driver = FrameDriver::new(DriverConfig {
        max_ticks: Some(3 * LONG_FRAME_TICKS),
        ..config(Some(1), LongFrame::Warn)
    });
    let mut warnings = Vec::new();
    let ended = driver.run(&mut k, |_, _| true, |_, frame| warnings.push(frame));
    assert_eq!(warnings, [1]);
    assert_eq!(ended, Some(Ended::TickLimit));
}

#[test]
fn the_driver_counts_presented_frames_and_can_be_stopped_between_ticks() {
    let mut k = kernel(COUNT);
    let mut driver = FrameDriver::new(config(Some(5), LongFrame::Stop));
    assert_eq!(
        driver.run(&mut k, |_, _| true, |_, _| {}),
        Some(Ended::Done)
    );
    assert_eq!(driver.presented(), 5);
    assert_eq!(k.host().log.last().map(String::as_str), Some("5 INFO 5"));
    // `between` returning false stops the run before the next tick.
    let mut driver = FrameDriver::new(config(None, LongFrame::Warn));
    let stopped = driver.run(&mut k, |_, d| d.presented() < 2, |_, _| {});
    assert_eq!(stopped, None);
    assert_eq!(k.host().log.last().map(String::as_str), Some("7 INFO 7"));
}

#[test]
fn the_profile_adds_up_to_the_run_and_changes_nothing_else() {
    let mut plain = kernel(COUNT);
    plain.run_frames(4, 100);
    let mut profiled = kernel(COUNT);
    profiled.set_profiler(Profiler::new());
    profiled.run_frames(4, 100);
    assert_eq!(profiled.host().log, plain.host().log);
    assert_eq!(profiled.host().frame_hashes, plain.host().frame_hashes);
    assert_eq!(profiled.vm().cycles(), plain.vm().cycles());
    let profile = profiled.take_profile().unwrap();
    assert_eq!(profile.total_cycles(), plain.vm().cycles());
    // Without a debug map functions are named by index: `busy` is 0, `frame` 1.
    let functions = profile.functions();
    assert_eq!(functions[0].name, "fn#0");
    assert!(functions[0].self_cycles * 100 > profile.total_cycles() * 99);
    assert!(profile.collapsed().contains("fn#1;fn#0 "));
    // Calls are counted, not sampled: `frame` was entered once per frame, and called
    // `busy` once each time.
    let frames = plain.host().log.len() as u64;
    assert_eq!(frames, 4);
    let calls: Vec<(&str, u64)> = functions.iter().map(|f| (&*f.name, f.calls)).collect();
    assert_eq!(calls, [("fn#0", frames), ("fn#1", frames)]);
    assert!(
        profile
            .table(20)
            .lines()
            .next()
            .unwrap()
            .ends_with(" calls")
    );
    assert_eq!(profile.to_json()["functions"][0]["calls"], frames);
}

/// `frame` calls `tiny` 250 times (a few cycles each, far less than a sampling slice).
const CALLS: &str = r#"
.func tiny params=(i32) returns=(i32) locals=0
    GET_LOCAL 0
    RET
.func frame locals=1
    PUSH_I32 250
    SET_LOCAL 0
loop:
    GET_LOCAL 0
    CALL tiny
    PUSH_I32 1
    I_SUB
    DUP
    SET_LOCAL 0
    PUSH_I32 0
    I_GT
    JMP_IF_TRUE loop
    RET
.export frame frame
"#;

#[test]
fn the_profile_counts_every_call_exactly_even_across_a_restart() {
    let mut k = kernel(CALLS);
    k.set_profiler(Profiler::new());
    k.run_frames(3, 100);
    k.restart(carts::cartridge(CALLS, Vec::new())).unwrap();
    k.run_frames(2, 100);
    let profile = k.take_profile().unwrap();
    let calls: Vec<(&str, u64)> = profile
        .calls
        .iter()
        .map(|c| (c.name.as_str(), c.calls))
        .collect();
    assert_eq!(calls, [("fn#0", 5 * 250), ("fn#1", 5)]);
    let tiny = profile.functions().into_iter().find(|f| f.name == "fn#0");
    assert_eq!(tiny.map(|f| f.calls), Some(1250));
    // Without a profiler nothing is counted.
    let mut plain = kernel(CALLS);
    plain.run_frames(3, 100);
    assert!(plain.vm().call_counts().is_empty());
}

#[test]
fn restart_swaps_the_cartridge_on_the_same_host() {
    let mut k = Kernel::with_config(
        carts::cartridge(COUNT, Vec::new()),
        HeadlessHost::new(),
        KernelConfig::default(),
    )
    .unwrap();
    k.run_frames(3, 100);
    k.restart(carts::cartridge(COUNT, Vec::new())).unwrap();
    assert_eq!(k.frame(), 0);
    k.run_frames(2, 100);
    let log: Vec<&str> = k.host().log.iter().map(String::as_str).collect();
    assert_eq!(
        log,
        ["1 INFO 1", "2 INFO 2", "3 INFO 3", "1 INFO 1", "2 INFO 2"]
    );
}
