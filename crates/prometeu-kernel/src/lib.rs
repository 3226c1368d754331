//! The console itself: loads cartridges, drives the VM frame by frame, performs
//! system calls (drawing, audio mixing, input, log, random) and reports traps.
//!
//! Hosts (a window, an audio device, a test harness) plug in through traits; a
//! headless host lives here. Depends on `prometeu-vm`, `prometeu-abi` and
//! `prometeu-bytecode`, never on an operating-system device.
//!
//! The hardware modules (`gfx`, `font`, `sprites`, `audio`, `input`, `random`) are
//! plain Rust with typed arguments: the system-call dispatcher pops VM slots, calls
//! them, turns an [`ArgError`] into `TRAP_ARG` and charges the returned cycles.
#![warn(missing_docs)]

pub mod arg;
pub mod audio;
pub mod cartridge;
pub mod font;
pub mod gfx;
pub mod host;
pub mod input;
pub mod pmc;
pub mod random;
pub mod screenshot;
pub mod sprites;
pub mod wav;

pub use arg::ArgError;
