//! `STR_CONCAT_N`: results, empty operands, sharing, the charge and the cycle cost,
//! heap exhaustion, and collection while its operands wait on the stack.

use crate::common;

use common::{asm, run_with};
use prometeu_vm::{GcMode, TrapCode, Value, VmConfig};

/// Constants: 0 `""`, 1 `"ab"`, 2 `"c"`, 3 twenty bytes.
const CONSTS: &str =
    ".const str \"\"\n.const str \"ab\"\n.const str \"c\"\n.const str \"0123456789abcdefghij\"\n";

/// A `main` returning one string computed by `body`, which may use the global string 0.
fn program(body: &str) -> String {
    format!(
        "{CONSTS}.global str\n.func main returns=(str) locals=2\n{body}\n    RET\n.export main main\n"
    )
}

/// What `body` returns, how many cycles it took, and the heap afterwards (bytes
/// charged, objects), with the result still reachable through global 0.
fn outcome(body: &str, config: VmConfig) -> (Result<Value, TrapCode>, u64, u64, usize) {
    let keep = format!("{body}\n    DUP\n    SET_GLOBAL 0");
    let (mut vm, r) = run_with(&asm(&program(&keep)), config, u64::MAX);
    vm.collect_full();
    let result = match r.result {
        Ok(mut v) => Ok(v.remove(0)),
        Err((code, _)) => Err(code),
    };
    (result, r.cycles, vm.heap_used(), vm.heap_objects())
}

fn result(body: &str) -> Value {
    outcome(body, VmConfig::default()).0.unwrap()
}

fn text(s: &str) -> Value {
    Value::Str(s.into())
}

#[test]
fn operands_join_deepest_first() {
    assert_eq!(
        result("PUSH_CONST 1\nPUSH_CONST 2\nPUSH_CONST 1\nSTR_CONCAT_N 3"),
        text("abcab")
    );
    assert_eq!(
        result("PUSH_CONST 2\nPUSH_CONST 1\nSTR_CONCAT_N 2"),
        text("cab")
    );
    // Heap operands (`I2S`) and constants mix.
    assert_eq!(
        result("PUSH_I32 -7\nI2S\nPUSH_CONST 2\nPUSH_I32 42\nI2S\nPUSH_CONST 1\nSTR_CONCAT_N 4"),
        text("-7c42ab")
    );
}

#[test]
fn empty_operands_add_nothing() {
    let (r, _, used, objects) = outcome(
        "PUSH_CONST 0\nPUSH_CONST 1\nPUSH_CONST 0\nPUSH_CONST 2\nPUSH_CONST 0\nSTR_CONCAT_N 5",
        VmConfig::default(),
    );
    assert_eq!(r, Ok(text("abc")));
    assert_eq!((used, objects), (32 + 3, 1), "one string of 3 bytes");
}

#[test]
fn a_single_non_empty_operand_is_shared_not_copied() {
    // A constant: nothing is allocated.
    let (r, _, used, objects) = outcome(
        "PUSH_CONST 0\nPUSH_CONST 1\nPUSH_CONST 0\nSTR_CONCAT_N 3",
        VmConfig::default(),
    );
    assert_eq!(r, Ok(text("ab")));
    assert_eq!((used, objects), (0, 0));
    // A heap string: still the one `I2S` made.
    let (r, _, used, objects) = outcome(
        "PUSH_I32 12345\nI2S\nPUSH_CONST 0\nPUSH_CONST 0\nSTR_CONCAT_N 3",
        VmConfig::default(),
    );
    assert_eq!(r, Ok(text("12345")));
    assert_eq!((used, objects), (32 + 5, 1));
    // Only empty operands: the empty string, nothing allocated.
    let (r, _, used, _) = outcome(
        "PUSH_CONST 0\nPUSH_CONST 0\nSTR_CONCAT_N 2",
        VmConfig::default(),
    );
    assert_eq!(r, Ok(text("")));
    assert_eq!(used, 0);
}

