//! Heap instructions, views, lists, the budget, the collector, calls and system calls.

use crate::common;

use common::{Console, asm, ret, run, run_with, trap};
use prometeu_vm::{GcMode, RunOutcome, Slot, TrapCode, Value, Vm, VmConfig};

/// Layout 0: `ref (i32, str)`; layout 1: `list (i32, f64)`; layout 2: `list (ref0)`;
/// layout 3: `ref (ref0)`.
const LAYOUTS: &str = "
.layout ref (i32, str)
.layout list (i32, f64)
.layout list (ref0)
.layout ref (ref0)
.const str \"hp\"
";

fn with_layouts(returns: &str, locals: u32, body: &str) -> String {
    format!(
        "{LAYOUTS}.func main returns=({returns}) locals={locals}\n{body}\n    RET\n.export main main\n"
    )
}

#[test]
fn refs_store_load_peek_and_take() {
    let body = "
    PUSH_I32 100
    PUSH_CONST 0
    ALLOC 0
    SET_LOCAL 0
    GET_LOCAL 0
    MUTATE_BEGIN
    DUP
    PUSH_I32 90
    GATE_STORE 0 1
    MUTATE_END
    GET_LOCAL 0
    BORROW_BEGIN
    DUP
    GATE_LOAD 0 1
    SWAP
    BORROW_END
    GET_LOCAL 0
    PEEK
    POP
    I_ADD
    GET_LOCAL 0
    TAKE
    POP
    I_ADD";
    assert_eq!(ret(&with_layouts("i32", 1, body)), Value::Int(270));
    // After TAKE every access traps, but identity comparison does not.
    let dead = |access: &str| {
        with_layouts(
            "i32",
            1,
            &format!(
                "PUSH_I32 1\nPUSH_CONST 0\nALLOC 0\nSET_LOCAL 0\nGET_LOCAL 0\nTAKE\nPOP_N 2\nGET_LOCAL 0\n{access}"
            ),
        )
    };
    for access in [
        "PEEK\nPOP",
        "TAKE\nPOP",
        "BORROW_BEGIN\nPOP\nPUSH_I32 0",
        "MUTATE_BEGIN\nPOP\nPUSH_I32 0",
        "GATE_LOAD 0 1",
    ] {
        assert_eq!(trap(&dead(access)), TrapCode::DeadGate, "{access}");
    }
    assert_eq!(
        ret(&with_layouts(
            "bool",
            1,
            "PUSH_I32 1\nPUSH_CONST 0\nALLOC 0\nSET_LOCAL 0\nGET_LOCAL 0\nTAKE\nPOP_N 2\nGET_LOCAL 0\nGET_LOCAL 0\nREF_EQ"
        )),
        Value::Bool(true)
    );
}

#[test]
fn null_handles_trap_dead_gate_and_compare_equal() {
    assert_eq!(
        trap(&with_layouts("i32", 0, "PUSH_NULL 0\nPEEK\nPOP")),
        TrapCode::DeadGate
    );
    assert_eq!(
        trap(&with_layouts("i32", 0, "PUSH_NULL 1\nLIST_LEN")),
        TrapCode::DeadGate
    );
    assert_eq!(
        ret(&with_layouts("bool", 0, "PUSH_NULL 0\nPUSH_NULL 0\nREF_EQ")),
        Value::Bool(true)
    );
    assert_eq!(
        ret(&with_layouts(
            "bool",
            0,
            "PUSH_I32 1\nPUSH_CONST 0\nALLOC 0\nPUSH_I32 1\nPUSH_CONST 0\nALLOC 0\nREF_NE"
        )),
        Value::Bool(true)
    );
}

