//! Re-checking one file's function bodies against the previous analysis (incremental
//! analysis, `ARCHITECTURE.md` "Incremental analysis").
//!
//! When an edit changed only the function bodies of one file — every file's interface
//! (its text outside function bodies) is what it was — every item, signature, import,
//! constant and type of the program is what it was, and so is every other file's body
//! result. Only that file's bodies are checked again (replaying the records of those
//! whose text did not change, see `memo`), and the new analysis *shares* everything
//! else with the previous one:
//!
//! * the symbol arena keeps its base; the file's items, initialiser locals and body
//!   locals become patches over it, at the IDs they had (the items moved in the text,
//!   so their spans and nodes are mapped to the new parse); when the bodies now declare
//!   more or fewer locals, every later file's locals move by the difference
//!   ([`LocalShift`], applied when the shared tables are read);
//! * the reference index keeps its lists; those of the symbols the file used before or
//!   uses now are replaced (the other files' uses, plus the file's new ones);
//! * node facts are per file, so the file's table is replaced; types, signatures,
//!   definitions and constant values are shared as they are;
//! * the unused-declaration warnings of every symbol whose uses may have changed are
//!   computed again, and the diagnostics of other files that point into the file move
//!   with its text.
//!
//! The result must equal a fresh analysis (the property test in `tests/incremental.rs`
//! checks it), so the re-check gives up — and the whole-program path runs — whenever IDs
//! could come out differently: the file's bodies create other types than they did (they
//! are checked against the types that existed before them, so they create theirs
//! exactly as a fresh analysis would), or the analysis it starts from shares its base
//! through another file.

use std::sync::Arc;

use super::consts::ConstState;
use super::fx::FxHashMap as HashMap;
use super::lints::{LintInputs, LintSubject};
use super::memo::{self, Memo};
use super::symbols::{LocalShift, Reference, sort_references};
use super::{
    Checker, DefIndex, FileInput, ImportBinding, KnownNames, Output, RefIndex, Symbol, SymbolArena,
    TypeArena, TypeFacts,
};
use crate::project::ProjectGraph;
use crate::syntax::NodeKind;
use crate::{Diagnostic, FileId, ModuleId, NameId, NameInterner, NodeId, Parse, Span, SymbolId};

/// What a whole-program analysis keeps about one file so that a later analysis can
/// re-check that file's bodies alone.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileFacts {
    /// The symbols of its items and members: `(first, count)`.
    pub items: (u32, u32),
    /// The locals of its constants' and service fields' initialisers.
    pub init_locals: (u32, u32),
    /// The locals of its function bodies.
    pub body_locals: (u32, u32),
    /// What checking its function bodies reported (their arrays' sizes included).
    pub body_diagnostics: Arc<Vec<Diagnostic>>,
    /// The types its function bodies created: `(first, count)`.
    pub body_types: (u32, u32),
    /// Its imports as the interface phases left them (a use in a signature marks one
    /// used).
    pub imports: Arc<HashMap<NameId, ImportBinding>>,
}

/// What every analysis keeps for re-checking one file in the next.
#[derive(Clone, Debug, Default)]
pub(crate) struct FastState {
    /// Per file, in the analysis's file order.
    pub files: Vec<FileFacts>,
    /// Every constant's evaluation.
    pub const_values: Arc<HashMap<SymbolId, ConstState>>,
    /// The diagnostics of the interface phases and the program-wide checks.
    pub other_diagnostics: Arc<Vec<Diagnostic>>,
    /// The unused-declaration warnings, by what they are about.
    pub lints: Arc<Vec<(LintSubject, Diagnostic)>>,
    /// Per file: its interface hash, its module's dependency hash and its module's
    /// interface hash (see `memo`).
    pub interface: Vec<u64>,
    pub deps: Vec<u64>,
    pub module: Vec<u64>,
    /// The file whose symbols are patches over the shared base, if any, and how many
    /// body locals the base has for it.
    pub patched: Option<(usize, u32)>,
}

/// The parts of the previous analysis a re-check starts from.
pub(crate) struct Previous<'a> {
    pub symbols: &'a SymbolArena,
    pub refs: &'a RefIndex,
    pub types: &'a TypeArena,
    pub facts: &'a TypeFacts,
    pub defs: &'a DefIndex,
    pub const_values: &'a Arc<std::collections::HashMap<SymbolId, super::consts::ConstValue>>,
    pub memo: &'a Arc<Memo>,
    pub bodies: &'a [memo::BodyLocals],
    pub fast: &'a FastState,
    /// The file's previous parse and text.
    pub parse: &'a Parse,
    pub text: &'a str,
}

