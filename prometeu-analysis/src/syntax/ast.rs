//! The AST of one file as a flat, append-only arena (`docs/spec/pbs-language.md` §3–§6).
//!
//! Nodes refer to each other only by [`NodeId`]; variable-length child lists are
//! [`NodeList`] ranges into one shared side array, so a node is a fixed-size record and
//! building the tree allocates only when the big vectors grow. Children are pushed before
//! their parent, so a parent's ID is always greater than its children's and the root is
//! the last node.

use crate::{FileId, NameId, NodeId, Span};

/// A range of child IDs in [`AstArena`]'s shared list storage.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct NodeList {
    /// Index of the first child in the list storage.
    pub start: u32,
    /// Number of children.
    pub len: u32,
}

impl NodeList {
    /// The empty list.
    pub const EMPTY: NodeList = NodeList { start: 0, len: 0 };

    /// Whether the list has no child.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// The visibility word in front of a declaration or member (§4.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Visibility {
    /// Nothing written: private to the file (or to the owning struct/service).
    Private,
    /// `mod`: visible to the files of the same module.
    Mod,
    /// `pub`: visible to importers.
    Pub,
}

/// A prefix operator.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnaryOp {
    /// `-e`
    Neg,
    /// `!e`
    Not,
}

/// A binary operator of §6.1 (not `as`, `else` or `when`, which have their own nodes).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BinaryOp {
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `&`
    BitAnd,
    /// `^`
    BitXor,
    /// `|`
    BitOr,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinaryOp {
    /// The operator as written.
    pub const fn text(self) -> &'static str {
        match self {
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::BitAnd => "&",
            BinaryOp::BitXor => "^",
            BinaryOp::BitOr => "|",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }
}

impl UnaryOp {
    /// The operator as written.
    pub const fn text(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
        }
    }
}

/// An assignment operator (§5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AssignOp {
    /// `=`
    Assign,
    /// `+=`
    Add,
    /// `-=`
    Sub,
    /// `*=`
    Mul,
    /// `/=`
    Div,
    /// `%=`
    Rem,
}

impl AssignOp {
    /// The operator as written.
    pub const fn text(self) -> &'static str {
        match self {
            AssignOp::Assign => "=",
            AssignOp::Add => "+=",
            AssignOp::Sub => "-=",
            AssignOp::Mul => "*=",
            AssignOp::Div => "/=",
            AssignOp::Rem => "%=",
        }
    }
}

/// Which view a `borrow`/`mutate` expression opens (§6.6).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ViewKind {
    /// `borrow h as v { … }`: a shared read view.
    Borrow,
    /// `mutate h as v { … }`: an exclusive write view.
    Mutate,
}

