//! The Prometeu virtual machine: the interpreter and its garbage-collected heap.
//!
//! Runs verified bytecode with a cycle budget, deterministic suspension, typed
//! instructions and defined traps. Knows nothing of windows, audio devices or files:
//! system calls are handed to the embedder. Depends on `prometeu-bytecode` and
//! `prometeu-abi`.
