//! The audio device: ALSA, loaded at run time (`libasound.so.2` through `libloading`),
//! so building the runtime needs no ALSA headers; a machine without the library or a
//! sound card runs muted with one warning.
//!
//! The console thread pushes each frame's 800 stereo samples into a lock-free
//! single-producer single-consumer ring ([`rtrb`]); the audio thread is the device's
//! callback: it takes a period from the ring (silence for what is missing, counted as
//! an underrun), and blocks in `snd_pcm_writei` until the device wants more. Nothing on
//! that thread locks or allocates after it starts.

use std::ffi::{CString, c_char, c_int, c_long, c_uint, c_ulong, c_void};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prometeu_kernel::audio::AudioFrame;

/// Output rate (`machine.md` §4).
pub const SAMPLE_RATE: u32 = 48_000;
/// Stereo frames the audio thread writes at once (5.3 ms).
pub const PERIOD_FRAMES: usize = 256;
/// Ring capacity in `i16` values: four console frames (67 ms), room for the clocks of
/// the console and of the device to drift a little.
pub const RING_VALUES: usize = 4 * prometeu_kernel::audio::FRAME_VALUES;
/// How far ahead of the ring the audio thread starts: one console frame is buffered
/// before playing so the first period does not underrun.
const PRIME_VALUES: usize = prometeu_kernel::audio::FRAME_VALUES;

/// Counters shared by the audio thread and the console.
#[derive(Debug, Default)]
pub struct AudioStats {
    /// Periods the device asked for while the ring had too little (silence played).
    pub underruns: AtomicU64,
    /// Console samples dropped because the ring was full.
    pub overflows: AtomicU64,
    /// `i16` values waiting in the ring at the last period.
    pub fill: AtomicU64,
    /// Periods written to the device.
    pub periods: AtomicU64,
}

/// The console's side of the audio output.
pub struct AudioOut {
    producer: rtrb::Producer<i16>,
    /// Shared counters.
    pub stats: Arc<AudioStats>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AudioOut {
    /// Opens ALSA device `name` (e.g. `default`, or `null` in tests) and starts the
    /// audio thread; the message says why when it cannot.
    pub fn open(name: &str) -> Result<AudioOut, String> {
        let device = Pcm::open(name)?;
        let (producer, consumer) = rtrb::RingBuffer::new(RING_VALUES);
        let stats = Arc::new(AudioStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stats, stop) = (stats.clone(), stop.clone());
            std::thread::Builder::new()
                .name("prometeu-audio".into())
                .spawn(move || device.play(consumer, &stats, &stop))
                .map_err(|e| format!("cannot start the audio thread: {e}"))?
        };
        Ok(AudioOut {
            producer,
            stats,
            stop,
            thread: Some(thread),
        })
    }

    /// Queues one console frame of audio; what does not fit is dropped and counted.
    pub fn push(&mut self, samples: &AudioFrame) {
        let room = self.producer.slots().min(samples.len());
        if let Ok(chunk) = self.producer.write_chunk_uninit(room) {
            chunk.fill_from_iter(samples[..room].iter().copied());
        }
        let dropped = (samples.len() - room) as u64;
        if dropped > 0 {
            self.stats.overflows.fetch_add(dropped, Ordering::Relaxed);
        }
    }

    /// The ring's fill, 0..=100 percent.
    pub fn fill_percent(&self) -> u64 {
        self.stats.fill.load(Ordering::Relaxed) * 100 / RING_VALUES as u64
    }
}

