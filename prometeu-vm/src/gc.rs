//! The incremental tri-colour collector.
//!
//! * **Colours.** A gate's `marked` bit set means grey (queued in `grey`, or being
//!   scanned in `partial`) or black (scanned); unset means white.
//! * **Roots** are the value stack, the globals and the host's pinned handles. Slots are
//!   tagged, so roots are found at every step without stack maps (a suspended frame's
//!   operand slots may also hold stale values; see the crate docs).
//! * **Snapshot at the beginning (Yuasa).** A cycle starts by shading every root in one
//!   short pause (at most 65,536 stack slots plus the globals). From then on, the only
//!   way the program can hide an object from the collector is to remove the last heap
//!   reference to it, so every store that overwrites or moves a handle or string *out*
//!   of heap storage (`GATE_STORE`, `LIST_SET`, `LIST_POP`, `LIST_REMOVE`,
//!   `LIST_CLEAR`, `TAKE`) shades the old value first. Stack and global writes need no
//!   barrier: their old contents were shaded by the root snapshot. Objects allocated
//!   while marking are born black. Marking therefore terminates without rescanning the
//!   stack, which is what keeps the final pause short (a Dijkstra insertion barrier
//!   would need a stop-the-world stack rescan at the end of each cycle).
//! * **Slices.** Marking and sweeping advance in slices with a work budget (one unit per
//!   slot scanned or gate visited): paced by allocation (`step_bytes`), at every
//!   `FRAME_SYNC`, and on demand. With `VmConfig::gc_in_idle_time` (the desktop
//!   window) the host's idle-time slices do the work and allocation paces only a heap
//!   that got ahead of them (`behind`, or no cycle yet a quarter of the way to the
//!   budget). Large objects are scanned in chunks (`partial`); a
//!   `LIST_REMOVE` in front of the scan position shades the one element that crosses it.
//! * **Bounded pauses, by design.** A slice is bounded twice: by its work budget (at
//!   most [`MAX_PACED_WORK`] units when paced by allocation), and by a time budget
//!   (`VmConfig::gc_slice_time`, 0.5 ms by default) read from the clock every
//!   [`CLOCK_CHECK_UNITS`] units, so even cache-missing work or a slow host cannot
//!   stretch a slice much past it. Work a paced slice could not do in time is carried
//!   to the next one, so the collector keeps its pace. The schedule may depend on time
//!   because collection is unobservable. The only other pauses are the root snapshot
//!   at a cycle's start (at most 65,536 stack slots, the globals and the host's pins)
//!   and the full collection when an allocation does not fit the budget.
//! * **Releasing.** Sweeping decides on the VM thread (so gate reuse is deterministic:
//!   freed indices go on a LIFO free list in sweep order). Small dead storage is freed
//!   on the VM thread, one per later allocation (cheap in the thread's own allocator
//!   cache); storage with a buffer of [`SWEEP_FREE_BYTES`] or more, and any beyond
//!   [`PENDING_FREE_CAP`], goes to a background thread that drops it.
//! * **Full collections** happen when an allocation does not fit the budget, and at
//!   every safepoint in [`GcMode::Stress`]. Collection is unobservable: it changes no
//!   result, no cycle count and no trap.

use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cpu_time::thread_cpu_time;
use crate::heap::{Heap, List, RefSlots, Roots, Storage};
use crate::value::{Handle, Slot};
use prometeu_bytecode::TrapCode;

/// When the collector runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum GcMode {
    /// Incremental slices paced by allocation and `FRAME_SYNC`; a full collection only
    /// when an allocation does not fit.
    #[default]
    Incremental,
    /// A full collection at every safepoint (each allocating instruction and
    /// `FRAME_SYNC`): slow, for testing that collection never changes results.
    Stress,
}