#[test]
fn the_cost_is_the_base_plus_one_cycle_per_8_result_bytes() {
    // The same pushes ending in `POP POP` (2 cycles) instead of `STR_CONCAT_N 3`.
    let cycles = |tail: &str| {
        let body = format!("PUSH_CONST 3\nPUSH_CONST 3\nPUSH_CONST 2\n{tail}");
        outcome(&body, VmConfig::default()).1
    };
    // 41 bytes: 4 + ⌈41 / 8⌉ = 10.
    assert_eq!(cycles("STR_CONCAT_N 3") - cycles("POP\nPOP"), 10 - 2);
    // Shared results cost the same as built ones: the cost depends on the length only.
    let shared = |n: u32| {
        let pushes = "PUSH_CONST 0\n".repeat(n as usize - 1);
        let body = format!("PUSH_CONST 3\n{pushes}STR_CONCAT_N {n}");
        outcome(&body, VmConfig::default()).1
    };
    // One more empty operand costs only its push.
    assert_eq!(shared(3) - shared(2), 1);
}

#[test]
fn a_result_over_the_budget_traps_heap_exhausted_without_building_it() {
    let small = VmConfig {
        heap_budget: 1024,
        ..VmConfig::default()
    };
    // 52 × 20 bytes + 32 = 1072 > 1024.
    let body = format!(
        "PUSH_CONST 3\nDUP_N 1\n{}STR_CONCAT_N 52",
        "DUP_N 1\n".repeat(50)
    );
    assert_eq!(outcome(&body, small).0, Err(TrapCode::HeapExhausted));
    // 51 × 20 + 32 = 1052 fits a budget of 1052 exactly.
    let exact = VmConfig {
        heap_budget: 1052,
        ..VmConfig::default()
    };
    let body = format!("PUSH_CONST 3\n{}STR_CONCAT_N 51", "DUP_N 1\n".repeat(50));
    let (r, _, used, _) = outcome(&body, exact);
    assert_eq!(
        r.map(|v| matches!(v, Value::Str(s) if s.len() == 1020)),
        Ok(true)
    );
    assert_eq!(used, 1052);
    // 2,000 copies of a 16,400-byte heap string would be 32.8 MB: refused from the
    // charge, before any text is built.
    let big = format!(
        "{}STR_CONCAT_N 820\nSET_LOCAL 0\nGET_LOCAL 0\n{}STR_CONCAT_N 2000",
        "PUSH_CONST 3\n".repeat(820),
        "DUP_N 1\n".repeat(1_999),
    );
    assert_eq!(
        outcome(&big, VmConfig::default()).0,
        Err(TrapCode::HeapExhausted)
    );
}

/// A loop that builds `n` strings of three heap parts each and keeps the last: every
/// `STR_CONCAT_N` runs with its operands only on the stack.
fn churn(n: u32) -> String {
    program(&format!(
        "    PUSH_I32 0
    SET_LOCAL 0
loop:
    GET_LOCAL 0
    PUSH_I32 {n}
    I_GE
    JMP_IF_TRUE done
    GET_LOCAL 0
    I2S
    PUSH_CONST 2
    GET_LOCAL 0
    PUSH_I32 7
    I_MUL
    I2S
    PUSH_CONST 1
    GET_LOCAL 0
    I2S
    STR_CONCAT_N 5
    SET_GLOBAL 0
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP loop
done:
    GET_GLOBAL 0"
    ))
}

#[test]
fn operands_survive_collections_during_the_concatenation() {
    let normal = run_with(&asm(&churn(300)), VmConfig::default(), u64::MAX).1;
    assert_eq!(normal.result, Ok(vec![text("299c2093ab299")]));
    let stress = VmConfig {
        gc_mode: GcMode::Stress,
        ..VmConfig::default()
    };
    let (vm, r) = run_with(&asm(&churn(300)), stress, u64::MAX);
    assert_eq!(
        r, normal,
        "a full collection at every safepoint changes nothing"
    );
    assert!(vm.gc_stats().full_collections >= 300 * 4);
    // A small budget: incremental cycles and full collections run mid-loop.
    let tight = VmConfig {
        heap_budget: 4096,
        gc_start_bytes: 1024,
        gc_step_bytes: 64,
        ..VmConfig::default()
    };
    let (vm, r) = run_with(&asm(&churn(20_000)), tight, u64::MAX);
    assert_eq!(r.result, Ok(vec![text("19999c139993ab19999")]));
    assert!(vm.gc_stats().cycles > 10);
}
