//! The one mutable owner of the IDE layer's inputs ([`AnalysisHost`]) and the
//! immutable results it hands out ([`Snapshot`]).
//!
//! Changes (open buffers, edits, files changed on disk, workspace folders) are applied
//! to the host at once and are cheap. The expensive part — loading every project and
//! analysing it — is an [`AnalysisJob`]: taken from the host, run on any thread,
//! cancelled by any later change, and its [`Snapshot`] installed back.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::vfs::{CachedFs, OverlayFs, SharedFs, normalize};
use super::{Cancellable, Cancelled};
use crate::analysis::{Analysis, analyze_cancellable};
use crate::project::{
    LoadOptions, MANIFEST_FILE, ProjectGraph, SourceProvider, find_project_root_with,
    load_loose_file_with, load_project_with,
};
use crate::{FileDb, FileId};

/// What the host analyses: a project directory (with its dependencies) or one loose
/// `.pbs` file. Roots are kept sorted, so analyses run in the same order every time.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Root {
    /// A directory holding a `prometeu.json` (canonical path).
    Project(PathBuf),
    /// A `.pbs` file under no project's `src/` (canonical path).
    LooseFile(PathBuf),
}

/// How deep below a workspace folder projects are searched for.
pub const WORKSPACE_SCAN_DEPTH: usize = 8;

/// How many projects one workspace folder may contribute.
pub const WORKSPACE_SCAN_LIMIT: usize = 256;

/// How many directories the search of one workspace folder may visit, so that opening
/// a huge folder (a home directory) costs a bounded time.
pub const WORKSPACE_SCAN_DIRECTORIES: usize = 10_000;

/// The inputs of the IDE layer and the latest analysis of them.
pub struct AnalysisHost {
    fs: Arc<CachedFs>,
    options: LoadOptions,
    overlays: Arc<BTreeMap<PathBuf, Arc<str>>>,
    /// Projects named by workspace folders, by folder.
    folder_projects: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// Projects found by walking up from open files (kept while the session lasts, as
    /// rust-analyzer keeps crates it discovered).
    found_projects: BTreeSet<PathBuf>,
    revision: u64,
    latest_revision: Arc<AtomicU64>,
    world: Arc<World>,
}

/// One root's loaded graph and its analysis.
#[derive(Debug)]
pub struct RootAnalysis {
    /// What was loaded.
    pub root: Root,
    /// Its projects, modules and files.
    pub graph: Arc<ProjectGraph>,
    /// Everything known about its program.
    pub analysis: Arc<Analysis>,
    /// The revision of every file the analysis read: equal inputs, equal analysis.
    inputs: Vec<(FileId, u32)>,
}

impl Drop for RootAnalysis {
    fn drop(&mut self) {
        LIVE_ANALYSES.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How many root analyses made by [`AnalysisJob::run`] are alive in this process.
static LIVE_ANALYSES: AtomicUsize = AtomicUsize::new(0);

/// The most that were ever alive at once.
static PEAK_LIVE_ANALYSES: AtomicUsize = AtomicUsize::new(0);

/// Root analyses alive in this process (one per root per analysed revision that
/// changed it; snapshots share the unchanged ones), and the most there ever were at
/// once: what the language server's memory is mostly made of (`prometeu/debugMemory`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LiveAnalyses {
    /// Alive now.
    pub now: usize,
    /// The most alive at once so far.
    pub peak: usize,
}

/// The process's [`LiveAnalyses`].
pub fn live_analyses() -> LiveAnalyses {
    LiveAnalyses {
        now: LIVE_ANALYSES.load(Ordering::SeqCst),
        peak: PEAK_LIVE_ANALYSES.load(Ordering::SeqCst),
    }
}

/// Everything a [`Snapshot`] answers from.
#[derive(Debug, Default)]
pub(crate) struct World {
    pub revision: u64,
    pub db: FileDb,
    pub roots: Vec<Arc<RootAnalysis>>,
    /// For each file, the roots whose graph contains it: the root that owns it (its
    /// project is the root project) first, then the others in root order.
    pub file_roots: HashMap<FileId, Vec<usize>>,
}

/// An immutable, cheaply cloned view of one analysed state of the workspace. Every IDE
/// query is a method of it (see the sibling modules).
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub(crate) world: Arc<World>,
}

