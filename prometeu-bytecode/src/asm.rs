//! The assembler: Prometeu assembly text → [`Program`] (format in `bytecode.md` §9).
//!
//! Assembly is line based. A line holds one directive (`.const`, `.layout`, `.global`,
//! `.syscall`, `.func`, `.export`, `.debug`, `.flags`, `.bytes`), one label (`name:`)
//! or one instruction (`MNEMONIC imm imm …`); `;` starts a comment. Directives of one
//! kind number their entries in the order they appear. Jump targets are labels (or raw
//! byte offsets), `CALL` and `.export` name functions by label or index. `locals=` and
//! `max_stack=` may be omitted: the assembler computes them (`max_stack` with the
//! verifier's analysis). Every error carries its 1-based line number; no input panics.

use std::collections::HashMap;

use crate::instr::{ImmValue, Instr};
use crate::opcode::{ImmKind, Opcode};
use crate::program::{
    Constant, DebugFunction, DebugInfo, Export, Function, Global, GlobalInit, Layout, LayoutKind,
    LineRun, Program, SyscallRef,
};
use crate::slot::SlotKind;
use crate::trap::TrapCode;
use crate::verify::compute_max_stack;

/// Why assembly text could not be assembled.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AsmError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for AsmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for AsmError {}

// ---------------------------------------------------------------------------------------
// Tokens

/// One token of a line.
#[derive(Clone, PartialEq, Debug)]
enum Tok {
    /// A run of characters other than whitespace and `(),="`; numbers, names,
    /// mnemonics, directives and labels (with their trailing `:`).
    Word(String),
    /// A quoted string, escapes resolved.
    Str(String),
    /// One of `(`, `)`, `,`, `=`.
    Punct(char),
}

fn lex(line: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            ';' => break,
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' | '=' => {
                chars.next();
                toks.push(Tok::Punct(c));
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    let Some((_, c)) = chars.next() else {
                        return Err("unterminated string".into());
                    };
                    match c {
                        '"' => break,
                        '\\' => s.push(unescape(&mut chars)?),
                        c => s.push(c),
                    }
                }
                toks.push(Tok::Str(s));
            }
            _ => {
                let mut end = start;
                while let Some(&(i, c)) = chars.peek() {
                    if c.is_whitespace() || "(),=\";".contains(c) {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                toks.push(Tok::Word(line[start..end].to_owned()));
            }
        }
    }
    Ok(toks)
}

fn unescape(chars: &mut impl Iterator<Item = (usize, char)>) -> Result<char, String> {
    match chars.next().map(|(_, c)| c) {
        Some('n') => Ok('\n'),
        Some('r') => Ok('\r'),
        Some('t') => Ok('\t'),
        Some('0') => Ok('\0'),
        Some('\\') => Ok('\\'),
        Some('"') => Ok('"'),
        Some('u') => {
            if chars.next().map(|(_, c)| c) != Some('{') {
                return Err("expected `{` after `\\u`".into());
            }
            let mut hex = String::new();
            loop {
                match chars.next().map(|(_, c)| c) {
                    Some('}') => break,
                    Some(c) if c.is_ascii_hexdigit() && hex.len() < 6 => hex.push(c),
                    _ => return Err("bad `\\u{…}` escape".into()),
                }
            }
            u32::from_str_radix(&hex, 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| format!("`\\u{{{hex}}}` is not a character"))
        }
        Some(c) => Err(format!("unknown escape `\\{c}`")),
        None => Err("unterminated string".into()),
    }
}

/// Escapes a string for assembly text (the inverse of the lexer's string rules).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------
// Literals

fn parse_u64(w: &str) -> Option<u64> {
    match w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None if w.bytes().all(|b| b.is_ascii_digit()) => w.parse().ok(),
        None => None,
    }
}

fn parse_u32(w: &str) -> Option<u32> {
    parse_u64(w).and_then(|v| u32::try_from(v).ok())
}

fn parse_i32(w: &str) -> Option<i32> {
    match w.strip_prefix('-') {
        Some(rest) => parse_u64(rest)
            .filter(|&v| v <= 1 << 31)
            .map(|v| (v as i64).wrapping_neg() as i32),
        // Hex is a bit pattern: 0xFFFFFFFF is -1.
        None if w.starts_with("0x") => parse_u32(w).map(|v| v as i32),
        None => parse_u64(w).and_then(|v| i32::try_from(v).ok()),
    }
}

