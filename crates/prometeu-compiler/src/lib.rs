//! Lowers analysed PBS to linked, verified bytecode.
//!
//! Reads the immutable results of `prometeu-analysis` and writes `program.pbc` with its
//! debug map, `symbols.json` and `analysis.json`. Depends on `prometeu-analysis`,
//! `prometeu-bytecode` and `prometeu-abi`; never on the VM.

pub mod exports;
