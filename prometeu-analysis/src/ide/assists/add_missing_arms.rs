//! `E_TYPE_NON_EXHAUSTIVE` on a `when`: add one arm per missing pattern (the
//! diagnostic's [`crate::Diagnostic::data`] lists them all).
//!
//! PBS has no "to do" expression, so each new arm needs a value that type-checks: the
//! plain value of the `when`'s type when it has one (`0`, `0.0`, `0b`, `false`, `""`,
//! `none`), else the value of the last arm whose pattern binds no name (it can be
//! copied without dangling names). With neither, no fix is offered.

use super::{Assist, FixContext};
use crate::ide::target::walk;
use crate::semantics::TypeKind;
use crate::{AstArena, NodeId, NodeKind};

/// Adds the missing arms after the last arm, one per line when the arms are on lines
/// of their own, else on the `when`'s line.
pub(super) fn fixes(context: &FixContext<'_>, assists: &mut Vec<Assist>) {
    let missing = &context.diagnostic.data;
    let keyword = context.diagnostic.span.start;
    let arena = &context.parse.arena;
    if missing.is_empty() || context.text_of(context.diagnostic.span) != "when" {
        return;
    }
    let Some(at) = arena.node_at_offset(keyword) else {
        return;
    };
    let when = std::iter::once(at)
        .chain(arena.ancestors(at))
        .find(|&n| matches!(*arena.kind(n), NodeKind::When { keyword: k, .. } if k == keyword));
    let Some(when) = when else {
        return;
    };
    let NodeKind::When { arms, .. } = *arena.kind(when) else {
        return;
    };
    let arms = arena.list(arms);
    let Some(value) = placeholder_value(context, when, arms) else {
        return;
    };
    let when_span = arena.span(when);
    let close = when_span.end.saturating_sub(1);
    if context.text.as_bytes().get(close as usize) != Some(&b'}') {
        return;
    }
    let new_arms: Vec<String> = missing.iter().map(|p| format!("{p} -> {value}")).collect();
    let edit = match arms.last() {
        None => {
            let open = context
                .text
                .get(keyword as usize..close as usize)
                .and_then(|between| between.find('{'))
                .map(|i| keyword + i as u32);
            let Some(open) = open else {
                return;
            };
            context.edit(open + 1, close, format!(" {} ", new_arms.join(", ")))
        }
        Some(&last) => {
            let last_end = arena.span(last).end;
            let Some(after) = context.text.get(last_end as usize..close as usize) else {
                return;
            };
            let has_comma = after.trim_start().starts_with(',');
            let insert_at = match has_comma {
                true => last_end + after.find(',').unwrap_or(0) as u32 + 1,
                false => last_end,
            };
            let separator = if has_comma { "" } else { "," };
            let text = if after.contains('\n') {
                let indent = indentation(context.text, arena.span(last).start);
                let lines: Vec<String> = new_arms
                    .iter()
                    .map(|arm| format!("\n{indent}{arm},"))
                    .collect();
                format!("{separator}{}", lines.concat())
            } else if has_comma {
                new_arms.iter().map(|arm| format!(" {arm},")).collect()
            } else {
                new_arms.iter().map(|arm| format!(", {arm}")).collect()
            };
            context.edit(insert_at, insert_at, text)
        }
    };
    let title = match missing.len() {
        1 => format!("Add the missing arm `{}`", missing[0]),
        n => format!("Add the {n} missing arms"),
    };
    assists.push(context.fix(title, true, vec![edit]));
}

/// The value the new arms get (see the module comment).
fn placeholder_value(context: &FixContext<'_>, when: NodeId, arms: &[NodeId]) -> Option<String> {
    let analysis = &context.root.analysis;
    let plain =
        analysis
            .facts
            .node_type(context.file, when)
            .and_then(|ty| match analysis.types.kind(ty) {
                TypeKind::Int => Some("0"),
                TypeKind::Float => Some("0.0"),
                TypeKind::Bounded => Some("0b"),
                TypeKind::Bool => Some("false"),
                TypeKind::String => Some("\"\""),
                TypeKind::Optional(_) => Some("none"),
                _ => None,
            });
    if let Some(plain) = plain {
        return Some(plain.to_string());
    }
    let arena = &context.parse.arena;
    arms.iter().rev().find_map(|&arm| {
        let NodeKind::Arm { pattern, value } = *arena.kind(arm) else {
            return None;
        };
        (!binds_a_name(arena, pattern)).then(|| context.text_of(arena.span(value)).to_string())
    })
}

/// Whether a pattern binds a name (then its arm's value may use it).
fn binds_a_name(arena: &AstArena, pattern: NodeId) -> bool {
    let mut binds = false;
    walk(arena, pattern, &mut |n| {
        binds |= matches!(arena.kind(n), NodeKind::PatBind { .. });
    });
    binds
}

/// The blanks that start the line `offset` is on.
fn indentation(text: &str, offset: u32) -> &str {
    let line_start = text[..offset as usize].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}
