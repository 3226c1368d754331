//! Expression lowering: every expression pushes exactly the slots of its type.

use prometeu_analysis::semantics::consts::ConstValue;
use prometeu_analysis::semantics::{SymbolKind, TypeArena, TypeKind};
use prometeu_analysis::stack::ensure_sufficient_stack;
use prometeu_analysis::syntax::{BinaryOp, UnaryOp, ViewKind};
use prometeu_analysis::{NodeId, NodeKind, SymbolId, TypeId};
use prometeu_bytecode::{Constant, ImmValue, Instr, Opcode, SlotKind, SyscallRef};

use super::FnLower;
use crate::emit::{Callee, Label, Op};
use crate::error::{CResult, CompileError};
use crate::layout::case_index;

/// The most strings one `STR_CONCAT_N` joins: a longer chain is joined in steps, so
/// its operands never take more than this many stack slots.
const MAX_CONCAT_OPERANDS: u32 = 256;

impl FnLower<'_, '_> {
    /// Lowers expression `node`, pushing the slots of its type.
    pub(super) fn expr(&mut self, node: NodeId) -> CResult<()> {
        if self.b.dead {
            // Unreachable: an earlier operand never produced its value.
            return Ok(());
        }
        let saved = self.b.span;
        self.b.span = self.span(node);
        // Temporaries end with the expression (its value is on the stack), so a chain
        // of `?`, `when` or method calls reuses the same few local slots.
        let mark = self.b.local_mark();
        // A flat chain (`a + b + …`, `x.f().f()…`) is as deep as it is long.
        let r = ensure_sufficient_stack(|| {
            let operands = self.leading_operands(node);
            if operands.iter().any(|&o| self.diverges(o)) {
                self.operands_for_effect(node, &operands)
            } else {
                self.expr_inner(node)
            }
        });
        self.b.release_locals(mark);
        self.b.span = saved;
        r
    }

    /// The operands `node` always evaluates, in order, before anything else it does:
    /// when one of them never produces a value, neither does `node`.
    fn leading_operands(&self, node: NodeId) -> Vec<NodeId> {
        match *self.ast.kind(node) {
            NodeKind::Paren { inner } | NodeKind::Propagate { inner } => vec![inner],
            NodeKind::Unary { operand, .. } => vec![operand],
            NodeKind::Cast { value, .. }
            | NodeKind::ArrayRepeat { value, .. }
            | NodeKind::SomeExpr { value }
            | NodeKind::ErrExpr { value }
            | NodeKind::Alloc { value } => vec![value],
            NodeKind::OkExpr { value } => value.into_iter().collect(),
            NodeKind::Peek { handle } | NodeKind::Take { handle } => vec![handle],
            NodeKind::View { handle, .. } => vec![handle],
            NodeKind::Binary {
                op: BinaryOp::And | BinaryOp::Or,
                lhs,
                ..
            } => vec![lhs],
            NodeKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            NodeKind::ArrayLit { elems } => self.ast.list(elems).to_vec(),
            NodeKind::Index { base, index } => vec![base, index],
            NodeKind::Member { base, .. } if self.type_path(base).is_none() => vec![base],
            NodeKind::Call { callee, args } => {
                let mut operands = match *self.ast.kind(callee) {
                    NodeKind::Member { base, .. } if self.type_path(base).is_none() => {
                        vec![base]
                    }
                    _ => Vec::new(),
                };
                operands.extend_from_slice(self.ast.list(args));
                operands
            }
            NodeKind::If { cond, .. } => vec![cond],
            NodeKind::When { subject, .. } | NodeKind::Handle { subject, .. } => vec![subject],
            NodeKind::Else { value, .. } => vec![value],
            _ => Vec::new(),
        }
    }

    /// Lowers `node`, one of whose leading operands never produces a value: the
    /// operands before it run for their effects, then it leaves, and nothing of
    /// `node` itself is reachable.
    fn operands_for_effect(&mut self, node: NodeId, operands: &[NodeId]) -> CResult<()> {
        for &operand in operands {
            if self.b.dead {
                break;
            }
            self.expr_sized(operand, 0)?;
        }
        if !self.b.dead {
            return Err(CompileError::internal(
                Some(self.span(node)),
                "an operand of unknown type that produced a value",
            ));
        }
        Ok(())
    }

