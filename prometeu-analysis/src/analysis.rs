//! The entry point of the semantic analysis: [`analyze`] turns a loaded
//! [`ProjectGraph`] into one immutable [`Analysis`] — parses, symbols, indexes, types,
//! facts and every diagnostic — that the compiler and the language server read.
//!
//! **Incremental re-analysis.** Pass the previous [`Analysis`] of the same session: a
//! file whose text is unchanged (the same `Arc` or equal text) keeps its parse, and the
//! name interner is carried forward (it only grows, so the reused parses' `NameId`s stay
//! valid). When only one file's function bodies changed, only they are checked and
//! everything else is shared with the previous analysis (`semantics/fast.rs`);
//! otherwise bodies are replayed where their inputs are unchanged (`semantics/memo.rs`).
//! Either way symbol and type IDs depend only on the graph's file order and the texts,
//! never on what was analysed before.

use std::collections::HashMap;
use std::sync::Arc;

use crate::project::ProjectGraph;
use crate::semantics::consts::ConstValue;
use crate::semantics::fast::{FastState, Previous, Recheck, recheck_file};
use crate::semantics::memo::{AnalysisStats, BodyLocals, Memo};
use crate::semantics::{
    DefIndex, FileInput, RefIndex, SymbolArena, TypeArena, TypeFacts, analyze_program,
};
use crate::{
    Diagnostic, FileDb, FileId, ModuleId, NameInterner, NodeId, Parse, ProjectId, Span, SymbolId,
    TypeId, diagnostic, parse_file,
};

/// The URI of the embedded prelude in the [`FileDb`].
pub const PRELUDE_URI: &str = "prometeu:prelude.pbs";

/// The prelude's PBS source (`docs/spec/pbs-language.md` §10).
pub const PRELUDE_SOURCE: &str = include_str!("prelude.pbs");

/// One analysed file.
#[derive(Clone, Debug)]
pub struct AnalyzedFile {
    /// The file.
    pub file: FileId,
    /// Its module ([`Analysis::prelude_module`] for the prelude).
    pub module: ModuleId,
    /// Its project; `None` for the prelude.
    pub project: Option<ProjectId>,
    /// The text it was parsed from.
    pub text: Arc<str>,
    /// The syntax tree and syntax diagnostics.
    pub parse: Arc<Parse>,
}

/// Everything the analysis knows about a program. Immutable once built.
#[derive(Debug)]
pub struct Analysis {
    /// Every identifier of every file.
    pub names: NameInterner,
    /// The prelude first, then the graph's files in graph order.
    pub files: Vec<AnalyzedFile>,
    /// The prelude's file.
    pub prelude_file: FileId,
    /// The prelude's module: one past the graph's modules.
    pub prelude_module: ModuleId,
    /// Every symbol (prelude first, then files in graph order, each in source order).
    pub symbols: SymbolArena,
    /// Top-level items and members by name.
    pub defs: DefIndex,
    /// Every use of every symbol, and the symbol of every resolved name node.
    pub refs: RefIndex,
    /// Every type.
    pub types: TypeArena,
    /// Types of expressions and symbols, function signatures.
    pub facts: TypeFacts,
    /// Folded values of constants and service field initialisers.
    pub const_values: Arc<HashMap<SymbolId, ConstValue>>,
    /// Loading, syntax and semantic diagnostics, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// How much this analysis parsed and checked, and how much it reused.
    pub stats: AnalysisStats,
    file_index: HashMap<FileId, usize>,
    /// The body records the next analysis of the session may replay.
    memo: Arc<Memo>,
    /// Every body with its locals, sorted by file and position.
    bodies: Vec<BodyLocals>,
    /// What the next analysis needs to re-check one file's bodies alone.
    fast: FastState,
    /// The interner's size after the last analysis that started from scratch: the
    /// interner only grows while edits reuse it, so once it is more than twice this
    /// (plus [`NAMES_SLACK`]) the session starts over with a fresh one.
    names_baseline: usize,
}

