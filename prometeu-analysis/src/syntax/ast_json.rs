//! The canonical AST dump: deterministic, pretty-printed JSON of a file's tree
//! (what `prometeu check --dump-ast FILE` prints).
//!
//! Every node is an object whose keys come in a fixed order: `kind`, `span`
//! (`[start, end]` byte offsets), `doc` when the node has a doc comment, then the kind's
//! own fields in declaration order. Names are written as text, optional children as
//! `null`, child lists as arrays. The writer uses an explicit stack, so very deep trees
//! (long operator chains) cannot overflow the call stack.
//!
//! Indentation is two spaces per level up to [`MAX_INDENT_LEVEL`]; deeper levels are
//! indented as that one. A chain of `n` operators is a tree `n` deep, and indenting it
//! fully would print `O(n²)` spaces (8,000 `&& true` were 642 MB); capped, the output is
//! linear in the size of the tree. [`write_ast_json`] streams it to a writer.

use std::fmt::Write as _;
use std::io;

use crate::syntax::ast::{AstArena, NodeKind, NodeList, Visibility};
use crate::{NameId, NameInterner, NodeId};

/// The canonical JSON of the whole tree (from the root), pretty-printed with two-space
/// indentation and a final newline.
pub fn ast_to_json_string(arena: &AstArena, names: &NameInterner) -> String {
    match arena.root() {
        Some(root) => node_to_json_string(arena, names, root),
        None => "null\n".to_string(),
    }
}

/// Same as [`ast_to_json_string`]; the name the CLI and tests use.
pub fn ast_to_json(arena: &AstArena, names: &NameInterner) -> String {
    ast_to_json_string(arena, names)
}

