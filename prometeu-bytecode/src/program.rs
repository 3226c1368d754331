//! The in-memory model of a linked program: what a `program.pbc` file holds
//! (`bytecode.md` §3), section by section.

use crate::slot::SlotKind;

/// One constant of the `CNST` pool.
#[derive(Clone, PartialEq, Debug)]
pub enum Constant {
    /// An `int`.
    I32(i32),
    /// A `float`.
    F64(f64),
    /// A `bounded`.
    U16(u16),
    /// A `string` (UTF-8).
    Str(String),
}

impl Constant {
    /// The slot kind a `PUSH_CONST` of this constant pushes.
    pub fn kind(&self) -> SlotKind {
        match self {
            Constant::I32(_) => SlotKind::I32,
            Constant::F64(_) => SlotKind::F64,
            Constant::U16(_) => SlotKind::U16,
            Constant::Str(_) => SlotKind::Str,
        }
    }
}

/// One function of the `FUNC` table; its code is `code[code_offset..][..code_len]`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Function {
    /// Byte offset of the first instruction in `CODE`.
    pub code_offset: u32,
    /// Length of the body in bytes.
    pub code_len: u32,
    /// Kinds of the parameter slots; they are the first local slots.
    pub params: Vec<SlotKind>,
    /// Number of local slots after the parameters.
    pub local_slots: u16,
    /// Kinds of the returned slots.
    pub returns: Vec<SlotKind>,
    /// The deepest the operand stack gets (checked by the verifier).
    pub max_stack: u16,
}

/// One global slot of the `GLOB` section (service state) with its initial value.
#[derive(Clone, PartialEq, Debug)]
pub struct Global {
    /// The slot's kind.
    pub kind: SlotKind,
    /// The initial value; handles start null and strings empty, so only scalars carry
    /// one (a zero value of the kind otherwise).
    pub init: GlobalInit,
}

/// The initial value of a global slot.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum GlobalInit {
    /// An `i32` slot's value.
    I32(i32),
    /// An `f64` slot's value.
    F64(f64),
    /// A `u16` slot's value.
    U16(u16),
    /// A `bool` slot's value.
    Bool(bool),
    /// The empty string (`str` slots) or the null handle (`ref` slots).
    Empty,
}

/// What a heap layout of the `TYPE` section describes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum LayoutKind {
    /// The storage of a `ref<T>`: the slots of one `T`.
    Ref,
    /// The storage of a `list<T>`: any number of elements, each with these slots.
    List,
}

/// A heap layout: the slot kinds of one stored value (the collector's map of which
/// slots are handles or strings).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Layout {
    /// Whether the storage is one value or a list of them.
    pub kind: LayoutKind,
    /// The kinds of one value's slots.
    pub slots: Vec<SlotKind>,
}

/// An exported entry point (`frame`, `init`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Export {
    /// The exported name.
    pub name: String,
    /// The function's index in `FUNC`.
    pub func: u32,
}

/// A system call the program uses, with the slot counts it was compiled against.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SyscallRef {
    /// The console's id (`machine.md` §5).
    pub id: u32,
    /// Slots popped.
    pub arg_slots: u16,
    /// Slots pushed.
    pub ret_slots: u16,
}

/// One run of the debug line table: instructions from `pc` up to the next run's `pc`
/// came from `start..end` of file `file`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct LineRun {
    /// Absolute offset in `CODE`.
    pub pc: u32,
    /// Index into [`DebugInfo::files`].
    pub file: u32,
    /// Start byte offset of the span.
    pub start: u32,
    /// End byte offset of the span.
    pub end: u32,
}

/// Debug names of one function.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DebugFunction {
    /// The function's index in `FUNC`.
    pub index: u32,
    /// Its qualified name, e.g. `Player.update`.
    pub name: String,
    /// Names of local slots, `(slot, name)`.
    pub locals: Vec<(u16, String)>,
}

/// The optional `DBUG` section (`bytecode.md` §7).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct DebugInfo {
    /// Source paths relative to the project.
    pub files: Vec<String>,
    /// Line runs sorted by `pc`.
    pub lines: Vec<LineRun>,
    /// Function names and local names.
    pub functions: Vec<DebugFunction>,
}

impl DebugInfo {
    /// The run covering `pc`, if the map has one.
    pub fn span_at(&self, pc: u32) -> Option<&LineRun> {
        let after = self.lines.partition_point(|run| run.pc <= pc);
        after.checked_sub(1).map(|i| &self.lines[i])
    }

    /// The debug name of function `index`.
    pub fn function_name(&self, index: u32) -> Option<&str> {
        self.functions
            .iter()
            .find(|f| f.index == index)
            .map(|f| f.name.as_str())
    }
}

/// A whole linked program, section by section.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Program {
    /// `flags` of the header (reserved, 0).
    pub flags: u16,
    /// `CNST`.
    pub constants: Vec<Constant>,
    /// `FUNC`.
    pub functions: Vec<Function>,
    /// `CODE`: all function bodies back to back.
    pub code: Vec<u8>,
    /// `GLOB`.
    pub globals: Vec<Global>,
    /// `TYPE`.
    pub layouts: Vec<Layout>,
    /// `EXPT`.
    pub exports: Vec<Export>,
    /// `SYSC`.
    pub syscalls: Vec<SyscallRef>,
    /// `DBUG`, when present.
    pub debug: Option<DebugInfo>,
}

impl Program {
    /// The body of function `index`, if the index and its code range are valid.
    pub fn function_code(&self, index: u32) -> Option<&[u8]> {
        let f = self.functions.get(index as usize)?;
        let start = f.code_offset as usize;
        self.code
            .get(start..start.checked_add(f.code_len as usize)?)
    }

    /// The function exported under `name`.
    pub fn export(&self, name: &str) -> Option<u32> {
        self.exports.iter().find(|e| e.name == name).map(|e| e.func)
    }
}
