//! Prepare rename and rename, across files and across the dependent projects of the
//! workspace.
//!
//! A rename edits the declaration and every reference in every root (see
//! [`Snapshot::find_references`]), import specifiers included. It is refused, with a
//! message that says why, for: keywords and invalid identifiers; positions that name
//! nothing (comments, strings, literals) or a name that does not resolve; prelude
//! items and built-in methods; the entry points `frame` and `init` of an app's main
//! file (the console calls them by name); names declared in a project that is not a
//! root of the workspace, or used by one; and renames that would clash with, or be
//! captured by, another name visible where the renamed one is declared or used.
//!
//! **Contracts.** A service conforms to its contract by function names, so a contract
//! function and every service function that implements it are renamed together.
//!
//! **Aliases.** Renaming an imported item keeps the aliases other files gave it
//! (`import { lerp as mix }` becomes `import { blend as mix }`); renaming an alias (on
//! the alias or on a use of it) renames only the alias and its uses in that file.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use super::target::{SymbolAt, Target, location, service_contract, walk};
use super::{FilePosition, RootAnalysis, Snapshot};
use crate::project::ProjectKind;
use crate::semantics::SymbolKind;
use crate::syntax::{TokenKind, lex};
use crate::{FileId, NodeId, NodeKind, Span, SymbolId};

/// A rename refused, with the reason for the user.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RenameError(pub String);

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenameError {}

/// Replace the text of `span` by `new_text`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TextEdit {
    /// What is replaced.
    pub span: Span,
    /// The replacement.
    pub new_text: String,
}

/// Edits to several files: by file, each file's edits sorted and not overlapping.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SourceChange {
    /// The edits of each file, files in [`FileId`] order.
    pub edits: Vec<(FileId, Vec<TextEdit>)>,
}

/// Built-in type names: not keywords, but a type renamed to one would be unreachable.
const BUILTIN_TYPE_NAMES: &[&str] = &[
    "int", "float", "bounded", "bool", "string", "void", "list", "ref",
];

/// The functions the console calls by name in an app's main file.
const ENTRY_POINTS: &[&str] = &["frame", "init"];

/// What a rename at a position would rename.
enum Subject<'a> {
    /// A symbol everywhere it is named (aliased uses excepted).
    Symbol(SymbolAt<'a>),
    /// The alias of an import and its uses in that one file.
    Alias {
        at: SymbolAt<'a>,
        /// The alias token in the import.
        alias: Span,
    },
}

fn refuse<T>(message: impl Into<String>) -> Result<T, RenameError> {
    Err(RenameError(message.into()))
}

impl Snapshot {
    /// The name token a rename at `pos` would rename, or why it cannot.
    pub fn prepare_rename(&self, pos: FilePosition) -> Result<Span, RenameError> {
        match self.rename_subject(pos)? {
            Subject::Symbol(at) | Subject::Alias { at, .. } => Ok(at.span),
        }
    }

    /// The edits that rename the name at `pos` to `new_name` everywhere in the
    /// workspace, or why it cannot.
    pub fn rename(&self, pos: FilePosition, new_name: &str) -> Result<SourceChange, RenameError> {
        let subject = self.rename_subject(pos)?;
        check_identifier(new_name)?;
        let spans = match subject {
            Subject::Symbol(at) => self.symbol_rename_spans(at, new_name)?,
            Subject::Alias { at, alias } => self.alias_rename_spans(at, alias, new_name)?,
        };
        let mut by_file: BTreeMap<FileId, Vec<TextEdit>> = BTreeMap::new();
        for span in spans {
            by_file.entry(span.file).or_default().push(TextEdit {
                span,
                new_text: new_name.to_string(),
            });
        }
        let edits = by_file
            .into_iter()
            .map(|(file, mut edits)| {
                edits.sort_by_key(|e| (e.span.start, e.span.end));
                edits.dedup_by_key(|e| e.span);
                (file, edits)
            })
            .collect();
        Ok(SourceChange { edits })
    }

