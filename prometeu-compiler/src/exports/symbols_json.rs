//! `symbols.json` (schema_version 1): every declaration of every project, with its kind,
//! whether it is exported and where its name is (`docs/spec/toolchain.md` §3.1).
//!
//! Decisions (written into §3.1): symbol IDs are the analysis's own `SymbolId`s, so they
//! agree with `analysis.json` (they are therefore not dense within a project); prelude
//! symbols, locals and parameters are not listed; `project_dir` is `"."` for the root
//! project and the display prefix without its final `/` for a dependency (`"@math"`,
//! `"@a/@b"` for a dependency of a dependency).

use prometeu_analysis::line_index::LineIndex;
use prometeu_analysis::project::ProjectGraph;
use prometeu_analysis::semantics::Reach;
use prometeu_analysis::{Analysis, FileId, LineCol, SymbolId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::{FileTable, to_pretty_json};

/// The `schema_version` this module writes.
pub const SYMBOLS_SCHEMA_VERSION: u32 = 1;

/// The whole `symbols.json` file.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SymbolsJson {
    /// Always [`SYMBOLS_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// One entry per project of the graph, root first.
    pub projects: Vec<ProjectSymbols>,
}

/// The declarations of one project.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ProjectSymbols {
    /// The manifest's `name`.
    pub project: String,
    /// `"."` for the root project, `"@alias"` for a dependency.
    pub project_dir: String,
    /// Its declarations in `symbol_id` order.
    pub symbols: Vec<SymbolEntry>,
}

/// One declaration.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SymbolEntry {
    /// The analysis's symbol ID (the same in `analysis.json`).
    pub symbol_id: u32,
    /// The declared name.
    pub name: String,
    /// `function`, `method`, `struct`, … (`SymbolKind::export_kind`).
    pub kind: String,
    /// Whether it can be named from everywhere (`pub` all the way out).
    pub exported: bool,
    /// The module's path inside its project (`""` for `src/`).
    pub module_path: String,
    /// The declaration's name token.
    pub decl_span: DeclSpan,
}

/// A range of one file in lines and columns.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DeclSpan {
    /// The file's display path: relative to the root project, `@alias/…` in a dependency.
    pub file_uri: String,
    /// The first character.
    pub start: Position,
    /// One past the last character.
    pub end: Position,
}

/// A 0-based line and a 0-based column counted in UTF-8 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Position {
    /// 0-based line.
    pub line: u32,
    /// 0-based column in UTF-8 bytes.
    pub col: u32,
}

impl From<LineCol> for Position {
    fn from(pos: LineCol) -> Position {
        Position {
            line: pos.line,
            col: pos.col,
        }
    }
}

/// Builds the `symbols.json` model of `analysis` (which must come from `graph`).
pub fn symbols_export(analysis: &Analysis, graph: &ProjectGraph) -> SymbolsJson {
    let files = FileTable::new(analysis, graph);
    let line_indexes: HashMap<FileId, LineIndex> = analysis
        .files
        .iter()
        .map(|f| (f.file, LineIndex::new(&f.text)))
        .collect();
    let mut projects: Vec<ProjectSymbols> = graph
        .projects
        .iter()
        .map(|p| ProjectSymbols {
            project: p.name.clone(),
            project_dir: match p.display_prefix.strip_suffix('/') {
                Some(dir) if !dir.is_empty() => dir.to_string(),
                _ => ".".to_string(),
            },
            symbols: Vec::new(),
        })
        .collect();
    for (id, symbol) in analysis.symbols.iter() {
        // The prelude's module is past the graph's modules: prelude symbols are skipped.
        let Some(module) = graph.modules.get(symbol.module.index()) else {
            continue;
        };
        if symbol.kind.is_local() {
            continue;
        }
        let Some(project) = projects.get_mut(module.project.index()) else {
            continue;
        };
        let position = |offset: u32| -> Position {
            line_indexes
                .get(&symbol.file())
                .and_then(|index| index.offset_to_line_col(offset))
                .unwrap_or_default()
                .into()
        };
        project.symbols.push(SymbolEntry {
            symbol_id: id.0,
            name: analysis.symbol_name(id).to_string(),
            kind: symbol.kind.export_kind().to_string(),
            exported: is_exported(analysis, id),
            module_path: module.path.clone(),
            decl_span: DeclSpan {
                file_uri: files.uri(symbol.file()).to_string(),
                start: position(symbol.decl_span.start),
                end: position(symbol.decl_span.end),
            },
        });
    }
    SymbolsJson {
        schema_version: SYMBOLS_SCHEMA_VERSION,
        projects,
    }
}

/// The text of `symbols.json` for `analysis` (which must come from `graph`):
/// pretty-printed, with a trailing newline, byte-identical for identical sources.
pub fn symbols_json(analysis: &Analysis, graph: &ProjectGraph) -> String {
    to_pretty_json(&symbols_export(analysis, graph))
}

/// `exported` of both exports: visible everywhere it can be named (§4.1). Locals and
/// parameters never are, not even the prelude's (whose items all reach everywhere).
pub(crate) fn is_exported(analysis: &Analysis, symbol: SymbolId) -> bool {
    !analysis.symbols.get(symbol).kind.is_local() && analysis.reach(symbol) == Reach::Everywhere
}
