//! `prometeu check`: load a project or a loose file, analyse it, print diagnostics.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use prometeu_analysis::project::{
    LoadOptions, ProjectGraph, RealFs, load_loose_file, load_project_with,
};
use prometeu_analysis::syntax::{parse_file, write_ast_json};
use std::sync::Arc;

use prometeu_analysis::{Analysis, Diagnostic, FileDb, FileId, NameInterner, Severity, analyze};

use crate::Format;
use crate::render::{Style, render_human, render_json};
use crate::target::{Located, locate};

/// A loaded program and every diagnostic found in it, sorted.
pub struct Checked {
    /// The session's files.
    pub db: FileDb,
    /// What was loaded.
    pub graph: ProjectGraph,
    /// Everything known about the program, diagnostics included (in reporting order).
    pub analysis: Arc<Analysis>,
    /// The one file whose diagnostics are reported, when `check` was given a source
    /// file of a project (the whole project is analysed, so its imports resolve).
    pub focus: Option<FileId>,
}

impl Checked {
    /// The path a file is shown with: relative to the project (or as given for a loose
    /// file), never absolute for project files.
    pub fn display_path(&self, file: FileId) -> String {
        self.graph
            .display_path(file)
            .unwrap_or_else(|| self.db.uri(file).to_string())
    }

    /// The diagnostics to report, in reporting order: every one, or those of the
    /// focused file.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.analysis
            .diagnostics
            .iter()
            .filter(|d| self.focus.is_none_or(|file| d.span.file == file))
    }
}

/// Loads `target` and analyses the program: a project (from any path inside it), or a
/// loose `.pbs` file. A source file of a project is analysed as part of its project,
/// with the diagnostics limited to that file.
pub fn analyse(target: &Path) -> anyhow::Result<Checked> {
    analyse_located(&locate(target)?)
}

/// [`analyse`] of a target already located.
pub fn analyse_located(located: &Located) -> anyhow::Result<Checked> {
    let mut db = FileDb::new();
    let (graph, focus_path) = match located {
        Located::Project { dir, file } => (
            load_project_with(dir, &RealFs, &load_options(), &mut db),
            file.as_deref(),
        ),
        Located::LooseFile(path) => (load_loose_file(path, &mut db), None),
    };
    let focus = focus_path.and_then(|path| {
        let root = graph.projects.first()?;
        graph
            .files
            .iter()
            .find(|f| f.project.index() == 0 && root.dir.join(&f.rel_path) == path)
            .map(|f| f.file)
    });
    let analysis = analyze(&graph, &mut db, None);
    Ok(Checked {
        db,
        graph,
        analysis,
        focus,
    })
}

/// How the command loads projects: git dependencies are cloned with the system `git`
/// into the cache from the environment.
pub fn load_options() -> LoadOptions {
    LoadOptions {
        git: prometeu_git::SystemGit::from_env()
            .map(|git| Arc::new(git) as Arc<dyn prometeu_analysis::project::GitCheckouts>),
    }
}

/// `prometeu check TARGET`: prints diagnostics; exit 1 when there is an error.
pub fn check(target: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let checked = analyse(target)?;
    let names = |file: FileId| checked.display_path(file);
    match format {
        Format::Json => {
            let mut stdout = std::io::stdout().lock();
            for d in checked.diagnostics() {
                writeln!(stdout, "{}", render_json(d, &checked.db, &names))?;
            }
        }
        Format::Human => {
            print_human_diagnostics(&checked)?;
            writeln!(std::io::stderr().lock(), "{}", summary(&checked))?;
        }
    }
    Ok(exit_code(checked.diagnostics()))
}

/// Renders every diagnostic to stderr as `check` does (colour on a terminal, unless
/// `NO_COLOR` is set).
pub fn print_human_diagnostics(checked: &Checked) -> std::io::Result<()> {
    let names = |file: FileId| checked.display_path(file);
    let style = Style::for_stderr();
    let mut stderr = std::io::stderr().lock();
    for d in checked.diagnostics() {
        writeln!(stderr, "{}", render_human(d, &checked.db, &names, style))?;
    }
    Ok(())
}

/// The closing line of human output, e.g. `checked hello (2 files): 2 errors, 1
/// warning`, or for one file of a project `checked town (src/main.pbs): …`, which also
/// says when other files of the project have errors.
pub fn summary(checked: &Checked) -> String {
    let count = |severity| {
        checked
            .diagnostics()
            .filter(|d| d.severity == severity)
            .count()
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let name = checked
        .graph
        .projects
        .first()
        .map_or("", |p| p.name.as_str());
    let what = match checked.focus {
        Some(file) => checked.display_path(file),
        None => plural(checked.graph.files.len(), "file"),
    };
    let mut line = format!(
        "checked {name} ({what}): {}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning")
    );
    if let Some(file) = checked.focus {
        let elsewhere = checked
            .analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && d.span.file != file)
            .count();
        if elsewhere > 0 {
            line.push_str(&format!(
                "; the rest of the project has {}",
                plural(elsewhere, "error")
            ));
        }
    }
    line
}

/// 1 when any diagnostic is an error, 0 otherwise.
pub fn exit_code<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> ExitCode {
    if diagnostics
        .into_iter()
        .any(|d| d.severity == Severity::Error)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `prometeu check --dump-ast FILE`: the canonical syntax tree as JSON on stdout.
pub fn dump_ast(file: &Path) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read `{}`", file.display()))?;
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), &text, &mut names);
    // Streamed: the dump of a large file is never held in memory whole.
    write_ast_json(&parse.arena, &names, &mut std::io::stdout().lock())?;
    Ok(exit_code(&parse.diagnostics))
}