/// Collector counters, for profiling and tests. Pause times are measured (wall clock,
/// and the VM thread's CPU time when [`crate::VmConfig::gc_cpu_timing`] is on); since
/// slices stop on a time budget, `work`, `slices` and `cycles` may differ between runs
/// too (nothing a program can observe does).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GcStats {
    /// Completed cycles (incremental and full).
    pub cycles: u64,
    /// Full (stop-the-world) collections.
    pub full_collections: u64,
    /// Slices run on the VM thread (cycle starts, steps, full collections).
    pub slices: u64,
    /// Gates freed.
    pub freed: u64,
    /// The longest single pause on the VM thread since the last
    /// [`crate::Vm::take_max_gc_pause`].
    pub max_pause: Duration,
    /// Total time spent in collector slices on the VM thread.
    pub total_pause: Duration,
    /// The most CPU time the VM thread spent in one pause since the last
    /// [`crate::Vm::take_max_gc_pauses`] (zero unless `gc_cpu_timing`). Against
    /// `max_pause` it tells real work from preemption.
    pub max_pause_cpu: Duration,
    /// Total CPU time of the VM thread in collector pauses (zero unless `gc_cpu_timing`).
    pub total_pause_cpu: Duration,
    /// Work units done (slots scanned, objects marked, gates swept).
    pub work: u64,
    /// The most work units one incremental slice did (full collections excluded).
    pub max_slice_work: u64,
    /// Incremental slices that stopped on the time budget with work left.
    pub time_capped_slices: u64,
}

/// The longest collector pause in some period, by wall clock and by the VM thread's CPU
/// time.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GcPause {
    /// Wall-clock time (includes any time the thread was preempted).
    pub wall: Duration,
    /// CPU time of the VM thread (zero unless `gc_cpu_timing`).
    pub cpu: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Phase {
    Idle,
    Marking,
    Sweeping { cursor: u32 },
}

/// The least work per KiB allocated while a cycle is in progress.
const MIN_WORK_PER_KIB: u64 = 64;
/// The most work one allocation-paced slice does; a larger debt (after a big
/// allocation, e.g. a long list doubling its capacity) is paid over later slices.
/// A unit averages ~18 ns of CPU on the gc bench (1 million live objects); even if
/// every unit missed the cache (~150 ns), 4,096 units would stay under 0.65 ms.
pub(crate) const MAX_PACED_WORK: u64 = 4_096;
/// Work units between two reads of the clock in a time-bounded slice: at ~150 ns a
/// unit at worst, a slice overshoots its time budget by at most ~40 µs; at ~20 ns
/// per read, checking costs under 0.5 % of the work.
pub(crate) const CLOCK_CHECK_UNITS: u64 = 256;
/// Dead storages handed to the release thread at once.
const RELEASE_BATCH: usize = 4096;
/// Dead storage with a buffer below this many bytes is freed on the VM thread, one
/// per new allocation ([`Heap::free_one_pending`]), instead of on the release thread.
/// A block freed on the release thread goes back through the allocator's shared lock,
/// which the VM thread's allocations then wait on (the `strings` benchmark spent 42 %
/// of its time there); freed on the VM thread just before a similar allocation, it
/// goes to and comes back from the thread's own cache. Not freed during the sweep
/// itself, so that the allocator's work (which can include consolidating its free
/// lists) stays out of collector pauses.
const SWEEP_FREE_BYTES: usize = 1024;
/// At most this many small dead storages wait for [`Heap::free_one_pending`]; more go
/// to the release thread, so a program that stops allocating holds little dead memory.
const PENDING_FREE_CAP: usize = 8192;

/// Gates per chunk of the [`GreyStack`] (64 KiB).
const GREY_CHUNK: usize = 1 << 14;

/// The grey set: a stack of gate indices kept in fixed-size chunks, so pushing never
/// copies what is already there (a `Vec` doubling while a million-element list is
/// scanned would copy the whole grey set in one pause).
#[derive(Debug, Default)]
struct GreyStack {
    chunks: Vec<Vec<u32>>,
}

impl GreyStack {
    fn push(&mut self, index: u32) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < GREY_CHUNK => chunk.push(index),
            _ => {
                let mut chunk = Vec::with_capacity(GREY_CHUNK);
                chunk.push(index);
                self.chunks.push(chunk);
            }
        }
    }

    fn pop(&mut self) -> Option<u32> {
        loop {
            let last = self.chunks.last_mut()?;
            if let Some(index) = last.pop() {
                return Some(index);
            }
            // Keep one chunk allocated for the next cycle.
            if self.chunks.len() == 1 {
                return None;
            }
            self.chunks.pop();
        }
    }
}

