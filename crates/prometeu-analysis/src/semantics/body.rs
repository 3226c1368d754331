//! Bodies: name resolution of locals and paths, and type checking, in one walk per
//! function, constant or service field (`docs/spec/pbs-language.md` §3–§6).

use std::collections::HashSet;
use std::sync::Arc;

use super::collect::{format_hint, name_of};
use super::{Checker, Lookup, Namespace, RefKind, Symbol, SymbolKind, TypeArena, TypeKind};
use crate::syntax::{AssignOp, BinaryOp, NodeKind, NodeList, UnaryOp, ViewKind, Visibility};
use crate::{Diagnostic, DiagnosticCode, FileId, NameId, NodeId, Parse, Span, SymbolId, TypeId};

/// What a value-position name denotes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Res {
    /// A local, parameter or view.
    Local(SymbolId),
    /// An item or a service member named directly.
    Item(SymbolId),
    /// A type item used where a value is expected (callers decide: construction,
    /// member path, or `E_RESOLVE_NOT_A_VALUE`).
    Type(SymbolId),
    /// Already reported.
    Quiet,
}

/// What the left side of a `.` is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PathBase {
    /// A type or service name: `T.member`.
    Type(SymbolId),
    /// A value expression.
    Value,
    /// A name that failed to resolve (already reported).
    Quiet,
}

/// A place (§6.2) and whether it can be assigned.
#[derive(Clone, Copy, Debug)]
struct Place {
    ty: TypeId,
    /// The binding at the root of the path, with its name node and span.
    root: Option<(SymbolId, NodeId, Span)>,
    mutable: bool,
    /// The last step is `list[i]`: assignable without a mutable place.
    list_slot: bool,
    /// Why it is not mutable, for the message.
    why: &'static str,
}

/// An open view (§6.6) for the static conflict check.
#[derive(Clone, Copy, Debug)]
struct OpenView {
    handle: SymbolId,
    kind: ViewKind,
    span: Span,
}

/// The walk over one body.
pub(crate) struct BodyChecker<'c, 'a> {
    ck: &'c mut Checker<'a>,
    parse: Arc<Parse>,
    file: FileId,
    /// The struct or service whose member is being checked.
    owner: Option<SymbolId>,
    /// The service whose member is being checked.
    service: Option<SymbolId>,
    ret: Option<TypeId>,
    scopes: Vec<Vec<(NameId, SymbolId)>>,
    loop_depth: u32,
    views: Vec<OpenView>,
    view_symbols: HashSet<SymbolId>,
    diverged: bool,
    /// Set while the next `NameRef` is the base of a member, index or receiver, where a
    /// view name may appear.
    view_base: bool,
}

impl Checker<'_> {
    /// Phase 3a: constants' and service fields' initialisers of file `index`.
    pub(crate) fn check_file_consts(&mut self, index: usize) {
        let parse = Arc::clone(&self.files[index].parse);
        let arena = &parse.arena;
        let file = self.files[index].file;
        let NodeKind::SourceFile { items } = *arena.kind(parse.root()) else {
            return;
        };
        let mut work: Vec<(NodeId, Option<SymbolId>)> = Vec::new();
        for &item in arena.list(items) {
            match *arena.kind(item) {
                NodeKind::ConstDecl { .. } => work.push((item, None)),
                NodeKind::StructDecl { members, .. } => {
                    let owner = self.decl_symbol.get(&(file, item)).copied();
                    for &m in arena.list(members) {
                        if matches!(arena.kind(m), NodeKind::ConstDecl { .. }) {
                            work.push((m, owner));
                        }
                    }
                }
                NodeKind::ServiceDecl { members, .. } => {
                    let owner = self.decl_symbol.get(&(file, item)).copied();
                    for &m in arena.list(members) {
                        if matches!(arena.kind(m), NodeKind::ServiceField { .. }) {
                            work.push((m, owner));
                        }
                    }
                }
                _ => {}
            }
        }
        for (decl, owner) in work {
            let Some(&symbol) = self.decl_symbol.get(&(file, decl)) else {
                continue;
            };
            let declared = self.facts.symbol_type(symbol).unwrap_or(TypeArena::ERROR);
            let value = match *arena.kind(decl) {
                NodeKind::ConstDecl { value, .. } => value,
                NodeKind::ServiceField { value, .. } => Some(value),
                _ => None,
            };
            let Some(value) = value else { continue };
            let mut body = BodyChecker::new(self, Arc::clone(&parse), owner, None);
            if matches!(arena.kind(decl), NodeKind::ServiceField { .. }) {
                body.service = owner;
            }
            body.expect(value, declared);
        }
    }

    /// Phase 3c: every function body of file `index`.
    pub(crate) fn check_file_bodies(&mut self, index: usize) {
        let parse = Arc::clone(&self.files[index].parse);
        let arena = &parse.arena;
        let file = self.files[index].file;
        let NodeKind::SourceFile { items } = *arena.kind(parse.root()) else {
            return;
        };
        let mut work: Vec<(NodeId, Option<SymbolId>, bool)> = Vec::new();
        for &item in arena.list(items) {
            match *arena.kind(item) {
                NodeKind::FnDecl { .. } => work.push((item, None, false)),
                NodeKind::StructDecl { members, .. } | NodeKind::ServiceDecl { members, .. } => {
                    let owner = self.decl_symbol.get(&(file, item)).copied();
                    let is_service = matches!(arena.kind(item), NodeKind::ServiceDecl { .. });
                    for &m in arena.list(members) {
                        if matches!(arena.kind(m), NodeKind::FnDecl { .. }) {
                            work.push((m, owner, is_service));
                        }
                    }
                }
                _ => {}
            }
        }
        for (decl, owner, is_service) in work {
            let NodeKind::FnDecl {
                sig,
                body: Some(body),
                ..
            } = *arena.kind(decl)
            else {
                continue;
            };
            let symbol = self.decl_symbol.get(&(file, decl)).copied();
            let signature = symbol.and_then(|s| self.facts.signature(s).cloned());
            let ret = signature.as_ref().map_or(TypeArena::ERROR, |s| s.ret);
            let mut checker = BodyChecker::new(self, Arc::clone(&parse), owner, Some(ret));
            if is_service {
                checker.service = owner;
            }
            checker.check_fn(decl, symbol, sig, body, signature.map(|s| s.params));
        }
    }
}

