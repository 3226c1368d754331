//! Hover: what the name under the cursor is, in Markdown.
//!
//! The text is a ```` ```pbs ```` block with the declaration written as PBS (a
//! function's signature, `let x: T`, `declare struct S(…)`, a field `x: T`, a constant
//! with its folded value, `E.Case`, …), then one line saying its visibility and where it
//! is declared, then its doc comment. Built-in `list`/array/`string` methods show their
//! signature and doc from [`crate::semantics::builtins::BUILTIN_METHODS`].
//!
//! **Decision:** a literal or an expression that names nothing has no hover (its type
//! is one "go to type definition" or an inlay hint away, and a hover on every `1` is
//! noise).
//!
//! **System calls.** This crate does not depend on `prometeu-abi` (the ABI depends on
//! the bytecode only, and analysis on nothing of the workspace), so the system-call id
//! and cycle cost of a host function come from a [`HostCalls`] table the caller passes
//! to [`Snapshot::hover_with`]: the language server implements it over
//! `prometeu_abi::SYSCALLS`, keyed by `(contract, function)` as the compiler maps them.

use std::fmt::Write as _;

use super::target::{Target, service_contract};
use super::{FilePosition, RootAnalysis, Snapshot};
use crate::semantics::builtins::{BuiltinMethod, BuiltinType};
use crate::semantics::consts::{ConstValue, float_text};
use crate::semantics::{Reach, SymbolKind, TypeKind};
use crate::{NodeKind, Span, SymbolId, TypeId};

/// A hover's answer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HoverResult {
    /// The hovered token.
    pub span: Span,
    /// The text, in Markdown.
    pub markdown: String,
}

/// What the console's ABI says about one host function.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HostCallInfo {
    /// The `SYSCALL` immediate.
    pub id: u32,
    /// The cost in cycles as `machine.md` §5 writes it, e.g. `20 + w·h/8`.
    pub cost: String,
}

/// The system-call table as hovers need it: a pure-data hook, so that analysis need
/// not depend on `prometeu-abi`.
pub trait HostCalls: Send + Sync {
    /// The system call behind `contract.function` (e.g. `Gfx`, `fill_rect`).
    fn host_call(&self, contract: &str, function: &str) -> Option<HostCallInfo>;
}

/// No table: hovers of host functions say they are system calls, without id or cost.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHostCalls;

impl HostCalls for NoHostCalls {
    fn host_call(&self, _: &str, _: &str) -> Option<HostCallInfo> {
        None
    }
}

impl Snapshot {
    /// The hover of the token at `pos`, without system-call ids (see
    /// [`Snapshot::hover_with`]).
    pub fn hover(&self, pos: FilePosition) -> Option<HoverResult> {
        self.hover_with(pos, &NoHostCalls)
    }

    /// The hover of the token at `pos`; host functions show their system-call id and
    /// cycle cost from `host_calls`.
    pub fn hover_with(&self, pos: FilePosition, host_calls: &dyn HostCalls) -> Option<HoverResult> {
        match self.target_at(pos)? {
            Target::Symbol(at) => Some(HoverResult {
                span: at.span,
                markdown: symbol_markdown(at.root, at.symbol, host_calls),
            }),
            Target::Builtin {
                method,
                receiver,
                root,
                span,
            } => Some(HoverResult {
                span,
                markdown: builtin_markdown(root, method, receiver),
            }),
            Target::Module { module, root, span } => {
                let module = root.graph.module(module);
                let project = &root.graph.project(module.project).name;
                let files = module.files.len();
                let markdown = format!(
                    "module `{}` of project `{project}` ({files} file{})",
                    if module.path.is_empty() {
                        "(root)"
                    } else {
                        &module.path
                    },
                    if files == 1 { "" } else { "s" }
                );
                Some(HoverResult { span, markdown })
            }
        }
    }
}

/// The hover text of a symbol.
fn symbol_markdown(root: &RootAnalysis, symbol: SymbolId, host_calls: &dyn HostCalls) -> String {
    let analysis = &root.analysis;
    let sym = analysis.symbols.get(symbol);
    let mut out = String::from("```pbs\n");
    out.push_str(&declaration_text(root, symbol));
    out.push_str("\n```\n\n");
    out.push_str(&where_line(root, symbol));
    if sym.kind == SymbolKind::HostFn {
        let contract = sym.parent.map(|p| analysis.symbol_name(p)).unwrap_or("");
        match host_calls.host_call(contract, analysis.symbol_name(symbol)) {
            Some(call) => {
                let _ = write!(
                    out,
                    "\n\nsystem call `0x{:04X}` · cost `{}` cycles",
                    call.id, call.cost
                );
            }
            None => out.push_str("\n\nsystem call"),
        }
    }
    if let Some(doc) = &sym.doc {
        out.push_str("\n\n---\n\n");
        out.push_str(doc.trim_end());
    }
    out
}

