//! The system-call boundary: the VM pops the arguments and hands them to the embedder.

use crate::heap::Heap;
use crate::value::{Slot, Tag};
use prometeu_bytecode::{SlotKind, SyscallTable, TrapCode};

/// Implemented by the embedder (the kernel) to perform system calls (`machine.md` §5).
pub trait SyscallHandler {
    /// Performs system call `id` with its flattened argument slots (last argument last)
    /// and pushes its result slots onto `out` (empty on entry). Returns the call's cycle
    /// cost, or a trap (e.g. [`TrapCode::Arg`]). If `out` ends up with a different count
    /// than the program's `SYSC` entry declares, the VM pads with zero slots or
    /// truncates, so a host bug cannot unbalance the stack.
    fn syscall(
        &mut self,
        id: u32,
        args: &SyscallArgs<'_>,
        out: &mut Vec<Slot>,
    ) -> Result<u64, TrapCode>;
}

/// A console without system calls: as a [`SyscallTable`] the verifier rejects every
/// `SYSCALL`, and as a handler every call traps `TRAP_ARG`.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSyscalls;

impl SyscallTable for NoSyscalls {
    fn signature(&self, _: u32) -> Option<(&[SlotKind], &[SlotKind])> {
        None
    }
}

impl SyscallHandler for NoSyscalls {
    fn syscall(&mut self, _: u32, _: &SyscallArgs<'_>, _: &mut Vec<Slot>) -> Result<u64, TrapCode> {
        Err(TrapCode::Arg)
    }
}

/// Read access to strings held in slots (constant-pool or heap).
#[derive(Clone, Copy)]
pub struct Strings<'a> {
    pub(crate) statics: &'a [Box<str>],
    pub(crate) heap: &'a Heap,
}

impl<'a> Strings<'a> {
    /// The text of a string slot; `""` for a slot that holds no string.
    pub fn get(&self, slot: Slot) -> &'a str {
        match slot.tag() {
            Tag::StaticStr => self.statics.get(slot.bits() as usize).map_or("", |s| s),
            Tag::HeapStr => self.heap.heap_str(crate::value::Handle(slot.bits())),
            _ => "",
        }
    }
}

/// The argument slots of one system call, with typed accessors. Out-of-range indices
/// read as zero rather than panicking.
pub struct SyscallArgs<'a> {
    pub(crate) slots: &'a [Slot],
    pub(crate) strings: Strings<'a>,
}

impl<'a> SyscallArgs<'a> {
    /// Number of argument slots.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are no argument slots.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// All argument slots.
    pub fn slots(&self) -> &'a [Slot] {
        self.slots
    }

    /// Slot `i`.
    pub fn slot(&self, i: usize) -> Slot {
        self.slots.get(i).copied().unwrap_or_default()
    }

    /// Slot `i` as an `int`.
    pub fn int(&self, i: usize) -> i32 {
        self.slot(i).as_int()
    }

    /// Slot `i` as a `float`.
    pub fn float(&self, i: usize) -> f64 {
        self.slot(i).as_float()
    }

    /// Slot `i` as a `bounded`.
    pub fn bounded(&self, i: usize) -> u16 {
        self.slot(i).as_bounded()
    }

    /// Slot `i` as a `bool`.
    pub fn bool(&self, i: usize) -> bool {
        self.slot(i).as_bool()
    }

    /// Slot `i` as a string.
    pub fn str(&self, i: usize) -> &'a str {
        self.strings.get(self.slot(i))
    }
}
