//! Arbitrary bytes → a verified program → run in the VM twice: with the loader's
//! register forms and as plain stack code. Neither run may panic or hang, and both
//! must end the same way (result slots, trap code and pc, cycle total): the register
//! forms are unobservable (`machine.md` §1). Programs are verified against the console's
//! table; the host answers every system call with nothing (the VM pads the results
//! with zero slots).
#![no_main]

use libfuzzer_sys::fuzz_target;
use prometeu_bytecode::{read_program, verify_program};
use prometeu_abi::ConsoleSyscalls;
use prometeu_vm::{RunOutcome, Slot, SyscallArgs, SyscallHandler, TrapCode, Vm, VmConfig};

/// A host that does nothing and charges 10 cycles per call.
struct Silent;

impl SyscallHandler for Silent {
    fn syscall(&mut self, _: u32, _: &SyscallArgs<'_>, _: &mut Vec<Slot>) -> Result<u64, TrapCode> {
        Ok(10)
    }
}

/// Budget per slice and slices per run: loops stop the run, not the fuzzer.
const SLICE: u64 = 10_000;
const SLICES: usize = 100;

fn run(vm: &mut Vm, func: u32) -> Option<(String, u64)> {
    vm.start_call(func, &[]).ok()?;
    for _ in 0..SLICES {
        match vm.run(SLICE, &mut Silent) {
            RunOutcome::BudgetExhausted | RunOutcome::FrameSync => {}
            RunOutcome::Returned(values) => {
                let shown: Vec<_> = values.iter().map(|s| format!("{:?}", vm.value(*s))).collect();
                return Some((format!("returned {shown:?}"), vm.cycles()));
            }
            RunOutcome::Trapped(trap) => {
                return Some((format!("trap {:?} at {}", trap.code, trap.pc), vm.cycles()));
            }
            other => return Some((format!("{other:?}"), vm.cycles())),
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    if bytes.len() >= 16 {
        let crc = crc32fast::hash(&bytes[16..]);
        bytes[12..16].copy_from_slice(&crc.to_le_bytes());
    }
    let Ok(program) = read_program(&bytes) else { return };
    let Ok(verified) = verify_program(&program, &ConsoleSyscalls) else { return };
    for func in 0..program.functions.len().min(4) as u32 {
        if !program.functions[func as usize].params.is_empty() {
            continue;
        }
        let config = |register_forms| VmConfig {
            register_forms,
            heap_budget: 1 << 20,
            ..VmConfig::default()
        };
        let (Ok(mut fast), Ok(mut plain)) =
            (Vm::new(&verified, config(true)), Vm::new(&verified, config(false)))
        else {
            return;
        };
        let a = run(&mut fast, func);
        let b = run(&mut plain, func);
        // A run cut off by the slice limit may stop at different points.
        if let (Some(a), Some(b)) = (a, b) {
            assert_eq!(a, b, "function {func}");
        }
    }
});
