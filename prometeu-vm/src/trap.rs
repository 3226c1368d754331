//! Traps: the defined run-time failures of a verified program (`bytecode.md` §8).

use prometeu_bytecode::{Opcode, TrapCode};

/// One entry of a trap's call stack.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FrameInfo {
    /// The function's index in `FUNC`.
    pub func: u32,
    /// Absolute byte offset in `CODE` of the instruction being executed (the faulting
    /// instruction for the innermost frame, the `CALL` for the others).
    pub pc: u32,
}

/// A trap report: what failed, where, and the call stack (innermost first).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Trap {
    /// The trap code: a row of `prometeu-bytecode`'s trap table (the verifier admits
    /// no other code in `TRAP`, and the VM raises no other).
    pub code: TrapCode,
    /// The instruction that trapped.
    pub opcode: Opcode,
    /// Absolute byte offset of that instruction in `CODE` (what the debug map indexes).
    pub pc: u32,
    /// The function that was executing.
    pub func: u32,
    /// The call stack, innermost first; the first entry is `(func, pc)`.
    pub call_stack: Vec<FrameInfo>,
}

impl std::fmt::Display for Trap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {} (function {}, pc {})",
            self.code, self.opcode, self.func, self.pc
        )
    }
}

impl std::error::Error for Trap {}
