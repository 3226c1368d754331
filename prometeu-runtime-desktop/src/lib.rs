//! The desktop runtime: a window, an audio device and input devices for the kernel.
//!
//! Implements the kernel's host traits on top of the operating system and drives the
//! garbage collector between frames. Depends on `prometeu-kernel` and below.
