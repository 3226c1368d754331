//! Call hierarchy: who calls a function (incoming) and what it calls (outgoing), across
//! the modules of a project and the projects of the workspace.
//!
//! **Decisions:** an item is a function of any kind (top-level, struct method or
//! associated function, service function, contract or host function); a struct's
//! constructor call `Vec2(…)` is an outgoing call of the struct. Incoming calls are the
//! uses of the function (through every root that sees it, as find references) that are
//! the callee of a call, grouped by the declaration they are in — a function, or a
//! service field or constant whose initialiser calls it; an import specifier is not a
//! call. Outgoing calls are the calls in the function's body whose callee resolved,
//! grouped by callee, in order of first call; calls of built-in methods (`list.push`)
//! name no declaration and are left out.

use std::collections::HashMap;

use super::target::walk;
use super::{FilePosition, RootAnalysis, Snapshot};
use crate::semantics::SymbolKind;
use crate::{AstArena, NodeId, NodeKind, Span, SymbolId};

/// A function (or another declaration that makes calls) as the call hierarchy shows it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CallItem {
    /// Its name; a member is `Owner.name`.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// A function's signature.
    pub detail: Option<String>,
    /// The whole declaration.
    pub full_span: Span,
    /// The name token: where the item is asked about again.
    pub focus_span: Span,
}

/// The calls between one item and another.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Call {
    /// The other item: the caller for incoming calls, the callee for outgoing ones.
    pub item: CallItem,
    /// The callee name tokens of the calls, sorted (in the caller's file).
    pub call_sites: Vec<Span>,
}

impl Snapshot {
    /// The function named at `pos` as a call hierarchy item, if it names one.
    pub fn prepare_call_hierarchy(&self, pos: FilePosition) -> Option<CallItem> {
        let at = self.symbol_at(pos)?;
        let kind = at.root.analysis.symbols.get(at.symbol).kind;
        kind.is_fn().then(|| call_item(at.root, at.symbol))
    }

    /// The callers of the function named at `pos`, each with its call sites, sorted by
    /// path and position.
    pub fn incoming_calls(&self, pos: FilePosition) -> Vec<Call> {
        let Some(at) = self.symbol_at(pos) else {
            return Vec::new();
        };
        if !at.root.analysis.symbols.get(at.symbol).kind.is_fn() {
            return Vec::new();
        }
        // Callers by their declaration's name token, so a caller seen by two roots is
        // one caller.
        let mut callers: HashMap<Span, Call> = HashMap::new();
        for (root, symbol) in self.symbol_in_roots(at.root, at.symbol) {
            let analysis = &root.analysis;
            for reference in analysis.refs.refs(symbol) {
                let file = reference.span.file;
                let Some(parse) = analysis.parse(file) else {
                    continue;
                };
                let arena = &parse.arena;
                let Some(node) = arena.node_at_offset(reference.span.start) else {
                    continue;
                };
                if !is_callee(arena, node) {
                    continue;
                }
                let Some(caller) = caller_symbol(root, arena, node) else {
                    continue;
                };
                let item = call_item(root, caller);
                let entry = callers.entry(item.focus_span).or_insert(Call {
                    item,
                    call_sites: Vec::new(),
                });
                if !entry.call_sites.contains(&reference.span) {
                    entry.call_sites.push(reference.span);
                }
            }
        }
        let mut out: Vec<Call> = callers.into_values().collect();
        for call in &mut out {
            call.call_sites.sort_by_key(|s| (s.start, s.end));
        }
        out.sort_by(|a, b| {
            let key = |c: &Call| {
                (
                    self.file_path(c.item.focus_span.file),
                    c.item.focus_span.start,
                )
            };
            key(a).cmp(&key(b))
        });
        out
    }

    /// The functions (and constructors) the function named at `pos` calls, each with
    /// its call sites, in order of the first call.
    pub fn outgoing_calls(&self, pos: FilePosition) -> Vec<Call> {
        let Some(at) = self.symbol_at(pos) else {
            return Vec::new();
        };
        let analysis = &at.root.analysis;
        let sym = analysis.symbols.get(at.symbol);
        if !sym.kind.is_fn() {
            return Vec::new();
        }
        let (file, decl) = sym.node;
        let Some(parse) = analysis.parse(file) else {
            return Vec::new();
        };
        let arena = &parse.arena;
        let NodeKind::FnDecl {
            body: Some(body), ..
        } = *arena.kind(decl)
        else {
            return Vec::new();
        };
        let mut order: Vec<SymbolId> = Vec::new();
        let mut sites: HashMap<SymbolId, Vec<Span>> = HashMap::new();
        walk(arena, body, &mut |node| {
            let NodeKind::Call { callee, .. } = *arena.kind(node) else {
                return;
            };
            let name = match *arena.kind(callee) {
                NodeKind::Member { name, .. } => name,
                _ => callee,
            };
            let Some(target) = analysis.refs.symbol_at(file, name) else {
                return;
            };
            let kind = analysis.symbols.get(target).kind;
            if !kind.is_fn() && kind != SymbolKind::Struct {
                return;
            }
            let list = sites.entry(target).or_insert_with(|| {
                order.push(target);
                Vec::new()
            });
            list.push(arena.span(name));
        });
        let mut out: Vec<Call> = order
            .into_iter()
            .map(|target| {
                let mut call_sites = sites.remove(&target).unwrap_or_default();
                call_sites.sort_by_key(|s| (s.start, s.end));
                Call {
                    item: call_item(at.root, target),
                    call_sites,
                }
            })
            .collect();
        out.sort_by_key(|c| c.call_sites.first().map(|s| s.start));
        out
    }
}

/// Whether the name node `node` is what a call calls: `f(…)` or `x.f(…)`.
fn is_callee(arena: &AstArena, node: NodeId) -> bool {
    let mut at = node;
    let Some(mut parent) = arena.parent(at) else {
        return false;
    };
    if let NodeKind::Member { name, .. } = *arena.kind(parent) {
        if name != at {
            return false;
        }
        at = parent;
        match arena.parent(at) {
            Some(p) => parent = p,
            None => return false,
        }
    }
    matches!(*arena.kind(parent), NodeKind::Call { callee, .. } if callee == at)
}

/// The declaration a call at `node` is made from: the innermost function, else the
/// service field or constant whose initialiser it is in.
fn caller_symbol(root: &RootAnalysis, arena: &AstArena, node: NodeId) -> Option<SymbolId> {
    let decl = arena.enclosing_decl(node)?;
    let name = match *arena.kind(decl) {
        NodeKind::FnDecl { name, .. }
        | NodeKind::ServiceField { name, .. }
        | NodeKind::ConstDecl { name, .. } => name,
        _ => return None,
    };
    root.analysis.refs.symbol_at(arena.file(), name)
}

/// The item of `symbol` of `root`.
fn call_item(root: &RootAnalysis, symbol: SymbolId) -> CallItem {
    let analysis = &root.analysis;
    let sym = analysis.symbols.get(symbol);
    let (file, node) = sym.node;
    let full_span = analysis
        .parse(file)
        .map(|p| p.arena.span(node))
        .filter(|s| s.contains_span(sym.decl_span))
        .unwrap_or(sym.decl_span);
    let own = analysis.symbol_name(symbol);
    let name = match sym.parent {
        Some(owner) => format!("{}.{own}", analysis.symbol_name(owner)),
        None => own.to_string(),
    };
    CallItem {
        name,
        kind: sym.kind,
        detail: analysis.signature_text(symbol),
        full_span,
        focus_span: sym.decl_span,
    }
}
