//! `textDocument/codeAction`: the IDE layer's quick fixes for the diagnostics the range
//! touches (each carrying the diagnostic it fixes, `isPreferred` on the obvious one)
//! and `source.organizeImports`, filtered by the request's `only` kinds. Edits are
//! computed up front (they are small), so there is no `codeAction/resolve`.

use prometeu_analysis::Span;
use prometeu_analysis::ide::{Assist, AssistKind};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::{Request, workspace_edit};
use crate::convert;

/// The kinds of action the server offers (declared in the capabilities).
pub fn kinds() -> Vec<CodeActionKind> {
    vec![
        CodeActionKind::QUICKFIX,
        CodeActionKind::SOURCE_ORGANIZE_IMPORTS,
    ]
}

/// The actions for `range` of the request's document.
pub fn run(
    request: &Request,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Result<Option<CodeActionResponse>> {
    let start = request.position(range.start)?.offset;
    let end = request.position(range.end)?.offset.max(start);
    let file = request.file;
    let snapshot = &request.snapshot;
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|asked| {
                let asked = asked.as_str();
                asked.is_empty()
                    || kind.as_str() == asked
                    || kind.as_str().starts_with(&format!("{asked}."))
            })
        })
    };
    let mut assists: Vec<Assist> = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        assists.extend(snapshot.quick_fixes(file, Span::new(file, start, end)));
    }
    if wanted(&CodeActionKind::SOURCE_ORGANIZE_IMPORTS) {
        assists.extend(snapshot.organize_imports(file));
    }
    let actions: Vec<CodeActionOrCommand> = assists
        .into_iter()
        .map(|assist| CodeActionOrCommand::CodeAction(action(request, assist)))
        .collect();
    Ok(Some(actions))
}

/// One assist as a protocol code action.
fn action(request: &Request, assist: Assist) -> CodeAction {
    let kind = match assist.kind {
        AssistKind::QuickFix => CodeActionKind::QUICKFIX,
        AssistKind::OrganizeImports => CodeActionKind::SOURCE_ORGANIZE_IMPORTS,
    };
    let diagnostics = assist.fixes.as_ref().map(|fixed| {
        vec![convert::diagnostic(
            &request.snapshot,
            fixed.span.file,
            fixed,
            request.encoding,
        )]
    });
    CodeAction {
        title: assist.title,
        kind: Some(kind),
        diagnostics,
        edit: Some(workspace_edit(request, assist.change)),
        command: None,
        is_preferred: assist.preferred.then_some(true),
        disabled: None,
        data: None,
    }
}
