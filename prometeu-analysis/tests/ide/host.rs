//! The host: open buffers over the disk, the disk cache and its invalidation, loose
//! files, cancellation by newer changes, reuse of unchanged roots, and which root
//! answers for a file several roots contain.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use prometeu_analysis::DiagnosticCode;
use prometeu_analysis::ide::vfs::MemoryFs;
use prometeu_analysis::ide::{AnalysisHost, Cancelled, Root, Snapshot};
use prometeu_analysis::project::{DirEntry, LoadOptions, SourceProvider};

/// A file system the test can change behind the host's back, like a disk.
#[derive(Clone, Default)]
struct Disk(Arc<Mutex<MemoryFs>>);

impl Disk {
    fn write(&self, path: &str, text: &str) {
        self.0.lock().unwrap().insert(path, text);
    }
}

impl SourceProvider for Disk {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.0.lock().unwrap().read(path)
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<DirEntry>> {
        self.0.lock().unwrap().read_dir(path)
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        self.0.lock().unwrap().canonicalize(path)
    }
    fn exists(&self, path: &Path) -> bool {
        self.0.lock().unwrap().exists(path)
    }
}

const MANIFEST: &str = r#"{"name": "app", "version": "0.1.0"}"#;

fn host(disk: &Disk) -> AnalysisHost {
    let mut host = AnalysisHost::new(Arc::new(disk.clone()), LoadOptions::default());
    host.add_workspace_folder(Path::new("/ws"));
    host
}

fn codes(snapshot: &Snapshot, path: &str) -> Vec<&'static str> {
    let Some(file) = snapshot.file_id(Path::new(path)) else {
        return vec!["<not in the workspace>"];
    };
    snapshot
        .diagnostics(file)
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

#[test]
fn buffers_win_over_the_disk_until_closed() {
    let disk = Disk::default();
    disk.write("/ws/app/prometeu.json", MANIFEST);
    disk.write("/ws/app/src/main.pbs", "fn frame() {}\n");
    let mut host = host(&disk);
    assert!(codes(&host.analyze_now(), "/ws/app/src/main.pbs").is_empty());
    let path = host.open_file(
        Path::new("/ws/app/src/main.pbs"),
        "fn frame() { let n: int = true; }\n",
    );
    assert_eq!(path, Path::new("/ws/app/src/main.pbs"));
    let snapshot = host.analyze_now();
    assert_eq!(
        codes(&snapshot, "/ws/app/src/main.pbs"),
        ["W_UNUSED_LOCAL", "E_TYPE_MISMATCH"]
    );
    host.close_file(&path);
    assert!(codes(&host.analyze_now(), "/ws/app/src/main.pbs").is_empty());
}

#[test]
fn the_disk_is_read_again_only_for_what_changed() {
    let disk = Disk::default();
    disk.write("/ws/app/prometeu.json", MANIFEST);
    disk.write("/ws/app/src/main.pbs", "fn frame() {}\n");
    let mut host = host(&disk);
    host.analyze_now();
    // A change nobody reported is not seen: the cache answers.
    disk.write("/ws/app/src/main.pbs", "fn frame() { nope(); }\n");
    disk.write("/ws/app/src/extra/more.pbs", "fn helper() {}\n");
    host.open_file(Path::new("/ws/scratch.pbs"), "fn frame() {}\n");
    let snapshot = host.analyze_now();
    assert!(codes(&snapshot, "/ws/app/src/main.pbs").is_empty());
    assert_eq!(
        codes(&snapshot, "/ws/app/src/extra/more.pbs"),
        ["<not in the workspace>"]
    );
    // Once reported, both the new text and the new file are there.
    host.files_changed_on_disk(&[
        PathBuf::from("/ws/app/src/main.pbs"),
        PathBuf::from("/ws/app/src/extra/more.pbs"),
    ]);
    let snapshot = host.analyze_now();
    assert_eq!(
        codes(&snapshot, "/ws/app/src/main.pbs"),
        ["E_RESOLVE_UNDEFINED"]
    );
    assert_eq!(
        codes(&snapshot, "/ws/app/src/extra/more.pbs"),
        ["W_UNUSED_PRIVATE"]
    );
}

#[test]
fn a_new_manifest_adds_a_project_to_the_workspace() {
    let disk = Disk::default();
    disk.write("/ws/app/prometeu.json", MANIFEST);
    disk.write("/ws/app/src/main.pbs", "fn frame() {}\n");
    let mut host = host(&disk);
    assert_eq!(host.roots(), [Root::Project("/ws/app".into())]);
    disk.write(
        "/ws/lib/prometeu.json",
        r#"{"name": "lib", "version": "1.0.0", "kind": "lib"}"#,
    );
    disk.write("/ws/lib/src/lib.pbs", "pub fn f() {}\n");
    host.files_changed_on_disk(&[PathBuf::from("/ws/lib/prometeu.json")]);
    assert_eq!(
        host.roots(),
        [
            Root::Project("/ws/app".into()),
            Root::Project("/ws/lib".into())
        ]
    );
}

