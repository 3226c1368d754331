//! The kernel (`machine.md` §1, §6): runs a cartridge tick by tick on a host, with the
//! cycle budget, the system calls and the garbage collector's frame slices.
//!
//! One [`Kernel::tick`] is one 60 Hz tick of the console. A tick gives the program
//! [`FRAME_BUDGET_CYCLES`] cycles. Before the first frame the kernel runs the program's
//! initialisation (frame 0): `__init_globals`, then `init`, each when exported; these
//! ticks present nothing. Then each logical frame latches input, calls the entry point
//! (`frame`) and, when it returns, presents the back buffer, mixes the frame's audio and
//! runs a collector slice. A frame still running when the budget is spent is suspended
//! between two steps (`machine.md` §1) and resumed on the next tick: that tick presents
//! nothing and the input stays latched.
//!
//! System calls are dispatched by their id in `prometeu-abi`'s table: arguments come
//! off the VM stack as slots, the hardware modules do the work, and the call costs the
//! table's base cycles plus the hardware's variable part.

use prometeu_abi::hw::FRAME_BUDGET_CYCLES;
use prometeu_abi::syscall::{Syscall, syscall};
use prometeu_bytecode::Opcode;
use prometeu_vm::{RunOutcome, Slot, SyscallArgs, SyscallHandler, TrapCode, Vm, VmConfig};

use crate::arg::ArgError;
use crate::audio::Mixer;
use crate::cartridge::{Cartridge, CartridgeError, INIT_EXPORT, INIT_GLOBALS_EXPORT, PROGRAM_FILE};
use crate::driver::{DriverConfig, FrameDriver, LongFrame};
use crate::gfx::{self, Color, Framebuffer};
use crate::host::{Host, LogLevel};
use crate::input::{HwSlot, InputLatch, pad_slots, touch_slots};
use crate::profile::{Profile, Profiler, SLICE_CYCLES};
use crate::random::Rng;
use crate::sprites::SpriteBank;
use crate::trap_report::{StackEntry, TrapReport, stack_entries};

/// How a kernel runs: the per-tick cycle budget and the VM's settings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct KernelConfig {
    /// Cycles a tick may spend (the console's is [`FRAME_BUDGET_CYCLES`]; tests change
    /// it to compare suspended and unsuspended runs).
    pub frame_budget: u64,
    /// Heap budget, collector mode and pacing.
    pub vm: VmConfig,
}

impl Default for KernelConfig {
    fn default() -> KernelConfig {
        KernelConfig {
            frame_budget: FRAME_BUDGET_CYCLES,
            vm: VmConfig::default(),
        }
    }
}

/// What one tick did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tick {
    /// The initialisation (frame 0) finished; nothing was presented.
    Initialised,
    /// Logical frame `n` ended and was presented.
    Presented(u64),
    /// The budget ran out in logical frame `n` (0 during initialisation); it resumes
    /// on the next tick and nothing was presented.
    Dropped(u64),
    /// The cartridge executed `HALT`: it has ended and ticks do nothing.
    Halted,
    /// The cartridge trapped ([`Kernel::trap`] has the report); ticks do nothing.
    Trapped,
}

/// How a run of several ticks ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RunSummary {
    /// Logical frames completed (presented) during the run.
    pub frames: u64,
    /// Ticks spent.
    pub ticks: u64,
    /// The last tick's outcome (`None` when no tick ran).
    pub last: Option<Tick>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Running the initialisation functions; the index of the next one to start.
    Init {
        next: usize,
    },
    /// Running logical frames.
    Frames,
    Halted,
    Trapped,
}

/// The console's hardware as the system calls see it.
struct Machine {
    framebuffer: Framebuffer,
    mixer: Mixer,
    input: InputLatch,
    rng: Rng,
    banks: Vec<SpriteBank>,
    /// The logical frame number: 0 during initialisation, n during the n-th frame.
    frame: u64,
    /// Why the last system call trapped `TRAP_ARG`, for the trap report.
    arg_error: Option<String>,
}

/// The system-call handler for one `Vm::run`: the hardware plus the host (for the log).
struct Dispatch<'a> {
    machine: &'a mut Machine,
    host: &'a mut dyn Host,
}

