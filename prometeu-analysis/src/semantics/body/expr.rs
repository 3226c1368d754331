//! Expressions and calls (§6.1–§6.3, §6.5).

use super::{BodyChecker, PathBase, Res, binary_result, cast_allowed, is_expression, is_statement};
use crate::semantics::builtins::{BuiltinReceiver, BuiltinType, builtin_method};
use crate::semantics::collect::{format_hint, name_of};
use crate::semantics::{RefKind, SymbolKind, TypeArena, TypeKind};
use crate::syntax::{BinaryOp, NodeKind, NodeList, UnaryOp};
use crate::{DiagnosticCode, NodeId, Span, SymbolId, TypeId};

impl BodyChecker<'_, '_> {
    // ----- expressions -----

    /// Checks `node` where a value of type `expected` is required; reports a mismatch
    /// and returns `expected` (so bindings keep their declared type).
    pub(super) fn expect(&mut self, node: NodeId, expected: TypeId) -> TypeId {
        let found = self.value(node, Some(expected));
        if found != expected && !self.is_err(found) && !self.is_err(expected) {
            let (e, f) = (self.show(expected), self.show(found));
            let span = self.span(node);
            if e != f {
                let hint = self.conversion_hint(node, found, expected);
                let message = format!("expected `{e}`, found `{f}`{hint}");
                self.report(DiagnosticCode::TypeMismatch, span, message);
            } else {
                // Two declarations with one name (in different modules): say so, and
                // show both.
                let message = format!("expected `{e}`, found a different type also named `{f}`");
                let mut d = crate::Diagnostic::new(DiagnosticCode::TypeMismatch, span, message);
                for (ty, what) in [(expected, "the expected"), (found, "the found")] {
                    if let Some(decl) = self.nominal_decl(ty) {
                        d = d.with_related(decl, format!("{what} `{e}` is declared here"));
                    }
                }
                self.ck.diagnostics.push(d);
            }
        }
        expected
    }

    /// How to turn `node` (of type `found`) into an `expected` when a cast can: `: write
    /// `1.0`` for an int literal where a float is wanted, else `: convert it: `(x as T)``.
    pub(super) fn conversion_hint(&self, node: NodeId, found: TypeId, expected: TypeId) -> String {
        let (from, to) = (self.ck.types.kind(found), self.ck.types.kind(expected));
        if !cast_allowed(from, to) {
            return String::new();
        }
        format!(": {}", self.conversion(node, expected))
    }

    /// What to write for `node` as a `to`: `write `2.0`` for an int literal where a
    /// float is wanted, else `convert it: `(x as T)``.
    fn conversion(&self, node: NodeId, to: TypeId) -> String {
        match (self.kind(node), self.ck.types.kind(to)) {
            (NodeKind::IntLit { value }, TypeKind::Float) => format!("write `{value}.0`"),
            _ => format!("convert it: {}", self.cast_hint(node, to)),
        }
    }

    /// For `lhs op rhs` of two types the operator does not combine: which operand to
    /// convert, when one cast makes it apply (`"count: " + count` →
    /// `(count as string)`; `n * 0.5` → `(n as float)`).
    fn operand_hint(&self, op: BinaryOp, lhs: (NodeId, TypeId), rhs: (NodeId, TypeId)) -> String {
        let kind = |t| self.ck.types.kind(t);
        let rank = |k: TypeKind| match k {
            TypeKind::String if op == BinaryOp::Add => 3,
            TypeKind::Float => 2,
            TypeKind::Int => 1,
            _ => 0,
        };
        // Convert the operand of the weaker type to the stronger one: to `string` for
        // `+`, else to `float`, else to `int`.
        let (target, other) = if rank(kind(lhs.1)) >= rank(kind(rhs.1)) {
            (lhs.1, rhs)
        } else {
            (rhs.1, lhs)
        };
        if rank(kind(target)) == 0 || !cast_allowed(kind(other.1), kind(target)) {
            return String::new();
        }
        if binary_result(&self.ck.types, op, target, target).is_none() {
            return String::new();
        }
        format!(": {}", self.conversion(other.0, target))
    }

    /// Where a struct, error, service or contract type is declared.
    fn nominal_decl(&self, ty: TypeId) -> Option<Span> {
        match self.ck.types.kind(ty) {
            TypeKind::Struct(s)
            | TypeKind::ErrorType(s)
            | TypeKind::Service(s)
            | TypeKind::Contract(s) => Some(self.ck.symbols.get(s).decl_span),
            _ => None,
        }
    }