/// How a re-check ended.
pub(crate) enum Recheck {
    /// The new analysis.
    Done(Box<Output>),
    /// Its conditions do not hold: analyse the whole program.
    NotApplicable,
    /// A newer edit came.
    Cancelled,
}

/// Most lists a session may replace before the next whole-program analysis rebuilds the
/// base (keeps each re-check's copy of the replaced lists small).
const MAX_OVERRIDDEN: usize = 50_000;

/// Re-checks the bodies of file `index` of `files` (whose text alone changed, keeping
/// its interface) against `previous`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn recheck_file(
    previous: Previous<'_>,
    graph: &ProjectGraph,
    names: &mut NameInterner,
    files: &[FileInput],
    prelude_module: ModuleId,
    index: usize,
    is_cancelled: &dyn Fn() -> bool,
) -> Recheck {
    let fast = previous.fast;
    let input = &files[index];
    let file = input.file;
    let Some(facts) = fast.files.get(index) else {
        return Recheck::NotApplicable;
    };
    if fast.files.len() != files.len()
        || fast.patched.is_some_and(|(p, _)| p != index)
        || previous.refs.overridden() > MAX_OVERRIDDEN
        || fast.interface.get(index) != Some(&memo::interface_hash(&input.parse, &input.text))
    {
        return Recheck::NotApplicable;
    }
    let Some(remap) = Remap::new(previous.parse, previous.text, &input.parse, &input.text) else {
        return Recheck::NotApplicable;
    };
    let map_symbol = |id: u32| -> Option<Symbol> {
        let mut symbol = previous.symbols.get(SymbolId(id)).clone();
        symbol.decl_span = remap.span(symbol.decl_span)?;
        symbol.node.1 = remap.node(symbol.node.1)?;
        Some(symbol)
    };
    let run = |(first, count): (u32, u32)| -> Option<(u32, Arc<[Symbol]>)> {
        let symbols: Option<Vec<Symbol>> = (first..first + count).map(map_symbol).collect();
        Some((first, symbols?.into()))
    };
    let (Some(items), Some(init_locals)) = (run(facts.items), run(facts.init_locals)) else {
        return Recheck::NotApplicable;
    };
    let (first_local, old_locals) = facts.body_locals;
    let node_symbols: Vec<(NodeId, SymbolId)> = previous
        .refs
        .file_node_symbols(file)
        .into_iter()
        .filter(|&(_, s)| s.0 < first_local || s.0 >= first_local + old_locals)
        .filter_map(|(n, s)| Some((remap.node(n)?, s)))
        .collect();
    let node_types = previous
        .facts
        .file_node_types(file)
        .into_iter()
        .filter_map(|(n, t)| Some((remap.node(n)?, t)))
        .collect();
    let decl_symbols: Vec<((FileId, NodeId), SymbolId)> = items
        .1
        .iter()
        .enumerate()
        .map(|(i, s)| (s.node, SymbolId(items.0 + i as u32)))
        .collect();
    let Some(imports) = facts
        .imports
        .iter()
        .map(|(&name, b)| {
            let span = remap.span(b.span)?;
            Some((name, ImportBinding { span, ..b.clone() }))
        })
        .collect::<Option<HashMap<NameId, ImportBinding>>>()
    else {
        return Recheck::NotApplicable;
    };

    let mut checker = Checker::new(graph, names, files, prelude_module, is_cancelled);
    checker.symbols = previous
        .symbols
        .rewriting(vec![items.clone(), init_locals.clone()], first_local);
    checker.defs = previous.defs.clone();
    checker.refs = previous.refs.rechecking(file, node_symbols);
    // The types that existed before this file's bodies: the bodies create theirs as a
    // fresh analysis would, and must create the same ones.
    let (first_type, old_types) = facts.body_types;
    checker.types = previous.types.truncated(first_type as usize);
    checker.facts = previous.facts.rechecking(file, node_types, first_local);
    checker.decl_symbol = decl_symbols.into_iter().collect();
    checker.imports.insert(file, imports.clone());
    checker.const_values = Arc::clone(&fast.const_values);
    checker.memo.previous = Some(Arc::clone(previous.memo));
    checker.memo.interface = fast.interface.clone();
    checker.memo.deps = fast.deps.clone();
    checker.memo.module = fast.module.clone();
    checker.memo.items = fast.files.iter().map(|f| f.items).collect();
    checker.file_facts = fast.files.clone();
    checker.check_bodies_of_file(index);
    if checker.cancelled {
        return Recheck::Cancelled;
    }
    let new_locals = checker.symbols.finish_rewriting();
    let new_count = new_locals.as_ref().map_or(0, |(_, run)| run.len() as u32);
    let created = checker.types.kinds_from(first_type as usize, usize::MAX);
    let before = previous
        .types
        .kinds_from(first_type as usize, old_types as usize);
    if before != created {
        return Recheck::NotApplicable;
    }
    checker.types = previous.types.clone();
    // The locals after this file's move by how many more (or fewer) it has: the shared
    // base keeps its numbering, reads go through the shift.
    let base_count = fast.patched.map_or(old_locals, |(_, count)| count);
    let shift = LocalShift {
        file,
        first: first_local,
        base_end: first_local + base_count,
        new_end: first_local + new_count,
    };
    checker.symbols.set_shift(shift);
    checker.refs.set_shift(shift);
    checker.facts.set_shift(new_count, shift);
    // Relative to the previous analysis: what later files' local IDs move by.
    let moved = |id: u32| -> u32 {
        if id >= first_local + old_locals {
            id - old_locals + new_count
        } else {
            id
        }
    };

    let own = [
        facts.items,
        facts.init_locals,
        (first_local, old_locals.max(new_count)),
    ];
    let affected = rebuild_reference_lists(
        &mut checker.refs,
        previous.refs,
        &remap,
        &own,
        first_local..first_local + new_count,
    );

    // Diagnostics: this file's bodies anew; spans elsewhere that point into the file
    // move with its text.
    let move_all = |list: &[Diagnostic]| -> Option<Vec<Diagnostic>> {
        list.iter().map(|d| remap.diagnostic(d)).collect()
    };
    let Some(other) = move_all(&fast.other_diagnostics) else {
        return Recheck::NotApplicable;
    };
    let mut file_facts = fast.files.clone();
    for (i, f) in file_facts.iter_mut().enumerate() {
        if i == index {
            continue;
        }
        if f.body_diagnostics.iter().any(|d| remap.touches(d)) {
            let Some(moved) = move_all(&f.body_diagnostics) else {
                return Recheck::NotApplicable;
            };
            f.body_diagnostics = Arc::new(moved);
        }
    }
    file_facts[index] = checker.file_facts[index].clone();
    file_facts[index].imports = Arc::new(imports);
    for f in file_facts.iter_mut().skip(index + 1) {
        f.body_locals.0 = moved(f.body_locals.0);
    }

    let previous_lints: Vec<(LintSubject, Diagnostic)> = fast
        .lints
        .iter()
        .map(|(subject, d)| match *subject {
            LintSubject::Symbol(s) => (LintSubject::Symbol(SymbolId(moved(s.0))), d.clone()),
            other => (other, d.clone()),
        })
        .collect();
    let lints = relint(&checker, &previous_lints, &affected, file);

    let mut diagnostics: Vec<Diagnostic> = other.clone();
    for f in &file_facts {
        diagnostics.extend(f.body_diagnostics.iter().cloned());
    }
    diagnostics.extend(lints.iter().map(|(_, d)| d.clone()));
    super::keep_root_warnings(graph, &mut diagnostics);

    let (mut memo, mut stats, new_bodies) = checker.take_memo_of(index);
    stats.one_file_rechecked = true;
    let mut memo_files = previous.memo.files.clone();
    memo_files.extend(memo.files.drain());
    let mut bodies: Vec<memo::BodyLocals> = previous
        .bodies
        .iter()
        .filter(|b| b.file != file)
        .map(|b| memo::BodyLocals {
            first: moved(b.first),
            ..*b
        })
        .chain(new_bodies)
        .collect();
    bodies.sort_unstable();
    let next = FastState {
        files: file_facts,
        const_values: Arc::clone(&fast.const_values),
        other_diagnostics: Arc::new(other),
        lints: Arc::new(lints),
        interface: fast.interface.clone(),
        deps: fast.deps.clone(),
        module: fast.module.clone(),
        patched: Some((index, base_count)),
    };
    Recheck::Done(Box::new(Output {
        symbols: checker.symbols,
        defs: checker.defs,
        refs: checker.refs,
        types: checker.types,
        facts: checker.facts,
        const_values: Arc::clone(previous.const_values),
        diagnostics,
        memo: Memo { files: memo_files },
        stats,
        bodies,
        fast: next,
    }))
}

