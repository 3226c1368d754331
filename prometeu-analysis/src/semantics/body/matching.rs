//! `when`, `handle`, patterns and views (§6.4–§6.6).

use super::{BodyChecker, OpenView};
use crate::semantics::collect::{format_hint, name_of};
use crate::semantics::lints;
use crate::semantics::{Lookup, Namespace, RefKind, SymbolKind, TypeArena, TypeKind};
use crate::syntax::{NodeKind, NodeList, ViewKind};
use crate::{Diagnostic, DiagnosticCode, NodeId, Span, TypeId};

impl BodyChecker<'_, '_> {
    // ----- matching -----

    pub(super) fn when(
        &mut self,
        subject: NodeId,
        arms: NodeList,
        keyword: u32,
        expected: Option<TypeId>,
        as_value: bool,
    ) -> TypeId {
        let st = self.value(subject, None);
        let arms = self.list(arms);
        let mut result = if as_value { expected } else { None };
        let mut patterns = lints::Coverage::default();
        let before = self.diverged;
        // Whether every arm leaves (`return`, `break`, `continue`, …): with exhaustive
        // arms, what follows the `when` is then unreachable (§11, reachability).
        let mut every_arm_leaves = !arms.is_empty();
        for &arm in &arms {
            let NodeKind::Arm { pattern, value } = self.kind(arm) else {
                continue;
            };
            self.enter_arm(pattern, st, &mut patterns);
            self.diverged = before;
            if as_value {
                let t = match result {
                    Some(r) => self.expect(value, r),
                    None => self.value(value, None),
                };
                if result.is_none() && !self.is_err(t) {
                    result = Some(t);
                }
            } else {
                self.expr(value, None, false);
            }
            every_arm_leaves &= self.diverged;
            self.scopes.close();
        }
        // A subject of unknown type was already reported: assume its arms cover it.
        let exhaustive = every_arm_leaves
            && (self.is_err(st)
                || lints::missing_cases(self.ck, &self.parse.arena, patterns.patterns(), st)
                    .is_empty());
        self.diverged = before || exhaustive;
        if as_value {
            self.check_exhaustive("when", keyword, st, patterns.patterns());
            result.unwrap_or(TypeArena::ERROR)
        } else {
            TypeArena::VOID
        }
    }

    pub(super) fn handle(
        &mut self,
        node: NodeId,
        subject: NodeId,
        arms: NodeList,
        as_value: bool,
    ) -> TypeId {
        let st = self.value(subject, None);
        let (ok, err) = match self.ck.types.kind(st) {
            TypeKind::Result(o, e) => (o, e),
            TypeKind::Error => (TypeArena::ERROR, TypeArena::ERROR),
            _ => {
                let message = format!("`handle` needs a result, found `{}`", self.show(st));
                let sspan = self.span(subject);
                self.report(DiagnosticCode::TypeMismatch, sspan, message);
                (TypeArena::ERROR, TypeArena::ERROR)
            }
        };
        let fn_err = match self.ret.map(|r| self.ck.types.kind(r)) {
            Some(TypeKind::Result(_, e)) => Some(e),
            Some(TypeKind::Error) => Some(TypeArena::ERROR),
            _ => None,
        };
        let mut patterns = lints::Coverage::default();
        // An arm runs only on its error; `ok` values go on: no arm ends what follows.
        let before = self.diverged;
        for arm in self.list(arms) {
            let NodeKind::Arm { pattern, value } = self.kind(arm) else {
                continue;
            };
            self.enter_arm(pattern, err, &mut patterns);
            self.diverged = before;
            match self.kind(value) {
                NodeKind::OkExpr { value: v } => {
                    match v {
                        Some(v) => {
                            self.expect(v, ok);
                        }
                        None if ok != TypeArena::VOID && !self.is_err(ok) => {
                            let message = format!("expected `ok(…)` with a `{}`", self.show(ok));
                            let vspan = self.span(value);
                            self.report(DiagnosticCode::TypeMismatch, vspan, message);
                        }
                        None => {}
                    }
                    self.record_type(value, st);
                }
                NodeKind::ErrExpr { value: v } => match fn_err {
                    Some(e) => {
                        self.expect(v, e);
                        self.record_type(value, st);
                    }
                    None => {
                        self.value(v, None);
                        let vspan = self.span(value);
                        self.report(
                            DiagnosticCode::TypePropagate,
                            vspan,
                            "`err(…)` in a `handle` arm returns from a function that returns a result",
                        );
                    }
                },
                _ => {
                    self.value(value, None);
                    let vspan = self.span(value);
                    self.report(
                        DiagnosticCode::TypeMismatch,
                        vspan,
                        "a `handle` arm is `pattern -> ok(value)` or `pattern -> err(error)`",
                    );
                }
            }
            self.scopes.close();
        }
        self.diverged = before;
        let keyword = self.span(node).start;
        self.check_exhaustive("handle", keyword, err, patterns.patterns());
        if !as_value {
            return TypeArena::VOID;
        }
        ok
    }