/// What a node is, with its children by ID. Names are [`NameId`]s; where a name needs its
/// own span (declared names, member names, bindings) it is a [`NodeKind::Name`] child.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum NodeKind {
    // ----- structure -----
    /// The whole file: imports, declarations and error nodes in source order.
    SourceFile {
        /// Imports, declarations and error nodes.
        items: NodeList,
    },
    /// Input that recovery skipped or could not give a shape; `children` keeps whatever
    /// well-formed parts were inside (e.g. the operands of a non-associative chain).
    Error {
        /// Parsed pieces inside the erroneous region.
        children: NodeList,
    },
    /// A name with its own span: a declared name, a member name or a binding.
    Name {
        /// The identifier.
        name: NameId,
    },

    // ----- items -----
    /// `import { names } from "path";`
    Import {
        /// [`NodeKind::ImportName`] children.
        names: NodeList,
        /// The module path, a [`NodeKind::StringLit`].
        path: NodeId,
    },
    /// `name` or `name as alias` inside an import list.
    ImportName {
        /// The imported item's name (a [`NodeKind::Name`]).
        name: NodeId,
        /// The local alias (a [`NodeKind::Name`]), if any.
        alias: Option<NodeId>,
    },
    /// `fn name(params): T { … }`; also a body-less signature in contracts and prelude
    /// structs.
    FnDecl {
        /// The visibility word.
        vis: Visibility,
        /// The function's name.
        name: NodeId,
        /// The [`NodeKind::FnSig`]: parameters and return type.
        sig: NodeId,
        /// The body [`NodeKind::Block`], absent for a signature ending in `;`.
        body: Option<NodeId>,
    },
    /// The parameter list and return type of a function, from `(` to the return type.
    FnSig {
        /// [`NodeKind::Param`] and [`NodeKind::SelfParam`] children.
        params: NodeList,
        /// The return type; absent means `void`.
        ret: Option<NodeId>,
    },
    /// `[mut] name: T`
    Param {
        /// Whether the parameter is a mutable local copy.
        is_mut: bool,
        /// The parameter name.
        name: NodeId,
        /// Its type.
        ty: NodeId,
    },
    /// `self` or `mut self`, a method receiver.
    SelfParam {
        /// Whether it is `mut self`.
        is_mut: bool,
    },
    /// `declare struct Name(fields) { members }`
    StructDecl {
        /// The visibility word.
        vis: Visibility,
        /// The struct's name.
        name: NodeId,
        /// [`NodeKind::Field`] children.
        fields: NodeList,
        /// [`NodeKind::ConstDecl`] and [`NodeKind::FnDecl`] members (empty without a body).
        members: NodeList,
    },
    /// `name: T`, a struct field.
    Field {
        /// The field name.
        name: NodeId,
        /// Its type.
        ty: NodeId,
    },
    /// `declare const NAME: T = e;` at top level, or `const NAME: T = e;` in a struct
    /// (the value may be absent in the prelude).
    ConstDecl {
        /// The visibility word.
        vis: Visibility,
        /// The constant's name.
        name: NodeId,
        /// Its type.
        ty: NodeId,
        /// Its initialiser.
        value: Option<NodeId>,
    },
    /// `service Name[: Contract] { members }`
    ServiceDecl {
        /// The visibility word.
        vis: Visibility,
        /// The service's name.
        name: NodeId,
        /// The implemented contract, a type node.
        contract: Option<NodeId>,
        /// [`NodeKind::ServiceField`] and [`NodeKind::FnDecl`] members.
        members: NodeList,
    },
    /// `[vis] let [mut] name: T = e;` inside a service.
    ServiceField {
        /// The visibility word.
        vis: Visibility,
        /// Whether the field can be assigned.
        is_mut: bool,
        /// The field name.
        name: NodeId,
        /// Its type.
        ty: NodeId,
        /// Its initialiser.
        value: NodeId,
    },
    /// `declare contract Name [host] { fn sigs; }`
    ContractDecl {
        /// The visibility word.
        vis: Visibility,
        /// Whether the console implements it (`host`).
        is_host: bool,
        /// The contract's name.
        name: NodeId,
        /// [`NodeKind::FnDecl`] signatures.
        fns: NodeList,
    },
    /// `declare error Name { Cases }`
    ErrorDecl {
        /// The visibility word.
        vis: Visibility,
        /// The error type's name.
        name: NodeId,
        /// [`NodeKind::ErrorCase`] children.
        cases: NodeList,
    },
    /// One case of an error declaration.
    ErrorCase {
        /// The case name.
        name: NodeId,
    },

    // ----- statements -----
    /// `{ stmts [tail] }`
    Block {
        /// The statements.
        stmts: NodeList,
        /// The tail expression, the block's value.
        tail: Option<NodeId>,
    },
    /// `let [mut] name [: T] = e;` (`_` as the name discards the value).
    LetStmt {
        /// Whether the binding is mutable.
        is_mut: bool,
        /// The bound name.
        name: NodeId,
        /// The annotated type.
        ty: Option<NodeId>,
        /// The initialiser.
        value: NodeId,
    },
    /// `place op e;`
    AssignStmt {
        /// `=`, `+=`, …
        op: AssignOp,
        /// The place assigned to.
        target: NodeId,
        /// The assigned value.
        value: NodeId,
    },
    /// `return [e];`
    ReturnStmt {
        /// The returned value.
        value: Option<NodeId>,
    },
    /// `while cond { … }`
    WhileStmt {
        /// The condition.
        cond: NodeId,
        /// The body block.
        body: NodeId,
    },
    /// `for name in iter { … }`
    ForStmt {
        /// The loop variable (`_` discards it).
        name: NodeId,
        /// The iterated expression or [`NodeKind::Range`].
        iter: NodeId,
        /// The body block.
        body: NodeId,
    },
    /// `start..end`, only as the iterable of a `for`.
    Range {
        /// First value.
        start: NodeId,
        /// End, exclusive.
        end: NodeId,
    },
    /// `break;`
    BreakStmt,
    /// `continue;`
    ContinueStmt,
    /// An expression used as a statement.
    ExprStmt {
        /// The expression.
        expr: NodeId,
        /// Whether a `;` was written (block-like expressions may omit it).
        has_semi: bool,
    },

    // ----- expressions -----
    /// An int literal (0..=2147483647).
    IntLit {
        /// The value.
        value: i32,
    },
    /// A float literal.
    FloatLit {
        /// The value.
        value: f64,
    },
    /// A bounded literal such as `640b`.
    BoundedLit {
        /// The value.
        value: u16,
    },
    /// A string literal; the unescaped text is in the arena's string storage.
    StringLit {
        /// Offset of the text in the string storage.
        start: u32,
        /// Length of the text in bytes.
        len: u32,
    },
    /// `true` or `false`.
    BoolLit {
        /// The value.
        value: bool,
    },
    /// `none`.
    NoneLit,
    /// A name used as a value.
    NameRef {
        /// The identifier.
        name: NameId,
    },
    /// `self` used as a value.
    SelfRef,
    /// `( e )`
    Paren {
        /// The inner expression.
        inner: NodeId,
    },
    /// `[a, b, c]`
    ArrayLit {
        /// The elements.
        elems: NodeList,
    },
    /// `[v; N]`
    ArrayRepeat {
        /// The repeated value.
        value: NodeId,
        /// The count, a constant expression.
        count: NodeId,
    },
    /// `some(e)`
    SomeExpr {
        /// The wrapped value.
        value: NodeId,
    },
    /// `ok(e)` or `ok()`
    OkExpr {
        /// The wrapped value; absent for `result<void, E>`.
        value: Option<NodeId>,
    },
    /// `err(e)`
    ErrExpr {
        /// The wrapped error.
        value: NodeId,
    },
    /// `alloc e`
    Alloc {
        /// The value moved into new storage.
        value: NodeId,
    },
    /// `alloc list<T>()`
    AllocList {
        /// The element type.
        elem: NodeId,
    },
    /// `callee(args)`
    Call {
        /// The called expression.
        callee: NodeId,
        /// The arguments.
        args: NodeList,
    },
    /// `base.name`
    Member {
        /// The expression on the left.
        base: NodeId,
        /// The member name (a [`NodeKind::Name`]).
        name: NodeId,
    },
    /// `base[index]`
    Index {
        /// The indexed expression.
        base: NodeId,
        /// The index.
        index: NodeId,
    },
    /// `e?`
    Propagate {
        /// The optional or result.
        inner: NodeId,
    },
    /// `-e`, `!e`
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: NodeId,
    },
    /// `lhs op rhs`
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: NodeId,
        /// Right operand.
        rhs: NodeId,
    },
    /// `value as T`
    Cast {
        /// The converted value.
        value: NodeId,
        /// The target type.
        ty: NodeId,
    },
    /// `value else fallback`
    Else {
        /// The optional or result.
        value: NodeId,
        /// Used when `value` is `none` or an error.
        fallback: NodeId,
    },
    /// `subject when { arms }`
    When {
        /// The matched value.
        subject: NodeId,
        /// [`NodeKind::Arm`] children.
        arms: NodeList,
        /// Offset of the `when` keyword (what `E_TYPE_NON_EXHAUSTIVE` underlines).
        keyword: u32,
    },
    /// `handle subject { arms }`
    Handle {
        /// The result being handled.
        subject: NodeId,
        /// [`NodeKind::Arm`] children.
        arms: NodeList,
    },
    /// `pattern -> value` in a `when` or `handle`.
    Arm {
        /// The pattern.
        pattern: NodeId,
        /// The arm's value.
        value: NodeId,
    },
    /// `if cond { … } [else …]`
    If {
        /// The condition.
        cond: NodeId,
        /// The then block.
        then: NodeId,
        /// The else block or `else if` [`NodeKind::If`].
        otherwise: Option<NodeId>,
    },
    /// `borrow h as name { … }` / `mutate h as name { … }`
    View {
        /// Borrow or mutate.
        kind: ViewKind,
        /// The handle expression.
        handle: NodeId,
        /// The view name (a [`NodeKind::Name`]).
        name: NodeId,
        /// The block in which the view is open.
        body: NodeId,
    },
    /// `peek h`
    Peek {
        /// The handle expression.
        handle: NodeId,
    },
    /// `take h`
    Take {
        /// The handle expression.
        handle: NodeId,
    },

    // ----- patterns -----
    /// `_`
    PatWildcard,
    /// A literal pattern; `value` is a literal expression, or a negated number.
    PatLiteral {
        /// The literal expression.
        value: NodeId,
    },
    /// A name that binds the matched value.
    PatBind {
        /// The bound name.
        name: NameId,
    },
    /// `none`
    PatNone,
    /// `some(p)`
    PatSome {
        /// The inner pattern.
        inner: NodeId,
    },
    /// `ok(p)` or `ok()`
    PatOk {
        /// The inner pattern; absent for `ok()`.
        inner: Option<NodeId>,
    },
    /// `err(p)`
    PatErr {
        /// The inner pattern.
        inner: NodeId,
    },
    /// `E.Case`, an error case.
    PatCase {
        /// The error type's name (a [`NodeKind::Name`]).
        ty: NodeId,
        /// The case name (a [`NodeKind::Name`]).
        case: NodeId,
    },
    /// `p | q | …`
    PatOr {
        /// The alternatives.
        alts: NodeList,
    },

    // ----- types -----
    /// A named type: `int`, `void`, `Vec2`, …
    TypeName {
        /// The name.
        name: NameId,
    },
    /// `optional<T>`
    TypeOptional {
        /// `T`
        inner: NodeId,
    },
    /// `result<T, E>`
    TypeResult {
        /// The success type (may be `void`).
        ok: NodeId,
        /// The error type.
        err: NodeId,
    },
    /// `ref<T>`
    TypeRef {
        /// `T`
        inner: NodeId,
    },
    /// `list<T>`
    TypeList {
        /// `T`
        inner: NodeId,
    },
    /// `[T; N]`
    TypeArray {
        /// The element type.
        elem: NodeId,
        /// The length, a constant expression.
        len: NodeId,
    },
}

