//! From the syntax tree to layout commands.
//!
//! The builder walks the tree in source order and, for every token it prints, advances a
//! cursor over the lexer's tokens: the comments (trivia) lying before that token are
//! emitted first, so every comment comes out once, in order, next to the token it was
//! next to. A comment on the same line as the previous token stays at the end of that
//! line; any other comment gets a line of its own. Tokens are printed with their source
//! text, so literals keep their spelling (`0xFF`, `1_000`, escapes).

use super::doc::Cmd;
use crate::NodeId;
use crate::syntax::ast::{AssignOp, AstArena, BinaryOp, NodeKind, UnaryOp, ViewKind, Visibility};
use crate::syntax::token::{Token, TokenKind};

/// The commands for a file, plus the output marks of its statements and items.
pub(super) struct Built<'a> {
    /// The layout commands.
    pub cmds: Vec<Cmd<'a>>,
    /// Per mark slot, the node it belongs to and whether it marks the node's end.
    pub mark_nodes: Vec<(NodeId, bool)>,
}

/// Builds the layout of a whole file. `Err` when the tree and the tokens disagree (a
/// builder bug or a tree with error nodes): the caller then leaves the file alone.
pub(super) fn build<'a>(
    text: &'a str,
    tokens: &'a [Token],
    trivia: &'a [Token],
    arena: &'a AstArena,
    root: NodeId,
) -> Result<Built<'a>, String> {
    let mut builder = Builder {
        text,
        tokens,
        trivia,
        arena,
        pos: 0,
        trivia_pos: 0,
        last_end: 0,
        half_shr: false,
        cmds: Vec::with_capacity(tokens.len() * 2 + 16),
        mark_nodes: Vec::new(),
        held: None,
        error: None,
    };
    builder.source_file(root);
    match builder.error {
        Some(error) => Err(error),
        None => Ok(Built {
            cmds: builder.cmds,
            mark_nodes: builder.mark_nodes,
        }),
    }
}

struct Builder<'a> {
    text: &'a str,
    tokens: &'a [Token],
    trivia: &'a [Token],
    arena: &'a AstArena,
    /// Index of the next token to print.
    pos: usize,
    /// Index of the next comment to print.
    trivia_pos: usize,
    /// End offset of the last token or comment printed.
    last_end: u32,
    /// The first half of a `>>` closing two type argument lists was printed.
    half_shr: bool,
    cmds: Vec<Cmd<'a>>,
    mark_nodes: Vec<(NodeId, bool)>,
    /// A trailing comment moved past the closing tokens that follow it.
    held: Option<&'a str>,
    error: Option<String>,
}

/// Items that sit on one line and may be stacked without blank lines between them.
fn is_compact(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Import { .. }
            | NodeKind::ConstDecl { .. }
            | NodeKind::ServiceField { .. }
            | NodeKind::FnDecl { body: None, .. }
    )
}

fn same_kind(a: &NodeKind, b: &NodeKind) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Binding power of a binary operator, as in the parser: operands of one chain share it.
fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 10,
        BinaryOp::Add | BinaryOp::Sub => 9,
        BinaryOp::Shl | BinaryOp::Shr => 8,
        BinaryOp::BitAnd => 7,
        BinaryOp::BitXor => 6,
        BinaryOp::BitOr => 5,
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 3,
        BinaryOp::Eq | BinaryOp::Ne => 2,
        BinaryOp::And => 1,
        BinaryOp::Or => 0,
    }
}

fn assign_token(op: AssignOp) -> TokenKind {
    match op {
        AssignOp::Assign => TokenKind::Eq,
        AssignOp::Add => TokenKind::PlusEq,
        AssignOp::Sub => TokenKind::MinusEq,
        AssignOp::Mul => TokenKind::StarEq,
        AssignOp::Div => TokenKind::SlashEq,
        AssignOp::Rem => TokenKind::PercentEq,
    }
}

impl<'a> Builder<'a> {
    // ----- the token cursor and comments -----

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    fn push(&mut self, cmd: Cmd<'a>) {
        self.cmds.push(cmd);
    }

    /// A comment for the end of the current line; a second one in a row goes on its own
    /// line (where the next run, seeing it after a line break, puts it too).
    fn push_trailing(&mut self, comment: &'a str) {
        if matches!(self.cmds.last(), Some(Cmd::TrailingComment(_))) {
            self.push(Cmd::OwnLineComment(comment));
        } else {
            self.push(Cmd::TrailingComment(comment));
        }
    }

    fn text(&mut self, text: &'static str) {
        self.cmds.push(Cmd::Text(text));
    }

    fn next_token(&self) -> Token {
        self.tokens.get(self.pos).copied().unwrap_or(Token {
            kind: TokenKind::Eof,
            flags: 0,
            start: self.text.len() as u32,
            end: self.text.len() as u32,
            value: 0,
        })
    }

    fn at(&self, kind: TokenKind) -> bool {
        !self.half_shr && self.next_token().kind == kind
    }

