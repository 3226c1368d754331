//! Completion: what may be written at a cursor, filtered by the context and ranked.
//!
//! The context comes from the tokens before the cursor, not the tree, so that it holds
//! in code still being typed (a trailing `.`, an unclosed call, a half-typed `when`):
//! the file is lexed, the identifier under the cursor is the prefix being typed, and
//! the tokens before it say where the cursor is ([`Context`]). The tree and the
//! checker's facts then answer what fits there: the parser recovers an unfinished body
//! with its statements, so the locals in scope are found by walking up from the cursor
//! ([`locals_in_scope`]), and the type of a value before a `.` is the checker's type of
//! the expression that ends at the dot.
//!
//! Items are filtered by the typed prefix (its characters in order, ignoring case, the
//! first at the start); the list is then marked incomplete, so the editor asks again.
//!
//! Ranking (`toolchain.md` §4, completion) is [`Rank`]: locals and members first, then
//! the module's items, the file's imports, the prelude, keywords, and last the items of
//! other modules that picking would import ([`Snapshot::import_edits`]).

use super::hover::builtin_signature;
use super::imports::{import_decls, import_path, import_path_from};
use super::rename::TextEdit;
use super::target::builtin_of;
use super::{FilePosition, RootAnalysis, Snapshot};
use crate::semantics::builtins::{BUILTIN_METHODS, BuiltinMethod};
use crate::semantics::{Reach, SymbolKind, TypeKind};
use crate::syntax::ast::Visibility;
use crate::syntax::{Lexed, Token, TokenKind, lex};
use crate::{Analysis, AstArena, FileId, ModuleId, NodeId, NodeKind, Span, SymbolId, TypeId};

/// At most this many items of other modules are offered (the list is then marked
/// incomplete, and the editor asks again as the prefix grows).
pub const AUTO_IMPORT_LIMIT: usize = 64;

/// The built-in type names offered in a type position (`optional` and `result` are
/// keywords and come with them).
const BUILTIN_TYPES: &[&str] = &[
    "int", "float", "bounded", "bool", "string", "void", "list", "ref", "optional", "result",
];

/// What a completion item is, for its icon.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompletionKind {
    /// A `let`, `for`, pattern or view binding.
    Local,
    /// A parameter.
    Param,
    /// A top-level function.
    Function,
    /// A method, associated function, service, contract or built-in function.
    Method,
    /// A struct or service field.
    Field,
    /// A constant.
    Constant,
    /// A struct.
    Struct,
    /// A contract.
    Contract,
    /// A service.
    Service,
    /// An error type.
    Error,
    /// An error case (also as a `when` pattern).
    ErrorCase,
    /// A module path.
    Module,
    /// A built-in type name.
    BuiltinType,
    /// A keyword.
    Keyword,
    /// A declaration or statement template.
    Snippet,
    /// A `when` pattern that is not an error case (`some(…)`, `none`, `_`, …).
    Pattern,
}

/// The ranking tiers, best first (`toolchain.md` §4, completion).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Rank {
    /// A local or parameter in scope, a member after `.`, an uncovered `when` case, an
    /// exported name of the module an import list names.
    Local,
    /// A member of the service the cursor is in.
    Member,
    /// An item of the file's own module.
    Module,
    /// A name the file imports.
    Import,
    /// A prelude item or built-in type.
    Prelude,
    /// A keyword or a snippet.
    Keyword,
    /// An exported item of another module that picking imports.
    AutoImport,
}

/// Where the documentation of an item comes from, for `completionItem/resolve`: it is
/// looked up only when the editor shows the item.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompletionDoc {
    /// The item declared by the name token at this position (its hover).
    Symbol(FilePosition),
    /// A built-in method.
    Builtin(&'static BuiltinMethod),
}

/// One proposal.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CompletionItem {
    /// What the list shows and filters on.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// Its type or signature.
    pub detail: Option<String>,
    /// Its tier.
    pub rank: Rank,
    /// The text that replaces [`Completions::replace`].
    pub insert: String,
    /// The same with snippet placeholders (`${1:x}`), for clients that support them.
    pub snippet: Option<String>,
    /// Edits elsewhere in the file (the import an auto-import item adds).
    pub additional_edits: Vec<TextEdit>,
    /// The module path an auto-import item comes from.
    pub import_from: Option<String>,
    /// Where its documentation comes from.
    pub doc: Option<CompletionDoc>,
}

/// The answer at a cursor.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Completions {
    /// The text every item replaces: the part of the identifier (or import path) before
    /// the cursor; empty at the cursor when nothing is typed yet.
    pub replace: Option<Span>,
    /// The proposals, best first.
    pub items: Vec<CompletionItem>,
    /// Whether typing more may bring items that are not here (auto-import items are
    /// capped and filtered by the prefix).
    pub is_incomplete: bool,
}

/// Where the cursor is, as the tokens before it say.
#[derive(Clone, Copy, Debug)]
enum Context {
    /// After `.`: the token before the dot ends at `dot`.
    Member { dot: u32 },
    /// A type is expected (after `:`, `as`, inside `list<…>`).
    Type,
    /// Inside `import { … }`.
    ImportName,
    /// At the start of an arm of the `when` whose keyword starts at `keyword`.
    WhenArm { keyword: u32 },
    /// Anything else: an expression or statement inside a body, or a declaration.
    Expression,
}

impl Snapshot {
    /// What may be written at `pos`, best first; empty in comments, after literals, on
    /// a declaration's name.
    pub fn completions(&self, pos: FilePosition) -> Completions {
        self.completions_inner(pos).unwrap_or_default()
    }

