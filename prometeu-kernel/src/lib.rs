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
//!
//! Map: [`pmc`] (the `.pmc` archive) → [`cartridge`] (a directory or `.pmc` checked into
//! a [`Cartridge`]) → [`kernel`] ([`Kernel::tick`]: the frame loop and the system-call
//! dispatcher) → [`trap_report`] (what a trap prints). Start with `kernel`.
#![warn(missing_docs)]

pub mod arg;
pub mod audio;
pub mod cartridge;
pub mod driver;
pub mod font;
pub mod gfx;
pub mod host;
pub mod input;
pub mod kernel;
pub mod pmc;
pub mod profile;
pub mod random;
pub mod screenshot;
pub mod sprites;
pub mod trap_report;
pub mod wav;

pub use arg::ArgError;
pub use cartridge::{Cartridge, CartridgeError, load_cartridge};
pub use driver::{DriverConfig, Ended, FrameDriver, LongFrame, Step};
pub use host::{HeadlessHost, Host};
pub use kernel::{Kernel, KernelConfig, RunSummary, Tick};
pub use trap_report::TrapReport;
