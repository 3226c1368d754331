//! Collector pauses (issue 5's target: with 1 million live small objects and 100,000
//! allocations per frame, the longest GC pause on the VM thread below 1 ms, measured per
//! frame over 1,000 frames).
//!
//! * The workload: a heap of 1 million live small objects, and a `frame()` that
//!   allocates 100,000 objects (every 100th replaces a live one, exercising the write
//!   barrier). Prints the longest pause per frame as p50 / p99 / max, both in wall
//!   time and in the VM thread's CPU time: a pause whose wall time is far above its CPU
//!   time was preempted, not working.
//! * The other pauses on the VM thread: the root snapshot at a cycle's start with a
//!   full value stack of handles, and list growth (the copy when a list's storage
//!   doubles).
//!
//! `cargo bench -p prometeu-vm --bench gc` runs 1,000 frames; set `PROMETEU_GC_FRAMES`
//! to change that. The heap budget is raised to 512 MiB: a million 40-byte refs do not
//! fit the console's 16 MiB, which is the point of the stress.

use std::time::{Duration, Instant};

use prometeu_bytecode::{Program, assemble, verify_program};
use prometeu_vm::{GcPause, NoSyscalls, RunOutcome, STACK_LIMIT, Slot, Vm, VmConfig};

const PROGRAM: &str = "
.layout ref (i32)
.layout list (ref0)
.global ref1
.global i32 0
.func init locals=1
    LIST_NEW 1
    SET_GLOBAL 0
    PUSH_I32 0
    SET_LOCAL 0
loop:
    GET_LOCAL 0
    PUSH_I32 1000000
    I_GE
    JMP_IF_TRUE done
    GET_GLOBAL 0
    GET_LOCAL 0
    ALLOC 0
    LIST_PUSH 1
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP loop
done:
    RET
.func frame locals=1
    PUSH_I32 0
    SET_LOCAL 0
loop:
    GET_LOCAL 0
    PUSH_I32 100000
    I_GE
    JMP_IF_TRUE done
    GET_LOCAL 0
    PUSH_I32 100
    I_REM
    PUSH_I32 0
    I_EQ
    JMP_IF_TRUE replace
    GET_LOCAL 0
    ALLOC 0
    POP
    JMP next
replace:
    GET_GLOBAL 0
    GET_GLOBAL 1
    PUSH_I32 7919
    I_ADD
    PUSH_I32 1000000
    I_REM
    DUP
    SET_GLOBAL 1
    GET_LOCAL 0
    ALLOC 0
    LIST_SET 1
next:
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP loop
done:
    FRAME_SYNC
    RET
.export init init
.export frame frame
";

fn run_to_end(vm: &mut Vm) {
    loop {
        match vm.run(u64::MAX, &mut NoSyscalls) {
            RunOutcome::Returned(_) => return,
            RunOutcome::FrameSync => {}
            other => panic!("{other:?}"),
        }
    }
}

