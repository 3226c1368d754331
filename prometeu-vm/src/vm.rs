//! The interpreter: call frames on one value stack, the cycle budget, and the hot loop.
//!
//! The value stack holds every frame as `[args][locals][constants][operands]`; calls
//! never recurse on the Rust stack. `run` executes until the entry function returns,
//! `FRAME_SYNC`, `HALT`, a trap, or the cycle budget is spent; in the last case the VM
//! stops between two steps (one op, which may do a straight-line run of instructions:
//! `machine.md` §1) and the next `run` continues exactly there.

use std::sync::Arc;
use std::time::Duration;

use prometeu_bytecode::{TrapCode, VerifiedProgram};

use crate::gc::{Collector, GcMode, GcPause, GcStats, Pacing};
use crate::heap::{HEADER_BYTES, Heap, List, REF_SLOT_BYTES, RefSlots, Roots, Storage, list_len};
use crate::load::{Code, FloatOp, FuncInfo, IntOp, LoadError, Op, Reg, fast_loop_only, load};
use crate::syscall::{Strings, SyscallArgs, SyscallHandler};
use crate::trap::{FrameInfo, Trap};
use crate::value::{Handle, Slot, Tag, Value};

/// Slots in the value stack (`machine.md` §7); deeper is `TRAP_STACK_OVERFLOW`.
pub const STACK_LIMIT: usize = 65_536;
/// Nested calls allowed by default; deeper is `TRAP_STACK_OVERFLOW`.
pub const DEFAULT_MAX_CALL_DEPTH: usize = 8_192;
/// The console's heap budget: 16 MiB.
pub const DEFAULT_HEAP_BUDGET: u64 = 16 * 1024 * 1024;
/// How long an incremental collector slice runs at most by default: half of the 1 ms
/// pause target, leaving room for the clock-check granularity and a slow host.
pub const DEFAULT_GC_SLICE_TIME: Duration = Duration::from_micros(500);

/// How a VM is set up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VmConfig {
    /// Heap budget in bytes (charged as `machine.md` §7).
    pub heap_budget: u64,
    /// When the collector runs.
    pub gc_mode: GcMode,
    /// Work units (slots scanned or gates swept) of the collector slice at `FRAME_SYNC`.
    pub frame_slice_work: u64,
    /// How long one incremental collector slice may run before it yields (checked
    /// every few hundred work units); the work it leaves is done by later slices.
    pub gc_slice_time: Duration,
    /// Also measure collector pauses in the VM thread's CPU time
    /// ([`GcStats::max_pause_cpu`]); costs two system calls per pause.
    pub gc_cpu_timing: bool,
    /// Bytes allocated between allocation-paced collector slices.
    pub gc_step_bytes: u64,
    /// The smallest heap use (bytes) that starts a collection cycle; after a cycle the
    /// next one starts at twice the surviving bytes, but never below this.
    pub gc_start_bytes: u64,
    /// Maximum nested calls (at most 2^20: the call stack is allocated up front).
    pub max_call_depth: usize,
    /// Drop dead storage on a background thread.
    pub background_release: bool,
    /// The host gives the collector its idle time ([`Vm::gc_slice`] between frames), so
    /// allocation neither starts a cycle nor pays for one while the program runs —
    /// unless the heap gets ahead of the collector (past the running cycle's planned
    /// end, or a quarter of the way from the start threshold to the budget): then allocation paces
    /// it as usual, so the budget is never reached for want of collecting.
    pub gc_in_idle_time: bool,
    /// Run register forms translated from the stack code (`translate`); `false` runs
    /// every instruction as the stack machine it is, one dispatch each. Both give the
    /// same results, traps and cycle totals: the stack form is the reference the
    /// differential tests compare against.
    pub register_forms: bool,
}

impl Default for VmConfig {
    fn default() -> VmConfig {
        VmConfig {
            heap_budget: DEFAULT_HEAP_BUDGET,
            gc_mode: GcMode::Incremental,
            frame_slice_work: 16_384,
            gc_slice_time: DEFAULT_GC_SLICE_TIME,
            gc_cpu_timing: false,
            gc_step_bytes: 4 * 1024,
            gc_start_bytes: 256 * 1024,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            background_release: true,
            gc_in_idle_time: false,
            register_forms: true,
        }
    }
}

/// Why `run` returned.
#[derive(Clone, PartialEq, Debug)]
pub enum RunOutcome {
    /// The entry function returned these slots; the VM is idle. Handles and runtime
    /// strings among them are no longer roots: read them before running the VM again,
    /// or [`Vm::pin`] them.
    Returned(Vec<Slot>),
    /// `FRAME_SYNC` executed; `run` again to continue after it.
    FrameSync,
    /// The cycle budget is spent; `run` again to continue at the same instruction.
    BudgetExhausted,
    /// A trap stopped the program; the VM is idle.
    Trapped(Trap),
    /// `HALT` executed; the VM is idle.
    Halted,
    /// No call is in progress (nothing was run).
    Idle,
}

/// Why a call could not start.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum StartError {
    /// A call is already in progress (suspended by `FRAME_SYNC` or the budget).
    Busy,
    /// No function has this index or export name.
    NoSuchFunction(String),
    /// The argument count does not match the function's parameter slots.
    ArgumentCount {
        /// Slots the function takes.
        expected: usize,
        /// Slots given.
        given: usize,
    },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Busy => f.write_str("a call is already in progress"),
            StartError::NoSuchFunction(name) => write!(f, "no function `{name}`"),
            StartError::ArgumentCount { expected, given } => {
                write!(f, "expected {expected} argument slots, got {given}")
            }
        }
    }
}

impl std::error::Error for StartError {}

#[derive(Clone, Copy, Debug, Default)]
struct Frame {
    /// Op index to continue at in the caller (`u32::MAX` for the entry frame).
    return_pc: u32,
    /// The caller's frame base.
    caller_base: u32,
    /// Slots this function returns.
    returns: u32,
}

/// The most frames a call stack preallocates: a larger `max_call_depth` is capped here
/// (12 MiB of frames).
const MAX_PREALLOCATED_FRAMES: usize = 1 << 20;

/// The calls in progress. Every frame is allocated up front, so a call never
/// allocates: the fast loop makes calls without a path that could.
struct CallStack {
    frames: Box<[Frame]>,
    depth: usize,
    /// Calls of each function, by index, while counting ([`Vm::count_calls`]); empty
    /// otherwise, so a call that does not count pays one predictable branch.
    calls: Vec<u64>,
}

impl CallStack {
    /// Room for `max_depth` frames (at most [`MAX_PREALLOCATED_FRAMES`]): a call that
    /// finds it full overflows.
    fn new(max_depth: usize) -> CallStack {
        CallStack {
            frames: vec![Frame::default(); max_depth.min(MAX_PREALLOCATED_FRAMES)].into(),
            depth: 0,
            calls: Vec::new(),
        }
    }

    /// Counts a call of function `func` when counting calls.
    #[inline(always)]
    fn count(&mut self, func: u32) {
        if let Some(calls) = self.calls.get_mut(func as usize) {
            *calls += 1;
        }
    }

    /// Pushes `frame`; `false` (nothing pushed) when the stack is full.
    #[inline(always)]
    fn push(&mut self, frame: Frame) -> bool {
        match self.frames.get_mut(self.depth) {
            Some(slot) => {
                *slot = frame;
                self.depth += 1;
                true
            }
            None => false,
        }
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<Frame> {
        self.depth = self.depth.checked_sub(1)?;
        Some(self.frames[self.depth])
    }

    #[inline(always)]
    fn last(&self) -> Option<&Frame> {
        self.frames[..self.depth].last()
    }

    fn len(&self) -> usize {
        self.depth
    }

    fn clear(&mut self) {
        self.depth = 0;
    }

    fn iter(&self) -> impl DoubleEndedIterator<Item = &Frame> {
        self.frames[..self.depth].iter()
    }
}

#[derive(Clone, PartialEq, Debug)]
enum State {
    Idle,
    Running,
}

/// A Prometeu virtual machine running one verified program.
///
/// It only accepts a [`VerifiedProgram`], and takes stack depths and handle layouts
/// from it; a program that loads can only fail at run time by trapping.
pub struct Vm {
    code: Arc<Code>,
    stack: Vec<Slot>,
    sp: usize,
    base: usize,
    pc: usize,
    frames: CallStack,
    globals: Vec<Slot>,
    heap: Heap,
    cycles: u64,
    state: State,
    config: VmConfig,
    sys_out: Vec<Slot>,
}

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("pc", &self.pc)
            .field("sp", &self.sp)
            .field("frames", &self.frames.len())
            .field("cycles", &self.cycles)
            .field("heap_used", &self.heap.used)
            .finish_non_exhaustive()
    }
}

/// The roots of the collector, borrowed from the VM's fields.
macro_rules! roots {
    ($vm:expr) => {
        Roots {
            stack: &$vm.stack[..$vm.sp],
            globals: &$vm.globals,
        }
    };
}

/// Reads the text of a string slot.
fn str_of<'a>(code: &'a Code, heap: &'a Heap, s: Slot) -> &'a str {
    Strings {
        statics: &code.strings,
        heap,
    }
    .get(s)
}

/// Cycles charged for `bytes` bytes of string work: one per 8, rounded up.
fn per_byte8(bytes: usize) -> u64 {
    (bytes as u64).div_ceil(8)
}

/// Formats a float as PBS prints it (`pbs-language.md` §3.1): the shortest decimal that
/// reads back to the same value, never an exponent, `.0` when there is no fraction, and
/// `inf`, `-inf`, `NaN`.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's `Display` for f64 is shortest round-trip and never uses an exponent.
    let mut s = v.to_string();
    if !s.contains('.') {
        s.push_str(".0");
    }
    s
}

