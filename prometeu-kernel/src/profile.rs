//! The cycle profiler of `prometeu run --profile` (`toolchain.md` §5): attributes every
//! cycle the VM spends to the call stack it was spent in, through the debug map.
//!
//! With a profiler attached, the kernel runs the VM in slices of [`SLICE_CYCLES`]
//! (splitting a budget changes no result, trap or cycle total: `machine.md` §1) and
//! after each slice records the stack where the slice started with its cycles. So the
//! profile is deterministic, and its total is exactly the run's cycle count. The
//! console thread only appends to a batch; a background thread sums the batches, and
//! names and places them at the end. Calls are not sampled but counted exactly: the VM
//! bumps a counter per function on every entry while profiling ([`Vm::count_calls`]).
//!
//! [`Vm::count_calls`]: prometeu_vm::Vm::count_calls

use std::collections::HashMap;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

use prometeu_bytecode::Program;
use prometeu_vm::FrameInfo;

use crate::trap_report::{StackEntry, stack_entries};

/// Cycles between two samples: fine enough to place a 2,000,000-cycle frame's time
/// to within 0.05 %, coarse enough that sampling costs a few percent.
pub const SLICE_CYCLES: u64 = 1_000;
/// Samples sent to the aggregating thread at once.
const BATCH: usize = 512;

/// A call stack, innermost first, as `(func, pc)`.
type Stack = Vec<(u32, u32)>;
/// One slice: its call stack and its cycles.
type Sample = (Stack, u64);
/// The aggregating thread's sums: cycles per stack.
type Sums = HashMap<Stack, u64>;

/// The console side of a profile: batches samples for the aggregating thread.
pub struct Profiler {
    batch: Vec<Sample>,
    /// Calls per function index, from the VMs that ran so far (a restart's new VM
    /// starts its own count).
    calls: Vec<u64>,
    sender: Option<Sender<Vec<Sample>>>,
    thread: Option<JoinHandle<Sums>>,
}

impl std::fmt::Debug for Profiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profiler").finish_non_exhaustive()
    }
}

impl Default for Profiler {
    fn default() -> Self {
        Profiler::new()
    }
}

impl Profiler {
    /// A profiler with its aggregating thread started.
    pub fn new() -> Profiler {
        let (sender, receiver) = channel::<Vec<Sample>>();
        let thread = std::thread::Builder::new()
            .name("prometeu-profile".into())
            .spawn(move || {
                let mut stacks = Sums::new();
                for batch in receiver {
                    for (stack, cycles) in batch {
                        *stacks.entry(stack).or_default() += cycles;
                    }
                }
                stacks
            })
            .ok();
        Profiler {
            batch: Vec::with_capacity(BATCH),
            calls: Vec::new(),
            sender: Some(sender),
            thread,
        }
    }

