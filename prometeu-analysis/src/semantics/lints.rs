//! Pattern coverage, unused-declaration warnings and entry points
//! (`docs/spec/pbs-language.md` §6.4, §9, §11).

use std::collections::HashSet;

use super::{
    Checker, DefIndex, ImportBinding, KnownNames, Reach, RefIndex, SymbolArena, SymbolKind,
    TypeKind,
};
use crate::project::{ProjectGraph, ProjectKind};
use crate::syntax::{AstArena, NodeKind};
use crate::{
    Diagnostic, DiagnosticCode, FileId, ModuleId, NameId, NameInterner, NodeId, Span, SymbolId,
    TypeId,
};

/// The alternatives of a pattern list, `p | q` flattened.
fn flatten(arena: &AstArena, patterns: &[NodeId]) -> Vec<NodeId> {
    let mut out = Vec::new();
    for &p in patterns {
        match *arena.kind(p) {
            NodeKind::PatOr { alts } => out.extend(flatten(arena, arena.list(alts))),
            _ => out.push(p),
        }
    }
    out
}

fn is_catch_all(arena: &AstArena, p: NodeId) -> bool {
    matches!(
        arena.kind(p),
        NodeKind::PatWildcard | NodeKind::PatBind { .. }
    )
}

/// A literal pattern's value as comparable text (`-1`, `true`, `"a"`, …).
fn literal_key(arena: &AstArena, p: NodeId) -> Option<String> {
    let NodeKind::PatLiteral { value } = *arena.kind(p) else {
        return None;
    };
    let key = |n: NodeId| match *arena.kind(n) {
        NodeKind::IntLit { value } => Some(format!("i{value}")),
        NodeKind::BoundedLit { value } => Some(format!("b{value}")),
        NodeKind::FloatLit { value } => Some(format!("f{value}")),
        NodeKind::BoolLit { value } => Some(format!("{value}")),
        NodeKind::StringLit { start, len } => Some(format!("s{}", arena.str(start, len))),
        _ => None,
    };
    match *arena.kind(value) {
        NodeKind::Unary { operand, .. } => key(operand).map(|k| format!("-{k}")),
        _ => key(value),
    }
}

fn case_key(ck: &Checker, arena: &AstArena, p: NodeId) -> Option<(String, String)> {
    let NodeKind::PatCase { ty, case } = *arena.kind(p) else {
        return None;
    };
    let name = |n: NodeId| match *arena.kind(n) {
        NodeKind::Name { name } => Some(ck.text(name).to_string()),
        _ => None,
    };
    Some((name(ty)?, name(case)?))
}

