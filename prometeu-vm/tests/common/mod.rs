//! Shared helpers of the VM's integration tests: assembly in, outcomes and logs out.
#![allow(dead_code)]

use prometeu_bytecode::{Program, SlotKind, SyscallTable, assemble, verify_program};
use prometeu_vm::{RunOutcome, Slot, SyscallArgs, SyscallHandler, TrapCode, Value, Vm, VmConfig};

/// Assembles test text, panicking with the assembler's message on a typo.
pub fn asm(text: &str) -> Program {
    assemble(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A console stand-in: `0x5001` logs a string (cost 20), `0x0011` returns `arg % 7`
/// or traps `TRAP_ARG` on a non-positive argument, `0x2011` returns six slots.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Console {
    pub log: Vec<String>,
}

impl SyscallHandler for Console {
    fn syscall(
        &mut self,
        id: u32,
        args: &SyscallArgs<'_>,
        out: &mut Vec<Slot>,
    ) -> Result<u64, TrapCode> {
        match id {
            0x5001 => {
                self.log.push(args.str(0).to_owned());
                Ok(20)
            }
            0x0011 => {
                let max = args.int(0);
                if max <= 0 {
                    return Err(TrapCode::Arg);
                }
                out.push(Slot::int(max % 7));
                Ok(10)
            }
            0x2011 => {
                out.extend([
                    Slot::bool(true),
                    Slot::bool(false),
                    Slot::bool(true),
                    Slot::bounded(3),
                    Slot::int(10),
                    Slot::int(20),
                ]);
                Ok(8)
            }
            _ => Err(TrapCode::Arg),
        }
    }
}

/// What a run produced, in a form two runs can be compared by.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// `Ok(values)` when the entry returned, `Err` with the trap code and pc.
    pub result: Result<Vec<Value>, (TrapCode, u32)>,
    pub log: Vec<String>,
    pub cycles: u64,
    pub frame_syncs: u32,
}

/// The [`Console`]'s system calls, for the verifier.
pub struct ConsoleTable;

impl SyscallTable for ConsoleTable {
    fn signature(&self, id: u32) -> Option<(&[SlotKind], &[SlotKind])> {
        use SlotKind::*;
        match id {
            0x5001 => Some((&[Str], &[])),
            0x0011 => Some((&[I32], &[I32])),
            0x2011 => Some((&[], &[Bool, Bool, Bool, U16, I32, I32])),
            _ => None,
        }
    }
}

/// Verifies `program` (every test program must pass) and loads it.
pub fn verified_vm(program: &Program, config: VmConfig) -> Vm {
    let verified = verify_program(program, &ConsoleTable).unwrap_or_else(|e| panic!("{e}"));
    Vm::new(&verified, config).expect("verified program loads")
}

/// Runs export `main` to completion with `budget`-sized slices.
pub fn run_with(program: &Program, config: VmConfig, budget: u64) -> (Vm, Run) {
    run_vm(verified_vm(program, config), budget)
}

/// Runs export `main` of a loaded VM to completion with `budget`-sized slices.
pub fn run_vm(mut vm: Vm, budget: u64) -> (Vm, Run) {
    let mut console = Console::default();
    vm.call_export("main", &[]).expect("main exists");
    let mut frame_syncs = 0;
    let result = loop {
        match vm.run(budget, &mut console) {
            RunOutcome::Returned(values) => {
                break Ok(values
                    .into_iter()
                    .map(|s| vm.value(s))
                    .map(opaque)
                    .collect());
            }
            RunOutcome::Trapped(trap) => break Err((trap.code, trap.pc)),
            RunOutcome::FrameSync => frame_syncs += 1,
            RunOutcome::BudgetExhausted => {}
            RunOutcome::Halted => break Ok(vec![Value::Str("<halt>".into())]),
            RunOutcome::Idle => panic!("idle while running"),
        }
    };
    let cycles = vm.cycles();
    (
        vm,
        Run {
            result,
            log: console.log,
            cycles,
            frame_syncs,
        },
    )
}

/// Handle values depend on gate reuse, which programs cannot observe: compare them as
/// null or not.
fn opaque(v: Value) -> Value {
    match v {
        Value::Handle(h) if !h.is_null() => Value::Str("<handle>".into()),
        v => v,
    }
}

/// Runs `main` with an unlimited budget and default configuration.
pub fn run(text: &str) -> Run {
    run_with(&asm(text), VmConfig::default(), u64::MAX).1
}

/// The single value `main` returned.
pub fn ret(text: &str) -> Value {
    match run(text).result {
        Ok(mut v) if v.len() == 1 => v.remove(0),
        other => panic!("expected one value, got {other:?}\n{text}"),
    }
}

/// The trap `main` raised.
pub fn trap(text: &str) -> TrapCode {
    match run(text).result {
        Err((code, _)) => code,
        other => panic!("expected a trap, got {other:?}\n{text}"),
    }
}

/// A `main` returning one slot of `kind` computed by `body`.
pub fn main_returning(kind: &str, body: &str) -> String {
    format!(
        ".const str \"ab\"\n.const str \"abc\"\n.const str \"b\"\n.func main returns=({kind}) locals=4\n{body}\n    RET\n.export main main\n"
    )
}
