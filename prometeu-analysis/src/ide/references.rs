//! Find references (across every root of the workspace) and document highlight.
//!
//! A symbol's uses come from each root's [`crate::semantics::RefIndex`]; a symbol of a
//! file that several roots analyse (a path dependency that is also a workspace project)
//! is matched in each by its declaration's span, and the uses are merged. The import
//! specifier `import { lerp }` is a use of `lerp`; the uses of an alias are uses of the
//! item it names.

use std::collections::HashMap;

use super::{FilePosition, RootAnalysis, Snapshot};
use crate::semantics::RefKind;
use crate::{Span, SymbolId};

/// One place a symbol is named.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ReferenceTarget {
    /// The name token.
    pub span: Span,
    /// Whether the use reads or writes the symbol; a declaration counts as a write
    /// (it gives the name its value).
    pub kind: RefKind,
    /// Whether this is the symbol's declaration rather than a use.
    pub is_declaration: bool,
}

/// How document highlight shows a token.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum HighlightKind {
    /// A use that reads the symbol.
    Read,
    /// A use that assigns it (the root of an assignment target, a `mut self` receiver).
    Write,
    /// Its declaration (the protocol has no such kind; the server decides how to show
    /// it).
    Declaration,
}

/// One highlighted token of the current file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Highlight {
    /// The token.
    pub span: Span,
    /// Read, write or declaration.
    pub kind: HighlightKind,
}

impl Snapshot {
    /// Every use of the symbol named at `pos`, in every root of the workspace, sorted
    /// by file path then offset; with its declaration first in its file's order when
    /// `include_declaration`.
    pub fn find_references(
        &self,
        pos: FilePosition,
        include_declaration: bool,
    ) -> Vec<ReferenceTarget> {
        let Some(at) = self.symbol_at(pos) else {
            return Vec::new();
        };
        self.references_of(at.root, at.symbol, include_declaration)
    }

    /// The references of `symbol` of `root` across every root that sees it.
    pub(super) fn references_of(
        &self,
        root: &RootAnalysis,
        symbol: SymbolId,
        include_declaration: bool,
    ) -> Vec<ReferenceTarget> {
        let decl = root.analysis.symbols.get(symbol).decl_span;
        let mut by_span: HashMap<Span, ReferenceTarget> = HashMap::new();
        if include_declaration {
            by_span.insert(
                decl,
                ReferenceTarget {
                    span: decl,
                    kind: RefKind::Write,
                    is_declaration: true,
                },
            );
        }
        for (other, s) in self.symbol_in_roots(root, symbol) {
            for r in other.analysis.refs.refs(s) {
                if r.span == decl {
                    continue;
                }
                let entry = by_span.entry(r.span).or_insert(ReferenceTarget {
                    span: r.span,
                    kind: r.kind,
                    is_declaration: false,
                });
                entry.kind = entry.kind.max(r.kind);
            }
        }
        let mut out: Vec<ReferenceTarget> = by_span.into_values().collect();
        out.sort_by(|a, b| {
            (self.file_path(a.span.file), a.span.start, a.span.end).cmp(&(
                self.file_path(b.span.file),
                b.span.start,
                b.span.end,
            ))
        });
        out
    }

    /// The tokens of `pos`'s file that name the same symbol as the token at `pos`, with
    /// read/write/declaration kinds. On an import alias (or a use of it) only the
    /// alias's tokens are highlighted, since they are what reads as the same name.
    pub fn highlight_related(&self, pos: FilePosition) -> Vec<Highlight> {
        let Some(at) = self.symbol_at(pos) else {
            return Vec::new();
        };
        let analysis = &at.root.analysis;
        let sym = analysis.symbols.get(at.symbol);
        let text = self.span_text(at.span);
        let aliased = text != analysis.symbol_name(at.symbol);
        let mut out: Vec<Highlight> = Vec::new();
        if sym.decl_span.file == pos.file && !aliased {
            out.push(Highlight {
                span: sym.decl_span,
                kind: HighlightKind::Declaration,
            });
        }
        if aliased {
            if let Some((_, local)) = self.import_declaring(at) {
                out.push(Highlight {
                    span: local,
                    kind: HighlightKind::Declaration,
                });
            }
        }
        let refs = analysis.refs.refs(at.symbol);
        // The index is sorted by span, so this file's uses are one run of it.
        let first = refs.partition_point(|r| r.span.file < pos.file);
        for r in refs[first..].iter().take_while(|r| r.span.file == pos.file) {
            // Another spelling is an alias of the item (or the item's own name seen
            // from an alias): not what reads as the same name here.
            if r.span == sym.decl_span || self.span_text(r.span) != text {
                continue;
            }
            out.push(Highlight {
                span: r.span,
                kind: match r.kind {
                    RefKind::Read => HighlightKind::Read,
                    RefKind::Write => HighlightKind::Write,
                },
            });
        }
        out.sort_by_key(|h| (h.span.start, h.span.end));
        out.dedup_by_key(|h| h.span);
        out
    }
}
