//! Finding a project's source files: every `src/**/*.pbs`, in an order that does not
//! depend on the file system.

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
        let mut ancestors = Vec::new();
        walk(fs, &src, "src", &mut ancestors, &mut found);
    }
    found.files.sort();
    found.problems.sort();
    found
}

/// Walks the directory `dir` whose path relative to the project is `rel`;
/// `ancestors` holds the canonical paths of the directories being walked, so a link
/// back to one of them is a loop, not an endless walk.
fn walk(
    fs: &dyn SourceProvider,
    dir: &Path,
    rel: &str,
    ancestors: &mut Vec<PathBuf>,
    found: &mut Discovered,
) {
    if ancestors.len() >= MAX_DIR_DEPTH {
        found.problems.push((
            rel.to_string(),
            format!("directories nest more than {MAX_DIR_DEPTH} levels deep; not searched"),
        ));
        return;
    }
    let canonical = match fs.canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            found
                .problems
                .push((rel.to_string(), format!("cannot open the directory: {e}")));
            return;
        }
    };
    if ancestors.contains(&canonical) {
        found.problems.push((
            rel.to_string(),
            "a symbolic link loops back to a directory that contains it; not searched again"
                .to_string(),
        ));
        return;
    }
    let mut entries = match fs.read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            found
                .problems
                .push((rel.to_string(), format!("cannot read the directory: {e}")));
            return;
        }
    };
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    ancestors.push(canonical);
    for entry in entries {
        let Some(name) = entry.name.to_str() else {
            found.problems.push((
                format!("{rel}/{}", entry.name.to_string_lossy()),
                "the name is not valid UTF-8; skipped".to_string(),
            ));
            continue;
        };
        let child_rel = format!("{rel}/{name}");
        match entry.kind {
            Ok(EntryKind::File) if name.ends_with(".pbs") => found.files.push(child_rel),
            Ok(EntryKind::Dir) => walk(fs, &dir.join(name), &child_rel, ancestors, found),
            Ok(_) => {}
            Err(e) => found
                .problems
                .push((child_rel, format!("cannot tell what this entry is: {e}"))),
        }
    }
    ancestors.pop();
}