impl NodeKind {
    /// The name token of a top-level declaration (function, struct, constant, service,
    /// contract, error); `None` for imports and anything else.
    pub fn declared_name(&self) -> Option<NodeId> {
        match *self {
            NodeKind::FnDecl { name, .. }
            | NodeKind::StructDecl { name, .. }
            | NodeKind::ConstDecl { name, .. }
            | NodeKind::ServiceDecl { name, .. }
            | NodeKind::ContractDecl { name, .. }
            | NodeKind::ErrorDecl { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The kind's name, as used in the canonical JSON dump.
    pub const fn name(&self) -> &'static str {
        match self {
            NodeKind::SourceFile { .. } => "SourceFile",
            NodeKind::Error { .. } => "Error",
            NodeKind::Name { .. } => "Name",
            NodeKind::Import { .. } => "Import",
            NodeKind::ImportName { .. } => "ImportName",
            NodeKind::FnDecl { .. } => "FnDecl",
            NodeKind::FnSig { .. } => "FnSig",
            NodeKind::Param { .. } => "Param",
            NodeKind::SelfParam { .. } => "SelfParam",
            NodeKind::StructDecl { .. } => "StructDecl",
            NodeKind::Field { .. } => "Field",
            NodeKind::ConstDecl { .. } => "ConstDecl",
            NodeKind::ServiceDecl { .. } => "ServiceDecl",
            NodeKind::ServiceField { .. } => "ServiceField",
            NodeKind::ContractDecl { .. } => "ContractDecl",
            NodeKind::ErrorDecl { .. } => "ErrorDecl",
            NodeKind::ErrorCase { .. } => "ErrorCase",
            NodeKind::Block { .. } => "Block",
            NodeKind::LetStmt { .. } => "LetStmt",
            NodeKind::AssignStmt { .. } => "AssignStmt",
            NodeKind::ReturnStmt { .. } => "ReturnStmt",
            NodeKind::WhileStmt { .. } => "WhileStmt",
            NodeKind::ForStmt { .. } => "ForStmt",
            NodeKind::Range { .. } => "Range",
            NodeKind::BreakStmt => "BreakStmt",
            NodeKind::ContinueStmt => "ContinueStmt",
            NodeKind::ExprStmt { .. } => "ExprStmt",
            NodeKind::IntLit { .. } => "IntLit",
            NodeKind::FloatLit { .. } => "FloatLit",
            NodeKind::BoundedLit { .. } => "BoundedLit",
            NodeKind::StringLit { .. } => "StringLit",
            NodeKind::BoolLit { .. } => "BoolLit",
            NodeKind::NoneLit => "NoneLit",
            NodeKind::NameRef { .. } => "NameRef",
            NodeKind::SelfRef => "SelfRef",
            NodeKind::Paren { .. } => "Paren",
            NodeKind::ArrayLit { .. } => "ArrayLit",
            NodeKind::ArrayRepeat { .. } => "ArrayRepeat",
            NodeKind::SomeExpr { .. } => "SomeExpr",
            NodeKind::OkExpr { .. } => "OkExpr",
            NodeKind::ErrExpr { .. } => "ErrExpr",
            NodeKind::Alloc { .. } => "Alloc",
            NodeKind::AllocList { .. } => "AllocList",
            NodeKind::Call { .. } => "Call",
            NodeKind::Member { .. } => "Member",
            NodeKind::Index { .. } => "Index",
            NodeKind::Propagate { .. } => "Propagate",
            NodeKind::Unary { .. } => "Unary",
            NodeKind::Binary { .. } => "Binary",
            NodeKind::Cast { .. } => "Cast",
            NodeKind::Else { .. } => "Else",
            NodeKind::When { .. } => "When",
            NodeKind::Handle { .. } => "Handle",
            NodeKind::Arm { .. } => "Arm",
            NodeKind::If { .. } => "If",
            NodeKind::View { .. } => "View",
            NodeKind::Peek { .. } => "Peek",
            NodeKind::Take { .. } => "Take",
            NodeKind::PatWildcard => "PatWildcard",
            NodeKind::PatLiteral { .. } => "PatLiteral",
            NodeKind::PatBind { .. } => "PatBind",
            NodeKind::PatNone => "PatNone",
            NodeKind::PatSome { .. } => "PatSome",
            NodeKind::PatOk { .. } => "PatOk",
            NodeKind::PatErr { .. } => "PatErr",
            NodeKind::PatCase { .. } => "PatCase",
            NodeKind::PatOr { .. } => "PatOr",
            NodeKind::TypeName { .. } => "TypeName",
            NodeKind::TypeOptional { .. } => "TypeOptional",
            NodeKind::TypeResult { .. } => "TypeResult",
            NodeKind::TypeRef { .. } => "TypeRef",
            NodeKind::TypeList { .. } => "TypeList",
            NodeKind::TypeArray { .. } => "TypeArray",
        }
    }

    /// Whether this is a top-level item or a struct/service/contract member: what
    /// [`AstArena::enclosing_decl`] looks for.
    pub const fn is_decl(&self) -> bool {
        matches!(
            self,
            NodeKind::Import { .. }
                | NodeKind::FnDecl { .. }
                | NodeKind::StructDecl { .. }
                | NodeKind::ConstDecl { .. }
                | NodeKind::ServiceDecl { .. }
                | NodeKind::ServiceField { .. }
                | NodeKind::ContractDecl { .. }
                | NodeKind::ErrorDecl { .. }
        )
    }
}

/// A doc comment attached to a declaration, struct field, service field or error case.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DocComment {
    /// The documented node.
    pub node: NodeId,
    /// From the first `///` to the end of the last doc line.
    pub span: Span,
    /// The text without the `///` markers (and one following space), lines joined by `\n`.
    pub text: String,
}

/// The AST of one file: node kinds, spans and parent links in parallel vectors (always
/// the same length), plus the shared child-list and string storage. Append-only while
/// parsing, immutable after.
#[derive(Clone, Debug)]
pub struct AstArena {
    file: FileId,
    nodes: Vec<NodeKind>,
    /// `(start, end)` per node; the file is the arena's, so it is not stored per node.
    spans: Vec<(u32, u32)>,
    /// `u32::MAX` for no parent (the root, or a node not yet adopted).
    parents: Vec<u32>,
    lists: Vec<NodeId>,
    strings: String,
    docs: Vec<DocComment>,
    root: Option<NodeId>,
}

const NO_PARENT: u32 = u32::MAX;

impl AstArena {
    /// An empty arena for nodes of `file`.
    pub fn new(file: FileId) -> AstArena {
        AstArena {
            file,
            nodes: Vec::new(),
            spans: Vec::new(),
            parents: Vec::new(),
            lists: Vec::new(),
            strings: String::new(),
            docs: Vec::new(),
            root: None,
        }
    }

