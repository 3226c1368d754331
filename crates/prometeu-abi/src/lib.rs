//! The contract between cartridges and the console.
//!
//! The one system-call table (id, PBS name and signature, slot counts, cycle cost)
//! that the compiler's prelude, the loader and the kernel all read; the cartridge
//! manifest; trap codes; hardware constants. Depends only on `prometeu-bytecode`.
