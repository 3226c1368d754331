//! What a path on the command line names, found the way cargo finds a package
//! (`toolchain.md` §2, "Finding the project"): the nearest directory at or above it
//! that holds a `prometeu.json`. So `prometeu check` works from `src/world/`, and
//! `prometeu check src/main.pbs` checks that file as part of its project instead of as
//! a loose file that cannot see the project's modules and dependencies.

use std::path::{Component, Path, PathBuf};

use anyhow::bail;
use prometeu_analysis::project::{MANIFEST_FILE, find_project_root};

/// A path given to `check`, `build` or `run`, resolved.
#[derive(Debug)]
pub enum Located {
    /// A project. `dir` is its directory as shown to the user (relative to the current
    /// directory when it is under or above it); `file` is the canonical path of the
    /// `.pbs` file that was named, when one of the project's sources was.
    Project { dir: PathBuf, file: Option<PathBuf> },
    /// A `.pbs` file outside every project's `src/`: analysed alone (`toolchain.md` §1).
    LooseFile(PathBuf),
}

/// Resolves `path`: a project directory or any directory inside a project, a `.pbs`
/// file (in a project's `src/`, or loose), or an error for the user (exit 2): the path
/// does not exist, is another kind of file, or is in no project.
pub fn locate(path: &Path) -> anyhow::Result<Located> {
    if !path.exists() {
        bail!("`{}` does not exist", path.display());
    }
    if path.is_file() {
        if path.extension().is_none_or(|e| e != "pbs") {
            bail!(
                "`{}` is neither a project directory nor a .pbs file",
                path.display()
            );
        }
        let file = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        return Ok(match find_project_root(path) {
            Some(root) if file.starts_with(root.join("src")) => Located::Project {
                dir: shown(&root),
                file: Some(file),
            },
            _ => Located::LooseFile(path.to_path_buf()),
        });
    }
    if path.join(MANIFEST_FILE).is_file() {
        // The common case keeps the path exactly as the user wrote it.
        return Ok(Located::Project {
            dir: path.to_path_buf(),
            file: None,
        });
    }
    match find_project_root(path) {
        Some(root) => Ok(Located::Project {
            dir: shown(&root),
            file: None,
        }),
        None => Err(not_a_project(path)),
    }
}

/// The error for a directory that is in no project: what is missing and how to make
/// one, instead of a diagnostic on an empty `prometeu.json` that does not exist.
pub fn not_a_project(dir: &Path) -> anyhow::Error {
    let empty = dir
        .read_dir()
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(false);
    let help = if empty {
        format!(
            "`prometeu new {}` makes it a project that builds and runs as it is",
            dir.display()
        )
    } else {
        "`prometeu new NAME` creates a project in a new directory NAME; \
         a single .pbs file can also be checked and run on its own"
            .to_owned()
    };
    anyhow::anyhow!(
        "`{}` is not in a project: there is no {MANIFEST_FILE} in it or in any directory above it\n  help: {help}",
        dir.display()
    )
}

/// `dir` (canonical) as the user sees it: relative to the current directory when that
/// is inside it or it is inside the current directory (`..`, `../..`, `examples/town`),
/// else as it is.
fn shown(dir: &Path) -> PathBuf {
    let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize) else {
        return dir.to_path_buf();
    };
    if let Ok(below) = dir.strip_prefix(&cwd) {
        return if below.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            below.to_path_buf()
        };
    }
    if let Ok(above) = cwd.strip_prefix(dir) {
        let ups = above
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .count();
        return (0..ups).map(|_| "..").collect();
    }
    dir.to_path_buf()
}
