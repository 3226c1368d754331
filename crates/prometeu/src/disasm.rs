//! `prometeu disasm FILE.pbc`: a program as assembly, with the source of each
//! instruction run when the debug map has one: `file:line` and the line's text when the
//! source file is found, else the byte range.
//!
//! The debug map names files by their display path (relative to the project), so they
//! are looked up under `--source-root` (default: the current directory).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use prometeu_bytecode::disasm::disassemble_with;
use prometeu_bytecode::pbc::read_program;
use prometeu_kernel::trap_report::line_col;

/// Prints the disassembly of `file` to stdout.
pub fn disasm(file: &Path, source_root: Option<&Path>) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))?;
    let program = read_program(&bytes)
        .with_context(|| format!("`{}` is not a valid program", file.display()))?;
    let root = source_root.unwrap_or(Path::new("."));
    let debug = program.debug.clone();
    // Each source file is read once; `None` when it is not found.
    let mut sources: BTreeMap<u32, Option<String>> = BTreeMap::new();
    let mut last = None;
    let text = disassemble_with(&program, |pc| {
        let debug = debug.as_ref()?;
        let run = debug.span_at(pc)?;
        // One note per run of instructions from the same span.
        if last == Some(run.pc) {
            return None;
        }
        last = Some(run.pc);
        let path = debug
            .files
            .get(run.file as usize)
            .map_or("?", String::as_str);
        let source = sources
            .entry(run.file)
            .or_insert_with(|| std::fs::read_to_string(root.join(path)).ok());
        let located = source.as_deref().and_then(|text| {
            let (line, _) = line_col(text, run.start)?;
            let line_text = text.lines().nth(line as usize - 1)?;
            Some(format!("{path}:{line}: {}", line_text.trim()))
        });
        Some(located.unwrap_or_else(|| format!("{path} @{}..{}", run.start, run.end)))
    });
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