    /// Checks `node` where a value is required: a `void` result is reported.
    pub(super) fn value(&mut self, node: NodeId, expected: Option<TypeId>) -> TypeId {
        let t = self.expr(node, expected, true);
        if t == TypeArena::VOID && expected != Some(TypeArena::VOID) {
            let span = self.span(node);
            if matches!(self.kind(node), NodeKind::Call { .. }) {
                self.report(
                    DiagnosticCode::TypeVoidValue,
                    span,
                    "this call returns nothing",
                );
            } else {
                self.report(
                    DiagnosticCode::TypeMismatch,
                    span,
                    "expected a value, found nothing (`void`)",
                );
            }
            return TypeArena::ERROR;
        }
        t
    }

    /// The type of expression `node`, recorded in the facts. `as_value` is false for an
    /// expression statement (a `when` need not be exhaustive, an `if` needs no `else`).
    pub(super) fn expr(
        &mut self,
        node: NodeId,
        expected: Option<TypeId>,
        as_value: bool,
    ) -> TypeId {
        let view_base = std::mem::replace(&mut self.view_base, false);
        // A flat chain (`a + b + …`, `x.f().f()…`) is as deep as it is long.
        let ty = crate::stack::ensure_sufficient_stack(|| {
            self.expr_kind(node, expected, as_value, view_base)
        });
        self.record_type(node, ty)
    }

