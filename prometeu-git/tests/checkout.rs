//! Git dependencies against a local repository made by the test with the system `git`:
//! clone by tag, by commit and by default branch, reuse of the cache without git, and
//! failures reported on the dependency entry.

#[path = "../../prometeu-analysis/tests/project_support/mod.rs"]
mod project_support;

use std::path::Path;
use std::process::Command;

use std::sync::Arc;

use prometeu_analysis::project::{LoadOptions, ProjectGraph, RealFs, load_project_with};
use prometeu_analysis::{DiagnosticCode, FileDb, ProjectId};
use prometeu_git as git;

fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn load(dir: &Path, cache: &Path) -> (ProjectGraph, FileDb) {
    let mut db = FileDb::new();
    let options = LoadOptions {
        git: Some(Arc::new(git::SystemGit {
            cache_dir: cache.to_path_buf(),
        })),
    };
    let graph = load_project_with(dir, &RealFs, &options, &mut db);
    (graph, db)
}

/// The module paths of the dependency `alias` of the root.
fn dep_modules(graph: &ProjectGraph, alias: &str) -> Vec<String> {
    let dep = graph
        .project(ProjectId(0))
        .dependencies
        .iter()
        .find(|d| d.alias == alias)
        .unwrap();
    graph
        .project_modules(dep.project)
        .iter()
        .map(|m| m.path.clone())
        .collect()
}

/// A library project `name` in a new git repository under `parent`, one commit on
/// `main`; returns the repository's directory.
fn library_repo(parent: &Path, name: &str) -> std::path::PathBuf {
    let repo = parent.join(name);
    write(
        &repo.join("prometeu.json"),
        &format!(r#"{{ "name": "{name}", "version": "1.0.0", "kind": "lib" }}"#),
    );
    write(
        &repo.join("src/lib.pbs"),
        "pub fn one(): int { return 1; }\n",
    );
    git_in(parent, &["init", "--quiet", "-b", "main", name]);
    git_in(&repo, &["add", "."]);
    git_in(&repo, &["commit", "--quiet", "-m", "one"]);
    repo
}

#[test]
fn git_dependencies_clone_once_and_are_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = library_repo(tmp.path(), "tweens");
    git_in(&repo, &["tag", "v1"]);
    write(
        &repo.join("src/extra/more.pbs"),
        "pub fn two() -> int { 2 }\n",
    );
    git_in(&repo, &["add", "."]);
    git_in(&repo, &["commit", "--quiet", "-m", "two"]);
    let second = git_in(&repo, &["rev-parse", "HEAD"]);
    git_in(&repo, &["checkout", "--quiet", "-b", "feature"]);
    write(&repo.join("src/feature/f.pbs"), "pub fn f() {}\n");
    git_in(&repo, &["add", "."]);
    git_in(&repo, &["commit", "--quiet", "-m", "feature"]);
    git_in(&repo, &["checkout", "--quiet", "main"]);

    let url = format!("file://{}", repo.display());
    let app = tmp.path().join("app");
    write(&app.join("src/main.pbs"), "fn frame() {}\n");
    write(
        &app.join("prometeu.json"),
        &format!(
            r#"{{ "name": "app", "version": "0.1.0", "dependencies": {{
  "bytag": {{ "git": "{url}", "rev": "v1" }},
  "bycommit": {{ "git": "{url}", "rev": "{second}" }},
  "bybranch": {{ "git": "{url}", "rev": "feature" }},
  "head": {{ "git": "{url}" }}
}} }}"#
        ),
    );
    let cache = tmp.path().join("cache");

    let (graph, db) = load(&app, &cache);
    assert!(
        graph.diagnostics.is_empty(),
        "{}",
        project_support::render_graph(&graph, &db)
    );
    assert_eq!(dep_modules(&graph, "bytag"), [""]);
    assert_eq!(dep_modules(&graph, "bycommit"), ["", "extra"]);
    assert_eq!(dep_modules(&graph, "bybranch"), ["", "extra", "feature"]);
    assert_eq!(dep_modules(&graph, "head"), ["", "extra"]);
    // Display paths are relative: the cache location never shows.
    let displays: Vec<&str> = graph
        .files
        .iter()
        .map(|f| f.display_path.as_str())
        .collect();
    assert!(displays.contains(&"@bytag/src/lib.pbs"), "{displays:?}");
    // Each (url, rev) has its own checkout under its deterministic name, and no
    // temporary directory is left behind.
    let mut entries: Vec<String> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    entries.sort();
    let mut expected = vec![
        git::checkout_dir_name(&url, Some("v1")),
        git::checkout_dir_name(&url, Some(&second)),
        git::checkout_dir_name(&url, Some("feature")),
        git::checkout_dir_name(&url, None),
    ];
    expected.sort();
    assert_eq!(entries, expected);

    // With the source repository gone, only the cache can answer: nothing is cloned
    // again and the graph is the same.
    let before = project_support::render_graph(&graph, &db);
    std::fs::remove_dir_all(&repo).unwrap();
    let (again, again_db) = load(&app, &cache);
    assert!(
        again.diagnostics.is_empty(),
        "{}",
        project_support::render_graph(&again, &again_db)
    );
    assert_eq!(project_support::render_graph(&again, &again_db), before);
}

