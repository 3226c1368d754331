//! `analysis.json` (schema_version 0): the full export of an analysis — files, modules,
//! names, every symbol (locals included), uses, types, type facts and diagnostics
//! (`docs/spec/toolchain.md` §3.2). Spans are byte offsets.
//!
//! Decisions (written into §3.2): `file_id`s index the exported `file_table` (see
//! [`FileTable`]), not the session's `FileDb`; the prelude is included (file 0, URI
//! `prometeu:prelude.pbs`; its module is the last one, with project `""`); the error
//! type of §11 recovery has kind `unknown` (a declared error type has kind `error`);
//! symbols carry their `parent`, and `facts.signatures` lists every function's
//! signature, since neither can be rebuilt otherwise. Every list is sorted by its IDs.

use prometeu_analysis::project::ProjectGraph;
use prometeu_analysis::semantics::TypeKind;
use prometeu_analysis::{Analysis, Severity, Span};
use serde::{Deserialize, Serialize};

use super::symbols_json::is_exported;
use super::{FileTable, to_pretty_json};

/// The `schema_version` this module writes.
pub const ANALYSIS_SCHEMA_VERSION: u32 = 0;

/// The whole `analysis.json` file.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AnalysisJson {
    /// Always [`ANALYSIS_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Every file a span may name, by `file_id`.
    pub file_table: Vec<FileEntry>,
    /// Every module, by `module_id`; the prelude's module last.
    pub modules: Vec<ModuleEntry>,
    /// Every interned identifier, by `name_id`.
    pub names: Vec<NameEntry>,
    /// Every symbol, by `symbol_id`.
    pub symbols: Vec<SymbolEntry>,
    /// The uses of every used symbol, by `symbol_id`.
    pub refs: Vec<RefEntry>,
    /// Every type, by `type_id`.
    pub types: Vec<TypeEntry>,
    /// What the type checker recorded.
    pub facts: Facts,
    /// Every diagnostic, sorted by file, start, code, end and message.
    pub diagnostics: Vec<DiagnosticEntry>,
}

/// One file.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FileEntry {
    /// Its ID in this export.
    pub file_id: u32,
    /// Its display path (`src/main.pbs`, `@math/src/lib.pbs`, `prometeu:prelude.pbs`).
    pub uri: String,
}

/// One module.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ModuleEntry {
    /// The analysis's module ID.
    pub module_id: u32,
    /// The name of its project (`""` for the prelude's module).
    pub project: String,
    /// The directory under `src/` (`""` for `src/` itself).
    pub path: String,
}

/// One interned identifier.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NameEntry {
    /// The analysis's name ID.
    pub name_id: u32,
    /// The identifier.
    pub text: String,
}

/// One symbol.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SymbolEntry {
    /// The analysis's symbol ID.
    pub symbol_id: u32,
    /// Its name.
    pub name_id: u32,
    /// `function`, `method`, …, `local`, `param` (`SymbolKind::export_kind`).
    pub kind: String,
    /// Whether it can be named from everywhere.
    pub exported: bool,
    /// The module it is declared in.
    pub module_id: u32,
    /// The declaration's name token.
    pub decl_span: SpanEntry,
    /// The struct, service, error or contract it is a member of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
}

/// A byte range of one file.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct SpanEntry {
    /// The file, in `file_table`.
    pub file_id: u32,
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

/// The uses of one symbol.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RefEntry {
    /// The symbol used.
    pub symbol_id: u32,
    /// The name token of every use, sorted.
    pub spans: Vec<SpanEntry>,
}

/// One type, with the fields needed to rebuild it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TypeEntry {
    /// The analysis's type ID.
    pub type_id: u32,
    /// See [`type_kind_name`].
    pub kind: String,
    /// The element type of `array`, `optional`, `ref` and `list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<u32>,
    /// The length of an `array`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub len: Option<u32>,
    /// The success type of a `result`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<u32>,
    /// The error type of a `result`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err: Option<u32>,
    /// The declaring symbol of a `struct`, `error`, `service` or `contract`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol_id: Option<u32>,
    /// The type as a hover prints it.
    pub display: String,
}

/// The type checker's facts.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Facts {
    /// The type of every checked expression node, sorted by file and node.
    pub node_type: Vec<NodeTypeEntry>,
    /// The type of every value or type symbol that has one, sorted by symbol.
    pub symbol_type: Vec<SymbolTypeEntry>,
    /// The signature of every function symbol that has one, sorted by symbol.
    pub signatures: Vec<SignatureEntry>,
}

