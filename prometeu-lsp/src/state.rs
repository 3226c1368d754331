//! The server's mutable state: the analysis host and the open documents. It changes
//! only inside notification handlers, synchronously and in arrival order, under one
//! lock that is never held across an `.await`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use prometeu_analysis::LineIndex;
use prometeu_analysis::ide::AnalysisHost;
use tower_lsp::lsp_types::{TextDocumentContentChangeEvent, Url};

use crate::convert::{self, Encoding};

/// One document the editor has open.
#[derive(Debug)]
pub struct Document {
    /// The canonical path the host knows it by.
    pub path: PathBuf,
    /// The editor's version of the text.
    pub version: i32,
    /// The text, as the editor has it.
    pub text: String,
    /// Its line index.
    pub line_index: Arc<LineIndex>,
    /// The host revision of the document's last change: a snapshot at this revision or
    /// later shows exactly this text.
    pub changed_at: u64,
}

/// Everything the server changes.
pub struct State {
    /// The IDE layer's inputs.
    pub host: AnalysisHost,
    /// Open documents by the URI the editor uses.
    pub documents: HashMap<Url, Document>,
    /// How the client counts columns.
    pub encoding: Encoding,
    /// Set by `shutdown`: nothing more is analysed.
    pub shut_down: bool,
}

impl State {
    /// Opens a document.
    pub fn open(&mut self, uri: Url, version: i32, text: String) {
        let Ok(path) = uri.to_file_path() else {
            return;
        };
        let path = self.host.open_file(&path, &text);
        let document = Document {
            path,
            version,
            line_index: Arc::new(LineIndex::new(&text)),
            text,
            changed_at: self.host.revision(),
        };
        self.documents.insert(uri, document);
    }

    /// Applies a `didChange`'s edits in order. Edits of a document that is not open are
    /// ignored (the client will send `didOpen` with the whole text).
    pub fn change(
        &mut self,
        uri: &Url,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) {
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        for change in changes {
            match change.range {
                None => document.text = change.text,
                Some(range) => {
                    let index = &document.line_index;
                    let clamp = |p| convert::offset(index, p, self.encoding).unwrap_or(index.len());
                    let start = clamp(range.start) as usize;
                    let end = (clamp(range.end) as usize).max(start);
                    document.text.replace_range(start..end, &change.text);
                }
            }
            document.line_index = Arc::new(LineIndex::new(&document.text));
        }
        document.version = version;
        self.host.change_file(&document.path, &document.text);
        document.changed_at = self.host.revision();
    }

    /// Closes a document: the host reads its file from disk again.
    pub fn close(&mut self, uri: &Url) {
        if let Some(document) = self.documents.remove(uri) {
            self.host.close_file(&document.path);
        }
    }

    /// The open documents by canonical path: the URI the editor uses and its version.
    pub fn open_documents(&self) -> HashMap<PathBuf, (Url, i32)> {
        self.documents
            .iter()
            .map(|(uri, d)| (d.path.clone(), (uri.clone(), d.version)))
            .collect()
    }
}
