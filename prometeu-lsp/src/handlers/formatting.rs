//! `textDocument/formatting` and `textDocument/rangeFormatting`: the formatter of
//! `prometeu fmt` (`prometeu_analysis::format`) on the document's text as the request
//! saw it, answered with minimal edits (changed lines only, by a patience line diff), not one whole-file
//! replacement. A document with syntax errors gets no edits.

use prometeu_analysis::format::{format_range, format_text};
use similar::{Algorithm, DiffOp, TextDiff};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;
use crate::convert;

/// How long the line diff may search for the smallest edit before settling for a
/// coarser one.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_millis(15);

/// The edits that format the whole document; `None` when it has syntax errors.
pub fn document(request: &Request) -> Result<Option<Vec<TextEdit>>> {
    let text = request.snapshot.file_text(request.file).clone();
    let Ok(formatted) = format_text(&text) else {
        return Ok(None);
    };
    Ok(Some(edits(request, &text, 0, &text, &formatted)))
}

/// The edits that format the statements or items around `range`; `None` when the
/// document has syntax errors.
pub fn range(request: &Request, range: Range) -> Result<Option<Vec<TextEdit>>> {
    let text = request.snapshot.file_text(request.file).clone();
    let start = request.position(range.start)?.offset as usize;
    let end = request.position(range.end)?.offset as usize;
    let edit = match format_range(&text, start, end) {
        Ok(Some(edit)) => edit,
        Ok(None) => return Ok(Some(Vec::new())),
        Err(_) => return Ok(None),
    };
    let old = &text[edit.range.clone()];
    Ok(Some(edits(
        request,
        &text,
        edit.range.start,
        old,
        &edit.replacement,
    )))
}

/// The line-level differences between `old` (which starts at byte `base` of the
/// document `text`) and `new`, as protocol edits.
fn edits(request: &Request, text: &str, base: usize, old: &str, new: &str) -> Vec<TextEdit> {
    if old == new {
        return Vec::new();
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .deadline(std::time::Instant::now() + DIFF_DEADLINE)
        .diff_lines(old, new);
    let old_starts = line_starts(old);
    let new_starts = line_starts(new);
    let index = request.snapshot.line_index(request.file);
    let mut edits = Vec::new();
    for op in diff.ops() {
        let (old_range, new_range) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        let from = base + old_starts[old_range.start];
        let to = base + old_starts[old_range.end];
        let replacement = &new[new_starts[new_range.start]..new_starts[new_range.end]];
        debug_assert!(to <= text.len());
        edits.push(TextEdit {
            range: Range {
                start: convert::position(index, from as u32, request.encoding),
                end: convert::position(index, to as u32, request.encoding),
            },
            new_text: replacement.to_string(),
        });
    }
    edits
}

/// The byte offset where each line starts, plus the end of the text (so line `n` is
/// `starts[n]..starts[n + 1]`, its line break included).
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
    if *starts.last().unwrap() != text.len() {
        starts.push(text.len());
    }
    starts
}