    pub(super) fn expr_kind(
        &mut self,
        node: NodeId,
        expected: Option<TypeId>,
        as_value: bool,
        view_base: bool,
    ) -> TypeId {
        let span = self.span(node);
        let expected_kind = expected.map(|e| self.ck.types.kind(e));
        match self.kind(node) {
            NodeKind::IntLit { .. } => TypeArena::INT,
            NodeKind::FloatLit { .. } => TypeArena::FLOAT,
            NodeKind::BoundedLit { .. } => TypeArena::BOUNDED,
            NodeKind::StringLit { .. } => TypeArena::STRING,
            NodeKind::BoolLit { .. } => TypeArena::BOOL,
            NodeKind::NoneLit => match expected_kind {
                Some(TypeKind::Optional(_)) => expected.unwrap_or(TypeArena::ERROR),
                Some(TypeKind::Error) => TypeArena::ERROR,
                Some(_) => {
                    let message = format!(
                        "expected `{}`, found `none`",
                        self.show(expected.unwrap_or(TypeArena::ERROR))
                    );
                    self.report(DiagnosticCode::TypeMismatch, span, message);
                    TypeArena::ERROR
                }
                None => {
                    self.report(
                        DiagnosticCode::TypeInfer,
                        span,
                        "the type of `none` is unknown here; annotate it (`let x: optional<T> = none;`)",
                    );
                    TypeArena::ERROR
                }
            },
            NodeKind::NameRef { name } => match self.resolve_value(node, name) {
                Res::Local(s) => {
                    if self.view_symbols.contains(&s) && !view_base {
                        self.report(
                            DiagnosticCode::HipViewEscape,
                            span,
                            "a view name can only be used to reach fields inside its block",
                        );
                        return TypeArena::ERROR;
                    }
                    self.ck.facts.symbol_type(s).unwrap_or(TypeArena::ERROR)
                }
                Res::Item(s) => self.item_value(s, span),
                Res::Type(s) => {
                    let message = format!(
                        "`{}` is a type, not a value",
                        self.ck.text(self.ck.symbols.get(s).name)
                    );
                    self.report(DiagnosticCode::ResolveNotAValue, span, message);
                    TypeArena::ERROR
                }
                Res::Quiet => TypeArena::ERROR,
            },
            NodeKind::SelfRef => match self.find_local(self.ck.known.self_) {
                Some(s) => {
                    self.use_symbol(s, node, span, RefKind::Read);
                    self.ck.facts.symbol_type(s).unwrap_or(TypeArena::ERROR)
                }
                None => {
                    self.report(
                        DiagnosticCode::ResolveUndefined,
                        span,
                        "`self` exists only in methods",
                    );
                    TypeArena::ERROR
                }
            },
            NodeKind::Paren { inner } => {
                self.view_base = view_base;
                self.expr(inner, expected, as_value)
            }
            NodeKind::ArrayLit { elems } => {
                let elems = self.list(elems);
                let (elem, len) = match expected_kind {
                    Some(TypeKind::Array(e, n)) => (Some(e), Some(n)),
                    _ => (None, None),
                };
                let Some(&first) = elems.first() else {
                    return match (elem, len) {
                        (Some(_), Some(0)) => expected.unwrap_or(TypeArena::ERROR),
                        _ if expected_kind == Some(TypeKind::Error) => TypeArena::ERROR,
                        _ => {
                            self.report(
                                DiagnosticCode::TypeInfer,
                                span,
                                "the element type of `[]` is unknown here; annotate it",
                            );
                            TypeArena::ERROR
                        }
                    };
                };
                let elem = match elem {
                    Some(e) => self.expect(first, e),
                    None => self.value(first, None),
                };
                for &e in &elems[1..] {
                    self.expect(e, elem);
                }
                if self.is_err(elem) {
                    return TypeArena::ERROR;
                }
                let ty = self
                    .ck
                    .types
                    .intern(TypeKind::Array(elem, elems.len() as u32));
                self.ck.note_array(span, ty);
                ty
            }
            NodeKind::ArrayRepeat { value, count } => {
                let elem = match expected_kind {
                    Some(TypeKind::Array(e, _)) => self.expect(value, e),
                    _ => self.value(value, None),
                };
                self.expect(count, TypeArena::INT);
                let n = self.ck.eval_array_count(self.file, count);
                match n {
                    Some(n) if !self.is_err(elem) => {
                        let ty = self.ck.types.intern(TypeKind::Array(elem, n));
                        let count_span = self.span(count);
                        self.ck.note_array(count_span, ty);
                        ty
                    }
                    _ => TypeArena::ERROR,
                }
            }
            NodeKind::SomeExpr { value } => {
                let inner = match expected_kind {
                    Some(TypeKind::Optional(t)) => self.expect(value, t),
                    _ => self.value(value, None),
                };
                if self.is_err(inner) {
                    return TypeArena::ERROR;
                }
                self.ck.types.intern(TypeKind::Optional(inner))
            }
            NodeKind::OkExpr { value } => match expected_kind {
                Some(TypeKind::Result(t, _)) => {
                    match value {
                        Some(v) => {
                            self.expect(v, t);
                        }
                        None if t != TypeArena::VOID && !self.is_err(t) => {
                            let message = format!("expected `ok(…)` with a `{}`", self.show(t));
                            self.report(DiagnosticCode::TypeMismatch, span, message);
                        }
                        None => {}
                    }
                    expected.unwrap_or(TypeArena::ERROR)
                }
                _ => self.infer_failure(node, expected, "`ok(…)`"),
            },
            NodeKind::ErrExpr { value } => match expected_kind {
                Some(TypeKind::Result(_, e)) => {
                    self.expect(value, e);
                    expected.unwrap_or(TypeArena::ERROR)
                }
                _ => self.infer_failure(node, expected, "`err(…)`"),
            },
            NodeKind::Alloc { value } => {
                let inner = match expected_kind {
                    Some(TypeKind::Ref(t)) => self.expect(value, t),
                    _ => self.value(value, None),
                };
                if self.is_err(inner) {
                    return TypeArena::ERROR;
                }
                if matches!(
                    self.ck.types.kind(inner),
                    TypeKind::Service(_)
                        | TypeKind::Contract(_)
                        | TypeKind::Ref(_)
                        | TypeKind::List(_)
                ) {
                    let message =
                        format!("`alloc` stores a SAFE value, found `{}`", self.show(inner));
                    let vspan = self.span(value);
                    self.report(DiagnosticCode::TypeMismatch, vspan, message);
                    return TypeArena::ERROR;
                }
                self.ck.types.intern(TypeKind::Ref(inner))
            }
            NodeKind::AllocList { elem } => {
                let t = self.ck.resolve_type(self.file, elem, false);
                if self.is_err(t) {
                    return TypeArena::ERROR;
                }
                self.ck.types.intern(TypeKind::List(t))
            }
            NodeKind::Call { callee, args } => self.call(node, callee, args),
            NodeKind::Member { base, name } => match self.path_base(base) {
                PathBase::Type(owner) => self.type_member(owner, name),
                PathBase::Quiet => TypeArena::ERROR,
                PathBase::Value => {
                    self.view_base = true;
                    let bt = self.expr(base, None, true);
                    self.view_base = false;
                    self.value_member(bt, name)
                }
            },
            NodeKind::Index { base, index } => {
                self.view_base = true;
                let bt = self.expr(base, None, true);
                self.view_base = false;
                self.expect(index, TypeArena::INT);
                match self.ck.types.kind(bt) {
                    TypeKind::Array(e, _) | TypeKind::List(e) => e,
                    TypeKind::Error => TypeArena::ERROR,
                    _ => {
                        let message = format!("`{}` cannot be indexed", self.show(bt));
                        let bspan = self.span(base);
                        self.report(DiagnosticCode::TypeMismatch, bspan, message);
                        TypeArena::ERROR
                    }
                }
            }
            NodeKind::Propagate { inner } => {
                let t = self.value(inner, None);
                let ret = self.ret.map(|r| self.ck.types.kind(r));
                match (self.ck.types.kind(t), ret) {
                    (TypeKind::Error, _) | (_, Some(TypeKind::Error)) => TypeArena::ERROR,
                    (TypeKind::Optional(v), Some(TypeKind::Optional(_))) => v,
                    (TypeKind::Result(v, e), Some(TypeKind::Result(_, re))) if e == re => v,
                    _ => {
                        let message = match ret {
                            Some(TypeKind::Optional(_)) | Some(TypeKind::Result(..)) => format!(
                                "`?` on a `{}` inside a function returning `{}`",
                                self.show(t),
                                self.show(self.ret.unwrap_or(TypeArena::ERROR))
                            ),
                            _ => "`?` needs a function that returns an optional or a result"
                                .to_string(),
                        };
                        self.report(DiagnosticCode::TypePropagate, span, message);
                        match self.ck.types.kind(t) {
                            TypeKind::Optional(v) | TypeKind::Result(v, _) => v,
                            _ => TypeArena::ERROR,
                        }
                    }
                }
            }
            NodeKind::Unary { op, operand } => {
                let t = self.value(operand, None);
                if self.is_err(t) {
                    return TypeArena::ERROR;
                }
                let ok = match op {
                    UnaryOp::Neg => {
                        matches!(self.ck.types.kind(t), TypeKind::Int | TypeKind::Float)
                    }
                    UnaryOp::Not => t == TypeArena::BOOL,
                };
                if ok {
                    t
                } else {
                    let op_span = Span::new(self.file, span.start, span.start + 1);
                    let message = format!("`{}` does not apply to `{}`", op.text(), self.show(t));
                    self.report(DiagnosticCode::TypeOperator, op_span, message);
                    TypeArena::ERROR
                }
            }
            NodeKind::Binary { op, lhs, rhs } => {
                let lt = self.value(lhs, None);
                // The right operand of `&&`/`||` may not run: a block in it that leaves
                // does not end what follows (§11, reachability).
                let before = self.diverged;
                let rt = match op {
                    BinaryOp::Eq | BinaryOp::Ne if !self.is_err(lt) => self.value(rhs, Some(lt)),
                    _ => self.value(rhs, None),
                };
                if matches!(op, BinaryOp::And | BinaryOp::Or) {
                    self.diverged = before;
                }
                let comparison = matches!(
                    op,
                    BinaryOp::Eq
                        | BinaryOp::Ne
                        | BinaryOp::Lt
                        | BinaryOp::Le
                        | BinaryOp::Gt
                        | BinaryOp::Ge
                );
                if self.is_err(lt) || self.is_err(rt) {
                    // A comparison, `&&` or `||` is a `bool` whatever its operands: the
                    // unknown type is kept for expressions that never produce a value,
                    // and `c && { break; }` does when `c` is false.
                    let logical = matches!(op, BinaryOp::And | BinaryOp::Or);
                    return if comparison || logical {
                        TypeArena::BOOL
                    } else {
                        TypeArena::ERROR
                    };
                }
                match binary_result(&self.ck.types, op, lt, rt) {
                    Some(t) => t,
                    None => {
                        let lspan = self.span(lhs);
                        let op_span = self.token_after(lspan.end).unwrap_or(span);
                        let hint = self.operand_hint(op, (lhs, lt), (rhs, rt));
                        let message = format!(
                            "`{}` does not apply to `{}` and `{}`{hint}",
                            op.text(),
                            self.show(lt),
                            self.show(rt)
                        );
                        self.report(DiagnosticCode::TypeOperator, op_span, message);
                        if comparison {
                            TypeArena::BOOL
                        } else {
                            TypeArena::ERROR
                        }
                    }
                }
            }
            NodeKind::Cast { value, ty } => {
                let from = self.value(value, None);
                let to = self.ck.resolve_type(self.file, ty, false);
                if self.is_err(from) || self.is_err(to) {
                    return TypeArena::ERROR;
                }
                if cast_allowed(self.ck.types.kind(from), self.ck.types.kind(to)) {
                    to
                } else {
                    let message = format!(
                        "cannot convert `{}` to `{}`",
                        self.show(from),
                        self.show(to)
                    );
                    self.report(DiagnosticCode::TypeInvalidCast, span, message);
                    TypeArena::ERROR
                }
            }
            NodeKind::Else { value, fallback } => {
                let t = self.value(value, None);
                // The fallback runs only on `none`/`err`: leaving inside it does not end
                // what follows (§11, reachability).
                let before = self.diverged;
                let ty = self.else_fallback(value, fallback, t, expected);
                self.diverged = before;
                ty
            }
            NodeKind::When {
                subject,
                arms,
                keyword,
            } => self.when(subject, arms, keyword, expected, as_value),
            NodeKind::Handle { subject, arms } => self.handle(node, subject, arms, as_value),
            NodeKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expect(cond, TypeArena::BOOL);
                let before = self.diverged;
                let (tt, _) = self.block(then, expected, as_value);
                let tt = self.branch_value(then, tt, expected, as_value);
                let then_diverged = self.diverged;
                self.diverged = before;
                let Some(otherwise) = otherwise else {
                    if as_value {
                        self.report(
                            DiagnosticCode::TypeMismatch,
                            span,
                            "an `if` used as a value needs an `else`",
                        );
                        return TypeArena::ERROR;
                    }
                    return TypeArena::VOID;
                };
                let join = if as_value {
                    expected.or_else(|| (!self.is_err(tt)).then_some(tt))
                } else {
                    None
                };
                let et = match self.kind(otherwise) {
                    NodeKind::Block { .. } => self.block(otherwise, join, as_value).0,
                    _ => self.expr(otherwise, join, as_value),
                };
                let et = self.branch_value(otherwise, et, expected, as_value);
                self.diverged = before || (then_diverged && self.diverged);
                if !as_value {
                    return TypeArena::VOID;
                }
                if join.is_none() && !self.is_err(et) {
                    return et;
                }
                if self.is_err(tt) && self.is_err(et) {
                    return TypeArena::ERROR;
                }
                join.unwrap_or(TypeArena::ERROR)
            }
            NodeKind::Block { .. } => self.block(node, expected, as_value).0,
            NodeKind::View {
                kind,
                handle,
                name,
                body,
            } => self.view(node, kind, handle, name, body, expected, as_value),
            NodeKind::Peek { handle } | NodeKind::Take { handle } => {
                let t = self.value(handle, None);
                let is_take = matches!(self.kind(node), NodeKind::Take { .. });
                self.check_access_conflict(handle, is_take);
                match self.ck.types.kind(t) {
                    TypeKind::Ref(inner) => inner,
                    TypeKind::Error => TypeArena::ERROR,
                    _ => {
                        self.not_handle(handle, t);
                        TypeArena::ERROR
                    }
                }
            }
            NodeKind::Range { start, end } => {
                self.expect(start, TypeArena::INT);
                self.expect(end, TypeArena::INT);
                TypeArena::ERROR
            }
            NodeKind::Error { children } => {
                // The well-formed pieces of an erroneous region still resolve (their
                // names are uses), but the region itself has the unknown type.
                for child in self.list(children) {
                    if let NodeKind::AssignStmt { target, value, .. } = self.kind(child) {
                        self.recovered_assign(target, value);
                    } else if is_statement(&self.kind(child)) {
                        self.stmt(child);
                    } else if is_expression(&self.kind(child)) {
                        self.expr(child, None, true);
                    }
                }
                TypeArena::ERROR
            }
            _ => TypeArena::ERROR,
        }
    }

    /// `value else fallback` once `value` has type `t`: the fallback's check and the
    /// expression's type.
    fn else_fallback(
        &mut self,
        value: NodeId,
        fallback: NodeId,
        t: TypeId,
        expected: Option<TypeId>,
    ) -> TypeId {
        match self.ck.types.kind(t) {
            TypeKind::Optional(v) | TypeKind::Result(v, _) => {
                if v == TypeArena::VOID {
                    self.expr(fallback, None, false);
                    return TypeArena::VOID;
                }
                self.expect(fallback, v)
            }
            TypeKind::Error => {
                self.value(fallback, expected);
                TypeArena::ERROR
            }
            _ => {
                let message = format!(
                    "`else` needs an optional or a result, found `{}`",
                    self.show(t)
                );
                let vspan = self.span(value);
                self.report(DiagnosticCode::TypeMismatch, vspan, message);
                self.value(fallback, expected);
                TypeArena::ERROR
            }
        }
    }

    /// A branch of an `if` used as a value must have one: a block without a tail (that
    /// does not diverge) is reported once, here, and becomes the unknown type.
    pub(super) fn branch_value(
        &mut self,
        branch: NodeId,
        ty: TypeId,
        expected: Option<TypeId>,
        as_value: bool,
    ) -> TypeId {
        if as_value && ty == TypeArena::VOID && expected != Some(TypeArena::VOID) {
            let span = self.span(branch);
            let hint = "end it with an expression (no `;`)";
            let message = match expected.filter(|&t| !self.is_err(t)) {
                Some(t) => format!(
                    "expected `{}`, found a branch with no value: {hint}",
                    self.show(t)
                ),
                None => format!("this branch has no value: {hint}"),
            };
            self.report(DiagnosticCode::TypeMismatch, span, message);
            return TypeArena::ERROR;
        }
        ty
    }

    pub(super) fn infer_failure(
        &mut self,
        node: NodeId,
        expected: Option<TypeId>,
        what: &str,
    ) -> TypeId {
        let span = self.span(node);
        // Check the payload anyway, for its names.
        match self.kind(node) {
            NodeKind::OkExpr { value: Some(v) } | NodeKind::ErrExpr { value: v } => {
                self.value(v, None);
            }
            _ => {}
        }
        match expected.map(|e| self.ck.types.kind(e)) {
            Some(TypeKind::Error) => {}
            Some(_) => {
                let message = format!(
                    "expected `{}`, found {what}",
                    self.show(expected.unwrap_or(TypeArena::ERROR))
                );
                self.report(DiagnosticCode::TypeMismatch, span, message);
            }
            None => {
                let message = format!("the result type of {what} is unknown here; annotate it");
                self.report(DiagnosticCode::TypeInfer, span, message);
            }
        }
        TypeArena::ERROR
    }

    pub(super) fn not_handle(&mut self, handle: NodeId, t: TypeId) {
        let span = self.span(handle);
        let message = if matches!(self.ck.types.kind(t), TypeKind::List(_)) {
            "views, `peek` and `take` work on `ref<T>`; a list is changed by its own operations"
                .to_string()
        } else {
            format!("expected a `ref<T>` handle, found `{}`", self.show(t))
        };
        self.report(DiagnosticCode::HipNotHandle, span, message);
    }

    /// The value of an item named in value position.
    pub(super) fn item_value(&mut self, s: SymbolId, span: Span) -> TypeId {
        let sym = self.ck.symbols.get(s);
        if sym.kind.is_fn() {
            let message = format!("`{}` is a function; call it", self.ck.text(sym.name));
            self.report(DiagnosticCode::TypeMismatch, span, message);
            return TypeArena::ERROR;
        }
        if sym.kind == SymbolKind::Service {
            let message = format!(
                "a service is not a value: use its members (`{}.f()`)",
                self.ck.text(sym.name)
            );
            self.report(DiagnosticCode::TypeMismatch, span, message);
            return TypeArena::ERROR;
        }
        self.ck.facts.symbol_type(s).unwrap_or(TypeArena::ERROR)
    }

    /// `T.name` where `T` names a type or service.
    pub(super) fn type_member(&mut self, owner: SymbolId, name: NodeId) -> TypeId {
        let Some(member) = self.find_member(owner, name) else {
            return TypeArena::ERROR;
        };
        let kind = self.ck.symbols.get(member).kind;
        match kind {
            SymbolKind::AssocConst | SymbolKind::ErrorCase | SymbolKind::ServiceField => self
                .ck
                .facts
                .symbol_type(member)
                .unwrap_or(TypeArena::ERROR),
            _ => {
                let span = self.span(name);
                let message = match kind {
                    SymbolKind::Field => {
                        "a field is read from a value, not from its type".to_string()
                    }
                    _ => format!(
                        "`{}` is a function; call it",
                        self.ck.text(self.ck.symbols.get(member).name)
                    ),
                };
                self.report(DiagnosticCode::TypeMismatch, span, message);
                TypeArena::ERROR
            }
        }
    }

    /// Finds and records member `name` of `owner`, reporting an unknown or invisible one.
    pub(super) fn find_member(&mut self, owner: SymbolId, name: NodeId) -> Option<SymbolId> {
        let (n, span) = name_of(&self.parse.arena, name)?;
        let Some(member) = self.ck.defs.member(owner, n) else {
            let owner_name = self.ck.text(self.ck.symbols.get(owner).name).to_string();
            let candidates: Vec<String> = self
                .ck
                .defs
                .members(owner)
                .iter()
                .map(|&m| self.ck.text(self.ck.symbols.get(m).name).to_string())
                .filter(|t| crate::semantics::edit_distance(t, self.ck.text(n)) <= 2)
                .collect();
            let hint =
                match crate::semantics::foreign::type_member_hint(&owner_name, self.ck.text(n)) {
                    Some(hint) if candidates.is_empty() => format!(" ({hint})"),
                    _ => format_hint(&candidates),
                };
            let message = format!("`{owner_name}` has no member `{}`{hint}", self.ck.text(n));
            self.report(DiagnosticCode::TypeNoMember, span, message);
            return None;
        };
        self.use_symbol(member, name, span, RefKind::Read);
        let context = self.owner;
        if !self.ck.visible_from(member, self.file, context) {
            let message = format!("`{}` is private", self.ck.text(n));
            self.report(DiagnosticCode::ResolveNotVisible, span, message);
            return None;
        }
        Some(member)
    }

    /// `value.name` (a field read).
    pub(super) fn value_member(&mut self, base: TypeId, name: NodeId) -> TypeId {
        let span = self.span(name);
        match self.ck.types.kind(base) {
            TypeKind::Error => TypeArena::ERROR,
            TypeKind::Struct(s) => {
                let Some(member) = self.find_member(s, name) else {
                    return TypeArena::ERROR;
                };
                match self.ck.symbols.get(member).kind {
                    SymbolKind::Field => self
                        .ck
                        .facts
                        .symbol_type(member)
                        .unwrap_or(TypeArena::ERROR),
                    SymbolKind::AssocConst => {
                        let message = "a constant is read from its type: `Type.NAME`";
                        self.report(DiagnosticCode::TypeNoMember, span, message);
                        TypeArena::ERROR
                    }
                    _ => {
                        let message = "a method is called: add `(…)`";
                        self.report(DiagnosticCode::TypeMismatch, span, message);
                        TypeArena::ERROR
                    }
                }
            }
            TypeKind::Ref(_) => {
                let message =
                    "a handle has no fields; open a view (`borrow h as v { v.f }`) or `peek` it";
                self.report(DiagnosticCode::TypeNoMember, span, message);
                TypeArena::ERROR
            }
            _ => {
                let text = name_of(&self.parse.arena, name)
                    .map(|(n, _)| self.ck.text(n).to_string())
                    .unwrap_or_default();
                let receiver = match self.ck.types.kind(base) {
                    TypeKind::List(_) => Some(BuiltinReceiver::List),
                    TypeKind::Array(..) => Some(BuiltinReceiver::Array),
                    TypeKind::String => Some(BuiltinReceiver::String),
                    _ => None,
                };
                let hint = match receiver {
                    Some(r) if builtin_method(r, &text).is_some() => {
                        format!(" (a method: call it, `.{text}()`)")
                    }
                    Some(_) => crate::semantics::foreign::member_hint(&text)
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                let message = format!("`{}` has no field `{text}`{hint}", self.show(base));
                self.report(DiagnosticCode::TypeNoMember, span, message);
                TypeArena::ERROR
            }
        }
    }

    // ----- calls -----

    pub(super) fn call(&mut self, node: NodeId, callee: NodeId, args: NodeList) -> TypeId {
        let args = self.list(args);
        let span = self.span(node);
        match self.kind(callee) {
            NodeKind::NameRef { name } => match self.resolve_value(callee, name) {
                Res::Item(s) if self.ck.symbols.get(s).kind.is_fn() => self.call_fn(span, s, &args),
                Res::Type(s) if self.ck.symbols.get(s).kind == SymbolKind::Struct => {
                    let ty = self.ck.facts.symbol_type(s).unwrap_or(TypeArena::ERROR);
                    self.record_type(callee, ty);
                    let fields: Vec<TypeId> = self
                        .ck
                        .defs
                        .members(s)
                        .iter()
                        .filter(|&&m| self.ck.symbols.get(m).kind == SymbolKind::Field)
                        .map(|&m| self.ck.facts.symbol_type(m).unwrap_or(TypeArena::ERROR))
                        .collect();
                    self.args(span, &args, &fields);
                    ty
                }
                Res::Quiet => {
                    self.args_loose(&args);
                    TypeArena::ERROR
                }
                Res::Local(s) | Res::Item(s) | Res::Type(s) => {
                    // A binding of unknown type was explained where it was declared.
                    let ty = self.ck.facts.symbol_type(s);
                    if ty.is_some_and(|t| self.is_err(t)) {
                        self.args_loose(&args);
                        return TypeArena::ERROR;
                    }
                    let what = self.ck.text(self.ck.symbols.get(s).name).to_string();
                    self.report(
                        DiagnosticCode::TypeNotCallable,
                        span,
                        format!("`{what}` is not a function"),
                    );
                    self.args_loose(&args);
                    TypeArena::ERROR
                }
            },
            NodeKind::Member { base, name } => match self.path_base(base) {
                PathBase::Quiet => {
                    self.args_loose(&args);
                    TypeArena::ERROR
                }
                PathBase::Type(owner) => {
                    let Some(member) = self.find_member(owner, name) else {
                        self.args_loose(&args);
                        return TypeArena::ERROR;
                    };
                    match self.ck.symbols.get(member).kind {
                        SymbolKind::AssocFn | SymbolKind::ServiceFn | SymbolKind::HostFn => {
                            self.call_fn(span, member, &args)
                        }
                        kind => {
                            let message = match kind {
                                SymbolKind::Method => "a method is called on a value: `v.m(…)`",
                                SymbolKind::ContractFn => {
                                    "a contract function is called through a service that implements it"
                                }
                                _ => "this member is not a function",
                            };
                            self.report(DiagnosticCode::TypeNotCallable, span, message);
                            self.args_loose(&args);
                            TypeArena::ERROR
                        }
                    }
                }
                PathBase::Value => self.method_call(span, base, name, &args),
            },
            _ => {
                let t = self.value(callee, None);
                if !self.is_err(t) {
                    self.report(
                        DiagnosticCode::TypeNotCallable,
                        span,
                        "this is not a function",
                    );
                }
                self.args_loose(&args);
                TypeArena::ERROR
            }
        }
    }

    pub(super) fn call_fn(&mut self, span: Span, f: SymbolId, args: &[NodeId]) -> TypeId {
        let Some(sig) = self.ck.facts.signature(f).cloned() else {
            self.args_loose(args);
            return TypeArena::ERROR;
        };
        self.args(span, args, &sig.params);
        sig.ret
    }

    pub(super) fn args(&mut self, call_span: Span, args: &[NodeId], params: &[TypeId]) {
        if args.len() != params.len() {
            let message = format!(
                "expected {} argument(s), found {}",
                params.len(),
                args.len()
            );
            self.report(DiagnosticCode::TypeArgCount, call_span, message);
            for (i, &a) in args.iter().enumerate() {
                self.value(a, params.get(i).copied());
            }
            return;
        }
        for (&a, &p) in args.iter().zip(params) {
            self.expect(a, p);
        }
    }

    pub(super) fn args_loose(&mut self, args: &[NodeId]) {
        for &a in args {
            self.expr(a, None, true);
        }
    }

    pub(super) fn method_call(
        &mut self,
        span: Span,
        base: NodeId,
        name: NodeId,
        args: &[NodeId],
    ) -> TypeId {
        let receiver = self.place_base(base);
        let Some((n, name_span)) = name_of(&self.parse.arena, name) else {
            self.args_loose(args);
            return TypeArena::ERROR;
        };
        let method = self.ck.text(n).to_string();
        match self.ck.types.kind(receiver.ty) {
            TypeKind::Error => {
                self.args_loose(args);
                TypeArena::ERROR
            }
            TypeKind::Struct(s) => {
                let Some(member) = self.find_member(s, name) else {
                    self.args_loose(args);
                    return TypeArena::ERROR;
                };
                if self.ck.symbols.get(member).kind != SymbolKind::Method {
                    let message = match self.ck.symbols.get(member).kind {
                        SymbolKind::AssocFn => {
                            format!("`{method}` has no `self`; call it as `Type.{method}(…)`")
                        }
                        _ => format!("`{method}` is not a method"),
                    };
                    self.report(DiagnosticCode::TypeNotCallable, span, message);
                    self.args_loose(args);
                    return TypeArena::ERROR;
                }
                let sig = self.ck.facts.signature(member).cloned();
                if sig.as_ref().and_then(|s| s.receiver) == Some(true) {
                    if let Some((root, node, rspan)) = receiver.root {
                        self.use_symbol(root, node, rspan, RefKind::Write);
                    }
                    if !receiver.mutable {
                        let bspan = self.span(base);
                        let message = format!("`{method}` takes `mut self`: {}", receiver.why);
                        self.report(DiagnosticCode::TypeNotMutable, bspan, message);
                    }
                }
                match sig {
                    Some(sig) => {
                        self.args(span, args, &sig.params);
                        sig.ret
                    }
                    None => TypeArena::ERROR,
                }
            }
            TypeKind::List(_) | TypeKind::Array(..) | TypeKind::String => {
                let (receiver_kind, elem) = match self.ck.types.kind(receiver.ty) {
                    TypeKind::List(t) => (BuiltinReceiver::List, t),
                    TypeKind::Array(t, _) => (BuiltinReceiver::Array, t),
                    _ => (BuiltinReceiver::String, TypeArena::ERROR),
                };
                let Some(builtin) = builtin_method(receiver_kind, &method) else {
                    return self.no_builtin(name_span, receiver.ty, &method, args);
                };
                let mut resolve = |t: BuiltinType| match t {
                    BuiltinType::Elem => elem,
                    BuiltinType::OptionalElem => self.ck.types.intern(TypeKind::Optional(elem)),
                    BuiltinType::Int => TypeArena::INT,
                    BuiltinType::Void => TypeArena::VOID,
                };
                let params: Vec<TypeId> = builtin.params.iter().map(|&(_, t)| resolve(t)).collect();
                let ret = resolve(builtin.ret);
                // A list operation changes the storage, not the binding (§6.6): the
                // receiver stays a read, so `let mut l` for pushing is `W_UNUSED_MUT`.
                self.args(span, args, &params);
                ret
            }
            _ => self.no_builtin(name_span, receiver.ty, &method, args),
        }
    }

    pub(super) fn no_builtin(
        &mut self,
        span: Span,
        ty: TypeId,
        method: &str,
        args: &[NodeId],
    ) -> TypeId {
        let hint = crate::semantics::foreign::member_hint(method)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        let message = format!("`{}` has no method `{method}`{hint}", self.show(ty));
        self.report(DiagnosticCode::TypeNoMember, span, message);
        self.args_loose(args);
        TypeArena::ERROR
    }
}
