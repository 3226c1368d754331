//! The verifier (`bytecode.md` §1): proves, before anything runs, that a program cannot
//! crash the VM.
//!
//! Program-level checks come first (layouts, globals, system calls, exports, debug map,
//! code layout), then each function is checked by abstract interpretation: a worklist
//! over basic blocks whose state is the slot kind of every operand-stack slot and every
//! local. Parameters start typed from the `FUNC` entry, other locals start
//! uninitialised; a local written with different kinds on two paths is unreadable after
//! they join. Stack heights and kinds must agree exactly at joins.
//!
//! Decisions (written into `bytecode.md` §1):
//! * `RET` needs exactly the function's return slots on the operand stack, nothing below.
//! * `TRAP code` must name a trap of the table ([`TrapCode`]).
//! * Functions tile `CODE` in `FUNC` order: function 0 starts at 0, each starts where the
//!   previous ends, the last ends at the end of `CODE`.
//! * `frame` and `init`, when exported, take and return nothing; no export is required
//!   here (the kernel resolves the manifest's entry point).
//! * Indexed local/global access (`*_IDX`) needs `len >= 1` and every element with the
//!   same slot kinds, initialised; the stored slots must have those kinds.

use std::collections::{HashMap, HashSet};

use crate::instr::Instr;
use crate::opcode::{Opcode, StackEffect};
use crate::program::{Function, GlobalInit, LayoutKind, Program, SyscallRef};
use crate::pstack::PStack;
use crate::pvec::PVec;
use crate::slot::{SlotKind, TypeIndex};
use crate::trap::TrapCode;

/// The console's system-call signatures, as the verifier needs them. `prometeu-abi`
/// implements it for the real table; tests may implement it for their own.
pub trait SyscallTable {
    /// The argument and result slot kinds of system call `id`, if the console has it.
    fn signature(&self, id: u32) -> Option<(&[SlotKind], &[SlotKind])>;
}

/// The deepest operand stack a function may declare (`max_stack` is a `u16`).
pub const MAX_STACK_LIMIT: usize = u16::MAX as usize;

/// The most slots one function's parameters, locals and operand stack may take
/// together: the console's 65,536-slot value stack with one register index kept free
/// above a frame (`bytecode.md` §1). A program that verifies loads.
pub const MAX_FRAME_SLOTS: usize = 65_534;

/// How many slot states (instructions interpreted, stack slots and local-state nodes
/// copied, joined or recorded) the analysis of one function may touch at least, and
/// how many safepoints a whole program may record. A function past its budget
/// ([`work_budget`]) is rejected ([`Rule::Limits`]) rather than verified slowly.
pub const WORK_LIMIT: u64 = 1 << 22;

/// The slot states one instruction may cost on average: a function's budget grows
/// with its length, so verifying compiled code costs near-linear time in the code,
/// and any input stays within a constant factor of its size.
pub const WORK_PER_INSTRUCTION: u64 = 64;

/// The work budget of a function of `instructions` instructions: [`WORK_LIMIT`], or
/// [`WORK_PER_INSTRUCTION`] per instruction when that is more.
pub const fn work_budget(instructions: usize) -> u64 {
    let scaled = WORK_PER_INSTRUCTION.saturating_mul(instructions as u64);
    if scaled > WORK_LIMIT {
        scaled
    } else {
        WORK_LIMIT
    }
}

/// Declares [`Rule`] from one list of rows: every reason the verifier can reject a
/// program, with a short stable code for tests and tools.
macro_rules! rules {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal;)*) => {
        /// A verifier rule; every [`VerifyError`] names the rule it broke.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum Rule {
            $($(#[doc = $doc])+ $variant,)*
        }

        impl Rule {
            /// Every rule, in table order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// A short stable name, e.g. `stack-kind`.
            pub const fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }

            /// What the rule requires.
            pub const fn description(self) -> &'static str {
                match self { $(Rule::$variant => concat!($($doc),+),)* }
            }
        }
    };
}

rules! {
    /// A `ref` slot kind names an existing heap layout.
    LayoutIndex = "layout-index";
    /// A global's initial value has the global's kind.
    GlobalInit = "global-init";
    /// `SYSC` lists each id once, and the console knows it with the same slot counts.
    SyscallEntry = "syscall-entry";
    /// Exports name existing functions, once each; `frame` and `init` take and return
    /// nothing.
    Export = "export";
    /// The debug map's runs are sorted and name existing files; its functions exist.
    DebugMap = "debug-map";
    /// Functions tile `CODE` in `FUNC` order.
    CodeLayout = "code-layout";
    /// Every byte of a function decodes as whole instructions.
    Decode = "decode";
    /// Jump targets are instruction starts inside the function.
    JumpTarget = "jump-target";
    /// Control never runs past the last instruction.
    FallOff = "fall-off";
    /// An instruction finds enough slots on the operand stack.
    StackUnderflow = "stack-underflow";
    /// An instruction finds the slot kinds it expects on the operand stack.
    StackKind = "stack-kind";
    /// Stack heights and kinds agree where control paths join.
    StackJoin = "stack-join";
    /// The operand stack never exceeds the declared `max_stack` (at most 65,535).
    MaxStack = "max-stack";
    /// Local slot indices are inside the frame.
    LocalIndex = "local-index";
    /// A local is written before it is read, with one kind on every path.
    LocalUninit = "local-uninit";
    /// Global slot indices are inside `GLOB` and stores match the global's kind.
    GlobalIndex = "global-index";
    /// Indexed (`*_IDX`) accesses stay inside the slots and all elements share kinds.
    ArrayIndex = "array-index";
    /// `PUSH_CONST` names an existing constant.
    ConstIndex = "const-index";
    /// `CALL` names an existing function.
    FunctionIndex = "function-index";
    /// `RET` finds exactly the function's return slots on the stack.
    Return = "return";
    /// `SYSCALL` ids are listed in `SYSC` and known to the console.
    Syscall = "syscall";
    /// Heap instructions use handles and layouts of the right kind and range.
    Heap = "heap";
    /// Literal immediates are in range (`PUSH_BOOL` 0/1, `PUSH_BOUNDED` <= 65535, `TRAP`
    /// a known code, `STR_CONCAT_N` 2..=65535 operands).
    Immediate = "immediate";
    /// The analysis stays within the verifier's budget ([`work_budget`] slot states per
    /// function, [`WORK_LIMIT`] safepoints per program), and a function's frame and
    /// operand stack within [`MAX_FRAME_SLOTS`], so no input can make verification
    /// take unbounded time or memory, and a verified program loads.
    Limits = "limits";
}