/// Rebuilds the reference list of every symbol the re-checked file used before or uses
/// now, or declares (`own`: its symbol ranges): the other files' uses, plus the file's
/// uses outside bodies moved with the text, plus the uses its bodies recorded. Returns
/// those symbols, sorted.
fn rebuild_reference_lists(
    refs: &mut RefIndex,
    previous: &RefIndex,
    remap: &Remap,
    own: &[(u32, u32)],
    locals: std::ops::Range<u32>,
) -> Vec<SymbolId> {
    let file = remap.file;
    let fresh = refs.take_fresh();
    let mut new_uses: Vec<SymbolId> = fresh.iter().map(|&(s, _)| s).collect();
    let mut affected: Vec<SymbolId> = previous.uses_in(file).to_vec();
    affected.extend(&new_uses);
    affected.extend(
        own.iter()
            .flat_map(|&(first, n)| (first..first + n).map(SymbolId)),
    );
    affected.sort_unstable();
    affected.dedup();
    let mut added: HashMap<SymbolId, Vec<Reference>> = HashMap::default();
    for (symbol, reference) in fresh {
        added.entry(symbol).or_default().push(reference);
    }
    let (locals_from, locals_to) = (locals.start, locals.end);
    let mut lists: HashMap<SymbolId, Vec<Reference>> = HashMap::default();
    let mut dropped = Vec::new();
    for &symbol in &affected {
        if symbol.0 >= locals_from {
            // The file's locals: only its bodies use them, and what were its locals
            // past the new ones are now the next file's, read from the base again.
            if symbol.0 < locals_to {
                let mut list = added.remove(&symbol).unwrap_or_default();
                sort_references(&mut list);
                lists.insert(symbol, list);
            } else {
                dropped.push(symbol);
            }
            continue;
        }
        let mut list: Vec<Reference> = Vec::new();
        for r in previous.refs(symbol) {
            if r.span.file != file {
                list.push(*r);
            } else if let Some(span) = remap.span(r.span) {
                // A use outside the bodies (a signature, an import) moved with the text.
                list.push(Reference { span, ..*r });
                new_uses.push(symbol);
            }
        }
        list.extend(added.remove(&symbol).unwrap_or_default());
        sort_references(&mut list);
        lists.insert(symbol, list);
    }
    new_uses.sort_unstable();
    new_uses.dedup();
    refs.override_lists(lists, dropped);
    refs.set_uses_in(file, new_uses);
    affected
}