    /// Emits the comments before the next token that are not printed yet.
    fn leading_comments(&mut self) {
        let next_start = self.next_token().start;
        while let Some(&comment) = self.trivia.get(self.trivia_pos) {
            if comment.start >= next_start {
                break;
            }
            let gap = &self.text
                [(self.last_end as usize).min(comment.start as usize)..comment.start as usize];
            let newlines = gap.bytes().filter(|&b| b == b'\n').count();
            let body = self.text[comment.range()].trim_end();
            if newlines == 0 && self.last_end > 0 && comment.kind != TokenKind::DocComment {
                self.push_trailing(body);
            } else {
                if newlines >= 2 {
                    self.push(Cmd::BlankLine);
                }
                self.push(Cmd::OwnLineComment(body));
            }
            self.last_end = comment.end;
            self.trivia_pos += 1;
        }
    }

    /// Emits the comments on the same line right after the token just printed.
    fn trailing_comments(&mut self) {
        let next_start = self.next_token().start;
        while let Some(&comment) = self.trivia.get(self.trivia_pos) {
            if comment.start >= next_start {
                break;
            }
            let gap = &self.text
                [(self.last_end as usize).min(comment.start as usize)..comment.start as usize];
            if gap.contains('\n')
                || comment.kind == TokenKind::DocComment
                || self.defers_past_next_token()
            {
                break;
            }
            self.push_trailing(self.text[comment.range()].trim_end());
            self.last_end = comment.end;
            self.trivia_pos += 1;
        }
    }

    /// Whether the next comment is the only thing between the last token and a closing
    /// token (`,`, `;`, `)`, …) and on the last token's line: it is then printed after
    /// that closing token, where the printer would put it anyway, so that it lands in
    /// the same group on every run.
    fn defers_past_next_token(&self) -> bool {
        let next = self.next_token();
        if !joins_previous(next.kind) || self.half_shr {
            return false;
        }
        let Some(&comment) = self.trivia.get(self.trivia_pos) else {
            return false;
        };
        let second = self.trivia.get(self.trivia_pos + 1);
        comment.start < next.start
            && comment.kind != TokenKind::DocComment
            && second.is_none_or(|c| c.start >= next.start)
            && !self.text
                [(self.last_end as usize).min(comment.start as usize)..comment.start as usize]
                .contains('\n')
    }

    /// Holds back the comment [`Builder::defers_past_next_token`] describes, if any.
    fn take_deferred(&mut self) {
        if self.held.is_some() || !self.defers_past_next_token() {
            return;
        }
        let comment = self.trivia[self.trivia_pos];
        self.trivia_pos += 1;
        self.held = Some(self.text[comment.range()].trim_end());
    }

    /// Emits the held-back comment once the next token no longer closes anything.
    fn release_held(&mut self) {
        if self.held.is_none() || (joins_previous(self.next_token().kind) && !self.comment_ahead())
        {
            return;
        }
        if let Some(comment) = self.held.take() {
            self.push_trailing(comment);
        }
    }

    /// Whether a comment lies between byte offsets `start` and `end`.
    fn comment_within(&self, start: u32, end: u32) -> bool {
        let first = self.trivia.partition_point(|c| c.start < start);
        self.trivia.get(first).is_some_and(|c| c.start < end)
    }

    /// The offset of the token after the next one (what closes an empty list).
    fn second_token_start(&self) -> u32 {
        self.tokens.get(self.pos + 1).map_or(u32::MAX, |t| t.start)
    }

    /// Whether a comment lies before the next token.
    fn comment_ahead(&self) -> bool {
        self.trivia
            .get(self.trivia_pos)
            .is_some_and(|comment| comment.start < self.next_token().start)
    }

    /// Whether the source has a blank line between the last thing printed and the next
    /// token.
    fn blank_ahead(&self) -> bool {
        let next_start = self.next_token().start as usize;
        let from = (self.last_end as usize).min(next_start);
        self.text[from..next_start]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            >= 2
    }

    /// Whether the source has a blank line anywhere between the last thing printed and
    /// the next token, comments included.
    fn blank_in_gap(&self) -> bool {
        let next_start = self.next_token().start as usize;
        let from = (self.last_end as usize).min(next_start);
        let mut lines = self.text[from..next_start].split('\n');
        lines.next();
        let mut lines: Vec<&str> = lines.collect();
        // The last piece is the indentation before the token, not a line.
        lines.pop();
        lines.iter().any(|line| line.trim().is_empty())
    }

    /// Consumes the next token, which must be `kind`, without printing it.
    fn skip(&mut self, kind: TokenKind) -> bool {
        if self.half_shr {
            if kind != TokenKind::Gt {
                self.fail(format!("expected {} after `>`", kind.describe()));
                return false;
            }
            self.half_shr = false;
            let token = self.next_token();
            self.pos += 1;
            self.last_end = token.end;
            self.release_held();
            self.trailing_comments();
            return true;
        }
        self.take_deferred();
        self.leading_comments();
        let token = self.next_token();
        if kind == TokenKind::Gt && token.kind == TokenKind::Shr {
            self.half_shr = true;
            return true;
        }
        if token.kind != kind {
            self.fail(format!(
                "expected {} at byte {}, found {}",
                kind.describe(),
                token.start,
                token.kind.describe()
            ));
            return false;
        }
        self.pos += 1;
        self.last_end = token.end;
        self.release_held();
        self.trailing_comments();
        true
    }

