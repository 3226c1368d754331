//! Adding an import: the text edits that make an item of another module visible in a
//! file. Completion's auto-import and the "import the unresolved name" code action
//! share it, so both write imports the same way (`toolchain.md` §4, completion):
//!
//! * an existing `import { … } from "path";` of that module is extended: the name goes
//!   in before the first name that sorts after it (names compare as text, so an
//!   unsorted list stays as it was around the insertion);
//! * otherwise a new line `import { name } from "path";` goes before the first import
//!   whose path sorts after `path` (byte order: `"@dep/…"` paths before the project's
//!   own lower-case module paths), or after the last import; a file without imports
//!   gets it at the top, below a leading `//` comment block, followed by a blank line.
//!
//! A name the file already imports from that module unaliased needs no edit.

use super::rename::TextEdit;
use super::{RootAnalysis, Snapshot};
use crate::project::ProjectGraph;
use crate::{AstArena, FileId, ModuleId, NodeId, NodeKind, ProjectId, Span};

/// One top-level `import` of a file.
#[derive(Clone, Debug)]
pub(super) struct ImportDecl {
    /// The whole declaration, `import` to `;`.
    pub span: Span,
    /// The module path as written (the string's value; empty when missing).
    pub path: String,
    /// Each `name [as alias]`: the imported name's text, the alias's text, the whole
    /// specifier's span.
    pub names: Vec<(String, Option<String>, Span)>,
}

impl Snapshot {
    /// The edits that make the item `name` of the module imported as `module_path`
    /// (`"world"`, `"@math/easing"`) visible in `file`; empty when the file already
    /// imports it (or is not analysed).
    pub fn import_edits(&self, file: FileId, module_path: &str, name: &str) -> Vec<TextEdit> {
        let Some((_, parse)) = self.analysis_of(file) else {
            return Vec::new();
        };
        import_edits_in(&parse.arena, self.file_text(file), file, module_path, name)
    }
}

/// How `from` writes an import of `module`: its path for a module of the same project,
/// `@alias` or `@alias/path` for a module of a direct dependency; `None` for a module
/// `from` cannot import (a dependency of a dependency, the prelude).
pub fn import_path(graph: &ProjectGraph, from: ProjectId, module: ModuleId) -> Option<String> {
    let target = graph.modules.get(module.index())?;
    if target.project == from {
        return Some(target.path.clone());
    }
    let dependency = graph
        .projects
        .get(from.index())?
        .dependencies
        .iter()
        .find(|d| d.project == target.project)?;
    Some(match target.path.as_str() {
        "" => format!("@{}", dependency.alias),
        path => format!("@{}/{path}", dependency.alias),
    })
}

/// The top-level imports of a parsed file, in source order.
pub(super) fn import_decls(arena: &AstArena, text: &str) -> Vec<ImportDecl> {
    let Some(NodeKind::SourceFile { items }) = arena.root().map(|r| *arena.kind(r)) else {
        return Vec::new();
    };
    let token_text = |node: NodeId| {
        text.get(arena.span(node).range())
            .unwrap_or_default()
            .to_string()
    };
    let mut out = Vec::new();
    for &item in arena.list(items) {
        let NodeKind::Import { names, path } = *arena.kind(item) else {
            continue;
        };
        let names = arena
            .list(names)
            .iter()
            .filter_map(|&n| match *arena.kind(n) {
                NodeKind::ImportName { name, alias } => {
                    Some((token_text(name), alias.map(token_text), arena.span(n)))
                }
                _ => None,
            })
            .collect();
        out.push(ImportDecl {
            span: arena.span(item),
            path: arena.string_value(path).unwrap_or_default().to_string(),
            names,
        });
    }
    out
}

/// [`Snapshot::import_edits`] over one parsed file.
fn import_edits_in(
    arena: &AstArena,
    text: &str,
    file: FileId,
    module_path: &str,
    name: &str,
) -> Vec<TextEdit> {
    let imports = import_decls(arena, text);
    let insert = |offset: u32, new_text: String| {
        vec![TextEdit {
            span: Span::empty(file, offset),
            new_text,
        }]
    };
    if let Some(existing) = imports.iter().find(|i| i.path == module_path) {
        if existing
            .names
            .iter()
            .any(|(n, alias, _)| n == name && alias.is_none())
        {
            return Vec::new();
        }
        return match existing.names.iter().find(|(n, _, _)| n.as_str() > name) {
            Some((_, _, before)) => insert(before.start, format!("{name}, ")),
            None => match existing.names.last() {
                Some((_, _, last)) => insert(last.end, format!(", {name}")),
                // `import { } from "m";`: the name goes right after the `{`.
                None => {
                    let brace = text
                        .get(existing.span.range())
                        .and_then(|s| s.find('{'))
                        .map_or(existing.span.start, |at| {
                            existing.span.start + at as u32 + 1
                        });
                    insert(brace, format!(" {name}"))
                }
            },
        };
    }
    let line = format!("import {{ {name} }} from \"{module_path}\";\n");
    if let Some(next) = imports.iter().find(|i| i.path.as_str() > module_path) {
        return insert(line_start(text, next.span.start), line);
    }
    if let Some(last) = imports.last() {
        let end = line_end(text, last.span.end);
        return match text.get(end as usize..end as usize + 1) {
            Some("\n") => insert(end + 1, line),
            _ => insert(end, format!("\n{}", line.trim_end())),
        };
    }
    // No imports yet: below the file's leading plain comments (a licence, a title), so
    // the first item's doc comment stays attached to it.
    let mut at = 0usize;
    for l in text.split_inclusive('\n') {
        let trimmed = l.trim_start();
        if trimmed.starts_with("//") && !trimmed.starts_with("///") {
            at += l.len();
        } else {
            break;
        }
    }
    let rest = &text[at..];
    let separator = if rest.trim().is_empty() || rest.starts_with('\n') {
        ""
    } else {
        "\n"
    };
    insert(at as u32, format!("{line}{separator}"))
}

/// The offset of the start of the line holding `offset`.
fn line_start(text: &str, offset: u32) -> u32 {
    let offset = (offset as usize).min(text.len());
    text[..offset].rfind('\n').map_or(0, |at| at as u32 + 1)
}

/// The offset of the `\n` ending the line holding `offset` (or the text's end).
fn line_end(text: &str, offset: u32) -> u32 {
    let offset = (offset as usize).min(text.len());
    text[offset..]
        .find('\n')
        .map_or(text.len() as u32, |at| (offset + at) as u32)
}

/// The import path `file` (of `root`) would write for `module`.
pub(super) fn import_path_from(
    root: &RootAnalysis,
    file: FileId,
    module: ModuleId,
) -> Option<String> {
    let project = root.graph.source_file(file)?.project;
    import_path(&root.graph, project, module)
}
