//! Collector pauses: a heap of 1 million live small objects, and a `frame()` that
//! allocates 100,000 objects per frame (every 100th replaces a live one, exercising the
//! write barrier). Prints the longest collector pause on the VM thread per frame as
//! p50 / p99 / max.
//!
//! `cargo bench -p prometeu-vm --bench gc` runs 1,000 frames; set `PROMETEU_GC_FRAMES`
//! to change that. The heap budget is raised to 512 MiB: a million 40-byte refs do not
//! fit the console's 16 MiB, which is the point of the stress.

use std::time::{Duration, Instant};

use prometeu_bytecode::assemble;
use prometeu_vm::{NoSyscalls, RunOutcome, Vm, VmConfig};

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
    LIST_PUSH
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
    LIST_SET
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let frames: usize = std::env::var("PROMETEU_GC_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let program = assemble(PROGRAM).expect("assembles");
    let config = VmConfig {
        heap_budget: 512 * 1024 * 1024,
        background_release: std::env::var("PROMETEU_GC_BG").map_or(true, |v| v != "0"),
        ..VmConfig::default()
    };
    let mut vm = Vm::new(&program, config).expect("loads");
    let start = Instant::now();
    vm.call_export("init", &[]).unwrap();
    run_to_end(&mut vm);
    println!(
        "init: 1,000,000 live objects in {:?}, heap {} bytes, {} objects",
        start.elapsed(),
        vm.heap_used(),
        vm.heap_objects()
    );
    vm.take_max_gc_pause();
    let mut pauses = Vec::with_capacity(frames);
    let mut frame_times = Vec::with_capacity(frames);
    let mut frame_gc = Vec::with_capacity(frames);
    let mut frame_work = Vec::with_capacity(frames);
    let before = vm.gc_stats();
    for _ in 0..frames {
        let t = Instant::now();
        let gc_before = vm.gc_stats().total_pause;
        let work_before = vm.gc_stats().work;
        vm.call_export("frame", &[]).unwrap();
        run_to_end(&mut vm);
        frame_times.push(t.elapsed());
        frame_gc.push(vm.gc_stats().total_pause - gc_before);
        frame_work.push(vm.gc_stats().work - work_before);
        pauses.push(vm.take_max_gc_pause());
    }
    let after = vm.gc_stats();
    let mut worst: Vec<(Duration, usize)> = frame_times.iter().copied().zip(0..).collect();
    worst.sort();
    for &(t, i) in worst.iter().rev().take(3) {
        println!(
            "slowest frame {i}: {t:?} (its longest GC pause {:?})",
            pauses[i]
        );
    }
    frame_gc.sort();
    let mut sorted_work = frame_work.clone();
    sorted_work.sort();
    println!(
        "GC work per frame (units, deterministic): p50 {}, p99 {}, max {}",
        sorted_work[sorted_work.len() / 2],
        sorted_work[(sorted_work.len() - 1) * 99 / 100],
        sorted_work[sorted_work.len() - 1]
    );
    println!(
        "GC time per frame (sum of slices): p50 {:?}, max {:?}",
        percentile(&frame_gc, 0.5),
        frame_gc[frame_gc.len() - 1]
    );
    let mut sorted = pauses.clone();
    sorted.sort();
    frame_times.sort();
    println!(
        "{frames} frames × 100,000 allocations: longest GC pause per frame p50 {:?}, p99 {:?}, max {:?}",
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99),
        sorted[sorted.len() - 1]
    );
    println!(
        "frame wall time p50 {:?}, max {:?}; cycles completed {}, full collections {}, slices {}, total pause {:?}, freed {}",
        percentile(&frame_times, 0.5),
        frame_times[frame_times.len() - 1],
        after.cycles - before.cycles,
        after.full_collections - before.full_collections,
        after.slices - before.slices,
        after.total_pause - before.total_pause,
        after.freed - before.freed,
    );
    let work = after.work - before.work;
    println!(
        "work units {work}, {:.1} ns per unit on average; largest slice since start {} units (≈ {:?} at that rate)",
        (after.total_pause - before.total_pause).as_nanos() as f64 / work.max(1) as f64,
        after.max_slice_work,
        Duration::from_nanos(
            ((after.total_pause - before.total_pause).as_nanos() as u64 / work.max(1))
                * after.max_slice_work
        ),
    );
    println!(
        "heap after: {} bytes, {} objects",
        vm.heap_used(),
        vm.heap_objects()
    );
}
