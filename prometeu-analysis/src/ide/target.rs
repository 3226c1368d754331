//! What the token under a cursor denotes — the one resolution that hover, navigation,
//! references, rename and signature help start from — and how a symbol of one root is
//! found again in the other roots of the workspace.
//!
//! Everything here reads indexes: [`crate::AstArena::node_at_offset`] finds the token,
//! [`crate::semantics::RefIndex::symbol_at`] what it resolved to. Nothing scans a
//! whole program.

use std::sync::Arc;

use super::{FilePosition, RootAnalysis, Snapshot};
use crate::semantics::TypeKind;
use crate::semantics::builtins::{BuiltinMethod, BuiltinReceiver, builtin_method};
use crate::{Analysis, AstArena, FileId, ModuleId, NodeId, NodeKind, Span, SymbolId, TypeId};

/// A symbol named by a token.
#[derive(Clone, Copy)]
pub(super) struct SymbolAt<'a> {
    /// The root that answered (the one that owns the cursor's file).
    pub root: &'a RootAnalysis,
    /// What the token denotes.
    pub symbol: SymbolId,
    /// The token.
    pub span: Span,
}

/// What the token under a cursor is.
pub(super) enum Target<'a> {
    /// A name that resolved to a symbol (a use, a declaration, an import name or alias).
    Symbol(SymbolAt<'a>),
    /// The name of a built-in `list`/array/`string` method after a `.`.
    Builtin {
        /// The method from the builtins table.
        method: &'static BuiltinMethod,
        /// The receiver's type.
        receiver: TypeId,
        /// The root that answered.
        root: &'a RootAnalysis,
        /// The token.
        span: Span,
    },
    /// The module path string of an import.
    Module {
        /// The module it names.
        module: ModuleId,
        /// The root that answered.
        root: &'a RootAnalysis,
        /// The string literal.
        span: Span,
    },
}

/// One `name [as alias]` of an import list.
#[derive(Clone, Copy, Debug)]
pub(super) struct ImportSite {
    /// The imported item's name token.
    pub name: Span,
    /// The alias token, if any.
    pub alias: Option<Span>,
    /// The whole `name as alias`.
    pub full: Span,
}

impl ImportSite {
    /// The token that binds the local name: the alias if there is one.
    pub fn local(&self) -> Span {
        self.alias.unwrap_or(self.name)
    }
}

impl Snapshot {
    /// What the token at `pos` denotes, answered by the root that owns the file.
    pub(super) fn target_at(&self, pos: FilePosition) -> Option<Target<'_>> {
        let root = self.root_of(pos.file)?;
        let analysis = &root.analysis;
        let arena = &analysis.parse(pos.file)?.arena;
        let node = arena.node_at_offset(pos.offset)?;
        if let Some(symbol) = analysis.refs.symbol_at(pos.file, node) {
            return Some(Target::Symbol(SymbolAt {
                root,
                symbol,
                span: arena.span(node),
            }));
        }
        let parent = arena.parent(node)?;
        match (*arena.kind(node), *arena.kind(parent)) {
            (NodeKind::SelfParam { .. }, _) => {
                // `self` in a parameter list is the one declaration not bound to a name
                // node: its symbol is the parameter whose node is this one.
                let symbol = self_param_symbol(analysis, pos.file, node)?;
                Some(Target::Symbol(SymbolAt {
                    root,
                    symbol,
                    span: analysis.symbols.get(symbol).decl_span,
                }))
            }
            (NodeKind::Name { name }, NodeKind::Member { base, name: member })
                if member == node =>
            {
                let receiver = analysis.facts.node_type(pos.file, base)?;
                let method = builtin_of(analysis, receiver, analysis.names.resolve(name))?;
                Some(Target::Builtin {
                    method,
                    receiver,
                    root,
                    span: arena.span(node),
                })
            }
            (NodeKind::StringLit { .. }, NodeKind::Import { path, .. }) if path == node => {
                let project = root.graph.source_file(pos.file)?.project;
                let module = root
                    .graph
                    .resolve_import(project, arena.string_value(node)?)?;
                Some(Target::Module {
                    module,
                    root,
                    span: arena.span(node),
                })
            }
            _ => None,
        }
    }

    /// The symbol under the cursor, if the token names one.
    pub(super) fn symbol_at(&self, pos: FilePosition) -> Option<SymbolAt<'_>> {
        match self.target_at(pos)? {
            Target::Symbol(at) => Some(at),
            _ => None,
        }
    }

    /// The text of a span.
    pub(super) fn span_text(&self, span: Span) -> &str {
        self.file_text(span.file)
            .get(span.range())
            .unwrap_or_default()
    }

    /// `symbol` of `from`'s analysis as `to` knows it: the symbol declared at the same
    /// place (roots analyse shared files separately, so their IDs differ).
    pub(super) fn same_symbol(
        &self,
        from: &RootAnalysis,
        symbol: SymbolId,
        to: &RootAnalysis,
    ) -> Option<SymbolId> {
        if Arc::ptr_eq(&from.analysis, &to.analysis) {
            return Some(symbol);
        }
        let sym = from.analysis.symbols.get(symbol);
        let decl = sym.decl_span;
        let analysis = &to.analysis;
        let arena = &analysis.parse(decl.file)?.arena;
        let node = arena.node_at_offset(decl.start)?;
        let found = analysis
            .refs
            .symbol_at(decl.file, node)
            .or_else(|| self_param_symbol(analysis, decl.file, node))?;
        (analysis.symbols.get(found).decl_span == decl).then_some(found)
    }

    /// Every root that can see `symbol` of `root` (those whose graph holds its file),
    /// with the symbol's ID there; `root` itself first.
    pub(super) fn symbol_in_roots<'a>(
        &'a self,
        root: &'a RootAnalysis,
        symbol: SymbolId,
    ) -> Vec<(&'a RootAnalysis, SymbolId)> {
        let file = root.analysis.symbols.get(symbol).file();
        let mut out = vec![(root, symbol)];
        for other in self.roots_of(file) {
            if Arc::ptr_eq(&other.analysis, &root.analysis) {
                continue;
            }
            if let Some(s) = self.same_symbol(root, symbol, other) {
                out.push((other, s));
            }
        }
        out
    }

    /// Whether a root of the workspace owns `file` (its root project, or the loose file
    /// itself, contains it): such files may be edited by a rename.
    pub(super) fn in_workspace(&self, file: FileId) -> bool {
        self.roots_of(file).any(|r| {
            r.graph
                .source_file(file)
                .is_some_and(|f| f.project.index() == 0)
        })
    }

    /// The import of `file` whose local name (alias, else name) is the token `local`'s
    /// text; top-level imports are few, so they are simply walked.
    pub(super) fn import_binding(
        &self,
        root: &RootAnalysis,
        file: FileId,
        local: &str,
    ) -> Option<ImportSite> {
        imports_of(root, file)
            .into_iter()
            .find(|site| self.span_text(site.local()) == local)
    }
}

