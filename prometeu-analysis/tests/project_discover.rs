//! Source discovery: deterministic order whatever the file system says, modules from
//! directories, files outside `src/` ignored, and unreadable or odd entries reported
//! instead of panicking — through an in-memory [`SourceProvider`] and on the real disk.

mod project_support;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use prometeu_analysis::project::{
    DirEntry, EntryKind, LoadOptions, ProjectGraph, RealFs, SourceProvider, load_project_with,
};
use prometeu_analysis::{DiagnosticCode, FileDb};

/// An in-memory tree: file contents (`Err` = unreadable), directories implied by paths.
/// `read_dir` answers in reverse order, to prove the loader sorts.
#[derive(Default)]
struct MemFs {
    files: BTreeMap<PathBuf, Result<Vec<u8>, ()>>,
}

impl MemFs {
    fn file(mut self, path: &str, text: &[u8]) -> MemFs {
        self.files.insert(PathBuf::from(path), Ok(text.to_vec()));
        self
    }

    fn unreadable(mut self, path: &str) -> MemFs {
        self.files.insert(PathBuf::from(path), Err(()));
        self
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|f| f != path && f.starts_with(path))
    }
}

impl SourceProvider for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.files.get(path) {
            Some(Ok(bytes)) => Ok(bytes.clone()),
            Some(Err(())) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "permission denied",
            )),
            None => Err(io::ErrorKind::NotFound.into()),
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<DirEntry>> {
        let mut names: Vec<OsString> = self
            .files
            .keys()
            .filter_map(|f| f.strip_prefix(path).ok())
            .filter_map(|rest| rest.components().next())
            .map(|c| c.as_os_str().to_owned())
            .collect();
        names.dedup();
        names.reverse();
        Ok(names
            .into_iter()
            .map(|name| {
                let full = path.join(&name);
                let kind = if self.is_dir(&full) {
                    EntryKind::Dir
                } else {
                    EntryKind::File
                };
                DirEntry {
                    name,
                    kind: Ok(kind),
                }
            })
            .collect())
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        if self.exists(path) {
            Ok(path.to_path_buf())
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(path) || self.is_dir(path)
    }
}

const MANIFEST: &[u8] = br#"{ "name": "mem", "version": "0.1.0" }"#;

fn load_with(fs: &dyn SourceProvider, dir: &Path) -> (ProjectGraph, FileDb) {
    let mut db = FileDb::new();
    let graph = load_project_with(dir, fs, &LoadOptions::default(), &mut db);
    (graph, db)
}

#[test]
fn files_are_sorted_and_grouped_into_modules() {
    let fs = MemFs::default()
        .file("/p/prometeu.json", MANIFEST)
        .file("/p/src/main.pbs", b"fn frame() {}")
        .file("/p/src/zeta.pbs", b"")
        .file("/p/src/b/x.pbs", b"")
        .file("/p/src/a/z.pbs", b"")
        .file("/p/src/a/deep/er/y.pbs", b"")
        .file("/p/src/a/notes.txt", b"not a source")
        .file("/p/src/a.pbs/inner.pbs", b"")
        .file("/p/src/empty/readme.md", b"")
        .file("/p/tools/outside.pbs", b"")
        .file("/p/main.pbs", b"");
    let (graph, db) = load_with(&fs, Path::new("/p"));
    insta::assert_snapshot!(project_support::render_graph(&graph, &db));
    assert!(graph.diagnostics.is_empty());
    // The FileDb key is the path; the text is the file's.
    let id = db.file_id("/p/src/main.pbs").unwrap();
    assert_eq!(&**db.text(id), "fn frame() {}");
}

#[test]
fn unreadable_and_non_utf8_files_are_diagnostics() {
    let fs = MemFs::default()
        .file("/p/prometeu.json", MANIFEST)
        .file("/p/src/main.pbs", b"fn frame() {}")
        .unreadable("/p/src/locked.pbs")
        .file("/p/src/latin1.pbs", b"// caf\xe9\nfn f() {}\n");
    let (graph, db) = load_with(&fs, Path::new("/p"));
    insta::assert_snapshot!(project_support::render_graph(&graph, &db));
    let codes: Vec<_> = graph.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [DiagnosticCode::LexInvalidChar, DiagnosticCode::ProjectIo]
    );
    // Both files stay in the graph: the module's other files still see each other.
    assert_eq!(graph.files.len(), 3);
    let latin1 = db.file_id("/p/src/latin1.pbs").unwrap();
    assert_eq!(&**db.text(latin1), "// caf\u{fffd}\nfn f() {}\n");
}

#[test]
fn an_unreadable_manifest_is_an_io_error() {
    let fs = MemFs::default()
        .unreadable("/p/prometeu.json")
        .file("/p/src/main.pbs", b"fn frame() {}");
    let (graph, _) = load_with(&fs, Path::new("/p"));
    let codes: Vec<_> = graph.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [DiagnosticCode::ProjectIo]);
}

