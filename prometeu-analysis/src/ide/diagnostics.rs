//! Diagnostics per file, as `prometeu check` reports them for the file's project.

use super::Snapshot;
use crate::{Diagnostic, FileId};

impl Snapshot {
    /// The diagnostics of `file`, sorted, from the root that owns it: exactly what
    /// `prometeu check` of that project (or loose file) prints for the file.
    pub fn diagnostics(&self, file: FileId) -> Vec<Diagnostic> {
        let Some(root) = self.root_of(file) else {
            return Vec::new();
        };
        root.analysis
            .diagnostics
            .iter()
            .filter(|d| d.span.file == file)
            .cloned()
            .collect()
    }
}