fn load(program: &Program, config: VmConfig) -> Vm {
    let verified = verify_program(program, &NoSyscalls).expect("verifies");
    Vm::new(&verified, config).expect("loads")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// `p50 …, p99 …, max …` of `values` (sorted here).
fn distribution(mut values: Vec<Duration>) -> String {
    values.sort();
    format!(
        "p50 {:?}, p99 {:?}, max {:?}",
        percentile(&values, 0.5),
        percentile(&values, 0.99),
        values[values.len() - 1]
    )
}

/// Involuntary context switches of the calling thread so far (the OS preempted it),
/// where `getrusage(RUSAGE_THREAD)` exists.
#[allow(unsafe_code)]
fn preemptions() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `getrusage` only writes the `rusage` it is given, which is valid,
        // writable and zero-initialisable (plain integers).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
        (r == 0).then(|| u64::try_from(usage.ru_nivcsw).unwrap_or(0))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn config() -> VmConfig {
    VmConfig {
        heap_budget: 512 * 1024 * 1024,
        background_release: std::env::var("PROMETEU_GC_BG").map_or(true, |v| v != "0"),
        gc_cpu_timing: true,
        ..VmConfig::default()
    }
}

/// The workload: per-frame longest pauses over `frames` frames.
fn frames_workload(frames: usize) {
    let mut vm = load(&assemble(PROGRAM).expect("assembles"), config());
    let start = Instant::now();
    vm.call_export("init", &[]).unwrap();
    run_to_end(&mut vm);
    println!(
        "init: 1,000,000 live objects in {:?}, heap {} bytes, {} objects",
        start.elapsed(),
        vm.heap_used(),
        vm.heap_objects()
    );
    vm.take_max_gc_pauses();
    let mut pauses: Vec<GcPause> = Vec::with_capacity(frames);
    let mut frame_times = Vec::with_capacity(frames);
    let mut frame_gc = Vec::with_capacity(frames);
    let mut frame_preemptions = Vec::with_capacity(frames);
    let before = vm.gc_stats();
    for _ in 0..frames {
        let t = Instant::now();
        let gc_before = vm.gc_stats().total_pause;
        let preempted_before = preemptions();
        vm.call_export("frame", &[]).unwrap();
        run_to_end(&mut vm);
        frame_times.push(t.elapsed());
        frame_preemptions.push(preemptions().zip(preempted_before).map(|(a, b)| a - b));
        frame_gc.push(vm.gc_stats().total_pause - gc_before);
        pauses.push(vm.take_max_gc_pauses());
    }
    let after = vm.gc_stats();
    let over = |f: fn(&GcPause) -> Duration| {
        pauses
            .iter()
            .filter(|p| f(p) >= Duration::from_millis(1))
            .count()
    };
    println!(
        "{frames} frames × 100,000 allocations, longest GC pause per frame:\n  wall {}\n  CPU  {}\n  frames with a pause ≥ 1 ms: {} by wall, {} by CPU",
        distribution(pauses.iter().map(|p| p.wall).collect()),
        distribution(pauses.iter().map(|p| p.cpu).collect()),
        over(|p| p.wall),
        over(|p| p.cpu),
    );
    let long: Vec<usize> = (0..frames)
        .filter(|&i| pauses[i].wall >= Duration::from_millis(1))
        .collect();
    let long_preempted = long
        .iter()
        .filter(|&&i| frame_preemptions[i].is_some_and(|n| n > 0))
        .count();
    println!(
        "  the VM thread was preempted by the OS in {} of {frames} frames, and in {long_preempted} of the {} frames with a wall pause ≥ 1 ms",
        frame_preemptions
            .iter()
            .filter(|n| n.is_some_and(|n| n > 0))
            .count(),
        long.len()
    );
    let by_wall: fn(&GcPause) -> Duration = |p| p.wall;
    let by_cpu: fn(&GcPause) -> Duration = |p| p.cpu;
    for (what, by) in [("wall", by_wall), ("CPU", by_cpu)] {
        let mut worst: Vec<(Duration, usize)> = pauses.iter().map(by).zip(0..).collect();
        worst.sort();
        let shown: Vec<String> = worst
            .iter()
            .rev()
            .take(3)
            .map(|&(_, i)| {
                format!(
                    "frame {i} (wall {:?}, CPU {:?})",
                    pauses[i].wall, pauses[i].cpu
                )
            })
            .collect();
        println!("  longest by {what}: {}", shown.join(", "));
    }
    let work = after.work - before.work;
    let cpu = after.total_pause_cpu - before.total_pause_cpu;
    println!(
        "GC per frame (sum of slices): {}; slices {}, time-capped {}, cycles {}, full collections {}, freed {}",
        distribution(frame_gc),
        after.slices - before.slices,
        after.time_capped_slices - before.time_capped_slices,
        after.cycles - before.cycles,
        after.full_collections - before.full_collections,
        after.freed - before.freed,
    );
    println!(
        "work {work} units, {:.1} ns CPU per unit on average; largest slice {} units",
        cpu.as_nanos() as f64 / work.max(1) as f64,
        after.max_slice_work,
    );
    println!(
        "frame wall time {}; heap after: {} bytes, {} objects",
        distribution(frame_times),
        vm.heap_used(),
        vm.heap_objects()
    );
}

/// Handle-holding locals per frame of `rec` in [`deep_stack_program`].
const HANDLES_PER_FRAME: usize = 8;

/// `fill` recurses `depth` times; each frame holds [`HANDLES_PER_FRAME`] handles to
/// objects of its own, and the innermost stops at `FRAME_SYNC` with all of them live.
fn deep_stack_program(depth: usize) -> String {
    let mut allocs = String::new();
    for i in 1..=HANDLES_PER_FRAME {
        allocs.push_str(&format!(
            "    PUSH_I32 {i}\n    ALLOC 0\n    SET_LOCAL {i}\n"
        ));
    }
    format!(
        "
.layout ref (i32)
.func fill
    PUSH_I32 {depth}
    CALL rec
    RET
.func rec params=(i32) locals={HANDLES_PER_FRAME}
{allocs}    GET_LOCAL 0
    PUSH_I32 0
    I_LE
    JMP_IF_TRUE bottom
    GET_LOCAL 0
    PUSH_I32 1
    I_SUB
    CALL rec
    RET
bottom:
    FRAME_SYNC
    RET
.export fill fill
"
    )
}

/// The root snapshot at a cycle's start with the value stack (nearly) full of handles.
fn root_snapshot() {
    // Each frame takes 1 parameter + the locals; leave room for operands.
    let depth = (STACK_LIMIT - 64) / (1 + HANDLES_PER_FRAME);
    let config = VmConfig {
        max_call_depth: depth + 8,
        ..config()
    };
    let mut vm = load(&assemble(&deep_stack_program(depth)).unwrap(), config);
    vm.call_export("fill", &[]).unwrap();
    assert_eq!(vm.run(u64::MAX, &mut NoSyscalls), RunOutcome::FrameSync);
    let mut pauses = Vec::new();
    for _ in 0..200 {
        // Finish any cycle, then time a slice that only starts one: the snapshot.
        vm.collect_full();
        vm.take_max_gc_pauses();
        vm.gc_slice_now(0);
        pauses.push(vm.take_max_gc_pauses());
    }
    println!(
        "root snapshot of {} stack slots ({} holding handles to {} objects), 200 times:\n  wall {}\n  CPU  {}",
        depth * (1 + HANDLES_PER_FRAME),
        depth * HANDLES_PER_FRAME,
        vm.heap_objects(),
        distribution(pauses.iter().map(|p| p.wall).collect()),
        distribution(pauses.iter().map(|p| p.cpu).collect()),
    );
}

/// List growth: the VM grows a list's storage with `Vec::reserve_exact` to double
/// capacity; this times each doubling of a `Vec<Slot>` up to the largest list the
/// console's 16 MiB budget allows (a `list<bool>` is charged 1 byte an element).
fn list_growth() {
    let max_elements = 16 * 1024 * 1024;
    let mut items: Vec<Slot> = Vec::new();
    let mut capacity = 4;
    let mut steps = Vec::new();
    while capacity <= max_elements {
        items.resize(items.capacity(), Slot::int(1));
        let t = Instant::now();
        items.reserve_exact(capacity - items.len());
        let took = t.elapsed();
        steps.push((capacity, took));
        capacity *= 2;
    }
    let show = |c: usize| {
        steps
            .iter()
            .find(|(cap, _)| *cap == c)
            .map_or_else(String::new, |(_, t)| format!("{c} elements {t:?}"))
    };
    println!(
        "list growth (one doubling, no GC): {}; {}; {}; {}",
        show(65_536),
        show(1 << 20),
        show(1 << 22),
        show(max_elements)
    );
}

fn main() {
    let frames: usize = std::env::var("PROMETEU_GC_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    println!("load average at start: {}", load_average());
    frames_workload(frames);
    root_snapshot();
    list_growth();
    println!("load average at end: {}", load_average());
}
