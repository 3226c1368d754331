//! `textDocument/completion` and `completionItem/resolve`.
//!
//! The IDE layer ranks; this file keeps its order with `sortText`, writes every item
//! as a `textEdit` over the typed prefix, sends the snippet form only to clients that
//! announce `snippetSupport`, and leaves the documentation to `completionItem/resolve`
//! (the item's `data` says where it comes from).

use std::path::Path;

use prometeu_analysis::FileId;
use prometeu_analysis::ide::{CompletionDoc, CompletionKind, FilePosition};
use prometeu_analysis::semantics::builtins::BUILTIN_METHODS;
use serde_json::{Value, json};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;

/// The characters after which an editor asks for completion by itself: members,
/// import paths (the opening quote and each `/`), and import lists.
pub const TRIGGER_CHARACTERS: &[&str] = &[".", "\"", "/", "{"];

/// Whether the client accepts snippets in completion items.
pub fn snippet_support(capabilities: &ClientCapabilities) -> bool {
    capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.snippet_support)
        .unwrap_or(false)
}

/// The completion list at `position`.
pub fn run(request: &Request, position: Position, snippets: bool) -> Result<CompletionResponse> {
    let position = request.position(position)?;
    let completions = request.snapshot.completions(position);
    let Some(replace) = completions.replace else {
        return Ok(CompletionResponse::List(CompletionList::default()));
    };
    let range = request.range(replace);
    let items = completions
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let (new_text, format) = match (&item.snippet, snippets) {
                (Some(snippet), true) => (snippet.clone(), InsertTextFormat::SNIPPET),
                _ => (item.insert.clone(), InsertTextFormat::PLAIN_TEXT),
            };
            let additional_text_edits = (!item.additional_edits.is_empty()).then(|| {
                item.additional_edits
                    .iter()
                    .map(|e| TextEdit::new(request.range(e.span), e.new_text.clone()))
                    .collect()
            });
            let data = item.doc.and_then(|doc| doc_data(request, doc));
            CompletionItem {
                label_details: item
                    .import_from
                    .as_ref()
                    .map(|from| CompletionItemLabelDetails {
                        detail: None,
                        description: Some(format!("import from \"{from}\"")),
                    }),
                kind: Some(kind(item.kind)),
                detail: match &item.import_from {
                    Some(from) => Some(format!(
                        "{} (import from \"{from}\")",
                        item.detail.as_deref().unwrap_or(&item.label)
                    )),
                    None => item.detail.clone(),
                },
                // The IDE layer's order, kept: rank then position in its list.
                sort_text: Some(format!("{index:06}")),
                filter_text: (item.insert.trim() != item.label)
                    .then(|| item.insert.trim().to_string()),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, new_text))),
                insert_text_format: Some(format),
                additional_text_edits,
                data,
                label: item.label,
                ..Default::default()
            }
        })
        .collect();
    Ok(CompletionResponse::List(CompletionList {
        is_incomplete: completions.is_incomplete,
        items,
    }))
}

/// The item with its documentation filled in, from the `data` [`run`] left on it.
pub fn resolve(request: &Request, mut item: CompletionItem) -> Result<CompletionItem> {
    let Some(doc) = item
        .data
        .as_ref()
        .and_then(|data| doc_source(request, data))
    else {
        return Ok(item);
    };
    if let Some(markdown) = request.snapshot.completion_doc(doc) {
        item.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }));
    }
    Ok(item)
}

/// `data` for an item's documentation: `{"path", "offset"}` of the declaration (the
/// prelude's path is its URI), or `{"builtin": index}` into the built-in method table.
fn doc_data(request: &Request, doc: CompletionDoc) -> Option<Value> {
    match doc {
        CompletionDoc::Symbol(at) => Some(json!({
            "path": request.snapshot.file_path(at.file),
            "offset": at.offset,
        })),
        CompletionDoc::Builtin(method) => {
            let index = BUILTIN_METHODS.iter().position(|m| m == method)?;
            Some(json!({ "builtin": index }))
        }
    }
}

/// The inverse of [`doc_data`], against the snapshot the resolve request reads.
fn doc_source(request: &Request, data: &Value) -> Option<CompletionDoc> {
    if let Some(index) = data.get("builtin").and_then(Value::as_u64) {
        return BUILTIN_METHODS
            .get(index as usize)
            .map(CompletionDoc::Builtin);
    }
    let path = data.get("path")?.as_str()?;
    let offset = u32::try_from(data.get("offset")?.as_u64()?).ok()?;
    let file: FileId = request.snapshot.file_id(Path::new(path))?;
    Some(CompletionDoc::Symbol(FilePosition { file, offset }))
}

fn kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Local | CompletionKind::Param => CompletionItemKind::VARIABLE,
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Method => CompletionItemKind::METHOD,
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Constant => CompletionItemKind::CONSTANT,
        CompletionKind::Struct => CompletionItemKind::STRUCT,
        CompletionKind::Contract => CompletionItemKind::INTERFACE,
        CompletionKind::Service => CompletionItemKind::CLASS,
        CompletionKind::Error => CompletionItemKind::ENUM,
        CompletionKind::ErrorCase | CompletionKind::Pattern => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Module => CompletionItemKind::MODULE,
        CompletionKind::BuiltinType => CompletionItemKind::TYPE_PARAMETER,
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Snippet => CompletionItemKind::SNIPPET,
    }
}
