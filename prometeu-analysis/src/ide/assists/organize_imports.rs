//! `source.organizeImports`: one import per module, imports sorted by module path
//! (byte order of the path as written, so `@dependency` paths come before the
//! project's own), the names of each sorted (by name, then alias), repeats merged and
//! names reported `W_UNUSED_IMPORT` dropped; an import left without names goes.
//!
//! Nothing is offered when the imports cannot be rewritten without losing something:
//! a comment among them, a syntax error in them, or an import after a declaration.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::{Assist, AssistKind, file_change, whole_lines};
use crate::ide::{Snapshot, TextEdit};
use crate::{DiagnosticCode, FileId, NodeKind, Span};

/// The organized imports of `file`, when they differ from what is written.
pub(super) fn organize(snapshot: &Snapshot, file: FileId) -> Option<Assist> {
    let root = snapshot.root_of(file)?;
    let parse = root.analysis.parse(file)?;
    let text = snapshot.file_text(file);
    let arena = &parse.arena;
    let NodeKind::SourceFile { items } = *arena.kind(arena.root()?) else {
        return None;
    };
    let items = arena.list(items);
    let count = items
        .iter()
        .take_while(|&&n| matches!(arena.kind(n), NodeKind::Import { .. }))
        .count();
    let imports = &items[..count];
    if imports.is_empty()
        || items[count..]
            .iter()
            .any(|&n| matches!(arena.kind(n), NodeKind::Import { .. }))
    {
        return None;
    }
    let block = Span::new(
        file,
        arena.span(imports[0]).start,
        arena.span(imports[count - 1]).end,
    );
    let has_comment = parse
        .lexed
        .trivia
        .iter()
        .any(|t| t.start < block.end && block.start < t.end);
    let has_syntax_error = parse
        .diagnostics
        .iter()
        .any(|d| d.span.start < block.end && block.start <= d.span.end);
    if has_comment || has_syntax_error {
        return None;
    }
    let unused: HashSet<u32> = root
        .analysis
        .diagnostics
        .iter()
        .filter(|d| d.span.file == file && d.code == DiagnosticCode::UnusedImport)
        .map(|d| d.span.start)
        .collect();
    let word = |node| &text[arena.span(node).range()];
    let mut modules: BTreeMap<&str, BTreeSet<(&str, Option<&str>)>> = BTreeMap::new();
    for &import in imports {
        let NodeKind::Import { names, path } = *arena.kind(import) else {
            continue;
        };
        let entries = modules.entry(word(path)).or_default();
        for &entry in arena.list(names) {
            let NodeKind::ImportName { name, alias } = *arena.kind(entry) else {
                continue;
            };
            let local = alias.unwrap_or(name);
            if !unused.contains(&arena.span(local).start) {
                entries.insert((word(name), alias.map(word)));
            }
        }
    }
    let lines: Vec<String> = modules
        .iter()
        .filter(|(_, entries)| !entries.is_empty())
        .map(|(path, entries)| {
            let names: Vec<String> = entries
                .iter()
                .map(|(name, alias)| match alias {
                    Some(alias) => format!("{name} as {alias}"),
                    None => name.to_string(),
                })
                .collect();
            format!("import {{ {} }} from {path};", names.join(", "))
        })
        .collect();
    let organized = lines.join("\n");
    if organized == text[block.range()] {
        return None;
    }
    let (start, end) = match organized.is_empty() {
        true => whole_lines(text, block.start, block.end),
        false => (block.start, block.end),
    };
    let edit = TextEdit {
        span: Span::new(file, start, end),
        new_text: organized,
    };
    Some(Assist {
        kind: AssistKind::OrganizeImports,
        title: "Organize imports".to_string(),
        fixes: None,
        preferred: false,
        change: file_change(file, vec![edit]),
    })
}
