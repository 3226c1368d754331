//! `E_RESOLVE_UNDEFINED`, `E_RESOLVE_IMPORT_NOT_FOUND`, `E_TYPE_NO_MEMBER` with a
//! "did you mean" hint: replace the name by each suggested one.

use super::{Assist, FixContext, is_identifier};

/// The hint's opening words, as the checker's `format_hint` writes them.
const HINT: &str = "(did you mean ";

/// One fix per suggested name; the first (the closest) is preferred.
pub(super) fn fixes(context: &FixContext<'_>, assists: &mut Vec<Assist>) {
    let span = context.diagnostic.span;
    let wrong = context.text_of(span);
    if !is_identifier(wrong) {
        return;
    }
    for (index, suggestion) in suggestions(&context.diagnostic.message)
        .into_iter()
        .enumerate()
    {
        let title = format!("Change `{wrong}` to `{suggestion}`");
        let edit = context.edit(span.start, span.end, suggestion);
        assists.push(context.fix(title, index == 0, vec![edit]));
    }
}

/// The names a message's ``(did you mean `a` or `b`?)`` suggests, best first.
fn suggestions(message: &str) -> Vec<&str> {
    let Some(at) = message.rfind(HINT) else {
        return Vec::new();
    };
    let hint = &message[at + HINT.len()..];
    let hint = &hint[..hint.find("?)").unwrap_or(hint.len())];
    hint.split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| is_identifier(name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::suggestions;

    #[test]
    fn suggestions_are_read_from_the_hint() {
        assert_eq!(
            suggestions("cannot find `lenght` in this scope (did you mean `length`?)"),
            vec!["length"]
        );
        assert_eq!(
            suggestions("`Vec2` has no member `xx` (did you mean `x` or `y`?)"),
            vec!["x", "y"]
        );
        assert!(suggestions("cannot find `q` in this scope").is_empty());
        assert!(suggestions("`list` has no method `size` (did you mean `len()`?)").is_empty());
    }
}
