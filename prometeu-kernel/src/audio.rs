//! The 16-voice mixer (`machine.md` §4, arguments in §5).
//!
//! Bit-for-bit deterministic on every host: phases are `u32` accumulators advanced by
//! an integer step, the sine comes from a table computed by the compiler, noise is a
//! 15-bit LFSR, and mixing is integer arithmetic with a saturating final sum.
//!
//! Commands (`tone`, `stop`) issued during a frame are queued; [`Mixer::mix_frame`]
//! applies them (the `FRAME_SYNC` step) and then produces the frame's 800 samples.
//! Only the last command per voice in a frame matters, so the queue is 16 entries.

use crate::arg::ArgError;

/// Output sample rate in Hz.
pub const SAMPLE_RATE: u32 = 48_000;
/// Stereo sample pairs produced per logical frame (48,000 / 60).
pub const SAMPLES_PER_FRAME: usize = 800;
/// `i16` values per frame: left and right interleaved.
pub const FRAME_VALUES: usize = SAMPLES_PER_FRAME * 2;
/// Number of voices.
pub const VOICES: usize = 16;
/// Lowest and highest tone frequency in Hz (the top stays below the 24 kHz Nyquist limit).
pub const FREQ_RANGE: (i32, i32) = (1, 20_000);
/// Peak amplitude of one voice at volume 255 on a full-gain channel: a quarter of full
/// scale, so four loud voices sum without clipping.
pub const VOICE_PEAK: i64 = 8192;
/// The LFSR state a noise voice starts from.
pub const NOISE_SEED: u16 = 1;

/// One frame of interleaved stereo samples (L, R, L, R, …).
pub type AudioFrame = [i16; FRAME_VALUES];

/// A voice's waveform; the number is `Audio.tone`'s `wave` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wave {
    /// 0: square, 50% duty.
    Square,
    /// 1: triangle.
    Triangle,
    /// 2: rising sawtooth.
    Saw,
    /// 3: sine.
    Sine,
    /// 4: noise from a 15-bit LFSR clocked `freq_hz` times per second.
    Noise,
}

impl Wave {
    /// The wave with `Audio.tone`'s number, or `None`.
    pub fn from_number(n: i32) -> Option<Wave> {
        match n {
            0 => Some(Wave::Square),
            1 => Some(Wave::Triangle),
            2 => Some(Wave::Saw),
            3 => Some(Wave::Sine),
            4 => Some(Wave::Noise),
            _ => None,
        }
    }
}

/// A validated `Audio.tone` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tone {
    /// Waveform.
    pub wave: Wave,
    /// Frequency in Hz, 1..=20000.
    pub freq_hz: u32,
    /// Logical frames to sound for.
    pub frames: u32,
    /// 0..=255.
    pub volume: u8,
    /// 0 left, 128 centre, 255 right.
    pub pan: u8,
}

/// A command waiting for the next `FRAME_SYNC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Tone(Tone),
    Stop,
}

/// One voice's running state.
#[derive(Debug, Clone, Copy)]
struct Voice {
    tone: Tone,
    frames_left: u32,
    phase: u32,
    step: u32,
    lfsr: u16,
    gain_left: i64,
    gain_right: i64,
}

/// The mixer: 16 voices, a per-voice pending command, and the sample generator.
#[derive(Debug, Clone, Default)]
pub struct Mixer {
    voices: [Option<Voice>; VOICES],
    pending: [Option<Command>; VOICES],
}

impl Mixer {
    /// A mixer with every voice silent.
    pub fn new() -> Mixer {
        Mixer::default()
    }

    /// `Audio.tone`: queues a tone on `voice` for the next `FRAME_SYNC`, replacing a
    /// command already queued for it this frame and any tone it is playing.
    ///
    /// Ranges: voice 0..=15, wave 0..=4, freq_hz 1..=20000, frames ≥ 0 (0 silences the
    /// voice), volume and pan 0..=255.
    pub fn tone(
        &mut self,
        voice: i32,
        wave: i32,
        freq_hz: i32,
        frames: i32,
        volume: i32,
        pan: i32,
    ) -> Result<(), ArgError> {
        let voice = check_voice(voice)?;
        let wave = Wave::from_number(wave).ok_or(ArgError {
            arg: "wave",
            value: i64::from(wave),
            expected: "0..=4",
        })?;
        let freq_hz =
            ArgError::check_range("freq_hz", freq_hz, FREQ_RANGE.0, FREQ_RANGE.1, "1..=20000")?;
        let frames = ArgError::check_range("frames", frames, 0, i32::MAX, "0 or more")?;
        let volume = ArgError::check_range("volume", volume, 0, 255, "0..=255")?;
        let pan = ArgError::check_range("pan", pan, 0, 255, "0..=255")?;
        self.pending[voice] = Some(Command::Tone(Tone {
            wave,
            freq_hz: freq_hz as u32,
            frames: frames as u32,
            volume: volume as u8,
            pan: pan as u8,
        }));
        Ok(())
    }

    /// `Audio.stop`: queues silencing `voice` (0..=15) at the next `FRAME_SYNC`.
    pub fn stop(&mut self, voice: i32) -> Result<(), ArgError> {
        let voice = check_voice(voice)?;
        self.pending[voice] = Some(Command::Stop);
        Ok(())
    }

    /// `Audio.playing`: whether `voice` (0..=15) will sound in the next mixed frame, as
    /// of the last `FRAME_SYNC`. Commands queued this frame are not visible yet.
    pub fn playing(&self, voice: i32) -> Result<bool, ArgError> {
        let voice = check_voice(voice)?;
        Ok(self.voices[voice].is_some())
    }