/// The work of bringing the analysis up to date with the host's inputs at one revision.
/// It owns everything it needs, so it can run on another thread while the host takes
/// further changes; any further change cancels it.
pub struct AnalysisJob {
    revision: u64,
    latest_revision: Arc<AtomicU64>,
    fs: Arc<CachedFs>,
    options: LoadOptions,
    overlays: Arc<BTreeMap<PathBuf, Arc<str>>>,
    roots: Vec<Root>,
    previous: Arc<World>,
}

impl AnalysisHost {
    /// A host that reads files not open in the editor through `fs` (normally
    /// [`crate::project::RealFs`]), with git dependencies as `options` says.
    pub fn new(fs: SharedFs, options: LoadOptions) -> AnalysisHost {
        AnalysisHost {
            fs: Arc::new(CachedFs::new(fs)),
            options,
            overlays: Arc::default(),
            folder_projects: BTreeMap::new(),
            found_projects: BTreeSet::new(),
            revision: 0,
            latest_revision: Arc::new(AtomicU64::new(0)),
            world: Arc::default(),
        }
    }

    /// The revision of the inputs: it grows with every change.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn changed(&mut self) {
        self.revision += 1;
        self.latest_revision.store(self.revision, Ordering::SeqCst);
    }

    /// Adds a workspace folder: every project below it (at most
    /// [`WORKSPACE_SCAN_DEPTH`] directories deep, skipping hidden, `build`, `target`
    /// and `node_modules` directories) becomes a root.
    pub fn add_workspace_folder(&mut self, folder: &Path) {
        let folder = self.canonical(folder);
        let projects = scan_projects(&*self.fs, &folder);
        self.folder_projects.insert(folder, projects);
        self.changed();
    }

    /// Removes a workspace folder and the projects only it named.
    pub fn remove_workspace_folder(&mut self, folder: &Path) {
        let folder = self.canonical(folder);
        if self.folder_projects.remove(&folder).is_some() {
            self.changed();
        }
    }

    /// Opens an editor buffer for `path` with `text` (it wins over the disk until
    /// closed), and finds the project it belongs to. Returns the canonical path the
    /// host knows the file by.
    pub fn open_file(&mut self, path: &Path, text: &str) -> PathBuf {
        let path = self.canonical(path);
        Arc::make_mut(&mut self.overlays).insert(path.clone(), Arc::from(text));
        if let Some(Root::Project(dir)) = self.root_of_open_file(&path) {
            self.found_projects.insert(dir);
        }
        self.changed();
        path
    }

    /// Replaces the text of an open buffer (opening it if it was not).
    pub fn change_file(&mut self, path: &Path, text: &str) -> PathBuf {
        self.open_file(path, text)
    }

    /// Closes the buffer of `path`: the file is read from the disk again (a loose file
    /// stops being analysed).
    pub fn close_file(&mut self, path: &Path) {
        let path = self.canonical(path);
        if Arc::make_mut(&mut self.overlays).remove(&path).is_some() {
            self.changed();
        }
    }

    /// The open buffer of `path`, if any.
    pub fn buffer(&self, path: &Path) -> Option<&Arc<str>> {
        self.overlays.get(path)
    }

    /// Files (or directories) that changed on disk: their cached contents are dropped
    /// and every project is reloaded (a changed `prometeu.json` reloads its project).
    pub fn files_changed_on_disk(&mut self, paths: &[PathBuf]) {
        for path in paths {
            self.fs.invalidate(&normalize(path));
        }
        // A new or deleted manifest adds or removes a project under a workspace folder.
        if paths
            .iter()
            .any(|p| p.file_name() == Some(MANIFEST_FILE.as_ref()))
        {
            let folders: Vec<PathBuf> = self.folder_projects.keys().cloned().collect();
            for folder in folders {
                let projects = scan_projects(&*self.fs, &folder);
                self.folder_projects.insert(folder, projects);
            }
            let fs = &*self.fs;
            self.found_projects
                .retain(|dir| fs.exists(&dir.join(MANIFEST_FILE)));
        }
        self.changed();
    }

    /// The canonical form of `path` as the host's file system sees it (a file that does
    /// not exist yet keeps its name under its canonical directory).
    pub fn canonical(&self, path: &Path) -> PathBuf {
        let overlay = OverlayFs {
            base: &*self.fs,
            overlays: &self.overlays,
        };
        canonical_path(&overlay, path)
    }

    /// The roots the next analysis loads, sorted: workspace projects, projects of open
    /// files, and open loose files.
    pub fn roots(&self) -> Vec<Root> {
        let mut roots: BTreeSet<Root> = self
            .folder_projects
            .values()
            .flatten()
            .chain(&self.found_projects)
            .map(|dir| Root::Project(dir.clone()))
            .collect();
        for path in self.overlays.keys() {
            if path.extension().is_some_and(|e| e == "pbs") {
                if let Some(root @ Root::LooseFile(_)) = self.root_of_open_file(path) {
                    roots.insert(root);
                }
            }
        }
        roots.into_iter().collect()
    }

    fn root_of_open_file(&self, path: &Path) -> Option<Root> {
        if path.extension().is_none_or(|e| e != "pbs") {
            return None;
        }
        let overlay = OverlayFs {
            base: &*self.fs,
            overlays: &self.overlays,
        };
        let parent = path.parent()?;
        match find_project_root_with(parent, &overlay) {
            Some(dir) if path.starts_with(dir.join("src")) => Some(Root::Project(dir)),
            _ => Some(Root::LooseFile(path.to_path_buf())),
        }
    }

    /// The job that analyses the current inputs.
    pub fn job(&self) -> AnalysisJob {
        AnalysisJob {
            revision: self.revision,
            latest_revision: Arc::clone(&self.latest_revision),
            fs: Arc::clone(&self.fs),
            options: self.options.clone(),
            overlays: Arc::clone(&self.overlays),
            roots: self.roots(),
            previous: Arc::clone(&self.world),
        }
    }

    /// Installs a finished job's snapshot as the latest, unless a newer one already is.
    /// Returns whether it was installed.
    pub fn install(&mut self, snapshot: &Snapshot) -> bool {
        if snapshot.world.revision < self.world.revision {
            return false;
        }
        self.world = Arc::clone(&snapshot.world);
        true
    }

    /// The latest installed snapshot (possibly of an older revision than the inputs).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            world: Arc::clone(&self.world),
        }
    }

    /// Runs the job for the current inputs here and installs it: the whole cycle, for
    /// tests, benchmarks and batch tools.
    pub fn analyze_now(&mut self) -> Snapshot {
        let snapshot = self
            .job()
            .run()
            .expect("nothing can change the inputs while the host is borrowed");
        self.install(&snapshot);
        snapshot
    }
}

