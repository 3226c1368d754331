//! The cast-precedence error (`E_PARSE_UNEXPECTED_TOKEN` on the operator after an
//! unparenthesised cast, "a cast cannot be the operand of …"): wrap the cast in
//! parentheses.

use super::{Assist, FixContext};
use crate::NodeKind;

/// The start of the parser's message for this error.
const MESSAGE: &str = "a cast cannot be the operand of";

/// Adds `(` before and `)` after the cast that ends right before the operator.
pub(super) fn fixes(context: &FixContext<'_>, assists: &mut Vec<Assist>) {
    if !context.diagnostic.message.starts_with(MESSAGE) {
        return;
    }
    let operator = context.diagnostic.span;
    let cast_end = context.text[..operator.start as usize].trim_end().len() as u32;
    if cast_end == 0 {
        return;
    }
    // The outermost cast ending there: `x as int as float * 2` wraps both casts, as
    // the parser's message shows.
    let arena = &context.parse.arena;
    let Some(inner) = arena.node_at_offset(cast_end - 1) else {
        return;
    };
    let cast = std::iter::once(inner)
        .chain(arena.ancestors(inner))
        .filter(|&n| matches!(arena.kind(n), NodeKind::Cast { .. }))
        .filter(|&n| arena.span(n).end == cast_end)
        .last();
    let Some(cast) = cast else {
        return;
    };
    let span = arena.span(cast);
    let title = format!("Add parentheses: `({})`", context.text_of(span));
    let edits = vec![
        context.edit(span.start, span.start, "("),
        context.edit(span.end, span.end, ")"),
    ];
    assists.push(context.fix(title, true, edits));
}
