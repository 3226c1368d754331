//! Per-function facts the interpreter needs from verification, computed here until
//! `prometeu-bytecode`'s verifier exports them.
//!
//! **Replaceable.** This module is a stand-in for `verify_program`'s `VerifiedProgram`:
//! it infers the slot kinds on the operand stack with a forward data-flow pass, and
//! from them derives (a) each function's real maximum operand-stack depth and (b) the
//! slot count of instructions whose stack effect depends on the *layout of a handle*
//! (`PEEK`, `TAKE`, `LIST_*`), which the interpreter must know before it can find the
//! handle under the element slots. It does not check types beyond that: it is not a
//! verifier, and the VM's precondition stays "the program passed `verify_program`".
//! [`crate::Vm::from_verified`] takes the same facts from the verifier's
//! `VerifiedProgram` instead; [`crate::Vm::new`] uses this module.

use prometeu_bytecode::{Instr, LayoutKind, Opcode, Program, SlotKind, StackEffect};

/// A slot kind, or `None` when the pass cannot know it (a local written with different
/// kinds on different paths, or a system call result).
type Kind = Option<SlotKind>;

/// What the interpreter needs to know about one function.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct FunctionFacts {
    /// The deepest the operand stack gets, in slots.
    pub max_stack: u32,
    /// Per instruction: the element or value slot count for `PEEK`, `TAKE` and the
    /// list instructions (0 for every other instruction).
    pub op_slots: Vec<u32>,
}

#[derive(Clone, PartialEq, Debug)]
struct State {
    stack: Vec<Kind>,
    locals: Vec<Kind>,
}

/// Infers the facts of one function. `instrs` are its instructions in order and
/// `targets[i]` the instruction index a jump at `i` lands on (already validated).
pub(crate) fn function_facts(
    program: &Program,
    func: u32,
    instrs: &[Instr],
    targets: &[usize],
) -> Result<FunctionFacts, String> {
    let f = &program.functions[func as usize];
    let n = instrs.len();
    let mut leader = vec![false; n];
    if n == 0 {
        return Err("empty function".into());
    }
    leader[0] = true;
    for (i, instr) in instrs.iter().enumerate() {
        if instr.op.is_jump() {
            leader[targets[i]] = true;
        }
        if (instr.op.is_jump() || instr.op.ends_block()) && i + 1 < n {
            leader[i + 1] = true;
        }
    }
    let mut locals: Vec<Kind> = f.params.iter().map(|k| Some(*k)).collect();
    locals.resize(f.params.len() + f.local_slots as usize, None);
    let mut entry: Vec<Option<State>> = vec![None; n];
    entry[0] = Some(State {
        stack: Vec::new(),
        locals,
    });
    let mut work = vec![0usize];
    let mut facts = FunctionFacts {
        max_stack: 0,
        op_slots: vec![0; n],
    };
    let mut recorded = vec![false; n];
    while let Some(start) = work.pop() {
        let mut state = entry[start].clone().expect("queued blocks have a state");
        let mut i = start;
        loop {
            let instr = &instrs[i];
            let slots = step(program, f.returns.len(), &mut state, instr)
                .map_err(|e| format!("instruction {i} ({}): {e}", instr.op.mnemonic()))?;
            if recorded[i] && facts.op_slots[i] != slots {
                return Err(format!("instruction {i}: slot count differs between paths"));
            }
            recorded[i] = true;
            facts.op_slots[i] = slots;
            facts.max_stack = facts.max_stack.max(state.stack.len() as u32);
            if instr.op.is_jump() {
                merge(&mut entry, &mut work, targets[i], &state)?;
            }
            if instr.op.ends_block() {
                break;
            }
            i += 1;
            if i >= n {
                return Err("control falls off the end of the function".into());
            }
            if leader[i] {
                merge(&mut entry, &mut work, i, &state)?;
                break;
            }
        }
    }
    Ok(facts)
}

fn merge(
    entry: &mut [Option<State>],
    work: &mut Vec<usize>,
    at: usize,
    state: &State,
) -> Result<(), String> {
    match &mut entry[at] {
        slot @ None => {
            *slot = Some(state.clone());
            work.push(at);
        }
        Some(old) => {
            if old.stack.len() != state.stack.len() {
                return Err(format!("stack heights differ at join {at}"));
            }
            let mut changed = false;
            let pairs = old
                .stack
                .iter_mut()
                .zip(&state.stack)
                .chain(old.locals.iter_mut().zip(&state.locals));
            for (a, b) in pairs {
                if a.is_some() && *a != *b {
                    *a = None;
                    changed = true;
                }
            }
            if changed {
                work.push(at);
            }
        }
    }
    Ok(())
}

fn pop(state: &mut State, n: usize) -> Result<Vec<Kind>, String> {
    let len = state.stack.len();
    if n > len {
        return Err("stack underflow".into());
    }
    Ok(state.stack.split_off(len - n))
}

