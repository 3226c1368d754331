//! `W_UNUSED_IMPORT`: remove the unused name from its import, or the whole import
//! when it was the only name.

use super::{Assist, FixContext, whole_lines};
use crate::{AstArena, NodeId, NodeKind};

/// Removes the name (with the comma that joins it to a neighbour) or the import.
pub(super) fn fixes(context: &FixContext<'_>, assists: &mut Vec<Assist>) {
    let arena = &context.parse.arena;
    let Some((import, entry)) = import_entry_at(arena, context.diagnostic.span.start) else {
        return;
    };
    let NodeKind::Import { names, .. } = *arena.kind(import) else {
        return;
    };
    let names = arena.list(names);
    let Some(index) = names.iter().position(|&n| n == entry) else {
        return;
    };
    let local = context.text_of(context.diagnostic.span);
    let (start, end) = if names.len() == 1 {
        let span = arena.span(import);
        whole_lines(context.text, span.start, span.end)
    } else if index + 1 < names.len() {
        (arena.span(entry).start, arena.span(names[index + 1]).start)
    } else {
        (arena.span(names[index - 1]).end, arena.span(entry).end)
    };
    let title = if names.len() == 1 {
        format!("Remove the unused import of `{local}`")
    } else {
        format!("Remove `{local}` from the import")
    };
    assists.push(context.fix(title, true, vec![context.edit(start, end, "")]));
}

/// The import and its `name [as alias]` entry that contain `offset`.
pub(super) fn import_entry_at(arena: &AstArena, offset: u32) -> Option<(NodeId, NodeId)> {
    let node = arena.node_at_offset(offset)?;
    let entry = std::iter::once(node)
        .chain(arena.ancestors(node))
        .find(|&n| matches!(arena.kind(n), NodeKind::ImportName { .. }))?;
    let import = arena.parent(entry)?;
    matches!(arena.kind(import), NodeKind::Import { .. }).then_some((import, entry))
}
