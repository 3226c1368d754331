//! Inlining of small leaf functions into their callers, on the linked bytecode.
//!
//! A `CALL f` is replaced by f's body when f, after its own callees were inlined into
//! it (bottom-up over the call graph), calls nothing, is at most
//! [`MAX_INLINE_INSTRS`] instructions long, and can never trap nor touch the heap,
//! strings or the console (see `can_inline_op`). Why only those: an inlined function
//! disappears from a trap's call stack, and a string or handle kept in a caller's
//! extra local would change what the collector keeps alive. With those rules nothing
//! observable changes except cycle totals, which are a property of the bytecode.
//!
//! At the call the arguments are the top `params` slots: the inlined body starts by
//! popping them into fresh caller locals (one block per caller, shared by all its
//! inlined bodies, after the caller's own locals), every local index of the body is
//! moved into that block, jumps are relocated, and each `RET` becomes a jump to the
//! end of the body. The verifier proves a `RET` finds exactly the return slots on the
//! stack and that the callee writes each non-parameter local before reading it on
//! every path, so the caller's stack below the arguments is untouched and the shared
//! block needs no zeroing. Function indices, exports and the callees themselves stay;
//! every inlined instruction keeps its source span in the debug map.

use prometeu_bytecode::verify::compute_max_stack;
use prometeu_bytecode::{Constant, ImmValue, Instr, LineRun, Opcode, Program, SlotKind};

/// The longest body (in instructions, its final `RET` included, after its own callees
/// were inlined) that is inlined. A `mut self` method spends a few of them copying the
/// receiver in and out, so this admits a method of about a dozen short statements.
pub const MAX_INLINE_INSTRS: usize = 48;

/// A source span in debug-map terms: `(file, start, end)`.
type SpanKey = (u32, u32, u32);

/// One instruction of a decoded body.
#[derive(Clone, Copy, Debug)]
struct Item {
    instr: Instr,
    /// For jumps: the index of the target instruction in the same body.
    target: Option<usize>,
    /// The span the debug map gives it, if the program has one.
    span: Option<SpanKey>,
}

/// A decoded function body.
#[derive(Clone, Debug)]
struct Body {
    items: Vec<Item>,
    /// Local slots beyond the original ones, used by inlined bodies.
    extra_locals: u32,
    /// Whether inlining changed the body.
    changed: bool,
}

/// A callee that may be inlined: its parameter slots and its whole frame (parameters,
/// locals and the block its own inlined callees use).
struct Template {
    params: u32,
    frame: u32,
}

/// Inlines small leaf functions into their callers (see the module doc). Leaves the
/// program unchanged when it does not decode, or when a rewritten function's stack
/// depth cannot be computed (which would be a bug here, never the input's fault).
pub fn inline_calls(program: &mut Program) {
    let Some(mut bodies) = decode_bodies(program) else {
        return;
    };
    let n = bodies.len();
    let mut templates: Vec<Option<Template>> = (0..n).map(|_| None).collect();
    for f in post_order(&bodies) {
        if let Some(body) = inline_into(program, &bodies, &templates, f) {
            bodies[f] = body;
        }
        templates[f] = template(program, &bodies[f], f);
    }
    if !bodies.iter().any(|b| b.changed) {
        return;
    }
    let original = program.clone();
    if !encode_bodies(program, &bodies) {
        *program = original;
        return;
    }
    for (i, body) in bodies.iter().enumerate() {
        if !body.changed {
            continue;
        }
        match compute_max_stack(program, i as u32) {
            Some(depth) => program.functions[i].max_stack = depth,
            None => {
                *program = original;
                return;
            }
        }
    }
}

/// Decodes every function, with jump targets as instruction indices and the span of
/// each instruction; `None` when some body does not decode or a jump target is not an
/// instruction start.
fn decode_bodies(program: &Program) -> Option<Vec<Body>> {
    let mut bodies = Vec::with_capacity(program.functions.len());
    for (i, f) in program.functions.iter().enumerate() {
        let code = program.function_code(i as u32)?;
        let decoded = Instr::decode_all(code).ok()?;
        let index_of = |pc: u32| decoded.binary_search_by_key(&pc, |(at, _)| *at).ok();
        let mut items = Vec::with_capacity(decoded.len());
        for &(pc, instr) in &decoded {
            let target = if is_jump(instr.op) {
                Some(index_of(instr.imm_u32(0))?)
            } else {
                None
            };
            let span = program
                .debug
                .as_ref()
                .and_then(|d| d.span_at(f.code_offset + pc))
                .map(|r| (r.file, r.start, r.end));
            items.push(Item {
                instr,
                target,
                span,
            });
        }
        bodies.push(Body {
            items,
            extra_locals: 0,
            changed: false,
        });
    }
    Some(bodies)
}

