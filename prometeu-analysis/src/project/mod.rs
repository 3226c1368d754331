//! Projects: reading `prometeu.json`, finding the sources, loading dependencies and
//! resolving import paths to modules (`docs/spec/toolchain.md` §1,
//! `docs/spec/pbs-language.md` §7).
//!
//! Loading is the ground state of every analysis: it turns a directory (or one loose
//! file) into an immutable [`ProjectGraph`] of projects, modules and source files, with
//! the files' texts put into the session's [`FileDb`]. Loading never fails: problems
//! become diagnostics and the graph holds whatever could be loaded.
//!
//! **Architecture Invariant:** project files are keyed in the [`FileDb`] by their path
//! (the canonical project directory joined with the relative path, as
//! `Path::to_string_lossy`), which is unique in a session; what users and build outputs
//! see is the *display path* ([`SourceFile::display_path`]), which is relative and never
//! absolute.

pub mod discover;
pub mod json;
pub mod manifest;
pub mod source;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use manifest::{DependencySource, Manifest, ManifestDependency, ProjectKind, parse_manifest};
pub use source::{DirEntry, EntryKind, RealFs, SourceProvider};

use crate::{Diagnostic, DiagnosticCode, FileDb, FileId, ModuleId, ProjectId, Span};

/// How many projects a dependency chain may pass through before loading stops.
pub const MAX_DEPENDENCY_DEPTH: usize = 64;

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "prometeu.json";

/// Everything loaded from one root project (or loose file): its projects, their
/// modules and source files, and what went wrong.
#[derive(Clone, Debug)]
pub struct ProjectGraph {
    /// Indexed by [`ProjectId`]: the root first, then dependencies in the order they
    /// were first reached (depth first, in manifest order).
    pub projects: Vec<Project>,
    /// Indexed by [`ModuleId`]: by project, then by module path (bytewise).
    pub modules: Vec<Module>,
    /// Every source file: by project, then by relative path (bytewise).
    pub files: Vec<SourceFile>,
    /// Problems found while loading, sorted (see [`crate::diagnostic::sort_diagnostics`]).
    pub diagnostics: Vec<Diagnostic>,
    file_index: HashMap<FileId, usize>,
}

/// One project: a directory with a `prometeu.json`, or a loose file's pseudo-project.
#[derive(Clone, Debug)]
pub struct Project {
    /// The manifest's `name` (a loose file: its file stem).
    pub name: String,
    /// The manifest's `version` (a loose file: `0.0.0`).
    pub version: String,
    /// App or library (a loose file is an app).
    pub kind: ProjectKind,
    /// The cartridge title.
    pub title: String,
    /// The cartridge's application ID.
    pub app_id: u32,
    /// The canonical project directory (a loose file: its directory).
    pub dir: PathBuf,
    /// The manifest's file; `None` for a loose file.
    pub manifest_file: Option<FileId>,
    /// What this project's display paths start with: empty for the root, `@alias/` for a
    /// dependency, `@a/@b/` for a dependency of a dependency (the aliases along the path
    /// that first reached it).
    pub display_prefix: String,
    /// The dependencies that loaded, in manifest order.
    pub dependencies: Vec<Dependency>,
    /// The project's modules: `ModuleId`s `modules.start..modules.end`, root module first.
    pub modules: std::ops::Range<u32>,
}

/// A loaded dependency of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// The alias imports use (`"@alias/…"`).
    pub alias: String,
    /// The alias key in the dependent's manifest, quotes included.
    pub alias_span: Span,
    /// The project it names.
    pub project: ProjectId,
}

/// A module: one directory under a project's `src/` that holds `.pbs` files, or the
/// root module `""` (which exists even without files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// The project it belongs to.
    pub project: ProjectId,
    /// The directory relative to `src/` with `/` separators; `""` for `src/` itself.
    pub path: String,
    /// Its files, by relative path.
    pub files: Vec<FileId>,
}

/// One `.pbs` file of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The file in the [`FileDb`].
    pub file: FileId,
    /// The project it belongs to.
    pub project: ProjectId,
    /// The module it belongs to.
    pub module: ModuleId,
    /// The path relative to the project directory, e.g. `src/world/folk.pbs` (a loose
    /// file: its file name).
    pub rel_path: String,
    /// What users see: `rel_path` behind the project's display prefix, e.g.
    /// `@math/src/lib.pbs` (a loose file: its path as given).
    pub display_path: String,
}

