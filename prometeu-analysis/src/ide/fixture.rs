//! Workspaces written as one text, for tests of the IDE layer (rust-analyzer's fixture
//! format): `//- /path` starts a file, `$0` marks the cursor. Everything lives in a
//! [`MemoryFs`] under [`FIXTURE_ROOT`]; nothing touches the disk.
//!
//! ```text
//! //- /src/main.pbs
//! import { lerp } from "@math";
//! fn frame() { lerp$0(0.0, 1.0, 0.5); }
//! //- /math/prometeu.json
//! {"name": "math", "version": "1.0.0", "kind": "lib"}
//! //- /math/src/lib.pbs
//! pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
//! ```
//!
//! A fixture without headers is one file, `/main.pbs`, analysed as a loose file. A
//! fixture with files under `/src/` and no `/prometeu.json` gets a minimal app manifest
//! (name `fixture`), so the usual single-project case needs no boilerplate; a fixture
//! whose app depends on others writes its own manifest.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::vfs::MemoryFs;
use super::{AnalysisHost, FilePosition, Snapshot};
use crate::project::LoadOptions;

/// Where fixture files live.
pub const FIXTURE_ROOT: &str = "/fixture";

/// The cursor marker.
pub const CURSOR: &str = "$0";

/// A parsed fixture: its files and where the cursor was.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The files, absolute under [`FIXTURE_ROOT`].
    pub fs: MemoryFs,
    /// The file and byte offset of `$0`, if there was one.
    pub cursor: Option<(PathBuf, u32)>,
}

impl Fixture {
    /// Parses the fixture text.
    pub fn parse(text: &str) -> Fixture {
        let mut files: Vec<(String, String)> = Vec::new();
        for line in text.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- ") {
                files.push((path.trim().to_string(), String::new()));
                continue;
            }
            if files.is_empty() {
                // Blank lines before the first header are layout, not a file.
                if line.trim().is_empty() && text.contains("\n//- ") {
                    continue;
                }
                files.push(("/main.pbs".to_string(), String::new()));
            }
            files
                .last_mut()
                .expect("one file at least")
                .1
                .push_str(line);
        }
        let mut fs = MemoryFs::new();
        let mut cursor = None;
        let root = Path::new(FIXTURE_ROOT);
        let has_manifest = files.iter().any(|(p, _)| p == "/prometeu.json");
        let has_src = files.iter().any(|(p, _)| p.starts_with("/src/"));
        for (path, mut text) in files {
            let path = root.join(path.trim_start_matches('/'));
            if let Some(at) = text.find(CURSOR) {
                text.replace_range(at..at + CURSOR.len(), "");
                cursor = Some((path.clone(), at as u32));
            }
            fs.insert(path, text);
        }
        if has_src && !has_manifest {
            fs.insert(
                root.join("prometeu.json"),
                r#"{"name": "fixture", "version": "0.1.0"}"#,
            );
        }
        Fixture { fs, cursor }
    }

    /// A host over the fixture's files, with every file open as if in an editor tab
    /// (so loose files are analysed too) and the fixture root as the workspace folder,
    /// analysed; with the cursor's position when there was one.
    pub fn analyze(&self) -> (AnalysisHost, Snapshot, Option<FilePosition>) {
        let mut host = AnalysisHost::new(Arc::new(self.fs.clone()), LoadOptions::default());
        host.add_workspace_folder(Path::new(FIXTURE_ROOT));
        for (path, text) in self.fs.files() {
            if path.extension().is_some_and(|e| e == "pbs") {
                host.open_file(path, text);
            }
        }
        let snapshot = host.analyze_now();
        let position = self.cursor.as_ref().and_then(|(path, offset)| {
            Some(FilePosition {
                file: snapshot.file_id(path)?,
                offset: *offset,
            })
        });
        (host, snapshot, position)
    }
}

/// Parses and analyses a fixture in one call.
pub fn analyze_fixture(text: &str) -> (AnalysisHost, Snapshot, Option<FilePosition>) {
    Fixture::parse(text).analyze()
}
