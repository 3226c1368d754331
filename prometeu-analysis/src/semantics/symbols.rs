//! Symbols and the indexes over them: what every name of a program denotes
//! (`docs/spec/pbs-language.md` §4, §7; `docs/spec/toolchain.md` §3.1–§3.2).

use std::sync::Arc;

use la_arena::{Arena, Idx, RawIdx};

use super::fx::FxHashMap as HashMap;
use super::tables::{NodeTable, SymbolTable};

use crate::syntax::Visibility;
use crate::{FileId, ModuleId, NameId, NodeId, Span, SymbolId};

/// What a symbol is. `toolchain.md` §3 names the kinds build outputs use; see
/// [`SymbolKind::export_kind`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SymbolKind {
    /// A top-level `fn`.
    Function,
    /// A struct member `fn` whose first parameter is `self`.
    Method,
    /// A struct member `fn` without `self`: `Vec2.new(…)`.
    AssocFn,
    /// A `declare struct`.
    Struct,
    /// A struct field.
    Field,
    /// A `service`.
    Service,
    /// A service's `let` field.
    ServiceField,
    /// A service's `fn`.
    ServiceFn,
    /// A `declare contract` (plain or host).
    Contract,
    /// A function signature of a plain contract.
    ContractFn,
    /// A function of a host contract: a system call.
    HostFn,
    /// A `declare error`.
    Error,
    /// One case of an error.
    ErrorCase,
    /// A top-level `declare const`.
    Const,
    /// A struct's `const` member.
    AssocConst,
    /// A `let` binding, a `for` variable, a pattern binding or a view name.
    Local,
    /// A function parameter, `self` included.
    Param,
}

impl SymbolKind {
    /// The `kind` string of `symbols.json`/`analysis.json`.
    pub const fn export_kind(self) -> &'static str {
        match self {
            SymbolKind::Function
            | SymbolKind::AssocFn
            | SymbolKind::ServiceFn
            | SymbolKind::ContractFn
            | SymbolKind::HostFn => "function",
            SymbolKind::Method => "method",
            SymbolKind::Struct => "struct",
            SymbolKind::Field => "field",
            SymbolKind::Service => "service",
            SymbolKind::ServiceField => "service_field",
            SymbolKind::Contract => "contract",
            SymbolKind::Error => "error",
            SymbolKind::ErrorCase => "error_case",
            SymbolKind::Const | SymbolKind::AssocConst => "const",
            SymbolKind::Local => "local",
            SymbolKind::Param => "param",
        }
    }

    /// Whether the symbol lives inside a function body (not listed in `symbols.json`).
    pub const fn is_local(self) -> bool {
        matches!(self, SymbolKind::Local | SymbolKind::Param)
    }

    /// Whether the symbol is a function of some kind (callable).
    pub const fn is_fn(self) -> bool {
        matches!(
            self,
            SymbolKind::Function
                | SymbolKind::Method
                | SymbolKind::AssocFn
                | SymbolKind::ServiceFn
                | SymbolKind::ContractFn
                | SymbolKind::HostFn
        )
    }

    /// Which namespaces a top-level item of this kind is found in (§7).
    pub const fn namespaces(self) -> &'static [Namespace] {
        match self {
            SymbolKind::Struct | SymbolKind::Contract | SymbolKind::Error => &[Namespace::Type],
            SymbolKind::Service => &[Namespace::Type, Namespace::Value],
            _ => &[Namespace::Value],
        }
    }
}

/// The two namespaces of §7: struct, contract, error and service names are types; fn,
/// const and service names are values.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Namespace {
    /// Names usable in type position (and as the prefix of a member path).
    Type,
    /// Names usable as values.
    Value,
}

/// A named thing of the program: an item, a member, a local or a parameter.
#[derive(Clone, PartialEq, Debug)]
pub struct Symbol {
    /// Its name.
    pub name: NameId,
    /// What it is.
    pub kind: SymbolKind,
    /// The visibility word as written (locals: private).
    pub visibility: Visibility,
    /// The module it is declared in (the prelude has its own module).
    pub module: ModuleId,
    /// The name token of the declaration.
    pub decl_span: Span,
    /// Its doc comment text, if any.
    pub doc: Option<String>,
    /// The struct, service, error or contract it belongs to.
    pub parent: Option<SymbolId>,
    /// The declaration node (the `FnDecl`, `LetStmt`, `Param`, … — for a pattern
    /// binding the pattern, for a view the `View`).
    pub node: (FileId, NodeId),
    /// Whether it can be assigned: `let mut`, `mut` parameters, `mut self`, `let mut`
    /// service fields, `mutate` views.
    pub mutable: bool,
    /// Reported as a duplicate: keeps its place but uses bind to the first declaration.
    pub duplicate: bool,
}

