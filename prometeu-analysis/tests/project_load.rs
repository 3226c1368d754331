//! Loading projects from disk: the example projects, dependencies (path, cycles,
//! diamonds, missing ones), `E_PROJECT_NO_MAIN`, import resolution and loose files.

mod project_support;

use std::path::Path;

use project_support::{examples_dir, fixtures_dir, render_graph};
use prometeu_analysis::project::{
    LoadOptions, ProjectGraph, ProjectKind, RealFs, find_project_root, load_loose_file,
    load_project, load_project_with,
};
use prometeu_analysis::{FileDb, ProjectId};

/// Loads without a git cache, so no test here can touch the network or the user's cache.
fn load(dir: &Path) -> (ProjectGraph, FileDb) {
    let mut db = FileDb::new();
    let options = LoadOptions::default();
    let graph = load_project_with(dir, &RealFs, &options, &mut db);
    (graph, db)
}

fn codes(graph: &ProjectGraph) -> Vec<&'static str> {
    graph.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn every_example_project_loads_clean() {
    for name in ["hello", "bounce", "town", "mathlib", "diagnostics/imports"] {
        let (graph, db) = load(&examples_dir().join(name));
        assert!(
            graph.diagnostics.is_empty(),
            "{name}:\n{}",
            render_graph(&graph, &db)
        );
        assert!(!graph.files.is_empty(), "{name}");
        for f in &graph.files {
            assert_eq!(
                &**db.text(f.file),
                std::fs::read_to_string(graph.project(f.project).dir.join(&f.rel_path)).unwrap()
            );
        }
    }
}

#[test]
fn town_graph() {
    let (graph, db) = load(&examples_dir().join("town"));
    insta::assert_snapshot!(render_graph(&graph, &db));
}

#[test]
fn town_imports_resolve() {
    let (graph, _) = load(&examples_dir().join("town"));
    let town = ProjectId(0);
    let math = graph.project(town).dependencies[0].project;
    let module = |id| {
        let m = graph.module(id);
        (graph.project(m.project).name.as_str(), m.path.as_str())
    };
    assert_eq!(
        graph.resolve_import(town, "world").map(module),
        Some(("town", "world"))
    );
    assert_eq!(
        graph.resolve_import(town, "").map(module),
        Some(("town", ""))
    );
    assert_eq!(
        graph.resolve_import(town, "@math").map(module),
        Some(("mathlib", ""))
    );
    assert_eq!(
        graph.resolve_import(town, "@math/easing").map(module),
        Some(("mathlib", "easing"))
    );
    for missing in [
        "nope",
        "@math/",
        "@math/nope",
        "@mathlib",
        "@nope",
        "world/",
        "/world",
        "./world",
        "@",
        "@/easing",
    ] {
        assert_eq!(graph.resolve_import(town, missing), None, "{missing}");
    }
    // Aliases belong to the importing project: mathlib has no dependency `math`.
    assert_eq!(graph.resolve_import(math, "@math"), None);
    assert_eq!(
        graph.resolve_import(math, "easing").map(module),
        Some(("mathlib", "easing"))
    );
    assert_eq!(graph.resolve_import(ProjectId(9), "world"), None);
}

#[test]
fn load_project_reads_the_real_disk() {
    let mut db = FileDb::new();
    let graph = load_project(&examples_dir().join("hello"), &mut db);
    assert!(graph.diagnostics.is_empty());
    let p = graph.project(ProjectId(0));
    assert_eq!(
        (p.name.as_str(), p.kind, p.title.as_str(), p.app_id),
        ("hello", ProjectKind::App, "Hello Prometeu", 1)
    );
    // Files are keyed by path, so the language server can find them.
    let main = &graph.files[0];
    let key = p.dir.join("src/main.pbs");
    assert_eq!(db.file_id(&key.to_string_lossy()), Some(main.file));
    assert_eq!(graph.source_file(main.file), Some(main));
    assert_eq!(
        graph.display_path(p.manifest_file.unwrap()).as_deref(),
        Some("prometeu.json")
    );
}

#[test]
fn loading_twice_gives_the_same_graph_and_ids() {
    let dir = examples_dir().join("town");
    let mut db = FileDb::new();
    let first = load_project_with(&dir, &RealFs, &LoadOptions::default(), &mut db);
    let second = load_project_with(&dir, &RealFs, &LoadOptions::default(), &mut db);
    assert_eq!(render_graph(&first, &db), render_graph(&second, &db));
    assert_eq!(first.files, second.files);
}

#[test]
fn a_cycle_is_reported_with_its_chain_on_the_closing_entry() {
    let (graph, db) = load(&fixtures_dir().join("cycle/a"));
    insta::assert_snapshot!(render_graph(&graph, &db));
    assert_eq!(codes(&graph), ["E_PROJECT_DEPENDENCY"]);
    let d = &graph.diagnostics[0];
    assert!(d.message.contains("a -> b -> a"), "{}", d.message);
    // On `"a"` in b's manifest, the entry that closes the cycle.
    assert_eq!(
        graph.display_path(d.span.file).as_deref(),
        Some("@b/prometeu.json")
    );
    assert_eq!(&db.text(d.span.file)[d.span.range()], "\"a\"");
    // The closing edge is dropped: the graph stays acyclic.
    assert!(graph.project(ProjectId(1)).dependencies.is_empty());
}

