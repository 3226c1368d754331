//! Bad input is normal input: of random instruction sequences, whatever the verifier
//! accepts loads and runs (and traps) without panicking, hanging or growing without
//! bound; the rest never reaches the VM (`Vm::new` takes only a `VerifiedProgram`).

use crate::common;

use common::{Console, ConsoleTable};
use prometeu_bytecode::{
    Constant, Export, Function, Global, GlobalInit, ImmKind, ImmValue, Instr, Layout, LayoutKind,
    Opcode, Program, SlotKind, SyscallRef, encode_all, verify_program,
};
use prometeu_vm::{RunOutcome, Vm, VmConfig};
use proptest::prelude::*;

/// Random ops become instructions; immediates are kept small so more of them are in
/// range.
fn instr_of(&(op, small, int, float): &(usize, u32, i32, f64)) -> Instr {
    let op = Opcode::ALL[op % Opcode::ALL.len()];
    let imms: Vec<ImmValue> = op
        .immediates()
        .iter()
        .map(|imm| match imm.kind {
            ImmKind::U8 => ImmValue::U8((small % 2) as u8),
            ImmKind::U32 if op == Opcode::Syscall => ImmValue::U32(0x5001),
            ImmKind::U32 if op == Opcode::Trap => ImmValue::U32(small % 12),
            ImmKind::U32 => ImmValue::U32(small),
            ImmKind::I32 => ImmValue::I32(int),
            ImmKind::F64 => ImmValue::F64(float),
        })
        .collect();
    Instr::new(op, &imms)
}

/// A preamble of slots of every kind, so more random instructions have operands.
fn preamble() -> Vec<Instr> {
    let mut instrs = vec![
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
        instrs.push(Instr::new(Opcode::PushI32, &[ImmValue::I32(i - 1)]));
    }
    instrs
}

/// A one-function program running `instrs`.
fn program_of(instrs: &[Instr], locals: u16) -> Program {
    let code = encode_all(instrs);
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
            returns: vec![],
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

/// Grows a program from random ops, guided by the verifier: each op is kept only when
/// the program so far, ended by `HALT`, still verifies (jumps go back to a random
/// instruction start, making loops). Returns the program and how many ops were kept.
/// Random sequences alone almost never verify; this way the interpreter sees long
/// verified sequences of every instruction.
fn grow(ops: &[(usize, u32, i32, f64)], locals: u16) -> (Program, usize) {
    let mut instrs = preamble();
    let skip = instrs.len();
    let mut kept = 0;
    let halted = |instrs: &[Instr]| {
        let mut all = instrs.to_vec();
        all.push(Instr::op(Opcode::Halt));
        program_of(&all, locals)
    };
    for raw in ops {
        let mut instr = instr_of(raw);
        if instr.op.is_jump() {
            let offsets: Vec<u32> = instrs
                .iter()
                .scan(0u32, |at, i| {
                    let start = *at;
                    *at += i.op.encoded_len() as u32;
                    Some(start)
                })
                .collect();
            let here: u32 = instrs.iter().map(|i| i.op.encoded_len() as u32).sum();
            let choices = &offsets[skip..];
            let t = match choices.len() {
                0 => here,
                n => choices[raw.1 as usize * 7 % n],
            };
            instr = Instr::u32(instr.op, t);
        }
        instrs.push(instr);
        if verify_program(&halted(&instrs), &ConsoleTable).is_ok() {
            kept += 1;
        } else {
            instrs.pop();
        }
    }
    (halted(&instrs), kept)
}

fn config() -> VmConfig {
    VmConfig {
        heap_budget: 64 * 1024,
        ..VmConfig::default()
    }
}

/// `None` when the verifier rejects `p`; else how the bounded run ended (`None` when
/// it was still running after 50 slices).
fn run_bounded(p: &Program) -> Option<Option<RunOutcome>> {
    let verified = verify_program(p, &ConsoleTable).ok()?;
    let vm = Vm::new(&verified, config()).expect("verified programs load");
    Some(run_vm_bounded(vm))
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
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn verified_random_programs_load_and_never_panic(
        ops in prop::collection::vec(
            (0usize..200, 0u32..4, any::<i32>(), any::<f64>()), 1..60),
        locals in 0u16..4,
    ) {
        let (p, _) = grow(&ops, locals);
        // Loading and running are the test: a verified program that fails to load, or
        // a run that panics, fails it.
        prop_assert!(run_bounded(&p).is_some(), "the grown program verifies");
    }
}

#[test]
fn the_generator_reaches_the_interpreter() {
    let op = |o: Opcode| Opcode::ALL.iter().position(|x| *x == o).unwrap();
    // A loop: it stays suspended (budget exhausted every time), it never hangs the host.
    let (p, kept) = grow(
        &[(op(Opcode::Nop), 0, 0, 0.0), (op(Opcode::Jmp), 0, 0, 0.0)],
        0,
    );
    assert_eq!(kept, 2);
    assert_eq!(run_bounded(&p), Some(None));
    // Ill-typed ops are dropped, well-typed ones kept; the program then halts.
    let (p, kept) = grow(
        &[
            (op(Opcode::FAdd), 0, 0, 0.0),
            (op(Opcode::IAdd), 0, 0, 0.0),
            (op(Opcode::IDiv), 0, 0, 0.0),
        ],
        0,
    );
    assert_eq!(kept, 2);
    assert_eq!(run_bounded(&p), Some(Some(RunOutcome::Halted)));
    // Over many random sequences, a good share of ops survives verification.
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut total, mut kept) = (0, 0);
    for _ in 0..50 {
        let ops: Vec<_> = (0..40)
            .map(|_| {
                (
                    (next() % 200) as usize,
                    (next() % 4) as u32,
                    next() as i32,
                    1.5,
                )
            })
            .collect();
        total += ops.len();
        kept += grow(&ops, 2).1;
    }
    assert!(kept * 5 > total, "only {kept} of {total} ops verified");
}