impl Symbol {
    /// The file the symbol is declared in.
    pub fn file(&self) -> FileId {
        self.decl_span.file
    }
}

impl SymbolId {
    /// The symbol's typed index in its [`SymbolArena`] (`SymbolId` is the number the
    /// outputs show; both count from 0 in allocation order).
    #[inline]
    pub(crate) fn arena_idx(self) -> Idx<Symbol> {
        Idx::from_raw(RawIdx::from_u32(self.0))
    }

    /// The `SymbolId` of a typed index of a [`SymbolArena`].
    #[inline]
    pub(crate) fn from_arena_idx(idx: Idx<Symbol>) -> SymbolId {
        SymbolId(idx.into_raw().into_u32())
    }
}

/// How one file's body locals moved when a re-check changed how many there are
/// (`semantics/fast.rs`): the shared base holds them at `first..base_end`, this analysis
/// at `first..new_end`, and every later ID of the base is `new_end - base_end` further.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct LocalShift {
    /// The re-checked file (its tables are in this analysis's numbering already).
    pub file: FileId,
    pub first: u32,
    pub base_end: u32,
    pub new_end: u32,
}

impl LocalShift {
    /// This analysis's ID of base ID `id`.
    #[inline]
    pub(crate) fn moved(self, id: SymbolId) -> SymbolId {
        if id.0 >= self.base_end {
            SymbolId(id.0 - self.base_end + self.new_end)
        } else {
            id
        }
    }

    /// The base ID of this analysis's `id` (outside the re-checked file's locals).
    #[inline]
    pub(crate) fn to_base(self, id: SymbolId) -> SymbolId {
        if id.0 >= self.new_end {
            SymbolId(id.0 - self.new_end + self.base_end)
        } else {
            id
        }
    }
}

/// `id` in the base's numbering under an optional shift.
#[inline]
fn to_base(shift: Option<LocalShift>, id: SymbolId) -> SymbolId {
    shift.map_or(id, |s| s.to_base(id))
}

/// Every symbol of an analysis, addressed by [`SymbolId`] in a deterministic order:
/// prelude first, then files in project-graph order, each in source order.
///
/// The arena is shared between the analyses of a session: the symbols of a full
/// analysis are the `base`; an analysis that re-checked only the bodies of one file
/// (`semantics/fast.rs`) shares that base and puts the file's symbols, which have the
/// same IDs, in `patches`. While such an analysis is being built, the file's new locals
/// are allocated into `writing`, at the IDs its old locals had.
#[derive(Clone, Debug, Default)]
pub struct SymbolArena {
    base: Arc<Arena<Symbol>>,
    /// Runs of consecutive IDs whose symbols replace the base's: `(first, symbols)`.
    patches: Vec<(u32, Arc<[Symbol]>)>,
    writing: Option<Writing>,
    shift: Option<LocalShift>,
}

/// Symbols being allocated over a run of the base's IDs (see [`SymbolArena`]).
#[derive(Clone, Debug)]
struct Writing {
    first: u32,
    symbols: Vec<Symbol>,
}

impl SymbolArena {
    /// Adds a symbol and returns its ID.
    pub fn alloc(&mut self, symbol: Symbol) -> SymbolId {
        if let Some(writing) = &mut self.writing {
            let id = SymbolId(writing.first + writing.symbols.len() as u32);
            writing.symbols.push(symbol);
            return id;
        }
        // `from_index` refuses an ID past `u32` (inputs are bounded far below it).
        let id = SymbolId::from_index(self.base.len());
        Arc::make_mut(&mut self.base).alloc(symbol);
        id
    }

    /// The symbol `id`.
    #[inline]
    pub fn get(&self, id: SymbolId) -> &Symbol {
        if let Some(writing) = &self.writing {
            if let Some(symbol) =
                id.0.checked_sub(writing.first)
                    .and_then(|i| writing.symbols.get(i as usize))
            {
                return symbol;
            }
        }
        for (first, run) in &self.patches {
            if let Some(symbol) = id.0.checked_sub(*first).and_then(|i| run.get(i as usize)) {
                return symbol;
            }
        }
        &self.base[to_base(self.shift, id).arena_idx()]
    }