#[test]
fn git_failures_are_reported_on_the_dependency_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = library_repo(tmp.path(), "lib");
    let url = format!("file://{}", repo.display());
    let missing = format!("file://{}", tmp.path().join("nowhere").display());
    let app = tmp.path().join("app");
    write(&app.join("src/main.pbs"), "fn frame() {}\n");
    write(
        &app.join("prometeu.json"),
        &format!(
            r#"{{ "name": "app", "version": "0.1.0", "dependencies": {{
  "badrev": {{ "git": "{url}", "rev": "v9" }},
  "norepo": {{ "git": "{missing}" }}
}} }}"#
        ),
    );
    let cache = tmp.path().join("cache");
    let (graph, db) = load(&app, &cache);
    assert_eq!(
        graph.diagnostics.len(),
        2,
        "{}",
        project_support::render_graph(&graph, &db)
    );
    for d in &graph.diagnostics {
        assert_eq!(d.code, DiagnosticCode::ProjectDependency);
        // The span is the `git` value; the message carries git's complaint on one line.
        assert!(db.text(d.span.file)[d.span.range()].starts_with("\"file://"));
        assert!(!d.message.contains('\n'), "{}", d.message);
    }
    assert!(
        graph.diagnostics[0].message.contains("`v9`"),
        "{}",
        graph.diagnostics[0].message
    );
    assert!(
        graph.diagnostics[1].message.contains("git clone"),
        "{}",
        graph.diagnostics[1].message
    );
    // Failed checkouts leave nothing in the cache that could pass for a checkout.
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 0);
    assert!(graph.project(ProjectId(0)).dependencies.is_empty());
}

/// An app under `parent` whose `prometeu.json` depends on the git repository at `url`
/// as `alias`; returns the app's directory.
fn app_depending_on(parent: &Path, alias: &str, url: &str) -> std::path::PathBuf {
    let app = parent.join("app");
    write(&app.join("src/main.pbs"), "fn frame() {}\n");
    write(
        &app.join("prometeu.json"),
        &format!(
            r#"{{ "name": "app", "version": "0.1.0", "dependencies": {{ "{alias}": {{ "git": "{url}" }} }} }}"#
        ),
    );
    app
}

/// Load options that clone in the background into `cache` (failures remembered for
/// `retry_after`), and the channel that says when a clone ended.
fn background(
    cache: std::path::PathBuf,
    retry_after: std::time::Duration,
) -> (LoadOptions, std::sync::mpsc::Receiver<()>) {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let done_tx = std::sync::Mutex::new(done_tx);
    let background = git::BackgroundGit::new(
        cache,
        Arc::new(move || {
            let _ = done_tx.lock().unwrap().send(());
        }),
    )
    .with_retry_after(retry_after);
    let options = LoadOptions {
        git: Some(Arc::new(background)),
    };
    (options, done_rx)
}

#[test]
fn background_checkouts_answer_at_once_and_say_when_they_are_there() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = library_repo(tmp.path(), "tweens");
    let url = format!("file://{}", repo.display());
    let app = app_depending_on(tmp.path(), "tw", &url);
    let (options, done_rx) = background(tmp.path().join("cache"), git::RETRY_AFTER);
    // First load: no waiting for the clone; the dependency says it is being fetched.
    let mut db = FileDb::new();
    let graph = load_project_with(&app, &RealFs, &options, &mut db);
    let messages: Vec<&str> = graph
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("is being fetched")),
        "{messages:?}"
    );
    // The callback fires when the clone is done; the next load has the dependency.
    done_rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the clone finishes");
    let mut db = FileDb::new();
    let graph = load_project_with(&app, &RealFs, &options, &mut db);
    assert!(
        graph.diagnostics.is_empty(),
        "{}",
        project_support::render_graph(&graph, &db)
    );
    assert_eq!(dep_modules(&graph, "tw"), [""]);
}

#[test]
fn a_failed_background_clone_is_remembered_then_tried_again() {
    let tmp = tempfile::tempdir().unwrap();
    // The repository does not exist yet: the first clone fails.
    let repo = tmp.path().join("later");
    let url = format!("file://{}", repo.display());
    let app = app_depending_on(tmp.path(), "later", &url);
    let messages = |options: &LoadOptions| -> Vec<String> {
        let mut db = FileDb::new();
        let graph = load_project_with(&app, &RealFs, options, &mut db);
        graph
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect()
    };
    let session = |retry_after| background(tmp.path().join("cache"), retry_after);
    let wait = |done: &std::sync::mpsc::Receiver<()>| {
        done.recv_timeout(std::time::Duration::from_secs(60))
            .expect("the clone ends")
    };

    // Within the window, the failure is the answer: nothing is cloned again.
    let (options, done) = session(git::RETRY_AFTER);
    assert!(messages(&options)[0].contains("is being fetched"));
    wait(&done);
    let failed = messages(&options);
    assert!(failed[0].contains("tried again 30 s after"), "{failed:?}");
    library_repo(tmp.path(), "later");
    assert_eq!(messages(&options), failed, "no new clone inside the window");
    assert!(done.try_recv().is_err());

    // Past the window, the next load clones again, and this time it works.
    let (options, done) = session(std::time::Duration::ZERO);
    std::fs::remove_dir_all(&repo).unwrap();
    assert!(messages(&options)[0].contains("is being fetched"));
    wait(&done);
    library_repo(tmp.path(), "later");
    let retried = messages(&options);
    assert!(retried[0].contains("is being fetched"), "{retried:?}");
    wait(&done);
    assert_eq!(messages(&options), Vec::<String>::new());
}
