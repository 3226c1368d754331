//! The PBC program format and the PVM instruction set.
//!
//! This crate owns the one opcode table (mnemonic, number, immediates, stack effect,
//! cycle cost) and everything generated from it: the encoder and decoder, the PBC
//! container reader and writer, the text assembler and disassembler, and the verifier.
//! It depends on nothing else in the workspace; everything that reads or writes
//! bytecode depends on it.
//!
//! Map: [`opcode`] (the table) → [`instr`] (encoding) → [`program`] (the in-memory
//! image) → [`pbc`] (file bytes), [`asm`]/[`disasm`] (text), [`verify`] (the proof a
//! program cannot crash the VM). [`trap`] is the table of run-time trap codes.
#![warn(missing_docs)]

pub mod asm;
pub mod disasm;
pub mod instr;
pub mod opcode;
pub mod pbc;
pub mod program;
mod pstack;
mod pvec;
pub mod slot;
pub mod trap;
pub mod verify;

pub use asm::{AsmError, assemble};
pub use disasm::{disassemble, disassemble_with};
pub use instr::{DecodeError, ImmValue, Instr, encode_all};
pub use opcode::{CostGrowth, Imm, ImmKind, Opcode, StackEffect};
pub use pbc::{PbcError, read_program, write_program};
pub use program::{
    Constant, DebugFunction, DebugInfo, Export, Function, Global, GlobalInit, Layout, LayoutKind,
    LineRun, Program, SyscallRef,
};
pub use slot::{SlotKind, TypeIndex};
pub use trap::TrapCode;
pub use verify::{
    Rule, Safepoint, SyscallTable, UNREACHED, VerifiedFunction, VerifiedProgram, VerifyError,
    verify_program,
};
