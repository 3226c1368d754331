//! The analysis core of PBS: source files, names, syntax, symbols, types and
//! diagnostics.
//!
//! Everything the compiler and the language server know about a PBS program is built
//! here, as immutable arenas addressed by small integer IDs. This crate knows nothing of
//! bytecode, the LSP protocol or the file system layout of a cartridge; it depends on no
//! other crate of the workspace.

pub mod analysis;
pub mod diagnostic;
pub mod file_db;
pub mod format;
pub mod ide;
pub mod ids;
pub mod interner;
pub mod line_index;
pub mod project;
pub mod semantics;
pub mod span;
pub mod stack;
pub mod syntax;

pub use analysis::{Analysis, analyze, analyze_cancellable};
pub use diagnostic::{Diagnostic, DiagnosticCode, Related, Severity};
pub use file_db::FileDb;
pub use ids::{FileId, ModuleId, NameId, NodeId, ProjectId, SymbolId, TypeId};
pub use interner::NameInterner;
pub use line_index::{LineCol, LineIndex};
pub use semantics::AnalysisStats;
pub use span::Span;
pub use syntax::{AstArena, NodeKind, Parse, parse_file};
