//! The file systems the IDE layer loads projects through: the disk behind a cache that
//! only a change notice invalidates, open editor buffers over it, and an in-memory tree
//! for tests.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::project::{DirEntry, EntryKind, SourceProvider};

/// A source provider that a server can share between threads.
pub type SharedFs = Arc<dyn SourceProvider + Send + Sync>;

/// An I/O error that can be kept and handed out again.
#[derive(Clone, Debug)]
struct KeptError {
    kind: io::ErrorKind,
    message: String,
}

impl KeptError {
    fn keep(error: &io::Error) -> KeptError {
        KeptError {
            kind: error.kind(),
            message: error.to_string(),
        }
    }

    fn error(&self) -> io::Error {
        io::Error::new(self.kind, self.message.clone())
    }
}

type Kept<T> = Result<T, KeptError>;

/// A directory listing as kept: names with their kinds.
type KeptListing = Vec<(OsString, Kept<EntryKind>)>;

#[derive(Default)]
struct Cache {
    reads: HashMap<PathBuf, Kept<Arc<[u8]>>>,
    dirs: HashMap<PathBuf, Kept<KeptListing>>,
    canonical: HashMap<PathBuf, Kept<PathBuf>>,
    exists: HashMap<PathBuf, bool>,
}

/// Another provider (normally the disk) whose answers are kept until
/// [`CachedFs::invalidate`] names a changed path, so reloading a project after a
/// keystroke reads nothing from the disk. An editor's file watcher drives invalidation.
pub struct CachedFs {
    base: SharedFs,
    cache: Mutex<Cache>,
}