#[test]
fn view_conflicts_trap_gate_busy() {
    let setup = "PUSH_I32 1\nPUSH_CONST 0\nALLOC 0\nSET_LOCAL 0\n";
    let case = |body: &str| with_layouts("i32", 1, &format!("{setup}{body}\nPUSH_I32 0"));
    // Any number of borrows together.
    assert_eq!(
        ret(&case(
            "GET_LOCAL 0\nBORROW_BEGIN\nGET_LOCAL 0\nBORROW_BEGIN\nBORROW_END\nBORROW_END\nGET_LOCAL 0\nMUTATE_BEGIN\nMUTATE_END"
        )),
        Value::Int(0)
    );
    let busy = [
        "GET_LOCAL 0\nMUTATE_BEGIN\nGET_LOCAL 0\nBORROW_BEGIN\nPOP_N 2",
        "GET_LOCAL 0\nMUTATE_BEGIN\nGET_LOCAL 0\nMUTATE_BEGIN\nPOP_N 2",
        "GET_LOCAL 0\nBORROW_BEGIN\nGET_LOCAL 0\nMUTATE_BEGIN\nPOP_N 2",
        "GET_LOCAL 0\nMUTATE_BEGIN\nGET_LOCAL 0\nPEEK\nPOP_N 3",
        "GET_LOCAL 0\nBORROW_BEGIN\nGET_LOCAL 0\nTAKE\nPOP_N 3",
    ];
    for body in busy {
        assert_eq!(trap(&case(body)), TrapCode::GateBusy, "{body}");
    }
    // PEEK inside a borrow is fine.
    assert_eq!(
        ret(&case(
            "GET_LOCAL 0\nBORROW_BEGIN\nGET_LOCAL 0\nPEEK\nPOP_N 2\nBORROW_END"
        )),
        Value::Int(0)
    );
}

#[test]
fn lists_of_two_slot_elements() {
    let body = "
    LIST_NEW 1
    SET_LOCAL 0
    GET_LOCAL 0
    PUSH_I32 1
    PUSH_F64 1.5
    LIST_PUSH 1
    GET_LOCAL 0
    PUSH_I32 3
    PUSH_F64 3.5
    LIST_PUSH 1
    GET_LOCAL 0
    PUSH_I32 1
    PUSH_I32 2
    PUSH_F64 2.5
    LIST_INSERT 1
    GET_LOCAL 0
    PUSH_I32 0
    PUSH_I32 10
    PUSH_F64 10.5
    LIST_SET 1
    ; [10, 2, 3]: remove index 1 → 2
    GET_LOCAL 0
    PUSH_I32 1
    LIST_REMOVE
    POP
    ; pop → some(3)
    GET_LOCAL 0
    LIST_POP
    POP
    SWAP
    POP
    I_ADD
    GET_LOCAL 0
    PUSH_I32 0
    LIST_GET
    POP
    I_ADD
    GET_LOCAL 0
    LIST_LEN
    I_ADD
    ; clear, then pop → none (false, 0, 0.0)
    GET_LOCAL 0
    LIST_CLEAR
    GET_LOCAL 0
    LIST_POP
    POP_N 2
    JMP_IF_TRUE bad
    RET
bad:
    TRAP 6";
    // 2 + 3 + 10 + len 1 = 16
    assert_eq!(ret(&with_layouts("i32", 1, body)), Value::Int(16));
    let oob = |body: &str| with_layouts("i32", 1, &format!("LIST_NEW 1\nSET_LOCAL 0\n{body}"));
    assert_eq!(
        trap(&oob("GET_LOCAL 0\nPUSH_I32 0\nLIST_GET\nPOP")),
        TrapCode::Oob
    );
    assert_eq!(
        trap(&oob(
            "GET_LOCAL 0\nPUSH_I32 1\nPUSH_I32 0\nPUSH_F64 0.0\nLIST_INSERT 1\nPUSH_I32 0"
        )),
        TrapCode::Oob
    );
    assert_eq!(
        trap(&oob("GET_LOCAL 0\nPUSH_I32 -1\nLIST_REMOVE\nPOP")),
        TrapCode::Oob
    );
    assert_eq!(
        trap(&oob(
            "GET_LOCAL 0\nPUSH_I32 0\nPUSH_I32 0\nPUSH_F64 0.0\nLIST_SET 1\nPUSH_I32 0"
        )),
        TrapCode::Oob
    );
}

#[test]
fn list_capacity_is_charged_as_documented() {
    // An empty list is 32 bytes; the first push reserves 4 elements of 12 bytes
    // (i32 4 + f64 8), the fifth doubles to 8.
    let text = |pushes: u32| {
        let mut body = String::from("LIST_NEW 1\nSET_GLOBAL 0\n");
        for i in 0..pushes {
            body += &format!("GET_GLOBAL 0\nPUSH_I32 {i}\nPUSH_F64 0.0\nLIST_PUSH 1\n");
        }
        format!("{LAYOUTS}.global ref1\n.func main locals=0\n{body}    RET\n.export main main\n")
    };
    for (pushes, bytes) in [
        (0, 32),
        (1, 32 + 4 * 12),
        (4, 32 + 4 * 12),
        (5, 32 + 8 * 12),
    ] {
        let (vm, r) = run_with(&asm(&text(pushes)), VmConfig::default(), u64::MAX);
        assert_eq!(r.result, Ok(vec![]));
        assert_eq!(vm.heap_used(), bytes, "{pushes} pushes");
    }
}

