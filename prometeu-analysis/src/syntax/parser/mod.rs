//! The hand-written recursive-descent parser: tokens to [`AstArena`]
//! (`docs/spec/pbs-language.md` §3–§6, recovery per §11).
//!
//! Shape of the code: this file holds the token cursor, error reporting and recovery;
//! `items.rs` the file and declaration grammar, `stmt.rs` blocks and statements,
//! `expr.rs` expressions, patterns and types.
//!
//! Recovery rules, in one place:
//! * every loop makes progress: when an iteration consumed nothing it bumps one token;
//! * each statement and declaration is a *frame*; after the first error in a frame (or a
//!   lexical error inside it) further parse errors in that frame are dropped, so one
//!   mistake gives one diagnostic;
//! * lists stop at `;`, at declaration keywords and at end of file; blocks stop at
//!   declaration keywords and end of file (reporting the unclosed opener);
//! * nesting deeper than [`MAX_DEPTH`] is reported once and skipped without recursing.

mod expr;
mod hints;
mod items;
mod stmt;

use crate::syntax::ast::{AstArena, NodeKind, NodeList};
use crate::syntax::lexer::Lexed;
use crate::syntax::token::{Token, TokenKind};
use crate::{Diagnostic, DiagnosticCode, FileId, NameId, NameInterner, NodeId, Span};

/// How deep expressions, blocks, types and patterns may nest before the parser gives up
/// on the nested part (keeps the recursion far from the stack limit).
pub const MAX_DEPTH: u32 = 256;

/// Where a missing name is not taken from the token stream: tokens that likely come
/// right after a name, or start what follows it.
const NAME_STOPS: &[TokenKind] = &[
    TokenKind::LParen,
    TokenKind::RParen,
    TokenKind::LBrace,
    TokenKind::RBrace,
    TokenKind::LBracket,
    TokenKind::RBracket,
    TokenKind::Colon,
    TokenKind::Semi,
    TokenKind::Comma,
    TokenKind::Eq,
    TokenKind::Arrow,
    TokenKind::Lt,
    TokenKind::Gt,
    TokenKind::Dot,
    TokenKind::In,
    TokenKind::As,
    TokenKind::Let,
    TokenKind::Return,
    TokenKind::If,
    TokenKind::While,
    TokenKind::For,
    TokenKind::Break,
    TokenKind::Continue,
    TokenKind::Eof,
];

/// Parses lexed tokens of `text` into an arena; returns the arena and parse diagnostics.
pub(crate) fn parse_tokens(
    file: FileId,
    text: &str,
    lexed: &Lexed,
    names: &mut NameInterner,
) -> (AstArena, Vec<Diagnostic>) {
    let mut p = Parser {
        file,
        text,
        lexed,
        tokens: &lexed.tokens,
        pos: 0,
        split_shr: false,
        prev_end: 0,
        prev_kind: TokenKind::Eof,
        // Typical code has about three nodes for every four tokens.
        arena: AstArena::with_capacity(file, lexed.tokens.len() / 4 * 3 + 16),
        names,
        name_cache: NameCache::default(),
        diagnostics: Vec::new(),
        scratch: Vec::new(),
        frames: Vec::new(),
        depth: 0,
        depth_reported: false,
        last_unclosed_at: u32::MAX,
        orphan_braces: 0,
    };
    p.source_file();
    let mut arena = p.arena;
    arena.shrink_to_fit();
    (arena, p.diagnostics)
}

/// One statement or declaration being parsed, for "one diagnostic per mistake".
#[derive(Clone, Copy, Default)]
pub(super) struct Frame {
    /// An error (lexical or parse) was already reported inside this frame.
    pub(super) had_error: bool,
    /// A token with a lexical error was consumed inside this frame.
    had_lex_error: bool,
}

/// A fast, non-cryptographic hasher (FxHash) for the parser's per-file name cache: keys
/// are short identifiers from the file itself, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.write(&[b]);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type NameCache<'a> =
    std::collections::HashMap<&'a str, NameId, std::hash::BuildHasherDefault<FxHasher>>;

