//! Arbitrary text → `assemble` → `verify_program`: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prometeu_abi::ConsoleSyscalls;
use prometeu_bytecode::{assemble, verify_program};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(program) = assemble(text) {
            let _ = verify_program(&program, &ConsoleSyscalls);
        }
    }
});