/// A running console: a cartridge's VM, the hardware and a host.
pub struct Kernel<H: Host> {
    vm: Vm,
    machine: Machine,
    host: H,
    cartridge: Cartridge,
    config: KernelConfig,
    phase: Phase,
    /// Functions run before the first frame, in order.
    init_calls: Vec<u32>,
    /// A logical frame has latched input and not yet ended.
    in_frame: bool,
    /// The last frame ended at `FRAME_SYNC` inside the entry point: the next frame
    /// resumes after it instead of calling the entry point again.
    resume_after_sync: bool,
    ticks: u64,
    trap: Option<TrapReport>,
    /// `--profile`: the VM runs in slices and each slice's cycles go to its stack.
    profiler: Option<Profiler>,
}

impl<H: Host> std::fmt::Debug for Kernel<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kernel")
            .field("phase", &self.phase)
            .field("frame", &self.machine.frame)
            .field("ticks", &self.ticks)
            .field("vm", &self.vm)
            .finish_non_exhaustive()
    }
}

/// A cartridge checked and inserted: its VM, fresh hardware and the functions run
/// before the first frame.
struct Inserted {
    vm: Vm,
    machine: Machine,
    init_calls: Vec<u32>,
    cartridge: Cartridge,
}

impl Inserted {
    fn new(mut cartridge: Cartridge, config: KernelConfig) -> Result<Inserted, CartridgeError> {
        let vm = Vm::new(&cartridge.verified, config.vm).map_err(|e| CartridgeError {
            file: PROGRAM_FILE.into(),
            message: format!("cannot be loaded: {}", e.message),
        })?;
        let init_calls: Vec<u32> = [INIT_GLOBALS_EXPORT, INIT_EXPORT]
            .iter()
            .filter_map(|name| cartridge.verified.program().export(name))
            .collect();
        // `Cartridge::new` checked these; a cartridge assembled by hand might not be.
        for &func in init_calls.iter().chain([&cartridge.entrypoint]) {
            let callable = cartridge
                .verified
                .program()
                .functions
                .get(func as usize)
                .is_some_and(|f| f.params.is_empty() && f.returns.is_empty());
            if !callable {
                return Err(CartridgeError {
                    file: PROGRAM_FILE.into(),
                    message: format!(
                        "function {func} cannot be an entry point: it must exist, take no parameters and return nothing"
                    ),
                });
            }
        }
        let machine = Machine {
            framebuffer: Framebuffer::new(),
            mixer: Mixer::new(),
            input: InputLatch::new(),
            rng: Rng::from_app_id(u64::from(cartridge.manifest.app_id)),
            banks: std::mem::take(&mut cartridge.sprite_banks),
            frame: 0,
            arg_error: None,
        };
        Ok(Inserted {
            vm,
            machine,
            init_calls,
            cartridge,
        })
    }
}

impl<H: Host> Kernel<H> {
    /// A console with `cartridge` inserted, on `host`, with the console's settings.
    pub fn new(cartridge: Cartridge, host: H) -> Result<Kernel<H>, CartridgeError> {
        Kernel::with_config(cartridge, host, KernelConfig::default())
    }

    /// A console with explicit settings.
    pub fn with_config(
        cartridge: Cartridge,
        host: H,
        config: KernelConfig,
    ) -> Result<Kernel<H>, CartridgeError> {
        let Inserted {
            vm,
            machine,
            init_calls,
            cartridge,
        } = Inserted::new(cartridge, config)?;
        Ok(Kernel {
            vm,
            machine,
            host,
            cartridge,
            config,
            phase: Phase::Init { next: 0 },
            init_calls,
            in_frame: false,
            resume_after_sync: false,
            ticks: 0,
            trap: None,
            profiler: None,
        })
    }

    /// Attaches a cycle profiler: from now on every cycle is attributed to the call
    /// stack it was spent in (results, traps and cycle totals do not change).
    pub fn set_profiler(&mut self, profiler: Profiler) {
        self.vm.count_calls();
        self.profiler = Some(profiler);
    }

    /// Ends the profile, if one was attached, naming its stacks with the running
    /// cartridge's debug map.
    pub fn take_profile(&mut self) -> Option<Profile> {
        let mut profiler = self.profiler.take()?;
        profiler.add_calls(self.vm.call_counts());
        Some(profiler.finish(self.cartridge.verified.program()))
    }

