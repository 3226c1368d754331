//! The `program.pbc` container (`bytecode.md` §3): [`read_program`] and
//! [`write_program`].
//!
//! The writer is canonical: sections sorted by id, laid out back to back right after the
//! section table, in table order. The reader accepts exactly that layout, so a file
//! has one byte encoding and `write_program(read_program(bytes)?) == bytes`.
//! The reader never panics and never allocates more than the input justifies: every
//! count is checked against the bytes left in its section before anything is reserved.

use crate::program::{
    Constant, DebugFunction, DebugInfo, Export, Function, Global, GlobalInit, Layout, LayoutKind,
    LineRun, Program, SyscallRef,
};
use crate::slot::SlotKind;

/// The file's first four bytes.
pub const MAGIC: [u8; 4] = *b"PBC\0";
/// The only format version this crate reads and writes.
pub const VERSION: u16 = 1;
/// Size of the fixed header: magic, version, flags, section count, CRC-32.
pub const HEADER_LEN: usize = 16;
/// Size of one section table entry: id, offset, length.
pub const SECTION_ENTRY_LEN: usize = 12;

/// Every section id the format knows, in the sorted order the writer uses, with whether
/// it is required.
pub const SECTIONS: &[([u8; 4], bool)] = &[
    (*b"CNST", true),
    (*b"CODE", true),
    (*b"DBUG", false),
    (*b"EXPT", true),
    (*b"FUNC", true),
    (*b"GLOB", true),
    (*b"SYSC", true),
    (*b"TYPE", true),
];

/// Why a byte string is not a valid PBC file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PbcError {
    /// The section being read, when the problem is inside one.
    pub section: Option<[u8; 4]>,
    /// Absolute byte offset in the file where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for PbcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.section {
            Some(id) => write!(
                f,
                "invalid PBC file: section `{}` at byte {}: {}",
                id_text(id),
                self.offset,
                self.message
            ),
            None => write!(
                f,
                "invalid PBC file at byte {}: {}",
                self.offset, self.message
            ),
        }
    }
}

impl std::error::Error for PbcError {}

/// A section id as printable text (non-ASCII bytes escaped).
fn id_text(id: [u8; 4]) -> String {
    id.iter()
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect()
}

