//! The Prometeu virtual machine: the interpreter and its garbage-collected heap.
//!
//! Runs verified bytecode with a cycle budget, deterministic suspension, typed
//! instructions and defined traps. Knows nothing of windows, audio devices or files:
//! system calls are handed to the embedder ([`SyscallHandler`]). Depends on
//! `prometeu-bytecode`.
//!
//! # Map
//!
//! * **API Boundary:** [`Vm::new`] takes a `VerifiedProgram` (only `verify_program`
//!   makes one) and nothing else; a program that loads can only fail by trapping.
//! * `load` pre-decodes it into fixed-size ops (jump targets resolved, static cycle
//!   costs folded in) and `translate` turns each function's stack code into register
//!   forms: with the verifier's stack depth before every instruction, each operand has
//!   a fixed frame slot, so `GET_LOCAL a; GET_LOCAL b; F_MUL; SET_LOCAL c` becomes one
//!   three-address op reading and writing locals directly. Ops without a register form
//!   run as the stack ops they are. `VmConfig::register_forms: false` runs the plain
//!   stack code, the reference the differential tests compare against.
//! * [`Vm`] holds the value stack (frames `[args][locals][constants][operands]`, 65,536
//!   slots), the globals and the heap. Two loops run the ops: a small inner one for
//!   register forms, jumps, calls and returns (its few loop-carried values stay in
//!   registers), which stops before any other op or any op that would trap or take a
//!   slow path; and the outer one, which runs that op (traps, allocation, system calls
//!   out of line) and re-enters the inner loop.
//! * `heap` is the gate table, views and the budget; `gc` the incremental collector;
//!   `cpu_time` reads the thread CPU clock for pause measurements.
//!
//! # One source of truth
//!
//! * What verification proved is read from the `VerifiedProgram`, never re-inferred:
//!   each function's operand-stack depth (`max_stack`, for the `CALL` overflow check)
//!   and the layout of the handle under every `PEEK`, `TAKE` and `LIST_*`
//!   (`handle_layouts`; `LIST_PUSH`/`LIST_SET`/`LIST_INSERT` cannot find their handle
//!   without its element size).
//! * Trap codes are `prometeu-bytecode`'s [`TrapCode`] table itself (re-exported here):
//!   the verifier admits only its codes in `TRAP`, so [`Trap::code`] is always a row.
//!
//! # Value representation
//!
//! A [`Slot`] is 64 payload bits plus a one-byte [`Tag`] (16 bytes). Instructions are
//! typed, so the hot loop never branches on the tag: arithmetic reads the payload
//! directly. The tag exists for the collector: roots are found at *every* step without
//! per-pc stack maps. The verifier does compute frame
//! maps (`safepoints`), but only at allocating instructions, `CALL`, `SYSCALL` and
//! `FRAME_SYNC`, while the host may run a collector slice ([`Vm::gc_slice`]) or pin a
//! value whenever the cycle budget suspended the program, between any two steps. A slot
//! that is not a handle can never be mistaken for one. The cost is one extra byte
//! store per push, which the dispatch benchmark shows is cheap enough. With register
//! forms, a suspended frame's operand slots may also hold stale values (a deferred
//! copy is not written until needed): they are still well-tagged slots, and a stale
//! handle to a freed gate fails the generation check, so at worst an object survives
//! one more collection cycle, which no program can observe.
//!
//! # Garbage collection
//!
//! Incremental tri-colour mark and sweep with a snapshot-at-the-beginning (Yuasa)
//! deletion barrier; dead storage is dropped on a background thread. Every pause on
//! the VM thread is bounded by design, not by luck (issue 5: under 1 ms with 1 million
//! live objects and 100,000 allocations per frame; `benches/gc.rs` measures it in wall
//! and thread CPU time):
//!
//! * a slice does at most 4,096 work units when paced by allocation (16,384 at
//!   `FRAME_SYNC`), and stops once it has run [`VmConfig::gc_slice_time`] (0.5 ms),
//!   reading the clock every 256 units; work it leaves is carried to later slices;
//! * the root snapshot that starts a cycle shades at most 65,536 stack slots plus the
//!   globals and host pins (≈ 0.2 ms measured with a full stack of handles);
//! * `LIST_CLEAR` while marking hands the removed elements to the collector instead of
//!   shading them all at once;
//! * nothing the collector keeps grows by copying: the gate table and the grey stack
//!   are chunked, the free list is threaded through the free gates; lists grow by
//!   `realloc` (the allocator remaps large blocks instead of copying: 0.4 ms measured
//!   for the largest list the 16 MiB budget allows); freeing is off-thread;
//! * the one unbounded pause is the fallback: a full collection when an allocation
//!   does not fit the heap budget (else it would trap `TRAP_HEAP_EXHAUSTED`).
//!
//! # Architecture invariants
//!
//! * The VM never recurses on the Rust stack per PBS call: a deep PBS recursion traps
//!   `TRAP_STACK_OVERFLOW`, it cannot overflow the host.
//! * `unsafe` appears once: the `clock_gettime` call in `cpu_time`.
//! * The register forms are unobservable: results, traps (code and pc) and cycle totals
//!   equal the stack code's at every budget split (`tests/register_forms.rs`, and the
//!   conformance suite runs both). Only where a budget stops may differ: a step is a
//!   whole straight-line run (`machine.md` §1).
//! * Collection is unobservable: results, cycle counts and traps never depend on when,
//!   or whether, the collector ran ([`GcMode::Stress`] and the time-bounded schedules
//!   of the determinism tests check this). The collector's schedule may depend on the
//!   clock (slices stop on a time budget) for exactly that reason.
//! * Everything observable is deterministic; [`GcStats`] are measurements, not results.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod cpu_time;
mod gc;
mod heap;
mod load;
mod syscall;
mod translate;
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