/// Why a program failed verification: the rule, where, and a sentence saying why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifyError {
    /// The broken rule.
    pub rule: Rule,
    /// The function, when the problem is inside one.
    pub function: Option<u32>,
    /// Its debug name, when the program has one.
    pub function_name: Option<String>,
    /// The byte offset of the instruction inside the function.
    pub pc: Option<u32>,
    /// The instruction's opcode.
    pub opcode: Option<Opcode>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(func) = self.function {
            write!(f, "function {func}")?;
            if let Some(name) = &self.function_name {
                write!(f, " `{name}`")?;
            }
            if let Some(pc) = self.pc {
                write!(f, " at pc {pc}")?;
            }
            if let Some(op) = self.opcode {
                write!(f, " ({op})")?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{} [{}]", self.message, self.rule.code())
    }
}

impl std::error::Error for VerifyError {}

/// The slot kinds live in a frame at one GC safepoint, before the instruction runs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Safepoint {
    /// Byte offset of the instruction inside the function.
    pub pc: u32,
    /// The operand stack and the locals, shared with the verifier's states (recording
    /// one costs nothing per slot, so frame maps stay linear in the function's size).
    operands: PStack<Val>,
    frame: PVec<Local>,
}

impl Safepoint {
    /// Operand stack kinds, bottom first (a `CALL`'s or `SYSCALL`'s arguments included).
    pub fn stack(&self) -> Vec<SlotKind> {
        self.operands
            .to_vec()
            .into_iter()
            .map(|v| match v {
                Val::K(k) => k,
                // Only without a table; recording always has one.
                Val::Any => SlotKind::I32,
            })
            .collect()
    }

    /// Kinds of every local (parameters first); `None` for an uninitialised local or
    /// one that holds different kinds on different paths — it can never be read, so
    /// the collector must not trace it.
    pub fn locals(&self) -> Vec<Option<SlotKind>> {
        self.frame.iter().map(Local::kind).collect()
    }

    /// The kind of local `slot`, as in [`Safepoint::locals`].
    pub fn local(&self, slot: usize) -> Option<SlotKind> {
        (slot < self.frame.len())
            .then(|| self.frame.get(slot).kind())
            .flatten()
    }
}

/// What the VM needs to know about one verified function.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct VerifiedFunction {
    /// The deepest the operand stack gets (at most the declared `max_stack`).
    pub max_stack: u16,
    /// Frame maps at every instruction that may allocate or collect (`ALLOC`,
    /// `LIST_NEW`, `LIST_PUSH`, `LIST_INSERT`, `STR_CONCAT`, `STR_CONCAT_N`, `I2S`,
    /// `F2S`, `B2S`, `BOOL2S`, `CALL`, `SYSCALL`, `FRAME_SYNC`), sorted by `pc`.
    pub safepoints: Vec<Safepoint>,
    /// For every heap instruction that takes a handle from the stack (`PEEK`, `TAKE`,
    /// views, `GATE_*`, `REF_EQ`/`REF_NE`, `LIST_*` except `LIST_NEW`): the `pc` and
    /// the handle's heap layout, sorted by `pc`. `LIST_PUSH`, `LIST_SET` and
    /// `LIST_INSERT` need it to find the handle under the element's slots.
    pub handle_layouts: Vec<(u32, TypeIndex)>,
    /// The operand stack depth before each instruction, by instruction index
    /// ([`UNREACHED`] for an instruction control never reaches). The VM's loader
    /// places operands at fixed frame positions from it.
    pub stack_depths: Vec<u16>,
}

/// The [`VerifiedFunction::stack_depths`] entry of an unreachable instruction.
pub const UNREACHED: u16 = u16::MAX;

impl VerifiedFunction {
    /// The frame map of the safepoint at `pc`.
    pub fn safepoint(&self, pc: u32) -> Option<&Safepoint> {
        let i = self.safepoints.binary_search_by_key(&pc, |s| s.pc).ok()?;
        Some(&self.safepoints[i])
    }

    /// The heap layout of the handle the heap instruction at `pc` uses.
    pub fn handle_layout(&self, pc: u32) -> Option<TypeIndex> {
        let i = self
            .handle_layouts
            .binary_search_by_key(&pc, |&(p, _)| p)
            .ok()?;
        Some(self.handle_layouts[i].1)
    }
}

/// A program that passed [`verify_program`], with the facts the VM relies on. Its
/// fields are private so a verified program cannot be changed after the proof.
#[derive(Clone, PartialEq, Debug)]
pub struct VerifiedProgram {
    program: Program,
    functions: Vec<VerifiedFunction>,
}

impl VerifiedProgram {
    /// The verified program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Per-function facts, indexed like `program().functions`.
    pub fn functions(&self) -> &[VerifiedFunction] {
        &self.functions
    }

    /// Gives the program back.
    pub fn into_program(self) -> Program {
        self.program
    }
}

/// Whether an instruction may allocate or run the collector (a GC safepoint).
pub const fn is_safepoint(op: Opcode) -> bool {
    matches!(
        op,
        Opcode::Alloc
            | Opcode::ListNew
            | Opcode::ListPush
            | Opcode::ListInsert
            | Opcode::StrConcat
            | Opcode::StrConcatN
            | Opcode::I2S
            | Opcode::F2S
            | Opcode::B2S
            | Opcode::Bool2S
            | Opcode::Call
            | Opcode::Syscall
            | Opcode::FrameSync
    )
}

/// Verifies `program` against the console's system calls; on success it keeps the
/// program together with what the VM needs (max stack, frame maps, handle layouts).
pub fn verify_program(
    program: &Program,
    syscalls: &dyn SyscallTable,
) -> Result<VerifiedProgram, VerifyError> {
    check_tables(program, syscalls)?;
    let mut functions = Vec::with_capacity(program.functions.len());
    let mut recorded = 0u64;
    let listed = listed_syscalls(program);
    for index in 0..program.functions.len() {
        let cx = FnCx::new(program, &listed, Some(syscalls), index as u32)?;
        let f = cx.run(true)?;
        recorded += f.safepoints.iter().map(|_| 1).sum::<u64>();
        if recorded > WORK_LIMIT {
            return Err(program_err(
                Rule::Limits,
                format!("the program's frame maps exceed {WORK_LIMIT} safepoints"),
            ));
        }
        functions.push(f);
    }
    Ok(VerifiedProgram {
        program: program.clone(),
        functions,
    })
}

