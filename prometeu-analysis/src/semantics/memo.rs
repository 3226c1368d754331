//! Reuse of body results across the analyses of one session (incremental analysis,
//! `ARCHITECTURE.md` "Incremental analysis").
//!
//! Every function body, constant initialiser and service field initialiser ("a body")
//! is checked with its effects *recorded*: the locals it declares, the types it interns,
//! the uses and node types it records, its diagnostics, array sites and the imports it
//! marks used. The record is kept relative to the body: nodes and offsets count from
//! the body's first node and first byte, items are named by (file, ordinal among the
//! file's items), types by a small table of their own. The next analysis of the same
//! session *replays* a record instead of walking the body when
//!
//! * the body's text is the same (then, parsed the same way, so are its nodes),
//! * its module's **interface hash** is the same (the interface text — the file's text
//!   outside function bodies — of every file of the module), and so is the interface of
//!   every file whose items the body names, and
//! * for a body that failed to resolve a name or reported anything (a "did you mean"
//!   looks at everything in scope), its module's **dependency hash** is the same too: a
//!   hash of the interfaces of the module and of every module it imports, transitively,
//!   and of the prelude.
//!
//! A body that resolved every name it used and reported nothing depends only on what it
//! named: changing a signature re-checks the bodies that use it, not every body of the
//! modules that import its module.
//!
//! Replay performs the same effects in the same order as the walk would, so symbol and
//! type IDs, references and diagnostics come out exactly as a fresh analysis makes
//! them (the property test in `tests/incremental.rs` checks it after random edits).
//! A body whose effects reach outside it (a related location in another item) is not
//! recorded and is checked every time.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::fx::{FxHashMap as HashMap, FxHasher};
use super::sizes::ArraySite;
use super::symbols::RefStep;
use super::types::FactStep;
use super::{Checker, Symbol, TypeKind};
use crate::syntax::{AstArena, NodeKind};
use crate::{Diagnostic, FileId, NameId, NodeId, Parse, Span, SymbolId, TypeId};

/// What one analysis keeps for the next: per file, its parse, interface hash and the
/// records of its bodies.
#[derive(Clone, Debug, Default)]
pub(crate) struct Memo {
    pub(crate) files: HashMap<FileId, Arc<FileMemo>>,
}

impl Memo {
    /// How many body records it holds.
    pub(crate) fn len(&self) -> usize {
        self.files.values().map(|f| f.bodies.len()).sum()
    }
}

#[derive(Clone, Debug)]
pub(crate) struct FileMemo {
    parse: Arc<Parse>,
    interface: u64,
    /// Each recorded body by its declaration node in `parse`.
    bodies: HashMap<NodeId, Arc<BodyRecord>>,
}

/// How much work one analysis did and how much it reused (for tests and benchmarks).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnalysisStats {
    /// Files parsed (the others kept their parse).
    pub files_parsed: usize,
    /// Bodies walked and checked, as `(file, declaration node)`, in checking order.
    pub bodies_checked: Vec<(FileId, NodeId)>,
    /// Bodies whose recorded result was replayed.
    pub bodies_reused: usize,
    /// Whether only one file's bodies were checked, everything else shared with the
    /// previous analysis (`semantics/fast.rs`).
    pub one_file_rechecked: bool,
}

/// The effects of checking one body, relative to the body (see the module docs).
#[derive(Debug)]
pub(crate) struct BodyRecord {
    /// The declaration's text.
    text: Box<str>,
    /// The dependency hash of its module when it was checked; only compared when the
    /// body is not `exact`.
    deps: u64,
    /// The interface hash of its module's files when it was checked.
    module: u64,
    /// Whether every name the body looked up was found and it reported nothing: then
    /// only `module` and `files` decide whether it may be replayed.
    exact: bool,
    /// The declaration node's index minus its first node's.
    node_span: u32,
    /// Items named by the effects: `(file, ordinal among the file's items)`; canonical
    /// symbol `locals + i` is `items[i]`, canonical symbol `j < locals` is local `j`.
    items: Vec<(FileId, u32)>,
    /// The interface hash of every file in `items`.
    files: Vec<(FileId, u64)>,
    /// The declaration's own symbol and its owner, canonical.
    symbol: Option<SymbolId>,
    owner: Option<SymbolId>,
    /// The types the effects name; components and symbols are canonical. `true` when
    /// the body interned it (then it is created on replay if missing), in first-use
    /// order.
    types: Vec<(TypeKind, bool)>,
    /// The locals it declared, in order (spans and nodes relative).
    locals: Vec<Symbol>,
    refs: Vec<RefStep>,
    facts: Vec<FactStep>,
    diagnostics: Vec<Diagnostic>,
    arrays: Vec<ArraySite>,
    used_imports: Vec<NameId>,
}

