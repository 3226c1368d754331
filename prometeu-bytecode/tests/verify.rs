//! The verifier: one rejected program per rule, and what it records for the VM.

mod common;

use common::{TestTable, asm};
use prometeu_bytecode::{GlobalInit, Program, Rule, SlotKind, VerifyError, verify_program};

fn reject(program: &Program) -> VerifyError {
    match verify_program(program, &TestTable) {
        Ok(_) => panic!("program verified but should not:\n{program:#?}"),
        Err(e) => e,
    }
}

/// `(case name, broken rule, assembly)`; each program breaks exactly that rule.
const CASES: &[(&str, Rule, &str)] = &[
    (
        "global of a missing layout",
        Rule::LayoutIndex,
        ".global ref3\n.func main\n RET",
    ),
    (
        "layout slot of a missing layout",
        Rule::LayoutIndex,
        ".layout ref (ref1)\n.func main\n RET",
    ),
    (
        "parameter of a missing layout",
        Rule::LayoutIndex,
        ".func main params=(ref0)\n RET",
    ),
    (
        "unknown system call",
        Rule::SyscallEntry,
        ".syscall 0x9999 args=0 rets=0\n.func main\n RET",
    ),
    (
        "system call slot counts differ",
        Rule::SyscallEntry,
        ".syscall 0x0010 args=1 rets=1\n.func main\n RET",
    ),
    (
        "system call listed twice",
        Rule::SyscallEntry,
        ".syscall 0x0010 args=0 rets=1\n.syscall 0x0010 args=0 rets=1\n.func main\n RET",
    ),
    (
        "export of a missing function",
        Rule::Export,
        ".func main\n RET\n.export \"frame\" 5",
    ),
    (
        "exported twice",
        Rule::Export,
        ".func main\n RET\n.export \"go\" main\n.export \"go\" main",
    ),
    (
        "frame with a parameter",
        Rule::Export,
        ".func main params=(i32)\n RET\n.export \"frame\" main",
    ),
    (
        "init returning a value",
        Rule::Export,
        ".func main returns=(i32)\n PUSH_I32 0\n RET\n.export \"init\" main",
    ),
    (
        "debug run of a missing file",
        Rule::DebugMap,
        ".func main\n RET\n.debug line 0 file=3 span=0..1",
    ),
    (
        "debug runs out of order",
        Rule::DebugMap,
        ".func main\n RET\n.debug file \"a.pbs\"\n.debug line 4 file=0 span=0..1\n.debug line 0 file=0 span=0..1",
    ),
    (
        "debug names of a missing function",
        Rule::DebugMap,
        ".func main\n RET\n.debug func 7 \"ghost\"",
    ),
    (
        "truncated instruction",
        Rule::Decode,
        ".func main\n RET\n .bytes 17 00 01",
    ),
    (
        "unknown opcode",
        Rule::Decode,
        ".func main\n .bytes ff ff\n RET",
    ),
    (
        "jump into an instruction",
        Rule::JumpTarget,
        ".func main\n JMP 1\n RET",
    ),
    ("jump past the end", Rule::JumpTarget, ".func main\n JMP 6"),
    (
        "falls off the end",
        Rule::FallOff,
        ".func main\n PUSH_I32 1\n POP",
    ),
    ("empty function", Rule::FallOff, ".func main"),
    (
        "pop from an empty stack",
        Rule::StackUnderflow,
        ".func main\n I_ADD\n RET",
    ),
    (
        "float into int add",
        Rule::StackKind,
        ".func main\n PUSH_I32 1\n PUSH_F64 1.0\n I_ADD\n POP\n RET",
    ),
    (
        "store int into a float global",
        Rule::StackKind,
        ".global f64\n.func main\n PUSH_I32 1\n SET_GLOBAL 0\n RET",
    ),
    (
        "call with wrong argument kinds",
        Rule::StackKind,
        ".func f params=(str)\n RET\n.func main\n PUSH_I32 1\n CALL f\n RET",
    ),
    (
        "system call with wrong argument kind",
        Rule::StackKind,
        ".syscall 0x5001 args=1 rets=0\n.func main\n PUSH_I32 1\n SYSCALL 0x5001\n RET",
    ),
    (
        "handles of different layouts compared",
        Rule::StackKind,
        ".layout ref (i32)\n.layout ref (f64)\n.func main\n PUSH_NULL 0\n PUSH_NULL 1\n REF_EQ\n POP\n RET",
    ),
    (
        "list push naming the layout of another list",
        Rule::Heap,
        ".layout list (i32)\n.layout list (i32)\n.func main\n LIST_NEW 1\n PUSH_I32 1\n LIST_PUSH 0\n RET",
    ),
    (
        "list push of the wrong element",
        Rule::StackKind,
        ".layout list (i32)\n.func main\n LIST_NEW 0\n PUSH_F64 1.0\n LIST_PUSH 0\n RET",
    ),
    (
        "peek of an int",
        Rule::StackKind,
        ".func main\n PUSH_I32 0\n PEEK\n RET",
    ),
    (
        "stack heights differ at a join",
        Rule::StackJoin,
        ".func main\n PUSH_BOOL true\n JMP_IF_FALSE out\n PUSH_I32 1\nout:\n RET",
    ),
    (
        "stack kinds differ at a join",
        Rule::StackJoin,
        ".func main returns=(i32)\n PUSH_BOOL true\n JMP_IF_FALSE other\n PUSH_I32 1\n JMP out\nother:\n PUSH_F64 1.0\nout:\n RET",
    ),
    (
        "deeper than max_stack",
        Rule::MaxStack,
        ".func main max_stack=1\n PUSH_I32 1\n PUSH_I32 2\n POP_N 2\n RET",
    ),
    (
        "local out of the frame",
        Rule::LocalIndex,
        ".func main locals=1\n GET_LOCAL 3\n POP\n RET",
    ),
    (
        "locals range out of the frame",
        Rule::LocalIndex,
        ".func main params=(i32) locals=0\n PUSH_I32 1\n PUSH_I32 1\n SET_LOCAL_N 0 2\n RET",
    ),
    (
        "uninitialised local",
        Rule::LocalUninit,
        ".func main locals=1\n GET_LOCAL 0\n POP\n RET",
    ),
    (
        "local written on one path only",
        Rule::LocalUninit,
        ".func main params=(bool) locals=1\n GET_LOCAL 0\n JMP_IF_FALSE skip\n PUSH_I32 1\n SET_LOCAL 1\nskip:\n GET_LOCAL 1\n POP\n RET",
    ),
    (
        "local with two kinds",
        Rule::LocalUninit,
        ".func main params=(bool) locals=1\n GET_LOCAL 0\n JMP_IF_FALSE other\n PUSH_I32 1\n SET_LOCAL 1\n JMP out\nother:\n PUSH_F64 1.0\n SET_LOCAL 1\nout:\n GET_LOCAL 1\n POP\n RET",
    ),
    (
        "global out of range",
        Rule::GlobalIndex,
        ".global i32\n.func main\n GET_GLOBAL 1\n POP\n RET",
    ),
    (
        "global array out of range",
        Rule::ArrayIndex,
        ".global i32\n.global i32\n.func main\n PUSH_I32 0\n GET_GLOBAL_IDX 0 3 1\n POP\n RET",
    ),
    (
        "global array of mixed kinds",
        Rule::ArrayIndex,
        ".global i32\n.global f64\n.func main\n PUSH_I32 0\n GET_GLOBAL_IDX 0 2 1\n POP\n RET",
    ),
    (
        "empty array",
        Rule::ArrayIndex,
        ".global i32\n.func main\n PUSH_I32 0\n GET_GLOBAL_IDX 0 0 1\n RET",
    ),
    (
        "local array not initialised",
        Rule::LocalUninit,
        ".func main locals=2\n PUSH_I32 0\n SET_LOCAL 0\n PUSH_I32 0\n GET_LOCAL_IDX 0 2 1\n POP\n RET",
    ),
    (
        "missing constant",
        Rule::ConstIndex,
        ".func main\n PUSH_CONST 0\n POP\n RET",
    ),
    (
        "missing function",
        Rule::FunctionIndex,
        ".func main\n CALL 9\n RET",
    ),
    (
        "extra slot under the result",
        Rule::Return,
        ".func main returns=(i32)\n PUSH_I32 1\n PUSH_I32 2\n RET",
    ),
    (
        "result of the wrong kind",
        Rule::Return,
        ".func main returns=(i32)\n PUSH_BOOL false\n RET",
    ),
    (
        "system call missing from SYSC",
        Rule::Syscall,
        ".func main\n SYSCALL 0x0010\n POP\n RET",
    ),
    (
        "alloc of a list layout",
        Rule::Heap,
        ".layout list (i32)\n.func main\n PUSH_I32 1\n ALLOC 0\n POP\n RET",
    ),
    (
        "list_new of a ref layout",
        Rule::Heap,
        ".layout ref (i32)\n.func main\n LIST_NEW 0\n POP\n RET",
    ),
    (
        "gate load past the layout",
        Rule::Heap,
        ".layout ref (i32)\n.func main\n PUSH_NULL 0\n GATE_LOAD 0 2\n POP_N 2\n RET",
    ),
    (
        "peek of a list",
        Rule::Heap,
        ".layout list (i32)\n.func main\n LIST_NEW 0\n PEEK\n RET",
    ),
    (
        "missing layout",
        Rule::Heap,
        ".func main\n PUSH_NULL 0\n POP\n RET",
    ),
    (
        "bool literal 2",
        Rule::Immediate,
        ".func main\n PUSH_BOOL 2\n POP\n RET",
    ),
    (
        "bounded literal above 65535",
        Rule::Immediate,
        ".func main\n PUSH_BOUNDED 65536\n POP\n RET",
    ),
    ("unknown trap code", Rule::Immediate, ".func main\n TRAP 99"),
    (
        "concatenation of one string",
        Rule::Immediate,
        ".const str \"a\"\n.func main\n PUSH_CONST 0\n STR_CONCAT_N 1\n POP\n RET",
    ),
    (
        "concatenation of more strings than a stack holds",
        Rule::Immediate,
        ".const str \"a\"\n.func main\n PUSH_CONST 0\n PUSH_CONST 0\n STR_CONCAT_N 65536\n POP\n RET",
    ),
    (
        "concatenation of more strings than pushed",
        Rule::StackUnderflow,
        ".const str \"a\"\n.func main\n PUSH_CONST 0\n PUSH_CONST 0\n STR_CONCAT_N 3\n POP\n RET",
    ),
    (
        "concatenation of an int",
        Rule::StackKind,
        ".const str \"a\"\n.func main\n PUSH_CONST 0\n PUSH_I32 1\n PUSH_CONST 0\n STR_CONCAT_N 3\n POP\n RET",
    ),
];