#[test]
fn a_non_utf8_manifest_is_a_manifest_error_at_the_bad_byte() {
    let fs = MemFs::default()
        .file(
            "/p/prometeu.json",
            b"{ \"name\": \"mem\", \"version\": \"0.1.0\", \"title\": \"caf\xe9\" }",
        )
        .file("/p/src/main.pbs", b"fn frame() {}");
    let (graph, _) = load_with(&fs, Path::new("/p"));
    let found: Vec<_> = graph
        .diagnostics
        .iter()
        .map(|d| (d.code, d.span.start, d.span.end))
        .collect();
    assert_eq!(found, [(DiagnosticCode::ProjectManifest, 50, 53)]);
    assert_eq!(graph.projects[0].title, "caf\u{fffd}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_broken_links_on_disk_are_reported() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("prometeu.json"), MANIFEST).unwrap();
    std::fs::create_dir_all(root.join("src/world")).unwrap();
    std::fs::write(root.join("src/main.pbs"), "fn frame() {}\n").unwrap();
    std::fs::write(root.join("src/world/folk.pbs"), "pub fn f() {}\n").unwrap();
    // A link back to an ancestor, a link to itself, a dangling link, a linked directory.
    symlink(root.join("src"), root.join("src/world/again")).unwrap();
    symlink(root.join("src/self"), root.join("src/self")).unwrap();
    symlink(root.join("src/nowhere.pbs"), root.join("src/dangling.pbs")).unwrap();
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(root.join("shared/util.pbs"), "pub fn u() {}\n").unwrap();
    symlink(root.join("shared"), root.join("src/linked")).unwrap();
    // The same directory linked twice is searched once.
    symlink(root.join("shared"), root.join("src/linked2")).unwrap();

    let (graph, db) = load_with(&RealFs, root);
    let rels: Vec<&str> = graph.files.iter().map(|f| f.rel_path.as_str()).collect();
    assert_eq!(
        rels,
        ["src/linked/util.pbs", "src/main.pbs", "src/world/folk.pbs"]
    );
    let found: Vec<String> = graph
        .diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.code, DiagnosticCode::ProjectIo);
            assert_eq!(
                graph.display_path(d.span.file).as_deref(),
                Some("prometeu.json")
            );
            d.message.split(':').next().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        found,
        [
            "`src/dangling.pbs`",
            "`src/linked2`",
            "`src/self`",
            "`src/world/again`"
        ]
    );
    assert!(
        graph.diagnostics[1]
            .message
            .contains("the same directory as `src/linked`")
    );
    assert!(graph.diagnostics[3].message.contains("loops back"));
    let _ = db;
}

#[cfg(target_os = "linux")]
#[test]
fn a_non_utf8_file_name_is_reported_and_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("prometeu.json"), MANIFEST).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/main.pbs"), "fn frame() {}\n").unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.pbs");
    std::fs::write(root.join("src").join(odd), "").unwrap();
    let (graph, _) = load_with(&RealFs, root);
    assert_eq!(graph.files.len(), 1);
    assert_eq!(graph.diagnostics.len(), 1);
    assert_eq!(graph.diagnostics[0].code, DiagnosticCode::ProjectIo);
    assert!(
        graph.diagnostics[0].message.contains("not valid UTF-8"),
        "{}",
        graph.diagnostics[0].message
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 128, ..Default::default() })]

    /// Whatever files exist and in whatever order the provider lists them, files come out
    /// sorted, modules are exactly the directories holding files (plus the root), in
    /// order, and every module resolves by its own path.
    #[test]
    fn discovery_is_ordered_and_complete(
        paths in proptest::collection::btree_set("(a|b|a\\.b|_)(/(a|b|c)){0,3}\\.pbs", 0..12),
    ) {
        let mut fs = MemFs::default().file("/p/prometeu.json", br#"{ "name": "p", "version": "0.1.0", "kind": "lib" }"#);
        for p in &paths {
            fs = fs.file(&format!("/p/src/{p}"), b"");
        }
        let (graph, db) = load_with(&fs, Path::new("/p"));
        proptest::prop_assert!(graph.diagnostics.is_empty());
        let rels: Vec<String> = graph.files.iter().map(|f| f.rel_path.clone()).collect();
        let expected: Vec<String> = paths.iter().map(|p| format!("src/{p}")).collect();
        proptest::prop_assert_eq!(&rels, &expected);
        let mut dirs: Vec<&str> = paths.iter().map(|p| p.rsplit_once('/').map_or("", |(d, _)| d)).collect();
        dirs.push("");
        dirs.sort();
        dirs.dedup();
        let modules: Vec<&str> = graph.modules.iter().map(|m| m.path.as_str()).collect();
        proptest::prop_assert_eq!(&modules, &dirs);
        for (i, m) in graph.modules.iter().enumerate() {
            proptest::prop_assert_eq!(graph.resolve_import(prometeu_analysis::ProjectId(0), &m.path).map(|id| id.index()), Some(i));
            for &f in &m.files {
                proptest::prop_assert_eq!(graph.source_file(f).map(|s| s.module.index()), Some(i));
            }
        }
        for f in &graph.files {
            proptest::prop_assert_eq!(db.uri(f.file), format!("/p/{}", f.rel_path));
        }
    }
}