    /// Records `cycles` spent with `stack` (innermost first).
    pub fn record(&mut self, stack: &[FrameInfo], cycles: u64) {
        if cycles == 0 {
            return;
        }
        self.batch
            .push((stack.iter().map(|f| (f.func, f.pc)).collect(), cycles));
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    /// Adds a VM's call counts (by function index, [`prometeu_vm::Vm::call_counts`]).
    pub fn add_calls(&mut self, calls: &[u64]) {
        if self.calls.len() < calls.len() {
            self.calls.resize(calls.len(), 0);
        }
        for (sum, calls) in self.calls.iter_mut().zip(calls) {
            *sum += calls;
        }
    }

    fn flush(&mut self) {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if let Some(sender) = &self.sender {
            let _ = sender.send(batch);
        }
    }

    /// Ends the profile and names its stacks and functions with `program`'s debug map.
    pub fn finish(mut self, program: &Program) -> Profile {
        let debug = program.debug.as_ref();
        self.flush();
        self.sender = None;
        let stacks = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        let mut stacks: Vec<(Stack, u64)> = stacks.into_iter().collect();
        stacks.sort();
        let stacks = stacks
            .into_iter()
            .map(|(stack, cycles)| {
                let frames: Vec<FrameInfo> = stack
                    .iter()
                    .map(|&(func, pc)| FrameInfo { func, pc })
                    .collect();
                ProfiledStack {
                    entries: stack_entries(&frames, debug),
                    cycles,
                }
            })
            .collect();
        let calls = self
            .calls
            .iter()
            .enumerate()
            .filter(|&(_, &calls)| calls > 0)
            .map(|(func, &calls)| {
                let func = func as u32;
                let pc = program.functions.get(func as usize).map(|f| f.code_offset);
                let frame = FrameInfo {
                    func,
                    pc: pc.unwrap_or_default(),
                };
                let entry = stack_entries(&[frame], debug).remove(0);
                FunctionCalls {
                    name: entry_name(&entry),
                    entry,
                    calls,
                }
            })
            .collect();
        Profile { stacks, calls }
    }
}

/// A stack and the cycles spent in it.
#[derive(Debug, Clone)]
pub struct ProfiledStack {
    /// Innermost first, named and placed by the debug map.
    pub entries: Vec<StackEntry>,
    /// Cycles spent with exactly this stack.
    pub cycles: u64,
}

/// How many times a function was entered.
#[derive(Debug, Clone)]
pub struct FunctionCalls {
    /// The function's name (`fn#N` without a debug map).
    pub name: String,
    /// Its first instruction, named and placed by the debug map: the place a function
    /// that was called but never sampled is listed at.
    pub entry: StackEntry,
    /// Entries into it: by `CALL`, or by the kernel (`init`, `frame`).
    pub calls: u64,
}

/// A finished profile.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Every distinct stack seen, with its cycles.
    pub stacks: Vec<ProfiledStack>,
    /// Every function entered at least once, by function index, with its exact count.
    pub calls: Vec<FunctionCalls>,
}

/// A function's line in the profile's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionCost {
    /// The function's name (`fn#N` without a debug map).
    pub name: String,
    /// `file:line` of its hottest instruction, when known.
    pub place: Option<String>,
    /// Cycles spent in the function's own instructions (and its system calls).
    pub self_cycles: u64,
    /// Cycles spent while it was on the stack (itself and its callees).
    pub total_cycles: u64,
    /// Times it was entered (exact, not sampled).
    pub calls: u64,
}

/// A function's name in the profile: the debug map's, else `fn#N`.
fn entry_name(entry: &StackEntry) -> String {
    entry
        .name
        .clone()
        .unwrap_or_else(|| format!("fn#{}", entry.func))
}

fn entry_place(entry: &StackEntry) -> Option<String> {
    let span = entry.span.as_ref()?;
    Some(match span.line_col {
        Some((line, _)) => format!("{}:{line}", span.file),
        None => format!("{}@{}", span.file, span.start),
    })
}

impl Profile {
    /// Cycles in all.
    pub fn total_cycles(&self) -> u64 {
        self.stacks.iter().map(|s| s.cycles).sum()
    }

    /// Every stack's entries and every called function's first one, for
    /// [`crate::trap_report::resolve_stack_lines`].
    pub fn entries_mut(&mut self) -> impl Iterator<Item = &mut [StackEntry]> {
        let stacks = self.stacks.iter_mut().map(|s| &mut s.entries[..]);
        stacks.chain(
            self.calls
                .iter_mut()
                .map(|c| std::slice::from_mut(&mut c.entry)),
        )
    }

