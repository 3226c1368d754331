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
