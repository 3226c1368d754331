//! The loader's register forms (`translate`) change neither results nor traps nor
//! cycle totals: the plain stack code (`VmConfig::register_forms: false`, one dispatch
//! per instruction) is the reference every run is compared with, whatever the budget
//! split.

use crate::common;

use std::sync::OnceLock;

use common::{Console, ConsoleTable, Run, asm, run_with};
use prometeu_bytecode::{
    Export, Function, ImmValue, Instr, Layout, LayoutKind, Opcode, Program, SlotKind, SyscallRef,
    encode_all, verify_program,
};
use prometeu_vm::{RunOutcome, Value, Vm, VmConfig};
use proptest::prelude::*;

/// A loop through the shapes the translator handles: compare-and-branch on locals,
/// constants and computed values for each comparison; `local ± constant` with and
/// without a store; int and float expression trees; a list push between them.
fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let mut body = String::new();
        for (k, cmp) in ["I_EQ", "I_NE", "I_LT", "I_LE", "I_GT", "I_GE"]
            .iter()
            .enumerate()
        {
            body.push_str(&format!(
                "    GET_LOCAL 0
    PUSH_I32 {k}
    {cmp}
    JMP_IF_FALSE a{k}
    GET_LOCAL 1
    PUSH_I32 {add}
    I_ADD
    SET_LOCAL 1
a{k}:
    GET_LOCAL 0
    PUSH_I32 7
    I_REM
    PUSH_I32 3
    {cmp}
    JMP_IF_FALSE b{k}
    GET_LOCAL 1
    PUSH_I32 5
    I_SUB
    SET_LOCAL 1
b{k}:
    GET_LOCAL 1
    GET_LOCAL 0
    {cmp}
    JMP_IF_FALSE c{k}
    GET_LOCAL 1
    PUSH_I32 3
    I_XOR
    SET_LOCAL 1
c{k}:
    GET_LOCAL 0
    PUSH_I32 2
    I_MUL
    GET_LOCAL 1
    PUSH_I32 100
    I_REM
    {cmp}
    JMP_IF_FALSE d{k}
    GET_LOCAL 1
    PUSH_I32 1
    I_SUB
    PUSH_I32 2
    I_MUL
    SET_LOCAL 1
d{k}:
",
                add = 11 + k
            ));
        }
        asm(&format!(
            "
.layout list (i32)
.func main returns=(i32, i32) locals=5
    LIST_NEW 0
    SET_LOCAL 2
    PUSH_I32 300
    SET_LOCAL 3
    PUSH_I32 0
    SET_LOCAL 0
    PUSH_I32 1
    SET_LOCAL 1
loop:
    GET_LOCAL 0
    GET_LOCAL 3
    I_LT
    JMP_IF_FALSE done
{body}    GET_LOCAL 1
    GET_LOCAL 0
    I_SUB
    GET_LOCAL 0
    I_MUL
    GET_LOCAL 1
    GET_LOCAL 0
    I_MUL
    I_ADD
    GET_LOCAL 0
    I_ADD
    GET_LOCAL 1
    GET_LOCAL 0
    I_ADD
    GET_LOCAL 1
    I_SUB
    I_XOR
    PUSH_I32 65535
    I_AND
    SET_LOCAL 1
    GET_LOCAL 0
    I2F
    PUSH_F64 0.5
    F_MUL
    SET_LOCAL 4
    GET_LOCAL 4
    GET_LOCAL 4
    F_MUL
    GET_LOCAL 4
    F_ADD
    GET_LOCAL 4
    GET_LOCAL 4
    F_SUB
    F_SUB
    GET_LOCAL 4
    GET_LOCAL 4
    F_ADD
    GET_LOCAL 4
    F_SUB
    GET_LOCAL 4
    F_MUL
    F_ADD
    F2I
    GET_LOCAL 1
    I_ADD
    PUSH_I32 65535
    I_AND
    SET_LOCAL 1
    GET_LOCAL 2
    GET_LOCAL 1
    LIST_PUSH 0
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP loop
done:
    GET_LOCAL 1
    GET_LOCAL 2
    LIST_LEN
    RET
.export main main
"
        ))
    })
}