    /// Functions by self cycles, most first (ties by calls, then name). A function that
    /// was called but never sampled is listed with no cycles.
    pub fn functions(&self) -> Vec<FunctionCost> {
        type Sums = (u64, u64, HashMap<String, u64>, u64);
        let mut functions: HashMap<String, Sums> = HashMap::new();
        // A function never sampled is placed at its first line.
        let mut entry_places: HashMap<&str, String> = HashMap::new();
        for called in &self.calls {
            functions.entry(called.name.clone()).or_default().3 += called.calls;
            if let Some(place) = entry_place(&called.entry) {
                entry_places.entry(&called.name).or_insert(place);
            }
        }
        for stack in &self.stacks {
            let mut seen = std::collections::HashSet::new();
            for (depth, entry) in stack.entries.iter().enumerate() {
                let name = entry_name(entry);
                let cost = functions.entry(name.clone()).or_default();
                if depth == 0 {
                    cost.0 += stack.cycles;
                    if let Some(place) = entry_place(entry) {
                        *cost.2.entry(place).or_default() += stack.cycles;
                    }
                }
                // Recursion counts a function once per stack.
                if seen.insert(name) {
                    cost.1 += stack.cycles;
                }
            }
        }
        let mut list: Vec<FunctionCost> = functions
            .into_iter()
            .map(
                |(name, (self_cycles, total_cycles, places, calls))| FunctionCost {
                    place: places
                        .into_iter()
                        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                        .map(|(place, _)| place)
                        .or_else(|| entry_places.get(name.as_str()).cloned()),
                    name,
                    self_cycles,
                    total_cycles,
                    calls,
                },
            )
            .collect();
        list.sort_by(|a, b| {
            (b.self_cycles.cmp(&a.self_cycles))
                .then(b.calls.cmp(&a.calls))
                .then(a.name.cmp(&b.name))
        });
        list
    }

    /// Source lines by cycles (of the innermost frame), most first.
    pub fn lines(&self) -> Vec<(String, u64)> {
        let mut lines: HashMap<String, u64> = HashMap::new();
        for stack in &self.stacks {
            if let Some(place) = stack.entries.first().and_then(entry_place) {
                *lines.entry(place).or_default() += stack.cycles;
            }
        }
        let mut list: Vec<(String, u64)> = lines.into_iter().collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        list
    }

    /// The collapsed-stack text flame-graph tools read (`inferno`, `flamegraph.pl`):
    /// one line per stack, outermost first, `;`-separated, then the cycles.
    pub fn collapsed(&self) -> String {
        let mut lines: HashMap<String, u64> = HashMap::new();
        for stack in &self.stacks {
            let names: Vec<String> = stack.entries.iter().rev().map(entry_name).collect();
            *lines.entry(names.join(";")).or_default() += stack.cycles;
        }
        let mut list: Vec<(String, u64)> = lines.into_iter().collect();
        list.sort();
        list.iter().map(|(s, c)| format!("{s} {c}\n")).collect()
    }

    /// The profile as JSON (`toolchain.md` §5): schema version, total cycles, the
    /// functions and lines tables, and the stacks.
    pub fn to_json(&self) -> serde_json::Value {
        let total = self.total_cycles();
        serde_json::json!({
            "schema_version": 1,
            "unit": "cycles",
            "total_cycles": total,
            "functions": self.functions().iter().map(|f| serde_json::json!({
                "name": f.name,
                "place": f.place,
                "self_cycles": f.self_cycles,
                "total_cycles": f.total_cycles,
                "calls": f.calls,
            })).collect::<Vec<_>>(),
            "lines": self.lines().iter().map(|(place, cycles)| serde_json::json!({
                "place": place,
                "cycles": cycles,
            })).collect::<Vec<_>>(),
            "stacks": self.stacks.iter().map(|s| serde_json::json!({
                "frames": s.entries.iter().map(|e| serde_json::json!({
                    "name": entry_name(e),
                    "place": entry_place(e),
                })).collect::<Vec<_>>(),
                "cycles": s.cycles,
            })).collect::<Vec<_>>(),
        })
    }

    /// The top `n` functions as a table: function, file:line, self cycles %, total %,
    /// calls.
    pub fn table(&self, n: usize) -> String {
        let total = self.total_cycles().max(1) as f64;
        let mut text = format!(
            "{:<32} {:<28} {:>7} {:>7} {:>12}\n",
            "function", "hottest line", "self %", "total %", "calls"
        );
        for f in self.functions().iter().take(n) {
            text.push_str(&format!(
                "{:<32} {:<28} {:>6.2}% {:>6.2}% {:>12}\n",
                f.name,
                f.place.as_deref().unwrap_or("?"),
                f.self_cycles as f64 * 100.0 / total,
                f.total_cycles as f64 * 100.0 / total,
                f.calls,
            ));
        }
        text.push_str(&format!("{} cycles in all", self.total_cycles()));
        text
    }
}