impl Vm {
    /// Loads a program that passed `verify_program`, using what the verifier proved
    /// (stack depths, handle layouts). Fails only when a function's frame does not fit
    /// the value stack.
    pub fn new(verified: &VerifiedProgram, config: VmConfig) -> Result<Vm, LoadError> {
        Ok(Vm::with_code(
            load(verified, config.register_forms)?,
            config,
        ))
    }

    fn with_code(code: Code, config: VmConfig) -> Vm {
        let globals = code.globals.clone();
        let collector = Collector::new(Pacing {
            mode: config.gc_mode,
            step_bytes: config.gc_step_bytes,
            start_bytes: config.gc_start_bytes,
            slice_time: config.gc_slice_time,
            cpu_timing: config.gc_cpu_timing,
            background: config.background_release,
            idle_time: config.gc_in_idle_time,
        });
        Vm {
            code: Arc::new(code),
            stack: vec![Slot::default(); STACK_LIMIT],
            sp: 0,
            base: 0,
            pc: 0,
            frames: CallStack::new(config.max_call_depth),
            globals,
            heap: Heap::new(config.heap_budget, collector),
            cycles: 0,
            state: State::Idle,
            config,
            sys_out: Vec::new(),
        }
    }

    /// Starts a call of the function exported as `name` (e.g. `frame`).
    pub fn call_export(&mut self, name: &str, args: &[Slot]) -> Result<(), StartError> {
        let func = self
            .code
            .exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| *f)
            .ok_or_else(|| StartError::NoSuchFunction(name.into()))?;
        self.start_call(func, args)
    }

    /// Starts a call of function `func` with `args` (its parameter slots); `run`
    /// executes it.
    pub fn start_call(&mut self, func: u32, args: &[Slot]) -> Result<(), StartError> {
        if self.state == State::Running {
            return Err(StartError::Busy);
        }
        let f = *self
            .code
            .funcs
            .get(func as usize)
            .ok_or_else(|| StartError::NoSuchFunction(func.to_string()))?;
        if args.len() != f.params as usize {
            return Err(StartError::ArgumentCount {
                expected: f.params as usize,
                given: args.len(),
            });
        }
        self.stack[..args.len()].copy_from_slice(args);
        let frame_end = args.len() + f.locals as usize;
        self.stack[args.len()..frame_end].fill(Slot::default());
        self.sp = frame_end;
        self.base = 0;
        self.pc = f.entry as usize;
        self.frames.clear();
        // An empty call stack always has room (`max_call_depth` 0 still runs the entry).
        if !self.frames.push(Frame {
            return_pc: u32::MAX,
            caller_base: 0,
            returns: f.returns,
        }) {
            let calls = std::mem::take(&mut self.frames.calls);
            self.frames = CallStack::new(1);
            self.frames.calls = calls;
            self.frames.push(Frame {
                return_pc: u32::MAX,
                caller_base: 0,
                returns: f.returns,
            });
        }
        self.frames.count(f.index);
        self.state = State::Running;
        Ok(())
    }

    /// Runs for at most about `budget` cycles: a step (one op, `machine.md` §1) starts
    /// only while cycles remain, and the one that crosses the budget completes (its
    /// overshoot shows in [`Vm::cycles`]).
    pub fn run(&mut self, budget: u64, sys: &mut dyn SyscallHandler) -> RunOutcome {
        if self.state != State::Running {
            return RunOutcome::Idle;
        }
        let end = self.cycles.saturating_add(budget);
        self.execute(end, sys)
    }

    /// Starts counting calls: from now on every entry into a function, by `CALL` or by
    /// [`Vm::start_call`] (and so [`Vm::call_export`]), adds one to its count in [`Vm::call_counts`]. Off by
    /// default; a call then pays one predictable branch for it.
    pub fn count_calls(&mut self) {
        self.frames.calls = vec![0; self.code.funcs.len()];
    }

    /// Calls of each function (by its index in the program) since
    /// [`Vm::count_calls`]; empty when not counting.
    pub fn call_counts(&self) -> &[u64] {
        &self.frames.calls
    }

    /// Total cycles charged since the VM was created (deterministic).
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Whether a call is in progress (suspended or not yet run).
    pub fn is_running(&self) -> bool {
        self.state == State::Running
    }

    /// Global slot `index`.
    pub fn global(&self, index: usize) -> Option<Slot> {
        self.globals.get(index).copied()
    }

    /// The text of a string slot (`""` when it holds none or the string was collected).
    pub fn str(&self, slot: Slot) -> &str {
        str_of(&self.code, &self.heap, slot)
    }

    /// An owned copy of a slot.
    pub fn value(&self, slot: Slot) -> Value {
        match slot.tag() {
            Tag::I32 => Value::Int(slot.as_int()),
            Tag::F64 => Value::Float(slot.as_float()),
            Tag::U16 => Value::Bounded(slot.as_bounded()),
            Tag::Bool => Value::Bool(slot.as_bool()),
            Tag::StaticStr | Tag::HeapStr => Value::Str(self.str(slot).to_owned()),
            Tag::Handle => Value::Handle(slot.as_handle()),
        }
    }

    /// Bytes charged to the heap budget.
    pub fn heap_used(&self) -> u64 {
        self.heap.used
    }

    /// Gates holding storage (live, or dead and not yet collected).
    pub fn heap_objects(&self) -> usize {
        self.heap.object_count()
    }

    /// Whether `handle` still reaches live storage.
    pub fn is_live(&self, handle: Handle) -> bool {
        self.heap.gate(handle).is_ok()
    }

    /// Keeps the storage of a handle or string slot alive (a host root) until
    /// [`Vm::unpin`].
    pub fn pin(&mut self, slot: Slot) {
        if let Some(h) = slot.traced() {
            self.heap.pin(h);
        }
    }

    /// Releases one [`Vm::pin`] of the slot's storage.
    pub fn unpin(&mut self, slot: Slot) {
        if let Some(h) = slot.traced() {
            self.heap.unpin(h);
        }
    }

    /// One collector slice of up to `work` units, as at `FRAME_SYNC` (for the host's
    /// idle time between frames).
    pub fn gc_slice(&mut self, work: u64) {
        self.heap.safepoint_slice(work, roots!(self));
    }

    /// Starts a cycle if none is running and advances it by `work` units.
    pub fn gc_slice_now(&mut self, work: u64) {
        self.heap.slice_now(work, roots!(self));
    }

    /// Runs a full collection now.
    pub fn collect_full(&mut self) {
        self.heap.collect_full(roots!(self));
    }

    /// Collector counters.
    pub fn gc_stats(&self) -> GcStats {
        self.heap.gc.stats
    }

    /// The longest collector pause (wall clock) since the last call, resetting it
    /// (and the CPU-time maximum with it; see [`Vm::take_max_gc_pauses`]).
    pub fn take_max_gc_pause(&mut self) -> Duration {
        self.take_max_gc_pauses().wall
    }

    /// The longest collector pause since the last call, by wall clock and by the VM
    /// thread's CPU time (zero unless [`VmConfig::gc_cpu_timing`]), resetting both.
    pub fn take_max_gc_pauses(&mut self) -> GcPause {
        let stats = &mut self.heap.gc.stats;
        GcPause {
            wall: std::mem::take(&mut stats.max_pause),
            cpu: std::mem::take(&mut stats.max_pause_cpu),
        }
    }

    /// Builds the trap report for the op at `op_index` and stops the call.
    #[cold]
    #[inline(never)]
    fn raise(&mut self, code: TrapCode, op_index: usize) -> RunOutcome {
        let c = &self.code;
        let call_stack = self.call_stack_at(op_index);
        let trap = Trap {
            code,
            opcode: c.ops[op_index].opcode,
            pc: c.pcs[op_index],
            func: c.op_func[op_index],
            call_stack,
        };
        self.stop();
        RunOutcome::Trapped(trap)
    }

    /// Where a call suspended by its cycle budget stands: the instruction it resumes
    /// at and the calls around it, innermost first, as a trap's call stack; `None` when
    /// no call is in progress. (Hosts show it when a frame runs too long or the user
    /// interrupts a run.)
    pub fn call_stack(&self) -> Option<Vec<FrameInfo>> {
        (self.state == State::Running && self.pc < self.code.ops.len())
            .then(|| self.call_stack_at(self.pc))
    }

    /// The call stack with `op_index` executing in the innermost frame: that op, then
    /// the `CALL` of every frame that has a caller.
    fn call_stack_at(&self, op_index: usize) -> Vec<FrameInfo> {
        let c = &self.code;
        let mut call_stack = vec![FrameInfo {
            func: c.op_func[op_index],
            pc: c.pcs[op_index],
        }];
        for frame in self.frames.iter().rev() {
            if frame.return_pc != u32::MAX {
                let call = frame.return_pc as usize - 1;
                call_stack.push(FrameInfo {
                    func: c.op_func[call],
                    pc: c.pcs[call],
                });
            }
        }
        call_stack
    }

    /// Ends the call in progress (return, trap, halt): the stack no longer roots anything.
    fn stop(&mut self) {
        self.sp = 0;
        self.base = 0;
        self.frames.clear();
        self.state = State::Idle;
    }

    /// A full collection at an allocation site in stress mode.
    #[inline]
    fn stress_safepoint(&mut self, stack: &[Slot]) {
        if self.heap.gc.mode == GcMode::Stress {
            let roots = Roots {
                stack: &stack[..self.sp],
                globals: &self.globals,
            };
            self.heap.collect_full(roots);
        }
    }

    /// The hot loop. Everything it needs per instruction is in locals; rare paths are
    /// out-of-line methods that see the stack through `self.sp`.
    // Every op starts from its own `sp` (`Decoded::sp`), so the stack ops' last
    // adjustment of `sp` is never read; they keep it so each reads as the stack
    // operation it is.
    #[allow(unused_assignments)]
    fn execute(&mut self, end: u64, sys: &mut dyn SyscallHandler) -> RunOutcome {
        let code = Arc::clone(&self.code);
        let ops = &code.ops[..];
        let mut pc = self.pc;
        let mut sp = self.sp;
        let mut base = self.base;
        // The budget left, counted down: one loop-carried value instead of a cycle
        // count and a limit, which keeps it in a register. An op starts while it is
        // positive; `cycles!()` turns it back into the cycle count.
        let start_cycles = self.cycles;
        let start_left = end.saturating_sub(start_cycles).min(i64::MAX as u64) as i64;
        let mut left = start_left;
        macro_rules! cycles {
            () => {
                start_cycles + (i128::from(start_left) - i128::from(left)) as u64
            };
        }
        // The stack is moved into a local for the loop: a `Vec` field's buffer could
        // alias `self` as far as the optimiser knows, which would force a reload of its
        // pointer and length after every store. As a fixed-size array it needs no
        // length at all, which leaves a register for the hot loop. Every exit puts it
        // back (`save!`); both conversions only move the pointer.
        let mut stack: Box<[Slot; STACK_LIMIT]> = std::mem::take(&mut self.stack)
            .into_boxed_slice()
            .try_into()
            .expect("the value stack always has STACK_LIMIT slots");

        macro_rules! save {
            () => {
                self.stack = (stack as Box<[Slot]>).into_vec();
                self.pc = pc;
                self.sp = sp;
                self.base = base;
                self.cycles = cycles!();
            };
        }
        macro_rules! trap {
            ($code:expr) => {{
                save!();
                return self.raise($code, pc - 1);
            }};
        }
        // An out-of-line operation: returns extra cycles or a trap code.
        macro_rules! slow {
            ($call:expr) => {{
                self.sp = sp;
                match $call {
                    Ok(extra) => {
                        left = left.saturating_sub(extra.min(i64::MAX as u64) as i64);
                        sp = self.sp;
                    }
                    Err(code) => trap!(code),
                }
            }};
        }
        macro_rules! int2 {
            ($f:expr) => {{
                let b = stack[sp - 1].as_int();
                let a = stack[sp - 2].as_int();
                sp -= 1;
                stack[sp - 1] = $f(a, b);
            }};
        }
        macro_rules! float2 {
            ($f:expr) => {{
                let b = stack[sp - 1].as_float();
                let a = stack[sp - 2].as_float();
                sp -= 1;
                stack[sp - 1] = $f(a, b);
            }};
        }
        macro_rules! bnd2 {
            ($f:expr) => {{
                let b = stack[sp - 1].as_bounded() as u32;
                let a = stack[sp - 2].as_bounded() as u32;
                let r: Result<Slot, TrapCode> = $f(a, b);
                match r {
                    Ok(v) => {
                        sp -= 1;
                        stack[sp - 1] = v;
                    }
                    Err(code) => trap!(code),
                }
            }};
        }
        macro_rules! bool2 {
            ($f:expr) => {{
                let b = stack[sp - 1].as_bool();
                let a = stack[sp - 2].as_bool();
                sp -= 1;
                stack[sp - 1] = Slot::bool($f(a, b));
            }};
        }
        macro_rules! str2 {
            ($f:expr) => {{
                let a = str_of(&code, &self.heap, stack[sp - 2]);
                let b = str_of(&code, &self.heap, stack[sp - 1]);
                left = left.saturating_sub(per_byte8(a.len().min(b.len())) as i64);
                let r = $f(a.as_bytes().cmp(b.as_bytes()));
                sp -= 1;
                stack[sp - 1] = Slot::bool(r);
            }};
        }

        // A frame slot of a register-form op. The loader keeps every frame slot below
        // STACK_LIMIT (a call whose frame would not fit traps), so the mask never
        // changes an index: it only lets the compiler drop the bounds check.
        macro_rules! r {
            ($r:expr) => {
                stack[(base + $r as usize) & (STACK_LIMIT - 1)]
            };
        }

        // Set when the fast loop stopped at the op at `pc`: the outer loop runs it.
        let mut stopped_here = false;
        loop {
            let d = ops[pc];
            if d.op.runs_in_fast_loop() && !stopped_here {
                let (heap, frames) = (&mut self.heap, &mut self.frames);
                (pc, left, base) =
                    run_register_forms(&code, heap, frames, &mut stack, base, pc, left);
                stopped_here = true;
                continue;
            }
            stopped_here = false;
            sp = base + d.sp as usize;
            if left <= 0 {
                save!();
                return RunOutcome::BudgetExhausted;
            }
            left -= i64::from(d.cost);
            pc += 1;
            match d.op {
                Op::Nop | Op::Break => {}
                Op::Halt => {
                    save!();
                    self.stop();
                    return RunOutcome::Halted;
                }
                Op::Jmp(t) => pc = t as usize,
                Op::JmpIfFalse(t) => {
                    sp -= 1;
                    if !stack[sp].as_bool() {
                        pc = t as usize;
                    }
                }
                Op::JmpIfTrue(t) => {
                    sp -= 1;
                    if stack[sp].as_bool() {
                        pc = t as usize;
                    }
                }
                Op::Trap(c) => trap!(c),

                Op::PushI32(v) => {
                    stack[sp] = Slot::int(v);
                    sp += 1;
                }
                Op::PushF64(v) => {
                    stack[sp] = Slot::float(v);
                    sp += 1;
                }
                Op::PushBool(v) => {
                    stack[sp] = Slot::bool(v);
                    sp += 1;
                }
                Op::PushBounded(v) => {
                    stack[sp] = Slot::bounded(v);
                    sp += 1;
                }
                Op::PushStr(i) => {
                    stack[sp] = Slot::static_str(i);
                    sp += 1;
                }
                Op::PushNull => {
                    stack[sp] = Slot::NULL;
                    sp += 1;
                }
                Op::Pop => sp -= 1,
                Op::PopN(n) => sp -= n as usize,
                Op::Dup => {
                    stack[sp] = stack[sp - 1];
                    sp += 1;
                }
                Op::DupN(n) => {
                    let n = n as usize;
                    copy_slots(&mut stack[..], sp - n, sp, n);
                    sp += n;
                }
                Op::Swap => stack.swap(sp - 1, sp - 2),

                Op::IAdd => int2!(|a: i32, b: i32| Slot::int(a.wrapping_add(b))),
                Op::ISub => int2!(|a: i32, b: i32| Slot::int(a.wrapping_sub(b))),
                Op::IMul => int2!(|a: i32, b: i32| Slot::int(a.wrapping_mul(b))),
                Op::IDiv => {
                    if stack[sp - 1].as_int() == 0 {
                        trap!(TrapCode::DivZero);
                    }
                    int2!(|a: i32, b: i32| Slot::int(a.wrapping_div(b)))
                }
                Op::IRem => {
                    if stack[sp - 1].as_int() == 0 {
                        trap!(TrapCode::DivZero);
                    }
                    int2!(|a: i32, b: i32| Slot::int(a.wrapping_rem(b)))
                }
                Op::INeg => stack[sp - 1] = Slot::int(stack[sp - 1].as_int().wrapping_neg()),
                Op::IAnd => int2!(|a: i32, b: i32| Slot::int(a & b)),
                Op::IOr => int2!(|a: i32, b: i32| Slot::int(a | b)),
                Op::IXor => int2!(|a: i32, b: i32| Slot::int(a ^ b)),
                Op::IShl => int2!(|a: i32, b: i32| Slot::int(a.wrapping_shl(b as u32 & 31))),
                Op::IShr => int2!(|a: i32, b: i32| Slot::int(a.wrapping_shr(b as u32 & 31))),

                Op::FAdd => float2!(|a: f64, b: f64| Slot::float(a + b)),
                Op::FSub => float2!(|a: f64, b: f64| Slot::float(a - b)),
                Op::FMul => float2!(|a: f64, b: f64| Slot::float(a * b)),
                Op::FDiv => float2!(|a: f64, b: f64| Slot::float(a / b)),
                Op::FRem => float2!(|a: f64, b: f64| Slot::float(a % b)),
                Op::FNeg => stack[sp - 1] = Slot::float(-stack[sp - 1].as_float()),

                Op::BAdd => bnd2!(|a: u32, b: u32| bounded(a + b)),
                Op::BSub => bnd2!(|a: u32, b: u32| match a.checked_sub(b) {
                    Some(v) => Ok(Slot::bounded(v as u16)),
                    None => Err(TrapCode::BoundedOverflow),
                }),
                Op::BMul => bnd2!(|a: u32, b: u32| bounded(a * b)),
                Op::BDiv => bnd2!(|a: u32, b: u32| match b {
                    0 => Err(TrapCode::DivZero),
                    b => Ok(Slot::bounded((a / b) as u16)),
                }),
                Op::BRem => bnd2!(|a: u32, b: u32| match b {
                    0 => Err(TrapCode::DivZero),
                    b => Ok(Slot::bounded((a % b) as u16)),
                }),
                Op::BAnd => bnd2!(|a: u32, b: u32| bounded(a & b)),
                Op::BOr => bnd2!(|a: u32, b: u32| bounded(a | b)),
                Op::BXor => bnd2!(|a: u32, b: u32| bounded(a ^ b)),
                Op::BShl => bnd2!(|a: u32, b: u32| {
                    let wide = (a as u64) << (b & 31);
                    bounded64(wide)
                }),
                Op::BShr => bnd2!(|a: u32, b: u32| bounded(a >> (b & 31))),

                Op::IEq => int2!(|a: i32, b: i32| Slot::bool(a == b)),
                Op::INe => int2!(|a: i32, b: i32| Slot::bool(a != b)),
                Op::ILt => int2!(|a: i32, b: i32| Slot::bool(a < b)),
                Op::ILe => int2!(|a: i32, b: i32| Slot::bool(a <= b)),
                Op::IGt => int2!(|a: i32, b: i32| Slot::bool(a > b)),
                Op::IGe => int2!(|a: i32, b: i32| Slot::bool(a >= b)),
                Op::FEq => float2!(|a: f64, b: f64| Slot::bool(a == b)),
                Op::FNe => float2!(|a: f64, b: f64| Slot::bool(a != b)),
                Op::FLt => float2!(|a: f64, b: f64| Slot::bool(a < b)),
                Op::FLe => float2!(|a: f64, b: f64| Slot::bool(a <= b)),
                Op::FGt => float2!(|a: f64, b: f64| Slot::bool(a > b)),
                Op::FGe => float2!(|a: f64, b: f64| Slot::bool(a >= b)),
                Op::BoolEq => bool2!(|a: bool, b: bool| a == b),
                Op::BoolNe => bool2!(|a: bool, b: bool| a != b),
                Op::Not => stack[sp - 1] = Slot::bool(!stack[sp - 1].as_bool()),
                Op::BEq => bnd2!(|a: u32, b: u32| Ok(Slot::bool(a == b))),
                Op::BNe => bnd2!(|a: u32, b: u32| Ok(Slot::bool(a != b))),
                Op::BLt => bnd2!(|a: u32, b: u32| Ok(Slot::bool(a < b))),
                Op::BLe => bnd2!(|a: u32, b: u32| Ok(Slot::bool(a <= b))),
                Op::BGt => bnd2!(|a: u32, b: u32| Ok(Slot::bool(a > b))),
                Op::BGe => bnd2!(|a: u32, b: u32| Ok(Slot::bool(a >= b))),
                Op::SEq => str2!(|o: std::cmp::Ordering| o.is_eq()),
                Op::SNe => str2!(|o: std::cmp::Ordering| o.is_ne()),
                Op::SLt => str2!(|o: std::cmp::Ordering| o.is_lt()),
                Op::SLe => str2!(|o: std::cmp::Ordering| o.is_le()),
                Op::SGt => str2!(|o: std::cmp::Ordering| o.is_gt()),
                Op::SGe => str2!(|o: std::cmp::Ordering| o.is_ge()),

                Op::Call(f) => {
                    let callee = &code.funcs[f as usize];
                    match call(&mut self.frames, &mut stack[..], callee, sp, &mut base, pc) {
                        Ok(entry) => pc = entry,
                        Err(code) => trap!(code),
                    }
                }
                Op::Ret | Op::RetR(_) => {
                    let Some(frame) = self.frames.pop() else {
                        unreachable!("a running VM always has a frame");
                    };
                    let n = frame.returns as usize;
                    copy_returns(&mut stack[..], d.op, base, sp, n);
                    sp = base + n;
                    if frame.return_pc == u32::MAX {
                        let values = stack[base..sp].to_vec();
                        save!();
                        self.stop();
                        return RunOutcome::Returned(values);
                    }
                    pc = frame.return_pc as usize;
                    base = frame.caller_base as usize;
                }
                Op::GetLocal(i) => {
                    stack[sp] = stack[base + i as usize];
                    sp += 1;
                }
                Op::SetLocal(i) => {
                    sp -= 1;
                    stack[base + i as usize] = stack[sp];
                }
                Op::GetGlobal(i) => {
                    stack[sp] = self.globals[i as usize];
                    sp += 1;
                }
                Op::SetGlobal(i) => {
                    sp -= 1;
                    self.globals[i as usize] = stack[sp];
                }
                Op::GetLocalN(i, n) => {
                    let (i, n) = (base + i as usize, n as usize);
                    copy_slots(&mut stack[..], i, sp, n);
                    sp += n;
                }
                Op::SetLocalN(i, n) => {
                    let (i, n) = (base + i as usize, n as usize);
                    sp -= n;
                    copy_slots(&mut stack[..], sp, i, n);
                }
                Op::GetGlobalN(i, n) => {
                    let (i, n) = (i as usize, n as usize);
                    stack[sp..sp + n].copy_from_slice(&self.globals[i..i + n]);
                    sp += n;
                }
                Op::SetGlobalN(i, n) => {
                    let (i, n) = (i as usize, n as usize);
                    sp -= n;
                    self.globals[i..i + n].copy_from_slice(&stack[sp..sp + n]);
                }
                Op::GetLocalIdx(b, len, stride) => {
                    let idx = stack[sp - 1].as_int();
                    if idx < 0 || idx as u32 >= len {
                        trap!(TrapCode::Oob);
                    }
                    let (from, n) = (
                        base + b as usize + idx as usize * stride as usize,
                        stride as usize,
                    );
                    sp -= 1;
                    copy_slots(&mut stack[..], from, sp, n);
                    sp += n;
                }
                Op::SetLocalIdx(b, len, stride) => {
                    let n = stride as usize;
                    let idx = stack[sp - n - 1].as_int();
                    if idx < 0 || idx as u32 >= len {
                        trap!(TrapCode::Oob);
                    }
                    let to = base + b as usize + idx as usize * n;
                    copy_slots(&mut stack[..], sp - n, to, n);
                    sp -= n + 1;
                }
                Op::GetGlobalIdx(b, len, stride) => {
                    let idx = stack[sp - 1].as_int();
                    if idx < 0 || idx as u32 >= len {
                        trap!(TrapCode::Oob);
                    }
                    let (from, n) = (b as usize + idx as usize * stride as usize, stride as usize);
                    sp -= 1;
                    stack[sp..sp + n].copy_from_slice(&self.globals[from..from + n]);
                    sp += n;
                }
                Op::SetGlobalIdx(b, len, stride) => {
                    let n = stride as usize;
                    let idx = stack[sp - n - 1].as_int();
                    if idx < 0 || idx as u32 >= len {
                        trap!(TrapCode::Oob);
                    }
                    let to = b as usize + idx as usize * n;
                    self.globals[to..to + n].copy_from_slice(&stack[sp - n..sp]);
                    sp -= n + 1;
                }

                Op::Alloc(ty) => slow!(self.op_alloc(&mut stack[..], ty)),
                Op::Peek(n) => slow!(self.op_peek(&mut stack[..], n, false)),
                Op::Take(n) => slow!(self.op_peek(&mut stack[..], n, true)),
                Op::BorrowBegin => slow!(self.op_view_begin(&mut stack[..], false)),
                Op::MutateBegin => slow!(self.op_view_begin(&mut stack[..], true)),
                Op::BorrowEnd => slow!(self.op_view_end(&mut stack[..], false)),
                Op::MutateEnd => slow!(self.op_view_end(&mut stack[..], true)),
                Op::GateLoad(off, n) => slow!(self.op_gate_load(&mut stack[..], off, n)),
                Op::GateStore(off, n) => slow!(self.op_gate_store(&mut stack[..], off, n)),
                Op::RefEq | Op::RefNe => {
                    let same = stack[sp - 1].as_handle() == stack[sp - 2].as_handle();
                    sp -= 1;
                    stack[sp - 1] = Slot::bool(same == matches!(d.op, Op::RefEq));
                }
                Op::StrConcat => slow!(self.op_concat(&mut stack[..])),
                Op::StrConcatN(n) => slow!(self.op_concat_n(&mut stack[..], n)),
                Op::StrLen => {
                    let len = str_of(&code, &self.heap, stack[sp - 1]).len();
                    stack[sp - 1] = Slot::int(len.min(i32::MAX as usize) as i32);
                }
                Op::Syscall(i) => slow!(self.op_syscall(&mut stack[..], i, sys)),
                Op::FrameSync => {
                    save!();
                    let work = self.config.frame_slice_work;
                    self.heap.safepoint_slice(work, roots!(self));
                    return RunOutcome::FrameSync;
                }

                Op::I2F => stack[sp - 1] = Slot::float(stack[sp - 1].as_int() as f64),
                // `as` truncates toward zero and saturates, NaN → 0.
                Op::F2I => stack[sp - 1] = Slot::int(stack[sp - 1].as_float() as i32),
                Op::I2B => match u16::try_from(stack[sp - 1].as_int()) {
                    Ok(v) => stack[sp - 1] = Slot::bounded(v),
                    Err(_) => trap!(TrapCode::Cast),
                },
                Op::F2B => {
                    let t = stack[sp - 1].as_float().trunc();
                    if !(0.0..=65535.0).contains(&t) {
                        trap!(TrapCode::Cast);
                    }
                    stack[sp - 1] = Slot::bounded(t as u16);
                }
                Op::B2I => stack[sp - 1] = Slot::int(stack[sp - 1].as_bounded() as i32),
                Op::B2F => stack[sp - 1] = Slot::float(stack[sp - 1].as_bounded() as f64),
                Op::I2S => {
                    let text = stack[sp - 1].as_int().to_string();
                    slow!(self.op_to_string(&mut stack[..], text))
                }
                Op::F2S => {
                    let text = format_float(stack[sp - 1].as_float());
                    slow!(self.op_to_string(&mut stack[..], text))
                }
                Op::B2S => {
                    let text = stack[sp - 1].as_bounded().to_string();
                    slow!(self.op_to_string(&mut stack[..], text))
                }
                Op::Bool2S => {
                    let v = stack[sp - 1].as_bool();
                    stack[sp - 1] = Slot::static_str(1 + v as u32);
                }

                Op::ListNew(ty) => slow!(self.op_list_new(&mut stack[..], ty)),
                Op::ListLen => slow!(self.op_list_len(&mut stack[..])),
                Op::ListPush(k) => slow!(self.op_list_push(&mut stack[..], k)),
                Op::ListInsert(k) => slow!(self.op_list_insert(&mut stack[..], k, true)),
                Op::ListPop(k) => slow!(self.op_list_pop(&mut stack[..], k)),
                Op::ListGet(k) => slow!(self.op_list_get(&mut stack[..], k)),
                Op::ListSet(k) => slow!(self.op_list_set(&mut stack[..], k)),
                Op::ListRemove(k) => slow!(self.op_list_remove(&mut stack[..], k)),
                Op::ListClear => slow!(self.op_list_clear(&mut stack[..])),

                // The fast loop runs these whole; the outer loop only sees a register
                // form when it stopped there, which for these is the budget, handled
                // above.
                fast_loop_only!() => {
                    unreachable!("register forms without a trap run in the fast loop")
                }
                // Register forms the fast loop stops at when they trap or need the slow
                // path.
                Op::GetIdxR(dst, b, stride, count, index, len) => {
                    if let Err(code) =
                        get_idx(&mut stack, base, [dst, b, stride, count, index], len)
                    {
                        trap!(code);
                    }
                }
                Op::SetIdxR(b, stride, index, src, len) => {
                    if let Err(code) = set_idx(&mut stack, base, [b, stride, index, src], len) {
                        trap!(code);
                    }
                }
                Op::ListLenR(dst, list) => match list_len_of(&self.heap, r!(list)) {
                    Ok(n) => r!(dst) = Slot::int(n),
                    Err(code) => trap!(code),
                },
                Op::ListGetR(dst, list, index) => {
                    match list_get1(&self.heap, r!(list), r!(index).as_int()) {
                        Ok(v) => r!(dst) = v,
                        Err(code) => trap!(code),
                    }
                }
                Op::ListGetBr(sense, list, index, branch_cost, t) => {
                    match list_get1(&self.heap, r!(list), r!(index).as_int()) {
                        Ok(v) if v.as_bool() == sense => pc = t as usize,
                        Ok(_) => {}
                        Err(code) => {
                            left += i64::from(branch_cost);
                            trap!(code)
                        }
                    }
                }
                Op::ListSetR(list, index, value) => {
                    let v = r!(value);
                    if let Err(code) = list_set1(&mut self.heap, r!(list), r!(index).as_int(), v) {
                        trap!(code);
                    }
                }
                Op::ListPushR(list, value) => {
                    // Growth, errors and the stress mode's collection: the stack form,
                    // with the operands where it expects them.
                    let (l, v) = (r!(list), r!(value));
                    stack[sp - 2] = l;
                    stack[sp - 1] = v;
                    slow!(self.op_list_push(&mut stack[..], 1));
                }
                Op::IBin(f, dst, a, b) => match int_op(f, r!(a).as_int(), r!(b).as_int()) {
                    Ok(v) => r!(dst) = Slot::int(v),
                    Err(code) => trap!(code),
                },
                Op::IBinK(f, dst, a, k) => match int_op(f, r!(a).as_int(), k) {
                    Ok(v) => r!(dst) = Slot::int(v),
                    Err(code) => trap!(code),
                },
            }
        }
    }

    // ---- out-of-line operations: they see the stack through `self.sp` ----

    #[inline(never)]
    fn op_alloc(&mut self, stack: &mut [Slot], ty: u32) -> Result<u64, TrapCode> {
        self.stress_safepoint(stack);
        let layout = self.code.layouts[ty as usize];
        let n = layout.slots as usize;
        let charge = HEADER_BYTES + REF_SLOT_BYTES * n as u64;
        self.heap.reserve(
            charge,
            Roots {
                stack: &stack[..self.sp],
                globals: &self.globals,
            },
        )?;
        let slots = RefSlots::new(&stack[self.sp - n..self.sp]);
        self.sp -= n;
        let h = self.heap.insert(Storage::Ref(slots), charge, layout.traced);
        stack[self.sp] = Slot::handle(h);
        self.sp += 1;
        Ok(0)
    }

    #[inline(never)]
    fn op_peek(&mut self, stack: &mut [Slot], n: u32, take: bool) -> Result<u64, TrapCode> {
        let h = stack[self.sp - 1].as_handle();
        let g = self.heap.gate(h)?;
        if g.mutating {
            return Err(TrapCode::GateBusy);
        }
        let n = n as usize;
        let sp = self.sp - 1;
        if take {
            let slots = self.heap.take(h)?;
            if slots.len() != n {
                return Err(TrapCode::DeadGate);
            }
            stack[sp..sp + n].copy_from_slice(&slots);
        } else {
            let slots = self.heap.ref_slots(h)?;
            if slots.len() != n {
                return Err(TrapCode::DeadGate);
            }
            stack[sp..sp + n].copy_from_slice(slots);
        }
        self.sp = sp + n;
        Ok(0)
    }

    #[inline(never)]
    fn op_view_begin(&mut self, stack: &mut [Slot], exclusive: bool) -> Result<u64, TrapCode> {
        let h = stack[self.sp - 1].as_handle();
        let g = self.heap.gate_mut(h)?;
        if g.mutating || (exclusive && g.borrows > 0) {
            return Err(TrapCode::GateBusy);
        }
        if exclusive {
            g.mutating = true;
        } else {
            g.borrows += 1;
        }
        Ok(0)
    }

    #[inline(never)]
    fn op_view_end(&mut self, stack: &mut [Slot], exclusive: bool) -> Result<u64, TrapCode> {
        self.sp -= 1;
        let h = stack[self.sp].as_handle();
        // Closing a view of storage that died meanwhile is not an access: nothing to do.
        if let Ok(g) = self.heap.gate_mut(h) {
            if exclusive {
                g.mutating = false;
            } else {
                g.borrows = g.borrows.saturating_sub(1);
            }
        }
        Ok(0)
    }

    #[inline(never)]
    fn op_gate_load(&mut self, stack: &mut [Slot], off: u32, n: u32) -> Result<u64, TrapCode> {
        let h = stack[self.sp - 1].as_handle();
        let (off, n) = (off as usize, n as usize);
        let slots = self.heap.ref_slots(h)?;
        let part = slots.get(off..off + n).ok_or(TrapCode::Oob)?;
        let sp = self.sp - 1;
        stack[sp..sp + n].copy_from_slice(part);
        self.sp = sp + n;
        Ok(0)
    }

    #[inline(never)]
    fn op_gate_store(&mut self, stack: &mut [Slot], off: u32, n: u32) -> Result<u64, TrapCode> {
        let (off, n) = (off as usize, n as usize);
        let h = stack[self.sp - n - 1].as_handle();
        if self.heap.ref_slots(h)?.len() < off + n {
            return Err(TrapCode::Oob);
        }
        self.heap.barrier_range(h.index(), off..off + n);
        let values = &stack[self.sp - n..self.sp];
        if let Storage::Ref(slots) = &mut self.heap.gate_mut(h)?.storage {
            slots[off..off + n].copy_from_slice(values);
        }
        self.sp -= n + 1;
        Ok(0)
    }

    #[inline(never)]
    fn op_concat(&mut self, stack: &mut [Slot]) -> Result<u64, TrapCode> {
        let (a, b) = (stack[self.sp - 2], stack[self.sp - 1]);
        let (ta, tb) = (self.str(a), self.str(b));
        let len = ta.len() + tb.len();
        // Strings are immutable, so concatenating with "" can share the other operand.
        let result = if tb.is_empty() {
            a
        } else if ta.is_empty() {
            b
        } else {
            let text = [ta, tb].concat();
            self.stress_safepoint(stack);
            Slot::heap_str(self.heap.alloc_str(
                text,
                Roots {
                    stack: &stack[..self.sp],
                    globals: &self.globals,
                },
            )?)
        };
        self.sp -= 2;
        stack[self.sp] = result;
        self.sp += 1;
        Ok(per_byte8(len))
    }

    /// `STR_CONCAT_N n`: replaces the top `n` strings by their concatenation, built in
    /// one allocation of the exact length. Empty operands add nothing; when at most one
    /// operand is not empty the result is that operand, shared (strings are immutable).
    #[inline(never)]
    fn op_concat_n(&mut self, stack: &mut [Slot], n: u32) -> Result<u64, TrapCode> {
        let first = self.sp - n as usize;
        let mut len = 0u64;
        let mut non_empty = 0usize;
        let mut shared = stack[first];
        for &s in &stack[first..self.sp] {
            let part = self.str(s).len() as u64;
            if part > 0 {
                len += part;
                non_empty += 1;
                shared = s;
            }
        }
        let result = if non_empty <= 1 {
            shared
        } else {
            self.stress_safepoint(stack);
            // Charged before the text is built: a result too large for the budget traps
            // without asking the allocator for it.
            self.heap.reserve_str(
                len,
                Roots {
                    stack: &stack[..self.sp],
                    globals: &self.globals,
                },
            )?;
            let mut text = String::with_capacity(len as usize);
            for &s in &stack[first..self.sp] {
                text.push_str(str_of(&self.code, &self.heap, s));
            }
            Slot::heap_str(self.heap.insert_str(text))
        };
        stack[first] = result;
        self.sp = first + 1;
        Ok(per_byte8(len as usize))
    }

    /// Replaces the top slot by a new runtime string.
    #[inline(never)]
    fn op_to_string(&mut self, stack: &mut [Slot], text: String) -> Result<u64, TrapCode> {
        let cost = per_byte8(text.len());
        self.stress_safepoint(stack);
        let h = self.heap.alloc_str(
            text,
            Roots {
                stack: &stack[..self.sp],
                globals: &self.globals,
            },
        )?;
        stack[self.sp - 1] = Slot::heap_str(h);
        Ok(cost)
    }

    #[inline(never)]
    fn op_syscall(
        &mut self,
        stack: &mut [Slot],
        index: u32,
        sys: &mut dyn SyscallHandler,
    ) -> Result<u64, TrapCode> {
        let decl = self.code.syscalls[index as usize];
        let n = decl.arg_slots as usize;
        let mut out = std::mem::take(&mut self.sys_out);
        out.clear();
        let args = SyscallArgs {
            slots: &stack[self.sp - n..self.sp],
            strings: Strings {
                statics: &self.code.strings,
                heap: &self.heap,
            },
        };
        let result = sys.syscall(decl.id, &args, &mut out);
        if result.is_ok() {
            self.sp -= n;
            out.resize(decl.ret_slots as usize, Slot::default());
            // Hosts can only build scalar slots, so results never smuggle in a handle.
            for s in &out {
                stack[self.sp] = *s;
                self.sp += 1;
            }
        }
        self.sys_out = out;
        result
    }

    #[inline(never)]
    fn op_list_new(&mut self, stack: &mut [Slot], ty: u32) -> Result<u64, TrapCode> {
        self.stress_safepoint(stack);
        let layout = self.code.layouts[ty as usize];
        self.heap.reserve(
            HEADER_BYTES,
            Roots {
                stack: &stack[..self.sp],
                globals: &self.globals,
            },
        )?;
        let list = List {
            stride: layout.slots,
            elem_bytes: layout.packed_size,
            capacity: 0,
            items: Vec::new(),
        };
        let h = self
            .heap
            .insert(Storage::List(list), HEADER_BYTES, layout.traced);
        stack[self.sp] = Slot::handle(h);
        self.sp += 1;
        Ok(0)
    }

    #[inline(never)]
    fn op_list_len(&mut self, stack: &mut [Slot]) -> Result<u64, TrapCode> {
        let h = stack[self.sp - 1].as_handle();
        let g = self.heap.gate(h)?;
        let Storage::List(list) = &g.storage else {
            return Err(TrapCode::DeadGate);
        };
        let len = list_len(g, list);
        stack[self.sp - 1] = Slot::int(len.min(i32::MAX as usize) as i32);
        Ok(0)
    }

    /// `LIST_PUSH` (`[list, elem]`): appends in place while the charged capacity has
    /// room, which is almost every push; the general insert handles growth, zero-slot
    /// elements and every error.
    #[inline(never)]
    fn op_list_push(&mut self, stack: &mut [Slot], k: u32) -> Result<u64, TrapCode> {
        let n = k as usize;
        let h = stack[self.sp - n - 1].as_handle();
        let has_room = match self.heap.gate(h) {
            Ok(g) => match &g.storage {
                Storage::List(list) => {
                    n > 0 && list.stride == k && list.items.len() < list.capacity as usize * n
                }
                _ => false,
            },
            Err(_) => false,
        };
        if !has_room {
            return self.op_list_insert(stack, k, false);
        }
        // The same safepoint as the general path, so stress mode collects identically.
        self.stress_safepoint(stack);
        let sp = self.sp;
        if let Ok(Storage::List(list)) = self.heap.gate_mut(h).map(|g| &mut g.storage) {
            match n {
                // `push` stores in place; `extend_from_slice` calls `memmove`.
                1 => list.items.push(stack[sp - 1]),
                _ => list.items.extend_from_slice(&stack[sp - n..sp]),
            }
        }
        self.sp -= n + 1;
        Ok(0)
    }

    /// `LIST_PUSH` (`[list, elem]`) and `LIST_INSERT` (`[list, index, elem]`).
    #[inline(never)]
    fn op_list_insert(
        &mut self,
        stack: &mut [Slot],
        k: u32,
        at_index: bool,
    ) -> Result<u64, TrapCode> {
        let n = k as usize;
        let below = n + 1 + at_index as usize;
        let h = stack[self.sp - below].as_handle();
        let len = {
            let g = self.heap.gate(h)?;
            match &g.storage {
                Storage::List(list) if list.stride == k => list_len(g, list),
                _ => return Err(TrapCode::DeadGate),
            }
        };
        let index = if at_index {
            let i = stack[self.sp - n - 1].as_int();
            if i < 0 || i as usize > len {
                return Err(TrapCode::Oob);
            }
            i as usize
        } else {
            len
        };
        self.stress_safepoint(stack);
        self.heap.list_make_room(
            h,
            Roots {
                stack: &stack[..self.sp],
                globals: &self.globals,
            },
        )?;
        let sp = self.sp;
        let values: &[Slot] = &stack[sp - n..sp];
        let g = self.heap.gate_mut(h)?;
        if let Storage::List(list) = &mut g.storage {
            if n == 0 {
                g.zero_len += 1;
            } else {
                let at = index * n;
                list.items.splice(at..at, values.iter().copied());
            }
        }
        self.sp -= below;
        Ok(0)
    }

    #[inline(never)]
    fn op_list_pop(&mut self, stack: &mut [Slot], k: u32) -> Result<u64, TrapCode> {
        let n = k as usize;
        let h = stack[self.sp - 1].as_handle();
        let sp = self.sp - 1;
        let (list, zero_len) = list_of(&mut self.heap, h, k)?;
        let len = list
            .items
            .len()
            .checked_div(n)
            .unwrap_or(*zero_len as usize);
        if len == 0 {
            stack[sp] = Slot::bool(false);
            stack[sp + 1..sp + 1 + n].fill(Slot::default());
            self.sp = sp + 1 + n;
            return Ok(0);
        }
        let at = (len - 1) * n;
        if n == 0 {
            *zero_len -= 1;
        }
        self.heap.barrier_range(h.index(), at..at + n);
        let (list, _) = list_of(&mut self.heap, h, k)?;
        stack[sp] = Slot::bool(true);
        stack[sp + 1..sp + 1 + n].copy_from_slice(&list.items[at..]);
        list.items.truncate(at);
        self.sp = sp + 1 + n;
        Ok(0)
    }

    /// Checks the index operand `[list, index]` at `depth` below the top.
    fn list_index(
        &mut self,
        stack: &[Slot],
        k: u32,
        depth: usize,
        len_extra: usize,
    ) -> Result<(Handle, usize), TrapCode> {
        let h = stack[self.sp - depth - 2].as_handle();
        let i = stack[self.sp - depth - 1].as_int();
        let g = self.heap.gate(h)?;
        let len = match &g.storage {
            Storage::List(list) if list.stride == k => list_len(g, list),
            _ => return Err(TrapCode::DeadGate),
        };
        if i < 0 || i as usize >= len + len_extra {
            return Err(TrapCode::Oob);
        }
        Ok((h, i as usize))
    }

    #[inline(never)]
    fn op_list_get(&mut self, stack: &mut [Slot], k: u32) -> Result<u64, TrapCode> {
        let n = k as usize;
        let sp = self.sp - 2;
        let h = stack[sp].as_handle();
        let i = stack[sp + 1].as_int();
        let g = self.heap.gate(h)?;
        let items = match &g.storage {
            Storage::List(list) if list.stride == k => &list.items,
            _ => return Err(TrapCode::DeadGate),
        };
        // One bounds check on the slots instead of a division for the length; a
        // zero-slot element has nothing to read but still needs a valid index.
        if i < 0 || (n == 0 && i as usize >= g.zero_len as usize) {
            return Err(TrapCode::Oob);
        }
        let from = i as usize * n;
        let part = items.get(from..from + n).ok_or(TrapCode::Oob)?;
        copy_from(&mut stack[sp..sp + n], part);
        self.sp = sp + n;
        Ok(0)
    }

    #[inline(never)]
    fn op_list_set(&mut self, stack: &mut [Slot], k: u32) -> Result<u64, TrapCode> {
        let n = k as usize;
        let sp = self.sp;
        let h = stack[sp - n - 2].as_handle();
        let i = stack[sp - n - 1].as_int();
        let g = self.heap.gate(h)?;
        let items = match &g.storage {
            Storage::List(list) if list.stride == k => &list.items,
            _ => return Err(TrapCode::DeadGate),
        };
        // As in `op_list_get`: a bounds check on the slots, no division.
        let in_range = match n {
            0 => i >= 0 && (i as usize) < g.zero_len as usize,
            _ => i >= 0 && (i as usize + 1) * n <= items.len(),
        };
        if !in_range {
            return Err(TrapCode::Oob);
        }
        let from = i as usize * n;
        self.heap.barrier_range(h.index(), from..from + n);
        if let Ok(Storage::List(list)) = self.heap.gate_mut(h).map(|g| &mut g.storage) {
            copy_from(&mut list.items[from..from + n], &stack[sp - n..sp]);
        }
        self.sp -= n + 2;
        Ok(0)
    }

    #[inline(never)]
    fn op_list_remove(&mut self, stack: &mut [Slot], k: u32) -> Result<u64, TrapCode> {
        let n = k as usize;
        let (h, i) = self.list_index(stack, k, 0, 0)?;
        let sp = self.sp - 2;
        self.heap.barrier_range(h.index(), i * n..i * n + n);
        self.heap.before_list_remove(h.index(), i * n, n);
        let (list, zero_len) = list_of(&mut self.heap, h, k)?;
        if n == 0 {
            *zero_len -= 1;
        }
        stack[sp..sp + n].copy_from_slice(&list.items[i * n..i * n + n]);
        list.items.drain(i * n..i * n + n);
        self.sp = sp + n;
        Ok(0)
    }

    #[inline(never)]
    fn op_list_clear(&mut self, stack: &mut [Slot]) -> Result<u64, TrapCode> {
        self.sp -= 1;
        self.heap.clear_list(stack[self.sp].as_handle())?;
        Ok(0)
    }
}

