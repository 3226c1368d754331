//! `textDocument/references` and `textDocument/documentHighlight`.

use prometeu_analysis::ide::HighlightKind;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// Every use of the symbol at `position`, across the workspace.
pub fn references(
    request: &Request,
    position: Position,
    include_declaration: bool,
) -> Result<Option<Vec<Location>>> {
    let position = request.position(position)?;
    let found = request
        .snapshot
        .find_references(position, include_declaration);
    let locations: Vec<Location> = found
        .into_iter()
        .filter_map(|reference| request.location(reference.span))
        .collect();
    Ok((!locations.is_empty()).then_some(locations))
}

/// The uses of the symbol at `position` in this document, with read/write kinds.
pub fn highlight(request: &Request, position: Position) -> Result<Option<Vec<DocumentHighlight>>> {
    let position = request.position(position)?;
    let highlights: Vec<DocumentHighlight> = request
        .snapshot
        .highlight_related(position)
        .into_iter()
        .map(|highlight| DocumentHighlight {
            range: request.range(highlight.span),
            kind: Some(match highlight.kind {
                HighlightKind::Read => DocumentHighlightKind::READ,
                HighlightKind::Write => DocumentHighlightKind::WRITE,
                HighlightKind::Declaration => DocumentHighlightKind::TEXT,
            }),
        })
        .collect();
    Ok((!highlights.is_empty()).then_some(highlights))
}
