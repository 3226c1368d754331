//! The semantic core: symbols, name resolution and type checking of a whole program
//! (`docs/spec/pbs-language.md` §3–§11).
//!
//! The phases run in order over the files of a [`crate::project::ProjectGraph`] (the
//! prelude first), each reading what the previous one produced:
//!
//! 1. `collect`: one symbol per item and member, the def index, duplicate and
//!    host-contract checks; then imports; then the types of type items, signatures,
//!    field and constant types; structs that contain themselves; contract conformance;
//! 2. `body`: every constant and service field initialiser, then every function body, is
//!    resolved and type-checked in one walk (locals are scoped as the walk goes);
//!    [`consts`] folds constants (dependencies first) between the two;
//! 3. `lints`: unused declarations and entry points, once every use is known.
//!
//! **Architecture Invariant:** nothing here panics on any tree the parser produces:
//! error nodes and missing names are skipped, and a name or type that failed once has
//! the error type from then on, so one mistake yields one diagnostic.

mod body;
pub mod builtins;
mod collect;
pub mod consts;
pub(crate) mod fast;
mod foreign;
mod fx;
mod lints;
pub(crate) mod memo;
pub mod sizes;
pub mod symbols;
mod tables;
pub mod types;

use std::collections::HashMap;
use std::sync::Arc;

pub use memo::AnalysisStats;
pub use symbols::{
    DefIndex, Namespace, RefIndex, RefKind, Reference, Symbol, SymbolArena, SymbolKind,
};
pub use types::{FnSignature, TypeArena, TypeFacts, TypeKind};

use crate::project::ProjectGraph;
use crate::syntax::Visibility;
use crate::{
    Diagnostic, DiagnosticCode, FileId, ModuleId, NameId, NameInterner, NodeId, Parse, ProjectId,
    Span, SymbolId,
};

/// One file as the semantic phases see it.
pub(crate) struct FileInput {
    pub file: FileId,
    pub module: ModuleId,
    /// `None` for the prelude.
    pub project: Option<ProjectId>,
    pub parse: Arc<Parse>,
    /// The text it was parsed from (bodies are matched by text across analyses).
    pub text: Arc<str>,
}

/// One imported name of a file.
#[derive(Clone, Debug)]
pub(crate) struct ImportBinding {
    /// The imported item; `None` when the import failed (already reported).
    pub target: Option<SymbolId>,
    /// The local name's token (the alias when there is one).
    pub span: Span,
    /// Whether the import itself produced an error (no unused warning then).
    pub errored: bool,
    /// Whether any name resolved through it.
    pub used: bool,
}

/// The result of looking a name up in a file's module-level scopes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Lookup {
    /// The name denotes this symbol.
    Found(SymbolId),
    /// The name denotes a failed import: already reported, stay quiet.
    Quiet,
    /// Only an item this file cannot see has this name.
    Hidden(SymbolId),
    /// The name exists, but in the other namespace.
    WrongNamespace(SymbolId),
    /// Nothing has this name.
    Missing,
}

/// What the semantic phases produce.
pub(crate) struct Output {
    pub symbols: SymbolArena,
    pub defs: DefIndex,
    pub refs: RefIndex,
    pub types: TypeArena,
    pub facts: TypeFacts,
    pub const_values: Arc<HashMap<SymbolId, consts::ConstValue>>,
    pub diagnostics: Vec<Diagnostic>,
    /// What the next analysis of the session may reuse.
    pub memo: memo::Memo,
    /// What the next analysis needs to re-check one file's bodies alone.
    pub fast: fast::FastState,
    /// What this analysis checked and reused.
    pub stats: memo::AnalysisStats,
    /// Every body with its locals, sorted by file and position.
    pub bodies: Vec<memo::BodyLocals>,
}

/// Well-known names, interned once.
pub(crate) struct KnownNames {
    pub self_: NameId,
    pub underscore: NameId,
    pub frame: NameId,
    pub init: NameId,
}

