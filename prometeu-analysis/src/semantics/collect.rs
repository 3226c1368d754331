//! Items, members, imports and signatures: everything a body can name
//! (`docs/spec/pbs-language.md` §4, §7).

use std::sync::Arc;

use super::{Checker, ImportBinding, Lookup, Namespace, Symbol, SymbolKind, TypeArena, TypeKind};
use crate::syntax::{AstArena, NodeKind, Visibility};
use crate::{DiagnosticCode, FileId, NameId, NodeId, Parse, ProjectId, Span, SymbolId, TypeId};

use super::types::FnSignature;

/// The identifier and span of a [`NodeKind::Name`] node; `None` for a missing name.
pub(crate) fn name_of(arena: &AstArena, node: NodeId) -> Option<(NameId, Span)> {
    match *arena.kind(node) {
        NodeKind::Name { name } => Some((name, arena.span(node))),
        _ => None,
    }
}

impl Checker<'_> {
    #[allow(clippy::too_many_arguments)]
    fn new_symbol(
        &mut self,
        index: usize,
        decl: NodeId,
        name_node: NodeId,
        kind: SymbolKind,
        visibility: Visibility,
        parent: Option<SymbolId>,
        mutable: bool,
    ) -> Option<SymbolId> {
        let parse = Arc::clone(&self.files[index].parse);
        let (name, span) = name_of(&parse.arena, name_node)?;
        let file = self.files[index].file;
        let doc = parse
            .arena
            .doc(decl)
            .or_else(|| parse.arena.doc(name_node))
            .map(|d| d.text.clone());
        let symbol = self.symbols.alloc(Symbol {
            name,
            kind,
            visibility,
            module: self.files[index].module,
            decl_span: span,
            doc,
            parent,
            node: (file, decl),
            mutable,
            duplicate: false,
        });
        self.decl_symbol.insert((file, decl), symbol);
        self.refs.bind_node(file, name_node, symbol);
        self.items.push((index, decl, symbol));
        Some(symbol)
    }

    /// Phase 1: a symbol for every item and member of file `index`; duplicates and host
    /// contracts are reported here.
    pub(crate) fn collect_file(&mut self, index: usize) {
        let parse: Arc<Parse> = Arc::clone(&self.files[index].parse);
        let arena = &parse.arena;
        let NodeKind::SourceFile { items } = *arena.kind(parse.root()) else {
            return;
        };
        for &item in arena.list(items) {
            match *arena.kind(item) {
                NodeKind::FnDecl { vis, name, .. } => {
                    self.add_item(index, item, name, SymbolKind::Function, vis);
                }
                NodeKind::ConstDecl { vis, name, .. } => {
                    self.add_item(index, item, name, SymbolKind::Const, vis);
                }
                NodeKind::StructDecl {
                    vis,
                    name,
                    fields,
                    members,
                } => {
                    let Some(owner) = self.add_item(index, item, name, SymbolKind::Struct, vis)
                    else {
                        continue;
                    };
                    for &field in arena.list(fields) {
                        if let NodeKind::Field { name, .. } = *arena.kind(field) {
                            let kind = SymbolKind::Field;
                            self.add_member(
                                index,
                                owner,
                                field,
                                name,
                                kind,
                                Visibility::Pub,
                                false,
                            );
                        }
                    }
                    let in_prelude = self.files[index].module == self.prelude_module;
                    for &member in arena.list(members) {
                        match *arena.kind(member) {
                            NodeKind::ConstDecl { value: None, .. }
                            | NodeKind::FnDecl { body: None, .. }
                                if !in_prelude =>
                            {
                                self.report_prelude_only_member(arena, member);
                            }
                            _ => {}
                        }
                        match *arena.kind(member) {
                            NodeKind::ConstDecl { vis, name, .. } => {
                                let kind = SymbolKind::AssocConst;
                                self.add_member(index, owner, member, name, kind, vis, false);
                            }
                            NodeKind::FnDecl { vis, name, sig, .. } => {
                                let kind = if has_self(arena, sig) {
                                    SymbolKind::Method
                                } else {
                                    SymbolKind::AssocFn
                                };
                                self.add_member(index, owner, member, name, kind, vis, false);
                            }
                            _ => {}
                        }
                    }
                }
                NodeKind::ServiceDecl {
                    vis, name, members, ..
                } => {
                    let Some(owner) = self.add_item(index, item, name, SymbolKind::Service, vis)
                    else {
                        continue;
                    };
                    for &member in arena.list(members) {
                        match *arena.kind(member) {
                            NodeKind::ServiceField {
                                vis, is_mut, name, ..
                            } => {
                                let kind = SymbolKind::ServiceField;
                                self.add_member(index, owner, member, name, kind, vis, is_mut);
                            }
                            NodeKind::FnDecl { vis, name, .. } => {
                                let kind = SymbolKind::ServiceFn;
                                self.add_member(index, owner, member, name, kind, vis, false);
                            }
                            _ => {}
                        }
                    }
                }
                NodeKind::ContractDecl {
                    vis,
                    is_host,
                    name,
                    fns,
                } => {
                    let Some(owner) = self.add_item(index, item, name, SymbolKind::Contract, vis)
                    else {
                        continue;
                    };
                    let in_prelude = self.files[index].module == self.prelude_module;
                    if is_host && !in_prelude {
                        let span = self.symbols.get(owner).decl_span;
                        self.report(
                            DiagnosticCode::ResolveHostContract,
                            span,
                            "host contracts are implemented by the console and only exist in the prelude",
                        );
                    }
                    let kind = if is_host && in_prelude {
                        SymbolKind::HostFn
                    } else {
                        SymbolKind::ContractFn
                    };
                    for &f in arena.list(fns) {
                        if let NodeKind::FnDecl { name, .. } = *arena.kind(f) {
                            self.add_member(index, owner, f, name, kind, Visibility::Pub, false);
                        }
                    }
                }
                NodeKind::ErrorDecl {
                    vis, name, cases, ..
                } => {
                    let Some(owner) = self.add_item(index, item, name, SymbolKind::Error, vis)
                    else {
                        continue;
                    };
                    for &case in arena.list(cases) {
                        if let NodeKind::ErrorCase { name } = *arena.kind(case) {
                            let kind = SymbolKind::ErrorCase;
                            self.add_member(index, owner, case, name, kind, Visibility::Pub, false);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// A body-less function or value-less constant in a struct outside the prelude
    /// (`pbs-language.md` §4.5): the parser accepts them for the prelude only, so a
    /// user file gets the parse error a free `fn f();` gets, at the `;`.
    fn report_prelude_only_member(&mut self, arena: &AstArena, member: NodeId) {
        let span = arena.span(member);
        let semicolon = Span {
            start: span.end.saturating_sub(1).max(span.start),
            ..span
        };
        let expected = match arena.kind(member) {
            NodeKind::ConstDecl { .. } => {
                "expected `=` and a value, found `;`: only the prelude declares struct constants without a value"
            }
            _ => {
                "expected `{`, found `;`: only the prelude declares struct functions without a body"
            }
        };
        self.report(DiagnosticCode::ParseUnexpectedToken, semicolon, expected);
    }

    fn add_item(
        &mut self,
        index: usize,
        decl: NodeId,
        name_node: NodeId,
        kind: SymbolKind,
        vis: Visibility,
    ) -> Option<SymbolId> {
        let symbol = self.new_symbol(index, decl, name_node, kind, vis, None, false)?;
        let (module, name, span) = {
            let s = self.symbols.get(symbol);
            (s.module, s.name, s.decl_span)
        };
        if let Some(first) = self.defs.any_item(module, name) {
            let first_span = self.symbols.get(first).decl_span;
            self.symbols.get_mut(symbol).duplicate = true;
            let message = format!("`{}` is declared twice in this module", self.text(name));
            let d = crate::Diagnostic::new(DiagnosticCode::ResolveDuplicateSymbol, span, message)
                .with_related(first_span, "first declared here");
            self.diagnostics.push(d);
        } else {
            for &ns in kind.namespaces() {
                self.defs.insert_item(module, name, ns, symbol);
            }
        }
        Some(symbol)
    }

    #[allow(clippy::too_many_arguments)]
    fn add_member(
        &mut self,
        index: usize,
        owner: SymbolId,
        decl: NodeId,
        name_node: NodeId,
        kind: SymbolKind,
        vis: Visibility,
        mutable: bool,
    ) -> Option<SymbolId> {
        let symbol = self.new_symbol(index, decl, name_node, kind, vis, Some(owner), mutable)?;
        let (name, span) = {
            let s = self.symbols.get(symbol);
            (s.name, s.decl_span)
        };
        if let Some(first) = self.defs.insert_member(owner, name, symbol) {
            let first_span = self.symbols.get(first).decl_span;
            self.symbols.get_mut(symbol).duplicate = true;
            let owner_name = self.text(self.symbols.get(owner).name).to_string();
            let message = format!("`{owner_name}` already has a member `{}`", self.text(name));
            let d = crate::Diagnostic::new(DiagnosticCode::ResolveDuplicateMember, span, message)
                .with_related(first_span, "first declared here");
            self.diagnostics.push(d);
        }
        Some(symbol)
    }

    /// The alias of an `@alias/…` import path that names no loaded dependency of
    /// `project`.
    fn unknown_dependency<'p>(&self, project: ProjectId, path: &'p str) -> Option<&'p str> {
        let rest = path.strip_prefix('@')?;
        let alias = rest.split_once('/').map_or(rest, |(alias, _)| alias);
        let dependencies = &self.graph.project(project).dependencies;
        (!dependencies.iter().any(|d| d.alias == alias)).then_some(alias)
    }

    /// Whether a dependency of `project` failed to load (`E_PROJECT_DEPENDENCY` in its
    /// manifest): imports through an unknown alias are then quiet, since the likeliest
    /// reason is that dependency.
    fn dependency_failed(&self, project: ProjectId) -> bool {
        let Some(manifest) = self.graph.project(project).manifest_file else {
            return false;
        };
        self.graph
            .diagnostics
            .iter()
            .any(|d| d.code == DiagnosticCode::ProjectDependency && d.span.file == manifest)
    }

    /// Phase 2a: the imports of file `index` (§7).
    pub(crate) fn resolve_imports(&mut self, index: usize) {
        let parse = Arc::clone(&self.files[index].parse);
        let arena = &parse.arena;
        let file = self.files[index].file;
        let module = self.files[index].module;
        let Some(project) = self.files[index].project else {
            return;
        };
        let NodeKind::SourceFile { items } = *arena.kind(parse.root()) else {
            return;
        };
        // A misplaced import still binds its names (uses resolve), but it already has
        // an error, so it gets no unused warning (§11).
        let misplaced: Vec<Span> = parse
            .diagnostics
            .iter()
            .filter(|d| d.code == DiagnosticCode::ParseImportAfterDecl)
            .map(|d| d.span)
            .collect();
        for &item in arena.list(items) {
            let NodeKind::Import { names, path } = *arena.kind(item) else {
                continue;
            };
            let is_misplaced = misplaced.contains(&arena.span(item));
            let Some(path_text) = arena.string_value(path) else {
                continue;
            };
            let target_module = self.graph.resolve_import(project, path_text);
            if target_module.is_none() {
                match self.unknown_dependency(project, path_text) {
                    // A dependency that failed to load was reported in the manifest.
                    Some(_) if self.dependency_failed(project) => {}
                    Some(alias) => self.report(
                        DiagnosticCode::ResolveModuleNotFound,
                        arena.span(path),
                        format!(
                            "no module \"{path_text}\": `prometeu.json` has no dependency `{alias}`"
                        ),
                    ),
                    None => self.report(
                        DiagnosticCode::ResolveModuleNotFound,
                        arena.span(path),
                        format!("no module \"{path_text}\""),
                    ),
                }
            }
            for &import_name in arena.list(names) {
                let NodeKind::ImportName { name, alias } = *arena.kind(import_name) else {
                    continue;
                };
                let Some((item_name, item_span)) = name_of(arena, name) else {
                    continue;
                };
                let (local, local_span) = alias
                    .and_then(|a| name_of(arena, a))
                    .unwrap_or((item_name, item_span));
                let mut binding = ImportBinding {
                    target: None,
                    span: local_span,
                    errored: true,
                    used: false,
                };
                if let Some(target_module) = target_module {
                    match self.defs.any_item(target_module, item_name) {
                        None => {
                            let hint = self.module_suggestions(target_module, item_name);
                            self.report(
                                DiagnosticCode::ResolveImportNotFound,
                                item_span,
                                format!(
                                    "module \"{path_text}\" has no item `{}`{hint}",
                                    self.text(item_name)
                                ),
                            );
                        }
                        Some(target) if self.reach(target) != super::Reach::Everywhere => {
                            self.refs
                                .record(target, name, item_span, super::RefKind::Read);
                            self.report(
                                DiagnosticCode::ResolveNotVisible,
                                item_span,
                                format!("`{}` is not `pub`", self.text(item_name)),
                            );
                        }
                        Some(target) => {
                            binding.target = Some(target);
                            binding.errored = is_misplaced;
                            let kind = super::RefKind::Read;
                            self.refs.record(target, name, item_span, kind);
                            if let Some(a) = alias {
                                self.refs.bind_node(file, a, target);
                            }
                        }
                    }
                }
                let earlier = self
                    .imports
                    .get(&file)
                    .and_then(|m| m.get(&local))
                    .map(|b| b.span);
                let item_clash = self
                    .defs
                    .any_item(module, local)
                    .filter(|&s| self.visible_from(s, file, None));
                let conflict =
                    earlier.or_else(|| item_clash.map(|s| self.symbols.get(s).decl_span));
                if let Some(other) = conflict {
                    // A missing module was reported already: its names clash quietly.
                    if target_module.is_some() {
                        let message =
                            format!("`{}` is already a name in this file", self.text(local));
                        let d = crate::Diagnostic::new(
                            DiagnosticCode::ResolveImportConflict,
                            local_span,
                            message,
                        )
                        .with_related(other, "the other declaration");
                        self.diagnostics.push(d);
                    }
                    continue;
                }
                self.imports.entry(file).or_default().insert(local, binding);
                self.import_order.push((file, local));
            }
        }
    }

    fn module_suggestions(&self, module: crate::ModuleId, name: NameId) -> String {
        let wanted = self.text(name);
        let mut best: Vec<(usize, &str)> = self
            .defs
            .items()
            .into_iter()
            .filter(|((m, _, _), s)| *m == module && self.reach(*s) == super::Reach::Everywhere)
            .map(|((_, n, _), _)| self.text(n))
            .map(|t| (super::edit_distance(wanted, t), t))
            .filter(|&(d, _)| d <= 2)
            .collect();
        best.sort();
        best.dedup();
        match best.first() {
            Some((_, t)) => format!(" (did you mean `{t}`?)"),
            None => String::new(),
        }
    }

    /// Phase 2b: the type of every type item (struct, error, service, contract) and of
    /// every error case, before any type is written anywhere.
    pub(crate) fn declare_item_types(&mut self) {
        for i in 0..self.symbols.len() {
            let symbol = SymbolId::from_index(i);
            let ty = match self.symbols.get(symbol).kind {
                SymbolKind::Struct => TypeKind::Struct(symbol),
                SymbolKind::Error => TypeKind::ErrorType(symbol),
                SymbolKind::Service => TypeKind::Service(symbol),
                SymbolKind::Contract => TypeKind::Contract(symbol),
                SymbolKind::ErrorCase => match self.symbols.get(symbol).parent {
                    Some(owner) => TypeKind::ErrorType(owner),
                    None => continue,
                },
                _ => continue,
            };
            let ty = self.types.intern(ty);
            self.facts.set_symbol(symbol, ty);
        }
    }

    /// Phase 2c: the types of every item and member of file `index`: signatures, field
    /// and constant types.
    pub(crate) fn resolve_signatures(&mut self, index: usize) {
        let parse = Arc::clone(&self.files[index].parse);
        let arena = &parse.arena;
        let file = self.files[index].file;
        // Items are pushed file by file, in file order.
        let start = self.items.partition_point(|e| e.0 < index);
        let end = self.items.partition_point(|e| e.0 <= index);
        let entries: Vec<(NodeId, SymbolId)> = self.items[start..end]
            .iter()
            .map(|&(_, n, s)| (n, s))
            .collect();
        for (decl, symbol) in entries {
            let ty = match *arena.kind(decl) {
                NodeKind::Field { ty, .. }
                | NodeKind::ConstDecl { ty, .. }
                | NodeKind::ServiceField { ty, .. } => Some(self.resolve_type(file, ty, false)),
                NodeKind::FnDecl { sig, .. } => {
                    let signature = self.resolve_fn_sig(file, arena, sig);
                    self.facts.set_signature(symbol, signature);
                    None
                }
                _ => None,
            };
            if let Some(ty) = ty {
                self.facts.set_symbol(symbol, ty);
            }
        }
    }

    /// Phase 2c: a struct that contains itself by value (directly, or through arrays,
    /// optionals, results or other structs) has no size; each field that closes such a
    /// cycle is `E_TYPE_MISMATCH` (a `ref<T>` or `list<T>` breaks the cycle).
    ///
    /// A field of `s` contains `s` exactly when a struct it holds inline is in `s`'s
    /// strongly connected component of the "holds inline" graph, so the components are
    /// computed once (linear in structs and fields) instead of walking everything a
    /// field reaches for every field: a chain of 20,000 structs was quadratic.
    pub(crate) fn check_recursive_structs(&mut self) {
        let structs: Vec<SymbolId> = self
            .symbols
            .iter()
            .filter(|(_, s)| s.kind == SymbolKind::Struct && !s.duplicate)
            .map(|(id, _)| id)
            .collect();
        let index: std::collections::HashMap<SymbolId, usize> =
            structs.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        // For every struct, for every field in order: the structs it holds inline.
        let fields: Vec<Vec<(SymbolId, Vec<usize>)>> = structs
            .iter()
            .map(|&s| {
                self.defs
                    .members(s)
                    .iter()
                    .copied()
                    .filter(|&m| self.symbols.get(m).kind == SymbolKind::Field)
                    .filter_map(|m| {
                        let ty = self.facts.symbol_type(m)?;
                        Some((m, self.inline_structs(ty, &index)))
                    })
                    .collect()
            })
            .collect();
        let edges: Vec<Vec<usize>> = fields
            .iter()
            .map(|fs| {
                fs.iter()
                    .flat_map(|(_, held)| held.iter().copied())
                    .collect()
            })
            .collect();
        let component = strongly_connected_components(&edges);
        for (i, &s) in structs.iter().enumerate() {
            let closing = fields[i]
                .iter()
                .find(|(_, held)| held.iter().any(|&h| component[h] == component[i]));
            if let Some(&(field, _)) = closing {
                let span = self.symbols.get(field).decl_span;
                let name = self.text(self.symbols.get(s).name).to_string();
                self.report(
                    DiagnosticCode::TypeMismatch,
                    span,
                    format!("`{name}` would contain itself; store a `ref<{name}>` instead"),
                );
            }
        }
    }

    /// The structs (by their index in `index`) a value of `ty` holds inline, directly
    /// or through arrays, optionals and results (not through `ref` or `list`).
    fn inline_structs(
        &self,
        ty: TypeId,
        index: &std::collections::HashMap<SymbolId, usize>,
    ) -> Vec<usize> {
        let mut held = Vec::new();
        let mut work = vec![ty];
        while let Some(ty) = work.pop() {
            match self.types.kind(ty) {
                TypeKind::Struct(s) => held.extend(index.get(&s).copied()),
                TypeKind::Array(t, _) | TypeKind::Optional(t) => work.push(t),
                TypeKind::Result(a, b) => work.extend([a, b]),
                _ => {}
            }
        }
        held
    }

    fn resolve_fn_sig(&mut self, file: FileId, arena: &AstArena, sig: NodeId) -> FnSignature {
        let NodeKind::FnSig { params, ret } = *arena.kind(sig) else {
            return FnSignature {
                params: Vec::new(),
                receiver: None,
                ret: TypeArena::ERROR,
            };
        };
        let mut receiver = None;
        let mut param_types = Vec::new();
        for (i, &p) in arena.list(params).iter().enumerate() {
            match *arena.kind(p) {
                NodeKind::SelfParam { is_mut } if i == 0 => receiver = Some(is_mut),
                NodeKind::Param { ty, .. } => param_types.push(self.resolve_type(file, ty, false)),
                _ => param_types.push(TypeArena::ERROR),
            }
        }
        let ret = match ret {
            Some(t) => self.resolve_type(file, t, true),
            None => TypeArena::VOID,
        };
        FnSignature {
            params: param_types,
            receiver,
            ret,
        }
    }

    /// The type a type node denotes, seen from `file`; reports unknown names and
    /// misplaced `void`. Type names are recorded as references.
    pub(crate) fn resolve_type(&mut self, file: FileId, node: NodeId, allow_void: bool) -> TypeId {
        let Some(index) = self.file_index.get(&file).copied() else {
            return TypeArena::ERROR;
        };
        let parse = Arc::clone(&self.files[index].parse);
        let arena = &parse.arena;
        let span = arena.span(node);
        match *arena.kind(node) {
            NodeKind::TypeName { name } => {
                let builtin = match self.text(name) {
                    "int" => Some(TypeArena::INT),
                    "float" => Some(TypeArena::FLOAT),
                    "bounded" => Some(TypeArena::BOUNDED),
                    "bool" => Some(TypeArena::BOOL),
                    "string" => Some(TypeArena::STRING),
                    "void" => Some(TypeArena::VOID),
                    _ => None,
                };
                if let Some(t) = builtin {
                    if t == TypeArena::VOID && !allow_void {
                        self.report(
                            DiagnosticCode::TypeMismatch,
                            span,
                            "`void` is only a return type (or the success type of a result)",
                        );
                        return TypeArena::ERROR;
                    }
                    return t;
                }
                match self.lookup_item(file, name, Namespace::Type) {
                    Lookup::Found(s) => {
                        self.refs.record(s, node, span, super::RefKind::Read);
                        self.facts.symbol_type(s).unwrap_or(TypeArena::ERROR)
                    }
                    Lookup::Quiet => TypeArena::ERROR,
                    Lookup::Hidden(s) => {
                        self.refs.record(s, node, span, super::RefKind::Read);
                        self.report(
                            DiagnosticCode::ResolveNotVisible,
                            span,
                            format!("`{}` is private to its file", self.text(name)),
                        );
                        TypeArena::ERROR
                    }
                    Lookup::WrongNamespace(s) => {
                        self.refs.record(s, node, span, super::RefKind::Read);
                        self.report(
                            DiagnosticCode::ResolveNotAType,
                            span,
                            format!("`{}` is a value, not a type", self.text(name)),
                        );
                        TypeArena::ERROR
                    }
                    Lookup::Missing => {
                        let hint = match super::foreign::type_hint(self.text(name)) {
                            Some(hint) => format!(" ({hint})"),
                            None => format_hint(&self.suggestions(file, name, &[])),
                        };
                        self.report(
                            DiagnosticCode::ResolveUndefined,
                            span,
                            format!("unknown type `{}`{hint}", self.text(name)),
                        );
                        TypeArena::ERROR
                    }
                }
            }
            NodeKind::TypeOptional { inner } => {
                let t = self.resolve_type(file, inner, false);
                self.wrap(t, TypeKind::Optional)
            }
            NodeKind::TypeRef { inner } => {
                let t = self.resolve_type(file, inner, false);
                self.wrap(t, TypeKind::Ref)
            }
            NodeKind::TypeList { inner } => {
                let t = self.resolve_type(file, inner, false);
                self.wrap(t, TypeKind::List)
            }
            NodeKind::TypeResult { ok, err } => {
                let ok = self.resolve_type(file, ok, true);
                let e = self.resolve_type(file, err, false);
                match self.types.kind(e) {
                    TypeKind::ErrorType(_) => {}
                    TypeKind::Error => return TypeArena::ERROR,
                    _ => {
                        let shown = self.show(e);
                        self.report(
                            DiagnosticCode::TypeMismatch,
                            arena.span(err),
                            format!("expected a declared error type, found `{shown}`"),
                        );
                        return TypeArena::ERROR;
                    }
                }
                if ok == TypeArena::ERROR {
                    return TypeArena::ERROR;
                }
                self.types.intern(TypeKind::Result(ok, e))
            }
            NodeKind::TypeArray { elem, len } => {
                let t = self.resolve_type(file, elem, false);
                let n = match *arena.kind(len) {
                    NodeKind::IntLit { value } => Some(value as u32),
                    NodeKind::Error { .. } => None,
                    _ => {
                        self.report(
                            DiagnosticCode::TypeConstEval,
                            arena.span(len),
                            "an array length is an int literal",
                        );
                        None
                    }
                };
                match n {
                    Some(n) if t != TypeArena::ERROR => {
                        let ty = self.types.intern(TypeKind::Array(t, n));
                        self.note_array(arena.span(len), ty);
                        ty
                    }
                    _ => TypeArena::ERROR,
                }
            }
            _ => TypeArena::ERROR,
        }
    }

    fn wrap(&mut self, inner: TypeId, make: fn(TypeId) -> TypeKind) -> TypeId {
        if inner == TypeArena::ERROR {
            return TypeArena::ERROR;
        }
        self.types.intern(make(inner))
    }

    /// A type as diagnostics print it.
    pub(crate) fn show(&self, ty: TypeId) -> String {
        self.types.display(ty, &self.symbols, self.names)
    }

    /// Phase 2d: services that name a contract implement every function of it with the
    /// same signature (`E_TYPE_CONTRACT_MISMATCH`).
    pub(crate) fn check_contracts(&mut self, index: usize) {
        let parse = Arc::clone(&self.files[index].parse);
        let arena = &parse.arena;
        let file = self.files[index].file;
        let NodeKind::SourceFile { items } = *arena.kind(parse.root()) else {
            return;
        };
        for &item in arena.list(items) {
            let NodeKind::ServiceDecl {
                contract: Some(contract),
                ..
            } = *arena.kind(item)
            else {
                continue;
            };
            let Some(&service) = self.decl_symbol.get(&(file, item)) else {
                continue;
            };
            let ty = self.resolve_type(file, contract, false);
            let c = match self.types.kind(ty) {
                TypeKind::Contract(c) if self.symbols.get(c).module == self.prelude_module => {
                    self.report(
                        DiagnosticCode::TypeContractMismatch,
                        arena.span(contract),
                        "a host contract is implemented by the console, not by a service",
                    );
                    continue;
                }
                TypeKind::Contract(c) => c,
                TypeKind::Error => continue,
                _ => {
                    let shown = self.show(ty);
                    self.report(
                        DiagnosticCode::TypeMismatch,
                        arena.span(contract),
                        format!("expected a contract, found `{shown}`"),
                    );
                    continue;
                }
            };
            let contract_span = arena.span(contract);
            for &f in self.defs.members(c).to_vec().iter() {
                let fname = self.symbols.get(f).name;
                let wanted = self.facts.signature(f).cloned();
                let found = self
                    .defs
                    .member(service, fname)
                    .filter(|&m| self.symbols.get(m).kind == SymbolKind::ServiceFn);
                match (found, wanted) {
                    (None, _) => {
                        let message = format!(
                            "the service does not implement `{}` of its contract",
                            self.text(fname)
                        );
                        let d = crate::Diagnostic::new(
                            DiagnosticCode::TypeContractMismatch,
                            contract_span,
                            message,
                        )
                        .with_related(self.symbols.get(f).decl_span, "required here");
                        self.diagnostics.push(d);
                    }
                    (Some(m), Some(wanted)) => {
                        let Some(have) = self.facts.signature(m).cloned() else {
                            continue;
                        };
                        let any_error = have
                            .params
                            .iter()
                            .chain(wanted.params.iter())
                            .chain([&have.ret, &wanted.ret])
                            .any(|&t| self.types.contains_error(t));
                        if have != wanted && !any_error {
                            let message = format!(
                                "`{}` does not have the contract's signature",
                                self.text(fname)
                            );
                            let d = crate::Diagnostic::new(
                                DiagnosticCode::TypeContractMismatch,
                                self.symbols.get(m).decl_span,
                                message,
                            )
                            .with_related(
                                self.symbols.get(f).decl_span,
                                "the contract's signature",
                            );
                            self.diagnostics.push(d);
                        }
                    }
                    (Some(_), None) => {}
                }
            }
        }
    }
}

/// ` (did you mean `a` or `b`?)`, or nothing.
pub(crate) fn format_hint(candidates: &[String]) -> String {
    match candidates {
        [] => String::new(),
        [one] => format!(" (did you mean `{one}`?)"),
        many => {
            let quoted: Vec<String> = many.iter().map(|c| format!("`{c}`")).collect();
            format!(" (did you mean {}?)", quoted.join(" or "))
        }
    }
}

fn has_self(arena: &AstArena, sig: NodeId) -> bool {
    match *arena.kind(sig) {
        NodeKind::FnSig { params, .. } => arena
            .list(params)
            .first()
            .is_some_and(|&p| matches!(arena.kind(p), NodeKind::SelfParam { .. })),
        _ => false,
    }
}

/// The strongly connected component of every node of a graph given as adjacency lists
/// (Tarjan's algorithm with an explicit stack, so chains as long as the program never
/// recurse): `component[a] == component[b]` when each reaches the other.
fn strongly_connected_components(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNVISITED: usize = usize::MAX;
    let n = edges.len();
    let mut order = vec![UNVISITED; n];
    let mut low = vec![0; n];
    let mut component = vec![UNVISITED; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next_order = 0;
    let mut next_component = 0;
    for root in 0..n {
        if order[root] != UNVISITED {
            continue;
        }
        // (node, next edge to follow)
        let mut walk = vec![(root, 0usize)];
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut edge)) = walk.last_mut() {
            if let Some(&next) = edges[node].get(*edge) {
                *edge += 1;
                if order[next] == UNVISITED {
                    order[next] = next_order;
                    low[next] = next_order;
                    next_order += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    walk.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(parent, _)) = walk.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}
