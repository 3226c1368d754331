//! `textDocument/semanticTokens/full`, `…/full/delta` and `…/range`: the IDE layer's
//! classified tokens, encoded as the protocol's relative integers.
//!
//! The legend is the IDE layer's two tables ([`TOKEN_KINDS`], [`TOKEN_MODIFIERS`]) read
//! in order, so a kind's index is its discriminant and a modifier's bit its row.
//!
//! For deltas the server keeps, per document, the last full answer and its result ID
//! ([`ResultCache`]); a delta request naming that ID gets one edit (the changed middle,
//! cut at token boundaries), any other ID the full tokens again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use prometeu_analysis::ide::{SemanticToken, TOKEN_KINDS, TOKEN_MODIFIERS};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;
use crate::convert::{self, Encoding};

/// Integers per encoded token.
const TOKEN_WIDTH: usize = 5;

/// The legend `initialize` announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_KINDS
            .iter()
            .map(|&(_, name, _)| SemanticTokenType::new(name))
            .collect(),
        token_modifiers: TOKEN_MODIFIERS
            .iter()
            .map(|&(_, name, _)| SemanticTokenModifier::new(name))
            .collect(),
    }
}

/// The capability: full with deltas, and ranges.
pub fn capability() -> SemanticTokensServerCapabilities {
    SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
        legend: legend(),
        range: Some(true),
        full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
        work_done_progress_options: Default::default(),
    })
}

/// The last full answer per document, for deltas.
#[derive(Default)]
pub struct ResultCache {
    next_id: AtomicU64,
    last: Mutex<HashMap<Url, (String, Vec<u32>)>>,
}

impl ResultCache {
    /// Remembers `data` as `uri`'s newest answer; its new result ID.
    fn store(&self, uri: &Url, data: &[u32]) -> String {
        let id = (self.next_id.fetch_add(1, Ordering::Relaxed) + 1).to_string();
        crate::lock(&self.last).insert(uri.clone(), (id.clone(), data.to_vec()));
        id
    }

    /// The answer remembered for `uri` under `id`.
    fn take(&self, uri: &Url, id: &str) -> Option<Vec<u32>> {
        let mut last = crate::lock(&self.last);
        match last.get(uri) {
            Some((known, _)) if known == id => last.remove(uri).map(|(_, data)| data),
            _ => None,
        }
    }

    /// Forgets a closed document.
    pub fn forget(&self, uri: &Url) {
        crate::lock(&self.last).remove(uri);
    }
}

/// The tokens of the whole document.
pub fn full(request: &Request, uri: &Url, cache: &ResultCache) -> Result<SemanticTokensResult> {
    let data = encode(
        request,
        &request.snapshot.semantic_tokens(request.file, None),
    );
    let result_id = cache.store(uri, &data);
    Ok(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: Some(result_id),
        data: unflatten(&data),
    }))
}

/// The tokens of the whole document as an edit of the answer `previous`, when the
/// server still has it; else all of them.
pub fn delta(
    request: &Request,
    uri: &Url,
    previous: &str,
    cache: &ResultCache,
) -> Result<SemanticTokensFullDeltaResult> {
    let data = encode(
        request,
        &request.snapshot.semantic_tokens(request.file, None),
    );
    let old = cache.take(uri, previous);
    let result_id = cache.store(uri, &data);
    let Some(old) = old else {
        return Ok(SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
            result_id: Some(result_id),
            data: unflatten(&data),
        }));
    };
    Ok(SemanticTokensFullDeltaResult::TokensDelta(
        SemanticTokensDelta {
            result_id: Some(result_id),
            edits: diff(&old, &data).into_iter().collect(),
        },
    ))
}

/// The tokens that overlap `range`.
pub fn range(request: &Request, range: Range) -> Result<SemanticTokensRangeResult> {
    let tokens = request
        .snapshot
        .semantic_tokens(request.file, Some(byte_range(request, range)));
    Ok(SemanticTokensRangeResult::Tokens(SemanticTokens {
        result_id: None,
        data: unflatten(&encode(request, &tokens)),
    }))
}

/// The byte range of a protocol range, leniently: a bound past the end of the document
/// is its end (an editor asks for what it shows, which may run past the last line).
pub fn byte_range(request: &Request, range: Range) -> (u32, u32) {
    let end_of_text = request.snapshot.file_text(request.file).len() as u32;
    let offset = |position| {
        request
            .position(position)
            .map_or(end_of_text, |at| at.offset)
    };
    let start = offset(range.start);
    (start, offset(range.end).max(start))
}