fn config(register_forms: bool) -> VmConfig {
    VmConfig {
        register_forms,
        ..VmConfig::default()
    }
}

fn run(budget: u64) -> Run {
    run_with(program(), config(true), budget).1
}

/// The stack code, run whole.
fn reference() -> &'static Run {
    static REFERENCE: OnceLock<Run> = OnceLock::new();
    REFERENCE.get_or_init(|| run_with(program(), config(false), u64::MAX).1)
}

#[test]
fn register_forms_match_the_stack_code() {
    let whole = run(u64::MAX);
    assert_eq!(&whole, reference());
    let Ok(values) = &whole.result else {
        panic!("{whole:?}");
    };
    assert_eq!(values[1], Value::Int(300), "one push per iteration");
    assert!(matches!(values[0], Value::Int(v) if v != 0));
    // The stack code split at a budget of one cycle runs one instruction per slice.
    assert_eq!(&run_with(program(), config(false), 1).1, reference());
}

/// One instruction of a random program: `(template, small, int, float)`.
type Raw = (usize, u32, i32, f64);

/// The instructions the random programs are made of: what the translator turns into
/// register forms, and a few stack ops (a system call, casts, `SWAP`) between them.
const TEMPLATES: &[Opcode] = &[
    Opcode::GetLocal,
    Opcode::GetLocal,
    Opcode::GetLocal,
    Opcode::SetLocal,
    Opcode::SetLocal,
    Opcode::PushI32,
    Opcode::PushI32,
    Opcode::PushF64,
    Opcode::IAdd,
    Opcode::ISub,
    Opcode::IMul,
    Opcode::IDiv,
    Opcode::IRem,
    Opcode::IAnd,
    Opcode::IOr,
    Opcode::IXor,
    Opcode::IShl,
    Opcode::IShr,
    Opcode::INeg,
    Opcode::FAdd,
    Opcode::FSub,
    Opcode::FMul,
    Opcode::FDiv,
    Opcode::FNeg,
    Opcode::IEq,
    Opcode::INe,
    Opcode::ILt,
    Opcode::ILe,
    Opcode::IGt,
    Opcode::IGe,
    Opcode::FEq,
    Opcode::FNe,
    Opcode::FLt,
    Opcode::FLe,
    Opcode::FGt,
    Opcode::FGe,
    Opcode::Not,
    Opcode::Dup,
    Opcode::Pop,
    Opcode::Swap,
    Opcode::I2F,
    Opcode::F2I,
    Opcode::JmpIfFalse,
    Opcode::JmpIfTrue,
    Opcode::Jmp,
    Opcode::Syscall,
    Opcode::PushBool,
    Opcode::ListGet,
    Opcode::ListSet,
    Opcode::ListPush,
    Opcode::ListLen,
    Opcode::GetLocalN,
    Opcode::SetLocalN,
    Opcode::GetLocalIdx,
    Opcode::SetLocalIdx,
    Opcode::Call,
];

/// Locals 0–3 hold ints, 4–5 floats, 6 a bool, 7 a `list<int>` and 8 a `list<bool>`
/// (both returned as their lengths).
const LOCAL_KINDS: [SlotKind; 9] = [
    SlotKind::I32,
    SlotKind::I32,
    SlotKind::I32,
    SlotKind::I32,
    SlotKind::F64,
    SlotKind::F64,
    SlotKind::Bool,
    SlotKind::Ref(0),
    SlotKind::Ref(1),
];

