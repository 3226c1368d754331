//! Stack growth for recursive walks over syntax trees.
//!
//! The parser bounds *source nesting* (`MAX_DEPTH`), but a flat chain such as
//! `a + b + … + z`, `x as int as int …`, `p.f().f()…` or an `else if` ladder is one level
//! of source nesting and still a tree as deep as the chain is long. Every phase that walks
//! such a tree recursively (type checking, folding, lowering, JSON export) calls
//! [`ensure_sufficient_stack`] at its recursive entry point: when less than a red zone
//! of stack is left, the walk continues on a new segment allocated on the heap. Memory
//! then grows in proportion to the input, and no input can overflow the thread's stack.
//! This is what rustc does (`rustc_data_structures::stack`) with the same crate.

/// Stack that must remain before a recursive step; a step that has less continues on a
/// new segment. Large enough for the biggest frame between two checks in a debug build.
const RED_ZONE: usize = 256 * 1024;

/// Size of each new stack segment.
const SEGMENT_SIZE: usize = 4 * 1024 * 1024;

/// Runs `step` (one level of a recursive walk) with at least the red zone (256 KiB) of
/// stack left.
#[inline]
pub fn ensure_sufficient_stack<R>(step: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT_SIZE, step)
}
