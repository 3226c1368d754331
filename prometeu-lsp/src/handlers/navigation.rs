//! `textDocument/definition`, `declaration` and `typeDefinition`: links to the IDE
//! layer's navigation targets.

use prometeu_analysis::ide::NavigationTarget;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// Where the name at `position` is defined.
pub fn definition(request: &Request, position: Position) -> Result<Option<GotoDefinitionResponse>> {
    let position = request.position(position)?;
    Ok(links(request, request.snapshot.goto_definition(position)))
}

/// Where the name at `position` is declared (an import for an imported name).
pub fn declaration(
    request: &Request,
    position: Position,
) -> Result<Option<GotoDefinitionResponse>> {
    let position = request.position(position)?;
    Ok(links(request, request.snapshot.goto_declaration(position)))
}

/// Where the type of the name or expression at `position` is declared.
pub fn type_definition(
    request: &Request,
    position: Position,
) -> Result<Option<GotoDefinitionResponse>> {
    let position = request.position(position)?;
    Ok(links(
        request,
        request.snapshot.goto_type_definition(position),
    ))
}

fn links(request: &Request, targets: Vec<NavigationTarget>) -> Option<GotoDefinitionResponse> {
    let links: Vec<LocationLink> = targets
        .into_iter()
        .filter_map(|target| {
            Some(LocationLink {
                origin_selection_range: None,
                target_uri: request.uri(target.full_span.file)?,
                target_range: request.range(target.full_span),
                target_selection_range: request.range(target.focus_span),
            })
        })
        .collect();
    (!links.is_empty()).then_some(GotoDefinitionResponse::Link(links))
}
