//! `W_UNUSED_LOCAL`: prefix the name with `_` (always offered, preferred), or remove
//! the `let` (offered when its initialiser has no effect a program could notice: no
//! call, no `?`, no block that could `return`).

use super::{Assist, FixContext, is_identifier, whole_lines};
use crate::ide::target::walk;
use crate::{AstArena, NodeId, NodeKind};

/// Offers `_name`, then the removal of a `let` whose value can go with it.
pub(super) fn fixes(context: &FixContext<'_>, assists: &mut Vec<Assist>) {
    let span = context.diagnostic.span;
    let name = context.text_of(span);
    if !is_identifier(name) {
        return;
    }
    let title = format!("Rename `{name}` to `_{name}`");
    let prefix = context.edit(span.start, span.start, "_");
    assists.push(context.fix(title, true, vec![prefix]));

    let arena = &context.parse.arena;
    let Some(node) = context.node_at(span) else {
        return;
    };
    let Some(statement) = arena.parent(node) else {
        return;
    };
    let NodeKind::LetStmt {
        name: bound, value, ..
    } = *arena.kind(statement)
    else {
        return;
    };
    if bound != node || !is_pure(arena, value) {
        return;
    }
    let statement_span = arena.span(statement);
    let (start, end) = whole_lines(context.text, statement_span.start, statement_span.end);
    let title = format!("Remove the unused `{name}`");
    assists.push(context.fix(title, false, vec![context.edit(start, end, "")]));
}

/// Whether evaluating `value` can be skipped unnoticed: literals, names, operators,
/// casts, members, indexing and constructors of those (a trap they might raise is not
/// an effect worth keeping a dead binding for).
fn is_pure(arena: &AstArena, value: NodeId) -> bool {
    let mut pure = true;
    walk(arena, value, &mut |n| {
        pure &= matches!(
            arena.kind(n),
            NodeKind::IntLit { .. }
                | NodeKind::FloatLit { .. }
                | NodeKind::BoundedLit { .. }
                | NodeKind::StringLit { .. }
                | NodeKind::BoolLit { .. }
                | NodeKind::NoneLit
                | NodeKind::NameRef { .. }
                | NodeKind::SelfRef
                | NodeKind::Name { .. }
                | NodeKind::Paren { .. }
                | NodeKind::ArrayLit { .. }
                | NodeKind::ArrayRepeat { .. }
                | NodeKind::SomeExpr { .. }
                | NodeKind::OkExpr { .. }
                | NodeKind::ErrExpr { .. }
                | NodeKind::Member { .. }
                | NodeKind::Index { .. }
                | NodeKind::Unary { .. }
                | NodeKind::Binary { .. }
                | NodeKind::Cast { .. }
                | NodeKind::TypeName { .. }
                | NodeKind::TypeOptional { .. }
                | NodeKind::TypeResult { .. }
                | NodeKind::TypeRef { .. }
                | NodeKind::TypeList { .. }
                | NodeKind::TypeArray { .. }
        );
    });
    pure
}