/// `LIST_LEN` of the list in `list`.
#[inline(always)]
fn list_len_of(heap: &Heap, list: Slot) -> Result<i32, TrapCode> {
    let g = heap.gate(list.as_handle())?;
    let Storage::List(l) = &g.storage else {
        return Err(TrapCode::DeadGate);
    };
    Ok(list_len(g, l).min(i32::MAX as usize) as i32)
}

/// `LIST_GET` of a one-slot element.
#[inline(always)]
fn list_get1(heap: &Heap, list: Slot, i: i32) -> Result<Slot, TrapCode> {
    match &heap.gate(list.as_handle())?.storage {
        Storage::List(l) if l.stride == 1 => usize::try_from(i)
            .ok()
            .and_then(|i| l.items.get(i))
            .copied()
            .ok_or(TrapCode::Oob),
        _ => Err(TrapCode::DeadGate),
    }
}

/// `LIST_PUSH` of a one-slot element when the list's charged capacity has room and
/// its buffer too (growing takes the stack form); `false` (nothing done) otherwise.
/// With the buffer's room checked here, the push cannot allocate: no call lands in
/// the fast loop (one there costs its other ops registers).
#[inline(always)]
fn list_push1(heap: &mut Heap, list: Slot, v: Slot) -> bool {
    match heap.gate_mut(list.as_handle()).map(|g| &mut g.storage) {
        Ok(Storage::List(l))
            if l.stride == 1
                && l.items.len() < l.capacity as usize
                && l.items.len() < l.items.capacity() =>
        {
            l.items.push(v);
            true
        }
        _ => false,
    }
}