    /// The `FRAME_SYNC` step: applies the frame's queued commands, then mixes and
    /// returns its 800 stereo samples. A voice started with `frames = n` sounds in the
    /// n frames mixed from this one on.
    pub fn mix_frame(&mut self) -> AudioFrame {
        self.apply_pending();
        let mut out = [0i16; FRAME_VALUES];
        let mut mix = [0i32; FRAME_VALUES];
        for slot in &mut self.voices {
            let Some(voice) = slot else { continue };
            for pair in mix.chunks_exact_mut(2) {
                let sample = i64::from(voice.next_sample());
                // |sample · gain| ≤ 32768 · 65025 fits easily in i64; the division
                // truncates toward zero on every host.
                pair[0] += (sample * voice.gain_left / (32768 * 65025 / VOICE_PEAK)) as i32;
                pair[1] += (sample * voice.gain_right / (32768 * 65025 / VOICE_PEAK)) as i32;
            }
            voice.frames_left -= 1;
            if voice.frames_left == 0 {
                *slot = None;
            }
        }
        for (o, m) in out.iter_mut().zip(mix) {
            *o = m.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        }
        out
    }

    fn apply_pending(&mut self) {
        for (slot, command) in self.voices.iter_mut().zip(&mut self.pending) {
            match command.take() {
                None => {}
                Some(Command::Stop) => *slot = None,
                Some(Command::Tone(tone)) => *slot = Voice::start(tone),
            }
        }
    }
}

fn check_voice(voice: i32) -> Result<usize, ArgError> {
    ArgError::check_range("voice", voice, 0, VOICES as i32 - 1, "0..=15").map(|v| v as usize)
}

/// Pan law ("balance"): the centre keeps both channels at full gain and panning fades
/// the far channel: left = min(255, 2·(255 − pan)), right = min(255, 2·pan).
pub fn pan_gains(pan: u8) -> (u8, u8) {
    let pan = u16::from(pan);
    let left = (2 * (255 - pan)).min(255) as u8;
    let right = (2 * pan).min(255) as u8;
    (left, right)
}

impl Voice {
    /// The running voice for `tone`, or `None` for a zero-length tone.
    fn start(tone: Tone) -> Option<Voice> {
        if tone.frames == 0 {
            return None;
        }
        let (left, right) = pan_gains(tone.pan);
        let volume = i64::from(tone.volume);
        Some(Voice {
            tone,
            frames_left: tone.frames,
            phase: 0,
            // freq · 2³² / 48000 < 2³² because freq ≤ 20000.
            step: ((u64::from(tone.freq_hz) << 32) / u64::from(SAMPLE_RATE)) as u32,
            lfsr: NOISE_SEED,
            gain_left: volume * i64::from(left),
            gain_right: volume * i64::from(right),
        })
    }

    /// The next sample of the waveform at full scale (−32768..=32767).
    fn next_sample(&mut self) -> i32 {
        let phase = self.phase;
        let (next, wrapped) = phase.overflowing_add(self.step);
        self.phase = next;
        let top = (phase >> 16) as i32; // 0..=65535
        match self.tone.wave {
            Wave::Square => {
                if phase < 1 << 31 {
                    32767
                } else {
                    -32768
                }
            }
            Wave::Triangle => {
                if top < 32768 {
                    2 * top - 32768
                } else {
                    2 * (65535 - top) - 32767
                }
            }
            Wave::Saw => top - 32768,
            Wave::Sine => sine(phase),
            Wave::Noise => {
                let out = if self.lfsr & 1 == 0 { 32767 } else { -32768 };
                if wrapped {
                    // NES-style long-mode LFSR: feedback = bit0 ^ bit1 into bit 14.
                    let feedback = (self.lfsr ^ (self.lfsr >> 1)) & 1;
                    self.lfsr = (self.lfsr >> 1) | (feedback << 14);
                }
                out
            }
        }
    }
}

/// Entries in the sine table (one full period).
const SINE_LEN: usize = 1024;

/// One period of sine, scaled to ±32767, computed by the compiler (its float arithmetic
/// is the same software implementation everywhere) and pinned by a test hash.
pub const SINE_TABLE: [i16; SINE_LEN] = build_sine_table();

/// Sine of a `u32` phase (2³² = one period): table lookup with linear interpolation.
pub fn sine(phase: u32) -> i32 {
    let index = (phase >> 22) as usize;
    let frac = ((phase >> 6) & 0xFFFF) as i32;
    let a = i32::from(SINE_TABLE[index]);
    let b = i32::from(SINE_TABLE[(index + 1) % SINE_LEN]);
    a + (((b - a) * frac) >> 16)
}

const fn build_sine_table() -> [i16; SINE_LEN] {
    let mut table = [0i16; SINE_LEN];
    let mut i = 0;
    while i < SINE_LEN {
        let angle = 2.0 * std::f64::consts::PI * (i as f64) / (SINE_LEN as f64);
        let s = const_sin(angle) * 32767.0;
        // Round half away from zero without `f64::round` (not const).
        table[i] = if s >= 0.0 {
            (s + 0.5) as i16
        } else {
            (s - 0.5) as i16
        };
        i += 1;
    }
    table
}

/// sin(x) for x in 0..2π by reduction to −π..π and a Taylor series to x²³.
const fn const_sin(x: f64) -> f64 {
    let x = if x > std::f64::consts::PI {
        x - 2.0 * std::f64::consts::PI
    } else {
        x
    };
    let mut term = x;
    let mut sum = x;
    let mut n = 1;
    while n < 12 {
        term = -term * x * x / (((2 * n) * (2 * n + 1)) as f64);
        sum += term;
        n += 1;
    }
    sum
}
