//! The console thread: the kernel on a 60 Hz fixed-step clock, through the kernel's
//! one [`FrameDriver`], with the collector in the idle time before each deadline.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use prometeu_kernel::audio::AudioFrame;
use prometeu_kernel::gfx::Pixels;
use prometeu_kernel::host::{FNV_OFFSET, LogLevel, fnv1a64};
use prometeu_kernel::input::{RawInput, write_recording};
use prometeu_kernel::{
    Cartridge, DriverConfig, Ended, FrameDriver, Host, Kernel, KernelConfig, LongFrame, Step,
    TrapReport,
};

use crate::audio::AudioOut;
use crate::clock::{FixedClock, sleep_until};
use crate::{Embedder, Reload, Shared, WindowOptions};

/// Idle time the collector leaves before the next deadline: the scheduler's wake-up
/// granularity plus one slice's overshoot.
pub const IDLE_GC_MARGIN: Duration = Duration::from_millis(2);
/// Work units of one idle-time collector slice (each slice is also bounded by the
/// VM's 0.5 ms slice time).
pub const IDLE_GC_SLICE_WORK: u64 = 16_384;

/// What the window asks the console thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// F5: restart the cartridge.
    Restart,
    /// F6: pause or resume.
    Pause,
    /// F7: one frame while paused.
    Step,
    /// F9: start or stop recording input to a file.
    ToggleRecording,
    /// The window closed.
    Quit,
}

/// What the console thread measured and kept for the command line.
#[derive(Debug, Clone, Default)]
pub struct ConsoleReport {
    /// Frames presented.
    pub frames: u64,
    /// Wall time from the first tick to the last.
    pub wall: Duration,
    /// Ticks of the clock, their mean and latest lateness, and schedule resets.
    pub ticks: u64,
    /// Mean lateness of a tick's start against its deadline.
    pub lateness_mean: Duration,
    /// Latest a tick started.
    pub lateness_max: Duration,
    /// Ticks whose work ran past the next deadline (frames shown late).
    pub overruns: u64,
    /// Of those, how many would have been in time without the collector's CPU time
    /// inside the tick (frames dropped because of the collector).
    pub overruns_from_gc: u64,
    /// The longest collector time inside one tick (the frame's critical path), by
    /// wall clock (preemption included).
    pub gc_in_frame_max: Duration,
    /// The same by the console thread's CPU time: the collector's own work.
    pub gc_cpu_in_frame_max: Duration,
    /// Total collector time inside ticks and in idle time.
    pub gc_in_frames: Duration,
    /// Total collector time in idle time.
    pub gc_idle: Duration,
    /// The collector's counters at the end.
    pub gc: prometeu_vm::GcStats,
    /// Audio periods that found the ring short, and samples dropped for a full ring;
    /// `None` when muted.
    pub audio_underruns: Option<(u64, u64)>,
    /// The last presented frame.
    pub last_frame: Option<Box<Pixels>>,
    /// Every frame's input, with `record`.
    pub recorded: Vec<RawInput>,
    /// Every audio sample, with `capture_audio`.
    pub audio: Option<Vec<i16>>,
    /// FNV-1a 64 of all audio (as the headless host's).
    pub audio_hash: u64,
    /// The trap that stopped the cartridge, if any.
    pub trap: Option<TrapReport>,
    /// Cartridges swapped in by `--watch`.
    pub reloads: u64,
    /// The VM's cycles at the end (of the cartridge running last).
    pub cycles: u64,
    /// The cycle profile, with `profile`.
    pub profile: Option<prometeu_kernel::profile::Profile>,
}

/// The kernel's host inside the console thread.
pub(crate) struct ConsoleHost<'e> {
    shared: Arc<Shared>,
    embedder: &'e mut dyn Embedder,
    audio: Option<AudioOut>,
    replay: Option<Vec<RawInput>>,
    record_all: Option<Vec<RawInput>>,
    /// F9's recording in progress.
    recording: Option<Vec<RawInput>>,
    capture: Option<Vec<i16>>,
    audio_hash: u64,
    last_input_change: u64,
    pending_stamp: Option<u64>,
    presented: u64,
    last_frame: Option<Box<Pixels>>,
}

