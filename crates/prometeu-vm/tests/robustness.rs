//! Bad input is normal input: random instruction sequences either fail to load with an
//! error or run (and trap) without panicking, hanging or growing without bound.

mod common;

use common::{Console, ConsoleTable};
use prometeu_bytecode::{
    Constant, Export, Function, Global, GlobalInit, ImmKind, ImmValue, Instr, Layout, LayoutKind,
    Opcode, Program, SlotKind, SyscallRef, encode_all, verify_program,
};
use prometeu_vm::{RunOutcome, Vm, VmConfig};
use proptest::prelude::*;

fn program(ops: &[(usize, u32, i32, f64)], locals: u16, returns: Vec<SlotKind>) -> Program {
    let mut instrs: Vec<Instr> = ops
        .iter()
        .map(|&(op, small, int, float)| {
            let op = Opcode::ALL[op % Opcode::ALL.len()];
            let imms: Vec<ImmValue> = op
                .immediates()
                .iter()
                .map(|imm| match imm.kind {
                    ImmKind::U8 => ImmValue::U8((small % 2) as u8),
                    ImmKind::U32 if op == Opcode::Syscall => ImmValue::U32(0x5001),
                    ImmKind::U32 => ImmValue::U32(small),
                    ImmKind::I32 => ImmValue::I32(int),
                    ImmKind::F64 => ImmValue::F64(float),
                })
                .collect();
            Instr::new(op, &imms)
        })
        .collect();
    // A preamble of slots of every kind, so more random sequences have operands.
    let mut preamble = vec![
        Instr::u32(Opcode::ListNew, 2),
        Instr::u32(Opcode::ListNew, 1),
        Instr::new(Opcode::PushI32, &[ImmValue::I32(1)]),
        Instr::u32(Opcode::PushConst, 1),
        Instr::u32(Opcode::Alloc, 0),
        Instr::new(Opcode::PushF64, &[ImmValue::F64(2.5)]),
        Instr::new(Opcode::PushBool, &[ImmValue::U8(1)]),
        Instr::u32(Opcode::PushBounded, 9),
        Instr::u32(Opcode::PushConst, 1),
    ];
    for i in 0..6 {
        preamble.push(Instr::new(Opcode::PushI32, &[ImmValue::I32(i - 1)]));
    }
    let skip = preamble.len();
    preamble.append(&mut instrs);
    let mut instrs = preamble;
    instrs.push(Instr::op(Opcode::Ret));
    // Point jumps at instruction starts so more programs get past loading.
    let mut offsets = Vec::new();
    let mut at = 0u32;
    for i in &instrs {
        offsets.push(at);
        at += i.op.encoded_len() as u32;
    }
    for (i, instr) in instrs.iter_mut().enumerate() {
        if instr.op.is_jump() {
            let t = offsets[skip + (ops[i - skip].1 as usize * 7 + i) % (offsets.len() - skip)];
            *instr = Instr::u32(instr.op, t);
        }
    }
    let code = encode_all(&instrs);
    Program {
        constants: vec![
            Constant::I32(7),
            Constant::Str("s".into()),
            Constant::F64(0.5),
        ],
        functions: vec![Function {
            code_offset: 0,
            code_len: code.len() as u32,
            params: vec![],
            local_slots: locals,
            returns,
            max_stack: 64,
        }],
        code,
        globals: vec![
            Global {
                kind: SlotKind::I32,
                init: GlobalInit::I32(3),
            },
            Global {
                kind: SlotKind::Ref(2),
                init: GlobalInit::Empty,
            },
        ],
        layouts: vec![
            Layout {
                kind: LayoutKind::Ref,
                slots: vec![SlotKind::I32, SlotKind::Str],
            },
            Layout {
                kind: LayoutKind::List,
                slots: vec![SlotKind::I32],
            },
            Layout {
                kind: LayoutKind::List,
                slots: vec![SlotKind::Ref(0)],
            },
        ],
        exports: vec![Export {
            name: "main".into(),
            func: 0,
        }],
        syscalls: vec![SyscallRef {
            id: 0x5001,
            arg_slots: 1,
            ret_slots: 0,
        }],
        ..Program::default()
    }
}

fn config() -> VmConfig {
    VmConfig {
        heap_budget: 64 * 1024,
        ..VmConfig::default()
    }
}

fn run_bounded(p: &Program) -> Option<RunOutcome> {
    run_vm_bounded(Vm::new(p, config()).ok()?)
}

fn run_vm_bounded(mut vm: Vm) -> Option<RunOutcome> {
    vm.call_export("main", &[]).ok()?;
    let mut console = Console::default();
    for _ in 0..50 {
        match vm.run(20_000, &mut console) {
            RunOutcome::FrameSync | RunOutcome::BudgetExhausted => {}
            done => return Some(done),
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_programs_load_or_fail_cleanly_and_never_panic(
        ops in prop::collection::vec(
            (0usize..200, 0u32..4, any::<i32>(), any::<f64>()), 1..40),
        locals in 0u16..4,
        returns in prop::sample::select(vec![vec![], vec![SlotKind::I32]]),
    ) {
        let p = program(&ops, locals, returns);
        let inferred = run_bounded(&p);
        // Whatever the verifier accepts, the VM loads with the verifier's facts and runs
        // exactly as with its own inferred ones.
        if let Ok(verified) = verify_program(&p, &ConsoleTable) {
            let vm = Vm::from_verified(&verified, config()).expect("verified programs load");
            prop_assert_eq!(format!("{:?}", run_vm_bounded(vm)), format!("{inferred:?}"));
        }
    }
}

#[test]
fn the_generator_reaches_the_interpreter() {
    // A generated program that loads and loops forever: it stays suspended (budget
    // exhausted every time), it never hangs the host.
    let nop = Opcode::ALL.iter().position(|o| *o == Opcode::Nop).unwrap();
    let jmp = Opcode::ALL.iter().position(|o| *o == Opcode::Jmp).unwrap();
    let p = program(&[(nop, 0, 0, 0.0), (jmp, 0, 0, 0.0)], 0, vec![]);
    assert!(Vm::new(&p, VmConfig::default()).is_ok());
    assert_eq!(run_bounded(&p), None);
    // And one that returns.
    let p = program(&[(nop, 0, 0, 0.0)], 0, vec![SlotKind::I32]);
    assert!(matches!(run_bounded(&p), Some(RunOutcome::Returned(v)) if v.len() == 1));
}