    /// What the token at `pos` would rename, refusing what cannot be renamed.
    fn rename_subject(&self, pos: FilePosition) -> Result<Subject<'_>, RenameError> {
        let at = match self.target_at(pos) {
            Some(Target::Symbol(at)) => at,
            Some(Target::Builtin { method, .. }) => {
                return refuse(format!(
                    "`{}` is a built-in method; built-in names cannot be renamed",
                    method.name
                ));
            }
            Some(Target::Module { .. }) => {
                return refuse("a module path names a directory: rename the directory instead");
            }
            None => return Err(self.nothing_to_rename(pos)),
        };
        let analysis = &at.root.analysis;
        let sym = analysis.symbols.get(at.symbol);
        let name = analysis.symbol_name(at.symbol);
        if name == "self" {
            return refuse("`self` is a keyword, not a name that can be renamed");
        }
        if sym.module == analysis.prelude_module {
            return refuse(format!(
                "`{name}` is declared in the prelude, which cannot be renamed"
            ));
        }
        if !self.in_workspace(sym.file()) {
            let project = at
                .root
                .graph
                .source_file(sym.file())
                .map(|f| at.root.graph.project(f.project).name.as_str())
                .unwrap_or("?");
            return refuse(format!(
                "`{name}` is declared in `{project}`, a dependency outside the workspace ({})",
                self.file_path(sym.file())
            ));
        }
        if sym.kind == SymbolKind::Function
            && ENTRY_POINTS.contains(&name)
            && self.is_app_main_file(sym.file())
        {
            return refuse(format!(
                "`{name}` in the app's main file is an entry point: the console calls it by \
                 that name"
            ));
        }
        let text = self.span_text(at.span);
        if text != name {
            if let Some((_, alias)) = self.import_declaring(at) {
                return Ok(Subject::Alias { at, alias });
            }
        }
        Ok(Subject::Symbol(at))
    }

    /// Why nothing at `pos` can be renamed.
    fn nothing_to_rename(&self, pos: FilePosition) -> RenameError {
        if self.root_of(pos.file).is_none() {
            return RenameError("this file is not part of any analysed project".to_string());
        }
        let text = self.file_text(pos.file);
        let word = word_at(text, pos.offset as usize);
        if TokenKind::keyword(word).is_some() {
            return RenameError(format!("`{word}` is a keyword, not a name"));
        }
        let lexed = lex(pos.file, text);
        let in_comment = lexed
            .trivia
            .iter()
            .any(|t| t.start <= pos.offset && pos.offset < t.end);
        if in_comment {
            return RenameError("there is no name to rename in a comment".to_string());
        }
        let node = self
            .root_of(pos.file)
            .and_then(|r| r.analysis.parse(pos.file))
            .and_then(|p| Some((p, p.arena.node_at_offset(pos.offset)?)));
        let in_param = node.is_some_and(|(p, n)| {
            let parent = p.arena.parent(n).map(|parent| *p.arena.kind(parent));
            matches!(parent, Some(NodeKind::Param { .. }))
        });
        if in_param && !word.is_empty() {
            // Parameters of body-less signatures (contracts, the prelude) bind nothing.
            return RenameError(format!(
                "`{word}` is a parameter of a signature without a body: nothing refers to it, \
                 edit it in place"
            ));
        }
        match node.map(|(p, n)| *p.arena.kind(n)) {
            Some(NodeKind::StringLit { .. }) => {
                RenameError("there is no name to rename in a string".to_string())
            }
            Some(
                NodeKind::NameRef { .. }
                | NodeKind::TypeName { .. }
                | NodeKind::Name { .. }
                | NodeKind::PatBind { .. },
            ) if !word.is_empty() => RenameError(format!(
                "`{word}` does not resolve to a declaration, so it cannot be renamed"
            )),
            _ => RenameError("there is no name here to rename".to_string()),
        }
    }

    /// Every token to rewrite when `at`'s symbol becomes `new_name`, after the checks.
    fn symbol_rename_spans(
        &self,
        at: SymbolAt<'_>,
        new_name: &str,
    ) -> Result<Vec<Span>, RenameError> {
        let root = at.root;
        let analysis = &root.analysis;
        let sym = analysis.symbols.get(at.symbol);
        let old = analysis.symbol_name(at.symbol);
        if old == new_name {
            return Ok(Vec::new());
        }
        let is_type = sym
            .kind
            .namespaces()
            .contains(&crate::semantics::Namespace::Type)
            && !sym.kind.is_local()
            && sym.parent.is_none();
        if is_type && BUILTIN_TYPE_NAMES.contains(&new_name) {
            return refuse(format!("`{new_name}` is a built-in type"));
        }
        if sym.kind == SymbolKind::Function
            && ENTRY_POINTS.contains(&new_name)
            && self.is_app_main_file(sym.file())
        {
            return refuse(format!(
                "`{new_name}` is the name of an entry point in the app's main file: renaming \
                 `{old}` to it would make the console call it"
            ));
        }
        // A service conforms to its contract by names: a contract function and the
        // service functions that implement it are renamed together.
        let group = self.contract_group(root, at.symbol);
        // Aliased uses keep their alias: only tokens spelled like the symbol change.
        let mut spans: Vec<Span> = Vec::new();
        for &(r, s) in &group {
            spans.extend(
                self.references_of(r, s, true)
                    .into_iter()
                    .map(|r| r.span)
                    .filter(|&s| self.span_text(s) == old),
            );
        }
        spans.sort();
        spans.dedup();
        for &span in &spans {
            if !self.in_workspace(span.file) {
                return refuse(format!(
                    "`{old}` is used in {}, which belongs to a project outside the workspace",
                    self.file_path(span.file)
                ));
            }
        }
        match (sym.kind, sym.parent) {
            (kind, _) if kind.is_local() => {}
            (_, Some(_)) => {
                for &(r, s) in &group {
                    let analysis = &r.analysis;
                    let Some(owner) = analysis.symbols.get(s).parent else {
                        continue;
                    };
                    if let Some(other) = analysis.defs.member(owner, name_id(analysis, new_name)) {
                        return Err(clash(self, r, s, other, new_name));
                    }
                }
            }
            (_, None) => {
                // Every file that names the item by its name (the declaring module's,
                // and those importing it without an alias) gets the new name: it must
                // be free there.
                let mut files: Vec<FileId> = spans.iter().map(|s| s.file).collect();
                files.sort();
                files.dedup();
                for file in files {
                    let Some(owner) = self.root_of(file) else {
                        continue;
                    };
                    let Some(source) = owner.graph.source_file(file) else {
                        continue;
                    };
                    let Some(s) = self.same_symbol(root, at.symbol, owner) else {
                        continue;
                    };
                    self.check_item_scope(owner, source.module.index(), file, s, new_name)?;
                }
            }
        }
        let captured_by_scope = sym.kind.is_local()
            || sym.parent.is_none()
            || matches!(sym.kind, SymbolKind::ServiceField | SymbolKind::ServiceFn);
        if captured_by_scope {
            let mut walked = HashSet::new();
            for &span in &spans {
                self.check_capture(root, at.symbol, span, new_name, &mut walked)?;
            }
        }
        Ok(spans)
    }

    /// Whether `file` is the main file of an app (its `src/main.pbs`, or a loose file),
    /// where `frame` and `init` are entry points (`pbs-language.md` §9).
    fn is_app_main_file(&self, file: FileId) -> bool {
        self.roots_of(file).any(|r| {
            let root_project = r.graph.projects.first();
            let is_app = root_project.is_some_and(|p| p.kind == ProjectKind::App);
            let loose = root_project.is_some_and(|p| p.manifest_file.is_none());
            let source = r.graph.source_file(file);
            is_app
                && source.is_some_and(|f| {
                    f.project.index() == 0 && (loose || f.rel_path == "src/main.pbs")
                })
        })
    }

    /// `symbol` with the symbols that must be renamed with it: for a contract function,
    /// or a service function that implements one, the contract function and every
    /// service function of the workspace that implements it (each with its root).
    fn contract_group<'a>(
        &'a self,
        root: &'a RootAnalysis,
        symbol: SymbolId,
    ) -> Vec<(&'a RootAnalysis, SymbolId)> {
        let analysis = &root.analysis;
        let sym = analysis.symbols.get(symbol);
        let contract_fn = match sym.kind {
            SymbolKind::ContractFn => Some(symbol),
            SymbolKind::ServiceFn => sym
                .parent
                .and_then(|service| service_contract(analysis, service))
                .and_then(|contract| analysis.defs.member(contract, sym.name)),
            _ => None,
        };
        let Some(contract_fn) = contract_fn else {
            return vec![(root, symbol)];
        };
        let Some(contract) = analysis.symbols.get(contract_fn).parent else {
            return vec![(root, symbol)];
        };
        let name = analysis.symbol_name(contract_fn);
        let mut group = vec![(root, symbol), (root, contract_fn)];
        for (other, c) in self.symbol_in_roots(root, contract) {
            let a = &other.analysis;
            let Some(name) = a.names.get(name) else {
                continue;
            };
            let services = a.symbols.iter().filter(|(s, service)| {
                service.kind == SymbolKind::Service && service_contract(a, *s) == Some(c)
            });
            for (service, _) in services {
                if let Some(f) = a.defs.member(service, name) {
                    group.push((other, f));
                }
            }
        }
        let mut seen = HashSet::new();
        group.retain(|(r, s)| seen.insert(r.analysis.symbols.get(*s).decl_span));
        group
    }

    /// The alias token and its uses in its file, after the checks.
    fn alias_rename_spans(
        &self,
        at: SymbolAt<'_>,
        alias: Span,
        new_name: &str,
    ) -> Result<Vec<Span>, RenameError> {
        let old = self.span_text(alias).to_string();
        if old == new_name {
            return Ok(Vec::new());
        }
        let root = at.root;
        let analysis = &root.analysis;
        let file = alias.file;
        let mut spans = vec![alias];
        spans.extend(
            analysis
                .refs
                .refs(at.symbol)
                .iter()
                .map(|r| r.span)
                .filter(|s| s.file == file && self.span_text(*s) == old),
        );
        let module = root.graph.source_file(file).map(|f| f.module.index());
        if let Some(module) = module {
            self.check_item_scope(root, module, file, at.symbol, new_name)?;
        }
        let mut walked = HashSet::new();
        for &span in &spans {
            self.check_capture(root, at.symbol, span, new_name, &mut walked)?;
        }
        Ok(spans)
    }

    /// Refuses when `new_name` already names an item of `module`, an import of `file`
    /// or a prelude item (`symbol`, renamed, would take that name in `file`).
    fn check_item_scope(
        &self,
        root: &RootAnalysis,
        module: usize,
        file: FileId,
        symbol: SymbolId,
        new_name: &str,
    ) -> Result<(), RenameError> {
        let analysis = &root.analysis;
        if let Some(name) = analysis.names.get(new_name) {
            let module_id = crate::ModuleId::from_index(module);
            if let Some(other) = analysis.defs.any_item(module_id, name) {
                if other != symbol {
                    return Err(clash(self, root, symbol, other, new_name));
                }
            }
            if let Some(other) = analysis.defs.any_item(analysis.prelude_module, name) {
                return refuse(format!(
                    "renaming `{}` to `{new_name}` would shadow the prelude's {} `{new_name}`",
                    analysis.symbol_name(symbol),
                    super::hover::kind_word(analysis.symbols.get(other).kind)
                ));
            }
        }
        if let Some(site) = self.import_binding(root, file, new_name) {
            return refuse(format!(
                "renaming `{}` to `{new_name}` would clash with the import of `{new_name}` at {}",
                analysis.symbol_name(symbol),
                location(self, root, site.local())
            ));
        }
        Ok(())
    }

    /// Refuses when, in the declaration around `span` (a function, constant or service
    /// field), a name spelled `new_name` already denotes another symbol, or a member of
    /// the service around it is called so: the renamed name would shadow it or be
    /// shadowed by it. Each declaration is walked once (`walked`).
    fn check_capture(
        &self,
        root: &RootAnalysis,
        symbol: SymbolId,
        span: Span,
        new_name: &str,
        walked: &mut HashSet<(FileId, NodeId)>,
    ) -> Result<(), RenameError> {
        let Some(owner) = self.root_of(span.file) else {
            return Ok(());
        };
        let Some(symbol) = self.same_symbol(root, symbol, owner) else {
            return Ok(());
        };
        let analysis = &owner.analysis;
        let Some(parse) = analysis.parse(span.file) else {
            return Ok(());
        };
        let arena = &parse.arena;
        let Some(decl) = arena
            .node_at_offset(span.start)
            .and_then(|n| arena.enclosing_decl(n))
        else {
            return Ok(());
        };
        if !walked.insert((span.file, decl))
            || matches!(
                arena.kind(decl),
                NodeKind::Import { .. } | NodeKind::StructDecl { .. } | NodeKind::ErrorDecl { .. }
            )
        {
            return Ok(());
        }
        // Inside a service, its members come before the module's items (§7).
        let service = arena.ancestors(decl).find_map(|n| match *arena.kind(n) {
            NodeKind::ServiceDecl { name, .. } => analysis.refs.symbol_at(span.file, name),
            _ => None,
        });
        if let Some(service) = service {
            let member = analysis.defs.member(service, name_id(analysis, new_name));
            if let Some(other) = member.filter(|&m| m != symbol) {
                return Err(clash(self, owner, symbol, other, new_name));
            }
        }
        let mut found = None;
        walk(arena, decl, &mut |n| {
            if found.is_some() {
                return;
            }
            if let Some(s) = analysis.refs.symbol_at(span.file, n) {
                let other = analysis.symbols.get(s);
                let path_only = other.parent.is_some()
                    && !matches!(other.kind, SymbolKind::ServiceField | SymbolKind::ServiceFn);
                let spelled = arena.span(n);
                if s != symbol
                    && !path_only
                    && self.span_text(spelled) == new_name
                    && is_bare_name(arena, n)
                {
                    found = Some(s);
                }
            }
        });
        match found {
            Some(other) => Err(clash(self, owner, symbol, other, new_name)),
            None => Ok(()),
        }
    }
}

