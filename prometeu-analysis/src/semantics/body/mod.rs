//! Bodies: name resolution of locals and paths, and type checking, in one walk per
//! function, constant or service field (`docs/spec/pbs-language.md` §3–§6).

mod expr;
mod matching;
mod scopes;

use super::fx::FxHashSet as HashSet;
use std::sync::Arc;

use super::collect::{format_hint, name_of};
use super::{Checker, Lookup, Namespace, RefKind, Symbol, SymbolKind, TypeArena, TypeKind};
use crate::syntax::{AssignOp, BinaryOp, NodeKind, NodeList, ViewKind, Visibility};
use crate::{Diagnostic, DiagnosticCode, FileId, NameId, NodeId, Parse, Span, SymbolId, TypeId};

/// Why a place rooted at a plain binding cannot be assigned (`let mut` fixes it).
const NOT_MUT_BINDING: &str = "the binding is not `mut`";

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
    /// The struct field the path ends in (`v.x`, or `v.xs[i]` of an array field), with
    /// its name node and span: an assignment writes it as well as the root.
    field: Option<(SymbolId, NodeId, Span)>,
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
    scopes: scopes::Scopes,
    loop_depth: u32,
    /// For each enclosing loop, whether a `break` leaves it.
    loop_breaks: Vec<bool>,
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
            // Between bodies: a newer edit makes this analysis moot.
            if self.check_cancelled() {
                return;
            }
            if self.try_replay(index, decl, Some(symbol), owner) {
                continue;
            }
            let marks = self.start_recording();
            let mut body = BodyChecker::new(self, Arc::clone(&parse), owner, None);
            if matches!(arena.kind(decl), NodeKind::ServiceField { .. }) {
                body.service = owner;
            }
            body.expect(value, declared);
            self.finish_recording(index, decl, Some(symbol), owner, marks);
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
            // Between bodies: a newer edit makes this analysis moot.
            if self.check_cancelled() {
                return;
            }
            if self.try_replay(index, decl, symbol, owner) {
                continue;
            }
            let marks = self.start_recording();
            let signature = symbol.and_then(|s| self.facts.signature(s).cloned());
            let ret = signature.as_ref().map_or(TypeArena::ERROR, |s| s.ret);
            let mut checker = BodyChecker::new(self, Arc::clone(&parse), owner, Some(ret));
            if is_service {
                checker.service = owner;
            }
            checker.check_fn(symbol, sig, body, signature.map(|s| s.params));
            self.finish_recording(index, decl, symbol, owner, marks);
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
            scopes: scopes::Scopes::new(),
            loop_depth: 0,
            loop_breaks: Vec::new(),
            views: Vec::new(),
            view_symbols: HashSet::default(),
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
                        let span = Span::new(
                            span.file,
                            span.end.saturating_sub(4).max(span.start),
                            span.end,
                        );
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
        // A non-void function's tail expression is its result.
        let (_, has_tail) = self.block(body, expected, expected.is_some());
        let returns_value = ret != TypeArena::VOID && !self.is_err(ret);
        if returns_value && !self.diverged && !has_tail {
            if let Some(symbol) = symbol {
                let span = self.ck.symbols.get(symbol).decl_span;
                let name = self.ck.text(self.ck.symbols.get(symbol).name).to_string();
                self.report(
                    DiagnosticCode::TypeMissingReturn,
                    span,
                    format!(
                        "`{name}` can reach its end without returning a value of type `{}`",
                        self.show(ret)
                    ),
                );
            }
        }
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
        let module = self
            .ck
            .file_input(self.file)
            .map(|f| f.module)
            .unwrap_or_default();
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
        if let Some(first) = self.scopes.in_innermost(name) {
            self.ck.symbols.get_mut(symbol).duplicate = true;
            let first_span = self.ck.symbols.get(first).decl_span;
            let message = format!("`{}` is already declared here", self.ck.text(name));
            let d = Diagnostic::new(DiagnosticCode::ResolveDuplicateLocal, span, message)
                .with_related(first_span, "first declared here");
            self.ck.diagnostics.push(d);
            return Some(symbol);
        }
        if is_let && !self.ck.text(name).starts_with('_') {
            if let Some(outer) = self.scopes.in_enclosing(name) {
                let outer_span = self.ck.symbols.get(outer).decl_span;
                let message = format!(
                    "`{}` hides a local of an enclosing block",
                    self.ck.text(name)
                );
                let d = Diagnostic::new(DiagnosticCode::Shadowed, span, message)
                    .with_related(outer_span, "the hidden local");
                self.ck.diagnostics.push(d);
            }
        }
        self.scopes.define(name, symbol);
        Some(symbol)
    }

    fn find_local(&self, name: NameId) -> Option<SymbolId> {
        self.scopes.find(name)
    }

    /// Names in scope before the module level: locals, then (inside a service) its
    /// members; for "did you mean" hints.
    fn local_names(&self) -> Vec<NameId> {
        let mut names: Vec<NameId> = self.scopes.names().collect();
        if let Some(service) = self.service {
            let members = self.ck.defs.members(service).iter();
            names.extend(members.map(|&m| self.ck.symbols.get(m).name));
        }
        names
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
                // An invisible item is still what the name means: a use, for the
                // unused lints and for navigation.
                self.use_symbol(s, node, span, RefKind::Read);
                let message = format!("`{}` is private to its file", self.ck.text(name));
                self.report(DiagnosticCode::ResolveNotVisible, span, message);
                Res::Quiet
            }
            Lookup::Missing => {
                let locals = self.local_names();
                let hint = match super::foreign::value_hint(self.ck.text(name)) {
                    Some(hint) => format!(" ({hint})"),
                    None => format_hint(&self.ck.suggestions(self.file, name, &locals)),
                };
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
        self.scopes.open();
        let mut warned = false;
        for stmt in self.list(stmts) {
            if self.diverged && !warned {
                warned = true;
                let span = self.span(stmt);
                self.report(
                    DiagnosticCode::UnreachableCode,
                    span,
                    "this statement can never run",
                );
            }
            self.stmt(stmt);
        }
        // A trailing `if` without `else` is a statement, not the block's value.
        let tail = tail.filter(|&t| {
            let is_statement_if = matches!(
                self.kind(t),
                NodeKind::If {
                    otherwise: None,
                    ..
                }
            );
            if is_statement_if {
                if self.diverged && !warned {
                    warned = true;
                    let span = self.span(t);
                    self.report(
                        DiagnosticCode::UnreachableCode,
                        span,
                        "this statement can never run",
                    );
                }
                self.expr(t, None, false);
            }
            !is_statement_if
        });
        let ty = match tail {
            Some(tail) => {
                if self.diverged && !warned {
                    let span = self.span(tail);
                    self.report(
                        DiagnosticCode::UnreachableCode,
                        span,
                        "this expression can never run",
                    );
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
        self.scopes.close();
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
                    if let Some(s) =
                        self.define(n, nspan, stmt, SymbolKind::Local, is_mut, bound, true)
                    {
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
                            let message =
                                format!("this function returns nothing, found `{}`", self.show(t));
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
                self.loop_breaks.push(false);
                self.block(body, None, false);
                let broke = self.loop_breaks.pop().unwrap_or(true);
                self.loop_depth -= 1;
                // `while true` without a `break` never ends: what follows is unreachable,
                // and a function ending in one needs no final `return`.
                let forever = matches!(self.kind(cond), NodeKind::BoolLit { value: true });
                self.diverged = before || (forever && !broke);
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
                self.scopes.open();
                if let Some((n, nspan)) = name_of(&self.parse.arena, name) {
                    if let Some(s) =
                        self.define(n, nspan, stmt, SymbolKind::Local, false, elem, false)
                    {
                        self.ck.refs.bind_node(self.file, name, s);
                    }
                }
                self.loop_depth += 1;
                self.loop_breaks.push(false);
                self.block(body, None, false);
                self.loop_breaks.pop();
                self.loop_depth -= 1;
                self.scopes.close();
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
                    if matches!(self.kind(stmt), NodeKind::BreakStmt) {
                        if let Some(broke) = self.loop_breaks.last_mut() {
                            *broke = true;
                        }
                    }
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
        if let Some((root, node, _)) = place.root {
            if node == target && self.view_symbols.contains(&root) {
                self.report(
                    DiagnosticCode::HipViewEscape,
                    target_span,
                    "a view name cannot be assigned; change its fields instead",
                );
                self.expr(value, Some(place.ty), true);
                return;
            }
        }
        self.write_place(&place);
        if !place.mutable && !place.list_slot && !self.is_err(place.ty) {
            let message = format!("cannot assign here: {}", place.why);
            let mut d = Diagnostic::new(DiagnosticCode::TypeNotMutable, target_span, message);
            // A `let` or a named parameter: point at it, where `mut` goes (`for`
            // variables, pattern bindings, views and `self` take no `mut` there).
            if let Some((root, _, _)) = place.root {
                let sym = self.ck.symbols.get(root);
                let (file, decl) = sym.node;
                let name = self.ck.text(sym.name).to_string();
                let fix = match self.kind(decl) {
                    _ if file != self.file || place.why != NOT_MUT_BINDING => None,
                    NodeKind::LetStmt { .. } => Some(format!("`let mut {name}`")),
                    NodeKind::Param { .. } => Some(format!("`mut {name}: …`")),
                    _ => None,
                };
                if let Some(fix) = fix {
                    d = d.with_related(
                        sym.decl_span,
                        format!("`{name}` is declared here: write {fix} to change it"),
                    );
                }
            }
            self.ck.diagnostics.push(d);
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
                let message = format!(
                    "`{}` does not apply to `{}`",
                    op.text(),
                    self.show(place.ty)
                );
                self.report(DiagnosticCode::TypeOperator, op_span, message);
            }
        }
    }

    /// Records an assignment's writes: its root binding and the field it ends in.
    fn write_place(&mut self, place: &Place) {
        for (symbol, node, span) in [place.root, place.field].into_iter().flatten() {
            self.use_symbol(symbol, node, span, RefKind::Write);
        }
    }

    /// An assignment the parser recovered where none can stand (`if x = 1 {`, already
    /// reported): its names are uses and its target counts as written, and nothing
    /// more is said about it.
    pub(super) fn recovered_assign(&mut self, target: NodeId, value: NodeId) {
        let place = self.place(target);
        self.write_place(&place);
        let expected = (!self.is_err(place.ty)).then_some(place.ty);
        self.expr(value, expected, true);
    }

    /// `(e as T)` for a conversion hint, `e` written out when it is short (a name, a
    /// literal, a field path, a call) and `…` otherwise.
    pub(super) fn cast_hint(&self, node: NodeId, to: TypeId) -> String {
        let text = self.short_text(node, 3).unwrap_or_else(|| "…".to_string());
        format!("`({text} as {})`", self.show(to))
    }

    /// A short rendering of a simple expression, `depth` levels deep at most.
    fn short_text(&self, node: NodeId, depth: u32) -> Option<String> {
        if depth == 0 {
            return None;
        }
        Some(match self.kind(node) {
            NodeKind::NameRef { name } => self.ck.text(name).to_string(),
            NodeKind::SelfRef => "self".to_string(),
            NodeKind::IntLit { value } => value.to_string(),
            NodeKind::FloatLit { value } => format!("{value:?}"),
            NodeKind::BoundedLit { value } => format!("{value}b"),
            NodeKind::BoolLit { value } => value.to_string(),
            NodeKind::Member { base, name } => {
                let (name, _) = name_of(&self.parse.arena, name)?;
                format!(
                    "{}.{}",
                    self.short_text(base, depth - 1)?,
                    self.ck.text(name)
                )
            }
            NodeKind::Call { callee, .. } => format!("{}(…)", self.short_text(callee, depth - 1)?),
            NodeKind::Index { base, .. } => format!("{}[…]", self.short_text(base, depth - 1)?),
            _ => return None,
        })
    }

    /// The span of the first token at or after `offset`.
    fn token_after(&self, offset: u32) -> Option<Span> {
        let tokens = &self.parse.lexed.tokens;
        let at = tokens.partition_point(|t| t.start < offset);
        tokens.get(at).map(|t| Span::new(self.file, t.start, t.end))
    }

    // ----- places -----

    fn place(&mut self, node: NodeId) -> Place {
        // Field paths are as deep as structs nest, and structs can nest without limit.
        crate::stack::ensure_sufficient_stack(|| self.place_of(node))
    }

    fn place_of(&mut self, node: NodeId) -> Place {
        let not_place = |ty| Place {
            ty,
            root: None,
            mutable: false,
            list_slot: false,
            field: None,
            why: "this is not a place",
        };
        let span = self.span(node);
        match self.kind(node) {
            NodeKind::NameRef { name } => match self.resolve_value(node, name) {
                Res::Local(s) | Res::Item(s) => {
                    let sym = self.ck.symbols.get(s);
                    let ty = self.ck.facts.symbol_type(s).unwrap_or(TypeArena::ERROR);
                    let (mutable, why) = match sym.kind {
                        SymbolKind::Local if self.view_symbols.contains(&s) => (
                            sym.mutable,
                            "a `borrow` view is read-only; open it with `mutate`",
                        ),
                        SymbolKind::Local | SymbolKind::Param => (sym.mutable, NOT_MUT_BINDING),
                        SymbolKind::ServiceField => (
                            sym.mutable && sym.parent == self.service,
                            "the service field is not `let mut`",
                        ),
                        _ => (false, "only bindings and fields can be assigned"),
                    };
                    let ty = if sym.kind.is_fn() {
                        TypeArena::ERROR
                    } else {
                        ty
                    };
                    self.record_type(node, ty);
                    Place {
                        ty,
                        root: Some((s, node, span)),
                        mutable,
                        list_slot: false,
                        field: None,
                        why,
                    }
                }
                Res::Type(s) => {
                    let message = format!(
                        "`{}` is a type, not a value",
                        self.ck.text(self.ck.symbols.get(s).name)
                    );
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
                    field: None,
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
                    let ty = self.type_member(owner, name);
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
                    // `Service.field` is rooted at the field itself.
                    let root = member
                        .filter(|&m| self.ck.symbols.get(m).kind == SymbolKind::ServiceField)
                        .map(|m| (m, name, self.span(name)));
                    return Place {
                        ty,
                        root,
                        mutable,
                        list_slot: false,
                        field: None,
                        why,
                    };
                }
                let p = self.place_base(base);
                let ty = self.value_member(p.ty, name);
                let through_handle = p.list_slot;
                let field = self
                    .ck
                    .refs
                    .symbol_at(self.file, name)
                    .filter(|&m| self.ck.symbols.get(m).kind == SymbolKind::Field)
                    .map(|m| (m, name, self.span(name)));
                Place {
                    ty,
                    root: p.root,
                    mutable: p.mutable && !through_handle,
                    list_slot: false,
                    field,
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
                    // An array is stored in its field, a list only referenced from it.
                    field: p.field.filter(|_| !list),
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
}

/// The result type of `lhs op rhs` (§6.1), or `None` when the operator does not apply.
pub(crate) fn binary_result(
    types: &TypeArena,
    op: BinaryOp,
    lhs: TypeId,
    rhs: TypeId,
) -> Option<TypeId> {
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
            let comparable = !matches!(
                k,
                TypeKind::Void | TypeKind::Service(_) | TypeKind::Contract(_)
            );
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
        || (from == to && matches!(from, TypeKind::Bool | TypeKind::String))
}

/// Whether a node is a statement (what [`BodyChecker::stmt`] handles).
fn is_statement(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::LetStmt { .. }
            | NodeKind::AssignStmt { .. }
            | NodeKind::ReturnStmt { .. }
            | NodeKind::WhileStmt { .. }
            | NodeKind::ForStmt { .. }
            | NodeKind::BreakStmt
            | NodeKind::ContinueStmt
            | NodeKind::ExprStmt { .. }
    )
}

/// Whether a node is an expression (what [`BodyChecker::expr`] types).
fn is_expression(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::IntLit { .. }
            | NodeKind::FloatLit { .. }
            | NodeKind::BoundedLit { .. }
            | NodeKind::StringLit { .. }
            | NodeKind::BoolLit { .. }
            | NodeKind::NoneLit
            | NodeKind::NameRef { .. }
            | NodeKind::SelfRef
            | NodeKind::Paren { .. }
            | NodeKind::ArrayLit { .. }
            | NodeKind::ArrayRepeat { .. }
            | NodeKind::SomeExpr { .. }
            | NodeKind::OkExpr { .. }
            | NodeKind::ErrExpr { .. }
            | NodeKind::Alloc { .. }
            | NodeKind::AllocList { .. }
            | NodeKind::Call { .. }
            | NodeKind::Member { .. }
            | NodeKind::Index { .. }
            | NodeKind::Propagate { .. }
            | NodeKind::Unary { .. }
            | NodeKind::Binary { .. }
            | NodeKind::Cast { .. }
            | NodeKind::Else { .. }
            | NodeKind::When { .. }
            | NodeKind::Handle { .. }
            | NodeKind::If { .. }
            | NodeKind::Block { .. }
            | NodeKind::View { .. }
            | NodeKind::Peek { .. }
            | NodeKind::Take { .. }
            | NodeKind::Error { .. }
    )
}
