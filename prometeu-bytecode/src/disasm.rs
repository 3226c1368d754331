//! The disassembler: [`Program`] → assembly text that [`crate::asm::assemble`] turns
//! back into the same bytes (for every program whose functions tile `CODE` in order,
//! which the verifier requires).
//!
//! Jump targets get labels `L0`, `L1`, … per function, in offset order; functions are
//! named by their debug name when it is a plain, unique word, else `f<index>`. A target
//! that is not an instruction start is printed as a raw offset, and bytes that do not
//! decode as `.bytes`, so even invalid code round-trips.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

use crate::asm::{escape, format_f64};
use crate::instr::{ImmValue, Instr};
use crate::opcode::Opcode;
use crate::program::{Constant, GlobalInit, LayoutKind, Program};
use crate::slot::SlotKind;
use crate::trap::TrapCode;

/// Disassembles a program.
pub fn disassemble(program: &Program) -> String {
    disassemble_with(program, |_| None)
}

/// Disassembles a program; `annotate(pc)` (pc = absolute offset in `CODE`) may return a
/// note (e.g. the source line) printed as a comment above that instruction.
pub fn disassemble_with(
    program: &Program,
    mut annotate: impl FnMut(u32) -> Option<String>,
) -> String {
    let mut out = String::new();
    let p = program;
    if p.flags != 0 {
        let _ = writeln!(out, ".flags 0x{:04X}", p.flags);
    }
    for (i, c) in p.constants.iter().enumerate() {
        let text = match c {
            Constant::I32(v) => format!("i32 {v}"),
            Constant::F64(v) => format!("f64 {}", format_f64(*v)),
            Constant::U16(v) => format!("u16 {v}"),
            Constant::Str(s) => format!("str {}", escape(s)),
        };
        let _ = writeln!(out, "{:<40}; {i}", format!(".const {text}"));
    }
    for (i, l) in p.layouts.iter().enumerate() {
        let kind = match l.kind {
            LayoutKind::Ref => "ref",
            LayoutKind::List => "list",
        };
        let _ = writeln!(
            out,
            "{:<40}; {i}",
            format!(".layout {kind} {}", kinds(&l.slots))
        );
    }
    for (i, g) in p.globals.iter().enumerate() {
        let value = match (g.kind, g.init) {
            (SlotKind::I32, GlobalInit::I32(v)) => format!(" {v}"),
            (SlotKind::F64, GlobalInit::F64(v)) => format!(" {}", format_f64(v)),
            (SlotKind::U16, GlobalInit::U16(v)) => format!(" {v}"),
            (SlotKind::Bool, GlobalInit::Bool(v)) => format!(" {v}"),
            // Mismatched initial values are written as the kind's zero (see `pbc`).
            _ => String::new(),
        };
        let _ = writeln!(out, "{:<40}; {i}", format!(".global {}{value}", g.kind));
    }
    for s in &p.syscalls {
        let _ = writeln!(
            out,
            ".syscall 0x{:04X} args={} rets={}",
            s.id, s.arg_slots, s.ret_slots
        );
    }
    let names = function_names(p);
    for (index, f) in p.functions.iter().enumerate() {
        separate(&mut out);
        let _ = writeln!(
            out,
            ".func {} params={} returns={} locals={} max_stack={}",
            names[index],
            kinds(&f.params),
            kinds(&f.returns),
            f.local_slots,
            f.max_stack
        );
        let code = p.function_code(index as u32).unwrap_or(&[]);
        body(&mut out, p, &names, f.code_offset, code, &mut annotate);
    }
    if !p.exports.is_empty() {
        separate(&mut out);
    }
    for e in &p.exports {
        let func = names
            .get(e.func as usize)
            .cloned()
            .unwrap_or_else(|| e.func.to_string());
        let _ = writeln!(out, ".export {} {func}", escape(&e.name));
    }
    if let Some(d) = &p.debug {
        separate(&mut out);
        out.push_str(".debug\n");
        for f in &d.files {
            let _ = writeln!(out, ".debug file {}", escape(f));
        }
        for r in &d.lines {
            let _ = writeln!(
                out,
                ".debug line {} file={} span={}..{}",
                r.pc, r.file, r.start, r.end
            );
        }
        for f in &d.functions {
            let func = names
                .get(f.index as usize)
                .cloned()
                .unwrap_or_else(|| f.index.to_string());
            let _ = writeln!(out, ".debug func {func} {}", escape(&f.name));
            for (slot, name) in &f.locals {
                let _ = writeln!(out, ".debug local {slot} {}", escape(name));
            }
        }
    }
    out
}

/// A blank line between parts, but not at the very top.
fn separate(out: &mut String) {
    if !out.is_empty() {
        out.push('\n');
    }
}

fn kinds(ks: &[SlotKind]) -> String {
    let names: Vec<String> = ks.iter().map(|k| k.name().into_owned()).collect();
    format!("({})", names.join(", "))
}