/// `main` allocates `n` refs of 2 slots each (48 bytes) and keeps every `keep`-th in a
/// global list; returns the sum of the kept values.
fn garbage_program(n: u32, keep: u32) -> String {
    format!(
        "{LAYOUTS}.global ref2
.func main returns=(i32) locals=2
    LIST_NEW 2
    SET_GLOBAL 0
    PUSH_I32 0
    SET_LOCAL 0
loop:
    GET_LOCAL 0
    PUSH_I32 {n}
    I_GE
    JMP_IF_TRUE done
    GET_LOCAL 0
    PUSH_CONST 0
    ALLOC 0
    SET_LOCAL 1
    GET_LOCAL 0
    PUSH_I32 {keep}
    I_REM
    PUSH_I32 0
    I_NE
    JMP_IF_TRUE skip
    GET_GLOBAL 0
    GET_LOCAL 1
    LIST_PUSH 2
skip:
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP loop
done:
    PUSH_I32 0
    SET_LOCAL 0
    PUSH_I32 0
    SET_LOCAL 1
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
    GET_LOCAL 1
    I_ADD
    SET_LOCAL 1
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP sum
out:
    GET_LOCAL 1
    RET
.export main main
"
    )
}

#[test]
fn unreachable_storage_is_reclaimed_and_reachable_survives() {
    let program = asm(&garbage_program(10_000, 100));
    let (mut vm, r) = run_with(&program, VmConfig::default(), u64::MAX);
    let kept_sum: i32 = (0..10_000).filter(|i| i % 100 == 0).sum();
    assert_eq!(r.result, Ok(vec![Value::Int(kept_sum)]));
    vm.collect_full();
    // 100 kept refs (48 bytes) + the list (32 + capacity 128 × 8).
    assert_eq!(vm.heap_used(), 100 * 48 + 32 + 128 * 8);
    assert_eq!(vm.heap_objects(), 101);
    let list = vm.global(0).unwrap();
    assert!(vm.is_live(list.as_handle()));
    // Dropping the last reference frees everything.
    let mut vm2 = common::verified_vm(&program, VmConfig::default());
    vm2.call_export("main", &[]).unwrap();
    assert!(matches!(
        vm2.run(u64::MAX, &mut Console::default()),
        RunOutcome::Returned(_)
    ));
    assert!(
        vm2.gc_stats().cycles > 0,
        "incremental cycles ran during the loop"
    );
    vm2.collect_full();
    assert!(vm2.heap_used() < 10_000 * 48 / 10);
}

#[test]
fn heap_budget_exhaustion_traps_after_a_full_collection() {
    // 10,000 × 48 bytes kept alive do not fit in 64 KiB.
    let config = VmConfig {
        heap_budget: 64 * 1024,
        ..VmConfig::default()
    };
    let (_, r) = run_with(&asm(&garbage_program(10_000, 1)), config, u64::MAX);
    assert!(
        matches!(r.result, Err((TrapCode::HeapExhausted, _))),
        "{r:?}"
    );
    // The same allocations as garbage fit: collection makes room.
    let (vm, r) = run_with(&asm(&garbage_program(10_000, 1_000_000)), config, u64::MAX);
    assert_eq!(r.result, Ok(vec![Value::Int(0)]));
    assert!(vm.gc_stats().full_collections + vm.gc_stats().cycles > 0);
}

