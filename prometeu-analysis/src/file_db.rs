//! The source files of one session: the ground state every analysis starts from.

use std::collections::HashMap;
use std::sync::Arc;

use crate::{FileId, LineIndex};

/// One file's current state.
#[derive(Clone, Debug)]
struct FileData {
    uri: Arc<str>,
    text: Arc<str>,
    // Computed on upsert: it is one fast pass, and a shared index lets a language
    // server snapshot hand it to request threads without recomputing or locking.
    line_index: Arc<LineIndex>,
    revision: u32,
}

/// A session's source files, addressed by [`FileId`].
///
/// A URI (an LSP document URI, a path relative to a project, or any other key the
/// caller picks) gets its ID the first time it is seen and keeps it for the whole
/// session, so IDs stay valid across edits. IDs are dense and assigned in first-upsert
/// order. Passing an ID that did not come from this database is a caller bug and
/// panics.
#[derive(Clone, Debug, Default)]
pub struct FileDb {
    files: Vec<FileData>,
    ids: HashMap<Arc<str>, FileId>,
}

impl FileDb {
    /// An empty database.
    pub fn new() -> FileDb {
        FileDb::default()
    }

    /// Sets the text of the file at `uri`, adding the file if it is new, and returns its
    /// ID. Replacing the text with a different one rebuilds the line index and bumps the
    /// file's revision; setting the same text again changes nothing.
    ///
    /// Panics if the text is 4 GiB or longer (see [`LineIndex::new`]).
    pub fn upsert(&mut self, uri: &str, text: impl Into<Arc<str>>) -> FileId {
        let text = text.into();
        if let Some(&id) = self.ids.get(uri) {
            let file = &mut self.files[id.index()];
            if *file.text != *text {
                file.line_index = Arc::new(LineIndex::new(&text));
                file.text = text;
                file.revision += 1;
            }
            return id;
        }
        let id = FileId::from_index(self.files.len());
        let uri: Arc<str> = uri.into();
        self.files.push(FileData {
            uri: uri.clone(),
            line_index: Arc::new(LineIndex::new(&text)),
            text,
            revision: 0,
        });
        self.ids.insert(uri, id);
        id
    }

    /// The ID of the file at `uri`, if it was ever added.
    pub fn file_id(&self, uri: &str) -> Option<FileId> {
        self.ids.get(uri).copied()
    }

    /// The URI the file was added under.
    pub fn uri(&self, id: FileId) -> &str {
        &self.files[id.index()].uri
    }

    /// The file's current text; clone the `Arc` to keep it past later edits.
    pub fn text(&self, id: FileId) -> &Arc<str> {
        &self.files[id.index()].text
    }

    /// The line index of the file's current text.
    pub fn line_index(&self, id: FileId) -> &Arc<LineIndex> {
        &self.files[id.index()].line_index
    }

    /// How many times the file's text has changed since it was added (0 at first): equal
    /// revisions of one file mean equal texts.
    pub fn revision(&self, id: FileId) -> u32 {
        self.files[id.index()].revision
    }

    /// Every file's ID, in ID order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = FileId> + use<> {
        (0..self.files.len()).map(FileId::from_index)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_index::LineCol;

    #[test]
    fn the_same_uri_keeps_its_id() {
        let mut db = FileDb::new();
        let a = db.upsert("src/a.pbs", "fn a() {}");
        let b = db.upsert("src/b.pbs", String::from("fn b() {}"));
        assert_eq!((a, b), (FileId(0), FileId(1)));
        assert_eq!(db.upsert("src/a.pbs", "fn a2() {}"), a);
        assert_eq!(db.file_id("src/b.pbs"), Some(b));
        assert_eq!(db.file_id("src/c.pbs"), None);
        assert_eq!(db.uri(b), "src/b.pbs");
        assert_eq!(db.len(), 2);
        assert_eq!(db.iter().collect::<Vec<_>>(), vec![a, b]);
    }

    #[test]
    fn upsert_replaces_text_line_index_and_bumps_revision() {
        let mut db = FileDb::new();
        let id = db.upsert("main.pbs", "one line");
        assert_eq!(db.revision(id), 0);
        assert_eq!(db.line_index(id).line_count(), 1);
        let old_text = db.text(id).clone();

        db.upsert("main.pbs", "two\nlines");
        assert_eq!(&**db.text(id), "two\nlines");
        assert_eq!(db.line_index(id).line_count(), 2);
        assert_eq!(
            db.line_index(id).offset_to_line_col(5),
            Some(LineCol::new(1, 1))
        );
        assert_eq!(db.revision(id), 1);
        // A clone taken earlier is a snapshot: it keeps the old text.
        assert_eq!(&*old_text, "one line");
    }

    #[test]
    fn unchanged_text_keeps_revision_and_index() {
        let mut db = FileDb::new();
        let id = db.upsert("main.pbs", "same");
        let index = db.line_index(id).clone();
        db.upsert("main.pbs", String::from("same"));
        assert_eq!(db.revision(id), 0);
        assert!(Arc::ptr_eq(&index, db.line_index(id)));
        db.upsert("main.pbs", "changed");
        db.upsert("main.pbs", "same");
        assert_eq!(db.revision(id), 2);
    }
}
