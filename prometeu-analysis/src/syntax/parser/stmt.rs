//! Blocks and statements (§5).

use super::Parser;
use super::hints::ValueSite;
use crate::NodeId;
use crate::syntax::ast::{AssignOp, NodeKind, NodeList};
use crate::syntax::token::TokenKind;

/// What one step of a block produced.
pub(super) enum Step {
    /// A statement.
    Stmt(NodeId),
    /// An expression without `;` right before `}`: the block's value.
    Tail(NodeId),
    /// Nothing (a stray `;`).
    Nothing,
}

impl Parser<'_> {
    /// Whether the current token can start a statement.
    pub(super) fn at_stmt_start(&self) -> bool {
        matches!(
            self.at(),
            TokenKind::Let
                | TokenKind::Return
                | TokenKind::While
                | TokenKind::For
                | TokenKind::Break
                | TokenKind::Continue
        ) || self.at_expr_start()
            || self.at_foreign_stmt_start()
    }

    /// `{ stmts [tail] }`; an error placeholder when the current token is not `{`.
    pub(super) fn block(&mut self) -> NodeId {
        if !self.at_kind(TokenKind::LBrace) {
            self.error_expected("`{`");
            return self.missing();
        }
        self.nested(Self::block_contents)
    }

    /// The `{ … }` of [`Parser::block`], one nesting level deeper.
    fn block_contents(&mut self) -> NodeId {
        let start = self.cur_start();
        let opener = self.cur_span();
        self.bump();
        let mark = self.scratch.len();
        let mut tail = None;
        let mut last_had_error = false;
        loop {
            match self.at() {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.unclosed(opener, TokenKind::RBrace);
                    break;
                }
                _ if self.at_decl_start() => {
                    self.unclosed(opener, TokenKind::RBrace);
                    break;
                }
                _ => {}
            }
            if !self.at_stmt_start() && !self.at_kind(TokenKind::Semi) {
                // A stray token (`)`, `=`, …). Right after a broken statement it is part
                // of the same mistake; otherwise it is a mistake of its own.
                if !last_had_error {
                    self.enter_frame();
                    if !self.operator_after_block_statement() {
                        self.error_expected("a statement or `}`");
                    }
                    self.exit_frame();
                }
                let start = self.cur_start();
                self.bump();
                let stray = self.finish(
                    NodeKind::Error {
                        children: NodeList::EMPTY,
                    },
                    start,
                );
                self.scratch.push(stray);
                last_had_error = true;
                continue;
            }
            let before = self.pos;
            if let Some(previous_tail) = tail.take() {
                // Only the last expression may go without `;`; this one had none.
                self.scratch.push(previous_tail);
            }
            let (step, frame) = self.statement();
            last_had_error = frame.had_error;
            match step {
                Step::Stmt(stmt) => self.scratch.push(stmt),
                Step::Tail(expr) => tail = Some(expr),
                Step::Nothing => {}
            }
            if self.pos == before {
                // Defensive: a statement always consumes, but never spin.
                self.bump();
            }
        }
        let stmts = self.finish_list(mark);
        self.finish(NodeKind::Block { stmts, tail }, start)
    }

    /// One statement as a node (a would-be tail becomes an expression statement).
    pub(super) fn statement_node(&mut self) -> NodeId {
        match self.statement().0 {
            Step::Stmt(node) => node,
            Step::Tail(expr) => {
                let start = self.arena.span(expr).start;
                self.finish(
                    NodeKind::ExprStmt {
                        expr,
                        has_semi: false,
                    },
                    start,
                )
            }
            Step::Nothing => {
                let start = self.cur_start();
                self.finish(
                    NodeKind::Error {
                        children: NodeList::EMPTY,
                    },
                    start,
                )
            }
        }
    }

    pub(super) fn statement(&mut self) -> (Step, super::Frame) {
        self.enter_frame();
        let step = self.statement_inner();
        (step, self.exit_frame())
    }

    fn statement_inner(&mut self) -> Step {
        let start = self.cur_start();
        let node = match self.at() {
            TokenKind::Semi => {
                self.bump();
                return Step::Nothing;
            }
            TokenKind::Let => self.let_stmt(),
            TokenKind::Ident if self.at_foreign_loop() => self.foreign_loop(),
            TokenKind::Ident | TokenKind::Const => match self.foreign_let() {
                Some(is_mut) => self.let_rest(start, is_mut),
                None => return self.expr_or_assign(start),
            },
            TokenKind::Plus => match self.prefix_increment() {
                Some(node) => node,
                None => return self.expr_or_assign(start),
            },
            TokenKind::Return => {
                self.bump();
                let value = if matches!(self.at(), TokenKind::Semi | TokenKind::RBrace) {
                    None
                } else {
                    Some(self.value_expr(ValueSite::Value))
                };
                self.expect_semi();
                self.finish(NodeKind::ReturnStmt { value }, start)
            }
            TokenKind::While => {
                self.bump();
                let cond = self.value_expr(ValueSite::Condition);
                let body = self.body_block();
                self.finish(NodeKind::WhileStmt { cond, body }, start)
            }
            TokenKind::For => {
                self.bump();
                if let Some((name, iter)) = self.c_for_header() {
                    let body = self.body_block();
                    return Step::Stmt(self.finish(NodeKind::ForStmt { name, iter, body }, start));
                }
                let name = self.name(true);
                let first = match self.lua_for_rest() {
                    Some(header) => header,
                    None => {
                        self.expect(TokenKind::In);
                        self.expr()
                    }
                };
                let iter = if self.eat(TokenKind::DotDot) {
                    let end = self.expr();
                    let range_start = self.arena.span(first).start;
                    self.finish(NodeKind::Range { start: first, end }, range_start)
                } else {
                    first
                };
                let body = self.body_block();
                self.finish(NodeKind::ForStmt { name, iter, body }, start)
            }
            TokenKind::Break | TokenKind::Continue => {
                let kind = if self.at_kind(TokenKind::Break) {
                    NodeKind::BreakStmt
                } else {
                    NodeKind::ContinueStmt
                };
                self.bump();
                self.expect_semi();
                self.finish(kind, start)
            }
            TokenKind::If
            | TokenKind::Handle
            | TokenKind::Borrow
            | TokenKind::Mutate
            | TokenKind::LBrace => {
                // A block-like expression at the start of a statement ends the statement
                // at its closing brace, so `if c { } -x;` is two statements.
                let expr = self.primary();
                if self.eat(TokenKind::Semi) {
                    self.finish(
                        NodeKind::ExprStmt {
                            expr,
                            has_semi: true,
                        },
                        start,
                    )
                } else if self.at_kind(TokenKind::RBrace) {
                    return Step::Tail(expr);
                } else {
                    self.finish(
                        NodeKind::ExprStmt {
                            expr,
                            has_semi: false,
                        },
                        start,
                    )
                }
            }
            _ => return self.expr_or_assign(start),
        };
        Step::Stmt(node)
    }

    fn let_stmt(&mut self) -> NodeId {
        let start = self.cur_start();
        self.bump();
        let is_mut = self.eat(TokenKind::Mut);
        self.let_rest(start, is_mut)
    }

    /// A `let` after its keyword (and `mut`): name, type, initialiser and `;`.
    fn let_rest(&mut self, start: u32, is_mut: bool) -> NodeId {
        let name = self.name(true);
        let ty = if self.eat(TokenKind::Colon) {
            Some(self.ty())
        } else {
            None
        };
        let value = if self.eat(TokenKind::Eq) {
            self.value_expr(ValueSite::Value)
        } else if self.at_kind(TokenKind::Semi) {
            let span = self.cur_span();
            self.error(
                crate::DiagnosticCode::ParseUnexpectedToken,
                span,
                "a `let` needs a value: `let name = value;` (an empty optional is `none`)"
                    .to_string(),
            );
            self.missing()
        } else {
            self.error_expected("`=`");
            self.missing()
        };
        self.expect_semi();
        self.finish(
            NodeKind::LetStmt {
                is_mut,
                name,
                ty,
                value,
            },
            start,
        )
    }

    /// An expression statement, an assignment or a block's tail expression.
    fn expr_or_assign(&mut self, start: u32) -> Step {
        let expr = self.expr();
        if self.at_increment() {
            return Step::Stmt(self.postfix_increment(start, expr));
        }
        let op = match self.at() {
            TokenKind::Eq => Some(AssignOp::Assign),
            TokenKind::PlusEq => Some(AssignOp::Add),
            TokenKind::MinusEq => Some(AssignOp::Sub),
            TokenKind::StarEq => Some(AssignOp::Mul),
            TokenKind::SlashEq => Some(AssignOp::Div),
            TokenKind::PercentEq => Some(AssignOp::Rem),
            _ => None,
        };
        if let Some(op) = op {
            if !self.is_place(expr) {
                let span = self.cur_span();
                self.error(
                    crate::DiagnosticCode::ParseUnexpectedToken,
                    span,
                    format!(
                        "`{}` needs a place on its left: a variable, `self`, or a field or index of one",
                        op.text()
                    ),
                );
            }
            self.bump();
            let value = self.expr();
            self.expect_semi();
            return Step::Stmt(self.finish(
                NodeKind::AssignStmt {
                    op,
                    target: expr,
                    value,
                },
                start,
            ));
        }
        if self.eat(TokenKind::Semi) {
            return Step::Stmt(self.finish(
                NodeKind::ExprStmt {
                    expr,
                    has_semi: true,
                },
                start,
            ));
        }
        if self.at_kind(TokenKind::RBrace) {
            return Step::Tail(expr);
        }
        if self.prev_kind != TokenKind::RBrace {
            // Only expressions ending with a block may omit the `;`.
            self.expect_semi();
        }
        Step::Stmt(self.finish(
            NodeKind::ExprStmt {
                expr,
                has_semi: false,
            },
            start,
        ))
    }

    /// Whether `id` has the shape of a place: a name or `self`, then fields and indices.
    pub(super) fn is_place(&self, mut id: NodeId) -> bool {
        loop {
            match *self.arena.kind(id) {
                NodeKind::NameRef { .. } | NodeKind::SelfRef => return true,
                NodeKind::Member { base, .. } | NodeKind::Index { base, .. } => id = base,
                // Already reported; do not add a second diagnostic.
                NodeKind::Error { .. } => return true,
                _ => return false,
            }
        }
    }
}
