//! Value layout (`bytecode.md` §2): how a PBS type flattens into slots, and the heap
//! layouts (`TYPE`) that handles point to.
//!
//! A struct is its fields in order; `[T; N]` is N times T; `optional<T>` is a `bool`
//! tag then T; `result<T, E>` a `bool` tag, T, then the `i32` error-case index; an error
//! value one `i32`; `ref<T>`/`list<T>` one handle slot naming a heap layout.

use std::collections::HashMap;
use std::rc::Rc;

use prometeu_analysis::semantics::{SymbolKind, TypeArena, TypeKind};
use prometeu_analysis::{Analysis, SymbolId, TypeId};
use prometeu_bytecode::{Layout, LayoutKind, SlotKind};

use crate::error::{CResult, CompileError};

/// Slot layouts of every type seen so far, and the heap-layout table in first-use order.
#[derive(Default)]
pub struct Layouts {
    slots: HashMap<TypeId, Rc<[SlotKind]>>,
    /// The `TYPE` section being built.
    pub heap: Vec<Layout>,
    /// Heap layout index of each `ref<T>` / `list<T>` type (types are interned, so this
    /// also deduplicates equal layouts of equal types).
    heap_by_type: HashMap<TypeId, u32>,
}

impl Layouts {
    /// The flattened slot kinds of `ty`.
    pub fn slots(&mut self, a: &Analysis, ty: TypeId) -> CResult<Rc<[SlotKind]>> {
        if let Some(s) = self.slots.get(&ty) {
            return Ok(Rc::clone(s));
        }
        let mut out = Vec::new();
        self.flatten(a, ty, &mut out)?;
        let rc: Rc<[SlotKind]> = out.into();
        self.slots.insert(ty, Rc::clone(&rc));
        Ok(rc)
    }

    /// The number of slots of `ty`.
    pub fn size(&mut self, a: &Analysis, ty: TypeId) -> CResult<u32> {
        Ok(self.slots(a, ty)?.len() as u32)
    }

    /// The heap layout index of the handle type `handle` (`ref<T>` or `list<T>`).
    pub fn handle_layout(&mut self, a: &Analysis, handle: TypeId) -> CResult<u32> {
        if let Some(&i) = self.heap_by_type.get(&handle) {
            return Ok(i);
        }
        let (kind, inner) = match a.types.kind(handle) {
            TypeKind::Ref(t) => (LayoutKind::Ref, t),
            TypeKind::List(t) => (LayoutKind::List, t),
            _ => {
                return Err(CompileError::internal(
                    None,
                    "a handle layout of a non-handle type",
                ));
            }
        };
        // Reserve the index first: `struct Node(next: optional<ref<Node>>)` reaches its
        // own layout while computing it.
        let i = self.heap.len() as u32;
        self.heap.push(Layout {
            kind,
            slots: Vec::new(),
        });
        self.heap_by_type.insert(handle, i);
        let slots = self.slots(a, inner)?.to_vec();
        self.heap[i as usize].slots = slots;
        Ok(i)
    }

    /// Appends the slots of `ty` to `out`. Types nest as deep as the program's struct
    /// chains go (the checker bounds their size, not their depth), so each level runs
    /// with enough stack (`ensure_sufficient_stack`) instead of under a depth limit.
    fn flatten(&mut self, a: &Analysis, ty: TypeId, out: &mut Vec<SlotKind>) -> CResult<()> {
        prometeu_analysis::stack::ensure_sufficient_stack(|| self.flatten_level(a, ty, out))
    }

    fn flatten_level(&mut self, a: &Analysis, ty: TypeId, out: &mut Vec<SlotKind>) -> CResult<()> {
        if out.len() > u16::MAX as usize {
            return Err(CompileError::limit(
                None,
                "a value needs more than 65535 slots",
            ));
        }
        match a.types.kind(ty) {
            TypeKind::Void => {}
            TypeKind::Int | TypeKind::ErrorType(_) => out.push(SlotKind::I32),
            TypeKind::Float => out.push(SlotKind::F64),
            TypeKind::Bounded => out.push(SlotKind::U16),
            TypeKind::Bool => out.push(SlotKind::Bool),
            TypeKind::String => out.push(SlotKind::Str),
            TypeKind::Struct(s) => {
                for f in struct_fields(a, s) {
                    let fty = a.facts.symbol_type(f).unwrap_or(TypeArena::ERROR);
                    match self.slots.get(&fty) {
                        Some(done) => out.extend_from_slice(done),
                        None => self.flatten(a, fty, out)?,
                    }
                }
            }
            TypeKind::Array(t, n) => {
                let mut elem = Vec::new();
                self.flatten(a, t, &mut elem)?;
                if elem.len().saturating_mul(n as usize) > u16::MAX as usize {
                    return Err(CompileError::limit(
                        None,
                        "an array needs more than 65535 slots",
                    ));
                }
                for _ in 0..n {
                    out.extend_from_slice(&elem);
                }
            }
            TypeKind::Optional(t) => {
                out.push(SlotKind::Bool);
                self.flatten(a, t, out)?;
            }
            TypeKind::Result(t, _) => {
                out.push(SlotKind::Bool);
                self.flatten(a, t, out)?;
                out.push(SlotKind::I32);
            }
            TypeKind::Ref(_) | TypeKind::List(_) => {
                out.push(SlotKind::Ref(self.handle_layout(a, ty)?));
            }
            TypeKind::Error | TypeKind::Service(_) | TypeKind::Contract(_) => {
                return Err(CompileError::internal(
                    None,
                    format!("type `{}` has no value layout", a.display_type(ty)),
                ));
            }
        }
        Ok(())
    }
}

/// The fields of struct `s`, in declaration order.
pub fn struct_fields(a: &Analysis, s: SymbolId) -> impl Iterator<Item = SymbolId> + '_ {
    a.defs
        .members(s)
        .iter()
        .copied()
        .filter(|&m| a.symbols.get(m).kind == SymbolKind::Field && !a.symbols.get(m).duplicate)
}

/// The slot offset and type of field `field` inside struct `s`.
pub fn field_offset(
    layouts: &mut Layouts,
    a: &Analysis,
    s: SymbolId,
    field: SymbolId,
) -> CResult<(u32, TypeId)> {
    let mut off = 0;
    for f in struct_fields(a, s) {
        let fty = a.facts.symbol_type(f).unwrap_or(TypeArena::ERROR);
        if f == field {
            return Ok((off, fty));
        }
        off += layouts.size(a, fty)?;
    }
    Err(CompileError::internal(
        None,
        "a field that is not in its struct",
    ))
}

/// The index of error case `case` within its error type (its `i32` value).
pub fn case_index(a: &Analysis, case: SymbolId) -> i32 {
    let Some(owner) = a.symbols.get(case).parent else {
        return 0;
    };
    a.defs
        .members(owner)
        .iter()
        .filter(|&&m| a.symbols.get(m).kind == SymbolKind::ErrorCase)
        .position(|&m| m == case)
        .map_or(0, |i| i as i32)
}