/// How many names an interner may gain beyond twice its size after the last fresh
/// analysis before the next analysis starts from scratch (bounds a long session's
/// memory: garbage never exceeds live data by more than this).
pub const NAMES_SLACK: usize = 4096;

impl Analysis {
    /// The analysed file `file`, if it is part of this analysis.
    pub fn file(&self, file: FileId) -> Option<&AnalyzedFile> {
        self.file_index.get(&file).map(|&i| &self.files[i])
    }

    /// The parse of `file`.
    pub fn parse(&self, file: FileId) -> Option<&Parse> {
        self.file(file).map(|f| &*f.parse)
    }

    /// A symbol's name.
    pub fn symbol_name(&self, symbol: SymbolId) -> &str {
        self.names.resolve(self.symbols.get(symbol).name)
    }

    /// A type as a hover prints it.
    pub fn display_type(&self, ty: TypeId) -> String {
        self.types.display(ty, &self.symbols, &self.names)
    }

    /// The symbol named by the token at `offset` of `file` (a use, a declaration's
    /// name, an import name, a member name), with the name node.
    pub fn symbol_at_offset(&self, file: FileId, offset: u32) -> Option<(NodeId, SymbolId)> {
        let node = self.parse(file)?.arena.node_at_offset(offset)?;
        Some((node, self.refs.symbol_at(file, node)?))
    }

    /// The symbols of `file`'s top-level items, in source order (an item without a name
    /// has none).
    pub fn item_symbols(&self, file: FileId) -> Vec<SymbolId> {
        let Some(arena) = self.parse(file).map(|p| &p.arena) else {
            return Vec::new();
        };
        arena
            .items()
            .iter()
            .filter_map(|&item| arena.kind(item).declared_name())
            .filter_map(|name| self.refs.symbol_at(file, name))
            .collect()
    }

    /// How far `symbol` is visible (§4.1); `Reach::Everywhere` is `exported` in
    /// `symbols.json`.
    pub fn reach(&self, symbol: SymbolId) -> crate::semantics::Reach {
        crate::semantics::reach(&self.symbols, self.prelude_module, symbol)
    }

    /// A function's signature as hovers and signature help show it, e.g.
    /// `fn add(self, o: Vec2): Vec2` or `fn clear(c: Color)`; `None` for a non-function.
    pub fn signature_text(&self, symbol: SymbolId) -> Option<String> {
        let sym = self.symbols.get(symbol);
        let signature = self.facts.signature(symbol)?;
        let arena = &self.parse(sym.node.0)?.arena;
        let crate::NodeKind::FnDecl { sig, .. } = *arena.kind(sym.node.1) else {
            return None;
        };
        let crate::NodeKind::FnSig { params, .. } = *arena.kind(sig) else {
            return None;
        };
        let mut parts = Vec::new();
        let mut types = signature.params.iter();
        for &p in arena.list(params) {
            match *arena.kind(p) {
                crate::NodeKind::SelfParam { is_mut } => {
                    parts.push(if is_mut { "mut self" } else { "self" }.to_string());
                }
                crate::NodeKind::Param { is_mut, name, .. } => {
                    let name = match *arena.kind(name) {
                        crate::NodeKind::Name { name } => self.names.resolve(name),
                        _ => "_",
                    };
                    let ty = types
                        .next()
                        .map_or("{unknown}".to_string(), |&t| self.display_type(t));
                    let mutability = if is_mut { "mut " } else { "" };
                    parts.push(format!("{mutability}{name}: {ty}"));
                }
                _ => {}
            }
        }
        let ret = match self.types.kind(signature.ret) {
            crate::semantics::TypeKind::Void => String::new(),
            _ => format!(": {}", self.display_type(signature.ret)),
        };
        Some(format!(
            "fn {}({}){ret}",
            self.symbol_name(symbol),
            parts.join(", ")
        ))
    }