#[test]
fn each_rule_rejects_its_program() {
    let mut report = String::new();
    for &(name, rule, text) in CASES {
        let err = reject(&asm(text));
        assert_eq!(err.rule, rule, "case `{name}`: {err}");
        report.push_str(&format!("{name}:\n    {err}\n"));
    }
    insta::assert_snapshot!("verifier_errors", report);
}

#[test]
fn every_rule_has_a_case_or_a_rust_test() {
    // Rules whose programs the assembler cannot express have Rust tests below.
    let by_hand = [Rule::GlobalInit, Rule::CodeLayout, Rule::Limits];
    for rule in Rule::ALL {
        assert!(
            by_hand.contains(rule) || CASES.iter().any(|(_, r, _)| r == rule),
            "no rejected program for rule {rule:?}"
        );
    }
}

#[test]
fn mismatched_global_init_is_rejected() {
    let mut p = asm(".global i32 1\n.func main\n RET");
    p.globals[0].init = GlobalInit::F64(1.0);
    let err = reject(&p);
    assert_eq!(err.rule, Rule::GlobalInit);
    assert_eq!(
        err.to_string(),
        "global 0 of kind i32 has initial value F64(1.0) [global-init]"
    );
}

#[test]
fn functions_must_tile_code() {
    let base = asm(".func a\n RET\n.func b\n RET");
    let mut gap = base.clone();
    gap.functions[1].code_offset = 3;
    gap.functions[1].code_len = 0;
    assert_eq!(reject(&gap).rule, Rule::CodeLayout);
    let mut short = base.clone();
    short.code.push(0);
    assert_eq!(reject(&short).rule, Rule::CodeLayout);
    let mut outside = base;
    outside.functions[1].code_len = 100;
    assert_eq!(reject(&outside).rule, Rule::CodeLayout);
}

