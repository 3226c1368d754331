//! `textDocument/documentLink`: an import's module path opens the module's first file.

use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// The links of the request's document, resolved (no `documentLink/resolve` needed).
pub fn run(request: &Request) -> Result<Option<Vec<DocumentLink>>> {
    let links = request
        .snapshot
        .document_links(request.file)
        .into_iter()
        .filter_map(|link| {
            Some(DocumentLink {
                range: request.range(link.span),
                target: Some(request.uri(link.target)?),
                tooltip: Some(link.tooltip),
                data: None,
            })
        })
        .collect();
    Ok(Some(links))
}
