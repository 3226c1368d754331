//! Interned types and the facts the checker records (`docs/spec/pbs-language.md` §3).

use std::sync::Arc;

use la_arena::{Arena, ArenaMap, Idx, RawIdx};

use super::fx::FxHashMap as HashMap;
use super::tables::{NodeTable, SymbolTable};

use crate::{FileId, NameInterner, NodeId, SymbolId, TypeId};

use super::SymbolArena;

/// The shape of a type. Declared types are named by their symbol.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TypeKind {
    /// Unknown because of an earlier error: accepted everywhere, so one mistake reports
    /// once (§11 recovery).
    Error,
    /// `void`
    Void,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bounded`
    Bounded,
    /// `bool`
    Bool,
    /// `string`
    String,
    /// A declared struct.
    Struct(SymbolId),
    /// A declared error type.
    ErrorType(SymbolId),
    /// A service (only as the type of its name; services are not values one can store).
    Service(SymbolId),
    /// A contract.
    Contract(SymbolId),
    /// `[T; N]`
    Array(TypeId, u32),
    /// `optional<T>`
    Optional(TypeId),
    /// `result<T, E>`
    Result(TypeId, TypeId),
    /// `ref<T>`
    Ref(TypeId),
    /// `list<T>`
    List(TypeId),
}

impl TypeId {
    /// The type's typed index in its [`TypeArena`] (`TypeId` is the number outputs show).
    #[inline]
    fn arena_idx(self) -> Idx<TypeKind> {
        Idx::from_raw(RawIdx::from_u32(self.0))
    }
}

/// Every type of an analysis, deduplicated: equal kinds have equal IDs, so type
/// equality is ID equality. IDs follow first-creation order (deterministic).
#[derive(Clone, Debug)]
pub struct TypeArena {
    /// Shared by the analyses of a session that create no type (see `semantics/fast.rs`).
    data: Arc<TypeData>,
    /// While a body is recorded for reuse (see `memo`): every type it interned, in
    /// call order.
    pub(crate) trail: Option<Vec<TypeId>>,
}

#[derive(Clone, Debug)]
struct TypeData {
    kinds: Arena<TypeKind>,
    ids: HashMap<TypeKind, TypeId>,
    /// Per type: whether it is or contains the error type, computed when it is interned
    /// (its parts are interned first), so asking costs the same for any depth of type.
    has_error: ArenaMap<Idx<TypeKind>, bool>,
}

impl Default for TypeArena {
    fn default() -> TypeArena {
        TypeArena::new()
    }
}

impl TypeArena {
    /// `Error`, `Void`, `Int`, `Float`, `Bounded`, `Bool`, `String` are pre-interned as
    /// IDs 0–6 (see the associated constants).
    pub fn new() -> TypeArena {
        let mut arena = TypeArena {
            data: Arc::new(TypeData {
                kinds: Arena::new(),
                ids: HashMap::default(),
                has_error: ArenaMap::default(),
            }),
            trail: None,
        };
        for kind in [
            TypeKind::Error,
            TypeKind::Void,
            TypeKind::Int,
            TypeKind::Float,
            TypeKind::Bounded,
            TypeKind::Bool,
            TypeKind::String,
        ] {
            arena.intern(kind);
        }
        arena
    }

    /// The error (unknown) type.
    pub const ERROR: TypeId = TypeId(0);
    /// `void`
    pub const VOID: TypeId = TypeId(1);
    /// `int`
    pub const INT: TypeId = TypeId(2);
    /// `float`
    pub const FLOAT: TypeId = TypeId(3);
    /// `bounded`
    pub const BOUNDED: TypeId = TypeId(4);
    /// `bool`
    pub const BOOL: TypeId = TypeId(5);
    /// `string`
    pub const STRING: TypeId = TypeId(6);

    /// The ID of `kind`, creating it on first sight.
    pub fn intern(&mut self, kind: TypeKind) -> TypeId {
        let id = self.intern_quietly(kind);
        if let Some(trail) = &mut self.trail {
            trail.push(id);
        }
        id
    }

    /// The ID of `kind` if it was interned already.
    pub(crate) fn lookup(&self, kind: TypeKind) -> Option<TypeId> {
        self.data.ids.get(&kind).copied()
    }

    fn intern_quietly(&mut self, kind: TypeKind) -> TypeId {
        if let Some(&id) = self.data.ids.get(&kind) {
            return id;
        }
        let id = TypeId::from_index(self.data.kinds.len());
        let has_error = match kind {
            TypeKind::Error => true,
            TypeKind::Array(t, _)
            | TypeKind::Optional(t)
            | TypeKind::Ref(t)
            | TypeKind::List(t) => self.contains_error(t),
            TypeKind::Result(a, b) => self.contains_error(a) || self.contains_error(b),
            _ => false,
        };
        let data = Arc::make_mut(&mut self.data);
        let idx = data.kinds.alloc(kind);
        data.has_error.insert(idx, has_error);
        data.ids.insert(kind, id);
        id
    }

    /// The arena as it was when it held its first `len` types (a re-check of one file's
    /// bodies starts from the types that existed before them, `semantics/fast.rs`).
    pub(crate) fn truncated(&self, len: usize) -> TypeArena {
        let mut arena = TypeArena {
            data: Arc::new(TypeData {
                kinds: Arena::with_capacity(len),
                ids: HashMap::default(),
                has_error: ArenaMap::with_capacity(len),
            }),
            trail: None,
        };
        for (_, kind) in self.iter().take(len) {
            arena.intern_quietly(kind);
        }
        arena
    }

    /// The kinds of at most `count` types from `first` on, in ID order.
    pub(crate) fn kinds_from(&self, first: usize, count: usize) -> Vec<TypeKind> {
        self.iter()
            .skip(first)
            .take(count)
            .map(|(_, kind)| kind)
            .collect()
    }

    /// What type `id` is.
    #[inline]
    pub fn kind(&self, id: TypeId) -> TypeKind {
        self.data.kinds[id.arena_idx()]
    }

    /// Number of types.
    pub fn len(&self) -> usize {
        self.data.kinds.len()
    }

    /// Whether there is no type (never: the builtins are always there).
    pub fn is_empty(&self) -> bool {
        self.data.kinds.is_empty()
    }

    /// Every type with its ID, in ID order.
    pub fn iter(&self) -> impl Iterator<Item = (TypeId, TypeKind)> + '_ {
        self.data
            .kinds
            .iter()
            .map(|(idx, kind)| (TypeId(idx.into_raw().into_u32()), *kind))
    }

    /// Whether `id` is, or contains, the error type.
    #[inline]
    pub fn contains_error(&self, id: TypeId) -> bool {
        self.data.has_error[id.arena_idx()]
    }

    /// Whether `id` is a HIP handle, `ref<T>` or `list<T>` (§3.3).
    pub fn is_handle(&self, id: TypeId) -> bool {
        matches!(self.kind(id), TypeKind::Ref(_) | TypeKind::List(_))
    }

    /// Whether `id` is `int`, `float` or `bounded`.
    pub fn is_numeric(&self, id: TypeId) -> bool {
        matches!(
            self.kind(id),
            TypeKind::Int | TypeKind::Float | TypeKind::Bounded
        )
    }

    /// The type as a hover prints it: `int`, `optional<Vec2>`, `result<int, Mood>`,
    /// `[int; 3]`, `ref<Enemy>`, `list<Ball>`; `{unknown}` for the error type.
    pub fn display(&self, id: TypeId, symbols: &SymbolArena, names: &NameInterner) -> String {
        let mut out = String::new();
        self.write(id, symbols, names, &mut out);
        out
    }

    fn write(&self, id: TypeId, symbols: &SymbolArena, names: &NameInterner, out: &mut String) {
        // Inferred types can nest as deep as a chain of `let`s (`some(some(…))`).
        crate::stack::ensure_sufficient_stack(|| self.write_kind(id, symbols, names, out));
    }

    fn write_kind(
        &self,
        id: TypeId,
        symbols: &SymbolArena,
        names: &NameInterner,
        out: &mut String,
    ) {
        let generic = |out: &mut String, head: &str, args: &[TypeId]| {
            out.push_str(head);
            out.push('<');
            for (i, &a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                self.write(a, symbols, names, out);
            }
            out.push('>');
        };
        match self.kind(id) {
            TypeKind::Error => out.push_str("{unknown}"),
            TypeKind::Void => out.push_str("void"),
            TypeKind::Int => out.push_str("int"),
            TypeKind::Float => out.push_str("float"),
            TypeKind::Bounded => out.push_str("bounded"),
            TypeKind::Bool => out.push_str("bool"),
            TypeKind::String => out.push_str("string"),
            TypeKind::Struct(s)
            | TypeKind::ErrorType(s)
            | TypeKind::Service(s)
            | TypeKind::Contract(s) => out.push_str(names.resolve(symbols.get(s).name)),
            TypeKind::Array(t, n) => {
                out.push('[');
                self.write(t, symbols, names, out);
                out.push_str(&format!("; {n}]"));
            }
            TypeKind::Optional(t) => generic(out, "optional", &[t]),
            TypeKind::Result(a, b) => generic(out, "result", &[a, b]),
            TypeKind::Ref(t) => generic(out, "ref", &[t]),
            TypeKind::List(t) => generic(out, "list", &[t]),
        }
    }
}

/// A function's signature: parameter types (without `self`), the receiver and the
/// return type.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FnSignature {
    /// The parameters after `self`, in order.
    pub params: Vec<TypeId>,
    /// `Some(is_mut)` for a method's `self` / `mut self`.
    pub receiver: Option<bool>,
    /// The return type (`void` when none is written).
    pub ret: TypeId,
}

/// What the checker learned: the type of every expression node and of every symbol that
/// has one (locals, parameters, fields, constants, functions' return types are in the
/// signatures).
#[derive(Clone, Debug, Default)]
pub struct TypeFacts {
    node_type: NodeTable<TypeId>,
    symbol_type: Arc<SymbolTable<TypeId>>,
    /// The types of one run of symbols that replace the base's (the locals of the file
    /// whose bodies an analysis re-checked, `semantics/fast.rs`): `(first, types)`.
    symbol_patch: Option<(u32, Arc<Vec<Option<TypeId>>>)>,
    /// How the re-checked file's locals moved (the base is in its own numbering).
    shift: Option<super::symbols::LocalShift>,
    signatures: Arc<SymbolTable<FnSignature>>,
    /// While a body is recorded for reuse (see `memo`): every fact it set, in order.
    pub(crate) trail: Option<Vec<FactStep>>,
}

/// One fact a body set, as `memo` records it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FactStep {
    /// `set_node(file, node, ty)`
    Node(FileId, NodeId, TypeId),
    /// `set_symbol(symbol, ty)`
    Symbol(SymbolId, TypeId),
}

impl TypeFacts {
    /// The type of expression node `node` of `file`, if it was checked.
    pub fn node_type(&self, file: FileId, node: NodeId) -> Option<TypeId> {
        self.node_type.get(file, node)
    }

    /// The type of a value symbol (local, parameter, field, constant, service field) or
    /// of a type symbol (struct, error, …).
    pub fn symbol_type(&self, symbol: SymbolId) -> Option<TypeId> {
        if let Some((first, types)) = &self.symbol_patch {
            if let Some(ty) = symbol
                .0
                .checked_sub(*first)
                .and_then(|i| types.get(i as usize))
            {
                return *ty;
            }
        }
        let symbol = self.shift.map_or(symbol, |s| s.to_base(symbol));
        self.symbol_type.get(symbol).copied()
    }

    /// The signature of a function symbol.
    pub fn signature(&self, symbol: SymbolId) -> Option<&FnSignature> {
        self.signatures.get(symbol)
    }

    /// Every node type, sorted by node.
    pub fn node_types(&self) -> Vec<((FileId, NodeId), TypeId)> {
        self.node_type.entries()
    }

    /// Every symbol type, sorted by symbol.
    pub fn symbol_types(&self) -> Vec<(SymbolId, TypeId)> {
        let mut all: Vec<(SymbolId, TypeId)> = match (&self.symbol_patch, self.shift) {
            (Some((first, types)), Some(shift)) => {
                // The base's types of the re-checked file's old locals give way to the
                // patch; every later one moved with the shift.
                let outside = self
                    .symbol_type
                    .iter()
                    .filter(|(s, _)| s.0 < *first || s.0 >= shift.base_end)
                    .map(|(s, t)| (shift.moved(s), *t));
                let inside = types
                    .iter()
                    .enumerate()
                    .filter_map(|(i, t)| Some((SymbolId(first + i as u32), (*t)?)));
                outside.chain(inside).collect()
            }
            _ => self.symbol_type.iter().map(|(s, t)| (s, *t)).collect(),
        };
        all.sort_unstable_by_key(|(s, _)| *s);
        all
    }

    pub(crate) fn set_node(&mut self, file: FileId, node: NodeId, ty: TypeId) {
        if let Some(trail) = &mut self.trail {
            trail.push(FactStep::Node(file, node, ty));
        }
        self.node_type.insert(file, node, ty);
    }

    pub(crate) fn set_symbol(&mut self, symbol: SymbolId, ty: TypeId) {
        if let Some(trail) = &mut self.trail {
            trail.push(FactStep::Symbol(symbol, ty));
        }
        if let Some((first, types)) = &mut self.symbol_patch {
            // While a file's bodies are re-checked, every local from `first` on is one of
            // theirs, however many there are.
            if let Some(i) = symbol.0.checked_sub(*first) {
                let types = Arc::make_mut(types);
                if types.len() <= i as usize {
                    types.resize(i as usize + 1, None);
                }
                types[i as usize] = Some(ty);
                return;
            }
        }
        Arc::make_mut(&mut self.symbol_type).insert(symbol, ty);
    }

    pub(crate) fn set_signature(&mut self, symbol: SymbolId, sig: FnSignature) {
        Arc::make_mut(&mut self.signatures).insert(symbol, sig);
    }

    /// A copy for re-checking one file's bodies (`semantics/fast.rs`): the nodes of
    /// `file` start as `nodes`, and its locals, from `first` on, with no type.
    pub(crate) fn rechecking(
        &self,
        file: FileId,
        nodes: Vec<(NodeId, TypeId)>,
        first: u32,
    ) -> TypeFacts {
        let mut copy = self.clone();
        copy.node_type.replace_file(file, nodes);
        copy.symbol_patch = Some((first, Arc::new(Vec::new())));
        copy
    }

    /// Ends a re-check whose file now has `count` locals, moved as `shift` says.
    pub(crate) fn set_shift(&mut self, count: u32, shift: super::symbols::LocalShift) {
        if let Some((_, types)) = &mut self.symbol_patch {
            Arc::make_mut(types).resize(count as usize, None);
        }
        self.shift = Some(shift);
    }

    /// Every `(node, type)` of `file`, in node order.
    pub(crate) fn file_node_types(&self, file: FileId) -> Vec<(NodeId, TypeId)> {
        self.node_type.file_entries(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantics::{Symbol, SymbolKind};
    use crate::syntax::Visibility;
    use crate::{FileId, ModuleId, NodeId, Span};

    #[test]
    fn types_are_interned_and_print_like_a_hover() {
        let mut names = NameInterner::new();
        let mut symbols = SymbolArena::default();
        let enemy = symbols.alloc(Symbol {
            name: names.intern("Enemy"),
            kind: SymbolKind::Struct,
            visibility: Visibility::Pub,
            module: ModuleId(0),
            decl_span: Span::new(FileId(0), 0, 5),
            doc: None,
            parent: None,
            node: (FileId(0), NodeId(0)),
            mutable: false,
            duplicate: false,
        });
        let mut types = TypeArena::new();
        let e = types.intern(TypeKind::Struct(enemy));
        let opt = types.intern(TypeKind::Optional(e));
        assert_eq!(types.intern(TypeKind::Optional(e)), opt, "deduplicated");
        let cases = [
            (TypeArena::INT, "int"),
            (TypeArena::ERROR, "{unknown}"),
            (opt, "optional<Enemy>"),
            (
                types.intern(TypeKind::Result(TypeArena::VOID, e)),
                "result<void, Enemy>",
            ),
            (types.intern(TypeKind::Array(TypeArena::INT, 3)), "[int; 3]"),
            (types.intern(TypeKind::Ref(e)), "ref<Enemy>"),
            (types.intern(TypeKind::List(opt)), "list<optional<Enemy>>"),
        ];
        for (ty, text) in cases {
            assert_eq!(types.display(ty, &symbols, &names), text);
        }
        let nested = types.intern(TypeKind::List(TypeArena::ERROR));
        assert!(types.contains_error(nested));
        assert!(!types.contains_error(opt));
        assert!(types.is_handle(nested) && !types.is_handle(opt));
    }
}
