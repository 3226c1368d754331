//! Folding ranges: what an editor can collapse in one file.
//!
//! **Decisions:** from the syntax tree, every block (`{ … }` of a function, loop, branch
//! or view), every struct, service, contract and error declaration, every `when` or
//! `handle` with its arms, and every call or array literal that spans several lines is a
//! [`FoldKind::Region`]; a run of consecutive imports is one [`FoldKind::Imports`]; a
//! run of consecutive whole-line comments (doc comments and ordinary comments are
//! separate runs — PBS has no block comments, so such a run is its multi-line comment)
//! is a [`FoldKind::Comment`]. A range must cover at least two lines; of several
//! ranges that start on the same line only the largest is kept (a function and its
//! body are one fold).

use std::collections::HashMap;

use super::Snapshot;
use super::target::walk;
use crate::syntax::TokenKind;
use crate::{FileId, NodeKind, Span};

/// What a fold holds (the protocol's folding range kinds).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FoldKind {
    /// Code: a block, a declaration's members, the arms of a `when`, a long call.
    Region,
    /// A run of imports.
    Imports,
    /// A run of comment lines.
    Comment,
}

/// One foldable range of a file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fold {
    /// From the first byte of the construct to its last (a closing `}` included).
    pub span: Span,
    /// What it holds.
    pub kind: FoldKind,
    /// Whether the span ends with the construct's closing bracket, which an editor that
    /// folds whole lines should leave visible.
    pub ends_with_bracket: bool,
}

impl Snapshot {
    /// The folding ranges of `file`, sorted by start (see the module documentation).
    pub fn folding_ranges(&self, file: FileId) -> Vec<Fold> {
        let Some((_, parse)) = self.analysis_of(file) else {
            return Vec::new();
        };
        let arena = &parse.arena;
        let text = self.file_text(file);
        let lines = self.line_index(file);
        let line_of = |offset: u32| lines.offset_to_line_col(offset).map_or(0, |at| at.line);
        let mut folds = Vec::new();
        let region = |span: Span, folds: &mut Vec<Fold>| {
            let ends_with_bracket = span.end > span.start
                && matches!(
                    text.as_bytes().get(span.end as usize - 1),
                    Some(b'}' | b')' | b']')
                );
            folds.push(Fold {
                span,
                kind: FoldKind::Region,
                ends_with_bracket,
            });
        };
        let Some(source) = arena.root() else {
            return Vec::new();
        };
        let mut import_run: Option<Span> = None;
        if let NodeKind::SourceFile { items } = *arena.kind(source) {
            for &item in arena.list(items) {
                let span = arena.span(item);
                if matches!(arena.kind(item), NodeKind::Import { .. }) {
                    import_run = Some(match import_run {
                        Some(run) => Span {
                            end: span.end,
                            ..run
                        },
                        None => span,
                    });
                    continue;
                }
                if let Some(run) = import_run.take() {
                    folds.push(imports_fold(run));
                }
            }
        }
        if let Some(run) = import_run {
            folds.push(imports_fold(run));
        }
        walk(arena, source, &mut |node| {
            let span = arena.span(node);
            let folds_here = match arena.kind(node) {
                NodeKind::Block { .. }
                | NodeKind::StructDecl { .. }
                | NodeKind::ServiceDecl { .. }
                | NodeKind::ContractDecl { .. }
                | NodeKind::ErrorDecl { .. }
                | NodeKind::Handle { .. }
                | NodeKind::ArrayLit { .. }
                | NodeKind::Call { .. } => true,
                // From the `when` keyword: the subject is folded on its own.
                &NodeKind::When { keyword, .. } => {
                    region(
                        Span {
                            start: keyword,
                            ..span
                        },
                        &mut folds,
                    );
                    false
                }
                _ => false,
            };
            if folds_here {
                region(span, &mut folds);
            }
        });
        comment_folds(&parse.lexed.trivia, text, file, &line_of, &mut folds);
        // Only ranges of two lines or more; one per start line, the largest.
        let mut by_line: HashMap<u32, Fold> = HashMap::new();
        for fold in folds {
            let (first, last) = (line_of(fold.span.start), line_of(fold.span.end));
            if last <= first {
                continue;
            }
            by_line
                .entry(first)
                .and_modify(|kept| {
                    if fold.span.end > kept.span.end {
                        *kept = fold;
                    }
                })
                .or_insert(fold);
        }
        let mut out: Vec<Fold> = by_line.into_values().collect();
        out.sort_by_key(|f| (f.span.start, f.span.end));
        out
    }
}

fn imports_fold(span: Span) -> Fold {
    Fold {
        span,
        kind: FoldKind::Imports,
        ends_with_bracket: false,
    }
}

/// Runs of whole-line comments on consecutive lines, one run per kind of comment.
fn comment_folds(
    trivia: &[crate::syntax::Token],
    text: &str,
    file: FileId,
    line_of: &dyn Fn(u32) -> u32,
    out: &mut Vec<Fold>,
) {
    let whole_line = |start: u32| {
        let before = &text[..start as usize];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        before[line_start..].trim().is_empty()
    };
    let mut run: Option<(Span, TokenKind, u32)> = None;
    let close = |run: Option<(Span, TokenKind, u32)>, out: &mut Vec<Fold>| {
        if let Some((span, ..)) = run {
            out.push(Fold {
                span,
                kind: FoldKind::Comment,
                ends_with_bracket: false,
            });
        }
    };
    for token in trivia {
        if !matches!(token.kind, TokenKind::Comment | TokenKind::DocComment)
            || !whole_line(token.start)
        {
            close(run.take(), out);
            continue;
        }
        let line = line_of(token.start);
        match &mut run {
            Some((span, kind, last)) if *kind == token.kind && *last + 1 == line => {
                span.end = token.end;
                *last = line;
            }
            _ => {
                close(run.take(), out);
                let span = Span {
                    file,
                    start: token.start,
                    end: token.end,
                };
                run = Some((span, token.kind, line));
            }
        }
    }
    close(run, out);
}