    /// Opens an arm's scope and binds its pattern against `subject`, first warning
    /// (`W_UNREACHABLE_ARM`) when the earlier arms' `patterns` already cover it; the
    /// pattern then joins `patterns`. The caller closes the scope after the arm's value.
    fn enter_arm(&mut self, pattern: NodeId, subject: TypeId, patterns: &mut lints::Coverage) {
        let arena = &self.parse.arena;
        if !self.is_err(subject) && patterns.covers(self.ck, arena, subject, pattern) {
            let pspan = self.span(pattern);
            self.report(
                DiagnosticCode::UnreachableArm,
                pspan,
                "this arm can never match",
            );
        }
        self.scopes.open();
        self.pattern(pattern, subject);
        patterns.add(self.ck, &self.parse.arena, subject, pattern);
    }

    /// `E_TYPE_NON_EXHAUSTIVE` on the `keyword` (`when` or `handle`, starting at offset
    /// `at`) when the arms' `patterns` leave values of `subject` unmatched; nothing when
    /// `subject` is already an error.
    fn check_exhaustive(&mut self, keyword: &str, at: u32, subject: TypeId, patterns: &[NodeId]) {
        if self.is_err(subject) {
            return;
        }
        let missing = lints::missing_cases(self.ck, &self.parse.arena, patterns, subject);
        if missing.is_empty() {
            return;
        }
        let span = Span::new(self.file, at, at + keyword.len() as u32);
        let message = format!(
            "this `{keyword}` does not cover every `{}`{}",
            self.show(subject),
            lints::describe_missing(&missing)
        );
        let diagnostic = Diagnostic::new(DiagnosticCode::TypeNonExhaustive, span, message);
        // The quick fix adds an arm per missing pattern, so it needs all of them.
        self.ck.diagnostics.push(diagnostic.with_data(missing));
    }

    /// Checks a pattern against the subject type and binds its names in the current
    /// scope.
    pub(super) fn pattern(&mut self, pattern: NodeId, subject: TypeId) {
        let span = self.span(pattern);
        let sk = self.ck.types.kind(subject);
        let mismatch = |this: &mut Self, what: &str| {
            if !this.is_err(subject) {
                let message = format!(
                    "expected a pattern for `{}`, found {what}",
                    this.show(subject)
                );
                this.report(DiagnosticCode::TypeMismatch, span, message);
            }
        };
        match self.kind(pattern) {
            NodeKind::PatWildcard => {}
            NodeKind::PatBind { name } => {
                if let Some(s) = self.define(
                    name,
                    span,
                    pattern,
                    SymbolKind::Local,
                    false,
                    subject,
                    false,
                ) {
                    self.ck.refs.bind_node(self.file, pattern, s);
                }
            }
            NodeKind::PatLiteral { value } => {
                let t = self.expr(value, None, true);
                if t == TypeArena::FLOAT {
                    // §6.4 lists int, bounded, string and bool literals only: float
                    // equality is not a sound way to match.
                    self.report(
                        DiagnosticCode::TypeMismatch,
                        span,
                        "float literals cannot be patterns; compare with `<`/`>` instead",
                    );
                } else if t != subject && !self.is_err(t) {
                    let shown = format!("a `{}`", self.show(t));
                    mismatch(self, &shown);
                }
            }
            NodeKind::PatNone if !matches!(sk, TypeKind::Optional(_)) => {
                mismatch(self, "`none`");
            }
            NodeKind::PatSome { inner } => match sk {
                TypeKind::Optional(t) => self.pattern(inner, t),
                _ => {
                    mismatch(self, "`some(…)`");
                    self.pattern(inner, TypeArena::ERROR);
                }
            },
            NodeKind::PatOk { inner } => match sk {
                TypeKind::Result(t, _) => {
                    if let Some(inner) = inner {
                        self.pattern(inner, t);
                    }
                }
                _ => {
                    mismatch(self, "`ok(…)`");
                    if let Some(inner) = inner {
                        self.pattern(inner, TypeArena::ERROR);
                    }
                }
            },
            NodeKind::PatErr { inner } => match sk {
                TypeKind::Result(_, e) => self.pattern(inner, e),
                _ => {
                    mismatch(self, "`err(…)`");
                    self.pattern(inner, TypeArena::ERROR);
                }
            },
            NodeKind::PatCase { ty, case } => {
                let Some((n, tspan)) = name_of(&self.parse.arena, ty) else {
                    return;
                };
                let owner = match self.ck.lookup_item(self.file, n, Namespace::Type) {
                    Lookup::Found(s) => {
                        self.use_symbol(s, ty, tspan, RefKind::Read);
                        s
                    }
                    Lookup::Quiet => return,
                    Lookup::Hidden(_) => {
                        let message = format!("`{}` is private to its file", self.ck.text(n));
                        self.report(DiagnosticCode::ResolveNotVisible, tspan, message);
                        return;
                    }
                    Lookup::WrongNamespace(_) => {
                        let message = format!("`{}` is a value, not a type", self.ck.text(n));
                        self.report(DiagnosticCode::ResolveNotAType, tspan, message);
                        return;
                    }
                    Lookup::Missing => {
                        let hint = format_hint(&self.ck.suggestions(self.file, n, &[]));
                        let message = format!("unknown type `{}`{hint}", self.ck.text(n));
                        self.report(DiagnosticCode::ResolveUndefined, tspan, message);
                        return;
                    }
                };
                let Some(member) = self.find_member(owner, case) else {
                    return;
                };
                if self.ck.symbols.get(member).kind != SymbolKind::ErrorCase {
                    mismatch(self, "a member that is not an error case");
                    return;
                }
                let t = self
                    .ck
                    .facts
                    .symbol_type(member)
                    .unwrap_or(TypeArena::ERROR);
                if t != subject {
                    let shown = format!("a case of `{}`", self.show(t));
                    mismatch(self, &shown);
                }
            }
            NodeKind::PatOr { alts } => {
                for alt in self.list(alts) {
                    self.pattern(alt, subject);
                }
            }
            _ => {}
        }
    }