/// The memo state of one analysis: what the previous one kept and what this one keeps.
#[derive(Default)]
pub(crate) struct MemoState {
    pub previous: Option<Arc<Memo>>,
    /// Per file index: the interface hash.
    pub interface: Vec<u64>,
    /// Per file index: the dependency hash of its module.
    pub deps: Vec<u64>,
    /// Per file index: the interface hash of its module's files.
    pub module: Vec<u64>,
    /// While a body is recorded: whether a name lookup failed.
    pub inexact: bool,
    /// Per file index: the symbols of its items, `(first, count)`.
    pub items: Vec<(u32, u32)>,
    /// Per file index: the previous records by text, for files with a new parse.
    by_text: HashMap<usize, HashMap<u64, Vec<Arc<BodyRecord>>>>,
    next: HashMap<FileId, Arc<FileMemo>>,
    pub stats: AnalysisStats,
    /// Every body checked or replayed, with its locals.
    pub bodies: Vec<BodyLocals>,
}

/// One body of an analysis and its locals, for "what is in scope here" (completion).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) struct BodyLocals {
    /// The file and the declaration's span.
    pub file: FileId,
    pub start: u32,
    pub end: u32,
    /// Its locals: `count` symbols from `first`, in declaration order.
    pub first: u32,
    pub count: u32,
}

/// Where the effects of a body being recorded start.
pub(crate) struct Marks {
    symbols: usize,
    diagnostics: usize,
    arrays: usize,
}

fn hash_text(text: &str) -> u64 {
    let mut h = FxHasher::default();
    text.hash(&mut h);
    h.finish()
}

/// The function body blocks of a file, in source order: `(span, first node, block)` —
/// what the interface hash leaves out, and what a re-check of the file maps around
/// (`fast`).
pub(crate) fn body_blocks(parse: &Parse) -> Vec<(Span, NodeId, NodeId)> {
    let arena = &parse.arena;
    let mut out = Vec::new();
    let mut add = |decl: NodeId| {
        if let NodeKind::FnDecl { body: Some(b), .. } = *arena.kind(decl) {
            out.push((arena.span(b), first_node(arena, b), b));
        }
    };
    if let NodeKind::SourceFile { items } = *arena.kind(parse.root()) {
        for &item in arena.list(items) {
            add(item);
            if let NodeKind::StructDecl { members, .. } | NodeKind::ServiceDecl { members, .. } =
                *arena.kind(item)
            {
                for &m in arena.list(members) {
                    add(m);
                }
            }
        }
    }
    out.sort_by_key(|(span, _, _)| span.start);
    out
}

/// The hash of a file's text outside function bodies: what other bodies can see of it.
pub(crate) fn interface_hash(parse: &Parse, text: &str) -> u64 {
    let mut h = FxHasher::default();
    let mut at = 0usize;
    for (hole, _, _) in body_blocks(parse) {
        let (start, end) = (hole.start as usize, hole.end as usize);
        if start >= at && end <= text.len() {
            text.get(at..start).unwrap_or("").hash(&mut h);
            at = end;
        }
    }
    text.get(at..).unwrap_or("").hash(&mut h);
    h.finish()
}

/// The first node of the subtree of `node` (nodes are pushed after their children, left
/// to right, so a subtree is the range from this node to `node`).
fn first_node(arena: &AstArena, mut node: NodeId) -> NodeId {
    loop {
        let mut first = None;
        arena.visit_children(arena.kind(node), |c| {
            if first.is_none() {
                first = Some(c);
            }
        });
        match first {
            Some(c) if c < node => node = c,
            _ => return node,
        }
    }
}

