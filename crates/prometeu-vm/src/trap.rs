//! Traps: the defined run-time failures of a verified program (`bytecode.md` §8).

use prometeu_bytecode::Opcode;

/// A trap code. The named constants mirror `prometeu_bytecode::TrapCode` (the table of
/// `bytecode.md` §8, pinned by a test below); the VM's `TRAP` instruction can raise any
/// `u32`, so this is an open newtype rather than the closed enum.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct TrapCode(pub u32);

impl TrapCode {
    /// Access through a handle whose storage was taken or freed (or a null handle).
    pub const DEAD_GATE: TrapCode = TrapCode(0x01);
    /// A view conflicts with an open `mutate` view of the same storage.
    pub const GATE_BUSY: TrapCode = TrapCode(0x02);
    /// Index out of range.
    pub const OOB: TrapCode = TrapCode(0x03);
    /// A system call argument out of its documented range.
    pub const ARG: TrapCode = TrapCode(0x04);
    /// A checked conversion out of range.
    pub const CAST: TrapCode = TrapCode(0x05);
    /// The `TRAP` instruction.
    pub const EXPLICIT: TrapCode = TrapCode(0x06);
    /// Bounded arithmetic out of 0..=65535.
    pub const BOUNDED_OVERFLOW: TrapCode = TrapCode(0x07);
    /// Value stack or call depth limit.
    pub const STACK_OVERFLOW: TrapCode = TrapCode(0x08);
    /// Integer or bounded division or remainder by zero.
    pub const DIV_ZERO: TrapCode = TrapCode(0x0A);
    /// Heap budget exceeded after a full collection.
    pub const HEAP_EXHAUSTED: TrapCode = TrapCode(0x0B);

    /// The entry of `prometeu-bytecode`'s trap table (the single source of names and
    /// meanings) with this code, if any.
    pub fn known(self) -> Option<prometeu_bytecode::TrapCode> {
        prometeu_bytecode::TrapCode::from_code(self.0)
    }

    /// The `TRAP_*` name, when the code is in the table.
    pub fn name(self) -> Option<&'static str> {
        self.known().map(|c| c.name())
    }
}

impl From<prometeu_bytecode::TrapCode> for TrapCode {
    fn from(code: prometeu_bytecode::TrapCode) -> TrapCode {
        TrapCode(code.code())
    }
}

impl std::fmt::Display for TrapCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "TRAP 0x{:02X}", self.0),
        }
    }
}

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
    /// The trap code.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_bytecode_trap_table() {
        use prometeu_bytecode::TrapCode as T;
        let pairs = [
            (TrapCode::DEAD_GATE, T::DeadGate),
            (TrapCode::GATE_BUSY, T::GateBusy),
            (TrapCode::OOB, T::Oob),
            (TrapCode::ARG, T::Arg),
            (TrapCode::CAST, T::Cast),
            (TrapCode::EXPLICIT, T::Explicit),
            (TrapCode::BOUNDED_OVERFLOW, T::BoundedOverflow),
            (TrapCode::STACK_OVERFLOW, T::StackOverflow),
            (TrapCode::DIV_ZERO, T::DivZero),
            (TrapCode::HEAP_EXHAUSTED, T::HeapExhausted),
        ];
        assert_eq!(pairs.len(), T::ALL.len());
        for (ours, theirs) in pairs {
            assert_eq!(ours, TrapCode::from(theirs));
            assert_eq!(ours.known(), Some(theirs));
        }
        assert_eq!(TrapCode::DIV_ZERO.to_string(), "TRAP_DIV_ZERO");
        assert_eq!(TrapCode(0x42).to_string(), "TRAP 0x42");
    }
}
