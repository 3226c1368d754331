//! `textDocument/documentSymbol` (hierarchical) and `workspace/symbol` (fuzzy).

use prometeu_analysis::ide::DocumentSymbol as IdeSymbol;
use prometeu_analysis::semantics::SymbolKind as Kind;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// The outline of the request's document.
pub fn document(request: &Request) -> Result<Option<DocumentSymbolResponse>> {
    let symbols = request.snapshot.document_symbols(request.file);
    Ok(Some(DocumentSymbolResponse::Nested(
        symbols.into_iter().map(|s| nested(request, s)).collect(),
    )))
}

#[allow(deprecated)] // `deprecated` is a required field of the protocol's struct.
fn nested(request: &Request, symbol: IdeSymbol) -> DocumentSymbol {
    DocumentSymbol {
        name: symbol.name,
        detail: symbol.detail,
        kind: kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: request.range(symbol.full_span),
        selection_range: request.range(symbol.focus_span),
        children: Some(
            symbol
                .children
                .into_iter()
                .map(|child| nested(request, child))
                .collect(),
        ),
    }
}

/// The workspace's symbols matching `query`.
#[allow(deprecated)] // `deprecated` is a required field of the protocol's struct.
pub fn workspace(request: &Request, query: &str) -> Result<Option<Vec<SymbolInformation>>> {
    let found = request.snapshot.workspace_symbols(query);
    let symbols = found
        .into_iter()
        .filter_map(|symbol| {
            Some(SymbolInformation {
                name: symbol.name,
                kind: kind(symbol.kind),
                tags: None,
                deprecated: None,
                location: request.location(symbol.focus_span)?,
                container_name: symbol.container,
            })
        })
        .collect();
    Ok(Some(symbols))
}

/// The protocol's kind for a PBS symbol kind.
pub fn kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Function | Kind::AssocFn | Kind::ServiceFn | Kind::HostFn => SymbolKind::FUNCTION,
        Kind::Method | Kind::ContractFn => SymbolKind::METHOD,
        Kind::Struct => SymbolKind::STRUCT,
        Kind::Field | Kind::ServiceField => SymbolKind::FIELD,
        Kind::Service => SymbolKind::MODULE,
        Kind::Contract => SymbolKind::INTERFACE,
        Kind::Error => SymbolKind::ENUM,
        Kind::ErrorCase => SymbolKind::ENUM_MEMBER,
        Kind::Const | Kind::AssocConst => SymbolKind::CONSTANT,
        Kind::Local | Kind::Param => SymbolKind::VARIABLE,
    }
}