/// The values of `ty` that no pattern matches, written as the patterns that would
/// cover them (`false`, `none`, `err(Oops.Worse)`, `_`), in declaration order; empty
/// when the patterns are exhaustive (§6.4). `E_TYPE_NON_EXHAUSTIVE` names them.
pub(crate) fn missing_cases(
    ck: &Checker,
    arena: &AstArena,
    patterns: &[NodeId],
    ty: TypeId,
) -> Vec<String> {
    let pats = flatten(arena, patterns);
    if pats.iter().any(|&p| is_catch_all(arena, p)) {
        return Vec::new();
    }
    // The inner patterns `pick` finds, in order (`x` of every `some(x)`, say).
    let inner = |pick: fn(&NodeKind) -> Option<NodeId>| -> Vec<NodeId> {
        pats.iter().filter_map(|&p| pick(arena.kind(p))).collect()
    };
    // What `wrap(p)` misses when `p` ranges over `inner` patterns of type `t`; with no
    // inner pattern at all, the whole `wrap(_)` is missing.
    let wrapped = |inner: Vec<NodeId>, t: TypeId, wrap: &str| -> Vec<String> {
        let missing = missing_cases(ck, arena, &inner, t);
        if inner.is_empty() && !missing.is_empty() {
            return vec![format!("{wrap}(_)")];
        }
        missing
            .into_iter()
            .map(|m| format!("{wrap}({m})"))
            .collect()
    };
    match ck.types.kind(ty) {
        TypeKind::Error => Vec::new(),
        TypeKind::Bool => {
            let keys: Vec<String> = pats.iter().filter_map(|&p| literal_key(arena, p)).collect();
            ["true", "false"]
                .into_iter()
                .filter(|b| !keys.iter().any(|k| k == b))
                .map(str::to_string)
                .collect()
        }
        TypeKind::Optional(t) => {
            let has_none = pats
                .iter()
                .any(|&p| matches!(arena.kind(p), NodeKind::PatNone));
            let somes = inner(|k| match *k {
                NodeKind::PatSome { inner } => Some(inner),
                _ => None,
            });
            let mut missing = wrapped(somes, t, "some");
            if !has_none {
                missing.push("none".to_string());
            }
            missing
        }
        TypeKind::Result(t, e) => {
            // A bare `ok` matches every `ok` value.
            let bare_ok = pats
                .iter()
                .any(|&p| matches!(arena.kind(p), NodeKind::PatOk { inner: None }));
            let mut missing = if bare_ok {
                Vec::new()
            } else {
                let oks = inner(|k| match *k {
                    NodeKind::PatOk { inner } => inner,
                    _ => None,
                });
                wrapped(oks, t, "ok")
            };
            let errs = inner(|k| match *k {
                NodeKind::PatErr { inner } => Some(inner),
                _ => None,
            });
            missing.extend(wrapped(errs, e, "err"));
            missing
        }
        TypeKind::ErrorType(e) => {
            let covered: HashSet<String> = pats
                .iter()
                .filter_map(|&p| case_key(ck, arena, p))
                .map(|(_, case)| case)
                .collect();
            let error_name = ck.text(ck.symbols.get(e).name);
            ck.defs
                .members(e)
                .iter()
                .map(|&m| ck.text(ck.symbols.get(m).name))
                .filter(|case| !covered.contains(*case))
                .map(|case| format!("{error_name}.{case}"))
                .collect()
        }
        _ => vec!["_".to_string()],
    }
}

/// `missing` as the tail of an `E_TYPE_NON_EXHAUSTIVE` message: ": missing `a`, `b`"
/// (at most three named, then how many more).
pub(crate) fn describe_missing(missing: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut out = String::from(": missing ");
    let named: Vec<String> = missing
        .iter()
        .take(SHOWN)
        .map(|m| format!("`{m}`"))
        .collect();
    out.push_str(&named.join(", "));
    if missing.len() > SHOWN {
        out.push_str(&format!(" and {} more", missing.len() - SHOWN));
    }
    out
}

/// What the earlier arms of one `when` or `handle` match, kept up to date arm by arm
/// (`W_UNREACHABLE_ARM`): literals and error cases in sets, `some`/`ok`/`err` as the
/// coverage of their inner patterns, so checking an arm costs about the size of its
/// pattern and a `when` of 100,000 arms is checked in linear time, not quadratic.
#[derive(Default)]
pub(crate) struct Coverage {
    /// Every pattern added, in order (what `E_TYPE_NON_EXHAUSTIVE` is computed from).
    patterns: Vec<NodeId>,
    catch_all: bool,
    literals: HashSet<String>,
    cases: HashSet<String>,
    none: bool,
    bare_ok: bool,
    some: Option<Box<Coverage>>,
    ok: Option<Box<Coverage>>,
    err: Option<Box<Coverage>>,
    /// How many cases of an error-type subject `cases` names.
    error_cases: usize,
    /// The patterns so far match every value of the subject.
    exhaustive: bool,
}

impl Coverage {
    /// The patterns added so far, in order.
    pub(crate) fn patterns(&self) -> &[NodeId] {
        &self.patterns
    }

    /// Whether pattern `p` can never match after the patterns added so far.
    pub(crate) fn covers(&self, ck: &Checker, arena: &AstArena, ty: TypeId, p: NodeId) -> bool {
        if self.exhaustive || self.catch_all {
            return true;
        }
        if self.patterns.is_empty() {
            return false;
        }
        flatten(arena, &[p])
            .into_iter()
            .all(|alt| self.covers_alternative(ck, arena, ty, alt))
    }