    /// The documentation of an item, in Markdown.
    pub fn completion_doc(&self, doc: CompletionDoc) -> Option<String> {
        match doc {
            CompletionDoc::Symbol(pos) => self.hover(pos).map(|h| h.markdown),
            CompletionDoc::Builtin(method) => Some(method.doc.to_string()),
        }
    }

    fn completions_inner(&self, pos: FilePosition) -> Option<Completions> {
        let root = self.root_of(pos.file)?;
        let text = self.file_text(pos.file);
        let cursor = (pos.offset as usize).min(text.len()) as u32;
        let lexed = lex(pos.file, text);
        let in_comment = lexed
            .trivia
            .iter()
            .any(|t| t.start < cursor && cursor <= t.end);
        if in_comment {
            return None;
        }
        let tokens: Vec<Token> = lexed
            .tokens
            .iter()
            .copied()
            .filter(|t| t.kind != TokenKind::Eof && t.start < cursor)
            .collect();
        let mut cx = Cx {
            snapshot: self,
            root,
            analysis: &root.analysis,
            arena: &root.analysis.parse(pos.file)?.arena,
            text,
            file: pos.file,
            cursor,
            prefix: "",
            items: Vec::new(),
            is_incomplete: false,
        };
        // The token the cursor is in or right after.
        let last = tokens.last().copied();
        // Inside a string (an unterminated one runs to the cursor): only an import's
        // path completes.
        let in_string =
            last.filter(|t| t.kind == TokenKind::Str && (cursor < t.end || t.has_lex_error()));
        if let Some(string) = in_string {
            let index = tokens.len() - 1;
            let is_import = index > 0 && tokens[index - 1].kind == TokenKind::From;
            if !is_import {
                return None;
            }
            let start = string.start + 1;
            cx.prefix = text
                .get(start as usize..cursor as usize)
                .unwrap_or_default();
            cx.import_paths();
            return Some(cx.finish(Span::new(pos.file, start, cursor)));
        }
        let (prefix_start, before) = match last {
            Some(t) if t.end >= cursor && is_word(t.kind) => (t.start, &tokens[..tokens.len() - 1]),
            Some(t) if t.end >= cursor && !is_punct(t.kind) => return None,
            _ => (cursor, &tokens[..]),
        };
        cx.prefix = text
            .get(prefix_start as usize..cursor as usize)
            .unwrap_or_default();
        match context(before, text) {
            Context::Member { dot } => cx.members(dot, before),
            Context::Type => cx.types(),
            Context::ImportName => cx.import_names(&lexed),
            Context::WhenArm { keyword } => cx.when_arms(keyword),
            Context::Expression => cx.expression(before),
        }
        Some(cx.finish(Span::new(pos.file, prefix_start, cursor)))
    }
}

/// Whether a token is a word the user may be typing (an identifier or a keyword, which
/// is a prefix of longer names: `for` → `format`).
fn is_word(kind: TokenKind) -> bool {
    kind == TokenKind::Ident || kind.is_keyword()
}

/// Whether a token is punctuation (after which a new word starts).
fn is_punct(kind: TokenKind) -> bool {
    TokenKind::PUNCTUATION.iter().any(|&(k, _)| k == kind)
}

/// The context the tokens before the typed prefix make.
fn context(before: &[Token], text: &str) -> Context {
    let Some(prev) = before.last() else {
        return Context::Expression;
    };
    match prev.kind {
        TokenKind::Dot => return Context::Member { dot: prev.start },
        TokenKind::Colon | TokenKind::As => return Context::Type,
        _ => {}
    }
    // `list<`, `ref<`, `optional<`, `result<T, `: a type argument.
    let opens_type_arguments = |i: usize| {
        i > 0
            && match before[i - 1].kind {
                TokenKind::Optional | TokenKind::Result => true,
                TokenKind::Ident => matches!(text.get(before[i - 1].range()), Some("list" | "ref")),
                _ => false,
            }
    };
    // The innermost bracket not closed before the cursor (`<` and `>` are comparisons
    // unless they open type arguments).
    let mut depth = 0u32;
    for (i, token) in before.iter().enumerate().rev() {
        match token.kind {
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth += 1,
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace if depth > 0 => {
                depth -= 1;
            }
            TokenKind::Lt if depth == 0 && opens_type_arguments(i) => {
                if matches!(prev.kind, TokenKind::Lt | TokenKind::Comma) {
                    return Context::Type;
                }
                return Context::Expression;
            }
            TokenKind::LBrace => {
                let opener = i.checked_sub(1).map(|j| before[j].kind);
                if opener == Some(TokenKind::Import) {
                    return Context::ImportName;
                }
                if opener == Some(TokenKind::When)
                    && matches!(prev.kind, TokenKind::LBrace | TokenKind::Comma)
                {
                    return Context::WhenArm {
                        keyword: before[i - 1].start,
                    };
                }
                return Context::Expression;
            }
            TokenKind::LParen | TokenKind::LBracket => return Context::Expression,
            TokenKind::Semi if depth == 0 => return Context::Expression,
            _ => {}
        }
    }
    Context::Expression
}

/// The state of one completion request.
struct Cx<'a> {
    snapshot: &'a Snapshot,
    root: &'a RootAnalysis,
    analysis: &'a Analysis,
    arena: &'a AstArena,
    text: &'a str,
    file: FileId,
    cursor: u32,
    /// The identifier typed so far.
    prefix: &'a str,
    items: Vec<CompletionItem>,
    is_incomplete: bool,
}

