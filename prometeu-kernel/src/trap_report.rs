//! What the kernel reports when a cartridge traps (`machine.md` §6, `bytecode.md` §8):
//! the trap, the instruction, the source span and the call stack, printable as is.
//!
//! The debug map (`DBUG`) holds byte ranges, not lines: the kernel fills in files and
//! byte ranges, and whoever has the sources (the CLI, the desktop runtime) turns them
//! into lines and columns with [`TrapReport::resolve_lines`]. Without sources the report
//! prints `file@start..end`.

use std::fmt;

use prometeu_bytecode::{DebugInfo, Opcode};
use prometeu_vm::{FrameInfo, Trap};

/// A source range named by the debug map, with its line and column once resolved.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SourceSpan {
    /// The source file, relative to the project (as the debug map stores it).
    pub file: String,
    /// Start byte offset in the file.
    pub start: u32,
    /// End byte offset in the file.
    pub end: u32,
    /// 1-based line and column (in characters) of `start`, once
    /// [`TrapReport::resolve_lines`] found the source.
    pub line_col: Option<(u32, u32)>,
}

impl fmt::Display for SourceSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_col {
            Some((line, col)) => write!(f, "{}:{line}:{col}", self.file),
            None => write!(f, "{}@{}..{}", self.file, self.start, self.end),
        }
    }
}

/// One frame of a trap's call stack.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StackEntry {
    /// The function's index in `FUNC`.
    pub func: u32,
    /// Its debug name, when the program has a debug map.
    pub name: Option<String>,
    /// Absolute offset in `CODE` of the instruction being executed (the trapping one
    /// for the innermost frame, the `CALL` for the others).
    pub pc: u32,
    /// The source of that instruction, when the debug map has it.
    pub span: Option<SourceSpan>,
}

/// A trap that stopped a cartridge.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TrapReport {
    /// The trap code (`bytecode.md` §8).
    pub code: u32,
    /// Its `TRAP_*` name (always present for a VM trap: the VM raises only codes of
    /// the table).
    pub name: Option<&'static str>,
    /// The trapping instruction.
    pub opcode: Opcode,
    /// Absolute offset of that instruction in `CODE`.
    pub pc: u32,
    /// The logical frame number it happened in (0 during `init`).
    pub frame: u64,
    /// More detail when the kernel has it, e.g. which system-call argument was out of
    /// range.
    pub detail: Option<String>,
    /// The source of the trapping instruction, when the debug map has it.
    pub span: Option<SourceSpan>,
    /// The call stack, innermost first.
    pub call_stack: Vec<StackEntry>,
}

/// The span the debug map gives for `pc`.
fn span_at(debug: Option<&DebugInfo>, pc: u32) -> Option<SourceSpan> {
    let debug = debug?;
    let run = debug.span_at(pc)?;
    let file = debug.files.get(run.file as usize)?;
    Some(SourceSpan {
        file: file.clone(),
        start: run.start,
        end: run.end,
        line_col: None,
    })
}

/// 1-based line and column (in characters) of byte `offset` in `text`; `None` when the
/// offset is past the end or not on a character boundary.
pub fn line_col(text: &str, offset: u32) -> Option<(u32, u32)> {
    let offset = offset as usize;
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    Some((
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    ))
}

impl TrapReport {
    /// The report of a VM trap, with spans and names from the program's debug map.
    pub fn new(
        trap: &Trap,
        debug: Option<&DebugInfo>,
        frame: u64,
        detail: Option<String>,
    ) -> TrapReport {
        let call_stack = stack_entries(&trap.call_stack, debug);
        TrapReport {
            code: trap.code.code(),
            name: Some(trap.code.name()),
            opcode: trap.opcode,
            pc: trap.pc,
            frame,
            detail,
            span: span_at(debug, trap.pc),
            call_stack,
        }
    }