impl<'c, 'a> BodyChecker<'c, 'a> {
    fn new(
        ck: &'c mut Checker<'a>,
        parse: Arc<Parse>,
        owner: Option<SymbolId>,
        ret: Option<TypeId>,
    ) -> BodyChecker<'c, 'a> {
        let file = parse.arena.file();
        BodyChecker {
            ck,
            parse,
            file,
            owner,
            service: None,
            ret,
            scopes: vec![Vec::new()],
            loop_depth: 0,
            views: Vec::new(),
            view_symbols: HashSet::new(),
            diverged: false,
            view_base: false,
        }
    }

    fn kind(&self, node: NodeId) -> NodeKind {
        *self.parse.arena.kind(node)
    }

    fn span(&self, node: NodeId) -> Span {
        self.parse.arena.span(node)
    }

    fn list(&self, list: NodeList) -> Vec<NodeId> {
        self.parse.arena.list(list).to_vec()
    }

    fn report(&mut self, code: DiagnosticCode, span: Span, message: impl Into<String>) {
        self.ck.report(code, span, message);
    }

    fn show(&self, ty: TypeId) -> String {
        self.ck.show(ty)
    }

    fn is_err(&self, ty: TypeId) -> bool {
        self.ck.types.contains_error(ty)
    }

    fn record_type(&mut self, node: NodeId, ty: TypeId) -> TypeId {
        self.ck.facts.set_node(self.file, node, ty);
        ty
    }

    // ----- functions -----

