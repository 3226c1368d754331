//! Finding a project's source files: every `src/**/*.pbs`, in an order that does not
//! depend on the file system.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::source::{EntryKind, SourceProvider};

/// How deeply directories under `src/` may nest; deeper ones are reported, not walked.
pub const MAX_DIR_DEPTH: usize = 64;

/// The result of walking one project's `src/`.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Source paths relative to the project directory (`src/world/folk.pbs`), sorted
    /// bytewise.
    pub files: Vec<String>,
    /// Entries that could not be walked: the path relative to the project directory
    /// (lossy when the name is not UTF-8) and why.
    pub problems: Vec<(String, String)>,
}

/// Walks `project_dir/src`. A missing `src/` gives no files and no problem (the
/// caller decides whether an app without `src/main.pbs` is an error).
pub fn discover_sources(fs: &dyn SourceProvider, project_dir: &Path) -> Discovered {
    let mut found = Discovered::default();
    let src = project_dir.join("src");
    if fs.exists(&src) {
        let mut walk = Walk {
            fs,
            ancestors: Vec::new(),
            searched: HashMap::new(),
            found: &mut found,
        };
        walk.dir(&src, "src");
    }
    found.files.sort();
    found.problems.sort();
    found
}

/// The state of one walk of `src/`.
struct Walk<'a> {
    fs: &'a dyn SourceProvider,
    /// The canonical paths of the directories being walked, outermost first: a link back
    /// to one of them is a loop, not an endless walk.
    ancestors: Vec<PathBuf>,
    /// Every directory searched so far (canonical path → relative path), so that links
    /// cannot make the walk search one directory many times (a chain of directories
    /// each linked twice would otherwise take exponential time).
    searched: HashMap<PathBuf, String>,
    found: &'a mut Discovered,
}

impl Walk<'_> {
    fn problem(&mut self, rel: &str, message: String) {
        self.found.problems.push((rel.to_string(), message));
    }

    /// Walks the directory `dir` whose path relative to the project is `rel`.
    fn dir(&mut self, dir: &Path, rel: &str) {
        if self.ancestors.len() >= MAX_DIR_DEPTH {
            self.problem(
                rel,
                format!("directories nest more than {MAX_DIR_DEPTH} levels deep; not searched"),
            );
            return;
        }
        let canonical = match self.fs.canonicalize(dir) {
            Ok(c) => c,
            Err(e) => return self.problem(rel, format!("cannot open the directory: {e}")),
        };
        if self.ancestors.contains(&canonical) {
            return self.problem(
                rel,
                "a symbolic link loops back to a directory that contains it; not searched again"
                    .to_string(),
            );
        }
        if let Some(first) = self.searched.get(&canonical) {
            let message =
                format!("the same directory as `{first}` (through a link); not searched twice");
            return self.problem(rel, message);
        }
        self.searched.insert(canonical.clone(), rel.to_string());
        let mut entries = match self.fs.read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => return self.problem(rel, format!("cannot read the directory: {e}")),
        };
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        self.ancestors.push(canonical);
        for entry in entries {
            let Some(name) = entry.name.to_str() else {
                let rel = format!("{rel}/{}", entry.name.to_string_lossy());
                self.problem(&rel, "the name is not valid UTF-8; skipped".to_string());
                continue;
            };
            let child_rel = format!("{rel}/{name}");
            match entry.kind {
                Ok(EntryKind::File) if name.ends_with(".pbs") => self.found.files.push(child_rel),
                Ok(EntryKind::Dir) => self.dir(&dir.join(name), &child_rel),
                Ok(_) => {}
                Err(e) => self.problem(&child_rel, format!("cannot tell what this entry is: {e}")),
            }
        }
        self.ancestors.pop();
    }
}
