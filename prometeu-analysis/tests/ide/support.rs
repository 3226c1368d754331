//! Fixtures in, readable text out: every IDE test renders its answer as lines of
//! `path:line:col `text`` so that snapshots read like the source they talk about.

use prometeu_analysis::ide::fixture::{FIXTURE_ROOT, analyze_fixture};
use prometeu_analysis::ide::{
    AnalysisHost, FilePosition, NavigationTarget, Snapshot, SourceChange,
};
use prometeu_analysis::{FileId, Span};

/// An analysed fixture and its cursor.
pub struct World {
    /// The host, for edits and re-analysis.
    pub host: AnalysisHost,
    /// The analysed state.
    pub snapshot: Snapshot,
    /// Where `$0` was.
    pub cursor: FilePosition,
}

/// Analyses `fixture`, which must have a `$0`.
pub fn world(fixture: &str) -> World {
    let (host, snapshot, cursor) = analyze(fixture);
    World {
        host,
        snapshot,
        cursor: cursor.expect("the fixture has a $0 cursor"),
    }
}

/// Analyses `fixture` without its first line end (fixtures are raw strings that start
/// on the line after `r#"`; text before the first `//-` header would be a file).
pub fn analyze(fixture: &str) -> (AnalysisHost, Snapshot, Option<FilePosition>) {
    analyze_fixture(fixture.strip_prefix('\n').unwrap_or(fixture))
}

/// A file's path as tests show it: relative to the fixture root, or the prelude's URI.
pub fn path(snapshot: &Snapshot, file: FileId) -> String {
    let path = snapshot.file_path(file);
    path.strip_prefix(FIXTURE_ROOT)
        .map(|p| p.trim_start_matches('/').to_string())
        .unwrap_or_else(|| path.to_string())
}

/// `path:line:col` of a span's start (1-based).
pub fn at(snapshot: &Snapshot, span: Span) -> String {
    let lc = snapshot
        .line_index(span.file)
        .offset_to_line_col(span.start)
        .expect("a span inside its file");
    format!(
        "{}:{}:{}",
        path(snapshot, span.file),
        lc.line + 1,
        lc.col + 1
    )
}

/// `path:line:col `text`` (the text cut at the first line end).
pub fn span(snapshot: &Snapshot, span: Span) -> String {
    let text = &snapshot.file_text(span.file)[span.range()];
    let first = text.lines().next().unwrap_or("");
    let more = if first.len() < text.len() { "…" } else { "" };
    format!("{} `{first}{more}`", at(snapshot, span))
}

/// One line per navigation target.
pub fn targets(snapshot: &Snapshot, targets: &[NavigationTarget]) -> String {
    if targets.is_empty() {
        return "(none)\n".to_string();
    }
    targets
        .iter()
        .map(|t| {
            format!(
                "{} {:?} at {} in {}\n",
                t.name,
                t.kind,
                span(snapshot, t.focus_span),
                span(snapshot, t.full_span)
            )
        })
        .collect()
}

/// The edits, one line each, then every edited file as it reads afterwards.
pub fn change(snapshot: &Snapshot, change: &SourceChange) -> String {
    let mut out = String::new();
    for (_, edits) in &change.edits {
        for edit in edits {
            out.push_str(&format!(
                "{} -> {}\n",
                span(snapshot, edit.span),
                edit.new_text
            ));
        }
    }
    for (file, _) in &change.edits {
        out.push_str(&format!(
            "\n//- {}\n{}",
            path(snapshot, *file),
            applied(snapshot, change, *file)
        ));
    }
    out
}

/// The text of `file` with `change`'s edits applied.
pub fn applied(snapshot: &Snapshot, change: &SourceChange, file: FileId) -> String {
    let mut text = snapshot.file_text(file).to_string();
    if let Some((_, edits)) = change.edits.iter().find(|(f, _)| *f == file) {
        for edit in edits.iter().rev() {
            text.replace_range(edit.span.range(), &edit.new_text);
        }
    }
    text
}
