//! Property tests: container and text round trips on arbitrary programs, random
//! well-typed programs always verify, and no input makes a reader panic.

mod arbitrary;
mod common;

use common::{TestTable, asm, program_text};
use prometeu_bytecode::{assemble, disassemble, read_program, verify_program, write_program};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// write → read gives the same program, and writing it again the same bytes.
    #[test]
    fn write_read_identity(p in arbitrary::program()) {
        let bytes = write_program(&p);
        let back = read_program(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(format!("{back:?}"), format!("{p:?}"));
        prop_assert_eq!(write_program(&back), bytes);
    }

    /// disassemble → assemble writes identical bytes, for any program whose functions
    /// tile the code (valid or not).
    #[test]
    fn disassembly_reassembles_byte_for_byte(p in arbitrary::program()) {
        let text = disassemble(&p);
        let back = assemble(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(write_program(&back), write_program(&p), "{}", text);
    }

    /// Random well-typed programs (straight line, branches, loops, calls, heap and list
    /// operations, system calls) verify, and survive the container and text round trips.
    #[test]
    fn well_typed_programs_verify(
        choices in prop::collection::vec(any::<u32>(), 0..400),
        functions in 1usize..4,
    ) {
        let text = arbitrary::WellTyped::program(choices, functions);
        let p = assemble(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        if let Err(e) = verify_program(&p, &TestTable) {
            return Err(TestCaseError::fail(format!("{e}\n{text}")));
        }
        let bytes = write_program(&p);
        let back = read_program(&bytes).unwrap();
        prop_assert!(verify_program(&back, &TestTable).is_ok());
        prop_assert_eq!(write_program(&assemble(&disassemble(&back)).unwrap()), bytes);
    }

    /// The verifier never panics on arbitrary programs (any instructions, any tables).
    #[test]
    fn verifier_never_panics(p in arbitrary::program()) {
        let _ = verify_program(&p, &TestTable);
        for index in 0..p.functions.len() as u32 {
            let _ = prometeu_bytecode::verify::compute_max_stack(&p, index);
        }
    }

    /// The assembler never panics on arbitrary text.
    #[test]
    fn assembler_never_panics(text in "(\\PC|[\\n;\"().=,:]){0,200}") {
        let _ = assemble(&text);
    }

    /// …nor on valid assembly with one line replaced or cut.
    #[test]
    fn assembler_never_panics_on_damaged_programs(line in 0usize..400, cut in 0usize..60, junk in "\\PC{0,20}") {
        let text = program_text("every_opcode.pasm");
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let i = line % lines.len();
        let l = &lines[i];
        let keep = l.char_indices().nth(cut).map_or(l.len(), |(b, _)| b);
        lines[i] = format!("{}{junk}", &l[..keep]);
        let _ = assemble(&lines.join("\n"));
    }

    /// The reader and the verifier never panic on arbitrary bytes.
    #[test]
    fn reader_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(p) = read_program(&bytes) {
            let _ = verify_program(&p, &TestTable);
        }
    }

    /// …nor on valid files with bit flips, truncations and splices, with the CRC
    /// repaired so the damage reaches the section parsers.
    #[test]
    fn reader_never_panics_on_damaged_files(
        p in arbitrary::program(),
        edits in prop::collection::vec((0u8..4, any::<usize>(), any::<u8>()), 1..4),
        fix_crc in any::<bool>(),
    ) {
        let mut bytes = write_program(&p);
        damage(&mut bytes, &edits, fix_crc);
        if let Ok(p) = read_program(&bytes) {
            let _ = verify_program(&p, &TestTable);
            // What the reader accepts, the writer reproduces exactly.
            prop_assert_eq!(write_program(&p), bytes);
        }
    }
}

/// Applies `(kind, position, byte)` edits: flip a bit, truncate, insert, overwrite.
fn damage(bytes: &mut Vec<u8>, edits: &[(u8, usize, u8)], fix_crc: bool) {
    for &(kind, at, b) in edits {
        let at = at % (bytes.len() + 1);
        match kind {
            0 if at < bytes.len() => bytes[at] ^= 1 << (b % 8),
            1 => bytes.truncate(at),
            2 => bytes.insert(at, b),
            _ if at < bytes.len() => bytes[at] = b,
            _ => {}
        }
    }
    if fix_crc && bytes.len() >= 16 {
        let crc = crc32fast::hash(&bytes[16..]);
        bytes[12..16].copy_from_slice(&crc.to_le_bytes());
    }
}

/// A long-running variant of the damaged-file test: `cargo test -p prometeu-bytecode
/// --test proptests -- --ignored`.
#[test]
#[ignore]
fn reader_fuzz_long() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 2_000_000,
        ..ProptestConfig::default()
    });
    let valid = write_program(&asm(&program_text("every_opcode.pasm")));
    runner
        .run(
            &(
                prop::collection::vec((0u8..4, any::<usize>(), any::<u8>()), 1..6),
                any::<bool>(),
            ),
            |(edits, fix_crc)| {
                let mut bytes = valid.clone();
                damage(&mut bytes, &edits, fix_crc);
                if let Ok(p) = read_program(&bytes) {
                    let _ = verify_program(&p, &TestTable);
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Prints reader and verifier throughput on a large generated program:
/// `cargo test --release -p prometeu-bytecode --test proptests -- --ignored throughput --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let choices: Vec<u32> = (0..400_000u32)
        .map(|i| i.wrapping_mul(2_654_435_761).rotate_left(13))
        .collect();
    let text = arbitrary::WellTyped::program(choices, 1000);
    let t = std::time::Instant::now();
    let p = assemble(&text).unwrap();
    let asm_time = t.elapsed();
    let bytes = write_program(&p);
    let instrs = prometeu_bytecode::Instr::decode_all(&p.code).unwrap().len();
    let t = std::time::Instant::now();
    let p = read_program(&bytes).unwrap();
    let read_time = t.elapsed();
    let runs = 10;
    let t = std::time::Instant::now();
    for _ in 0..runs {
        verify_program(&p, &TestTable).unwrap();
    }
    let verify_time = t.elapsed() / runs;
    println!(
        "{} functions, {instrs} instructions, {} bytes: assemble {asm_time:?}, read {read_time:?}, verify {verify_time:?} ({:.1} M instr/s)",
        p.functions.len(),
        bytes.len(),
        instrs as f64 / verify_time.as_secs_f64() / 1e6
    );
}
