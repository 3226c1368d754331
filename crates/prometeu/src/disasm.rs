//! `prometeu disasm FILE.pbc`: a program as assembly, with the source span of each
//! instruction run when the debug map has one.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use prometeu_bytecode::disasm::disassemble_with;
use prometeu_bytecode::pbc::read_program;

/// Prints the disassembly of `file` to stdout.
pub fn disasm(file: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))?;
    let program = read_program(&bytes)
        .with_context(|| format!("`{}` is not a valid program", file.display()))?;
    let debug = program.debug.clone();
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
        Some(format!("{path} @{}..{}", run.start, run.end))
    });
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
