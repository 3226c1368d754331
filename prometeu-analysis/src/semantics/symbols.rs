//! Symbols and the indexes over them: what every name of a program denotes
//! (`docs/spec/pbs-language.md` §4, §7; `docs/spec/toolchain.md` §3.1–§3.2).

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

/// Every symbol of an analysis, addressed by [`SymbolId`] in a deterministic order:
/// prelude first, then files in project-graph order, each in source order.
#[derive(Clone, Debug, Default)]
pub struct SymbolArena {
    symbols: Arena<Symbol>,
}

impl SymbolArena {
    /// Adds a symbol and returns its ID.
    pub fn alloc(&mut self, symbol: Symbol) -> SymbolId {
        // `from_index` refuses an ID past `u32` (inputs are bounded far below it).
        let id = SymbolId::from_index(self.symbols.len());
        self.symbols.alloc(symbol);
        id
    }

    /// The symbol `id`.
    #[inline]
    pub fn get(&self, id: SymbolId) -> &Symbol {
        &self.symbols[id.arena_idx()]
    }

    /// The symbol `id`, mutably (only while analysing).
    pub(crate) fn get_mut(&mut self, id: SymbolId) -> &mut Symbol {
        &mut self.symbols[id.arena_idx()]
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// Whether there is no symbol.
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// Every symbol with its ID, in ID order.
    pub fn iter(&self) -> impl Iterator<Item = (SymbolId, &Symbol)> {
        self.symbols
            .iter()
            .map(|(idx, symbol)| (SymbolId::from_arena_idx(idx), symbol))
    }
}

/// The top-level items of every module by `(module, name, namespace)`, and the members
/// of every struct, service, error and contract by owner.
#[derive(Clone, Debug, Default)]
pub struct DefIndex {
    items: HashMap<(ModuleId, NameId, Namespace), SymbolId>,
    members: SymbolTable<Vec<SymbolId>>,
    member_by_name: HashMap<(SymbolId, NameId), SymbolId>,
}

impl DefIndex {
    /// The item `name` of `module` in namespace `ns` (the first declaration when there
    /// are duplicates).
    pub fn item(&self, module: ModuleId, name: NameId, ns: Namespace) -> Option<SymbolId> {
        self.items.get(&(module, name, ns)).copied()
    }

    /// The item `name` of `module` in either namespace (types first).
    pub fn any_item(&self, module: ModuleId, name: NameId) -> Option<SymbolId> {
        self.item(module, name, Namespace::Type)
            .or_else(|| self.item(module, name, Namespace::Value))
    }

    /// Every member of `owner` (fields, then members, in declaration order; duplicates
    /// included).
    pub fn members(&self, owner: SymbolId) -> &[SymbolId] {
        self.members.get(owner).map_or(&[], Vec::as_slice)
    }

    /// The member `name` of `owner` (the first one when duplicated).
    pub fn member(&self, owner: SymbolId, name: NameId) -> Option<SymbolId> {
        self.member_by_name.get(&(owner, name)).copied()
    }

    /// Every `(module, name, namespace) → symbol` entry, sorted.
    pub fn items(&self) -> Vec<((ModuleId, NameId, Namespace), SymbolId)> {
        let mut all: Vec<_> = self.items.iter().map(|(k, v)| (*k, *v)).collect();
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
        match self.items.entry((module, name, ns)) {
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
        self.members.get_or_default(owner).push(symbol);
        match self.member_by_name.entry((owner, name)) {
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
#[derive(Clone, Debug, Default)]
pub struct RefIndex {
    refs: SymbolTable<Vec<Reference>>,
    node_symbol: NodeTable<SymbolId>,
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
        self.refs.get(symbol).map_or(&[], Vec::as_slice)
    }

    /// The symbol a name node (a `NameRef`, `TypeName`, member or import name, …)
    /// resolved to.
    pub fn symbol_at(&self, file: FileId, node: NodeId) -> Option<SymbolId> {
        self.node_symbol.get(file, node)
    }

    /// Every resolved name node, sorted.
    pub fn node_symbols(&self) -> Vec<((FileId, NodeId), SymbolId)> {
        self.node_symbol.entries()
    }

    /// Every symbol that has uses, sorted by ID.
    pub fn used_symbols(&self) -> Vec<SymbolId> {
        self.refs
            .iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(s, _)| s)
            .collect()
    }

    /// Records a use of `symbol` by the name node `node` at `span`.
    pub(crate) fn record(&mut self, symbol: SymbolId, node: NodeId, span: Span, kind: RefKind) {
        if let Some(trail) = &mut self.trail {
            trail.push(RefStep::Use(symbol, node, span, kind));
        }
        self.node_symbol.insert(span.file, node, symbol);
        // A token recorded twice (read, then found to be a write target) is merged in
        // `finish`: searching here made popular symbols (`Log`, …) quadratic.
        self.refs
            .get_or_default(symbol)
            .push(Reference { span, kind });
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
        for list in self.refs.values_mut() {
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
    }
}