/// `LIST_SET` of a one-slot element.
#[inline(always)]
fn list_set1(heap: &mut Heap, list: Slot, i: i32, v: Slot) -> Result<(), TrapCode> {
    let h = list.as_handle();
    // While no collection is marking (nearly always) no barrier runs, and one gate
    // lookup does the whole store.
    let marking = heap.gc.is_marking();
    let items = match &mut heap.gate_mut(h)?.storage {
        Storage::List(l) if l.stride == 1 => &mut l.items,
        _ => return Err(TrapCode::DeadGate),
    };
    let Some(slot) = usize::try_from(i).ok().and_then(|i| items.get_mut(i)) else {
        return Err(TrapCode::Oob);
    };
    if !marking {
        *slot = v;
        return Ok(());
    }
    let i = i as usize;
    heap.barrier_range(h.index(), i..i + 1);
    if let Ok(Storage::List(l)) = heap.gate_mut(h).map(|g| &mut g.storage) {
        l.items[i] = v;
    }
    Ok(())
}

/// The list behind handle `h` with element stride `k` (checked against the storage so
/// a kind confusion traps instead of misreading), with its zero-stride length.
fn list_of(heap: &mut Heap, h: Handle, k: u32) -> Result<(&mut List, &mut u32), TrapCode> {
    let g = heap.gate_mut(h)?;
    match &mut g.storage {
        Storage::List(list) if list.stride == k => Ok((list, &mut g.zero_len)),
        _ => Err(TrapCode::DeadGate),
    }
}