impl<'a> Cx<'a> {
    /// Sorts by rank then label, keeps the first item of each label (a local hides an
    /// item of the same name), and wraps the list.
    fn finish(mut self, replace: Span) -> Completions {
        // Only what matches the prefix: a list of every name in scope costs the
        // editor more to receive and filter than this costs to compute.
        let prefix = self.prefix;
        let before = self.items.len();
        self.items
            .retain(|item| matches_prefix(&item.label, prefix));
        self.is_incomplete |= self.items.len() < before;
        self.items
            .sort_by(|a, b| (a.rank, &a.label).cmp(&(b.rank, &b.label)));
        // A name in scope hides the same name further out and an import of it; two
        // modules may each offer the same name to import.
        let mut seen = std::collections::HashSet::new();
        self.items
            .retain(|item| seen.insert((item.label.clone(), item.import_from.clone())));
        let visible: std::collections::HashSet<String> = self
            .items
            .iter()
            .filter(|i| i.import_from.is_none())
            .map(|i| i.label.clone())
            .collect();
        self.items
            .retain(|item| item.import_from.is_none() || !visible.contains(&item.label));
        Completions {
            replace: Some(replace),
            items: self.items,
            is_incomplete: self.is_incomplete,
        }
    }

    /// Whether a label matches the typed prefix; a miss marks the list incomplete (the
    /// editor asks again when the prefix changes, a shorter one included).
    fn wanted(&mut self, label: &str) -> bool {
        let wanted = matches_prefix(label, self.prefix);
        self.is_incomplete |= !wanted;
        wanted
    }

    /// The module of the cursor's file.
    fn module(&self) -> Option<ModuleId> {
        Some(self.root.graph.source_file(self.file)?.module)
    }

    /// The innermost node around the cursor.
    fn cursor_node(&self) -> Option<NodeId> {
        self.arena.node_at_offset(self.cursor)
    }

    /// Whether `symbol` may be named at the cursor (§4.1 visibility).
    fn visible(&self, symbol: SymbolId) -> bool {
        let sym = self.analysis.symbols.get(symbol);
        match self.analysis.reach(symbol) {
            Reach::Everywhere => true,
            Reach::Module => Some(sym.module) == self.module(),
            Reach::File => sym.file() == self.file,
            Reach::Owner => {
                let Some(owner) = sym.parent else {
                    return false;
                };
                let (file, node) = self.analysis.symbols.get(owner).node;
                file == self.file && self.arena.span(node).touches(self.cursor)
            }
        }
    }

    /// An item for `symbol` under the name `label`.
    fn symbol_item(&self, symbol: SymbolId, label: &str, rank: Rank) -> CompletionItem {
        let analysis = self.analysis;
        let sym = analysis.symbols.get(symbol);
        let kind = match sym.kind {
            SymbolKind::Function => CompletionKind::Function,
            SymbolKind::Method
            | SymbolKind::AssocFn
            | SymbolKind::ServiceFn
            | SymbolKind::ContractFn
            | SymbolKind::HostFn => CompletionKind::Method,
            SymbolKind::Struct => CompletionKind::Struct,
            SymbolKind::Field | SymbolKind::ServiceField => CompletionKind::Field,
            SymbolKind::Service => CompletionKind::Service,
            SymbolKind::Contract => CompletionKind::Contract,
            SymbolKind::Error => CompletionKind::Error,
            SymbolKind::ErrorCase => CompletionKind::ErrorCase,
            SymbolKind::Const | SymbolKind::AssocConst => CompletionKind::Constant,
            SymbolKind::Local => CompletionKind::Local,
            SymbolKind::Param => CompletionKind::Param,
        };
        let detail = if sym.kind.is_fn() {
            analysis.signature_text(symbol)
        } else {
            match sym.kind {
                SymbolKind::Struct => Some(format!("struct {label}")),
                SymbolKind::Service => Some(format!("service {label}")),
                SymbolKind::Contract => Some(format!("contract {label}")),
                SymbolKind::Error => Some(format!("error {label}")),
                _ => analysis
                    .facts
                    .symbol_type(symbol)
                    .map(|t| analysis.display_type(t)),
            }
        };
        let snippet = match sym.kind {
            kind if kind.is_fn() => Some(call_snippet(label, &self.param_names(symbol))),
            SymbolKind::Struct => {
                let fields: Vec<String> = analysis
                    .defs
                    .members(symbol)
                    .iter()
                    .filter(|&&m| analysis.symbols.get(m).kind == SymbolKind::Field)
                    .map(|&m| analysis.symbol_name(m).to_string())
                    .collect();
                Some(call_snippet(label, &fields))
            }
            _ => None,
        };
        CompletionItem {
            label: label.to_string(),
            kind,
            detail,
            rank,
            insert: label.to_string(),
            snippet,
            additional_edits: Vec::new(),
            import_from: None,
            doc: Some(CompletionDoc::Symbol(FilePosition {
                file: sym.decl_span.file,
                offset: sym.decl_span.start,
            })),
        }
    }