/// `f64` literals: Rust float syntax (`1.5`, `-0.0`, `1e300`, `inf`, `NaN`) or an exact
/// bit pattern `bits:0x…` for NaNs with payloads.
fn parse_f64(w: &str) -> Option<f64> {
    if let Some(bits) = w.strip_prefix("bits:") {
        return parse_u64(bits).map(f64::from_bits);
    }
    let looks_numeric = w.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    if looks_numeric || matches!(w, "inf" | "-inf" | "+inf" | "NaN") {
        return w.parse().ok();
    }
    None
}

/// Prints an `f64` so that [`parse_f64`] gives back the same bits.
pub(crate) fn format_f64(v: f64) -> String {
    let text = format!("{v:?}");
    match text.parse::<f64>() {
        Ok(back) if back.to_bits() == v.to_bits() => text,
        _ => format!("bits:0x{:016X}", v.to_bits()),
    }
}

fn parse_kind(w: &str) -> Option<SlotKind> {
    match w {
        "i32" => Some(SlotKind::I32),
        "f64" => Some(SlotKind::F64),
        "u16" => Some(SlotKind::U16),
        "bool" => Some(SlotKind::Bool),
        "str" => Some(SlotKind::Str),
        _ => {
            let digits = w.strip_prefix("ref")?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok().map(SlotKind::Ref)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parsing one line at a time

/// A cursor over a line's tokens.
struct Line {
    toks: Vec<Tok>,
    pos: usize,
}

impl Line {
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn end(&self) -> Result<(), String> {
        match self.peek() {
            None => Ok(()),
            Some(t) => Err(format!("unexpected {} at the end of the line", tok_text(t))),
        }
    }

    fn word(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Some(Tok::Word(w)) => Ok(w),
            Some(t) => Err(format!("expected {what}, found {}", tok_text(&t))),
            None => Err(format!("expected {what} at the end of the line")),
        }
    }

    fn string(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(s),
            Some(t) => Err(format!(
                "expected {what} (a quoted string), found {}",
                tok_text(&t)
            )),
            None => Err(format!("expected {what} at the end of the line")),
        }
    }

    fn punct(&mut self, c: char) -> Result<(), String> {
        match self.next() {
            Some(Tok::Punct(p)) if p == c => Ok(()),
            Some(t) => Err(format!("expected `{c}`, found {}", tok_text(&t))),
            None => Err(format!("expected `{c}` at the end of the line")),
        }
    }

    fn u32(&mut self, what: &str) -> Result<u32, String> {
        let w = self.word(what)?;
        parse_u32(&w)
            .ok_or_else(|| format!("expected {what} (an unsigned 32-bit number), found `{w}`"))
    }

    fn u16(&mut self, what: &str) -> Result<u16, String> {
        let w = self.word(what)?;
        parse_u64(&w)
            .and_then(|v| u16::try_from(v).ok())
            .ok_or_else(|| format!("expected {what} (0..=65535), found `{w}`"))
    }

    fn kind(&mut self) -> Result<SlotKind, String> {
        let w = self.word("a slot kind")?;
        parse_kind(&w).ok_or_else(|| {
            format!("unknown slot kind `{w}` (expected i32, f64, u16, bool, str or refN)")
        })
    }

    /// `(kind, kind, …)`
    fn kinds(&mut self) -> Result<Vec<SlotKind>, String> {
        self.punct('(')?;
        let mut out = Vec::new();
        if self.peek() == Some(&Tok::Punct(')')) {
            self.next();
            return Ok(out);
        }
        loop {
            out.push(self.kind()?);
            match self.next() {
                Some(Tok::Punct(',')) => {}
                Some(Tok::Punct(')')) => return Ok(out),
                Some(t) => return Err(format!("expected `,` or `)`, found {}", tok_text(&t))),
                None => return Err("expected `)` at the end of the line".into()),
            }
        }
    }

    /// `key=` for an optional keyword argument; returns the key when one follows.
    fn key(&mut self) -> Result<Option<String>, String> {
        if self.at_end() {
            return Ok(None);
        }
        let k = self.word("a `key=value` argument")?;
        self.punct('=')?;
        Ok(Some(k))
    }
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("`{w}`"),
        Tok::Str(s) => escape(s),
        Tok::Punct(c) => format!("`{c}`"),
    }
}

/// An immediate as written, resolved once all labels and functions are known.
#[derive(Clone, Debug)]
enum Operand {
    Value(ImmValue),
    Label(String),
    Function(String),
}