/// The collector's state (part of [`Heap`]).
#[derive(Debug)]
pub(crate) struct Collector {
    pub mode: GcMode,
    phase: Phase,
    grey: GreyStack,
    /// A gate scanned in chunks: `(index, next slot)`.
    partial: Option<(u32, usize)>,
    /// Start a cycle when `used` reaches this.
    threshold: u64,
    /// The lowest `threshold`.
    min_threshold: u64,
    /// Bytes allocated since the last paced slice.
    debt: u64,
    /// Allocation between paced slices.
    step_bytes: u64,
    /// Work units per KiB allocated during the current cycle (set when it starts).
    work_per_kib: u64,
    /// Heap use by which the current cycle meant to be done.
    deadline: u64,
    /// Bytes allocated since the current cycle started.
    allocated_in_cycle: u64,
    /// The heap passed the current cycle's planned end (with idle-time slices:
    /// allocation paces the rest of the cycle).
    behind: bool,
    /// `stats.work` when the current cycle started.
    cycle_start_work: u64,
    /// Work units the last completed cycle took (0 before the first).
    last_cycle_work: u64,
    dead: Vec<Storage>,
    /// Small dead storage freed one per allocation (see [`SWEEP_FREE_BYTES`]).
    pending_free: Vec<Storage>,
    /// Contents `LIST_CLEAR` removed from lists while marking, with the next slot to
    /// scan: the deletion barrier for them, done incrementally (shading a long list's
    /// elements at once would be a long pause).
    retired: Vec<(Vec<Slot>, usize)>,
    releaser: Option<Releaser>,
    scratch: Vec<Handle>,
    /// How long an incremental slice may run.
    slice_time: Duration,
    /// Whether pauses are also measured in thread CPU time.
    cpu_timing: bool,
    /// Allocation leaves the work to the host's idle-time slices while the heap keeps
    /// within the pace (see [`crate::VmConfig::gc_in_idle_time`]).
    idle_time: bool,
    pub stats: GcStats,
}

/// How a [`Collector`] is paced (from [`crate::VmConfig`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pacing {
    pub mode: GcMode,
    /// Allocation between paced slices.
    pub step_bytes: u64,
    /// The lowest heap use that starts a cycle.
    pub start_bytes: u64,
    /// How long an incremental slice may run.
    pub slice_time: Duration,
    /// Measure pauses in thread CPU time too.
    pub cpu_timing: bool,
    /// Drop dead storage on a background thread.
    pub background: bool,
    /// The host runs slices in its idle time ([`crate::VmConfig::gc_in_idle_time`]).
    pub idle_time: bool,
}

/// The background thread that drops dead storage.
#[derive(Debug)]
struct Releaser {
    tx: Option<Sender<Vec<Storage>>>,
    thread: Option<JoinHandle<()>>,
}

