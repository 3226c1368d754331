//! `textDocument/codeLens` and `codeLens/resolve`: a references count on every item and
//! the compiled size of every function (`toolchain.md` §4, "Code lens").
//!
//! The references lens is answered at once. The size lens is answered at once when the
//! size thread ([`crate::sizes`]) already compiled this revision; otherwise it comes
//! back unresolved (its `data` names the revision, file and function), the size thread
//! is asked to compile, `codeLens/resolve` fills in whatever is known by then (never
//! waiting), and a `workspace/codeLens/refresh` follows when the sizes arrive.

use std::path::Path;

use prometeu_analysis::Span;
use prometeu_analysis::ide::Snapshot;
use prometeu_analysis::semantics::SymbolKind;
use serde::{Deserialize, Serialize};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;
use crate::sizes::{PENDING_TITLE, Sizes};

/// The command of a references lens: `[uri, position]`; an editor package shows the
/// references at that position (its `textDocument/references`).
pub const SHOW_REFERENCES: &str = "prometeu.showReferences";

/// What an unresolved size lens carries to `codeLens/resolve`.
#[derive(Serialize, Deserialize, Debug)]
pub struct SizeData {
    /// The snapshot revision the lens was made at.
    pub revision: u64,
    /// The file's canonical path, as the snapshot knows it.
    pub path: String,
    /// The function's name token.
    pub start: u32,
    /// Its end.
    pub end: u32,
}

/// The lenses of the request's document.
pub fn run(request: &Request, sizes: &Sizes) -> Result<Option<Vec<CodeLens>>> {
    let snapshot = &request.snapshot;
    let file = request.file;
    let computed = sizes.for_snapshot(snapshot);
    let mut lenses = Vec::new();
    for item in snapshot.code_lenses(file) {
        let range = request.range(item.focus_span);
        let title = match item.references {
            1 => "1 reference".to_string(),
            n => format!("{n} references"),
        };
        lenses.push(CodeLens {
            range,
            command: Some(Command {
                title,
                command: SHOW_REFERENCES.to_string(),
                arguments: request
                    .uri(file)
                    .map(|uri| vec![serde_json::json!(uri), serde_json::json!(range.start)]),
            }),
            data: None,
        });
        if !has_body(item.kind) {
            continue;
        }
        let command = computed
            .as_ref()
            .map(|c| display(c.answer(snapshot, file, item.focus_span).title()));
        let data = if command.is_some() {
            None
        } else {
            serde_json::to_value(SizeData {
                revision: snapshot.revision(),
                path: snapshot.file_path(file).to_string(),
                start: item.focus_span.start,
                end: item.focus_span.end,
            })
            .ok()
        };
        lenses.push(CodeLens {
            range,
            command,
            data,
        });
    }
    Ok(Some(lenses))
}

/// Fills in an unresolved size lens from `snapshot` (the newest): its size if this
/// revision is compiled, else a title that says it is coming.
pub fn resolve(snapshot: &Snapshot, sizes: &Sizes, mut lens: CodeLens) -> CodeLens {
    if lens.command.is_some() {
        return lens;
    }
    let data: Option<SizeData> = lens
        .data
        .clone()
        .and_then(|d| serde_json::from_value(d).ok());
    // Asking also starts a round for the newest revision if it is not computed.
    let computed = sizes.for_snapshot(snapshot);
    let title = data
        .filter(|d| d.revision == snapshot.revision())
        .and_then(|d| {
            let file = snapshot.file_id(Path::new(&d.path))?;
            let focus = Span {
                file,
                start: d.start,
                end: d.end,
            };
            Some(computed.as_ref()?.answer(snapshot, file, focus).title())
        })
        .unwrap_or_else(|| PENDING_TITLE.to_string());
    lens.command = Some(display(title));
    lens
}

/// Functions with a body get a size lens (contract and host functions have none).
fn has_body(kind: SymbolKind) -> bool {
    matches!(
        kind,
        SymbolKind::Function | SymbolKind::Method | SymbolKind::AssocFn | SymbolKind::ServiceFn
    )
}

/// A lens that only shows its title (an empty command does nothing when clicked).
fn display(title: String) -> Command {
    Command {
        title,
        command: String::new(),
        arguments: None,
    }
}
