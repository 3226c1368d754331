//! Another language's habits, recognised where they break the grammar (§11: one mistake,
//! one helpful diagnostic). Each recogniser reports the PBS spelling once and parses on
//! as if it had been written, so nothing later repeats the mistake.
//!
//! | written | from | PBS | recovered as |
//! |---|---|---|---|
//! | `fn f() -> T` | Rust | `fn f(): T` | the return type |
//! | `if x = 1 {`, `let y = x = 3;` | C, JS, Python | `==`, or an assignment statement | an error node holding the assignment |
//! | `a and b`, `a or b`, `not a` | Python, Lua | `&&`, `\|\|`, `!` | the operator |
//! | `} elif c {`, `elsif`, `elseif` | Python, Ruby, Lua | `} else if c {` | `else if` |
//! | `if c return;` (no braces) | C, JS | `if c { return; }` | a block of one statement |
//! | `i++`, `i--`, `++i` | C, JS | `i += 1;` | the compound assignment |
//! | `var x = 1;`, `local x = 1` | JS, Lua | `let mut x = 1;` | a `let mut` |
//! | `const x = 1;` in a body | JS, Rust | `let x = 1;` | a `let` |
//! | `pattern => value` | Rust | `pattern -> value` | the arm |
//! | `function f() {`, `def`, `func` | JS, Python, Go | `fn f() {` | the function |
//! | `c ? a : b` | C, JS | `if c { a } else { b }` | an error node |
//! | `println!(…)`, any `name!(…)` | Rust | `Log.info(…)` | an error node holding the arguments |
//! | `loop { … }` | Rust | `while true { … }` | the loop |
//! | `match x { … }`, `switch x { … }` | Rust, C, JS | `x when { … }` | the `when` |
//! | `for (let i = 0; …) {`, `for i = 1, 10 {` | C, JS, Lua | `for i in a..b {` | `i` bound, the header an error node |
//! | `let x;` | JS, Rust | `let x = value;` | (reported at the `;`) |
//! | `a .. b` outside `for` | Lua | `a + b` (strings) | (hint in the message) |
//! | a missing `;` before a new line | any | `;` after the previous token | (reported there) |

use super::Parser;
use super::stmt::Step;
use crate::syntax::ast::{AssignOp, BinaryOp, NodeKind, NodeList, UnaryOp};
use crate::syntax::token::TokenKind;
use crate::{DiagnosticCode, NodeId, Span};

/// Where a misplaced `=` was found, for the message.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ValueSite {
    /// The condition of `if` or `while`: the writer meant `==`.
    Condition,
    /// A `let` initialiser or a `return` value: the writer meant to assign, then use.
    Value,
}