fn is_jump(op: Opcode) -> bool {
    matches!(op, Opcode::Jmp | Opcode::JmpIfFalse | Opcode::JmpIfTrue)
}

/// The called function of a `CALL`, if `item` is one.
fn callee(item: &Item) -> Option<usize> {
    (item.instr.op == Opcode::Call).then(|| item.instr.imm_u32(0) as usize)
}

/// Every function, callees before callers (a depth-first post-order from function 0
/// up, so deterministic); in a cycle, the one reached first comes last.
fn post_order(bodies: &[Body]) -> Vec<usize> {
    let n = bodies.len();
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    // (function, next item to look at); an explicit stack, so deep call chains cannot
    // overflow the compiler's own stack.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (f, at) = *top;
            let next = bodies[f].items[at..]
                .iter()
                .position(|item| callee(item).is_some_and(|g| g < n && !seen[g]));
            match next {
                Some(k) => {
                    top.1 = at + k + 1;
                    let g = callee(&bodies[f].items[at + k]).unwrap_or(f);
                    seen[g] = true;
                    stack.push((g, 0));
                }
                None => {
                    order.push(f);
                    stack.pop();
                }
            }
        }
    }
    order
}

/// `f`'s body with every call of an inlinable function replaced by that function's
/// body; `None` when nothing is inlined or the caller's frame would outgrow `u16`.
fn inline_into(
    program: &Program,
    bodies: &[Body],
    templates: &[Option<Template>],
    f: usize,
) -> Option<Body> {
    let caller = &bodies[f];
    let inlinable = |item: &Item| {
        callee(item)
            .filter(|&g| g != f)
            .and_then(|g| templates.get(g)?.as_ref().map(|t| (g, t)))
    };
    if !caller.items.iter().any(|i| inlinable(i).is_some()) {
        return None;
    }
    let own = &program.functions[f];
    let base = own.params.len() as u32 + u32::from(own.local_slots);
    let extra = caller
        .items
        .iter()
        .filter_map(|i| inlinable(i).map(|(_, t)| t.frame))
        .max()
        .unwrap_or(0);
    if u32::from(own.local_slots) + extra > u32::from(u16::MAX) {
        return None;
    }
    // Where each caller instruction starts in the new body.
    let mut new_index = Vec::with_capacity(caller.items.len());
    let mut len = 0usize;
    for item in &caller.items {
        new_index.push(len);
        len += match inlinable(item) {
            Some((g, t)) => expansion_len(&bodies[g], t),
            None => 1,
        };
    }
    let mut items = Vec::with_capacity(len);
    for item in &caller.items {
        let Some((g, t)) = inlinable(item) else {
            let mut copy = *item;
            copy.target = item.target.map(|j| new_index[j]);
            items.push(copy);
            continue;
        };
        let body = &bodies[g].items;
        if let Some(set) = set_locals(base, t.params) {
            items.push(Item {
                instr: set,
                target: None,
                span: item.span,
            });
        }
        let start = items.len();
        let end = items.len() + expansion_len(&bodies[g], t) - usize::from(t.params > 0);
        for (j, inner) in body.iter().enumerate() {
            if inner.instr.op == Opcode::Ret {
                if j + 1 == body.len() {
                    break;
                }
                items.push(Item {
                    instr: Instr::u32(Opcode::Jmp, 0),
                    target: Some(end),
                    span: inner.span,
                });
                continue;
            }
            items.push(Item {
                instr: shift_locals(inner.instr, base),
                target: inner.target.map(|k| start + k),
                span: inner.span,
            });
        }
    }
    Some(Body {
        items,
        extra_locals: extra,
        changed: true,
    })
}

/// How many instructions inlining `callee` takes: the argument store (when it has
/// parameters), then its body less a final `RET`, which falls through.
fn expansion_len(callee: &Body, t: &Template) -> usize {
    let trailing_ret = callee
        .items
        .last()
        .is_some_and(|i| i.instr.op == Opcode::Ret);
    usize::from(t.params > 0) + callee.items.len() - usize::from(trailing_ret)
}

/// The instruction that pops `count` arguments into the locals from `base`.
fn set_locals(base: u32, count: u32) -> Option<Instr> {
    match count {
        0 => None,
        1 => Some(Instr::u32(Opcode::SetLocal, base)),
        n => Some(Instr::new(
            Opcode::SetLocalN,
            &[ImmValue::U32(base), ImmValue::U32(n)],
        )),
    }
}

