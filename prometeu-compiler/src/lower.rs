//! Lowering of function bodies to the IR of [`crate::emit`]: statements, expressions,
//! places, patterns. One [`FnLower`] per function; everything program-wide (layouts,
//! globals, the functions and system calls used) lives in [`Ctx`].
//!
//! Values are flattened (`bytecode.md` §2): every expression pushes exactly the slots
//! of its type, a statement leaves the operand stack as it found it. Places (locals,
//! globals, fields through a view) are read and written in place. A dynamic index is
//! evaluated once, before the value stored: a place's only index, as its last step,
//! waits on the operand stack under the value (`a[i] = v` is `i; v; SET_LOCAL_IDX`),
//! an immutable local is read where it is, a constant one is a static offset, and any
//! other goes through a temporary, so compound assignment and `mut self` write-back
//! evaluate every operand exactly once.
//!
//! Control flow: conditions are jumps (`!`, `&&`, `||` never make a `bool`), and loops
//! test at the bottom, so an iteration runs one conditional jump and no `JMP`.

use std::collections::{BTreeMap, HashMap};

use prometeu_analysis::semantics::consts::ConstValue;
use prometeu_analysis::semantics::{SymbolKind, TypeArena, TypeKind};
use prometeu_analysis::syntax::{AssignOp, BinaryOp, ViewKind};
use prometeu_analysis::{Analysis, AstArena, FileId, NodeId, NodeKind, Span, SymbolId, TypeId};
use prometeu_bytecode::{Constant, ImmValue, Instr, Opcode, SlotKind, SyscallRef};

use crate::emit::{Builder, FnCode, Label};
use crate::error::{CResult, CompileError};
use crate::layout::{Layouts, field_offset};

/// Program-wide state shared by the lowering of every function.
pub struct Ctx<'a> {
    /// The analysed program.
    pub a: &'a Analysis,
    /// Type layouts and the heap-layout table.
    pub layouts: Layouts,
    /// First global slot of every service field.
    pub globals: HashMap<SymbolId, u32>,
    /// Functions referenced so far, in first-reference order (the linker's worklist).
    pub wanted: Vec<SymbolId>,
    wanted_set: std::collections::HashSet<SymbolId>,
    /// System calls used, by id.
    pub syscalls: BTreeMap<u32, SyscallRef>,
    /// Local and parameter symbols by their declaring node.
    decl_local: HashMap<(FileId, NodeId), SymbolId>,
}

