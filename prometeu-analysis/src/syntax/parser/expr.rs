//! Expressions by precedence climbing (§6.1), patterns (§6.4) and types (§3).

use super::Parser;
use crate::syntax::ast::{BinaryOp, NodeKind, NodeList, UnaryOp, ViewKind};
use crate::syntax::token::{Token, TokenKind};
use crate::{DiagnosticCode, NodeId};

/// Binding power of `as` (level 10 of §6.1); stronger levels have larger numbers.
const CAST_BP: u8 = 4;
/// Binding power of `< <= > >=` (level 11, non-associative).
const COMPARE_BP: u8 = 3;
/// Binding power of `== !=` (level 12, non-associative).
const EQUALITY_BP: u8 = 2;

/// The binary operator a token stands for, with its binding power (levels 4–9 and
/// 11–14 of §6.1, strongest = largest).
fn binary_op(kind: TokenKind) -> Option<(BinaryOp, u8)> {
    use TokenKind as T;
    Some(match kind {
        T::Star => (BinaryOp::Mul, 10),
        T::Slash => (BinaryOp::Div, 10),
        T::Percent => (BinaryOp::Rem, 10),
        T::Plus => (BinaryOp::Add, 9),
        T::Minus => (BinaryOp::Sub, 9),
        T::Shl => (BinaryOp::Shl, 8),
        T::Shr => (BinaryOp::Shr, 8),
        T::Amp => (BinaryOp::BitAnd, 7),
        T::Caret => (BinaryOp::BitXor, 6),
        T::Pipe => (BinaryOp::BitOr, 5),
        T::Lt => (BinaryOp::Lt, COMPARE_BP),
        T::Le => (BinaryOp::Le, COMPARE_BP),
        T::Gt => (BinaryOp::Gt, COMPARE_BP),
        T::Ge => (BinaryOp::Ge, COMPARE_BP),
        T::EqEq => (BinaryOp::Eq, EQUALITY_BP),
        T::NotEq => (BinaryOp::Ne, EQUALITY_BP),
        T::AmpAmp => (BinaryOp::And, 1),
        T::PipePipe => (BinaryOp::Or, 0),
        _ => return None,
    })
}

/// Whether `kind` is a binary operator of §6.1 (levels 4–14).
pub(super) fn is_binary_operator(kind: TokenKind) -> bool {
    binary_op(kind).is_some()
}

/// Whether `kind` can start an operand: a name, a literal, `(`, `[` or a prefix
/// operator (an expression can also start with a block or a keyword construct).
pub(super) fn starts_operand(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Ident
            | TokenKind::SelfKw
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Bounded
            | TokenKind::Str
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Some
            | TokenKind::Ok
            | TokenKind::Err
            | TokenKind::LParen
            | TokenKind::LBracket
            | TokenKind::Minus
            | TokenKind::Bang
    )
}

