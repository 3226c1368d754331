//! The formatter's safety net: the output must parse to the input's tree (spans aside)
//! and hold the input's comments in the same order.

use crate::syntax::{NodeKind, Parse, parse_file};
use crate::{FileId, NameInterner, Severity};

/// `Ok` when `output` parses without errors to the same tree as `input` (parsed from
/// `text`) with the same comments; otherwise what differs.
pub(super) fn same_file(input: &Parse, text: &str, output: &str) -> Result<(), String> {
    let mut names = NameInterner::new();
    let reparsed = parse_file(FileId(0), output, &mut names);
    if let Some(error) = reparsed
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return Err(format!(
            "the output does not parse (byte {}: {})",
            error.span.start, error.message
        ));
    }
    same_tree(input, &reparsed)?;
    let input_comments = input
        .lexed
        .trivia
        .iter()
        .map(|t| text[t.range()].trim_end());
    let output_comments = reparsed
        .lexed
        .trivia
        .iter()
        .map(|t| output[t.range()].trim_end());
    if !input_comments.eq(output_comments) {
        return Err("the comments differ".into());
    }
    Ok(())
}

/// Compares two parses of the same token sequence node by node. Both arenas are built
/// in the same order from equal tokens, so equal trees have equal node IDs, child lists
/// and interned names; only spans (and the `when` keyword offset) may differ.
pub(crate) fn same_tree(left: &Parse, right: &Parse) -> Result<(), String> {
    let (a, b) = (&left.arena, &right.arena);
    if a.len() != b.len() {
        return Err(format!("{} nodes became {}", a.len(), b.len()));
    }
    let mut left_children = Vec::new();
    let mut right_children = Vec::new();
    for id in a.ids() {
        let (ka, kb) = (normalise(*a.kind(id)), normalise(*b.kind(id)));
        if ka != kb {
            return Err(format!(
                "node {} changed from {} to {}",
                id.index(),
                ka.name(),
                kb.name()
            ));
        }
        if let (
            NodeKind::StringLit { start: sa, len: la },
            NodeKind::StringLit { start: sb, len: lb },
        ) = (ka, kb)
        {
            if a.str(sa, la) != b.str(sb, lb) {
                return Err("a string literal changed".into());
            }
        }
        left_children.clear();
        right_children.clear();
        a.visit_children(&ka, |c| left_children.push(c));
        b.visit_children(&kb, |c| right_children.push(c));
        if left_children != right_children {
            return Err(format!("the children of node {} changed", id.index()));
        }
    }
    if a.root() != b.root() {
        return Err("the root changed".into());
    }
    let docs = |parse: &Parse| -> Vec<(crate::NodeId, String)> {
        parse
            .arena
            .docs()
            .iter()
            .map(|d| {
                let text: Vec<&str> = d.text.lines().map(str::trim_end).collect();
                (d.node, text.join("\n"))
            })
            .collect()
    };
    if docs(left) != docs(right) {
        return Err("the doc comments changed".into());
    }
    Ok(())
}

/// A node kind without the parts that are positions.
fn normalise(kind: NodeKind) -> NodeKind {
    match kind {
        NodeKind::When { subject, arms, .. } => NodeKind::When {
            subject,
            arms,
            keyword: 0,
        },
        other => other,
    }
}