/// Every `name [as alias]` imported by `file`, in source order.
pub(super) fn imports_of(root: &RootAnalysis, file: FileId) -> Vec<ImportSite> {
    let Some(parse) = root.analysis.parse(file) else {
        return Vec::new();
    };
    let arena = &parse.arena;
    let Some(NodeKind::SourceFile { items }) = arena.root().map(|r| *arena.kind(r)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for &item in arena.list(items) {
        let NodeKind::Import { names, .. } = *arena.kind(item) else {
            continue;
        };
        for &import_name in arena.list(names) {
            if let NodeKind::ImportName { name, alias } = *arena.kind(import_name) {
                out.push(ImportSite {
                    name: arena.span(name),
                    alias: alias.map(|a| arena.span(a)),
                    full: arena.span(import_name),
                });
            }
        }
    }
    out
}

/// The symbol of a `self` parameter node: the `Param` declared by it, reached through
/// the first `self` of the method's body (the parameter binds no name node). `None`
/// for a method whose body never names `self`.
fn self_param_symbol(analysis: &Analysis, file: FileId, node: NodeId) -> Option<SymbolId> {
    let arena = &analysis.parse(file)?.arena;
    if !matches!(arena.kind(node), NodeKind::SelfParam { .. }) {
        return None;
    }
    // A `self` use in the body resolves to the parameter: the cheap way to it.
    let decl = arena.enclosing_decl(node)?;
    let NodeKind::FnDecl {
        body: Some(body), ..
    } = *arena.kind(decl)
    else {
        return None;
    };
    let mut found = None;
    walk(arena, body, &mut |n| {
        if found.is_none() && matches!(arena.kind(n), NodeKind::SelfRef) {
            found = analysis.refs.symbol_at(file, n);
        }
    });
    found.filter(|&s| analysis.symbols.get(s).node == (file, node))
}

/// The contract a service declares it implements, if it resolved.
pub(super) fn service_contract(analysis: &Analysis, service: SymbolId) -> Option<SymbolId> {
    let (file, node) = analysis.symbols.get(service).node;
    let arena = &analysis.parse(file)?.arena;
    let NodeKind::ServiceDecl {
        contract: Some(contract),
        ..
    } = *arena.kind(node)
    else {
        return None;
    };
    analysis.refs.symbol_at(file, contract)
}

/// Calls `f` on `node` and every node below it.
pub(super) fn walk(arena: &AstArena, node: NodeId, f: &mut dyn FnMut(NodeId)) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        f(n);
        arena.visit_children(arena.kind(n), |c| stack.push(c));
    }
}

/// The built-in method `name` of a value of type `receiver`.
pub(super) fn builtin_of(
    analysis: &Analysis,
    receiver: TypeId,
    name: &str,
) -> Option<&'static BuiltinMethod> {
    let kind = match analysis.types.kind(receiver) {
        TypeKind::List(_) => BuiltinReceiver::List,
        TypeKind::Array(..) => BuiltinReceiver::Array,
        TypeKind::String => BuiltinReceiver::String,
        _ => return None,
    };
    builtin_method(kind, name)
}

/// A file position rendered for messages: `display/path.pbs:line:col` (1-based).
pub(super) fn location(snapshot: &Snapshot, root: &RootAnalysis, span: Span) -> String {
    let path = root
        .graph
        .display_path(span.file)
        .unwrap_or_else(|| snapshot.file_path(span.file).to_string());
    match snapshot
        .line_index(span.file)
        .offset_to_line_col(span.start)
    {
        Some(at) => format!("{path}:{}:{}", at.line + 1, at.col + 1),
        None => path,
    }
}