/// The state shared by every phase while one program is analysed.
pub(crate) struct Checker<'a> {
    pub graph: &'a ProjectGraph,
    pub names: &'a mut NameInterner,
    pub files: &'a [FileInput],
    pub file_index: fx::FxHashMap<FileId, usize>,
    pub prelude_module: ModuleId,
    pub known: KnownNames,
    pub symbols: SymbolArena,
    pub defs: DefIndex,
    pub refs: RefIndex,
    pub types: TypeArena,
    pub facts: TypeFacts,
    pub diagnostics: Vec<Diagnostic>,
    /// The symbol declared by a declaration node.
    pub decl_symbol: fx::FxHashMap<(FileId, NodeId), SymbolId>,
    /// Every file's imports by local name.
    pub imports: fx::FxHashMap<FileId, fx::FxHashMap<NameId, ImportBinding>>,
    /// Import bindings in source order, for deterministic warnings.
    pub import_order: Vec<(FileId, NameId)>,
    /// Item symbols in declaration order: `(file index, decl node, symbol)`.
    pub items: Vec<(usize, NodeId, SymbolId)>,
    /// Constant values, once evaluated (see [`consts`]); shared with the analyses that
    /// re-check one file (`fast`).
    pub const_values: Arc<fx::FxHashMap<SymbolId, consts::ConstState>>,
    /// How deep constant evaluation is nested right now.
    pub const_depth: u32,
    /// Asked between files and phases: `true` stops the analysis (a newer edit came).
    pub is_cancelled: &'a dyn Fn() -> bool,
    /// Set once `is_cancelled` said so; every later phase is skipped.
    pub cancelled: bool,
    /// Arrays written in types and expressions, checked by [`sizes`] after the bodies.
    pub arrays: Vec<sizes::ArraySite>,
    /// Body reuse across analyses (see [`memo`]).
    pub memo: memo::MemoState,
    /// While a body is recorded: the imports it marked used.
    pub import_trail: Option<Vec<(FileId, NameId)>>,
    /// The unused-declaration warnings, by subject (kept apart for `fast`).
    pub lints: Vec<(lints::LintSubject, Diagnostic)>,
    /// Per file index: what a later analysis needs to re-check its bodies alone.
    pub file_facts: Vec<fast::FileFacts>,
}

/// The project a [`ProjectGraph`] was loaded from (dependencies come after it).
const ROOT_PROJECT: ProjectId = ProjectId(0);

