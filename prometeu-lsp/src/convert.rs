//! Conversions between the protocol's shapes and the IDE layer's: positions (UTF-8 or
//! UTF-16 columns, as negotiated), ranges, URIs and diagnostics. Nothing else.

use std::path::Path;

use prometeu_analysis::analysis::PRELUDE_URI;
use prometeu_analysis::ide::Snapshot;
use prometeu_analysis::{Diagnostic, DiagnosticCode, FileId, LineCol, LineIndex, Severity, Span};
use tower_lsp::lsp_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticTag, NumberOrString, Position, Url,
};

/// How the client counts columns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Encoding {
    /// UTF-8 bytes (negotiated when the client offers it).
    Utf8,
    /// UTF-16 code units (the protocol's default).
    Utf16,
}

/// A position the document does not have.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PastTheEnd {
    /// The line asked for.
    pub line: u32,
    /// How many lines the document has.
    pub line_count: u32,
}

impl std::fmt::Display for PastTheEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is past the end of the document ({} lines)",
            self.line, self.line_count
        )
    }
}

/// The byte offset of a protocol position. A column past its line's end means the
/// line's end and a column inside a character means that character's start (the
/// protocol asks servers to be lenient there); a line past the last is an error, except
/// the line just after the last at column 0, which is the end of the text.
pub fn offset(
    index: &LineIndex,
    position: Position,
    encoding: Encoding,
) -> Result<u32, PastTheEnd> {
    let past = PastTheEnd {
        line: position.line,
        line_count: index.line_count(),
    };
    let (Some(start), Some(end)) = (
        index.line_start(position.line),
        index.line_end(position.line),
    ) else {
        if position.line == index.line_count() && position.character == 0 {
            return Ok(index.len());
        }
        return Err(past);
    };
    let convert = |col: u32| match encoding {
        Encoding::Utf8 => index.line_col_to_offset(LineCol::new(position.line, col)),
        Encoding::Utf16 => index.line_col_utf16_to_offset(LineCol::new(position.line, col)),
    };
    let mut col = position.character;
    loop {
        if let Some(offset) = convert(col) {
            return Ok(offset);
        }
        // Past the end: the end. Inside a character: one unit back, until a boundary.
        if col == 0 {
            return Ok(start);
        }
        match convert(col.saturating_sub(1)) {
            None if col > end - start => return Ok(end),
            _ => col -= 1,
        }
    }
}

/// The protocol position of a byte offset (clamped to the text).
pub fn position(index: &LineIndex, offset: u32, encoding: Encoding) -> Position {
    let mut offset = offset.min(index.len());
    loop {
        let converted = match encoding {
            Encoding::Utf8 => index.offset_to_line_col(offset),
            Encoding::Utf16 => index.offset_to_line_col_utf16(offset),
        };
        if let Some(LineCol { line, col }) = converted {
            return Position::new(line, col);
        }
        if offset == 0 {
            return Position::new(0, 0);
        }
        offset -= 1;
    }
}

/// The protocol range of a span.
pub fn range(index: &LineIndex, span: Span, encoding: Encoding) -> lsp::Range {
    lsp::Range::new(
        position(index, span.start, encoding),
        position(index, span.end, encoding),
    )
}

/// The URI of a file the IDE layer knows by `path` (a canonical path or the prelude's
/// `prometeu:` URI).
pub fn url_of_path(path: &str) -> Option<Url> {
    if path == PRELUDE_URI {
        return Url::parse(PRELUDE_URI).ok();
    }
    Url::from_file_path(Path::new(path)).ok()
}

/// The URI and protocol range of a span in a snapshot.
pub fn location(snapshot: &Snapshot, span: Span, encoding: Encoding) -> Option<lsp::Location> {
    let uri = url_of_path(snapshot.file_path(span.file))?;
    let range = range(snapshot.line_index(span.file), span, encoding);
    Some(lsp::Location::new(uri, range))
}

/// Whether a diagnostic code marks code that is there for nothing (the editor fades it).
fn is_unnecessary(code: DiagnosticCode) -> bool {
    matches!(
        code,
        DiagnosticCode::UnusedLocal
            | DiagnosticCode::UnusedImport
            | DiagnosticCode::UnusedPrivate
            | DiagnosticCode::UnreachableCode
            | DiagnosticCode::UnreachableArm
    )
}

/// One diagnostic of `file` as the protocol shows it.
pub fn diagnostic(
    snapshot: &Snapshot,
    file: FileId,
    diagnostic: &Diagnostic,
    encoding: Encoding,
) -> lsp::Diagnostic {
    let index = snapshot.line_index(file);
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|related| {
            Some(DiagnosticRelatedInformation {
                location: location(snapshot, related.span, encoding)?,
                message: related.message.clone(),
            })
        })
        .collect();
    let tags = is_unnecessary(diagnostic.code).then(|| vec![DiagnosticTag::UNNECESSARY]);
    lsp::Diagnostic {
        range: range(index, diagnostic.span, encoding),
        severity: Some(match diagnostic.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        code_description: None,
        source: Some("prometeu".to_string()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags,
        data: None,
    }
}
