//! Loading: pre-decodes a [`VerifiedProgram`] into the compact form the interpreter
//! runs.
//!
//! Every function's bytes become [`Op`]s (jump targets resolved, constants turned into
//! literal pushes, every cycle cost that does not depend on run-time data folded into
//! the op); `translate` then turns them into register forms, and the functions go into
//! one vector back to back.
//!
//! **Architecture invariant: the verifier is the one source of truth.** What it proved
//! (each function's operand-stack depth, the heap layout of the handle under every
//! `PEEK`/`TAKE`/`LIST_*`, that `TRAP` codes are in the table) is read from
//! [`VerifiedProgram`], never re-inferred here. The index checks below (locals,
//! globals, functions, layouts, system calls) cost one comparison each and turn a
//! verifier bug into a [`LoadError`] instead of an interpreter panic; the only error a
//! correct verifier lets through is a resource limit (a frame larger than the value
//! stack).

use prometeu_bytecode::{
    Constant, CostGrowth, GlobalInit, ImmValue, Instr, LayoutKind, Opcode, Program, SlotKind,
    SyscallRef, TrapCode, UNREACHED, VerifiedFunction, VerifiedProgram,
};

use crate::translate::{Source, translate};
use crate::value::Slot;

/// One pre-decoded instruction. Immediates are already validated and resolved.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Op {
    Nop,
    Halt,
    Jmp(u32),
    JmpIfFalse(u32),
    JmpIfTrue(u32),
    Break,
    Trap(TrapCode),
    PushI32(i32),
    PushF64(f64),
    PushBool(bool),
    PushBounded(u16),
    PushStr(u32),
    PushNull,
    Pop,
    PopN(u32),
    Dup,
    DupN(u32),
    Swap,
    IAdd,
    ISub,
    IMul,
    IDiv,
    IRem,
    INeg,
    IAnd,
    IOr,
    IXor,
    IShl,
    IShr,
    FAdd,
    FSub,
    FMul,
    FDiv,
    FRem,
    FNeg,
    BAdd,
    BSub,
    BMul,
    BDiv,
    BRem,
    BAnd,
    BOr,
    BXor,
    BShl,
    BShr,
    IEq,
    INe,
    ILt,
    ILe,
    IGt,
    IGe,
    FEq,
    FNe,
    FLt,
    FLe,
    FGt,
    FGe,
    BoolEq,
    BoolNe,
    Not,
    BEq,
    BNe,
    BLt,
    BLe,
    BGt,
    BGe,
    SEq,
    SNe,
    SLt,
    SLe,
    SGt,
    SGe,
    Call(u32),
    Ret,
    GetLocal(u32),
    SetLocal(u32),
    GetGlobal(u32),
    SetGlobal(u32),
    GetLocalN(u32, u32),
    SetLocalN(u32, u32),
    GetGlobalN(u32, u32),
    SetGlobalN(u32, u32),
    GetLocalIdx(u32, u32, u32),
    SetLocalIdx(u32, u32, u32),
    GetGlobalIdx(u32, u32, u32),
    SetGlobalIdx(u32, u32, u32),
    /// Layout index.
    Alloc(u32),
    /// Value slot count.
    Peek(u32),
    /// Value slot count.
    Take(u32),
    BorrowBegin,
    BorrowEnd,
    MutateBegin,
    MutateEnd,
    GateLoad(u32, u32),
    GateStore(u32, u32),
    RefEq,
    RefNe,
    StrConcat,
    /// Operand count (2 or more, checked by the verifier).
    StrConcatN(u32),
    StrLen,
    /// Index into [`Code::syscalls`].
    Syscall(u32),
    FrameSync,
    I2F,
    F2I,
    I2B,
    F2B,
    B2I,
    B2F,
    I2S,
    F2S,
    B2S,
    Bool2S,
    /// Layout index.
    ListNew(u32),
    ListLen,
    /// Element slot count (also for the list ops below).
    ListPush(u32),
    ListPop(u32),
    ListGet(u32),
    ListSet(u32),
    ListInsert(u32),
    ListRemove(u32),
    ListClear,
    // ---- register forms (see `translate`): operands are frame slots ----
    /// `dst = src`.
    Mov(Reg, Reg),
    /// `dst = v`.
    MovI32(Reg, i32),
    /// `dst = v`.
    MovF64(Reg, f64),
    /// `dst = v`.
    MovBool(Reg, bool),
    /// Copies `n` slots: `(dst, src, n)` (the ranges may overlap).
    MovN(Reg, Reg, Reg),
    /// `dst = a <op> b` on ints.
    IBin(IntOp, Reg, Reg, Reg),
    /// `dst = a <op> v` on ints.
    IBinK(IntOp, Reg, Reg, i32),
    /// `dst = a <op> b` on floats.
    FBin(FloatOp, Reg, Reg, Reg),
    /// `dst = a <op> v` on floats.
    FBinK(FloatOp, Reg, Reg, f64),
    /// Two int operations in one: `(outer, inner, inner_left, dst, other, y, z)` is
    /// `dst = other <outer> (y <inner> z)`, or `(y <inner> z) <outer> other` when
    /// `inner_left`. Neither operation traps.
    IBin2(IntOp, IntOp, bool, Reg, Reg, Reg, Reg),
    /// Two float operations in one, as [`Op::IBin2`].
    FBin2(FloatOp, FloatOp, bool, Reg, Reg, Reg, Reg),
    /// `dst = -a` (int).
    INegR(Reg, Reg),
    /// `dst = -a` (float).
    FNegR(Reg, Reg),
    /// `dst = !a`.
    NotR(Reg, Reg),
    /// `dst = list.len()`.
    ListLenR(Reg, Reg),
    /// `dst = list[index]` for one-slot elements: `(dst, list, index)`.
    ListGetR(Reg, Reg, Reg),
    /// Jump when the bool `list[index]` equals the flag: `(flag, list, index,
    /// branch cost, target)`. Its cost includes the branch's, which a trap in the read
    /// gives back.
    ListGetBr(bool, Reg, Reg, u16, u32),
    /// `list[index] = value` for one-slot elements: `(list, index, value)`.
    ListSetR(Reg, Reg, Reg),
    /// `list.push(value)` for one-slot elements: `(list, value)`. When the list must
    /// grow, the operands are written to their stack slots (the two below `sp`) and
    /// the stack form takes over.
    ListPushR(Reg, Reg),
    /// Copies the first `count` slots of element `index` of the local array at `base`
    /// (`len` elements of `stride` slots) to the slots at `dst`: `(dst, base, stride,
    /// count, index, len)`.
    GetIdxR(Reg, Reg, Reg, Reg, Reg, u32),
    /// Copies the `stride` locals at `src` to element `index` of the local array at
    /// `base`: `(base, stride, index, src, len)`.
    SetIdxR(Reg, Reg, Reg, Reg, u32),
    /// `x += k`, then jump when `x <cmp> b` equals the flag (a loop's step and test):
    /// `(cmp, flag, x, k, b, target)`.
    StepBrI(Cmp, bool, Reg, i32, Reg, u32),
    /// `x += k`, then jump when `x <cmp> v` equals the flag: `(cmp, flag, x, k, v,
    /// target)`.
    StepBrIK(Cmp, bool, Reg, i16, i32, u32),
    /// Copies `n` constants from [`Code::consts`]`[start..]` to the frame slots at
    /// `dst` (a function's prologue): `(dst, start, n)`.
    LoadConsts(Reg, u32, u32),
    /// `x += k` with `k` in a slot, then jump when `x <cmp> b` equals the flag:
    /// `(cmp, flag, x, k, b, target)`.
    StepBrR(Cmp, bool, Reg, Reg, Reg, u32),
    /// `RET` of a function returning one slot, the value in the slot.
    RetR(Reg),
    /// Jump to the target when the bool in the slot equals the flag.
    JmpIf(bool, Reg, u32),
    /// Jump when `a <cmp> b` (ints) equals the flag.
    BrI(Cmp, bool, Reg, Reg, u32),
    /// Jump when `a <cmp> v` (int constant) equals the flag.
    BrIK(Cmp, bool, Reg, i32, u32),
    /// Jump when `a <cmp> b` (floats) equals the flag.
    BrF(Cmp, bool, Reg, Reg, u32),
    /// Jump when `a <cmp> v` equals the flag; `v` is [`Code::floats`]`[k]` (an inline
    /// `f64` would make every op larger).
    BrFK(Cmp, bool, Reg, u32, u32),
}

