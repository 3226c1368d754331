//! Code actions: quick fixes for the diagnostics under a range, and the source action
//! that organizes a file's imports. Each fix is its own file and leaves code that checks
//! clean of the diagnostic it fixes (`docs/spec/toolchain.md` §4 lists them:
//! diagnostic code → title → edit).
//!
//! A fix is computed from the diagnostic (its code, span and [`Diagnostic::data`]) and
//! the file's syntax tree, never from re-checking: asking for the actions of a range
//! costs a walk over the diagnostics of one file.

mod add_missing_arms;
mod import_unresolved_name;
mod organize_imports;
mod parenthesize_cast;
mod prefix_or_remove_unused_local;
mod remove_unused_import;
mod remove_unused_mut;
mod replace_misspelled_name;

use super::{RootAnalysis, Snapshot, SourceChange, TextEdit};
use crate::{Diagnostic, DiagnosticCode, FileId, NodeId, Parse, Span};

/// What kind of change an [`Assist`] is: editors group and filter actions by it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AssistKind {
    /// Fixes the diagnostic it is attached to.
    QuickFix,
    /// Sorts, merges and prunes the imports of a whole file.
    OrganizeImports,
}

/// One code action: a titled change to the workspace.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Assist {
    /// What kind of action it is.
    pub kind: AssistKind,
    /// The title an editor shows, e.g. ``Remove the unused import `lerp` ``.
    pub title: String,
    /// The diagnostic a quick fix fixes.
    pub fixes: Option<Diagnostic>,
    /// Whether it is the obvious fix of its diagnostic (an editor's "auto fix").
    pub preferred: bool,
    /// The edits.
    pub change: SourceChange,
}

/// What every fix looks at: one diagnostic and the file it is in.
pub(super) struct FixContext<'a> {
    /// The snapshot asked.
    pub snapshot: &'a Snapshot,
    /// The root that owns the file.
    pub root: &'a RootAnalysis,
    /// The file.
    pub file: FileId,
    /// Its analysed text.
    pub text: &'a str,
    /// Its syntax tree.
    pub parse: &'a Parse,
    /// The diagnostic to fix.
    pub diagnostic: &'a Diagnostic,
}

impl FixContext<'_> {
    /// The text of `span` (of this file).
    pub fn text_of(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// A quick fix of this context's diagnostic made of `edits` to this file.
    pub fn fix(&self, title: String, preferred: bool, edits: Vec<TextEdit>) -> Assist {
        Assist {
            kind: AssistKind::QuickFix,
            title,
            fixes: Some(self.diagnostic.clone()),
            preferred,
            change: file_change(self.file, edits),
        }
    }

    /// An edit of this file.
    pub fn edit(&self, start: u32, end: u32, new_text: impl Into<String>) -> TextEdit {
        TextEdit {
            span: Span::new(self.file, start, end),
            new_text: new_text.into(),
        }
    }

    /// The innermost node at the start of `span`.
    pub fn node_at(&self, span: Span) -> Option<NodeId> {
        self.parse.arena.node_at_offset(span.start)
    }
}

impl Snapshot {
    /// Every code action for `range` of `file`: the quick fixes of each diagnostic the
    /// range touches, then "Organize imports" when it would change the file.
    pub fn assists(&self, file: FileId, range: Span) -> Vec<Assist> {
        let mut assists = self.quick_fixes(file, range);
        assists.extend(self.organize_imports(file));
        assists
    }

    /// The quick fixes of the diagnostics of `file` that `range` touches (an empty range
    /// touches a diagnostic it is inside or at either end of), in diagnostic order.
    pub fn quick_fixes(&self, file: FileId, range: Span) -> Vec<Assist> {
        let Some((root, parse)) = self.analysis_of(file) else {
            return Vec::new();
        };
        let text = self.file_text(file);
        let mut assists = Vec::new();
        for diagnostic in root.analysis.diagnostics.iter() {
            let span = diagnostic.span;
            if span.file != file || span.start > range.end || range.start > span.end {
                continue;
            }
            let context = FixContext {
                snapshot: self,
                root,
                file,
                text,
                parse,
                diagnostic,
            };
            fixes_of(&context, &mut assists);
        }
        assists
    }

    /// "Organize imports" for `file`: imports sorted by module path, the names of one
    /// module merged into one import and sorted, unused names dropped. `None` when the
    /// imports are organized already or cannot be rewritten safely (see
    /// `toolchain.md` §4).
    pub fn organize_imports(&self, file: FileId) -> Option<Assist> {
        organize_imports::organize(self, file)
    }
}

/// Appends the fixes of one diagnostic.
fn fixes_of(context: &FixContext<'_>, assists: &mut Vec<Assist>) {
    match context.diagnostic.code {
        DiagnosticCode::ResolveUndefined => {
            let before = assists.len();
            import_unresolved_name::fixes(context, assists);
            let imports = assists.len();
            replace_misspelled_name::fixes(context, assists);
            // An item of that very name elsewhere beats a near miss here.
            if imports > before {
                for assist in &mut assists[imports..] {
                    assist.preferred = false;
                }
            }
        }
        DiagnosticCode::ResolveImportNotFound | DiagnosticCode::TypeNoMember => {
            replace_misspelled_name::fixes(context, assists)
        }
        DiagnosticCode::UnusedImport => remove_unused_import::fixes(context, assists),
        DiagnosticCode::UnusedLocal => prefix_or_remove_unused_local::fixes(context, assists),
        DiagnosticCode::UnusedMut => remove_unused_mut::fixes(context, assists),
        DiagnosticCode::TypeNonExhaustive => add_missing_arms::fixes(context, assists),
        DiagnosticCode::ParseUnexpectedToken => parenthesize_cast::fixes(context, assists),
        _ => {}
    }
}

/// A change of one file, its edits sorted.
fn file_change(file: FileId, mut edits: Vec<TextEdit>) -> SourceChange {
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    SourceChange {
        edits: vec![(file, edits)],
    }
}

/// `start..end` widened to whole lines (their line end included) when nothing but
/// blanks shares those lines with it, so removing a statement leaves no empty line.
fn whole_lines(text: &str, start: u32, end: u32) -> (u32, u32) {
    let bytes = text.as_bytes();
    let mut line_start = start as usize;
    while line_start > 0 && matches!(bytes[line_start - 1], b' ' | b'\t') {
        line_start -= 1;
    }
    let mut line_end = end as usize;
    while line_end < bytes.len() && matches!(bytes[line_end], b' ' | b'\t' | b'\r') {
        line_end += 1;
    }
    let starts_line = line_start == 0 || bytes[line_start - 1] == b'\n';
    let ends_line = line_end == bytes.len() || bytes[line_end] == b'\n';
    if starts_line && ends_line {
        let line_end = (line_end + 1).min(bytes.len());
        (line_start as u32, line_end as u32)
    } else {
        (start, end)
    }
}

/// Whether `text` is one identifier (what a name token's span holds).
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
