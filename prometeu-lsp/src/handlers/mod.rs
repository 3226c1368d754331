//! One file per request: each turns a protocol request into an IDE-layer query on a
//! snapshot and the result into the protocol's shape. Nothing here analyses.

pub mod call_hierarchy;
pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod crash;
pub mod debug_memory;
pub mod document_links;
pub mod folding;
pub mod formatting;
pub mod hover;
pub mod inlay_hints;
pub mod navigation;
pub mod progress;
pub mod references;
pub mod rename;
pub mod selection_range;
pub mod semantic_tokens;
pub mod signature_help;
pub mod symbols;
pub mod virtual_document;
pub mod watch;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use prometeu_analysis::ide::{FilePosition, Snapshot, SourceChange};
use prometeu_analysis::{FileId, Span};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use crate::convert::{self, Encoding};
use crate::server::invalid_params;

/// What a handler gets: the snapshot that shows the document as the request saw it,
/// the document's file, and how to speak positions.
pub struct Request {
    /// The analysed workspace.
    pub snapshot: Snapshot,
    /// The file the request names (meaningless for workspace requests).
    pub file: FileId,
    /// How the client counts columns.
    pub encoding: Encoding,
    /// Open documents by canonical path: the client's URI and version.
    pub open: Arc<HashMap<PathBuf, (Url, i32)>>,
}

impl Request {
    /// The IDE position of a protocol position in the request's file.
    pub fn position(&self, position: Position) -> Result<FilePosition> {
        let index = self.snapshot.line_index(self.file);
        let offset = convert::offset(index, position, self.encoding)
            .map_err(|e| invalid_params(e.to_string()))?;
        Ok(FilePosition {
            file: self.file,
            offset,
        })
    }

    /// The protocol range of a span (in its own file).
    pub fn range(&self, span: Span) -> Range {
        convert::range(self.snapshot.line_index(span.file), span, self.encoding)
    }

    /// The URI the client knows a file by.
    pub fn uri(&self, file: FileId) -> Option<Url> {
        let path = self.snapshot.file_path(file);
        match self.open.get(Path::new(path)) {
            Some((uri, _)) => Some(uri.clone()),
            None => convert::url_of_path(path),
        }
    }

    /// The version of an open document, by file.
    pub fn version(&self, file: FileId) -> Option<i32> {
        let path = self.snapshot.file_path(file);
        self.open.get(Path::new(path)).map(|(_, version)| *version)
    }

    /// The protocol location of a span.
    pub fn location(&self, span: Span) -> Option<Location> {
        Some(Location::new(self.uri(span.file)?, self.range(span)))
    }
}

/// What the server can do (`initialize`'s reply).
pub fn capabilities(utf8: bool) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(if utf8 {
            PositionEncodingKind::UTF8
        } else {
            PositionEncodingKind::UTF16
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(false)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        declaration_provider: Some(DeclarationCapability::Simple(true)),
        type_definition_provider: Some(TypeDefinitionProviderCapability::Simple(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_string(), ",".to_string()]),
            retrigger_characters: None,
            work_done_progress_options: Default::default(),
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(code_action::kinds()),
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        call_hierarchy_provider: Some(CallHierarchyServerCapability::Simple(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(true),
        }),
        semantic_tokens_provider: Some(semantic_tokens::capability()),
        inlay_hint_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            resolve_provider: Some(true),
            trigger_characters: Some(
                completion::TRIGGER_CHARACTERS
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
            ),
            ..Default::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

/// A change as a workspace edit: versioned `documentChanges` for clients that read
/// them, and the same edits as `changes` for those that do not.
pub fn workspace_edit(request: &Request, change: SourceChange) -> WorkspaceEdit {
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
    WorkspaceEdit {
        changes: Some(changes),
        document_changes: Some(DocumentChanges::Edits(document_changes)),
        change_annotations: None,
    }
}
