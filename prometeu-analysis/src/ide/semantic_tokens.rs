//! Semantic tokens: every token of a file classified by what it denotes, for an
//! editor to colour beyond what a grammar can know (a parameter against a local, a
//! constant against a variable, a prelude name against the project's own).
//!
//! The classification reads the parse's token stream (keywords, literals, comments,
//! operators) and, for identifiers, the reference index (what each name node resolved
//! to): one walk of the file's tree, one pass over its tokens, nothing else. An
//! identifier that resolved to nothing gets no token, so the editor's grammar colours
//! it.
//!
//! The legend — which kinds and modifiers exist, in which order, under which protocol
//! name — is one table each: [`TOKEN_KINDS`] and [`TOKEN_MODIFIERS`]
//! (`docs/spec/toolchain.md` §4 prints them).

use super::Snapshot;
use super::target::builtin_of;
use crate::semantics::SymbolKind;
use crate::syntax::TokenKind;
use crate::{FileId, NodeKind, SymbolId};

/// What a semantic token is; the discriminant is its index in the legend.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SemanticTokenKind {
    /// A module: the path string of an import.
    Namespace = 0,
    /// A contract (plain or host).
    Interface,
    /// A service.
    Class,
    /// A struct.
    Struct,
    /// A built-in type name (`int`, `float`, `bounded`, `bool`, `string`, `void`, `list`,
    /// `ref`).
    Type,
    /// An error type.
    Enum,
    /// A case of an error type.
    EnumMember,
    /// A top-level function or a function of a host contract.
    Function,
    /// A method, an associated function, a service or contract function, a built-in
    /// `list`/array/`string` method.
    Method,
    /// A parameter, `self` excepted (a keyword).
    Parameter,
    /// A local binding, or a constant (with [`TokenModifiers::READONLY`]).
    Variable,
    /// A struct field or a service field.
    Property,
    /// A keyword (`true`, `false`, `self`, `some`, `none`, … included).
    Keyword,
    /// An int, float or bounded literal.
    Number,
    /// A string literal (not an import path).
    String,
    /// A comment or doc comment.
    Comment,
    /// An operator (not brackets, commas, `;`, `:`, `.` nor the `<…>` of a type).
    Operator,
}

/// The legend of token kinds: each kind, its protocol name (the standard LSP names) and
/// what it marks in PBS. Index = discriminant (a test pins it).
pub const TOKEN_KINDS: &[(SemanticTokenKind, &str, &str)] = &[
    (
        SemanticTokenKind::Namespace,
        "namespace",
        "the module path of an import",
    ),
    (
        SemanticTokenKind::Interface,
        "interface",
        "contracts, plain and host",
    ),
    (SemanticTokenKind::Class, "class", "services"),
    (SemanticTokenKind::Struct, "struct", "structs"),
    (
        SemanticTokenKind::Type,
        "type",
        "built-in types: int, float, bounded, bool, string, void, list, ref",
    ),
    (SemanticTokenKind::Enum, "enum", "error types"),
    (SemanticTokenKind::EnumMember, "enumMember", "error cases"),
    (
        SemanticTokenKind::Function,
        "function",
        "top-level functions, host functions",
    ),
    (
        SemanticTokenKind::Method,
        "method",
        "methods, associated, service and contract functions, built-in methods",
    ),
    (SemanticTokenKind::Parameter, "parameter", "parameters"),
    (
        SemanticTokenKind::Variable,
        "variable",
        "locals; constants carry `readonly`",
    ),
    (
        SemanticTokenKind::Property,
        "property",
        "struct fields, service fields",
    ),
    (
        SemanticTokenKind::Keyword,
        "keyword",
        "keywords, `true`/`false`/`self` included",
    ),
    (
        SemanticTokenKind::Number,
        "number",
        "int, float and bounded literals",
    ),
    (
        SemanticTokenKind::String,
        "string",
        "string literals but import paths",
    ),
    (
        SemanticTokenKind::Comment,
        "comment",
        "comments and doc comments",
    ),
    (
        SemanticTokenKind::Operator,
        "operator",
        "arithmetic, bitwise, logical, comparison, assignment, `?`, `->`, `..`",
    ),
];