    // ----- views -----

    #[allow(clippy::too_many_arguments)]
    pub(super) fn view(
        &mut self,
        node: NodeId,
        kind: ViewKind,
        handle: NodeId,
        name: NodeId,
        body: NodeId,
        expected: Option<TypeId>,
        as_value: bool,
    ) -> TypeId {
        let t = self.value(handle, None);
        let inner = match self.ck.types.kind(t) {
            TypeKind::Ref(inner) => inner,
            TypeKind::Error => TypeArena::ERROR,
            _ => {
                self.not_handle(handle, t);
                TypeArena::ERROR
            }
        };
        let handle_symbol = match self.kind(handle) {
            NodeKind::NameRef { .. } => self.ck.refs.symbol_at(self.file, handle),
            _ => None,
        };
        let hspan = self.span(handle);
        if let Some(h) = handle_symbol {
            let clash = self
                .views
                .iter()
                .rev()
                .find(|v| v.handle == h && (v.kind == ViewKind::Mutate || kind == ViewKind::Mutate))
                .copied();
            if let Some(open) = clash {
                self.report_view_conflict(
                    hspan,
                    "this storage already has an open view that excludes this one",
                    open,
                );
            }
        }
        self.scopes.open();
        if let Some((n, nspan)) = name_of(&self.parse.arena, name) {
            let mutable = kind == ViewKind::Mutate;
            if let Some(s) = self.define(n, nspan, node, SymbolKind::Local, mutable, inner, false) {
                self.ck.refs.bind_node(self.file, name, s);
                self.view_symbols.insert(s);
            }
        }
        if let Some(h) = handle_symbol {
            self.views.push(OpenView {
                handle: h,
                kind,
                span: hspan,
            });
        }
        let (ty, _) = self.block(body, expected, as_value);
        if handle_symbol.is_some() {
            self.views.pop();
        }
        self.scopes.close();
        if as_value { ty } else { TypeArena::VOID }
    }

    /// `peek h` while a `mutate` view of the same binding is open, or `take h` while any
    /// view of it is open, is a statically visible `E_HIP_VIEW_CONFLICT`.
    pub(super) fn check_access_conflict(&mut self, handle: NodeId, is_take: bool) {
        if !matches!(self.kind(handle), NodeKind::NameRef { .. }) {
            return;
        }
        let Some(h) = self.ck.refs.symbol_at(self.file, handle) else {
            return;
        };
        let open = self
            .views
            .iter()
            .rev()
            .find(|v| v.handle == h && (is_take || v.kind == ViewKind::Mutate))
            .copied();
        if let Some(open) = open {
            let what = if is_take { "`take`" } else { "`peek`" };
            let span = self.span(handle);
            self.report_view_conflict(
                span,
                format!("{what} while a view of this storage is open would trap"),
                open,
            );
        }
    }

    /// `E_HIP_VIEW_CONFLICT` at `span`, pointing at the `open` view it conflicts with.
    fn report_view_conflict(&mut self, span: Span, message: impl Into<String>, open: OpenView) {
        let d = Diagnostic::new(DiagnosticCode::HipViewConflict, span, message)
            .with_related(open.span, "the open view");
        self.ck.diagnostics.push(d);
    }
}
