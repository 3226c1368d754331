//! The file-system access project loading needs, behind a small trait so that the
//! language server can overlay open editor buffers on the disk.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// The largest source or manifest file the loader reads (16 MiB); larger files are an
/// `E_PROJECT_IO` error, which keeps memory bounded and offsets well inside `u32`.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a directory entry is, after following symbolic links.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// Anything else (a socket, a device, …); the loader ignores it.
    Other,
}

/// One entry of [`SourceProvider::read_dir`].
#[derive(Debug)]
pub struct DirEntry {
    /// The entry's name in its directory.
    pub name: OsString,
    /// Its kind, or why it could not be known (a broken link, a symlink loop).
    pub kind: io::Result<EntryKind>,
}

/// Read access to project files. [`RealFs`] reads the disk; a language server wraps it
/// to answer with open buffers instead.
pub trait SourceProvider {
    /// The file's bytes; files over [`MAX_FILE_BYTES`] are an error.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The entries of a directory, in any order (the loader sorts).
    fn read_dir(&self, path: &Path) -> io::Result<Vec<DirEntry>>;
    /// The absolute path with every link resolved; the identity of a project directory
    /// and of a directory visited during discovery.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// Whether a file or directory exists at `path`.
    fn exists(&self, path: &Path) -> bool;
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

impl SourceProvider for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len > MAX_FILE_BYTES {
            return Err(too_large());
        }
        // Read one byte past the limit so a file that grows meanwhile is caught too.
        let mut bytes = Vec::with_capacity(len as usize);
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large());
        }
        Ok(bytes)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<DirEntry>> {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            // `fs::metadata` follows links: a link to a directory is a directory, a
            // broken link or a loop is an error the loader reports.
            let kind = std::fs::metadata(entry.path()).map(|m| {
                if m.is_file() {
                    EntryKind::File
                } else if m.is_dir() {
                    EntryKind::Dir
                } else {
                    EntryKind::Other
                }
            });
            entries.push(DirEntry {
                name: entry.file_name(),
                kind,
            });
        }
        Ok(entries)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
}

fn too_large() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the file is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}