/// Whether the subtree of `decl` is exactly the node range from `lo` to `decl`.
fn contiguous(arena: &AstArena, decl: NodeId, lo: NodeId) -> bool {
    let mut count = 0usize;
    let mut min = decl;
    let mut work = vec![decl];
    while let Some(n) = work.pop() {
        count += 1;
        min = min.min(n);
        arena.visit_children(arena.kind(n), |c| work.push(c));
    }
    min == lo && count == decl.index() - lo.index() + 1
}

/// A body's place in its file in this analysis.
struct Place {
    file: FileId,
    index: usize,
    lo: NodeId,
    decl: NodeId,
    start: u32,
    end: u32,
}

impl Place {
    fn rel_span(&self, span: Span) -> Option<Span> {
        (span.file == self.file && span.start >= self.start && span.end <= self.end)
            .then(|| Span::new(self.file, span.start - self.start, span.end - self.start))
    }

    fn abs_span(&self, span: Span) -> Span {
        Span::new(self.file, span.start + self.start, span.end + self.start)
    }

    fn rel_node(&self, file: FileId, node: NodeId) -> Option<NodeId> {
        (file == self.file && node >= self.lo && node <= self.decl)
            .then(|| NodeId(node.0 - self.lo.0))
    }

    fn abs_node(&self, node: NodeId) -> NodeId {
        NodeId(node.0 + self.lo.0)
    }
}

/// Turns a body's effects into canonical indices while recording.
struct Canon<'c, 'a> {
    ck: &'c Checker<'a>,
    locals_lo: u32,
    locals: u32,
    item_index: HashMap<SymbolId, u32>,
    items: Vec<(FileId, u32)>,
    type_index: HashMap<TypeId, u32>,
    types: Vec<(TypeKind, bool)>,
    ok: bool,
}

impl Canon<'_, '_> {
    fn sym(&mut self, s: SymbolId) -> SymbolId {
        if s.0 >= self.locals_lo && s.0 < self.locals_lo + self.locals {
            return SymbolId(s.0 - self.locals_lo);
        }
        if let Some(&i) = self.item_index.get(&s) {
            return SymbolId(self.locals + i);
        }
        let file = self.ck.symbols.get(s).file();
        let ordinal = self.ck.file_index.get(&file).and_then(|&index| {
            let (lo, len) = self.ck.memo.items[index];
            (s.0 >= lo && s.0 < lo + len).then_some(s.0 - lo)
        });
        let Some(ordinal) = ordinal else {
            // A local of another body: cannot happen, but never guess.
            self.ok = false;
            return SymbolId(0);
        };
        let i = self.items.len() as u32;
        self.items.push((file, ordinal));
        self.item_index.insert(s, i);
        SymbolId(self.locals + i)
    }

    fn ty(&mut self, t: TypeId, interned: bool) -> TypeId {
        if let Some(&i) = self.type_index.get(&t) {
            if interned {
                self.types[i as usize].1 = true;
            }
            return TypeId(i);
        }
        let kind = crate::stack::ensure_sufficient_stack(|| {
            map_kind(
                self.ck.types.kind(t),
                &mut |c| Some(self.ty(c, false)),
                &mut |s| Some(s),
            )
        });
        // Symbols after the components (the closure above cannot borrow twice).
        let kind = kind.and_then(|k| map_kind(k, &mut Some, &mut |s| Some(self.sym(s))));
        let Some(kind) = kind else {
            self.ok = false;
            return TypeId(0);
        };
        let i = self.types.len() as u32;
        self.types.push((kind, interned));
        self.type_index.insert(t, i);
        TypeId(i)
    }
}

/// `kind` with every component type and named symbol mapped; `None` when one fails.
fn map_kind(
    kind: TypeKind,
    ty: &mut dyn FnMut(TypeId) -> Option<TypeId>,
    sym: &mut dyn FnMut(SymbolId) -> Option<SymbolId>,
) -> Option<TypeKind> {
    Some(match kind {
        TypeKind::Struct(s) => TypeKind::Struct(sym(s)?),
        TypeKind::ErrorType(s) => TypeKind::ErrorType(sym(s)?),
        TypeKind::Service(s) => TypeKind::Service(sym(s)?),
        TypeKind::Contract(s) => TypeKind::Contract(sym(s)?),
        TypeKind::Array(t, n) => TypeKind::Array(ty(t)?, n),
        TypeKind::Optional(t) => TypeKind::Optional(ty(t)?),
        TypeKind::Result(a, b) => TypeKind::Result(ty(a)?, ty(b)?),
        TypeKind::Ref(t) => TypeKind::Ref(ty(t)?),
        TypeKind::List(t) => TypeKind::List(ty(t)?),
        other => other,
    })
}

