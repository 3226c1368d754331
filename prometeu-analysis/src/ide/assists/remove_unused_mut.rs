//! `W_UNUSED_MUT`: remove the `mut` of a binding, parameter or service field that is
//! never changed.

use super::{Assist, FixContext, is_identifier};

/// Deletes the `mut` word before the name (and the blanks after it).
pub(super) fn fixes(context: &FixContext<'_>, assists: &mut Vec<Assist>) {
    let span = context.diagnostic.span;
    let name = context.text_of(span);
    if !is_identifier(name) {
        return;
    }
    let before = &context.text[..span.start as usize];
    let trimmed = before.trim_end_matches([' ', '\t']);
    let Some(rest) = trimmed.strip_suffix("mut") else {
        return;
    };
    if rest.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return;
    }
    let title = format!("Remove the `mut` of `{name}`");
    let edit = context.edit(rest.len() as u32, span.start, "");
    assists.push(context.fix(title, true, vec![edit]));
}
