//! What the kernel reports when a cartridge traps (`machine.md` §6, `bytecode.md` §8):
//! the trap, the instruction, the source span and the call stack, printable as is.
//!
//! The debug map (`DBUG`) holds byte ranges, not lines: the kernel fills in files and
//! byte ranges, and whoever has the sources (the CLI, the desktop runtime) turns them
//! into lines and columns with [`TrapReport::resolve_lines`]. Without sources the report
//! prints `file@start..end`.

use std::fmt;

use prometeu_bytecode::{DebugInfo, Opcode};
use prometeu_vm::Trap;

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
        let call_stack = trap
            .call_stack
            .iter()
            .map(|f| StackEntry {
                func: f.func,
                name: debug
                    .and_then(|d| d.function_name(f.func))
                    .map(str::to_owned),
                pc: f.pc,
                span: span_at(debug, f.pc),
            })
            .collect();
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
        let spans = self
            .span
            .iter_mut()
            .chain(self.call_stack.iter_mut().filter_map(|e| e.span.as_mut()));
        for span in spans {
            if let Some(text) = source(&span.file) {
                span.line_col = line_col(&text, span.start);
            }
        }
    }
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
        for (depth, entry) in self.call_stack.iter().enumerate() {
            write!(f, "\n  {depth}: ")?;
            match &entry.name {
                Some(name) => f.write_str(name)?,
                None => write!(f, "function {}", entry.func)?,
            }
            match &entry.span {
                Some(span) => write!(f, " at {span}")?,
                None => write!(f, " at pc {}", entry.pc)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for TrapReport {}
