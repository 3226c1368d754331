//! The PBC program format and the PVM instruction set.
//!
//! This crate owns the one opcode table (mnemonic, number, immediates, stack effect,
//! cycle cost) and everything generated from it: the encoder and decoder, the PBC
//! container reader and writer, the text assembler and disassembler, and the verifier.
//! It depends on nothing else in the workspace; everything that reads or writes
//! bytecode depends on it.