/// The protocol's encoding: per token, the line delta, the start column (relative to
/// the previous token's on the same line), the length, the kind and the modifier bits.
/// A token that crosses a line end (a string with a line break) is cut at each one.
fn encode(request: &Request, tokens: &[SemanticToken]) -> Vec<u32> {
    let index = request.snapshot.line_index(request.file);
    let encoding = request.encoding;
    let mut data = Vec::with_capacity(tokens.len() * TOKEN_WIDTH);
    let (mut last_line, mut last_col) = (0u32, 0u32);
    let mut push = |start: Position, length: u32, token: &SemanticToken| {
        if length == 0 {
            return;
        }
        let line_delta = start.line - last_line;
        let col_delta = if line_delta == 0 {
            start.character - last_col
        } else {
            start.character
        };
        data.extend([
            line_delta,
            col_delta,
            length,
            token.kind as u32,
            token.modifiers.0,
        ]);
        last_line = start.line;
        last_col = start.character;
    };
    for token in tokens {
        let start = convert::position(index, token.start, encoding);
        let end = convert::position(index, token.end, encoding);
        if start.line == end.line {
            push(start, end.character - start.character, token);
            continue;
        }
        for line in start.line..=end.line {
            let from = if line == start.line {
                start
            } else {
                Position::new(line, 0)
            };
            let to = if line == end.line {
                end.character
            } else {
                line_length(index, line, encoding)
            };
            push(from, to.saturating_sub(from.character), token);
        }
    }
    data
}

/// The length of a line without its line break, in the client's units.
fn line_length(index: &prometeu_analysis::LineIndex, line: u32, encoding: Encoding) -> u32 {
    match index.line_end(line) {
        Some(end) => convert::position(index, end, encoding).character,
        None => 0,
    }
}

/// The one edit that turns `old` into `new`: everything between their common prefix
/// and suffix (whole tokens), or nothing when they are equal.
fn diff(old: &[u32], new: &[u32]) -> Option<SemanticTokensEdit> {
    let tokens = |data: &[u32]| data.len() / TOKEN_WIDTH;
    let mut prefix = 0;
    while prefix < tokens(old).min(tokens(new)) && token(old, prefix) == token(new, prefix) {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < tokens(old).min(tokens(new)) - prefix
        && token(old, tokens(old) - 1 - suffix) == token(new, tokens(new) - 1 - suffix)
    {
        suffix += 1;
    }
    let removed = tokens(old) - prefix - suffix;
    let inserted = &new[prefix * TOKEN_WIDTH..(tokens(new) - suffix) * TOKEN_WIDTH];
    if removed == 0 && inserted.is_empty() {
        return None;
    }
    Some(SemanticTokensEdit {
        start: (prefix * TOKEN_WIDTH) as u32,
        delete_count: (removed * TOKEN_WIDTH) as u32,
        data: Some(unflatten(inserted)),
    })
}

/// The `index`-th encoded token.
fn token(data: &[u32], index: usize) -> &[u32] {
    &data[index * TOKEN_WIDTH..(index + 1) * TOKEN_WIDTH]
}

/// Encoded integers as the protocol type (which serialises back to a flat array).
fn unflatten(data: &[u32]) -> Vec<tower_lsp::lsp_types::SemanticToken> {
    data.chunks_exact(TOKEN_WIDTH)
        .map(|t| tower_lsp::lsp_types::SemanticToken {
            delta_line: t[0],
            delta_start: t[1],
            length: t[2],
            token_type: t[3],
            token_modifiers_bitset: t[4],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &[u32], edit: Option<SemanticTokensEdit>) -> Vec<u32> {
        let mut out = old.to_vec();
        if let Some(edit) = edit {
            let start = edit.start as usize;
            let inserted: Vec<u32> = edit
                .data
                .unwrap_or_default()
                .iter()
                .flat_map(|t| {
                    [
                        t.delta_line,
                        t.delta_start,
                        t.length,
                        t.token_type,
                        t.token_modifiers_bitset,
                    ]
                })
                .collect();
            out.splice(start..start + edit.delete_count as usize, inserted);
        }
        out
    }

    #[test]
    fn a_diff_applied_gives_the_new_tokens() {
        let a = [0, 0, 1, 1, 0, 0, 2, 1, 1, 0, 1, 0, 3, 2, 0];
        let cases: [&[u32]; 6] = [
            &a,
            &[],
            &a[..10],
            &a[5..],
            &[0, 0, 1, 1, 0, 9, 9, 9, 9, 9, 0, 2, 1, 1, 0, 1, 0, 3, 2, 0],
            &[0, 0, 1, 1, 0, 0, 2, 1, 1, 0, 0, 2, 1, 1, 0, 1, 0, 3, 2, 0],
        ];
        for old in cases {
            for new in cases {
                let edit = diff(old, new);
                if let Some(e) = &edit {
                    assert_eq!(e.start as usize % TOKEN_WIDTH, 0);
                    assert_eq!(e.delete_count as usize % TOKEN_WIDTH, 0);
                }
                assert_eq!(apply(old, edit), new, "{old:?} -> {new:?}");
            }
        }
    }
}