#[test]
fn a_loose_file_is_a_root_while_it_is_open() {
    let disk = Disk::default();
    disk.write("/ws/app/prometeu.json", MANIFEST);
    disk.write("/ws/app/src/main.pbs", "fn frame() {}\n");
    disk.write("/ws/app/tools/gen.pbs", "fn frame() {}\n");
    let mut host = host(&disk);
    // Under a project but outside its `src/`: a loose file (`toolchain.md` §1).
    let path = host.open_file(
        Path::new("/ws/app/tools/gen.pbs"),
        "fn frame() { let x = 1; }\n",
    );
    assert!(host.roots().contains(&Root::LooseFile(path.clone())));
    let snapshot = host.analyze_now();
    assert_eq!(
        codes(&snapshot, "/ws/app/tools/gen.pbs"),
        ["W_UNUSED_LOCAL"]
    );
    host.close_file(&path);
    assert_eq!(host.roots(), [Root::Project("/ws/app".into())]);
    let snapshot = host.analyze_now();
    assert_eq!(
        codes(&snapshot, "/ws/app/tools/gen.pbs"),
        ["<not in the workspace>"]
    );
}

#[test]
fn a_newer_change_cancels_the_job_in_flight() {
    let disk = Disk::default();
    disk.write("/ws/app/prometeu.json", MANIFEST);
    disk.write("/ws/app/src/main.pbs", "fn frame() {}\n");
    let mut host = host(&disk);
    let job = host.job();
    host.open_file(Path::new("/ws/app/src/main.pbs"), "fn frame() { }\n");
    assert_eq!(job.run().err(), Some(Cancelled));
    // An older snapshot, finished late, never replaces a newer one.
    let old = host.job().run().expect("nothing changed meanwhile");
    host.open_file(Path::new("/ws/app/src/main.pbs"), "fn frame() {  }\n");
    let newest = host.analyze_now();
    assert!(old.revision() < newest.revision());
    assert!(!host.install(&old));
    assert_eq!(host.snapshot().revision(), newest.revision());
}

#[test]
fn unchanged_roots_keep_their_analysis() {
    let disk = Disk::default();
    disk.write("/ws/a/prometeu.json", MANIFEST);
    disk.write("/ws/a/src/main.pbs", "fn frame() {}\n");
    disk.write("/ws/b/prometeu.json", MANIFEST);
    disk.write("/ws/b/src/main.pbs", "fn frame() {}\n");
    let mut host = host(&disk);
    let before = host.analyze_now();
    host.open_file(Path::new("/ws/a/src/main.pbs"), "fn frame() { }\n");
    let after = host.analyze_now();
    let analysis = |s: &Snapshot, i: usize| Arc::clone(&s.roots()[i].analysis);
    assert!(!Arc::ptr_eq(&analysis(&before, 0), &analysis(&after, 0)));
    assert!(Arc::ptr_eq(&analysis(&before, 1), &analysis(&after, 1)));
}

#[test]
fn a_file_several_roots_contain_is_answered_by_its_own_project() {
    let disk = Disk::default();
    disk.write(
        "/ws/app/prometeu.json",
        r#"{"name": "app", "version": "0.1.0", "dependencies": {"lib": {"path": "../lib"}}}"#,
    );
    disk.write(
        "/ws/app/src/main.pbs",
        "import { f } from \"@lib\";\nfn frame() { f(); }\n",
    );
    disk.write(
        "/ws/lib/prometeu.json",
        r#"{"name": "lib", "version": "1.0.0", "kind": "lib"}"#,
    );
    disk.write("/ws/lib/src/lib.pbs", "pub fn f() { let unused = 1; }\n");
    let mut host = host(&disk);
    let snapshot = host.analyze_now();
    // In `app`'s analysis the dependency's warnings are dropped (`toolchain.md` §1);
    // the file's own project reports them.
    assert_eq!(codes(&snapshot, "/ws/lib/src/lib.pbs"), ["W_UNUSED_LOCAL"]);
    let file = snapshot.file_id(Path::new("/ws/lib/src/lib.pbs")).unwrap();
    assert_eq!(snapshot.roots_of(file).count(), 2);
    assert_eq!(
        snapshot.root_of(file).unwrap().root,
        Root::Project("/ws/lib".into())
    );
    let code = snapshot.diagnostics(file)[0].code;
    assert_eq!(code, DiagnosticCode::UnusedLocal);
}