    /// An empty arena with room for about `nodes` nodes.
    pub fn with_capacity(file: FileId, nodes: usize) -> AstArena {
        let mut arena = AstArena::new(file);
        arena.nodes.reserve(nodes);
        arena.spans.reserve(nodes);
        arena.parents.reserve(nodes);
        arena.lists.reserve(nodes / 2);
        arena
    }

    /// The file the nodes belong to.
    pub fn file(&self) -> FileId {
        self.file
    }

    /// Appends a node whose children were pushed before it, and adopts them.
    pub fn push(&mut self, kind: NodeKind, span: Span) -> NodeId {
        let id = NodeId::from_index(self.nodes.len());
        let parents = &mut self.parents;
        for_each_child(&kind, &self.lists, |child| {
            parents[child.index()] = id.0;
        });
        debug_assert_eq!(span.file, self.file, "a node of another file");
        self.nodes.push(kind);
        self.spans.push((span.start, span.end));
        self.parents.push(NO_PARENT);
        id
    }

    /// Stores a child list and returns its range.
    pub fn push_list(&mut self, children: &[NodeId]) -> NodeList {
        if children.is_empty() {
            return NodeList::EMPTY;
        }
        let start = u32::try_from(self.lists.len()).expect("list storage overflow");
        self.lists.extend_from_slice(children);
        NodeList {
            start,
            len: children.len() as u32,
        }
    }