    /// Prints the next token, which must be `kind`, as written in the source.
    fn tok(&mut self, kind: TokenKind) {
        if self.half_shr {
            if self.skip(kind) {
                // The comments of the second half were pushed after its text.
                let at = self.cmds.len();
                self.cmds
                    .insert(trailing_start(&self.cmds, at), Cmd::Text(">"));
            }
            return;
        }
        self.take_deferred();
        self.leading_comments();
        let token = self.next_token();
        if kind == TokenKind::Gt && token.kind == TokenKind::Shr {
            self.half_shr = true;
            self.text(">");
            return;
        }
        if token.kind != kind {
            self.fail(format!(
                "expected {} at byte {}, found {}",
                kind.describe(),
                token.start,
                token.kind.describe()
            ));
            return;
        }
        self.push(Cmd::Text(&self.text[token.range()]));
        self.pos += 1;
        self.last_end = token.end;
        self.release_held();
        self.trailing_comments();
    }

    /// Prints the next token whatever it is (identifiers and literals).
    fn tok_any(&mut self, allowed: &[TokenKind]) {
        let kind = self.next_token().kind;
        if allowed.contains(&kind) {
            self.tok(kind);
        } else {
            self.fail(format!("unexpected {}", kind.describe()));
        }
    }

    /// A comma the style writes only in broken lists: consumed if the source has one.
    fn optional_comma(&mut self, always: bool) {
        if self.at(TokenKind::Comma) {
            self.skip(TokenKind::Comma);
            let at = trailing_start(&self.cmds, self.cmds.len());
            self.cmds.insert(at, comma_cmd(always));
        } else {
            self.push(comma_cmd(always));
        }
    }

    /// Drops the empty statements (`;` alone) the parser skips.
    fn skip_stray_semis(&mut self) {
        while self.at(TokenKind::Semi) {
            self.skip(TokenKind::Semi);
        }
    }

    /// Closes a group before the trailing comments of its last token: a comment after
    /// the end of a group does not break it (and lands there again on the next run).
    fn end_group(&mut self) {
        let at = trailing_start(&self.cmds, self.cmds.len());
        self.cmds.insert(at, Cmd::End);
    }

    /// [`Builder::end_group`] for a group whose lines are indented.
    fn end_indented_group(&mut self) {
        let at = trailing_start(&self.cmds, self.cmds.len());
        self.cmds.splice(at..at, [Cmd::Dedent, Cmd::End]);
    }

    fn mark(&mut self, node: NodeId, is_end: bool) {
        let slot = self.mark_nodes.len() as u32;
        self.mark_nodes.push((node, is_end));
        self.push(Cmd::Mark(slot));
    }

    /// The break between two entries of a statement or item list: a newline, the blank
    /// line the style or the source asks for, and the comments before the next entry.
    ///
    /// A forced blank line goes before the comments (they introduce the next entry)
    /// unless the source has a blank line in the gap already: then the comments right
    /// after the previous entry stay with it (a note on the line above).
    fn separator(&mut self, force_blank: bool) {
        self.push(Cmd::HardLine);
        if force_blank && !self.blank_in_gap() {
            self.push(Cmd::BlankLine);
        }
        self.leading_comments();
        if self.blank_ahead() {
            self.push(Cmd::BlankLine);
        }
    }

    fn kind(&self, id: NodeId) -> NodeKind {
        *self.arena.kind(id)
    }

