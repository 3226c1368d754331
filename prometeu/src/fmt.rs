//! `prometeu fmt`: the PBS formatter over files, directories, a project or stdin
//! (`toolchain.md` §2, the style in §6). The formatting itself is
//! `prometeu_analysis::format`; this module finds the files, rewrites them atomically and
//! reports.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use prometeu_analysis::format::{FormatError, format_text};
use prometeu_analysis::{LineIndex, project::find_project_root};

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    Refused,
}

/// Runs `prometeu fmt PATHS [--check]`. Exit 0 when everything is formatted (or, with
/// `--check`, already was), 1 when a file has syntax errors or `--check` finds a file
/// to change, 2 for usage and I/O errors.
pub fn fmt(paths: &[PathBuf], check: bool) -> anyhow::Result<ExitCode> {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        if paths.len() > 1 {
            anyhow::bail!("`-` (standard input) cannot be combined with other paths");
        }
        return fmt_stdin(check);
    }
    let files = collect_files(paths)?;
    let (mut changed, mut unchanged, mut refused) = (0usize, 0usize, 0usize);
    for file in &files {
        match fmt_file(file, check)? {
            Outcome::Unchanged => unchanged += 1,
            Outcome::Changed => changed += 1,
            Outcome::Refused => refused += 1,
        }
    }
    let mut summary = if check {
        format!("{changed} of {} files would be reformatted", files.len())
    } else {
        format!("formatted {} files: {changed} changed", files.len())
    };
    summary.push_str(&format!(", {unchanged} already formatted"));
    if refused > 0 {
        summary.push_str(&format!(", {refused} not formatted (syntax errors)"));
    }
    eprintln!("{summary}");
    Ok(if refused > 0 || (check && changed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The files to format: each FILE as given, every `.pbs` under each DIR, or with no
/// path the sources of the project around the current directory.
fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if paths.is_empty() {
        let here = Path::new(".");
        let Some(root) = find_project_root(here) else {
            anyhow::bail!(
                "`.` is not in a project: there is no prometeu.json in it or in any directory above it \
                 (give `prometeu fmt` files or directories to format)"
            );
        };
        let src = relative_to_cwd(&root.join("src"));
        walk(&src, &mut files)?;
        return Ok(files);
    }
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files)?;
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            anyhow::bail!("`{}` does not exist", path.display());
        }
    }
    Ok(files)
}

/// `path` relative to the current directory when it is under it (for shorter output).
fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let cwd = cwd.canonicalize().ok()?;
            path.strip_prefix(&cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf())
}

/// Every `.pbs` under `dir`, sorted, skipping hidden directories and build outputs.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read `{}`", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "build" && name != "target" {
                walk(&path, files)?;
            }
        } else if name.ends_with(".pbs") {
            files.push(path);
        }
    }
    Ok(())
}

fn fmt_file(path: &Path, check: bool) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let formatted = match format_text(&text) {
        Ok(formatted) => formatted,
        Err(error) => {
            report_refusal(&path.display().to_string(), &text, &error);
            return Ok(Outcome::Refused);
        }
    };
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    if check {
        println!("{}", path.display());
    } else {
        write_atomically(path, &formatted)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(Outcome::Changed)
}

fn fmt_stdin(check: bool) -> anyhow::Result<ExitCode> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read standard input")?;
    let formatted = match format_text(&text) {
        Ok(formatted) => formatted,
        Err(error) => {
            report_refusal("<stdin>", &text, &error);
            return Ok(ExitCode::from(1));
        }
    };
    if check {
        if formatted != text {
            println!("<stdin>");
            return Ok(ExitCode::from(1));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(formatted.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Says why a file was left alone: its first syntax error with its position.
fn report_refusal(name: &str, text: &str, error: &FormatError) {
    match error {
        FormatError::Syntax(diagnostics) => {
            let lines = LineIndex::new(text);
            let first = &diagnostics[0];
            let at = lines
                .offset_to_line_col(first.span.start)
                .unwrap_or(prometeu_analysis::LineCol { line: 0, col: 0 });
            eprintln!(
                "error: {name}:{}:{}: {} (not formatted: {} syntax error{})",
                at.line + 1,
                at.col + 1,
                first.message,
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" }
            );
        }
        FormatError::Internal(message) => {
            eprintln!("error: {name}: not formatted, the formatter failed: {message}");
        }
    }
}

/// Replaces `path` with `text` so that a crash leaves either the old or the new file:
/// the text goes to a temporary file in the same directory, is flushed to disk, gets the
/// original's permissions and is renamed over the original.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.fmt-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp, metadata.permissions())?;
        }
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