#[test]
fn deep_recursion_traps_stack_overflow_without_host_overflow() {
    let text = "
.func main returns=(i32) locals=0
    PUSH_I32 0
    CALL down
    RET
.func down params=(i32) returns=(i32) locals=3
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    CALL down
    RET
.export main main
";
    let r = run(text);
    assert!(matches!(r.result, Err((TrapCode::StackOverflow, _))));
    // A frame with no slots at all hits the call-depth limit instead.
    let text = "
.func main locals=0
    CALL down
    RET
.func down locals=0
    CALL down
    RET
.export main main
";
    let mut vm = common::verified_vm(&asm(text), VmConfig::default());
    vm.call_export("main", &[]).unwrap();
    match vm.run(u64::MAX, &mut Console::default()) {
        RunOutcome::Trapped(t) => {
            assert_eq!(t.code, TrapCode::StackOverflow);
            assert_eq!(t.call_stack.len(), prometeu_vm::DEFAULT_MAX_CALL_DEPTH);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn traps_report_the_call_stack_innermost_first() {
    let text = "
.func main returns=(i32) locals=0
    NOP
    CALL mid
    RET
.func mid returns=(i32) locals=0
    PUSH_I32 1
    CALL leaf
    RET
.func leaf params=(i32) returns=(i32) locals=0
    GET_LOCAL 0
    PUSH_I32 0
    I_DIV
    RET
.export main main
";
    let mut vm = common::verified_vm(&asm(text), VmConfig::default());
    vm.call_export("main", &[]).unwrap();
    let RunOutcome::Trapped(t) = vm.run(u64::MAX, &mut Console::default()) else {
        panic!("expected a trap");
    };
    insta::assert_snapshot!(format!("{t}\n{:#?}", t.call_stack));
    assert!(!vm.is_running());
    assert_eq!(vm.run(100, &mut Console::default()), RunOutcome::Idle);
}

#[test]
fn system_calls_read_strings_and_push_results() {
    let text = "
.syscall 0x5001 args=1 rets=0
.syscall 0x0011 args=1 rets=1
.syscall 0x2011 args=0 rets=6
.const str \"hello \"
.func main returns=(i32) locals=0
    PUSH_CONST 0
    PUSH_I32 42
    I2S
    STR_CONCAT
    SYSCALL 0x5001
    PUSH_I32 100
    SYSCALL 0x0011
    SYSCALL 0x2011
    POP_N 5
    POP
    RET
.export main main
";
    let r = run(text);
    assert_eq!(r.log, ["hello 42"]);
    assert_eq!(r.result, Ok(vec![Value::Int(2)]));
    let bad = text.replace("PUSH_I32 100", "PUSH_I32 0");
    assert!(matches!(run(&bad).result, Err((TrapCode::Arg, _))));
}

#[test]
fn frame_sync_suspends_and_resumes_with_state_intact() {
    let text = "
.global i32 0
.func main returns=(i32) locals=1
    PUSH_I32 5
    SET_LOCAL 0
again:
    GET_GLOBAL 0
    PUSH_I32 1
    I_ADD
    SET_GLOBAL 0
    FRAME_SYNC
    GET_GLOBAL 0
    PUSH_I32 3
    I_LT
    JMP_IF_TRUE again
    GET_LOCAL 0
    GET_GLOBAL 0
    I_ADD
    RET
.export main main
";
    let r = run(text);
    assert_eq!(r.frame_syncs, 3);
    assert_eq!(r.result, Ok(vec![Value::Int(8)]));
}

#[test]
fn start_call_checks_its_arguments() {
    let text = ".func main params=(i32) returns=(i32) locals=0\n    GET_LOCAL 0\n    RET\n.export main main\n";
    let mut vm = common::verified_vm(&asm(text), VmConfig::default());
    assert!(vm.call_export("nope", &[]).is_err());
    assert!(vm.call_export("main", &[]).is_err());
    vm.call_export("main", &[Slot::int(9)]).unwrap();
    assert!(vm.start_call(0, &[Slot::int(1)]).is_err(), "busy");
    assert_eq!(
        vm.run(u64::MAX, &mut Console::default()),
        RunOutcome::Returned(vec![Slot::int(9)])
    );
}

#[test]
fn stress_mode_collects_at_every_safepoint() {
    let program = asm(&garbage_program(300, 7));
    let stress = VmConfig {
        gc_mode: GcMode::Stress,
        ..VmConfig::default()
    };
    let (vm, r) = run_with(&program, stress, u64::MAX);
    let (_, normal) = run_with(&program, VmConfig::default(), u64::MAX);
    assert_eq!(r, normal);
    assert!(vm.gc_stats().full_collections >= 300);
}

#[test]
fn a_vm_can_move_to_another_thread() {
    fn is_send<T: Send>() {}
    is_send::<Vm>();
}

#[test]
fn pinned_storage_survives_collection() {
    let text = format!(
        "{LAYOUTS}.func main returns=(ref0) locals=0\n    PUSH_I32 5\n    PUSH_CONST 0\n    ALLOC 0\n    RET\n.export main main\n"
    );
    let mut vm = common::verified_vm(&asm(&text), VmConfig::default());
    vm.call_export("main", &[]).unwrap();
    let RunOutcome::Returned(values) = vm.run(u64::MAX, &mut Console::default()) else {
        panic!("expected a return");
    };
    let h = values[0];
    vm.pin(h);
    vm.collect_full();
    assert!(vm.is_live(h.as_handle()));
    vm.unpin(h);
    vm.collect_full();
    assert!(!vm.is_live(h.as_handle()));
    assert_eq!(vm.heap_used(), 0);
}

#[test]
fn list_clear_while_marking_keeps_what_it_removed_for_the_cycle() {
    // The snapshot is taken while only the global list roots the refs; `main` then
    // moves element 0 to a local (the stack is not rescanned) and clears the list.
    // The deletion barrier must keep element 0 alive through the cycle.
    let text = format!(
        "{LAYOUTS}.global ref2
.func init locals=1
    LIST_NEW 2
    SET_GLOBAL 0
    PUSH_I32 0
    SET_LOCAL 0
loop:
    GET_LOCAL 0
    PUSH_I32 100
    I_GE
    JMP_IF_TRUE done
    GET_GLOBAL 0
    GET_LOCAL 0
    PUSH_CONST 0
    ALLOC 0
    LIST_PUSH 2
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP loop
done:
    RET
.func main returns=(i32) locals=1
    GET_GLOBAL 0
    PUSH_I32 7
    LIST_GET
    SET_LOCAL 0
    GET_GLOBAL 0
    LIST_CLEAR
    FRAME_SYNC
    GET_LOCAL 0
    PEEK
    POP
    RET
.export init init
.export main main
"
    );
    let config = VmConfig {
        gc_start_bytes: u64::MAX,
        gc_step_bytes: u64::MAX,
        frame_slice_work: 1,
        background_release: false,
        ..VmConfig::default()
    };
    let mut vm = common::verified_vm(&asm(&text), config);
    let mut console = Console::default();
    vm.call_export("init", &[]).unwrap();
    assert!(matches!(
        vm.run(u64::MAX, &mut console),
        RunOutcome::Returned(_)
    ));
    assert_eq!(vm.heap_objects(), 101);
    vm.gc_slice_now(0);
    vm.call_export("main", &[]).unwrap();
    assert_eq!(vm.run(u64::MAX, &mut console), RunOutcome::FrameSync);
    // Finish the cycle in small slices while `main` is suspended.
    let cycles = vm.gc_stats().cycles;
    while vm.gc_stats().cycles == cycles {
        vm.gc_slice(3);
    }
    assert_eq!(
        vm.run(u64::MAX, &mut console),
        RunOutcome::Returned(vec![Slot::int(7)])
    );
    // The cleared elements were only kept for that cycle.
    vm.collect_full();
    assert_eq!(vm.heap_objects(), 1);
}

/// With `gc_in_idle_time` (the desktop window's setting) allocation leaves the
/// collector's work to the host's idle-time slices while the heap keeps its pace, and
/// takes it back when the heap gets ahead, so the budget is never reached for want of
/// collecting.
#[test]
fn idle_time_collection_leaves_the_work_to_the_host_until_the_heap_gets_ahead() {
    // 20,000 × 48 bytes of garbage: past the 256 KiB start threshold, far from the
    // budget.
    let program = asm(&garbage_program(20_000, 1_000_000));
    let paced = VmConfig {
        background_release: false,
        ..VmConfig::default()
    };
    let idle = VmConfig {
        gc_in_idle_time: true,
        ..paced
    };
    let (vm, r) = run_with(&program, paced, u64::MAX);
    assert_eq!(r.result, Ok(vec![Value::Int(0)]));
    assert!(vm.gc_stats().work > 0, "allocation paces the collector");
    let (mut vm, r) = run_with(&program, idle, u64::MAX);
    assert_eq!(r.result, Ok(vec![Value::Int(0)]));
    assert_eq!(vm.gc_stats().work, 0, "{:?}", vm.gc_stats());
    assert_eq!(vm.gc_stats().cycles, 0);
    // The host's idle time does it.
    let used = vm.heap_used();
    for _ in 0..1_000 {
        vm.gc_slice(4_096);
    }
    assert!(vm.gc_stats().cycles > 0 && vm.gc_stats().work > 0);
    assert!(vm.heap_used() < used / 10, "{} of {used}", vm.heap_used());

    // Without any idle time, a heap that gets ahead is collected by allocation again:
    // 200,000 × 48 bytes of garbage through a 1 MiB budget, with no full collection.
    let tight = VmConfig {
        heap_budget: 1024 * 1024,
        ..idle
    };
    let (vm, r) = run_with(&asm(&garbage_program(200_000, 1_000_000)), tight, u64::MAX);
    assert_eq!(r.result, Ok(vec![Value::Int(0)]));
    assert!(vm.gc_stats().cycles > 0, "{:?}", vm.gc_stats());
    assert_eq!(vm.gc_stats().full_collections, 0, "{:?}", vm.gc_stats());
}
