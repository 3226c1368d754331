//! Stack-to-register translation: turns one function's decoded stack ops into the
//! register-style ops the interpreter runs.
//!
//! A stack machine spends most of its time moving values: `GET_LOCAL a; GET_LOCAL b;
//! F_MUL; SET_LOCAL c` is four dispatches for one multiplication. The verifier knows
//! the operand stack depth before every instruction, so every operand slot has a fixed
//! place in the frame (`params + locals + depth`). Within a basic block the translator
//! keeps a symbolic operand stack whose entries are either in their frame slot or still
//! a copy of another slot or a constant, and emits three-address ops that read locals,
//! temporaries and constants directly: the example becomes one `FBin(Mul, c, a, b)`.
//!
//! Invariants:
//! * At every block boundary (jump targets, jumps, returns) and before every op that
//!   works on the stack itself (calls, system calls, heap and list ops, everything
//!   without a register form) the symbolic stack is flushed: every entry is in its frame
//!   slot, exactly as the stack machine would have it. Those ops then run unchanged,
//!   with `sp` taken from [`Decoded::sp`].
//! * A deferred copy of a local is flushed before that local is written.
//! * Every original instruction's cost is charged by exactly one emitted op (the one
//!   that completes it, or a later one in the same block), so cycle totals are those
//!   of the stack code; a trapping op carries the pc and opcode of its instruction.
//! * Only straight-line code inside one basic block is merged, so the budget can stop
//!   the program between any two emitted ops (`machine.md` §1).

use prometeu_bytecode::TrapCode;

use crate::load::{Cmp, Decoded, FloatOp, IntOp, Op, Reg};
use crate::value::Slot;

/// A `GET_LOCAL_N` of at most this many slots is deferred as copies.
const MAX_DEFERRED_SLOTS: u32 = 8;

/// At most this many constants per function live in frame slots: loading them is part
/// of every call.
const MAX_CONST_SLOTS: usize = 16;

/// One entry of the symbolic operand stack.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Sym {
    /// The value is in its own frame slot.
    Here,
    /// A copy of frame slot `Reg` (a local, or a stack slot further down).
    Copy(Reg),
    /// An int constant not yet written anywhere.
    Int(i32),
    /// A float constant not yet written anywhere.
    Float(f64),
    /// A bool constant not yet written anywhere.
    Bool(bool),
}

/// A function's ops after translation.
pub(crate) struct Translated {
    /// The ops; jump targets are indices into this vector.
    pub ops: Vec<Decoded>,
    /// The original instruction index each op reports in traps.
    pub origin: Vec<usize>,
    /// Frame slots above the operand stack that hold constants ([`Op::LoadConsts`]).
    pub const_slots: u32,
}

/// What the translator needs to know about the original code of one function.
pub(crate) struct Source<'a> {
    /// The decoded stack ops; jump targets are original instruction indices.
    pub ops: &'a [Decoded],
    /// Whether control can reach each op.
    pub reachable: &'a [bool],
    /// The operand stack depth before each reachable op (the verifier's).
    pub depths: &'a [u16],
    /// Parameter and local slots: where the operand stack starts in the frame.
    pub frame: Reg,
    /// The deepest the operand stack gets (the verifier's).
    pub max_stack: Reg,
    /// Slots the function returns.
    pub returns: u32,
    /// Whether to emit register forms; else every op stays the stack op it is.
    pub register_forms: bool,
}

/// Translates one function (see the module documentation).
///
/// Constants that ops read from slots live between the locals and the operand stack
/// (above it, a call's frame would overwrite them). How many there are is known only
/// after a first pass, so a function with any is translated twice; both passes make
/// the same decisions.
pub(crate) fn translate(
    src: &Source<'_>,
    floats: &mut Vec<f64>,
    const_pool: &mut Vec<Slot>,
) -> Translated {
    let mut first_floats = Vec::new();
    let first = pass(src, &mut first_floats, 0, MAX_CONST_SLOTS);
    let base = floats.len();
    if first.consts.is_empty() {
        floats.extend(first_floats);
        return finish(src, first, base, const_pool);
    }
    let count = first.consts.len();
    let mut second_floats = Vec::new();
    let second = pass(src, &mut second_floats, count as Reg, count);
    debug_assert_eq!(second.consts, first.consts);
    floats.extend(second_floats);
    finish(src, second, base, const_pool)
}

/// What one pass produced.
struct Pass {
    out: Vec<Decoded>,
    origin: Vec<usize>,
    start: Vec<u32>,
    consts: Vec<Sym>,
}

