//! `textDocument/selectionRange`.

use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// For each position, the chain of ranges "expand selection" walks, innermost first.
pub fn run(request: &Request, positions: &[Position]) -> Result<Option<Vec<SelectionRange>>> {
    let mut out = Vec::with_capacity(positions.len());
    for &position in positions {
        let at = request.position(position)?;
        let spans = request.snapshot.selection_ranges(at.file, at.offset);
        // The protocol nests outermost inside-out: build from the whole file inwards.
        let mut chain: Option<SelectionRange> = None;
        for span in spans.iter().rev() {
            chain = Some(SelectionRange {
                range: request.range(*span),
                parent: chain.map(Box::new),
            });
        }
        // Every position gets an answer (the protocol pairs them by index).
        out.push(chain.unwrap_or(SelectionRange {
            range: Range::new(position, position),
            parent: None,
        }));
    }
    Ok(Some(out))
}
