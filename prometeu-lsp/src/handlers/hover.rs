//! `textDocument/hover`: Markdown from the IDE layer's hover.

use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;
use crate::host_calls::ConsoleHostCalls;

/// The hover at `position`.
pub fn run(request: &Request, position: Position) -> Result<Option<Hover>> {
    let position = request.position(position)?;
    Ok(request
        .snapshot
        .hover_with(position, &ConsoleHostCalls)
        .map(|hover| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: hover.markdown,
            }),
            range: Some(request.range(hover.span)),
        }))
}
