//! `textDocument/foldingRange`.
//!
//! A fold that ends with its closing bracket ends one line earlier, so the `}` stays
//! visible under the folded line (`toolchain.md` §4); ranges are whole lines, which
//! every client supports.

use prometeu_analysis::ide::FoldKind;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// The folding ranges of the request's document.
pub fn run(request: &Request) -> Result<Option<Vec<FoldingRange>>> {
    let index = request.snapshot.line_index(request.file);
    let line = |offset: u32| index.offset_to_line_col(offset).map_or(0, |at| at.line);
    let mut ranges = Vec::new();
    for fold in request.snapshot.folding_ranges(request.file) {
        let start_line = line(fold.span.start);
        let mut end_line = line(fold.span.end);
        if fold.ends_with_bracket {
            end_line = end_line.saturating_sub(1);
        }
        if end_line <= start_line {
            continue;
        }
        ranges.push(FoldingRange {
            start_line,
            start_character: None,
            end_line,
            end_character: None,
            kind: match fold.kind {
                FoldKind::Region => Some(FoldingRangeKind::Region),
                FoldKind::Imports => Some(FoldingRangeKind::Imports),
                FoldKind::Comment => Some(FoldingRangeKind::Comment),
            },
            collapsed_text: None,
        });
    }
    Ok(Some(ranges))
}