    fn list(&self, list: crate::syntax::NodeList) -> &'a [NodeId] {
        self.arena.list(list)
    }

    // ----- items -----

    fn source_file(&mut self, root: NodeId) {
        let NodeKind::SourceFile { items } = self.kind(root) else {
            return self.fail("the root is not a source file".into());
        };
        let items = self.list(items);
        self.leading_comments();
        let mut previous: Option<NodeKind> = None;
        for &item in items {
            if self.error.is_some() {
                return;
            }
            let kind = self.kind(item);
            if let Some(previous) = previous {
                let compact =
                    is_compact(&previous) && is_compact(&kind) && same_kind(&previous, &kind);
                self.separator(!compact);
            } else if self.blank_ahead() && !self.cmds.is_empty() {
                self.push(Cmd::BlankLine);
            }
            self.mark(item, false);
            self.item(item);
            self.mark(item, true);
            previous = Some(kind);
        }
        self.skip_stray_semis();
        self.leading_comments();
        if self.next_token().kind != TokenKind::Eof {
            return self.fail("tokens left after the last item".into());
        }
        self.push(Cmd::HardLine);
    }

    fn visibility(&mut self, vis: Visibility) {
        match vis {
            Visibility::Private => {}
            Visibility::Mod => {
                self.tok(TokenKind::Mod);
                self.text(" ");
            }
            Visibility::Pub => {
                self.tok(TokenKind::Pub);
                self.text(" ");
            }
        }
    }

    fn item(&mut self, id: NodeId) {
        match self.kind(id) {
            NodeKind::Import { names, path } => {
                self.tok(TokenKind::Import);
                self.text(" ");
                let names = self.list(names);
                self.comma_list(
                    TokenKind::LBrace,
                    names,
                    TokenKind::RBrace,
                    true,
                    |b, name| b.import_name(name),
                );
                self.text(" ");
                self.tok(TokenKind::From);
                self.text(" ");
                self.expr(path);
                self.tok(TokenKind::Semi);
            }
            NodeKind::FnDecl {
                vis,
                name,
                sig,
                body,
            } => {
                self.visibility(vis);
                self.tok(TokenKind::Fn);
                self.text(" ");
                self.name(name);
                self.fn_sig(sig);
                match body {
                    Some(body) => {
                        self.text(" ");
                        self.block(body, false);
                    }
                    None => self.tok(TokenKind::Semi),
                }
            }
            NodeKind::StructDecl {
                vis,
                name,
                fields,
                members,
            } => {
                self.visibility(vis);
                self.tok(TokenKind::Declare);
                self.text(" ");
                self.tok(TokenKind::Struct);
                self.text(" ");
                self.name(name);
                let fields = self.list(fields);
                self.comma_list(
                    TokenKind::LParen,
                    fields,
                    TokenKind::RParen,
                    false,
                    |b, field| b.field(field),
                );
                let members = self.list(members);
                if self.at(TokenKind::LBrace) {
                    self.member_block(members, true);
                }
            }
            NodeKind::ConstDecl {
                vis,
                name,
                ty,
                value,
            } => {
                self.visibility(vis);
                if self.at(TokenKind::Declare) {
                    self.tok(TokenKind::Declare);
                    self.text(" ");
                }
                self.tok(TokenKind::Const);
                self.text(" ");
                self.name(name);
                self.tok(TokenKind::Colon);
                self.text(" ");
                self.ty(ty);
                if let Some(value) = value {
                    self.text(" ");
                    self.tok(TokenKind::Eq);
                    self.text(" ");
                    self.expr(value);
                }
                self.tok(TokenKind::Semi);
            }
            NodeKind::ServiceDecl {
                vis,
                name,
                contract,
                members,
            } => {
                self.visibility(vis);
                self.tok(TokenKind::Service);
                self.text(" ");
                self.name(name);
                if let Some(contract) = contract {
                    self.tok(TokenKind::Colon);
                    self.text(" ");
                    self.ty(contract);
                }
                let members = self.list(members);
                self.text(" ");
                self.member_block(members, false);
            }
            NodeKind::ServiceField {
                vis,
                is_mut,
                name,
                ty,
                value,
            } => {
                self.visibility(vis);
                self.tok(TokenKind::Let);
                self.text(" ");
                if is_mut {
                    self.tok(TokenKind::Mut);
                    self.text(" ");
                }
                self.name(name);
                self.tok(TokenKind::Colon);
                self.text(" ");
                self.ty(ty);
                self.text(" ");
                self.tok(TokenKind::Eq);
                self.text(" ");
                self.expr(value);
                self.tok(TokenKind::Semi);
            }
            NodeKind::ContractDecl {
                vis,
                is_host,
                name,
                fns,
            } => {
                self.visibility(vis);
                self.tok(TokenKind::Declare);
                self.text(" ");
                self.tok(TokenKind::Contract);
                self.text(" ");
                self.name(name);
                if is_host {
                    self.text(" ");
                    self.tok(TokenKind::Host);
                }
                let fns = self.list(fns);
                self.text(" ");
                self.member_block(fns, false);
            }
            NodeKind::ErrorDecl { vis, name, cases } => {
                self.visibility(vis);
                self.tok(TokenKind::Declare);
                self.text(" ");
                self.tok(TokenKind::Error);
                self.text(" ");
                self.name(name);
                self.text(" ");
                let cases = self.list(cases);
                self.comma_list(
                    TokenKind::LBrace,
                    cases,
                    TokenKind::RBrace,
                    true,
                    |b, case| {
                        if let NodeKind::ErrorCase { name } = b.kind(case) {
                            b.name(name);
                        } else {
                            b.fail("an error case expected".into());
                        }
                    },
                );
            }
            other => self.fail(format!("cannot format a {} item", other.name())),
        }
    }

    fn import_name(&mut self, id: NodeId) {
        let NodeKind::ImportName { name, alias } = self.kind(id) else {
            return self.fail("an import name expected".into());
        };
        self.name(name);
        if let Some(alias) = alias {
            self.text(" ");
            self.tok(TokenKind::As);
            self.text(" ");
            self.name(alias);
        }
    }

    fn field(&mut self, id: NodeId) {
        let NodeKind::Field { name, ty } = self.kind(id) else {
            return self.fail("a field expected".into());
        };
        self.name(name);
        self.tok(TokenKind::Colon);
        self.text(" ");
        self.ty(ty);
    }

    fn fn_sig(&mut self, id: NodeId) {
        let NodeKind::FnSig { params, ret } = self.kind(id) else {
            return self.fail("a signature expected".into());
        };
        let params = self.list(params);
        self.comma_list(
            TokenKind::LParen,
            params,
            TokenKind::RParen,
            false,
            |b, param| match b.kind(param) {
                NodeKind::Param { is_mut, name, ty } => {
                    if is_mut {
                        b.tok(TokenKind::Mut);
                        b.text(" ");
                    }
                    b.name(name);
                    b.tok(TokenKind::Colon);
                    b.text(" ");
                    b.ty(ty);
                }
                NodeKind::SelfParam { is_mut } => {
                    if is_mut {
                        b.tok(TokenKind::Mut);
                        b.text(" ");
                    }
                    b.tok(TokenKind::SelfKw);
                }
                other => b.fail(format!("a parameter expected, found {}", other.name())),
            },
        );
        if let Some(ret) = ret {
            self.tok(TokenKind::Colon);
            self.text(" ");
            self.ty(ret);
        }
    }

    /// `{ members }` of a struct, service or contract. An empty struct body is dropped
    /// (`declare struct P(x: int) {}` and `declare struct P(x: int)` are the same tree).
    fn member_block(&mut self, members: &'a [NodeId], droppable: bool) {
        self.leading_comments();
        let empty = members.is_empty();
        let empty_without_comments =
            empty && !self.comment_within(self.next_token().start, self.second_token_start());
        if empty_without_comments && droppable {
            self.skip(TokenKind::LBrace);
            self.skip(TokenKind::RBrace);
            return;
        }
        if droppable {
            self.text(" ");
        }
        self.tok(TokenKind::LBrace);
        if empty_without_comments {
            self.tok(TokenKind::RBrace);
            return;
        }
        self.push(Cmd::Indent);
        let mut previous: Option<NodeKind> = None;
        for &member in members {
            let kind = self.kind(member);
            let force_blank = previous.is_some_and(|previous| {
                !(is_compact(&previous) && is_compact(&kind) && same_kind(&previous, &kind))
            });
            self.separator(force_blank);
            self.mark(member, false);
            self.item(member);
            self.mark(member, true);
            previous = Some(kind);
        }
        self.close_brace();
    }

    /// The comments before a closing `}` (indented with the contents), then the `}`.
    fn close_brace(&mut self) {
        self.skip_stray_semis();
        self.leading_comments();
        self.push(Cmd::FlushComments);
        self.push(Cmd::Dedent);
        self.push(Cmd::HardLine);
        self.tok(TokenKind::RBrace);
    }

    /// `open item, item close`: flat when it fits, else one item per line with a trailing
    /// comma. `spaced` puts spaces inside the brackets of a flat list (`{ a, b }`).
    fn comma_list(
        &mut self,
        open: TokenKind,
        items: &'a [NodeId],
        close: TokenKind,
        spaced: bool,
        mut each: impl FnMut(&mut Self, NodeId),
    ) {
        self.leading_comments();
        let empty_without_comments = items.is_empty()
            && !self.comment_within(self.next_token().start, self.second_token_start());
        self.tok(open);
        if empty_without_comments {
            self.tok(close);
            return;
        }
        self.push(Cmd::Begin);
        self.push(Cmd::Indent);
        self.push(if spaced { Cmd::Line } else { Cmd::SoftLine });
        for (index, &item) in items.iter().enumerate() {
            if index > 0 {
                self.tok(TokenKind::Comma);
                self.push(Cmd::Line);
            }
            self.leading_comments();
            crate::stack::ensure_sufficient_stack(|| each(self, item));
        }
        if !items.is_empty() {
            self.optional_comma(false);
        }
        self.leading_comments();
        self.push(Cmd::FlushComments);
        self.push(Cmd::Dedent);
        self.push(if spaced { Cmd::Line } else { Cmd::SoftLine });
        self.end_group();
        self.tok(close);
    }

    fn name(&mut self, id: NodeId) {
        match self.kind(id) {
            NodeKind::Name { .. } => self.tok_any(&[TokenKind::Ident, TokenKind::Underscore]),
            other => self.fail(format!("a name expected, found {}", other.name())),
        }
    }

    // ----- statements -----

    /// A block. `inline_ok`: a block holding only a tail expression may share the line
    /// with its `if` when the whole `if` fits (`if c { a } else { b }`).
    fn block(&mut self, id: NodeId, inline_ok: bool) {
        let NodeKind::Block { stmts, tail } = self.kind(id) else {
            return self.fail("a block expected".into());
        };
        let stmts = self.list(stmts);
        let span = self.arena.span(id);
        let has_comment = self.comment_within(span.start, span.end);
        self.tok(TokenKind::LBrace);
        if stmts.is_empty() && tail.is_none() && !has_comment {
            self.skip_stray_semis();
            self.tok(TokenKind::RBrace);
            return;
        }
        if inline_ok && stmts.is_empty() {
            if let Some(tail) = tail {
                if !has_comment {
                    self.push(Cmd::Indent);
                    self.push(Cmd::Line);
                    self.skip_stray_semis();
                    self.expr(tail);
                    self.skip_stray_semis();
                    self.push(Cmd::Dedent);
                    self.push(Cmd::Line);
                    self.tok(TokenKind::RBrace);
                    return;
                }
            }
        }
        self.push(Cmd::Indent);
        for &stmt in stmts {
            if self.error.is_some() {
                return;
            }
            self.skip_stray_semis();
            self.separator(false);
            self.mark(stmt, false);
            crate::stack::ensure_sufficient_stack(|| self.stmt(stmt));
            self.mark(stmt, true);
        }
        if let Some(tail) = tail {
            self.skip_stray_semis();
            self.separator(false);
            self.mark(tail, false);
            crate::stack::ensure_sufficient_stack(|| self.expr_at_stmt(tail));
            self.mark(tail, true);
        }
        self.close_brace();
    }

    fn stmt(&mut self, id: NodeId) {
        match self.kind(id) {
            NodeKind::LetStmt {
                is_mut,
                name,
                ty,
                value,
            } => {
                self.tok(TokenKind::Let);
                self.text(" ");
                if is_mut {
                    self.tok(TokenKind::Mut);
                    self.text(" ");
                }
                self.name(name);
                if let Some(ty) = ty {
                    self.tok(TokenKind::Colon);
                    self.text(" ");
                    self.ty(ty);
                }
                self.text(" ");
                self.tok(TokenKind::Eq);
                self.text(" ");
                self.expr(value);
                self.tok(TokenKind::Semi);
            }
            NodeKind::AssignStmt { op, target, value } => {
                self.expr(target);
                self.text(" ");
                self.tok(assign_token(op));
                self.text(" ");
                self.expr(value);
                self.tok(TokenKind::Semi);
            }
            NodeKind::ReturnStmt { value } => {
                self.tok(TokenKind::Return);
                if let Some(value) = value {
                    self.text(" ");
                    self.expr(value);
                }
                self.tok(TokenKind::Semi);
            }
            NodeKind::WhileStmt { cond, body } => {
                self.tok(TokenKind::While);
                self.text(" ");
                self.expr(cond);
                self.text(" ");
                self.block(body, false);
            }
            NodeKind::ForStmt { name, iter, body } => {
                self.tok(TokenKind::For);
                self.text(" ");
                self.name(name);
                self.text(" ");
                self.tok(TokenKind::In);
                self.text(" ");
                if let NodeKind::Range { start, end } = self.kind(iter) {
                    self.expr(start);
                    self.tok(TokenKind::DotDot);
                    self.expr(end);
                } else {
                    self.expr(iter);
                }
                self.text(" ");
                self.block(body, false);
            }
            NodeKind::BreakStmt => {
                self.tok(TokenKind::Break);
                self.tok(TokenKind::Semi);
            }
            NodeKind::ContinueStmt => {
                self.tok(TokenKind::Continue);
                self.tok(TokenKind::Semi);
            }
            NodeKind::ExprStmt { expr, has_semi } => {
                self.expr_at_stmt(expr);
                if has_semi {
                    self.tok(TokenKind::Semi);
                }
            }
            other => self.fail(format!("cannot format a {} statement", other.name())),
        }
    }

    /// An expression in statement position: its blocks never share a line.
    fn expr_at_stmt(&mut self, id: NodeId) {
        match self.kind(id) {
            NodeKind::If { .. } => self.if_expr(id, false),
            _ => self.expr(id),
        }
    }

    // ----- expressions -----

    fn expr(&mut self, id: NodeId) {
        crate::stack::ensure_sufficient_stack(|| self.expr_inner(id));
    }

    fn expr_inner(&mut self, id: NodeId) {
        if self.error.is_some() {
            return;
        }
        use TokenKind as T;
        match self.kind(id) {
            NodeKind::IntLit { .. } => self.tok(T::Int),
            NodeKind::FloatLit { .. } => self.tok(T::Float),
            NodeKind::BoundedLit { .. } => self.tok(T::Bounded),
            NodeKind::StringLit { .. } => self.tok(T::Str),
            NodeKind::BoolLit { value } => self.tok(if value { T::True } else { T::False }),
            NodeKind::NoneLit => self.tok(T::None),
            NodeKind::NameRef { .. } => self.tok(T::Ident),
            NodeKind::SelfRef => self.tok(T::SelfKw),
            NodeKind::Paren { inner } => {
                self.tok(T::LParen);
                self.expr(inner);
                self.tok(T::RParen);
            }
            NodeKind::ArrayLit { elems } => {
                let elems = self.list(elems);
                self.comma_list(T::LBracket, elems, T::RBracket, false, |b, elem| {
                    b.expr(elem)
                });
            }
            NodeKind::ArrayRepeat { value, count } => {
                self.tok(T::LBracket);
                self.expr(value);
                self.tok(T::Semi);
                self.text(" ");
                self.expr(count);
                self.tok(T::RBracket);
            }
            NodeKind::SomeExpr { value } => self.wrapped(T::Some, Some(value)),
            NodeKind::OkExpr { value } => self.wrapped(T::Ok, value),
            NodeKind::ErrExpr { value } => self.wrapped(T::Err, Some(value)),
            NodeKind::Alloc { value } => {
                self.tok(T::Alloc);
                self.text(" ");
                self.expr(value);
            }
            NodeKind::AllocList { elem } => {
                self.tok(T::Alloc);
                self.text(" ");
                self.tok(T::Ident);
                self.tok(T::Lt);
                self.ty(elem);
                self.tok(T::Gt);
                self.tok(T::LParen);
                self.tok(T::RParen);
            }
            NodeKind::Call { callee, args } => {
                self.expr(callee);
                let args = self.list(args);
                self.comma_list(T::LParen, args, T::RParen, false, |b, arg| b.expr(arg));
            }
            NodeKind::Member { base, name } => {
                self.expr(base);
                self.tok(T::Dot);
                self.name(name);
            }
            NodeKind::Index { base, index } => {
                self.expr(base);
                self.tok(T::LBracket);
                self.expr(index);
                self.tok(T::RBracket);
            }
            NodeKind::Propagate { inner } => {
                self.expr(inner);
                self.tok(T::Question);
            }
            NodeKind::Unary { op, operand } => {
                self.tok(match op {
                    UnaryOp::Neg => T::Minus,
                    UnaryOp::Not => T::Bang,
                });
                if op == UnaryOp::Neg
                    && matches!(
                        self.kind(operand),
                        NodeKind::Unary {
                            op: UnaryOp::Neg,
                            ..
                        }
                    )
                {
                    self.text(" ");
                }
                self.expr(operand);
            }
            NodeKind::Binary { op, .. } => self.binary_chain(id, precedence(op)),
            NodeKind::Cast { value, ty } => {
                self.expr(value);
                self.text(" ");
                self.tok(T::As);
                self.text(" ");
                self.ty(ty);
            }
            NodeKind::Else { .. } => self.else_chain(id),
            NodeKind::When { subject, arms, .. } => {
                self.expr(subject);
                self.text(" ");
                self.tok(T::When);
                self.text(" ");
                let arms = self.list(arms);
                self.arms(arms);
            }
            NodeKind::Handle { subject, arms } => {
                self.tok(T::Handle);
                self.text(" ");
                self.expr(subject);
                self.text(" ");
                let arms = self.list(arms);
                self.arms(arms);
            }
            NodeKind::If { .. } => self.if_expr(id, true),
            NodeKind::Block { .. } => self.block(id, false),
            NodeKind::View {
                kind,
                handle,
                name,
                body,
            } => {
                self.tok(match kind {
                    ViewKind::Borrow => T::Borrow,
                    ViewKind::Mutate => T::Mutate,
                });
                self.text(" ");
                self.expr(handle);
                self.text(" ");
                self.tok(T::As);
                self.text(" ");
                self.name(name);
                self.text(" ");
                self.block(body, false);
            }
            NodeKind::Peek { handle } => {
                self.tok(T::Peek);
                self.text(" ");
                self.expr(handle);
            }
            NodeKind::Take { handle } => {
                self.tok(T::Take);
                self.text(" ");
                self.expr(handle);
            }
            other => self.fail(format!("cannot format a {} expression", other.name())),
        }
    }

    /// `some(e)`, `ok(e)`, `ok()`, `err(e)`.
    fn wrapped(&mut self, keyword: TokenKind, value: Option<NodeId>) {
        self.tok(keyword);
        self.tok(TokenKind::LParen);
        if let Some(value) = value {
            self.expr(value);
        }
        self.tok(TokenKind::RParen);
    }

    /// A chain of binary operators of one precedence, `a + b - c`: flat when it fits,
    /// else one operand per line, each line after the first starting with its operator.
    fn binary_chain(&mut self, id: NodeId, level: u8) {
        // Left-associative: the chain hangs off the left operands.
        let mut links = Vec::new();
        let mut first = id;
        while let NodeKind::Binary { op, lhs, rhs } = self.kind(first) {
            if precedence(op) != level {
                break;
            }
            links.push((op, rhs));
            first = lhs;
        }
        self.push(Cmd::Begin);
        self.expr(first);
        self.push(Cmd::Indent);
        for &(op, rhs) in links.iter().rev() {
            self.push(Cmd::Line);
            self.tok(binary_token(op));
            self.text(" ");
            self.expr(rhs);
        }
        self.end_indented_group();
    }

    /// `a else b else c`: flat when it fits, else one fallback per line.
    fn else_chain(&mut self, id: NodeId) {
        self.push(Cmd::Begin);
        let NodeKind::Else {
            value,
            mut fallback,
        } = self.kind(id)
        else {
            return;
        };
        self.expr(value);
        self.push(Cmd::Indent);
        loop {
            self.push(Cmd::Line);
            self.tok(TokenKind::Else);
            self.text(" ");
            match self.kind(fallback) {
                NodeKind::Else {
                    value,
                    fallback: next,
                } => {
                    self.expr(value);
                    fallback = next;
                }
                _ => {
                    self.expr(fallback);
                    break;
                }
            }
        }
        self.end_indented_group();
    }

    /// `if c { … } else if d { … } else { … }`, the ladder printed iteratively.
    fn if_expr(&mut self, id: NodeId, inline_ok: bool) {
        // Only an `if` with an `else` is a value that may sit on one line.
        let inline_ok = inline_ok
            && matches!(
                self.kind(id),
                NodeKind::If {
                    otherwise: Some(_),
                    ..
                }
            );
        self.push(Cmd::Begin);
        let mut current = id;
        while let NodeKind::If {
            cond,
            then,
            otherwise,
        } = self.kind(current)
        {
            self.tok(TokenKind::If);
            self.text(" ");
            self.expr(cond);
            self.text(" ");
            self.block(then, inline_ok);
            let Some(otherwise) = otherwise else {
                break;
            };
            self.text(" ");
            self.tok(TokenKind::Else);
            self.text(" ");
            if matches!(self.kind(otherwise), NodeKind::If { .. }) {
                current = otherwise;
            } else {
                self.block(otherwise, inline_ok);
                break;
            }
        }
        self.end_group();
    }

    /// `{ pattern -> value, … }`: one arm per line, every arm followed by a comma.
    fn arms(&mut self, arms: &'a [NodeId]) {
        self.leading_comments();
        let empty_without_comments = arms.is_empty()
            && !self.comment_within(self.next_token().start, self.second_token_start());
        self.tok(TokenKind::LBrace);
        if empty_without_comments {
            self.tok(TokenKind::RBrace);
            return;
        }
        self.push(Cmd::Indent);
        for (index, &arm) in arms.iter().enumerate() {
            if self.error.is_some() {
                return;
            }
            self.separator(false);
            let NodeKind::Arm { pattern, value } = self.kind(arm) else {
                return self.fail("an arm expected".into());
            };
            self.pattern(pattern);
            self.text(" ");
            self.tok(TokenKind::Arrow);
            self.text(" ");
            self.expr(value);
            if index + 1 < arms.len() {
                self.tok(TokenKind::Comma);
            } else {
                self.optional_comma(true);
            }
        }
        self.close_brace();
    }

    fn pattern(&mut self, id: NodeId) {
        crate::stack::ensure_sufficient_stack(|| self.pattern_inner(id));
    }

    fn pattern_inner(&mut self, id: NodeId) {
        use TokenKind as T;
        match self.kind(id) {
            NodeKind::PatWildcard => self.tok(T::Underscore),
            NodeKind::PatLiteral { value } => self.expr(value),
            NodeKind::PatBind { .. } => self.tok(T::Ident),
            NodeKind::PatNone => self.tok(T::None),
            NodeKind::PatSome { inner } => {
                self.tok(T::Some);
                self.tok(T::LParen);
                self.pattern(inner);
                self.tok(T::RParen);
            }
            NodeKind::PatErr { inner } => {
                self.tok(T::Err);
                self.tok(T::LParen);
                self.pattern(inner);
                self.tok(T::RParen);
            }
            NodeKind::PatOk { inner } => {
                self.tok(T::Ok);
                self.tok(T::LParen);
                if let Some(inner) = inner {
                    self.pattern(inner);
                }
                self.tok(T::RParen);
            }
            NodeKind::PatCase { ty, case } => {
                self.name(ty);
                self.tok(T::Dot);
                self.name(case);
            }
            NodeKind::PatOr { alts } => {
                for (index, &alt) in self.list(alts).iter().enumerate() {
                    if index > 0 {
                        self.text(" ");
                        self.tok(T::Pipe);
                        self.text(" ");
                    }
                    self.pattern(alt);
                }
            }
            other => self.fail(format!("cannot format a {} pattern", other.name())),
        }
    }

    // ----- types -----

    fn ty(&mut self, id: NodeId) {
        crate::stack::ensure_sufficient_stack(|| self.ty_inner(id));
    }

    fn ty_inner(&mut self, id: NodeId) {
        use TokenKind as T;
        match self.kind(id) {
            NodeKind::TypeName { .. } => self.tok(T::Ident),
            NodeKind::TypeOptional { inner } => {
                self.tok(T::Optional);
                self.tok(T::Lt);
                self.ty(inner);
                self.tok(T::Gt);
            }
            NodeKind::TypeResult { ok, err } => {
                self.tok(T::Result);
                self.tok(T::Lt);
                self.ty(ok);
                self.tok(T::Comma);
                self.text(" ");
                self.ty(err);
                self.tok(T::Gt);
            }
            NodeKind::TypeRef { inner } | NodeKind::TypeList { inner } => {
                self.tok(T::Ident);
                self.tok(T::Lt);
                self.ty(inner);
                self.tok(T::Gt);
            }
            NodeKind::TypeArray { elem, len } => {
                self.tok(T::LBracket);
                self.ty(elem);
                self.tok(T::Semi);
                self.text(" ");
                self.expr(len);
                self.tok(T::RBracket);
            }
            other => self.fail(format!("cannot format a {} type", other.name())),
        }
    }
}