/// One item of a function body.
#[derive(Clone, Debug)]
enum Item {
    Instr {
        line: usize,
        op: Opcode,
        operands: Vec<Operand>,
    },
    Bytes(Vec<u8>),
}

/// A `.func` and its body, before encoding.
struct FuncDraft {
    line: usize,
    name: String,
    params: Vec<SlotKind>,
    returns: Vec<SlotKind>,
    locals: Option<u16>,
    max_stack: Option<u16>,
    items: Vec<Item>,
    /// Label → byte offset inside the function.
    labels: HashMap<String, u32>,
    len: u64,
}

/// A function reference (`.export`, `.debug func`), resolved at the end.
struct FuncRef {
    line: usize,
    text: String,
}

/// Local slot names of one `.debug func`.
type DebugLocals = Vec<(u16, String)>;

#[derive(Default)]
struct Asm {
    program: Program,
    funcs: Vec<FuncDraft>,
    /// `.func` name → index.
    func_names: HashMap<String, u32>,
    exports: Vec<(String, FuncRef)>,
    /// `.debug func` entries: the function, its debug name, its `.debug local`s.
    debug_funcs: Vec<(FuncRef, String, DebugLocals)>,
    debug_present: bool,
}

/// Assembles a whole program from assembly text.
pub fn assemble(text: &str) -> Result<Program, AsmError> {
    let mut asm = Asm::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        asm.line(n, line)
            .map_err(|message| AsmError { line: n, message })?;
    }
    asm.finish()
}

impl Asm {
    fn line(&mut self, n: usize, text: &str) -> Result<(), String> {
        let toks = lex(text)?;
        let mut line = Line { toks, pos: 0 };
        let Some(Tok::Word(first)) = line.next() else {
            return match line.toks.first() {
                None => Ok(()),
                Some(t) => Err(format!(
                    "a line starts with a directive, label or mnemonic, not {}",
                    tok_text(t)
                )),
            };
        };
        if let Some(directive) = first.strip_prefix('.') {
            return self.directive(n, directive, &mut line);
        }
        if let Some(label) = first.strip_suffix(':') {
            let f = self.current(&first)?;
            if label.is_empty() || parse_u64(label).is_some() {
                return Err(format!("`{label}` cannot be a label name"));
            }
            if f.labels.insert(label.to_owned(), f.len as u32).is_some() {
                return Err(format!("label `{label}` is defined twice in this function"));
            }
            return line.end();
        }
        let Some(op) = Opcode::from_mnemonic(&first) else {
            return Err(format!("unknown mnemonic or directive `{first}`"));
        };
        let mut operands = Vec::new();
        for (i, imm) in op.immediates().iter().enumerate() {
            if i > 0 && line.peek() == Some(&Tok::Punct(',')) {
                line.next();
            }
            let w = line.word(&format!("immediate `{}` of {op}", imm.name))?;
            operands.push(operand(op, imm.kind, &w)?);
        }
        line.end()?;
        let f = self.current(&first)?;
        f.len += op.encoded_len() as u64;
        f.items.push(Item::Instr {
            line: n,
            op,
            operands,
        });
        Ok(())
    }

    fn current(&mut self, what: &str) -> Result<&mut FuncDraft, String> {
        self.funcs
            .last_mut()
            .ok_or_else(|| format!("`{what}` must be inside a `.func`"))
    }