impl<'a> Ctx<'a> {
    /// A context for `a`.
    pub fn new(a: &'a Analysis) -> Ctx<'a> {
        let decl_local = a
            .symbols
            .iter()
            .filter(|(_, s)| s.kind.is_local())
            .map(|(id, s)| (s.node, id))
            .collect();
        Ctx {
            a,
            layouts: Layouts::default(),
            globals: HashMap::new(),
            wanted: Vec::new(),
            wanted_set: Default::default(),
            syscalls: BTreeMap::new(),
            decl_local,
        }
    }

    /// Records that function `f` is called.
    pub fn want(&mut self, f: SymbolId) {
        if self.wanted_set.insert(f) {
            self.wanted.push(f);
        }
    }

    /// The qualified debug name of a function, e.g. `Player.update`.
    pub fn debug_name(&self, f: SymbolId) -> String {
        let sym = self.a.symbols.get(f);
        match sym.parent {
            Some(p) => format!("{}.{}", self.a.symbol_name(p), self.a.symbol_name(f)),
            None => self.a.symbol_name(f).to_string(),
        }
    }

    /// The slot kinds of `ty`.
    pub fn slots(&mut self, ty: TypeId) -> CResult<Vec<SlotKind>> {
        Ok(self.layouts.slots(self.a, ty)?.to_vec())
    }
}

/// An open loop: where `break` and `continue` go, and the stack depth and open views
/// they unwind to.
struct LoopCx {
    brk: Label,
    cont: Label,
    depth: u32,
    views: usize,
}

/// The bound of a counting loop.
#[derive(Clone, Copy, Debug)]
enum Limit {
    /// Held in this local.
    Local(u32),
    /// A constant.
    Const(i32),
}

/// Where a place's slots start.
#[derive(Clone, Copy, Debug)]
enum Root {
    Local(u32),
    Global(u32),
    /// Storage behind the handle held in this local (a view).
    Gate(u32),
}

/// Where the value of a dynamic array index is when its place is accessed.
#[derive(Clone, Copy, Debug)]
enum IndexAt {
    /// In this local: a temporary, or an immutable local read where it is.
    Local(u32),
    /// On the operand stack, below anything pushed since the place was resolved: the
    /// place's only index, as its last step, so `a[i] = v` is `i; v; SET_LOCAL_IDX`.
    Stack,
}

/// One step of a place path.
#[derive(Clone, Copy, Debug)]
enum Seg {
    /// A static slot offset (a field, or an array element at a constant index).
    Field(u32),
    /// A dynamic array index: `len` elements of `stride` slots.
    Index { at: IndexAt, len: u32, stride: u32 },
}

/// A resolved place: its root, its path and its size in slots.
#[derive(Clone, Debug)]
struct Place {
    root: Root,
    segs: Vec<Seg>,
    size: u32,
}

impl Place {
    /// The dynamic index at `at` (where `static_prefix` stopped) and the path after it.
    fn index_at(&self, at: usize) -> (IndexAt, u32, u32, Vec<Seg>) {
        let Seg::Index {
            at: index,
            len,
            stride,
        } = self.segs[at]
        else {
            unreachable!("static_prefix stops at an index");
        };
        (index, len, stride, self.segs[at + 1..].to_vec())
    }
}

/// The lowering of one function body.
struct FnLower<'a, 'c> {
    cx: &'c mut Ctx<'a>,
    a: &'a Analysis,
    file: FileId,
    ast: &'a AstArena,
    /// The function being built.
    b: Builder,
    locals: HashMap<SymbolId, u32>,
    views: HashMap<SymbolId, u32>,
    open_views: Vec<(u32, ViewKind)>,
    loops: Vec<LoopCx>,
    ret: TypeId,
    mut_self: Option<(u32, u32)>,
}

/// Lowers function `f` (which must have a body).
pub fn lower_fn(cx: &mut Ctx<'_>, f: SymbolId) -> CResult<FnCode> {
    let decl = cx.a.symbols.get(f).decl_span;
    lower_fn_body(cx, f).map_err(|e| e.or_span(decl))
}

fn lower_fn_body(cx: &mut Ctx<'_>, f: SymbolId) -> CResult<FnCode> {
    let a = cx.a;
    let sym = a.symbols.get(f);
    let (file, node) = sym.node;
    let ast = &a
        .parse(file)
        .ok_or_else(|| CompileError::internal(Some(sym.decl_span), "a function without a parse"))?
        .arena;
    let NodeKind::FnDecl { sig, body, .. } = *ast.kind(node) else {
        return Err(CompileError::internal(
            Some(sym.decl_span),
            "a function symbol without a declaration",
        ));
    };
    let Some(body) = body else {
        // The checker rejects body-less members outside the prelude, whose are all
        // written in PBS (`pbs-language.md` §4.5).
        return Err(CompileError::unlowerable(
            sym.decl_span,
            "a function without a body",
        ));
    };
    let signature = a
        .facts
        .signature(f)
        .ok_or_else(|| {
            CompileError::internal(Some(sym.decl_span), "a function without a signature")
        })?
        .clone();
    let NodeKind::FnSig { params, .. } = *ast.kind(sig) else {
        return Err(CompileError::internal(
            Some(sym.decl_span),
            "a malformed signature",
        ));
    };
    let mut param_kinds = Vec::new();
    let mut param_syms = Vec::new();
    let mut self_size = None;
    for &p in ast.list(params) {
        let ty = match *ast.kind(p) {
            NodeKind::SelfParam { .. } => sym
                .parent
                .and_then(|o| a.facts.symbol_type(o))
                .ok_or_else(|| {
                    CompileError::internal(Some(sym.decl_span), "`self` outside a struct")
                })?,
            NodeKind::Param { .. } => cx
                .decl_local
                .get(&(file, p))
                .and_then(|&s| a.facts.symbol_type(s))
                .ok_or_else(|| {
                    CompileError::internal(Some(ast.span(p)), "a parameter without a type")
                })?,
            _ => continue,
        };
        let kinds = cx.slots(ty)?;
        let slot = param_kinds.len() as u32;
        if matches!(ast.kind(p), NodeKind::SelfParam { .. }) {
            self_size = Some((slot, kinds.len() as u32));
        }
        param_kinds.extend_from_slice(&kinds);
        param_syms.push((cx.decl_local.get(&(file, p)).copied(), slot));
    }
    let mut returns = cx.slots(signature.ret)?;
    let mut_self = match (signature.receiver, self_size) {
        (Some(true), Some(s)) => Some(s),
        _ => None,
    };
    if let Some((slot, n)) = mut_self {
        returns.extend_from_slice(&param_kinds[slot as usize..(slot + n) as usize]);
    }
    let name = cx.debug_name(f);
    let mut lower = FnLower {
        a,
        file,
        ast,
        b: Builder::new(name, param_kinds, returns, ast.span(body)),
        locals: HashMap::new(),
        views: HashMap::new(),
        open_views: Vec::new(),
        loops: Vec::new(),
        ret: signature.ret,
        mut_self,
        cx,
    };
    for (s, slot) in param_syms {
        if let Some(s) = s {
            lower.bind_local(s, slot);
        }
    }
    let ret_size = lower.size(signature.ret)?;
    lower.block(body, ret_size)?;
    let has_tail = matches!(ast.kind(body), NodeKind::Block { tail: Some(_), .. });
    if !lower.b.dead {
        if has_tail || ret_size == 0 {
            lower.emit_return(ret_size)?;
        } else {
            // Only reachable when the analysis proved it is not: keep the verifier's
            // "no fall-off" rule without guessing a value.
            lower.b.trap_impossible();
        }
    }
    Ok(lower.b.finish())
}

/// Lowers the initialisers of `fields` (service fields whose value needs code) into
/// one function that stores them into their globals, in order.
pub fn lower_init_globals(cx: &mut Ctx<'_>, fields: &[SymbolId]) -> CResult<FnCode> {
    let first = fields.first().map(|&f| cx.a.symbols.get(f).decl_span);
    let lowered = lower_init_globals_body(cx, fields);
    match first {
        Some(span) => lowered.map_err(|e| e.or_span(span)),
        None => lowered,
    }
}

fn lower_init_globals_body(cx: &mut Ctx<'_>, fields: &[SymbolId]) -> CResult<FnCode> {
    let a = cx.a;
    let Some(&first) = fields.first() else {
        return Err(CompileError::internal(
            None,
            "no service field to initialise",
        ));
    };
    let file = a.symbols.get(first).node.0;
    let ast = &a
        .parse(file)
        .ok_or_else(|| CompileError::internal(None, "a service field without a parse"))?
        .arena;
    let span = a.symbols.get(first).decl_span;
    let mut lower = FnLower {
        a,
        file,
        ast,
        b: Builder::new("__init_globals".into(), Vec::new(), Vec::new(), span),
        locals: HashMap::new(),
        views: HashMap::new(),
        open_views: Vec::new(),
        loops: Vec::new(),
        ret: TypeArena::VOID,
        mut_self: None,
        cx,
    };
    for &field in fields {
        let sym = a.symbols.get(field);
        let (file, node) = sym.node;
        lower.file = file;
        lower.ast = &a
            .parse(file)
            .ok_or_else(|| {
                CompileError::internal(Some(sym.decl_span), "a service field without a parse")
            })?
            .arena;
        let NodeKind::ServiceField { value, .. } = *lower.ast.kind(node) else {
            return Err(CompileError::internal(
                Some(sym.decl_span),
                "a service field without a declaration",
            ));
        };
        let ty = a.facts.symbol_type(field).unwrap_or(TypeArena::ERROR);
        lower.b.span = lower.ast.span(value);
        let n = lower.size(ty)?;
        let slot = *lower.cx.globals.get(&field).ok_or_else(|| {
            CompileError::internal(Some(sym.decl_span), "a service field without a global")
        })?;
        let mark = lower.b.local_mark();
        lower.expr(value)?;
        lower.b.set_global(slot, n);
        lower.b.release_locals(mark);
    }
    lower.emit_return(0)?;
    Ok(lower.b.finish())
}

impl<'a> FnLower<'a, '_> {
    // ----- helpers -----