fn layout_slots(program: &Program, kind: Kind, want: LayoutKind) -> Result<&[SlotKind], String> {
    match kind {
        Some(SlotKind::Ref(t)) => match program.layouts.get(t as usize) {
            Some(layout) if layout.kind == want => Ok(&layout.slots),
            _ => Err(format!("handle of layout {t} is not a {want:?}")),
        },
        _ => Err("expected a handle of known layout".into()),
    }
}

fn kinds(slots: &[SlotKind]) -> impl Iterator<Item = Kind> + '_ {
    slots.iter().map(|k| Some(*k))
}

/// Finds the element slot count `k` of a list instruction whose stack is
/// `[…, list, <extra_below kinds>, element(k slots)]`: the smallest `k` for which the
/// slot `k + extra_below` deep is a list handle whose element layout matches the top `k`
/// kinds. (The opcode carries no layout immediate, so the element size comes from the
/// handle's static kind.)
fn list_element_slots(program: &Program, state: &State, extra_below: usize) -> Result<u32, String> {
    let len = state.stack.len();
    for k in 0..len.saturating_sub(extra_below) {
        let at = len - 1 - k - extra_below;
        let Ok(slots) = layout_slots(program, state.stack[at], LayoutKind::List) else {
            continue;
        };
        if slots.len() != k {
            continue;
        }
        let top = &state.stack[len - k..];
        if top
            .iter()
            .zip(slots)
            .all(|(a, b)| a.is_none() || *a == Some(*b))
        {
            return Ok(k as u32);
        }
    }
    Err("no list handle under the element".into())
}