    fn directive(&mut self, n: usize, d: &str, line: &mut Line) -> Result<(), String> {
        let p = &mut self.program;
        match d {
            "flags" => p.flags = line.u16("the header flags")?,
            "const" => {
                let kind = line.word("a constant kind")?;
                let c = match kind.as_str() {
                    "i32" => {
                        let w = line.word("an int")?;
                        Constant::I32(parse_i32(&w).ok_or_else(|| format!("`{w}` is not an i32"))?)
                    }
                    "f64" => {
                        let w = line.word("a float")?;
                        Constant::F64(parse_f64(&w).ok_or_else(|| format!("`{w}` is not an f64"))?)
                    }
                    "u16" => Constant::U16(line.u16("a bounded value")?),
                    "str" => Constant::Str(line.string("the string")?),
                    other => {
                        return Err(format!(
                            "unknown constant kind `{other}` (i32, f64, u16, str)"
                        ));
                    }
                };
                p.constants.push(c);
            }
            "layout" => {
                let kind = match line.word("`ref` or `list`")?.as_str() {
                    "ref" => LayoutKind::Ref,
                    "list" => LayoutKind::List,
                    other => return Err(format!("unknown layout kind `{other}` (ref, list)")),
                };
                let slots = line.kinds()?;
                p.layouts.push(Layout { kind, slots });
            }
            "global" => {
                let kind = line.kind()?;
                let value = if line.at_end() {
                    None
                } else {
                    Some(line.word("an initial value")?)
                };
                let bad = |w: &str| format!("`{w}` is not a valid initial value for {kind}");
                let init = match (kind, value.as_deref()) {
                    (SlotKind::I32, None) => GlobalInit::I32(0),
                    (SlotKind::I32, Some(w)) => {
                        GlobalInit::I32(parse_i32(w).ok_or_else(|| bad(w))?)
                    }
                    (SlotKind::F64, None) => GlobalInit::F64(0.0),
                    (SlotKind::F64, Some(w)) => {
                        GlobalInit::F64(parse_f64(w).ok_or_else(|| bad(w))?)
                    }
                    (SlotKind::U16, None) => GlobalInit::U16(0),
                    (SlotKind::U16, Some(w)) => GlobalInit::U16(
                        parse_u64(w)
                            .and_then(|v| u16::try_from(v).ok())
                            .ok_or_else(|| bad(w))?,
                    ),
                    (SlotKind::Bool, None | Some("false")) => GlobalInit::Bool(false),
                    (SlotKind::Bool, Some("true")) => GlobalInit::Bool(true),
                    (SlotKind::Str | SlotKind::Ref(_), None) => GlobalInit::Empty,
                    (_, Some(w)) => return Err(bad(w)),
                };
                p.globals.push(Global { kind, init });
            }
            "syscall" => {
                let id = line.u32("a system call id")?;
                let (mut arg_slots, mut ret_slots) = (0, 0);
                while let Some(k) = line.key()? {
                    match k.as_str() {
                        "args" => arg_slots = line.u16("an argument slot count")?,
                        "rets" => ret_slots = line.u16("a result slot count")?,
                        other => {
                            return Err(format!(
                                "unknown `.syscall` argument `{other}` (args, rets)"
                            ));
                        }
                    }
                }
                p.syscalls.push(SyscallRef {
                    id,
                    arg_slots,
                    ret_slots,
                });
            }
            "export" => {
                let name = match line.next() {
                    Some(Tok::Word(w)) | Some(Tok::Str(w)) => w,
                    _ => return Err("expected the exported name".into()),
                };
                let text = line.word("the exported function")?;
                self.exports.push((name, FuncRef { line: n, text }));
            }
            "func" => {
                let name = line.word("the function's name")?;
                if parse_u64(&name).is_some() || name.ends_with(':') {
                    return Err(format!("`{name}` cannot be a function name"));
                }
                if self
                    .func_names
                    .insert(name.clone(), self.funcs.len() as u32)
                    .is_some()
                {
                    return Err(format!("function `{name}` is defined twice"));
                }
                let mut f = FuncDraft {
                    line: n,
                    name,
                    params: Vec::new(),
                    returns: Vec::new(),
                    locals: None,
                    max_stack: None,
                    items: Vec::new(),
                    labels: HashMap::new(),
                    len: 0,
                };
                while let Some(k) = line.key()? {
                    match k.as_str() {
                        "params" => f.params = line.kinds()?,
                        "returns" => f.returns = line.kinds()?,
                        "locals" => f.locals = Some(line.u16("a local slot count")?),
                        "max_stack" => f.max_stack = Some(line.u16("a stack depth")?),
                        other => {
                            return Err(format!(
                                "unknown `.func` argument `{other}` (params, returns, locals, max_stack)"
                            ));
                        }
                    }
                }
                self.funcs.push(f);
            }
            "bytes" => {
                let mut bytes = Vec::new();
                while !line.at_end() {
                    let w = line.word("a hex byte")?;
                    let b = (w.len() == 2)
                        .then(|| u8::from_str_radix(&w, 16).ok())
                        .flatten()
                        .ok_or_else(|| format!("`{w}` is not a two-digit hex byte"))?;
                    bytes.push(b);
                }
                let f = self.current(".bytes")?;
                f.len += bytes.len() as u64;
                f.items.push(Item::Bytes(bytes));
            }
            "debug" => {
                self.debug_present = true;
                if line.at_end() {
                    return Ok(());
                }
                let d = self.program.debug.get_or_insert_with(DebugInfo::default);
                match line.word("`file`, `line`, `func` or `local`")?.as_str() {
                    "file" => d.files.push(line.string("the file path")?),
                    "line" => {
                        let mut run = LineRun {
                            pc: 0,
                            file: 0,
                            start: 0,
                            end: 0,
                        };
                        run.pc = line.u32("the run's pc")?;
                        while let Some(k) = line.key()? {
                            match k.as_str() {
                                "file" => run.file = line.u32("a file index")?,
                                "span" => {
                                    let w = line.word("a span `start..end`")?;
                                    let (s, e) = w
                                        .split_once("..")
                                        .and_then(|(s, e)| Some((parse_u32(s)?, parse_u32(e)?)))
                                        .ok_or_else(|| {
                                            format!("`{w}` is not a span `start..end`")
                                        })?;
                                    (run.start, run.end) = (s, e);
                                }
                                other => {
                                    return Err(format!(
                                        "unknown `.debug line` argument `{other}` (file, span)"
                                    ));
                                }
                            }
                        }
                        d.lines.push(run);
                    }
                    "func" => {
                        let text = line.word("a function")?;
                        let name = line.string("the function's debug name")?;
                        self.debug_funcs
                            .push((FuncRef { line: n, text }, name, Vec::new()));
                    }
                    "local" => {
                        let slot = line.u16("a local slot")?;
                        let name = line.string("the local's name")?;
                        let Some(f) = self.debug_funcs.last_mut() else {
                            return Err("`.debug local` must follow a `.debug func`".into());
                        };
                        f.2.push((slot, name));
                    }
                    other => {
                        return Err(format!(
                            "unknown `.debug` entry `{other}` (file, line, func, local)"
                        ));
                    }
                }
            }
            other => return Err(format!("unknown directive `.{other}`")),
        }
        line.end()
    }

