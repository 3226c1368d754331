//! Round trips: assembly ↔ program ↔ PBC bytes, byte for byte.

mod common;

use std::collections::BTreeSet;

use common::{TestTable, asm, program_text};
use prometeu_bytecode::{
    Instr, Opcode, assemble, disassemble, disassemble_with, read_program, verify_program,
    write_program,
};

#[test]
fn every_opcode_program_verifies_and_round_trips() {
    let program = asm(&program_text("every_opcode.pasm"));
    let used: BTreeSet<Opcode> = Instr::decode_all(&program.code)
        .unwrap()
        .into_iter()
        .map(|(_, i)| i.op)
        .collect();
    let all: BTreeSet<Opcode> = Opcode::ALL.iter().copied().collect();
    let missing: Vec<_> = all.difference(&used).collect();
    assert!(missing.is_empty(), "opcodes not used: {missing:?}");

    verify_program(&program, &TestTable).unwrap_or_else(|e| panic!("{e}"));

    let bytes = write_program(&program);
    let back = read_program(&bytes).unwrap();
    assert_eq!(write_program(&back), bytes);

    let text = disassemble(&back);
    let again = assemble(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(write_program(&again), bytes, "{text}");
    insta::assert_snapshot!("every_opcode_disassembly", text);
}

#[test]
fn annotations_are_comments_above_instructions() {
    let program = asm(".func main\n    PUSH_I32 1\n    POP\n    RET\n");
    let text = disassemble_with(&program, |pc| (pc == 6).then(|| "main.pbs:3  x = 1".into()));
    insta::assert_snapshot!("annotated_disassembly", text);
    assert_eq!(write_program(&asm(&text)), write_program(&program));
}

/// What the disassembler prints for code it cannot fully name: raw jump offsets, bytes
/// that do not decode, NaN payloads, debug names that are not plain words.
#[test]
fn odd_programs_disassemble_readably_and_round_trip() {
    let mut p = asm(
        ".flags 3\n.const f64 bits:0x7FF8000000000001\n.const str \"tab\\tquote\\\"\"\n\
         .func a returns=(f64) max_stack=1\n PUSH_CONST 0\n RET\n\
         .func b\n JMP 3\n PUSH_BOOL 7\n TRAP 99\n .bytes 17 00 01\n\
         .export \"frame\" b\n\
         .debug func a \"Player.update\"\n.debug func b \"weird name\"\n.debug local 0 \"x\"",
    );
    p.debug.as_mut().unwrap().files.push("src/main.pbs".into());
    let text = disassemble(&p);
    insta::assert_snapshot!("odd_disassembly", text);
    assert_eq!(write_program(&asm(&text)), write_program(&p));
}