    fn expr_inner(&mut self, node: NodeId) -> CResult<()> {
        match *self.ast.kind(node) {
            NodeKind::IntLit { value } => self.push_i32(value),
            NodeKind::FloatLit { value } => {
                self.b
                    .op(Instr::new(Opcode::PushF64, &[ImmValue::F64(value)]));
            }
            NodeKind::BoundedLit { value } => {
                self.b.op(Instr::u32(Opcode::PushBounded, u32::from(value)));
            }
            NodeKind::BoolLit { value } => self.push_bool(value),
            NodeKind::StringLit { .. } => {
                let text = self.ast.string_value(node).unwrap_or_default().to_string();
                self.b.push_const(Constant::Str(text));
            }
            NodeKind::NoneLit => {
                let TypeKind::Optional(inner) = self.a.types.kind(self.ty(node)?) else {
                    return Err(CompileError::internal(
                        Some(self.span(node)),
                        "`none` that is not an optional",
                    ));
                };
                self.push_bool(false);
                self.push_zero(inner)?;
            }
            NodeKind::Paren { inner } => self.expr(inner)?,
            NodeKind::NameRef { .. } => self.name_ref(node)?,
            NodeKind::SelfRef => {
                let place = self.place(node, true)?;
                self.read_place(&place, false)?;
            }
            NodeKind::ArrayLit { elems } => {
                for &e in self.ast.list(elems) {
                    self.expr(e)?;
                }
            }
            NodeKind::ArrayRepeat { value, .. } => {
                let TypeKind::Array(elem, n) = self.a.types.kind(self.ty(node)?) else {
                    return Err(CompileError::internal(
                        Some(self.span(node)),
                        "an array repeat that is not an array",
                    ));
                };
                let size = self.size(elem)?;
                self.expr(value)?;
                if n == 0 {
                    self.b.pop(size);
                } else {
                    self.repeat_top(size, n);
                }
            }
            NodeKind::SomeExpr { value } => {
                self.push_bool(true);
                self.expr(value)?;
            }
            NodeKind::OkExpr { value } => {
                self.push_bool(true);
                if let Some(v) = value {
                    self.expr(v)?;
                }
                self.push_i32(0);
            }
            NodeKind::ErrExpr { value } => {
                let TypeKind::Result(ok, _) = self.a.types.kind(self.ty(node)?) else {
                    return Err(CompileError::internal(
                        Some(self.span(node)),
                        "`err` that is not a result",
                    ));
                };
                self.push_bool(false);
                self.push_zero(ok)?;
                self.expr(value)?;
            }
            NodeKind::Alloc { value } => {
                let ty = self.ty(node)?;
                let layout = self.cx.layouts.handle_layout(self.a, ty)?;
                let n = self.size(self.ty(value)?)?;
                self.expr(value)?;
                self.b.dyn_op(Instr::u32(Opcode::Alloc, layout), n, 1);
            }
            NodeKind::AllocList { .. } => {
                let ty = self.ty(node)?;
                let layout = self.cx.layouts.handle_layout(self.a, ty)?;
                self.b.dyn_op(Instr::u32(Opcode::ListNew, layout), 0, 1);
            }
            NodeKind::Call { callee, args } => self.call(node, callee, args)?,
            NodeKind::Member { base, name } => self.member(node, base, name)?,
            NodeKind::Index { base, index } => {
                let base_ty = self.ty(base)?;
                match self.a.types.kind(base_ty) {
                    TypeKind::List(elem) => {
                        let n = self.size(elem)?;
                        self.expr(base)?;
                        self.expr(index)?;
                        self.b.dyn_op(Instr::op(Opcode::ListGet), 2, n);
                    }
                    _ => {
                        let place = self.place(node, true)?;
                        self.read_place(&place, false)?;
                    }
                }
            }
            NodeKind::Unary { op, operand } => {
                let ty = self.ty(operand)?;
                self.expr(operand)?;
                let opcode = match (op, self.a.types.kind(ty)) {
                    (UnaryOp::Neg, TypeKind::Int) => Opcode::INeg,
                    (UnaryOp::Neg, TypeKind::Float) => Opcode::FNeg,
                    (UnaryOp::Not, TypeKind::Bool) => Opcode::Not,
                    _ => return self.unlowerable(node, "this unary operator"),
                };
                self.b.simple(opcode);
            }
            NodeKind::Binary { op, lhs, rhs } => self.binary(node, op, lhs, rhs)?,
            NodeKind::Cast { value, .. } => {
                let from = self.ty(value)?;
                let to = self.ty(node)?;
                self.expr(value)?;
                self.cast(node, from, to)?;
            }
            NodeKind::If {
                cond,
                then,
                otherwise,
            } => {
                let want = self.size(
                    self.a
                        .facts
                        .node_type(self.file, node)
                        .unwrap_or(TypeArena::VOID),
                )?;
                self.if_expr(cond, then, otherwise, want)?;
            }
            NodeKind::Block { .. } => {
                let want = self.size(
                    self.a
                        .facts
                        .node_type(self.file, node)
                        .unwrap_or(TypeArena::VOID),
                )?;
                self.block(node, want)?;
            }
            NodeKind::Else { value, fallback } => self.else_expr(value, fallback)?,
            NodeKind::Propagate { inner } => self.propagate(node, inner)?,
            NodeKind::When { subject, arms, .. } => self.when(node, subject, arms)?,
            NodeKind::Handle { subject, arms } => self.handle(node, subject, arms)?,
            NodeKind::View {
                kind, handle, body, ..
            } => self.view(node, kind, handle, body)?,
            NodeKind::Peek { handle } | NodeKind::Take { handle } => {
                let n = self.size(self.ty(node)?)?;
                self.expr(handle)?;
                let op = match self.ast.kind(node) {
                    NodeKind::Peek { .. } => Opcode::Peek,
                    _ => Opcode::Take,
                };
                self.b.dyn_op(Instr::op(op), 1, n);
            }
            _ => return self.unlowerable(node, "this expression"),
        }
        Ok(())
    }

    /// Turns the `size`-slot value on top of the stack into `n` ≥ 1 copies of it by
    /// doubling: at most 2·log2(n) `DUP_N`, so `[x; 1000]` is 15 instructions, not a
    /// copy per element (code size and load time), and needs no temporary.
    fn repeat_top(&mut self, size: u32, n: u32) {
        let mut have = 1;
        // The bits of `n` below its highest, highest first: double, then add one.
        for bit in (0..31 - n.leading_zeros()).rev() {
            self.dup_top(have * size);
            have *= 2;
            if (n >> bit) & 1 == 1 {
                self.dup_top(size);
                have += 1;
            }
        }
        debug_assert_eq!(have, n);
    }

    /// Duplicates the top `k` slots.
    fn dup_top(&mut self, k: u32) {
        match k {
            0 => {}
            1 => self.b.dyn_op(Instr::op(Opcode::Dup), 0, 1),
            k => self.b.dyn_op(Instr::u32(Opcode::DupN, k), 0, k),
        }
    }

    // ----- names and members -----

