//! Lowers analysed PBS to linked, verified bytecode.
//!
//! Reads the immutable results of `prometeu-analysis` and writes `program.pbc` with its
//! debug map, `symbols.json` and `analysis.json`. Depends on `prometeu-analysis`,
//! `prometeu-bytecode` and `prometeu-abi`; never on the VM.
//!
//! Map: `layout` (types → slots, heap layouts) → `emit` (the per-function IR and
//! builder) → `lower` (`lower_fn`: statements, expressions, places, patterns) →
//! `link` (`compile`: reachability, globals, encoding, debug map, verification), which
//! runs `inline` (small leaf functions into their callers) before verifying.
#![warn(missing_docs)]

mod emit;
pub mod error;
pub mod exports;
pub mod inline;
mod layout;
pub mod link;
mod lower;

pub use error::{CompileError, CompileErrorKind};
pub use link::{
    CompileOptions, CompiledProgram, FunctionSize, INIT_GLOBALS, compile, compile_with,
};