/// The declaration of a symbol written as PBS.
pub(super) fn declaration_text(root: &RootAnalysis, symbol: SymbolId) -> String {
    let analysis = &root.analysis;
    let sym = analysis.symbols.get(symbol);
    let name = analysis.symbol_name(symbol);
    let ty = |s: SymbolId| {
        analysis
            .facts
            .symbol_type(s)
            .map_or_else(|| "{unknown}".to_string(), |t| analysis.display_type(t))
    };
    let arena = analysis.parse(sym.node.0).map(|p| &p.arena);
    let node = arena.map(|a| *a.kind(sym.node.1));
    match sym.kind {
        kind if kind.is_fn() => analysis
            .signature_text(symbol)
            .unwrap_or_else(|| format!("fn {name}")),
        SymbolKind::Struct => {
            let fields: Vec<String> = analysis
                .defs
                .members(symbol)
                .iter()
                .filter(|&&m| analysis.symbols.get(m).kind == SymbolKind::Field)
                .map(|&m| format!("{}: {}", analysis.symbol_name(m), ty(m)))
                .collect();
            format!("declare struct {name}({})", fields.join(", "))
        }
        SymbolKind::Field => format!("{name}: {}", ty(symbol)),
        SymbolKind::Service => {
            let contract = match node {
                Some(NodeKind::ServiceDecl {
                    contract: Some(c), ..
                }) => arena
                    .zip(analysis.file(sym.node.0))
                    .and_then(|(a, f)| f.text.get(a.span(c).range()).map(|t| format!(": {t}")))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            format!("service {name}{contract}")
        }
        SymbolKind::ServiceField => {
            let value = analysis
                .const_values
                .get(&symbol)
                .map(|v| format!(" = {}", value_text(root, v)))
                .unwrap_or_default();
            let mutability = if sym.mutable { "mut " } else { "" };
            format!("let {mutability}{name}: {}{value}", ty(symbol))
        }
        SymbolKind::Contract => {
            let host = matches!(node, Some(NodeKind::ContractDecl { is_host: true, .. }));
            format!("declare contract {name}{}", if host { " host" } else { "" })
        }
        SymbolKind::Error => {
            let cases: Vec<&str> = analysis
                .defs
                .members(symbol)
                .iter()
                .map(|&m| analysis.symbol_name(m))
                .collect();
            format!("declare error {name} {{ {} }}", cases.join(", "))
        }
        SymbolKind::ErrorCase => {
            let owner = sym.parent.map(|p| analysis.symbol_name(p)).unwrap_or("");
            format!("{owner}.{name}")
        }
        SymbolKind::Const | SymbolKind::AssocConst => {
            let value = analysis
                .const_values
                .get(&symbol)
                .map(|v| format!(" = {}", value_text(root, v)))
                .unwrap_or_default();
            let head = if sym.kind == SymbolKind::Const {
                "declare const"
            } else {
                "const"
            };
            format!("{head} {name}: {}{value}", ty(symbol))
        }
        SymbolKind::Local => {
            let mutability = if sym.mutable { "mut " } else { "" };
            format!("let {mutability}{name}: {}", ty(symbol))
        }
        SymbolKind::Param => {
            let mutability = if sym.mutable { "mut " } else { "" };
            format!("{mutability}{name}: {}", ty(symbol))
        }
        _ => name.to_string(),
    }
}

/// `pub function in module "geo" of project "game"` and the like.
fn where_line(root: &RootAnalysis, symbol: SymbolId) -> String {
    let analysis = &root.analysis;
    let sym = analysis.symbols.get(symbol);
    let mut out = String::new();
    if !sym.kind.is_local() {
        // How far it really reaches (§4.1): a `pub` member of a private struct is as
        // private as the struct.
        let visibility = match analysis.reach(symbol) {
            Reach::Everywhere => "`pub` ",
            Reach::Module => "`mod` ",
            Reach::File | Reach::Owner => "private ",
        };
        out.push_str(visibility);
    }
    out.push_str(kind_word(sym.kind));
    if let Some(owner) = sym.parent {
        let _ = write!(out, " of `{}`", analysis.symbol_name(owner));
        let contract = service_contract(analysis, owner);
        let implemented = contract.filter(|&c| analysis.defs.member(c, sym.name).is_some());
        if let Some(contract) = implemented.filter(|_| sym.kind == SymbolKind::ServiceFn) {
            let name = analysis.symbol_name(symbol);
            let _ = write!(
                out,
                " (implements `{}.{name}`)",
                analysis.symbol_name(contract)
            );
        }
    }
    if sym.kind.is_local() {
        // A local's place is its function; its module adds nothing.
        if let Some(function) = enclosing_fn_name(root, symbol) {
            let _ = write!(out, " of `{function}`");
        }
        return out;
    }
    if sym.module == analysis.prelude_module {
        out.push_str(" in the prelude");
    } else if let Some(module) = root.graph.modules.get(sym.module.index()) {
        let project = root.graph.project(module.project);
        let loose = project.manifest_file.is_none();
        let file = root.graph.display_path(sym.file());
        let project = &project.name;
        if let Some(file) = file.filter(|_| loose) {
            // A loose file is its own program: its name says more than its project's.
            let name = std::path::Path::new(&file)
                .file_name()
                .map_or(file.clone(), |n| n.to_string_lossy().into_owned());
            let _ = write!(out, " in `{name}`");
        } else if module.path.is_empty() {
            let _ = write!(out, " in the root module of project `{project}`");
        } else {
            let _ = write!(out, " in module `{}` of project `{project}`", module.path);
        }
    }
    out
}

/// The name of the function whose body or parameters declare the local `symbol`.
fn enclosing_fn_name(root: &RootAnalysis, symbol: SymbolId) -> Option<&str> {
    let analysis = &root.analysis;
    let (file, node) = analysis.symbols.get(symbol).node;
    let arena = &analysis.parse(file)?.arena;
    let decl = arena.enclosing_decl(node)?;
    let name = match *arena.kind(decl) {
        NodeKind::FnDecl { name, .. } | NodeKind::ServiceField { name, .. } => name,
        NodeKind::ConstDecl { name, .. } => name,
        _ => return None,
    };
    match *arena.kind(name) {
        NodeKind::Name { name } => Some(analysis.names.resolve(name)),
        _ => None,
    }
}

/// How a hover names a kind of symbol.
pub(super) fn kind_word(kind: SymbolKind) -> &'static str {
    match kind {
        SymbolKind::Function => "function",
        SymbolKind::Method => "method",
        SymbolKind::AssocFn => "associated function",
        SymbolKind::Struct => "struct",
        SymbolKind::Field => "field",
        SymbolKind::Service => "service",
        SymbolKind::ServiceField => "service field",
        SymbolKind::ServiceFn => "service function",
        SymbolKind::Contract => "contract",
        SymbolKind::ContractFn => "contract function",
        SymbolKind::HostFn => "host function",
        SymbolKind::Error => "error",
        SymbolKind::ErrorCase => "error case",
        SymbolKind::Const => "constant",
        SymbolKind::AssocConst => "associated constant",
        SymbolKind::Local => "local",
        SymbolKind::Param => "parameter",
    }
}