    /// The symbol `id`, mutably (only while analysing).
    pub(crate) fn get_mut(&mut self, id: SymbolId) -> &mut Symbol {
        if let Some(writing) = &mut self.writing {
            if let Some(i) = id.0.checked_sub(writing.first) {
                if (i as usize) < writing.symbols.len() {
                    return &mut writing.symbols[i as usize];
                }
            }
        }
        let id = to_base(self.shift, id);
        &mut Arc::make_mut(&mut self.base)[id.arena_idx()]
    }

    /// Number of symbols; while locals are allocated over old ones, the ID the next one
    /// gets.
    pub fn len(&self) -> usize {
        match (&self.writing, self.shift) {
            (Some(writing), _) => writing.first as usize + writing.symbols.len(),
            (None, Some(s)) => self.base.len() + s.new_end as usize - s.base_end as usize,
            (None, None) => self.base.len(),
        }
    }

    /// Whether there is no symbol.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every symbol with its ID, in ID order.
    pub fn iter(&self) -> impl Iterator<Item = (SymbolId, &Symbol)> {
        (0..self.len()).map(|i| {
            let id = SymbolId::from_index(i);
            (id, self.get(id))
        })
    }

    /// A copy that allocates new symbols at `first`, `first + 1`, … over the base's,
    /// with `patches` replacing the base's runs (an analysis that re-checks one file).
    pub(crate) fn rewriting(&self, patches: Vec<(u32, Arc<[Symbol]>)>, first: u32) -> SymbolArena {
        SymbolArena {
            base: Arc::clone(&self.base),
            patches,
            writing: Some(Writing {
                first,
                symbols: Vec::new(),
            }),
            shift: None,
        }
    }

    /// Sets how the re-checked file's locals moved (after [`SymbolArena::finish_rewriting`]).
    pub(crate) fn set_shift(&mut self, shift: LocalShift) {
        self.shift = Some(shift);
    }

    /// Ends [`SymbolArena::rewriting`]: the allocated symbols become a patch. Returns them
    /// as that patch's run.
    pub(crate) fn finish_rewriting(&mut self) -> Option<(u32, Arc<[Symbol]>)> {
        let writing = self.writing.take()?;
        let run: (u32, Arc<[Symbol]>) = (writing.first, writing.symbols.into());
        self.patches.push(run.clone());
        Some(run)
    }
}

/// The top-level items of every module by `(module, name, namespace)`, and the members
/// of every struct, service, error and contract by owner.
#[derive(Clone, Debug, Default)]
pub struct DefIndex {
    /// Shared by the analyses of a session whose interfaces are equal.
    data: Arc<DefData>,
}

#[derive(Clone, Debug, Default)]
struct DefData {
    items: HashMap<(ModuleId, NameId, Namespace), SymbolId>,
    members: SymbolTable<Vec<SymbolId>>,
    member_by_name: HashMap<(SymbolId, NameId), SymbolId>,
}

impl DefIndex {
    /// The item `name` of `module` in namespace `ns` (the first declaration when there
    /// are duplicates).
    pub fn item(&self, module: ModuleId, name: NameId, ns: Namespace) -> Option<SymbolId> {
        self.data.items.get(&(module, name, ns)).copied()
    }

    /// The item `name` of `module` in either namespace (types first).
    pub fn any_item(&self, module: ModuleId, name: NameId) -> Option<SymbolId> {
        self.item(module, name, Namespace::Type)
            .or_else(|| self.item(module, name, Namespace::Value))
    }

    /// Every member of `owner` (fields, then members, in declaration order; duplicates
    /// included).
    pub fn members(&self, owner: SymbolId) -> &[SymbolId] {
        self.data.members.get(owner).map_or(&[], Vec::as_slice)
    }

    /// The member `name` of `owner` (the first one when duplicated).
    pub fn member(&self, owner: SymbolId, name: NameId) -> Option<SymbolId> {
        self.data.member_by_name.get(&(owner, name)).copied()
    }

    /// Every `(module, name, namespace) → symbol` entry, sorted.
    pub fn items(&self) -> Vec<((ModuleId, NameId, Namespace), SymbolId)> {
        let mut all: Vec<_> = self.data.items.iter().map(|(k, v)| (*k, *v)).collect();
        all.sort();
        all
    }

