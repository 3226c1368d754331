//! `textDocument/signatureHelp`.

use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// The signature of the call around `position`, with the active parameter.
pub fn run(request: &Request, position: Position) -> Result<Option<SignatureHelp>> {
    let position = request.position(position)?;
    let Some(help) = request.snapshot.signature_help(position) else {
        return Ok(None);
    };
    let label = help.label.clone();
    let parameters = help
        .parameters
        .iter()
        .map(|&(start, end)| ParameterInformation {
            label: ParameterLabel::LabelOffsets(utf16_offsets(&label, start, end)),
            documentation: None,
        })
        .collect();
    let signature = SignatureInformation {
        label: help.label,
        documentation: help.doc.map(|doc| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: doc,
            })
        }),
        parameters: Some(parameters),
        active_parameter: help.active_parameter,
    };
    Ok(Some(SignatureHelp {
        signatures: vec![signature],
        active_signature: Some(0),
        active_parameter: help.active_parameter,
    }))
}

/// Label offsets count UTF-16 code units whatever the negotiated encoding (the
/// protocol says so for `ParameterInformation.label`).
fn utf16_offsets(label: &str, start: u32, end: u32) -> [u32; 2] {
    let units = |byte: u32| {
        label
            .get(..byte as usize)
            .map_or(0, |prefix| prefix.encode_utf16().count() as u32)
    };
    [units(start), units(end)]
}
