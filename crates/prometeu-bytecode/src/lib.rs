//! The PBC program format and the PVM instruction set.
//!
//! This crate owns the one opcode table (mnemonic, number, immediates, stack effect,
//! cycle cost) and everything generated from it: the encoder and decoder, the PBC
//! container reader and writer, the text assembler and disassembler, and the verifier.
//! It depends on nothing else in the workspace; everything that reads or writes
//! bytecode depends on it.

pub mod opcode;
pub mod slot;

pub use opcode::{CostGrowth, Imm, ImmKind, Opcode, StackEffect};
pub use slot::{SlotKind, TypeIndex};
pub mod instr;
pub mod program;

pub use instr::{DecodeError, ImmValue, Instr, encode_all};
pub use program::{
    Constant, DebugFunction, DebugInfo, Export, Function, Global, GlobalInit, Layout, LayoutKind,
    LineRun, Program, SyscallRef,
};