/// Where git dependencies come from. The loader only asks; the `prometeu` command
/// clones with the system `git` (crate `prometeu-git`), and the language server does the
/// same in the background so that a clone never blocks a request. Analysis itself never
/// runs a process.
pub trait GitCheckouts: Send + Sync {
    /// The directory of the checkout of `url` at `rev` (`None`: the default branch), or
    /// why there is none, in one line (it ends the dependency's diagnostic).
    fn checkout(&self, url: &str, rev: Option<&str>) -> Result<PathBuf, String>;
}

/// Settings of a load that do not come from the project itself.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Fetches git dependencies; `None` makes every git dependency an error.
    pub git: Option<std::sync::Arc<dyn GitCheckouts>>,
}

impl std::fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field("git", &self.git.as_ref().map(|_| "…"))
            .finish()
    }
}

impl ProjectGraph {
    /// The project with ID `id`.
    pub fn project(&self, id: ProjectId) -> &Project {
        &self.projects[id.index()]
    }

    /// The module with ID `id`.
    pub fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id.index()]
    }

    /// The project's modules, root module first.
    pub fn project_modules(&self, id: ProjectId) -> &[Module] {
        let range = &self.project(id).modules;
        &self.modules[range.start as usize..range.end as usize]
    }

    /// The source file `file`, if it is one of this graph's.
    pub fn source_file(&self, file: FileId) -> Option<&SourceFile> {
        self.file_index.get(&file).map(|&i| &self.files[i])
    }

    /// The display path of a source file or manifest of this graph (a manifest shows as
    /// `prometeu.json` behind its project's prefix).
    pub fn display_path(&self, file: FileId) -> Option<String> {
        if let Some(source) = self.source_file(file) {
            return Some(source.display_path.clone());
        }
        self.projects
            .iter()
            .find(|p| p.manifest_file == Some(file))
            .map(|p| format!("{}{MANIFEST_FILE}", p.display_prefix))
    }

    /// The module `path` of `project` (`""` is the root module).
    pub fn module_by_path(&self, project: ProjectId, path: &str) -> Option<ModuleId> {
        let range = self.projects.get(project.index())?.modules.clone();
        let modules = &self.modules[range.start as usize..range.end as usize];
        let at = modules
            .binary_search_by(|m| m.path.as_str().cmp(path))
            .ok()?;
        Some(ModuleId(range.start + at as u32))
    }

    /// The module an import path names, as seen from `from`: `"world"` is a module of
    /// `from`, `"@math"` the root module of its dependency `math`, `"@math/easing"` a
    /// module of that dependency. Only exact module paths resolve (no `./`, `..` or
    /// trailing `/`).
    pub fn resolve_import(&self, from: ProjectId, path: &str) -> Option<ModuleId> {
        let Some(rest) = path.strip_prefix('@') else {
            return self.module_by_path(from, path);
        };
        let (alias, module_path) = match rest.split_once('/') {
            Some((_, "")) => return None,
            Some((alias, module_path)) => (alias, module_path),
            None => (rest, ""),
        };
        let dependency = self
            .projects
            .get(from.index())?
            .dependencies
            .iter()
            .find(|d| d.alias == alias)?;
        self.module_by_path(dependency.project, module_path)
    }
}

/// Loads the project in `dir` and its dependencies from the disk, without git (a git
/// dependency is an error; see [`LoadOptions::git`]).
pub fn load_project(dir: &Path, db: &mut FileDb) -> ProjectGraph {
    load_project_with(dir, &RealFs, &LoadOptions::default(), db)
}

/// Loads the project in `dir` and its dependencies through `fs`.
pub fn load_project_with(
    dir: &Path,
    fs: &dyn SourceProvider,
    options: &LoadOptions,
    db: &mut FileDb,
) -> ProjectGraph {
    let mut loader = Loader {
        fs,
        options,
        db,
        pending: Vec::new(),
        by_dir: HashMap::new(),
        stack: Vec::new(),
        diagnostics: Vec::new(),
    };
    loader.load(dir, String::new());
    loader.finish()
}