impl Op {
    /// The jump target, if the op jumps (the one table of them).
    pub(crate) fn target_mut(&mut self) -> Option<&mut u32> {
        match self {
            Op::Jmp(t)
            | Op::JmpIfFalse(t)
            | Op::JmpIfTrue(t)
            | Op::JmpIf(_, _, t)
            | Op::BrI(_, _, _, _, t)
            | Op::BrIK(_, _, _, _, t)
            | Op::BrF(_, _, _, _, t)
            | Op::BrFK(_, _, _, _, t)
            | Op::StepBrI(_, _, _, _, _, t)
            | Op::StepBrIK(_, _, _, _, _, t)
            | Op::StepBrR(_, _, _, _, _, t)
            | Op::ListGetBr(_, _, _, _, t) => Some(t),
            _ => None,
        }
    }

    /// The one frame slot a register form writes, if it writes exactly one.
    pub(crate) fn written_slot_mut(&mut self) -> Option<&mut Reg> {
        match self {
            Op::Mov(d, _)
            | Op::MovI32(d, _)
            | Op::MovF64(d, _)
            | Op::MovBool(d, _)
            | Op::IBin(_, d, _, _)
            | Op::IBinK(_, d, _, _)
            | Op::FBin(_, d, _, _)
            | Op::FBinK(_, d, _, _)
            | Op::INegR(d, _)
            | Op::FNegR(d, _)
            | Op::NotR(d, _)
            | Op::ListLenR(d, _)
            | Op::ListGetR(d, _, _)
            | Op::IBin2(_, _, _, d, _, _, _)
            | Op::FBin2(_, _, _, d, _, _, _) => Some(d),
            _ => None,
        }
    }