    /// Stores string literal text and returns its `(start, len)` in the string storage.
    pub fn push_str(&mut self, text: &str) -> (u32, u32) {
        let start = u32::try_from(self.strings.len()).expect("string storage overflow");
        self.strings.push_str(text);
        (start, text.len() as u32)
    }

    /// Attaches a doc comment to a node.
    pub fn push_doc(&mut self, doc: DocComment) {
        self.docs.push(doc);
    }

    /// Marks `root` as the root (the [`NodeKind::SourceFile`]) and sorts the doc table.
    pub fn set_root(&mut self, root: NodeId) {
        self.root = Some(root);
        self.docs.sort_by_key(|d| d.node);
    }

    /// The root node, once set.
    pub fn root(&self) -> Option<NodeId> {
        self.root
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there is no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// What node `id` is.
    #[inline]
    pub fn kind(&self, id: NodeId) -> &NodeKind {
        &self.nodes[id.index()]
    }

    /// Where node `id` is.
    #[inline]
    pub fn span(&self, id: NodeId) -> Span {
        let (start, end) = self.spans[id.index()];
        Span {
            file: self.file,
            start,
            end,
        }
    }

    /// The node that has `id` as a child, if any.
    #[inline]
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let p = self.parents[id.index()];
        (p != NO_PARENT).then_some(NodeId(p))
    }

