//! The source files a prebuilt program's debug map names, found on disk for `disasm`
//! and for trap reports of cartridges (`toolchain.md` §5).
//!
//! The debug map names a file by its display path: `src/main.pbs` for the root
//! project's, `@math/src/lib.pbs` for a dependency's, `@a/@b/src/x.pbs` for a
//! dependency of a dependency. The root part is read under the source root; each
//! `@alias/` is followed through the `dependencies` of the manifest it is in: a `path`
//! dependency relative to that manifest's directory, a `git` dependency in the
//! dependency cache, where `prometeu build` checked it out (never cloned from here).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use prometeu_analysis::FileId;
use prometeu_analysis::analysis::{PRELUDE_SOURCE, PRELUDE_URI};
use prometeu_analysis::project::{
    DependencySource, MANIFEST_FILE, ManifestDependency, find_project_root, parse_manifest,
};
use prometeu_git::{checkout_dir_name, default_cache_dir};

/// How many `@alias/` steps a path may take: the project loader's limit on dependency
/// chains.
const MAX_STEPS: usize = prometeu_analysis::project::MAX_DEPENDENCY_DEPTH;

/// Finds the files of one project and its dependencies by display path.
pub struct SourceRoot {
    /// The root project's directory.
    root: PathBuf,
    /// Where git dependencies are checked out.
    cache_dir: Option<PathBuf>,
    /// Each project directory's dependencies, read once.
    manifests: HashMap<PathBuf, Vec<ManifestDependency>>,
}

impl SourceRoot {
    /// Sources under `root`, git dependencies in the cache of the environment
    /// (`$PROMETEU_CACHE_DIR`, as `prometeu build` uses it).
    pub fn new(root: PathBuf) -> SourceRoot {
        SourceRoot {
            root,
            cache_dir: default_cache_dir(),
            manifests: HashMap::new(),
        }
    }

    /// The source root for a prebuilt `program` when none was given: the project it
    /// lies in (`build/cart/program.pbc`, `build/NAME.pmc`), else the project of the
    /// current directory, else the current directory.
    pub fn for_program(program: &Path) -> SourceRoot {
        let root = find_project_root(program)
            .or_else(|| find_project_root(Path::new(".")))
            .unwrap_or_else(|| PathBuf::from("."));
        SourceRoot::new(root)
    }

    /// The text of the file the debug map calls `path`; the prelude is built in.
    pub fn text(&mut self, path: &str) -> Option<String> {
        if path == PRELUDE_URI {
            return Some(PRELUDE_SOURCE.to_owned());
        }
        std::fs::read_to_string(self.resolve(path)?).ok()
    }

    /// Where the file the debug map calls `path` is on disk.
    pub fn resolve(&mut self, path: &str) -> Option<PathBuf> {
        let mut dir = self.root.clone();
        let mut rest = path;
        for _ in 0..MAX_STEPS {
            let Some(after_at) = rest.strip_prefix('@') else {
                return Some(dir.join(rest));
            };
            let (alias, tail) = after_at.split_once('/')?;
            dir = self.dependency_dir(&dir, alias)?;
            rest = tail;
        }
        None
    }

    /// The directory of the dependency `alias` of the project in `project_dir`.
    fn dependency_dir(&mut self, project_dir: &Path, alias: &str) -> Option<PathBuf> {
        let dependencies = self
            .manifests
            .entry(project_dir.to_path_buf())
            .or_insert_with(|| read_dependencies(project_dir));
        let dependency = dependencies.iter().find(|d| d.alias == alias)?;
        match &dependency.source {
            DependencySource::Path(path) => Some(project_dir.join(path)),
            DependencySource::Git { url, rev } => {
                let checkout = self
                    .cache_dir
                    .as_ref()?
                    .join(checkout_dir_name(url, rev.as_deref()));
                checkout.is_dir().then_some(checkout)
            }
        }
    }
}

/// The dependencies the manifest in `dir` declares (none when it cannot be read).
fn read_dependencies(dir: &Path) -> Vec<ManifestDependency> {
    let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST_FILE)) else {
        return Vec::new();
    };
    parse_manifest(&text, FileId(0), "").0.dependencies
}