/// Applies one instruction's effect; returns its recorded slot count.
fn step(
    program: &Program,
    ret_slots: usize,
    state: &mut State,
    instr: &Instr,
) -> Result<u32, String> {
    let imm = |i| instr.imm_u32(i) as usize;
    let local = |state: &State, i: usize| -> Result<Kind, String> {
        state
            .locals
            .get(i)
            .copied()
            .ok_or_else(|| "local out of range".into())
    };
    let global = |i: usize| -> Result<Kind, String> {
        program
            .globals
            .get(i)
            .map(|g| Some(g.kind))
            .ok_or_else(|| "global out of range".into())
    };
    let mut recorded = 0;
    match instr.op {
        Opcode::PushConst => {
            let c = program
                .constants
                .get(imm(0))
                .ok_or("constant out of range")?;
            state.stack.push(Some(c.kind()));
        }
        Opcode::Pop => {
            pop(state, 1)?;
        }
        Opcode::PopN => {
            pop(state, imm(0))?;
        }
        Opcode::Dup => {
            let top = pop(state, 1)?;
            state.stack.extend(top.iter().chain(&top));
        }
        Opcode::DupN => {
            let top = pop(state, imm(0))?;
            state.stack.extend(top.iter().chain(&top));
        }
        Opcode::Swap => {
            let top = pop(state, 2)?;
            state.stack.extend([top[1], top[0]]);
        }
        Opcode::PushNull => state.stack.push(Some(SlotKind::Ref(imm(0) as u32))),
        Opcode::Call => {
            let callee = program
                .functions
                .get(imm(0))
                .ok_or("function out of range")?;
            pop(state, callee.params.len())?;
            state.stack.extend(kinds(&callee.returns));
        }
        Opcode::Ret => {
            pop(state, ret_slots)?;
        }
        Opcode::GetLocal => {
            let k = local(state, imm(0))?;
            state.stack.push(k);
        }
        Opcode::SetLocal => {
            let v = pop(state, 1)?;
            local(state, imm(0))?;
            state.locals[imm(0)] = v[0];
        }
        Opcode::GetGlobal => state.stack.push(global(imm(0))?),
        Opcode::SetGlobal => {
            pop(state, 1)?;
        }
        Opcode::GetLocalN => {
            for i in imm(0)..imm(0) + imm(1) {
                let k = local(state, i)?;
                state.stack.push(k);
            }
        }
        Opcode::SetLocalN => {
            let vs = pop(state, imm(1))?;
            for (i, v) in (imm(0)..).zip(vs) {
                local(state, i)?;
                state.locals[i] = v;
            }
        }
        Opcode::GetGlobalN => {
            for i in imm(0)..imm(0) + imm(1) {
                state.stack.push(global(i)?);
            }
        }
        Opcode::SetGlobalN => {
            pop(state, imm(1))?;
        }
        Opcode::GetLocalIdx => {
            pop(state, 1)?;
            for i in imm(0)..imm(0) + imm(2) {
                let k = local(state, i)?;
                state.stack.push(k);
            }
        }
        Opcode::SetLocalIdx => {
            let vs = pop(state, imm(2))?;
            pop(state, 1)?;
            let (base, len, stride) = (imm(0), imm(1), imm(2));
            for e in 0..len {
                for (j, v) in vs.iter().enumerate() {
                    let i = base + e * stride + j;
                    local(state, i)?;
                    state.locals[i] = *v;
                }
            }
        }
        Opcode::GetGlobalIdx => {
            pop(state, 1)?;
            for i in imm(0)..imm(0) + imm(2) {
                state.stack.push(global(i)?);
            }
        }
        Opcode::SetGlobalIdx => {
            pop(state, imm(2) + 1)?;
        }
        Opcode::Alloc => {
            let layout = program.layouts.get(imm(0)).ok_or("layout out of range")?;
            pop(state, layout.slots.len())?;
            state.stack.push(Some(SlotKind::Ref(imm(0) as u32)));
        }
        Opcode::Peek | Opcode::Take => {
            let h = pop(state, 1)?;
            let slots = layout_slots(program, h[0], LayoutKind::Ref)?;
            state.stack.extend(kinds(slots));
            recorded = slots.len() as u32;
        }
        Opcode::BorrowBegin | Opcode::MutateBegin => {
            let h = pop(state, 1)?;
            state.stack.push(h[0]);
        }
        Opcode::BorrowEnd | Opcode::MutateEnd => {
            pop(state, 1)?;
        }
        Opcode::GateLoad => {
            let h = pop(state, 1)?;
            let slots = layout_slots(program, h[0], LayoutKind::Ref)?;
            let range = slots
                .get(imm(0)..imm(0) + imm(1))
                .ok_or("slots out of range")?;
            state.stack.extend(kinds(range));
        }
        Opcode::GateStore => {
            pop(state, imm(1) + 1)?;
        }
        Opcode::RefEq | Opcode::RefNe => {
            pop(state, 2)?;
            state.stack.push(Some(SlotKind::Bool));
        }
        Opcode::Syscall => {
            let sys = program
                .syscalls
                .iter()
                .find(|s| s.id == imm(0) as u32)
                .ok_or("system call not declared in SYSC")?;
            pop(state, sys.arg_slots as usize)?;
            state.stack.extend((0..sys.ret_slots).map(|_| None));
        }
        Opcode::ListNew => state.stack.push(Some(SlotKind::Ref(imm(0) as u32))),
        Opcode::ListLen => {
            pop(state, 1)?;
            state.stack.push(Some(SlotKind::I32));
        }
        Opcode::ListPush => {
            let k = list_element_slots(program, state, 0)?;
            pop(state, k as usize + 1)?;
            recorded = k;
        }
        Opcode::ListSet | Opcode::ListInsert => {
            let k = list_element_slots(program, state, 1)?;
            pop(state, k as usize + 2)?;
            recorded = k;
        }
        Opcode::ListPop => {
            let h = pop(state, 1)?;
            let slots = layout_slots(program, h[0], LayoutKind::List)?;
            state.stack.push(Some(SlotKind::Bool));
            state.stack.extend(kinds(slots));
            recorded = slots.len() as u32;
        }
        Opcode::ListGet | Opcode::ListRemove => {
            let v = pop(state, 2)?;
            let slots = layout_slots(program, v[0], LayoutKind::List)?;
            state.stack.extend(kinds(slots));
            recorded = slots.len() as u32;
        }
        Opcode::ListClear => {
            pop(state, 1)?;
        }
        op => match op.stack_effect() {
            StackEffect::Fixed { pops, pushes } => {
                pop(state, pops.len())?;
                state.stack.extend(kinds(pushes));
            }
            StackEffect::Dynamic => return Err("no stack rule for this opcode".into()),
        },
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometeu_bytecode::{Function, Layout};

    fn program(layouts: Vec<Layout>, params: Vec<SlotKind>) -> Program {
        Program {
            layouts,
            functions: vec![Function {
                params,
                local_slots: 2,
                ..Function::default()
            }],
            ..Program::default()
        }
    }

    #[test]
    fn list_push_finds_the_handle_under_a_two_slot_element() {
        let p = program(
            vec![Layout {
                kind: LayoutKind::List,
                slots: vec![SlotKind::I32, SlotKind::F64],
            }],
            vec![],
        );
        let instrs = [
            Instr::u32(Opcode::ListNew, 0),
            Instr::new(Opcode::PushI32, &[prometeu_bytecode::ImmValue::I32(1)]),
            Instr::new(Opcode::PushF64, &[prometeu_bytecode::ImmValue::F64(1.0)]),
            Instr::op(Opcode::ListPush),
            Instr::op(Opcode::Ret),
        ];
        let facts = function_facts(&p, 0, &instrs, &[0; 5]).unwrap();
        assert_eq!(facts.op_slots, [0, 0, 0, 2, 0]);
        assert_eq!(facts.max_stack, 3);
    }

    #[test]
    fn underflow_and_falling_off_are_errors() {
        let p = program(vec![], vec![]);
        assert!(function_facts(&p, 0, &[Instr::op(Opcode::Pop)], &[0]).is_err());
        assert!(function_facts(&p, 0, &[Instr::op(Opcode::Nop)], &[0]).is_err());
    }
}