    /// The file's top-level items (imports and declarations), in source order; none
    /// before the root is set.
    pub fn items(&self) -> &[NodeId] {
        match self.root.map(|root| self.kind(root)) {
            Some(&NodeKind::SourceFile { items }) => self.list(items),
            _ => &[],
        }
    }

    /// The IDs of a child list.
    #[inline]
    pub fn list(&self, list: NodeList) -> &[NodeId] {
        &self.lists[list.start as usize..(list.start + list.len) as usize]
    }

    /// The text of a [`NodeKind::StringLit`]'s `(start, len)`.
    pub fn str(&self, start: u32, len: u32) -> &str {
        &self.strings[start as usize..(start + len) as usize]
    }

    /// The unescaped text of node `id` if it is a string literal.
    pub fn string_value(&self, id: NodeId) -> Option<&str> {
        match *self.kind(id) {
            NodeKind::StringLit { start, len } => Some(self.str(start, len)),
            _ => None,
        }
    }

    /// The doc comment attached to `id`, if any.
    pub fn doc(&self, id: NodeId) -> Option<&DocComment> {
        let i = self.docs.binary_search_by_key(&id, |d| d.node).ok()?;
        Some(&self.docs[i])
    }

    /// Every doc comment, ordered by node.
    pub fn docs(&self) -> &[DocComment] {
        &self.docs
    }