    fn resolve_func(&self, r: &FuncRef) -> Result<u32, AsmError> {
        self.func_names
            .get(&r.text)
            .copied()
            .or_else(|| parse_u32(&r.text))
            .ok_or_else(|| AsmError {
                line: r.line,
                message: format!("no function `{}`", r.text),
            })
    }

    fn finish(mut self) -> Result<Program, AsmError> {
        let names: HashMap<String, u32> = self
            .funcs
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i as u32))
            .collect();
        let mut code = Vec::new();
        let mut omitted_max = Vec::new();
        for (index, f) in self.funcs.iter().enumerate() {
            let start = code.len();
            let code_offset = u32::try_from(start).map_err(|_| AsmError {
                line: f.line,
                message: "the code is larger than 4 GiB".into(),
            })?;
            let mut used_locals = 0u64;
            for item in &f.items {
                match item {
                    Item::Bytes(b) => code.extend_from_slice(b),
                    Item::Instr { line, op, operands } => {
                        let mut imms = Vec::with_capacity(operands.len());
                        for o in operands {
                            imms.push(match o {
                                Operand::Value(v) => *v,
                                Operand::Label(l) => {
                                    ImmValue::U32(*f.labels.get(l).ok_or_else(|| AsmError {
                                        line: *line,
                                        message: format!("no label `{l}` in function `{}`", f.name),
                                    })?)
                                }
                                Operand::Function(name) => ImmValue::U32(
                                    names
                                        .get(name)
                                        .copied()
                                        .or_else(|| parse_u32(name))
                                        .ok_or_else(|| AsmError {
                                            line: *line,
                                            message: format!("no function `{name}`"),
                                        })?,
                                ),
                            });
                        }
                        let instr = Instr::new(*op, &imms);
                        used_locals = used_locals.max(locals_used(&instr));
                        instr.encode(&mut code);
                    }
                }
            }
            let code_len = u32::try_from(code.len() - start).map_err(|_| AsmError {
                line: f.line,
                message: "the function is larger than 4 GiB".into(),
            })?;
            let local_slots = match f.locals {
                Some(n) => n,
                None => {
                    let extra = used_locals.saturating_sub(f.params.len() as u64);
                    u16::try_from(extra).map_err(|_| AsmError {
                        line: f.line,
                        message: format!("the function uses {extra} locals, more than 65535"),
                    })?
                }
            };
            if f.max_stack.is_none() {
                omitted_max.push(index);
            }
            self.program.functions.push(Function {
                code_offset,
                code_len,
                params: f.params.clone(),
                local_slots,
                returns: f.returns.clone(),
                max_stack: f.max_stack.unwrap_or(0),
            });
        }
        self.program.code = code;
        for (name, r) in &self.exports {
            let func = self.resolve_func(r)?;
            self.program.exports.push(Export {
                name: name.clone(),
                func,
            });
        }
        if self.debug_present {
            let mut functions = Vec::new();
            for (r, name, locals) in &self.debug_funcs {
                functions.push(DebugFunction {
                    index: self.resolve_func(r)?,
                    name: name.clone(),
                    locals: locals.clone(),
                });
            }
            self.program
                .debug
                .get_or_insert_with(DebugInfo::default)
                .functions = functions;
        }
        for index in omitted_max {
            // An invalid function gets the largest depth so the verifier reports the
            // real problem rather than the stack size.
            let max = compute_max_stack(&self.program, index as u32).unwrap_or(u16::MAX);
            self.program.functions[index].max_stack = max;
        }
        Ok(self.program)
    }
}