/// Copies `n` slots of `stack` from `src` to `dst` (disjoint ranges, or `dst < src`). Frames
/// copy one to a few slots at a time (returns, struct locals), and `copy_within` calls
/// libc `memmove` even for one slot, so small counts use fixed-size copies the
/// compiler inlines as plain moves.
#[inline(always)]
fn copy_slots(stack: &mut [Slot], src: usize, dst: usize, n: usize) {
    /// Copies in ascending order: right when the ranges are disjoint or `dst < src`,
    /// which every caller guarantees (a frame's slots lie below its operands).
    #[inline(always)]
    fn fixed<const N: usize>(stack: &mut [Slot], src: usize, dst: usize) {
        debug_assert!(dst <= src || dst >= src + N);
        for k in 0..N {
            stack[dst + k] = stack[src + k];
        }
    }
    match n {
        0 => {}
        1 => stack[dst] = stack[src],
        2 => fixed::<2>(stack, src, dst),
        3 => fixed::<3>(stack, src, dst),
        4 => fixed::<4>(stack, src, dst),
        5 => fixed::<5>(stack, src, dst),
        6 => fixed::<6>(stack, src, dst),
        7 => fixed::<7>(stack, src, dst),
        8 => fixed::<8>(stack, src, dst),
        _ => stack.copy_within(src..src + n, dst),
    }
}