impl Parser<'_> {
    /// Whether the current token can start an expression.
    pub(super) fn at_expr_start(&self) -> bool {
        starts_operand(self.at())
            || matches!(
                self.at(),
                TokenKind::LBrace
                    | TokenKind::Alloc
                    | TokenKind::If
                    | TokenKind::Handle
                    | TokenKind::Borrow
                    | TokenKind::Mutate
                    | TokenKind::Peek
                    | TokenKind::Take
            )
    }

    /// A whole expression (level 16 down). It counts no nesting level itself: the
    /// constructs that enclose an expression (`(…)`, `[…]`, `{…}`, call arguments, a
    /// prefix operator, an `if` condition…) do, so one level of source nesting is one
    /// level of [`super::MAX_DEPTH`].
    pub(super) fn expr(&mut self) -> NodeId {
        self.when_expr()
    }

    /// An expression enclosed by the construct being parsed: one nesting level deeper.
    fn nested_expr(&mut self) -> NodeId {
        self.nested(Self::expr)
    }

    /// Level 16: `e when { arms }`, binding weaker than everything else.
    fn when_expr(&mut self) -> NodeId {
        let start = self.cur_start();
        let mut subject = self.else_expr();
        if self.at_ternary() {
            subject = self.ternary(start, subject);
        }
        while self.at_kind(TokenKind::When) {
            let keyword = self.cur_start();
            self.bump();
            let arms = self.arm_list();
            subject = self.finish(
                NodeKind::When {
                    subject,
                    arms,
                    keyword,
                },
                start,
            );
        }
        subject
    }

    /// Level 15: `value else fallback`, right-associative. A chain `a else b else c` is
    /// flat source, so it is read in a loop (no nesting level per `else`) and folded
    /// from the right: `a else (b else c)`.
    fn else_expr(&mut self) -> NodeId {
        let start = self.cur_start();
        let value = self.binary(0);
        if !self.at_kind(TokenKind::Else) {
            return value;
        }
        let mut operands = vec![(start, value)];
        while self.eat(TokenKind::Else) {
            let start = self.cur_start();
            operands.push((start, self.binary(0)));
        }
        let (_, mut fallback) = operands.pop().expect("two operands at least");
        while let Some((start, value)) = operands.pop() {
            fallback = self.finish(NodeKind::Else { value, fallback }, start);
        }
        fallback
    }

    /// Levels 4–14 by precedence climbing: operators with binding power `>= min_bp`.
    fn binary(&mut self, min_bp: u8) -> NodeId {
        let start = self.cur_start();
        let mut lhs = self.unary();
        // Whether `lhs` is an unparenthesised cast, and which non-associative level (if
        // any) produced it: both decide errors for the next operator.
        let mut lhs_is_cast = false;
        let mut lhs_chain: Option<u8> = None;
        let mut chain_reported = false;
        loop {
            if self.at_kind(TokenKind::As) {
                if CAST_BP < min_bp {
                    break;
                }
                self.bump();
                let ty = self.ty();
                lhs = self.finish(NodeKind::Cast { value: lhs, ty }, start);
                lhs_is_cast = true;
                lhs_chain = None;
                continue;
            }
            if self.at_increment() {
                // `i++;`: the statement reads it.
                break;
            }
            let word = self.word_operator();
            let Some((op, bp)) = binary_op(self.at()).or(word) else {
                break;
            };
            if bp < min_bp {
                break;
            }
            if word.is_some() {
                self.report_word_operator(op);
            }
            let op_span = self.cur_span();
            if lhs_is_cast && bp > CAST_BP {
                let cast_text = &self.text[self.arena.span(lhs).range()];
                let message = format!(
                    "a cast cannot be the operand of `{}` without parentheses: write `({cast_text}) {} …`",
                    op.text(),
                    op.text()
                );
                self.error(DiagnosticCode::ParseUnexpectedToken, op_span, message);
            }
            let non_assoc = bp == COMPARE_BP || bp == EQUALITY_BP;
            let chained = non_assoc && lhs_chain == Some(bp);
            if chained && !chain_reported {
                chain_reported = true;
                let what = if bp == COMPARE_BP {
                    "comparisons"
                } else {
                    "equality tests"
                };
                self.error(
                    DiagnosticCode::ParseNonAssoc,
                    op_span,
                    format!("{what} cannot be chained: combine them with `&&` or use parentheses"),
                );
            }
            self.bump();
            let rhs = self.binary(bp + 1);
            lhs = if chained {
                let children = self.arena.push_list(&[lhs, rhs]);
                self.finish(NodeKind::Error { children }, start)
            } else {
                self.finish(NodeKind::Binary { op, lhs, rhs }, start)
            };
            lhs_is_cast = false;
            lhs_chain = non_assoc.then_some(bp);
        }
        lhs
    }

    /// Level 3: prefix `-` and `!`.
    fn unary(&mut self) -> NodeId {
        let op = match self.at() {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Bang => UnaryOp::Not,
            _ => match self.word_not() {
                Some(op) => {
                    self.report_word_not();
                    op
                }
                None => return self.postfix(),
            },
        };
        let start = self.cur_start();
        self.bump();
        let operand = self.nested(Self::unary);
        self.finish(NodeKind::Unary { op, operand }, start)
    }

    /// Level 2: calls, members, indexing and `?` after a primary expression. A chain
    /// of them is flat (read in a loop); arguments and indexes are one level deeper.
    pub(super) fn postfix(&mut self) -> NodeId {
        let start = self.cur_start();
        let mut e = self.primary();
        loop {
            match self.at() {
                TokenKind::LParen => {
                    let opener = self.cur_span();
                    self.bump();
                    let args = self.comma_list(opener, TokenKind::RParen, Self::nested_expr);
                    e = self.finish(NodeKind::Call { callee: e, args }, start);
                }
                TokenKind::Dot => {
                    self.bump();
                    let name = self.name(false);
                    e = self.finish(NodeKind::Member { base: e, name }, start);
                }
                TokenKind::LBracket => {
                    let opener = self.cur_span();
                    self.bump();
                    let index = self.nested_expr();
                    self.expect_close(opener, TokenKind::RBracket);
                    e = self.finish(NodeKind::Index { base: e, index }, start);
                }
                // `c ? a : b` is read where the whole condition is known (`when_expr`).
                TokenKind::Question if self.at_ternary() => break,
                TokenKind::Question => {
                    self.bump();
                    e = self.finish(NodeKind::Propagate { inner: e }, start);
                }
                _ => break,
            }
        }
        e
    }

    /// Level 1, and the prefix forms (`if`, `handle`, views, `peek`, `take`, `alloc`).
    pub(super) fn primary(&mut self) -> NodeId {
        let start = self.cur_start();
        match self.at() {
            TokenKind::Int
            | TokenKind::Float
            | TokenKind::Bounded
            | TokenKind::Str
            | TokenKind::True
            | TokenKind::False => self.literal(),
            TokenKind::None => {
                self.bump();
                self.finish(NodeKind::NoneLit, start)
            }
            TokenKind::Ident if self.at_foreign_match() => self.foreign_match(),
            TokenKind::Ident if self.at_macro_call() => self.macro_call(),
            TokenKind::Ident => {
                let name = self.intern_current();
                self.bump();
                self.finish(NodeKind::NameRef { name }, start)
            }
            TokenKind::SelfKw => {
                self.bump();
                self.finish(NodeKind::SelfRef, start)
            }
            TokenKind::LParen => {
                let opener = self.cur_span();
                self.bump();
                let inner = self.nested_expr();
                self.expect_close(opener, TokenKind::RParen);
                self.finish(NodeKind::Paren { inner }, start)
            }
            TokenKind::LBrace => self.block(),
            TokenKind::LBracket => self.nested(Self::array),
            TokenKind::Some => {
                self.bump();
                let value = self
                    .parenthesised(false, Self::nested_expr)
                    .unwrap_or_else(|| self.missing());
                self.finish(NodeKind::SomeExpr { value }, start)
            }
            TokenKind::Ok => {
                self.bump();
                let value = self.parenthesised(true, Self::nested_expr);
                self.finish(NodeKind::OkExpr { value }, start)
            }
            TokenKind::Err => {
                self.bump();
                let value = self
                    .parenthesised(false, Self::nested_expr)
                    .unwrap_or_else(|| self.missing());
                self.finish(NodeKind::ErrExpr { value }, start)
            }
            TokenKind::Alloc => self.alloc(),
            TokenKind::If => self.if_expr(),
            TokenKind::Handle => {
                self.bump();
                let subject = self.nested_expr();
                let arms = self.arm_list();
                self.finish(NodeKind::Handle { subject, arms }, start)
            }
            TokenKind::Borrow | TokenKind::Mutate => {
                let kind = if self.at_kind(TokenKind::Borrow) {
                    ViewKind::Borrow
                } else {
                    ViewKind::Mutate
                };
                self.bump();
                let handle = self.nested(Self::postfix);
                self.expect(TokenKind::As);
                let name = self.name(false);
                let body = self.block();
                self.finish(
                    NodeKind::View {
                        kind,
                        handle,
                        name,
                        body,
                    },
                    start,
                )
            }
            TokenKind::Peek | TokenKind::Take => {
                let is_peek = self.at_kind(TokenKind::Peek);
                self.bump();
                let handle = self.nested(Self::postfix);
                let kind = if is_peek {
                    NodeKind::Peek { handle }
                } else {
                    NodeKind::Take { handle }
                };
                self.finish(kind, start)
            }
            TokenKind::Weak => self.skip_unexpected("an expression"),
            _ => self.expected_expr(),
        }
    }

    /// Reports a missing expression; consumes the token unless it is a likely
    /// continuation point for the caller.
    fn expected_expr(&mut self) -> NodeId {
        let span = self.cur_span();
        let found = self.at().describe();
        self.error(
            DiagnosticCode::ParseExpectedExpr,
            span,
            format!("expected an expression, found {found}"),
        );
        self.skip_unless_at(&[
            TokenKind::Semi,
            TokenKind::RBrace,
            TokenKind::RParen,
            TokenKind::RBracket,
            TokenKind::Comma,
            TokenKind::Arrow,
            TokenKind::Eof,
        ])
    }

    /// A literal token as a node (an error node if the lexer rejected it).
    pub(super) fn literal(&mut self) -> NodeId {
        let start = self.cur_start();
        let token = self.current();
        let lexed = self.lexed;
        let kind = if token.flags & Token::LEX_ERROR != 0 {
            NodeKind::Error {
                children: NodeList::EMPTY,
            }
        } else {
            match token.kind {
                TokenKind::Int => NodeKind::IntLit {
                    value: token.value as i32,
                },
                TokenKind::Float => NodeKind::FloatLit {
                    value: lexed.float_value(token),
                },
                TokenKind::Bounded => NodeKind::BoundedLit {
                    value: token.value as u16,
                },
                TokenKind::Str => {
                    let (start, len) = self.arena.push_str(lexed.string_value(token));
                    NodeKind::StringLit { start, len }
                }
                TokenKind::True => NodeKind::BoolLit { value: true },
                TokenKind::False => NodeKind::BoolLit { value: false },
                _ => return self.expected_expr(),
            }
        };
        self.bump();
        self.finish(kind, start)
    }

    /// `( inner )` after `some`/`ok`/`err`, in expressions and patterns alike; `()`
    /// allowed when `may_be_empty`.
    fn parenthesised(
        &mut self,
        may_be_empty: bool,
        inner: fn(&mut Self) -> NodeId,
    ) -> Option<NodeId> {
        if !self.at_kind(TokenKind::LParen) {
            self.error_expected("`(`");
            return None;
        }
        let opener = self.cur_span();
        self.bump();
        if may_be_empty && self.eat(TokenKind::RParen) {
            return None;
        }
        let node = inner(self);
        self.expect_close(opener, TokenKind::RParen);
        Some(node)
    }

    /// `[a, b, c]`, `[]` or `[v; N]`.
    fn array(&mut self) -> NodeId {
        let start = self.cur_start();
        let opener = self.cur_span();
        self.bump();
        if self.eat(TokenKind::RBracket) {
            return self.finish(
                NodeKind::ArrayLit {
                    elems: NodeList::EMPTY,
                },
                start,
            );
        }
        let first = self.expr();
        if self.eat(TokenKind::Semi) {
            let count = self.expr();
            self.expect_close(opener, TokenKind::RBracket);
            return self.finish(
                NodeKind::ArrayRepeat {
                    value: first,
                    count,
                },
                start,
            );
        }
        let mark = self.scratch.len();
        self.scratch.push(first);
        if !self.eat(TokenKind::Comma) && !self.at_kind(TokenKind::RBracket) {
            self.error_expected("`,`, `;` or `]`");
            self.skip_in_list(TokenKind::RBracket);
            self.eat(TokenKind::Comma);
        }
        let elems = self.comma_list_from(mark, opener, TokenKind::RBracket, Self::expr);
        self.finish(NodeKind::ArrayLit { elems }, start)
    }

    /// `alloc e` or `alloc list<T>()`.
    fn alloc(&mut self) -> NodeId {
        let start = self.cur_start();
        self.bump();
        let is_list = self.at_kind(TokenKind::Ident)
            && self.cur_text() == "list"
            && self.nth(1) == TokenKind::Lt;
        if !is_list {
            let value = self.nested(Self::postfix);
            return self.finish(NodeKind::Alloc { value }, start);
        }
        self.bump();
        self.bump();
        let elem = self.ty();
        if !self.eat_type_close() {
            self.error_expected("`>`");
        }
        if self.at_kind(TokenKind::LParen) {
            let opener = self.cur_span();
            self.bump();
            self.expect_close(opener, TokenKind::RParen);
        } else {
            self.error_expected("`()` after `alloc list<…>`");
        }
        self.finish(NodeKind::AllocList { elem }, start)
    }

    /// `if cond { … } [else if … | else { … }]`. An `else if` ladder is flat source,
    /// so it is read in a loop (no nesting level per `else if`) and folded from the
    /// last branch: each `else if` is the `otherwise` of the `if` before it.
    fn if_expr(&mut self) -> NodeId {
        let start = self.cur_start();
        self.bump();
        self.if_rest(start)
    }

    /// An `if` after its keyword (or after `elif` read as `else if`), with its whole
    /// ladder: each further `else if` (or `elif`) is read by this loop, not by nesting.
    fn if_rest(&mut self, first_start: u32) -> NodeId {
        let mut branches = Vec::new();
        let mut otherwise = None;
        let mut start = first_start;
        loop {
            let cond = self.nested(|p| p.value_expr(super::hints::ValueSite::Condition));
            let then = self.body_block();
            branches.push((start, cond, then));
            if self.eat(TokenKind::Else) {
                if !self.at_kind(TokenKind::If) {
                    otherwise = Some(self.body_block());
                    break;
                }
                start = self.cur_start();
                self.bump();
            } else if self.foreign_else_if() {
                start = self.prev_end;
            } else {
                break;
            }
        }
        let mut node = None;
        while let Some((start, cond, then)) = branches.pop() {
            let id = self.finish(
                NodeKind::If {
                    cond,
                    then,
                    otherwise,
                },
                start,
            );
            otherwise = Some(id);
            node = Some(id);
        }
        node.expect("one branch at least")
    }

    /// `{ pattern -> e, … }` of a `when` or `handle`.
    pub(super) fn arm_list(&mut self) -> NodeList {
        if !self.at_kind(TokenKind::LBrace) {
            self.error_expected("`{` and the arms");
            return NodeList::EMPTY;
        }
        if !self.descend() {
            self.skip_too_deep();
            return NodeList::EMPTY;
        }
        let opener = self.cur_span();
        self.bump();
        let arms = self.comma_list(opener, TokenKind::RBrace, |p| {
            let start = p.cur_start();
            let pattern = p.pattern();
            let value = if p.eat(TokenKind::Arrow) || p.fat_arrow() {
                p.expr()
            } else {
                p.error_expected("`->`");
                if p.at_expr_start() {
                    p.expr()
                } else {
                    p.missing()
                }
            };
            p.finish(NodeKind::Arm { pattern, value }, start)
        });
        self.ascend();
        arms
    }

    // ----- patterns -----

    /// A pattern with `|` alternatives.
    pub(super) fn pattern(&mut self) -> NodeId {
        if !self.descend() {
            return self.skip_too_deep();
        }
        let start = self.cur_start();
        let first = self.single_pattern();
        let node = if self.at_kind(TokenKind::Pipe) {
            let mark = self.scratch.len();
            self.scratch.push(first);
            while self.eat(TokenKind::Pipe) {
                let alt = self.single_pattern();
                self.scratch.push(alt);
            }
            let alts = self.finish_list(mark);
            self.finish(NodeKind::PatOr { alts }, start)
        } else {
            first
        };
        self.ascend();
        node
    }

    fn single_pattern(&mut self) -> NodeId {
        let start = self.cur_start();
        match self.at() {
            TokenKind::Underscore => {
                self.bump();
                self.finish(NodeKind::PatWildcard, start)
            }
            TokenKind::Int
            | TokenKind::Float
            | TokenKind::Bounded
            | TokenKind::Str
            | TokenKind::True
            | TokenKind::False => {
                let value = self.literal();
                self.finish(NodeKind::PatLiteral { value }, start)
            }
            TokenKind::Minus if matches!(self.nth(1), TokenKind::Int | TokenKind::Float) => {
                self.bump();
                let operand = self.literal();
                let value = self.finish(
                    NodeKind::Unary {
                        op: UnaryOp::Neg,
                        operand,
                    },
                    start,
                );
                self.finish(NodeKind::PatLiteral { value }, start)
            }
            TokenKind::None => {
                self.bump();
                self.finish(NodeKind::PatNone, start)
            }
            TokenKind::Some | TokenKind::Err => {
                let is_some = self.at_kind(TokenKind::Some);
                self.bump();
                let inner = self
                    .parenthesised(false, Self::pattern)
                    .unwrap_or_else(|| self.missing());
                let kind = if is_some {
                    NodeKind::PatSome { inner }
                } else {
                    NodeKind::PatErr { inner }
                };
                self.finish(kind, start)
            }
            TokenKind::Ok => {
                self.bump();
                let inner = self.parenthesised(true, Self::pattern);
                self.finish(NodeKind::PatOk { inner }, start)
            }
            TokenKind::Ident if self.nth(1) == TokenKind::Dot => {
                let ty = self.name(false);
                self.bump();
                let case = self.name(false);
                self.finish(NodeKind::PatCase { ty, case }, start)
            }
            TokenKind::Ident => {
                let name = self.intern_current();
                self.bump();
                self.finish(NodeKind::PatBind { name }, start)
            }
            _ => {
                self.error_expected("a pattern");
                self.skip_unless_at(&[
                    TokenKind::Arrow,
                    TokenKind::Comma,
                    TokenKind::RBrace,
                    TokenKind::RParen,
                    TokenKind::Semi,
                    TokenKind::Eof,
                ])
            }
        }
    }

    // ----- types -----

    /// A type (§3).
    pub(super) fn ty(&mut self) -> NodeId {
        self.nested(Self::ty_inner)
    }

    fn ty_inner(&mut self) -> NodeId {
        let start = self.cur_start();
        match self.at() {
            TokenKind::Ident => {
                let text = self.cur_text();
                let generic = (text == "ref" || text == "list") && self.nth(1) == TokenKind::Lt;
                if generic {
                    let is_ref = text == "ref";
                    self.bump();
                    self.bump();
                    let inner = self.ty();
                    self.close_type_args();
                    let kind = if is_ref {
                        NodeKind::TypeRef { inner }
                    } else {
                        NodeKind::TypeList { inner }
                    };
                    return self.finish(kind, start);
                }
                let name = self.intern_current();
                self.bump();
                self.finish(NodeKind::TypeName { name }, start)
            }
            TokenKind::Optional => {
                self.bump();
                self.expect(TokenKind::Lt);
                let inner = self.ty();
                self.close_type_args();
                self.finish(NodeKind::TypeOptional { inner }, start)
            }
            TokenKind::Result => {
                self.bump();
                self.expect(TokenKind::Lt);
                let ok = self.ty();
                let err = if self.expect(TokenKind::Comma) {
                    self.ty()
                } else {
                    self.missing()
                };
                self.close_type_args();
                self.finish(NodeKind::TypeResult { ok, err }, start)
            }
            TokenKind::LBracket => {
                let opener = self.cur_span();
                self.bump();
                let elem = self.ty();
                let len = if self.expect(TokenKind::Semi) {
                    self.expr()
                } else {
                    self.missing()
                };
                self.expect_close(opener, TokenKind::RBracket);
                self.finish(NodeKind::TypeArray { elem, len }, start)
            }
            TokenKind::Weak => self.skip_unexpected("a type"),
            _ => {
                let span = self.cur_span();
                let found = self.at().describe();
                self.error(
                    DiagnosticCode::ParseExpectedType,
                    span,
                    format!("expected a type, found {found}"),
                );
                self.missing()
            }
        }
    }

    fn close_type_args(&mut self) {
        if !self.eat_type_close() {
            self.error_expected("`>`");
        }
    }
}
