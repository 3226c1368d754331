//! Pattern coverage, unused-declaration warnings and entry points
//! (`docs/spec/pbs-language.md` §6.4, §9, §11).

use super::{Checker, Reach, SymbolKind, TypeKind};
use crate::project::ProjectKind;
use crate::syntax::{AstArena, NodeKind};
use crate::{Diagnostic, DiagnosticCode, NodeId, Span, SymbolId, TypeId};

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

/// Whether the patterns together match every value of `ty` (§6.4).
pub(crate) fn exhaustive(ck: &Checker, arena: &AstArena, patterns: &[NodeId], ty: TypeId) -> bool {
    missing_cases(ck, arena, patterns, ty).is_empty()
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
            let covered: Vec<String> = pats
                .iter()
                .filter_map(|&p| case_key(ck, arena, p))
                .map(|(_, case)| case)
                .collect();
            let error_name = ck.text(ck.symbols.get(e).name);
            ck.defs
                .members(e)
                .iter()
                .map(|&m| ck.text(ck.symbols.get(m).name))
                .filter(|case| !covered.iter().any(|c| c == case))
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

/// Whether pattern `p` can never match after `previous` (`W_UNREACHABLE_ARM`).
pub(crate) fn covers(
    ck: &Checker,
    arena: &AstArena,
    previous: &[NodeId],
    ty: TypeId,
    p: NodeId,
) -> bool {
    if previous.is_empty() {
        return false;
    }
    if exhaustive(ck, arena, previous, ty) {
        return true;
    }
    let alts = flatten(arena, &[p]);
    let prev = flatten(arena, previous);
    alts.iter().all(|&alt| {
        prev.iter().any(|&q| {
            if is_catch_all(arena, q) {
                return true;
            }
            if let (Some(a), Some(b)) = (literal_key(arena, q), literal_key(arena, alt)) {
                return a == b;
            }
            if let (Some(a), Some(b)) = (case_key(ck, arena, q), case_key(ck, arena, alt)) {
                return a.1 == b.1;
            }
            match (*arena.kind(q), *arena.kind(alt), ck.types.kind(ty)) {
                (NodeKind::PatNone, NodeKind::PatNone, _) => true,
                (
                    NodeKind::PatSome { inner: a },
                    NodeKind::PatSome { inner: b },
                    TypeKind::Optional(t),
                ) => covers(ck, arena, &[a], t, b),
                (NodeKind::PatOk { inner: None }, NodeKind::PatOk { .. }, _) => true,
                (
                    NodeKind::PatOk { inner: Some(a) },
                    NodeKind::PatOk { inner: Some(b) },
                    TypeKind::Result(t, _),
                ) => covers(ck, arena, &[a], t, b),
                (
                    NodeKind::PatErr { inner: a },
                    NodeKind::PatErr { inner: b },
                    TypeKind::Result(_, e),
                ) => covers(ck, arena, &[a], e, b),
                _ => false,
            }
        })
    })
}

impl Checker<'_> {
    /// Phase 4a: `W_UNUSED_LOCAL`, `W_UNUSED_MUT`, `W_UNUSED_PRIVATE`, `W_UNUSED_IMPORT`
    /// with exactly §11's exemptions.
    pub(crate) fn lint_unused(&mut self) {
        let mut found = Vec::new();
        for (id, sym) in self.symbols.iter() {
            if sym.module == self.prelude_module || sym.duplicate {
                continue;
            }
            let text = self.text(sym.name);
            if text.starts_with('_') || sym.name == self.known.self_ {
                continue;
            }
            let refs = self.refs.refs(id);
            let written = refs.iter().any(|r| r.kind == super::RefKind::Write);
            let never_used = || {
                let message =
                    format!("`{text}` is never used (remove it, or prefix it with `_` to keep it)");
                (DiagnosticCode::UnusedPrivate, message)
            };
            let warning = match sym.kind {
                SymbolKind::Local | SymbolKind::Param if refs.is_empty() => {
                    let message = format!(
                        "`{text}` is never used (prefix it with `_` to keep it: `_{text}`)"
                    );
                    Some((DiagnosticCode::UnusedLocal, message))
                }
                SymbolKind::Local | SymbolKind::Param
                    if sym.mutable && !self.is_view(sym.node) && !written =>
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
                    // (§9; a loose file is an app).
                    let entry = (sym.name == self.known.frame || sym.name == self.known.init)
                        && self.graph.modules.get(sym.module.index()).is_some_and(|m| {
                            m.path.is_empty()
                                && self.graph.project(m.project).kind == ProjectKind::App
                        });
                    (refs.is_empty() && !entry && self.reach(id) != Reach::Everywhere)
                        .then(never_used)
                }
                SymbolKind::ServiceField | SymbolKind::ServiceFn
                    if refs.is_empty() && self.reach(id) == Reach::Owner =>
                {
                    Some(never_used())
                }
                // Only the service itself can assign its fields, so an unassigned
                // `let mut` field is known whatever its visibility.
                SymbolKind::ServiceField if sym.mutable && !refs.is_empty() && !written => {
                    let message =
                        format!("`{text}` is `let mut` but never changed (remove the `mut`)");
                    Some((DiagnosticCode::UnusedMut, message))
                }
                _ => None,
            };
            if let Some((code, message)) = warning {
                found.push(Diagnostic::new(code, sym.decl_span, message));
            }
        }
        for (file, name) in self.import_order.clone() {
            let Some(binding) = self.imports.get(&file).and_then(|m| m.get(&name)) else {
                continue;
            };
            if !binding.errored && !binding.used && !self.text(name).starts_with('_') {
                let text = self.text(name);
                let message = format!(
                    "`{text}` is imported but never used (remove it, or import it `as _{text}`)"
                );
                found.push(Diagnostic::new(
                    DiagnosticCode::UnusedImport,
                    binding.span,
                    message,
                ));
            }
        }
        self.diagnostics.extend(found);
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
                DiagnosticCode::TypeMismatch,
                "`init` takes no parameters and returns nothing",
            );
        }
        match self.main_file_function(main, self.known.frame) {
            None => {
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
                    message,
                );
            }
            Some(frame) => self.check_takes_and_returns_nothing(
                frame,
                DiagnosticCode::ProjectNoFrame,
                "`frame` takes no parameters and returns nothing",
            ),
        }
    }
}