    fn span(&self, node: NodeId) -> Span {
        self.ast.span(node)
    }

    /// The type of expression `node`. Places the checker walked as assignment targets or
    /// receivers may have no recorded type: theirs comes from the symbols they name.
    fn ty(&self, node: NodeId) -> CResult<TypeId> {
        let recorded = self
            .a
            .facts
            .node_type(self.file, node)
            .filter(|&t| t != TypeArena::ERROR);
        let derived = || -> Option<TypeId> {
            match *self.ast.kind(node) {
                NodeKind::Paren { inner } => self.ty(inner).ok(),
                NodeKind::NameRef { .. } => self.a.facts.symbol_type(self.symbol_at(node)?),
                NodeKind::SelfRef => self.a.facts.symbol_type(self.self_symbol(node).ok()?),
                NodeKind::Member { name, .. } => self.a.facts.symbol_type(self.symbol_at(name)?),
                NodeKind::Index { base, .. } => match self.a.types.kind(self.ty(base).ok()?) {
                    TypeKind::Array(t, _) | TypeKind::List(t) => Some(t),
                    _ => None,
                },
                _ => None,
            }
        };
        recorded
            .or_else(derived)
            .filter(|&t| t != TypeArena::ERROR)
            .ok_or_else(|| {
                CompileError::internal(Some(self.span(node)), "an expression without a type")
            })
    }

    /// The slots of `ty`. In a checked program the unknown type belongs only to an
    /// expression that never produces its value (a block that always returns, breaks
    /// or continues, `pbs-language.md` §5): it pushes nothing, and the code after it
    /// is unreachable.
    fn size(&mut self, ty: TypeId) -> CResult<u32> {
        if ty == TypeArena::ERROR {
            return Ok(0);
        }
        let span = self.b.span;
        self.cx
            .layouts
            .size(self.a, ty)
            .map_err(|e| e.or_span(span))
    }

    /// The slot kinds of `ty` (none for the unknown type, as [`FnLower::size`]).
    fn slots(&mut self, ty: TypeId) -> CResult<Vec<SlotKind>> {
        if ty == TypeArena::ERROR {
            return Ok(Vec::new());
        }
        let span = self.b.span;
        self.cx.slots(ty).map_err(|e| e.or_span(span))
    }

    /// Whether expression `node` never produces a value: the checker gives such an
    /// expression (a block that always leaves, or one built on it) the unknown type.
    fn diverges(&self, node: NodeId) -> bool {
        self.a.facts.node_type(self.file, node) == Some(TypeArena::ERROR)
    }

    fn symbol_at(&self, node: NodeId) -> Option<SymbolId> {
        self.a.refs.symbol_at(self.file, node)
    }

    fn decl_local(&self, node: NodeId) -> Option<SymbolId> {
        self.cx.decl_local.get(&(self.file, node)).copied()
    }

    fn bind_local(&mut self, s: SymbolId, slot: u32) {
        self.locals.insert(s, slot);
        let name = self.a.symbol_name(s).to_string();
        self.b.code.local_names.push((slot, name));
    }

