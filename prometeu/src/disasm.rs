//! `prometeu disasm FILE.pbc`: a program as assembly, with the source of each
//! instruction run when the debug map has one: `file:line` and the line's text (once
//! per source line) when the source file is found, else the byte range.
//!
//! The debug map names files by their display path (relative to the project), so they
//! are looked up under `--source-root` (default: the current directory).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use prometeu_analysis::LineIndex;
use prometeu_analysis::analysis::{PRELUDE_SOURCE, PRELUDE_URI};
use prometeu_bytecode::disasm::disassemble_with;
use prometeu_bytecode::pbc::read_program;

/// Prints the disassembly of `file` to stdout.
pub fn disasm(file: &Path, source_root: Option<&Path>) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))?;
    let program = read_program(&bytes)
        .with_context(|| format!("`{}` is not a valid program", file.display()))?;
    let root = source_root.unwrap_or(Path::new("."));
    let debug = program.debug.clone();
    // Each source file is read and indexed by line once (a line is then found by a
    // binary search, not a scan from the top); `None` when it is not found.
    let mut sources: BTreeMap<u32, Option<(String, LineIndex)>> = BTreeMap::new();
    let mut last_run = None;
    let mut last_line = None;
    let text = disassemble_with(&program, |pc| {
        let debug = debug.as_ref()?;
        let run = debug.span_at(pc)?;
        // One note per run of instructions from the same span …
        if last_run == Some(run.pc) {
            return None;
        }
        last_run = Some(run.pc);
        let path = debug
            .files
            .get(run.file as usize)
            .map_or("?", String::as_str);
        let source = sources.entry(run.file).or_insert_with(|| {
            read_source(root, path).map(|text| {
                let lines = LineIndex::new(&text);
                (text, lines)
            })
        });
        let Some((line, line_text)) = source.as_ref().and_then(|(text, lines)| {
            let line = lines.offset_to_line_col(run.start)?.line;
            let range = lines.line_start(line)? as usize..lines.line_end(line)? as usize;
            Some((line + 1, text.get(range)?))
        }) else {
            last_line = None;
            return Some(format!("{path} @{}..{}", run.start, run.end));
        };
        // … and, when the source is known, one per source line.
        if last_line == Some((run.file, line)) {
            return None;
        }
        last_line = Some((run.file, line));
        Some(format!("{path}:{line}: {}", line_text.trim()))
    });
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The text of a file the debug map names: the prelude is built in, the others are
/// read under `root`.
fn read_source(root: &Path, path: &str) -> Option<String> {
    if path == PRELUDE_URI {
        return Some(PRELUDE_SOURCE.to_owned());
    }
    std::fs::read_to_string(root.join(path)).ok()
}
