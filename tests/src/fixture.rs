//! The diagnostic fixture format (`examples/diagnostics/README.md`): PBS sources whose
//! expected diagnostics are written as caret annotations under the lines they point at.
//!
//! ```text
//!     let n: int = "five";
//! //               ^^^^^^ E_TYPE_MISMATCH
//! ```
//!
//! Rules, as this module reads them:
//! * An *annotation line* starts at column 0 with `//`, then zero or more spaces, then
//!   one or more `^`, then whitespace and a diagnostic code from the table
//!   ([`DiagnosticCode`]), then nothing but whitespace.
//! * Its carets give byte columns of the *target line*: the nearest line above that does
//!   not start with `//` (so consecutive annotation lines share one target). Several
//!   carets pin the span `[first caret, last caret + 1)`; a single caret pins only the
//!   start.
//! * `//~ no-diagnostics` says the file must check clean; no annotation may appear with
//!   it. Any other `//~` directive is an error, so a typo cannot silently disable checks.
//! * Any other line starting with `//` (no caret right after the spaces) is an ordinary
//!   comment.
//!
//! Line numbers in error messages and diffs count from 1, like compiler output; the
//! fields of [`Expectation`] count from 0.

use std::fmt;
use std::path::{Path, PathBuf};

use prometeu_analysis::{Diagnostic, DiagnosticCode, FileId, LineCol, LineIndex};

/// One annotated diagnostic: a code and the columns of its primary span.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Expectation {
    /// The diagnostic code, e.g. `E_TYPE_MISMATCH`.
    pub code: String,
    /// The 0-based line the carets point at.
    pub line: u32,
    /// Byte column of the first caret.
    pub start_col: u32,
    /// Byte column one past the last caret; `None` for a single caret, which pins only
    /// the start.
    pub end_col: Option<u32>,
    /// The 0-based line the annotation is written on.
    pub annotation_line: u32,
}

/// What a fixture file expects.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Fixture {
    /// The file says `//~ no-diagnostics`.
    pub no_diagnostics: bool,
    /// The annotations, in file order.
    pub expectations: Vec<Expectation>,
}

/// A produced diagnostic, reduced to what fixtures pin: code and byte span in this file.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Produced {
    /// The diagnostic code.
    pub code: String,
    /// Byte offset where the primary span starts.
    pub start: u32,
    /// Byte offset where the primary span ends.
    pub end: u32,
    /// The message, shown in diffs only; fixtures do not pin messages.
    pub message: String,
}

impl From<&Diagnostic> for Produced {
    fn from(d: &Diagnostic) -> Produced {
        Produced {
            code: d.code.as_str().to_owned(),
            start: d.span.start,
            end: d.span.end,
            message: d.message.clone(),
        }
    }
}

/// The diagnostics of `file` among `diagnostics`, reduced for [`check_fixture`].
pub fn produced_in(diagnostics: &[Diagnostic], file: FileId) -> Vec<Produced> {
    diagnostics
        .iter()
        .filter(|d| d.span.file == file)
        .map(Produced::from)
        .collect()
}

/// Reads the annotations of a fixture source. Malformed annotations give `Err` with a
/// message naming the (1-based) line.
pub fn parse_fixture(source: &str) -> Result<Fixture, String> {
    let index = LineIndex::new(source);
    parse_with_offsets(source, &index).map(|(fixture, _)| fixture)
}

/// An expectation's span as byte offsets: start, and end when pinned.
type ExpectedSpan = (u32, Option<u32>);