#[test]
fn errors_name_the_function_and_pc() {
    let p = asm(".func main\n NOP\n I_ADD\n RET\n.debug func main \"Player.update\"");
    let err = reject(&p);
    assert_eq!((err.function, err.pc), (Some(0), Some(2)));
    assert_eq!(
        err.to_string(),
        "function 0 `Player.update` at pc 2 (I_ADD): needs 2 slots on the operand stack, found 0 [stack-underflow]"
    );
}

#[test]
fn safepoints_record_frame_kinds_before_the_instruction() {
    let p = asm(".layout list (ref1)\n.layout ref (i32, str)\n\
         .func f params=(i32) returns=(str)\n GET_LOCAL 0\n I2S\n RET\n\
         .func main params=(f64) locals=2 max_stack=4\n\
         LIST_NEW 0\n SET_LOCAL 1\n\
         GET_LOCAL 1\n PUSH_I32 7\n PUSH_I32 3\n CALL f\n ALLOC 1\n LIST_PUSH 0\n\
         GET_LOCAL 1\n PUSH_I32 0\n LIST_GET\n GATE_LOAD 1 1\n POP\n\
         FRAME_SYNC\n RET");
    let v = verify_program(&p, &TestTable).unwrap_or_else(|e| panic!("{e}"));
    let main = &v.functions()[1];
    assert_eq!(main.max_stack, 3);
    let pcs: Vec<u32> = main.safepoints.iter().map(|s| s.pc).collect();
    // LIST_NEW, CALL, ALLOC, LIST_PUSH, FRAME_SYNC
    assert_eq!(pcs, vec![0, 30, 36, 42, 74]);
    let call = main.safepoint(30).unwrap();
    assert_eq!(
        call.stack(),
        vec![SlotKind::Ref(0), SlotKind::I32, SlotKind::I32]
    );
    assert_eq!(
        call.locals(),
        vec![Some(SlotKind::F64), Some(SlotKind::Ref(0)), None]
    );
    let new = main.safepoint(0).unwrap();
    assert_eq!(new.locals(), vec![Some(SlotKind::F64), None, None]);
    assert_eq!(
        main.handle_layout(42),
        Some(0),
        "LIST_PUSH records the list layout it names"
    );
    assert_eq!(main.handle_layout(60), Some(0), "LIST_GET");
    assert_eq!(main.handle_layout(62), Some(1), "GATE_LOAD");
    assert_eq!(v.functions()[0].safepoints.len(), 1);
    assert_eq!(v.program(), &p);
}

