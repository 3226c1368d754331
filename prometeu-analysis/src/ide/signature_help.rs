//! Signature help: the signature of the call the cursor is in, with the active
//! parameter.
//!
//! The call is found from the tokens, not the tree, so it works while the call is
//! still being typed (`foo(1, ` with no `)` yet): the file is lexed, and from the cursor
//! back the first `(` not closed before the cursor opens the call; the commas between
//! it and the cursor at that depth count the active parameter. The name before the `(`
//! is then resolved like any other token (the parser recovers an unclosed call with its
//! callee, so the name is in the reference index).

use std::fmt::Write as _;

use super::hover::builtin_signature;
use super::target::Target;
use super::{FilePosition, RootAnalysis, Snapshot};
use crate::semantics::SymbolKind;
use crate::syntax::{TokenKind, lex};
use crate::{NodeKind, SymbolId};

/// The signature of the call around a cursor.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignatureHelp {
    /// The signature, e.g. `fn lerp(a: float, b: float, t: float): float`.
    pub label: String,
    /// Each parameter's byte range in `label` (a method's `self` is not one).
    pub parameters: Vec<(u32, u32)>,
    /// The parameter the cursor is at; `None` past the last one.
    pub active_parameter: Option<u32>,
    /// The doc comment (or the built-in's description).
    pub doc: Option<String>,
}

impl Snapshot {
    /// The signature of the function, method, constructor, host function or built-in
    /// method whose argument list contains `pos`.
    pub fn signature_help(&self, pos: FilePosition) -> Option<SignatureHelp> {
        // A file this snapshot does not analyse (or a stale ID) has no calls.
        self.root_of(pos.file)?;
        let text = self.file_text(pos.file);
        let cursor = (pos.offset as usize).min(text.len());
        let lexed = lex(pos.file, text);
        let tokens: Vec<_> = lexed
            .tokens
            .iter()
            .filter(|t| t.kind != TokenKind::Eof && (t.end as usize) <= cursor)
            .collect();
        let mut depth = 0u32;
        let mut commas = 0u32;
        let mut open = None;
        for (i, token) in tokens.iter().enumerate().rev() {
            match token.kind {
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth += 1,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace if depth > 0 => {
                    depth -= 1;
                }
                TokenKind::LParen => {
                    open = Some(i);
                    break;
                }
                // An open `[` or block, or a statement's end: not inside any call.
                TokenKind::LBracket | TokenKind::LBrace | TokenKind::Semi if depth == 0 => {
                    return None;
                }
                TokenKind::Comma if depth == 0 => commas += 1,
                _ => {}
            }
        }
        let open = open?;
        let callee = tokens.get(open.checked_sub(1)?)?;
        if callee.kind != TokenKind::Ident {
            return None;
        }
        let target = self.target_at(FilePosition {
            file: pos.file,
            offset: callee.start,
        })?;
        let (label, parameters, doc) = match target {
            Target::Symbol(at) => fn_label(at.root, at.symbol)?,
            Target::Builtin {
                method,
                receiver,
                root,
                ..
            } => {
                let (label, params) = builtin_signature(root, method, receiver);
                (label, params, Some(method.doc.to_string()))
            }
            Target::Module { .. } => return None,
        };
        let active_parameter = ((commas as usize) < parameters.len()).then_some(commas);
        Some(SignatureHelp {
            label,
            parameters,
            active_parameter,
            doc,
        })
    }
}

/// A signature's label, its parameters' byte ranges in it, and its doc.
type Label = (String, Vec<(u32, u32)>, Option<String>);

/// The label, parameter ranges and doc of a callable symbol: a function of any kind
/// (without `self`), or a struct (its constructor).
fn fn_label(root: &RootAnalysis, symbol: SymbolId) -> Option<Label> {
    let analysis = &root.analysis;
    let sym = analysis.symbols.get(symbol);
    let name = analysis.symbol_name(symbol);
    let mut label = String::new();
    let mut ranges = Vec::new();
    let push_param = |label: &mut String, ranges: &mut Vec<(u32, u32)>, text: &str| {
        if !ranges.is_empty() {
            label.push_str(", ");
        }
        let start = label.len() as u32;
        label.push_str(text);
        ranges.push((start, label.len() as u32));
    };
    match sym.kind {
        kind if kind.is_fn() => {
            let signature = analysis.facts.signature(symbol)?;
            let arena = &analysis.parse(sym.node.0)?.arena;
            let NodeKind::FnDecl { sig, .. } = *arena.kind(sym.node.1) else {
                return None;
            };
            let NodeKind::FnSig { params, .. } = *arena.kind(sig) else {
                return None;
            };
            let _ = write!(label, "fn {name}(");
            let mut types = signature.params.iter();
            for &p in arena.list(params) {
                if let NodeKind::Param { is_mut, name, .. } = *arena.kind(p) {
                    let param = match *arena.kind(name) {
                        NodeKind::Name { name } => analysis.names.resolve(name),
                        _ => "_",
                    };
                    let ty = types
                        .next()
                        .map_or("{unknown}".to_string(), |&t| analysis.display_type(t));
                    let mutability = if is_mut { "mut " } else { "" };
                    push_param(
                        &mut label,
                        &mut ranges,
                        &format!("{mutability}{param}: {ty}"),
                    );
                }
            }
            label.push(')');
            if signature.ret != crate::semantics::TypeArena::VOID {
                let _ = write!(label, ": {}", analysis.display_type(signature.ret));
            }
        }
        SymbolKind::Struct => {
            let _ = write!(label, "{name}(");
            for &m in analysis.defs.members(symbol) {
                if analysis.symbols.get(m).kind != SymbolKind::Field {
                    continue;
                }
                let ty = analysis
                    .facts
                    .symbol_type(m)
                    .map_or("{unknown}".to_string(), |t| analysis.display_type(t));
                let field = format!("{}: {ty}", analysis.symbol_name(m));
                push_param(&mut label, &mut ranges, &field);
            }
            label.push(')');
        }
        _ => return None,
    }
    Some((label, ranges, sym.doc.clone()))
}