/// The type of one expression node.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NodeTypeEntry {
    /// The node's file.
    pub file_id: u32,
    /// The node in its file's syntax tree.
    pub node_id: u32,
    /// Its type.
    pub type_id: u32,
    /// The node's first byte (node IDs mean nothing without the tree; offsets do).
    pub start: u32,
    /// One past the node's last byte.
    pub end: u32,
}

/// The type of one symbol.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SymbolTypeEntry {
    /// The symbol.
    pub symbol_id: u32,
    /// Its type.
    pub type_id: u32,
}

/// The signature of one function symbol.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SignatureEntry {
    /// The function.
    pub symbol_id: u32,
    /// `"self"` or `"mut self"` for a method; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
    /// The parameter types after `self`, in order.
    pub params: Vec<u32>,
    /// The return type (`void` when none is written).
    pub ret: u32,
}

/// One diagnostic.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DiagnosticEntry {
    /// `error` or `warning`.
    pub severity: Severity,
    /// The stable code, e.g. `E_TYPE_MISMATCH`.
    pub code: String,
    /// Human text.
    pub message: String,
    /// What an editor underlines.
    pub span: SpanEntry,
    /// Secondary locations.
    pub related: Vec<RelatedEntry>,
}

/// A secondary location of a diagnostic.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RelatedEntry {
    /// What this location is.
    pub message: String,
    /// Where it is.
    pub span: SpanEntry,
}

/// The `kind` of a type entry: `primitive` (`int`, `float`, `bounded`, `bool`,
/// `string`: `display` says which), `void`, `unknown` (the error type of §11 recovery),
/// `struct`, `error`, `service`, `contract`, `array`, `optional`, `result`, `ref`, `list`.
pub const fn type_kind_name(kind: TypeKind) -> &'static str {
    match kind {
        TypeKind::Error => "unknown",
        TypeKind::Void => "void",
        TypeKind::Int | TypeKind::Float | TypeKind::Bounded | TypeKind::Bool | TypeKind::String => {
            "primitive"
        }
        TypeKind::Struct(_) => "struct",
        TypeKind::ErrorType(_) => "error",
        TypeKind::Service(_) => "service",
        TypeKind::Contract(_) => "contract",
        TypeKind::Array(..) => "array",
        TypeKind::Optional(_) => "optional",
        TypeKind::Result(..) => "result",
        TypeKind::Ref(_) => "ref",
        TypeKind::List(_) => "list",
    }
}