    fn covers_alternative(&self, ck: &Checker, arena: &AstArena, ty: TypeId, alt: NodeId) -> bool {
        if let Some(key) = literal_key(arena, alt) {
            return self.literals.contains(&key);
        }
        if let Some((_, case)) = case_key(ck, arena, alt) {
            return self.cases.contains(&case);
        }
        let inner_covers = |inner: &Option<Box<Coverage>>, t: TypeId, p: NodeId| {
            inner.as_ref().is_some_and(|c| c.covers(ck, arena, t, p))
        };
        match (*arena.kind(alt), ck.types.kind(ty)) {
            (NodeKind::PatNone, _) => self.none,
            (NodeKind::PatSome { inner }, TypeKind::Optional(t)) => {
                inner_covers(&self.some, t, inner)
            }
            (NodeKind::PatOk { inner: None }, _) => self.bare_ok,
            (NodeKind::PatOk { inner: Some(inner) }, TypeKind::Result(t, _)) => {
                self.bare_ok || inner_covers(&self.ok, t, inner)
            }
            (NodeKind::PatErr { inner }, TypeKind::Result(_, e)) => {
                inner_covers(&self.err, e, inner)
            }
            _ => false,
        }
    }

    /// Adds pattern `p` (matched against `ty`) after the earlier ones.
    pub(crate) fn add(&mut self, ck: &Checker, arena: &AstArena, ty: TypeId, p: NodeId) {
        let useful = !self.covers(ck, arena, ty, p);
        self.patterns.push(p);
        if !useful {
            return;
        }
        for alt in flatten(arena, &[p]) {
            self.add_alternative(ck, arena, ty, alt);
        }
        self.exhaustive = self.is_exhaustive(ck, ty);
    }

    /// Whether the patterns added so far match every value of `ty`, from the summary
    /// alone (what [`missing_cases`] computes from the patterns, at no cost per arm).
    fn is_exhaustive(&self, ck: &Checker, ty: TypeId) -> bool {
        let inner = |c: &Option<Box<Coverage>>| c.as_ref().is_some_and(|c| c.exhaustive);
        self.catch_all
            || match ck.types.kind(ty) {
                TypeKind::Error => true,
                TypeKind::Bool => self.literals.contains("true") && self.literals.contains("false"),
                TypeKind::Optional(_) => self.none && inner(&self.some),
                TypeKind::Result(..) => (self.bare_ok || inner(&self.ok)) && inner(&self.err),
                TypeKind::ErrorType(e) => self.error_cases == ck.defs.members(e).len(),
                _ => false,
            }
    }

    fn add_alternative(&mut self, ck: &Checker, arena: &AstArena, ty: TypeId, alt: NodeId) {
        if is_catch_all(arena, alt) {
            self.catch_all = true;
            return;
        }
        if let Some(key) = literal_key(arena, alt) {
            self.literals.insert(key);
            return;
        }
        if let Some((_, case)) = case_key(ck, arena, alt) {
            let member = match (*arena.kind(alt), ck.types.kind(ty)) {
                (NodeKind::PatCase { case: name, .. }, TypeKind::ErrorType(e)) => {
                    match *arena.kind(name) {
                        NodeKind::Name { name } => ck.defs.member(e, name).is_some(),
                        _ => false,
                    }
                }
                _ => false,
            };
            if self.cases.insert(case) && member {
                self.error_cases += 1;
            }
            return;
        }
        let add_inner = |inner: &mut Option<Box<Coverage>>, t: TypeId, p: NodeId| {
            inner.get_or_insert_default().add(ck, arena, t, p);
        };
        match (*arena.kind(alt), ck.types.kind(ty)) {
            (NodeKind::PatNone, _) => self.none = true,
            (NodeKind::PatSome { inner }, TypeKind::Optional(t)) => {
                add_inner(&mut self.some, t, inner)
            }
            (NodeKind::PatOk { inner: None }, _) => self.bare_ok = true,
            (NodeKind::PatOk { inner: Some(inner) }, TypeKind::Result(t, _)) => {
                add_inner(&mut self.ok, t, inner);
            }
            (NodeKind::PatErr { inner }, TypeKind::Result(_, e)) => {
                add_inner(&mut self.err, e, inner)
            }
            _ => {}
        }
    }
}

/// What an unused-declaration warning is about: a symbol, or an import of a file.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) enum LintSubject {
    /// A declaration.
    Symbol(SymbolId),
    /// The local name an import binds in a file.
    Import(FileId, NameId),
}

