//! Inlay hints: text an editor shows inside the code without it being there — the
//! inferred type of a `let` written without one, and the parameter name in front of a
//! literal argument (`lerp(a: 0.0, b: 1.0, t: 0.5)`), where a bare literal says least.
//!
//! Both come from one walk of the file's tree: a `LetStmt` without a type gets the
//! type the checker recorded for its binding; a `Call` whose callee resolved to a
//! function (or a struct: its constructor) gets one hint per literal argument, named
//! by the declaration's parameter (or field) at that position. Built-in methods and
//! calls that did not resolve get none.

use super::{RootAnalysis, Snapshot};
use crate::semantics::{SymbolKind, TypeArena};
use crate::{AstArena, FileId, NodeId, NodeKind, SymbolId};

/// What an inlay hint shows.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum InlayHintKind {
    /// `: T` after a `let` binding's name.
    Type,
    /// `name:` before a literal argument.
    Parameter,
}

/// Which hints to give; both kinds are on unless configured off.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct InlayHintsConfig {
    /// Inferred types of `let` bindings.
    pub types: bool,
    /// Parameter names of literal arguments.
    pub parameter_names: bool,
}

impl Default for InlayHintsConfig {
    fn default() -> InlayHintsConfig {
        InlayHintsConfig {
            types: true,
            parameter_names: true,
        }
    }
}

/// One hint.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct InlayHint {
    /// The byte offset it is shown at (the text after it moves right).
    pub offset: u32,
    /// What it says: `: int` or `speed:`.
    pub label: String,
    /// Which of the two it is.
    pub kind: InlayHintKind,
}

impl Snapshot {
    /// The inlay hints of `file` whose offset is inside the byte range `range` (all of
    /// them for `None`), in source order.
    pub fn inlay_hints(
        &self,
        file: FileId,
        range: Option<(u32, u32)>,
        config: InlayHintsConfig,
    ) -> Vec<InlayHint> {
        if !config.types && !config.parameter_names {
            return Vec::new();
        }
        let Some((root, parse)) = self.analysis_of(file) else {
            return Vec::new();
        };
        let analysis = &root.analysis;
        let arena = &parse.arena;
        let overlaps =
            |start: u32, end: u32| range.is_none_or(|(from, to)| start <= to && end >= from);
        let inside = |offset: u32| range.is_none_or(|(from, to)| from <= offset && offset <= to);
        let mut hints = Vec::new();
        let mut stack: Vec<NodeId> = arena.root().into_iter().collect();
        while let Some(node) = stack.pop() {
            let kind = *arena.kind(node);
            let span = arena.span(node);
            if !overlaps(span.start, span.end) {
                continue;
            }
            arena.visit_children(&kind, |child| stack.push(child));
            match kind {
                NodeKind::LetStmt { name, ty: None, .. } if config.types => {
                    let Some(ty) = analysis
                        .refs
                        .symbol_at(file, name)
                        .and_then(|symbol| analysis.facts.symbol_type(symbol))
                    else {
                        continue;
                    };
                    let end = arena.span(name).end;
                    if analysis.types.contains_error(ty) || ty == TypeArena::VOID || !inside(end) {
                        continue;
                    }
                    hints.push(InlayHint {
                        offset: end,
                        label: format!(": {}", analysis.display_type(ty)),
                        kind: InlayHintKind::Type,
                    });
                }
                NodeKind::Call { callee, args } if config.parameter_names => {
                    let Some(callee) = callee_symbol(arena, root, file, callee) else {
                        continue;
                    };
                    let names = parameter_names(root, callee);
                    for (&arg, name) in arena.list(args).iter().zip(names) {
                        let start = arena.span(arg).start;
                        if name == "_" || !is_literal(arena, arg) || !inside(start) {
                            continue;
                        }
                        hints.push(InlayHint {
                            offset: start,
                            label: format!("{name}:"),
                            kind: InlayHintKind::Parameter,
                        });
                    }
                }
                _ => {}
            }
        }
        hints.sort_by_key(|hint| (hint.offset, hint.kind as u8));
        hints
    }
}

/// The symbol a call's callee names: `f(…)`, `value.method(…)`, `Type.function(…)`.
fn callee_symbol(
    arena: &AstArena,
    root: &RootAnalysis,
    file: FileId,
    callee: NodeId,
) -> Option<SymbolId> {
    let refs = &root.analysis.refs;
    match *arena.kind(callee) {
        NodeKind::Member { name, .. } => refs.symbol_at(file, name),
        NodeKind::Paren { inner } => callee_symbol(arena, root, file, inner),
        _ => refs.symbol_at(file, callee),
    }
}

/// The names a call of `symbol` binds its arguments to: a function's parameters
/// (without `self`, which the receiver supplies), a struct's fields in order.
fn parameter_names(root: &RootAnalysis, symbol: SymbolId) -> Vec<&str> {
    let analysis = &root.analysis;
    let sym = analysis.symbols.get(symbol);
    match sym.kind {
        kind if kind.is_fn() => {
            let Some(arena) = analysis.parse(sym.node.0).map(|p| &p.arena) else {
                return Vec::new();
            };
            let NodeKind::FnDecl { sig, .. } = *arena.kind(sym.node.1) else {
                return Vec::new();
            };
            let NodeKind::FnSig { params, .. } = *arena.kind(sig) else {
                return Vec::new();
            };
            arena
                .list(params)
                .iter()
                .filter_map(|&param| match *arena.kind(param) {
                    NodeKind::Param { name, .. } => Some(match *arena.kind(name) {
                        NodeKind::Name { name } => analysis.names.resolve(name),
                        _ => "_",
                    }),
                    _ => None,
                })
                .collect()
        }
        SymbolKind::Struct => analysis
            .defs
            .members(symbol)
            .iter()
            .filter(|&&m| analysis.symbols.get(m).kind == SymbolKind::Field)
            .map(|&m| analysis.symbol_name(m))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether an argument is a literal: a number (negated or not), string, `true`,
/// `false` or `none`.
fn is_literal(arena: &AstArena, node: NodeId) -> bool {
    match *arena.kind(node) {
        NodeKind::IntLit { .. }
        | NodeKind::FloatLit { .. }
        | NodeKind::BoundedLit { .. }
        | NodeKind::StringLit { .. }
        | NodeKind::BoolLit { .. }
        | NodeKind::NoneLit => true,
        NodeKind::Unary { operand, .. } => matches!(
            *arena.kind(operand),
            NodeKind::IntLit { .. } | NodeKind::FloatLit { .. } | NodeKind::BoundedLit { .. }
        ),
        _ => false,
    }
}