impl Host for ConsoleHost<'_> {
    fn present(&mut self, frame: u64, pixels: &Pixels) {
        self.presented += 1;
        match &mut self.last_frame {
            Some(last) => last.copy_from_slice(pixels),
            None => self.last_frame = pixels.to_vec().into_boxed_slice().try_into().ok(),
        }
        // The window holds this lock only to copy the frame out.
        if let Ok(mut shared) = self.shared.frame.lock() {
            shared.pixels.copy_from_slice(pixels);
            shared.number = frame;
            shared.input_stamp = self.pending_stamp.take();
        }
    }

    fn push_audio(&mut self, samples: &AudioFrame) {
        self.audio_hash = samples
            .iter()
            .fold(self.audio_hash, |h, s| fnv1a64(h, &s.to_le_bytes()));
        if let Some(capture) = &mut self.capture {
            capture.extend_from_slice(samples);
        }
        if let Some(audio) = &mut self.audio {
            audio.push(samples);
        }
    }

    fn sample_input(&mut self, frame: u64) -> RawInput {
        let raw = match &self.replay {
            Some(replay) => frame
                .checked_sub(1)
                .and_then(|i| replay.get(usize::try_from(i).ok()?))
                .copied()
                .unwrap_or_default(),
            None => {
                let changed = self.shared.input_changed.load(Ordering::Acquire);
                if changed != self.last_input_change {
                    self.last_input_change = changed;
                    self.pending_stamp = Some(changed);
                }
                self.shared.raw_input()
            }
        };
        if let Some(recorded) = &mut self.record_all {
            recorded.push(raw);
        }
        if let Some(recording) = &mut self.recording {
            recording.push(raw);
        }
        raw
    }

    fn log(&mut self, frame: u64, level: LogLevel, message: &str) {
        self.embedder.log(frame, level, message);
    }
}

/// The kernel settings of a windowed run: the collector's `FRAME_SYNC` slice is left
/// to the idle time (collection is unobservable, so this changes no result).
pub fn window_kernel_config() -> KernelConfig {
    let mut config = KernelConfig::default();
    config.vm.frame_slice_work = 0;
    config.vm.gc_in_idle_time = true;
    // Collector time inside a frame is judged by the console thread's CPU time, so
    // that being preempted on a busy machine is not blamed on the collector.
    config.vm.gc_cpu_timing = true;
    config
}