/// What the unused-declaration warnings read: the same for a whole-program analysis
/// and for one that re-checked one file (`semantics/fast.rs`).
pub(crate) struct LintInputs<'a> {
    pub graph: &'a ProjectGraph,
    pub names: &'a NameInterner,
    pub symbols: &'a SymbolArena,
    pub refs: &'a RefIndex,
    pub defs: &'a DefIndex,
    pub prelude_module: ModuleId,
    pub known: &'a KnownNames,
    /// Whether a declaration node is a view (`borrow`/`mutate` name).
    pub is_view: &'a dyn Fn((FileId, NodeId)) -> bool,
}

impl LintInputs<'_> {
    /// `W_UNUSED_LOCAL`, `W_UNUSED_MUT` or `W_UNUSED_PRIVATE` for symbol `id`, with
    /// exactly §11's exemptions.
    pub(crate) fn symbol_lint(&self, id: SymbolId) -> Option<Diagnostic> {
        let sym = self.symbols.get(id);
        if sym.module == self.prelude_module || sym.duplicate {
            return None;
        }
        let text = self.names.resolve(sym.name);
        if text.starts_with('_') || sym.name == self.known.self_ {
            return None;
        }
        let refs = self.refs.refs(id);
        let written = refs.iter().any(|r| r.kind == super::RefKind::Write);
        let reach = || super::reach(self.symbols, self.prelude_module, id);
        let never_used = || {
            let message =
                format!("`{text}` is never used (remove it, or prefix it with `_` to keep it)");
            (DiagnosticCode::UnusedPrivate, message)
        };
        let warning = match sym.kind {
            SymbolKind::Local | SymbolKind::Param if refs.is_empty() => {
                let message =
                    format!("`{text}` is never used (prefix it with `_` to keep it: `_{text}`)");
                Some((DiagnosticCode::UnusedLocal, message))
            }
            SymbolKind::Local | SymbolKind::Param
                if sym.mutable && !(self.is_view)(sym.node) && !written =>
            {
                let message = format!("`{text}` is `mut` but never changed (remove the `mut`)");
                Some((DiagnosticCode::UnusedMut, message))
            }
            SymbolKind::Function
            | SymbolKind::Struct
            | SymbolKind::Service
            | SymbolKind::Contract
            | SymbolKind::Error
            | SymbolKind::Const
                if sym.parent.is_none() =>
            {
                // Entry points are called by the console, and only an app has them
                // (§9; a loose file is an app). A `main` written instead of `frame` is
                // explained by `E_PROJECT_NO_FRAME` already.
                let main_for_frame = self.names.get("main") == Some(sym.name)
                    && self
                        .defs
                        .item(sym.module, self.known.frame, super::Namespace::Value)
                        .is_none();
                let entry = (sym.name == self.known.frame
                    || sym.name == self.known.init
                    || main_for_frame)
                    && self.graph.modules.get(sym.module.index()).is_some_and(|m| {
                        m.path.is_empty() && self.graph.project(m.project).kind == ProjectKind::App
                    });
                (refs.is_empty() && !entry && reach() != Reach::Everywhere).then(never_used)
            }
            SymbolKind::ServiceField | SymbolKind::ServiceFn
                if refs.is_empty() && reach() == Reach::Owner =>
            {
                Some(never_used())
            }
            // Only the service itself can assign its fields, so an unassigned `let mut`
            // field is known whatever its visibility.
            SymbolKind::ServiceField if sym.mutable && !refs.is_empty() && !written => {
                let message = format!("`{text}` is `let mut` but never changed (remove the `mut`)");
                Some((DiagnosticCode::UnusedMut, message))
            }
            _ => None,
        };
        warning.map(|(code, message)| Diagnostic::new(code, sym.decl_span, message))
    }

    /// `W_UNUSED_IMPORT` for the import that binds `name`.
    pub(crate) fn import_lint(&self, name: NameId, binding: &ImportBinding) -> Option<Diagnostic> {
        let text = self.names.resolve(name);
        if binding.errored || binding.used || text.starts_with('_') {
            return None;
        }
        let message =
            format!("`{text}` is imported but never used (remove it, or import it `as _{text}`)");
        Some(Diagnostic::new(
            DiagnosticCode::UnusedImport,
            binding.span,
            message,
        ))
    }
}