    /// The locals in scope at `offset` of `file` (what completion offers before the
    /// module-level names): the parameters and the locals declared before `offset` whose
    /// scope contains it, in declaration order, a shadowed local replaced by the one
    /// that hides it. Empty outside bodies. Costs the locals of one body.
    pub fn locals_in_scope(&self, file: FileId, offset: u32) -> Vec<SymbolId> {
        let after = self
            .bodies
            .partition_point(|b| (b.file, b.start) <= (file, offset));
        let Some(body) = after
            .checked_sub(1)
            .map(|i| self.bodies[i])
            .filter(|b| b.file == file && offset <= b.end)
        else {
            return Vec::new();
        };
        let Some(arena) = self.parse(file).map(|p| &p.arena) else {
            return Vec::new();
        };
        let mut visible: Vec<SymbolId> = Vec::new();
        for s in body.first..body.first + body.count {
            let symbol = SymbolId(s);
            let local = self.symbols.get(symbol);
            if local.duplicate || !local_scope(arena, local, body.end).touches(offset) {
                continue;
            }
            visible.retain(|&v| self.symbols.get(v).name != local.name);
            visible.push(symbol);
        }
        visible
    }

    /// How many body records this analysis keeps for the next one (one per recorded
    /// body of the current texts: records of deleted or changed bodies are dropped).
    pub fn memo_len(&self) -> usize {
        self.memo.len()
    }

    /// Whether any diagnostic is an error (then no bytecode may be produced).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
    }
}

/// Where a local can be named: from the end of its declaration (a `let` statement, a
/// parameter, a pattern's name) to the end of what declares it: the enclosing block of a
/// `let`, the body of a `for` or a view, the arm of a pattern, the function of a
/// parameter (which ends at `body_end`).
fn local_scope(arena: &crate::AstArena, local: &crate::semantics::Symbol, body_end: u32) -> Span {
    let node = local.node.1;
    let file = local.decl_span.file;
    let span = |start: u32, end: u32| Span::new(file, start, end.max(start));
    match *arena.kind(node) {
        crate::NodeKind::LetStmt { .. } => {
            let end = arena.parent(node).map_or(body_end, |p| arena.span(p).end);
            span(arena.span(node).end, end)
        }
        crate::NodeKind::ForStmt { body, .. } | crate::NodeKind::View { body, .. } => {
            let block = arena.span(body);
            span(block.start, block.end)
        }
        _ if local.kind == crate::semantics::SymbolKind::Param => {
            span(local.decl_span.end, body_end)
        }
        _ => {
            let arm = arena
                .ancestors(node)
                .find(|&a| matches!(arena.kind(a), crate::NodeKind::Arm { .. }));
            let end = arm.map_or(body_end, |a| arena.span(a).end);
            span(local.decl_span.end, end)
        }
    }
}

/// The index of the one file whose text changed since `previous` when nothing else did
/// (the same files, modules and projects in the same order): the case a re-check of
/// that file's bodies may handle (`semantics/fast.rs` decides).
fn body_edit(previous: &Analysis, files: &[AnalyzedFile]) -> Option<usize> {
    if previous.files.len() != files.len() {
        return None;
    }
    let mut changed = None;
    for (index, (old, new)) in previous.files.iter().zip(files).enumerate() {
        if (old.file, old.module, old.project) != (new.file, new.module, new.project) {
            return None;
        }
        if !Arc::ptr_eq(&old.parse, &new.parse) {
            if changed.is_some() {
                return None;
            }
            changed = Some(index);
        }
    }
    changed
}

/// Analyses the program of `graph`: parses every file (reusing `previous`'s parses of
/// unchanged files), adds the prelude to `db` under [`PRELUDE_URI`], resolves names,
/// checks types and collects every diagnostic.
pub fn analyze(
    graph: &ProjectGraph,
    db: &mut FileDb,
    previous: Option<&Analysis>,
) -> Arc<Analysis> {
    analyze_cancellable(graph, db, previous, &|| false).expect("never cancelled")
}