/// Builds the `analysis.json` model of `analysis` (which must come from `graph`).
pub fn analysis_export(analysis: &Analysis, graph: &ProjectGraph) -> AnalysisJson {
    let mut files = FileTable::new(analysis, graph);

    let mut modules: Vec<ModuleEntry> = graph
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| ModuleEntry {
            module_id: i as u32,
            project: graph.project(m.project).name.clone(),
            path: m.path.clone(),
        })
        .collect();
    modules.push(ModuleEntry {
        module_id: analysis.prelude_module.0,
        project: String::new(),
        path: String::new(),
    });

    let names = analysis
        .names
        .iter()
        .map(|(id, text)| NameEntry {
            name_id: id.0,
            text: text.to_string(),
        })
        .collect();

    let symbols = analysis
        .symbols
        .iter()
        .map(|(id, s)| SymbolEntry {
            symbol_id: id.0,
            name_id: s.name.0,
            kind: s.kind.export_kind().to_string(),
            exported: is_exported(analysis, id),
            module_id: s.module.0,
            decl_span: span_entry(&mut files, s.decl_span),
            parent: s.parent.map(|p| p.0),
        })
        .collect();

    let refs = analysis
        .refs
        .used_symbols()
        .into_iter()
        .map(|id| {
            let mut spans: Vec<SpanEntry> = analysis
                .refs
                .refs(id)
                .iter()
                .map(|r| span_entry(&mut files, r.span))
                .collect();
            // File IDs are renumbered, so the analysis's order is not the export's.
            spans.sort_unstable();
            spans.dedup();
            RefEntry {
                symbol_id: id.0,
                spans,
            }
        })
        .collect();

    let types = analysis
        .types
        .iter()
        .map(|(id, kind)| type_entry(analysis, id.0, kind))
        .collect();

    let mut node_type: Vec<NodeTypeEntry> = analysis
        .facts
        .node_types()
        .into_iter()
        .map(|((file, node), ty)| {
            let span = analysis
                .parse(file)
                .filter(|parse| node.index() < parse.arena.len())
                .map_or(Span::empty(file, 0), |parse| parse.arena.span(node));
            NodeTypeEntry {
                file_id: files.id(file),
                node_id: node.0,
                type_id: ty.0,
                start: span.start,
                end: span.end,
            }
        })
        .collect();
    node_type.sort_unstable_by_key(|e| (e.file_id, e.node_id));
    let symbol_type = analysis
        .facts
        .symbol_types()
        .into_iter()
        .map(|(symbol, ty)| SymbolTypeEntry {
            symbol_id: symbol.0,
            type_id: ty.0,
        })
        .collect();
    let signatures = analysis
        .symbols
        .iter()
        .filter_map(|(id, _)| {
            let signature = analysis.facts.signature(id)?;
            Some(SignatureEntry {
                symbol_id: id.0,
                receiver: signature
                    .receiver
                    .map(|is_mut| if is_mut { "mut self" } else { "self" }.to_string()),
                params: signature.params.iter().map(|t| t.0).collect(),
                ret: signature.ret.0,
            })
        })
        .collect();

    let mut diagnostics: Vec<DiagnosticEntry> = analysis
        .diagnostics
        .iter()
        .map(|d| DiagnosticEntry {
            severity: d.severity,
            code: d.code.as_str().to_string(),
            message: d.message.clone(),
            span: span_entry(&mut files, d.span),
            related: d
                .related
                .iter()
                .map(|r| RelatedEntry {
                    message: r.message.clone(),
                    span: span_entry(&mut files, r.span),
                })
                .collect(),
        })
        .collect();
    diagnostics.sort_by(|a, b| {
        (
            a.span.file_id,
            a.span.start,
            &a.code,
            a.span.end,
            &a.message,
        )
            .cmp(&(
                b.span.file_id,
                b.span.start,
                &b.code,
                b.span.end,
                &b.message,
            ))
    });

    let file_table = files
        .iter()
        .map(|(file_id, uri)| FileEntry {
            file_id,
            uri: uri.to_string(),
        })
        .collect();
    AnalysisJson {
        schema_version: ANALYSIS_SCHEMA_VERSION,
        file_table,
        modules,
        names,
        symbols,
        refs,
        types,
        facts: Facts {
            node_type,
            symbol_type,
            signatures,
        },
        diagnostics,
    }
}

/// The text of `analysis.json` for `analysis` (which must come from `graph`):
/// pretty-printed, with a trailing newline, byte-identical for identical sources.
pub fn analysis_json(analysis: &Analysis, graph: &ProjectGraph) -> String {
    to_pretty_json(&analysis_export(analysis, graph))
}

/// A span with its file renumbered into the export's file table.
fn span_entry(files: &mut FileTable, span: Span) -> SpanEntry {
    SpanEntry {
        file_id: files.id(span.file),
        start: span.start,
        end: span.end,
    }
}

fn type_entry(analysis: &Analysis, type_id: u32, kind: TypeKind) -> TypeEntry {
    let mut entry = TypeEntry {
        type_id,
        kind: type_kind_name(kind).to_string(),
        inner: None,
        len: None,
        ok: None,
        err: None,
        symbol_id: None,
        display: analysis.display_type(prometeu_analysis::TypeId(type_id)),
    };
    match kind {
        TypeKind::Error
        | TypeKind::Void
        | TypeKind::Int
        | TypeKind::Float
        | TypeKind::Bounded
        | TypeKind::Bool
        | TypeKind::String => {}
        TypeKind::Struct(s)
        | TypeKind::ErrorType(s)
        | TypeKind::Service(s)
        | TypeKind::Contract(s) => entry.symbol_id = Some(s.0),
        TypeKind::Array(inner, len) => {
            entry.inner = Some(inner.0);
            entry.len = Some(len);
        }
        TypeKind::Optional(inner) | TypeKind::Ref(inner) | TypeKind::List(inner) => {
            entry.inner = Some(inner.0);
        }
        TypeKind::Result(ok, err) => {
            entry.ok = Some(ok.0);
            entry.err = Some(err.0);
        }
    }
    entry
}