fn instr_of(&(t, small, int, float): &Raw, here: u32, offsets: &[u32]) -> Instr {
    let op = TEMPLATES[t % TEMPLATES.len()];
    match op {
        Opcode::GetLocal | Opcode::SetLocal => Instr::u32(op, small % 9),
        Opcode::PushBool => Instr::new(op, &[ImmValue::U8((small % 2) as u8)]),
        // Locals 0–3 as two-slot values, or as an array of two of them.
        Opcode::GetLocalN | Opcode::SetLocalN => {
            Instr::new(op, &[ImmValue::U32(small % 3), ImmValue::U32(2)])
        }
        Opcode::GetLocalIdx | Opcode::SetLocalIdx => {
            Instr::new(op, &[ImmValue::U32(0), ImmValue::U32(2), ImmValue::U32(2)])
        }
        Opcode::PushI32 => Instr::new(op, &[ImmValue::I32(int % 40 - 5)]),
        Opcode::PushF64 => Instr::new(op, &[ImmValue::F64(float)]),
        // The console's `arg % 7`, which traps on a non-positive argument.
        Opcode::Syscall => Instr::u32(op, 0x0011),
        // `helper`: an int function with constants of its own.
        Opcode::Call => Instr::u32(op, 1),
        // Into the `list<int>` or the `list<bool>`.
        Opcode::ListSet | Opcode::ListPush => Instr::u32(op, small % 2),
        Opcode::JmpIfFalse | Opcode::JmpIfTrue | Opcode::Jmp => {
            let t = match offsets.len() {
                0 => here,
                n => offsets[small as usize * 7 % n],
            };
            Instr::u32(op, t)
        }
        _ => Instr::op(op),
    }
}

/// The code that gives every local a value.
fn preamble() -> Vec<Instr> {
    let mut instrs = vec![
        Instr::new(Opcode::PushI32, &[ImmValue::I32(7)]),
        Instr::u32(Opcode::SetLocal, 0),
        Instr::new(Opcode::PushI32, &[ImmValue::I32(-3)]),
        Instr::u32(Opcode::SetLocal, 1),
        Instr::new(Opcode::PushI32, &[ImmValue::I32(12)]),
        Instr::u32(Opcode::SetLocal, 2),
        Instr::new(Opcode::PushI32, &[ImmValue::I32(0)]),
        Instr::u32(Opcode::SetLocal, 3),
        Instr::new(Opcode::PushF64, &[ImmValue::F64(1.5)]),
        Instr::u32(Opcode::SetLocal, 4),
        Instr::new(Opcode::PushF64, &[ImmValue::F64(-0.25)]),
        Instr::u32(Opcode::SetLocal, 5),
        Instr::new(Opcode::PushBool, &[ImmValue::U8(1)]),
        Instr::u32(Opcode::SetLocal, 6),
        Instr::u32(Opcode::ListNew, 0),
        Instr::u32(Opcode::SetLocal, 7),
        Instr::u32(Opcode::ListNew, 1),
        Instr::u32(Opcode::SetLocal, 8),
    ];
    for v in [4, 0, 9] {
        instrs.extend([
            Instr::u32(Opcode::GetLocal, 7),
            Instr::new(Opcode::PushI32, &[ImmValue::I32(v)]),
            Instr::u32(Opcode::ListPush, 0),
            Instr::u32(Opcode::GetLocal, 8),
            Instr::new(Opcode::PushBool, &[ImmValue::U8((v % 2) as u8)]),
            Instr::u32(Opcode::ListPush, 1),
        ]);
    }
    instrs
}