    fn name_ref(&mut self, node: NodeId) -> CResult<()> {
        let Some(sym) = self.symbol_at(node) else {
            return Err(CompileError::internal(
                Some(self.span(node)),
                "an unresolved name",
            ));
        };
        match self.a.symbols.get(sym).kind {
            SymbolKind::Const | SymbolKind::AssocConst => self.const_symbol(node, sym),
            _ => {
                let place = self.place(node, true)?;
                self.read_place(&place, false)
            }
        }
    }

    fn const_symbol(&mut self, node: NodeId, sym: SymbolId) -> CResult<()> {
        let Some(value) = self.a.const_values.get(&sym) else {
            return Err(CompileError::internal(
                Some(self.span(node)),
                "a constant without a folded value",
            ));
        };
        let ty = self.a.facts.symbol_type(sym).unwrap_or(TypeArena::ERROR);
        self.push_const_value(node, &value.clone(), ty)
    }

    /// Pushes a folded constant of type `ty`.
    pub(super) fn push_const_value(
        &mut self,
        node: NodeId,
        value: &ConstValue,
        ty: TypeId,
    ) -> CResult<()> {
        match value {
            ConstValue::Int(v) => self.push_i32(*v),
            ConstValue::Float(v) => self.b.op(Instr::new(Opcode::PushF64, &[ImmValue::F64(*v)])),
            ConstValue::Bounded(v) => self.b.op(Instr::u32(Opcode::PushBounded, u32::from(*v))),
            ConstValue::Bool(v) => self.push_bool(*v),
            ConstValue::Str(s) => self.b.push_const(Constant::Str(s.clone())),
            ConstValue::Case(c) => self.push_i32(case_index(self.a, *c)),
            ConstValue::Struct(s, fields) => {
                let types: Vec<TypeId> = crate::layout::struct_fields(self.a, *s)
                    .map(|f| self.a.facts.symbol_type(f).unwrap_or(TypeArena::ERROR))
                    .collect();
                for (v, t) in fields.iter().zip(types) {
                    self.push_const_value(node, v, t)?;
                }
            }
            ConstValue::Array(elems) => {
                let elem = match self.a.types.kind(ty) {
                    TypeKind::Array(e, _) => e,
                    _ => TypeArena::ERROR,
                };
                for v in elems {
                    self.push_const_value(node, v, elem)?;
                }
            }
            ConstValue::Alloc(_) | ConstValue::NewList => {
                return self.unlowerable(node, "a constant that allocates");
            }
        }
        Ok(())
    }

    /// Whether `node` names a type (a struct, service, error or contract), making
    /// `node.name` a path rather than a field read.
    fn type_path(&self, node: NodeId) -> Option<SymbolId> {
        if !matches!(self.ast.kind(node), NodeKind::NameRef { .. }) {
            return None;
        }
        let s = self.symbol_at(node)?;
        matches!(
            self.a.symbols.get(s).kind,
            SymbolKind::Struct | SymbolKind::Service | SymbolKind::Error | SymbolKind::Contract
        )
        .then_some(s)
    }

    fn member(&mut self, node: NodeId, base: NodeId, name: NodeId) -> CResult<()> {
        let member = self.symbol_at(name);
        if self.type_path(base).is_some() {
            let Some(m) = member else {
                return Err(CompileError::internal(
                    Some(self.span(node)),
                    "an unresolved member",
                ));
            };
            return match self.a.symbols.get(m).kind {
                SymbolKind::AssocConst | SymbolKind::Const => self.const_symbol(node, m),
                SymbolKind::ErrorCase => {
                    self.push_i32(case_index(self.a, m));
                    Ok(())
                }
                SymbolKind::ServiceField => {
                    let place = self.place(node, true)?;
                    self.read_place(&place, false)
                }
                _ => self.unlowerable(node, "this member path"),
            };
        }
        let place = self.place(node, true)?;
        self.read_place(&place, false)
    }

    // ----- operators -----

