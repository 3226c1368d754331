//! Determinism: the same program gives the same run whatever the cycle budget slices
//! and whenever (or however often) the collector runs.

use crate::common;

use std::sync::OnceLock;
use std::time::Duration;

use common::{Run, asm, run_vm, run_with, verified_vm};
use prometeu_bytecode::Program;
use prometeu_vm::{GcMode, TrapCode, Value, VmConfig};
use proptest::prelude::*;

/// Allocates refs and strings, keeps some in a global list that it mutates (push,
/// insert, remove, pop), holds a removed ref only in a local for a while (what the
/// write barrier protects), takes a long-lived ref and holds its string only in a
/// local, takes fresh refs, concatenates strings into a global, logs,
/// and syncs frames. Returns (sum of kept values, final string length).
fn workload(n: u32) -> String {
    format!(
        "
.layout ref (i32, str)
.layout list (ref0)
.const str \"hp\"
.syscall 0x5001 args=1 rets=0
.global ref1
.global str
.global ref0
.func main returns=(i32, i32) locals=5
    LIST_NEW 1
    SET_GLOBAL 0
    PUSH_NULL 0
    SET_LOCAL 3
    PUSH_I32 0
    PUSH_CONST 0
    ALLOC 0
    SET_GLOBAL 2
    PUSH_CONST 0
    SET_LOCAL 4
    PUSH_I32 0
    SET_LOCAL 0
loop:
    GET_LOCAL 0
    PUSH_I32 {n}
    I_GE
    JMP_IF_TRUE done
    GET_LOCAL 0
    GET_LOCAL 0
    I2S
    ALLOC 0
    SET_LOCAL 1
    GET_GLOBAL 0
    GET_LOCAL 1
    LIST_PUSH 1
    GET_LOCAL 0
    PUSH_I32 3
    I_REM
    PUSH_I32 0
    I_NE
    JMP_IF_TRUE no_remove
    GET_GLOBAL 0
    GET_LOCAL 0
    PUSH_I32 3
    I_DIV
    GET_GLOBAL 0
    LIST_LEN
    I_REM
    LIST_REMOVE
    GET_LOCAL 3
    PUSH_NULL 0
    REF_EQ
    JMP_IF_TRUE keep_removed
    GET_GLOBAL 0
    GET_LOCAL 3
    LIST_PUSH 1
keep_removed:
    SET_LOCAL 3
no_remove:
    GET_LOCAL 0
    PUSH_I32 5
    I_REM
    PUSH_I32 0
    I_NE
    JMP_IF_TRUE no_insert
    GET_GLOBAL 0
    PUSH_I32 0
    GET_LOCAL 1
    LIST_INSERT 1
no_insert:
    GET_LOCAL 0
    PUSH_I32 7
    I_REM
    PUSH_I32 0
    I_NE
    JMP_IF_TRUE no_pop
    GET_GLOBAL 0
    LIST_POP
    SWAP
    JMP_IF_FALSE none
    PEEK
    SYSCALL 0x5001
    POP
    JMP no_pop
none:
    POP
no_pop:
    GET_LOCAL 0
    PUSH_I32 11
    I_REM
    PUSH_I32 0
    I_NE
    JMP_IF_TRUE no_take
    GET_LOCAL 0
    PUSH_CONST 0
    GET_LOCAL 0
    I2S
    STR_CONCAT
    ALLOC 0
    TAKE
    SYSCALL 0x5001
    POP
no_take:
    GET_LOCAL 0
    PUSH_I32 13
    I_REM
    PUSH_I32 0
    I_NE
    JMP_IF_TRUE no_swap
    GET_LOCAL 4
    SYSCALL 0x5001
    GET_GLOBAL 2
    TAKE
    SET_LOCAL 4
    POP
    GET_LOCAL 0
    GET_LOCAL 0
    I2S
    PUSH_CONST 0
    STR_CONCAT
    ALLOC 0
    SET_GLOBAL 2
no_swap:
    GET_GLOBAL 1
    GET_LOCAL 0
    I2S
    STR_CONCAT
    SET_GLOBAL 1
    GET_LOCAL 0
    PUSH_I32 10
    I_REM
    PUSH_I32 0
    I_NE
    JMP_IF_TRUE no_reset
    PUSH_CONST 0
    SET_GLOBAL 1
    FRAME_SYNC
no_reset:
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP loop
done:
    PUSH_I32 0
    SET_LOCAL 0
    PUSH_I32 0
    SET_LOCAL 2
sum:
    GET_LOCAL 0
    GET_GLOBAL 0
    LIST_LEN
    I_GE
    JMP_IF_TRUE out
    GET_GLOBAL 0
    GET_LOCAL 0
    LIST_GET
    PEEK
    POP
    GET_LOCAL 2
    I_ADD
    SET_LOCAL 2
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP sum
out:
    GET_LOCAL 3
    PUSH_NULL 0
    REF_EQ
    JMP_IF_TRUE fin
    GET_LOCAL 3
    PEEK
    POP
    GET_LOCAL 2
    I_ADD
    SET_LOCAL 2
fin:
    GET_LOCAL 2
    GET_GLOBAL 1
    STR_LEN
    RET
.export main main
"
    )
}

fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| asm(&workload(120)))
}

fn baseline() -> &'static Run {
    static BASELINE: OnceLock<Run> = OnceLock::new();
    BASELINE.get_or_init(|| run_with(program(), VmConfig::default(), u64::MAX).1)
}

/// A collector that starts cycles almost at once and advances in tiny slices, so
/// marking is in progress while the program mutates the heap.
fn eager(step_bytes: u64) -> VmConfig {
    VmConfig {
        gc_step_bytes: step_bytes,
        gc_start_bytes: 64,
        frame_slice_work: 7,
        ..VmConfig::default()
    }
}

#[test]
fn the_workload_does_what_it_says() {
    let run = baseline();
    let Ok(values) = &run.result else {
        panic!("{run:?}");
    };
    assert_eq!(values.len(), 2);
    assert!(matches!(values[0], Value::Int(sum) if sum > 0));
    assert_eq!(run.frame_syncs, 12);
    assert!(run.log.iter().any(|l| l == "hp11"));
    assert!(run.log.len() > 20);
}

#[test]
fn every_collector_schedule_gives_the_same_run() {
    let stress = VmConfig {
        gc_mode: GcMode::Stress,
        ..VmConfig::default()
    };
    let (vm, run) = run_with(program(), stress, u64::MAX);
    assert_eq!(&run, baseline());
    assert!(vm.gc_stats().full_collections > 200);
    for step in [1, 16, 100, 1000] {
        let (vm, run) = run_with(program(), eager(step), u64::MAX);
        assert_eq!(&run, baseline(), "step {step}");
        assert!(
            vm.gc_stats().cycles >= 2,
            "step {step}: {:?}",
            vm.gc_stats()
        );
    }
    let no_thread = VmConfig {
        background_release: false,
        ..eager(50)
    };
    assert_eq!(&run_with(program(), no_thread, u64::MAX).1, baseline());
}

#[test]
fn a_tight_budget_traps_identically_in_every_mode() {
    let tight = |mode| VmConfig {
        heap_budget: 3000,
        gc_mode: mode,
        ..eager(64)
    };
    let (_, a) = run_with(program(), tight(GcMode::Incremental), u64::MAX);
    let (_, b) = run_with(program(), tight(GcMode::Stress), u64::MAX);
    assert!(
        matches!(a.result, Err((TrapCode::HeapExhausted, _))),
        "{a:?}"
    );
    assert_eq!(a, b);
}

#[test]
fn time_bounded_slices_give_the_same_run() {
    // A zero time budget makes every slice stop at its first clock check, so the
    // schedule depends on the clock only through how much work each slice does.
    let hurried = |step| VmConfig {
        gc_slice_time: Duration::ZERO,
        gc_cpu_timing: true,
        ..eager(step)
    };
    let (vm, run) = run_vm(verified_vm(program(), hurried(32)), 17);
    assert_eq!(&run, baseline());
    let stats = vm.gc_stats();
    assert!(stats.cycles >= 2, "{stats:?}");
    // CPU time is measured when asked (Linux has the per-thread clock), and a pause
    // never uses more CPU time than wall time, beyond the two clocks' granularity.
    if cfg!(target_os = "linux") {
        assert!(stats.total_pause_cpu > Duration::ZERO, "{stats:?}");
        assert!(
            stats.total_pause_cpu <= stats.total_pause + Duration::from_millis(1),
            "{stats:?}"
        );
    }
    let big_slices = VmConfig {
        gc_slice_time: Duration::ZERO,
        gc_start_bytes: 64,
        ..VmConfig::default()
    };
    let (vm, run) = run_with(program(), big_slices, u64::MAX);
    assert_eq!(&run, baseline());
    assert!(vm.gc_stats().time_capped_slices > 0, "{:?}", vm.gc_stats());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_budget_split_gives_the_same_run(budget in 1u64..600) {
        let (_, run) = run_with(program(), VmConfig::default(), budget);
        prop_assert_eq!(&run, baseline());
    }

    #[test]
    fn budget_split_and_incremental_collection_together(budget in 1u64..2000, step in 1u64..512) {
        let (_, run) = run_with(program(), eager(step), budget);
        prop_assert_eq!(&run, baseline());
    }
}