/// `dst.copy_from_slice(src)` without a `memcpy` call for the usual one slot.
#[inline(always)]
fn copy_from(dst: &mut [Slot], src: &[Slot]) {
    if let ([d], [s]) = (&mut *dst, src) {
        *d = *s;
    } else {
        dst.copy_from_slice(src);
    }
}

/// The inner interpreter: runs register forms, `JMP`, `CALL` and `RET` from `pc` until
/// an op that is not one, one that would trap or needs the slow path (a list that must
/// grow, the entry function's return), or the end of the budget. Returns where it
/// stopped, the budget left and the frame base: the op at that `pc` has neither run nor
/// been charged, and the outer loop runs it.
///
/// It is a function of its own so that the values every op needs (`pc`, the budget,
/// `base`, the stack and the ops) stay in registers: the outer loop's many slow paths
/// call out and leave it too few.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn run_register_forms(
    code: &Code,
    heap: &mut Heap,
    frames: &mut CallStack,
    stack: &mut [Slot; STACK_LIMIT],
    mut base: usize,
    mut pc: usize,
    mut left: i64,
) -> (usize, i64, usize) {
    let ops = &code.ops[..];
    let stress = heap.gc.mode == GcMode::Stress;
    // A frame slot; see `execute` for why the mask never changes an index.
    macro_rules! r {
        ($r:expr) => {
            stack[(base + $r as usize) & (STACK_LIMIT - 1)]
        };
    }
    // Stops before the current op, leaving it to the outer loop.
    macro_rules! stop {
        () => {
            return (pc, left, base)
        };
    }
    loop {
        let d = ops[pc];
        if left <= 0 {
            stop!();
        }
        let mut next = pc + 1;
        macro_rules! branch {
            ($cond:expr, $sense:expr, $t:expr) => {
                if $cond == $sense {
                    next = $t as usize;
                }
            };
        }
        match d.op {
            Op::Jmp(t) => next = t as usize,
            // Calls and returns are out of line: inlined, their bookkeeping would take
            // registers from every other op.
            Op::Call(f) => {
                let callee = &code.funcs[f as usize];
                let sp = base + d.sp as usize;
                if callee.locals == 0 {
                    // No locals to clear: nothing in the call can call out.
                    let mut callee_base = base;
                    match call(frames, stack, callee, sp, &mut callee_base, next) {
                        Ok(entry) => {
                            next = entry;
                            base = callee_base;
                        }
                        Err(_) => stop!(),
                    }
                } else {
                    match enter(frames, stack, callee, sp, base, next) {
                        Some((entry, callee_base)) => {
                            next = entry;
                            base = callee_base;
                        }
                        None => stop!(),
                    }
                }
            }
            Op::Ret | Op::RetR(_) => match leave(frames, stack, d.op, base, base + d.sp as usize) {
                Some((return_pc, caller_base)) => {
                    next = return_pc;
                    base = caller_base;
                }
                // The entry function's return ends the run: the outer loop does it.
                None => stop!(),
            },
            Op::Mov(dst, src) => r!(dst) = r!(src),
            Op::MovI32(dst, v) => r!(dst) = Slot::int(v),
            Op::MovF64(dst, v) => r!(dst) = Slot::float(v),
            Op::MovBool(dst, v) => r!(dst) = Slot::bool(v),
            Op::MovN(dst, src, n) => {
                move_slots(stack, base + src as usize, base + dst as usize, n as usize)
            }
            Op::LoadConsts(dst, start, n) => {
                let (start, n, to) = (start as usize, n as usize, base + dst as usize);
                stack[to..to + n].copy_from_slice(&code.consts[start..start + n]);
            }
            Op::GetIdxR(dst, b, stride, count, index, len) => {
                if get_idx(stack, base, [dst, b, stride, count, index], len).is_err() {
                    stop!();
                }
            }
            Op::SetIdxR(b, stride, index, src, len) => {
                if set_idx(stack, base, [b, stride, index, src], len).is_err() {
                    stop!();
                }
            }
            Op::ListLenR(dst, list) => match list_len_of(heap, r!(list)) {
                Ok(n) => r!(dst) = Slot::int(n),
                Err(_) => stop!(),
            },
            Op::ListGetR(dst, list, index) => match list_get1(heap, r!(list), r!(index).as_int()) {
                Ok(v) => r!(dst) = v,
                Err(_) => stop!(),
            },
            Op::ListGetBr(sense, list, index, _, t) => {
                match list_get1(heap, r!(list), r!(index).as_int()) {
                    Ok(v) => branch!(v.as_bool(), sense, t),
                    Err(_) => stop!(),
                }
            }
            Op::ListSetR(list, index, value) => {
                // While a collection marks, the store needs the write barrier, which
                // calls out: the outer loop does it.
                let v = r!(value);
                if heap.gc.is_marking() || list_set1(heap, r!(list), r!(index).as_int(), v).is_err()
                {
                    stop!();
                }
            }
            Op::ListPushR(list, value) => {
                if stress || !list_push1(heap, r!(list), r!(value)) {
                    stop!();
                }
            }
            Op::IBin(f, dst, a, b) => match int_op(f, r!(a).as_int(), r!(b).as_int()) {
                Ok(v) => r!(dst) = Slot::int(v),
                Err(_) => stop!(),
            },
            Op::IBinK(f, dst, a, k) => match int_op(f, r!(a).as_int(), k) {
                Ok(v) => r!(dst) = Slot::int(v),
                Err(_) => stop!(),
            },
            Op::FBin(f, dst, a, b) => {
                r!(dst) = Slot::float(float_op(f, r!(a).as_float(), r!(b).as_float()))
            }
            Op::FBinK(f, dst, a, k) => r!(dst) = Slot::float(float_op(f, r!(a).as_float(), k)),
            Op::IBin2(outer, inner, inner_left, dst, other, y, z) => {
                let t = wrapping_int_op(inner, r!(y).as_int(), r!(z).as_int());
                let o = r!(other).as_int();
                let (a, b) = if inner_left { (t, o) } else { (o, t) };
                r!(dst) = Slot::int(wrapping_int_op(outer, a, b));
            }
            Op::FBin2(outer, inner, inner_left, dst, other, y, z) => {
                let t = float_op(inner, r!(y).as_float(), r!(z).as_float());
                let o = r!(other).as_float();
                let (a, b) = if inner_left { (t, o) } else { (o, t) };
                r!(dst) = Slot::float(float_op(outer, a, b));
            }
            Op::INegR(dst, a) => r!(dst) = Slot::int(r!(a).as_int().wrapping_neg()),
            Op::FNegR(dst, a) => r!(dst) = Slot::float(-r!(a).as_float()),
            Op::NotR(dst, a) => r!(dst) = Slot::bool(!r!(a).as_bool()),
            Op::JmpIf(sense, a, t) => branch!(r!(a).as_bool(), sense, t),
            Op::BrI(c, sense, a, b, t) => {
                branch!(c.eval(r!(a).as_int(), r!(b).as_int()), sense, t)
            }
            Op::BrIK(c, sense, a, k, t) => branch!(c.eval(r!(a).as_int(), k), sense, t),
            Op::BrF(c, sense, a, b, t) => {
                branch!(c.eval(r!(a).as_float(), r!(b).as_float()), sense, t)
            }
            Op::BrFK(c, sense, a, k, t) => {
                branch!(c.eval(r!(a).as_float(), code.floats[k as usize]), sense, t)
            }
            Op::StepBrI(c, sense, x, k, b, t) => {
                let v = r!(x).as_int().wrapping_add(k);
                r!(x) = Slot::int(v);
                branch!(c.eval(v, r!(b).as_int()), sense, t)
            }
            Op::StepBrR(c, sense, x, k, b, t) => {
                let v = r!(x).as_int().wrapping_add(r!(k).as_int());
                r!(x) = Slot::int(v);
                branch!(c.eval(v, r!(b).as_int()), sense, t)
            }
            Op::StepBrIK(c, sense, x, k, bound, t) => {
                let v = r!(x).as_int().wrapping_add(i32::from(k));
                r!(x) = Slot::int(v);
                branch!(c.eval(v, bound), sense, t)
            }
            _ => stop!(),
        }
        left -= i64::from(d.cost);
        pc = next;
    }
}