/// Runs every semantic phase over `files` (the prelude first); `None` when
/// `is_cancelled` answered `true` at one of its checks (between files and phases).
pub(crate) fn analyze_program(
    graph: &ProjectGraph,
    names: &mut NameInterner,
    files: &[FileInput],
    prelude_module: ModuleId,
    previous: Option<Arc<memo::Memo>>,
    is_cancelled: &dyn Fn() -> bool,
) -> Option<Output> {
    let mut checker = Checker::new(graph, names, files, prelude_module, is_cancelled);
    checker.prepare_memo(previous);
    checker.file_facts = vec![fast::FileFacts::default(); files.len()];
    checker.for_each_file(|checker, index| {
        checker.note_items(index, false);
        checker.collect_file(index);
        checker.note_items(index, true);
    });
    checker.for_each_file(Checker::resolve_imports);
    checker.phase(Checker::declare_item_types);
    checker.for_each_file(Checker::resolve_signatures);
    checker.phase(Checker::check_recursive_structs);
    checker.for_each_file(Checker::check_contracts);
    checker.for_each_file(|checker, index| {
        let first = checker.symbols.len();
        checker.check_file_consts(index);
        let count = checker.symbols.len() - first;
        checker.file_facts[index].init_locals = (first as u32, count as u32);
    });
    checker.phase(Checker::eval_consts);
    for (index, f) in files.iter().enumerate() {
        let imports = checker.imports.get(&f.file).cloned().unwrap_or_default();
        checker.file_facts[index].imports = Arc::new(imports);
    }
    checker.for_each_file(Checker::check_bodies_of_file);
    checker.phase(Checker::check_value_sizes);
    checker.phase(Checker::lint_unused);
    checker.phase(Checker::check_entry_points);
    if checker.cancelled {
        return None;
    }
    checker.refs.finish();
    let (memo, stats, bodies) = checker.take_memo();
    for (index, facts) in checker.file_facts.iter_mut().enumerate() {
        facts.items = checker.memo.items[index];
    }
    let mut diagnostics = checker.diagnostics.clone();
    for facts in &checker.file_facts {
        diagnostics.extend(facts.body_diagnostics.iter().cloned());
    }
    diagnostics.extend(checker.lints.iter().map(|(_, d)| d.clone()));
    keep_root_warnings(graph, &mut diagnostics);
    let const_values = checker
        .const_values
        .iter()
        .filter_map(|(s, state)| match state {
            consts::ConstState::Done(Some(v)) => Some((*s, v.clone())),
            _ => None,
        })
        .collect();
    let fast = fast::FastState {
        files: std::mem::take(&mut checker.file_facts),
        const_values: Arc::clone(&checker.const_values),
        other_diagnostics: Arc::new(std::mem::take(&mut checker.diagnostics)),
        lints: Arc::new(std::mem::take(&mut checker.lints)),
        interface: checker.memo.interface.clone(),
        deps: checker.memo.deps.clone(),
        module: checker.memo.module.clone(),
        patched: None,
    };
    Some(Output {
        symbols: checker.symbols,
        defs: checker.defs,
        refs: checker.refs,
        types: checker.types,
        facts: checker.facts,
        const_values: Arc::new(const_values),
        diagnostics,
        memo,
        stats,
        bodies,
        fast,
    })
}

/// Warnings in a dependency's files are for that project's authors, not for the one
/// that uses it (`toolchain.md` §1); its errors still stop the build.
pub(crate) fn keep_root_warnings(graph: &ProjectGraph, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.retain(|d| {
        d.severity == crate::Severity::Error
            || graph
                .source_file(d.span.file)
                .is_none_or(|f| f.project == ROOT_PROJECT)
    });
}

impl<'a> Checker<'a> {
    /// A checker with nothing analysed yet.
    pub(crate) fn new(
        graph: &'a ProjectGraph,
        names: &'a mut NameInterner,
        files: &'a [FileInput],
        prelude_module: ModuleId,
        is_cancelled: &'a dyn Fn() -> bool,
    ) -> Checker<'a> {
        let known = KnownNames::new(names);
        Checker {
            graph,
            names,
            files,
            file_index: files.iter().enumerate().map(|(i, f)| (f.file, i)).collect(),
            prelude_module,
            known,
            symbols: SymbolArena::default(),
            defs: DefIndex::default(),
            refs: RefIndex::default(),
            types: TypeArena::new(),
            facts: TypeFacts::default(),
            diagnostics: Vec::new(),
            decl_symbol: Default::default(),
            imports: Default::default(),
            import_order: Vec::new(),
            items: Vec::new(),
            const_values: Default::default(),
            const_depth: 0,
            is_cancelled,
            cancelled: false,
            arrays: Vec::new(),
            memo: memo::MemoState::default(),
            import_trail: None,
            lints: Vec::new(),
            file_facts: Vec::new(),
        }
    }

    /// Phase 3c for file `index`, with what a later re-check of the file needs: its
    /// bodies' locals, diagnostics (their arrays' sizes checked here) and created types.
    pub(crate) fn check_bodies_of_file(&mut self, index: usize) {
        let symbols = self.symbols.len();
        let diagnostics = self.diagnostics.len();
        let types = self.types.len();
        let arrays = self.arrays.len();
        self.check_file_bodies(index);
        let sites = self.arrays.split_off(arrays);
        self.check_array_sites(sites, &mut HashMap::new());
        let body_diagnostics = self.diagnostics.split_off(diagnostics);
        if let Some(facts) = self.file_facts.get_mut(index) {
            facts.body_locals = (symbols as u32, (self.symbols.len() - symbols) as u32);
            facts.body_diagnostics = Arc::new(body_diagnostics);
            facts.body_types = (types as u32, (self.types.len() - types) as u32);
        }
    }
}