    /// Whether the interpreter's fast loop runs this op (register forms, jumps,
    /// calls and returns).
    pub(crate) fn runs_in_fast_loop(self) -> bool {
        matches!(
            self,
            fast_loop_only!()
                | Op::Jmp(_)
                | Op::Call(_)
                | Op::Ret
                | Op::RetR(_)
                | Op::GetIdxR(..)
                | Op::SetIdxR(..)
                | Op::ListLenR(..)
                | Op::ListGetR(..)
                | Op::ListGetBr(..)
                | Op::ListSetR(..)
                | Op::ListPushR(..)
                | Op::IBin(..)
                | Op::IBinK(..)
        )
    }
}

/// The pattern of the register forms that the fast loop always runs whole: they
/// never trap and never take a slow path, so the outer loop never sees them. The one
/// list of them, for [`Op::runs_in_fast_loop`] and the outer loop's match.
macro_rules! fast_loop_only {
    () => {
        Op::Mov(..)
            | Op::MovI32(..)
            | Op::MovF64(..)
            | Op::MovBool(..)
            | Op::MovN(..)
            | Op::LoadConsts(..)
            | Op::FBin(..)
            | Op::FBinK(..)
            | Op::IBin2(..)
            | Op::FBin2(..)
            | Op::INegR(..)
            | Op::FNegR(..)
            | Op::NotR(..)
            | Op::JmpIf(..)
            | Op::BrI(..)
            | Op::BrIK(..)
            | Op::BrF(..)
            | Op::BrFK(..)
            | Op::StepBrI(..)
            | Op::StepBrIK(..)
            | Op::StepBrR(..)
    };
}
pub(crate) use fast_loop_only;

/// A frame slot of a register-form op: an index from the frame base (parameters,
/// locals, then the operand stack). The loader keeps every frame below 65,535 slots.
pub(crate) type Reg = u16;

/// The int operation of a register-form op.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IntOp {
    Add,
    Sub,
    Mul,
    /// Traps on a zero divisor.
    Div,
    /// Traps on a zero divisor.
    Rem,
    And,
    Or,
    Xor,
    Shl,
    Shr,
}

/// The float operation of a register-form op.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FloatOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// The comparison of a compare-and-branch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// `a <cmp> b`.
    #[inline(always)]
    pub(crate) fn eval<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }

    /// The comparison with its operands swapped: `a < b` is `b > a`.
    pub(crate) fn mirrored(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Eq,
            Cmp::Ne => Cmp::Ne,
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
        }
    }
}

/// An op with its static cycle cost (base plus every growth known at load time).
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) struct Decoded {
    pub op: Op,
    pub cost: u32,
    /// The operand stack top when the op starts, as a frame slot (`sp - base`): ops
    /// that work on the stack itself start from it, and a collector running while the
    /// program is suspended before the op scans the frame up to it.
    pub sp: Reg,
    /// The instruction it came from (trap reports name it).
    pub opcode: Opcode,
}

/// What the interpreter needs to know about one function.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct FuncInfo {
    /// Index of the first op.
    pub entry: u32,
    pub params: u32,
    pub locals: u32,
    pub returns: u32,
    /// Operand stack depth proven by the verifier.
    pub max_stack: u32,
    /// The function's index in the program: the call counter a call of it bumps.
    pub index: u32,
}

/// What the collector and the list instructions need to know about a heap layout.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct LayoutInfo {
    pub kind: LayoutKind,
    /// Slots of one value (one element for lists).
    pub slots: u32,
    /// Bytes charged per list element (`machine.md` §7 packed sizes).
    pub packed_size: u32,
    /// Whether any slot holds a handle or string (else the collector never scans it).
    pub traced: bool,
}