/// `main`: set the locals, run `body`, drop what is left on the stack, return every
/// local (the lists as their lengths).
fn program_of(body: &[Instr], drop: u32) -> Program {
    let mut instrs = preamble();
    instrs.extend_from_slice(body);
    if drop > 0 {
        instrs.push(Instr::u32(Opcode::PopN, drop));
    }
    for l in 0..8 {
        instrs.push(Instr::u32(Opcode::GetLocal, l));
    }
    instrs.push(Instr::op(Opcode::ListLen));
    instrs.push(Instr::u32(Opcode::GetLocal, 8));
    instrs.push(Instr::op(Opcode::ListLen));
    instrs.push(Instr::op(Opcode::Ret));
    let main_len = encode_all(&instrs).len() as u32;
    // `helper(x) = 100 - x * 3, plus 1 when x < 0`: constants on the left of a
    // subtraction and of a comparison, so it loads constant slots of its own.
    let mut helper = vec![
        Instr::new(Opcode::PushI32, &[ImmValue::I32(100)]),
        Instr::u32(Opcode::GetLocal, 0),
        Instr::new(Opcode::PushI32, &[ImmValue::I32(3)]),
        Instr::op(Opcode::IMul),
        Instr::op(Opcode::ISub),
        Instr::new(Opcode::PushI32, &[ImmValue::I32(0)]),
        Instr::u32(Opcode::GetLocal, 0),
        Instr::op(Opcode::IGt),
    ];
    let skip = [
        Instr::new(Opcode::PushI32, &[ImmValue::I32(1)]),
        Instr::op(Opcode::IAdd),
    ];
    // Jump targets count from the function's first byte.
    let end = encode_all(&helper).len() as u32
        + Opcode::JmpIfFalse.encoded_len() as u32
        + encode_all(&skip).len() as u32;
    helper.push(Instr::u32(Opcode::JmpIfFalse, end));
    helper.extend(skip);
    helper.push(Instr::op(Opcode::Ret));
    instrs.extend(helper);
    let code = encode_all(&instrs);
    Program {
        functions: vec![
            Function {
                params: Vec::new(),
                returns: LOCAL_KINDS[..7]
                    .iter()
                    .copied()
                    .chain([SlotKind::I32, SlotKind::I32])
                    .collect(),
                local_slots: 9,
                max_stack: 64,
                code_offset: 0,
                code_len: main_len,
            },
            Function {
                params: vec![SlotKind::I32],
                returns: vec![SlotKind::I32],
                local_slots: 0,
                max_stack: 8,
                code_offset: main_len,
                code_len: code.len() as u32 - main_len,
            },
        ],
        code,
        exports: vec![Export {
            name: "main".into(),
            func: 0,
        }],
        layouts: vec![
            Layout {
                kind: LayoutKind::List,
                slots: vec![SlotKind::I32],
            },
            Layout {
                kind: LayoutKind::List,
                slots: vec![SlotKind::Bool],
            },
        ],
        syscalls: vec![SyscallRef {
            id: 0x0011,
            arg_slots: 1,
            ret_slots: 1,
        }],
        ..Program::default()
    }
}

/// The first verified program of `body` with 0 to 16 leftover slots dropped.
fn verified_program(body: &[Instr]) -> Option<Program> {
    (0..=16)
        .map(|drop| program_of(body, drop))
        .find(|p| verify_program(p, &ConsoleTable).is_ok())
}

/// Appends each raw instruction that keeps the program verifiable; jumps go to an
/// instruction already placed (loops included).
fn grow(raws: &[Raw]) -> Program {
    let preamble = encode_all(&preamble()).len() as u32;
    let mut body: Vec<Instr> = Vec::new();
    for raw in raws {
        let mut offsets = Vec::new();
        let mut at = preamble;
        for i in &body {
            offsets.push(at);
            at += i.op.encoded_len() as u32;
        }
        body.push(instr_of(raw, at, &offsets));
        if verified_program(&body).is_none() {
            body.pop();
        }
    }
    verified_program(&body).expect("the empty body verifies")
}

