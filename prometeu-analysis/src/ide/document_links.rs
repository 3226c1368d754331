//! Document links: the module path of an import opens the module.
//!
//! **Decisions:** the link covers the text between the quotes of the import's path
//! string; it targets the module's first file in path order (a module is a directory
//! and may hold several files; the tooltip names the module and how many files it has).
//! An import whose path does not resolve has no link.

use super::Snapshot;
use crate::{FileId, NodeKind, Span};

/// One link of a file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DocumentLink {
    /// The path text, without its quotes.
    pub span: Span,
    /// The file it opens.
    pub target: FileId,
    /// What the link opens, in words: ``module `math/easing` of `mathlib` (2 files)``.
    pub tooltip: String,
}

impl Snapshot {
    /// The links of `file`, in source order.
    pub fn document_links(&self, file: FileId) -> Vec<DocumentLink> {
        let Some((root, parse)) = self.analysis_of(file) else {
            return Vec::new();
        };
        let Some(project) = root.graph.source_file(file).map(|f| f.project) else {
            return Vec::new();
        };
        let arena = &parse.arena;
        let Some(NodeKind::SourceFile { items }) = arena.root().map(|r| *arena.kind(r)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &item in arena.list(items) {
            let NodeKind::Import { path, .. } = *arena.kind(item) else {
                continue;
            };
            let Some(written) = arena.string_value(path) else {
                continue;
            };
            let Some(module_id) = root.graph.resolve_import(project, written) else {
                continue;
            };
            let module = root.graph.module(module_id);
            let Some(&target) = module.files.first() else {
                continue;
            };
            let span = arena.span(path);
            // Inside the quotes, when both are there (recovery may leave one out).
            let quoted = span.len() >= 2
                && self.span_text(span).starts_with('"')
                && self.span_text(span).ends_with('"');
            let span = if quoted {
                Span {
                    start: span.start + 1,
                    end: span.end - 1,
                    ..span
                }
            } else {
                span
            };
            let project_name = &root.graph.project(module.project).name;
            let name = if module.path.is_empty() {
                "root module".to_string()
            } else {
                format!("module `{}`", module.path)
            };
            let files = match module.files.len() {
                1 => "1 file".to_string(),
                n => format!("{n} files"),
            };
            out.push(DocumentLink {
                span,
                target,
                tooltip: format!("{name} of `{project_name}` ({files})"),
            });
        }
        out
    }
}