/// A pre-decoded program, shared read-only by the interpreter.
#[derive(Clone, Debug)]
pub(crate) struct Code {
    pub ops: Vec<Decoded>,
    /// Absolute byte offset in `CODE` of each op (for traps and the debug map).
    pub pcs: Vec<u32>,
    /// Function index of each op.
    pub op_func: Vec<u32>,
    pub funcs: Vec<FuncInfo>,
    /// Constant strings: 0 is `""`, 1 `"false"`, 2 `"true"`, then the pool's strings.
    pub strings: Vec<Box<str>>,
    pub layouts: Vec<LayoutInfo>,
    pub syscalls: Vec<SyscallRef>,
    pub globals: Vec<Slot>,
    pub exports: Vec<(String, u32)>,
    /// Float constants of register-form ops.
    pub floats: Vec<f64>,
    /// Constants that functions load into frame slots on entry ([`Op::LoadConsts`]).
    pub consts: Vec<Slot>,
}

/// Why a verified program could not be loaded: a frame that does not fit the value
/// stack, or (a verifier bug) a fact the verifier should have provided is missing.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LoadError {
    /// The function at fault, when the error is inside one.
    pub func: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.func {
            Some(func) => write!(f, "function {func}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// The packed byte size of one slot kind in a list element (`machine.md` §7).
pub(crate) fn packed_size(kind: SlotKind) -> u32 {
    match kind {
        SlotKind::Bool => 1,
        SlotKind::U16 => 2,
        SlotKind::I32 => 4,
        SlotKind::F64 | SlotKind::Str | SlotKind::Ref(_) => 8,
    }
}

/// Decodes `verified` into [`Code`], taking stack depths and handle layouts from the
/// verifier's facts.
pub(crate) fn load(verified: &VerifiedProgram, register_forms: bool) -> Result<Code, LoadError> {
    let program = verified.program();
    let err = |func: Option<u32>, message: String| LoadError { func, message };
    if program.functions.len() > u32::MAX as usize / 2 {
        return Err(err(None, "too many functions".into()));
    }
    let mut strings: Vec<Box<str>> = vec!["".into(), "false".into(), "true".into()];
    let mut const_str = vec![0u32; program.constants.len()];
    for (i, c) in program.constants.iter().enumerate() {
        if let Constant::Str(s) = c {
            const_str[i] = strings.len() as u32;
            strings.push(s.as_str().into());
        }
    }
    let layouts = program
        .layouts
        .iter()
        .map(|l| LayoutInfo {
            kind: l.kind,
            slots: l.slots.len() as u32,
            packed_size: l.slots.iter().map(|k| packed_size(*k)).sum(),
            traced: l.slots.iter().any(|k| k.is_traced()),
        })
        .collect::<Vec<_>>();
    let globals = program
        .globals
        .iter()
        .map(|g| match (g.init, g.kind) {
            (GlobalInit::I32(v), _) => Slot::int(v),
            (GlobalInit::F64(v), _) => Slot::float(v),
            (GlobalInit::U16(v), _) => Slot::bounded(v),
            (GlobalInit::Bool(v), _) => Slot::bool(v),
            (GlobalInit::Empty, SlotKind::Str) => Slot::static_str(0),
            (GlobalInit::Empty, SlotKind::Ref(_)) => Slot::NULL,
            (GlobalInit::Empty, SlotKind::F64) => Slot::float(0.0),
            (GlobalInit::Empty, SlotKind::U16) => Slot::bounded(0),
            (GlobalInit::Empty, SlotKind::Bool) => Slot::bool(false),
            (GlobalInit::Empty, SlotKind::I32) => Slot::int(0),
        })
        .collect::<Vec<_>>();
    let mut code = Code {
        ops: Vec::new(),
        pcs: Vec::new(),
        op_func: Vec::new(),
        funcs: Vec::new(),
        strings,
        layouts,
        syscalls: program.syscalls.clone(),
        globals,
        exports: Vec::new(),
        floats: Vec::new(),
        consts: Vec::new(),
    };
    for e in &program.exports {
        if e.func as usize >= program.functions.len() {
            return Err(err(None, format!("export `{}` names no function", e.name)));
        }
        code.exports.push((e.name.clone(), e.func));
    }
    // Every function is decoded before any is translated: calls name functions by
    // index, and their entries are known only once all are in place.
    let mut decoded_fns = Vec::with_capacity(program.functions.len());
    for (fi, f) in program.functions.iter().enumerate() {
        let fe = |m: String| err(Some(fi as u32), m);
        let bytes = program
            .function_code(fi as u32)
            .ok_or_else(|| fe("code range outside CODE".into()))?;
        let instrs = Instr::decode_all(bytes).map_err(|e| fe(e.to_string()))?;
        let frame = f.params.len() + f.local_slots as usize;
        if frame > crate::vm::STACK_LIMIT {
            return Err(fe("frame larger than the value stack".into()));
        }
        code.funcs.push(FuncInfo {
            entry: 0,
            params: f.params.len() as u32,
            locals: f.local_slots as u32,
            returns: f.returns.len() as u32,
            max_stack: 0,
            index: fi as u32,
        });
        decoded_fns.push(instrs);
    }
    for (fi, instrs) in decoded_fns.into_iter().enumerate() {
        let fe = |m: String| err(Some(fi as u32), m);
        let offsets: Vec<u32> = instrs.iter().map(|(o, _)| *o).collect();
        let base_offset = program.functions[fi].code_offset;
        let frame = code.funcs[fi].params as u64 + code.funcs[fi].locals as u64;
        let mut targets = vec![0usize; instrs.len()];
        for (i, (_, instr)) in instrs.iter().enumerate() {
            if instr.op.is_jump() {
                let t = instr.imm_u32(0);
                targets[i] = offsets
                    .binary_search(&t)
                    .map_err(|_| fe(format!("jump to {t} is not an instruction start")))?;
            }
        }
        let facts = verified
            .functions()
            .get(fi)
            .ok_or_else(|| fe("no verifier facts for this function".into()))?;
        let max_stack = u32::from(facts.max_stack);
        code.funcs[fi].max_stack = max_stack;
        if frame + max_stack as u64 > crate::vm::STACK_LIMIT as u64 {
            return Err(fe("frame and operand stack exceed the value stack".into()));
        }
        // Register-form ops name frame slots with a `Reg`; one below its range is left
        // free so `frame + depth` always fits.
        if frame + max_stack as u64 >= Reg::MAX as u64 {
            return Err(fe(format!(
                "frame and operand stack exceed {} slots",
                Reg::MAX - 1
            )));
        }
        if facts.stack_depths.len() != instrs.len() {
            return Err(fe("the verifier recorded no stack depths".into()));
        }
        let reachable = reachable(&instrs, &targets);
        let mut ops = Vec::with_capacity(instrs.len());
        for (i, (offset, instr)) in instrs.iter().enumerate() {
            // Unreachable code is neither verified nor run: it need not be valid.
            if !reachable[i] {
                ops.push(Decoded {
                    op: Op::Trap(TrapCode::Explicit),
                    cost: instr.op.cycles(),
                    sp: 0,
                    opcode: instr.op,
                });
                continue;
            }
            if facts.stack_depths[i] == UNREACHED {
                return Err(fe(format!(
                    "at {offset}: the verifier recorded no stack depth"
                )));
            }
            let op = handle_value_slots(program, facts, *offset, instr.op)
                .and_then(|slots| {
                    decode_op(
                        program,
                        &code,
                        &const_str,
                        frame,
                        instr,
                        targets[i] as u32,
                        slots,
                    )
                })
                .map_err(|m| fe(format!("at {offset}: {m}")))?;
            let cost = static_cost(instr.op, &op, &code);
            ops.push(Decoded {
                op,
                cost,
                sp: 0,
                opcode: instr.op,
            });
        }
        let translated = translate(
            &Source {
                ops: &ops,
                reachable: &reachable,
                depths: &facts.stack_depths,
                frame: frame as Reg,
                max_stack: max_stack as Reg,
                returns: code.funcs[fi].returns,
                register_forms,
            },
            &mut code.floats,
            &mut code.consts,
        );
        // The constants sit above the operand stack: the call's overflow check counts
        // them with it.
        code.funcs[fi].max_stack += translated.const_slots;
        let entry = code.ops.len();
        if entry + translated.ops.len() > u32::MAX as usize / 2 {
            return Err(fe("program too large".into()));
        }
        code.funcs[fi].entry = entry as u32;
        for (mut d, origin) in translated.ops.into_iter().zip(translated.origin) {
            d.op = relocate(d.op, entry as u32);
            code.ops.push(d);
            code.pcs.push(base_offset + offsets[origin]);
            code.op_func.push(fi as u32);
        }
    }
    Ok(code)
}

/// `op` with a function-relative jump target made absolute.
fn relocate(mut op: Op, entry: u32) -> Op {
    if let Some(t) = op.target_mut() {
        *t += entry;
    }
    op
}

/// Which instructions control can reach from the function's entry.
fn reachable(instrs: &[(u32, Instr)], targets: &[usize]) -> Vec<bool> {
    let mut seen = vec![false; instrs.len()];
    let mut work = vec![0usize];
    while let Some(i) = work.pop() {
        if i >= instrs.len() || seen[i] {
            continue;
        }
        seen[i] = true;
        let op = instrs[i].1.op;
        if op.is_jump() {
            work.push(targets[i]);
        }
        if !op.ends_block() {
            work.push(i + 1);
        }
    }
    seen
}

/// The value or element slot count of a reachable heap instruction whose stack effect
/// depends on its handle's layout (`PEEK`, `TAKE`, `LIST_*` but `LIST_NEW`, `LIST_LEN`,
/// `LIST_CLEAR`), from the layout the verifier recorded at `offset`; 0 for every other
/// instruction. `LIST_PUSH`, `LIST_SET` and `LIST_INSERT` cannot find their handle
/// without it: it sits under the element's slots.
fn handle_value_slots(
    program: &Program,
    facts: &VerifiedFunction,
    offset: u32,
    op: Opcode,
) -> Result<u32, String> {
    let needs_layout = matches!(
        op,
        Opcode::Peek
            | Opcode::Take
            | Opcode::ListPush
            | Opcode::ListPop
            | Opcode::ListGet
            | Opcode::ListSet
            | Opcode::ListInsert
            | Opcode::ListRemove
    );
    if !needs_layout {
        return Ok(0);
    }
    let t = facts
        .handle_layout(offset)
        .ok_or("the verifier recorded no handle layout")?;
    let layout = program
        .layouts
        .get(t as usize)
        .ok_or_else(|| format!("handle layout {t} does not exist"))?;
    Ok(layout.slots.len() as u32)
}

/// The base cost plus the per-slot growth, which the decoded op always knows.
fn static_cost(opcode: Opcode, op: &Op, code: &Code) -> u32 {
    let slots = match (opcode.cost_growth(), *op) {
        (CostGrowth::PerSlot, Op::DupN(n)) => n,
        (
            CostGrowth::PerSlot,
            Op::GetLocalN(_, n)
            | Op::SetLocalN(_, n)
            | Op::GetGlobalN(_, n)
            | Op::SetGlobalN(_, n)
            | Op::GateLoad(_, n)
            | Op::GateStore(_, n),
        ) => n,
        (
            CostGrowth::PerSlot,
            Op::GetLocalIdx(_, _, n)
            | Op::SetLocalIdx(_, _, n)
            | Op::GetGlobalIdx(_, _, n)
            | Op::SetGlobalIdx(_, _, n),
        ) => n,
        (CostGrowth::PerSlot, Op::Alloc(ty)) => code.layouts[ty as usize].slots,
        (
            CostGrowth::PerSlot,
            Op::Peek(n)
            | Op::Take(n)
            | Op::ListPush(n)
            | Op::ListPop(n)
            | Op::ListGet(n)
            | Op::ListSet(n)
            | Op::ListInsert(n)
            | Op::ListRemove(n),
        ) => n,
        _ => 0,
    };
    opcode.cycles().saturating_add(slots)
}

fn decode_op(
    program: &Program,
    code: &Code,
    const_str: &[u32],
    frame: u64,
    instr: &Instr,
    target: u32,
    op_slots: u32,
) -> Result<Op, String> {
    let a = instr.imm_u32(0);
    let b = instr.imm_u32(1);
    let c = instr.imm_u32(2);
    let locals = |start: u32, count: u64| -> Result<(), String> {
        if start as u64 + count <= frame {
            Ok(())
        } else {
            Err("local slots out of range".into())
        }
    };
    let globals = |start: u32, count: u64| -> Result<(), String> {
        if start as u64 + count <= code.globals.len() as u64 {
            Ok(())
        } else {
            Err("global slots out of range".into())
        }
    };
    let layout = |ty: u32, kind: LayoutKind| -> Result<u32, String> {
        match code.layouts.get(ty as usize) {
            Some(l) if l.kind == kind => Ok(ty),
            _ => Err(format!("layout {ty} is not a {kind:?} layout")),
        }
    };
    let array = |base: u32, len: u32, stride: u32| base as u64 + len as u64 * stride as u64;
    Ok(match instr.op {
        Opcode::Nop => Op::Nop,
        Opcode::Halt => Op::Halt,
        Opcode::Jmp => Op::Jmp(target),
        Opcode::JmpIfFalse => Op::JmpIfFalse(target),
        Opcode::JmpIfTrue => Op::JmpIfTrue(target),
        Opcode::Break => Op::Break,
        Opcode::Trap => Op::Trap(TrapCode::from_code(a).ok_or_else(|| format!("trap code {a}"))?),
        Opcode::PushConst => match program.constants.get(a as usize) {
            Some(Constant::I32(v)) => Op::PushI32(*v),
            Some(Constant::F64(v)) => Op::PushF64(*v),
            Some(Constant::U16(v)) => Op::PushBounded(*v),
            Some(Constant::Str(_)) => Op::PushStr(const_str[a as usize]),
            None => return Err(format!("constant {a} out of range")),
        },
        Opcode::Pop => Op::Pop,
        Opcode::Dup => Op::Dup,
        Opcode::Swap => Op::Swap,
        Opcode::PushNull => Op::PushNull,
        Opcode::PushF64 => match instr.imms()[0] {
            ImmValue::F64(v) => Op::PushF64(v),
            _ => return Err("bad immediate".into()),
        },
        Opcode::PushBool => match a {
            0 => Op::PushBool(false),
            1 => Op::PushBool(true),
            _ => return Err(format!("bool literal {a}")),
        },
        Opcode::PushI32 => match instr.imms()[0] {
            ImmValue::I32(v) => Op::PushI32(v),
            _ => return Err("bad immediate".into()),
        },
        Opcode::PopN => Op::PopN(a),
        Opcode::PushBounded => {
            Op::PushBounded(u16::try_from(a).map_err(|_| format!("bounded literal {a}"))?)
        }
        Opcode::DupN => Op::DupN(a),
        Opcode::IAdd => Op::IAdd,
        Opcode::ISub => Op::ISub,
        Opcode::IMul => Op::IMul,
        Opcode::IDiv => Op::IDiv,
        Opcode::IRem => Op::IRem,
        Opcode::INeg => Op::INeg,
        Opcode::IAnd => Op::IAnd,
        Opcode::IOr => Op::IOr,
        Opcode::IXor => Op::IXor,
        Opcode::IShl => Op::IShl,
        Opcode::IShr => Op::IShr,
        Opcode::FAdd => Op::FAdd,
        Opcode::FSub => Op::FSub,
        Opcode::FMul => Op::FMul,
        Opcode::FDiv => Op::FDiv,
        Opcode::FRem => Op::FRem,
        Opcode::FNeg => Op::FNeg,
        Opcode::BAdd => Op::BAdd,
        Opcode::BSub => Op::BSub,
        Opcode::BMul => Op::BMul,
        Opcode::BDiv => Op::BDiv,
        Opcode::BRem => Op::BRem,
        Opcode::BAnd => Op::BAnd,
        Opcode::BOr => Op::BOr,
        Opcode::BXor => Op::BXor,
        Opcode::BShl => Op::BShl,
        Opcode::BShr => Op::BShr,
        Opcode::IEq => Op::IEq,
        Opcode::INe => Op::INe,
        Opcode::ILt => Op::ILt,
        Opcode::ILe => Op::ILe,
        Opcode::IGt => Op::IGt,
        Opcode::IGe => Op::IGe,
        Opcode::FEq => Op::FEq,
        Opcode::FNe => Op::FNe,
        Opcode::FLt => Op::FLt,
        Opcode::FLe => Op::FLe,
        Opcode::FGt => Op::FGt,
        Opcode::FGe => Op::FGe,
        Opcode::BoolEq => Op::BoolEq,
        Opcode::BoolNe => Op::BoolNe,
        Opcode::Not => Op::Not,
        Opcode::Call => {
            if a as usize >= code.funcs.len() {
                return Err(format!("call to missing function {a}"));
            }
            Op::Call(a)
        }
        Opcode::Ret => Op::Ret,
        Opcode::GetLocal => {
            locals(a, 1)?;
            Op::GetLocal(a)
        }
        Opcode::SetLocal => {
            locals(a, 1)?;
            Op::SetLocal(a)
        }
        Opcode::GetGlobal => {
            globals(a, 1)?;
            Op::GetGlobal(a)
        }
        Opcode::SetGlobal => {
            globals(a, 1)?;
            Op::SetGlobal(a)
        }
        Opcode::GetLocalN => {
            locals(a, b as u64)?;
            Op::GetLocalN(a, b)
        }
        Opcode::SetLocalN => {
            locals(a, b as u64)?;
            Op::SetLocalN(a, b)
        }
        Opcode::GetGlobalN => {
            globals(a, b as u64)?;
            Op::GetGlobalN(a, b)
        }
        Opcode::SetGlobalN => {
            globals(a, b as u64)?;
            Op::SetGlobalN(a, b)
        }
        Opcode::GetLocalIdx | Opcode::SetLocalIdx => {
            locals(0, array(a, b, c))?;
            match instr.op {
                Opcode::GetLocalIdx => Op::GetLocalIdx(a, b, c),
                _ => Op::SetLocalIdx(a, b, c),
            }
        }
        Opcode::GetGlobalIdx | Opcode::SetGlobalIdx => {
            globals(0, array(a, b, c))?;
            match instr.op {
                Opcode::GetGlobalIdx => Op::GetGlobalIdx(a, b, c),
                _ => Op::SetGlobalIdx(a, b, c),
            }
        }
        Opcode::Alloc => Op::Alloc(layout(a, LayoutKind::Ref)?),
        Opcode::Peek => Op::Peek(op_slots),
        Opcode::Take => Op::Take(op_slots),
        Opcode::BorrowBegin => Op::BorrowBegin,
        Opcode::BorrowEnd => Op::BorrowEnd,
        Opcode::MutateBegin => Op::MutateBegin,
        Opcode::MutateEnd => Op::MutateEnd,
        Opcode::GateLoad => Op::GateLoad(a, b),
        Opcode::GateStore => Op::GateStore(a, b),
        Opcode::RefEq => Op::RefEq,
        Opcode::RefNe => Op::RefNe,
        Opcode::StrConcat => Op::StrConcat,
        Opcode::StrConcatN => Op::StrConcatN(a),
        Opcode::StrLen => Op::StrLen,
        Opcode::Syscall => {
            let index = code
                .syscalls
                .iter()
                .position(|s| s.id == a)
                .ok_or_else(|| format!("system call 0x{a:04X} not declared"))?;
            Op::Syscall(index as u32)
        }
        Opcode::FrameSync => Op::FrameSync,
        Opcode::I2F => Op::I2F,
        Opcode::F2I => Op::F2I,
        Opcode::I2B => Op::I2B,
        Opcode::F2B => Op::F2B,
        Opcode::B2I => Op::B2I,
        Opcode::B2F => Op::B2F,
        Opcode::I2S => Op::I2S,
        Opcode::F2S => Op::F2S,
        Opcode::B2S => Op::B2S,
        Opcode::Bool2S => Op::Bool2S,
        Opcode::BEq => Op::BEq,
        Opcode::BNe => Op::BNe,
        Opcode::BLt => Op::BLt,
        Opcode::BLe => Op::BLe,
        Opcode::BGt => Op::BGt,
        Opcode::BGe => Op::BGe,
        Opcode::SEq => Op::SEq,
        Opcode::SNe => Op::SNe,
        Opcode::SLt => Op::SLt,
        Opcode::SLe => Op::SLe,
        Opcode::SGt => Op::SGt,
        Opcode::SGe => Op::SGe,
        Opcode::ListNew => Op::ListNew(layout(a, LayoutKind::List)?),
        Opcode::ListLen => Op::ListLen,
        Opcode::ListPush => Op::ListPush(op_slots),
        Opcode::ListPop => Op::ListPop(op_slots),
        Opcode::ListGet => Op::ListGet(op_slots),
        Opcode::ListSet => Op::ListSet(op_slots),
        Opcode::ListInsert => Op::ListInsert(op_slots),
        Opcode::ListRemove => Op::ListRemove(op_slots),
        Opcode::ListClear => Op::ListClear,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A console without system calls.
    struct NoCalls;

    impl prometeu_bytecode::SyscallTable for NoCalls {
        fn signature(&self, _: u32) -> Option<(&[SlotKind], &[SlotKind])> {
            None
        }
    }

    /// The ops `source` (one function) loads to.
    fn ops_of(source: &str) -> Vec<Op> {
        let program = prometeu_bytecode::assemble(source).unwrap();
        let verified = prometeu_bytecode::verify_program(&program, &NoCalls).unwrap();
        load(&verified, true)
            .unwrap()
            .ops
            .iter()
            .map(|d| d.op)
            .collect()
    }

    #[test]
    fn ops_stay_small() {
        // The interpreter streams through ops: every byte counts in its cache use.
        assert_eq!(std::mem::size_of::<Op>(), 16);
        assert_eq!(std::mem::size_of::<Decoded>(), 24);
    }

    #[test]
    fn statements_become_three_address_ops() {
        // `c = a * b; if c < 10 { c = c - 1 }; return c`: the locals are read where
        // they are, the temporaries vanish, and the compare fuses with its branch.
        let ops = ops_of(
            ".func main params=(i32, i32) returns=(i32) locals=1
    GET_LOCAL 0
    GET_LOCAL 1
    I_MUL
    SET_LOCAL 2
    GET_LOCAL 2
    PUSH_I32 10
    I_LT
    JMP_IF_FALSE done
    GET_LOCAL 2
    PUSH_I32 1
    I_SUB
    SET_LOCAL 2
done:
    GET_LOCAL 2
    RET
",
        );
        assert_eq!(
            ops,
            [
                Op::IBin(IntOp::Mul, 2, 0, 1),
                Op::BrIK(Cmp::Lt, false, 2, 10, 3),
                Op::IBinK(IntOp::Sub, 2, 2, 1),
                Op::RetR(2),
            ]
        );
    }

    #[test]
    fn a_local_read_is_kept_in_place_until_the_local_changes() {
        // `push(x); x = 5; push(x)`: the first copy of `x` must be taken before the
        // store, the second after it.
        let ops = ops_of(
            ".func main params=(i32) returns=(i32, i32) locals=0
    GET_LOCAL 0
    PUSH_I32 5
    SET_LOCAL 0
    GET_LOCAL 0
    RET
",
        );
        assert_eq!(
            ops,
            [Op::Mov(1, 0), Op::MovI32(0, 5), Op::Mov(2, 0), Op::Ret,]
        );
    }
}