impl Releaser {
    fn spawn() -> Option<Releaser> {
        let (tx, rx) = channel::<Vec<Storage>>();
        let thread = std::thread::Builder::new()
            .name("prometeu-gc-release".into())
            .spawn(move || {
                for batch in rx {
                    drop(batch);
                }
            })
            .ok()?;
        Some(Releaser {
            tx: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Releaser {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Collector {
    /// A collector paced as `pacing` says.
    pub fn new(pacing: Pacing) -> Collector {
        Collector {
            mode: pacing.mode,
            phase: Phase::Idle,
            grey: GreyStack::default(),
            partial: None,
            threshold: pacing.start_bytes,
            min_threshold: pacing.start_bytes,
            debt: 0,
            step_bytes: pacing.step_bytes.max(1),
            work_per_kib: MIN_WORK_PER_KIB,
            deadline: u64::MAX,
            allocated_in_cycle: 0,
            behind: false,
            cycle_start_work: 0,
            last_cycle_work: 0,
            dead: Vec::new(),
            pending_free: Vec::new(),
            retired: Vec::new(),
            releaser: if pacing.background {
                Releaser::spawn()
            } else {
                None
            },
            scratch: Vec::new(),
            slice_time: pacing.slice_time,
            cpu_timing: pacing.cpu_timing,
            idle_time: pacing.idle_time,
            stats: GcStats::default(),
        }
    }

    /// Whether marking is in progress (the write barrier is active).
    #[inline(always)]
    pub fn is_marking(&self) -> bool {
        self.phase == Phase::Marking
    }

    /// The mark a new object at gate `index` is born with: black while marking, and
    /// while sweeping when the sweep has not reached it yet (so it is not freed).
    pub fn allocation_colour(&self, index: u32) -> bool {
        match self.phase {
            Phase::Idle => false,
            Phase::Marking => true,
            Phase::Sweeping { cursor } => index >= cursor,
        }
    }
}

impl Heap {
    /// Shades `h` grey (or straight to black when it holds nothing to scan).
    pub(crate) fn shade(&mut self, h: Handle) {
        let Some(g) = self.gates.get_mut(h.index() as usize) else {
            return;
        };
        if g.generation != h.generation() || g.marked {
            return;
        }
        match &g.storage {
            Storage::Free { .. } | Storage::Taken => {}
            Storage::Ref(_) | Storage::List(_) if g.traced => {
                g.marked = true;
                self.gc.grey.push(h.index());
            }
            _ => g.marked = true,
        }
    }

    fn shade_roots(&mut self, roots: Roots<'_>) {
        for s in roots.stack.iter().chain(roots.globals) {
            if let Some(h) = s.traced() {
                self.shade(h);
            }
        }
        for i in 0..self.host_roots.len() {
            self.shade(self.host_roots[i]);
        }
    }

    /// Runs `f` as one collector pause, recording its duration; `f` gets the time the
    /// pause must end by (its start plus the slice time budget).
    fn timed<R>(&mut self, f: impl FnOnce(&mut Heap, Instant) -> R) -> R {
        // The CPU-time interval nests inside the wall-clock one, so a pause never shows
        // more CPU time than wall time.
        let start = Instant::now();
        let cpu_start = self.gc.cpu_timing.then(thread_cpu_time).flatten();
        let deadline = start.checked_add(self.gc.slice_time).unwrap_or(start);
        let r = f(self, deadline);
        let cpu = match (cpu_start, cpu_start.and_then(|_| thread_cpu_time())) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => Duration::ZERO,
        };
        let pause = start.elapsed();
        let stats = &mut self.gc.stats;
        stats.slices += 1;
        stats.max_pause = stats.max_pause.max(pause);
        stats.total_pause += pause;
        stats.max_pause_cpu = stats.max_pause_cpu.max(cpu);
        stats.total_pause_cpu += cpu;
        r
    }

    /// Starts a cycle: shades every root and sets the pace. The cycle's work is at
    /// most one unit per gate to sweep plus one per slot and object to mark (bounded by
    /// `used / 8` and the object count); it is spread over half of the smaller of the
    /// heap's current size and its remaining budget, so the cycle ends well before the
    /// budget is reached and its slices spread over many frames instead of one.
    fn begin_cycle(&mut self, roots: Roots<'_>) {
        debug_assert_eq!(self.gc.phase, Phase::Idle);
        self.gc.phase = Phase::Marking;
        self.gc.debt = 0;
        let work = match self.gc.last_cycle_work {
            0 => (self.gates.len() + 2 * self.object_count()) as u64 + self.used / 32,
            last => last + last / 4,
        };
        self.gc.cycle_start_work = self.gc.stats.work;
        self.gc.allocated_in_cycle = 0;
        self.gc.behind = false;
        let room = self.budget.saturating_sub(self.used).min(self.used) / 2;
        let room_kib = (room / 1024).max(64);
        self.gc.work_per_kib = work.div_ceil(room_kib).max(MIN_WORK_PER_KIB);
        self.gc.deadline = self.used.saturating_add(room);
        self.shade_roots(roots);
    }

    /// Does up to `budget` units of marking and sweeping, stopping early (between
    /// chunks of [`CLOCK_CHECK_UNITS`]) once the clock passes `deadline`. Returns the
    /// units done.
    fn step(&mut self, budget: u64, deadline: Option<Instant>) -> u64 {
        let mut left = budget;
        while left > 0 && self.gc.phase != Phase::Idle {
            let chunk = match deadline {
                Some(_) => left.min(CLOCK_CHECK_UNITS),
                None => left,
            };
            let mut work = chunk;
            while work > 0 {
                match self.gc.phase {
                    Phase::Idle => break,
                    Phase::Marking => work = self.mark_some(work),
                    Phase::Sweeping { .. } => work = self.sweep_some(work),
                }
            }
            left -= chunk - work;
            if left == 0 || self.gc.phase == Phase::Idle {
                break;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                self.gc.stats.time_capped_slices += 1;
                break;
            }
        }
        let done = budget - left;
        let stats = &mut self.gc.stats;
        stats.work = stats.work.saturating_add(done);
        if budget != u64::MAX {
            stats.max_slice_work = stats.max_slice_work.max(done);
        }
        done
    }

    fn mark_some(&mut self, mut work: u64) -> u64 {
        let mut scratch = std::mem::take(&mut self.gc.scratch);
        while work > 0 {
            let (index, offset) = match self.gc.partial.take() {
                Some(p) => p,
                None => match self.gc.grey.pop() {
                    Some(index) => (index, 0),
                    None if !self.gc.retired.is_empty() => {
                        work = self.scan_retired(work, &mut scratch);
                        continue;
                    }
                    None => {
                        self.gc.phase = Phase::Sweeping { cursor: 0 };
                        break;
                    }
                },
            };
            let slots = match &self.gates[index as usize].storage {
                Storage::Ref(slots) => &slots[..],
                Storage::List(list) => &list.items[..],
                _ => &[],
            };
            let offset = offset.min(slots.len());
            let end = slots
                .len()
                .min(offset.saturating_add(usize::try_from(work).unwrap_or(usize::MAX)));
            scratch.clear();
            scratch.extend(slots[offset..end].iter().filter_map(|s| s.traced()));
            if end < slots.len() {
                self.gc.partial = Some((index, end));
            }
            work = work.saturating_sub((end - offset) as u64 + 1);
            for &h in &scratch {
                self.shade(h);
            }
        }
        self.gc.scratch = scratch;
        work
    }

    /// Shades up to `work` slots of the last retired list contents; returns the work
    /// left. Scanned-out contents go to the release thread.
    fn scan_retired(&mut self, work: u64, scratch: &mut Vec<Handle>) -> u64 {
        let Some((items, offset)) = self.gc.retired.last_mut() else {
            return work;
        };
        let start = *offset;
        let end = items
            .len()
            .min(start.saturating_add(usize::try_from(work).unwrap_or(usize::MAX)));
        scratch.clear();
        scratch.extend(items[start..end].iter().filter_map(|s| s.traced()));
        *offset = end;
        if end == items.len() {
            if let Some((items, _)) = self.gc.retired.pop() {
                // Released like dead list storage (its other fields are unused).
                self.gc.dead.push(Storage::List(List {
                    stride: 1,
                    elem_bytes: 0,
                    capacity: 0,
                    items,
                }));
            }
        }
        for &h in scratch.iter() {
            self.shade(h);
        }
        work.saturating_sub((end - start) as u64 + 1)
    }

    /// `LIST_CLEAR` of list `h`. While marking, the removed elements must be shaded
    /// (the deletion barrier); they are handed to the collector to shade incrementally
    /// rather than all at once, and the list gets a fresh buffer of the same capacity.
    pub(crate) fn clear_list(&mut self, h: Handle) -> Result<(), TrapCode> {
        let marking = self.gc.is_marking();
        let g = self.gate_mut(h)?;
        let traced = g.traced;
        let Storage::List(list) = &mut g.storage else {
            return Err(TrapCode::DeadGate);
        };
        g.zero_len = 0;
        if marking && traced && !list.items.is_empty() {
            let capacity = list.items.capacity();
            let old = std::mem::replace(&mut list.items, Vec::with_capacity(capacity));
            self.gc.retired.push((old, 0));
        } else {
            list.items.clear();
        }
        Ok(())
    }

    fn sweep_some(&mut self, work: u64) -> u64 {
        let Phase::Sweeping { cursor } = self.gc.phase else {
            return work;
        };
        let start = cursor as usize;
        let end = self
            .gates
            .len()
            .min(start.saturating_add(usize::try_from(work).unwrap_or(usize::MAX)));
        for index in start..end {
            let g = &mut self.gates[index];
            if matches!(g.storage, Storage::Free { .. }) {
                continue;
            }
            if g.marked {
                g.marked = false;
                continue;
            }
            self.used -= g.charge;
            g.charge = 0;
            g.borrows = 0;
            g.mutating = false;
            g.generation = match g.generation.wrapping_add(1) {
                0 => 1,
                n => n,
            };
            let next = self.free_head;
            let storage = std::mem::replace(&mut g.storage, Storage::Free { next });
            self.free_head = index as u32;
            self.free_count += 1;
            self.gc.stats.freed += 1;
            let bytes = buffer_bytes(&storage);
            if bytes == 0 {
                // Nothing to give back to the allocator (an inline `ref`, a taken gate).
                drop(storage);
            } else if bytes < SWEEP_FREE_BYTES && self.gc.pending_free.len() < PENDING_FREE_CAP {
                self.gc.pending_free.push(storage);
            } else {
                self.gc.dead.push(storage);
                if self.gc.dead.len() >= RELEASE_BATCH {
                    self.release_dead();
                }
            }
        }
        let left = work.saturating_sub((end - start) as u64 + 1);
        if end == self.gates.len() {
            self.gc.phase = Phase::Idle;
            self.gc.stats.cycles += 1;
            // `step` adds this slice's work after we return; close enough for pacing.
            self.gc.last_cycle_work = self.gc.stats.work - self.gc.cycle_start_work;
            // Objects allocated during the cycle all survive it, so they are not
            // evidence of a larger live set: the next cycle starts at twice what
            // survived of the heap the cycle started with.
            let live = self.used.saturating_sub(self.gc.allocated_in_cycle);
            self.gc.threshold = self.gc.min_threshold.max(live.saturating_mul(2));
            self.release_dead();
            0
        } else {
            self.gc.phase = Phase::Sweeping { cursor: end as u32 };
            left
        }
    }

    /// Frees one small dead storage, if any waits (see [`SWEEP_FREE_BYTES`]); called
    /// at every allocation.
    #[inline]
    pub(crate) fn free_one_pending(&mut self) {
        drop(self.gc.pending_free.pop());
    }

    /// Hands the dead storage collected so far to the release thread (or drops it here
    /// when there is none).
    fn release_dead(&mut self) {
        if self.gc.dead.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.gc.dead);
        match self.gc.releaser.as_ref().and_then(|r| r.tx.as_ref()) {
            Some(tx) => {
                if let Err(returned) = tx.send(batch) {
                    drop(returned.0);
                }
            }
            None => drop(batch),
        }
    }

    /// Completes any cycle in progress, then runs one whole cycle: afterwards exactly
    /// the storage reachable from `roots` (and host roots) is charged.
    pub(crate) fn collect_full(&mut self, roots: Roots<'_>) {
        self.timed(|heap, _| {
            heap.step(u64::MAX, None);
            heap.begin_cycle(roots);
            heap.step(u64::MAX, None);
            heap.gc.stats.full_collections += 1;
        });
    }

    /// Paces the collector after an allocation of `bytes`.
    pub(crate) fn after_allocation(&mut self, bytes: u64, roots: Roots<'_>) {
        if self.gc.mode == GcMode::Stress {
            return;
        }
        match self.gc.phase {
            Phase::Idle => {
                let start = if self.gc.idle_time {
                    // The idle-time slices start cycles at `threshold`; allocation
                    // starts one only when the heap is a quarter on to the budget.
                    let threshold = self.gc.threshold.min(self.budget);
                    threshold + (self.budget - threshold) / 4
                } else {
                    self.gc.threshold
                };
                if self.used >= start {
                    self.timed(|heap, _| heap.begin_cycle(roots));
                }
            }
            _ if self.gc.idle_time && !self.gc.behind && self.used <= self.gc.deadline => {
                // On pace: the idle-time slices do the cycle's work.
                self.gc.allocated_in_cycle = self.gc.allocated_in_cycle.saturating_add(bytes);
            }
            _ => {
                if self.used > self.gc.deadline {
                    // Behind: pace faster and plan a later end (with idle-time slices,
                    // allocation paces the rest of this cycle too).
                    self.gc.behind = true;
                    self.gc.work_per_kib = self.gc.work_per_kib.saturating_mul(2);
                    self.gc.deadline = self.used + self.budget.saturating_sub(self.used) / 4;
                }
                self.gc.allocated_in_cycle = self.gc.allocated_in_cycle.saturating_add(bytes);
                self.gc.debt = self.gc.debt.saturating_add(bytes);
                if self.gc.debt >= self.gc.step_bytes {
                    let rate = self.gc.work_per_kib;
                    let owed = self.gc.debt.saturating_mul(rate) / 1024;
                    let work = owed.min(MAX_PACED_WORK);
                    let done = self.timed(|heap, deadline| heap.step(work, Some(deadline)));
                    // What the time budget cut short is owed again, so the cycle keeps
                    // its pace (unless it just ended: a new one starts debt-free).
                    let unpaid = match self.gc.phase {
                        Phase::Idle => 0,
                        _ => owed - done,
                    };
                    self.gc.debt = unpaid.saturating_mul(1024) / rate;
                }
            }
        }
    }

    /// One slice at a safepoint (`FRAME_SYNC` or the host's idle time): starts a cycle
    /// when the heap has grown enough, or advances the current one by `work` units.
    /// In stress mode, a full collection.
    pub(crate) fn safepoint_slice(&mut self, work: u64, roots: Roots<'_>) {
        if self.gc.mode == GcMode::Stress {
            self.collect_full(roots);
            return;
        }
        self.timed(|heap, deadline| {
            if heap.gc.phase == Phase::Idle && heap.used >= heap.gc.threshold {
                heap.begin_cycle(roots);
            }
            heap.step(work, Some(deadline));
        });
    }

    /// Starts a cycle now if none is running, then advances it by `work` units.
    pub(crate) fn slice_now(&mut self, work: u64, roots: Roots<'_>) {
        self.timed(|heap, deadline| {
            if heap.gc.phase == Phase::Idle {
                heap.begin_cycle(roots);
            }
            heap.step(work, Some(deadline));
        });
    }

    /// The deletion barrier for a range of slots about to be overwritten or moved out
    /// of the `ref` or list storage at gate `index`.
    #[inline(always)]
    pub(crate) fn barrier_range(&mut self, index: u32, range: std::ops::Range<usize>) {
        // Inlined so that the common case (no marking in progress) costs one compare.
        if self.gc.is_marking() {
            self.barrier_range_marking(index, range);
        }
    }

    /// [`Heap::barrier_range`] while marking.
    #[inline(never)]
    fn barrier_range_marking(&mut self, index: u32, range: std::ops::Range<usize>) {
        let mut scratch = std::mem::take(&mut self.gc.scratch);
        scratch.clear();
        if let Some(g) = self.gates.get(index as usize) {
            let slots = match &g.storage {
                Storage::Ref(slots) => &slots[..],
                Storage::List(list) => &list.items[..],
                _ => &[],
            };
            let end = range.end.min(slots.len());
            if let Some(part) = slots.get(range.start..end) {
                scratch.extend(part.iter().filter_map(|s| s.traced()));
            }
        }
        for &h in &scratch {
            self.shade(h);
        }
        self.gc.scratch = scratch;
    }

    /// Keeps incremental marking correct across a `LIST_REMOVE` of the element starting
    /// at slot `at` (of `stride` slots) of list gate `index`: when the list is being
    /// scanned in chunks and the removal is in front of the scan position, the slots
    /// that shift across that position are shaded.
    pub(crate) fn before_list_remove(&mut self, index: u32, at: usize, stride: usize) {
        let Some((partial, offset)) = self.gc.partial else {
            return;
        };
        if partial != index || at >= offset || !self.gc.is_marking() {
            return;
        }
        let crossing: Vec<Handle> = match &self.gates[index as usize].storage {
            Storage::List(list) => list
                .items
                .iter()
                .skip(offset)
                .take(stride)
                .filter_map(|s| s.traced())
                .collect(),
            _ => Vec::new(),
        };
        for h in crossing {
            self.shade(h);
        }
    }
}

/// Bytes of the separate heap buffer a storage owns (0 for none).
fn buffer_bytes(storage: &Storage) -> usize {
    match storage {
        Storage::Free { .. } | Storage::Taken => 0,
        Storage::Ref(RefSlots::Inline { .. }) => 0,
        Storage::Ref(RefSlots::Boxed(slots)) => std::mem::size_of_val::<[Slot]>(slots),
        Storage::List(list) => list.items.capacity() * std::mem::size_of::<Slot>(),
        Storage::Str(text) => text.capacity(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grey_stack_is_last_in_first_out_across_chunks() {
        let mut grey = GreyStack::default();
        assert_eq!(grey.pop(), None);
        let n = 2 * GREY_CHUNK as u32 + 5;
        for i in 0..n {
            grey.push(i);
        }
        assert_eq!(grey.chunks.len(), 3);
        for i in (0..n).rev() {
            assert_eq!(grey.pop(), Some(i));
        }
        assert_eq!(grey.pop(), None);
        assert_eq!(grey.chunks.len(), 1, "one chunk is kept");
        grey.push(7);
        assert_eq!(grey.pop(), Some(7));
    }
}