fn binary_token(op: BinaryOp) -> TokenKind {
    use TokenKind as T;
    match op {
        BinaryOp::Mul => T::Star,
        BinaryOp::Div => T::Slash,
        BinaryOp::Rem => T::Percent,
        BinaryOp::Add => T::Plus,
        BinaryOp::Sub => T::Minus,
        BinaryOp::Shl => T::Shl,
        BinaryOp::Shr => T::Shr,
        BinaryOp::BitAnd => T::Amp,
        BinaryOp::BitXor => T::Caret,
        BinaryOp::BitOr => T::Pipe,
        BinaryOp::Lt => T::Lt,
        BinaryOp::Le => T::Le,
        BinaryOp::Gt => T::Gt,
        BinaryOp::Ge => T::Ge,
        BinaryOp::Eq => T::EqEq,
        BinaryOp::Ne => T::NotEq,
        BinaryOp::And => T::AmpAmp,
        BinaryOp::Or => T::PipePipe,
    }
}

/// Closing tokens a trailing comment is moved past.
fn joins_previous(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Comma
            | TokenKind::Semi
            | TokenKind::RParen
            | TokenKind::RBracket
            | TokenKind::Gt
            | TokenKind::Shr
            | TokenKind::Question
    )
}

fn comma_cmd<'a>(always: bool) -> Cmd<'a> {
    if always {
        Cmd::Text(",")
    } else {
        Cmd::IfBreak(",")
    }
}

/// Where the trailing comments pushed last start (`at` if none): text printed for a
/// token consumed with [`Builder::skip`] goes before them.
fn trailing_start(cmds: &[Cmd<'_>], at: usize) -> usize {
    let mut start = at;
    while start > 0 && matches!(cmds[start - 1], Cmd::TrailingComment(_)) {
        start -= 1;
    }
    start
}