impl Checker<'_> {
    /// Computes the interface and dependency hashes of every file; call once the
    /// parses are known, before any phase.
    pub(crate) fn prepare_memo(&mut self, previous: Option<Arc<Memo>>) {
        let n = self.files.len();
        let mut interface = Vec::with_capacity(n);
        for f in self.files {
            let old = previous
                .as_ref()
                .and_then(|p| p.files.get(&f.file))
                .filter(|old| Arc::ptr_eq(&old.parse, &f.parse));
            interface.push(match old {
                Some(old) => old.interface,
                None => interface_hash(&f.parse, &f.text),
            });
        }
        // Module → its files' interface hashes, and the modules it imports.
        let modules = self.graph.modules.len() + 1;
        let module_slot = |m: crate::ModuleId| m.index().min(modules - 1);
        let mut module_hash = vec![FxHasher::default(); modules];
        let mut imports: Vec<Vec<usize>> = vec![Vec::new(); modules];
        for (index, f) in self.files.iter().enumerate() {
            let m = module_slot(f.module);
            (f.file, f.project, interface[index]).hash(&mut module_hash[m]);
            let Some(project) = f.project else { continue };
            let arena = &f.parse.arena;
            let NodeKind::SourceFile { items } = *arena.kind(f.parse.root()) else {
                continue;
            };
            for &item in arena.list(items) {
                if let NodeKind::Import { path, .. } = *arena.kind(item) {
                    let target = arena
                        .string_value(path)
                        .and_then(|p| self.graph.resolve_import(project, p));
                    if let Some(t) = target {
                        imports[m].push(module_slot(t));
                    }
                }
            }
        }
        let module_hash: Vec<u64> = module_hash.iter().map(Hasher::finish).collect();
        let prelude = module_slot(self.prelude_module);
        let mut deps = vec![0u64; modules];
        let mut seen = vec![usize::MAX; modules];
        for (m, dep) in deps.iter_mut().enumerate() {
            let mut h = FxHasher::default();
            let mut work = vec![m, prelude];
            while let Some(x) = work.pop() {
                if seen[x] == m {
                    continue;
                }
                seen[x] = m;
                (x, module_hash[x]).hash(&mut h);
                work.extend(imports[x].iter().copied());
            }
            // The visiting order depends only on the import graph, which the hashes
            // cover, so equal hashes mean equal closures.
            *dep = h.finish();
        }
        self.memo.deps = self
            .files
            .iter()
            .map(|f| deps[module_slot(f.module)])
            .collect();
        self.memo.module = self
            .files
            .iter()
            .map(|f| module_hash[module_slot(f.module)])
            .collect();
        self.memo.interface = interface;
        self.memo.previous = previous;
    }

    /// Notes where file `index`'s items start (before `collect_file`) or end (after).
    pub(crate) fn note_items(&mut self, index: usize, done: bool) {
        let len = self.symbols.len() as u32;
        if self.memo.items.len() <= index {
            self.memo.items.resize(index + 1, (0, 0));
        }
        let slot = &mut self.memo.items[index];
        if done {
            slot.1 = len - slot.0;
        } else {
            *slot = (len, 0);
        }
    }

    fn place(&self, index: usize, decl: NodeId) -> Place {
        let f = &self.files[index];
        let span = f.parse.arena.span(decl);
        Place {
            file: f.file,
            index,
            lo: first_node(&f.parse.arena, decl),
            decl,
            start: span.start,
            end: span.end,
        }
    }

    /// Replays a previous record of the body `decl` of file `index` if one still
    /// applies; `true` when it did (the body is then done).
    pub(crate) fn try_replay(
        &mut self,
        index: usize,
        decl: NodeId,
        symbol: Option<SymbolId>,
        owner: Option<SymbolId>,
    ) -> bool {
        // Bodies with equal text (`fn len2(self)` of two structs) are told apart by
        // the symbols they belong to.
        self.find_records(index, decl)
            .into_iter()
            .any(|record| self.replay(index, decl, symbol, owner, record))
    }

    fn replay(
        &mut self,
        index: usize,
        decl: NodeId,
        symbol: Option<SymbolId>,
        owner: Option<SymbolId>,
        record: Arc<BodyRecord>,
    ) -> bool {
        let place = self.place(index, decl);
        let same_scope = record.module == self.memo.module[index]
            && (record.exact || record.deps == self.memo.deps[index]);
        if !same_scope || record.node_span != decl.0 - place.lo.0 {
            return false;
        }
        // Items: every file they come from has the interface it had.
        for &(file, hash) in &record.files {
            let same = self
                .file_index
                .get(&file)
                .is_some_and(|&i| self.memo.interface[i] == hash);
            if !same {
                return false;
            }
        }
        let locals = record.locals.len() as u32;
        let first_local = self.symbols.len() as u32;
        let mut items = Vec::with_capacity(record.items.len());
        for &(file, ordinal) in &record.items {
            let (lo, len) = self.memo.items[self.file_index[&file]];
            if ordinal >= len {
                return false;
            }
            items.push(SymbolId(lo + ordinal));
        }
        let sym = |s: SymbolId| {
            if s.0 < locals {
                SymbolId(first_local + s.0)
            } else {
                items[(s.0 - locals) as usize]
            }
        };
        if record.symbol.map(sym) != symbol || record.owner.map(sym) != owner {
            return false;
        }
        // Types: the ones the body did not create must exist; the others are created in
        // order once nothing can fail any more.
        let mut types: Vec<Option<TypeId>> = Vec::with_capacity(record.types.len());
        for &(kind, interned) in &record.types {
            let mapped = map_kind(kind, &mut |t| types[t.index()], &mut |s| Some(sym(s)));
            let found = mapped.and_then(|k| self.types.lookup(k));
            if found.is_none() && !interned {
                return false;
            }
            types.push(found);
        }
        let mut type_ids = Vec::with_capacity(types.len());
        for (i, &(kind, _)) in record.types.iter().enumerate() {
            let id = match types[i] {
                Some(id) => id,
                None => {
                    let kind = map_kind(kind, &mut |t| Some(type_ids[t.index()]), &mut |s| {
                        Some(sym(s))
                    })
                    .expect("components come first");
                    self.types.intern(kind)
                }
            };
            type_ids.push(id);
        }
        let ty = |t: TypeId| type_ids[t.index()];
        self.memo.bodies.push(BodyLocals {
            file: place.file,
            start: place.start,
            end: place.end,
            first: first_local,
            count: locals,
        });
        for local in &record.locals {
            let mut local = local.clone();
            local.decl_span = place.abs_span(local.decl_span);
            local.node = (place.file, place.abs_node(local.node.1));
            local.module = self.files[index].module;
            self.symbols.alloc(local);
        }
        for step in &record.refs {
            match *step {
                RefStep::Use(s, node, span, kind) => {
                    self.refs
                        .record(sym(s), place.abs_node(node), place.abs_span(span), kind)
                }
                RefStep::Bind(_, node, s) => {
                    self.refs
                        .bind_node(place.file, place.abs_node(node), sym(s))
                }
            }
        }
        for step in &record.facts {
            match *step {
                FactStep::Node(_, node, t) => {
                    self.facts.set_node(place.file, place.abs_node(node), ty(t))
                }
                FactStep::Symbol(s, t) => self.facts.set_symbol(sym(s), ty(t)),
            }
        }
        for d in &record.diagnostics {
            let mut d = d.clone();
            d.span = place.abs_span(d.span);
            for r in &mut d.related {
                r.span = place.abs_span(r.span);
            }
            self.diagnostics.push(d);
        }
        for site in &record.arrays {
            self.arrays.push(ArraySite {
                span: place.abs_span(site.span),
                ty: ty(site.ty),
            });
        }
        for name in &record.used_imports {
            if let Some(b) = self
                .imports
                .get_mut(&place.file)
                .and_then(|m| m.get_mut(name))
            {
                b.used = true;
            }
        }
        self.keep_record(index, decl, record);
        self.memo.stats.bodies_reused += 1;
        true
    }

    /// The previous records that may be the body `decl` of file `index`: the one of
    /// the same node when the file kept its parse, else those of the same text.
    fn find_records(&mut self, index: usize, decl: NodeId) -> Vec<Arc<BodyRecord>> {
        let Some(previous) = self.memo.previous.clone() else {
            return Vec::new();
        };
        let f = &self.files[index];
        let Some(old) = previous.files.get(&f.file) else {
            return Vec::new();
        };
        if Arc::ptr_eq(&old.parse, &f.parse) {
            return old.bodies.get(&decl).cloned().into_iter().collect();
        }
        let span = f.parse.arena.span(decl);
        let Some(text) = f.text.get(span.start as usize..span.end as usize) else {
            return Vec::new();
        };
        let by_text = self.memo.by_text.entry(index).or_insert_with(|| {
            let mut by_text: HashMap<u64, Vec<Arc<BodyRecord>>> = HashMap::default();
            for r in old.bodies.values() {
                by_text
                    .entry(hash_text(&r.text))
                    .or_default()
                    .push(Arc::clone(r));
            }
            by_text
        });
        by_text
            .get(&hash_text(text))
            .into_iter()
            .flatten()
            .filter(|r| *r.text == *text)
            .cloned()
            .collect()
    }

    fn keep_record(&mut self, index: usize, decl: NodeId, record: Arc<BodyRecord>) {
        let f = &self.files[index];
        let interface = self.memo.interface[index];
        let memo = self.memo.next.entry(f.file).or_insert_with(|| {
            Arc::new(FileMemo {
                parse: Arc::clone(&f.parse),
                interface,
                bodies: HashMap::default(),
            })
        });
        Arc::make_mut(memo).bodies.insert(decl, record);
    }

    /// Starts recording the effects of a body that is about to be checked.
    pub(crate) fn start_recording(&mut self) -> Marks {
        self.types.trail = Some(Vec::new());
        self.refs.trail = Some(Vec::new());
        self.facts.trail = Some(Vec::new());
        self.import_trail = Some(Vec::new());
        self.memo.inexact = false;
        Marks {
            symbols: self.symbols.len(),
            diagnostics: self.diagnostics.len(),
            arrays: self.arrays.len(),
        }
    }

    /// Stops recording and keeps the record of body `decl` of file `index` for the
    /// next analysis (unless its effects reach outside it).
    pub(crate) fn finish_recording(
        &mut self,
        index: usize,
        decl: NodeId,
        symbol: Option<SymbolId>,
        owner: Option<SymbolId>,
        marks: Marks,
    ) {
        let trail = self.types.trail.take().unwrap_or_default();
        let refs = self.refs.trail.take().unwrap_or_default();
        let facts = self.facts.trail.take().unwrap_or_default();
        let used = self.import_trail.take().unwrap_or_default();
        let inexact = std::mem::take(&mut self.memo.inexact);
        self.memo
            .stats
            .bodies_checked
            .push((self.files[index].file, decl));
        let place = self.place(index, decl);
        self.memo.bodies.push(BodyLocals {
            file: place.file,
            start: place.start,
            end: place.end,
            first: marks.symbols as u32,
            count: (self.symbols.len() - marks.symbols) as u32,
        });
        let f = &self.files[index];
        if !contiguous(&f.parse.arena, decl, place.lo) {
            return;
        }
        let Some(text) = f.text.get(place.start as usize..place.end as usize) else {
            return;
        };
        let mut canon = Canon {
            ck: self,
            locals_lo: marks.symbols as u32,
            locals: (self.symbols.len() - marks.symbols) as u32,
            item_index: HashMap::default(),
            items: Vec::new(),
            type_index: HashMap::default(),
            types: Vec::new(),
            ok: true,
        };
        for t in trail {
            canon.ty(t, true);
        }
        let symbol = symbol.map(|s| canon.sym(s));
        let owner = owner.map(|s| canon.sym(s));
        let mut ok = true;
        let rel_span = |s: Span, ok: &mut bool| {
            place.rel_span(s).unwrap_or_else(|| {
                *ok = false;
                s
            })
        };
        let mut locals = Vec::new();
        for s in marks.symbols..self.symbols.len() {
            let mut local = self.symbols.get(SymbolId::from_index(s)).clone();
            local.decl_span = rel_span(local.decl_span, &mut ok);
            let (file, node) = local.node;
            local.node.1 = place.rel_node(file, node).unwrap_or_else(|| {
                ok = false;
                node
            });
            local.parent = local.parent.map(|p| canon.sym(p));
            locals.push(local);
        }
        let rel_node = |file: FileId, n: NodeId, ok: &mut bool| {
            place.rel_node(file, n).unwrap_or_else(|| {
                *ok = false;
                n
            })
        };
        let refs: Vec<RefStep> = refs
            .into_iter()
            .map(|step| match step {
                RefStep::Use(s, node, span, kind) => RefStep::Use(
                    canon.sym(s),
                    rel_node(span.file, node, &mut ok),
                    rel_span(span, &mut ok),
                    kind,
                ),
                RefStep::Bind(file, node, s) => {
                    RefStep::Bind(file, rel_node(file, node, &mut ok), canon.sym(s))
                }
            })
            .collect();
        let facts: Vec<FactStep> = facts
            .into_iter()
            .map(|step| match step {
                FactStep::Node(file, node, t) => {
                    FactStep::Node(file, rel_node(file, node, &mut ok), canon.ty(t, false))
                }
                FactStep::Symbol(s, t) => FactStep::Symbol(canon.sym(s), canon.ty(t, false)),
            })
            .collect();
        let diagnostics: Vec<Diagnostic> = self.diagnostics[marks.diagnostics..]
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.span = rel_span(d.span, &mut ok);
                for r in &mut d.related {
                    r.span = rel_span(r.span, &mut ok);
                }
                d
            })
            .collect();
        let arrays: Vec<ArraySite> = self.arrays[marks.arrays..]
            .iter()
            .map(|a| ArraySite {
                span: rel_span(a.span, &mut ok),
                ty: canon.ty(a.ty, false),
            })
            .collect();
        let used_imports = used
            .into_iter()
            .map(|(file, name)| {
                ok &= file == place.file;
                name
            })
            .collect();
        if !(ok && canon.ok) {
            return;
        }
        let mut files: Vec<(FileId, u64)> = canon
            .items
            .iter()
            .map(|&(file, _)| (file, self.memo.interface[self.file_index[&file]]))
            .collect();
        files.sort_unstable();
        files.dedup();
        let record = BodyRecord {
            text: text.into(),
            deps: self.memo.deps[index],
            module: self.memo.module[index],
            exact: !inexact && diagnostics.is_empty(),
            node_span: decl.0 - place.lo.0,
            items: canon.items,
            files,
            symbol,
            owner,
            types: canon.types,
            locals,
            refs,
            facts,
            diagnostics,
            arrays,
            used_imports,
        };
        self.keep_record(place.index, decl, Arc::new(record));
    }

    /// The memo to keep for the next analysis (every file, recorded bodies or not).
    pub(crate) fn take_memo(&mut self) -> (Memo, AnalysisStats, Vec<BodyLocals>) {
        self.take_memo_for(0..self.files.len())
    }

    /// The memo of file `index` alone (its bodies were re-checked, see `fast`).
    pub(crate) fn take_memo_of(&mut self, index: usize) -> (Memo, AnalysisStats, Vec<BodyLocals>) {
        self.take_memo_for(index..index + 1)
    }

    fn take_memo_for(
        &mut self,
        indices: std::ops::Range<usize>,
    ) -> (Memo, AnalysisStats, Vec<BodyLocals>) {
        let mut next = std::mem::take(&mut self.memo.next);
        for index in indices {
            let f = &self.files[index];
            next.entry(f.file).or_insert_with(|| {
                Arc::new(FileMemo {
                    parse: Arc::clone(&f.parse),
                    interface: self.memo.interface[index],
                    bodies: HashMap::default(),
                })
            });
        }
        let stats = std::mem::take(&mut self.memo.stats);
        let mut bodies = std::mem::take(&mut self.memo.bodies);
        bodies.sort_unstable();
        (Memo { files: next }, stats, bodies)
    }
}