/// [`parse_fixture`], also returning each expectation's offsets (in the same order).
fn parse_with_offsets(
    source: &str,
    index: &LineIndex,
) -> Result<(Fixture, Vec<ExpectedSpan>), String> {
    let mut fixture = Fixture::default();
    let mut spans = Vec::new();
    let mut target: Option<u32> = None;
    let mut no_diagnostics_line = None;
    for line in 0..index.line_count() {
        let text = line_text(source, index, line);
        let at = |what: String| format!("line {}: {what}", line + 1);
        let Some(rest) = text.strip_prefix("//") else {
            target = Some(line);
            continue;
        };
        if let Some(directive) = rest.strip_prefix('~') {
            match directive.trim() {
                "no-diagnostics" => {
                    fixture.no_diagnostics = true;
                    no_diagnostics_line.get_or_insert(line);
                }
                other => return Err(at(format!("unknown directive `//~{other}`"))),
            }
            continue;
        }
        let after_space = rest.trim_start_matches([' ', '\t']);
        if !after_space.starts_with('^') {
            continue; // an ordinary comment
        }
        let indent = rest.len() - after_space.len();
        if rest[..indent].contains('\t') {
            return Err(at(
                "a tab before the carets; columns count bytes, use spaces".into(),
            ));
        }
        let carets = after_space.bytes().take_while(|&b| b == b'^').count();
        let code = parse_code(&after_space[carets..]).map_err(at)?;
        let Some(target) = target else {
            return Err(at("an annotation with no source line above it".into()));
        };
        let start_col = (2 + indent) as u32;
        let end_col = (carets > 1).then_some(start_col + carets as u32);
        let start = column_offset(index, target, start_col, "the carets start at").map_err(at)?;
        let end = match end_col {
            Some(col) => Some(column_offset(index, target, col, "the carets end at").map_err(at)?),
            None => None,
        };
        fixture.expectations.push(Expectation {
            code: code.to_owned(),
            line: target,
            start_col,
            end_col,
            annotation_line: line,
        });
        spans.push((start, end));
    }
    if let (Some(directive), Some(first)) = (no_diagnostics_line, fixture.expectations.first()) {
        return Err(format!(
            "line {}: an annotation in a file marked `//~ no-diagnostics` (line {})",
            first.annotation_line + 1,
            directive + 1
        ));
    }
    Ok((fixture, spans))
}

/// The code after an annotation's carets: whitespace, one known code, whitespace.
fn parse_code(after_carets: &str) -> Result<&str, String> {
    let mut words = after_carets.split_whitespace();
    let Some(code) = words.next() else {
        return Err("missing diagnostic code after the carets".into());
    };
    if !after_carets.starts_with([' ', '\t']) {
        return Err("expected whitespace and a diagnostic code after the carets".into());
    }
    if let Some(extra) = words.next() {
        return Err(format!("unexpected `{extra}` after the code `{code}`"));
    }
    if DiagnosticCode::from_code(code).is_none() {
        return Err(format!("unknown diagnostic code `{code}`"));
    }
    Ok(code)
}

/// The offset of byte column `col` of the target line, or why there is none; `what`
/// says which end of the carets the column is.
fn column_offset(index: &LineIndex, line: u32, col: u32, what: &str) -> Result<u32, String> {
    if let Some(offset) = index.line_col_to_offset(LineCol::new(line, col)) {
        return Ok(offset);
    }
    let len = index.line_end(line).unwrap_or(0) - index.line_start(line).unwrap_or(0);
    Err(if col > len {
        format!(
            "{what} column {col}, past the end of line {} ({len} bytes)",
            line + 1
        )
    } else {
        format!(
            "{what} column {col}, inside a multi-byte character of line {}",
            line + 1
        )
    })
}

/// The text of `line` without its terminator; `line` must exist.
fn line_text<'a>(source: &'a str, index: &LineIndex, line: u32) -> &'a str {
    let start = index.line_start(line).unwrap_or(0) as usize;
    let end = index.line_end(line).unwrap_or(0) as usize;
    source.get(start..end).unwrap_or("")
}

/// Why a fixture did not match: its annotations are malformed, or the produced set is
/// not the annotated set. `Display` is a readable diff with source excerpts.
#[derive(Clone, PartialEq, Eq)]
pub struct FixtureMismatch {
    /// The annotation error, when the annotations could not be read.
    pub malformed: Option<String>,
    /// Expected but not produced, in annotation order.
    pub missing: Vec<Expectation>,
    /// Produced but not expected, by span then code.
    pub unexpected: Vec<Produced>,
    report: String,
}

