//! Document symbols (a file's outline) and workspace symbols (fuzzy search by name).
//!
//! **Workspace symbol decisions:** the query matches a name when its characters occur
//! in order, ignoring case; results rank exact matches, then prefixes, then other
//! subsequences, then shorter names, then by path and offset. Every root is searched
//! (dependencies included), a symbol analysed by several roots is listed once (by its
//! declaration span), locals and parameters are never listed, and prelude items are
//! listed only when the query is exactly their name (ignoring case) — otherwise a short
//! query would bury the project's own names under `Color`, `Gfx`, …. At most
//! [`WORKSPACE_SYMBOL_LIMIT`] results.

use std::collections::HashSet;

use super::{RootAnalysis, Snapshot};
use crate::semantics::SymbolKind;
use crate::{FileId, Span, SymbolId};

/// The most results [`Snapshot::workspace_symbols`] returns.
pub const WORKSPACE_SYMBOL_LIMIT: usize = 256;

/// One entry of a file's outline.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DocumentSymbol {
    /// The name.
    pub name: String,
    /// A function's signature or a value's type.
    pub detail: Option<String>,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole declaration.
    pub full_span: Span,
    /// The name token.
    pub focus_span: Span,
    /// Members (fields, methods, constants, service members, cases, contract functions).
    pub children: Vec<DocumentSymbol>,
}

/// One workspace search result.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WorkspaceSymbol {
    /// The name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// The owner of a member (`Vec2`), else the module (`game`, `math/easing`).
    pub container: Option<String>,
    /// The name token.
    pub focus_span: Span,
}

impl Snapshot {
    /// The items of `file` in source order, each with its members as children; no
    /// imports, locals or parameters.
    pub fn document_symbols(&self, file: FileId) -> Vec<DocumentSymbol> {
        let Some(root) = self.root_of(file) else {
            return Vec::new();
        };
        let analysis = &root.analysis;
        let mut out = Vec::new();
        for symbol in analysis.item_symbols(file) {
            let mut entry = document_symbol(root, symbol);
            let mut members: Vec<SymbolId> = analysis.defs.members(symbol).to_vec();
            members.sort_by_key(|&m| analysis.symbols.get(m).decl_span.start);
            entry.children = members
                .into_iter()
                .map(|m| document_symbol(root, m))
                .collect();
            out.push(entry);
        }
        out
    }

    /// The declarations of every root whose name fuzzily matches `query` (see the
    /// module documentation for the ranking and what is listed).
    pub fn workspace_symbols(&self, query: &str) -> Vec<WorkspaceSymbol> {
        let query: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
        let mut seen: HashSet<Span> = HashSet::new();
        let mut found: Vec<(RankKey, WorkspaceSymbol)> = Vec::new();
        for root in self.roots() {
            let analysis = &root.analysis;
            for (_, sym) in analysis.symbols.iter() {
                if sym.kind.is_local() || sym.duplicate {
                    continue;
                }
                let name = analysis.names.resolve(sym.name);
                let Some(rank) = match_rank(&query, name) else {
                    continue;
                };
                let in_prelude = sym.module == analysis.prelude_module;
                if in_prelude && rank != 0 {
                    continue;
                }
                if !seen.insert(sym.decl_span) {
                    continue;
                }
                let container = match sym.parent {
                    Some(owner) => Some(analysis.symbol_name(owner).to_string()),
                    None if in_prelude => Some("prelude".to_string()),
                    None => module_name(root, sym.module.index()),
                };
                let key = (
                    rank,
                    name.len(),
                    self.file_path(sym.file()),
                    sym.decl_span.start,
                );
                found.push((
                    key,
                    WorkspaceSymbol {
                        name: name.to_string(),
                        kind: sym.kind,
                        container,
                        focus_span: sym.decl_span,
                    },
                ));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found.truncate(WORKSPACE_SYMBOL_LIMIT);
        found.into_iter().map(|(_, s)| s).collect()
    }
}

/// How workspace symbols sort: match rank, name length, file path, offset.
type RankKey<'a> = (u8, usize, &'a str, u32);

/// The outline entry of one symbol (without children).
fn document_symbol(root: &RootAnalysis, symbol: SymbolId) -> DocumentSymbol {
    let analysis = &root.analysis;
    let sym = analysis.symbols.get(symbol);
    let (file, node) = sym.node;
    let full_span = analysis
        .parse(file)
        .map(|p| p.arena.span(node))
        .filter(|s| s.contains_span(sym.decl_span))
        .unwrap_or(sym.decl_span);
    let detail = if sym.kind.is_fn() {
        analysis.signature_text(symbol)
    } else {
        match sym.kind {
            SymbolKind::Field
            | SymbolKind::ServiceField
            | SymbolKind::Const
            | SymbolKind::AssocConst => analysis
                .facts
                .symbol_type(symbol)
                .map(|t| analysis.display_type(t)),
            // A struct's constructor: its fields.
            SymbolKind::Struct => {
                let fields: Vec<String> = analysis
                    .defs
                    .members(symbol)
                    .iter()
                    .filter(|&&m| analysis.symbols.get(m).kind == SymbolKind::Field)
                    .map(|&m| {
                        let ty = analysis.facts.symbol_type(m);
                        let ty = ty.map_or("{unknown}".to_string(), |t| analysis.display_type(t));
                        format!("{}: {ty}", analysis.symbol_name(m))
                    })
                    .collect();
                Some(format!("({})", fields.join(", ")))
            }
            _ => None,
        }
    };
    DocumentSymbol {
        name: analysis.symbol_name(symbol).to_string(),
        detail,
        kind: sym.kind,
        full_span,
        focus_span: sym.decl_span,
        children: Vec::new(),
    }
}

/// `project` or `project/module path` for a module of `root`'s graph.
fn module_name(root: &RootAnalysis, module: usize) -> Option<String> {
    let module = root.graph.modules.get(module)?;
    let project = &root.graph.project(module.project).name;
    Some(if module.path.is_empty() {
        project.clone()
    } else {
        format!("{project}/{}", module.path)
    })
}

/// 0 for an exact match, 1 for a prefix, 2 for another subsequence (all ignoring case);
/// `None` when `query`'s characters do not occur in `name` in order.
fn match_rank(query: &[char], name: &str) -> Option<u8> {
    let name: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    if name == query {
        return Some(0);
    }
    if name.starts_with(query) {
        return Some(1);
    }
    let mut wanted = query.iter().peekable();
    for c in &name {
        if wanted.peek() == Some(&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none().then_some(2)
}
