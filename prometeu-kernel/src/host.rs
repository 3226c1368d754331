//! What the kernel needs from the outside world (a window, speakers, a keyboard, a
//! console), as one trait, and a headless host that records everything for tests and
//! `prometeu run --headless`.

use std::fmt;

use crate::audio::AudioFrame;
use crate::gfx::Pixels;
use crate::input::RawInput;

/// A log message's level, printed as `INFO` or `WARN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogLevel {
    /// `Log.info`.
    Info,
    /// `Log.warn`.
    Warn,
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
        })
    }
}

/// The devices a console runs on. The kernel calls these once per logical frame in
/// the order of `machine.md` §1: `sample_input`, then `log` as the cartridge logs,
/// then `present` (skipped on a dropped frame) and `push_audio`.
pub trait Host {
    /// Shows a finished frame; `frame` is the logical frame number (1 for the first
    /// call of `frame()`).
    fn present(&mut self, frame: u64, pixels: &Pixels);
    /// Plays one frame of audio: 800 stereo samples, interleaved L, R.
    fn push_audio(&mut self, samples: &AudioFrame);
    /// Samples the raw input for logical frame `frame`.
    fn sample_input(&mut self, frame: u64) -> RawInput;
    /// Receives one message of the cartridge's log.
    fn log(&mut self, frame: u64, level: LogLevel, message: &str);
}

/// A log line as `toolchain.md` §5 prints it: `FRAME LEVEL MESSAGE`. Line breaks inside
/// the message are written as `\n` (and `\r` as `\r`) so a message stays one line.
pub fn format_log_line(frame: u64, level: LogLevel, message: &str) -> String {
    let mut line = format!("{frame} {level} ");
    for ch in message.chars() {
        match ch {
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c => line.push(c),
        }
    }
    line
}

/// FNV-1a offset basis (64-bit).
pub const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01B3;

/// Continues an FNV-1a 64 hash over `bytes`; start from [`FNV_OFFSET`].
pub fn fnv1a64(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// A frame's stable hash: FNV-1a 64 of its pixels as little-endian `u16`s.
pub fn frame_hash(pixels: &Pixels) -> u64 {
    pixels
        .iter()
        .fold(FNV_OFFSET, |h, p| fnv1a64(h, &p.to_le_bytes()))
}

/// A host with no devices: replays recorded input and records what the console shows,
/// plays and logs.
#[derive(Debug, Clone)]
pub struct HeadlessHost {
    /// Input to replay: entry k−1 is frame k's; other frames see nothing held.
    pub input: Vec<RawInput>,
    /// (logical frame, [`frame_hash`]) of every presented frame, in order.
    pub frame_hashes: Vec<(u64, u64)>,
    /// The last presented frame.
    pub last_frame: Option<Box<Pixels>>,
    /// FNV-1a 64 of all audio so far, samples as little-endian `i16`s.
    pub audio_hash: u64,
    /// Audio frames received.
    pub audio_frames: u64,
    /// Every sample received, when capture was asked for (`--audio-out`).
    pub audio: Option<Vec<i16>>,
    /// Log lines, formatted by [`format_log_line`].
    pub log: Vec<String>,
}

impl Default for HeadlessHost {
    fn default() -> Self {
        HeadlessHost::new()
    }
}

impl HeadlessHost {
    /// A headless host with no input and no audio capture.
    pub fn new() -> HeadlessHost {
        HeadlessHost {
            input: Vec::new(),
            frame_hashes: Vec::new(),
            last_frame: None,
            audio_hash: FNV_OFFSET,
            audio_frames: 0,
            audio: None,
            log: Vec::new(),
        }
    }

    /// This host, replaying `input` (see [`crate::input::read_recording`]).
    pub fn with_input(mut self, input: Vec<RawInput>) -> HeadlessHost {
        self.input = input;
        self
    }

    /// This host, keeping every audio sample in [`HeadlessHost::audio`].
    pub fn capturing_audio(mut self) -> HeadlessHost {
        self.audio = Some(Vec::new());
        self
    }
}

impl Host for HeadlessHost {
    fn present(&mut self, frame: u64, pixels: &Pixels) {
        self.frame_hashes.push((frame, frame_hash(pixels)));
        match &mut self.last_frame {
            Some(last) => last.copy_from_slice(pixels),
            // Through a Vec so the 115 KB frame is never built on the stack.
            None => self.last_frame = pixels.to_vec().into_boxed_slice().try_into().ok(),
        }
    }

    fn push_audio(&mut self, samples: &AudioFrame) {
        self.audio_hash = samples
            .iter()
            .fold(self.audio_hash, |h, s| fnv1a64(h, &s.to_le_bytes()));
        self.audio_frames += 1;
        if let Some(audio) = &mut self.audio {
            audio.extend_from_slice(samples);
        }
    }

    fn sample_input(&mut self, frame: u64) -> RawInput {
        frame
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.input.get(i))
            .copied()
            .unwrap_or_default()
    }

    fn log(&mut self, frame: u64, level: LogLevel, message: &str) {
        self.log.push(format_log_line(frame, level, message));
    }
}
