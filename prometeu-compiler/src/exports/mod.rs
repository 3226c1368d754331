//! The two JSON build outputs beside the cartridge (`docs/spec/toolchain.md` §3):
//! `symbols.json`, the light stable index of declarations ([`symbols_json()`]), and
//! `analysis.json`, the full export of what the analysis knows ([`analysis_json()`]).
//!
//! Both are plain serde structs written in the documented field order, pretty-printed
//! with a trailing newline, and parse back into the same structs.
//!
//! **Architecture Invariant:** an export depends only on the [`Analysis`] and the
//! [`ProjectGraph`], never on the session's `FileDb` or the disk: file IDs are
//! renumbered densely ([`FileTable`]) and files are named by their display paths, so the
//! same sources give byte-identical files whatever the machine, the absolute path of the
//! project or the order the session first saw its files in.

pub mod analysis_json;
pub mod symbols_json;

use std::collections::HashMap;

use prometeu_analysis::analysis::PRELUDE_URI;
use prometeu_analysis::project::{MANIFEST_FILE, ProjectGraph};
use prometeu_analysis::{Analysis, FileId};
use serde::Serialize;

pub use analysis_json::{AnalysisJson, analysis_export, analysis_json};
pub use symbols_json::{SymbolsJson, symbols_export, symbols_json};

/// The URI an export gives a file it cannot name (a span into a file that is neither
/// a source, a manifest nor the prelude; the analysis never produces one).
pub const UNKNOWN_URI: &str = "prometeu:unknown";

/// The exported name and dense ID of every file an export mentions.
///
/// Order: the prelude (ID 0), then the graph's source files in graph order (by project,
/// then relative path), then each project's manifest in project order. The order
/// depends only on the graph, not on the `FileId`s of the session.
#[derive(Clone, Debug)]
pub struct FileTable {
    /// `(session file, exported URI)` in exported-ID order.
    entries: Vec<(FileId, String)>,
    ids: HashMap<FileId, u32>,
}

impl FileTable {
    /// The table of every file of `analysis` and `graph`.
    pub fn new(analysis: &Analysis, graph: &ProjectGraph) -> FileTable {
        let mut table = FileTable {
            entries: Vec::new(),
            ids: HashMap::new(),
        };
        table.insert(analysis.prelude_file, PRELUDE_URI.to_string());
        for source in &graph.files {
            let prefix = &graph.project(source.project).display_prefix;
            table.insert(source.file, format!("{prefix}{}", source.rel_path));
        }
        for project in &graph.projects {
            if let Some(manifest) = project.manifest_file {
                table.insert(
                    manifest,
                    format!("{}{MANIFEST_FILE}", project.display_prefix),
                );
            }
        }
        table
    }

    fn insert(&mut self, file: FileId, uri: String) {
        if self.ids.contains_key(&file) {
            return;
        }
        self.ids.insert(file, self.entries.len() as u32);
        self.entries.push((file, uri));
    }

    /// The exported ID of `file`; a file the table does not know is added under
    /// [`UNKNOWN_URI`] so that every span stays resolvable.
    pub fn id(&mut self, file: FileId) -> u32 {
        if let Some(&id) = self.ids.get(&file) {
            return id;
        }
        self.insert(file, UNKNOWN_URI.to_string());
        self.ids[&file]
    }

    /// The exported URI of `file`: a path relative to the root project (`src/main.pbs`,
    /// `@math/src/lib.pbs`), the prelude's URI, or [`UNKNOWN_URI`].
    pub fn uri(&self, file: FileId) -> &str {
        self.ids
            .get(&file)
            .map_or(UNKNOWN_URI, |&id| &self.entries[id as usize].1)
    }

    /// Every `(exported ID, URI)` in ID order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, (_, uri))| (i as u32, uri.as_str()))
    }
}

/// Pretty-printed JSON with a trailing newline, as every build output is written.
fn to_pretty_json(value: &impl Serialize) -> String {
    // Export structs hold only strings, integers, options and vectors: serializing them
    // cannot fail.
    let mut text = serde_json::to_string_pretty(value).expect("export structs always serialize");
    text.push('\n');
    text
}