/// Whether `node` is a name written on its own (not the member name after a `.`).
fn is_bare_name(arena: &crate::AstArena, node: NodeId) -> bool {
    match arena.parent(node).map(|p| *arena.kind(p)) {
        Some(NodeKind::Member { name, .. }) => name != node,
        Some(NodeKind::PatCase { case, .. }) => case != node,
        _ => true,
    }
}

/// The interned ID of `text`, or one no symbol has.
fn name_id(analysis: &crate::Analysis, text: &str) -> crate::NameId {
    analysis.names.get(text).unwrap_or(crate::NameId(u32::MAX))
}

/// The clash message: `renaming `a` to `b` would clash with the local `b` at main.pbs:3:9`.
fn clash(
    snapshot: &Snapshot,
    root: &RootAnalysis,
    symbol: SymbolId,
    other: SymbolId,
    new_name: &str,
) -> RenameError {
    let analysis = &root.analysis;
    let other_sym = analysis.symbols.get(other);
    RenameError(format!(
        "renaming `{}` to `{new_name}` would clash with the {} `{new_name}` declared at {}",
        analysis.symbol_name(symbol),
        super::hover::kind_word(other_sym.kind),
        location(snapshot, root, other_sym.decl_span)
    ))
}

/// Refuses what is not an identifier (§2): keywords, `_`, anything but
/// `[A-Za-z_][A-Za-z0-9_]*`.
fn check_identifier(name: &str) -> Result<(), RenameError> {
    if TokenKind::keyword(name).is_some() {
        return refuse(format!("`{name}` is a keyword"));
    }
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_";
    if !valid {
        return refuse(format!("`{name}` is not a valid identifier"));
    }
    Ok(())
}

/// The identifier-like word around `offset` of `text` (empty when none).
fn word_at(text: &str, offset: usize) -> &str {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut offset = offset.min(bytes.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let mut start = offset;
    while start > 0 && is_word(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset;
    while end < bytes.len() && is_word(bytes[end]) {
        end += 1;
    }
    &text[start..end]
}
