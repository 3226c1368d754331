//! `prometeu disasm FILE`: a program as assembly, with the source of each
//! instruction run when the debug map has one: `file:line` and the line's text (once
//! per source line) when the source file is found, else the byte range. System calls
//! print by name (`SYSCALL Gfx.clear`, the number in the comment).
//!
//! FILE is a `.pbc`, or a `.pmc` or cartridge directory holding one. The debug map
//! names files by their display path (relative to the project, `@alias/…` for a
//! dependency's), found through [`SourceRoot`]: under `--source-root`, by default the
//! project the file lies in.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use prometeu_analysis::LineIndex;
use prometeu_bytecode::Program;
use prometeu_bytecode::disasm::disassemble_with;
use prometeu_bytecode::pbc::{MAGIC, read_program};
use prometeu_kernel::cartridge::{PROGRAM_FILE, read_cartridge_dir};
use prometeu_kernel::pmc::{PMC_MAGIC, read_pmc};

use crate::sources::SourceRoot;

/// Prints the disassembly of `file` to stdout.
pub fn disasm(file: &Path, source_root: Option<&Path>) -> anyhow::Result<ExitCode> {
    let program = read_any_program(file)?;
    let mut root = match source_root {
        Some(root) => SourceRoot::new(root.to_path_buf()),
        None => SourceRoot::for_program(file),
    };
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
            root.text(path).map(|text| {
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
    std::io::stdout()
        .lock()
        .write_all(with_syscall_names(&text).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The program of a `.pbc`, a `.pmc` or a cartridge directory.
fn read_any_program(file: &Path) -> anyhow::Result<Program> {
    let invalid = || format!("`{}` is not a valid program", file.display());
    if !file.exists() {
        bail!("`{}` does not exist", file.display());
    }
    let bytes = if file.is_dir() {
        let entries = read_cartridge_dir(file).map_err(|e| anyhow::anyhow!("{e}"))?;
        match entries.into_iter().find(|e| e.name == PROGRAM_FILE) {
            Some(entry) => entry.data,
            None => bail!(
                "`{}` is a directory without a {PROGRAM_FILE}: give a .pbc, a .pmc or a cartridge directory",
                file.display()
            ),
        }
    } else {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))?;
        if bytes.starts_with(&PMC_MAGIC) {
            let entries = read_pmc(&bytes).with_context(invalid)?;
            match entries.into_iter().find(|e| e.name == PROGRAM_FILE) {
                Some(entry) => entry.data,
                None => bail!("`{}` holds no {PROGRAM_FILE}", file.display()),
            }
        } else if bytes.starts_with(&MAGIC) {
            bytes
        } else {
            bail!(
                "`{}` is not a valid program: expected a .pbc, a .pmc or a cartridge directory",
                file.display()
            )
        }
    };
    read_program(&bytes).with_context(invalid)
}

/// The disassembly with each `SYSCALL 0xNNNN` written as `SYSCALL Contract.name` (the
/// number moves into the line's comment), from the system-call table.
fn with_syscall_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(&syscall_line(line).unwrap_or_else(|| line.to_owned()));
    }
    out
}

/// `    SYSCALL 0x1002      ; 0030` → `    SYSCALL Gfx.fill_rect    ; 0030  0x1002`, and
/// the name as a comment after a `.syscall 0x1002 …` declaration; `None` for any other
/// line (or an id the table does not have).
fn syscall_line(line: &str) -> Option<String> {
    if let Some(rest) = line.strip_prefix(".syscall 0x") {
        // A declaration: `.syscall 0x1002 args=5 rets=0  ; Gfx.fill_rect`.
        let hex_len = rest.find(|c: char| !c.is_ascii_hexdigit())?;
        let id = u32::from_str_radix(&rest[..hex_len], 16).ok()?;
        let syscall = prometeu_abi::syscall::syscall(id)?;
        let body = line.trim_end_matches('\n');
        let newline = if line.ends_with('\n') { "\n" } else { "" };
        return Some(format!(
            "{body:<39} ; {}.{}{newline}",
            syscall.contract, syscall.name
        ));
    }
    let indent = &line[..line.len() - line.trim_start().len()];
    let rest = line.trim_start().strip_prefix("SYSCALL 0x")?;
    let hex_len = rest.find(|c: char| !c.is_ascii_hexdigit())?;
    let id = u32::from_str_radix(&rest[..hex_len], 16).ok()?;
    let syscall = prometeu_abi::syscall::syscall(id)?;
    let (comment, newline) = match rest[hex_len..].trim_end_matches('\n').split_once(';') {
        Some((_, comment)) => (format!("{}  ", comment.trim()), "\n"),
        None => (String::new(), "\n"),
    };
    let newline = if line.ends_with('\n') { newline } else { "" };
    let instruction = format!("SYSCALL {}.{}", syscall.contract, syscall.name);
    // The comment column of the disassembler: 32 characters after the indent.
    Some(format!(
        "{indent}{instruction:<31} ; {comment}0x{id:04X}{newline}"
    ))
}
