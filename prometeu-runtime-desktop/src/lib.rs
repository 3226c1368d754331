//! The desktop runtime (`toolchain.md` §5): the console in a window, with sound,
//! keyboard, gamepads and the mouse as the touch pointer.
//!
//! Three threads (plus a gamepad poller):
//! * the **console thread** ([`console`], the caller's: a cartridge stays on the
//!   thread that loaded it) owns the kernel and steps it through the
//!   kernel's [`prometeu_kernel::FrameDriver`] on a 60 Hz fixed-step clock
//!   ([`clock`]), gives the garbage collector the idle time before each deadline, and
//!   hands each presented frame to the window;
//! * the **window thread** ([`window`]; X11 lets winit run off the main thread) presents the
//!   latest frame scaled with softbuffer (CPU only), draws the overlays and forwards
//!   input into atomics; it never waits on the console (`try_lock` on the frame);
//! * the **audio thread** ([`audio`]) is ALSA's writer, fed by a lock-free ring.
//!
//! Everything that needs the operating system (libX11/libxcb, libasound) is loaded at
//! run time, so `cargo build` needs no `-dev` package; a machine without a display
//! gets [`WindowError::NoDisplay`], one without sound runs muted with one warning.

pub mod audio;
pub mod clock;
pub mod console;
pub mod gamepad;
pub mod keymap;
pub mod overlay;
pub mod window;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use prometeu_kernel::gfx::Pixels;
use prometeu_kernel::host::LogLevel;
use prometeu_kernel::input::RawInput;
use prometeu_kernel::{Cartridge, Ended, TrapReport};

pub use console::ConsoleReport;
pub use window::{WindowError, check_display, run_window};

/// How a windowed run is set up.
#[derive(Debug, Clone, Default)]
pub struct WindowOptions {
    /// The window's integer scale (`--scale N`); `None` picks the largest that fits
    /// the monitor (×3 at least when ×3 fits).
    pub scale: Option<u32>,
    /// No audio device (`--mute`).
    pub mute: bool,
    /// Stop after this many presented frames (`--frames N`); `None` runs until the
    /// window closes.
    pub frames: Option<u64>,
    /// Replay this input instead of the keyboard (`--input FILE`).
    pub replay: Option<Vec<RawInput>>,
    /// Keep every frame's input for `--record`.
    pub record: bool,
    /// Keep every audio sample for `--audio-out`.
    pub capture_audio: bool,
    /// The ALSA device (`default`; `PROMETEU_AUDIO_DEVICE` overrides it, e.g. `null`).
    pub audio_device: Option<String>,
    /// Attach the kernel's cycle profiler (`--profile`).
    pub profile: bool,
}

/// What the command line does for the runtime, called on the console thread (the
/// thread that called [`run_window`]).
pub trait Embedder {
    /// One line of the cartridge's log.
    fn log(&mut self, frame: u64, level: LogLevel, message: &str);
    /// The cartridge trapped: print the report (with source lines) and return the text
    /// for the trap screen.
    fn trapped(&mut self, report: &TrapReport) -> String;
    /// Asked at every frame boundary: a rebuilt cartridge to swap in, or a failed
    /// build's first error to show (`--watch`).
    fn poll_reload(&mut self) -> Option<Reload>;
    /// A line for the terminal (a screenshot's path, a recording's, a warning).
    fn note(&mut self, message: &str) {
        eprintln!("{message}");
    }
}

/// What a rebuild produced.
#[derive(Debug)]
pub enum Reload {
    /// The new cartridge: it replaces the running one at the next frame boundary.
    Cartridge(Box<Cartridge>),
    /// The build failed: the old cartridge keeps running and this (`file:line:
    /// message` of the first error) shows as a bar in the window.
    Failed(String),
}

/// The latest presented frame, handed from the console to the window.
pub(crate) struct SharedFrame {
    pub pixels: Box<Pixels>,
    /// Logical frame number (0 before the first).
    pub number: u64,
    /// When the key event this frame was the first to see happened (nanoseconds since
    /// [`Shared::epoch`]), for the input-to-photon measure.
    pub input_stamp: Option<u64>,
}

/// Text the console thread asks the window to draw over the picture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Banners {
    /// The trap screen (the cartridge stopped).
    pub trap: Option<String>,
    /// A failed rebuild's first error.
    pub build_error: Option<String>,
    /// Paused (F6).
    pub paused: bool,
    /// Recording input (F9).
    pub recording: bool,
}