/// `CALL` of `callee` with its arguments below `sp`: pushes the caller's frame (to
/// return to `return_pc`), moves `base` to the callee's frame and returns its entry.
/// The call stack holds `max_call_depth` frames: a full one is the overflow.
#[inline(always)]
fn call(
    frames: &mut CallStack,
    stack: &mut [Slot],
    callee: &FuncInfo,
    sp: usize,
    base: &mut usize,
    return_pc: usize,
) -> Result<usize, TrapCode> {
    let needed = sp + callee.locals as usize + callee.max_stack as usize;
    let frame = Frame {
        return_pc: return_pc as u32,
        caller_base: *base as u32,
        returns: callee.returns,
    };
    if needed > STACK_LIMIT || !frames.push(frame) {
        return Err(TrapCode::StackOverflow);
    }
    frames.count(callee.index);
    *base = sp - callee.params as usize;
    stack[sp..sp + callee.locals as usize].fill(Slot::default());
    Ok(callee.entry as usize)
}

/// [`call`] for the fast loop: `(entry, callee base)`, or `None` on an overflow (the
/// outer loop then traps). Out of line: inlined, it costs the other ops registers.
#[inline(never)]
fn enter(
    frames: &mut CallStack,
    stack: &mut [Slot],
    callee: &FuncInfo,
    sp: usize,
    mut base: usize,
    return_pc: usize,
) -> Option<(usize, usize)> {
    let entry = call(frames, stack, callee, sp, &mut base, return_pc).ok()?;
    Some((entry, base))
}