impl CachedFs {
    /// A cache in front of `base`.
    pub fn new(base: SharedFs) -> CachedFs {
        CachedFs {
            base,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// Forgets what is known of `path`: its contents, its existence and the listings of
    /// every directory above it (a created or deleted file changes them).
    pub fn invalidate(&self, path: &Path) {
        let mut cache = self.lock();
        cache.reads.remove(path);
        cache.canonical.remove(path);
        cache.dirs.remove(path);
        for ancestor in path.ancestors() {
            cache.dirs.remove(ancestor);
            cache.exists.remove(ancestor);
        }
        // A directory that was deleted or renamed takes everything below it along.
        cache.reads.retain(|p, _| !p.starts_with(path));
        cache.exists.retain(|p, _| !p.starts_with(path));
        cache.canonical.retain(|p, _| !p.starts_with(path));
    }

    /// Forgets everything (the watcher lost track, or the client asked for a reload).
    pub fn invalidate_all(&self) {
        *self.lock() = Cache::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while holding the lock leaves a consistent map (every update is one
        // insert), so a poisoned lock is still usable.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl SourceProvider for CachedFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        if let Some(kept) = self.lock().reads.get(path) {
            return kept.as_ref().map(|b| b.to_vec()).map_err(KeptError::error);
        }
        let read = self.base.read(path);
        let kept = read
            .as_ref()
            .map(|b| Arc::<[u8]>::from(b.as_slice()))
            .map_err(KeptError::keep);
        self.lock().reads.insert(path.to_path_buf(), kept);
        read
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<DirEntry>> {
        let kept = self.lock().dirs.get(path).cloned();
        let kept = match kept {
            Some(kept) => kept,
            None => {
                let kept = self
                    .base
                    .read_dir(path)
                    .map(|entries| {
                        entries
                            .into_iter()
                            .map(|e| (e.name, e.kind.map_err(|k| KeptError::keep(&k))))
                            .collect::<Vec<_>>()
                    })
                    .map_err(|e| KeptError::keep(&e));
                self.lock().dirs.insert(path.to_path_buf(), kept.clone());
                kept
            }
        };
        kept.map(|entries| {
            entries
                .into_iter()
                .map(|(name, kind)| DirEntry {
                    name,
                    kind: kind.map_err(|k| k.error()),
                })
                .collect()
        })
        .map_err(|e| e.error())
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        if let Some(kept) = self.lock().canonical.get(path) {
            return kept.clone().map_err(|e| e.error());
        }
        let canonical = self.base.canonicalize(path);
        let kept = canonical
            .as_ref()
            .map(PathBuf::clone)
            .map_err(KeptError::keep);
        self.lock().canonical.insert(path.to_path_buf(), kept);
        canonical
    }

    fn exists(&self, path: &Path) -> bool {
        if let Some(&exists) = self.lock().exists.get(path) {
            return exists;
        }
        let exists = self.base.exists(path);
        self.lock().exists.insert(path.to_path_buf(), exists);
        exists
    }
}

/// Open editor buffers over another provider: a buffer's text wins over the file's, and
/// a buffer whose file does not exist yet (a new, unsaved file) is listed in its
/// directory. Buffer paths are canonical (see [`super::AnalysisHost::open_file`]).
pub struct OverlayFs<'a> {
    /// What lies under the buffers.
    pub base: &'a dyn SourceProvider,
    /// Open buffers by canonical path.
    pub overlays: &'a BTreeMap<PathBuf, Arc<str>>,
}

impl SourceProvider for OverlayFs<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.overlays.get(path) {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => self.base.read(path),
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<DirEntry>> {
        let mut entries = match self.base.read_dir(path) {
            Ok(entries) => entries,
            Err(_) if self.overlays.keys().any(|p| p.starts_with(path)) => Vec::new(),
            Err(e) => return Err(e),
        };
        add_children(path, self.overlays.keys(), &mut entries);
        Ok(entries)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match self.base.canonicalize(path) {
            Ok(canonical) => Ok(canonical),
            Err(_) if self.exists(path) => Ok(normalize(path)),
            Err(e) => Err(e),
        }
    }

    fn exists(&self, path: &Path) -> bool {
        self.overlays.keys().any(|p| p.starts_with(path)) || self.base.exists(path)
    }
}

/// An in-memory tree of files (directories are implied by the files' paths), for tests
/// and fixtures. Paths are absolute; canonicalisation only normalises `.` and `..`.
#[derive(Clone, Debug, Default)]
pub struct MemoryFs {
    files: BTreeMap<PathBuf, Arc<str>>,
}

impl MemoryFs {
    /// An empty tree.
    pub fn new() -> MemoryFs {
        MemoryFs::default()
    }

    /// Adds or replaces the file at `path`.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) {
        self.files.insert(normalize(&path.into()), text.into());
    }

    /// Removes the file at `path`.
    pub fn remove(&mut self, path: &Path) {
        self.files.remove(&normalize(path));
    }

    /// Every file, by path.
    pub fn files(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.files.iter().map(|(p, t)| (p.as_path(), &**t))
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|p| p != path && p.starts_with(path))
    }
}

impl SourceProvider for MemoryFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(&normalize(path))
            .map(|t| t.as_bytes().to_vec())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<DirEntry>> {
        let path = normalize(path);
        if !self.is_dir(&path) {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no such directory"));
        }
        let mut entries = Vec::new();
        add_children(&path, self.files.keys(), &mut entries);
        Ok(entries)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let path = normalize(path);
        if self.exists(&path) {
            Ok(path)
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        }
    }

    fn exists(&self, path: &Path) -> bool {
        let path = normalize(path);
        self.files.contains_key(&path) || self.is_dir(&path)
    }
}

/// Adds to `entries` the direct children of `dir` that `files` imply (a file directly
/// in it, or the first directory on the way to a deeper one), skipping names present.
fn add_children<'p>(
    dir: &Path,
    files: impl Iterator<Item = &'p PathBuf>,
    entries: &mut Vec<DirEntry>,
) {
    for file in files {
        let Ok(rest) = file.strip_prefix(dir) else {
            continue;
        };
        let mut parts = rest.components();
        let (Some(Component::Normal(first)), more) = (parts.next(), parts.next()) else {
            continue;
        };
        if entries.iter().any(|e| e.name == first) {
            continue;
        }
        let kind = if more.is_some() {
            EntryKind::Dir
        } else {
            EntryKind::File
        };
        entries.push(DirEntry {
            name: first.to_os_string(),
            kind: Ok(kind),
        });
    }
}

/// `path` with `.` removed and `..` applied, without touching any file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