/// The hover text of a built-in method.
fn builtin_markdown(root: &RootAnalysis, method: &BuiltinMethod, receiver: TypeId) -> String {
    format!(
        "```pbs\n{}\n```\n\nbuilt-in method of `{}`\n\n---\n\n{}",
        builtin_signature(root, method, receiver).0,
        root.analysis.display_type(receiver),
        method.doc
    )
}

/// A built-in method's signature for `receiver` (`fn push(v: Ball)`), with the byte
/// ranges of its parameters in it.
pub(super) fn builtin_signature(
    root: &RootAnalysis,
    method: &BuiltinMethod,
    receiver: TypeId,
) -> (String, Vec<(u32, u32)>) {
    let analysis = &root.analysis;
    let elem = match analysis.types.kind(receiver) {
        TypeKind::List(e) | TypeKind::Array(e, _) => analysis.display_type(e),
        _ => "T".to_string(),
    };
    let show = |t: BuiltinType| match t {
        BuiltinType::Elem => elem.clone(),
        BuiltinType::OptionalElem => format!("optional<{elem}>"),
        BuiltinType::Int => "int".to_string(),
        BuiltinType::Void => "void".to_string(),
    };
    let mut label = format!("fn {}(", method.name);
    let mut ranges = Vec::new();
    for (i, (name, ty)) in method.params.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let start = label.len() as u32;
        let _ = write!(label, "{name}: {}", show(*ty));
        ranges.push((start, label.len() as u32));
    }
    label.push(')');
    if method.ret != BuiltinType::Void {
        let _ = write!(label, ": {}", show(method.ret));
    }
    (label, ranges)
}

/// A folded value as PBS.
fn value_text(root: &RootAnalysis, value: &ConstValue) -> String {
    let analysis = &root.analysis;
    match value {
        ConstValue::Int(v) => v.to_string(),
        ConstValue::Float(v) => float_text(*v),
        ConstValue::Bounded(v) => format!("{v}b"),
        ConstValue::Bool(v) => v.to_string(),
        ConstValue::Str(s) => format!("{s:?}"),
        ConstValue::Struct(s, fields) => {
            let fields: Vec<String> = fields.iter().map(|f| value_text(root, f)).collect();
            format!("{}({})", analysis.symbol_name(*s), fields.join(", "))
        }
        ConstValue::Array(items) => {
            let items: Vec<String> = items.iter().map(|f| value_text(root, f)).collect();
            format!("[{}]", items.join(", "))
        }
        ConstValue::Case(s) => {
            let owner = analysis.symbols.get(*s).parent;
            let owner = owner.map(|o| analysis.symbol_name(o)).unwrap_or("");
            format!("{owner}.{}", analysis.symbol_name(*s))
        }
        ConstValue::Alloc(inner) => format!("alloc {}", value_text(root, inner)),
        ConstValue::NewList => "alloc list<…>()".to_string(),
    }
}
