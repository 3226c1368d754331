//! Rendering diagnostics for people (source snippets, optional colour) and for tools
//! (`--format json`, one object per line), as `toolchain.md` §2 specifies.

use std::fmt::Write as _;

use prometeu_analysis::{Diagnostic, FileDb, FileId, LineCol, Severity, Span};

/// How a file is named in output: relative to the project directory (or as given, for a
/// loose file).
pub trait FileNames {
    /// The display path of `file`.
    fn display_path(&self, file: FileId) -> String;
}

impl<F: Fn(FileId) -> String> FileNames for F {
    fn display_path(&self, file: FileId) -> String {
        self(file)
    }
}

/// ANSI styling, or none when the output is not a terminal or `NO_COLOR` is set.
#[derive(Clone, Copy)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colour when stderr is a terminal and `NO_COLOR` is not set to a non-empty value
    /// (<https://no-color.org>).
    pub fn for_stderr() -> Style {
        use std::io::IsTerminal;
        Style {
            colour: std::io::stderr().is_terminal() && !no_color(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Whether the user asked for no colour: `NO_COLOR` set to anything but the empty string.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The 0-based line/column of an offset, clamped to the file (a span from a stale or
/// foreign source must still render).
fn position(db: &FileDb, file: FileId, offset: u32) -> LineCol {
    let index = db.line_index(file);
    let mut offset = offset.min(index.len());
    let text = db.text(file);
    while !text.is_char_boundary(offset as usize) {
        offset -= 1;
    }
    index
        .offset_to_line_col(offset)
        .unwrap_or(LineCol::new(0, 0))
}

/// Renders one diagnostic like a modern compiler:
///
/// ```text
/// error[E_TYPE_MISMATCH]: expected `int`, found `string`
///   --> src/main.pbs:12:18
///    |
/// 12 |     let n: int = "five";
///    |                  ^^^^^^
/// ```
pub fn render_human(d: &Diagnostic, db: &FileDb, names: &dyn FileNames, style: Style) -> String {
    let mut out = String::new();
    let (head_colour, caret_colour) = match d.severity {
        Severity::Error => ("1;31", "1;31"),
        Severity::Warning => ("1;33", "1;33"),
    };
    let head = format!("{}[{}]", severity_word(d.severity), d.code);
    let _ = writeln!(
        out,
        "{}{}",
        style.paint(head_colour, &head),
        style.paint("1", &format!(": {}", d.message))
    );
    snippet(&mut out, d.span, None, db, names, style, caret_colour);
    for related in &d.related {
        snippet(
            &mut out,
            related.span,
            Some(&related.message),
            db,
            names,
            style,
            "1;36",
        );
    }
    out
}

fn snippet(
    out: &mut String,
    span: Span,
    label: Option<&str>,
    db: &FileDb,
    names: &dyn FileNames,
    style: Style,
    caret_colour: &str,
) {
    let start = position(db, span.file, span.start);
    let end = position(db, span.file, span.end.max(span.start));
    let line_no = (start.line + 1).to_string();
    let pad = " ".repeat(line_no.len());
    let bar = style.paint("1;34", "|");
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        style.paint("1;34", "-->"),
        names.display_path(span.file),
        start.line + 1,
        start.col + 1
    );
    let index = db.line_index(span.file);
    let text = db.text(span.file);
    let line_start = index.line_start(start.line).unwrap_or(0) as usize;
    let line_end = index.line_end(start.line).unwrap_or(line_start as u32) as usize;
    let line = &text[line_start..line_end];
    // The underline covers the span on its first line; a span running on to later lines
    // is underlined to the end of the first.
    let underline_end = if end.line == start.line {
        end.col as usize
    } else {
        line.len()
    };
    let shown = SnippetLine::new(line, start.col as usize, underline_end);
    let _ = writeln!(out, "{pad} {bar}");
    let _ = writeln!(
        out,
        "{} {bar} {}",
        style.paint("1;34", &line_no),
        shown.text
    );
    let label = label.map(|l| format!(" {l}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad} {bar} {}{}",
        shown.indent,
        style.paint(caret_colour, &format!("{}{label}", shown.carets))
    );
}

/// How many characters of a source line a snippet shows at most: a longer line (a
/// generated table, minified code) is cut to a window around the span, marked `...`
/// where text was left out, so one diagnostic never prints megabytes.
pub const SNIPPET_WIDTH: usize = 120;

/// How many characters before the span a clipped line keeps, for context.
const SNIPPET_CONTEXT: usize = 40;

/// One source line as a snippet shows it, with the caret line under its span.
pub struct SnippetLine {
    /// The line, clipped to [`SNIPPET_WIDTH`] characters plus the `...` markers.
    pub text: String,
    /// What goes before the carets: a space per character before the span (tabs kept,
    /// so the carets line up under tab-indented code).
    pub indent: String,
    /// The carets under the span's shown part (at least one).
    pub carets: String,
}

impl SnippetLine {
    /// The snippet of `line` underlining bytes `start..end` (clamped to the line and to
    /// character boundaries).
    pub fn new(line: &str, start: usize, end: usize) -> SnippetLine {
        let boundary = |mut at: usize| {
            at = at.min(line.len());
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let (start, end) = (boundary(start), boundary(end.max(start)));
        let chars_before = line[..start].chars().count();
        let span_chars = line[start..end].chars().count();
        let total = line.chars().count();
        // The window of characters shown: the whole line when it fits, else from a
        // little before the span on.
        let (first, last) = if total <= SNIPPET_WIDTH {
            (0, total)
        } else {
            let first = chars_before.saturating_sub(SNIPPET_CONTEXT);
            (first, (first + SNIPPET_WIDTH).min(total))
        };
        let mut text = String::new();
        let mut indent = String::new();
        if first > 0 {
            text.push_str("...");
            indent.push_str("   ");
        }
        text.extend(line.chars().skip(first).take(last - first));
        if last < total {
            text.push_str("...");
        }
        indent.extend(
            line.chars()
                .skip(first)
                .take(chars_before.saturating_sub(first))
                .map(|c| if c == '\t' { '\t' } else { ' ' }),
        );
        let shown_span = span_chars.min(last.saturating_sub(chars_before));
        SnippetLine {
            text,
            indent,
            carets: "^".repeat(shown_span.max(1)),
        }
    }
}

/// A byte span in JSON output.
#[derive(serde::Serialize)]
struct JsonSpan {
    start: u32,
    end: u32,
}

/// A 0-based position in JSON output (columns in UTF-8 bytes).
#[derive(serde::Serialize)]
struct JsonPos {
    line: u32,
    col: u32,
}

#[derive(serde::Serialize)]
struct JsonRange {
    start: JsonPos,
    end: JsonPos,
}

#[derive(serde::Serialize)]
struct JsonRelated {
    message: String,
    file: String,
    span: JsonSpan,
    range: JsonRange,
}

/// One line of `check --format json`; fields in the order `toolchain.md` §2 shows.
#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: String,
    span: JsonSpan,
    range: JsonRange,
    related: Vec<JsonRelated>,
}

/// The JSON line of one diagnostic for `check --format json` (`toolchain.md` §2):
/// 0-based lines, columns in UTF-8 bytes, file paths as displayed.
pub fn render_json(d: &Diagnostic, db: &FileDb, names: &dyn FileNames) -> String {
    let range = |span: Span| {
        let start = position(db, span.file, span.start);
        let end = position(db, span.file, span.end);
        JsonRange {
            start: JsonPos {
                line: start.line,
                col: start.col,
            },
            end: JsonPos {
                line: end.line,
                col: end.col,
            },
        }
    };
    let line = JsonDiagnostic {
        severity: severity_word(d.severity),
        code: d.code.as_str(),
        message: &d.message,
        file: names.display_path(d.span.file),
        span: JsonSpan {
            start: d.span.start,
            end: d.span.end,
        },
        range: range(d.span),
        related: d
            .related
            .iter()
            .map(|r| JsonRelated {
                message: r.message.clone(),
                file: names.display_path(r.span.file),
                span: JsonSpan {
                    start: r.span.start,
                    end: r.span.end,
                },
                range: range(r.span),
            })
            .collect(),
    };
    serde_json::to_string(&line).expect("diagnostics serialize")
}

#[cfg(test)]
mod tests {
    use super::{SNIPPET_WIDTH, SnippetLine};

    #[test]
    fn a_short_line_is_shown_whole_with_carets_under_the_span() {
        let shown = SnippetLine::new("\tlet n: int = \"five\";", 14, 20);
        assert_eq!(shown.text, "\tlet n: int = \"five\";");
        assert_eq!(shown.indent, "\t             ");
        assert_eq!(shown.carets, "^^^^^^");
    }

    #[test]
    fn a_long_line_is_clipped_around_the_span() {
        let line = format!("let a = [{}];", "1, ".repeat(10_000));
        let at = line.len() / 2;
        let shown = SnippetLine::new(&line, at, at + 1);
        assert!(shown.text.starts_with("...") && shown.text.ends_with("..."));
        assert_eq!(shown.text.chars().count(), SNIPPET_WIDTH + 6);
        // The caret stays under the character it points at.
        let caret_col = shown.indent.chars().count();
        assert_eq!(shown.text.chars().nth(caret_col), line[at..].chars().next());
        assert_eq!(shown.carets, "^");
        // A span running past the window is underlined to its edge.
        let wide = SnippetLine::new(&line, 9, line.len());
        assert_eq!(wide.text.chars().count(), SNIPPET_WIDTH + 3);
        assert_eq!(wide.carets.len(), SNIPPET_WIDTH - 9);
    }

    proptest::proptest! {
        /// Any line and any offsets: no panic, at most the window plus its markers, and
        /// the carets never run past the shown text.
        #[test]
        fn every_line_and_span_renders_within_the_window(
            line in "[a-zé\t ]{0,300}",
            start in 0usize..400,
            len in 0usize..400,
        ) {
            let shown = SnippetLine::new(&line, start, start + len);
            let width = shown.text.chars().count();
            proptest::prop_assert!(width <= SNIPPET_WIDTH + 6);
            proptest::prop_assert!(!shown.carets.is_empty());
            let under = shown.indent.chars().count() + shown.carets.len();
            proptest::prop_assert!(under <= width.max(1) + 1, "{:?}", shown.text);
        }
    }

    #[test]
    fn offsets_inside_a_character_or_past_the_line_are_clamped() {
        let shown = SnippetLine::new("é = 1", 1, 99);
        assert_eq!(shown.text, "é = 1");
        assert_eq!(shown.indent, "");
        assert_eq!(shown.carets, "^^^^^");
    }
}