    fn name_text(&self, node: NodeId) -> &'a str {
        match *self.ast.kind(node) {
            NodeKind::Name { name } => self.a.names.resolve(name),
            _ => "",
        }
    }

    /// The error for a construct the checker rejects, met anyway (a bug).
    fn unlowerable<T>(&self, node: NodeId, what: &str) -> CResult<T> {
        Err(CompileError::unlowerable(self.span(node), what))
    }

    fn push_i32(&mut self, v: i32) {
        self.b.op(Instr::new(Opcode::PushI32, &[ImmValue::I32(v)]));
    }

    fn push_bool(&mut self, v: bool) {
        self.b
            .op(Instr::new(Opcode::PushBool, &[ImmValue::U8(u8::from(v))]));
    }

    /// Pushes the zero value of every slot of `ty` (a `none` payload, an `err`'s value).
    fn push_zero(&mut self, ty: TypeId) -> CResult<()> {
        for k in self.slots(ty)? {
            self.push_zero_slot(k);
        }
        Ok(())
    }

    fn push_zero_slot(&mut self, k: SlotKind) {
        match k {
            SlotKind::I32 => self.push_i32(0),
            SlotKind::F64 => self
                .b
                .op(Instr::new(Opcode::PushF64, &[ImmValue::F64(0.0)])),
            SlotKind::U16 => self.b.op(Instr::u32(Opcode::PushBounded, 0)),
            SlotKind::Bool => self.push_bool(false),
            SlotKind::Str => self.b.push_const(Constant::Str(String::new())),
            SlotKind::Ref(t) => self.b.dyn_op(Instr::u32(Opcode::PushNull, t), 0, 1),
        }
    }

    /// Leaves the function with the `value` slots on top of the stack as its result
    /// (plus the receiver for `mut self`), closing open views and dropping anything the
    /// enclosing expression left below.
    fn emit_return(&mut self, value: u32) -> CResult<()> {
        self.close_views(0, value)?;
        let mut total = value;
        if let Some((slot, n)) = self.mut_self {
            self.b.get_local(slot, n);
            total += n;
        }
        let below = self.b.depth.saturating_sub(total);
        if below > 0 {
            let tmp = self.b.spill(total)?;
            self.b.pop(below);
            self.b.get_local(tmp, total);
        }
        self.b.dyn_op(Instr::op(Opcode::Ret), total, 0);
        Ok(())
    }

    /// Emits the `*_END` of every view opened after the first `keep`, innermost first,
    /// without forgetting them (the code that follows in the view's block still needs
    /// them). `above` slots on top of the stack are kept above the handle.
    fn close_views(&mut self, keep: usize, above: u32) -> CResult<()> {
        let to_close: Vec<(u32, ViewKind)> =
            self.open_views[keep..].iter().rev().copied().collect();
        if to_close.is_empty() {
            return Ok(());
        }
        // `*_END` pops the handle from the top: park the kept slots meanwhile.
        let kept = if above > 0 {
            Some(self.b.spill(above)?)
        } else {
            None
        };
        for (slot, kind) in to_close {
            self.b.get_local(slot, 1);
            self.end_view(kind);
        }
        if let Some(tmp) = kept {
            self.b.get_local(tmp, above);
        }
        Ok(())
    }

    fn end_view(&mut self, kind: ViewKind) {
        let op = match kind {
            ViewKind::Borrow => Opcode::BorrowEnd,
            ViewKind::Mutate => Opcode::MutateEnd,
        };
        self.b.dyn_op(Instr::op(op), 1, 0);
    }

    // ----- blocks and statements -----

    /// Lowers a block leaving `want` slots (its tail's value, or nothing).
    fn block(&mut self, node: NodeId, want: u32) -> CResult<()> {
        let NodeKind::Block { stmts, tail } = *self.ast.kind(node) else {
            // An `else if` branch is an `If` expression, not a block.
            return self.expr_sized(node, want);
        };
        let mark = self.b.local_mark();
        for &s in self.ast.list(stmts) {
            self.stmt(s)?;
        }
        match tail {
            Some(t) => self.expr_sized(t, want)?,
            None if want > 0 && !self.b.dead => {
                // The checker proved this end unreachable (e.g. a `when` statement whose
                // exhaustive arms all leave: `E_TYPE_MISSING_RETURN` would have fired
                // otherwise); the compiler cannot see exhaustiveness, so the impossible
                // fall-through traps, as an exhaustive `when` value's does.
                self.b.trap_impossible();
            }
            None => {}
        }
        self.b.release_locals(mark);
        Ok(())
    }

    /// Lowers `node`, keeping its value only when `want` is its size (0 discards it).
    fn expr_sized(&mut self, node: NodeId, want: u32) -> CResult<()> {
        let ty = self
            .a
            .facts
            .node_type(self.file, node)
            .unwrap_or(TypeArena::VOID);
        let n = if ty == TypeArena::ERROR {
            0
        } else {
            self.size(ty)?
        };
        self.expr(node)?;
        if n != want {
            if want == 0 {
                self.b.pop(n);
            } else if !self.b.dead {
                return Err(CompileError::internal(
                    Some(self.span(node)),
                    "a value of the wrong size",
                ));
            }
        }
        Ok(())
    }

    fn stmt(&mut self, node: NodeId) -> CResult<()> {
        if self.b.dead {
            // Unreachable (after a `return`, `break` or `continue`): no code, and its
            // names may be bound to values that never exist.
            return Ok(());
        }
        let saved = self.b.span;
        self.b.span = self.span(node);
        let mark = self.b.local_mark();
        let result = self.stmt_inner(node, mark);
        self.b.span = saved;
        result
    }

    fn stmt_inner(&mut self, node: NodeId, mark: u32) -> CResult<()> {
        match *self.ast.kind(node) {
            NodeKind::LetStmt { value, .. } => {
                let Some(sym) = self.decl_local(node) else {
                    self.expr_sized(value, 0)?;
                    self.b.release_locals(mark);
                    return Ok(());
                };
                let ty = self.a.facts.symbol_type(sym).unwrap_or(TypeArena::ERROR);
                let n = self.size(ty)?;
                let slot = self.b.alloc_local(n)?;
                let inner = self.b.local_mark();
                self.expr(value)?;
                self.b.set_local(slot, n);
                self.b.release_locals(inner);
                self.bind_local(sym, slot);
                // The binding stays allocated until its block ends.
                return Ok(());
            }
            NodeKind::AssignStmt { op, target, value } => self.assign(op, target, value)?,
            NodeKind::ReturnStmt { value } => {
                let n = match value {
                    Some(v) if self.diverges(v) => {
                        self.expr(v)?;
                        0
                    }
                    Some(v) => {
                        let n = self.size(self.ty(v)?)?;
                        self.expr(v)?;
                        n
                    }
                    None => 0,
                };
                self.emit_return(n)?;
            }
            NodeKind::WhileStmt { cond, body } => {
                // Tested at the bottom: one jump per iteration, not two.
                let top = self.b.label();
                let test = self.b.label();
                let end = self.b.label();
                if self.is_true_literal(cond) {
                    self.b.mark(top);
                    self.loop_body(body, end, top)?;
                    self.b.jump(Opcode::Jmp, top);
                } else {
                    let reachable = !self.b.dead;
                    self.b.jump(Opcode::Jmp, test);
                    self.b.mark_loop_top(top, reachable);
                    self.loop_body(body, end, test)?;
                    self.b.mark(test);
                    self.cond_jump(cond, top, true)?;
                }
                self.b.mark(end);
            }
            NodeKind::ForStmt { iter, body, .. } => self.for_loop(node, iter, body)?,
            NodeKind::BreakStmt | NodeKind::ContinueStmt => {
                let Some(l) = self.loops.last() else {
                    return Err(CompileError::internal(
                        Some(self.span(node)),
                        "`break` outside a loop",
                    ));
                };
                let (target, depth, views) = match self.ast.kind(node) {
                    NodeKind::BreakStmt => (l.brk, l.depth, l.views),
                    _ => (l.cont, l.depth, l.views),
                };
                self.close_views(views, 0)?;
                let extra = self.b.depth.saturating_sub(depth);
                self.b.pop(extra);
                self.b.jump(Opcode::Jmp, target);
            }
            NodeKind::ExprStmt { expr, .. } => self.expr_sized(expr, 0)?,
            NodeKind::Block { .. } => self.block(node, 0)?,
            NodeKind::Error { .. } => {
                return Err(CompileError::internal(
                    Some(self.span(node)),
                    "an erroneous statement",
                ));
            }
            _ => self.expr_sized(node, 0)?,
        }
        self.b.release_locals(mark);
        Ok(())
    }

    fn loop_body(&mut self, body: NodeId, brk: Label, cont: Label) -> CResult<()> {
        self.loops.push(LoopCx {
            brk,
            cont,
            depth: self.b.depth,
            views: self.open_views.len(),
        });
        let r = self.block(body, 0);
        self.loops.pop();
        r
    }

    /// Whether `node` is the literal `true` (in parentheses or not).
    fn is_true_literal(&self, node: NodeId) -> bool {
        match *self.ast.kind(node) {
            NodeKind::Paren { inner } => self.is_true_literal(inner),
            NodeKind::BoolLit { value } => value,
            _ => false,
        }
    }

    /// The slot of the local `node` names when that local is immutable (never written
    /// while it is in scope) and not a view.
    fn immutable_local(&self, node: NodeId) -> Option<u32> {
        match *self.ast.kind(node) {
            NodeKind::Paren { inner } => self.immutable_local(inner),
            NodeKind::NameRef { .. } => {
                let sym = self.symbol_at(node)?;
                if self.a.symbols.get(sym).mutable || self.views.contains_key(&sym) {
                    return None;
                }
                self.locals.get(&sym).copied()
            }
            _ => None,
        }
    }

    /// The value of `node` when it is an int literal, an int constant, or the `len()`
    /// of a fixed array whose read has no effect.
    fn const_int(&self, node: NodeId) -> Option<i32> {
        match *self.ast.kind(node) {
            NodeKind::Paren { inner } => self.const_int(inner),
            NodeKind::IntLit { value } => Some(value),
            NodeKind::Call { callee, args } => {
                let NodeKind::Member { base, name } = *self.ast.kind(callee) else {
                    return None;
                };
                let is_len = self.ast.list(args).is_empty()
                    && self.symbol_at(name).is_none()
                    && self.name_text(name) == "len";
                match self.a.types.kind(self.ty(base).ok()?) {
                    TypeKind::Array(_, n) if is_len && self.is_plain_read(base) => {
                        i32::try_from(n).ok()
                    }
                    _ => None,
                }
            }
            NodeKind::NameRef { .. } | NodeKind::Member { .. } => {
                let sym = match *self.ast.kind(node) {
                    NodeKind::Member { name, .. } => self.symbol_at(name)?,
                    _ => self.symbol_at(node)?,
                };
                if !matches!(
                    self.a.symbols.get(sym).kind,
                    SymbolKind::Const | SymbolKind::AssocConst
                ) {
                    return None;
                }
                match self.a.const_values.get(&sym)? {
                    ConstValue::Int(v) => Some(*v),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The bottom test of a counting loop: back to `top` while local `i` is below
    /// `limit`. Emitted as `I_GE; JMP_IF_FALSE`, which the VM fuses with the two
    /// pushes into one dispatch.
    fn count_test(&mut self, i: u32, limit: Limit, top: Label) {
        self.b.get_local(i, 1);
        match limit {
            Limit::Local(l) => self.b.get_local(l, 1),
            Limit::Const(n) => self.push_i32(n),
        }
        self.b.simple(Opcode::IGe);
        self.b.jump(Opcode::JmpIfFalse, top);
    }

    /// `i += 1` on the counter in local `i`.
    fn count_step(&mut self, i: u32) {
        self.b.get_local(i, 1);
        self.push_i32(1);
        self.b.simple(Opcode::IAdd);
        self.b.set_local(i, 1);
    }

    /// Lowers a `for` loop, tested at the bottom (`JMP test; top: body; next: step;
    /// test: cond; JMP_IF_FALSE top`): one jump per iteration fewer than testing at
    /// the top.
    fn for_loop(&mut self, node: NodeId, iter: NodeId, body: NodeId) -> CResult<()> {
        if self.diverges(iter) {
            return self.expr_sized(iter, 0);
        }
        let var = self.decl_local(node);
        let top = self.b.label();
        let next = self.b.label();
        let test = self.b.label();
        let end = self.b.label();
        if let NodeKind::Range { start, end: stop } = *self.ast.kind(iter) {
            let i = self.b.alloc_local(1)?;
            self.expr(start)?;
            self.b.set_local(i, 1);
            // A constant bound, or one in an immutable local, is read where it is: it
            // cannot change while the loop runs, and reading it has no effect.
            let limit = match (self.const_int(stop), self.immutable_local(stop)) {
                (Some(n), _) => Limit::Const(n),
                (None, Some(slot)) => Limit::Local(slot),
                (None, None) => {
                    let limit = self.b.alloc_local(1)?;
                    self.expr(stop)?;
                    self.b.set_local(limit, 1);
                    Limit::Local(limit)
                }
            };
            let reachable = !self.b.dead;
            self.b.jump(Opcode::Jmp, test);
            self.b.mark_loop_top(top, reachable);
            // The loop variable is immutable: the counter itself is its slot.
            if let Some(v) = var {
                self.bind_local(v, i);
            }
            self.loop_body(body, end, next)?;
            self.b.mark(next);
            self.count_step(i);
            self.b.mark(test);
            self.count_test(i, limit, top);
            self.b.mark(end);
            return Ok(());
        }
        let ty = self.ty(iter)?;
        let counter = match self.a.types.kind(ty) {
            TypeKind::Array(elem, len) => {
                let stride = self.size(elem)?;
                // The array is read once, before the first iteration (§5): an
                // immutable local is iterated in place, anything else from a copy.
                let arr = self.subject_slots(iter, ty)?;
                if len == 0 {
                    // No iteration, and `*_IDX` needs `len >= 1` (bytecode.md §1).
                    return Ok(());
                }
                let i = self.b.alloc_local(1)?;
                let x = self.b.alloc_local(stride)?;
                self.push_i32(0);
                self.b.set_local(i, 1);
                let reachable = !self.b.dead;
                self.b.jump(Opcode::Jmp, test);
                self.b.mark_loop_top(top, reachable);
                self.b.get_local(i, 1);
                self.idx_op(Opcode::GetLocalIdx, arr, len, stride, 1, stride);
                self.b.set_local(x, stride);
                if let Some(v) = var {
                    self.bind_local(v, x);
                }
                self.loop_body(body, end, next)?;
                (i, Limit::Const(len as i32))
            }
            TypeKind::List(elem) => {
                let stride = self.size(elem)?;
                // A handle in an immutable local is used where it is.
                let held = self.immutable_local(iter);
                let h = match held {
                    Some(slot) => slot,
                    None => self.b.alloc_local(1)?,
                };
                let len = self.b.alloc_local(1)?;
                let i = self.b.alloc_local(1)?;
                let x = self.b.alloc_local(stride)?;
                if held.is_some() {
                    self.b.get_local(h, 1);
                } else {
                    self.expr(iter)?;
                    self.b.dyn_op(Instr::op(Opcode::Dup), 0, 1);
                    self.b.set_local(h, 1);
                }
                self.b.dyn_op(Instr::op(Opcode::ListLen), 1, 1);
                self.b.set_local(len, 1);
                self.push_i32(0);
                self.b.set_local(i, 1);
                let reachable = !self.b.dead;
                self.b.jump(Opcode::Jmp, test);
                self.b.mark_loop_top(top, reachable);
                self.b.get_local(h, 1);
                self.b.get_local(i, 1);
                self.b.dyn_op(Instr::op(Opcode::ListGet), 2, stride);
                self.b.set_local(x, stride);
                if let Some(v) = var {
                    self.bind_local(v, x);
                }
                self.loop_body(body, end, next)?;
                (i, Limit::Local(len))
            }
            _ => return self.unlowerable(iter, "`for` over this kind of value"),
        };
        let (i, limit) = counter;
        self.b.mark(next);
        self.count_step(i);
        self.b.mark(test);
        self.count_test(i, limit, top);
        self.b.mark(end);
        Ok(())
    }

    fn idx_op(&mut self, op: Opcode, base: u32, len: u32, stride: u32, pops: u32, pushes: u32) {
        let instr = Instr::new(
            op,
            &[
                ImmValue::U32(base),
                ImmValue::U32(len),
                ImmValue::U32(stride),
            ],
        );
        self.b.dyn_op(instr, pops, pushes);
    }

    // ----- assignment and places -----

    fn assign(&mut self, op: AssignOp, target: NodeId, value: NodeId) -> CResult<()> {
        // `l[i] = v` on a list is a list operation (§6.6).
        if let NodeKind::Index { base, index } = *self.ast.kind(target) {
            let list_ty = self.ty(base)?;
            if let TypeKind::List(elem) = self.a.types.kind(list_ty) {
                let n = self.size(elem)?;
                let layout = self.cx.layouts.handle_layout(self.a, list_ty)?;
                self.b.span = self.span(target);
                self.expr(base)?;
                self.expr(index)?;
                if op == AssignOp::Assign {
                    self.expr(value)?;
                } else {
                    self.b.dyn_op(Instr::u32(Opcode::DupN, 2), 0, 2);
                    self.b.dyn_op(Instr::op(Opcode::ListGet), 2, n);
                    self.expr(value)?;
                    self.b.span = self.span(target);
                    self.arith(compound_op(op), elem, value)?;
                }
                self.b.span = self.span(target);
                self.b.dyn_op(Instr::u32(Opcode::ListSet, layout), 2 + n, 0);
                return Ok(());
            }
        }
        // The place (its index left on the stack when it has one, last) comes first:
        // evaluation is left to right.
        let place = self.place(target, true)?;
        if op == AssignOp::Assign {
            self.expr(value)?;
        } else {
            let ty = self.ty(target)?;
            self.b.span = self.span(target);
            self.read_place(&place, true)?;
            if op == AssignOp::Add && matches!(self.a.types.kind(ty), TypeKind::String) {
                // `s += a + b` joins `s`, `a` and `b` in one concatenation.
                self.b.span = self.span(target);
                self.concat(1, value)?;
            } else {
                self.expr(value)?;
                self.b.span = self.span(target);
                self.arith(compound_op(op), ty, value)?;
            }
        }
        self.b.span = self.span(target);
        self.write_place(&place)
    }

    /// Resolves `node` to a place, evaluating dynamic indices (and a non-place base)
    /// into temporaries. An index that is an immutable local is read where it is, and
    /// a constant one in range is a static offset. With `stack`, the place's index, if
    /// it is the only one and the last step, is left on the operand stack instead
    /// ([`IndexAt::Stack`]): the caller then reads or writes the place once, with
    /// nothing but the stored value pushed in between.
    fn place(&mut self, node: NodeId, stack: bool) -> CResult<Place> {
        // Field paths are as deep as structs nest.
        prometeu_analysis::stack::ensure_sufficient_stack(|| self.place_inner(node, stack))
    }

    fn place_inner(&mut self, node: NodeId, stack: bool) -> CResult<Place> {
        match *self.ast.kind(node) {
            NodeKind::Paren { inner } => self.place(inner, stack),
            NodeKind::NameRef { .. } | NodeKind::SelfRef => {
                let ty = self.ty(node)?;
                let size = self.size(ty)?;
                let sym = match self.ast.kind(node) {
                    NodeKind::SelfRef => self.self_symbol(node)?,
                    _ => self.symbol_at(node).ok_or_else(|| {
                        CompileError::internal(Some(self.span(node)), "an unresolved name")
                    })?,
                };
                if let Some(&h) = self.views.get(&sym) {
                    return Ok(Place {
                        root: Root::Gate(h),
                        segs: Vec::new(),
                        size,
                    });
                }
                if let Some(&slot) = self.locals.get(&sym) {
                    return Ok(Place {
                        root: Root::Local(slot),
                        segs: Vec::new(),
                        size,
                    });
                }
                if let Some(&slot) = self.cx.globals.get(&sym) {
                    return Ok(Place {
                        root: Root::Global(slot),
                        segs: Vec::new(),
                        size,
                    });
                }
                self.temp_place(node)
            }
            NodeKind::Member { base, name } => {
                let Some(field) = self.symbol_at(name) else {
                    return self.temp_place(node);
                };
                let fsym = self.a.symbols.get(field);
                if fsym.kind == SymbolKind::ServiceField {
                    let slot = self.cx.globals.get(&field).copied().ok_or_else(|| {
                        CompileError::internal(
                            Some(self.span(node)),
                            "a service field without a global",
                        )
                    })?;
                    let size = self.size(self.ty(node)?)?;
                    return Ok(Place {
                        root: Root::Global(slot),
                        segs: Vec::new(),
                        size,
                    });
                }
                if fsym.kind != SymbolKind::Field {
                    return self.temp_place(node);
                }
                let base_ty = self.ty(base)?;
                let TypeKind::Struct(s) = self.a.types.kind(base_ty) else {
                    return self.temp_place(node);
                };
                let (off, fty) = field_offset(&mut self.cx.layouts, self.a, s, field)?;
                let mut place = self.place(base, false)?;
                place.segs.push(Seg::Field(off));
                place.size = self.size(fty)?;
                Ok(place)
            }
            NodeKind::Index { base, index } => {
                let base_ty = self.ty(base)?;
                let TypeKind::Array(elem, len) = self.a.types.kind(base_ty) else {
                    return self.temp_place(node);
                };
                let mut place = self.place(base, false)?;
                let stride = self.size(elem)?;
                place.size = stride;
                if let Some(k) = self
                    .const_int(index)
                    .filter(|&k| k >= 0 && (k as u32) < len)
                {
                    place.segs.push(Seg::Field(k as u32 * stride));
                    return Ok(place);
                }
                let only_index = !place.segs.iter().any(|s| matches!(s, Seg::Index { .. }));
                let at = if stack && only_index && !matches!(place.root, Root::Gate(_)) {
                    self.expr(index)?;
                    IndexAt::Stack
                } else if let Some(slot) = self.immutable_local(index) {
                    IndexAt::Local(slot)
                } else {
                    self.expr(index)?;
                    IndexAt::Local(self.b.spill(1)?)
                };
                place.segs.push(Seg::Index { at, len, stride });
                Ok(place)
            }
            _ => self.temp_place(node),
        }
    }

    /// A place for a value that is not stored anywhere: evaluate it into a temporary.
    fn temp_place(&mut self, node: NodeId) -> CResult<Place> {
        let size = self.size(self.ty(node)?)?;
        self.expr(node)?;
        let slot = self.b.spill(size)?;
        Ok(Place {
            root: Root::Local(slot),
            segs: Vec::new(),
            size,
        })
    }

    fn self_symbol(&self, node: NodeId) -> CResult<SymbolId> {
        self.symbol_at(node)
            .or_else(|| {
                self.locals.keys().copied().find(|&s| {
                    self.a.symbols.get(s).kind == SymbolKind::Param
                        && self.a.symbol_name(s) == "self"
                })
            })
            .ok_or_else(|| CompileError::internal(Some(self.span(node)), "`self` outside a method"))
    }

    /// Splits a place at its first dynamic index: the static offset before it.
    fn static_prefix(place: &Place) -> (u32, usize) {
        let mut off = 0;
        for (i, seg) in place.segs.iter().enumerate() {
            match *seg {
                Seg::Field(o) => off += o,
                Seg::Index { .. } => return (off, i),
            }
        }
        (off, place.segs.len())
    }

    /// Pushes the index of `at` for an indexed access; `keep` leaves a copy of an
    /// index on the stack for the write that follows.
    fn push_index(&mut self, at: IndexAt, keep: bool) {
        match at {
            IndexAt::Local(slot) => self.b.get_local(slot, 1),
            IndexAt::Stack if keep => self.b.dyn_op(Instr::op(Opcode::Dup), 0, 1),
            IndexAt::Stack => {}
        }
    }

    /// Pushes the place's value. `keep` is for a place written next (compound
    /// assignment, `mut self` write-back): an index on the stack stays there for it.
    fn read_place(&mut self, place: &Place, keep: bool) -> CResult<()> {
        let (off, at) = Self::static_prefix(place);
        if at == place.segs.len() {
            match place.root {
                Root::Local(s) => self.b.get_local(s + off, place.size),
                Root::Global(s) => self.b.get_global(s + off, place.size),
                Root::Gate(h) => {
                    self.b.get_local(h, 1);
                    self.gate(Opcode::GateLoad, off, place.size, 1, place.size);
                }
            }
            return Ok(());
        }
        let (index, len, stride, rest) = place.index_at(at);
        match place.root {
            Root::Local(s) | Root::Global(s) => {
                self.push_index(index, keep);
                let op = match place.root {
                    Root::Local(_) => Opcode::GetLocalIdx,
                    _ => Opcode::GetGlobalIdx,
                };
                self.idx_op(op, s + off, len, stride, 1, stride);
                if rest.is_empty() {
                    return Ok(());
                }
                let (rest_off, rest_at) = Self::static_prefix(&Place {
                    root: place.root,
                    segs: rest.clone(),
                    size: place.size,
                });
                if rest_at == rest.len() && rest_off == 0 {
                    // A leading field of the element: drop the slots above it.
                    self.b.pop(stride - place.size);
                    return Ok(());
                }
                let elem = self.b.spill(stride)?;
                self.read_place(
                    &Place {
                        root: Root::Local(elem),
                        segs: rest,
                        size: place.size,
                    },
                    keep,
                )
            }
            Root::Gate(h) => {
                // Load the whole array, then index it as a local.
                self.b.get_local(h, 1);
                self.gate(Opcode::GateLoad, off, len * stride, 1, len * stride);
                let arr = self.b.spill(len * stride)?;
                let mut segs = vec![Seg::Index {
                    at: index,
                    len,
                    stride,
                }];
                segs.extend(rest);
                self.read_place(
                    &Place {
                        root: Root::Local(arr),
                        segs,
                        size: place.size,
                    },
                    keep,
                )
            }
        }
    }

    /// Pops the place's size from the stack into the place.
    fn write_place(&mut self, place: &Place) -> CResult<()> {
        let (off, at) = Self::static_prefix(place);
        if at == place.segs.len() {
            match place.root {
                Root::Local(s) => self.b.set_local(s + off, place.size),
                Root::Global(s) => self.b.set_global(s + off, place.size),
                Root::Gate(h) => {
                    let v = self.b.spill(place.size)?;
                    self.b.get_local(h, 1);
                    self.b.get_local(v, place.size);
                    self.gate(Opcode::GateStore, off, place.size, 1 + place.size, 0);
                }
            }
            return Ok(());
        }
        let (index, len, stride, rest) = place.index_at(at);
        let (get, set) = match place.root {
            Root::Local(_) => (Opcode::GetLocalIdx, Opcode::SetLocalIdx),
            _ => (Opcode::GetGlobalIdx, Opcode::SetGlobalIdx),
        };
        let temp = match (index, place.root) {
            (IndexAt::Stack, Root::Local(s) | Root::Global(s)) if rest.is_empty() => {
                // The index is already below the value.
                self.idx_op(set, s + off, len, stride, 1 + stride, 0);
                return Ok(());
            }
            (IndexAt::Local(t), _) => t,
            (IndexAt::Stack, _) => {
                return Err(CompileError::internal(
                    None,
                    "an index on the stack that is not a place's last step",
                ));
            }
        };
        let value = self.b.spill(place.size)?;
        match place.root {
            Root::Local(s) | Root::Global(s) => {
                if rest.is_empty() {
                    self.b.get_local(temp, 1);
                    self.b.get_local(value, place.size);
                    self.idx_op(set, s + off, len, stride, 1 + stride, 0);
                    return Ok(());
                }
                self.b.get_local(temp, 1);
                self.idx_op(get, s + off, len, stride, 1, stride);
                let elem = self.b.spill(stride)?;
                self.b.get_local(value, place.size);
                self.write_place(&Place {
                    root: Root::Local(elem),
                    segs: rest,
                    size: place.size,
                })?;
                self.b.get_local(temp, 1);
                self.b.get_local(elem, stride);
                self.idx_op(set, s + off, len, stride, 1 + stride, 0);
            }
            Root::Gate(h) => {
                let total = len * stride;
                self.b.get_local(h, 1);
                self.gate(Opcode::GateLoad, off, total, 1, total);
                let arr = self.b.spill(total)?;
                let mut segs = vec![Seg::Index {
                    at: index,
                    len,
                    stride,
                }];
                segs.extend(rest);
                self.b.get_local(value, place.size);
                self.write_place(&Place {
                    root: Root::Local(arr),
                    segs,
                    size: place.size,
                })?;
                self.b.get_local(h, 1);
                self.b.get_local(arr, total);
                self.gate(Opcode::GateStore, off, total, 1 + total, 0);
            }
        }
        Ok(())
    }

    fn gate(&mut self, op: Opcode, off: u32, count: u32, pops: u32, pushes: u32) {
        let instr = Instr::new(op, &[ImmValue::U32(off), ImmValue::U32(count)]);
        self.b.dyn_op(instr, pops, pushes);
    }
}

/// The binary operator of a compound assignment.
fn compound_op(op: AssignOp) -> BinaryOp {
    match op {
        AssignOp::Add | AssignOp::Assign => BinaryOp::Add,
        AssignOp::Sub => BinaryOp::Sub,
        AssignOp::Mul => BinaryOp::Mul,
        AssignOp::Div => BinaryOp::Div,
        AssignOp::Rem => BinaryOp::Rem,
    }
}

mod expr;