fn error(section: Option<[u8; 4]>, offset: usize, message: impl Into<String>) -> PbcError {
    PbcError {
        section,
        offset,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------
// Writer

/// Appends little-endian fields; strings and counts past the format's limits are
/// truncated (the compiler never produces them; the verifier's limits are lower).
struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str16(&mut self, s: &str) {
        let s = truncate_utf8(s, u16::MAX as usize);
        self.u16(s.len() as u16);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn kind(&mut self, k: SlotKind) {
        self.u8(k.tag());
        if let SlotKind::Ref(t) = k {
            self.u32(t);
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Slot kind lists longer than a `u16` count are cut to fit (see [`Out`]).
fn kinds16(kinds: &[SlotKind]) -> &[SlotKind] {
    &kinds[..kinds.len().min(u16::MAX as usize)]
}

fn section_bytes(id: [u8; 4], p: &Program) -> Option<Vec<u8>> {
    let mut o = Out(Vec::new());
    match &id {
        b"CNST" => {
            o.count(p.constants.len());
            for c in &p.constants {
                match c {
                    Constant::I32(v) => {
                        o.u8(1);
                        o.0.extend_from_slice(&v.to_le_bytes());
                    }
                    Constant::F64(v) => {
                        o.u8(2);
                        o.0.extend_from_slice(&v.to_bits().to_le_bytes());
                    }
                    Constant::U16(v) => {
                        o.u8(3);
                        o.u16(*v);
                    }
                    Constant::Str(s) => {
                        o.u8(4);
                        let s = truncate_utf8(s, u32::MAX as usize);
                        o.count(s.len());
                        o.0.extend_from_slice(s.as_bytes());
                    }
                }
            }
        }
        b"CODE" => o.0.extend_from_slice(&p.code),
        b"DBUG" => {
            let d = p.debug.as_ref()?;
            o.count(d.files.len());
            for f in &d.files {
                o.str16(f);
            }
            o.count(d.lines.len());
            for r in &d.lines {
                o.u32(r.pc);
                o.u32(r.file);
                o.u32(r.start);
                o.u32(r.end);
            }
            o.count(d.functions.len());
            for f in &d.functions {
                o.u32(f.index);
                o.str16(&f.name);
                let locals = &f.locals[..f.locals.len().min(u16::MAX as usize)];
                o.u16(locals.len() as u16);
                for (slot, name) in locals {
                    o.u16(*slot);
                    o.str16(name);
                }
            }
        }
        b"EXPT" => {
            o.count(p.exports.len());
            for e in &p.exports {
                o.str16(&e.name);
                o.u32(e.func);
            }
        }
        b"FUNC" => {
            o.count(p.functions.len());
            for f in &p.functions {
                let (params, returns) = (kinds16(&f.params), kinds16(&f.returns));
                o.u32(f.code_offset);
                o.u32(f.code_len);
                o.u16(params.len() as u16);
                o.u16(f.local_slots);
                o.u16(returns.len() as u16);
                o.u16(f.max_stack);
                for &k in params.iter().chain(returns) {
                    o.kind(k);
                }
            }
        }
        b"GLOB" => {
            o.count(p.globals.len());
            for g in &p.globals {
                o.kind(g.kind);
                // The kind decides the encoding; a mismatched init (which the verifier
                // rejects) is written as the kind's zero.
                match (g.kind, g.init) {
                    (SlotKind::I32, GlobalInit::I32(v)) => o.0.extend_from_slice(&v.to_le_bytes()),
                    (SlotKind::I32, _) => o.u32(0),
                    (SlotKind::F64, GlobalInit::F64(v)) => {
                        o.0.extend_from_slice(&v.to_bits().to_le_bytes())
                    }
                    (SlotKind::F64, _) => o.0.extend_from_slice(&[0; 8]),
                    (SlotKind::U16, GlobalInit::U16(v)) => o.u16(v),
                    (SlotKind::U16, _) => o.u16(0),
                    (SlotKind::Bool, GlobalInit::Bool(v)) => o.u8(v.into()),
                    (SlotKind::Bool, _) => o.u8(0),
                    (SlotKind::Str | SlotKind::Ref(_), _) => {}
                }
            }
        }
        b"SYSC" => {
            o.count(p.syscalls.len());
            for s in &p.syscalls {
                o.u32(s.id);
                o.u16(s.arg_slots);
                o.u16(s.ret_slots);
            }
        }
        b"TYPE" => {
            o.count(p.layouts.len());
            for l in &p.layouts {
                o.u8(match l.kind {
                    LayoutKind::Ref => 1,
                    LayoutKind::List => 2,
                });
                o.count(l.slots.len());
                for &k in &l.slots {
                    o.kind(k);
                }
            }
        }
        _ => return None,
    }
    Some(o.0)
}

/// Encodes a program as a `program.pbc` file. Deterministic: equal programs give equal
/// bytes. Values past the format's limits (a name over 65,535 bytes, more than 65,535
/// parameter slots) are truncated; the verifier rejects such programs anyway.
pub fn write_program(program: &Program) -> Vec<u8> {
    let sections: Vec<([u8; 4], Vec<u8>)> = SECTIONS
        .iter()
        .filter_map(|&(id, _)| section_bytes(id, program).map(|b| (id, b)))
        .collect();
    let mut out = Out(Vec::new());
    out.0.extend_from_slice(&MAGIC);
    out.u16(VERSION);
    out.u16(program.flags);
    out.count(sections.len());
    out.u32(0); // CRC, patched below
    let mut offset = HEADER_LEN + sections.len() * SECTION_ENTRY_LEN;
    for (id, bytes) in &sections {
        out.0.extend_from_slice(id);
        out.count(offset);
        out.count(bytes.len());
        offset += bytes.len();
    }
    for (_, bytes) in &sections {
        out.0.extend_from_slice(bytes);
    }
    let crc = crc32fast::hash(&out.0[HEADER_LEN..]);
    out.0[12..16].copy_from_slice(&crc.to_le_bytes());
    out.0
}

// ---------------------------------------------------------------------------------------
// Reader

/// A cursor over one section's bytes; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Absolute file offset of `bytes[0]`, for error messages.
    base: usize,
    section: [u8; 4],
}

impl<'a> Reader<'a> {
    fn err(&self, message: impl Into<String>) -> PbcError {
        error(Some(self.section), self.base + self.pos, message)
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], PbcError> {
        let left = self.bytes.len() - self.pos;
        if n > left {
            return Err(self.err(format!(
                "{what} needs {n} bytes but only {left} are left in the section"
            )));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], PbcError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    fn u8(&mut self, what: &str) -> Result<u8, PbcError> {
        Ok(self.array::<1>(what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, PbcError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    fn u32(&mut self, what: &str) -> Result<u32, PbcError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn i32(&mut self, what: &str) -> Result<i32, PbcError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }
    fn f64(&mut self, what: &str) -> Result<f64, PbcError> {
        Ok(f64::from_bits(u64::from_le_bytes(self.array(what)?)))
    }

    /// Reads a count and checks that `count` entries of at least `min_size` bytes each
    /// fit in the rest of the section, so the caller may reserve that many.
    fn count(&mut self, what: &str, min_size: usize) -> Result<usize, PbcError> {
        let n = self.u32(what)?;
        self.count_of(n.into(), what, min_size)
    }

    fn count16(&mut self, what: &str, min_size: usize) -> Result<usize, PbcError> {
        let n = self.u16(what)?;
        self.count_of(n.into(), what, min_size)
    }

    fn count_of(&mut self, n: u64, what: &str, min_size: usize) -> Result<usize, PbcError> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n.saturating_mul(min_size as u64) > left {
            return Err(self.err(format!(
                "{what} {n} does not fit in the {left} bytes left in the section"
            )));
        }
        Ok(n as usize)
    }

    fn utf8(&mut self, len: usize, what: &str) -> Result<String, PbcError> {
        let start = self.base + self.pos;
        let bytes = self.take(len, what)?;
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
            error(
                Some(self.section),
                start + e.valid_up_to(),
                format!("{what} is not valid UTF-8"),
            )
        })
    }

    fn str16(&mut self, what: &str) -> Result<String, PbcError> {
        let len = self.u16(what)?;
        self.utf8(len.into(), what)
    }

    fn kind(&mut self, what: &str) -> Result<SlotKind, PbcError> {
        let at = self.pos;
        match self.u8(what)? {
            1 => Ok(SlotKind::I32),
            2 => Ok(SlotKind::F64),
            3 => Ok(SlotKind::U16),
            4 => Ok(SlotKind::Bool),
            5 => Ok(SlotKind::Str),
            6 => Ok(SlotKind::Ref(self.u32("heap layout index")?)),
            tag => {
                self.pos = at;
                Err(self.err(format!("unknown slot kind tag {tag} in {what}")))
            }
        }
    }

    fn kinds(&mut self, n: usize, what: &str) -> Result<Vec<SlotKind>, PbcError> {
        let n = self.count_of(n as u64, what, 1)?;
        self.entries(n, |r| r.kind(what))
    }

    /// Reads a `u32` count (checked as [`Reader::count`] does) and then that many
    /// entries with `entry`.
    fn list<T>(
        &mut self,
        what: &str,
        min_size: usize,
        entry: impl FnMut(&mut Self) -> Result<T, PbcError>,
    ) -> Result<Vec<T>, PbcError> {
        let n = self.count(what, min_size)?;
        self.entries(n, entry)
    }

    /// Reads `n` entries with `entry`; `n` must come from a `count*` check, which bounds
    /// what is reserved here by the section's size.
    fn entries<T>(
        &mut self,
        n: usize,
        mut entry: impl FnMut(&mut Self) -> Result<T, PbcError>,
    ) -> Result<Vec<T>, PbcError> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(entry(self)?);
        }
        Ok(out)
    }

    fn finish(&self) -> Result<(), PbcError> {
        let left = self.bytes.len() - self.pos;
        if left != 0 {
            return Err(self.err(format!("{left} trailing bytes after the section's content")));
        }
        Ok(())
    }
}

/// Decodes and checks a `program.pbc` file. The result is well-formed but not yet
/// verified: run `verify_program` before executing it.
pub fn read_program(bytes: &[u8]) -> Result<Program, PbcError> {
    if bytes.len() < HEADER_LEN {
        return Err(error(
            None,
            bytes.len(),
            format!(
                "file is {} bytes, shorter than the {HEADER_LEN}-byte header",
                bytes.len()
            ),
        ));
    }
    let le16 = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let le32 =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    if bytes[..4] != MAGIC {
        return Err(error(None, 0, "wrong magic (expected \"PBC\\0\")"));
    }
    let version = le16(4);
    if version != VERSION {
        return Err(error(
            None,
            4,
            format!("unsupported version {version} (expected {VERSION})"),
        ));
    }
    let flags = le16(6);
    let count = le32(8) as usize;
    let stored_crc = le32(12);
    let table_end = count
        .checked_mul(SECTION_ENTRY_LEN)
        .and_then(|n| n.checked_add(HEADER_LEN))
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| {
            error(
                None,
                8,
                format!("section table of {count} entries runs past the end of the file"),
            )
        })?;
    let crc = crc32fast::hash(&bytes[HEADER_LEN..]);
    if crc != stored_crc {
        return Err(error(
            None,
            12,
            format!("CRC mismatch: header says {stored_crc:08x}, content is {crc:08x}"),
        ));
    }

    // The section table: ids known, sorted and unique; contents back to back.
    let mut found: Vec<([u8; 4], &[u8], usize)> = Vec::with_capacity(count.min(SECTIONS.len()));
    let mut expected_offset = table_end;
    for i in 0..count {
        let at = HEADER_LEN + i * SECTION_ENTRY_LEN;
        let id: [u8; 4] = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        let offset = le32(at + 4) as usize;
        let len = le32(at + 8) as usize;
        if !SECTIONS.iter().any(|(known, _)| *known == id) {
            return Err(error(Some(id), at, "unknown section id"));
        }
        if let Some((prev, _, _)) = found.last() {
            if *prev == id {
                return Err(error(Some(id), at, "duplicate section id"));
            }
            if *prev > id {
                return Err(error(
                    Some(id),
                    at,
                    format!(
                        "section ids are not sorted (comes after `{}`)",
                        id_text(*prev)
                    ),
                ));
            }
        }
        let end = offset
            .checked_add(len)
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| {
                error(
                    Some(id),
                    at + 4,
                    format!(
                        "section at {offset}, {len} bytes long, runs past the end of the file ({} bytes)",
                        bytes.len()
                    ),
                )
            })?;
        if offset < expected_offset {
            return Err(error(
                Some(id),
                at + 4,
                format!(
                    "section at {offset} overlaps the section table or the previous section (which end at {expected_offset})"
                ),
            ));
        }
        if offset > expected_offset {
            return Err(error(
                Some(id),
                at + 4,
                format!(
                    "gap before the section: it starts at {offset}, the previous content ends at {expected_offset}"
                ),
            ));
        }
        found.push((id, &bytes[offset..end], offset));
        expected_offset = end;
    }
    if expected_offset != bytes.len() {
        return Err(error(
            None,
            expected_offset,
            format!(
                "{} bytes after the last section",
                bytes.len() - expected_offset
            ),
        ));
    }
    for &(id, required) in SECTIONS {
        if required && !found.iter().any(|(f, _, _)| *f == id) {
            return Err(error(Some(id), HEADER_LEN, "required section is missing"));
        }
    }

    let mut program = Program {
        flags,
        ..Program::default()
    };
    for &(id, content, offset) in &found {
        let mut r = Reader {
            bytes: content,
            pos: 0,
            base: offset,
            section: id,
        };
        read_section(&mut r, &mut program)?;
        r.finish()?;
    }
    Ok(program)
}