/// The unused-declaration warnings after a re-check of `file`: the previous ones, but
/// those of the `affected` symbols and of the file's imports computed again.
fn relint(
    checker: &Checker<'_>,
    previous: &[(LintSubject, Diagnostic)],
    affected: &[SymbolId],
    file: FileId,
) -> Vec<(LintSubject, Diagnostic)> {
    let again: std::collections::HashSet<SymbolId> = affected.iter().copied().collect();
    let mut lints: Vec<(LintSubject, Diagnostic)> = previous
        .iter()
        .filter(|(subject, _)| match subject {
            LintSubject::Symbol(s) => !again.contains(s),
            LintSubject::Import(f, _) => *f != file,
        })
        .cloned()
        .collect();
    let is_view = |(f, node): (FileId, NodeId)| {
        checker
            .file_input(f)
            .is_some_and(|input| matches!(input.parse.arena.kind(node), NodeKind::View { .. }))
    };
    let inputs = LintInputs {
        graph: checker.graph,
        names: checker.names,
        symbols: &checker.symbols,
        refs: &checker.refs,
        defs: &checker.defs,
        prelude_module: checker.prelude_module,
        known: &checker.known,
        is_view: &is_view,
    };
    // With fewer locals, the last old IDs may name nothing any more.
    let existing = affected
        .iter()
        .filter(|s| (s.0 as usize) < checker.symbols.len());
    for &symbol in existing {
        if let Some(d) = inputs.symbol_lint(symbol) {
            lints.push((LintSubject::Symbol(symbol), d));
        }
    }
    if let Some(bindings) = checker.imports.get(&file) {
        let mut names: Vec<&NameId> = bindings.keys().collect();
        names.sort_unstable();
        for &name in names {
            if let Some(d) = inputs.import_lint(name, &bindings[&name]) {
                lints.push((LintSubject::Import(file, name), d));
            }
        }
    }
    lints.sort_by_key(|(subject, _)| *subject);
    lints
}