impl fmt::Display for FixtureMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report)
    }
}

// `unwrap_err()` and `assert!` failures print `Debug`; the diff is what a reader needs.
impl fmt::Debug for FixtureMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report)
    }
}

impl std::error::Error for FixtureMismatch {}

/// Ok when the produced set equals the annotated set exactly (as multisets: the same
/// code at the same span twice must be produced twice); Err(FixtureMismatch) whose
/// Display is a readable diff: missing (expected but not produced) and unexpected
/// (produced but not expected) items, each shown with the source line and a caret line
/// under it, plus the message for produced ones.
pub fn check_fixture(source: &str, produced: &[Produced]) -> Result<(), FixtureMismatch> {
    let index = LineIndex::new(source);
    let (fixture, spans) = match parse_with_offsets(source, &index) {
        Ok(parsed) => parsed,
        Err(message) => {
            return Err(FixtureMismatch {
                report: format!("malformed fixture annotations: {message}\n"),
                malformed: Some(message),
                missing: Vec::new(),
                unexpected: Vec::new(),
            });
        }
    };

    // Pinned spans first: a produced item that fits a pinned expectation also fits any
    // start-only one with its code and start, never the other way round, so serving the
    // stricter expectations first finds a largest matching.
    let mut used = vec![false; produced.len()];
    let mut matched = vec![false; spans.len()];
    for pinned_pass in [true, false] {
        for (i, (e, &(start, end))) in fixture.expectations.iter().zip(&spans).enumerate() {
            if end.is_some() != pinned_pass {
                continue;
            }
            let found = produced.iter().enumerate().position(|(j, p)| {
                !used[j] && p.code == e.code && p.start == start && end.is_none_or(|e| p.end == e)
            });
            if let Some(j) = found {
                used[j] = true;
                matched[i] = true;
            }
        }
    }

    let missing: Vec<Expectation> = fixture
        .expectations
        .iter()
        .zip(&matched)
        .filter(|&(_, &m)| !m)
        .map(|(e, _)| e.clone())
        .collect();
    let mut unexpected: Vec<Produced> = produced
        .iter()
        .zip(&used)
        .filter(|&(_, &u)| !u)
        .map(|(p, _)| p.clone())
        .collect();
    unexpected.sort_by(|a, b| (a.start, a.end, &a.code).cmp(&(b.start, b.end, &b.code)));
    if missing.is_empty() && unexpected.is_empty() {
        return Ok(());
    }
    let report = render_report(
        source,
        &index,
        fixture.no_diagnostics,
        &missing,
        &unexpected,
    );
    Err(FixtureMismatch {
        malformed: None,
        missing,
        unexpected,
        report,
    })
}

/// The diff text of a mismatch.
fn render_report(
    source: &str,
    index: &LineIndex,
    no_diagnostics: bool,
    missing: &[Expectation],
    unexpected: &[Produced],
) -> String {
    let gutter = index.line_count().to_string().len();
    let mut out = format!(
        "fixture mismatch: {} missing, {} unexpected\n",
        missing.len(),
        unexpected.len()
    );
    if no_diagnostics {
        out.push_str("the file is marked `//~ no-diagnostics`\n");
    }
    if !missing.is_empty() {
        out.push_str("\nmissing (expected, not produced):\n");
        for e in missing {
            let span = match e.end_col {
                Some(end) => format!("{}:{}..{}", e.line + 1, e.start_col + 1, end + 1),
                None => format!("{}:{} (start only)", e.line + 1, e.start_col + 1),
            };
            out.push_str(&format!(
                "  {} at {span}, annotated on line {}\n",
                e.code,
                e.annotation_line + 1
            ));
            let width = e.end_col.map_or(1, |end| end - e.start_col);
            let text = line_text(source, index, e.line);
            out.push_str(&excerpt(text, e.line, e.start_col, width, gutter));
        }
    }
    if !unexpected.is_empty() {
        out.push_str("\nunexpected (produced, not expected):\n");
        for p in unexpected {
            render_produced(&mut out, source, index, p, gutter);
        }
    }
    out
}