fn read_section(r: &mut Reader<'_>, p: &mut Program) -> Result<(), PbcError> {
    match &r.section {
        b"CNST" => {
            p.constants = r.list("constant count", 3, |r| {
                let at = r.pos;
                Ok(match r.u8("constant tag")? {
                    1 => Constant::I32(r.i32("int constant")?),
                    2 => Constant::F64(r.f64("float constant")?),
                    3 => Constant::U16(r.u16("bounded constant")?),
                    4 => {
                        let len = r.u32("string constant length")?;
                        let len = r.count_of(len.into(), "string constant length", 1)?;
                        Constant::Str(r.utf8(len, "string constant")?)
                    }
                    tag => {
                        r.pos = at;
                        return Err(r.err(format!("unknown constant tag {tag}")));
                    }
                })
            })?;
        }
        b"CODE" => p.code = r.take(r.bytes.len(), "code")?.to_vec(),
        b"DBUG" => {
            let files = r.list("debug file count", 2, |r| r.str16("debug file path"))?;
            let lines = r.list("debug line run count", 16, |r| {
                Ok(LineRun {
                    pc: r.u32("line run pc")?,
                    file: r.u32("line run file")?,
                    start: r.u32("line run start")?,
                    end: r.u32("line run end")?,
                })
            })?;
            let functions = r.list("debug function count", 8, |r| {
                let index = r.u32("debug function index")?;
                let name = r.str16("debug function name")?;
                let locals_n = r.count16("debug local count", 4)?;
                let locals = r.entries(locals_n, |r| {
                    let slot = r.u16("debug local slot")?;
                    Ok((slot, r.str16("debug local name")?))
                })?;
                Ok(DebugFunction {
                    index,
                    name,
                    locals,
                })
            })?;
            p.debug = Some(DebugInfo {
                files,
                lines,
                functions,
            });
        }
        b"EXPT" => {
            p.exports = r.list("export count", 6, |r| {
                let name = r.str16("export name")?;
                Ok(Export {
                    name,
                    func: r.u32("export function index")?,
                })
            })?;
        }
        b"FUNC" => {
            p.functions = r.list("function count", 16, |r| {
                let code_offset = r.u32("function code offset")?;
                let code_len = r.u32("function code length")?;
                let params = r.u16("function parameter count")?;
                let local_slots = r.u16("function local count")?;
                let returns = r.u16("function return count")?;
                let max_stack = r.u16("function max stack")?;
                let params = r.kinds(params.into(), "parameter kinds")?;
                let returns = r.kinds(returns.into(), "return kinds")?;
                Ok(Function {
                    code_offset,
                    code_len,
                    params,
                    local_slots,
                    returns,
                    max_stack,
                })
            })?;
        }
        b"GLOB" => {
            p.globals = r.list("global count", 1, |r| {
                let kind = r.kind("global kind")?;
                let init = match kind {
                    SlotKind::I32 => GlobalInit::I32(r.i32("global initial value")?),
                    SlotKind::F64 => GlobalInit::F64(r.f64("global initial value")?),
                    SlotKind::U16 => GlobalInit::U16(r.u16("global initial value")?),
                    SlotKind::Bool => {
                        let at = r.pos;
                        match r.u8("global initial value")? {
                            0 => GlobalInit::Bool(false),
                            1 => GlobalInit::Bool(true),
                            v => {
                                r.pos = at;
                                return Err(
                                    r.err(format!("bool global initial value {v} is not 0 or 1"))
                                );
                            }
                        }
                    }
                    SlotKind::Str | SlotKind::Ref(_) => GlobalInit::Empty,
                };
                Ok(Global { kind, init })
            })?;
        }
        b"SYSC" => {
            p.syscalls = r.list("system call count", 8, |r| {
                Ok(SyscallRef {
                    id: r.u32("system call id")?,
                    arg_slots: r.u16("system call argument slots")?,
                    ret_slots: r.u16("system call result slots")?,
                })
            })?;
        }
        b"TYPE" => {
            p.layouts = r.list("layout count", 5, |r| {
                let at = r.pos;
                let kind = match r.u8("layout kind")? {
                    1 => LayoutKind::Ref,
                    2 => LayoutKind::List,
                    tag => {
                        r.pos = at;
                        return Err(r.err(format!("unknown layout kind {tag}")));
                    }
                };
                let slots = r.u32("layout slot count")?;
                let slots = r.kinds(slots as usize, "layout slot kinds")?;
                Ok(Layout { kind, slots })
            })?;
        }
        _ => return Err(r.err("unknown section id")),
    }
    Ok(())
}