/// The operand-stack depth function `index` reaches, computed without a system-call
/// table (results of `SYSCALL` are taken as "any kind"); `None` when the function does
/// not verify that far. The assembler uses it to fill in an omitted `max_stack`.
pub fn compute_max_stack(program: &Program, index: u32) -> Option<u16> {
    compute_max_stack_with(program, index, None)
}

/// [`compute_max_stack`] with the console's system calls, when the caller has them
/// (the compiler): results of `SYSCALL` then have their real kinds, so a function
/// computes exactly as far as it verifies.
pub fn compute_max_stack_with(
    program: &Program,
    index: u32,
    syscalls: Option<&dyn SyscallTable>,
) -> Option<u16> {
    let listed = listed_syscalls(program);
    let cx = FnCx::new(program, &listed, syscalls, index).ok()?;
    cx.run(false).ok().map(|f| f.max_stack)
}

/// The program's `SYSC` entries by id (the first of duplicates, which
/// `check_tables` rejects).
fn listed_syscalls(p: &Program) -> HashMap<u32, SyscallRef> {
    let mut map = HashMap::with_capacity(p.syscalls.len());
    for s in &p.syscalls {
        map.entry(s.id).or_insert(*s);
    }
    map
}

// ---------------------------------------------------------------------------------------
// Program-level checks

fn program_err(rule: Rule, message: String) -> VerifyError {
    VerifyError {
        rule,
        function: None,
        function_name: None,
        pc: None,
        opcode: None,
        message,
    }
}

