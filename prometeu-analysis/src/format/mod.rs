//! The PBS formatter: one canonical layout for any file that parses
//! (`docs/spec/toolchain.md` §5, the style).
//!
//! Text → tokens and tree ([`crate::syntax::parse_file`]) → layout commands
//! (`build`, which walks the tree and places the lexer's comments) → text (`doc`, a
//! greedy line-width printer). Before anything is returned the output is parsed again
//! and compared with the input: same tree (spans aside), same comments in the same
//! order. A file with syntax errors, or an output that fails that check, is refused —
//! the formatter never returns half-formatted or altered code.
//!
//! **Architecture invariant:** the formatter knows the syntax layer only; the CLI
//! (`prometeu fmt`) and the language server call [`format_text`] and
//! [`format_range`] and never lay code out themselves.

mod build;
mod doc;
mod verify;

pub use doc::{INDENT_WIDTH, LINE_WIDTH};

use crate::syntax::parse_file;
use crate::{Diagnostic, FileId, NameInterner, NodeId, Severity};

/// `Ok` when two parses have the same tree, spans aside (node kinds, children, names,
/// literals, doc comments), else what differs. The formatter's own check; public for tests.
pub fn same_tree(left: &crate::syntax::Parse, right: &crate::syntax::Parse) -> Result<(), String> {
    verify::same_tree(left, right)
}

/// Why a text was not formatted.
#[derive(Clone, Debug)]
pub enum FormatError {
    /// The text has syntax errors (the lexical and syntax diagnostics); it is left as is.
    Syntax(Vec<Diagnostic>),
    /// The formatter could not reproduce the tree (a formatter bug); the text is left as
    /// is. The message says what differed.
    Internal(String),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(diagnostics) => {
                write!(f, "{} syntax error(s)", diagnostics.len())?;
                if let Some(first) = diagnostics.first() {
                    write!(f, ", the first: {}", first.message)?;
                }
                Ok(())
            }
            FormatError::Internal(message) => write!(f, "formatter error: {message}"),
        }
    }
}

impl std::error::Error for FormatError {}

/// The file's formatted text, or why it cannot be formatted. Line endings follow the
/// input's first line break (CRLF stays CRLF, everything else becomes LF).
pub fn format_text(text: &str) -> Result<String, FormatError> {
    let formatted = format_with_marks(text, false)?;
    Ok(if formatted.crlf {
        formatted.text.replace('\n', "\r\n")
    } else {
        formatted.text
    })
}

/// The result of formatting a range: the byte range of the original text to replace
/// and its replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeEdit {
    /// The bytes of the original text to replace (whole lines).
    pub range: std::ops::Range<usize>,
    /// The formatted text of those lines.
    pub replacement: String,
}

/// Formats the smallest run of whole statements or items that encloses the byte range
/// `start..end` of `text` (widened until it covers whole lines of the source). `Ok(None)`
/// when the range touches no statement or item.
pub fn format_range(
    text: &str,
    start: usize,
    end: usize,
) -> Result<Option<RangeEdit>, FormatError> {
    let formatted = format_with_marks(text, true)?;
    Ok(range::select(text, &formatted, start, end))
}

/// A formatted file with the output offsets of its statements and items.
struct Formatted {
    /// The output, with LF line breaks.
    text: String,
    /// Whether the input uses CRLF line breaks (the output is converted on the way out).
    crlf: bool,
    /// Every statement, tail expression, member and item, by source start.
    entries: Vec<Entry>,
    /// The input's parse, for the tree structure around the entries.
    parse: crate::syntax::Parse,
}

/// One statement, tail expression, member or item and where it is in the input and the
/// output.
#[derive(Clone, Copy, Debug)]
struct Entry {
    node: NodeId,
    source: (usize, usize),
    output: (usize, usize),
}

/// Formats `text`; with `with_entries`, also lists where every statement and item went
/// (range formatting needs it, whole-file formatting does not).
fn format_with_marks(text: &str, with_entries: bool) -> Result<Formatted, FormatError> {
    let file = FileId(0);
    let mut names = NameInterner::new();
    let parse = parse_file(file, text, &mut names);
    let errors: Vec<Diagnostic> = parse
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    let built = build::build(
        text,
        &parse.lexed.tokens,
        &parse.lexed.trivia,
        &parse.arena,
        parse.root(),
    )
    .map_err(FormatError::Internal)?;
    let mut marks = vec![0usize; built.mark_nodes.len()];
    let output = doc::print(&built.cmds, &mut marks, text.len());
    verify::same_file(&parse, text, &output).map_err(FormatError::Internal)?;
    let mut entries = Vec::with_capacity(marks.len() / 2);
    let mut open: Vec<(NodeId, usize)> = Vec::new();
    let marked = if with_entries {
        built.mark_nodes.len()
    } else {
        0
    };
    for (&(node, is_end), &offset) in built.mark_nodes[..marked].iter().zip(&marks) {
        if !is_end {
            open.push((node, offset));
            continue;
        }
        if let Some((start_node, output_start)) = open.pop() {
            debug_assert_eq!(start_node, node);
            let span = parse.arena.span(node);
            entries.push(Entry {
                node,
                source: (span.start as usize, span.end as usize),
                output: (output_start, offset),
            });
        }
    }
    entries.sort_by_key(|entry| entry.source.0);
    drop(built);
    Ok(Formatted {
        text: output,
        crlf: uses_crlf(text),
        entries,
        parse,
    })
}

/// Whether the first line break of `text` is CRLF.
fn uses_crlf(text: &str) -> bool {
    text.find('\n')
        .is_some_and(|at| at > 0 && text.as_bytes()[at - 1] == b'\r')
}

mod range;