    /// Registers a top-level item; returns the earlier item of that name if any.
    pub(crate) fn insert_item(
        &mut self,
        module: ModuleId,
        name: NameId,
        ns: Namespace,
        symbol: SymbolId,
    ) -> Option<SymbolId> {
        match Arc::make_mut(&mut self.data)
            .items
            .entry((module, name, ns))
        {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(symbol);
                None
            }
        }
    }

    /// Registers a member; returns the earlier member of that name if any.
    pub(crate) fn insert_member(
        &mut self,
        owner: SymbolId,
        name: NameId,
        symbol: SymbolId,
    ) -> Option<SymbolId> {
        let data = Arc::make_mut(&mut self.data);
        data.members.get_or_default(owner).push(symbol);
        match data.member_by_name.entry((owner, name)) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(symbol);
                None
            }
        }
    }
}

/// Whether a use reads or writes its symbol (document highlight shows the difference).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum RefKind {
    /// Any use that does not change the symbol.
    Read,
    /// The root of an assignment target and the field it ends in (`v.x = …` writes `v`
    /// and `x`), or the root of a `mut self` receiver.
    Write,
}

/// One use of a symbol.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Reference {
    /// The name token at the use.
    pub span: Span,
    /// Read or write.
    pub kind: RefKind,
}

/// Every use of every symbol, and the symbol of every resolved name node.
///
/// Shared like [`SymbolArena`]: an analysis that re-checked the bodies of one file keeps
/// the base's lists and replaces those of the symbols that file uses (`overrides`).
#[derive(Clone, Debug, Default)]
pub struct RefIndex {
    refs: Arc<SymbolTable<Vec<Reference>>>,
    overrides: Arc<HashMap<SymbolId, Vec<Reference>>>,
    node_symbol: NodeTable<SymbolId>,
    /// Per file (by `FileId`): every symbol used in it, sorted (after `finish`).
    uses_in: Vec<Arc<Vec<SymbolId>>>,
    /// How the locals of a re-checked file moved (the kept tables are in the base's
    /// numbering).
    shift: Option<LocalShift>,
    /// While one file's bodies are re-checked: the uses they record, in order, instead of
    /// adding them to the lists.
    fresh: Option<Vec<(SymbolId, Reference)>>,
    /// While a body is recorded for reuse (see `memo`): every use and binding it
    /// recorded, in order.
    pub(crate) trail: Option<Vec<RefStep>>,
}

/// One use or binding a body recorded, as `memo` records it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RefStep {
    /// `record(symbol, node, span, kind)`
    Use(SymbolId, NodeId, Span, RefKind),
    /// `bind_node(file, node, symbol)`
    Bind(FileId, NodeId, SymbolId),
}

impl RefIndex {
    /// The uses of `symbol`, sorted by position (empty when unused).
    pub fn refs(&self, symbol: SymbolId) -> &[Reference] {
        match self.overrides.get(&symbol) {
            Some(list) => list,
            None => self
                .refs
                .get(to_base(self.shift, symbol))
                .map_or(&[], Vec::as_slice),
        }
    }

    /// The symbol a name node (a `NameRef`, `TypeName`, member or import name, …)
    /// resolved to.
    pub fn symbol_at(&self, file: FileId, node: NodeId) -> Option<SymbolId> {
        let symbol = self.node_symbol.get(file, node)?;
        Some(self.moved_in(file, symbol))
    }

    /// `symbol`, read from `file`'s table, in this analysis's numbering.
    fn moved_in(&self, file: FileId, symbol: SymbolId) -> SymbolId {
        match self.shift {
            Some(shift) if shift.file != file => shift.moved(symbol),
            _ => symbol,
        }
    }

    /// Every resolved name node, sorted.
    pub fn node_symbols(&self) -> Vec<((FileId, NodeId), SymbolId)> {
        let mut entries = self.node_symbol.entries();
        for ((file, _), symbol) in &mut entries {
            *symbol = self.moved_in(*file, *symbol);
        }
        entries
    }

    /// Every symbol that has uses, sorted by ID.
    pub fn used_symbols(&self) -> Vec<SymbolId> {
        let mut used: Vec<SymbolId> = self
            .refs
            .iter()
            .map(|(s, _)| self.shift.map_or(s, |shift| shift.moved(s)))
            .chain(self.overrides.keys().copied())
            .filter(|&s| !self.refs(s).is_empty())
            .collect();
        used.sort_unstable();
        used.dedup();
        used
    }