fn check_tables(p: &Program, syscalls: &dyn SyscallTable) -> Result<(), VerifyError> {
    let layout_ok = |k: &SlotKind| match k {
        SlotKind::Ref(t) => (*t as usize) < p.layouts.len(),
        _ => true,
    };
    let bad_layout = |what: String, k: SlotKind| {
        program_err(
            Rule::LayoutIndex,
            format!(
                "{what} has kind {k}, but the program has {} heap layouts",
                p.layouts.len()
            ),
        )
    };
    for (i, l) in p.layouts.iter().enumerate() {
        if let Some(k) = l.slots.iter().find(|k| !layout_ok(k)) {
            return Err(bad_layout(format!("heap layout {i}"), *k));
        }
    }
    for (i, g) in p.globals.iter().enumerate() {
        if !layout_ok(&g.kind) {
            return Err(bad_layout(format!("global {i}"), g.kind));
        }
        let fits = matches!(
            (g.kind, g.init),
            (SlotKind::I32, GlobalInit::I32(_))
                | (SlotKind::F64, GlobalInit::F64(_))
                | (SlotKind::U16, GlobalInit::U16(_))
                | (SlotKind::Bool, GlobalInit::Bool(_))
                | (SlotKind::Str | SlotKind::Ref(_), GlobalInit::Empty)
        );
        if !fits {
            return Err(program_err(
                Rule::GlobalInit,
                format!(
                    "global {i} of kind {} has initial value {:?}",
                    g.kind, g.init
                ),
            ));
        }
    }
    for (i, f) in p.functions.iter().enumerate() {
        if let Some(k) = f.params.iter().chain(&f.returns).find(|k| !layout_ok(k)) {
            return Err(bad_layout(
                format!("a parameter or result of function {i}"),
                *k,
            ));
        }
    }

    let mut expected = 0u64;
    for (i, f) in p.functions.iter().enumerate() {
        if u64::from(f.code_offset) != expected {
            return Err(program_err(
                Rule::CodeLayout,
                format!(
                    "function {i} starts at code offset {}, expected {expected} (functions tile CODE in order)",
                    f.code_offset
                ),
            ));
        }
        expected += u64::from(f.code_len);
    }
    if expected != p.code.len() as u64 {
        return Err(program_err(
            Rule::CodeLayout,
            format!(
                "the functions cover {expected} bytes of code but CODE has {}",
                p.code.len()
            ),
        ));
    }

    let mut seen_ids = HashSet::new();
    for s in &p.syscalls {
        if !seen_ids.insert(s.id) {
            return Err(program_err(
                Rule::SyscallEntry,
                format!("system call 0x{:04X} is listed twice in SYSC", s.id),
            ));
        }
        let Some((args, rets)) = syscalls.signature(s.id) else {
            return Err(program_err(
                Rule::SyscallEntry,
                format!("the console has no system call 0x{:04X}", s.id),
            ));
        };
        if args.len() != usize::from(s.arg_slots) || rets.len() != usize::from(s.ret_slots) {
            return Err(program_err(
                Rule::SyscallEntry,
                format!(
                    "system call 0x{:04X} takes {} and returns {} slots, SYSC says {} and {}",
                    s.id,
                    args.len(),
                    rets.len(),
                    s.arg_slots,
                    s.ret_slots
                ),
            ));
        }
    }

    let mut seen_names = HashSet::new();
    for e in &p.exports {
        let Some(f) = p.functions.get(e.func as usize) else {
            return Err(program_err(
                Rule::Export,
                format!(
                    "export `{}` names function {}, which does not exist",
                    e.name, e.func
                ),
            ));
        };
        if !seen_names.insert(e.name.as_str()) {
            return Err(program_err(
                Rule::Export,
                format!("`{}` is exported twice", e.name),
            ));
        }
        if (e.name == "frame" || e.name == "init")
            && (!f.params.is_empty() || !f.returns.is_empty())
        {
            return Err(program_err(
                Rule::Export,
                format!("exported `{}` must take and return nothing", e.name),
            ));
        }
    }

    if let Some(d) = &p.debug {
        for (i, run) in d.lines.iter().enumerate() {
            if run.file as usize >= d.files.len() {
                return Err(program_err(
                    Rule::DebugMap,
                    format!(
                        "line run {i} names file {}, but the map has {}",
                        run.file,
                        d.files.len()
                    ),
                ));
            }
            if i > 0 && d.lines[i - 1].pc > run.pc {
                return Err(program_err(
                    Rule::DebugMap,
                    format!("line run {i} at pc {} is not sorted by pc", run.pc),
                ));
            }
        }
        for f in &d.functions {
            if f.index as usize >= p.functions.len() {
                return Err(program_err(
                    Rule::DebugMap,
                    format!("debug names for function {}, which does not exist", f.index),
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Function analysis

/// An abstract operand-stack slot. `Any` appears only without a system-call table
/// (computing `max_stack` in the assembler): it is a result of a `SYSCALL`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Val {
    K(SlotKind),
    Any,
}

/// An abstract local slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Local {
    K(SlotKind),
    Any,
    /// Not written on some path.
    Uninit,
    /// Written with different kinds on different paths.
    Conflict,
}

impl Local {
    /// The kind a readable local holds.
    fn kind(self) -> Option<SlotKind> {
        match self {
            Local::K(k) => Some(k),
            _ => None,
        }
    }

    fn join(self, other: Local) -> Local {
        match (self, other) {
            (a, b) if a == b => a,
            (Local::Conflict, _) | (_, Local::Conflict) => Local::Conflict,
            (Local::Uninit, _) | (_, Local::Uninit) => Local::Uninit,
            (Local::Any, _) | (_, Local::Any) => Local::Any,
            (Local::K(_), Local::K(_)) => Local::Conflict,
        }
    }
}

impl From<Val> for Local {
    fn from(v: Val) -> Local {
        match v {
            Val::K(k) => Local::K(k),
            Val::Any => Local::Any,
        }
    }
}

fn fits(v: Val, k: SlotKind) -> bool {
    match v {
        Val::K(have) => have == k,
        Val::Any => true,
    }
}

/// Whether each value fits the kind at the same position (`vals` and `kinds` have the
/// same length).
fn all_fit(vals: &[Val], kinds: &[SlotKind]) -> bool {
    vals.iter().zip(kinds).all(|(v, k)| fits(*v, *k))
}

fn val_name(v: Val) -> String {
    match v {
        Val::K(k) => k.name().into_owned(),
        Val::Any => "any".into(),
    }
}

fn kinds_text(vals: &[Val]) -> String {
    let names: Vec<String> = vals.iter().map(|v| val_name(*v)).collect();
    format!("[{}]", names.join(", "))
}

/// Expected slot kinds written like [`kinds_text`] writes the stack, for messages.
fn slot_kinds_text(kinds: &[SlotKind]) -> String {
    let vals: Vec<Val> = kinds.iter().map(|k| Val::K(*k)).collect();
    kinds_text(&vals)
}

#[derive(Clone, PartialEq, Debug)]
struct State {
    stack: PStack<Val>,
    locals: PVec<Local>,
}

/// One function under analysis.
struct FnCx<'a> {
    p: &'a Program,
    /// `SYSC` by id.
    listed: &'a HashMap<u32, SyscallRef>,
    syscalls: Option<&'a dyn SyscallTable>,
    index: u32,
    func: &'a Function,
    instrs: Vec<(u32, Instr)>,
    locals: usize,
    /// Slot states touched so far, against [`WORK_LIMIT`].
    work: std::cell::Cell<u64>,
}

/// What the final pass over a verified function records.
#[derive(Default)]
struct Recorder {
    safepoints: Vec<Safepoint>,
    handle_layouts: Vec<(u32, TypeIndex)>,
    stack_depths: Vec<u16>,
}

impl<'a> FnCx<'a> {
    fn new(
        p: &'a Program,
        listed: &'a HashMap<u32, SyscallRef>,
        syscalls: Option<&'a dyn SyscallTable>,
        index: u32,
    ) -> Result<FnCx<'a>, VerifyError> {
        let Some(func) = p.functions.get(index as usize) else {
            return Err(program_err(
                Rule::FunctionIndex,
                format!("function {index} does not exist"),
            ));
        };
        let mut cx = FnCx {
            p,
            listed,
            syscalls,
            index,
            func,
            instrs: Vec::new(),
            locals: func.params.len() + usize::from(func.local_slots),
            work: std::cell::Cell::new(0),
        };
        let Some(code) = p.function_code(index) else {
            return Err(cx.err(
                None,
                Rule::CodeLayout,
                format!(
                    "code range {}..+{} is outside CODE ({} bytes)",
                    func.code_offset,
                    func.code_len,
                    p.code.len()
                ),
            ));
        };
        cx.instrs = Instr::decode_all(code).map_err(|e| {
            let pc = match e {
                crate::DecodeError::UnknownOpcode { offset, .. }
                | crate::DecodeError::Truncated { offset } => offset as u32,
            };
            cx.err(Some(pc), Rule::Decode, e.to_string())
        })?;
        Ok(cx)
    }

    fn err(&self, pc: Option<u32>, rule: Rule, message: String) -> VerifyError {
        let opcode = pc.and_then(|pc| self.instr_index(pc).map(|i| self.instrs[i].1.op));
        VerifyError {
            rule,
            function: Some(self.index),
            function_name: self
                .p
                .debug
                .as_ref()
                .and_then(|d| d.function_name(self.index))
                .map(str::to_owned),
            pc,
            opcode,
            message,
        }
    }

    /// Counts `n` slot states of work; past the budget the function is rejected.
    fn charge(&self, n: usize, pc: Option<u32>) -> Result<(), VerifyError> {
        let work = self.work.get().saturating_add(n as u64);
        self.work.set(work);
        let budget = work_budget(self.instrs.len());
        if work > budget {
            return Err(self.err(
                pc,
                Rule::Limits,
                format!(
                    "verifying the function takes more than {budget} slot states ({} locals, {} instructions); split it",
                    self.locals,
                    self.instrs.len()
                ),
            ));
        }
        Ok(())
    }

    fn instr_index(&self, pc: u32) -> Option<usize> {
        self.instrs.binary_search_by_key(&pc, |&(o, _)| o).ok()
    }

    /// Runs the worklist to a fixpoint, then (when `record`) a final pass collecting
    /// frame maps.
    fn run(&self, record: bool) -> Result<VerifiedFunction, VerifyError> {
        let n = self.instrs.len();
        if n == 0 {
            return Err(self.err(
                None,
                Rule::FallOff,
                "the function has no instructions".into(),
            ));
        }
        self.charge(n + self.locals, None)?;
        // Block leaders: the entry, every jump target, every instruction after a jump or
        // a block end. Jump targets are checked here, once.
        let mut leader = vec![false; n];
        leader[0] = true;
        for (i, &(pc, instr)) in self.instrs.iter().enumerate() {
            if instr.op.is_jump() {
                let target = instr.imm_u32(0);
                let Some(t) = self.instr_index(target) else {
                    return Err(self.err(
                        Some(pc),
                        Rule::JumpTarget,
                        format!("jump target {target} is not the start of an instruction of this function"),
                    ));
                };
                leader[t] = true;
            }
            if (instr.op.is_jump() || instr.op.ends_block()) && i + 1 < n {
                leader[i + 1] = true;
            }
        }

        let mut entry: Vec<Option<State>> = vec![None; n];
        let mut locals = PVec::filled(self.locals, Local::Uninit);
        for (slot, &k) in self.func.params.iter().enumerate() {
            locals.set(slot, Local::K(k));
        }
        entry[0] = Some(State {
            stack: PStack::default(),
            locals,
        });
        let mut queued = vec![false; n];
        queued[0] = true;
        let mut work = vec![0usize];
        // The deepest stack and the first pc reaching it.
        let mut max = (0usize, 0u32);
        while let Some(b) = work.pop() {
            queued[b] = false;
            let Some(state) = entry[b].clone() else {
                continue;
            };
            // Copying the locals shares them: one unit, not one per local.
            self.charge(state.stack.unfrozen() + 1, Some(self.instrs[b].0))?;
            let succs = self.walk(b, state, &leader, &mut max, None)?;
            for (t, s) in succs {
                let changed = match &mut entry[t] {
                    slot @ None => {
                        *slot = Some(s);
                        true
                    }
                    Some(old) => {
                        self.charge(s.stack.unfrozen() + 1, Some(self.instrs[t].0))?;
                        self.join(old, &s, t)?
                    }
                };
                if changed && !queued[t] {
                    queued[t] = true;
                    work.push(t);
                }
            }
        }
        let frame = self.locals + max.0;
        if record && frame > MAX_FRAME_SLOTS {
            return Err(self.err(
                Some(max.1),
                Rule::Limits,
                format!(
                    "the frame ({} locals) and operand stack ({} slots) exceed {MAX_FRAME_SLOTS} slots",
                    self.locals, max.0
                ),
            ));
        }
        if max.0 > usize::from(self.func.max_stack) && record {
            return Err(self.err(
                Some(max.1),
                Rule::MaxStack,
                format!(
                    "the operand stack reaches {} slots here but max_stack declares {}",
                    max.0, self.func.max_stack
                ),
            ));
        }
        let mut rec = Recorder {
            stack_depths: vec![UNREACHED; if record { n } else { 0 }],
            ..Recorder::default()
        };
        if record {
            for b in 0..n {
                if leader[b] {
                    if let Some(s) = entry[b].clone() {
                        self.walk(b, s, &leader, &mut max, Some(&mut rec))?;
                    }
                }
            }
        }
        Ok(VerifiedFunction {
            max_stack: max.0 as u16,
            safepoints: rec.safepoints,
            handle_layouts: rec.handle_layouts,
            stack_depths: rec.stack_depths,
        })
    }

    /// Joins `new` into `old` (the entry state of instruction `t`); whether it changed.
    fn join(&self, old: &mut State, new: &State, t: usize) -> Result<bool, VerifyError> {
        let pc = self.instrs[t].0;
        let different = || {
            self.err(
                Some(pc),
                Rule::StackJoin,
                format!(
                    "control paths join with different stacks: {} and {}",
                    kinds_text(&old.stack.to_vec()),
                    kinds_text(&new.stack.to_vec())
                ),
            )
        };
        if old.stack.len() != new.stack.len() {
            return Err(different());
        }
        // Values below the stacks' shared frozen part are the same: not compared.
        let meet = |a: Val, b: Val| match (a, b) {
            _ if a == b => Some(a),
            (Val::Any, _) | (_, Val::Any) => Some(Val::Any),
            _ => None,
        };
        let mut joined = old.stack.clone();
        let (changed, compared) = match joined.join_from(&new.stack, meet) {
            Ok(result) => result,
            Err(_) => return Err(different()),
        };
        old.stack = joined;
        self.charge(compared, Some(pc))?;
        // Only the parts of the two frames that differ are compared.
        let (locals_changed, compared) = old.locals.join_from(&new.locals, Local::join);
        self.charge(compared, Some(pc))?;
        Ok(changed || locals_changed)
    }

    /// Interprets the block starting at instruction `start`; returns the successor
    /// states. `max` tracks the deepest stack seen.
    fn walk(
        &self,
        start: usize,
        mut st: State,
        leader: &[bool],
        max: &mut (usize, u32),
        mut rec: Option<&mut Recorder>,
    ) -> Result<Vec<(usize, State)>, VerifyError> {
        let mut i = start;
        loop {
            let (pc, instr) = self.instrs[i];
            self.charge(1, Some(pc))?;
            if let Some(rec) = rec.as_deref_mut() {
                // At most max_stack ≤ 65,535 (a u16), below UNREACHED.
                rec.stack_depths[i] = st.stack.len() as u16;
                if is_safepoint(instr.op) {
                    let moved = st.stack.freeze();
                    self.charge(moved + 1, Some(pc))?;
                    rec.safepoints.push(Safepoint {
                        pc,
                        operands: st.stack.clone(),
                        frame: st.locals.clone(),
                    });
                }
            }
            let layout = Step {
                cx: self,
                pc,
                st: &mut st,
            }
            .run(instr)?;
            // Pops come before pushes, so the deepest point is after the instruction.
            if st.stack.len() > max.0 {
                *max = (st.stack.len(), pc);
            }
            if let (Some(rec), Some(t)) = (rec.as_deref_mut(), layout) {
                rec.handle_layouts.push((pc, t));
            }
            let op = instr.op;
            let mut succs = Vec::new();
            if op.is_jump() {
                // Targets were checked when finding leaders.
                if let Some(t) = self.instr_index(instr.imm_u32(0)) {
                    // Successors share the stack as it is here.
                    let moved = st.stack.freeze();
                    self.charge(moved + 1, Some(pc))?;
                    succs.push((t, st.clone()));
                }
            }
            if op.ends_block() {
                return Ok(succs);
            }
            if i + 1 == self.instrs.len() {
                return Err(self.err(
                    Some(pc),
                    Rule::FallOff,
                    "control runs past the end of the function".into(),
                ));
            }
            if leader[i + 1] {
                let moved = st.stack.freeze();
                self.charge(moved, Some(pc))?;
                succs.push((i + 1, st));
                return Ok(succs);
            }
            i += 1;
        }
    }
}

/// How many slots a local or global access moves: one, or the `count` operand of the
/// `…_N` forms.
fn slot_count(instr: Instr) -> u64 {
    match instr.op {
        Opcode::GetLocalN | Opcode::SetLocalN | Opcode::GetGlobalN | Opcode::SetGlobalN => {
            u64::from(instr.imm_u32(1))
        }
        _ => 1,
    }
}

/// Interpreting one instruction on an abstract state.
struct Step<'c, 'a> {
    cx: &'c FnCx<'a>,
    pc: u32,
    st: &'c mut State,
}

impl<'a> Step<'_, 'a> {
    fn err(&self, rule: Rule, message: String) -> VerifyError {
        self.cx.err(Some(self.pc), rule, message)
    }

    fn need(&self, n: usize) -> Result<(), VerifyError> {
        if self.st.stack.len() < n {
            return Err(self.err(
                Rule::StackUnderflow,
                format!(
                    "needs {n} slots on the operand stack, found {}",
                    self.st.stack.len()
                ),
            ));
        }
        Ok(())
    }

    fn pop_any(&mut self) -> Result<Val, VerifyError> {
        self.need(1)?;
        Ok(self.st.stack.pop().unwrap_or(Val::Any))
    }

    /// Pops `n` slots whatever their kinds.
    fn pop_n(&mut self, n: usize) -> Result<(), VerifyError> {
        self.need(n)?;
        let len = self.st.stack.len() - n;
        self.st.stack.truncate(len);
        Ok(())
    }

    /// Pops slots of these kinds (the last one from the top).
    fn pop_kinds(&mut self, kinds: &[SlotKind]) -> Result<(), VerifyError> {
        self.need(kinds.len())?;
        self.cx.charge(kinds.len(), Some(self.pc))?;
        let base = self.st.stack.len() - kinds.len();
        let found = self.st.stack.from(base);
        if !all_fit(&found, kinds) {
            return Err(self.err(
                Rule::StackKind,
                format!(
                    "expects {} on top of the stack, found {}",
                    slot_kinds_text(kinds),
                    kinds_text(&found)
                ),
            ));
        }
        self.st.stack.truncate(base);
        Ok(())
    }

    fn push_vals(&mut self, vals: impl ExactSizeIterator<Item = Val>) -> Result<(), VerifyError> {
        self.cx.charge(vals.len(), Some(self.pc))?;
        if self.st.stack.len() + vals.len() > MAX_STACK_LIMIT {
            return Err(self.err(
                Rule::MaxStack,
                format!("the operand stack would exceed {MAX_STACK_LIMIT} slots"),
            ));
        }
        for v in vals {
            self.st.stack.push(v);
        }
        Ok(())
    }

    fn push_kinds(&mut self, kinds: &[SlotKind]) -> Result<(), VerifyError> {
        self.push_vals(kinds.iter().map(|k| Val::K(*k)))
    }

    /// Checks a `u32` range `start..start + count` against `len` slots.
    fn range(
        &self,
        start: u32,
        count: u64,
        len: usize,
        rule: Rule,
        what: &str,
    ) -> Result<usize, VerifyError> {
        let end = u64::from(start) + count;
        if end > len as u64 {
            return Err(self.err(
                rule,
                format!("{what} slots {start}..{end} are outside the {len} available"),
            ));
        }
        Ok(start as usize)
    }

    /// Entry `index` of a program table whose entries are called `what`s, or a `rule`
    /// error when there is no such entry.
    fn entry<T>(
        &self,
        table: &'a [T],
        index: u32,
        rule: Rule,
        what: &str,
    ) -> Result<&'a T, VerifyError> {
        table.get(index as usize).ok_or_else(|| {
            self.err(
                rule,
                format!("{what} {index} does not exist ({} {what}s)", table.len()),
            )
        })
    }

    /// The kinds of globals `first..first + count`, which must all be in `GLOB`.
    fn global_kinds(&self, first: u32, count: u64) -> Result<Vec<SlotKind>, VerifyError> {
        let globals = &self.cx.p.globals;
        let base = self.range(first, count, globals.len(), Rule::GlobalIndex, "global")?;
        Ok(globals[base..base + count as usize]
            .iter()
            .map(|g| g.kind)
            .collect())
    }

    fn layout(&self, ty: u32, want: Option<LayoutKind>) -> Result<&'a [SlotKind], VerifyError> {
        let p: &'a Program = self.cx.p;
        let Some(l) = p.layouts.get(ty as usize) else {
            return Err(self.err(
                Rule::Heap,
                format!(
                    "heap layout {ty} does not exist ({} layouts)",
                    self.cx.p.layouts.len()
                ),
            ));
        };
        if let Some(want) = want {
            if l.kind != want {
                return Err(self.err(
                    Rule::Heap,
                    format!(
                        "heap layout {ty} is a {:?} layout, expected {want:?}",
                        l.kind
                    ),
                ));
            }
        }
        Ok(&l.slots)
    }

    /// The handle's layout index, from a stack value; `None` for `Any`.
    fn handle_of(&self, v: Val, want: Option<LayoutKind>) -> Result<Option<u32>, VerifyError> {
        match v {
            Val::K(SlotKind::Ref(t)) => {
                self.layout(t, want)?;
                Ok(Some(t))
            }
            Val::Any => Ok(None),
            Val::K(k) => Err(self.err(
                Rule::StackKind,
                format!("expects a handle on the stack, found {k}"),
            )),
        }
    }

    fn pop_handle(&mut self, want: Option<LayoutKind>) -> Result<u32, VerifyError> {
        let v = self.pop_any()?;
        self.handle_of(v, want)?.ok_or_else(|| {
            self.err(
                Rule::StackKind,
                "the handle's layout is unknown (a system call result)".into(),
            )
        })
    }

    fn local(&self, slot: usize) -> Result<Val, VerifyError> {
        match self.st.locals.get(slot) {
            Local::K(k) => Ok(Val::K(k)),
            Local::Any => Ok(Val::Any),
            Local::Uninit => Err(self.err(
                Rule::LocalUninit,
                format!("local {slot} is read before it is written on some path"),
            )),
            Local::Conflict => Err(self.err(
                Rule::LocalUninit,
                format!("local {slot} holds different kinds on different paths"),
            )),
        }
    }

    /// Element kinds of an indexed access over `total` slots whose kinds `slot` gives:
    /// `stride` kinds shared by all `len` elements.
    fn elements(
        &self,
        (base, len, stride): (u32, u32, u32),
        total: usize,
        what: &str,
        slot: impl Fn(usize) -> Result<Val, VerifyError>,
    ) -> Result<Vec<Val>, VerifyError> {
        if len == 0 {
            return Err(self.err(Rule::ArrayIndex, "an indexed access needs len >= 1".into()));
        }
        let count = u64::from(len) * u64::from(stride);
        let base = self.range(base, count, total, Rule::ArrayIndex, what)?;
        if stride == 0 {
            // Zero-slot elements (empty structs): nothing to load or compare.
            return Ok(Vec::new());
        }
        self.cx.charge(count as usize, Some(self.pc))?;
        let stride = stride as usize;
        let first = (base..base + stride)
            .map(&slot)
            .collect::<Result<Vec<_>, _>>()?;
        for i in 1..len as usize {
            let elem = (base + i * stride..base + (i + 1) * stride)
                .map(&slot)
                .collect::<Result<Vec<_>, _>>()?;
            // Without a system-call table a result is `any`: it fits every kind.
            let same = elem
                .iter()
                .zip(&first)
                .all(|(a, b)| a == b || matches!((a, b), (Val::Any, _) | (_, Val::Any)));
            if !same {
                return Err(self.err(
                    Rule::ArrayIndex,
                    format!(
                        "{what} element {i} has kinds {}, element 0 has {}",
                        kinds_text(&elem),
                        kinds_text(&first)
                    ),
                ));
            }
        }
        Ok(first)
    }

    /// Applies the instruction; returns the handle layout it used, if any.
    fn run(mut self, instr: Instr) -> Result<Option<TypeIndex>, VerifyError> {
        let p = self.cx.p;
        let a = instr.imm_u32(0);
        let b = instr.imm_u32(1);
        let c = instr.imm_u32(2);
        if let StackEffect::Fixed { pops, pushes } = instr.op.stack_effect() {
            match instr.op {
                Opcode::PushBool if a > 1 => {
                    return Err(self.err(
                        Rule::Immediate,
                        format!("PUSH_BOOL value {a} is not 0 or 1"),
                    ));
                }
                Opcode::PushBounded if a > u32::from(u16::MAX) => {
                    return Err(self.err(
                        Rule::Immediate,
                        format!("PUSH_BOUNDED value {a} is above 65535"),
                    ));
                }
                Opcode::Trap if TrapCode::from_code(a).is_none() => {
                    return Err(self.err(
                        Rule::Immediate,
                        format!("TRAP code {a} is not a known trap"),
                    ));
                }
                _ => {}
            }
            self.pop_kinds(pops)?;
            self.push_kinds(pushes)?;
            return Ok(None);
        }
        match instr.op {
            Opcode::PushConst => {
                let k = self.entry(&p.constants, a, Rule::ConstIndex, "constant")?;
                self.push_kinds(&[k.kind()])?;
            }
            Opcode::Pop => {
                self.pop_any()?;
            }
            Opcode::PopN => self.pop_n(a as usize)?,
            Opcode::Dup => {
                let v = self.pop_any()?;
                self.push_vals([v, v].into_iter())?;
            }
            Opcode::DupN => {
                self.need(a as usize)?;
                let top = self.st.stack.from(self.st.stack.len() - a as usize);
                self.push_vals(top.into_iter())?;
            }
            Opcode::Swap => {
                let x = self.pop_any()?;
                let y = self.pop_any()?;
                self.push_vals([x, y].into_iter())?;
            }
            Opcode::PushNull => {
                self.layout(a, None)?;
                self.push_kinds(&[SlotKind::Ref(a)])?;
            }
            Opcode::Call => {
                let f = self.entry(&p.functions, a, Rule::FunctionIndex, "function")?;
                self.pop_kinds(&f.params)?;
                self.push_kinds(&f.returns)?;
            }
            Opcode::Ret => {
                let want = &self.cx.func.returns;
                let found = self.st.stack.to_vec();
                if found.len() != want.len() || !all_fit(&found, want) {
                    return Err(self.err(
                        Rule::Return,
                        format!(
                            "returns {} but the stack holds {}",
                            slot_kinds_text(want),
                            kinds_text(&found)
                        ),
                    ));
                }
                self.st.stack.truncate(0);
            }
            Opcode::GetLocal | Opcode::GetLocalN => {
                let count = slot_count(instr);
                let base = self.range(a, count, self.cx.locals, Rule::LocalIndex, "local")?;
                let vals = (base..base + count as usize)
                    .map(|s| self.local(s))
                    .collect::<Result<Vec<_>, _>>()?;
                self.push_vals(vals.into_iter())?;
            }
            Opcode::SetLocal | Opcode::SetLocalN => {
                let count = slot_count(instr);
                let base = self.range(a, count, self.cx.locals, Rule::LocalIndex, "local")?;
                let count = count as usize;
                self.need(count)?;
                let from = self.st.stack.len() - count;
                let mut copied = 0;
                let stored = self.st.stack.from(from);
                self.st.stack.truncate(from);
                for (i, v) in stored.into_iter().enumerate() {
                    copied += self.st.locals.set(base + i, v.into());
                }
                self.cx.charge(copied, Some(self.pc))?;
            }
            Opcode::GetGlobal | Opcode::GetGlobalN => {
                let kinds = self.global_kinds(a, slot_count(instr))?;
                self.push_kinds(&kinds)?;
            }
            Opcode::SetGlobal | Opcode::SetGlobalN => {
                let kinds = self.global_kinds(a, slot_count(instr))?;
                self.pop_kinds(&kinds)?;
            }
            Opcode::GetLocalIdx | Opcode::SetLocalIdx => {
                let elem = self.elements((a, b, c), self.cx.locals, "local", |i| self.local(i))?;
                self.index_access(instr.op == Opcode::GetLocalIdx, &elem)?;
            }
            Opcode::GetGlobalIdx | Opcode::SetGlobalIdx => {
                let elem = self.elements((a, b, c), p.globals.len(), "global", |i| {
                    Ok(Val::K(p.globals[i].kind))
                })?;
                self.index_access(instr.op == Opcode::GetGlobalIdx, &elem)?;
            }
            Opcode::Alloc => {
                let slots = self.layout(a, Some(LayoutKind::Ref))?;
                self.pop_kinds(slots)?;
                self.push_kinds(&[SlotKind::Ref(a)])?;
            }
            Opcode::ListNew => {
                self.layout(a, Some(LayoutKind::List))?;
                self.push_kinds(&[SlotKind::Ref(a)])?;
            }
            Opcode::Peek | Opcode::Take => {
                let t = self.pop_handle(Some(LayoutKind::Ref))?;
                let slots = self.layout(t, None)?;
                self.push_kinds(slots)?;
                return Ok(Some(t));
            }
            Opcode::BorrowBegin | Opcode::MutateBegin => {
                let t = self.pop_handle(None)?;
                self.push_kinds(&[SlotKind::Ref(t)])?;
                return Ok(Some(t));
            }
            Opcode::BorrowEnd | Opcode::MutateEnd => {
                return Ok(Some(self.pop_handle(None)?));
            }
            Opcode::GateLoad => {
                let t = self.pop_handle(Some(LayoutKind::Ref))?;
                let slots = self.layout(t, None)?;
                let off = self.range(a, b.into(), slots.len(), Rule::Heap, "heap")?;
                self.push_kinds(&slots[off..off + b as usize])?;
                return Ok(Some(t));
            }
            Opcode::GateStore => {
                let count = b as usize;
                self.need(count + 1)?;
                let h = self.st.stack.get(self.st.stack.len() - 1 - count);
                let t = self.handle_of(h, Some(LayoutKind::Ref))?.ok_or_else(|| {
                    self.err(Rule::StackKind, "the handle's layout is unknown".into())
                })?;
                let slots = self.layout(t, None)?;
                let off = self.range(a, b.into(), slots.len(), Rule::Heap, "heap")?;
                self.pop_kinds(&slots[off..off + count])?;
                self.pop_any()?;
                return Ok(Some(t));
            }
            Opcode::StrConcatN => self.concat_n(a)?,
            Opcode::RefEq | Opcode::RefNe => {
                let x = self.pop_handle(None)?;
                let y = self.pop_handle(None)?;
                if x != y {
                    return Err(self.err(
                        Rule::StackKind,
                        format!("compares handles of different layouts ref{y} and ref{x}"),
                    ));
                }
                self.push_kinds(&[SlotKind::Bool])?;
                return Ok(Some(x));
            }
            Opcode::ListLen | Opcode::ListClear => {
                let t = self.pop_handle(Some(LayoutKind::List))?;
                if instr.op == Opcode::ListLen {
                    self.push_kinds(&[SlotKind::I32])?;
                }
                return Ok(Some(t));
            }
            Opcode::ListPop => {
                let t = self.pop_handle(Some(LayoutKind::List))?;
                self.push_kinds(&[SlotKind::Bool])?;
                let slots = self.layout(t, None)?;
                self.push_kinds(slots)?;
                return Ok(Some(t));
            }
            Opcode::ListGet | Opcode::ListRemove => {
                self.pop_kinds(&[SlotKind::I32])?;
                let t = self.pop_handle(Some(LayoutKind::List))?;
                let slots = self.layout(t, None)?;
                self.push_kinds(slots)?;
                return Ok(Some(t));
            }
            Opcode::ListPush | Opcode::ListSet | Opcode::ListInsert => {
                let between: &[SlotKind] = if instr.op == Opcode::ListPush {
                    &[]
                } else {
                    &[SlotKind::I32]
                };
                // The layout is an immediate: the handle under the element cannot be
                // told from a list-typed slot of the element itself.
                let slots = self.layout(a, Some(LayoutKind::List))?;
                self.pop_kinds(slots)?;
                self.pop_kinds(between)?;
                let t = self.pop_handle(Some(LayoutKind::List))?;
                if t != a {
                    return Err(self.err(
                        Rule::Heap,
                        format!("names list layout {a}, but the handle has layout {t}"),
                    ));
                }
                return Ok(Some(t));
            }
            Opcode::Syscall => {
                let Some(entry) = self.cx.listed.get(&a) else {
                    return Err(self.err(
                        Rule::Syscall,
                        format!("system call 0x{a:04X} is not listed in SYSC"),
                    ));
                };
                match self.cx.syscalls {
                    Some(table) => {
                        let Some((args, rets)) = table.signature(a) else {
                            return Err(self.err(
                                Rule::Syscall,
                                format!("the console has no system call 0x{a:04X}"),
                            ));
                        };
                        self.pop_kinds(args)?;
                        self.push_kinds(rets)?;
                    }
                    None => {
                        self.pop_n(entry.arg_slots.into())?;
                        self.push_vals(std::iter::repeat_n(Val::Any, entry.ret_slots.into()))?;
                    }
                }
            }
            op => {
                return Err(self.err(
                    Rule::Decode,
                    format!("{op} has no verifier rule (a bug in the opcode table)"),
                ));
            }
        }
        Ok(None)
    }

    /// `GET_*_IDX` (pop index, push element) or `SET_*_IDX` (pop element, pop index).
    /// `STR_CONCAT_N n`: `n` strings become one.
    fn concat_n(&mut self, n: u32) -> Result<(), VerifyError> {
        if !(2..=MAX_STACK_LIMIT as u32).contains(&n) {
            return Err(self.err(
                Rule::Immediate,
                format!("STR_CONCAT_N count {n} is outside 2..={MAX_STACK_LIMIT}"),
            ));
        }
        let n = n as usize;
        self.need(n)?;
        self.cx.charge(n, Some(self.pc))?;
        let base = self.st.stack.len() - n;
        let operands = self.st.stack.from(base);
        if let Some(&v) = operands.iter().find(|v| !fits(**v, SlotKind::Str)) {
            return Err(self.err(
                Rule::StackKind,
                format!(
                    "STR_CONCAT_N {n} expects {n} strings on top of the stack, found {}",
                    val_name(v)
                ),
            ));
        }
        self.st.stack.truncate(base);
        self.push_kinds(&[SlotKind::Str])
    }

    fn index_access(&mut self, get: bool, elem: &[Val]) -> Result<(), VerifyError> {
        if get {
            self.pop_kinds(&[SlotKind::I32])?;
            self.push_vals(elem.iter().copied())
        } else {
            let kinds: Vec<SlotKind> = elem
                .iter()
                .map(|v| match v {
                    Val::K(k) => *k,
                    Val::Any => SlotKind::I32,
                })
                .collect();
            if elem.contains(&Val::Any) {
                // Lenient mode only: pop by count.
                self.pop_n(elem.len())?;
            } else {
                self.pop_kinds(&kinds)?;
            }
            self.pop_kinds(&[SlotKind::I32])
        }
    }
}
