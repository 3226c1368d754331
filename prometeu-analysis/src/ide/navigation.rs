//! Go to definition, declaration and type definition.
//!
//! **Declaration vs definition.** A name that came into a file through an `import` (or
//! its alias) is *declared* by the import specifier in that file and *defined* by the
//! item it names; every other name is declared and defined by its item (or member,
//! local, parameter). The prelude is a real file of the database
//! ([`crate::analysis::PRELUDE_URI`]), so its items are targets like any other.

use super::target::{SymbolAt, Target};
use super::{FilePosition, RootAnalysis, Snapshot};
use crate::semantics::{SymbolKind, TypeKind};
use crate::{Span, SymbolId, TypeId};

/// Where a navigation leads.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NavigationTarget {
    /// The name of what is there (the module path for a module).
    pub name: String,
    /// What it is; `None` for a module or an import specifier's file.
    pub kind: Option<SymbolKind>,
    /// The whole declaration (an editor's selection range).
    pub full_span: Span,
    /// Its name token (where the cursor goes).
    pub focus_span: Span,
}

impl Snapshot {
    /// Where the name at `pos` is defined: the item, member, local or parameter it
    /// denotes (through imports and aliases to the item itself); for an import's module
    /// path, the module's first file.
    pub fn goto_definition(&self, pos: FilePosition) -> Vec<NavigationTarget> {
        match self.target_at(pos) {
            Some(Target::Symbol(at)) => vec![self.symbol_target(at.root, at.symbol)],
            Some(Target::Module { module, root, .. }) => {
                let module = root.graph.module(module);
                let Some(&file) = module.files.first() else {
                    return Vec::new();
                };
                let span = Span::new(file, 0, 0);
                let project = &root.graph.project(module.project).name;
                let name = if module.path.is_empty() {
                    project.clone()
                } else {
                    format!("{project}/{}", module.path)
                };
                vec![NavigationTarget {
                    name,
                    kind: None,
                    full_span: Span::new(file, 0, self.file_text(file).len() as u32),
                    focus_span: span,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// Where the name at `pos` is declared: for a name imported into this file, the
    /// import specifier (its alias when it has one); otherwise its definition.
    pub fn goto_declaration(&self, pos: FilePosition) -> Vec<NavigationTarget> {
        let Some(at) = self.symbol_at(pos) else {
            return self.goto_definition(pos);
        };
        match self.import_declaring(at) {
            Some((site, local)) => vec![NavigationTarget {
                name: self.span_text(local).to_string(),
                kind: Some(at.root.analysis.symbols.get(at.symbol).kind),
                full_span: site,
                focus_span: local,
            }],
            None => vec![self.symbol_target(at.root, at.symbol)],
        }
    }

    /// The declared types of the value at `pos` (a symbol's type, a function's return
    /// type, an expression's type, or the type a type name names), unwrapping
    /// `optional`, `result` (both sides), `list`, arrays and `ref`: structs, errors,
    /// services and contracts. An error case leads to its error type.
    pub fn goto_type_definition(&self, pos: FilePosition) -> Vec<NavigationTarget> {
        let Some(root) = self.root_of(pos.file) else {
            return Vec::new();
        };
        let analysis = &root.analysis;
        let ty = match self.target_at(pos) {
            Some(Target::Symbol(at)) => {
                let sym = analysis.symbols.get(at.symbol);
                match sym.kind {
                    SymbolKind::Struct
                    | SymbolKind::Error
                    | SymbolKind::Service
                    | SymbolKind::Contract => {
                        return vec![self.symbol_target(root, at.symbol)];
                    }
                    SymbolKind::ErrorCase => {
                        return sym
                            .parent
                            .map(|p| self.symbol_target(root, p))
                            .into_iter()
                            .collect();
                    }
                    kind if kind.is_fn() => analysis.facts.signature(at.symbol).map(|s| s.ret),
                    _ => analysis.facts.symbol_type(at.symbol),
                }
            }
            Some(Target::Builtin {
                method, receiver, ..
            }) => {
                use crate::semantics::builtins::BuiltinType;
                match (method.ret, analysis.types.kind(receiver)) {
                    (
                        BuiltinType::Elem | BuiltinType::OptionalElem,
                        TypeKind::List(e) | TypeKind::Array(e, _),
                    ) => Some(e),
                    _ => None,
                }
            }
            Some(Target::Module { .. }) => None,
            None => {
                // An expression without a name: its checked type.
                let arena = analysis.parse(pos.file).map(|p| &p.arena);
                arena
                    .and_then(|a| a.node_at_offset(pos.offset))
                    .and_then(|node| analysis.facts.node_type(pos.file, node))
            }
        };
        let mut symbols = Vec::new();
        if let Some(ty) = ty {
            declared_types(root, ty, &mut symbols);
        }
        symbols
            .into_iter()
            .map(|s| self.symbol_target(root, s))
            .collect()
    }

    /// The navigation target of a symbol's declaration.
    pub(super) fn symbol_target(&self, root: &RootAnalysis, symbol: SymbolId) -> NavigationTarget {
        let analysis = &root.analysis;
        let sym = analysis.symbols.get(symbol);
        let (file, node) = sym.node;
        let full_span = analysis
            .parse(file)
            .map(|p| p.arena.span(node))
            .filter(|s| s.contains_span(sym.decl_span))
            .unwrap_or(sym.decl_span);
        NavigationTarget {
            name: analysis.symbol_name(symbol).to_string(),
            kind: Some(sym.kind),
            full_span,
            focus_span: sym.decl_span,
        }
    }

    /// For a name that came into its file through an import: the import specifier's
    /// span and the token that binds the local name (the alias, or the name).
    pub(super) fn import_declaring(&self, at: SymbolAt<'_>) -> Option<(Span, Span)> {
        let analysis = &at.root.analysis;
        let sym = analysis.symbols.get(at.symbol);
        if sym.kind.is_local() || sym.parent.is_some() || sym.file() == at.span.file {
            return None;
        }
        let text = self.span_text(at.span);
        let site = self.import_binding(at.root, at.span.file, text)?;
        // The specifier must import this very symbol (its name token resolved to it).
        let (_, imported) = analysis.symbol_at_offset(site.name.file, site.name.start)?;
        (imported == at.symbol).then_some((site.full, site.local()))
    }
}

/// The declared types inside `ty`, outermost first, without repeats.
fn declared_types(root: &RootAnalysis, ty: TypeId, out: &mut Vec<SymbolId>) {
    let types = &root.analysis.types;
    match types.kind(ty) {
        TypeKind::Struct(s)
        | TypeKind::ErrorType(s)
        | TypeKind::Service(s)
        | TypeKind::Contract(s)
            if !out.contains(&s) =>
        {
            out.push(s);
        }
        TypeKind::Optional(t) | TypeKind::Ref(t) | TypeKind::List(t) | TypeKind::Array(t, _) => {
            declared_types(root, t, out);
        }
        TypeKind::Result(ok, err) => {
            declared_types(root, ok, out);
            declared_types(root, err, out);
        }
        _ => {}
    }
}
