//! The console itself: loads cartridges, drives the VM frame by frame, performs
//! system calls (drawing, audio mixing, input, log, random) and reports traps.
//!
//! Hosts (a window, an audio device, a test harness) plug in through traits; a
//! headless host lives here. Depends on `prometeu-vm`, `prometeu-abi` and
//! `prometeu-bytecode`, never on an operating-system device.
