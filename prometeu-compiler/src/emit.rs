//! The per-function instruction buffer: a small IR (instructions, labels, calls by
//! symbol, constants by value) with the source span of every instruction, the operand
//! stack depth as lowering goes, and the local-slot allocator. The linker encodes it.

use prometeu_analysis::{Span, SymbolId};
use prometeu_bytecode::{Constant, ImmValue, Instr, Opcode, SlotKind, StackEffect};

use crate::error::{CResult, CompileError};

/// A jump target inside one function.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Label(pub u32);

/// Who a `CALL` calls, resolved to a function index by the linker.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Callee {
    /// A PBS function, method, associated or service function.
    Fn(SymbolId),
}

/// One IR operation.
#[derive(Clone, PartialEq, Debug)]
pub enum Op {
    /// A finished instruction.
    Instr(Instr),
    /// `JMP`, `JMP_IF_FALSE` or `JMP_IF_TRUE` to a label.
    Jump(Opcode, Label),
    /// `CALL` of a function the linker places.
    Call(Callee),
    /// `PUSH_CONST` of a value the linker pools.
    PushConst(Constant),
    /// Marks the position of a label.
    Mark(Label),
}

impl Op {
    /// Encoded size in bytes.
    pub fn encoded_len(&self) -> u32 {
        match self {
            Op::Instr(i) => i.op.encoded_len() as u32,
            Op::Jump(..) | Op::Call(_) | Op::PushConst(_) => 6,
            Op::Mark(_) => 0,
        }
    }
}

/// A lowered function, ready for the linker.
#[derive(Clone, Debug, Default)]
pub struct FnCode {
    /// Its debug name, e.g. `Player.update`.
    pub name: String,
    /// Parameter slot kinds (the first locals).
    pub params: Vec<SlotKind>,
    /// Return slot kinds.
    pub returns: Vec<SlotKind>,
    /// Local slots after the parameters.
    pub locals: u32,
    /// The body, each operation with the span that produced it.
    pub ops: Vec<(Op, Span)>,
    /// Local slot names `(slot, name)` for the debug map.
    pub local_names: Vec<(u32, String)>,
    /// The deepest the operand stack got while lowering (the verifier computes the
    /// exact `max_stack`; this bounds it early so an oversized function is a
    /// [`crate::CompileErrorKind::Limit`], not a verifier failure).
    pub max_depth: u32,
    /// Where the operand stack first got that deep (for a limit error's location).
    pub max_depth_span: Span,
    /// Where the last local slot was first allocated (for a limit error's location).
    pub max_local_span: Span,
    /// The function's body (or declaration), where errors about it point.
    pub span: Span,
}

/// Builds one [`FnCode`]: tracks the operand stack depth and hands out local slots.
pub struct Builder {
    /// The function being built.
    pub code: FnCode,
    labels: u32,
    /// Slots on the operand stack right now.
    pub depth: u32,
    /// Whether the code being emitted is unreachable: the last instruction ended
    /// control flow (`JMP`, `RET`, `TRAP`) and no label placed since is the target of a
    /// reachable jump. Nothing is emitted while it holds (see [`Builder::raw`]).
    pub dead: bool,
    /// The stack depth every reachable jump to a label leaves, by label: placing a
    /// label after unreachable code resumes at that depth (a branch that always
    /// leaves, `x && { return; }`, says nothing about the depth after it).
    entry_depth: Vec<Option<u32>>,
    next_local: u32,
    max_local: u32,
    /// The span given to instructions emitted next.
    pub span: Span,
}

/// The most local slots a function may have (the `FUNC` field is a `u16`).
const MAX_LOCALS: u32 = u16::MAX as u32;