    /// Every node ID in push order (children before parents).
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len()).map(NodeId::from_index)
    }

    /// The children of `id` in source order.
    pub fn children(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        for_each_child(self.kind(id), &self.lists, |c| out.push(c));
        out
    }

    /// `id`'s parent, grandparent, … up to the root (not `id` itself).
    pub fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::successors(self.parent(id), |&n| self.parent(n))
    }

    /// The nearest declaration (item or member, see [`NodeKind::is_decl`]) that is `id`
    /// or contains it.
    pub fn enclosing_decl(&self, id: NodeId) -> Option<NodeId> {
        std::iter::once(id)
            .chain(self.ancestors(id))
            .find(|&n| self.kind(n).is_decl())
    }

    /// The innermost node whose span contains `offset` (a cursor right after a node
    /// still touches it when nothing starts there).
    pub fn node_at_offset(&self, offset: u32) -> Option<NodeId> {
        let root = self.root?;
        if !self.span(root).touches(offset) {
            return None;
        }
        let mut current = root;
        loop {
            let mut inside = None;
            let mut touching = None;
            for_each_child(self.kind(current), &self.lists, |c| {
                let span = self.span(c);
                if span.is_empty() {
                    return;
                }
                if span.start <= offset && offset < span.end {
                    inside.get_or_insert(c);
                } else if span.end == offset {
                    touching = Some(c);
                }
            });
            match inside.or(touching) {
                Some(next) => current = next,
                None => return Some(current),
            }
        }
    }

    /// Calls `f` on every child of `kind` (whose lists live in this arena), in source
    /// order; works for a kind that is not pushed yet.
    pub fn visit_children(&self, kind: &NodeKind, f: impl FnMut(NodeId)) {
        for_each_child(kind, &self.lists, f);
    }

    /// Bytes of heap memory the arena holds (capacity, not just length).
    pub fn heap_size(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<NodeKind>()
            + self.spans.capacity() * std::mem::size_of::<(u32, u32)>()
            + self.parents.capacity() * std::mem::size_of::<u32>()
            + self.lists.capacity() * std::mem::size_of::<NodeId>()
            + self.strings.capacity()
            + self.docs.capacity() * std::mem::size_of::<DocComment>()
            + self.docs.iter().map(|d| d.text.capacity()).sum::<usize>()
    }

    /// Releases spare capacity once parsing is done.
    pub fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        self.spans.shrink_to_fit();
        self.parents.shrink_to_fit();
        self.lists.shrink_to_fit();
        self.strings.shrink_to_fit();
        self.docs.shrink_to_fit();
    }
}