/// Runs `main` in `budget` slices until it ends or has run `cap` cycles.
fn bounded(program: &Program, register_forms: bool, budget: u64, cap: u64) -> Option<Run> {
    let verified = verify_program(program, &ConsoleTable).expect("verified");
    let mut vm = Vm::new(&verified, config(register_forms)).expect("loads");
    vm.call_export("main", &[]).expect("main");
    let mut console = Console::default();
    let result = loop {
        if vm.cycles() >= cap {
            return None;
        }
        match vm.run(budget, &mut console) {
            RunOutcome::Returned(values) => {
                break Ok(values.into_iter().map(|s| exact(vm.value(s))).collect());
            }
            RunOutcome::Trapped(trap) => break Err((trap.code, trap.pc)),
            RunOutcome::BudgetExhausted | RunOutcome::FrameSync => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    Some(Run {
        result,
        log: console.log,
        cycles: vm.cycles(),
        frame_syncs: 0,
    })
}

/// Floats by their bits, so NaNs compare equal to themselves and `-0.0` differs from
/// `0.0`.
fn exact(v: Value) -> Value {
    match v {
        Value::Float(f) => Value::Str(format!("f64 {:#018x}", f.to_bits())),
        v => v,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_budget_split_matches_the_stack_code(budget in 1u64..400) {
        prop_assert_eq!(&run(budget), reference());
    }
}

proptest! {
    // Programs that loop past the cap are skipped (about one in ten).
    #![proptest_config(ProptestConfig {
        max_global_rejects: 1_000_000,
        ..ProptestConfig::with_cases(512)
    })]

    #[test]
    fn random_programs_match_the_stack_code(
        raws in prop::collection::vec((0usize..1000, 0u32..64, any::<i32>(), any::<f64>()), 1..80),
        budget in 1u64..200,
    ) {
        let program = grow(&raws);
        // Loops may not end: compare the programs that end well within the cap.
        let reference = bounded(&program, false, 10_000, 200_000);
        prop_assume!(reference.is_some());
        let reference = reference.expect("assumed");
        let whole = bounded(&program, true, u64::MAX / 2, 400_000);
        prop_assert_eq!(whole.as_ref(), Some(&reference));
        let split = bounded(&program, true, budget, 400_000);
        prop_assert_eq!(split.as_ref(), Some(&reference));
    }
}

#[test]
fn the_generator_keeps_every_kind_of_instruction() {
    // Over many random sequences, each template (jumps and list ops included) survives
    // verification somewhere, so the differential test exercises all of them.
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut kept = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let raws: Vec<Raw> = (0..60)
            .map(|_| {
                (
                    (next() % 1000) as usize,
                    (next() % 64) as u32,
                    next() as i32,
                    0.5,
                )
            })
            .collect();
        let program = grow(&raws);
        let body = prometeu_bytecode::Instr::decode_all(&program.code).expect("decodes");
        kept.extend(body.iter().map(|(_, i)| i.op));
    }
    let missing: Vec<_> = TEMPLATES.iter().filter(|op| !kept.contains(op)).collect();
    assert!(missing.is_empty(), "never kept: {missing:?}");
}

#[test]
fn a_list_read_that_branches_traps_like_the_stack_code() {
    // `if !flags[i] { n += 1 }` over a list of three bools, then one index too far:
    // the fused read-and-branch must trap at the read with the cycles up to it only.
    let program = asm("
.layout list (bool)
.func main returns=(i32) locals=3
    LIST_NEW 0
    SET_LOCAL 0
    GET_LOCAL 0
    PUSH_BOOL 1
    LIST_PUSH 0
    GET_LOCAL 0
    PUSH_BOOL 0
    LIST_PUSH 0
    GET_LOCAL 0
    PUSH_BOOL 0
    LIST_PUSH 0
    PUSH_I32 0
    SET_LOCAL 1
    PUSH_I32 0
    SET_LOCAL 2
loop:
    GET_LOCAL 0
    GET_LOCAL 1
    LIST_GET
    NOT
    JMP_IF_FALSE next
    GET_LOCAL 2
    PUSH_I32 1
    I_ADD
    SET_LOCAL 2
next:
    GET_LOCAL 1
    PUSH_I32 1
    I_ADD
    SET_LOCAL 1
    JMP loop
.export main main
");
    let reference = run_with(&program, config(false), u64::MAX).1;
    assert!(
        matches!(reference.result, Err((prometeu_vm::TrapCode::Oob, _))),
        "{reference:?}"
    );
    for budget in [u64::MAX, 1, 2, 3, 5, 7] {
        assert_eq!(
            run_with(&program, config(true), budget).1,
            reference,
            "budget {budget}"
        );
    }
}