pub(crate) struct Parser<'a> {
    file: FileId,
    text: &'a str,
    lexed: &'a Lexed,
    tokens: &'a [Token],
    /// Index of the current token; never past the final `Eof`.
    pos: usize,
    /// The current token is `>>` whose first `>` already closed a type argument list.
    split_shr: bool,
    /// End offset of the last consumed token: where a node ends.
    prev_end: u32,
    /// Kind of the last consumed token (`}` means "ended with a block").
    prev_kind: TokenKind,
    arena: AstArena,
    names: &'a mut NameInterner,
    /// Text → ID for names already interned by this parse (skips the shared interner's
    /// slower hashing on repeats).
    name_cache: NameCache<'a>,
    diagnostics: Vec<Diagnostic>,
    /// Stack of child IDs for lists under construction (see `finish_list`).
    scratch: Vec<NodeId>,
    frames: Vec<Frame>,
    depth: u32,
    depth_reported: bool,
    /// Offset of the last unclosed-delimiter report, so nested blocks that all end at the
    /// same place give one diagnostic.
    last_unclosed_at: u32,
    /// `{`s reported unclosed because a declaration keyword ended them: their `}` probably
    /// comes later and is not a new mistake.
    orphan_braces: u32,
}

impl<'a> Parser<'a> {
    // ----- the token cursor -----

    fn current(&self) -> Token {
        self.tokens[self.pos]
    }

    /// The current token's kind (`>` for the second half of a split `>>`).
    fn at(&self) -> TokenKind {
        if self.split_shr {
            TokenKind::Gt
        } else {
            self.tokens[self.pos].kind
        }
    }

    fn at_kind(&self, kind: TokenKind) -> bool {
        self.at() == kind
    }

    /// The kind `n` tokens ahead (`n = 0` is the current token).
    fn nth(&self, n: usize) -> TokenKind {
        if n == 0 {
            return self.at();
        }
        let i = (self.pos + n).min(self.tokens.len() - 1);
        self.tokens[i].kind
    }

    fn cur_start(&self) -> u32 {
        let t = self.current();
        if self.split_shr { t.start + 1 } else { t.start }
    }

    fn cur_span(&self) -> Span {
        Span::new(self.file, self.cur_start(), self.current().end)
    }

    fn cur_text(&self) -> &str {
        let t = self.current();
        &self.text[self.cur_start() as usize..t.end as usize]
    }

