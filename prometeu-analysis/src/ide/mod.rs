//! The IDE layer: what an editor asks of a PBS workspace, as plain data.
//!
//! Modelled on rust-analyzer's `ide` crate. An [`AnalysisHost`] owns the inputs (the
//! workspace folders, the open buffers, a cache of the disk) and applies changes; an
//! [`AnalysisJob`] brings the analysis up to date off the caller's thread and can be
//! cancelled by any newer change; a [`Snapshot`] is the immutable result, cheap to clone
//! and `Send + Sync`, whose methods answer queries keyed by file and byte offset:
//! [`Snapshot::hover`], [`Snapshot::goto_definition`], [`Snapshot::find_references`],
//! [`Snapshot::rename`], [`Snapshot::document_symbols`], [`Snapshot::diagnostics`], ….
//!
//! **Architecture Invariant:** nothing here knows the Language Server Protocol: offsets
//! are UTF-8 bytes, results are this module's own types, and the protocol crate only
//! converts positions and shapes replies. One query per file, as in ruff's server.
//!
//! A workspace may hold several roots ([`Root`]: a project with its dependencies, or a
//! loose file); each is loaded and analysed on its own, and a file that several roots
//! contain (a path dependency that is also a workspace project) is answered by the root
//! that owns it. Symbols are matched across roots by their declaration's span, so
//! references and renames reach every project of the workspace that uses a symbol.

mod assists;
mod call_hierarchy;
mod code_lens;
mod completion;
mod diagnostics;
mod document_links;
pub mod fixture;
mod folding;
mod host;
mod hover;
mod imports;
mod inlay_hints;
mod navigation;
mod references;
mod rename;
mod selection_range;
mod semantic_tokens;
mod signature_help;
mod symbols;
mod target;
pub mod vfs;

pub use assists::{Assist, AssistKind};
pub use call_hierarchy::{Call, CallItem};
pub use code_lens::CodeLensItem;
pub use completion::{
    AUTO_IMPORT_LIMIT, CompletionDoc, CompletionItem, CompletionKind, Completions, Rank,
};
pub use document_links::DocumentLink;
pub use folding::{Fold, FoldKind};
pub use host::{
    AnalysisHost, AnalysisJob, LiveAnalyses, Root, RootAnalysis, Snapshot, WORKSPACE_SCAN_DEPTH,
    WORKSPACE_SCAN_DIRECTORIES, WORKSPACE_SCAN_LIMIT, live_analyses,
};
pub use hover::{HostCallInfo, HostCalls, HoverResult, NoHostCalls};
pub use imports::import_path;
pub use inlay_hints::{InlayHint, InlayHintKind, InlayHintsConfig};
pub use navigation::NavigationTarget;
pub use references::{Highlight, HighlightKind, ReferenceTarget};
pub use rename::{RenameError, SourceChange, TextEdit};
pub use semantic_tokens::{
    SemanticToken, SemanticTokenKind, TOKEN_KINDS, TOKEN_MODIFIERS, TokenModifiers,
};
pub use signature_help::SignatureHelp;
pub use symbols::{DocumentSymbol, WORKSPACE_SYMBOL_LIMIT, WorkspaceSymbol};

use std::path::Path;
use std::sync::Arc;

use crate::analysis::PRELUDE_URI;
use crate::{FileId, LineIndex};

/// A newer change made the work moot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Cancelled;

/// The result of work that a newer change may cancel.
pub type Cancellable<T> = Result<T, Cancelled>;

/// A byte offset in a file: where a query is asked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FilePosition {
    /// The file.
    pub file: FileId,
    /// A UTF-8 byte offset into its text.
    pub offset: u32,
}

impl Snapshot {
    /// The input revision this snapshot was analysed at.
    pub fn revision(&self) -> u64 {
        self.world.revision
    }

    /// The file the host knows at `path` (canonical, as [`AnalysisHost::open_file`]
    /// returned it), or the prelude for [`PRELUDE_URI`].
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        let key = path.to_string_lossy();
        let file = self.world.db.file_id(&key)?;
        self.world.file_roots.contains_key(&file).then_some(file)
    }

    /// The prelude's file (present once any root was analysed).
    pub fn prelude_file(&self) -> Option<FileId> {
        self.world.db.file_id(PRELUDE_URI)
    }

    /// The key a file is known by: its canonical path, or [`PRELUDE_URI`].
    pub fn file_path(&self, file: FileId) -> &str {
        self.world.db.uri(file)
    }

    /// The text a file was analysed with.
    pub fn file_text(&self, file: FileId) -> &Arc<str> {
        self.world.db.text(file)
    }

    /// The line index of a file's text.
    pub fn line_index(&self, file: FileId) -> &Arc<LineIndex> {
        self.world.db.line_index(file)
    }

    /// Every file of every root (sources and manifests, not the prelude), sorted: the
    /// files a server publishes diagnostics for.
    pub fn files(&self) -> Vec<FileId> {
        let prelude = self.prelude_file();
        let mut files: Vec<FileId> = self
            .world
            .file_roots
            .keys()
            .copied()
            .filter(|&f| Some(f) != prelude)
            .collect();
        files.sort();
        files
    }

    /// The roots of this snapshot, sorted.
    pub fn roots(&self) -> &[Arc<RootAnalysis>] {
        &self.world.roots
    }

    /// The root that answers for `file`: the one whose root project owns it, else the
    /// first that contains it.
    pub fn root_of(&self, file: FileId) -> Option<&RootAnalysis> {
        let index = *self.world.file_roots.get(&file)?.first()?;
        Some(&self.world.roots[index])
    }

    /// The analysis that answers for `file` and the file's parse in it: where every
    /// per-file query starts.
    pub(crate) fn analysis_of(&self, file: FileId) -> Option<(&RootAnalysis, &crate::Parse)> {
        let root = self.root_of(file)?;
        let parse = root.analysis.parse(file)?;
        Some((root, parse))
    }

    /// Every root whose graph contains `file`, the owner first.
    pub fn roots_of(&self, file: FileId) -> impl Iterator<Item = &RootAnalysis> {
        self.world
            .file_roots
            .get(&file)
            .into_iter()
            .flatten()
            .map(|&index| &*self.world.roots[index])
    }
}