    /// Fills in line and column of every span whose file `source` can read (called
    /// with the debug map's relative path).
    pub fn resolve_lines(&mut self, source: &mut dyn FnMut(&str) -> Option<String>) {
        if let Some(span) = &mut self.span {
            resolve_span(span, source);
        }
        resolve_stack_lines(&mut self.call_stack, source);
    }
}

/// The entries of a VM call stack (innermost first), with names and spans from the
/// program's debug map.
pub fn stack_entries(frames: &[FrameInfo], debug: Option<&DebugInfo>) -> Vec<StackEntry> {
    frames
        .iter()
        .map(|f| StackEntry {
            func: f.func,
            name: debug
                .and_then(|d| d.function_name(f.func))
                .map(str::to_owned),
            pc: f.pc,
            span: span_at(debug, f.pc),
        })
        .collect()
}

/// Fills in line and column of every span of `stack` whose file `source` can read.
/// A deep recursion names the same file thousands of times: each file is read once.
pub fn resolve_stack_lines(
    stack: &mut [StackEntry],
    source: &mut dyn FnMut(&str) -> Option<String>,
) {
    let mut texts: std::collections::HashMap<String, Option<String>> = Default::default();
    for span in stack.iter_mut().filter_map(|e| e.span.as_mut()) {
        let text = texts
            .entry(span.file.clone())
            .or_insert_with(|| source(&span.file));
        if let Some(text) = text {
            span.line_col = line_col(text, span.start);
        }
    }
}

fn resolve_span(span: &mut SourceSpan, source: &mut dyn FnMut(&str) -> Option<String>) {
    if let Some(text) = source(&span.file) {
        span.line_col = line_col(&text, span.start);
    }
}

/// The longest cycle of calls [`write_call_stack`] folds (mutual recursion through
/// up to this many functions).
pub const MAX_REPEATED_CYCLE: usize = 4;

/// How many entries of a repeated run are printed before the rest is folded (rounded
/// up to whole cycles).
pub const SHOWN_OF_A_RUN: usize = 3;

/// Writes a call stack as `\n  DEPTH: NAME at SPAN` lines, innermost first, folding
/// repetition: a run of the same call (recursion), or of the same cycle of up to
/// [`MAX_REPEATED_CYCLE`] calls (mutual recursion), shows its first
/// [`SHOWN_OF_A_RUN`] entries and then one line
/// `… 8,188 more calls of NAME at SPAN` (or `… N more calls repeating the K above`).
/// Depth numbers stay those of the full stack.
pub fn write_call_stack(out: &mut dyn fmt::Write, stack: &[StackEntry]) -> fmt::Result {
    let same = |a: &StackEntry, b: &StackEntry| a.func == b.func && a.pc == b.pc;
    let mut depth = 0;
    while depth < stack.len() {
        let (period, repeats) = longest_repetition(&stack[depth..], same);
        let shown = SHOWN_OF_A_RUN.div_ceil(period);
        if repeats >= shown + 2 {
            for (offset, entry) in stack[depth..depth + shown * period].iter().enumerate() {
                write_entry(out, depth + offset, entry)?;
            }
            let folded = (repeats - shown) * period;
            let entry = &stack[depth];
            if period == 1 {
                write!(out, "\n  … {} more calls of ", thousands(folded))?;
                write_name_and_place(out, entry)?;
            } else {
                write!(
                    out,
                    "\n  … {} more calls repeating the {period} above",
                    thousands(folded)
                )?;
            }
            depth += repeats * period;
        } else {
            write_entry(out, depth, &stack[depth])?;
            depth += 1;
        }
    }
    Ok(())
}

