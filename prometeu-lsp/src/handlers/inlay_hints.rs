//! `textDocument/inlayHint`, and the settings that turn each kind of hint off.
//!
//! Settings (`docs/spec/toolchain.md` §4) come in `initializationOptions` and in
//! `workspace/didChangeConfiguration`'s `settings`, either nested under `prometeu` or
//! not: `{"prometeu": {"inlayHints": {"types": false, "parameterNames": true}}}`. A
//! key that is absent (or not a boolean) keeps its current value.

use prometeu_analysis::ide::{InlayHintKind as Kind, InlayHintsConfig};
use serde_json::Value;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// The hints whose position is inside `range`.
pub fn run(request: &Request, range: Range, config: InlayHintsConfig) -> Result<Vec<InlayHint>> {
    let (start, end) = super::semantic_tokens::byte_range(request, range);
    let index = request.snapshot.line_index(request.file);
    Ok(request
        .snapshot
        .inlay_hints(request.file, Some((start, end)), config)
        .into_iter()
        .map(|hint| InlayHint {
            position: crate::convert::position(index, hint.offset, request.encoding),
            label: InlayHintLabel::String(hint.label),
            kind: Some(match hint.kind {
                Kind::Type => InlayHintKind::TYPE,
                Kind::Parameter => InlayHintKind::PARAMETER,
            }),
            text_edits: None,
            tooltip: None,
            padding_left: None,
            padding_right: Some(hint.kind == Kind::Parameter),
            data: None,
        })
        .collect())
}

/// `config` updated from a settings object (`initializationOptions` or
/// `didChangeConfiguration`'s `settings`).
pub fn configure(mut config: InlayHintsConfig, settings: &Value) -> InlayHintsConfig {
    let settings = settings.get("prometeu").unwrap_or(settings);
    let Some(hints) = settings.get("inlayHints") else {
        return config;
    };
    if let Some(types) = hints.get("types").and_then(Value::as_bool) {
        config.types = types;
    }
    if let Some(names) = hints.get("parameterNames").and_then(Value::as_bool) {
        config.parameter_names = names;
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_nested_or_not_and_partial() {
        let on = InlayHintsConfig::default();
        let off = configure(
            on,
            &json!({"prometeu": {"inlayHints": {"types": false, "parameterNames": false}}}),
        );
        assert_eq!(
            off,
            InlayHintsConfig {
                types: false,
                parameter_names: false
            }
        );
        let one = configure(off, &json!({"inlayHints": {"parameterNames": true}}));
        assert!(!one.types && one.parameter_names);
        assert_eq!(configure(one, &json!(null)), one);
        assert_eq!(configure(one, &json!({"inlayHints": {"types": "no"}})), one);
    }
}