/// One past the highest local slot an instruction names (for an omitted `locals=`).
fn locals_used(instr: &Instr) -> u64 {
    let (a, b, c) = (
        u64::from(instr.imm_u32(0)),
        u64::from(instr.imm_u32(1)),
        u64::from(instr.imm_u32(2)),
    );
    match instr.op {
        Opcode::GetLocal | Opcode::SetLocal => a + 1,
        Opcode::GetLocalN | Opcode::SetLocalN => a + b,
        Opcode::GetLocalIdx | Opcode::SetLocalIdx => a + b * c,
        _ => 0,
    }
}

/// Reads one immediate of `op`.
fn operand(op: Opcode, kind: ImmKind, w: &str) -> Result<Operand, String> {
    let bad = |what: &str| format!("`{w}` is not {what} (immediate of {op})");
    if op.is_jump() {
        return Ok(match parse_u32(w) {
            Some(v) => Operand::Value(ImmValue::U32(v)),
            None => Operand::Label(w.to_owned()),
        });
    }
    if op == Opcode::Call {
        return Ok(match parse_u32(w) {
            Some(v) => Operand::Value(ImmValue::U32(v)),
            None => Operand::Function(w.to_owned()),
        });
    }
    let v = match kind {
        ImmKind::U8 => {
            let v = match w {
                "true" => Some(1),
                "false" => Some(0),
                _ => parse_u64(w).and_then(|v| u8::try_from(v).ok()),
            };
            ImmValue::U8(v.ok_or_else(|| bad("a byte (or true/false)"))?)
        }
        ImmKind::U32 => {
            let trap = (op == Opcode::Trap)
                .then(|| {
                    TrapCode::ALL
                        .iter()
                        .find(|t| t.name() == w)
                        .map(|t| t.code())
                })
                .flatten();
            ImmValue::U32(
                trap.or_else(|| parse_u32(w))
                    .ok_or_else(|| bad("an unsigned 32-bit number"))?,
            )
        }
        ImmKind::I32 => ImmValue::I32(parse_i32(w).ok_or_else(|| bad("a signed 32-bit number"))?),
        ImmKind::F64 => ImmValue::F64(parse_f64(w).ok_or_else(|| bad("a float"))?),
    };
    Ok(Operand::Value(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_parse() {
        assert_eq!(parse_i32("-2147483648"), Some(i32::MIN));
        assert_eq!(parse_i32("2147483648"), None);
        assert_eq!(parse_i32("0xFFFFFFFF"), Some(-1));
        assert_eq!(parse_u32("0x10"), Some(16));
        assert_eq!(parse_u32("-1"), None);
        for v in [
            0.0,
            -0.0,
            1.5,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::from_bits(0xFFF8_0000_0000_0001),
            5e-324,
        ] {
            let back = parse_f64(&format_f64(v)).unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{v}");
        }
        assert_eq!(parse_kind("ref12"), Some(SlotKind::Ref(12)));
        assert_eq!(parse_kind("ref"), None);
        assert_eq!(parse_kind("ref+1"), None);
    }

    #[test]
    fn strings_escape_and_unescape() {
        let s = "a\"b\\c\nd\te\u{1}ü";
        let toks = lex(&escape(s)).unwrap();
        assert_eq!(toks, vec![Tok::Str(s.into())]);
    }
}