    fn check_fn(
        &mut self,
        decl: NodeId,
        symbol: Option<SymbolId>,
        sig: NodeId,
        body: NodeId,
        param_types: Option<Vec<TypeId>>,
    ) {
        if let NodeKind::FnSig { params, .. } = self.kind(sig) {
            let mut types = param_types.unwrap_or_default().into_iter();
            for p in self.list(params) {
                match self.kind(p) {
                    NodeKind::SelfParam { is_mut } => {
                        let span = self.span(p);
                        let span = Span::new(span.file, span.end.saturating_sub(4).max(span.start), span.end);
                        let ty = self
                            .owner
                            .and_then(|o| self.ck.facts.symbol_type(o))
                            .unwrap_or(TypeArena::ERROR);
                        let name = self.ck.known.self_;
                        self.define(name, span, p, SymbolKind::Param, is_mut, ty, false);
                    }
                    NodeKind::Param { is_mut, name, .. } => {
                        let ty = types.next().unwrap_or(TypeArena::ERROR);
                        if let Some((n, span)) = name_of(&self.parse.arena, name) {
                            let s = self.define(n, span, p, SymbolKind::Param, is_mut, ty, false);
                            if let Some(s) = s {
                                self.ck.refs.bind_node(self.file, name, s);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let ret = self.ret.unwrap_or(TypeArena::ERROR);
        let expected = (ret != TypeArena::VOID).then_some(ret);
        let (ty, has_tail) = self.block(body, expected, false);
        let _ = ty;
        let returns_value = ret != TypeArena::VOID && !self.is_err(ret);
        if returns_value && !self.diverged && !has_tail {
            if let Some(symbol) = symbol {
                let span = self.ck.symbols.get(symbol).decl_span;
                let name = self.ck.text(self.ck.symbols.get(symbol).name).to_string();
                self.report(
                    DiagnosticCode::TypeMissingReturn,
                    span,
                    format!("`{name}` can reach its end without returning a `{}`", self.show(ret)),
                );
            }
        }
        let _ = decl;
    }

    // ----- scopes -----

    /// Declares a local in the innermost scope; `None` for `_`. Reports duplicates in
    /// the same scope and (for `let`) shadowing of an enclosing one.
    #[allow(clippy::too_many_arguments)]
    fn define(
        &mut self,
        name: NameId,
        span: Span,
        node: NodeId,
        kind: SymbolKind,
        mutable: bool,
        ty: TypeId,
        is_let: bool,
    ) -> Option<SymbolId> {
        if name == self.ck.known.underscore {
            return None;
        }
        let module = self.ck.file_input(self.file).map(|f| f.module).unwrap_or_default();
        let symbol = self.ck.symbols.alloc(Symbol {
            name,
            kind,
            visibility: Visibility::Private,
            module,
            decl_span: span,
            doc: None,
            parent: None,
            node: (self.file, node),
            mutable,
            duplicate: false,
        });
        self.ck.facts.set_symbol(symbol, ty);
        let current = self.scopes.last().expect("a scope is always open");
        if let Some(&(_, first)) = current.iter().find(|(n, _)| *n == name) {
            self.ck.symbols.get_mut(symbol).duplicate = true;
            let first_span = self.ck.symbols.get(first).decl_span;
            let message = format!("`{}` is already declared here", self.ck.text(name));
            let d = Diagnostic::new(DiagnosticCode::ResolveDuplicateLocal, span, message)
                .with_related(first_span, "first declared here");
            self.ck.diagnostics.push(d);
            return Some(symbol);
        }
        if is_let && !self.ck.text(name).starts_with('_') {
            let outer = self.scopes[..self.scopes.len() - 1]
                .iter()
                .rev()
                .find_map(|scope| scope.iter().rev().find(|(n, _)| *n == name).map(|p| p.1));
            if let Some(outer) = outer {
                let outer_span = self.ck.symbols.get(outer).decl_span;
                let message = format!("`{}` hides a local of an enclosing block", self.ck.text(name));
                let d = Diagnostic::new(DiagnosticCode::Shadowed, span, message)
                    .with_related(outer_span, "the hidden local");
                self.ck.diagnostics.push(d);
            }
        }
        self.scopes.last_mut().expect("scope").push((name, symbol));
        Some(symbol)
    }

    fn find_local(&self, name: NameId) -> Option<SymbolId> {
        self.scopes
            .iter()
            .rev()
            .find_map(|scope| scope.iter().rev().find(|(n, _)| *n == name).map(|p| p.1))
    }

    fn local_names(&self) -> Vec<NameId> {
        self.scopes.iter().flatten().map(|p| p.0).collect()
    }

    fn use_symbol(&mut self, symbol: SymbolId, node: NodeId, span: Span, kind: RefKind) {
        self.ck.refs.record(symbol, node, span, kind);
    }

    /// Resolves a value-position name (§7 order: locals, the service's members, the
    /// module-level scopes) and records the use.
    fn resolve_value(&mut self, node: NodeId, name: NameId) -> Res {
        let span = self.span(node);
        if let Some(local) = self.find_local(name) {
            self.use_symbol(local, node, span, RefKind::Read);
            return Res::Local(local);
        }
        if let Some(service) = self.service {
            if let Some(member) = self.ck.defs.member(service, name) {
                self.use_symbol(member, node, span, RefKind::Read);
                return Res::Item(member);
            }
        }
        match self.ck.lookup_item(self.file, name, Namespace::Value) {
            Lookup::Found(s) => {
                self.use_symbol(s, node, span, RefKind::Read);
                Res::Item(s)
            }
            Lookup::WrongNamespace(s) => {
                self.use_symbol(s, node, span, RefKind::Read);
                Res::Type(s)
            }
            Lookup::Quiet => Res::Quiet,
            Lookup::Hidden(s) => {
                self.ck.refs.bind_node(self.file, node, s);
                let message = format!("`{}` is private to its file", self.ck.text(name));
                self.report(DiagnosticCode::ResolveNotVisible, span, message);
                Res::Quiet
            }
            Lookup::Missing => {
                let locals = self.local_names();
                let hint = format_hint(&self.ck.suggestions(self.file, name, &locals));
                let message = format!("cannot find `{}` in this scope{hint}", self.ck.text(name));
                self.report(DiagnosticCode::ResolveUndefined, span, message);
                Res::Quiet
            }
        }
    }

    /// Classifies the left side of a `.`: a type path when it is a bare name that no
    /// local or service member hides and that names a type or service.
    fn path_base(&mut self, base: NodeId) -> PathBase {
        let NodeKind::NameRef { name } = self.kind(base) else {
            return PathBase::Value;
        };
        if self.find_local(name).is_some() {
            return PathBase::Value;
        }
        if let Some(service) = self.service {
            if self.ck.defs.member(service, name).is_some() {
                return PathBase::Value;
            }
        }
        match self.ck.lookup_item(self.file, name, Namespace::Type) {
            Lookup::Found(s) => {
                let span = self.span(base);
                self.use_symbol(s, base, span, RefKind::Read);
                let ty = self.ck.facts.symbol_type(s).unwrap_or(TypeArena::ERROR);
                self.record_type(base, ty);
                PathBase::Type(s)
            }
            Lookup::Quiet => PathBase::Quiet,
            Lookup::WrongNamespace(_) => PathBase::Value,
            Lookup::Hidden(_) | Lookup::Missing => {
                // Let value resolution report it (it knows the locals for hints).
                match self.resolve_value(base, name) {
                    Res::Quiet => PathBase::Quiet,
                    _ => PathBase::Value,
                }
            }
        }
    }

    // ----- blocks and statements -----

    /// Checks a block in a new scope; returns its type and whether it has a tail.
    fn block(&mut self, block: NodeId, expected: Option<TypeId>, as_value: bool) -> (TypeId, bool) {
        let NodeKind::Block { stmts, tail } = self.kind(block) else {
            let t = self.expr(block, expected, as_value);
            return (t, true);
        };
        self.scopes.push(Vec::new());
        let mut warned = false;
        for stmt in self.list(stmts) {
            if self.diverged && !warned {
                warned = true;
                let span = self.span(stmt);
                self.report(DiagnosticCode::UnreachableCode, span, "this statement can never run");
            }
            self.stmt(stmt);
        }
        // A trailing `if` without `else` is a statement, not the block's value.
        let tail = tail.filter(|&t| {
            let is_statement_if = matches!(self.kind(t), NodeKind::If { otherwise: None, .. });
            if is_statement_if {
                if self.diverged && !warned {
                    warned = true;
                    let span = self.span(t);
                    self.report(DiagnosticCode::UnreachableCode, span, "this statement can never run");
                }
                self.expr(t, None, false);
            }
            !is_statement_if
        });
        let ty = match tail {
            Some(tail) => {
                if self.diverged && !warned {
                    let span = self.span(tail);
                    self.report(DiagnosticCode::UnreachableCode, span, "this expression can never run");
                }
                if as_value {
                    match expected {
                        Some(e) => self.expect(tail, e),
                        None => self.value(tail, None),
                    }
                } else {
                    self.expr(tail, expected, false)
                }
            }
            None if self.diverged => TypeArena::ERROR,
            None => TypeArena::VOID,
        };
        self.scopes.pop();
        self.record_type(block, ty);
        (ty, tail.is_some())
    }

    fn stmt(&mut self, stmt: NodeId) {
        let span = self.span(stmt);
        match self.kind(stmt) {
            NodeKind::LetStmt {
                is_mut,
                name,
                ty,
                value,
            } => {
                let declared = ty.map(|t| self.ck.resolve_type(self.file, t, false));
                let found = match declared {
                    Some(d) => self.expect(value, d),
                    None => self.value(value, None),
                };
                let bound = declared.unwrap_or(found);
                if let Some((n, nspan)) = name_of(&self.parse.arena, name) {
                    if let Some(s) = self.define(n, nspan, stmt, SymbolKind::Local, is_mut, bound, true) {
                        self.ck.refs.bind_node(self.file, name, s);
                    }
                }
            }
            NodeKind::AssignStmt { op, target, value } => self.assign(op, target, value),
            NodeKind::ReturnStmt { value } => {
                let ret = self.ret.unwrap_or(TypeArena::ERROR);
                match value {
                    Some(v) if ret == TypeArena::VOID => {
                        let t = self.expr(v, None, true);
                        if t != TypeArena::VOID && !self.is_err(t) {
                            let message = format!("this function returns nothing, found `{}`", self.show(t));
                            let vspan = self.span(v);
                            self.report(DiagnosticCode::TypeMismatch, vspan, message);
                        }
                    }
                    Some(v) => {
                        self.expect(v, ret);
                    }
                    None if ret != TypeArena::VOID && !self.is_err(ret) => {
                        let message = format!("expected a `{}` to return", self.show(ret));
                        self.report(DiagnosticCode::TypeMismatch, span, message);
                    }
                    None => {}
                }
                self.diverged = true;
            }
            NodeKind::WhileStmt { cond, body } => {
                self.expect(cond, TypeArena::BOOL);
                let before = self.diverged;
                self.loop_depth += 1;
                self.block(body, None, false);
                self.loop_depth -= 1;
                self.diverged = before;
            }
            NodeKind::ForStmt { name, iter, body } => {
                let elem = match self.kind(iter) {
                    NodeKind::Range { start, end } => {
                        self.expect(start, TypeArena::INT);
                        self.expect(end, TypeArena::INT);
                        TypeArena::INT
                    }
                    _ => {
                        let t = self.value(iter, None);
                        match self.ck.types.kind(t) {
                            TypeKind::Array(e, _) | TypeKind::List(e) => e,
                            TypeKind::Error => TypeArena::ERROR,
                            _ => {
                                let message = format!("cannot iterate over `{}`", self.show(t));
                                let ispan = self.span(iter);
                                self.report(DiagnosticCode::TypeMismatch, ispan, message);
                                TypeArena::ERROR
                            }
                        }
                    }
                };
                let before = self.diverged;
                self.scopes.push(Vec::new());
                if let Some((n, nspan)) = name_of(&self.parse.arena, name) {
                    if let Some(s) = self.define(n, nspan, stmt, SymbolKind::Local, false, elem, false) {
                        self.ck.refs.bind_node(self.file, name, s);
                    }
                }
                self.loop_depth += 1;
                self.block(body, None, false);
                self.loop_depth -= 1;
                self.scopes.pop();
                self.diverged = before;
            }
            NodeKind::BreakStmt | NodeKind::ContinueStmt => {
                if self.loop_depth == 0 {
                    let what = if matches!(self.kind(stmt), NodeKind::BreakStmt) {
                        "break"
                    } else {
                        "continue"
                    };
                    self.report(
                        DiagnosticCode::TypeBreakOutsideLoop,
                        span,
                        format!("`{what}` outside a loop"),
                    );
                } else {
                    self.diverged = true;
                }
            }
            NodeKind::ExprStmt { expr, .. } => {
                self.expr(expr, None, false);
            }
            NodeKind::Block { .. } => {
                self.block(stmt, None, false);
            }
            _ => {}
        }
    }

    fn assign(&mut self, op: AssignOp, target: NodeId, value: NodeId) {
        let place = self.place(target);
        let target_span = self.span(target);
        if let Some((root, node, span)) = place.root {
            self.use_symbol(root, node, span, RefKind::Write);
        }
        if !place.mutable && !place.list_slot && !self.is_err(place.ty) {
            let message = format!("cannot assign here: {}", place.why);
            self.report(DiagnosticCode::TypeNotMutable, target_span, message);
        }
        if place.list_slot && !place.mutable && place.root.is_none() && self.is_err(place.ty) {
            // Nothing more to say about an unknown list.
        }
        let vt = self.expect(value, place.ty);
        if op != AssignOp::Assign && !self.is_err(place.ty) && !self.is_err(vt) {
            let bin = match op {
                AssignOp::Add => BinaryOp::Add,
                AssignOp::Sub => BinaryOp::Sub,
                AssignOp::Mul => BinaryOp::Mul,
                AssignOp::Div => BinaryOp::Div,
                _ => BinaryOp::Rem,
            };
            if binary_result(&self.ck.types, bin, place.ty, place.ty).is_none() {
                let op_span = self.token_after(target_span.end).unwrap_or(target_span);
                let message = format!("`{}` does not apply to `{}`", op.text(), self.show(place.ty));
                self.report(DiagnosticCode::TypeOperator, op_span, message);
            }
        }
    }

    /// The span of the first token at or after `offset`.
    fn token_after(&self, offset: u32) -> Option<Span> {
        let tokens = &self.parse.lexed.tokens;
        let at = tokens.partition_point(|t| t.start < offset);
        tokens
            .get(at)
            .map(|t| Span::new(self.file, t.start, t.end))
    }

    // ----- places -----

    fn place(&mut self, node: NodeId) -> Place {
        let not_place = |ty| Place {
            ty,
            root: None,
            mutable: false,
            list_slot: false,
            why: "this is not a place",
        };
        let span = self.span(node);
        match self.kind(node) {
            NodeKind::NameRef { name } => match self.resolve_value(node, name) {
                Res::Local(s) | Res::Item(s) => {
                    let sym = self.ck.symbols.get(s);
                    let ty = self.ck.facts.symbol_type(s).unwrap_or(TypeArena::ERROR);
                    let (mutable, why) = match sym.kind {
                        SymbolKind::Local | SymbolKind::Param => {
                            (sym.mutable, "the binding is not `mut`")
                        }
                        SymbolKind::ServiceField => (
                            sym.mutable && sym.parent == self.service,
                            "the service field is not `let mut`",
                        ),
                        _ => (false, "only bindings and fields can be assigned"),
                    };
                    let ty = if sym.kind.is_fn() { TypeArena::ERROR } else { ty };
                    self.record_type(node, ty);
                    Place {
                        ty,
                        root: Some((s, node, span)),
                        mutable,
                        list_slot: false,
                        why,
                    }
                }
                Res::Type(s) => {
                    let message = format!("`{}` is a type, not a value", self.ck.text(self.ck.symbols.get(s).name));
                    self.report(DiagnosticCode::ResolveNotAValue, span, message);
                    not_place(TypeArena::ERROR)
                }
                Res::Quiet => not_place(TypeArena::ERROR),
            },
            NodeKind::SelfRef => {
                let ty = self.expr(node, None, true);
                let root = self.find_local(self.ck.known.self_);
                let mutable = root.is_some_and(|s| self.ck.symbols.get(s).mutable);
                Place {
                    ty,
                    root: root.map(|s| (s, node, span)),
                    mutable,
                    list_slot: false,
                    why: "`self` is not `mut self`",
                }
            }
            NodeKind::Paren { inner } => {
                let p = self.place(inner);
                self.record_type(node, p.ty);
                p
            }
            NodeKind::Member { base, name } => {
                if let PathBase::Type(owner) = self.path_base(base) {
                    let ty = self.type_member(node, owner, name);
                    let member = self.ck.refs.symbol_at(self.file, name);
                    let (mutable, why) = match member.map(|m| self.ck.symbols.get(m)) {
                        Some(m) if m.kind == SymbolKind::ServiceField => (
                            m.mutable && m.parent == self.service,
                            if m.mutable {
                                "a service's fields are assigned only inside the service"
                            } else {
                                "the service field is not `let mut`"
                            },
                        ),
                        _ => (false, "only bindings and fields can be assigned"),
                    };
                    return Place {
                        ty,
                        root: None,
                        mutable,
                        list_slot: false,
                        why,
                    };
                }
                let p = self.place_base(base);
                let ty = self.value_member(node, p.ty, name);
                let through_handle = p.list_slot;
                Place {
                    ty,
                    root: p.root,
                    mutable: p.mutable && !through_handle,
                    list_slot: false,
                    why: if through_handle {
                        "a list element is changed with `set` or `l[i] = v`, not through its fields"
                    } else {
                        p.why
                    },
                }
            }
            NodeKind::Index { base, index } => {
                let p = self.place_base(base);
                self.expect(index, TypeArena::INT);
                let (ty, list) = match self.ck.types.kind(p.ty) {
                    TypeKind::Array(e, _) => (e, false),
                    TypeKind::List(e) => (e, true),
                    TypeKind::Error => (TypeArena::ERROR, false),
                    _ => {
                        let message = format!("`{}` cannot be indexed", self.show(p.ty));
                        let bspan = self.span(base);
                        self.report(DiagnosticCode::TypeMismatch, bspan, message);
                        (TypeArena::ERROR, false)
                    }
                };
                self.record_type(node, ty);
                Place {
                    ty,
                    root: p.root,
                    mutable: p.mutable && !p.list_slot,
                    list_slot: list,
                    why: if p.list_slot {
                        "a list element is changed with `set` or `l[i] = v`, not through its fields"
                    } else {
                        p.why
                    },
                }
            }
            _ => {
                let ty = self.value(node, None);
                not_place(ty)
            }
        }
    }

    /// A place used as the base of a member or index: a view name is allowed here.
    fn place_base(&mut self, base: NodeId) -> Place {
        self.view_base = true;
        let p = self.place(base);
        self.view_base = false;
        p
    }

    // ----- expressions -----

    /// Checks `node` where a value of type `expected` is required; reports a mismatch
    /// and returns `expected` (so bindings keep their declared type).
    fn expect(&mut self, node: NodeId, expected: TypeId) -> TypeId {
        let found = self.value(node, Some(expected));
        if found != expected && !self.is_err(found) && !self.is_err(expected) {
            let message = format!("expected `{}`, found `{}`", self.show(expected), self.show(found));
            let span = self.span(node);
            self.report(DiagnosticCode::TypeMismatch, span, message);
        }
        expected
    }

    /// Checks `node` where a value is required: a `void` result is reported.
    fn value(&mut self, node: NodeId, expected: Option<TypeId>) -> TypeId {
        let t = self.expr(node, expected, true);
        if t == TypeArena::VOID && expected != Some(TypeArena::VOID) {
            let span = self.span(node);
            if matches!(self.kind(node), NodeKind::Call { .. }) {
                self.report(DiagnosticCode::TypeVoidValue, span, "this call returns nothing");
            } else {
                self.report(DiagnosticCode::TypeMismatch, span, "expected a value, found nothing (`void`)");
            }
            return TypeArena::ERROR;
        }
        t
    }

    /// The type of expression `node`, recorded in the facts. `as_value` is false for an
    /// expression statement (a `when` need not be exhaustive, an `if` needs no `else`).
    fn expr(&mut self, node: NodeId, expected: Option<TypeId>, as_value: bool) -> TypeId {
        let view_base = std::mem::replace(&mut self.view_base, false);
        let ty = self.expr_kind(node, expected, as_value, view_base);
        self.record_type(node, ty)
    }

    fn expr_kind(&mut self, node: NodeId, expected: Option<TypeId>, as_value: bool, view_base: bool) -> TypeId {
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
                    let message = format!("expected `{}`, found `none`", self.show(expected.unwrap_or(TypeArena::ERROR)));
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
                    let message = format!("`{}` is a type, not a value", self.ck.text(self.ck.symbols.get(s).name));
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
                    self.report(DiagnosticCode::ResolveUndefined, span, "`self` exists only in methods");
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
                self.ck.types.intern(TypeKind::Array(elem, elems.len() as u32))
            }
            NodeKind::ArrayRepeat { value, count } => {
                let elem = match expected_kind {
                    Some(TypeKind::Array(e, _)) => self.expect(value, e),
                    _ => self.value(value, None),
                };
                self.expect(count, TypeArena::INT);
                let n = self.ck.eval_array_count(self.file, count);
                match n {
                    Some(n) if !self.is_err(elem) => self.ck.types.intern(TypeKind::Array(elem, n)),
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
                if matches!(self.ck.types.kind(inner), TypeKind::Service(_) | TypeKind::Contract(_)) {
                    let message = format!("`alloc` stores a SAFE value, found `{}`", self.show(inner));
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
                PathBase::Type(owner) => self.type_member(node, owner, name),
                PathBase::Quiet => TypeArena::ERROR,
                PathBase::Value => {
                    self.view_base = true;
                    let bt = self.expr(base, None, true);
                    self.view_base = false;
                    self.value_member(node, bt, name)
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
                            _ => "`?` needs a function that returns an optional or a result".to_string(),
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
                    UnaryOp::Neg => matches!(self.ck.types.kind(t), TypeKind::Int | TypeKind::Float),
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
                let rt = match op {
                    BinaryOp::Eq | BinaryOp::Ne if !self.is_err(lt) => {
                        self.value(rhs, Some(lt))
                    }
                    _ => self.value(rhs, None),
                };
                let comparison = matches!(
                    op,
                    BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
                );
                if self.is_err(lt) || self.is_err(rt) {
                    return if comparison { TypeArena::BOOL } else { TypeArena::ERROR };
                }
                match binary_result(&self.ck.types, op, lt, rt) {
                    Some(t) => t,
                    None => {
                        let lspan = self.span(lhs);
                        let op_span = self.token_after(lspan.end).unwrap_or(span);
                        let message = format!(
                            "`{}` does not apply to `{}` and `{}`",
                            op.text(),
                            self.show(lt),
                            self.show(rt)
                        );
                        self.report(DiagnosticCode::TypeOperator, op_span, message);
                        if comparison { TypeArena::BOOL } else { TypeArena::ERROR }
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
                    let message = format!("cannot convert `{}` to `{}`", self.show(from), self.show(to));
                    self.report(DiagnosticCode::TypeInvalidCast, span, message);
                    TypeArena::ERROR
                }
            }
            NodeKind::Else { value, fallback } => {
                let t = self.value(value, None);
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
                        let message = format!("`else` needs an optional or a result, found `{}`", self.show(t));
                        let vspan = self.span(value);
                        self.report(DiagnosticCode::TypeMismatch, vspan, message);
                        self.value(fallback, expected);
                        TypeArena::ERROR
                    }
                }
            }
            NodeKind::When { subject, arms, keyword } => {
                self.when(subject, arms, keyword, expected, as_value)
            }
            NodeKind::Handle { subject, arms } => self.handle(node, subject, arms, expected, as_value),
            NodeKind::If { cond, then, otherwise } => {
                self.expect(cond, TypeArena::BOOL);
                let before = self.diverged;
                let (tt, _) = self.block(then, expected, as_value);
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
            NodeKind::View { kind, handle, name, body } => self.view(node, kind, handle, name, body, expected, as_value),
            NodeKind::Peek { handle } | NodeKind::Take { handle } => {
                let t = self.value(handle, None);
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
            _ => TypeArena::ERROR,
        }
    }

    fn infer_failure(&mut self, node: NodeId, expected: Option<TypeId>, what: &str) -> TypeId {
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
                let message = format!("expected `{}`, found {what}", self.show(expected.unwrap_or(TypeArena::ERROR)));
                self.report(DiagnosticCode::TypeMismatch, span, message);
            }
            None => {
                let message = format!("the result type of {what} is unknown here; annotate it");
                self.report(DiagnosticCode::TypeInfer, span, message);
            }
        }
        TypeArena::ERROR
    }

    fn not_handle(&mut self, handle: NodeId, t: TypeId) {
        let span = self.span(handle);
        let message = if matches!(self.ck.types.kind(t), TypeKind::List(_)) {
            "views, `peek` and `take` work on `ref<T>`; a list is changed by its own operations".to_string()
        } else {
            format!("expected a `ref<T>` handle, found `{}`", self.show(t))
        };
        self.report(DiagnosticCode::HipNotHandle, span, message);
    }

    /// The value of an item named in value position.
    fn item_value(&mut self, s: SymbolId, span: Span) -> TypeId {
        let sym = self.ck.symbols.get(s);
        if sym.kind.is_fn() {
            let message = format!("`{}` is a function; call it", self.ck.text(sym.name));
            self.report(DiagnosticCode::TypeMismatch, span, message);
            return TypeArena::ERROR;
        }
        self.ck.facts.symbol_type(s).unwrap_or(TypeArena::ERROR)
    }

    /// `T.name` where `T` names a type or service.
    fn type_member(&mut self, node: NodeId, owner: SymbolId, name: NodeId) -> TypeId {
        let Some(member) = self.find_member(owner, name) else {
            return TypeArena::ERROR;
        };
        let kind = self.ck.symbols.get(member).kind;
        match kind {
            SymbolKind::AssocConst | SymbolKind::ErrorCase | SymbolKind::ServiceField => {
                self.ck.facts.symbol_type(member).unwrap_or(TypeArena::ERROR)
            }
            _ => {
                let _ = node;
                let span = self.span(name);
                let message = match kind {
                    SymbolKind::Field => "a field is read from a value, not from its type".to_string(),
                    _ => format!("`{}` is a function; call it", self.ck.text(self.ck.symbols.get(member).name)),
                };
                self.report(DiagnosticCode::TypeMismatch, span, message);
                TypeArena::ERROR
            }
        }
    }

    /// Finds and records member `name` of `owner`, reporting an unknown or invisible one.
    fn find_member(&mut self, owner: SymbolId, name: NodeId) -> Option<SymbolId> {
        let (n, span) = name_of(&self.parse.arena, name)?;
        let Some(member) = self.ck.defs.member(owner, n) else {
            let owner_name = self.ck.text(self.ck.symbols.get(owner).name).to_string();
            let candidates: Vec<String> = self
                .ck
                .defs
                .members(owner)
                .iter()
                .map(|&m| self.ck.text(self.ck.symbols.get(m).name).to_string())
                .filter(|t| super::edit_distance(t, self.ck.text(n)) <= 2)
                .collect();
            let hint = format_hint(&candidates);
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
    fn value_member(&mut self, node: NodeId, base: TypeId, name: NodeId) -> TypeId {
        let _ = node;
        let span = self.span(name);
        match self.ck.types.kind(base) {
            TypeKind::Error => TypeArena::ERROR,
            TypeKind::Struct(s) => {
                let Some(member) = self.find_member(s, name) else {
                    return TypeArena::ERROR;
                };
                match self.ck.symbols.get(member).kind {
                    SymbolKind::Field => self.ck.facts.symbol_type(member).unwrap_or(TypeArena::ERROR),
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
                let message = "a handle has no fields; open a view (`borrow h as v { v.f }`) or `peek` it";
                self.report(DiagnosticCode::TypeNoMember, span, message);
                TypeArena::ERROR
            }
            _ => {
                let text = name_of(&self.parse.arena, name).map(|(n, _)| self.ck.text(n).to_string()).unwrap_or_default();
                let message = format!("`{}` has no field `{text}`", self.show(base));
                self.report(DiagnosticCode::TypeNoMember, span, message);
                TypeArena::ERROR
            }
        }
    }

    // ----- calls -----

    fn call(&mut self, node: NodeId, callee: NodeId, args: NodeList) -> TypeId {
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
                    let what = self.ck.text(self.ck.symbols.get(s).name).to_string();
                    self.report(DiagnosticCode::TypeNotCallable, span, format!("`{what}` is not a function"));
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
                                SymbolKind::ContractFn => "a contract function is called through a service that implements it",
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
                    self.report(DiagnosticCode::TypeNotCallable, span, "this is not a function");
                }
                self.args_loose(&args);
                TypeArena::ERROR
            }
        }
    }

    fn call_fn(&mut self, span: Span, f: SymbolId, args: &[NodeId]) -> TypeId {
        let Some(sig) = self.ck.facts.signature(f).cloned() else {
            self.args_loose(args);
            return TypeArena::ERROR;
        };
        self.args(span, args, &sig.params);
        sig.ret
    }

    fn args(&mut self, call_span: Span, args: &[NodeId], params: &[TypeId]) {
        if args.len() != params.len() {
            let message = format!("expected {} argument(s), found {}", params.len(), args.len());
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

    fn args_loose(&mut self, args: &[NodeId]) {
        for &a in args {
            self.expr(a, None, true);
        }
    }

    fn method_call(&mut self, span: Span, base: NodeId, name: NodeId, args: &[NodeId]) -> TypeId {
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
                        SymbolKind::AssocFn => format!("`{method}` has no `self`; call it as `Type.{method}(…)`"),
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
            TypeKind::List(t) => {
                let opt = self.ck.types.intern(TypeKind::Optional(t));
                let (params, ret): (Vec<TypeId>, TypeId) = match method.as_str() {
                    "push" => (vec![t], TypeArena::VOID),
                    "pop" => (vec![], opt),
                    "len" => (vec![], TypeArena::INT),
                    "get" => (vec![TypeArena::INT], t),
                    "set" | "insert" => (vec![TypeArena::INT, t], TypeArena::VOID),
                    "remove" => (vec![TypeArena::INT], t),
                    "clear" => (vec![], TypeArena::VOID),
                    _ => return self.no_builtin(name_span, receiver.ty, &method, args),
                };
                if let Some((root, node, rspan)) = receiver.root {
                    if !matches!(method.as_str(), "len" | "get") {
                        self.use_symbol(root, node, rspan, RefKind::Write);
                    }
                }
                self.args(span, args, &params);
                ret
            }
            TypeKind::Array(..) | TypeKind::String if method == "len" => {
                self.args(span, args, &[]);
                TypeArena::INT
            }
            _ => self.no_builtin(name_span, receiver.ty, &method, args),
        }
    }

    fn no_builtin(&mut self, span: Span, ty: TypeId, method: &str, args: &[NodeId]) -> TypeId {
        let message = format!("`{}` has no method `{method}`", self.show(ty));
        self.report(DiagnosticCode::TypeNoMember, span, message);
        self.args_loose(args);
        TypeArena::ERROR
    }

    // ----- matching -----

    fn when(
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
        let mut patterns: Vec<NodeId> = Vec::new();
        let before = self.diverged;
        for &arm in &arms {
            let NodeKind::Arm { pattern, value } = self.kind(arm) else {
                continue;
            };
            if !self.is_err(st) && super::lints::covers(self.ck, &self.parse.arena, &patterns, st, pattern) {
                let pspan = self.span(pattern);
                self.report(DiagnosticCode::UnreachableArm, pspan, "this arm can never match");
            }
            self.scopes.push(Vec::new());
            self.pattern(pattern, st);
            patterns.push(pattern);
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
            self.scopes.pop();
        }
        self.diverged = before;
        if as_value && !self.is_err(st) && !super::lints::exhaustive(self.ck, &self.parse.arena, &patterns, st) {
            let span = Span::new(self.file, keyword, keyword + 4);
            let message = format!("this `when` does not cover every `{}`", self.show(st));
            self.report(DiagnosticCode::TypeNonExhaustive, span, message);
        }
        if as_value {
            result.unwrap_or(TypeArena::ERROR)
        } else {
            TypeArena::VOID
        }
    }

    fn handle(
        &mut self,
        node: NodeId,
        subject: NodeId,
        arms: NodeList,
        expected: Option<TypeId>,
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
        let _ = expected;
        let fn_err = match self.ret.map(|r| self.ck.types.kind(r)) {
            Some(TypeKind::Result(_, e)) => Some(e),
            Some(TypeKind::Error) => Some(TypeArena::ERROR),
            _ => None,
        };
        let mut patterns = Vec::new();
        for arm in self.list(arms) {
            let NodeKind::Arm { pattern, value } = self.kind(arm) else {
                continue;
            };
            if !self.is_err(err) && super::lints::covers(self.ck, &self.parse.arena, &patterns, err, pattern) {
                let pspan = self.span(pattern);
                self.report(DiagnosticCode::UnreachableArm, pspan, "this arm can never match");
            }
            self.scopes.push(Vec::new());
            self.pattern(pattern, err);
            patterns.push(pattern);
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
            self.scopes.pop();
        }
        if !self.is_err(err) && !super::lints::exhaustive(self.ck, &self.parse.arena, &patterns, err) {
            let start = self.span(node).start;
            let span = Span::new(self.file, start, start + 6);
            let message = format!("this `handle` does not cover every `{}`", self.show(err));
            self.report(DiagnosticCode::TypeNonExhaustive, span, message);
        }
        if !as_value {
            return TypeArena::VOID;
        }
        ok
    }

    /// Checks a pattern against the subject type and binds its names in the current
    /// scope.
    fn pattern(&mut self, pattern: NodeId, subject: TypeId) {
        let span = self.span(pattern);
        let sk = self.ck.types.kind(subject);
        let mismatch = |this: &mut Self, what: &str| {
            if !this.is_err(subject) {
                let message = format!("expected a pattern for `{}`, found {what}", this.show(subject));
                this.report(DiagnosticCode::TypeMismatch, span, message);
            }
        };
        match self.kind(pattern) {
            NodeKind::PatWildcard => {}
            NodeKind::PatBind { name } => {
                if let Some(s) = self.define(name, span, pattern, SymbolKind::Local, false, subject, false) {
                    self.ck.refs.bind_node(self.file, pattern, s);
                }
            }
            NodeKind::PatLiteral { value } => {
                let t = self.expr(value, None, true);
                if t != subject && !self.is_err(t) {
                    let shown = format!("a `{}`", self.show(t));
                    mismatch(self, &shown);
                }
            }
            NodeKind::PatNone => {
                if !matches!(sk, TypeKind::Optional(_)) {
                    mismatch(self, "`none`");
                }
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
                let t = self.ck.facts.symbol_type(member).unwrap_or(TypeArena::ERROR);
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
    fn view(
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
                let d = Diagnostic::new(
                    DiagnosticCode::HipViewConflict,
                    hspan,
                    "this storage already has an open view that excludes this one",
                )
                .with_related(open.span, "the open view");
                self.ck.diagnostics.push(d);
            }
        }
        self.scopes.push(Vec::new());
        if let Some((n, nspan)) = name_of(&self.parse.arena, name) {
            let mutable = kind == ViewKind::Mutate;
            if let Some(s) = self.define(n, nspan, node, SymbolKind::Local, mutable, inner, false) {
                self.ck.refs.bind_node(self.file, name, s);
                self.view_symbols.insert(s);
            }
        }
        if let Some(h) = handle_symbol {
            self.views.push(OpenView { handle: h, kind, span: hspan });
        }
        let (ty, _) = self.block(body, expected, as_value);
        if handle_symbol.is_some() {
            self.views.pop();
        }
        self.scopes.pop();
        if as_value { ty } else { TypeArena::VOID }
    }
}

/// The result type of `lhs op rhs` (§6.1), or `None` when the operator does not apply.
pub(crate) fn binary_result(types: &TypeArena, op: BinaryOp, lhs: TypeId, rhs: TypeId) -> Option<TypeId> {
    if lhs != rhs {
        return None;
    }
    let k = types.kind(lhs);
    let numeric = matches!(k, TypeKind::Int | TypeKind::Float | TypeKind::Bounded);
    let ok = match op {
        BinaryOp::Add => numeric || k == TypeKind::String,
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => numeric,
        BinaryOp::Shl | BinaryOp::Shr | BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => {
            matches!(k, TypeKind::Int | TypeKind::Bounded)
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            return (numeric || k == TypeKind::String).then_some(TypeArena::BOOL);
        }
        BinaryOp::Eq | BinaryOp::Ne => {
            let comparable = !matches!(k, TypeKind::Void | TypeKind::Service(_) | TypeKind::Contract(_));
            return comparable.then_some(TypeArena::BOOL);
        }
        BinaryOp::And | BinaryOp::Or => k == TypeKind::Bool,
    };
    ok.then_some(lhs)
}

/// Whether `from as to` is allowed (§3.1).
pub(crate) fn cast_allowed(from: TypeKind, to: TypeKind) -> bool {
    let numeric = |k| matches!(k, TypeKind::Int | TypeKind::Float | TypeKind::Bounded);
    (numeric(from) && numeric(to))
        || (to == TypeKind::String && (numeric(from) || from == TypeKind::Bool))
}
