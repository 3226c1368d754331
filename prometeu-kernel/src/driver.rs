//! The frame driver: the one loop rule every host runs a cartridge by (`toolchain.md`
//! §5). The headless command, the desktop window's console thread and the tests all
//! step a [`Kernel`] through a [`FrameDriver`], so "how many frames", "what a frame that
//! never ends does" and "when a run is over" are decided in one place.
//!
//! A host calls [`FrameDriver::step`] once per tick: headless as fast as it can, the
//! window once per 1/60 s of its fixed-step clock. Between steps a host may do its own
//! work (print a progress line, check Ctrl-C, give the collector idle time).

use crate::host::Host;
use crate::kernel::{Kernel, Tick};

/// Ticks one logical frame may take before the driver reports it as long: five seconds
/// of console time (300 × 2,000,000 cycles).
pub const LONG_FRAME_TICKS: u64 = 300;

/// What the driver does with a logical frame that has taken [`LONG_FRAME_TICKS`] ticks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LongFrame {
    /// End the run with [`Ended::Stalled`] (a headless run of the default length, so a
    /// frame that never ends cannot hang it).
    Stop,
    /// Report [`Step::LongFrame`] once per run and keep running (an explicit
    /// `--frames N`, where a benchmark may do all its work in one frame; a window).
    Warn,
}

/// How a run is bounded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DriverConfig {
    /// Logical frames to present before the run is [`Ended::Done`]; `None` runs until
    /// the cartridge stops (a window).
    pub frames: Option<u64>,
    /// Ticks in total before the run is [`Ended::TickLimit`] (tests' guard); `None` for
    /// no limit.
    pub max_ticks: Option<u64>,
    /// What a long frame does.
    pub long_frame: LongFrame,
}

/// What one [`FrameDriver::step`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    /// A tick ran and the run goes on.
    Ticked(Tick),
    /// A tick ran, and logical frame `n` has now taken [`LONG_FRAME_TICKS`] ticks (reported
    /// once per run, under [`LongFrame::Warn`]); the run goes on.
    LongFrame(u64),
    /// The run is over (no tick ran when it already was).
    Ended(Ended),
}

/// How a run ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ended {
    /// The asked-for frames were presented.
    Done,
    /// The cartridge executed `HALT`.
    Halted,
    /// The cartridge trapped ([`Kernel::trap`] has the report).
    Trapped,
    /// Logical frame `n` took [`LONG_FRAME_TICKS`] ticks under [`LongFrame::Stop`].
    Stalled(u64),
    /// [`DriverConfig::max_ticks`] ticks ran.
    TickLimit,
}

/// Steps a kernel tick by tick and decides when the run is over.
#[derive(Clone, Debug)]
pub struct FrameDriver {
    config: DriverConfig,
    presented: u64,
    ticks: u64,
    ticks_in_frame: u64,
    warned: bool,
    last: Option<Tick>,
    ended: Option<Ended>,
}

impl FrameDriver {
    /// A driver for a run bounded by `config`.
    pub fn new(config: DriverConfig) -> FrameDriver {
        FrameDriver {
            config,
            presented: 0,
            ticks: 0,
            ticks_in_frame: 0,
            warned: false,
            last: None,
            ended: None,
        }
    }

    /// Runs one tick of `kernel` (none when the run is already over).
    pub fn step<H: Host>(&mut self, kernel: &mut Kernel<H>) -> Step {
        if let Some(ended) = self.ended {
            return Step::Ended(ended);
        }
        if self.config.frames.is_some_and(|n| self.presented >= n) {
            return self.end(Ended::Done);
        }
        if self.config.max_ticks.is_some_and(|n| self.ticks >= n) {
            return self.end(Ended::TickLimit);
        }
        let tick = kernel.tick();
        self.ticks += 1;
        self.last = Some(tick);
        match tick {
            Tick::Presented(_) => {
                self.presented += 1;
                self.ticks_in_frame = 0;
            }
            Tick::Initialised => self.ticks_in_frame = 0,
            Tick::Dropped(frame) => {
                self.ticks_in_frame += 1;
                if self.ticks_in_frame == LONG_FRAME_TICKS {
                    match self.config.long_frame {
                        LongFrame::Stop => return self.end(Ended::Stalled(frame)),
                        LongFrame::Warn if !self.warned => {
                            self.warned = true;
                            return Step::LongFrame(frame);
                        }
                        LongFrame::Warn => {}
                    }
                }
            }
            Tick::Halted => return self.end(Ended::Halted),
            Tick::Trapped => return self.end(Ended::Trapped),
        }
        if self.config.frames.is_some_and(|n| self.presented >= n) {
            return self.end(Ended::Done);
        }
        Step::Ticked(tick)
    }

    /// Steps until the run is over; `between` runs before every tick and may stop the
    /// run early by returning `false` (e.g. on Ctrl-C), which returns `None`.
    pub fn run<H: Host>(
        &mut self,
        kernel: &mut Kernel<H>,
        mut between: impl FnMut(&mut Kernel<H>, &FrameDriver) -> bool,
        mut on_long_frame: impl FnMut(&mut Kernel<H>, u64),
    ) -> Option<Ended> {
        loop {
            if !between(kernel, self) {
                return None;
            }
            match self.step(kernel) {
                Step::Ticked(_) => {}
                Step::LongFrame(frame) => on_long_frame(kernel, frame),
                Step::Ended(ended) => return Some(ended),
            }
        }
    }

    fn end(&mut self, ended: Ended) -> Step {
        self.ended = Some(ended);
        Step::Ended(ended)
    }

    /// Logical frames presented so far in this run.
    pub fn presented(&self) -> u64 {
        self.presented
    }

    /// Ticks run so far in this run.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// The last tick's outcome (`None` before the first).
    pub fn last_tick(&self) -> Option<Tick> {
        self.last
    }

    /// How the run ended, once it has.
    pub fn ended(&self) -> Option<Ended> {
        self.ended
    }

    /// The run's bounds.
    pub fn config(&self) -> &DriverConfig {
        &self.config
    }
}
