//! A compact S-expression rendering of a subtree, for tests and debugging:
//! `a + b * c` prints as `(+ a (* b c))`.
//!
//! Parentheses in the source are transparent (precedence shows in the nesting).
//! Recursive (meant for tests and small trees), with the stack grown on the heap for
//! deep ones, so any tree renders.

use crate::syntax::ast::{AstArena, NodeKind, ViewKind};
use crate::{NameInterner, NodeId};

/// Renders the subtree at `id`.
pub fn to_sexpr(arena: &AstArena, names: &NameInterner, id: NodeId) -> String {
    let mut out = String::new();
    write(arena, names, id, &mut out);
    out
}

fn write(arena: &AstArena, names: &NameInterner, id: NodeId, out: &mut String) {
    crate::stack::ensure_sufficient_stack(|| write_node(arena, names, id, out));
}

fn write_node(arena: &AstArena, names: &NameInterner, id: NodeId, out: &mut String) {
    use NodeKind as K;
    let kind = arena.kind(id);
    let head: Option<String> = match *kind {
        K::Name { name } | K::NameRef { name } | K::PatBind { name } | K::TypeName { name } => {
            out.push_str(names.resolve(name));
            return;
        }
        K::IntLit { value } => return out.push_str(&value.to_string()),
        K::FloatLit { value } => return out.push_str(&format!("{value:?}")),
        K::BoundedLit { value } => return out.push_str(&format!("{value}b")),
        K::StringLit { start, len } => {
            return out.push_str(&format!("{:?}", arena.str(start, len)));
        }
        K::BoolLit { value } => return out.push_str(if value { "true" } else { "false" }),
        K::NoneLit | K::PatNone => return out.push_str("none"),
        K::SelfRef => return out.push_str("self"),
        K::PatWildcard => return out.push('_'),
        K::Paren { inner } => return write(arena, names, inner, out),
        K::PatLiteral { value } => return write(arena, names, value, out),
        K::PatCase { ty, case } => {
            write(arena, names, ty, out);
            out.push('.');
            return write(arena, names, case, out);
        }
        K::Binary { op, .. } => Some(op.text().to_string()),
        K::Unary { op, .. } => Some(op.text().to_string()),
        K::AssignStmt { op, .. } => Some(op.text().to_string()),
        K::Cast { .. } => Some("as".into()),
        K::Else { .. } => Some("else".into()),
        K::When { .. } => Some("when".into()),
        K::Handle { .. } => Some("handle".into()),
        K::Arm { .. } => Some("->".into()),
        K::If { .. } => Some("if".into()),
        K::Call { .. } => Some("call".into()),
        K::Member { .. } => Some(".".into()),
        K::Index { .. } => Some("[]".into()),
        K::Propagate { .. } => Some("?".into()),
        K::Block { .. } => Some("block".into()),
        K::Range { .. } => Some("..".into()),
        K::PatOr { .. } => Some("|".into()),
        K::View {
            kind: ViewKind::Borrow,
            ..
        } => Some("borrow".into()),
        K::View {
            kind: ViewKind::Mutate,
            ..
        } => Some("mutate".into()),
        _ => None,
    };
    out.push('(');
    match head {
        Some(h) => out.push_str(&h),
        None => out.push_str(&kind.name().to_ascii_lowercase()),
    }
    for child in arena.children(id) {
        out.push(' ');
        write(arena, names, child, out);
    }
    out.push(')');
}