/// Adds the constants' prologue and resolves jump targets. Float constants of this
/// pass start at `floats_base` in the program's pool.
fn finish(
    src: &Source<'_>,
    mut p: Pass,
    floats_base: usize,
    const_pool: &mut Vec<Slot>,
) -> Translated {
    // Constants that ops read from frame slots are loaded once, on entry; jumps
    // (even back to the first instruction) land after that.
    let const_slots = p.consts.len() as u32;
    let prologue = u32::from(const_slots > 0);
    if const_slots > 0 {
        let load = Op::LoadConsts(src.frame, const_pool.len() as u32, const_slots);
        const_pool.extend(p.consts.iter().map(|c| match *c {
            Sym::Int(v) => Slot::int(v),
            Sym::Float(v) => Slot::float(v),
            Sym::Bool(v) => Slot::bool(v),
            Sym::Here | Sym::Copy(_) => unreachable!("only constants are pooled"),
        }));
        p.out.insert(
            0,
            Decoded {
                op: load,
                cost: 0,
                sp: src.frame,
                opcode: src.ops[0].opcode,
            },
        );
        p.origin.insert(0, 0);
    }
    for d in &mut p.out {
        d.op = retarget(d.op, |t| p.start[t as usize] + prologue);
        if let Op::BrFK(c, s, a, k, t) = d.op {
            d.op = Op::BrFK(c, s, a, k + floats_base as u32, t);
        }
    }
    Translated {
        ops: p.out,
        origin: p.origin,
        const_slots,
    }
}

/// One translation pass: the operand stack starts `const_slots` above the locals, and
/// at most `max_consts` constants get slots. Float constants go to `floats` (indices
/// from 0).
fn pass(src: &Source<'_>, floats: &mut Vec<f64>, const_slots: Reg, max_consts: usize) -> Pass {
    let n = src.ops.len();
    let mut leader = vec![false; n];
    if n > 0 {
        leader[0] = true;
    }
    let mut targeted = vec![false; n];
    for (i, d) in src.ops.iter().enumerate() {
        if let Some(t) = jump_target(d.op) {
            targeted[t as usize] = true;
        }
        if (is_jump(d.op) || ends_block(d.op)) && i + 1 < n {
            leader[i + 1] = true;
        }
    }
    // A `JMP` to a loop's test (a test at the bottom, entered once from the top) gets
    // a copy of the test instead: the test is then reached only by falling through
    // from the loop body, so it can fuse with the counter step before it.
    let mut copied_test = vec![None; n];
    let mut other_jumps = vec![false; n];
    for (i, d) in src.ops.iter().enumerate() {
        match (d.op, jump_target(d.op)) {
            (Op::Jmp(t), _) if src.register_forms && src.reachable[i] => {
                match test_len(src, t as usize, &targeted) {
                    Some(len) => copied_test[i] = Some((t, len)),
                    None => other_jumps[t as usize] = true,
                }
            }
            (_, Some(t)) => other_jumps[t as usize] = true,
            _ => {}
        }
    }
    for t in 0..n {
        leader[t] |= other_jumps[t];
    }
    let mut tx = Tx {
        src,
        copied_test,
        floats,
        consts: Vec::new(),
        stack_base: src.frame + const_slots,
        max_consts,
        out: Vec::with_capacity(n),
        origin: Vec::with_capacity(n),
        stack: Vec::new(),
        pending: 0,
        peak: 0,
        block_start: 0,
        start: vec![0; n],
    };
    let mut i = 0;
    while i < n {
        tx.start[i] = tx.out.len() as u32;
        if !src.reachable[i] {
            // Never run, never verified: a placeholder keeps the indices simple.
            tx.emit_raw(Op::Trap(TrapCode::Explicit), src.ops[i].cost, i);
            i += 1;
            continue;
        }
        if leader[i] {
            tx.block_start = tx.out.len();
            tx.stack.clear();
            tx.stack.resize(usize::from(src.depths[i]), Sym::Here);
        }
        let fused = i + 1 < n && !leader[i + 1] && src.reachable[i + 1];
        i += tx.step(i, if fused { Some(src.ops[i + 1]) } else { None });
        // Straight-line code falls into a jump target: leave the stack in memory.
        if i < n && leader[i] {
            tx.peak = 0;
            tx.flush(i - 1);
            if tx.pending > 0 {
                tx.emit_raw(Op::Nop, 0, i - 1);
            }
        }
    }
    // Jump targets become indices of the translated ops.
    Pass {
        out: tx.out,
        origin: tx.origin,
        start: tx.start,
        consts: tx.consts,
    }
}

struct Tx<'a> {
    src: &'a Source<'a>,
    /// For a `JMP` to a loop test that is copied in its place: the test's first
    /// instruction and length.
    copied_test: Vec<Option<(u32, usize)>>,
    /// The program's float constant pool ([`Op::BrFK`]).
    floats: &'a mut Vec<f64>,
    /// The constants this function reads from frame slots, in slot order.
    consts: Vec<Sym>,
    /// The frame slot of operand stack entry 0 (after the locals and constants).
    stack_base: Reg,
    /// How many constants may get slots in this pass.
    max_consts: usize,
    out: Vec<Decoded>,
    origin: Vec<usize>,
    stack: Vec<Sym>,
    /// Cycles of instructions consumed but not yet charged by an emitted op.
    pending: u32,
    /// The stack depth before the instruction being translated consumed its
    /// operands: emitted ops report at least this depth as `sp`, so a collector
    /// running while the program is suspended before them sees their operands.
    peak: usize,
    /// The first translated op of the current basic block.
    block_start: usize,
    /// The first translated op of each original instruction.
    start: Vec<u32>,
}

