//! The Prometeu virtual machine: the interpreter and its garbage-collected heap.
//!
//! Runs verified bytecode with a cycle budget, deterministic suspension, typed
//! instructions and defined traps. Knows nothing of windows, audio devices or files:
//! system calls are handed to the embedder ([`SyscallHandler`]). Depends on
//! `prometeu-bytecode`.
//!
//! # Map
//!
//! * `load` pre-decodes a `Program` into one vector of fixed-size ops
//!   (jump targets resolved to op indices, constants turned into literal pushes, static
//!   cycle costs folded in), checking every index the interpreter later uses unchecked;
//!   common adjacent pairs (`GET_LOCAL; GET_LOCAL`, `PUSH_I32; I_ADD`, …) become
//!   superinstructions that keep exact per-instruction budget semantics.
//! * `facts` infers what verification should hand the VM (stack depths, element sizes
//!   of list instructions); it is a stand-in to be replaced by the verifier's output.
//! * [`Vm`] holds the value stack (frames `[args][locals][operands]`, 65,536 slots), the
//!   globals and the heap, and runs the hot loop: one `match` per op, rare paths
//!   (traps, allocation, system calls) out of line.
//! * `heap` is the gate table, views and the budget; `gc` the incremental collector.
//!
//! # Value representation
//!
//! A [`Slot`] is 64 payload bits plus a one-byte [`Tag`] (16 bytes). Instructions are
//! typed, so the hot loop never branches on the tag: arithmetic reads the payload
//! directly. The tag exists for the collector: roots are precise at *every*
//! instruction boundary (including where the cycle budget suspends the program or a
//! system call runs) without per-pc stack maps, and a slot that is not a handle can
//! never be mistaken for one. The cost is one extra byte store per push, which the
//! dispatch benchmark shows is cheap enough for the speed target.
//!
//! # Architecture invariants
//!
//! * The VM never recurses on the Rust stack per PBS call: a deep PBS recursion traps
//!   `TRAP_STACK_OVERFLOW`, it cannot overflow the host.
//! * No `unsafe`.
//! * Collection is unobservable: results, cycle counts and traps never depend on when,
//!   or whether, the collector ran ([`GcMode::Stress`] tests this).
//! * Everything observable is deterministic; only [`GcStats`] pause times are wall-clock.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod cpu_time;
mod gc;
mod heap;
mod load;
mod syscall;
mod trap;
mod value;
mod vm;

pub use gc::{GcMode, GcPause, GcStats};
pub use load::LoadError;
pub use prometeu_bytecode::TrapCode;
pub use syscall::{NoSyscalls, Strings, SyscallArgs, SyscallHandler};
pub use trap::{FrameInfo, Trap};
pub use value::{Handle, Slot, Tag, Value};
pub use vm::{
    DEFAULT_GC_SLICE_TIME, DEFAULT_HEAP_BUDGET, DEFAULT_MAX_CALL_DEPTH, RunOutcome, STACK_LIMIT,
    StartError, Vm, VmConfig, format_float,
};