impl Drop for AudioOut {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type OpenFn = unsafe extern "C" fn(*mut *mut c_void, *const c_char, c_int, c_int) -> c_int;
type SetParamsFn =
    unsafe extern "C" fn(*mut c_void, c_int, c_int, c_uint, c_uint, c_int, c_uint) -> c_int;
type WriteiFn = unsafe extern "C" fn(*mut c_void, *const c_void, c_ulong) -> c_long;
type RecoverFn = unsafe extern "C" fn(*mut c_void, c_int, c_int) -> c_int;
type CloseFn = unsafe extern "C" fn(*mut c_void) -> c_int;

/// `SND_PCM_STREAM_PLAYBACK`.
const STREAM_PLAYBACK: c_int = 0;
/// `SND_PCM_FORMAT_S16_LE`.
const FORMAT_S16_LE: c_int = 2;
/// `SND_PCM_ACCESS_RW_INTERLEAVED`.
const ACCESS_RW_INTERLEAVED: c_int = 3;
/// The device's buffer: 40 ms.
const LATENCY_US: c_uint = 40_000;

/// An open ALSA playback device and the library functions it is driven with.
struct Pcm {
    _library: libloading::Library,
    handle: *mut c_void,
    writei: WriteiFn,
    recover: RecoverFn,
    close: CloseFn,
}

// SAFETY: the handle is used by one thread at a time (moved to the audio thread).
unsafe impl Send for Pcm {}

impl Pcm {
    fn open(name: &str) -> Result<Pcm, String> {
        // SAFETY: loading libasound runs its initialisers, which have no preconditions.
        let library = unsafe { libloading::Library::new("libasound.so.2") }
            .map_err(|e| format!("no ALSA library (libasound.so.2): {e}"))?;
        // SAFETY: the signatures are those of alsa-lib's `pcm.h`.
        let (open, set_params, writei, recover, close) = unsafe {
            let sym = |e: libloading::Error| format!("libasound.so.2: {e}");
            (
                *library.get::<OpenFn>(b"snd_pcm_open\0").map_err(sym)?,
                *library
                    .get::<SetParamsFn>(b"snd_pcm_set_params\0")
                    .map_err(sym)?,
                *library.get::<WriteiFn>(b"snd_pcm_writei\0").map_err(sym)?,
                *library
                    .get::<RecoverFn>(b"snd_pcm_recover\0")
                    .map_err(sym)?,
                *library.get::<CloseFn>(b"snd_pcm_close\0").map_err(sym)?,
            )
        };
        let c_name = CString::new(name).map_err(|_| "bad audio device name".to_owned())?;
        let mut handle = std::ptr::null_mut();
        // SAFETY: valid out-pointer and NUL-terminated name.
        let err = unsafe { open(&mut handle, c_name.as_ptr(), STREAM_PLAYBACK, 0) };
        if err < 0 || handle.is_null() {
            return Err(format!("cannot open audio device `{name}` (error {err})"));
        }
        // SAFETY: `handle` is an open PCM.
        let err = unsafe {
            set_params(
                handle,
                FORMAT_S16_LE,
                ACCESS_RW_INTERLEAVED,
                2,
                SAMPLE_RATE,
                1,
                LATENCY_US,
            )
        };
        if err < 0 {
            // SAFETY: open PCM, closed once.
            unsafe { close(handle) };
            return Err(format!(
                "audio device `{name}` refuses 48 kHz stereo 16-bit (error {err})"
            ));
        }
        Ok(Pcm {
            _library: library,
            handle,
            writei,
            recover,
            close,
        })
    }

    /// The audio thread: one period at a time from the ring to the device until `stop`.
    fn play(self, mut ring: rtrb::Consumer<i16>, stats: &AudioStats, stop: &AtomicBool) {
        let mut period = [0i16; PERIOD_FRAMES * 2];
        let period_time = Duration::from_secs_f64(PERIOD_FRAMES as f64 / f64::from(SAMPLE_RATE));
        let started = Instant::now();
        let mut written: u64 = 0;
        let mut primed = false;
        while !stop.load(Ordering::Relaxed) {
            let available = ring.slots();
            stats.fill.store(available as u64, Ordering::Relaxed);
            if !primed && available >= PRIME_VALUES {
                primed = true;
            }
            let take = if primed {
                available.min(period.len())
            } else {
                0
            };
            if let Ok(chunk) = ring.read_chunk(take) {
                let (a, b) = chunk.as_slices();
                period[..a.len()].copy_from_slice(a);
                period[a.len()..a.len() + b.len()].copy_from_slice(b);
                chunk.commit_all();
            }
            if take < period.len() {
                period[take..].fill(0);
                if primed {
                    stats.underruns.fetch_add(1, Ordering::Relaxed);
                }
            }
            // SAFETY: `period` holds PERIOD_FRAMES interleaved stereo frames.
            let n = unsafe {
                (self.writei)(
                    self.handle,
                    period.as_ptr().cast(),
                    PERIOD_FRAMES as c_ulong,
                )
            };
            if n < 0 {
                // An underrun of the device itself (or a suspend): recover and go on.
                // SAFETY: open PCM.
                if unsafe { (self.recover)(self.handle, n as c_int, 1) } < 0 {
                    return;
                }
            }
            stats.periods.fetch_add(1, Ordering::Relaxed);
            written += 1;
            // A device that does not block (ALSA's `null`) would spin: keep to real time.
            let due = period_time * u32::try_from(written).unwrap_or(u32::MAX);
            let elapsed = started.elapsed();
            if due > elapsed + 4 * period_time {
                std::thread::sleep(due - elapsed - 2 * period_time);
            }
        }
    }
}

impl Drop for Pcm {
    fn drop(&mut self) {
        // SAFETY: open PCM, closed once.
        unsafe { (self.close)(self.handle) };
    }
}