/// A set of modifiers: bit `i` is the `i`-th row of [`TOKEN_MODIFIERS`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct TokenModifiers(pub u32);

impl TokenModifiers {
    /// The name's declaration (not a use).
    pub const DECLARATION: TokenModifiers = TokenModifiers(1 << 0);
    /// A constant: `declare const` or a struct's `const`.
    pub const READONLY: TokenModifiers = TokenModifiers(1 << 1);
    /// Something that can be assigned: `let mut`, a `mut` parameter, a `let mut`
    /// service field, a `mutate` view.
    pub const MUTABLE: TokenModifiers = TokenModifiers(1 << 2);
    /// Reached through a type, not a value: associated functions and constants.
    pub const STATIC: TokenModifiers = TokenModifiers(1 << 3);
    /// Declared by the prelude, or built into the language.
    pub const DEFAULT_LIBRARY: TokenModifiers = TokenModifiers(1 << 4);
    /// A doc comment.
    pub const DOCUMENTATION: TokenModifiers = TokenModifiers(1 << 5);

    /// Whether every modifier of `other` is set.
    pub fn contains(self, other: TokenModifiers) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for TokenModifiers {
    type Output = TokenModifiers;
    fn bitor(self, other: TokenModifiers) -> TokenModifiers {
        TokenModifiers(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for TokenModifiers {
    fn bitor_assign(&mut self, other: TokenModifiers) {
        self.0 |= other.0;
    }
}

/// The legend of modifiers: each modifier, its protocol name and when it is set.
/// Row `i` is bit `1 << i` (a test pins it). `mutable` is not a standard name; clients
/// that do not know it ignore it.
pub const TOKEN_MODIFIERS: &[(TokenModifiers, &str, &str)] = &[
    (
        TokenModifiers::DECLARATION,
        "declaration",
        "the name where it is declared",
    ),
    (
        TokenModifiers::READONLY,
        "readonly",
        "constants (top-level and struct `const`)",
    ),
    (
        TokenModifiers::MUTABLE,
        "mutable",
        "`let mut`, `mut` parameters and `self`, `let mut` service fields, `mutate` views",
    ),
    (
        TokenModifiers::STATIC,
        "static",
        "associated functions and constants (`Vec2.new`, `Color.RED`)",
    ),
    (
        TokenModifiers::DEFAULT_LIBRARY,
        "defaultLibrary",
        "prelude items, built-in types and methods",
    ),
    (
        TokenModifiers::DOCUMENTATION,
        "documentation",
        "doc comments",
    ),
];

/// One classified token. Offsets are UTF-8 bytes; a token never spans a line end
/// except a string literal that contains one (the protocol layer splits those).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SemanticToken {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
    /// What it is.
    pub kind: SemanticTokenKind,
    /// Its modifiers.
    pub modifiers: TokenModifiers,
}

/// What a name node stands for, found by the tree walk.
#[derive(Clone, Copy)]
enum NameClass {
    /// A resolved name.
    Symbol(SymbolId),
    /// Directly classified (import paths, built-in types and methods).
    Fixed(SemanticTokenKind, TokenModifiers),
}

impl Snapshot {
    /// The semantic tokens of `file`, in source order, optionally only those that
    /// overlap the byte range `range`. Empty for a file no root analyses.
    pub fn semantic_tokens(&self, file: FileId, range: Option<(u32, u32)>) -> Vec<SemanticToken> {
        let Some((root, parse)) = self.analysis_of(file) else {
            return Vec::new();
        };
        let analysis = &root.analysis;
        let arena = &parse.arena;
        let overlaps =
            |start: u32, end: u32| range.is_none_or(|(from, to)| start < to && end > from);

        // Names by the offset of their first byte, and the spans inside which `<`/`>`
        // are brackets (`list<T>`), from one walk of the tree.
        let mut names: Vec<(u32, NameClass)> = Vec::new();
        let mut angle_spans: Vec<(u32, u32)> = Vec::new();
        let mut stack: Vec<crate::NodeId> = arena.root().into_iter().collect();
        while let Some(node) = stack.pop() {
            let kind = *arena.kind(node);
            let span = arena.span(node);
            if !overlaps(span.start, span.end) && !matches!(kind, NodeKind::SourceFile { .. }) {
                continue;
            }
            arena.visit_children(&kind, |child| stack.push(child));
            if let Some(symbol) = analysis.refs.symbol_at(file, node) {
                // A `SelfParam` or `SelfRef` is the keyword `self`; the lexer says so.
                if !matches!(kind, NodeKind::SelfParam { .. } | NodeKind::SelfRef) {
                    names.push((span.start, NameClass::Symbol(symbol)));
                }
                continue;
            }
            match kind {
                NodeKind::TypeName { name } if is_builtin_type(analysis.names.resolve(name)) => {
                    names.push((
                        span.start,
                        NameClass::Fixed(SemanticTokenKind::Type, TokenModifiers::DEFAULT_LIBRARY),
                    ));
                }
                NodeKind::TypeList { .. }
                | NodeKind::AllocList { .. }
                | NodeKind::TypeOptional { .. }
                | NodeKind::TypeResult { .. }
                | NodeKind::TypeRef { .. } => {
                    angle_spans.push((span.start, span.end));
                }
                NodeKind::Import { path, .. } => {
                    let path_span = arena.span(path);
                    names.push((
                        path_span.start,
                        NameClass::Fixed(SemanticTokenKind::Namespace, TokenModifiers::default()),
                    ));
                }
                NodeKind::Member { base, name } => {
                    let builtin = match *arena.kind(name) {
                        NodeKind::Name { name: method } => {
                            analysis.facts.node_type(file, base).and_then(|receiver| {
                                builtin_of(analysis, receiver, analysis.names.resolve(method))
                            })
                        }
                        _ => None,
                    };
                    if builtin.is_some() {
                        names.push((
                            arena.span(name).start,
                            NameClass::Fixed(
                                SemanticTokenKind::Method,
                                TokenModifiers::DEFAULT_LIBRARY,
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        names.sort_by_key(|&(start, _)| start);
        angle_spans.sort_unstable();

        let text = self.file_text(file);
        let lexed = &parse.lexed;
        let mut out = Vec::with_capacity(lexed.tokens.len() + lexed.trivia.len());
        let mut trivia = lexed.trivia.iter().peekable();
        let mut next_name = 0;
        let mut next_angle = 0;
        let mut angles_until = 0u32;
        for token in &lexed.tokens {
            while let Some(comment) = trivia.next_if(|t| t.start < token.start) {
                if overlaps(comment.start, comment.end) {
                    let modifiers = if comment.kind == TokenKind::DocComment {
                        TokenModifiers::DOCUMENTATION
                    } else {
                        TokenModifiers::default()
                    };
                    out.push(SemanticToken {
                        start: comment.start,
                        end: comment.end,
                        kind: SemanticTokenKind::Comment,
                        modifiers,
                    });
                }
            }
            if token.kind == TokenKind::Eof || !overlaps(token.start, token.end) {
                continue;
            }
            while next_angle < angle_spans.len() && angle_spans[next_angle].0 <= token.start {
                angles_until = angles_until.max(angle_spans[next_angle].1);
                next_angle += 1;
            }
            while next_name < names.len() && names[next_name].0 < token.start {
                next_name += 1;
            }
            let name = names
                .get(next_name)
                .filter(|(start, _)| *start == token.start)
                .map(|&(_, class)| class);
            let classified = match token.kind {
                TokenKind::Ident => match name {
                    Some(NameClass::Symbol(symbol)) => {
                        Some(self.classify_symbol(root, file, symbol, token.start))
                    }
                    Some(NameClass::Fixed(kind, modifiers)) => Some((kind, modifiers)),
                    // `list` in `list<T>` and `ref` in `ref<T>` are not nodes of their own.
                    None if token.start < angles_until
                        && matches!(text.get(token.range()), Some("list" | "ref")) =>
                    {
                        Some((SemanticTokenKind::Type, TokenModifiers::DEFAULT_LIBRARY))
                    }
                    None => None,
                },
                TokenKind::Int | TokenKind::Float | TokenKind::Bounded => {
                    Some((SemanticTokenKind::Number, TokenModifiers::default()))
                }
                TokenKind::Str => match name {
                    Some(NameClass::Fixed(kind, modifiers)) => Some((kind, modifiers)),
                    _ => Some((SemanticTokenKind::String, TokenModifiers::default())),
                },
                kind if kind.is_keyword() => {
                    Some((SemanticTokenKind::Keyword, TokenModifiers::default()))
                }
                TokenKind::Lt | TokenKind::Gt | TokenKind::Shr if token.start < angles_until => {
                    None
                }
                kind if is_operator(kind) => {
                    Some((SemanticTokenKind::Operator, TokenModifiers::default()))
                }
                _ => None,
            };
            if let Some((kind, modifiers)) = classified {
                out.push(SemanticToken {
                    start: token.start,
                    end: token.end,
                    kind,
                    modifiers,
                });
            }
        }
        out
    }

    /// The kind and modifiers of an identifier at `start` that resolved to `symbol`.
    fn classify_symbol(
        &self,
        root: &super::RootAnalysis,
        file: FileId,
        symbol: SymbolId,
        start: u32,
    ) -> (SemanticTokenKind, TokenModifiers) {
        let analysis = &root.analysis;
        let sym = analysis.symbols.get(symbol);
        let mut modifiers = TokenModifiers::default();
        if sym.decl_span.file == file && sym.decl_span.start == start {
            modifiers |= TokenModifiers::DECLARATION;
        }
        if sym.mutable {
            modifiers |= TokenModifiers::MUTABLE;
        }
        if sym.module == analysis.prelude_module {
            modifiers |= TokenModifiers::DEFAULT_LIBRARY;
        }
        let kind = match sym.kind {
            SymbolKind::Function | SymbolKind::HostFn => SemanticTokenKind::Function,
            SymbolKind::Method | SymbolKind::ServiceFn | SymbolKind::ContractFn => {
                SemanticTokenKind::Method
            }
            SymbolKind::AssocFn => {
                modifiers |= TokenModifiers::STATIC;
                SemanticTokenKind::Method
            }
            SymbolKind::Struct => SemanticTokenKind::Struct,
            SymbolKind::Field | SymbolKind::ServiceField => SemanticTokenKind::Property,
            SymbolKind::Service => SemanticTokenKind::Class,
            SymbolKind::Contract => SemanticTokenKind::Interface,
            SymbolKind::Error => SemanticTokenKind::Enum,
            SymbolKind::ErrorCase => SemanticTokenKind::EnumMember,
            SymbolKind::Const => {
                modifiers |= TokenModifiers::READONLY;
                SemanticTokenKind::Variable
            }
            SymbolKind::AssocConst => {
                modifiers |= TokenModifiers::READONLY | TokenModifiers::STATIC;
                SemanticTokenKind::Variable
            }
            SymbolKind::Local => SemanticTokenKind::Variable,
            SymbolKind::Param => SemanticTokenKind::Parameter,
        };
        (kind, modifiers)
    }
}

/// Whether `name` is a built-in type (§3 of the language spec).
fn is_builtin_type(name: &str) -> bool {
    matches!(
        name,
        "int" | "float" | "bounded" | "bool" | "string" | "void" | "list"
    )
}

/// Whether a punctuation token is an operator (brackets and separators are not).
fn is_operator(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Plus | Minus
            | Star
            | Slash
            | Percent
            | Bang
            | Amp
            | Pipe
            | Caret
            | Shl
            | Shr
            | AmpAmp
            | PipePipe
            | EqEq
            | NotEq
            | Lt
            | Le
            | Gt
            | Ge
            | Eq
            | PlusEq
            | MinusEq
            | StarEq
            | SlashEq
            | PercentEq
            | DotDot
            | Question
            | Arrow
    )
}