impl AnalysisJob {
    /// The input revision this job analyses.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn is_cancelled(&self) -> bool {
        self.latest_revision.load(Ordering::SeqCst) != self.revision
    }

    /// Loads and analyses every root, reusing the previous analysis of every root whose
    /// files did not change and the parses of every file that did not. `Err(Cancelled)`
    /// as soon as the host has a newer revision.
    pub fn run(self) -> Cancellable<Snapshot> {
        let is_cancelled = || self.is_cancelled();
        let mut db = self.previous.db.clone();
        let overlay = OverlayFs {
            base: &*self.fs,
            overlays: &self.overlays,
        };
        let mut roots = Vec::with_capacity(self.roots.len());
        for root in &self.roots {
            if is_cancelled() {
                return Err(Cancelled);
            }
            let graph = match root {
                Root::Project(dir) => load_project_with(dir, &overlay, &self.options, &mut db),
                Root::LooseFile(path) => load_loose_file_with(path, &overlay, &mut db),
            };
            let inputs = graph_inputs(&graph, &db);
            let previous = self.previous.roots.iter().find(|r| r.root == *root);
            let reusable = previous.filter(|p| {
                p.inputs == inputs
                    && p.graph.files == graph.files
                    && p.graph.diagnostics == graph.diagnostics
            });
            let analyzed = match reusable {
                Some(previous) => Arc::clone(previous),
                None => {
                    let analysis = analyze_cancellable(
                        &graph,
                        &mut db,
                        previous.map(|p| &*p.analysis),
                        &is_cancelled,
                    )
                    .ok_or(Cancelled)?;
                    let live = LIVE_ANALYSES.fetch_add(1, Ordering::SeqCst) + 1;
                    PEAK_LIVE_ANALYSES.fetch_max(live, Ordering::SeqCst);
                    Arc::new(RootAnalysis {
                        root: root.clone(),
                        graph: Arc::new(graph),
                        analysis,
                        inputs,
                    })
                }
            };
            roots.push(analyzed);
        }
        let mut file_roots: HashMap<FileId, Vec<usize>> = HashMap::new();
        for (index, root) in roots.iter().enumerate() {
            let owned = root.graph.files.iter().map(|f| (f.file, f.project.0 == 0));
            let manifests = root
                .graph
                .projects
                .iter()
                .enumerate()
                .filter_map(|(p, project)| Some((project.manifest_file?, p == 0)));
            let prelude = std::iter::once((root.analysis.prelude_file, false));
            for (file, owns) in owned.chain(manifests).chain(prelude) {
                let list = file_roots.entry(file).or_default();
                if list.contains(&index) {
                    continue;
                }
                if owns {
                    list.insert(0, index);
                } else {
                    list.push(index);
                }
            }
        }
        Ok(Snapshot {
            world: Arc::new(World {
                revision: self.revision,
                db,
                roots,
                file_roots,
            }),
        })
    }
}