/// Runs the console until the driver ends the run, the window closes, or (without a
/// frame limit) forever; returns how it ended.
pub(crate) fn run_console(
    cartridge: Cartridge,
    options: &WindowOptions,
    embedder: &mut dyn Embedder,
    shared: Arc<Shared>,
    commands: Receiver<Command>,
    wake_window: impl Fn(),
) -> (Option<Ended>, ConsoleReport) {
    let audio = if options.mute {
        None
    } else {
        let device = std::env::var("PROMETEU_AUDIO_DEVICE")
            .ok()
            .or_else(|| options.audio_device.clone())
            .unwrap_or_else(|| "default".to_owned());
        match AudioOut::open(&device) {
            Ok(audio) => Some(audio),
            Err(e) => {
                embedder.note(&format!("warning: {e}; running muted"));
                None
            }
        }
    };
    let host = ConsoleHost {
        shared: shared.clone(),
        embedder,
        audio,
        replay: options.replay.clone(),
        record_all: options.record.then(Vec::new),
        recording: None,
        capture: options.capture_audio.then(Vec::new),
        audio_hash: FNV_OFFSET,
        last_input_change: 0,
        pending_stamp: None,
        presented: 0,
        last_frame: None,
    };
    let driver_config = DriverConfig {
        frames: options.frames,
        max_ticks: None,
        long_frame: LongFrame::Warn,
    };
    let mut report = ConsoleReport::default();
    let mut kernel = match Kernel::with_config(cartridge.clone(), host, window_kernel_config()) {
        Ok(kernel) => kernel,
        Err(e) => {
            shared.quit.store(true, Ordering::Release);
            wake_window();
            eprintln!("error: {e}");
            return (Some(Ended::Trapped), report);
        }
    };
    if options.profile {
        kernel.set_profiler(prometeu_kernel::profile::Profiler::new());
    }
    let mut cartridge = cartridge;
    let mut driver = FrameDriver::new(driver_config);
    let mut clock = FixedClock::new(Instant::now());
    let started = Instant::now();
    let mut paused = false;
    let mut step_once = false;
    let mut second = (Instant::now(), 0u64, Duration::ZERO, Duration::ZERO);
    let mut frame_cycles_start = 0u64;
    let ended = loop {
        if shared.quit.load(Ordering::Acquire) {
            break None;
        }
        let mut restart = false;
        while let Ok(command) = commands.try_recv() {
            match command {
                Command::Quit => {
                    shared.quit.store(true, Ordering::Release);
                }
                Command::Restart => restart = true,
                Command::Pause => paused = !paused,
                Command::Step => step_once = true,
                Command::ToggleRecording => toggle_recording(&mut kernel),
            }
        }
        if shared.quit.load(Ordering::Acquire) {
            break None;
        }
        // Between two frames (not inside one a budget suspended): swap a rebuilt cart.
        if !kernel.vm().is_running() {
            match kernel.host_mut().embedder.poll_reload() {
                Some(Reload::Cartridge(new)) => {
                    cartridge = *new;
                    kernel.host_mut().pending_stamp = None;
                    report.reloads += 1;
                    restart = true;
                    set_banner(&shared, |b| b.build_error = None);
                }
                Some(Reload::Failed(first)) => set_banner(&shared, |b| b.build_error = Some(first)),
                None => {}
            }
        }
        if restart {
            match kernel.restart(cartridge.clone()) {
                Ok(()) => {
                    driver = FrameDriver::new(DriverConfig {
                        frames: options.frames.map(|n| n.saturating_sub(report.frames)),
                        ..driver_config
                    });
                    frame_cycles_start = 0;
                    set_banner(&shared, |b| b.trap = None);
                }
                Err(e) => set_banner(&shared, |b| b.build_error = Some(e.to_string())),
            }
        }
        set_banner(&shared, |b| {
            b.paused = paused;
            b.recording = kernel.host().recording.is_some();
        });
        sleep_until(clock.deadline());
        let now = Instant::now();
        clock.start_tick(now);
        let deadline = clock.deadline();
        if driver.ended() == Some(Ended::Trapped) || (paused && !std::mem::take(&mut step_once)) {
            // Nothing runs; keep the clock going so the window stays responsive.
            continue;
        }
        let gc_before = kernel.vm().gc_stats();
        let presented_before = driver.presented();
        let step = driver.step(&mut kernel);
        let gc_after = kernel.vm().gc_stats();
        let gc_in_tick = gc_after.total_pause - gc_before.total_pause;
        let gc_cpu_in_tick = gc_after.total_pause_cpu - gc_before.total_pause_cpu;
        report.gc_in_frames += gc_in_tick;
        report.gc_in_frame_max = report.gc_in_frame_max.max(gc_in_tick);
        report.gc_cpu_in_frame_max = report.gc_cpu_in_frame_max.max(gc_cpu_in_tick);
        second.2 += gc_in_tick;
        if Instant::now() > deadline {
            report.overruns += 1;
            // Late because of the collector: without its CPU time the tick would have
            // ended in time.
            if Instant::now() - gc_cpu_in_tick <= deadline && !gc_cpu_in_tick.is_zero() {
                report.overruns_from_gc += 1;
            }
        }
        // The tick that ends a `--frames` run presents too.
        if driver.presented() > presented_before {
            report.frames += 1;
            let cycles = kernel.vm().cycles();
            shared
                .stats
                .frame_cycles
                .store(cycles - frame_cycles_start, Ordering::Relaxed);
            frame_cycles_start = cycles;
            wake_window();
        }
        match step {
            Step::Ticked(_) | Step::LongFrame(_) => {}
            Step::Ended(Ended::Trapped) => {
                if let Some(trap) = kernel.trap().cloned() {
                    let text = kernel.host_mut().embedder.trapped(&trap);
                    set_banner(&shared, |b| b.trap = Some(text));
                    report.trap = Some(trap);
                }
                wake_window();
                if options.frames.is_some() {
                    break Some(Ended::Trapped);
                }
                continue;
            }
            Step::Ended(ended) => break Some(ended),
        }
        // The idle time until the next deadline belongs to the collector.
        let idle = idle_gc(&mut kernel, deadline);
        report.gc_idle += idle;
        second.3 += idle;
        let stats = &shared.stats;
        stats.frames.store(report.frames, Ordering::Relaxed);
        stats
            .heap_bytes
            .store(kernel.vm().heap_used(), Ordering::Relaxed);
        if let Some(audio) = &kernel.host().audio {
            stats
                .audio_fill
                .store(audio.fill_percent(), Ordering::Relaxed);
        }
        if second.0.elapsed() >= Duration::from_secs(1) {
            let secs = second.0.elapsed().as_secs_f64();
            stats.fps_x100.store(
                ((report.frames - second.1) as f64 * 100.0 / secs) as u64,
                Ordering::Relaxed,
            );
            stats
                .gc_in_frame_us
                .store(second.2.as_micros() as u64, Ordering::Relaxed);
            stats
                .gc_idle_us
                .store(second.3.as_micros() as u64, Ordering::Relaxed);
            second = (
                Instant::now(),
                report.frames,
                Duration::ZERO,
                Duration::ZERO,
            );
        }
    };
    shared.quit.store(true, Ordering::Release);
    wake_window();
    report.wall = started.elapsed();
    report.ticks = clock.ticks;
    report.lateness_mean = clock.lateness_mean();
    report.lateness_max = clock.lateness_max;
    report.gc = kernel.vm().gc_stats();
    report.cycles = kernel.vm().cycles();
    report.profile = kernel.take_profile();
    if report.trap.is_none() {
        report.trap = kernel.trap().cloned();
    }
    let mut host = kernel.into_host();
    if host.recording.is_some() {
        finish_recording(&mut host);
    }
    report.audio_underruns = host.audio.as_ref().map(|a| {
        (
            a.stats.underruns.load(Ordering::Relaxed),
            a.stats.overflows.load(Ordering::Relaxed),
        )
    });
    report.last_frame = host.last_frame.take();
    report.recorded = host.record_all.take().unwrap_or_default();
    report.audio = host.capture.take();
    report.audio_hash = host.audio_hash;
    (ended, report)
}