    /// Powers the console off and on with `cartridge` inserted, on the same host and
    /// settings (a restart, or `--watch` swapping in a rebuilt cartridge at a frame
    /// boundary). A cartridge that does not load leaves the running one as it was.
    pub fn restart(&mut self, cartridge: Cartridge) -> Result<(), CartridgeError> {
        let Inserted {
            vm,
            machine,
            init_calls,
            cartridge,
        } = Inserted::new(cartridge, self.config)?;
        let old = std::mem::replace(&mut self.vm, vm);
        if let Some(profiler) = &mut self.profiler {
            profiler.add_calls(old.call_counts());
            self.vm.count_calls();
        }
        self.machine = machine;
        self.cartridge = cartridge;
        self.init_calls = init_calls;
        self.phase = Phase::Init { next: 0 };
        self.in_frame = false;
        self.resume_after_sync = false;
        self.ticks = 0;
        self.trap = None;
        Ok(())
    }

    /// Runs one tick.
    pub fn tick(&mut self) -> Tick {
        let outcome = match self.phase {
            Phase::Halted => return Tick::Halted,
            Phase::Trapped => return Tick::Trapped,
            Phase::Init { next } => self.tick_init(next),
            Phase::Frames => self.tick_frame(),
        };
        self.ticks += 1;
        outcome
    }

    fn tick_init(&mut self, mut next: usize) -> Tick {
        let mut budget = self.config.frame_budget;
        loop {
            if !self.vm.is_running() {
                let Some(&func) = self.init_calls.get(next) else {
                    self.phase = Phase::Frames;
                    return Tick::Initialised;
                };
                next += 1;
                self.phase = Phase::Init { next };
                if self.vm.start_call(func, &[]).is_err() {
                    // Unreachable: the VM is idle and `with_config` checked the function.
                    return self.halted();
                }
            }
            let before = self.vm.cycles();
            let outcome = self.run_vm(budget);
            budget = budget.saturating_sub(self.vm.cycles() - before);
            match outcome {
                // `FRAME_SYNC` during initialisation is only a collector safepoint.
                RunOutcome::Returned(_) | RunOutcome::FrameSync | RunOutcome::Idle => {}
                RunOutcome::BudgetExhausted => return Tick::Dropped(0),
                RunOutcome::Trapped(trap) => return self.trapped(&trap),
                RunOutcome::Halted => return self.halted(),
            }
            if budget == 0 && self.vm.is_running() {
                return Tick::Dropped(0);
            }
        }
    }

    fn tick_frame(&mut self) -> Tick {
        if !self.in_frame {
            self.machine.frame += 1;
            let raw = self.host.sample_input(self.machine.frame);
            self.machine.input.latch(&raw);
            if !self.resume_after_sync
                && self.vm.start_call(self.cartridge.entrypoint, &[]).is_err()
            {
                // Unreachable: the VM is idle and `with_config` checked the function.
                return self.halted();
            }
            self.in_frame = true;
        }
        let frame = self.machine.frame;
        match self.run_vm(self.config.frame_budget) {
            RunOutcome::Returned(_) | RunOutcome::Idle => {
                self.resume_after_sync = false;
                self.end_frame();
                self.vm.gc_slice(self.config.vm.frame_slice_work);
                Tick::Presented(frame)
            }
            RunOutcome::FrameSync => {
                // The VM ran the collector slice at the instruction.
                self.resume_after_sync = true;
                self.end_frame();
                Tick::Presented(frame)
            }
            RunOutcome::BudgetExhausted => Tick::Dropped(frame),
            RunOutcome::Trapped(trap) => self.trapped(&trap),
            RunOutcome::Halted => self.halted(),
        }
    }

    fn run_vm(&mut self, budget: u64) -> RunOutcome {
        let mut dispatch = Dispatch {
            machine: &mut self.machine,
            host: &mut self.host,
        };
        let Some(profiler) = &mut self.profiler else {
            return self.vm.run(budget, &mut dispatch);
        };
        // In slices, each one's cycles to the stack it started in. A budget split at
        // any point runs the same steps (`machine.md` §1), so nothing else changes.
        let mut left = budget;
        loop {
            let stack = self.vm.call_stack().unwrap_or_default();
            let before = self.vm.cycles();
            let outcome = self.vm.run(left.min(SLICE_CYCLES), &mut dispatch);
            let spent = self.vm.cycles() - before;
            profiler.record(&stack, spent);
            left = left.saturating_sub(spent);
            if outcome != RunOutcome::BudgetExhausted || left == 0 {
                return outcome;
            }
        }
    }

    /// `FRAME_SYNC`'s work (`machine.md` §1): present the back buffer, then hand the
    /// frame's audio commands to the mixer and play its 800 samples.
    fn end_frame(&mut self) {
        let frame = self.machine.frame;
        self.machine.framebuffer.present();
        self.host.present(frame, self.machine.framebuffer.front());
        let audio = self.machine.mixer.mix_frame();
        self.host.push_audio(&audio);
        self.in_frame = false;
    }

