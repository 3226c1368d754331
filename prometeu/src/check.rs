//! `prometeu check`: load a project or a loose file, analyse it, print diagnostics.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use prometeu_analysis::project::{
    LoadOptions, ProjectGraph, RealFs, load_loose_file, load_project_with,
};
use prometeu_analysis::syntax::{parse_file, write_ast_json};
use std::sync::Arc;

use prometeu_analysis::{Analysis, Diagnostic, FileDb, FileId, NameInterner, Severity, analyze};

use crate::Format;
use crate::render::{Style, render_human, render_json};

/// A loaded program and every diagnostic found in it, sorted.
pub struct Checked {
    /// The session's files.
    pub db: FileDb,
    /// What was loaded.
    pub graph: ProjectGraph,
    /// Everything known about the program, diagnostics included (in reporting order).
    pub analysis: Arc<Analysis>,
}

impl Checked {
    /// The path a file is shown with: relative to the project (or as given for a loose
    /// file), never absolute for project files.
    pub fn display_path(&self, file: FileId) -> String {
        self.graph
            .display_path(file)
            .unwrap_or_else(|| self.db.uri(file).to_string())
    }

    /// Every diagnostic, in reporting order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.analysis.diagnostics
    }
}

/// Loads `target` (a project directory or a `.pbs` file) and analyses the program.
pub fn analyse(target: &Path) -> anyhow::Result<Checked> {
    let mut db = FileDb::new();
    let graph = if target.is_dir() {
        load_project_with(target, &RealFs, &load_options(), &mut db)
    } else if target.is_file() {
        if target.extension().is_none_or(|e| e != "pbs") {
            bail!(
                "`{}` is neither a project directory nor a .pbs file",
                target.display()
            );
        }
        load_loose_file(target, &mut db)
    } else {
        bail!("`{}` does not exist", target.display());
    };
    let analysis = analyze(&graph, &mut db, None);
    Ok(Checked {
        db,
        graph,
        analysis,
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

/// Renders every diagnostic to stderr as `check` does (colour on a terminal).
pub fn print_human_diagnostics(checked: &Checked) -> std::io::Result<()> {
    let names = |file: FileId| checked.display_path(file);
    let style = if std::io::stderr().is_terminal() {
        Style::COLOUR
    } else {
        Style::PLAIN
    };
    let mut stderr = std::io::stderr().lock();
    for d in checked.diagnostics() {
        writeln!(stderr, "{}", render_human(d, &checked.db, &names, style))?;
    }
    Ok(())
}

/// The closing line of human output, e.g. `hello: 2 errors, 1 warning`.
pub fn summary(checked: &Checked) -> String {
    let count = |severity| {
        checked
            .diagnostics()
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let name = checked
        .graph
        .projects
        .first()
        .map_or("", |p| p.name.as_str());
    let files = checked.graph.files.len();
    format!(
        "checked {name} ({}): {}, {}",
        plural(files, "file"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning")
    )
}

/// 1 when any diagnostic is an error, 0 otherwise.
pub fn exit_code(diagnostics: &[Diagnostic]) -> ExitCode {
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
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
