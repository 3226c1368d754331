//! Helpers shared by the `project_*` tests: rendering graphs and diagnostics as text
//! with no absolute path in it.

#![allow(dead_code)]

use std::fmt::Write;
use std::path::{Path, PathBuf};

use prometeu_analysis::project::ProjectGraph;
use prometeu_analysis::{Diagnostic, FileDb};

/// The repository's `examples/` directory.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// This crate's `tests/projects/` fixture directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects")
}

/// One diagnostic as `file: code @start..end message` and the text it covers; the file is
/// named by `name_of`.
pub fn render_diagnostic(d: &Diagnostic, db: &FileDb, file_name: &str) -> String {
    let text = db.text(d.span.file);
    let covered = text.get(d.span.range()).unwrap_or("<out of range>");
    let mut out = format!(
        "{file_name}: {} @{}..{} {}\n    covers: `{covered}`\n",
        d.code, d.span.start, d.span.end, d.message
    );
    for r in &d.related {
        let covered = db
            .text(r.span.file)
            .get(r.span.range())
            .unwrap_or("<out of range>");
        let _ = writeln!(
            out,
            "    related @{}..{} {}: `{covered}`",
            r.span.start, r.span.end, r.message
        );
    }
    out
}

/// A graph as text: projects, modules, files and diagnostics, with display paths only.
pub fn render_graph(graph: &ProjectGraph, db: &FileDb) -> String {
    let mut out = String::from("projects:\n");
    for (i, p) in graph.projects.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {i}: {} {} {:?} title={:?} app_id={} prefix={:?} manifest={:?} modules={:?}",
            p.name,
            p.version,
            p.kind,
            p.title,
            p.app_id,
            p.display_prefix,
            p.manifest_file.and_then(|f| graph.display_path(f)),
            p.modules,
        );
        for d in &p.dependencies {
            let alias_text = &db.text(p.manifest_file.unwrap())[d.alias_span.range()];
            let _ = writeln!(
                out,
                "     dep {} -> project {} (alias span covers {alias_text})",
                d.alias, d.project.0
            );
        }
    }
    out.push_str("modules:\n");
    for (i, m) in graph.modules.iter().enumerate() {
        let files: Vec<String> = m
            .files
            .iter()
            .map(|&f| graph.display_path(f).unwrap())
            .collect();
        let _ = writeln!(
            out,
            "  {i}: project {} {:?} files {:?}",
            m.project.0, m.path, files
        );
    }
    out.push_str("files:\n");
    for f in &graph.files {
        let _ = writeln!(
            out,
            "  {} (rel {}, project {}, module {})",
            f.display_path, f.rel_path, f.project.0, f.module.0
        );
    }
    out.push_str("diagnostics:\n");
    for d in &graph.diagnostics {
        let name = graph
            .display_path(d.span.file)
            .unwrap_or_else(|| "<unknown file>".into());
        out.push_str(&render_diagnostic(d, db, &name));
    }
    out
}