/// How far a declaration is visible, from narrowest to widest (§4.1).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Reach {
    /// Inside its struct or service only.
    Owner,
    /// Its file.
    File,
    /// Its module.
    Module,
    /// Everywhere it can be named.
    Everywhere,
}

/// The effective reach of a symbol (§4.1): the narrower of its own word and its
/// owner's; fields, error cases and contract functions reach as far as their owner,
/// locals stay in their body, the prelude reaches everywhere. `Everywhere` is what
/// `symbols.json` calls `exported`.
pub fn reach(symbols: &SymbolArena, prelude_module: ModuleId, symbol: SymbolId) -> Reach {
    let sym = symbols.get(symbol);
    if sym.module == prelude_module {
        return Reach::Everywhere;
    }
    let own_member = |v: Visibility| match v {
        Visibility::Private => Reach::Owner,
        Visibility::Mod => Reach::Module,
        Visibility::Pub => Reach::Everywhere,
    };
    let own_item = |v: Visibility| match v {
        Visibility::Private => Reach::File,
        Visibility::Mod => Reach::Module,
        Visibility::Pub => Reach::Everywhere,
    };
    match (sym.kind, sym.parent) {
        (SymbolKind::Local | SymbolKind::Param, _) => Reach::Owner,
        (
            SymbolKind::Field | SymbolKind::ErrorCase | SymbolKind::ContractFn | SymbolKind::HostFn,
            Some(owner),
        ) => reach(symbols, prelude_module, owner),
        (_, Some(owner)) => own_member(sym.visibility).min(reach(symbols, prelude_module, owner)),
        (_, None) => own_item(sym.visibility),
    }
}