/// One function body block of a file, before and after the edit.
#[derive(Clone, Copy, Debug)]
struct Hole {
    old: (u32, u32),
    new: (u32, u32),
    /// The block's subtree, first and last node.
    old_nodes: (u32, u32),
    new_nodes: (u32, u32),
}

/// Where the text and nodes outside the function bodies of a file went when only
/// bodies changed.
struct Remap {
    file: FileId,
    holes: Vec<Hole>,
}

impl Remap {
    /// The map from `old` to `new`, or `None` unless they differ only inside function
    /// bodies (same text and the same number of nodes outside them).
    fn new(old: &Parse, old_text: &str, new: &Parse, new_text: &str) -> Option<Remap> {
        let (a, b) = (memo::body_blocks(old), memo::body_blocks(new));
        if a.len() != b.len() {
            return None;
        }
        let mut holes = Vec::with_capacity(a.len());
        let (mut at_old, mut at_new) = (0usize, 0usize);
        let (mut nodes_old, mut nodes_new) = (0usize, 0usize);
        for (&(so, lo_o, hi_o), &(sn, lo_n, hi_n)) in a.iter().zip(&b) {
            let gap_old = old_text.get(at_old..so.start as usize)?;
            let gap_new = new_text.get(at_new..sn.start as usize)?;
            if gap_old != gap_new || lo_o > hi_o || lo_n > hi_n {
                return None;
            }
            at_old = so.end as usize;
            at_new = sn.end as usize;
            nodes_old += (hi_o.0 - lo_o.0 + 1) as usize;
            nodes_new += (hi_n.0 - lo_n.0 + 1) as usize;
            holes.push(Hole {
                old: (so.start, so.end),
                new: (sn.start, sn.end),
                old_nodes: (lo_o.0, hi_o.0),
                new_nodes: (lo_n.0, hi_n.0),
            });
        }
        let same_tail = old_text.get(at_old..)? == new_text.get(at_new..)?;
        let same_nodes =
            old.arena.len().checked_sub(nodes_old) == new.arena.len().checked_sub(nodes_new);
        (same_tail && same_nodes).then_some(Remap {
            file: old.arena.file(),
            holes,
        })
    }

    /// Where byte `offset` outside the bodies went; `None` inside one.
    fn offset(&self, offset: u32) -> Option<u32> {
        let mut delta: i64 = 0;
        for h in &self.holes {
            if offset <= h.old.0 {
                break;
            }
            if offset < h.old.1 {
                return None;
            }
            delta += i64::from(h.new.1 - h.new.0) - i64::from(h.old.1 - h.old.0);
        }
        u32::try_from(i64::from(offset) + delta).ok()
    }

    /// Where `node` outside the bodies went; `None` inside one.
    fn node(&self, node: NodeId) -> Option<NodeId> {
        let mut delta: i64 = 0;
        for h in &self.holes {
            if node.0 < h.old_nodes.0 {
                break;
            }
            if node.0 <= h.old_nodes.1 {
                return None;
            }
            delta +=
                i64::from(h.new_nodes.1 - h.new_nodes.0) - i64::from(h.old_nodes.1 - h.old_nodes.0);
        }
        u32::try_from(i64::from(node.0) + delta).ok().map(NodeId)
    }

    /// `span` moved with the text when it is in this file; `None` when it is inside a
    /// body there.
    fn span(&self, span: Span) -> Option<Span> {
        if span.file != self.file {
            return Some(span);
        }
        Some(Span::new(
            span.file,
            self.offset(span.start)?,
            self.offset(span.end)?,
        ))
    }

    /// Whether a diagnostic has a span in this file.
    fn touches(&self, d: &Diagnostic) -> bool {
        d.span.file == self.file || d.related.iter().any(|r| r.span.file == self.file)
    }

    /// `d` with its spans moved; `None` when one is inside a body of this file.
    fn diagnostic(&self, d: &Diagnostic) -> Option<Diagnostic> {
        let mut d = d.clone();
        d.span = self.span(d.span)?;
        for r in &mut d.related {
            r.span = self.span(r.span)?;
        }
        Some(d)
    }
}

impl KnownNames {
    /// The well-known names, interned.
    pub(crate) fn new(names: &mut NameInterner) -> KnownNames {
        KnownNames {
            self_: names.intern("self"),
            underscore: names.intern("_"),
            frame: names.intern("frame"),
            init: names.intern("init"),
        }
    }
}