impl Checker<'_> {
    /// Phase 4a: `W_UNUSED_LOCAL`, `W_UNUSED_MUT`, `W_UNUSED_PRIVATE`, `W_UNUSED_IMPORT`
    /// with exactly §11's exemptions, kept apart by subject (`Checker::lints`).
    pub(crate) fn lint_unused(&mut self) {
        self.lints = self.unused_warnings();
    }

    fn unused_warnings(&self) -> Vec<(LintSubject, Diagnostic)> {
        let is_view = |node: (FileId, NodeId)| self.is_view(node);
        let inputs = LintInputs {
            graph: self.graph,
            names: self.names,
            symbols: &self.symbols,
            refs: &self.refs,
            defs: &self.defs,
            prelude_module: self.prelude_module,
            known: &self.known,
            is_view: &is_view,
        };
        let mut found = Vec::new();
        for (id, _) in self.symbols.iter() {
            if let Some(d) = inputs.symbol_lint(id) {
                found.push((LintSubject::Symbol(id), d));
            }
        }
        for &(file, name) in &self.import_order {
            let Some(binding) = self.imports.get(&file).and_then(|m| m.get(&name)) else {
                continue;
            };
            if let Some(d) = inputs.import_lint(name, binding) {
                found.push((LintSubject::Import(file, name), d));
            }
        }
        found
    }

    fn is_view(&self, node: (crate::FileId, NodeId)) -> bool {
        self.file_input(node.0)
            .is_some_and(|f| matches!(f.parse.arena.kind(node.1), NodeKind::View { .. }))
    }

    /// The function `name` declared in the main file itself, if there is one.
    fn main_file_function(
        &self,
        main: &crate::project::SourceFile,
        name: crate::NameId,
    ) -> Option<SymbolId> {
        self.defs
            .item(main.module, name, super::Namespace::Value)
            .filter(|&s| {
                let sym = self.symbols.get(s);
                sym.kind == SymbolKind::Function && sym.file() == main.file
            })
    }

    /// Reports `code` with `message` on `function`'s name unless it takes no parameters
    /// and returns nothing, as the console calls entry points (§9). A function without a
    /// recorded signature passes.
    fn check_takes_and_returns_nothing(
        &mut self,
        function: SymbolId,
        code: DiagnosticCode,
        message: &str,
    ) {
        let ok = self
            .facts
            .signature(function)
            .is_none_or(|s| s.params.is_empty() && s.ret == super::TypeArena::VOID);
        if !ok {
            let span = self.symbols.get(function).decl_span;
            self.report(code, span, message);
        }
    }

    /// Phase 4b: an app's `src/main.pbs` declares `fn frame()`, and `frame` and `init`
    /// (when present) take no parameters and return nothing (§9).
    pub(crate) fn check_entry_points(&mut self) {
        let Some(root) = self.graph.projects.first() else {
            return;
        };
        if root.kind != ProjectKind::App {
            return;
        }
        let loose = root.manifest_file.is_none();
        let main = self
            .graph
            .files
            .iter()
            .find(|f| f.project.index() == 0 && (loose || f.rel_path == "src/main.pbs"));
        let Some(main) = main else {
            return;
        };
        if let Some(init) = self.main_file_function(main, self.known.init) {
            self.check_takes_and_returns_nothing(
                init,
                DiagnosticCode::ProjectEntrySignature,
                "`init` takes no parameters and returns nothing: the console calls it as `init()`",
            );
        }
        match self.main_file_function(main, self.known.frame) {
            None => {
                let main_fn = self.names.get("main");
                let hint = if main_fn.is_some_and(|n| self.main_file_function(main, n).is_some()) {
                    " (PBS has no `main`: the console calls `frame()` once per frame)"
                } else {
                    ""
                };
                // A loose file is not in a project, so "src/main.pbs" would mean nothing
                // to its author: say what the file itself needs.
                let message = if loose {
                    "a file checked or run on its own is a one-file app: it must declare \
                     `fn frame()`, called once per frame (`fn init()`, called once at the \
                     start, is optional)"
                } else {
                    "an app's `src/main.pbs` must declare `fn frame()`"
                };
                self.report(
                    DiagnosticCode::ProjectNoFrame,
                    Span::empty(main.file, 0),
                    format!("{message}{hint}"),
                );
            }
            Some(frame) => self.check_takes_and_returns_nothing(
                frame,
                DiagnosticCode::ProjectEntrySignature,
                "`frame` takes no parameters and returns nothing: the console calls it as `frame()`",
            ),
        }
    }
}