    /// The parameter names of a function, without `self`.
    fn param_names(&self, symbol: SymbolId) -> Vec<String> {
        let analysis = self.analysis;
        let (file, node) = analysis.symbols.get(symbol).node;
        let Some(arena) = analysis.parse(file).map(|p| &p.arena) else {
            return Vec::new();
        };
        let NodeKind::FnDecl { sig, .. } = *arena.kind(node) else {
            return Vec::new();
        };
        let NodeKind::FnSig { params, .. } = *arena.kind(sig) else {
            return Vec::new();
        };
        arena
            .list(params)
            .iter()
            .filter_map(|&p| match *arena.kind(p) {
                NodeKind::Param { name, .. } => match *arena.kind(name) {
                    NodeKind::Name { name } => Some(analysis.names.resolve(name).to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    fn push_symbol(&mut self, symbol: SymbolId, rank: Rank) {
        let label = self.analysis.symbol_name(symbol).to_string();
        if !self.wanted(&label) {
            return;
        }
        let item = self.symbol_item(symbol, &label, rank);
        self.items.push(item);
    }

    fn keyword(&mut self, keyword: &str, snippet: Option<&str>) {
        self.items.push(CompletionItem {
            label: keyword.to_string(),
            kind: if snippet.is_some() {
                CompletionKind::Snippet
            } else {
                CompletionKind::Keyword
            },
            detail: None,
            rank: Rank::Keyword,
            insert: keyword.to_string(),
            snippet: snippet.map(str::to_string),
            additional_edits: Vec::new(),
            import_from: None,
            doc: None,
        });
    }

    // ----- contexts -----

    /// After `.`: the members of the type named before the dot, or of the value's type.
    fn members(&mut self, dot: u32, before: &[Token]) {
        let analysis = self.analysis;
        // A type name before the dot: its associated functions and constants, cases,
        // contract functions, service members.
        let receiver = before.len().checked_sub(2).map(|i| before[i]);
        if let Some(name) = receiver.filter(|t| t.kind == TokenKind::Ident && t.end == dot) {
            let at = FilePosition {
                file: self.file,
                offset: name.start,
            };
            if let Some(named) = self.snapshot.symbol_at(at) {
                let symbol = named.symbol;
                let kind = analysis.symbols.get(symbol).kind;
                let wanted: &[SymbolKind] = match kind {
                    SymbolKind::Struct => &[SymbolKind::AssocFn, SymbolKind::AssocConst],
                    SymbolKind::Error => &[SymbolKind::ErrorCase],
                    SymbolKind::Contract => &[SymbolKind::ContractFn, SymbolKind::HostFn],
                    SymbolKind::Service => &[SymbolKind::ServiceFn, SymbolKind::ServiceField],
                    _ => &[],
                };
                if !wanted.is_empty() {
                    self.push_members(symbol, wanted);
                    return;
                }
            }
        }
        let Some(ty) = self.type_before(dot) else {
            return;
        };
        match analysis.types.kind(ty) {
            TypeKind::Struct(s) => self.push_members(s, &[SymbolKind::Field, SymbolKind::Method]),
            TypeKind::Service(s) => {
                self.push_members(s, &[SymbolKind::ServiceFn, SymbolKind::ServiceField]);
            }
            TypeKind::Contract(s) => {
                self.push_members(s, &[SymbolKind::ContractFn, SymbolKind::HostFn]);
            }
            TypeKind::List(_) | TypeKind::Array(..) | TypeKind::String => {
                for method in BUILTIN_METHODS {
                    if builtin_of(analysis, ty, method.name) != Some(method) {
                        continue;
                    }
                    let (label, _) = builtin_signature(self.root, method, ty);
                    let params: Vec<String> =
                        method.params.iter().map(|(n, _)| n.to_string()).collect();
                    self.items.push(CompletionItem {
                        label: method.name.to_string(),
                        kind: CompletionKind::Method,
                        detail: Some(label),
                        rank: Rank::Local,
                        insert: method.name.to_string(),
                        snippet: Some(call_snippet(method.name, &params)),
                        additional_edits: Vec::new(),
                        import_from: None,
                        doc: Some(CompletionDoc::Builtin(method)),
                    });
                }
            }
            _ => {}
        }
    }

    fn push_members(&mut self, owner: SymbolId, kinds: &[SymbolKind]) {
        for &member in self.analysis.defs.members(owner) {
            let sym = self.analysis.symbols.get(member);
            if kinds.contains(&sym.kind) && !sym.duplicate && self.visible(member) {
                self.push_symbol(member, Rank::Local);
            }
        }
    }

    /// The checker's type of the expression that ends right before the `.` at `dot`:
    /// the outermost node ending there that has a type.
    fn type_before(&self, dot: u32) -> Option<TypeId> {
        let node = self.arena.node_at_offset(dot)?;
        let mut best = None;
        for n in std::iter::once(node).chain(self.arena.ancestors(node)) {
            let span = self.arena.span(n);
            if span.end != dot {
                if span.end > dot && best.is_some() {
                    break;
                }
                continue;
            }
            if let Some(ty) = self.analysis.facts.node_type(self.file, n) {
                best = Some(ty);
            }
        }
        best.filter(|&t| self.analysis.types.kind(t) != TypeKind::Error)
    }

    /// A type position: every type in scope, built-in type names, and the types of
    /// other modules by auto-import.
    fn types(&mut self) {
        let is_type = |kind: SymbolKind| {
            matches!(
                kind,
                SymbolKind::Struct | SymbolKind::Error | SymbolKind::Contract | SymbolKind::Service
            )
        };
        self.items_in_scope(&is_type);
        for &name in BUILTIN_TYPES {
            self.items.push(CompletionItem {
                label: name.to_string(),
                kind: CompletionKind::BuiltinType,
                detail: None,
                rank: Rank::Prelude,
                insert: name.to_string(),
                snippet: matches!(name, "list" | "ref" | "optional")
                    .then(|| format!("{name}<$1>$0"))
                    .or_else(|| (name == "result").then(|| "result<$1, $2>$0".to_string())),
                additional_edits: Vec::new(),
                import_from: None,
                doc: None,
            });
        }
        self.auto_imports(&is_type);
    }

    /// An expression, statement or declaration position.
    fn expression(&mut self, before: &[Token]) {
        let node = self.cursor_node();
        let decl = node.and_then(|n| self.arena.enclosing_decl(n));
        let in_body = decl.is_some_and(|d| self.in_fn_body(d) || self.in_initialiser(d, before));
        if !in_body {
            self.declaration_keywords(decl);
            return;
        }
        if let Some(node) = node {
            for (symbol, kind) in self.locals_in_scope(node) {
                let rank = match kind {
                    ScopeKind::Local => Rank::Local,
                    ScopeKind::ServiceMember => Rank::Member,
                };
                self.push_symbol(symbol, rank);
            }
        }
        self.items_in_scope(&|_| true);
        self.auto_imports(&|_| true);
        let at_statement_start = before.last().is_none_or(|t| {
            matches!(
                t.kind,
                TokenKind::Semi | TokenKind::LBrace | TokenKind::RBrace
            )
        });
        self.expression_keywords(node, at_statement_start);
    }

    /// Whether the cursor is in the value of the constant or service field `decl`
    /// (after its `=`).
    fn in_initialiser(&self, decl: NodeId, before: &[Token]) -> bool {
        if !matches!(
            self.arena.kind(decl),
            NodeKind::ConstDecl { .. } | NodeKind::ServiceField { .. }
        ) {
            return false;
        }
        let start = self.arena.span(decl).start;
        before
            .iter()
            .rev()
            .take_while(|t| t.start >= start)
            .any(|t| t.kind == TokenKind::Eq)
    }

    /// Whether the cursor is inside the body of the function `decl` (or of a function
    /// of the struct or service `decl`).
    fn in_fn_body(&self, decl: NodeId) -> bool {
        match *self.arena.kind(decl) {
            NodeKind::FnDecl {
                body: Some(body), ..
            } => {
                let span = self.arena.span(body);
                span.start < self.cursor && self.cursor <= span.end
            }
            // An unfinished member: recovery may have left the cursor in no body.
            _ => false,
        }
    }

    /// Module items, imports and prelude items that pass `filter`.
    fn items_in_scope(&mut self, filter: &dyn Fn(SymbolKind) -> bool) {
        let analysis = self.analysis;
        if let Some(module) = self.module() {
            let files = self.root.graph.module(module).files.clone();
            for file in files {
                for symbol in top_level_items(analysis, file) {
                    let sym = analysis.symbols.get(symbol);
                    if filter(sym.kind) && !sym.duplicate && self.visible(symbol) {
                        self.push_symbol(symbol, Rank::Module);
                    }
                }
            }
        }
        for (local, symbol) in self.imported() {
            if filter(analysis.symbols.get(symbol).kind) && self.wanted(&local) {
                let item = self.symbol_item(symbol, &local, Rank::Import);
                self.items.push(item);
            }
        }
        for symbol in top_level_items(analysis, analysis.prelude_file) {
            if filter(analysis.symbols.get(symbol).kind) {
                self.push_symbol(symbol, Rank::Prelude);
            }
        }
    }

    /// The file's imported names (alias or name) and what they resolved to.
    fn imported(&self) -> Vec<(String, SymbolId)> {
        let arena = self.arena;
        let Some(NodeKind::SourceFile { items }) = arena.root().map(|r| *arena.kind(r)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &item in arena.list(items) {
            let NodeKind::Import { names, .. } = *arena.kind(item) else {
                continue;
            };
            for &spec in arena.list(names) {
                let NodeKind::ImportName { name, alias } = *arena.kind(spec) else {
                    continue;
                };
                let Some(symbol) = self.analysis.refs.symbol_at(self.file, name) else {
                    continue;
                };
                let local = alias.unwrap_or(name);
                let text = self.text.get(arena.span(local).range()).unwrap_or_default();
                if !text.is_empty() {
                    out.push((text.to_string(), symbol));
                }
            }
        }
        out
    }

    /// Exported items of the modules this file may import but does not, whose name
    /// matches the prefix, with the edit that imports each.
    fn auto_imports(&mut self, filter: &dyn Fn(SymbolKind) -> bool) {
        if self.prefix.is_empty() {
            // Without a prefix the list would hold every export of the workspace.
            self.is_incomplete = true;
            return;
        }
        let analysis = self.analysis;
        let graph = &self.root.graph;
        let Some(source) = graph.source_file(self.file) else {
            return;
        };
        let imported: std::collections::HashSet<String> =
            self.imported().into_iter().map(|(name, _)| name).collect();
        let mut projects = vec![source.project];
        projects.extend(
            graph
                .project(source.project)
                .dependencies
                .iter()
                .map(|d| d.project),
        );
        let mut found = 0usize;
        for project in projects {
            let range = graph.project(project).modules.clone();
            for index in range {
                let module = ModuleId(index);
                if module == source.module {
                    continue;
                }
                let Some(path) = import_path_from(self.root, self.file, module) else {
                    continue;
                };
                for &file in &graph.module(module).files {
                    for symbol in top_level_items(analysis, file) {
                        let sym = analysis.symbols.get(symbol);
                        let name = analysis.names.resolve(sym.name);
                        if !filter(sym.kind)
                            || sym.duplicate
                            || sym.visibility != Visibility::Pub
                            || imported.contains(name)
                            || !matches_prefix(name, self.prefix)
                        {
                            continue;
                        }
                        found += 1;
                        if found > AUTO_IMPORT_LIMIT {
                            self.is_incomplete = true;
                            return;
                        }
                        let mut item = self.symbol_item(symbol, name, Rank::AutoImport);
                        item.additional_edits = self.snapshot.import_edits(self.file, &path, name);
                        item.import_from = Some(path.clone());
                        self.items.push(item);
                    }
                }
            }
        }
    }

    fn declaration_keywords(&mut self, decl: Option<NodeId>) {
        let inside_type = decl.is_some_and(|d| {
            matches!(
                self.arena.kind(d),
                NodeKind::StructDecl { .. } | NodeKind::ServiceDecl { .. }
            ) && self.arena.span(d).touches(self.cursor)
        });
        if inside_type {
            for keyword in ["pub", "mod", "const", "let", "mut"] {
                self.keyword(keyword, None);
            }
            self.keyword("fn", Some("fn ${1:name}($2) {\n\t$0\n}"));
            return;
        }
        for keyword in [
            "pub", "mod", "declare", "struct", "contract", "error", "const", "host",
        ] {
            self.keyword(keyword, None);
        }
        self.keyword("import", Some("import { $2 } from \"$1\";"));
        self.keyword("fn", Some("fn ${1:name}($2) {\n\t$0\n}"));
        self.keyword("service", Some("service ${1:Name} {\n\t$0\n}"));
        self.items.push(snippet_item(
            "declare struct",
            "declare struct ${1:Name}(${2:field}: ${3:int})",
        ));
        self.items.push(snippet_item(
            "declare error",
            "declare error ${1:Name} {\n\t${2:Case},\n}",
        ));
        self.items.push(snippet_item(
            "declare const",
            "declare const ${1:NAME}: ${2:int} = $0;",
        ));
    }

    fn expression_keywords(&mut self, node: Option<NodeId>, at_statement_start: bool) {
        for keyword in [
            "true", "false", "none", "alloc", "peek", "take", "handle", "optional", "result",
        ] {
            self.keyword(keyword, None);
        }
        self.keyword("some", Some("some($1)$0"));
        self.keyword("ok", Some("ok($1)$0"));
        self.keyword("err", Some("err($1)$0"));
        self.keyword("if", Some("if ${1:condition} {\n\t$0\n}"));
        let in_method = node.is_some_and(|n| {
            self.arena
                .ancestors(n)
                .filter_map(|a| match *self.arena.kind(a) {
                    NodeKind::FnDecl { sig, .. } => Some(sig),
                    _ => None,
                })
                .next()
                .is_some_and(|sig| match *self.arena.kind(sig) {
                    NodeKind::FnSig { params, .. } => self
                        .arena
                        .list(params)
                        .iter()
                        .any(|&p| matches!(self.arena.kind(p), NodeKind::SelfParam { .. })),
                    _ => false,
                })
        });
        if in_method {
            self.keyword("self", None);
        }
        if !at_statement_start {
            return;
        }
        self.keyword("let", Some("let ${1:name} = $0;"));
        self.keyword("mut", None);
        self.keyword("return", None);
        self.keyword("while", Some("while ${1:condition} {\n\t$0\n}"));
        self.keyword("for", Some("for ${1:i} in ${2:0..n} {\n\t$0\n}"));
        self.keyword("borrow", Some("borrow ${1:handle} as ${2:name} {\n\t$0\n}"));
        self.keyword("mutate", Some("mutate ${1:handle} as ${2:name} {\n\t$0\n}"));
        let in_loop = node.is_some_and(|n| {
            self.arena.ancestors(n).any(|a| {
                matches!(
                    self.arena.kind(a),
                    NodeKind::WhileStmt { .. } | NodeKind::ForStmt { .. }
                )
            })
        });
        if in_loop {
            self.keyword("break", None);
            self.keyword("continue", None);
        }
    }

    /// Inside `import { … }`: the exported names of the module not yet in the list.
    fn import_names(&mut self, lexed: &Lexed) {
        // The path is after the list: the first string after `from` past the cursor.
        let after: Vec<&Token> = lexed
            .tokens
            .iter()
            .filter(|t| t.start >= self.cursor)
            .take_while(|t| !matches!(t.kind, TokenKind::Semi | TokenKind::Eof))
            .collect();
        let Some(path_token) = after
            .windows(2)
            .find(|w| w[0].kind == TokenKind::From && w[1].kind == TokenKind::Str)
            .map(|w| w[1])
        else {
            return;
        };
        let Some(&(start, end)) = lexed.strings.get(path_token.value as usize) else {
            return;
        };
        let path = &lexed.string_data[start as usize..end as usize];
        let graph = &self.root.graph;
        let Some(source) = graph.source_file(self.file) else {
            return;
        };
        let Some(module) = graph.resolve_import(source.project, path) else {
            return;
        };
        let listed: Vec<String> = import_decls(self.arena, self.text)
            .into_iter()
            .filter(|i| i.span.touches(self.cursor))
            .flat_map(|i| i.names.into_iter().map(|(name, _, _)| name))
            .collect();
        let analysis = self.analysis;
        for &file in &graph.module(module).files {
            for symbol in top_level_items(analysis, file) {
                let sym = analysis.symbols.get(symbol);
                let name = analysis.names.resolve(sym.name);
                let typed = self.prefix == name;
                if sym.visibility == Visibility::Pub
                    && !sym.duplicate
                    && (typed || !listed.iter().any(|l| l == name))
                {
                    let mut item = self.symbol_item(symbol, name, Rank::Local);
                    item.snippet = None;
                    self.items.push(item);
                }
            }
        }
    }

    /// Inside an import's path string: the modules of this project and the modules of
    /// its dependencies as `@alias/…`.
    fn import_paths(&mut self) {
        let graph = &self.root.graph;
        let Some(source) = graph.source_file(self.file) else {
            return;
        };
        let mut paths = Vec::new();
        for module in graph.project_modules(source.project) {
            if module.path != graph.module(source.module).path && !module.path.is_empty() {
                paths.push((module.path.clone(), Rank::Module));
            }
        }
        for dependency in &graph.project(source.project).dependencies {
            for index in graph.project(dependency.project).modules.clone() {
                if let Some(path) = import_path(graph, source.project, ModuleId(index)) {
                    paths.push((path, Rank::Import));
                }
            }
        }
        for (path, rank) in paths {
            self.items.push(CompletionItem {
                label: path.clone(),
                kind: CompletionKind::Module,
                detail: None,
                rank,
                insert: path,
                snippet: None,
                additional_edits: Vec::new(),
                import_from: None,
                doc: None,
            });
        }
    }

    /// At an arm of a `when`: the cases of the subject's type that no arm covers yet.
    fn when_arms(&mut self, keyword: u32) {
        let arena = self.arena;
        let Some(start) = arena.node_at_offset(keyword) else {
            return;
        };
        let Some(when) = std::iter::once(start)
            .chain(arena.ancestors(start))
            .find(|&n| matches!(*arena.kind(n), NodeKind::When { keyword: k, .. } if k == keyword))
        else {
            return;
        };
        let NodeKind::When { subject, arms, .. } = *arena.kind(when) else {
            return;
        };
        let Some(ty) = self.analysis.facts.node_type(self.file, subject) else {
            return;
        };
        let mut covered = Covered::default();
        for &arm in arena.list(arms) {
            if let NodeKind::Arm { pattern, .. } = *arena.kind(arm) {
                // The arm being typed covers nothing yet.
                if !arena.span(arm).touches(self.cursor) {
                    self.cover(pattern, &mut covered);
                }
            }
        }
        if covered.all {
            return;
        }
        let analysis = self.analysis;
        // (label, what is inserted, the snippet, the doc)
        let mut arms: Vec<(String, String, String, Option<CompletionDoc>)> = Vec::new();
        let mut pattern = |label: &str, insert: &str, snippet: &str| {
            arms.push((label.into(), insert.into(), snippet.into(), None));
        };
        match analysis.types.kind(ty) {
            TypeKind::Optional(_) => {
                if !covered.some {
                    pattern("some(…)", "some() -> ", "some(${1:value}) -> $0");
                }
                if !covered.none {
                    pattern("none", "none -> ", "none -> $0");
                }
            }
            TypeKind::Result(..) => {
                if !covered.ok {
                    pattern("ok(…)", "ok() -> ", "ok(${1:value}) -> $0");
                }
                if !covered.err {
                    pattern("err(…)", "err() -> ", "err(${1:e}) -> $0");
                }
            }
            TypeKind::Bool => {
                if !covered.r#true {
                    pattern("true", "true -> ", "true -> $0");
                }
                if !covered.r#false {
                    pattern("false", "false -> ", "false -> $0");
                }
            }
            _ => {}
        }
        pattern("_", "_ -> ", "_ -> $0");
        if let TypeKind::ErrorType(error) = analysis.types.kind(ty) {
            let type_name = analysis.symbol_name(error);
            for &case in analysis.defs.members(error) {
                if covered.cases.contains(&case) {
                    continue;
                }
                let sym = analysis.symbols.get(case);
                let label = format!("{type_name}.{}", analysis.names.resolve(sym.name));
                let doc = CompletionDoc::Symbol(FilePosition {
                    file: sym.decl_span.file,
                    offset: sym.decl_span.start,
                });
                arms.push((
                    label.clone(),
                    format!("{label} -> "),
                    format!("{label} -> $0"),
                    Some(doc),
                ));
            }
        }
        for (label, insert, snippet, doc) in arms {
            let kind = if doc.is_some() {
                CompletionKind::ErrorCase
            } else {
                CompletionKind::Pattern
            };
            // The catch-all comes after the cases it would make unnecessary.
            let rank = if label == "_" {
                Rank::Keyword
            } else {
                Rank::Local
            };
            self.items.push(CompletionItem {
                label,
                kind,
                detail: None,
                rank,
                insert,
                snippet: Some(snippet),
                additional_edits: Vec::new(),
                import_from: None,
                doc,
            });
        }
    }

    /// Records what a pattern covers.
    fn cover(&self, pattern: NodeId, covered: &mut Covered) {
        let arena = self.arena;
        let catch_all = |inner: Option<NodeId>| {
            inner.is_none_or(|p| {
                matches!(
                    arena.kind(p),
                    NodeKind::PatWildcard | NodeKind::PatBind { .. }
                )
            })
        };
        match *arena.kind(pattern) {
            NodeKind::PatWildcard | NodeKind::PatBind { .. } => covered.all = true,
            NodeKind::PatNone => covered.none = true,
            NodeKind::PatSome { inner } => covered.some |= catch_all(Some(inner)),
            NodeKind::PatOk { inner } => covered.ok |= catch_all(inner),
            NodeKind::PatErr { inner } => covered.err |= catch_all(Some(inner)),
            NodeKind::PatCase { case, .. } => {
                if let Some(symbol) = self.analysis.refs.symbol_at(self.file, case) {
                    covered.cases.push(symbol);
                }
            }
            NodeKind::PatLiteral { value } => {
                if let NodeKind::BoolLit { value } = *arena.kind(value) {
                    if value {
                        covered.r#true = true;
                    } else {
                        covered.r#false = true;
                    }
                }
            }
            NodeKind::PatOr { alts } => {
                for &alt in arena.list(alts) {
                    self.cover(alt, covered);
                }
            }
            _ => {}
        }
    }

    /// The locals and parameters in scope at `node` (declared before the cursor, in a
    /// block, loop, arm or view that contains it), innermost first, and inside a
    /// service its fields and functions.
    fn locals_in_scope(&self, node: NodeId) -> Vec<(SymbolId, ScopeKind)> {
        let arena = self.arena;
        let bound = |n: NodeId| self.analysis.refs.symbol_at(self.file, n);
        let contains = |n: NodeId| {
            let span = arena.span(n);
            span.start <= self.cursor && self.cursor <= span.end
        };
        let mut out = Vec::new();
        let local = |out: &mut Vec<(SymbolId, ScopeKind)>, symbol: Option<SymbolId>| {
            if let Some(s) = symbol {
                out.push((s, ScopeKind::Local));
            }
        };
        for scope in std::iter::once(node).chain(arena.ancestors(node)) {
            match *arena.kind(scope) {
                NodeKind::Block { stmts, .. } => {
                    for &stmt in arena.list(stmts).iter().rev() {
                        // A `let` is in scope once its `;` is behind the cursor; the
                        // one being typed (recovered without its value) is not.
                        let end = arena.span(stmt).end;
                        let finished = end <= self.cursor
                            && (end as usize)
                                .checked_sub(1)
                                .and_then(|at| self.text.as_bytes().get(at))
                                == Some(&b';');
                        if !finished {
                            continue;
                        }
                        if let NodeKind::LetStmt { name, .. } = *arena.kind(stmt) {
                            local(&mut out, bound(name));
                        }
                    }
                }
                NodeKind::ForStmt { name, body, .. } if contains(body) => {
                    local(&mut out, bound(name))
                }
                NodeKind::View { name, body, .. } if contains(body) => local(&mut out, bound(name)),
                NodeKind::Arm { pattern, value } if contains(value) => {
                    let mut stack = vec![pattern];
                    while let Some(p) = stack.pop() {
                        if matches!(arena.kind(p), NodeKind::PatBind { .. }) {
                            local(&mut out, bound(p));
                        }
                        arena.visit_children(arena.kind(p), |c| stack.push(c));
                    }
                }
                NodeKind::FnDecl { sig, .. } => {
                    if let NodeKind::FnSig { params, .. } = *arena.kind(sig) {
                        for &p in arena.list(params) {
                            if let NodeKind::Param { name, .. } = *arena.kind(p) {
                                local(&mut out, bound(name));
                            }
                        }
                    }
                }
                NodeKind::ServiceDecl { name, .. } => {
                    if let Some(service) = bound(name) {
                        for &m in self.analysis.defs.members(service) {
                            out.push((m, ScopeKind::ServiceMember));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// Where a name in scope comes from.
#[derive(Clone, Copy)]
enum ScopeKind {
    /// A local or parameter.
    Local,
    /// A field or function of the enclosing service.
    ServiceMember,
}

/// What the arms of a `when` already cover.
#[derive(Default)]
struct Covered {
    all: bool,
    none: bool,
    some: bool,
    ok: bool,
    err: bool,
    r#true: bool,
    r#false: bool,
    cases: Vec<SymbolId>,
}

/// The top-level items of a file (not imports), by their declarations' name nodes.
fn top_level_items(analysis: &Analysis, file: FileId) -> Vec<SymbolId> {
    let Some(arena) = analysis.parse(file).map(|p| &p.arena) else {
        return Vec::new();
    };
    let Some(NodeKind::SourceFile { items }) = arena.root().map(|r| *arena.kind(r)) else {
        return Vec::new();
    };
    arena
        .list(items)
        .iter()
        .filter_map(|&item| {
            let name = match *arena.kind(item) {
                NodeKind::FnDecl { name, .. }
                | NodeKind::StructDecl { name, .. }
                | NodeKind::ConstDecl { name, .. }
                | NodeKind::ServiceDecl { name, .. }
                | NodeKind::ContractDecl { name, .. }
                | NodeKind::ErrorDecl { name, .. } => name,
                _ => return None,
            };
            analysis.refs.symbol_at(file, name)
        })
        .collect()
}

/// `name(${1:a}, ${2:b})$0`, or `name()$0` without parameters.
fn call_snippet(name: &str, params: &[String]) -> String {
    let params: Vec<String> = params
        .iter()
        .enumerate()
        .map(|(i, p)| format!("${{{}:{p}}}", i + 1))
        .collect();
    format!("{name}({})$0", params.join(", "))
}

/// A declaration template.
fn snippet_item(label: &str, snippet: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: CompletionKind::Snippet,
        detail: None,
        rank: Rank::Keyword,
        insert: format!("{label} "),
        snippet: Some(snippet.to_string()),
        additional_edits: Vec::new(),
        import_from: None,
        doc: None,
    }
}

/// Whether `name` matches what was typed: its characters in order, ignoring case, the
/// first one at the start (as editors filter).
fn matches_prefix(name: &str, prefix: &str) -> bool {
    let mut name_chars = name.chars().map(|c| c.to_ascii_lowercase());
    let mut prefix_chars = prefix.chars().map(|c| c.to_ascii_lowercase());
    match (name_chars.next(), prefix_chars.next()) {
        (_, None) => return true,
        (Some(n), Some(p)) if n == p => {}
        _ => return false,
    }
    prefix_chars.all(|p| name_chars.any(|n| n == p))
}