/// Loads one `.pbs` file that belongs to no project, from the disk.
pub fn load_loose_file(path: &Path, db: &mut FileDb) -> ProjectGraph {
    load_loose_file_with(path, &RealFs, db)
}

/// Loads one `.pbs` file that belongs to no project, through `fs`: a pseudo-project
/// (an app named after the file stem, version `0.0.0`, no manifest) with the file as
/// its one root-module file.
pub fn load_loose_file_with(path: &Path, fs: &dyn SourceProvider, db: &mut FileDb) -> ProjectGraph {
    let full = fs.canonicalize(path).unwrap_or_else(|_| absolute(path));
    let name = full
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rel_path = full
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut loader = Loader {
        fs,
        options: &LoadOptions::default(),
        db,
        pending: Vec::new(),
        by_dir: HashMap::new(),
        stack: Vec::new(),
        diagnostics: Vec::new(),
    };
    let file = loader.read_source(&full, &rel_path);
    loader.pending.push(Pending {
        project: Project {
            title: name.clone(),
            name,
            version: "0.0.0".to_string(),
            kind: ProjectKind::App,
            app_id: 0,
            dir: full.parent().map(Path::to_path_buf).unwrap_or_default(),
            manifest_file: None,
            display_prefix: String::new(),
            dependencies: Vec::new(),
            modules: 0..0,
        },
        files: vec![(rel_path, file)],
    });
    let mut graph = loader.finish();
    graph.files[0].display_path = path.to_string_lossy().into_owned();
    graph
}

/// The nearest directory at or above `path` that holds a `prometeu.json`, on disk. A
/// `.pbs` file is part of that project only if it lies under its `src/`; otherwise it
/// is a loose file.
pub fn find_project_root(path: &Path) -> Option<PathBuf> {
    find_project_root_with(path, &RealFs)
}