impl Parser<'_> {
    /// The text of the identifier `n` tokens ahead, or `""`.
    fn word(&self, n: usize) -> &str {
        let i = (self.pos + n).min(self.tokens.len() - 1);
        let t = self.tokens[i];
        if t.kind == TokenKind::Ident {
            &self.text[t.range()]
        } else {
            ""
        }
    }

    /// Whether the token `n` ahead is glued to the one before it (no space between).
    fn glued(&self, n: usize) -> bool {
        let i = self.pos + n;
        i > 0 && i < self.tokens.len() && self.tokens[i - 1].end == self.tokens[i].start
    }

    /// Whether the token `n` ahead can start an operand (what follows `and`, `not`, …).
    fn operand_start(&self, n: usize) -> bool {
        super::expr::starts_operand(self.nth(n))
    }

    /// Reports `message` on the current token and consumes it.
    fn replace_current(&mut self, message: String) {
        let span = self.cur_span();
        self.error(DiagnosticCode::ParseUnexpectedToken, span, message);
        self.bump();
    }

    /// `and`/`or` between two operands: reported and read as `&&`/`||`.
    pub(super) fn word_operator(&mut self) -> Option<(BinaryOp, u8)> {
        let (op, bp) = match self.word(0) {
            "and" => (BinaryOp::And, 1),
            "or" => (BinaryOp::Or, 0),
            _ => return None,
        };
        self.operand_start(1).then_some((op, bp))
    }

    /// Reports the `and`/`or` at the current token (see [`Parser::word_operator`]).
    pub(super) fn report_word_operator(&mut self, op: BinaryOp) {
        let span = self.cur_span();
        let word = self.word(0).to_string();
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            format!("PBS writes `{word}` as `{}`", op.text()),
        );
    }

    /// `not x`: reported and read as `!x`.
    pub(super) fn word_not(&mut self) -> Option<UnaryOp> {
        if self.word(0) != "not" || !self.operand_start(1) || self.nth(1) == TokenKind::LParen {
            return None;
        }
        Some(UnaryOp::Not)
    }

    /// Reports the `not` at the current token.
    pub(super) fn report_word_not(&mut self) {
        let span = self.cur_span();
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            "PBS writes `not` as `!`".to_string(),
        );
    }

    /// `++` or `--` glued together and not followed by an operand: an increment that
    /// the binary-operator loop must leave to the statement.
    pub(super) fn at_increment(&self) -> bool {
        matches!(
            (self.nth(0), self.nth(1)),
            (TokenKind::Plus, TokenKind::Plus) | (TokenKind::Minus, TokenKind::Minus)
        ) && self.glued(1)
            && !self.operand_start(2)
    }

    /// `target++` / `target--` (the operator current): reported and read as
    /// `target += 1;` / `target -= 1;`.
    pub(super) fn postfix_increment(&mut self, start: u32, target: NodeId) -> NodeId {
        let op_start = self.cur_start();
        let (op, text) = if self.at_kind(TokenKind::Plus) {
            (AssignOp::Add, "+=")
        } else {
            (AssignOp::Sub, "-=")
        };
        let target_text = self.text[self.arena.span(target).range()].to_string();
        let span = Span::new(self.file, op_start, self.tokens[self.pos + 1].end);
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            format!("PBS has no `++`/`--`: write `{target_text} {text} 1;`"),
        );
        self.bump();
        self.bump();
        let one = self.arena.push(
            NodeKind::IntLit { value: 1 },
            Span::new(self.file, op_start, self.prev_end),
        );
        self.expect_semi();
        self.finish(
            NodeKind::AssignStmt {
                op,
                target,
                value: one,
            },
            start,
        )
    }

    /// `++target;` / `--target;` at the start of a statement.
    pub(super) fn prefix_increment(&mut self) -> Option<NodeId> {
        let is_increment = matches!(
            (self.nth(0), self.nth(1)),
            (TokenKind::Plus, TokenKind::Plus) | (TokenKind::Minus, TokenKind::Minus)
        ) && self.glued(1)
            && matches!(self.nth(2), TokenKind::Ident | TokenKind::SelfKw);
        if !is_increment {
            return None;
        }
        let start = self.cur_start();
        let (op, text) = if self.at_kind(TokenKind::Plus) {
            (AssignOp::Add, "+=")
        } else {
            (AssignOp::Sub, "-=")
        };
        let span = Span::new(self.file, start, self.tokens[self.pos + 1].end);
        self.bump();
        self.bump();
        let target = self.postfix();
        let target_text = self.text[self.arena.span(target).range()].to_string();
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            format!("PBS has no `++`/`--`: write `{target_text} {text} 1;`"),
        );
        let one = self.arena.push(
            NodeKind::IntLit { value: 1 },
            Span::new(self.file, start, start + 2),
        );
        self.expect_semi();
        Some(self.finish(
            NodeKind::AssignStmt {
                op,
                target,
                value: one,
            },
            start,
        ))
    }

    /// `var`/`local`/`const` where a statement starts, before a name: reported and read
    /// as `let mut` (`var`, `local`) or `let` (`const`). Returns whether the binding is
    /// `mut`, with the word consumed; `None` when the words are not there.
    pub(super) fn foreign_let(&mut self) -> Option<bool> {
        let name_follows = self.nth(1) == TokenKind::Ident
            && matches!(self.nth(2), TokenKind::Eq | TokenKind::Colon);
        if !name_follows {
            return None;
        }
        let (is_mut, message) = match (self.at(), self.word(0)) {
            (TokenKind::Const, _) => (
                false,
                "a local constant is a `let` binding: `let name = value;`",
            ),
            (TokenKind::Ident, "var" | "local") => (
                true,
                "PBS declares a variable with `let mut`: `let mut name = value;`",
            ),
            _ => return None,
        };
        self.replace_current(message.to_string());
        Some(is_mut)
    }

    /// Whether a statement starts here in another language's spelling that
    /// [`Parser::prefix_increment`] or [`Parser::foreign_let`] reads.
    pub(super) fn at_foreign_stmt_start(&self) -> bool {
        let increment = matches!(
            (self.nth(0), self.nth(1)),
            (TokenKind::Plus, TokenKind::Plus)
        ) && self.glued(1);
        let const_let = self.at_kind(TokenKind::Const)
            && self.nth(1) == TokenKind::Ident
            && matches!(self.nth(2), TokenKind::Eq | TokenKind::Colon);
        increment || const_let
    }

    /// `struct`, `contract`, `error` or `const` starting a top-level declaration without
    /// `declare`: reported (the caller parses on as if `declare` were there).
    pub(super) fn report_missing_declare(&mut self) {
        let span = self.cur_span();
        let word = self.at().describe().trim_matches('`');
        let message = format!("a top-level `{word}` is declared with `declare {word} …`");
        self.error(DiagnosticCode::ParseUnexpectedToken, span, message);
    }

    /// `for (init; cond; step)` (C, JavaScript) with `(` current: reported once; the
    /// first name in the parentheses becomes the loop variable (so the body's uses of
    /// it stay quiet) and the rest an error node for the iterated value.
    pub(super) fn c_for_header(&mut self) -> Option<(NodeId, NodeId)> {
        if !self.at_kind(TokenKind::LParen) {
            return None;
        }
        self.replace_current(
            "PBS counts with `for i in a..b { … }` (`b` excluded), without parentheses".to_string(),
        );
        while matches!(
            self.at(),
            TokenKind::Let | TokenKind::Mut | TokenKind::Const
        ) || (matches!(self.word(0), "var" | "local" | "int" | "auto")
            && self.nth(1) == TokenKind::Ident)
        {
            self.bump();
        }
        let name = if self.at_kind(TokenKind::Ident) {
            self.name(true)
        } else {
            self.missing()
        };
        let rest = self.cur_start();
        let mut depth = 0u32;
        loop {
            match self.at() {
                TokenKind::Eof => break,
                TokenKind::LBrace | TokenKind::RBrace if depth == 0 => break,
                TokenKind::LParen => depth += 1,
                TokenKind::RParen if depth == 0 => {
                    self.bump();
                    break;
                }
                TokenKind::RParen => depth -= 1,
                _ => {}
            }
            self.bump();
        }
        Some((name, self.error_node(rest)))
    }

    /// `for i = 1, 10 {` (Lua) after the name, with `=` or `,` current: reported once;
    /// the header up to the body becomes an error node for the iterated value.
    pub(super) fn lua_for_rest(&mut self) -> Option<NodeId> {
        if !matches!(self.at(), TokenKind::Eq | TokenKind::Comma) {
            return None;
        }
        let span = self.cur_span();
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            "a counting loop is `for i in a..b { … }` (`b` excluded)".to_string(),
        );
        let header = self.cur_start();
        while !matches!(
            self.at(),
            TokenKind::LBrace | TokenKind::Semi | TokenKind::RBrace | TokenKind::Eof
        ) {
            self.bump();
        }
        Some(self.error_node(header))
    }

    /// `loop {` (Rust) where a statement starts.
    pub(super) fn at_foreign_loop(&self) -> bool {
        self.word(0) == "loop" && self.nth(1) == TokenKind::LBrace
    }

    /// `loop { … }`: reported and read as `while true { … }`.
    pub(super) fn foreign_loop(&mut self) -> NodeId {
        let start = self.cur_start();
        let cond = self
            .arena
            .push(NodeKind::BoolLit { value: true }, self.cur_span());
        self.replace_current("PBS loops forever with `while true { … }`".to_string());
        let body = self.block();
        self.finish(NodeKind::WhileStmt { cond, body }, start)
    }

    /// `match x {` or `switch x {` (Rust, C, JavaScript) where an expression starts.
    pub(super) fn at_foreign_match(&self) -> bool {
        matches!(self.word(0), "match" | "switch") && self.operand_start(1)
    }

    /// `match x { … }`: reported and read as `x when { … }` (arms written `=>` are
    /// then taken as `->` quietly: the frame already has its error).
    pub(super) fn foreign_match(&mut self) -> NodeId {
        let start = self.cur_start();
        let word = self.word(0).to_string();
        self.replace_current(format!(
            "PBS matches with `value when {{ pattern -> … }}`, not `{word}`"
        ));
        let subject = self.expr();
        let arms = self.arm_list();
        self.finish(
            NodeKind::When {
                subject,
                arms,
                keyword: start,
            },
            start,
        )
    }

    /// `name!(…)` (a Rust macro call such as `println!`) where an expression starts.
    pub(super) fn at_macro_call(&self) -> bool {
        self.at_kind(TokenKind::Ident)
            && self.nth(1) == TokenKind::Bang
            && self.glued(1)
            && self.nth(2) == TokenKind::LParen
    }

    /// `name!(args)`: reported once; the arguments are still checked (as an error node
    /// of unknown type, so the unknown macro name adds nothing).
    pub(super) fn macro_call(&mut self) -> NodeId {
        let start = self.cur_start();
        let word = self.word(0).to_string();
        let span = Span::new(self.file, start, self.tokens[self.pos + 1].end);
        let hint = if word.starts_with("print") || word == "dbg" {
            ": write a line to the log with `Log.info(…)`"
        } else {
            ""
        };
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            format!("PBS has no macros (`{word}!`){hint}"),
        );
        self.bump();
        self.bump();
        let opener = self.cur_span();
        self.bump();
        let children = self.comma_list(opener, TokenKind::RParen, Self::expr);
        self.finish(NodeKind::Error { children }, start)
    }

    /// `-> T` after a function's parameters: reported, and `T` is the return type.
    pub(super) fn arrow_return_type(&mut self) -> Option<NodeId> {
        if !self.at_kind(TokenKind::Arrow) {
            return None;
        }
        self.replace_current("PBS writes the return type after `:`: `fn name(…): T`".into());
        Some(self.ty())
    }

    /// `function`, `def`, `func` or `fun` before a name and `(` where a declaration is
    /// expected: reported (the caller then parses it as `fn`).
    pub(super) fn at_foreign_fn(&self) -> bool {
        matches!(self.word(0), "function" | "def" | "func" | "fun")
            && self.nth(1) == TokenKind::Ident
            && self.nth(2) == TokenKind::LParen
    }

    /// Whether a declaration starts here in a spelling [`Parser::decl`] recovers
    /// (`function f(`, `struct` without `declare`, …): a resynchronisation point.
    pub(super) fn at_foreign_decl_start(&self) -> bool {
        self.at_foreign_fn()
            || matches!(
                self.at(),
                TokenKind::Struct | TokenKind::Contract | TokenKind::Error | TokenKind::Const
            )
    }

    /// Reports the word of [`Parser::at_foreign_fn`] (it stays current: `fn_decl`
    /// consumes it as its keyword).
    pub(super) fn report_foreign_fn(&mut self) {
        let span = self.cur_span();
        let word = self.word(0).to_string();
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            format!("PBS declares a function with `fn`, not `{word}`"),
        );
    }

    /// `elif`/`elsif`/`elseif` right after an `if` branch: reported and read as
    /// `else if` (the word is consumed).
    pub(super) fn foreign_else_if(&mut self) -> bool {
        let word = self.word(0);
        if !matches!(word, "elif" | "elsif" | "elseif") {
            return false;
        }
        let message = format!("PBS writes `{word}` as `else if`");
        self.replace_current(message);
        true
    }

    /// An expression where a value is needed (a condition, an initialiser, a returned
    /// value): an `=` after it is an assignment where none can stand. It is reported
    /// once and kept, as an error node holding the assignment, so the assigned
    /// binding still counts as written and nothing else is reported about it.
    pub(super) fn value_expr(&mut self, site: ValueSite) -> NodeId {
        let start = self.cur_start();
        let lhs = self.expr();
        if !self.at_kind(TokenKind::Eq) {
            return lhs;
        }
        let span = self.cur_span();
        let message = match site {
            ValueSite::Condition => "`=` assigns; to compare, write `==`".to_string(),
            ValueSite::Value => {
                "assignment is a statement, not a value: assign on its own line first".to_string()
            }
        };
        self.error(DiagnosticCode::ParseUnexpectedToken, span, message);
        self.bump();
        let value = self.expr();
        let children = if self.is_place(lhs) {
            let assign = self.finish(
                NodeKind::AssignStmt {
                    op: AssignOp::Assign,
                    target: lhs,
                    value,
                },
                start,
            );
            self.arena.push_list(&[assign])
        } else {
            self.arena.push_list(&[lhs, value])
        };
        self.finish(NodeKind::Error { children }, start)
    }

    /// `cond ? a : b` with the `?` current ([`Parser::at_ternary`]): reported once and
    /// parsed as an error node holding the three parts.
    pub(super) fn ternary(&mut self, start: u32, cond: NodeId) -> NodeId {
        self.replace_current("PBS has no `c ? a : b`: write `if c { a } else { b }`".to_string());
        let then = self.expr();
        let mut parts = vec![cond, then];
        if self.eat(TokenKind::Colon) {
            parts.push(self.expr());
        }
        let children = self.arena.push_list(&parts);
        self.finish(NodeKind::Error { children }, start)
    }

    /// A `?` followed by an operand: the C conditional `c ? a : b`, not `e?`.
    pub(super) fn at_ternary(&self) -> bool {
        // Not `-`, `!`, `(` or `[`: `x? - 1`, `x?[i]` are PBS.
        self.at_kind(TokenKind::Question)
            && self.operand_start(1)
            && !matches!(
                self.nth(1),
                TokenKind::Minus | TokenKind::Bang | TokenKind::LParen | TokenKind::LBracket
            )
    }

    /// A branch body of `if`/`else`/`while`/`for`: a block, or — when the braces are
    /// missing and a statement follows — that one statement, reported once and kept as
    /// a block.
    pub(super) fn body_block(&mut self) -> NodeId {
        if self.at_kind(TokenKind::Colon) {
            let span = self.cur_span();
            self.error(
                DiagnosticCode::ParseUnexpectedToken,
                span,
                "a body goes in braces, not after `:`: `if c { … }`".to_string(),
            );
            return self.block();
        }
        if self.at_kind(TokenKind::LBrace) || !self.at_stmt_start() || self.at_decl_start() {
            return self.block();
        }
        let start = self.cur_start();
        let span = self.cur_span();
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            "a body goes in braces, even for one statement: `{ … }`".to_string(),
        );
        if !self.descend() {
            return self.skip_too_deep();
        }
        let (step, _) = self.statement();
        self.ascend();
        let (stmts, tail) = match step {
            Step::Stmt(stmt) => (self.arena.push_list(&[stmt]), None),
            // An expression right before `}` keeps its value.
            Step::Tail(expr) => (NodeList::EMPTY, Some(expr)),
            Step::Nothing => (NodeList::EMPTY, None),
        };
        self.finish(NodeKind::Block { stmts, tail }, start)
    }

    /// `=>` (written as `=` `>`) where an arm's `->` belongs: reported and consumed.
    pub(super) fn fat_arrow(&mut self) -> bool {
        if !(self.at_kind(TokenKind::Eq) && self.nth(1) == TokenKind::Gt && self.glued(1)) {
            return false;
        }
        let span = Span::new(self.file, self.cur_start(), self.tokens[self.pos + 1].end);
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            "a `when` or `handle` arm is written `pattern -> value`".to_string(),
        );
        self.bump();
        self.bump();
        true
    }

    /// A binary operator right after a statement that ended at its `}` (`if c { 1 }
    /// else { 2 } + 3;`): reported with the way to use the value (§6.1). Returns
    /// whether it reported.
    pub(super) fn operator_after_block_statement(&mut self) -> bool {
        let operator = super::expr::is_binary_operator(self.at()) || self.at_kind(TokenKind::As);
        if !operator || self.prev_kind != TokenKind::RBrace {
            return false;
        }
        let span = self.cur_span();
        let op = self.cur_text().to_string();
        self.error(
            DiagnosticCode::ParseUnexpectedToken,
            span,
            format!(
                "a statement that starts with `if`, `{{`, `handle` or a view ends at its `}}`: \
                 to use its value, bind it (`let v = if …;`) or wrap it in parentheses (`(if …) {op} …`)"
            ),
        );
        true
    }

    /// Words for what the current token probably meant, appended to "expected …,
    /// found …" messages.
    pub(super) fn found_hint(&self) -> &'static str {
        match self.at() {
            TokenKind::DotDot => " (`..` only makes a range in `for`; strings are joined with `+`)",
            TokenKind::Arrow => " (a return type follows `:`; arms use `->` inside `when`)",
            _ => "",
        }
    }

    /// Whether a `#` "comment" (reported by the lexer) stands between the previous token
    /// and the current one.
    pub(super) fn hash_comment_before_current(&self) -> bool {
        let trivia = &self.lexed.trivia;
        let from = trivia.partition_point(|t| t.start < self.prev_end);
        trivia[from..]
            .iter()
            .take_while(|t| t.start < self.cur_start())
            .any(|t| self.text.as_bytes()[t.start as usize] == b'#')
    }

    /// A missing `;`: when the next token is on a later line, the empty span right
    /// after the previous token (where the `;` belongs); else the token itself.
    pub(super) fn missing_semi_span(&self) -> Span {
        let gap = &self.text[self.prev_end as usize..self.cur_start() as usize];
        if self.prev_end > 0 && gap.contains('\n') {
            Span::empty(self.file, self.prev_end)
        } else {
            self.cur_span()
        }
    }
}