    fn trapped(&mut self, trap: &prometeu_vm::Trap) -> Tick {
        let detail = self
            .machine
            .arg_error
            .take()
            .filter(|_| trap.code == TrapCode::Arg && trap.opcode == Opcode::Syscall);
        self.trap = Some(TrapReport::new(
            trap,
            self.cartridge.verified.program().debug.as_ref(),
            self.machine.frame,
            detail,
        ));
        self.phase = Phase::Trapped;
        Tick::Trapped
    }

    fn halted(&mut self) -> Tick {
        self.phase = Phase::Halted;
        Tick::Halted
    }

    /// Ticks until `frames` more logical frames have been presented, the cartridge
    /// stops, or `max_ticks` ticks have run (a guard against a frame that never ends),
    /// through the one [`FrameDriver`] every host uses.
    pub fn run_frames(&mut self, frames: u64, max_ticks: u64) -> RunSummary {
        let mut driver = FrameDriver::new(DriverConfig {
            frames: Some(frames),
            max_ticks: Some(max_ticks),
            long_frame: LongFrame::Warn,
        });
        driver.run(self, |_, _| true, |_, _| {});
        RunSummary {
            frames: driver.presented(),
            ticks: driver.ticks(),
            last: driver.last_tick(),
        }
    }

    /// The current logical frame number: 0 until the first frame starts, then the
    /// number of the frame running or last run.
    pub fn frame(&self) -> u64 {
        self.machine.frame
    }

    /// Ticks run so far (initialisation included; not counting ticks after a stop).
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// The report of the trap that stopped the cartridge, if it trapped.
    pub fn trap(&self) -> Option<&TrapReport> {
        self.trap.as_ref()
    }

    /// Where the cartridge is running while a call (a frame, or `init`) is suspended
    /// by its budget: the call stack, innermost first, named from the debug map; `None`
    /// between frames. Hosts print it when a frame runs too long or a run is
    /// interrupted.
    pub fn running_at(&self) -> Option<Vec<StackEntry>> {
        let frames = self.vm.call_stack()?;
        Some(stack_entries(
            &frames,
            self.cartridge.verified.program().debug.as_ref(),
        ))
    }

    /// Whether the cartridge has stopped (halted or trapped).
    pub fn is_stopped(&self) -> bool {
        matches!(self.phase, Phase::Halted | Phase::Trapped)
    }

    /// The screen: the back buffer being drawn and the front buffer last presented.
    pub fn framebuffer(&self) -> &Framebuffer {
        &self.machine.framebuffer
    }

    /// The running cartridge (its sprite banks have moved into the kernel).
    pub fn cartridge(&self) -> &Cartridge {
        &self.cartridge
    }

    /// The VM, for statistics (cycles, heap, collector).
    pub fn vm(&self) -> &Vm {
        &self.vm
    }