/// [`find_project_root`] through `fs`.
pub fn find_project_root_with(path: &Path, fs: &dyn SourceProvider) -> Option<PathBuf> {
    let start = fs.canonicalize(path).unwrap_or_else(|_| absolute(path));
    start
        .ancestors()
        .find(|dir| fs.exists(&dir.join(MANIFEST_FILE)))
        .map(Path::to_path_buf)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The FileDb key of a path.
fn file_key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A project while its dependencies are still loading.
struct Pending {
    project: Project,
    /// `(rel_path, file)`, sorted by `rel_path`.
    files: Vec<(String, FileId)>,
}

struct Loader<'a> {
    fs: &'a dyn SourceProvider,
    options: &'a LoadOptions,
    db: &'a mut FileDb,
    pending: Vec<Pending>,
    /// Canonical directory → project, so a project reached twice loads once.
    by_dir: HashMap<PathBuf, ProjectId>,
    /// The projects whose dependencies are being loaded, outermost first.
    stack: Vec<ProjectId>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader<'_> {
    /// Loads the project in `dir` (not yet loaded) and, depth first, its dependencies.
    fn load(&mut self, dir: &Path, display_prefix: String) -> ProjectId {
        let dir = self.fs.canonicalize(dir).unwrap_or_else(|_| absolute(dir));
        let id = ProjectId::from_index(self.pending.len());
        self.by_dir.insert(dir.clone(), id);

        let manifest_path = dir.join(MANIFEST_FILE);
        let fallback_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (manifest, manifest_file, manifest_read) =
            self.read_manifest(&manifest_path, &fallback_name);

        let discovered = discover::discover_sources(self.fs, &dir);
        for (rel, problem) in &discovered.problems {
            self.diagnostics.push(Diagnostic::new(
                DiagnosticCode::ProjectIo,
                Span::empty(manifest_file, 0),
                format!("`{display_prefix}{rel}`: {problem}"),
            ));
        }
        let files: Vec<(String, FileId)> = discovered
            .files
            .into_iter()
            .map(|rel| {
                let file = self.read_source(&dir.join(&rel), &format!("{display_prefix}{rel}"));
                (rel, file)
            })
            .collect();

        if manifest_read
            && manifest.is_object
            && manifest.kind == ProjectKind::App
            && !files.iter().any(|(rel, _)| rel == "src/main.pbs")
        {
            self.diagnostics.push(Diagnostic::new(
                DiagnosticCode::ProjectNoMain,
                manifest.entry_span,
                format!(
                    "app `{}` has no `src/main.pbs`; create it with `fn frame()`, or set \"kind\": \"lib\"",
                    manifest.name
                ),
            ));
        }

        self.pending.push(Pending {
            project: Project {
                name: manifest.name,
                version: manifest.version,
                kind: manifest.kind,
                title: manifest.title,
                app_id: manifest.app_id,
                dir: dir.clone(),
                manifest_file: Some(manifest_file),
                display_prefix: display_prefix.clone(),
                dependencies: Vec::new(),
                modules: 0..0,
            },
            files,
        });

        self.stack.push(id);
        for dep in &manifest.dependencies {
            if let Some(project) = self.load_dependency(&dir, &display_prefix, dep) {
                self.pending[id.index()]
                    .project
                    .dependencies
                    .push(Dependency {
                        alias: dep.alias.clone(),
                        alias_span: dep.alias_span,
                        project,
                    });
            }
        }
        self.stack.pop();
        id
    }

    /// Reads and validates a manifest; returns it, its file, and whether it was read.
    fn read_manifest(&mut self, path: &Path, fallback_name: &str) -> (Manifest, FileId, bool) {
        let key = file_key(path);
        let (text, problem) = match self.fs.read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => (text, None),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to() as u32;
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    let problem = Diagnostic::new(
                        DiagnosticCode::ProjectManifest,
                        Span::new(FileId(0), at, at + 3),
                        "prometeu.json is not valid UTF-8 (bad bytes are shown as U+FFFD)",
                    );
                    (text, Some(problem))
                }
            },
            Err(e) => {
                let file = self.db.upsert(&key, "");
                let (code, message) = if e.kind() == std::io::ErrorKind::NotFound {
                    (
                        DiagnosticCode::ProjectManifest,
                        format!(
                            "`{MANIFEST_FILE}` not found: a project directory needs one with at least `name` and `version`"
                        ),
                    )
                } else {
                    (
                        DiagnosticCode::ProjectIo,
                        format!("cannot read `{MANIFEST_FILE}`: {e}"),
                    )
                };
                self.diagnostics
                    .push(Diagnostic::new(code, Span::empty(file, 0), message));
                let (manifest, _) = parse_manifest("{}", file, fallback_name);
                return (manifest, file, false);
            }
        };
        let file = self.db.upsert(&key, text.as_str());
        if let Some(mut problem) = problem {
            problem.span.file = file;
            self.diagnostics.push(problem);
        }
        let (manifest, diagnostics) = parse_manifest(&text, file, fallback_name);
        self.diagnostics.extend(diagnostics);
        (manifest, file, true)
    }

    /// Reads a source file into the FileDb; problems become diagnostics in that file.
    fn read_source(&mut self, path: &Path, display: &str) -> FileId {
        let key = file_key(path);
        match self.fs.read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => self.db.upsert(&key, text),
                Err(e) => {
                    // Decided in toolchain.md §1: the file is analysed with U+FFFD in
                    // place of bad bytes, and the first one is reported as a lexical
                    // error (it is a character that starts no token).
                    let at = e.utf8_error().valid_up_to() as u32;
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    let file = self.db.upsert(&key, text);
                    self.diagnostics.push(Diagnostic::new(
                        DiagnosticCode::LexInvalidChar,
                        Span::new(file, at, at + '\u{fffd}'.len_utf8() as u32),
                        format!("`{display}` is not valid UTF-8: byte {at} starts an invalid sequence (bad bytes are read as U+FFFD)"),
                    ));
                    file
                }
            },
            Err(e) => {
                let file = self.db.upsert(&key, "");
                self.diagnostics.push(Diagnostic::new(
                    DiagnosticCode::ProjectIo,
                    Span::empty(file, 0),
                    format!("cannot read `{display}`: {e}"),
                ));
                file
            }
        }
    }

    /// Finds, and loads if new, the project a dependency entry names; `None` (with a
    /// diagnostic) when it cannot be used.
    fn load_dependency(
        &mut self,
        dir: &Path,
        display_prefix: &str,
        dep: &ManifestDependency,
    ) -> Option<ProjectId> {
        let alias = &dep.alias;
        let error = |span: Span, message: String| {
            Diagnostic::new(DiagnosticCode::ProjectDependency, span, message)
        };
        let dep_dir = match &dep.source {
            DependencySource::Path(path) => {
                let dep_dir = dir.join(path);
                if !self.fs.exists(&dep_dir) {
                    self.diagnostics.push(error(
                        dep.source_span,
                        format!("dependency `{alias}`: directory `{path}` not found"),
                    ));
                    return None;
                }
                dep_dir
            }
            DependencySource::Git { url, rev } => {
                let Some(git) = &self.options.git else {
                    self.diagnostics.push(error(
                        dep.source_span,
                        format!("dependency `{alias}`: git dependencies are not fetched here"),
                    ));
                    return None;
                };
                match git.checkout(url, rev.as_deref()) {
                    Ok(dep_dir) => dep_dir,
                    Err(e) => {
                        self.diagnostics.push(error(
                            dep.source_span,
                            format!("dependency `{alias}`: cannot check out `{url}`: {e}"),
                        ));
                        return None;
                    }
                }
            }
        };
        if !self.fs.exists(&dep_dir.join(MANIFEST_FILE)) {
            self.diagnostics.push(error(
                dep.source_span,
                format!("dependency `{alias}` is not a project: it has no `{MANIFEST_FILE}`"),
            ));
            return None;
        }
        let canonical = self
            .fs
            .canonicalize(&dep_dir)
            .unwrap_or_else(|_| absolute(&dep_dir));
        if let Some(&existing) = self.by_dir.get(&canonical) {
            if let Some(at) = self.stack.iter().position(|&p| p == existing) {
                let chain: Vec<&str> = self.stack[at..]
                    .iter()
                    .chain([&existing])
                    .map(|p| self.pending[p.index()].project.name.as_str())
                    .collect();
                self.diagnostics.push(error(
                    dep.alias_span,
                    format!("dependency cycle: {}", chain.join(" -> ")),
                ));
                return None;
            }
            return Some(existing);
        }
        if self.stack.len() >= MAX_DEPENDENCY_DEPTH {
            self.diagnostics.push(error(
                dep.alias_span,
                format!("dependency `{alias}`: dependencies nest more than {MAX_DEPENDENCY_DEPTH} projects deep"),
            ));
            return None;
        }
        Some(self.load(&canonical, format!("{display_prefix}@{alias}/")))
    }

    /// Numbers modules and files, and freezes the graph.
    fn finish(mut self) -> ProjectGraph {
        let mut projects = Vec::with_capacity(self.pending.len());
        let mut modules: Vec<Module> = Vec::new();
        let mut files = Vec::new();
        for (index, pending) in self.pending.into_iter().enumerate() {
            let project_id = ProjectId::from_index(index);
            let mut paths: Vec<&str> = pending
                .files
                .iter()
                .map(|(rel, _)| module_path(rel))
                .collect();
            paths.push("");
            paths.sort_unstable();
            paths.dedup();
            let first = modules.len();
            modules.extend(paths.iter().map(|path| Module {
                project: project_id,
                path: path.to_string(),
                files: Vec::new(),
            }));
            for (rel, file) in &pending.files {
                let at = first + paths.binary_search(&module_path(rel)).unwrap_or(0);
                modules[at].files.push(*file);
                files.push(SourceFile {
                    file: *file,
                    project: project_id,
                    module: ModuleId::from_index(at),
                    rel_path: rel.clone(),
                    display_path: format!("{}{rel}", pending.project.display_prefix),
                });
            }
            let mut project = pending.project;
            project.modules = first as u32..modules.len() as u32;
            projects.push(project);
        }
        crate::diagnostic::sort_diagnostics(&mut self.diagnostics);
        let file_index = files.iter().enumerate().map(|(i, f)| (f.file, i)).collect();
        ProjectGraph {
            projects,
            modules,
            files,
            diagnostics: self.diagnostics,
            file_index,
        }
    }
}

/// The module a source path belongs to: `src/world/folk.pbs` → `world`,
/// `src/main.pbs` → `""` (a loose file's bare name → `""`).
fn module_path(rel_path: &str) -> &str {
    let in_src = rel_path.strip_prefix("src/").unwrap_or(rel_path);
    in_src.rsplit_once('/').map_or("", |(dir, _)| dir)
}