/// `instr` with its local slot index moved up by `base`.
fn shift_locals(instr: Instr, base: u32) -> Instr {
    match instr.op {
        // Saturating: only a program that fails verification has such indices, and it
        // still fails after the shift.
        Opcode::GetLocal | Opcode::SetLocal => {
            Instr::u32(instr.op, instr.imm_u32(0).saturating_add(base))
        }
        Opcode::GetLocalN | Opcode::SetLocalN => Instr::new(
            instr.op,
            &[
                ImmValue::U32(instr.imm_u32(0).saturating_add(base)),
                ImmValue::U32(instr.imm_u32(1)),
            ],
        ),
        _ => instr,
    }
}

/// `f` as an inlining template when it qualifies (see the module doc).
fn template(program: &Program, body: &Body, f: usize) -> Option<Template> {
    let func = &program.functions[f];
    let plain = |k: &SlotKind| !k.is_traced();
    if body.items.len() > MAX_INLINE_INSTRS
        || !func.params.iter().all(plain)
        || !func.returns.iter().all(plain)
        || !body.items.iter().all(|i| can_inline_op(program, &i.instr))
    {
        return None;
    }
    let frame = func.params.len() as u32 + u32::from(func.local_slots) + body.extra_locals;
    Some(Template {
        params: func.params.len() as u32,
        frame,
    })
}

/// Whether an inlined body may contain `instr`: it can never trap, allocate, call,
/// yield to the console or handle a string or heap handle.
fn can_inline_op(program: &Program, instr: &Instr) -> bool {
    use Opcode::*;
    let plain_globals = |slot: u32, count: u32| {
        let end = slot.checked_add(count).map(|e| e as usize);
        end.and_then(|e| program.globals.get(slot as usize..e))
            .is_some_and(|g| g.iter().all(|g| !g.kind.is_traced()))
    };
    match instr.op {
        Nop | Jmp | JmpIfFalse | JmpIfTrue | Ret => true,
        Pop | Dup | Swap | PopN | DupN => true,
        PushF64 | PushBool | PushI32 | PushBounded => true,
        PushConst => program
            .constants
            .get(instr.imm_u32(0) as usize)
            .is_some_and(|c| !matches!(c, Constant::Str(_))),
        IAdd | ISub | IMul | INeg | IAnd | IOr | IXor | IShl | IShr => true,
        FAdd | FSub | FMul | FDiv | FRem | FNeg => true,
        BAnd | BOr | BXor | BShr => true,
        IEq | INe | ILt | ILe | IGt | IGe | FEq | FNe | FLt | FLe | FGt | FGe => true,
        BoolEq | BoolNe | Not => true,
        BEq | BNe | BLt | BLe | BGt | BGe => true,
        I2F | F2I | B2I | B2F => true,
        GetLocal | SetLocal | GetLocalN | SetLocalN => true,
        GetGlobal | SetGlobal => plain_globals(instr.imm_u32(0), 1),
        GetGlobalN | SetGlobalN => plain_globals(instr.imm_u32(0), instr.imm_u32(1)),
        _ => false,
    }
}

/// Lays the bodies out back to back (functions tile `CODE` in order), resolves jump
/// targets to byte offsets, grows the frames of changed functions, and rebuilds the
/// debug line table; false when some function would outgrow its limits.
fn encode_bodies(program: &mut Program, bodies: &[Body]) -> bool {
    let mut code = Vec::with_capacity(program.code.len());
    let mut lines: Vec<LineRun> = Vec::new();
    for (f, body) in bodies.iter().enumerate() {
        let mut offsets = Vec::with_capacity(body.items.len());
        let mut pc = 0u64;
        for item in &body.items {
            offsets.push(pc);
            pc += item.instr.op.encoded_len() as u64;
        }
        let Ok(start) = u32::try_from(code.len()) else {
            return false;
        };
        if u32::try_from(pc).is_err() || u32::try_from(code.len() as u64 + pc).is_err() {
            return false;
        }
        for item in &body.items {
            let instr = match item.target {
                // A target past the last instruction only comes from a body that falls
                // off its end after a `CALL`, which the verifier rejects anyway.
                Some(t) => match offsets.get(t) {
                    Some(&at) => Instr::u32(item.instr.op, at as u32),
                    None => return false,
                },
                None => item.instr,
            };
            if let Some((file, s, e)) = item.span {
                let same = lines
                    .last()
                    .is_some_and(|l| (l.file, l.start, l.end) == (file, s, e));
                if !same {
                    lines.push(LineRun {
                        pc: code.len() as u32,
                        file,
                        start: s,
                        end: e,
                    });
                }
            }
            instr.encode(&mut code);
        }
        let func = &mut program.functions[f];
        let Ok(locals) = u16::try_from(u32::from(func.local_slots) + body.extra_locals) else {
            return false;
        };
        func.local_slots = locals;
        func.code_offset = start;
        func.code_len = pc as u32;
    }
    program.code = code;
    if let Some(debug) = &mut program.debug {
        debug.lines = lines;
    }
    true
}