    /// Records a use of `symbol` by the name node `node` at `span`.
    pub(crate) fn record(&mut self, symbol: SymbolId, node: NodeId, span: Span, kind: RefKind) {
        if let Some(trail) = &mut self.trail {
            trail.push(RefStep::Use(symbol, node, span, kind));
        }
        self.node_symbol.insert(span.file, node, symbol);
        let reference = Reference { span, kind };
        if let Some(fresh) = &mut self.fresh {
            fresh.push((symbol, reference));
            return;
        }
        let f = span.file.index();
        if self.uses_in.len() <= f {
            self.uses_in.resize_with(f + 1, Arc::default);
        }
        Arc::make_mut(&mut self.uses_in[f]).push(symbol);
        // A token recorded twice (read, then found to be a write target) is merged in
        // `finish`: searching here made popular symbols (`Log`, …) quadratic.
        Arc::make_mut(&mut self.refs)
            .get_or_default(symbol)
            .push(reference);
    }

    /// Maps a name node to a symbol without counting a use (a declaration's own name).
    pub(crate) fn bind_node(&mut self, file: FileId, node: NodeId, symbol: SymbolId) {
        if let Some(trail) = &mut self.trail {
            trail.push(RefStep::Bind(file, node, symbol));
        }
        self.node_symbol.insert(file, node, symbol);
    }

    /// Sorts every reference list by position and merges the records of one token
    /// into one reference (a write when any of them is).
    pub(crate) fn finish(&mut self) {
        for list in Arc::make_mut(&mut self.refs).values_mut() {
            sort_references(list);
        }
        for uses in &mut self.uses_in {
            let uses = Arc::make_mut(uses);
            uses.sort_unstable();
            uses.dedup();
        }
    }

    /// Every symbol used in `file`, sorted.
    pub(crate) fn uses_in(&self, file: FileId) -> &[SymbolId] {
        self.uses_in.get(file.index()).map_or(&[], |u| u.as_slice())
    }

    /// Sets the symbols used in `file` (sorted, deduplicated).
    pub(crate) fn set_uses_in(&mut self, file: FileId, uses: Vec<SymbolId>) {
        let f = file.index();
        if self.uses_in.len() <= f {
            self.uses_in.resize_with(f + 1, Arc::default);
        }
        self.uses_in[f] = Arc::new(uses);
    }

    /// A copy whose uses go to a list of their own ([`RefIndex::take_fresh`]) and whose
    /// name nodes of `file` start as `nodes`: one file's bodies are about to be checked
    /// again (`semantics/fast.rs`).
    pub(crate) fn rechecking(&self, file: FileId, nodes: Vec<(NodeId, SymbolId)>) -> RefIndex {
        let mut copy = self.clone();
        copy.node_symbol.replace_file(file, nodes);
        copy.fresh = Some(Vec::new());
        copy
    }

    /// The uses recorded since [`RefIndex::rechecking`].
    pub(crate) fn take_fresh(&mut self) -> Vec<(SymbolId, Reference)> {
        self.fresh.take().unwrap_or_default()
    }

    /// Replaces the lists of some symbols (each sorted as `finish` sorts), and reads
    /// those of `dropped` from the base again.
    pub(crate) fn override_lists(
        &mut self,
        lists: HashMap<SymbolId, Vec<Reference>>,
        dropped: impl IntoIterator<Item = SymbolId>,
    ) {
        let overrides = Arc::make_mut(&mut self.overrides);
        for symbol in dropped {
            overrides.remove(&symbol);
        }
        overrides.extend(lists);
    }

    /// Sets how the re-checked file's locals moved.
    pub(crate) fn set_shift(&mut self, shift: LocalShift) {
        self.shift = Some(shift);
    }

    /// Every `(node, symbol)` of `file`'s name nodes, in node order.
    pub(crate) fn file_node_symbols(&self, file: FileId) -> Vec<(NodeId, SymbolId)> {
        self.node_symbol.file_entries(file)
    }

    /// How many lists are replaced (bounds a session's growth).
    pub(crate) fn overridden(&self) -> usize {
        self.overrides.len()
    }
}

/// Sorts a symbol's references by position and merges the records of one token into one
/// reference (a write when any of them is).
pub(crate) fn sort_references(list: &mut Vec<Reference>) {
    // `Read < Write`, so after sorting a token's write comes last and wins.
    list.sort();
    list.dedup_by(|later, earlier| {
        let same = later.span == earlier.span;
        if same {
            earlier.kind = earlier.kind.max(later.kind);
        }
        same
    });
}