impl Builder {
    /// A builder for a function whose parameters take `params` slots.
    pub fn new(name: String, params: Vec<SlotKind>, returns: Vec<SlotKind>, span: Span) -> Builder {
        let n = params.len() as u32;
        Builder {
            code: FnCode {
                name,
                params,
                returns,
                max_depth_span: span,
                max_local_span: span,
                span,
                ..FnCode::default()
            },
            labels: 0,
            depth: 0,
            dead: false,
            entry_depth: Vec::new(),
            next_local: n,
            max_local: n,
            span,
        }
    }

    /// A fresh label.
    pub fn label(&mut self) -> Label {
        self.labels += 1;
        Label(self.labels - 1)
    }

    /// Places `label` here. Code after it is reachable when code before it falls
    /// through or a reachable jump targets it; after unreachable code the stack depth
    /// is the one those jumps leave.
    pub fn mark(&mut self, label: Label) {
        self.code.ops.push((Op::Mark(label), self.span));
        let entry = self.entry_depth.get(label.0 as usize).copied().flatten();
        if self.dead {
            if let Some(depth) = entry {
                self.depth = depth;
                self.dead = false;
            }
        } else {
            debug_assert!(
                entry.is_none_or(|depth| depth == self.depth),
                "`{}`: label {} joins depths {entry:?} and {}",
                self.code.name,
                label.0,
                self.depth
            );
        }
    }

    /// Places `label`, the top of a loop entered by a `JMP` to its test just before:
    /// reached only by the loop's back edge, it is reachable when that `JMP` was, at
    /// the same depth.
    pub fn mark_loop_top(&mut self, label: Label, reachable: bool) {
        self.code.ops.push((Op::Mark(label), self.span));
        if reachable {
            self.dead = false;
        }
    }

    /// Emits `instr`, whose stack effect comes from the opcode table.
    pub fn op(&mut self, instr: Instr) {
        let (pops, pushes) = match instr.op.stack_effect() {
            StackEffect::Fixed { pops, pushes } => (pops.len() as u32, pushes.len() as u32),
            StackEffect::Dynamic => (0, 0),
        };
        self.raw(Op::Instr(instr), pops, pushes);
    }

    /// A `TRAP` for a path the checker proved impossible (no arm of an exhaustive
    /// `when` matched, the end of a body that always leaves): it keeps the verifier's
    /// stack discipline and makes what follows unreachable.
    pub fn trap_impossible(&mut self) {
        self.op(Instr::u32(
            Opcode::Trap,
            prometeu_bytecode::TrapCode::Explicit as u32,
        ));
    }

    /// Emits a simple opcode without immediates.
    pub fn simple(&mut self, op: Opcode) {
        self.op(Instr::op(op));
    }

    /// Emits an instruction with a dynamic effect: `pops` then `pushes` slots.
    pub fn dyn_op(&mut self, instr: Instr, pops: u32, pushes: u32) {
        self.raw(Op::Instr(instr), pops, pushes);
    }

    /// Emits any IR operation with an explicit stack effect; nothing while the code is
    /// unreachable ([`Builder::dead`]), so a value that never materialises (an operand
    /// after a `{ return; }`) needs no consistent code.
    pub fn raw(&mut self, op: Op, pops: u32, pushes: u32) {
        if self.dead {
            return;
        }
        let ends = match &op {
            Op::Jump(Opcode::Jmp, _) => true,
            Op::Instr(i) => matches!(i.op, Opcode::Ret | Opcode::Trap | Opcode::Halt),
            _ => false,
        };
        self.code.ops.push((op, self.span));
        self.depth = self.depth.saturating_sub(pops) + pushes;
        if self.depth > self.code.max_depth {
            self.code.max_depth = self.depth;
            self.code.max_depth_span = self.span;
        }
        self.dead = ends;
    }

    /// A jump (`JMP`, `JMP_IF_FALSE`, `JMP_IF_TRUE`) to `label`.
    pub fn jump(&mut self, op: Opcode, label: Label) {
        if self.dead {
            return;
        }
        let pops = u32::from(op != Opcode::Jmp);
        self.raw(Op::Jump(op, label), pops, 0);
        let index = label.0 as usize;
        if self.entry_depth.len() <= index {
            self.entry_depth.resize(index + 1, None);
        }
        self.entry_depth[index].get_or_insert(self.depth);
    }