/// Collector slices until the next deadline is [`IDLE_GC_MARGIN`] away or there is no
/// work left; returns the time spent.
fn idle_gc<H: Host>(kernel: &mut Kernel<H>, deadline: Instant) -> Duration {
    let before = kernel.vm().gc_stats();
    loop {
        if Instant::now() + IDLE_GC_MARGIN >= deadline {
            break;
        }
        let work = kernel.vm().gc_stats().work;
        kernel.vm_mut().gc_slice(IDLE_GC_SLICE_WORK);
        if kernel.vm().gc_stats().work == work {
            break;
        }
    }
    kernel.vm().gc_stats().total_pause - before.total_pause
}

fn set_banner(shared: &Shared, change: impl FnOnce(&mut crate::Banners)) {
    if let Ok(mut banners) = shared.banners.lock() {
        change(&mut banners);
    }
}

fn toggle_recording(kernel: &mut Kernel<ConsoleHost<'_>>) {
    let host = kernel.host_mut();
    if host.recording.is_some() {
        finish_recording(host);
    } else {
        host.recording = Some(Vec::new());
        host.embedder.note("recording input (F9 stops)");
    }
}

/// Writes F9's recording to `prometeu-input-SECONDS.txt` in the working directory.
fn finish_recording(host: &mut ConsoleHost<'_>) {
    let Some(frames) = host.recording.take() else {
        return;
    };
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let path = std::path::PathBuf::from(format!("prometeu-input-{stamp}.txt"));
    let message = match std::fs::write(&path, write_recording(&frames)) {
        Ok(()) => format!(
            "recorded {} frames of input to {} (replay with --input)",
            frames.len(),
            path.display()
        ),
        Err(e) => format!("warning: cannot write {}: {e}", path.display()),
    };
    host.embedder.note(&message);
}
