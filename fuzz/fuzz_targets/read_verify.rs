//! Arbitrary bytes → `read_program` → `verify_program`: never panics, never hangs, and
//! what the reader accepts the writer reproduces byte for byte. The CRC is repaired
//! first so the fuzzer's mutations reach the section parsers and the verifier.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prometeu_abi::ConsoleSyscalls;
use prometeu_bytecode::{disassemble, read_program, verify_program, write_program};

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    if bytes.len() >= 16 {
        let crc = crc32fast::hash(&bytes[16..]);
        bytes[12..16].copy_from_slice(&crc.to_le_bytes());
    }
    if let Ok(program) = read_program(&bytes) {
        assert_eq!(write_program(&program), bytes);
        let _ = disassemble(&program);
        let _ = verify_program(&program, &ConsoleSyscalls);
    }
});