/// `RET` for the fast loop: `(return pc, caller base)`, or `None` (nothing done) for
/// the entry function, whose return ends the run.
#[inline(always)]
fn leave(
    frames: &mut CallStack,
    stack: &mut [Slot],
    op: Op,
    base: usize,
    sp: usize,
) -> Option<(usize, usize)> {
    let frame = *frames.last()?;
    if frame.return_pc == u32::MAX {
        return None;
    }
    frames.pop();
    copy_returns(stack, op, base, sp, frame.returns as usize);
    Some((frame.return_pc as usize, frame.caller_base as usize))
}

/// `RET` (the top `n` slots) or `RETR` (one slot): the returned slots go to the
/// frame's base.
#[inline(always)]
fn copy_returns(stack: &mut [Slot], op: Op, base: usize, sp: usize, n: usize) {
    if let Op::RetR(r) = op {
        stack[base] = stack[base + r as usize];
    } else {
        copy_slots(stack, sp - n, base, n);
    }
}

/// Copies `n` slots from `src` to `dst` (the ranges may overlap): a few slots one by
/// one, more with `copy_within`. Out of line: inlined, it costs the fast loop's other
/// ops registers.
#[inline(never)]
fn move_slots(stack: &mut [Slot], src: usize, dst: usize, n: usize) {
    if n > 8 {
        stack.copy_within(src..src + n, dst);
    } else if dst <= src {
        for j in 0..n {
            stack[dst + j] = stack[src + j];
        }
    } else {
        for j in (0..n).rev() {
            stack[dst + j] = stack[src + j];
        }
    }
}

/// `GET_LOCAL_IDX` in register form: `[dst, base, stride, count, index]` are frame
/// slots (see [`Op::GetIdxR`]).
#[inline(always)]
fn get_idx(
    stack: &mut [Slot; STACK_LIMIT],
    base: usize,
    [dst, b, stride, count, index]: [Reg; 5],
    len: u32,
) -> Result<(), TrapCode> {
    let i = stack[base + index as usize].as_int();
    if i < 0 || i as u32 >= len {
        return Err(TrapCode::Oob);
    }
    let from = base + b as usize + i as usize * stride as usize;
    stack.copy_within(from..from + count as usize, base + dst as usize);
    Ok(())
}

/// `SET_LOCAL_IDX` in register form: `[base, stride, index, src]` are frame slots (see
/// [`Op::SetIdxR`]).
#[inline(always)]
fn set_idx(
    stack: &mut [Slot; STACK_LIMIT],
    base: usize,
    [b, stride, index, src]: [Reg; 4],
    len: u32,
) -> Result<(), TrapCode> {
    let i = stack[base + index as usize].as_int();
    if i < 0 || i as u32 >= len {
        return Err(TrapCode::Oob);
    }
    let (from, n) = (base + src as usize, stride as usize);
    stack.copy_within(from..from + n, base + b as usize + i as usize * n);
    Ok(())
}

/// An int operation of the register forms (division by zero traps; the rest wrap).
#[inline(always)]
fn int_op(f: IntOp, a: i32, b: i32) -> Result<i32, TrapCode> {
    Ok(match f {
        IntOp::Add => a.wrapping_add(b),
        IntOp::Sub => a.wrapping_sub(b),
        IntOp::Mul => a.wrapping_mul(b),
        IntOp::Div => {
            if b == 0 {
                return Err(TrapCode::DivZero);
            }
            a.wrapping_div(b)
        }
        IntOp::Rem => {
            if b == 0 {
                return Err(TrapCode::DivZero);
            }
            a.wrapping_rem(b)
        }
        IntOp::And => a & b,
        IntOp::Or => a | b,
        IntOp::Xor => a ^ b,
        IntOp::Shl => a.wrapping_shl(b as u32 & 31),
        IntOp::Shr => a.wrapping_shr(b as u32 & 31),
    })
}

/// An int operation that cannot trap (the translator never fuses a division).
#[inline(always)]
fn wrapping_int_op(f: IntOp, a: i32, b: i32) -> i32 {
    int_op(f, a, b).unwrap_or(0)
}

/// A float operation of the register forms.
#[inline(always)]
fn float_op(f: FloatOp, a: f64, b: f64) -> f64 {
    match f {
        FloatOp::Add => a + b,
        FloatOp::Sub => a - b,
        FloatOp::Mul => a * b,
        FloatOp::Div => a / b,
    }
}

/// A bounded result, or `TRAP_BOUNDED_OVERFLOW` above 65535.
#[inline(always)]
fn bounded(v: u32) -> Result<Slot, TrapCode> {
    match u16::try_from(v) {
        Ok(v) => Ok(Slot::bounded(v)),
        Err(_) => Err(TrapCode::BoundedOverflow),
    }
}

#[inline(always)]
fn bounded64(v: u64) -> Result<Slot, TrapCode> {
    match u16::try_from(v) {
        Ok(v) => Ok(Slot::bounded(v)),
        Err(_) => Err(TrapCode::BoundedOverflow),
    }
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn floats_print_shortest_without_exponent() {
        let cases = [
            (3.0, "3.0"),
            (0.25, "0.25"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (1e21, "1000000000000000000000.0"),
            (1e-7, "0.0000001"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "NaN"),
            (123456789.125, "123456789.125"),
        ];
        for (v, text) in cases {
            assert_eq!(format_float(v), text, "{v:?}");
        }
        let max = format_float(f64::MAX);
        assert!(max.starts_with("17976931348623157") && max.ends_with(".0"));
        assert!(!format_float(f64::MIN_POSITIVE).contains('e'));
        assert_eq!(
            format_float(f64::MIN_POSITIVE).parse::<f64>().unwrap(),
            f64::MIN_POSITIVE
        );
    }
}