/// Every file a graph's analysis reads, with its revision in `db`.
fn graph_inputs(graph: &ProjectGraph, db: &FileDb) -> Vec<(FileId, u32)> {
    graph
        .files
        .iter()
        .map(|f| f.file)
        .chain(graph.projects.iter().filter_map(|p| p.manifest_file))
        .map(|file| (file, db.revision(file)))
        .collect()
}

/// `path` made absolute and canonical through `fs`; a path that does not exist keeps
/// its last components under the nearest canonical ancestor.
fn canonical_path(fs: &dyn SourceProvider, path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let absolute = normalize(&absolute);
    let mut rest = Vec::new();
    let mut at = absolute.as_path();
    loop {
        if let Ok(canonical) = fs.canonicalize(at) {
            let mut out = canonical;
            out.extend(rest.iter().rev());
            return out;
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return absolute,
        }
    }
}

/// The project directories at or below `folder`, in path order, within the limits above.
fn scan_projects(fs: &dyn SourceProvider, folder: &Path) -> Vec<PathBuf> {
    let mut projects = Vec::new();
    let mut budget = WORKSPACE_SCAN_DIRECTORIES;
    scan_dir(fs, folder, 0, &mut budget, &mut projects);
    projects
}

fn scan_dir(
    fs: &dyn SourceProvider,
    dir: &Path,
    depth: usize,
    budget: &mut usize,
    out: &mut Vec<PathBuf>,
) {
    if out.len() >= WORKSPACE_SCAN_LIMIT || *budget == 0 {
        return;
    }
    *budget -= 1;
    if fs.exists(&dir.join(MANIFEST_FILE)) {
        out.push(dir.to_path_buf());
    }
    if depth >= WORKSPACE_SCAN_DEPTH {
        return;
    }
    let Ok(mut entries) = fs.read_dir(dir) else {
        return;
    };
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    for entry in entries {
        let name = entry.name.to_string_lossy();
        let skipped = name.starts_with('.')
            || matches!(
                &*name,
                "build" | "target" | "node_modules" | "src" | "assets"
            );
        if skipped || !matches!(entry.kind, Ok(crate::project::EntryKind::Dir)) {
            continue;
        }
        scan_dir(fs, &dir.join(&*entry.name), depth + 1, budget, out);
    }
}