fn render_produced(out: &mut String, source: &str, index: &LineIndex, p: &Produced, gutter: usize) {
    let (start, end) = match (
        index.offset_to_line_col(p.start),
        index.offset_to_line_col(p.end),
    ) {
        (Some(start), Some(end)) if p.start <= p.end => (start, end),
        _ => {
            out.push_str(&format!(
                "  {} at bytes {}..{}, not a span of this file: {}\n",
                p.code, p.start, p.end, p.message
            ));
            return;
        }
    };
    let span = if start.line == end.line {
        format!("{}:{}..{}", start.line + 1, start.col + 1, end.col + 1)
    } else {
        format!(
            "{}:{}..{}:{}",
            start.line + 1,
            start.col + 1,
            end.line + 1,
            end.col + 1
        )
    };
    out.push_str(&format!("  {} at {span}: {}\n", p.code, p.message));
    let text = line_text(source, index, start.line);
    // A span running onto later lines is underlined to the end of its first line.
    let width = if start.line == end.line {
        end.col - start.col
    } else {
        text.len() as u32 - start.col
    };
    out.push_str(&excerpt(text, start.line, start.col, width.max(1), gutter));
}

/// A source line with carets under bytes `[col, col + width)`, aligned by character so
/// that multi-byte characters and tabs do not shift the carets.
fn excerpt(text: &str, line: u32, col: u32, width: u32, gutter: usize) -> String {
    let col = (col as usize).min(text.len());
    let end = (col + width as usize).min(text.len());
    let pad: String = char_prefix(text, col)
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let carets = char_prefix(&text[char_floor(text, col)..], end.saturating_sub(col))
        .chars()
        .count()
        .max(1);
    format!(
        "    {:>gutter$} | {text}\n    {:>gutter$} | {pad}{}\n",
        line + 1,
        "",
        "^".repeat(carets)
    )
}

/// The longest prefix of `text` of at most `len` bytes that ends on a char boundary.
fn char_prefix(text: &str, len: usize) -> &str {
    &text[..char_floor(text, len)]
}

/// The largest char boundary of `text` that is at most `at`.
fn char_floor(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Every file with the given extension (no leading dot) under `dir`, recursively,
/// sorted by path. Panics if `dir` cannot be read: a test must not pass over nothing.
pub fn fixture_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let ext = ext.trim_start_matches('.');
    let mut files = Vec::new();
    collect_files(dir, ext, &mut files);
    files.sort();
    files
}

fn collect_files(dir: &Path, ext: &str, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read fixture directory {}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        let path = entry.path();
        // `file_type` does not follow symlinks, so a linked directory cannot loop.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            collect_files(&path, ext, files);
        } else if path.extension().is_some_and(|e| e == ext) {
            files.push(path);
        }
    }
}

/// The repository root (for tests that read `examples/`).
pub fn repo_root() -> PathBuf {
    // This crate lives in `<root>/tests`.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate has a parent directory")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_columns_are_bytes_of_the_target_line() {
        let fixture = parse_fixture("ab cdef\n//  ^^ E_TYPE_MISMATCH\n").unwrap();
        assert_eq!(
            fixture.expectations,
            vec![Expectation {
                code: "E_TYPE_MISMATCH".into(),
                line: 0,
                start_col: 4,
                end_col: Some(6),
                annotation_line: 1,
            }]
        );
    }

    #[test]
    fn excerpt_aligns_carets_by_character() {
        // "é" is 2 bytes but one column on screen.
        let text = "\té = 1";
        let shown = excerpt(text, 4, 4, 1, 1);
        assert_eq!(shown, "    5 | \té = 1\n      | \t  ^\n");
    }

    #[test]
    fn char_floor_backs_out_of_multi_byte_characters() {
        assert_eq!(char_floor("a😀", 3), 1);
        assert_eq!(char_floor("a😀", 5), 5);
        assert_eq!(char_floor("a😀", 99), 5);
    }
}