#[test]
fn a_project_depending_on_itself_is_a_cycle() {
    let (graph, _) = load(&fixtures_dir().join("self_dep"));
    assert_eq!(codes(&graph), ["E_PROJECT_DEPENDENCY"]);
    assert!(graph.diagnostics[0].message.contains("selfish -> selfish"));
    assert_eq!(graph.projects.len(), 1);
}

#[test]
fn a_diamond_loads_the_shared_project_once() {
    let (graph, db) = load(&fixtures_dir().join("diamond/app"));
    insta::assert_snapshot!(render_graph(&graph, &db));
    assert!(graph.diagnostics.is_empty());
    assert_eq!(graph.projects.len(), 4);
    let dep = |p: usize| graph.projects[p].dependencies[0].project;
    let left = graph.project(ProjectId(0)).dependencies[0].project;
    let right = graph.project(ProjectId(0)).dependencies[1].project;
    assert_eq!(dep(left.index()), dep(right.index()));
    // Reached as `base` from left and as `core` from right: both aliases resolve.
    assert_eq!(
        graph.resolve_import(left, "@base/util"),
        graph.resolve_import(right, "@core/util")
    );
    assert!(graph.resolve_import(left, "@base/util").is_some());
}

#[test]
fn missing_dependencies_are_reported_and_the_rest_loads() {
    let (graph, db) = load(&fixtures_dir().join("missing/app"));
    insta::assert_snapshot!(render_graph(&graph, &db));
    assert_eq!(
        codes(&graph),
        ["E_PROJECT_DEPENDENCY", "E_PROJECT_DEPENDENCY"]
    );
    let deps: Vec<&str> = graph
        .project(ProjectId(0))
        .dependencies
        .iter()
        .map(|d| d.alias.as_str())
        .collect();
    assert_eq!(deps, ["ok"]);
}

#[test]
fn a_git_dependency_without_a_cache_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.pbs"), "fn frame() {}\n").unwrap();
    std::fs::write(
        dir.path().join("prometeu.json"),
        r#"{ "name": "g", "version": "0.1.0", "dependencies": { "t": { "git": "file:///nowhere.git" } } }"#,
    )
    .unwrap();
    let (graph, db) = load(dir.path());
    assert_eq!(codes(&graph), ["E_PROJECT_DEPENDENCY"]);
    let d = &graph.diagnostics[0];
    assert_eq!(
        &db.text(d.span.file)[d.span.range()],
        "\"file:///nowhere.git\""
    );
}

#[test]
fn an_app_without_main_is_reported_on_the_manifest() {
    let (graph, db) = load(&fixtures_dir().join("no_main"));
    assert_eq!(codes(&graph), ["E_PROJECT_NO_MAIN"]);
    let d = &graph.diagnostics[0];
    // No `kind`: the `name` value.
    assert_eq!(&db.text(d.span.file)[d.span.range()], "\"no-main\"");
    assert_eq!(graph.files.len(), 1);
}

#[test]
fn a_directory_without_manifest_still_loads_its_sources() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/a")).unwrap();
    std::fs::write(dir.path().join("src/a/x.pbs"), "fn x() {}\n").unwrap();
    let (graph, db) = load(dir.path());
    // No `E_PROJECT_NO_MAIN` on top: one mistake, one diagnostic.
    assert_eq!(codes(&graph), ["E_PROJECT_MANIFEST"]);
    let d = &graph.diagnostics[0];
    assert_eq!((d.span.start, d.span.end), (0, 0));
    assert_eq!(
        graph.display_path(d.span.file).as_deref(),
        Some("prometeu.json")
    );
    assert_eq!(&**db.text(d.span.file), "");
    assert_eq!(graph.files[0].rel_path, "src/a/x.pbs");
}

#[test]
fn loose_files_are_one_module_pseudo_projects() {
    let path = examples_dir().join("diagnostics/clean.pbs");
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    assert!(graph.diagnostics.is_empty());
    assert_eq!(graph.projects.len(), 1);
    let p = graph.project(ProjectId(0));
    assert_eq!(
        (p.name.as_str(), p.kind, p.manifest_file),
        ("clean", ProjectKind::App, None)
    );
    assert_eq!(graph.modules.len(), 1);
    assert_eq!(graph.modules[0].path, "");
    let f = &graph.files[0];
    assert_eq!(f.rel_path, "clean.pbs");
    assert_eq!(f.display_path, path.to_string_lossy());
    assert_eq!(graph.resolve_import(ProjectId(0), ""), Some(f.module));

    let missing = load_loose_file(Path::new("no/such/file.pbs"), &mut db);
    assert_eq!(codes(&missing), ["E_PROJECT_IO"]);
    assert_eq!(missing.files[0].display_path, "no/such/file.pbs");
}

#[test]
fn project_roots_are_found_by_walking_up() {
    let town = examples_dir().join("town").canonicalize().unwrap();
    assert_eq!(
        find_project_root(&town.join("src/world/folk.pbs")),
        Some(town.clone())
    );
    assert_eq!(
        find_project_root(&town.join("src/world")),
        Some(town.clone())
    );
    assert_eq!(find_project_root(&town), Some(town.clone()));
    assert_eq!(
        find_project_root(&town.join("src/not-yet-saved.pbs")),
        Some(town)
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("loose.pbs"), "").unwrap();
    // A temp directory has no manifest above it (unless the machine is odd).
    if find_project_root(&std::env::temp_dir()).is_none() {
        assert_eq!(find_project_root(&dir.path().join("loose.pbs")), None);
    }
}