/// Live figures for the F3 overlay and the exit report, written by the console thread.
#[derive(Debug, Default)]
pub(crate) struct LiveStats {
    pub frames: AtomicU64,
    /// Cycles of the last presented frame (all its ticks).
    pub frame_cycles: AtomicU64,
    pub heap_bytes: AtomicU64,
    /// Collector time in the last second inside frames and in idle time (µs).
    pub gc_in_frame_us: AtomicU64,
    pub gc_idle_us: AtomicU64,
    pub audio_fill: AtomicU64,
    pub fps_x100: AtomicU64,
}

/// State shared by the window, console and input threads.
pub(crate) struct Shared {
    pub epoch: Instant,
    pub frame: Mutex<SharedFrame>,
    pub banners: Mutex<Banners>,
    /// Keyboard buttons held (bits of [`RawInput::buttons`]).
    pub keys: AtomicU16,
    /// Keys pressed since the last latch, even if already released: a tap shorter than
    /// a frame is still seen (held for one frame), as the recording then replays it.
    pub taps: AtomicU16,
    /// The pointer touched since the last latch.
    pub touch_tap: AtomicBool,
    /// Pad 0's buttons.
    pub pad: AtomicU16,
    /// The pointer: bit 32 set while in contact, x in bits 0..16, y in 16..32 (i16).
    pub touch: AtomicU64,
    /// When the last key or button changed (ns since `epoch`; 0 never).
    pub input_changed: AtomicU64,
    pub stats: LiveStats,
    /// The window closed or the run ended: every thread stops.
    pub quit: AtomicBool,
}

impl Shared {
    pub(crate) fn new() -> Shared {
        Shared {
            epoch: Instant::now(),
            frame: Mutex::new(SharedFrame {
                pixels: black(),
                number: 0,
                input_stamp: None,
            }),
            banners: Mutex::new(Banners::default()),
            keys: AtomicU16::new(0),
            taps: AtomicU16::new(0),
            touch_tap: AtomicBool::new(false),
            pad: AtomicU16::new(0),
            touch: AtomicU64::new(0),
            input_changed: AtomicU64::new(0),
            stats: LiveStats::default(),
            quit: AtomicBool::new(false),
        }
    }

    pub(crate) fn now_ns(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// The live input as the console latches it (once per frame).
    pub(crate) fn raw_input(&self) -> RawInput {
        let tapped = self.touch_tap.swap(false, Ordering::AcqRel);
        let touch = self.touch.load(Ordering::Acquire);
        RawInput {
            buttons: self.keys.load(Ordering::Acquire)
                | self.taps.swap(0, Ordering::AcqRel)
                | self.pad.load(Ordering::Acquire),
            touch: (tapped || touch & (1 << 32) != 0).then(|| {
                (
                    i32::from(touch as u16 as i16),
                    i32::from((touch >> 16) as u16 as i16),
                )
            }),
        }
    }

    pub(crate) fn set_touch(&self, touch: Option<(i32, i32)>) {
        let packed = match touch {
            Some((x, y)) => {
                (1 << 32) | u64::from(x as i16 as u16) | u64::from(y as i16 as u16) << 16
            }
            None => self.touch.load(Ordering::Relaxed) & 0xFFFF_FFFF,
        };
        self.touch.store(packed, Ordering::Release);
        if touch.is_some() {
            self.touch_tap.store(true, Ordering::Release);
        }
    }
}

/// A black screen.
pub(crate) fn black() -> Box<Pixels> {
    vec![0u16; prometeu_kernel::gfx::SCREEN_PIXELS]
        .into_boxed_slice()
        .try_into()
        .unwrap_or_else(|_| unreachable!("the length is the screen's"))
}

/// How a windowed run ended, with what the command line writes afterwards.
#[derive(Debug)]
pub struct WindowRun {
    /// How the driver ended the run; `None` when the window was closed.
    pub ended: Option<Ended>,
    /// What the console thread measured and kept.
    pub console: ConsoleReport,
    /// The window's measures.
    pub window: WindowReport,
}

/// The window thread's measures.
#[derive(Debug, Clone, Default)]
pub struct WindowReport {
    /// Frames shown.
    pub presented: u64,
    /// Key events that reached a presented frame, and the longest time from the event
    /// to the end of presenting the first frame that saw it.
    pub input_events: u64,
    /// The longest input-to-photon time.
    pub input_to_photon_max: Duration,
    /// The window's scale when the run ended.
    pub scale: u32,
}