impl Tx<'_> {
    /// The frame slot of stack entry `k`.
    fn slot(&self, k: usize) -> Reg {
        self.stack_base + k as Reg
    }

    /// The frame slot the value of entry `k` can be read from, if it is in one.
    fn reg(&self, k: usize) -> Option<Reg> {
        match self.stack[k] {
            Sym::Here => Some(self.slot(k)),
            Sym::Copy(r) => Some(r),
            Sym::Int(_) | Sym::Float(_) | Sym::Bool(_) => None,
        }
    }

    /// Emits `op` charging the pending cycles plus `cost`; `sp` is the current depth.
    fn emit_raw(&mut self, op: Op, cost: u32, origin: usize) {
        let sp = self.slot(self.stack.len().max(self.peak));
        self.out.push(Decoded {
            op,
            cost: self.pending.saturating_add(cost),
            opcode: self.src.ops[origin].opcode,
            sp,
        });
        self.origin.push(origin);
        self.pending = 0;
    }

    /// Writes entry `k` to its frame slot.
    fn materialize(&mut self, k: usize, origin: usize) {
        let dst = self.slot(k);
        let op = match self.stack[k] {
            Sym::Here => return,
            Sym::Copy(r) => Op::Mov(dst, r),
            Sym::Int(v) => Op::MovI32(dst, v),
            Sym::Float(v) => Op::MovF64(dst, v),
            Sym::Bool(v) => Op::MovBool(dst, v),
        };
        self.stack[k] = Sym::Here;
        self.emit_raw(op, 0, origin);
    }

    /// Writes every entry to its frame slot; consecutive copies of consecutive locals
    /// (a deferred `GET_LOCAL_N`) go in one op.
    fn flush(&mut self, origin: usize) {
        let mut k = 0;
        while k < self.stack.len() {
            let run = self.local_run(k, self.stack.len());
            if run >= 2 {
                let Sym::Copy(src) = self.stack[k] else {
                    unreachable!("a run starts with a copy")
                };
                let op = Op::MovN(self.slot(k), src, run as Reg);
                self.stack[k..k + run].fill(Sym::Here);
                self.emit_raw(op, 0, origin);
                k += run;
            } else {
                self.materialize(k, origin);
                k += 1;
            }
        }
    }

    /// How many entries from `k` (before `end`) are copies of consecutive locals.
    fn local_run(&self, k: usize, end: usize) -> usize {
        let Sym::Copy(first) = self.stack[k] else {
            return 0;
        };
        let mut n = 0;
        while k + n < end
            && self.stack[k + n] == Sym::Copy(first + n as Reg)
            && first + (n as Reg) < self.src.frame
        {
            n += 1;
        }
        n
    }

    /// Whether one of the top `n` entries is a copy of a local among `dst..dst + n`
    /// (then `SET_LOCAL_N` stays the stack op, which reads everything first).
    fn store_reads_target(&self, dst: Reg, n: usize) -> bool {
        let writes = u32::from(dst)..u32::from(dst) + n as u32;
        self.stack[self.stack.len() - n..]
            .iter()
            .any(|e| matches!(e, Sym::Copy(r) if writes.contains(&u32::from(*r))))
    }

    /// `SET_LOCAL_N dst n` as slot moves: each run of the top `n` entries that are
    /// copies of consecutive locals, or values in consecutive stack slots, is one
    /// `MovN` (see [`Tx::store_reads_target`] for when it may not be used).
    fn store_locals(&mut self, dst: Reg, n: usize, i: usize) {
        let k = self.stack.len() - n;
        // Constants go to their own slots first, so every entry is a copy or in place.
        for j in k..self.stack.len() {
            if matches!(self.stack[j], Sym::Int(_) | Sym::Float(_) | Sym::Bool(_)) {
                self.materialize(j, i);
            }
        }
        let entries: Vec<Sym> = self.stack.drain(k..).collect();
        self.flush_copies_in(dst, n as Reg, i);
        let mut o = 0;
        while o < n {
            let (src, run) = match entries[o] {
                Sym::Copy(first) => {
                    let run = entries[o..]
                        .iter()
                        .enumerate()
                        .take_while(|&(m, e)| {
                            *e == Sym::Copy(first + m as Reg) && first + (m as Reg) < self.src.frame
                        })
                        .count()
                        .max(1);
                    (first, run)
                }
                _ => {
                    let run = entries[o..].iter().take_while(|e| **e == Sym::Here).count();
                    (self.slot(k + o), run)
                }
            };
            let op = match run {
                1 => Op::Mov(dst + o as Reg, src),
                _ => Op::MovN(dst + o as Reg, src, run as Reg),
            };
            self.emit_raw(op, 0, i);
            o += run;
        }
    }

    /// Writes every deferred copy of slot `r` to its own slot (before `r` changes).
    fn flush_copies_of(&mut self, r: Reg, origin: usize) {
        for k in 0..self.stack.len() {
            if self.stack[k] == Sym::Copy(r) {
                self.materialize(k, origin);
            }
        }
    }

    /// Swaps the two operands of an op about to consume them. An entry in its own slot
    /// still lives there after the swap, so it becomes a copy of that slot.
    fn swap_operands(&mut self, ka: usize, kb: usize) {
        for k in [ka, kb] {
            if self.stack[k] == Sym::Here {
                self.stack[k] = Sym::Copy(self.slot(k));
            }
        }
        self.stack.swap(ka, kb);
    }

    /// Writes every deferred copy of slots `start..start + n` to its own slot.
    fn flush_copies_in(&mut self, start: Reg, n: Reg, origin: usize) {
        let range = u32::from(start)..u32::from(start) + u32::from(n);
        for k in 0..self.stack.len() {
            if let Sym::Copy(r) = self.stack[k] {
                if range.contains(&u32::from(r)) {
                    self.materialize(k, origin);
                }
            }
        }
    }

    /// The first frame slot of the function's constants (right after the locals).
    fn const_base(&self) -> Reg {
        self.src.frame
    }

    /// The frame slot holding constant `c`, if there is room for it.
    fn const_reg(&mut self, c: Sym) -> Option<Reg> {
        let same = |a: &Sym| match (*a, c) {
            (Sym::Int(x), Sym::Int(y)) => x == y,
            (Sym::Float(x), Sym::Float(y)) => x.to_bits() == y.to_bits(),
            (Sym::Bool(x), Sym::Bool(y)) => x == y,
            _ => false,
        };
        let index = match self.consts.iter().position(same) {
            Some(index) => index,
            // Every slot of the frame, constants included, stays below `Reg::MAX`.
            None if u32::from(self.src.frame)
                + u32::from(self.src.max_stack)
                + (self.consts.len() as u32)
                + 1
                < u32::from(Reg::MAX)
                && self.consts.len() < self.max_consts =>
            {
                self.consts.push(c);
                self.consts.len() - 1
            }
            None => return None,
        };
        Some(self.const_base() + index as Reg)
    }

    /// Makes entry `k` readable from a slot: a constant is read from the function's
    /// constant slots (or, when they are full, written to its own slot).
    fn in_reg(&mut self, k: usize, origin: usize) -> Reg {
        if let Some(r) = self.reg(k) {
            return r;
        }
        if let Some(r) = self.const_reg(self.stack[k]) {
            return r;
        }
        self.materialize(k, origin);
        self.slot(k)
    }

    /// Translates instruction `i` (and `next`, when it fuses with it); returns how many
    /// original instructions were consumed.
    fn step(&mut self, i: usize, next: Option<Decoded>) -> usize {
        let d = self.src.ops[i];
        let cost = d.cost;
        self.peak = self.stack.len();
        let op = if self.src.register_forms {
            d.op
        } else {
            // Not a register form: the catch-all arm below.
            Op::Nop
        };
        match op {
            Op::GetLocal(x) if x <= Reg::MAX as u32 => {
                self.pending += cost;
                self.stack.push(Sym::Copy(x as Reg));
            }
            Op::PushI32(v) => {
                self.pending += cost;
                self.stack.push(Sym::Int(v));
            }
            Op::PushF64(v) => {
                self.pending += cost;
                self.stack.push(Sym::Float(v));
            }
            Op::PushBool(v) => {
                self.pending += cost;
                self.stack.push(Sym::Bool(v));
            }
            Op::ListLen => {
                self.pending += cost;
                let k = self.stack.len() - 1;
                let list = self.in_reg(k, i);
                self.stack[k] = Sym::Here;
                let dst = self.slot(k);
                self.emit_raw(Op::ListLenR(dst, list), 0, i);
            }
            Op::ListGet(1) => {
                self.pending += cost;
                let k = self.stack.len() - 2;
                let (list, index) = (self.in_reg(k, i), self.in_reg(k + 1, i));
                self.stack.truncate(k);
                self.stack.push(Sym::Here);
                let dst = self.slot(k);
                self.emit_raw(Op::ListGetR(dst, list, index), 0, i);
            }
            Op::ListSet(1) => {
                self.pending += cost;
                let k = self.stack.len() - 3;
                let list = self.in_reg(k, i);
                let index = self.in_reg(k + 1, i);
                let value = self.in_reg(k + 2, i);
                self.stack.truncate(k);
                self.emit_raw(Op::ListSetR(list, index, value), 0, i);
            }
            Op::GetLocalIdx(b, len, stride)
                if fits(b, stride)
                    && next.is_some_and(
                        |n| matches!(n.op, Op::SetLocalN(d, m) if m == stride && fits(d, m)),
                    ) =>
            {
                // `let e = array[i]`: straight from the element to the locals.
                let Some(Decoded {
                    op: Op::SetLocalN(dst, _),
                    cost: store_cost,
                    ..
                }) = next
                else {
                    unreachable!("matched above")
                };
                self.pending += cost;
                let k = self.stack.len() - 1;
                let index = self.in_reg(k, i);
                self.stack.truncate(k);
                self.flush_copies_in(dst as Reg, stride as Reg, i);
                let (b, stride) = (b as Reg, stride as Reg);
                let op = Op::GetIdxR(dst as Reg, b, stride, stride, index, len);
                self.emit_raw(op, 0, i);
                // The store cannot trap: charge it after the element read.
                self.pending += store_cost;
                return 2;
            }
            Op::GetLocalIdx(b, len, stride) if fits(b, stride) => {
                // An element onto the stack; when only its first slots are kept (a
                // field read: `POP_N` right after), only those are copied.
                let dropped = match next {
                    Some(Decoded {
                        op: Op::PopN(m),
                        cost: pop_cost,
                        ..
                    }) if m <= stride => Some((m, pop_cost)),
                    _ => None,
                };
                self.pending += cost;
                let k = self.stack.len() - 1;
                let index = self.in_reg(k, i);
                self.stack.truncate(k);
                let count = stride - dropped.map_or(0, |(m, _)| m);
                let op = Op::GetIdxR(
                    self.slot(k),
                    b as Reg,
                    stride as Reg,
                    count as Reg,
                    index,
                    len,
                );
                self.emit_raw(op, 0, i);
                self.stack.resize(k + count as usize, Sym::Here);
                if let Some((_, pop_cost)) = dropped {
                    self.pending += pop_cost;
                    return 2;
                }
            }
            Op::GetLocalN(src, n)
                if fits(src, n)
                    && next.is_some_and(
                        |d| matches!(d.op, Op::SetLocalIdx(b, _, m) if m == n && fits(b, m)),
                    ) =>
            {
                // `array[i] = e`: straight from the locals to the element.
                let Some(Decoded {
                    op: Op::SetLocalIdx(b, len, stride),
                    cost: store_cost,
                    ..
                }) = next
                else {
                    unreachable!("matched above")
                };
                let Some(end) = (b as u64).checked_add(u64::from(len) * u64::from(stride)) else {
                    unreachable!("the loader checked the array against the frame")
                };
                self.pending += cost + store_cost;
                let k = self.stack.len() - 1;
                let index = self.in_reg(k, i);
                self.stack.truncate(k);
                self.flush_copies_in(b as Reg, (end - b as u64) as Reg, i);
                let op = Op::SetIdxR(b as Reg, stride as Reg, index, src as Reg, len);
                self.emit_raw(op, 0, i + 1);
                return 2;
            }
            Op::GetLocalN(src, n) if (2..=MAX_DEFERRED_SLOTS).contains(&n) && fits(src, n) => {
                // Copies, written only where needed (often never: a `SET_LOCAL_N` or
                // a flush moves them in one op).
                self.pending += cost;
                for j in 0..n {
                    self.stack.push(Sym::Copy((src + j) as Reg));
                }
            }
            Op::SetLocalN(dst, n)
                if n >= 1
                    && fits(dst, n)
                    && n as usize <= self.stack.len()
                    && !self.store_reads_target(dst as Reg, n as usize) =>
            {
                self.pending += cost;
                self.store_locals(dst as Reg, n as usize, i);
            }
            Op::Ret if self.src.returns == 1 && self.reg(self.stack.len() - 1).is_some() => {
                // The frame goes away: nothing else on the stack needs to be written.
                let r = self.reg(self.stack.len() - 1).expect("checked");
                self.emit_raw(Op::RetR(r), cost, i);
            }
            Op::ListPush(1) => {
                // When the list must grow, the stack form takes over with the operands
                // in their own slots: everything below them must be in memory too.
                let k = self.stack.len() - 2;
                for j in 0..k {
                    self.materialize(j, i);
                }
                self.pending += cost;
                let (list, value) = (self.in_reg(k, i), self.in_reg(k + 1, i));
                self.emit_raw(Op::ListPushR(list, value), 0, i);
                self.stack.truncate(k);
            }
            Op::Pop => {
                self.pending += cost;
                self.stack.pop();
            }
            Op::Dup => {
                self.pending += cost;
                let k = self.stack.len() - 1;
                let top = match self.stack[k] {
                    Sym::Here => Sym::Copy(self.slot(k)),
                    other => other,
                };
                self.stack.push(top);
            }
            Op::SetLocal(x) if x <= Reg::MAX as u32 => {
                let x = x as Reg;
                self.pending += cost;
                let k = self.stack.len() - 1;
                let v = self
                    .stack
                    .pop()
                    .expect("verified: SET_LOCAL has an operand");
                self.flush_copies_of(x, i);
                let top = self.slot(k);
                // The op that just computed the value into the dead temporary can
                // write the local directly: in this block, the last op writing that
                // slot is the one that produced the value (at a block's start the
                // value may come from several predecessors).
                let in_block = self.out.len() > self.block_start;
                if let (Sym::Here, true, Some(last)) = (v, in_block, self.out.last_mut()) {
                    if self.pending == cost && write_target(last.op) == Some(top) {
                        set_write_target(&mut last.op, x);
                        // A trap must not have charged the store yet: its cost waits
                        // for the next op.
                        if !can_trap(&last.op) {
                            last.cost += cost;
                            self.pending = 0;
                        }
                        return 1;
                    }
                }
                let op = match v {
                    Sym::Here => Op::Mov(x, top),
                    Sym::Copy(r) if r == x => return 1,
                    Sym::Copy(r) => Op::Mov(x, r),
                    Sym::Int(c) => Op::MovI32(x, c),
                    Sym::Float(c) => Op::MovF64(x, c),
                    Sym::Bool(c) => Op::MovBool(x, c),
                };
                self.emit_raw(op, 0, i);
            }
            op if int_op(op).is_some() || float_op(op).is_some() => self.binary(i, op, cost),
            op if cmp_of(op).is_some() && next.is_some_and(|n| branch_sense(n.op).is_some()) => {
                let next = next.expect("checked");
                self.compare_branch(i, op, next, cost);
                return 2;
            }
            Op::Not
                if next.is_some_and(|n| branch_sense(n.op).is_some())
                    && self.reg(self.stack.len() - 1).is_some() =>
            {
                // `!c` as a condition: branch on `c` the other way round.
                let next = next.expect("checked");
                let (sense, target) = branch_sense(next.op).expect("checked");
                self.pending += cost;
                self.branch_on_top(i + 1, !sense, target, next.cost);
                return 2;
            }
            Op::INeg | Op::FNeg | Op::Not => {
                self.pending += cost;
                let k = self.stack.len() - 1;
                let a = self.in_reg(k, i);
                self.stack[k] = Sym::Here;
                let dst = self.slot(k);
                let op = match d.op {
                    Op::INeg => Op::INegR(dst, a),
                    Op::FNeg => Op::FNegR(dst, a),
                    _ => Op::NotR(dst, a),
                };
                self.emit_raw(op, 0, i);
            }
            op if branch_sense(op).is_some() && self.reg(self.stack.len() - 1).is_some() => {
                let (sense, target) = branch_sense(op).expect("checked");
                self.branch_on_top(i, sense, target, cost);
            }
            Op::Jmp(_) if self.copied_test[i].is_some() => {
                let Some((t, len)) = self.copied_test[i] else {
                    unreachable!("checked")
                };
                // The test runs here, then control goes on after the original test.
                self.pending += cost;
                let (t, end) = (t as usize, t as usize + len);
                let mut j = t;
                while j < end {
                    let next = (j + 1 < end).then(|| self.src.ops[j + 1]);
                    j += self.step(j, next);
                }
                self.flush(end - 1);
                self.emit_raw(Op::Jmp(end as u32), 0, i);
            }
            _ => {
                // Everything else works on the stack itself.
                let op = d.op;
                self.flush(i);
                self.emit_raw(op, cost, i);
                if !ends_block(op) && !is_jump(op) && i + 1 < self.src.ops.len() {
                    let depth = usize::from(self.src.depths[i + 1]);
                    self.stack.clear();
                    self.stack.resize(depth, Sym::Here);
                }
            }
        }
        1
    }

    /// A binary int or float operation.
    fn binary(&mut self, i: usize, op: Op, cost: u32) {
        self.pending += cost;
        let kb = self.stack.len() - 1;
        let ka = kb - 1;
        // A constant on the left of a commutative operation moves to the right.
        if self.reg(ka).is_none() && self.reg(kb).is_some() && commutative(op) {
            self.swap_operands(ka, kb);
        }
        let a = self.in_reg(ka, i);
        let b = self.stack[kb];
        let dst = self.slot(ka);
        let out = match (int_op(op), float_op(op), b) {
            (Some(f), _, Sym::Int(v)) => Op::IBinK(f, dst, a, v),
            (Some(f), _, _) => Op::IBin(f, dst, a, self.in_reg(kb, i)),
            (_, Some(f), Sym::Float(v)) => Op::FBinK(f, dst, a, v),
            (_, Some(f), _) => Op::FBin(f, dst, a, self.in_reg(kb, i)),
            (None, None, _) => unreachable!("binary is only called for int and float ops"),
        };
        self.stack.truncate(ka);
        self.stack.push(Sym::Here);
        match self.fuse_expression(out, dst) {
            Some(fused) => self.replace_last(fused),
            None => self.emit_raw(out, 0, i),
        }
    }

    /// Makes the last emitted op `fused` (it now also does the instructions pending),
    /// charging the pending cycles to it.
    fn replace_last(&mut self, fused: Op) {
        let Some(last) = self.out.last_mut() else {
            unreachable!("a fusion always has a last op")
        };
        last.op = fused;
        last.cost += self.pending;
        self.pending = 0;
    }

    /// `t = y <inner> z` just emitted, then `out` combining `t` (a dead temporary) with
    /// another operand: one op for both (`x -= a * b`, `s + a * b`).
    fn fuse_expression(&self, out: Op, dst: Reg) -> Option<Op> {
        if self.out.len() <= self.block_start {
            return None;
        }
        // The temporary is the slot of a consumed operand: `dst` or the one above it.
        let temp = |t: Reg| t == dst || t == dst + 1;
        match (self.out.last()?.op, out) {
            (Op::FBin(inner, t, y, z), Op::FBin(outer, d, a, b)) if temp(t) => {
                if b == t && a != t {
                    Some(Op::FBin2(outer, inner, false, d, a, y, z))
                } else if a == t && b != t {
                    Some(Op::FBin2(outer, inner, true, d, b, y, z))
                } else {
                    None
                }
            }
            (Op::IBin(inner, t, y, z), Op::IBin(outer, d, a, b))
                if temp(t) && !traps(inner) && !traps(outer) =>
            {
                if b == t && a != t {
                    Some(Op::IBin2(outer, inner, false, d, a, y, z))
                } else if a == t && b != t {
                    Some(Op::IBin2(outer, inner, true, d, b, y, z))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// A comparison and the conditional jump that consumes its result.
    fn compare_branch(&mut self, i: usize, op: Op, next: Decoded, cost: u32) {
        self.pending += cost + next.cost;
        let (mut cmp, float) = cmp_of(op).expect("checked");
        let (sense, target) = branch_sense(next.op).expect("checked");
        let kb = self.stack.len() - 1;
        let ka = kb - 1;
        // `k < x` is `x > k`: keep the constant on the right.
        if self.reg(ka).is_none() && self.reg(kb).is_some() {
            self.swap_operands(ka, kb);
            cmp = cmp.mirrored();
        }
        let a = self.in_reg(ka, i);
        let b = self.stack[kb];
        let b_reg = self.reg(kb);
        let out = match (float, b, b_reg) {
            (false, Sym::Int(v), _) => Op::BrIK(cmp, sense, a, v, target),
            (true, Sym::Float(v), _) if self.floats.len() < u32::MAX as usize => {
                self.floats.push(v);
                Op::BrFK(cmp, sense, a, (self.floats.len() - 1) as u32, target)
            }
            (true, _, Some(r)) => Op::BrF(cmp, sense, a, r, target),
            (false, _, Some(r)) => Op::BrI(cmp, sense, a, r, target),
            (true, _, None) => {
                let r = self.in_reg(kb, i);
                Op::BrF(cmp, sense, a, r, target)
            }
            (false, _, None) => {
                let r = self.in_reg(kb, i);
                Op::BrI(cmp, sense, a, r, target)
            }
        };
        self.stack.truncate(ka);
        // The successors read the rest of the stack from memory. Flushing writes only
        // the slots of other entries, never `a` or `b`.
        self.flush(i);
        if let Some(fused) = self.fuse_step_and_branch(out) {
            self.replace_last(fused);
            return;
        }
        self.emit_raw(out, 0, i + 1);
        // Trap reports never name a branch, but keep the comparison's opcode visible.
        if let Some(last) = self.out.last_mut() {
            last.opcode = self.src.ops[i].opcode;
        }
    }

    /// A loop's step and test in one op: `x += k` just before the branch `out` on `x`
    /// (same block, nothing emitted between them).
    fn fuse_step_and_branch(&self, out: Op) -> Option<Op> {
        if self.out.len() <= self.block_start {
            return None;
        }
        match (self.out.last()?.op, out) {
            (Op::IBinK(IntOp::Add, x, y, k), Op::BrI(c, s, a, b, t)) if x == y && a == x => {
                Some(Op::StepBrI(c, s, x, k, b, t))
            }
            (Op::IBinK(IntOp::Add, x, y, k), Op::BrIK(c, s, a, v, t)) if x == y && a == x => {
                Some(Op::StepBrIK(c, s, x, i16::try_from(k).ok()?, v, t))
            }
            // The step in a slot; it must not be `x` itself, which the step changes.
            (Op::IBin(IntOp::Add, x, y, k), Op::BrI(c, s, a, b, t))
                if x == y && a == x && k != x =>
            {
                Some(Op::StepBrR(c, s, x, k, b, t))
            }
            _ => None,
        }
    }

    /// A conditional jump on the top entry: jump to `target` when it equals `sense`.
    fn branch_on_top(&mut self, i: usize, sense: bool, target: u32, cost: u32) {
        self.pending += cost;
        let k = self.stack.len() - 1;
        let r = self.reg(k).expect("checked by the caller");
        self.stack.truncate(k);
        self.flush(i);
        // `if list[i]` / `if !list[i]`: the element read just before, into this dead
        // temporary, branches itself (nothing was emitted in between).
        let fresh = self.out.len() > self.block_start && r == self.slot(k);
        let last = self.out.last().map(|d| d.op).filter(|_| fresh);
        if let (Some(Op::ListGetR(dst, list, index)), Ok(branch_cost)) =
            (last, u16::try_from(self.pending))
        {
            if dst == r {
                // A trap in the read must not have charged the branch: the op knows
                // its cost and gives it back then.
                self.replace_last(Op::ListGetBr(sense, list, index, branch_cost, target));
                return;
            }
        }
        self.emit_raw(Op::JmpIf(sense, r, target), 0, i);
    }
}

/// The length of the loop test at `t` when a `JMP` there can be replaced by a copy:
/// two pushes of a local or constant, an int or float comparison and a conditional
/// jump, with no jump landing inside it.
fn test_len(src: &Source<'_>, t: usize, targeted: &[bool]) -> Option<usize> {
    let ops = src.ops.get(t..t + 4)?;
    let push = |op: Op| {
        matches!(op, Op::GetLocal(x) if x <= u32::from(Reg::MAX))
            || matches!(op, Op::PushI32(_) | Op::PushF64(_))
    };
    let shape = push(ops[0].op)
        && push(ops[1].op)
        && cmp_of(ops[2].op).is_some()
        && branch_sense(ops[3].op).is_some();
    let whole = (t..t + 4).all(|j| src.reachable[j]) && !targeted[t + 1..t + 4].contains(&true);
    (shape && whole && t + 4 < src.ops.len()).then_some(4)
}

/// Whether an int operation can trap (division by zero).
fn traps(f: IntOp) -> bool {
    matches!(f, IntOp::Div | IntOp::Rem)
}

/// Whether local slots `start..start + n` can be named by `Reg`s.
fn fits(start: u32, n: u32) -> bool {
    u64::from(start) + u64::from(n) < u64::from(Reg::MAX)
}

/// The int operation of a stack op with a register form.
fn int_op(op: Op) -> Option<IntOp> {
    Some(match op {
        Op::IAdd => IntOp::Add,
        Op::ISub => IntOp::Sub,
        Op::IMul => IntOp::Mul,
        Op::IDiv => IntOp::Div,
        Op::IRem => IntOp::Rem,
        Op::IAnd => IntOp::And,
        Op::IOr => IntOp::Or,
        Op::IXor => IntOp::Xor,
        Op::IShl => IntOp::Shl,
        Op::IShr => IntOp::Shr,
        _ => return None,
    })
}

/// The float operation of a stack op with a register form.
fn float_op(op: Op) -> Option<FloatOp> {
    Some(match op {
        Op::FAdd => FloatOp::Add,
        Op::FSub => FloatOp::Sub,
        Op::FMul => FloatOp::Mul,
        Op::FDiv => FloatOp::Div,
        _ => return None,
    })
}

fn commutative(op: Op) -> bool {
    matches!(
        op,
        Op::IAdd | Op::IMul | Op::IAnd | Op::IOr | Op::IXor | Op::FAdd | Op::FMul
    )
}

/// The comparison of an int or float compare op, and whether it compares floats.
fn cmp_of(op: Op) -> Option<(Cmp, bool)> {
    Some(match op {
        Op::IEq => (Cmp::Eq, false),
        Op::INe => (Cmp::Ne, false),
        Op::ILt => (Cmp::Lt, false),
        Op::ILe => (Cmp::Le, false),
        Op::IGt => (Cmp::Gt, false),
        Op::IGe => (Cmp::Ge, false),
        Op::FEq => (Cmp::Eq, true),
        Op::FNe => (Cmp::Ne, true),
        Op::FLt => (Cmp::Lt, true),
        Op::FLe => (Cmp::Le, true),
        Op::FGt => (Cmp::Gt, true),
        Op::FGe => (Cmp::Ge, true),
        _ => return None,
    })
}

/// For a conditional jump: the condition value that jumps, and the target.
fn branch_sense(op: Op) -> Option<(bool, u32)> {
    match op {
        Op::JmpIfFalse(t) => Some((false, t)),
        Op::JmpIfTrue(t) => Some((true, t)),
        _ => None,
    }
}

/// The jump target of a stack or register op, if it jumps.
fn jump_target(mut op: Op) -> Option<u32> {
    op.target_mut().copied()
}

fn is_jump(op: Op) -> bool {
    jump_target(op).is_some()
}

/// Ops after which control never falls through.
fn ends_block(op: Op) -> bool {
    matches!(
        op,
        Op::Jmp(_) | Op::Ret | Op::RetR(_) | Op::Halt | Op::Trap(_)
    )
}

/// `op` with its jump target mapped by `f`.
fn retarget(mut op: Op, f: impl Fn(u32) -> u32) -> Op {
    if let Some(t) = op.target_mut() {
        *t = f(*t);
    }
    op
}

/// The frame slot a register op writes, if it writes exactly one.
fn write_target(mut op: Op) -> Option<Reg> {
    op.written_slot_mut().copied()
}

/// Whether a register-form op can trap (int division by zero, list access).
fn can_trap(op: &Op) -> bool {
    matches!(
        op,
        Op::IBin(IntOp::Div | IntOp::Rem, ..)
            | Op::IBinK(IntOp::Div | IntOp::Rem, ..)
            | Op::ListLenR(..)
            | Op::ListGetR(..)
            | Op::ListGetBr(..)
            | Op::GetIdxR(..)
    )
}

fn set_write_target(op: &mut Op, to: Reg) {
    if let Some(d) = op.written_slot_mut() {
        *d = to;
    }
}
