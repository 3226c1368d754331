//! The file, imports and declarations (§4, §7).

use super::Parser;
use crate::syntax::ast::{NodeKind, NodeList, Visibility};
use crate::syntax::token::TokenKind;
use crate::{Diagnostic, DiagnosticCode, NodeId, Span};

/// Whether a function may, must or must not have a body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    /// Top-level and service functions: `{ … }` required.
    Required,
    /// Struct members: `{ … }` or `;` (body-less members exist in the prelude).
    Optional,
    /// Contract signatures: `;` only.
    Forbidden,
}

impl Parser<'_> {
    pub(super) fn source_file(&mut self) {
        self.enter_frame();
        let mark = self.scratch.len();
        let mut saw_decl = false;
        loop {
            let before = self.pos;
            let item = match self.at() {
                TokenKind::Eof => break,
                TokenKind::Import => {
                    let import = self.import();
                    if saw_decl {
                        let span = self.arena.span(import);
                        self.diagnostics.push(Diagnostic::new(
                            DiagnosticCode::ParseImportAfterDecl,
                            span,
                            "imports must come before every declaration".to_string(),
                        ));
                    }
                    import
                }
                TokenKind::Pub
                | TokenKind::Mod
                | TokenKind::Fn
                | TokenKind::Service
                | TokenKind::Declare
                | TokenKind::Struct
                | TokenKind::Contract
                | TokenKind::Error
                | TokenKind::Const => {
                    saw_decl = true;
                    self.decl()
                }
                TokenKind::Ident if self.at_foreign_fn() => {
                    saw_decl = true;
                    self.decl()
                }
                TokenKind::RBrace if self.orphan_braces > 0 => {
                    // The partner of a `{` already reported as unclosed.
                    self.orphan_braces -= 1;
                    let start = self.cur_start();
                    self.bump();
                    self.finish(
                        NodeKind::Error {
                            children: NodeList::EMPTY,
                        },
                        start,
                    )
                }
                _ if self.at_stmt_start() => self.top_level_statement(),
                _ => self.stray_tokens(),
            };
            self.scratch.push(item);
            if self.pos == before {
                // Defensive: every branch above consumes, but never spin.
                self.bump();
            }
        }
        self.exit_frame();
        let items = self.finish_list(mark);
        let span = Span::new(self.file, 0, self.text.len().min(u32::MAX as usize) as u32);
        let root = self.arena.push(NodeKind::SourceFile { items }, span);
        self.arena.set_root(root);
    }

    /// Something that starts neither an item nor a statement: report it and skip to the
    /// next declaration keyword.
    fn stray_tokens(&mut self) -> NodeId {
        self.enter_frame();
        let start = self.cur_start();
        if self.at_kind(TokenKind::Semi) {
            let span = self.cur_span();
            self.error(
                DiagnosticCode::ParseUnexpectedToken,
                span,
                "a declaration ends at its `}` or `)`: remove this `;`".to_string(),
            );
        } else {
            self.error_expected("a declaration");
        }
        self.bump();
        while !self.at_kind(TokenKind::Eof) && !self.at_decl_start() {
            self.bump();
        }
        self.exit_frame();
        self.finish(
            NodeKind::Error {
                children: NodeList::EMPTY,
            },
            start,
        )
    }

    /// A statement outside any function: parsed for its shape, reported once as a whole.
    fn top_level_statement(&mut self) -> NodeId {
        let diagnostics_before = self.diagnostics.len();
        let depth_reported = self.depth_reported;
        self.enter_frame();
        let start = self.cur_start();
        let stmt = self.statement_node();
        let frame = self.exit_frame();
        self.diagnostics.truncate(diagnostics_before);
        self.depth_reported = depth_reported;
        let list = self.arena.push_list(&[stmt]);
        let node = self.finish(NodeKind::Error { children: list }, start);
        if !frame.had_lex_error {
            let span = self.arena.span(node);
            self.diagnostics.push(Diagnostic::new(
                DiagnosticCode::ParseTopLevelStatement,
                span,
                "statements are only allowed inside functions".to_string(),
            ));
        }
        // The statement may have stopped early; skip to the next declaration.
        while !self.at_kind(TokenKind::Eof) && !self.at_decl_start() && !self.at_stmt_start() {
            self.bump();
        }
        node
    }

    fn visibility(&mut self) -> Visibility {
        match self.at() {
            TokenKind::Pub => {
                self.bump();
                Visibility::Pub
            }
            TokenKind::Mod => {
                self.bump();
                Visibility::Mod
            }
            _ => Visibility::Private,
        }
    }

    /// `import { a, b as c } from "path";`
    fn import(&mut self) -> NodeId {
        self.enter_frame();
        let start = self.cur_start();
        self.bump();
        let names = if self.at_kind(TokenKind::LBrace) {
            let opener = self.cur_span();
            self.bump();
            self.comma_list(opener, TokenKind::RBrace, |p| {
                let start = p.cur_start();
                let name = p.name(false);
                let alias = if p.eat(TokenKind::As) {
                    Some(p.name(false))
                } else {
                    None
                };
                p.finish(NodeKind::ImportName { name, alias }, start)
            })
        } else {
            self.error_expected("`{`");
            NodeList::EMPTY
        };
        self.expect(TokenKind::From);
        let path = if self.at_kind(TokenKind::Str) {
            self.literal()
        } else {
            self.error_expected("a module path string");
            self.missing()
        };
        self.expect_semi();
        let frame = self.exit_frame();
        if frame.had_error {
            // Skip the rest of the broken import: up to its `;` or the next item.
            while !self.at_kind(TokenKind::Eof) && !self.at_decl_start() {
                let semi = self.at_kind(TokenKind::Semi);
                self.bump();
                if semi {
                    break;
                }
            }
        }
        self.finish(NodeKind::Import { names, path }, start)
    }

    /// Any top-level declaration, with its visibility and doc comment.
    fn decl(&mut self) -> NodeId {
        self.enter_frame();
        let start = self.cur_start();
        let doc = self.doc_before(start);
        let vis = self.visibility();
        let node = match self.at() {
            TokenKind::Fn => self.fn_decl(start, vis, Body::Required),
            TokenKind::Ident if self.at_foreign_fn() => {
                self.report_foreign_fn();
                self.fn_decl(start, vis, Body::Required)
            }
            TokenKind::Service => self.service_decl(start, vis),
            TokenKind::Declare
            | TokenKind::Struct
            | TokenKind::Contract
            | TokenKind::Error
            | TokenKind::Const => {
                if self.at_kind(TokenKind::Declare) {
                    self.bump();
                } else {
                    self.report_missing_declare();
                }
                match self.at() {
                    TokenKind::Struct => self.struct_decl(start, vis),
                    TokenKind::Contract => self.contract_decl(start, vis),
                    TokenKind::Error => self.error_decl(start, vis),
                    TokenKind::Const => self.const_decl(start, vis, true),
                    _ => {
                        self.error_expected("`struct`, `contract`, `error` or `const`");
                        self.finish(
                            NodeKind::Error {
                                children: NodeList::EMPTY,
                            },
                            start,
                        )
                    }
                }
            }
            _ => {
                self.error_expected("`fn`, `service` or `declare`");
                self.finish(
                    NodeKind::Error {
                        children: NodeList::EMPTY,
                    },
                    start,
                )
            }
        };
        let frame = self.exit_frame();
        if frame.had_error {
            // Resynchronise at the next declaration keyword.
            while !self.at_kind(TokenKind::Eof)
                && !self.at_decl_start()
                && !self.at_foreign_decl_start()
            {
                self.bump();
            }
        }
        self.attach_doc(node, doc);
        node
    }

    /// `fn name(params)[: T] body` with the `fn` token current.
    fn fn_decl(&mut self, start: u32, vis: Visibility, body_rule: Body) -> NodeId {
        self.bump();
        let name = self.name(false);
        let sig = self.fn_sig();
        let body = match (self.at(), body_rule) {
            (TokenKind::LBrace, Body::Required | Body::Optional) => Some(self.block()),
            (TokenKind::Semi, Body::Optional | Body::Forbidden) => {
                self.bump();
                None
            }
            (_, Body::Required) => {
                self.error_expected("`{`");
                None
            }
            (_, Body::Optional) => {
                self.error_expected("`{` or `;`");
                None
            }
            (_, Body::Forbidden) => {
                self.error_expected("`;` (contract functions have no body)");
                if self.at_kind(TokenKind::LBrace) {
                    Some(self.block())
                } else {
                    None
                }
            }
        };
        self.finish(
            NodeKind::FnDecl {
                vis,
                name,
                sig,
                body,
            },
            start,
        )
    }

    /// `(params)[: T]`
    fn fn_sig(&mut self) -> NodeId {
        let start = self.cur_start();
        let params = if self.at_kind(TokenKind::LParen) {
            let opener = self.cur_span();
            self.bump();
            self.comma_list(opener, TokenKind::RParen, Self::param)
        } else {
            self.error_expected("`(`");
            NodeList::EMPTY
        };
        let ret = if self.eat(TokenKind::Colon) {
            Some(self.ty())
        } else {
            self.arrow_return_type()
        };
        self.finish(NodeKind::FnSig { params, ret }, start)
    }

    /// `self`, `mut self` or `[mut] name: T`
    fn param(&mut self) -> NodeId {
        let start = self.cur_start();
        let is_mut = self.at_kind(TokenKind::Mut);
        if is_mut {
            self.bump();
        }
        if self.eat(TokenKind::SelfKw) {
            return self.finish(NodeKind::SelfParam { is_mut }, start);
        }
        let name = self.name(false);
        let ty = self.type_annotation();
        self.finish(NodeKind::Param { is_mut, name, ty }, start)
    }

    /// `: T`, or an error placeholder.
    fn type_annotation(&mut self) -> NodeId {
        if self.eat(TokenKind::Colon) {
            return self.ty();
        }
        let span = self.cur_span();
        let found = self.at().describe();
        self.error(
            DiagnosticCode::ParseExpectedType,
            span,
            format!("expected `:` and a type, found {found}"),
        );
        self.missing()
    }

    /// `struct Name(fields) [{ members }]` with `struct` current.
    fn struct_decl(&mut self, start: u32, vis: Visibility) -> NodeId {
        self.bump();
        let name = self.name(false);
        let fields = if self.at_kind(TokenKind::LParen) {
            let opener = self.cur_span();
            self.bump();
            self.comma_list(opener, TokenKind::RParen, |p| {
                let start = p.cur_start();
                let doc = p.doc_before(start);
                let name = p.name(false);
                let ty = p.type_annotation();
                let field = p.finish(NodeKind::Field { name, ty }, start);
                p.attach_doc(field, doc);
                field
            })
        } else {
            self.error_expected("`(` and the struct's fields");
            NodeList::EMPTY
        };
        let members = if self.at_kind(TokenKind::LBrace) {
            self.member_block(
                |p, start, vis| match p.at() {
                    TokenKind::Fn => Some(p.fn_decl(start, vis, Body::Optional)),
                    TokenKind::Const => Some(p.const_decl(start, vis, false)),
                    _ => None,
                },
                "`fn` or `const`",
            )
        } else {
            NodeList::EMPTY
        };
        self.finish(
            NodeKind::StructDecl {
                vis,
                name,
                fields,
                members,
            },
            start,
        )
    }

    /// `{ [docs] [vis] member … }` for structs and services; `member` parses one member
    /// after its visibility, or returns `None` when the token starts none.
    fn member_block(
        &mut self,
        mut member: impl FnMut(&mut Self, u32, Visibility) -> Option<NodeId>,
        expected: &str,
    ) -> NodeList {
        let opener = self.cur_span();
        self.bump();
        let mark = self.scratch.len();
        loop {
            if self.eat(TokenKind::RBrace) {
                break;
            }
            if self.at_kind(TokenKind::Eof) || self.at_item_only_start() {
                self.unclosed(opener, TokenKind::RBrace);
                break;
            }
            let before = self.pos;
            self.enter_frame();
            let start = self.cur_start();
            let doc = self.doc_before(start);
            let vis = self.visibility();
            let node = match member(self, start, vis) {
                Some(node) => node,
                None => {
                    self.error_expected(expected);
                    self.skip_member();
                    self.finish(
                        NodeKind::Error {
                            children: NodeList::EMPTY,
                        },
                        start,
                    )
                }
            };
            let frame = self.exit_frame();
            if frame.had_error && !self.at_member_boundary() {
                self.skip_member();
            }
            self.attach_doc(node, doc);
            self.scratch.push(node);
            if self.pos == before {
                self.bump();
            }
        }
        self.finish_list(mark)
    }

    fn at_member_boundary(&self) -> bool {
        matches!(
            self.at(),
            TokenKind::RBrace
                | TokenKind::Eof
                | TokenKind::Fn
                | TokenKind::Pub
                | TokenKind::Mod
                | TokenKind::Let
                | TokenKind::Const
        ) || self.at_item_only_start()
    }

    /// Skips to the end of a broken member: past the next `;`, or up to a `}` or member
    /// keyword, skipping balanced braces.
    fn skip_member(&mut self) {
        let mut nesting = 0u32;
        loop {
            match self.at() {
                TokenKind::Eof => return,
                TokenKind::LBrace => nesting += 1,
                TokenKind::RBrace => {
                    if nesting == 0 {
                        return;
                    }
                    nesting -= 1;
                    if nesting == 0 {
                        self.bump();
                        return;
                    }
                }
                TokenKind::Semi if nesting == 0 => {
                    self.bump();
                    return;
                }
                _ if nesting == 0 && self.at_member_boundary() => return,
                _ => {}
            }
            self.bump();
        }
    }

    /// `const NAME: T [= e];` with `const` current. `needs_value` for `declare const`.
    fn const_decl(&mut self, start: u32, vis: Visibility, needs_value: bool) -> NodeId {
        self.bump();
        let name = self.name(false);
        let ty = self.type_annotation();
        let value = if self.eat(TokenKind::Eq) {
            Some(self.expr())
        } else {
            if needs_value {
                self.error_expected("`=` and the constant's value");
            }
            None
        };
        self.expect_semi();
        self.finish(
            NodeKind::ConstDecl {
                vis,
                name,
                ty,
                value,
            },
            start,
        )
    }

    /// `service Name[: Contract] { members }` with `service` current.
    fn service_decl(&mut self, start: u32, vis: Visibility) -> NodeId {
        self.bump();
        let name = self.name(false);
        let contract = if self.eat(TokenKind::Colon) {
            Some(self.ty())
        } else {
            None
        };
        let members = if self.at_kind(TokenKind::LBrace) {
            self.member_block(
                |p, start, vis| match p.at() {
                    TokenKind::Fn => Some(p.fn_decl(start, vis, Body::Required)),
                    TokenKind::Let => Some(p.service_field(start, vis)),
                    _ => None,
                },
                "`fn` or `let`",
            )
        } else {
            self.error_expected("`{`");
            NodeList::EMPTY
        };
        self.finish(
            NodeKind::ServiceDecl {
                vis,
                name,
                contract,
                members,
            },
            start,
        )
    }

    /// `let [mut] name: T = e;` inside a service, with `let` current.
    fn service_field(&mut self, start: u32, vis: Visibility) -> NodeId {
        self.bump();
        let is_mut = self.eat(TokenKind::Mut);
        let name = self.name(false);
        let ty = self.type_annotation();
        let value = if self.eat(TokenKind::Eq) {
            self.expr()
        } else {
            self.error_expected("`=` and the field's initial value");
            self.missing()
        };
        self.expect_semi();
        self.finish(
            NodeKind::ServiceField {
                vis,
                is_mut,
                name,
                ty,
                value,
            },
            start,
        )
    }

    /// `contract Name [host] { fn sigs; }` with `contract` current.
    fn contract_decl(&mut self, start: u32, vis: Visibility) -> NodeId {
        self.bump();
        let name = self.name(false);
        let is_host = self.eat(TokenKind::Host);
        let fns = if self.at_kind(TokenKind::LBrace) {
            self.member_block(
                |p, start, vis| match p.at() {
                    TokenKind::Fn => Some(p.fn_decl(start, vis, Body::Forbidden)),
                    _ => None,
                },
                "`fn`",
            )
        } else {
            self.error_expected("`{`");
            NodeList::EMPTY
        };
        self.finish(
            NodeKind::ContractDecl {
                vis,
                is_host,
                name,
                fns,
            },
            start,
        )
    }

    /// `error Name { Cases }` with `error` current.
    fn error_decl(&mut self, start: u32, vis: Visibility) -> NodeId {
        self.bump();
        let name = self.name(false);
        let cases = if self.at_kind(TokenKind::LBrace) {
            let opener = self.cur_span();
            self.bump();
            self.comma_list(opener, TokenKind::RBrace, |p| {
                let start = p.cur_start();
                let doc = p.doc_before(start);
                let name = p.name(false);
                let case = p.finish(NodeKind::ErrorCase { name }, start);
                p.attach_doc(case, doc);
                case
            })
        } else {
            self.error_expected("`{` and the error's cases");
            NodeList::EMPTY
        };
        self.finish(NodeKind::ErrorDecl { vis, name, cases }, start)
    }

    /// Consumes the `;` ending a statement or declaration, or reports it missing without
    /// consuming anything (the next token usually starts the next statement).
    /// Consumes `;`, or reports it missing: before a new line, right after the previous
    /// token (where it belongs), not on the next line's first token.
    pub(super) fn expect_semi(&mut self) -> bool {
        if self.eat(TokenKind::Semi) {
            return true;
        }
        if self.hash_comment_before_current() {
            // `f() # note`: the `#` is the mistake (already reported), not the `;`.
            if let Some(frame) = self.frames.last_mut() {
                frame.had_error = true;
            }
            return false;
        }
        let span = self.missing_semi_span();
        if span == self.cur_span() {
            self.error_expected("`;`");
        } else {
            let found = self.at().describe();
            self.error(
                DiagnosticCode::ParseUnexpectedToken,
                span,
                format!("expected `;` at the end of this line (the next line starts with {found})"),
            );
        }
        false
    }
}
