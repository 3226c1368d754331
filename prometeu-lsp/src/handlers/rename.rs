//! `textDocument/prepareRename` and `textDocument/rename`. A refused rename is an
//! error reply carrying the IDE layer's reason, which editors show as it is.

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
    Ok(Some(super::workspace_edit(request, change)))
}
