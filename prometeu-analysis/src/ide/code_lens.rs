//! The IDE half of code lens: which declarations of a file get a lens and how many
//! references each has. (The other half, a function's compiled size, needs the
//! compiler, which this crate does not know: the server adds it.)
//!
//! **Decisions:** every top-level item but an import gets a lens, and so does every
//! function member of a struct or service (not fields, constants or cases: a file
//! would be more lens than code). The count is what find references without the
//! declaration returns — uses in every project of the workspace, import specifiers
//! included — so the count and the list it opens agree.

use super::Snapshot;
use crate::semantics::SymbolKind;
use crate::{FileId, Span, SymbolId};

/// One declaration's lens.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CodeLensItem {
    /// The declaration's name token (where the lens sits, and where references are
    /// asked from).
    pub focus_span: Span,
    /// What it is; functions of every kind also get a size lens.
    pub kind: SymbolKind,
    /// The symbol in the analysis of the root that owns the file.
    pub symbol: SymbolId,
    /// Uses across the workspace, not counting the declaration.
    pub references: usize,
}

impl Snapshot {
    /// The lenses of `file`, in source order (see the module documentation).
    pub fn code_lenses(&self, file: FileId) -> Vec<CodeLensItem> {
        let Some(root) = self.root_of(file) else {
            return Vec::new();
        };
        let analysis = &root.analysis;
        let mut symbols: Vec<SymbolId> = Vec::new();
        for symbol in analysis.item_symbols(file) {
            let sym = analysis.symbols.get(symbol);
            if sym.duplicate {
                continue;
            }
            symbols.push(symbol);
            if matches!(sym.kind, SymbolKind::Struct | SymbolKind::Service) {
                symbols.extend(
                    analysis
                        .defs
                        .members(symbol)
                        .iter()
                        .copied()
                        .filter(|&m| analysis.symbols.get(m).kind.is_fn()),
                );
            }
        }
        let mut out: Vec<CodeLensItem> = symbols
            .into_iter()
            .map(|symbol| {
                let sym = analysis.symbols.get(symbol);
                CodeLensItem {
                    focus_span: sym.decl_span,
                    kind: sym.kind,
                    symbol,
                    references: self.references_of(root, symbol, false).len(),
                }
            })
            .collect();
        out.sort_by_key(|lens| lens.focus_span.start);
        out
    }
}
