//! The syntax layer: lexer, tokens, the AST arena, the parser and the canonical AST
//! dump (`docs/spec/pbs-language.md` §1–§6, recovery §11).
//!
//! **Architecture invariant:** parsing never fails. [`parse_file`] always returns a tree
//! *and* the diagnostics; error nodes mark what recovery skipped. This layer knows
//! nothing about name resolution, types or the language server.

#![warn(missing_docs)]

pub mod ast;
pub mod ast_json;
pub mod lexer;
mod parser;
pub mod sexpr;
pub mod token;

pub use ast::{
    AssignOp, AstArena, BinaryOp, DocComment, NodeKind, NodeList, UnaryOp, ViewKind, Visibility,
};
pub use ast_json::{ast_to_json, ast_to_json_string, write_ast_json};
pub use lexer::{Lexed, lex};
pub use parser::MAX_DEPTH;
pub use sexpr::to_sexpr;
pub use token::{Token, TokenKind};

use crate::{Diagnostic, FileId, NameInterner, NodeId};

/// The result of parsing one file: the tree, the tokens it came from and every lexical
/// and syntax diagnostic (lexical first, each group in source order). Immutable once
/// built.
#[derive(Clone, Debug)]
pub struct Parse {
    /// The AST.
    pub arena: AstArena,
    /// Tokens, trivia (comments) and decoded literals.
    pub lexed: Lexed,
    /// Lexical and syntax diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    /// The root [`NodeKind::SourceFile`] node.
    pub fn root(&self) -> NodeId {
        self.arena.root().expect("parse_file always sets a root")
    }
}

/// Lexes and parses `text`, the contents of `file`, interning identifiers into `names`
/// (share one interner across the files of a program so equal names get equal IDs).
pub fn parse_file(file: FileId, text: &str, names: &mut NameInterner) -> Parse {
    let mut lexed = lex(file, text);
    let (arena, parse_diagnostics) = parser::parse_tokens(file, text, &lexed, names);
    let mut diagnostics = std::mem::take(&mut lexed.diagnostics);
    diagnostics.extend(parse_diagnostics);
    Parse {
        arena,
        lexed,
        diagnostics,
    }
}
