//! The contract between cartridges and the console.
//!
//! The one system-call table (id, PBS name and signature, slot kinds, cycle cost)
//! that the compiler's prelude, the loader and the kernel all read; the cartridge
//! manifest; trap codes; hardware constants. Depends only on `prometeu-bytecode`.
//!
//! API Boundary: everything here is part of the console's ABI. Ids, slot layouts and
//! costs never change once released; tests pin them to `docs/spec/machine.md` §5 and the
//! prelude in `docs/spec/pbs-language.md` §10.
#![warn(missing_docs)]

pub mod hw;
pub mod manifest;
pub mod syscall;

pub use manifest::{AppMode, Manifest, ManifestError};
/// The trap table (`bytecode.md` §8); defined next to the verifier, which checks
/// `TRAP` codes against it.
pub use prometeu_bytecode::trap::TrapCode;
pub use syscall::{ConsoleSyscalls, SYSCALLS, Syscall, syscall};