    fn binary(&mut self, node: NodeId, op: BinaryOp, lhs: NodeId, rhs: NodeId) -> CResult<()> {
        let ty = self.ty(lhs)?;
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let end = self.b.label();
                self.expr(lhs)?;
                self.b.dyn_op(Instr::op(Opcode::Dup), 0, 1);
                let jump = if op == BinaryOp::And {
                    Opcode::JmpIfFalse
                } else {
                    Opcode::JmpIfTrue
                };
                self.b.jump(jump, end);
                self.b.pop(1);
                self.expr(rhs)?;
                self.b.mark(end);
                Ok(())
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                self.expr(lhs)?;
                self.expr(rhs)?;
                self.equality(ty, op == BinaryOp::Eq)
            }
            BinaryOp::Add if matches!(self.a.types.kind(ty), TypeKind::String) => {
                self.concat(0, node)
            }
            _ => {
                self.expr(lhs)?;
                self.expr(rhs)?;
                self.arith(op, ty, node)
            }
        }
    }

    /// Lowers `node` as a string concatenation joined onto the `pushed` strings already
    /// on the stack: every operand of a chain of string `+` (`a + b + c`, parentheses
    /// included) is pushed left to right, the evaluation order of the nested form, and
    /// all are joined by one `STR_CONCAT_N`, so the chain allocates one string instead
    /// of one per `+`. `s += a + b` is `concat(1, a + b)` with `s` pushed.
    pub(super) fn concat(&mut self, pushed: u32, node: NodeId) -> CResult<()> {
        let mut operands = Vec::new();
        self.concat_operands(node, &mut operands)?;
        let mut count = pushed;
        for e in operands {
            if count == MAX_CONCAT_OPERANDS {
                self.join_strings(count);
                count = 1;
            }
            self.expr(e)?;
            count += 1;
        }
        self.join_strings(count);
        Ok(())
    }

    /// Appends the operands of the string `+` chain `node`, left to right, to `out`
    /// (`node` itself when it is not such a chain).
    fn concat_operands(&self, node: NodeId, out: &mut Vec<NodeId>) -> CResult<()> {
        ensure_sufficient_stack(|| self.concat_operands_inner(node, out))
    }

    fn concat_operands_inner(&self, node: NodeId, out: &mut Vec<NodeId>) -> CResult<()> {
        let chain = match *self.ast.kind(node) {
            NodeKind::Binary {
                op: BinaryOp::Add,
                lhs,
                rhs,
            } if matches!(self.a.types.kind(self.ty(lhs)?), TypeKind::String) => Some((lhs, rhs)),
            NodeKind::Paren { inner } => return self.concat_operands(inner, out),
            _ => None,
        };
        match chain {
            Some((lhs, rhs)) => {
                self.concat_operands(lhs, out)?;
                self.concat_operands(rhs, out)
            }
            None => {
                out.push(node);
                Ok(())
            }
        }
    }

    /// Joins the top `n` strings into one (nothing to do for fewer than two).
    fn join_strings(&mut self, n: u32) {
        match n {
            0 | 1 => {}
            2 => self.b.simple(Opcode::StrConcat),
            n => self.b.dyn_op(Instr::u32(Opcode::StrConcatN, n), n, 1),
        }
    }

    /// Applies an arithmetic, bit or ordering operator to two operands of type `ty`.
    pub(super) fn arith(&mut self, op: BinaryOp, ty: TypeId, node: NodeId) -> CResult<()> {
        use BinaryOp as B;
        use Opcode as O;
        let opcode = match (self.a.types.kind(ty), op) {
            (TypeKind::Int, _) => match op {
                B::Add => O::IAdd,
                B::Sub => O::ISub,
                B::Mul => O::IMul,
                B::Div => O::IDiv,
                B::Rem => O::IRem,
                B::Shl => O::IShl,
                B::Shr => O::IShr,
                B::BitAnd => O::IAnd,
                B::BitOr => O::IOr,
                B::BitXor => O::IXor,
                B::Lt => O::ILt,
                B::Le => O::ILe,
                B::Gt => O::IGt,
                B::Ge => O::IGe,
                _ => return self.unlowerable(node, "this int operator"),
            },
            (TypeKind::Float, _) => match op {
                B::Add => O::FAdd,
                B::Sub => O::FSub,
                B::Mul => O::FMul,
                B::Div => O::FDiv,
                B::Rem => O::FRem,
                B::Lt => O::FLt,
                B::Le => O::FLe,
                B::Gt => O::FGt,
                B::Ge => O::FGe,
                _ => return self.unlowerable(node, "this float operator"),
            },
            (TypeKind::Bounded, _) => match op {
                B::Add => O::BAdd,
                B::Sub => O::BSub,
                B::Mul => O::BMul,
                B::Div => O::BDiv,
                B::Rem => O::BRem,
                B::Shl => O::BShl,
                B::Shr => O::BShr,
                B::BitAnd => O::BAnd,
                B::BitOr => O::BOr,
                B::BitXor => O::BXor,
                B::Lt => O::BLt,
                B::Le => O::BLe,
                B::Gt => O::BGt,
                B::Ge => O::BGe,
                _ => return self.unlowerable(node, "this bounded operator"),
            },
            (TypeKind::String, B::Add) => O::StrConcat,
            (TypeKind::String, B::Lt) => O::SLt,
            (TypeKind::String, B::Le) => O::SLe,
            (TypeKind::String, B::Gt) => O::SGt,
            (TypeKind::String, B::Ge) => O::SGe,
            _ => return self.unlowerable(node, "this operator on this type"),
        };
        self.b.simple(opcode);
        Ok(())
    }

    /// Compares the two values of type `ty` on top of the stack (`==` when `eq`).
    fn equality(&mut self, ty: TypeId, eq: bool) -> CResult<()> {
        let kinds = self.slots(ty)?;
        if let [k] = kinds[..] {
            self.slot_eq(k, eq);
            return Ok(());
        }
        let n = kinds.len() as u32;
        let rhs = self.b.spill(n)?;
        let lhs = self.b.spill(n)?;
        let differ = self.b.label();
        let end = self.b.label();
        for (i, &k) in kinds.iter().enumerate() {
            self.b.get_local(lhs + i as u32, 1);
            self.b.get_local(rhs + i as u32, 1);
            self.slot_eq(k, true);
            self.b.jump(Opcode::JmpIfFalse, differ);
        }
        self.push_bool(eq);
        self.b.jump(Opcode::Jmp, end);
        self.b.depth = self.b.depth.saturating_sub(1);
        self.b.mark(differ);
        self.push_bool(!eq);
        self.b.mark(end);
        Ok(())
    }

    fn slot_eq(&mut self, k: SlotKind, eq: bool) {
        let op = match (k, eq) {
            (SlotKind::I32, true) => Opcode::IEq,
            (SlotKind::I32, false) => Opcode::INe,
            (SlotKind::F64, true) => Opcode::FEq,
            (SlotKind::F64, false) => Opcode::FNe,
            (SlotKind::U16, true) => Opcode::BEq,
            (SlotKind::U16, false) => Opcode::BNe,
            (SlotKind::Bool, true) => Opcode::BoolEq,
            (SlotKind::Bool, false) => Opcode::BoolNe,
            (SlotKind::Str, true) => Opcode::SEq,
            (SlotKind::Str, false) => Opcode::SNe,
            (SlotKind::Ref(_), true) => Opcode::RefEq,
            (SlotKind::Ref(_), false) => Opcode::RefNe,
        };
        self.b.dyn_op(Instr::op(op), 2, 1);
    }

    fn cast(&mut self, node: NodeId, from: TypeId, to: TypeId) -> CResult<()> {
        use TypeKind as T;
        let op = match (self.a.types.kind(from), self.a.types.kind(to)) {
            (f, t) if f == t => return Ok(()),
            (T::Int, T::Float) => Opcode::I2F,
            (T::Float, T::Int) => Opcode::F2I,
            (T::Int, T::Bounded) => Opcode::I2B,
            (T::Float, T::Bounded) => Opcode::F2B,
            (T::Bounded, T::Int) => Opcode::B2I,
            (T::Bounded, T::Float) => Opcode::B2F,
            (T::Int, T::String) => Opcode::I2S,
            (T::Float, T::String) => Opcode::F2S,
            (T::Bounded, T::String) => Opcode::B2S,
            (T::Bool, T::String) => Opcode::Bool2S,
            _ => return self.unlowerable(node, "this cast"),
        };
        self.b.simple(op);
        Ok(())
    }

    // ----- control flow -----

    fn if_expr(
        &mut self,
        cond: NodeId,
        then: NodeId,
        otherwise: Option<NodeId>,
        want: u32,
    ) -> CResult<()> {
        let else_label = self.b.label();
        let end = self.b.label();
        self.cond_jump(cond, else_label, false)?;
        let base = self.b.depth;
        self.block(then, want)?;
        match otherwise {
            Some(o) => {
                if !self.b.dead {
                    self.b.jump(Opcode::Jmp, end);
                }
                self.b.depth = base;
                self.b.mark(else_label);
                self.block(o, want)?;
                self.b.mark(end);
            }
            None => self.b.mark(else_label),
        }
        self.b.depth = base + want;
        Ok(())
    }

    /// Lowers the `bool` expression `cond` as control flow: jumps to `target` when it
    /// evaluates to `when` and falls through otherwise, leaving the stack as it was.
    /// `!`, `&&` and `||` become jumps instead of materialised bools, and an int
    /// comparison that jumps when true is emitted negated before `JMP_IF_FALSE`: the
    /// VM fuses compare-and-`JMP_IF_FALSE` into one dispatch (a bottom-tested loop's
    /// back edge is such a jump). The jumps keep the span of the `if` or loop.
    pub(super) fn cond_jump(&mut self, cond: NodeId, target: Label, when: bool) -> CResult<()> {
        // `a && b && …` chains are as deep as they are long.
        ensure_sufficient_stack(|| self.cond_jump_inner(cond, target, when))
    }

    fn cond_jump_inner(&mut self, cond: NodeId, target: Label, when: bool) -> CResult<()> {
        match *self.ast.kind(cond) {
            NodeKind::Paren { inner } => return self.cond_jump(inner, target, when),
            NodeKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => return self.cond_jump(operand, target, !when),
            NodeKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                lhs,
                rhs,
            } => {
                // The value of `lhs` that decides the result alone (and is the result).
                let decides = op == BinaryOp::Or;
                if decides == when {
                    self.cond_jump(lhs, target, when)?;
                    self.cond_jump(rhs, target, when)?;
                } else {
                    let skip = self.b.label();
                    self.cond_jump(lhs, skip, decides)?;
                    self.cond_jump(rhs, target, when)?;
                    self.b.mark(skip);
                }
                return Ok(());
            }
            NodeKind::Binary { op, lhs, rhs } if when && !self.diverges(lhs) => {
                if let (TypeKind::Int, Some(negated)) =
                    (self.a.types.kind(self.ty(lhs)?), negated_int_cmp(op))
                {
                    self.expr(lhs)?;
                    self.expr(rhs)?;
                    let outer = self.b.span;
                    self.b.span = self.span(cond);
                    self.b.simple(negated);
                    self.b.span = outer;
                    self.b.jump(Opcode::JmpIfFalse, target);
                    return Ok(());
                }
            }
            _ => {}
        }
        self.expr(cond)?;
        let jump = if when {
            Opcode::JmpIfTrue
        } else {
            Opcode::JmpIfFalse
        };
        self.b.jump(jump, target);
        Ok(())
    }

    /// Evaluates an optional or result into a temporary; returns its first slot and
    /// the payload type.
    fn spill_failable(&mut self, node: NodeId) -> CResult<(u32, TypeId, TypeKind)> {
        let ty = self.ty(node)?;
        let kind = self.a.types.kind(ty);
        let payload = match kind {
            TypeKind::Optional(t) | TypeKind::Result(t, _) => t,
            _ => {
                return Err(CompileError::internal(
                    Some(self.span(node)),
                    "not an optional or result",
                ));
            }
        };
        let slot = self.subject_slots(node, ty)?;
        Ok((slot, payload, kind))
    }

    /// The first local slot holding the value of `node`: an immutable local is read in
    /// place (bindings of patterns alias it, so a mutable one is copied), anything else
    /// is evaluated into a temporary.
    pub(super) fn subject_slots(&mut self, node: NodeId, ty: TypeId) -> CResult<u32> {
        let mut inner = node;
        while let NodeKind::Paren { inner: i } = *self.ast.kind(inner) {
            inner = i;
        }
        if let NodeKind::NameRef { .. } = self.ast.kind(inner) {
            if let Some(s) = self.symbol_at(inner) {
                let immutable = !self.a.symbols.get(s).mutable && !self.views.contains_key(&s);
                if let (true, Some(&slot)) = (immutable, self.locals.get(&s)) {
                    return Ok(slot);
                }
            }
        }
        let n = self.size(ty)?;
        self.expr(node)?;
        self.b.spill(n)
    }

    fn else_expr(&mut self, value: NodeId, fallback: NodeId) -> CResult<()> {
        let (slot, payload, _) = self.spill_failable(value)?;
        let n = self.size(payload)?;
        let use_fallback = self.b.label();
        let end = self.b.label();
        self.b.get_local(slot, 1);
        self.b.jump(Opcode::JmpIfFalse, use_fallback);
        let base = self.b.depth;
        self.b.get_local(slot + 1, n);
        self.b.jump(Opcode::Jmp, end);
        self.b.depth = base;
        self.b.mark(use_fallback);
        self.expr_sized(fallback, n)?;
        self.b.mark(end);
        self.b.depth = base + n;
        Ok(())
    }

    fn propagate(&mut self, node: NodeId, inner: NodeId) -> CResult<()> {
        let (slot, payload, kind) = self.spill_failable(inner)?;
        let n = self.size(payload)?;
        let ok = self.b.label();
        self.b.get_local(slot, 1);
        self.b.jump(Opcode::JmpIfTrue, ok);
        let base = self.b.depth;
        let ret = self.ret;
        let ret_size = self.size(ret)?;
        match (kind, self.a.types.kind(ret)) {
            (TypeKind::Optional(_), TypeKind::Optional(u)) => {
                self.push_bool(false);
                self.push_zero(u)?;
            }
            (TypeKind::Result(..), TypeKind::Result(u, _)) => {
                self.push_bool(false);
                self.push_zero(u)?;
                self.b.get_local(slot + 1 + n, 1);
            }
            _ => return self.unlowerable(node, "`?` here"),
        }
        self.emit_return(ret_size)?;
        self.b.depth = base;
        self.b.mark(ok);
        self.b.get_local(slot + 1, n);
        Ok(())
    }

    // ----- calls -----

    fn call(
        &mut self,
        node: NodeId,
        callee: NodeId,
        args: prometeu_analysis::syntax::NodeList,
    ) -> CResult<()> {
        let args: Vec<NodeId> = self.ast.list(args).to_vec();
        match *self.ast.kind(callee) {
            NodeKind::NameRef { .. } => {
                let Some(sym) = self.symbol_at(callee) else {
                    return Err(CompileError::internal(
                        Some(self.span(callee)),
                        "an unresolved callee",
                    ));
                };
                match self.a.symbols.get(sym).kind {
                    SymbolKind::Struct => {
                        for &a in &args {
                            self.expr(a)?;
                        }
                        Ok(())
                    }
                    SymbolKind::Function | SymbolKind::ServiceFn | SymbolKind::AssocFn => {
                        self.call_fn(node, sym, &args, None)
                    }
                    _ => self.unlowerable(node, "a call of this kind of name"),
                }
            }
            NodeKind::Member { base, name } => {
                let Some(member) = self.symbol_at(name) else {
                    // Built-in methods of lists, arrays and strings resolve to no symbol.
                    return self.builtin_method(node, base, name, &args);
                };
                if self.type_path(base).is_some() {
                    return match self.a.symbols.get(member).kind {
                        SymbolKind::AssocFn | SymbolKind::ServiceFn => {
                            self.call_fn(node, member, &args, None)
                        }
                        SymbolKind::HostFn => self.syscall(node, member, &args),
                        _ => self.unlowerable(node, "a call of this member"),
                    };
                }
                match self.a.symbols.get(member).kind {
                    SymbolKind::Method => self.call_fn(node, member, &args, Some(base)),
                    _ => self.builtin_method(node, base, name, &args),
                }
            }
            _ => self.unlowerable(node, "this callee"),
        }
    }

    /// Calls PBS function `f`; a method passes its receiver `receiver` first and, for
    /// `mut self`, gets it back on top of the result and writes it back.
    fn call_fn(
        &mut self,
        node: NodeId,
        f: SymbolId,
        args: &[NodeId],
        receiver: Option<NodeId>,
    ) -> CResult<()> {
        let Some(sig) = self.a.facts.signature(f).cloned() else {
            return Err(CompileError::internal(
                Some(self.span(node)),
                "a call of a function without a signature",
            ));
        };
        let mut pops = 0;
        let mut write_back = None;
        let ret = self.size(sig.ret)?;
        if let Some(r) = receiver {
            let mut_self = sig.receiver == Some(true);
            // The receiver's index may wait on the stack for the write-back only when
            // no result comes back above it.
            let place = self.place(r, !mut_self || ret == 0)?;
            self.read_place(&place, mut_self)?;
            pops += place.size;
            if mut_self {
                write_back = Some(place);
            }
        }
        for (&a, &t) in args.iter().zip(&sig.params) {
            pops += self.size(t)?;
            self.expr(a)?;
        }
        let back = write_back.as_ref().map_or(0, |p| p.size);
        self.cx.want(f);
        self.b.span = self.span(node);
        self.b.raw(Op::Call(Callee::Fn(f)), pops, ret + back);
        if let Some(place) = write_back {
            self.write_place(&place)?;
        }
        Ok(())
    }

    fn syscall(&mut self, node: NodeId, host_fn: SymbolId, args: &[NodeId]) -> CResult<()> {
        let sym = self.a.symbols.get(host_fn);
        let contract = sym
            .parent
            .map(|p| self.a.symbol_name(p))
            .unwrap_or_default();
        let name = self.a.symbol_name(host_fn);
        let Some(call) = prometeu_abi::SYSCALLS
            .iter()
            .find(|s| s.contract == contract && s.name == name)
        else {
            return Err(CompileError::internal(
                Some(self.span(node)),
                format!("`{contract}.{name}` is not in the system-call table"),
            ));
        };
        for &a in args {
            self.expr(a)?;
        }
        let (arg_slots, ret_slots) = (call.args.len() as u32, call.rets.len() as u32);
        self.cx.syscalls.insert(
            call.id,
            SyscallRef {
                id: call.id,
                arg_slots: arg_slots as u16,
                ret_slots: ret_slots as u16,
            },
        );
        self.b.span = self.span(node);
        self.b
            .dyn_op(Instr::u32(Opcode::Syscall, call.id), arg_slots, ret_slots);
        Ok(())
    }

    /// True when reading `node` has no effect and cannot trap: a local, parameter,
    /// `self` or service state, or a struct-field path on one. View bindings are
    /// excluded (reading one goes through its handle's gate).
    pub(super) fn is_plain_read(&self, node: NodeId) -> bool {
        // Field paths are as deep as structs nest.
        ensure_sufficient_stack(|| self.is_plain_read_inner(node))
    }

    fn is_plain_read_inner(&self, node: NodeId) -> bool {
        match *self.ast.kind(node) {
            NodeKind::Paren { inner } => self.is_plain_read(inner),
            NodeKind::NameRef { .. } | NodeKind::SelfRef => {
                let sym = match self.ast.kind(node) {
                    NodeKind::SelfRef => self.self_symbol(node).ok(),
                    _ => self.symbol_at(node),
                };
                sym.is_some_and(|s| {
                    !self.views.contains_key(&s)
                        && (self.locals.contains_key(&s) || self.cx.globals.contains_key(&s))
                })
            }
            NodeKind::Member { base, name } => {
                self.symbol_at(name)
                    .is_some_and(|f| self.a.symbols.get(f).kind == SymbolKind::Field)
                    && self.is_plain_read(base)
            }
            _ => false,
        }
    }

    fn builtin_method(
        &mut self,
        node: NodeId,
        base: NodeId,
        name: NodeId,
        args: &[NodeId],
    ) -> CResult<()> {
        let method = self.name_text(name);
        let base_ty = self.ty(base)?;
        match (self.a.types.kind(base_ty), method) {
            (TypeKind::String, "len") => {
                self.expr(base)?;
                self.b.simple(Opcode::StrLen);
            }
            (TypeKind::Array(_, n), "len") => {
                // The length is in the type. Copying a stored array onto the stack only
                // to pop it cost `size` slot copies per call (5,000 in a `for` loop
                // over 1,000 structs); only a base with effects must still run.
                if !self.is_plain_read(base) {
                    let size = self.size(base_ty)?;
                    self.expr(base)?;
                    self.b.pop(size);
                }
                self.push_i32(n as i32);
            }
            (TypeKind::List(elem), _) => {
                let n = self.size(elem)?;
                self.expr(base)?;
                for &a in args {
                    self.expr(a)?;
                }
                self.b.span = self.span(node);
                let (op, pops, pushes) = match method {
                    "len" => (Opcode::ListLen, 1, 1),
                    "push" => (Opcode::ListPush, 1 + n, 0),
                    "pop" => (Opcode::ListPop, 1, 1 + n),
                    "get" => (Opcode::ListGet, 2, n),
                    "set" => (Opcode::ListSet, 2 + n, 0),
                    "insert" => (Opcode::ListInsert, 2 + n, 0),
                    "remove" => (Opcode::ListRemove, 2, n),
                    "clear" => (Opcode::ListClear, 1, 0),
                    _ => return self.unlowerable(node, "this list method"),
                };
                let instr = match op {
                    // The list's layout is named: the verifier cannot tell its handle
                    // from a list inside the element (`list<list<T>>`).
                    Opcode::ListPush | Opcode::ListSet | Opcode::ListInsert => {
                        Instr::u32(op, self.cx.layouts.handle_layout(self.a, base_ty)?)
                    }
                    _ => Instr::op(op),
                };
                self.b.dyn_op(instr, pops, pushes);
            }
            _ => return self.unlowerable(node, "this method"),
        }
        Ok(())
    }

    // ----- matching -----

    fn when(
        &mut self,
        node: NodeId,
        subject: NodeId,
        arms: prometeu_analysis::syntax::NodeList,
    ) -> CResult<()> {
        let want = self.size(
            self.a
                .facts
                .node_type(self.file, node)
                .unwrap_or(TypeArena::VOID),
        )?;
        let subject_ty = self.ty(subject)?;
        let slot = self.subject_slots(subject, subject_ty)?;
        let end = self.b.label();
        let base = self.b.depth;
        for &arm in self.ast.list(arms) {
            let NodeKind::Arm { pattern, value } = *self.ast.kind(arm) else {
                continue;
            };
            let next = self.b.label();
            self.b.depth = base;
            self.pattern(pattern, slot, subject_ty, next)?;
            self.expr_sized(value, want)?;
            if !self.b.dead {
                self.b.jump(Opcode::Jmp, end);
            }
            self.b.mark(next);
        }
        self.b.depth = base;
        if want > 0 || self.diverges(node) {
            // Exhaustive by the checker: no arm matching cannot happen (also when every
            // arm leaves and the `when` has no value).
            self.b.trap_impossible();
        }
        self.b.mark(end);
        self.b.depth = base + want;
        Ok(())
    }

    fn handle(
        &mut self,
        node: NodeId,
        subject: NodeId,
        arms: prometeu_analysis::syntax::NodeList,
    ) -> CResult<()> {
        let (slot, payload, kind) = self.spill_failable(subject)?;
        let TypeKind::Result(_, err_ty) = kind else {
            return self.unlowerable(node, "`handle` of an optional");
        };
        let n = self.size(payload)?;
        let end = self.b.label();
        let failed = self.b.label();
        self.b.get_local(slot, 1);
        self.b.jump(Opcode::JmpIfFalse, failed);
        let base = self.b.depth;
        self.b.get_local(slot + 1, n);
        self.b.jump(Opcode::Jmp, end);
        self.b.mark(failed);
        let err_slot = slot + 1 + n;
        for &arm in self.ast.list(arms) {
            let NodeKind::Arm { pattern, value } = *self.ast.kind(arm) else {
                continue;
            };
            let next = self.b.label();
            self.b.depth = base;
            self.pattern(pattern, err_slot, err_ty, next)?;
            match *self.ast.kind(value) {
                NodeKind::OkExpr { value: v } => {
                    if let Some(v) = v {
                        self.expr_sized(v, n)?;
                    }
                    self.b.jump(Opcode::Jmp, end);
                }
                NodeKind::ErrExpr { value: e } => {
                    let ret = self.ret;
                    let TypeKind::Result(u, _) = self.a.types.kind(ret) else {
                        return self.unlowerable(
                            value,
                            "`err` arm in a function that does not return a result",
                        );
                    };
                    self.push_bool(false);
                    self.push_zero(u)?;
                    self.expr(e)?;
                    let ret_size = self.size(ret)?;
                    self.emit_return(ret_size)?;
                }
                _ => {
                    return self
                        .unlowerable(value, "a `handle` arm that is not `ok(…)` or `err(…)`");
                }
            }
            self.b.mark(next);
        }
        self.b.depth = base;
        self.b.trap_impossible();
        self.b.mark(end);
        self.b.depth = base + n;
        Ok(())
    }

    /// Tests the value of type `ty` in the locals at `slot` against `pattern`: falls
    /// through when it matches (with its bindings set), jumps to `fail` otherwise.
    fn pattern(
        &mut self,
        pattern: NodeId,
        slot: u32,
        ty: TypeId,
        fail: crate::emit::Label,
    ) -> CResult<()> {
        match *self.ast.kind(pattern) {
            NodeKind::PatWildcard => {}
            NodeKind::PatBind { .. } => {
                // Bindings are immutable: the binding reads the matched slots in place.
                if let Some(s) = self.decl_local(pattern) {
                    self.bind_local(s, slot);
                }
            }
            NodeKind::PatLiteral { value } => {
                let n = self.size(ty)?;
                self.b.get_local(slot, n);
                self.expr(value)?;
                self.equality(ty, true)?;
                self.b.jump(Opcode::JmpIfFalse, fail);
            }
            NodeKind::PatNone => {
                self.b.get_local(slot, 1);
                self.b.jump(Opcode::JmpIfTrue, fail);
            }
            NodeKind::PatSome { inner } => {
                let TypeKind::Optional(t) = self.a.types.kind(ty) else {
                    return self.unlowerable(pattern, "`some` pattern on this type");
                };
                self.b.get_local(slot, 1);
                self.b.jump(Opcode::JmpIfFalse, fail);
                self.pattern(inner, slot + 1, t, fail)?;
            }
            NodeKind::PatOk { inner } => {
                let TypeKind::Result(t, _) = self.a.types.kind(ty) else {
                    return self.unlowerable(pattern, "`ok` pattern on this type");
                };
                self.b.get_local(slot, 1);
                self.b.jump(Opcode::JmpIfFalse, fail);
                if let Some(inner) = inner {
                    self.pattern(inner, slot + 1, t, fail)?;
                }
            }
            NodeKind::PatErr { inner } => {
                let TypeKind::Result(t, e) = self.a.types.kind(ty) else {
                    return self.unlowerable(pattern, "`err` pattern on this type");
                };
                let n = self.size(t)?;
                self.b.get_local(slot, 1);
                self.b.jump(Opcode::JmpIfTrue, fail);
                self.pattern(inner, slot + 1 + n, e, fail)?;
            }
            NodeKind::PatCase { case, .. } => {
                let Some(c) = self.symbol_at(case) else {
                    return Err(CompileError::internal(
                        Some(self.span(pattern)),
                        "an unresolved error case",
                    ));
                };
                self.b.get_local(slot, 1);
                self.push_i32(case_index(self.a, c));
                self.b.simple(Opcode::IEq);
                self.b.jump(Opcode::JmpIfFalse, fail);
            }
            NodeKind::PatOr { alts } => {
                let matched = self.b.label();
                let alts: Vec<NodeId> = self.ast.list(alts).to_vec();
                for (i, &alt) in alts.iter().enumerate() {
                    if i + 1 == alts.len() {
                        self.pattern(alt, slot, ty, fail)?;
                    } else {
                        let next = self.b.label();
                        self.pattern(alt, slot, ty, next)?;
                        self.b.jump(Opcode::Jmp, matched);
                        self.b.mark(next);
                    }
                }
                self.b.mark(matched);
            }
            _ => return self.unlowerable(pattern, "this pattern"),
        }
        Ok(())
    }

    // ----- HIP -----

    fn view(&mut self, node: NodeId, kind: ViewKind, handle: NodeId, body: NodeId) -> CResult<()> {
        let want = self.size(
            self.a
                .facts
                .node_type(self.file, node)
                .unwrap_or(TypeArena::VOID),
        )?;
        self.expr(handle)?;
        let begin = match kind {
            ViewKind::Borrow => Opcode::BorrowBegin,
            ViewKind::Mutate => Opcode::MutateBegin,
        };
        self.b.dyn_op(Instr::op(begin), 1, 1);
        let slot = self.b.spill(1)?;
        if let Some(s) = self.decl_local(node) {
            self.views.insert(s, slot);
            let name = self.a.symbol_name(s).to_string();
            self.b.code.local_names.push((slot, name));
        }
        self.open_views.push((slot, kind));
        self.block(body, want)?;
        self.open_views.pop();
        if !self.b.dead {
            self.b.get_local(slot, 1);
            self.end_view(kind);
        }
        Ok(())
    }
}

/// The int comparison opcode that is true exactly when `op` on two ints is false.
fn negated_int_cmp(op: BinaryOp) -> Option<Opcode> {
    Some(match op {
        BinaryOp::Lt => Opcode::IGe,
        BinaryOp::Le => Opcode::IGt,
        BinaryOp::Gt => Opcode::ILe,
        BinaryOp::Ge => Opcode::ILt,
        BinaryOp::Eq => Opcode::INe,
        BinaryOp::Ne => Opcode::IEq,
        _ => return None,
    })
}
