//! Selection ranges ("expand selection"): the syntax nodes around a cursor, innermost
//! first.
//!
//! **Decisions:** the chain starts at the innermost node the cursor touches (the token
//! under it) and follows the syntax tree's parents; a parent with the same span as its
//! child adds nothing and is skipped; inside a comment the chain starts with the comment
//! line. The last range is always the whole file, so expanding ends there.

use super::Snapshot;
use crate::{FileId, Span};

impl Snapshot {
    /// The ranges that successive "expand selection" steps select from `offset` of
    /// `file`, each strictly containing the previous one; empty for an unknown file.
    pub fn selection_ranges(&self, file: FileId, offset: u32) -> Vec<Span> {
        let Some((_, parse)) = self.analysis_of(file) else {
            return Vec::new();
        };
        let arena = &parse.arena;
        let text_len = self.file_text(file).len() as u32;
        let offset = offset.min(text_len);
        let mut out: Vec<Span> = Vec::new();
        let mut push = |span: Span| {
            if span.is_empty() {
                return;
            }
            match out.last() {
                Some(last) if !span.contains_span(*last) || span == *last => {}
                _ => out.push(span),
            }
        };
        if let Some(comment) = parse
            .lexed
            .trivia
            .iter()
            .find(|t| t.start <= offset && offset <= t.end)
        {
            push(Span {
                file,
                start: comment.start,
                end: comment.end,
            });
        }
        if let Some(node) = arena.node_at_offset(offset) {
            for node in std::iter::once(node).chain(arena.ancestors(node)) {
                push(arena.span(node));
            }
        }
        push(Span {
            file,
            start: 0,
            end: text_len,
        });
        out
    }
}