    /// `PUSH_CONST` of `value`.
    pub fn push_const(&mut self, value: Constant) {
        self.raw(Op::PushConst(value), 0, 1);
    }

    /// Pushes `count` local slots starting at `slot`.
    pub fn get_local(&mut self, slot: u32, count: u32) {
        match count {
            0 => {}
            1 => self.dyn_op(Instr::u32(Opcode::GetLocal, slot), 0, 1),
            n => self.dyn_op(
                Instr::new(Opcode::GetLocalN, &[ImmValue::U32(slot), ImmValue::U32(n)]),
                0,
                n,
            ),
        }
    }

    /// Pops `count` slots into the locals starting at `slot`.
    pub fn set_local(&mut self, slot: u32, count: u32) {
        match count {
            0 => {}
            1 => self.dyn_op(Instr::u32(Opcode::SetLocal, slot), 1, 0),
            n => self.dyn_op(
                Instr::new(Opcode::SetLocalN, &[ImmValue::U32(slot), ImmValue::U32(n)]),
                n,
                0,
            ),
        }
    }

    /// Pushes `count` global slots starting at `slot`.
    pub fn get_global(&mut self, slot: u32, count: u32) {
        match count {
            0 => {}
            1 => self.dyn_op(Instr::u32(Opcode::GetGlobal, slot), 0, 1),
            n => self.dyn_op(
                Instr::new(Opcode::GetGlobalN, &[ImmValue::U32(slot), ImmValue::U32(n)]),
                0,
                n,
            ),
        }
    }

    /// Pops `count` slots into the globals starting at `slot`.
    pub fn set_global(&mut self, slot: u32, count: u32) {
        match count {
            0 => {}
            1 => self.dyn_op(Instr::u32(Opcode::SetGlobal, slot), 1, 0),
            n => self.dyn_op(
                Instr::new(Opcode::SetGlobalN, &[ImmValue::U32(slot), ImmValue::U32(n)]),
                n,
                0,
            ),
        }
    }

    /// Pops `n` slots.
    pub fn pop(&mut self, n: u32) {
        match n {
            0 => {}
            1 => self.dyn_op(Instr::op(Opcode::Pop), 1, 0),
            n => self.dyn_op(Instr::u32(Opcode::PopN, n), n, 0),
        }
    }

    /// Reserves `n` consecutive local slots; returns the first.
    pub fn alloc_local(&mut self, n: u32) -> CResult<u32> {
        let slot = self.next_local;
        self.next_local = slot
            .checked_add(n)
            .filter(|&e| e <= MAX_LOCALS)
            .ok_or_else(|| {
                CompileError::limit(
                    Some(self.span),
                    "a function needs more than 65535 local slots",
                )
            })?;
        if self.next_local > self.max_local {
            self.max_local = self.next_local;
            self.code.max_local_span = self.span;
        }
        Ok(slot)
    }

    /// The allocator's position, to release everything allocated after it.
    pub fn local_mark(&self) -> u32 {
        self.next_local
    }

    /// Releases the slots allocated since `mark` (their scope ended).
    pub fn release_locals(&mut self, mark: u32) {
        self.next_local = mark.min(self.next_local);
    }

    /// Pops the `n` slots on top of the stack into fresh locals; returns the first.
    pub fn spill(&mut self, n: u32) -> CResult<u32> {
        let slot = self.alloc_local(n)?;
        self.set_local(slot, n);
        Ok(slot)
    }

    /// Finishes the function.
    pub fn finish(mut self) -> FnCode {
        self.code.locals = self.max_local - self.code.params.len() as u32;
        self.code
    }
}