    /// Consumes the current token (never the final `Eof`).
    fn bump(&mut self) {
        let t = self.current();
        if t.kind == TokenKind::Eof {
            return;
        }
        if t.has_lex_error() {
            if let Some(frame) = self.frames.last_mut() {
                frame.had_error = true;
                frame.had_lex_error = true;
            }
        }
        self.prev_end = t.end;
        self.prev_kind = if self.split_shr {
            TokenKind::Gt
        } else {
            t.kind
        };
        self.split_shr = false;
        self.pos += 1;
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        if self.at_kind(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Consumes one `>` closing a type argument list, splitting a `>>` if needed.
    fn eat_type_close(&mut self) -> bool {
        match self.at() {
            TokenKind::Gt => {
                self.bump();
                true
            }
            TokenKind::Shr => {
                self.split_shr = true;
                self.prev_end = self.current().start + 1;
                self.prev_kind = TokenKind::Gt;
                true
            }
            _ => false,
        }
    }

    /// Consumes `kind` or reports what was expected.
    fn expect(&mut self, kind: TokenKind) -> bool {
        if self.eat(kind) {
            return true;
        }
        self.error_expected(kind.describe());
        false
    }

    // ----- frames and diagnostics -----

    fn enter_frame(&mut self) {
        let flagged = self.current().flags & Token::AFTER_LEX_ERROR != 0;
        self.frames.push(Frame {
            had_error: flagged,
            had_lex_error: flagged,
        });
    }

    /// Leaves a frame; a lexical error inside also counts for the enclosing frame's
    /// `had_lex_error` (not its `had_error`: sibling statements still report).
    fn exit_frame(&mut self) -> Frame {
        let frame = self.frames.pop().unwrap_or_default();
        if let Some(parent) = self.frames.last_mut() {
            parent.had_lex_error |= frame.had_lex_error;
        }
        frame
    }

    /// Reports a parse diagnostic unless the current frame already has an error.
    fn error(&mut self, code: DiagnosticCode, span: Span, message: String) {
        self.error_with(Diagnostic::new(code, span, message));
    }

    fn error_with(&mut self, diagnostic: Diagnostic) {
        let lex_here = self.current().has_lex_error();
        let frame = self.frames.last_mut();
        let suppressed = lex_here || frame.as_ref().is_some_and(|f| f.had_error);
        if let Some(frame) = frame {
            frame.had_error = true;
            frame.had_lex_error |= lex_here;
        }
        if !suppressed {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Reports the current token as unexpected; `weak` gets `E_PARSE_RESERVED`.
    fn error_expected(&mut self, expected: &str) {
        let span = self.cur_span();
        if self.at_kind(TokenKind::Weak) {
            return self.error(
                DiagnosticCode::ParseReserved,
                span,
                "`weak` is reserved for a later version of PBS".to_string(),
            );
        }
        let found = self.at().describe();
        let hint = self.found_hint();
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            format!("expected {expected}, found {found}{hint}"),
        );
    }

    /// Reports a missing closing delimiter at the current token.
    fn unclosed(&mut self, opener: Span, close: TokenKind) {
        let here = self.cur_start();
        if close == TokenKind::RBrace && self.at_decl_start() {
            self.orphan_braces += 1;
        }
        if self.last_unclosed_at == here {
            // An enclosing delimiter already reported this spot.
            if let Some(frame) = self.frames.last_mut() {
                frame.had_error = true;
            }
            return;
        }
        self.last_unclosed_at = here;
        let found = self.at().describe();
        let open_text = &self.text[opener.range()];
        let d = Diagnostic::new(
            DiagnosticCode::ParseUnclosedDelimiter,
            self.cur_span(),
            format!(
                "`{open_text}` is not closed: expected {} before {found}",
                close.describe()
            ),
        )
        .with_related(opener, format!("`{open_text}` opened here"));
        self.error_with(d);
    }

    // ----- nodes -----

    fn span_from(&self, start: u32) -> Span {
        Span::new(self.file, start, start.max(self.prev_end))
    }

    /// Pushes a node from `start` to the end of the last consumed token, widened to cover
    /// its children (a missing child sits at the end of the previous token).
    fn finish(&mut self, kind: NodeKind, start: u32) -> NodeId {
        let mut span = self.span_from(start);
        let arena = &self.arena;
        arena.visit_children(&kind, |child| {
            let c = arena.span(child);
            span.start = span.start.min(c.start);
            span.end = span.end.max(c.end);
        });
        self.arena.push(kind, span)
    }

    /// An empty error node where something required is missing.
    fn missing(&mut self) -> NodeId {
        let span = Span::empty(self.file, self.prev_end);
        self.arena.push(
            NodeKind::Error {
                children: NodeList::EMPTY,
            },
            span,
        )
    }

    /// An empty error node from `start` to the end of the last consumed token: what
    /// tokens consumed as a mistake become.
    fn error_node(&mut self, start: u32) -> NodeId {
        self.finish(
            NodeKind::Error {
                children: NodeList::EMPTY,
            },
            start,
        )
    }

    /// Reports the current token where `expected` was wanted and consumes it as an
    /// error node: for tokens no caller resumes at, such as the reserved `weak`.
    fn skip_unexpected(&mut self, expected: &str) -> NodeId {
        let start = self.cur_start();
        self.error_expected(expected);
        self.bump();
        self.error_node(start)
    }

    /// After an error reported at the current token: a [`Parser::missing`] node when
    /// the token is one of `stops` or starts a declaration (the caller likely resumes
    /// there), otherwise the token consumed as an error node.
    fn skip_unless_at(&mut self, stops: &[TokenKind]) -> NodeId {
        if stops.contains(&self.at()) || self.at_decl_start() {
            return self.missing();
        }
        let start = self.cur_start();
        self.bump();
        self.error_node(start)
    }

    /// Moves `scratch[mark..]` into the arena as a list.
    fn finish_list(&mut self, mark: usize) -> NodeList {
        let list = self.arena.push_list(&self.scratch[mark..]);
        self.scratch.truncate(mark);
        list
    }

    fn intern_current(&mut self) -> NameId {
        let range = self.current().range();
        let text: &'a str = &self.text[range];
        if let Some(&id) = self.name_cache.get(text) {
            return id;
        }
        let id = self.names.intern(text);
        self.name_cache.insert(text, id);
        id
    }

    /// A `Name` node for the current identifier, or an error placeholder.
    /// `allow_wildcard` accepts `_` (bindings of `let` and `for`).
    fn name(&mut self, allow_wildcard: bool) -> NodeId {
        match self.at() {
            TokenKind::Ident => {}
            TokenKind::Underscore if allow_wildcard => {}
            TokenKind::Weak => return self.skip_unexpected("a name"),
            _ => {
                let span = self.cur_span();
                let found = self.at().describe();
                let hint = if self.at_kind(TokenKind::Underscore) {
                    " (`_` is only a pattern; use a name such as `_unused`)"
                } else {
                    ""
                };
                self.error(
                    DiagnosticCode::ParseExpectedIdent,
                    span,
                    format!("expected a name, found {found}{hint}"),
                );
                // Take the bad token as the (broken) name unless it is likely the next
                // thing the caller expects.
                return self.skip_unless_at(NAME_STOPS);
            }
        }
        let start = self.cur_start();
        let name = self.intern_current();
        self.bump();
        self.finish(NodeKind::Name { name }, start)
    }

    /// Whether the current keyword is followed by what follows a name (`let mod = …`,
    /// `(fn: int)`), so it was meant as one rather than starting a declaration.
    fn keyword_used_as_name(&self) -> bool {
        matches!(
            self.nth(1),
            TokenKind::Eq
                | TokenKind::Colon
                | TokenKind::Comma
                | TokenKind::RParen
                | TokenKind::Semi
                | TokenKind::In
        )
    }

    // ----- depth -----

    /// Enters one nesting level; false (after reporting once) when too deep, in which
    /// case the caller must not recurse and should call [`Parser::skip_too_deep`]
    /// ([`Parser::nested`] does both for one nested part).
    fn descend(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            if !self.depth_reported {
                self.depth_reported = true;
                let span = self.cur_span();
                // Reported directly: this is not a grammar mistake a frame could explain.
                self.diagnostics.push(Diagnostic::new(
                    DiagnosticCode::ParseUnexpectedToken,
                    span,
                    format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
                ));
            }
            if let Some(frame) = self.frames.last_mut() {
                frame.had_error = true;
            }
            return false;
        }
        self.depth += 1;
        true
    }

    fn ascend(&mut self) {
        self.depth -= 1;
    }

    /// Parses a nested part with `parse` one nesting level deeper, or skips it as an
    /// error node when that is too deep.
    fn nested(&mut self, parse: impl FnOnce(&mut Self) -> NodeId) -> NodeId {
        if !self.descend() {
            return self.skip_too_deep();
        }
        // Bounded by `MAX_DEPTH`, but a level is several frames: keep far from the end
        // of whatever stack the caller's thread has.
        let node = crate::stack::ensure_sufficient_stack(|| parse(self));
        self.ascend();
        node
    }

    /// Skips the too-deep region: balanced tokens up to the next closer, `,` or `;` at
    /// this level. Returns an error node.
    fn skip_too_deep(&mut self) -> NodeId {
        let start = self.cur_start();
        let mut nesting = 0u32;
        loop {
            match self.at() {
                TokenKind::Eof => break,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => nesting += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if nesting == 0 {
                        break;
                    }
                    nesting -= 1;
                }
                TokenKind::Comma | TokenKind::Semi if nesting == 0 => break,
                _ => {}
            }
            self.bump();
        }
        self.error_node(start)
    }

    // ----- recovery -----

    /// Whether the current token starts a top-level declaration (a recovery point).
    fn at_decl_start(&self) -> bool {
        matches!(
            self.at(),
            TokenKind::Fn
                | TokenKind::Pub
                | TokenKind::Mod
                | TokenKind::Declare
                | TokenKind::Service
                | TokenKind::Import
        ) && !self.keyword_used_as_name()
    }

    /// Whether the current token can only start a top-level item, never a member.
    fn at_item_only_start(&self) -> bool {
        matches!(
            self.at(),
            TokenKind::Declare | TokenKind::Service | TokenKind::Import
        )
    }

    /// Skips tokens up to (not including) the next `,` or `close` at this nesting level,
    /// stopping early at `;`, declaration keywords and end of file.
    fn skip_in_list(&mut self, close: TokenKind) {
        let mut nesting = 0u32;
        loop {
            let kind = self.at();
            if kind == TokenKind::Eof {
                return;
            }
            if nesting == 0
                && (kind == close
                    || kind == TokenKind::Comma
                    || kind == TokenKind::Semi
                    || self.at_decl_start()
                    || (kind == TokenKind::RBrace && close != TokenKind::RBrace))
            {
                return;
            }
            match kind {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => nesting += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if nesting == 0 {
                        return;
                    }
                    nesting -= 1;
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// A comma-separated list after its already-consumed `opener`, up to and including
    /// `close`; `element` parses one entry. Trailing commas are allowed.
    fn comma_list(
        &mut self,
        opener: Span,
        close: TokenKind,
        element: impl FnMut(&mut Self) -> NodeId,
    ) -> NodeList {
        let mark = self.scratch.len();
        self.comma_list_from(mark, opener, close, element)
    }

    /// [`Parser::comma_list`] whose first entries are already on `scratch[mark..]`.
    fn comma_list_from(
        &mut self,
        mark: usize,
        opener: Span,
        close: TokenKind,
        mut element: impl FnMut(&mut Self) -> NodeId,
    ) -> NodeList {
        loop {
            if self.eat(close) {
                break;
            }
            if self.at_list_stop(close) {
                self.unclosed(opener, close);
                break;
            }
            let before = self.pos;
            let item = element(self);
            self.scratch.push(item);
            if self.eat(TokenKind::Comma) || self.at_kind(close) {
                continue;
            }
            if self.at_list_stop(close) {
                self.unclosed(opener, close);
                break;
            }
            self.error_expected(&format!("`,` or {}", close.describe()));
            self.skip_in_list(close);
            if self.at_list_stop(close) {
                self.unclosed(opener, close);
                break;
            }
            if self.pos == before && !self.at_kind(close) && !self.at_kind(TokenKind::Comma) {
                // Never spin on a token nobody consumes.
                self.bump();
            }
            self.eat(TokenKind::Comma);
        }
        self.finish_list(mark)
    }

    /// Whether the current token ends a list that closes with `close` without closing
    /// it: end of file, `;`, a declaration keyword, or a `}` of an enclosing block.
    fn at_list_stop(&self, close: TokenKind) -> bool {
        let kind = self.at();
        kind == TokenKind::Eof
            || kind == TokenKind::Semi
            || self.at_decl_start()
            || (kind == TokenKind::RBrace && close != TokenKind::RBrace)
    }

    /// Consumes the closing `close` of `opener`, reporting and skipping what stands in
    /// the way.
    fn expect_close(&mut self, opener: Span, close: TokenKind) {
        if self.eat(close) {
            return;
        }
        let kind = self.at();
        if kind == TokenKind::Eof || kind == TokenKind::Semi || self.at_decl_start() {
            return self.unclosed(opener, close);
        }
        self.error_expected(close.describe());
        self.skip_in_list(close);
        self.eat(close);
    }

    /// Collects the doc comment lines right before offset `start` (only whitespace between
    /// them and the documented token).
    fn doc_before(&self, start: u32) -> Option<(Span, String)> {
        let trivia = &self.lexed.trivia;
        let mut i = trivia.partition_point(|t| t.start < start);
        let mut gap_end = start as usize;
        let mut first = None;
        let mut last_end = 0;
        while i > 0 {
            let t = trivia[i - 1];
            if t.kind != TokenKind::DocComment {
                break;
            }
            if !self.text[t.end as usize..gap_end]
                .bytes()
                .all(|b| b.is_ascii_whitespace())
            {
                break;
            }
            if first.is_none() {
                last_end = t.end;
            }
            first = Some(i - 1);
            gap_end = t.start as usize;
            i -= 1;
        }
        let first = first?;
        let count = trivia[first..]
            .iter()
            .take_while(|t| t.end <= last_end)
            .count();
        let lines = &trivia[first..first + count];
        let mut text = String::new();
        for (n, t) in lines.iter().enumerate() {
            if n > 0 {
                text.push('\n');
            }
            let line = &self.text[t.start as usize + 3..t.end as usize];
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
        }
        let span = Span::new(self.file, lines[0].start, last_end);
        Some((span, text))
    }

    fn attach_doc(&mut self, node: NodeId, doc: Option<(Span, String)>) {
        if let Some((span, text)) = doc {
            self.arena
                .push_doc(crate::syntax::ast::DocComment { node, span, text });
        }
    }
}