/// Assembly names of the functions: the debug name when it is a plain word used once
/// and cannot be mistaken for a fallback name, else `f<index>`.
fn function_names(p: &Program) -> Vec<String> {
    let plain = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            && !(s.starts_with('f') && s[1..].bytes().all(|b| b.is_ascii_digit()))
    };
    let mut names: Vec<Option<String>> = vec![None; p.functions.len()];
    if let Some(d) = &p.debug {
        let mut seen = HashSet::new();
        let mut dup = HashSet::new();
        for f in &d.functions {
            if !seen.insert(f.name.as_str()) {
                dup.insert(f.name.as_str());
            }
        }
        for f in &d.functions {
            if let Some(slot) = names.get_mut(f.index as usize) {
                if slot.is_none() && plain(&f.name) && !dup.contains(f.name.as_str()) {
                    *slot = Some(f.name.clone());
                }
            }
        }
    }
    names
        .into_iter()
        .enumerate()
        .map(|(i, n)| n.unwrap_or_else(|| format!("f{i}")))
        .collect()
}

/// Prints one function body: labels, instructions, raw bytes for what does not decode.
fn body(
    out: &mut String,
    p: &Program,
    names: &[String],
    base: u32,
    code: &[u8],
    annotate: &mut impl FnMut(u32) -> Option<String>,
) {
    let mut instrs = Vec::new();
    let mut offset = 0;
    while offset < code.len() {
        match Instr::decode(code, offset) {
            Ok((instr, len)) => {
                instrs.push((offset as u32, instr));
                offset += len;
            }
            Err(_) => break,
        }
    }
    let starts: HashSet<u32> = instrs.iter().map(|&(o, _)| o).collect();
    let mut labels = BTreeMap::new();
    for &(_, instr) in &instrs {
        let target = instr.imm_u32(0);
        if instr.op.is_jump() && starts.contains(&target) {
            labels.insert(target, ());
        }
    }
    let labels: BTreeMap<u32, usize> = labels.keys().enumerate().map(|(i, &t)| (t, i)).collect();
    for &(pc, instr) in &instrs {
        if let Some(note) = annotate(base.wrapping_add(pc)) {
            for line in note.lines() {
                let _ = writeln!(out, "    ; {line}");
            }
        }
        if let Some(l) = labels.get(&pc) {
            let _ = writeln!(out, "L{l}:");
        }
        let (text, note) = instr_text(p, names, &labels, instr);
        let note = note.map(|n| format!("  {n}")).unwrap_or_default();
        let _ = writeln!(out, "    {text:<32}; {pc:04}{note}");
    }
    if offset < code.len() {
        let hex: Vec<String> = code[offset..].iter().map(|b| format!("{b:02x}")).collect();
        for chunk in hex.chunks(16) {
            let _ = writeln!(out, "    .bytes {}", chunk.join(" "));
        }
    }
}

/// An instruction's text, and an optional note for its comment.
fn instr_text(
    p: &Program,
    names: &[String],
    labels: &BTreeMap<u32, usize>,
    instr: Instr,
) -> (String, Option<String>) {
    let op = instr.op;
    let mut text = op.mnemonic().to_owned();
    let mut note = None;
    for (i, imm) in instr.imms().iter().enumerate() {
        let v = instr.imm_u32(i);
        let s = match (op, *imm) {
            (_, _) if op.is_jump() => match labels.get(&v) {
                Some(l) => format!("L{l}"),
                None => v.to_string(),
            },
            (Opcode::Call, _) => names
                .get(v as usize)
                .cloned()
                .unwrap_or_else(|| v.to_string()),
            (Opcode::PushBool, ImmValue::U8(b)) => match b {
                0 => "false".into(),
                1 => "true".into(),
                b => b.to_string(),
            },
            (Opcode::Trap, _) => {
                TrapCode::from_code(v).map_or_else(|| v.to_string(), |t| t.name().into())
            }
            (Opcode::Syscall, _) => format!("0x{v:04X}"),
            (_, ImmValue::U8(b)) => b.to_string(),
            (_, ImmValue::U32(u)) => u.to_string(),
            (_, ImmValue::I32(x)) => x.to_string(),
            (_, ImmValue::F64(f)) => format_f64(f),
        };
        text.push(' ');
        text.push_str(&s);
    }
    if op == Opcode::PushConst {
        note = p.constants.get(instr.imm_u32(0) as usize).map(|c| match c {
            Constant::I32(v) => v.to_string(),
            Constant::F64(v) => format_f64(*v),
            Constant::U16(v) => format!("{v}u16"),
            Constant::Str(s) => {
                let shown: String = s.chars().take(40).collect();
                let more = if shown.len() < s.len() { "…" } else { "" };
                format!("{}{more}", escape(&shown))
            }
        });
    }
    (text, note)
}