/// The canonical JSON of the subtree rooted at `id`.
pub fn node_to_json_string(arena: &AstArena, names: &NameInterner, id: NodeId) -> String {
    let mut out = Vec::new();
    write_node_json(arena, names, id, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("the dump is UTF-8")
}

/// Writes the canonical JSON of the whole tree (as [`ast_to_json_string`]) to `out` as
/// it is produced, in chunks, so memory stays small however large the tree is.
pub fn write_ast_json(
    arena: &AstArena,
    names: &NameInterner,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match arena.root() {
        Some(root) => write_node_json(arena, names, root, out),
        None => out.write_all(b"null\n"),
    }
}

/// How many bytes of output are gathered before they are written out.
const CHUNK: usize = 64 * 1024;

/// Writes the canonical JSON of the subtree rooted at `id` to `out`.
pub fn write_node_json(
    arena: &AstArena,
    names: &NameInterner,
    id: NodeId,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut chunk = String::with_capacity(CHUNK * 2);
    let mut stack = vec![Task::Node(id, 0)];
    while let Some(task) = stack.pop() {
        match task {
            Task::Text(text) => chunk.push_str(text),
            Task::Owned(text) => chunk.push_str(&text),
            Task::Indent(level) => indent(&mut chunk, level),
            Task::Node(id, level) => write_node(arena, names, id, level, &mut chunk, &mut stack),
        }
        if chunk.len() >= CHUNK {
            out.write_all(chunk.as_bytes())?;
            chunk.clear();
        }
    }
    chunk.push('\n');
    out.write_all(chunk.as_bytes())
}

enum Task {
    Node(NodeId, usize),
    Text(&'static str),
    Owned(String),
    Indent(usize),
}

/// One field value of a node.
enum Value {
    Text(String),
    Raw(String),
    Node(Option<NodeId>),
    List(NodeList),
}

/// The deepest level indented further; deeper levels get its indentation.
pub const MAX_INDENT_LEVEL: usize = 64;

/// Two spaces for each level up to [`MAX_INDENT_LEVEL`].
const SPACES: &str = match std::str::from_utf8(&[b' '; 2 * MAX_INDENT_LEVEL]) {
    Ok(spaces) => spaces,
    Err(_) => panic!("spaces are UTF-8"),
};

fn indent(out: &mut String, level: usize) {
    out.push_str(&SPACES[..2 * level.min(MAX_INDENT_LEVEL)]);
}

fn quote(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn vis_text(vis: Visibility) -> &'static str {
    match vis {
        Visibility::Private => "private",
        Visibility::Mod => "mod",
        Visibility::Pub => "pub",
    }
}

fn float_text(value: f64) -> String {
    if value.is_finite() {
        format!("{value:?}")
    } else {
        // JSON has no NaN or infinity; write them as strings.
        format!("\"{value}\"")
    }
}

/// The fields of `kind` after `kind` and `span`, in declaration order.
fn fields(arena: &AstArena, names: &NameInterner, kind: &NodeKind) -> Vec<(&'static str, Value)> {
    use NodeKind as K;
    use Value::{List, Node, Raw, Text};
    let name = |id: NameId| Text(names.resolve(id).to_string());
    let vis = |v: Visibility| Text(vis_text(v).to_string());
    let flag = |b: bool| Raw(b.to_string());
    match *kind {
        K::SourceFile { items } => vec![("items", List(items))],
        K::Error { children } => vec![("children", List(children))],
        K::Name { name: n } => vec![("name", name(n))],
        K::Import { names: list, path } => vec![("names", List(list)), ("path", Node(Some(path)))],
        K::ImportName { name: n, alias } => vec![("name", Node(Some(n))), ("alias", Node(alias))],
        K::FnDecl {
            vis: v,
            name: n,
            sig,
            body,
        } => vec![
            ("vis", vis(v)),
            ("name", Node(Some(n))),
            ("sig", Node(Some(sig))),
            ("body", Node(body)),
        ],
        K::FnSig { params, ret } => vec![("params", List(params)), ("ret", Node(ret))],
        K::Param {
            is_mut,
            name: n,
            ty,
        } => {
            vec![
                ("mut", flag(is_mut)),
                ("name", Node(Some(n))),
                ("ty", Node(Some(ty))),
            ]
        }
        K::SelfParam { is_mut } => vec![("mut", flag(is_mut))],
        K::StructDecl {
            vis: v,
            name: n,
            fields,
            members,
        } => vec![
            ("vis", vis(v)),
            ("name", Node(Some(n))),
            ("fields", List(fields)),
            ("members", List(members)),
        ],
        K::Field { name: n, ty } => vec![("name", Node(Some(n))), ("ty", Node(Some(ty)))],
        K::ConstDecl {
            vis: v,
            name: n,
            ty,
            value,
        } => vec![
            ("vis", vis(v)),
            ("name", Node(Some(n))),
            ("ty", Node(Some(ty))),
            ("value", Node(value)),
        ],
        K::ServiceDecl {
            vis: v,
            name: n,
            contract,
            members,
        } => vec![
            ("vis", vis(v)),
            ("name", Node(Some(n))),
            ("contract", Node(contract)),
            ("members", List(members)),
        ],
        K::ServiceField {
            vis: v,
            is_mut,
            name: n,
            ty,
            value,
        } => vec![
            ("vis", vis(v)),
            ("mut", flag(is_mut)),
            ("name", Node(Some(n))),
            ("ty", Node(Some(ty))),
            ("value", Node(Some(value))),
        ],
        K::ContractDecl {
            vis: v,
            is_host,
            name: n,
            fns,
        } => vec![
            ("vis", vis(v)),
            ("host", flag(is_host)),
            ("name", Node(Some(n))),
            ("fns", List(fns)),
        ],
        K::ErrorDecl {
            vis: v,
            name: n,
            cases,
        } => {
            vec![
                ("vis", vis(v)),
                ("name", Node(Some(n))),
                ("cases", List(cases)),
            ]
        }
        K::ErrorCase { name: n } => vec![("name", Node(Some(n)))],
        K::Block { stmts, tail } => vec![("stmts", List(stmts)), ("tail", Node(tail))],
        K::LetStmt {
            is_mut,
            name: n,
            ty,
            value,
        } => vec![
            ("mut", flag(is_mut)),
            ("name", Node(Some(n))),
            ("ty", Node(ty)),
            ("value", Node(Some(value))),
        ],
        K::AssignStmt { op, target, value } => vec![
            ("op", Text(op.text().to_string())),
            ("target", Node(Some(target))),
            ("value", Node(Some(value))),
        ],
        K::ReturnStmt { value } => vec![("value", Node(value))],
        K::WhileStmt { cond, body } => vec![("cond", Node(Some(cond))), ("body", Node(Some(body)))],
        K::ForStmt {
            name: n,
            iter,
            body,
        } => vec![
            ("name", Node(Some(n))),
            ("iter", Node(Some(iter))),
            ("body", Node(Some(body))),
        ],
        K::Range { start, end } => vec![("start", Node(Some(start))), ("end", Node(Some(end)))],
        K::BreakStmt | K::ContinueStmt | K::NoneLit | K::SelfRef | K::PatWildcard | K::PatNone => {
            vec![]
        }
        K::ExprStmt { expr, has_semi } => {
            vec![("expr", Node(Some(expr))), ("semi", flag(has_semi))]
        }
        K::IntLit { value } => vec![("value", Raw(value.to_string()))],
        K::FloatLit { value } => vec![("value", Raw(float_text(value)))],
        K::BoundedLit { value } => vec![("value", Raw(value.to_string()))],
        K::StringLit { start, len } => vec![("value", Text(arena.str(start, len).to_string()))],
        K::BoolLit { value } => vec![("value", flag(value))],
        K::NameRef { name: n } => vec![("name", name(n))],
        K::Paren { inner } => vec![("inner", Node(Some(inner)))],
        K::ArrayLit { elems } => vec![("elems", List(elems))],
        K::ArrayRepeat { value, count } => {
            vec![("value", Node(Some(value))), ("count", Node(Some(count)))]
        }
        K::SomeExpr { value } | K::ErrExpr { value } | K::Alloc { value } => {
            vec![("value", Node(Some(value)))]
        }
        K::OkExpr { value } => vec![("value", Node(value))],
        K::AllocList { elem } => vec![("elem", Node(Some(elem)))],
        K::Call { callee, args } => vec![("callee", Node(Some(callee))), ("args", List(args))],
        K::Member { base, name: n } => vec![("base", Node(Some(base))), ("name", Node(Some(n)))],
        K::Index { base, index } => vec![("base", Node(Some(base))), ("index", Node(Some(index)))],
        K::Propagate { inner } => vec![("inner", Node(Some(inner)))],
        K::Unary { op, operand } => {
            vec![
                ("op", Text(op.text().to_string())),
                ("operand", Node(Some(operand))),
            ]
        }
        K::Binary { op, lhs, rhs } => vec![
            ("op", Text(op.text().to_string())),
            ("lhs", Node(Some(lhs))),
            ("rhs", Node(Some(rhs))),
        ],
        K::Cast { value, ty } => vec![("value", Node(Some(value))), ("ty", Node(Some(ty)))],
        K::Else { value, fallback } => {
            vec![
                ("value", Node(Some(value))),
                ("fallback", Node(Some(fallback))),
            ]
        }
        K::When {
            subject,
            arms,
            keyword,
        } => vec![
            ("subject", Node(Some(subject))),
            ("arms", List(arms)),
            ("keyword", Raw(keyword.to_string())),
        ],
        K::Handle { subject, arms } => vec![("subject", Node(Some(subject))), ("arms", List(arms))],
        K::Arm { pattern, value } => {
            vec![
                ("pattern", Node(Some(pattern))),
                ("value", Node(Some(value))),
            ]
        }
        K::If {
            cond,
            then,
            otherwise,
        } => vec![
            ("cond", Node(Some(cond))),
            ("then", Node(Some(then))),
            ("else", Node(otherwise)),
        ],
        K::View {
            kind,
            handle,
            name: n,
            body,
        } => vec![
            (
                "view",
                Text(match kind {
                    crate::syntax::ast::ViewKind::Borrow => "borrow".to_string(),
                    crate::syntax::ast::ViewKind::Mutate => "mutate".to_string(),
                }),
            ),
            ("handle", Node(Some(handle))),
            ("name", Node(Some(n))),
            ("body", Node(Some(body))),
        ],
        K::Peek { handle } | K::Take { handle } => vec![("handle", Node(Some(handle)))],
        K::PatLiteral { value } => vec![("value", Node(Some(value)))],
        K::PatBind { name: n } => vec![("name", name(n))],
        K::PatSome { inner } | K::PatErr { inner } => vec![("inner", Node(Some(inner)))],
        K::PatOk { inner } => vec![("inner", Node(inner))],
        K::PatCase { ty, case } => vec![("ty", Node(Some(ty))), ("case", Node(Some(case)))],
        K::PatOr { alts } => vec![("alts", List(alts))],
        K::TypeName { name: n } => vec![("name", name(n))],
        K::TypeOptional { inner } | K::TypeRef { inner } | K::TypeList { inner } => {
            vec![("inner", Node(Some(inner)))]
        }
        K::TypeResult { ok, err } => vec![("ok", Node(Some(ok))), ("err", Node(Some(err)))],
        K::TypeArray { elem, len } => vec![("elem", Node(Some(elem))), ("len", Node(Some(len)))],
    }
}

/// Writes the head of node `id` and schedules its children on `stack` (in reverse, as
/// the stack pops last-in first).
fn write_node(
    arena: &AstArena,
    names: &NameInterner,
    id: NodeId,
    level: usize,
    out: &mut String,
    stack: &mut Vec<Task>,
) {
    let kind = arena.kind(id);
    let span = arena.span(id);
    let inner = level + 1;
    out.push_str("{\n");
    indent(out, inner);
    out.push_str("\"kind\": ");
    quote(out, kind.name());
    out.push_str(",\n");
    indent(out, inner);
    let _ = write!(out, "\"span\": [{}, {}]", span.start, span.end);
    if let Some(doc) = arena.doc(id) {
        out.push_str(",\n");
        indent(out, inner);
        out.push_str("\"doc\": ");
        quote(out, &doc.text);
    }
    // Everything up to the first child node is written now; the rest is scheduled.
    let mut later: Vec<Task> = Vec::new();
    let mut deferred = false;
    for (key, value) in fields(arena, names, kind) {
        let mut head = String::new();
        head.push_str(",\n");
        indent(&mut head, inner);
        quote(&mut head, key);
        head.push_str(": ");
        let push_text = |text: String, later: &mut Vec<Task>, out: &mut String, deferred: bool| {
            if deferred {
                later.push(Task::Owned(text));
            } else {
                out.push_str(&text);
            }
        };
        match value {
            Value::Text(text) => {
                quote(&mut head, &text);
                push_text(head, &mut later, out, deferred);
            }
            Value::Raw(text) => {
                head.push_str(&text);
                push_text(head, &mut later, out, deferred);
            }
            Value::Node(None) => {
                head.push_str("null");
                push_text(head, &mut later, out, deferred);
            }
            Value::Node(Some(child)) => {
                push_text(head, &mut later, out, deferred);
                later.push(Task::Node(child, inner));
                deferred = true;
            }
            Value::List(list) if list.is_empty() => {
                head.push_str("[]");
                push_text(head, &mut later, out, deferred);
            }
            Value::List(list) => {
                head.push_str("[\n");
                push_text(head, &mut later, out, deferred);
                for (n, &child) in arena.list(list).iter().enumerate() {
                    if n > 0 {
                        later.push(Task::Text(",\n"));
                    }
                    later.push(Task::Indent(inner + 1));
                    later.push(Task::Node(child, inner + 1));
                }
                later.push(Task::Text("\n"));
                later.push(Task::Indent(inner));
                later.push(Task::Text("]"));
                deferred = true;
            }
        }
    }
    later.push(Task::Text("\n"));
    later.push(Task::Indent(level));
    later.push(Task::Text("}"));
    stack.extend(later.into_iter().rev());
}