impl Checker<'_> {
    /// Runs a per-file phase over every file, in order (the prelude first): each phase
    /// finishes for all files before the next one starts.
    /// Runs `phase` on every file, asking for cancellation before each.
    fn for_each_file(&mut self, mut phase: impl FnMut(&mut Self, usize)) {
        for index in 0..self.files.len() {
            if self.check_cancelled() {
                return;
            }
            phase(self, index);
        }
    }

    /// Runs a whole-program phase unless the analysis was cancelled.
    fn phase(&mut self, phase: fn(&mut Self)) {
        if !self.check_cancelled() {
            phase(self);
        }
    }

    pub(crate) fn check_cancelled(&mut self) -> bool {
        self.cancelled = self.cancelled || (self.is_cancelled)();
        self.cancelled
    }

    pub(crate) fn file_input(&self, file: FileId) -> Option<&FileInput> {
        self.file_index.get(&file).map(|&i| &self.files[i])
    }

    pub(crate) fn text(&self, name: NameId) -> &str {
        self.names.resolve(name)
    }

    pub(crate) fn report(&mut self, code: DiagnosticCode, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(code, span, message));
    }

    /// The effective reach of a symbol (§4.1); see [`reach`].
    pub(crate) fn reach(&self, symbol: SymbolId) -> Reach {
        reach(&self.symbols, self.prelude_module, symbol)
    }

    /// Whether `symbol` can be named from `file` (inside the struct or service `owner`,
    /// if any), given that a path to it was found.
    pub(crate) fn visible_from(
        &self,
        symbol: SymbolId,
        file: FileId,
        owner: Option<SymbolId>,
    ) -> bool {
        let sym = self.symbols.get(symbol);
        let module = self.file_input(file).map(|f| f.module);
        match self.reach(symbol) {
            Reach::Everywhere => true,
            Reach::Module => module == Some(sym.module),
            Reach::File => sym.file() == file,
            Reach::Owner => sym.parent.is_some() && sym.parent == owner,
        }
    }

    /// Looks `name` up in `file`'s module-level scopes (§7): the module's items, then
    /// the file's imports, then the prelude. Marks an import used.
    pub(crate) fn lookup_item(&mut self, file: FileId, name: NameId, ns: Namespace) -> Lookup {
        let found = self.lookup_item_in_scopes(file, name, ns);
        // A body that failed to find a name depends on everything in scope (`memo`); a
        // name found in the other namespace (a struct constructed, `T.member`) names
        // that symbol.
        self.memo.inexact |= !matches!(found, Lookup::Found(_) | Lookup::WrongNamespace(_));
        found
    }

    fn lookup_item_in_scopes(&mut self, file: FileId, name: NameId, ns: Namespace) -> Lookup {
        let first = self.lookup_in(file, name, ns);
        if !matches!(first, Lookup::Missing | Lookup::Hidden(_)) {
            return first;
        }
        let other = match ns {
            Namespace::Type => Namespace::Value,
            Namespace::Value => Namespace::Type,
        };
        match self.lookup_in(file, name, other) {
            Lookup::Found(s) => Lookup::WrongNamespace(s),
            Lookup::Quiet => Lookup::Quiet,
            _ => first,
        }
    }

    fn lookup_in(&mut self, file: FileId, name: NameId, ns: Namespace) -> Lookup {
        let Some(module) = self.file_input(file).map(|f| f.module) else {
            return Lookup::Missing;
        };
        let mut hidden = None;
        if let Some(item) = self.defs.item(module, name, ns) {
            if self.visible_from(item, file, None) {
                return Lookup::Found(item);
            }
            hidden = Some(item);
        }
        if let Some(binding) = self.imports.get_mut(&file).and_then(|m| m.get_mut(&name)) {
            match binding.target {
                None => {
                    binding.used = true;
                    if let Some(trail) = &mut self.import_trail {
                        trail.push((file, name));
                    }
                    return Lookup::Quiet;
                }
                Some(target) => {
                    let kind = self.symbols.get(target).kind;
                    if kind.namespaces().contains(&ns) {
                        binding.used = true;
                        if let Some(trail) = &mut self.import_trail {
                            trail.push((file, name));
                        }
                        return Lookup::Found(target);
                    }
                }
            }
        }
        if let Some(item) = self.defs.item(self.prelude_module, name, ns) {
            return Lookup::Found(item);
        }
        hidden.map_or(Lookup::Missing, Lookup::Hidden)
    }

    /// Names visible from `file` that look like `name` (edit distance ≤ 2, or ⅓ of the
    /// length), best first, for "did you mean" hints.
    pub(crate) fn suggestions(&self, file: FileId, name: NameId, locals: &[NameId]) -> Vec<String> {
        let wanted = self.text(name).to_string();
        let limit = (wanted.len() / 3).clamp(1, 2);
        let mut candidates: Vec<NameId> = locals.to_vec();
        if let Some(module) = self.file_input(file).map(|f| f.module) {
            for ((m, n, _), s) in self.defs.items() {
                if (m == module && self.visible_from(s, file, None)) || m == self.prelude_module {
                    candidates.push(n);
                }
            }
        }
        if let Some(imports) = self.imports.get(&file) {
            candidates.extend(imports.keys().copied());
        }
        let mut scored: Vec<(usize, String)> = candidates
            .into_iter()
            .filter(|&n| n != name)
            .map(|n| self.text(n).to_string())
            .filter_map(|text| {
                let d = edit_distance(&wanted, &text);
                (d <= limit).then_some((d, text))
            })
            .collect();
        scored.sort();
        scored.dedup();
        scored.into_iter().take(3).map(|(_, t)| t).collect()
    }
}

/// Edit distance over bytes (names are ASCII): insertions, deletions, substitutions
/// and swaps of two adjacent letters (the commonest typo, `scael` for `scale`) each
/// count one.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Three rows: the one before the previous (for swaps), the previous, the current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            cur[j] = best;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("helpr", "helper"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("scael", "scale"), 1, "a swap is one edit");
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
    }
}