#[test]
fn omitted_max_stack_is_computed_even_with_system_calls() {
    let p = asm(
        ".syscall 0x2011 args=0 rets=6\n.func main\n SYSCALL 0x2011\n POP_N 6\n PUSH_I32 1\n POP\n RET",
    );
    assert_eq!(p.functions[0].max_stack, 6);
    verify_program(&p, &TestTable).unwrap();
}

#[test]
fn analysis_past_the_work_budget_is_rejected_quickly() {
    // 32,768 slots on the stack, then 200 copies of 32,766 of them: 6.5 million slot
    // states from 233 instructions, past the 2^22 floor of the budget.
    let mut text = String::from(".func main\n PUSH_I32 0\n");
    let mut depth = 1u32;
    while depth < 32_768 {
        text.push_str(&format!(" DUP_N {depth}\n"));
        depth *= 2;
    }
    for _ in 0..100 {
        text.push_str(" DUP_N 32766\n POP_N 32766\n");
    }
    text.push_str(" POP_N 32768\n RET\n");
    let started = std::time::Instant::now();
    let err = reject(&asm(&text));
    assert_eq!(err.rule, Rule::Limits, "{err}");
    assert!(err.message.contains("slot states"), "{err}");
    assert!(started.elapsed().as_secs() < 10);
    // Many block boundaries over a large frame cost what changes, not the frame:
    // 60,000 locals and 600 of them verify.
    let mut text = String::from(".func main locals=60000\n");
    for _ in 0..300 {
        text.push_str(" PUSH_BOOL true\n JMP_IF_FALSE 0\n");
    }
    text.push_str(" RET\n");
    verify_program(&asm(&text), &TestTable).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn frames_past_the_loader_limit_are_rejected() {
    // 65,535 locals: one more than a frame may hold (MAX_FRAME_SLOTS), as the loader
    // would refuse it.
    let err = reject(&asm(".func main locals=65535\n RET\n"));
    assert_eq!(err.rule, Rule::Limits, "{err}");
    assert!(err.message.contains("65534"), "{err}");
    verify_program(&asm(".func main locals=65534\n RET\n"), &TestTable).unwrap();
}

#[test]
fn zero_stride_arrays_of_any_length_verify_at_once() {
    let p = asm(".global i32\n.func main\n PUSH_I32 0\n SET_GLOBAL_IDX 0 0xFFFFFF03 0\n RET");
    let started = std::time::Instant::now();
    verify_program(&p, &TestTable).unwrap();
    assert!(started.elapsed().as_secs() < 1);
}

/// Inputs the fuzzer once found slow or crashing (`fuzz/`, CRC repaired like the fuzz
/// target does) must be handled quickly.
#[test]
fn fuzz_regressions_are_quick() {
    let dir = format!("{}/tests/fuzz_regressions", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        if bytes.len() >= 16 {
            let crc = crc32fast::hash(&bytes[16..]);
            bytes[12..16].copy_from_slice(&crc.to_le_bytes());
        }
        let started = std::time::Instant::now();
        if let Ok(p) = prometeu_bytecode::read_program(&bytes) {
            let _ = verify_program(&p, &TestTable);
        }
        assert!(started.elapsed().as_secs() < 2, "{}", path.display());
    }
}