/// The cycle length (1 to [`MAX_REPEATED_CYCLE`]) whose consecutive repetition at the
/// start of `stack` covers the most entries, and how many times it repeats.
fn longest_repetition(
    stack: &[StackEntry],
    same: impl Fn(&StackEntry, &StackEntry) -> bool,
) -> (usize, usize) {
    let mut best = (1, 1);
    for period in 1..=MAX_REPEATED_CYCLE.min(stack.len()) {
        let cycle = &stack[..period];
        let repeats = 1 + stack[period..]
            .chunks_exact(period)
            .take_while(|chunk| chunk.iter().zip(cycle).all(|(a, b)| same(a, b)))
            .count();
        if repeats >= 2 && repeats * period > best.0 * best.1 {
            best = (period, repeats);
        }
    }
    best
}

fn write_entry(out: &mut dyn fmt::Write, depth: usize, entry: &StackEntry) -> fmt::Result {
    write!(out, "\n  {depth}: ")?;
    write_name_and_place(out, entry)
}

fn write_name_and_place(out: &mut dyn fmt::Write, entry: &StackEntry) -> fmt::Result {
    match &entry.name {
        Some(name) => out.write_str(name)?,
        None => write!(out, "function {}", entry.func)?,
    }
    match &entry.span {
        Some(span) => write!(out, " at {span}"),
        None => write!(out, " at pc {}", entry.pc),
    }
}

/// `8188` as `8,188`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

impl fmt::Display for TrapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name {
            Some(name) => write!(f, "trap {name} (0x{:02X})", self.code)?,
            None => write!(f, "trap 0x{:02X}", self.code)?,
        }
        write!(f, " in frame {}", self.frame)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        writeln!(f)?;
        write!(f, "  at {} (pc {})", self.opcode, self.pc)?;
        if let Some(span) = &self.span {
            write!(f, "\n  --> {span}")?;
        }
        f.write_str("\ncall stack (innermost first):")?;
        write_call_stack(f, &self.call_stack)
    }
}

impl std::error::Error for TrapReport {}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, pc: u32, line: u32) -> StackEntry {
        StackEntry {
            func: pc,
            name: Some(name.to_owned()),
            pc,
            span: Some(SourceSpan {
                file: "t.pbs".to_owned(),
                start: 0,
                end: 1,
                line_col: Some((line, 32)),
            }),
        }
    }

    fn printed(stack: &[StackEntry]) -> String {
        let mut out = String::new();
        write_call_stack(&mut out, stack).unwrap();
        out
    }

    #[test]
    fn a_deep_recursion_folds_into_one_line() {
        let mut stack = vec![entry("depth", 1, 1)];
        stack.extend(std::iter::repeat_n(entry("depth", 2, 1), 8190));
        stack.push(entry("frame", 3, 4));
        assert_eq!(
            printed(&stack),
            "\n  0: depth at t.pbs:1:32\
             \n  1: depth at t.pbs:1:32\
             \n  2: depth at t.pbs:1:32\
             \n  3: depth at t.pbs:1:32\
             \n  … 8,187 more calls of depth at t.pbs:1:32\
             \n  8191: frame at t.pbs:4:32"
        );
    }

    #[test]
    fn mutual_recursion_folds_whole_cycles() {
        let mut stack = Vec::new();
        for _ in 0..100 {
            stack.push(entry("even", 1, 1));
            stack.push(entry("odd", 2, 2));
        }
        stack.push(entry("frame", 3, 3));
        assert_eq!(
            printed(&stack),
            "\n  0: even at t.pbs:1:32\
             \n  1: odd at t.pbs:2:32\
             \n  2: even at t.pbs:1:32\
             \n  3: odd at t.pbs:2:32\
             \n  … 196 more calls repeating the 2 above\
             \n  200: frame at t.pbs:3:32"
        );
    }

    #[test]
    fn short_repetitions_print_in_full() {
        let stack = [
            entry("f", 1, 1),
            entry("f", 1, 1),
            entry("f", 1, 1),
            entry("f", 1, 1),
            entry("frame", 2, 2),
        ];
        assert_eq!(printed(&stack).lines().count(), 6, "{}", printed(&stack));
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