/// Calls `f` on every child of `kind`, in source order.
fn for_each_child(kind: &NodeKind, lists: &[NodeId], mut f: impl FnMut(NodeId)) {
    let list = |l: NodeList| &lists[l.start as usize..(l.start + l.len) as usize];
    let each = |l: NodeList, f: &mut dyn FnMut(NodeId)| list(l).iter().for_each(|&c| f(c));
    use NodeKind as K;
    match *kind {
        K::SourceFile { items } => each(items, &mut f),
        K::Error { children } => each(children, &mut f),
        K::Import { names, path } => {
            each(names, &mut f);
            f(path);
        }
        K::ImportName { name, alias } => {
            f(name);
            alias.into_iter().for_each(f);
        }
        K::FnDecl {
            name, sig, body, ..
        } => {
            f(name);
            f(sig);
            body.into_iter().for_each(f);
        }
        K::FnSig { params, ret } => {
            each(params, &mut f);
            ret.into_iter().for_each(f);
        }
        K::Param { name, ty, .. } => {
            f(name);
            f(ty);
        }
        K::StructDecl {
            name,
            fields,
            members,
            ..
        } => {
            f(name);
            each(fields, &mut f);
            each(members, &mut f);
        }
        K::Field { name, ty } => {
            f(name);
            f(ty);
        }
        K::ConstDecl {
            name, ty, value, ..
        } => {
            f(name);
            f(ty);
            value.into_iter().for_each(f);
        }
        K::ServiceDecl {
            name,
            contract,
            members,
            ..
        } => {
            f(name);
            contract.into_iter().for_each(&mut f);
            each(members, &mut f);
        }
        K::ServiceField {
            name, ty, value, ..
        } => {
            f(name);
            f(ty);
            f(value);
        }
        K::ContractDecl { name, fns, .. } => {
            f(name);
            each(fns, &mut f);
        }
        K::ErrorDecl { name, cases, .. } => {
            f(name);
            each(cases, &mut f);
        }
        K::ErrorCase { name } => f(name),
        K::Block { stmts, tail } => {
            each(stmts, &mut f);
            tail.into_iter().for_each(f);
        }
        K::LetStmt {
            name, ty, value, ..
        } => {
            f(name);
            ty.into_iter().for_each(&mut f);
            f(value);
        }
        K::AssignStmt { target, value, .. } => {
            f(target);
            f(value);
        }
        K::ReturnStmt { value } => value.into_iter().for_each(f),
        K::WhileStmt { cond, body } => {
            f(cond);
            f(body);
        }
        K::ForStmt { name, iter, body } => {
            f(name);
            f(iter);
            f(body);
        }
        K::Range { start, end } => {
            f(start);
            f(end);
        }
        K::ExprStmt { expr, .. } => f(expr),
        K::Paren { inner } => f(inner),
        K::ArrayLit { elems } => each(elems, &mut f),
        K::ArrayRepeat { value, count } => {
            f(value);
            f(count);
        }
        K::SomeExpr { value } | K::ErrExpr { value } | K::Alloc { value } => f(value),
        K::OkExpr { value } => value.into_iter().for_each(f),
        K::AllocList { elem } => f(elem),
        K::Call { callee, args } => {
            f(callee);
            each(args, &mut f);
        }
        K::Member { base, name } => {
            f(base);
            f(name);
        }
        K::Index { base, index } => {
            f(base);
            f(index);
        }
        K::Propagate { inner } => f(inner),
        K::Unary { operand, .. } => f(operand),
        K::Binary { lhs, rhs, .. } => {
            f(lhs);
            f(rhs);
        }
        K::Cast { value, ty } => {
            f(value);
            f(ty);
        }
        K::Else { value, fallback } => {
            f(value);
            f(fallback);
        }
        K::When { subject, arms, .. } | K::Handle { subject, arms } => {
            f(subject);
            each(arms, &mut f);
        }
        K::Arm { pattern, value } => {
            f(pattern);
            f(value);
        }
        K::If {
            cond,
            then,
            otherwise,
        } => {
            f(cond);
            f(then);
            otherwise.into_iter().for_each(f);
        }
        K::View {
            handle, name, body, ..
        } => {
            f(handle);
            f(name);
            f(body);
        }
        K::Peek { handle } | K::Take { handle } => f(handle),
        K::PatLiteral { value } => f(value),
        K::PatSome { inner } | K::PatErr { inner } => f(inner),
        K::PatOk { inner } => inner.into_iter().for_each(f),
        K::PatCase { ty, case } => {
            f(ty);
            f(case);
        }
        K::PatOr { alts } => each(alts, &mut f),
        K::TypeOptional { inner } | K::TypeRef { inner } | K::TypeList { inner } => f(inner),
        K::TypeResult { ok, err } => {
            f(ok);
            f(err);
        }
        K::TypeArray { elem, len } => {
            f(elem);
            f(len);
        }
        K::Name { .. }
        | K::SelfParam { .. }
        | K::BreakStmt
        | K::ContinueStmt
        | K::IntLit { .. }
        | K::FloatLit { .. }
        | K::BoundedLit { .. }
        | K::StringLit { .. }
        | K::BoolLit { .. }
        | K::NoneLit
        | K::NameRef { .. }
        | K::SelfRef
        | K::PatWildcard
        | K::PatBind { .. }
        | K::PatNone
        | K::TypeName { .. } => {}
    }
}
