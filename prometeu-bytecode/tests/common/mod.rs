//! Helpers shared by the integration tests.
#![allow(dead_code)]

use prometeu_bytecode::{Program, SlotKind, SyscallTable, assemble};

/// A small console table for tests (the real one lives in `prometeu-abi`).
pub struct TestTable;

const I: SlotKind = SlotKind::I32;
const S: SlotKind = SlotKind::Str;
const U: SlotKind = SlotKind::U16;
const B: SlotKind = SlotKind::Bool;

impl SyscallTable for TestTable {
    fn signature(&self, id: u32) -> Option<(&[SlotKind], &[SlotKind])> {
        match id {
            0x0010 => Some((&[], &[I])),
            0x0011 => Some((&[I], &[I])),
            0x1010 => Some((&[U], &[])),
            0x2011 => Some((&[], &[B, B, B, U, I, I])),
            0x5001 => Some((&[S], &[])),
            _ => None,
        }
    }
}

/// Reads a test program from `tests/programs/`.
pub fn program_text(name: &str) -> String {
    let path = format!("{}/tests/programs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Assembles text that must be valid assembly.
pub fn asm(text: &str) -> Program {
    assemble(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}
