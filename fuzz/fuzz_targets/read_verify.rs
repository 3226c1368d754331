//! Arbitrary bytes → `read_program` → `verify_program`: never panics, never hangs, and
//! what the reader accepts the writer reproduces byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prometeu_abi::ConsoleSyscalls;
use prometeu_bytecode::{disassemble, read_program, verify_program, write_program};

fuzz_target!(|data: &[u8]| {
    if let Ok(program) = read_program(data) {
        assert_eq!(write_program(&program), data);
        let _ = disassemble(&program);
        let _ = verify_program(&program, &ConsoleSyscalls);
    }
});