/// [`analyze`] that asks `is_cancelled` between files and phases and gives up with
/// `None` as soon as it answers `true` (a language server's newer edit made the work
/// moot). `db` may have gained the prelude, nothing else.
pub fn analyze_cancellable(
    graph: &ProjectGraph,
    db: &mut FileDb,
    previous: Option<&Analysis>,
    is_cancelled: &dyn Fn() -> bool,
) -> Option<Arc<Analysis>> {
    let prelude_file = db.upsert(PRELUDE_URI, PRELUDE_SOURCE);
    let prelude_module = ModuleId::from_index(graph.modules.len());
    // Garbage bound: an interner that doubled since the last fresh start is rebuilt
    // (with it every parse and record, whose `NameId`s it numbers).
    let previous = previous.filter(|p| p.names.len() <= 2 * p.names_baseline + NAMES_SLACK);
    let mut names = previous.map(|p| p.names.clone()).unwrap_or_default();
    let mut files_parsed = 0;
    let mut files = Vec::with_capacity(graph.files.len() + 1);
    let sources = std::iter::once((prelude_file, prelude_module, None)).chain(
        graph
            .files
            .iter()
            .map(|f| (f.file, f.module, Some(f.project))),
    );
    for (file, module, project) in sources {
        if is_cancelled() {
            return None;
        }
        let text = Arc::clone(db.text(file));
        let reused = previous
            .and_then(|p| p.file(file))
            .filter(|old| Arc::ptr_eq(&old.text, &text) || *old.text == *text)
            .map(|old| Arc::clone(&old.parse));
        let parse = reused.unwrap_or_else(|| {
            files_parsed += 1;
            Arc::new(parse_file(file, &text, &mut names))
        });
        files.push(AnalyzedFile {
            file,
            module,
            project,
            text,
            parse,
        });
    }
    let inputs: Vec<FileInput> = files
        .iter()
        .map(|f| FileInput {
            file: f.file,
            module: f.module,
            project: f.project,
            parse: Arc::clone(&f.parse),
            text: Arc::clone(&f.text),
        })
        .collect();
    let mut output = match previous.and_then(|p| body_edit(p, &files)) {
        Some(index) => {
            let p = previous.expect("a body edit has a previous analysis");
            let previous_file = &p.files[index];
            let from = Previous {
                symbols: &p.symbols,
                refs: &p.refs,
                types: &p.types,
                facts: &p.facts,
                defs: &p.defs,
                const_values: &p.const_values,
                memo: &p.memo,
                bodies: &p.bodies,
                fast: &p.fast,
                parse: &previous_file.parse,
                text: &previous_file.text,
            };
            match recheck_file(
                from,
                graph,
                &mut names,
                &inputs,
                prelude_module,
                index,
                is_cancelled,
            ) {
                Recheck::Done(output) => *output,
                Recheck::Cancelled => return None,
                Recheck::NotApplicable => analyze_program(
                    graph,
                    &mut names,
                    &inputs,
                    prelude_module,
                    Some(Arc::clone(&p.memo)),
                    is_cancelled,
                )?,
            }
        }
        None => analyze_program(
            graph,
            &mut names,
            &inputs,
            prelude_module,
            previous.map(|p| Arc::clone(&p.memo)),
            is_cancelled,
        )?,
    };
    output.stats.files_parsed = files_parsed;
    let mut diagnostics = graph.diagnostics.clone();
    for f in &files {
        diagnostics.extend(f.parse.diagnostics.iter().cloned());
    }
    diagnostics.extend(output.diagnostics);
    diagnostic::sort_diagnostics(&mut diagnostics);
    diagnostics.dedup();
    let file_index = files.iter().enumerate().map(|(i, f)| (f.file, i)).collect();
    let names_baseline = previous.map_or(names.len(), |p| p.names_baseline);
    Some(Arc::new(Analysis {
        names,
        files,
        prelude_file,
        prelude_module,
        symbols: output.symbols,
        defs: output.defs,
        refs: output.refs,
        types: output.types,
        facts: output.facts,
        const_values: output.const_values,
        diagnostics,
        file_index,
        stats: output.stats,
        bodies: output.bodies,
        fast: output.fast,
        memo: Arc::new(output.memo),
        names_baseline,
    }))
}