    /// The VM, for the host's idle-time collector slices ([`Vm::gc_slice`]).
    pub fn vm_mut(&mut self) -> &mut Vm {
        &mut self.vm
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The host, mutably (e.g. to feed a desktop host's input).
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }

    /// Gives the host back (e.g. a headless host with what it recorded).
    pub fn into_host(self) -> H {
        self.host
    }
}

/// System-call ids (`machine.md` §5); the rows of `prometeu_abi::SYSCALLS`.
mod id {
    pub const FRAME_COUNT: u32 = 0x0010;
    pub const RANDOM: u32 = 0x0011;
    pub const FILL_RECT: u32 = 0x1002;
    pub const LINE: u32 = 0x1003;
    pub const CIRCLE: u32 = 0x1004;
    pub const DISC: u32 = 0x1005;
    pub const RECT: u32 = 0x1006;
    pub const TEXT: u32 = 0x1008;
    pub const PIXEL: u32 = 0x1009;
    pub const SPRITE: u32 = 0x100A;
    pub const CLEAR: u32 = 0x1010;
    pub const PAD: u32 = 0x2010;
    pub const TOUCH: u32 = 0x2011;
    pub const TONE: u32 = 0x3001;
    pub const STOP: u32 = 0x3002;
    pub const PLAYING: u32 = 0x3003;
    pub const LOG_INFO: u32 = 0x5001;
    pub const LOG_WARN: u32 = 0x5002;
}

/// The part of a drawing primitive's cost beyond the table's base: the hardware
/// returns its full cost, whose fixed part is [`gfx::cost::BASE`].
fn beyond_base(hw_cost: u32) -> u64 {
    u64::from(hw_cost.saturating_sub(gfx::cost::BASE))
}

fn hw_slot(slot: HwSlot) -> Slot {
    match slot {
        HwSlot::Bool(b) => Slot::bool(b),
        HwSlot::U16(v) => Slot::bounded(v),
        HwSlot::I32(v) => Slot::int(v),
    }
}

impl Dispatch<'_> {
    /// Performs system call `row` and returns its variable cost (beyond the table's
    /// base cycles).
    fn perform(
        &mut self,
        row: &Syscall,
        a: &SyscallArgs<'_>,
        out: &mut Vec<Slot>,
    ) -> Result<u64, ArgError> {
        let m = &mut *self.machine;
        let fb = &mut m.framebuffer;
        let color = |i: usize| Color(a.bounded(i));
        let extra = match row.id {
            id::FRAME_COUNT => {
                out.push(Slot::int(m.frame.min(i32::MAX as u64) as i32));
                0
            }
            id::RANDOM => {
                out.push(Slot::int(m.rng.random(a.int(0))?));
                0
            }
            id::FILL_RECT => {
                beyond_base(fb.fill_rect(a.int(0), a.int(1), a.int(2), a.int(3), color(4)))
            }
            id::LINE => beyond_base(fb.line(a.int(0), a.int(1), a.int(2), a.int(3), color(4))),
            id::CIRCLE => beyond_base(fb.circle(a.int(0), a.int(1), a.int(2), color(3))),
            id::DISC => beyond_base(fb.disc(a.int(0), a.int(1), a.int(2), color(3))),
            id::RECT => beyond_base(fb.rect(a.int(0), a.int(1), a.int(2), a.int(3), color(4))),
            id::TEXT => beyond_base(fb.text(a.int(0), a.int(1), a.str(2), color(3))),
            id::PIXEL => {
                fb.pixel(a.int(0), a.int(1), color(2));
                0
            }
            id::SPRITE => beyond_base(fb.sprite(
                &m.banks,
                a.int(0),
                a.int(1),
                a.int(2),
                a.int(3),
                a.bool(4),
                a.bool(5),
            )?),
            id::CLEAR => {
                fb.clear(color(0));
                0
            }
            id::PAD => {
                out.extend(pad_slots(&m.input.pad()).into_iter().map(hw_slot));
                0
            }
            id::TOUCH => {
                out.extend(touch_slots(&m.input.touch()).into_iter().map(hw_slot));
                0
            }
            id::TONE => {
                m.mixer
                    .tone(a.int(0), a.int(1), a.int(2), a.int(3), a.int(4), a.int(5))?;
                0
            }
            id::STOP => {
                m.mixer.stop(a.int(0))?;
                0
            }
            id::PLAYING => {
                out.push(Slot::bool(m.mixer.playing(a.int(0))?));
                0
            }
            id::LOG_INFO | id::LOG_WARN => {
                let level = if row.id == id::LOG_INFO {
                    LogLevel::Info
                } else {
                    LogLevel::Warn
                };
                self.host.log(m.frame, level, a.str(0));
                0
            }
            // Every row of the table is handled above (a test checks it); an id the
            // table has and this match does not would be a kernel bug, reported as a
            // bad call rather than a crash.
            _ => {
                return Err(ArgError {
                    arg: "id",
                    value: i64::from(row.id),
                    expected: "a system call this kernel implements",
                });
            }
        };
        Ok(extra)
    }
}

impl SyscallHandler for Dispatch<'_> {
    fn syscall(
        &mut self,
        id: u32,
        args: &SyscallArgs<'_>,
        out: &mut Vec<Slot>,
    ) -> Result<u64, TrapCode> {
        self.machine.arg_error = None;
        // The verifier checked every `SYSCALL` against this table.
        let Some(row) = syscall(id) else {
            self.machine.arg_error = Some(format!("unknown system call 0x{id:04X}"));
            return Err(TrapCode::Arg);
        };
        match self.perform(row, args, out) {
            Ok(extra) => Ok(u64::from(row.cycles) + extra),
            Err(e) => {
                self.machine.arg_error = Some(format!("{}.{}: {e}", row.contract, row.name));
                Err(TrapCode::Arg)
            }
        }
    }
}
