//! `textDocument/prepareRename` and `textDocument/rename`. A refused rename is an
//! error reply carrying the IDE layer's reason, which editors show as it is.

use std::collections::HashMap;

use tower_lsp::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp::lsp_types::*;

use super::Request;

fn refused(reason: impl std::fmt::Display) -> Error {
    Error {
        code: ErrorCode::InvalidRequest,
        message: reason.to_string().into(),
        data: None,
    }
}

/// The name that a rename at `position` would change.
pub fn prepare(request: &Request, position: Position) -> Result<Option<PrepareRenameResponse>> {
    let position = request.position(position)?;
    let span = request.snapshot.prepare_rename(position).map_err(refused)?;
    Ok(Some(PrepareRenameResponse::Range(request.range(span))))
}

/// The edits that rename the symbol at `position` to `new_name` everywhere in the
/// workspace; open documents are edited at the version the client has.
pub fn rename(
    request: &Request,
    position: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>> {
    let position = request.position(position)?;
    let change = request
        .snapshot
        .rename(position, new_name)
        .map_err(refused)?;
    let mut document_changes = Vec::new();
    let mut changes = HashMap::new();
    for (file, edits) in change.edits {
        let Some(uri) = request.uri(file) else {
            continue;
        };
        let edits: Vec<TextEdit> = edits
            .into_iter()
            .map(|edit| TextEdit::new(request.range(edit.span), edit.new_text))
            .collect();
        changes.insert(uri.clone(), edits.clone());
        document_changes.push(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri,
                version: request.version(file),
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        });
    }
    Ok(Some(WorkspaceEdit {
        changes: None,
        document_changes: Some(DocumentChanges::Edits(document_changes)),
        change_annotations: None,
    })
    .map(|mut edit| {
        // Clients without versioned edits read `changes`; sending both is allowed, and
        // clients that support `documentChanges` prefer it.
        edit.changes = Some(changes);
        edit
    }))
}
