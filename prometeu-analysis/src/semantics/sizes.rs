//! Value sizes (`pbs-language.md` §3.6): a value is at most [`MAX_VALUE_SLOTS`] slots,
//! so every value a checked program writes fits one function's frame on the console.
//!
//! A slot is the unit of `bytecode.md` §2's flattening: a scalar, string, error value or
//! handle is one slot, a struct the sum of its fields, `[T; N]` N times T,
//! `optional<T>` one more than T, `result<T, E>` two more. The console gives one
//! function at most 65,534 slots for its locals and operand stack together, and a value
//! is built on the operand stack before it is stored in a local, so half of that (minus
//! nothing: 2 × 32,767 = 65,534) is the most one value may take.

use std::collections::{HashMap, HashSet};

use super::{Checker, SymbolKind, TypeKind};
use crate::{DiagnosticCode, Span, SymbolId, TypeId};

/// The most slots one value may have (`pbs-language.md` §3.6).
pub const MAX_VALUE_SLOTS: u64 = 32_767;

/// Where an array is written, for the size check after the bodies: a type `[T; N]`, a
/// repeat `[v; N]` or a literal, with the span the error points at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ArraySite {
    pub span: Span,
    pub ty: TypeId,
}

impl Checker<'_> {
    /// Remembers that an array of type `ty` is written at `span`.
    pub(crate) fn note_array(&mut self, span: Span, ty: TypeId) {
        self.arrays.push(ArraySite { span, ty });
    }

    /// The types a value of `ty` is made of, for [`Checker::value_slots`].
    fn size_parts(&self, ty: TypeId) -> Vec<TypeId> {
        match self.types.kind(ty) {
            TypeKind::Struct(s) => self.struct_field_types(s),
            TypeKind::Array(t, _) | TypeKind::Optional(t) | TypeKind::Result(t, _) => vec![t],
            _ => Vec::new(),
        }
    }

    fn struct_field_types(&self, s: SymbolId) -> Vec<TypeId> {
        self.defs
            .members(s)
            .iter()
            .filter(|&&m| {
                let sym = self.symbols.get(m);
                sym.kind == SymbolKind::Field && !sym.duplicate
            })
            .filter_map(|&m| self.facts.symbol_type(m))
            .collect()
    }

    /// The slots of a value of `ty` (saturating; a struct that contains itself, already
    /// an error, counts its cycle as nothing). A worklist, not recursion: struct chains
    /// can be as long as the program.
    pub(crate) fn value_slots(&self, root: TypeId, memo: &mut HashMap<TypeId, u64>) -> u64 {
        let mut open = HashSet::new();
        let mut work = vec![(root, false)];
        while let Some((ty, parts_done)) = work.pop() {
            if memo.contains_key(&ty) {
                continue;
            }
            if !parts_done {
                if !open.insert(ty) {
                    continue;
                }
                work.push((ty, true));
                for part in self.size_parts(ty) {
                    if !memo.contains_key(&part) && !open.contains(&part) {
                        work.push((part, false));
                    }
                }
                continue;
            }
            let of = |t: TypeId| memo.get(&t).copied().unwrap_or(0);
            let slots = match self.types.kind(ty) {
                TypeKind::Void | TypeKind::Error | TypeKind::Service(_) | TypeKind::Contract(_) => {
                    0
                }
                TypeKind::Struct(s) => self
                    .struct_field_types(s)
                    .into_iter()
                    .fold(0u64, |sum, t| sum.saturating_add(of(t))),
                TypeKind::Array(t, n) => of(t).saturating_mul(u64::from(n)),
                TypeKind::Optional(t) => of(t).saturating_add(1),
                TypeKind::Result(t, _) => of(t).saturating_add(2),
                _ => 1,
            };
            open.remove(&ty);
            memo.insert(ty, slots);
        }
        memo.get(&root).copied().unwrap_or(0)
    }

    /// Phase 4: every array written and every struct declared fits
    /// [`MAX_VALUE_SLOTS`]. Each oversized value is reported once, where it first
    /// grows past the limit: an array whose element fits (`E_TYPE_CONST_EVAL` at its
    /// length, or at the literal), a struct whose fields each fit (`E_TYPE_MISMATCH`).
    pub(crate) fn check_value_sizes(&mut self) {
        let mut memo = HashMap::new();
        let structs: Vec<SymbolId> = self
            .symbols
            .iter()
            .filter(|(_, s)| s.kind == SymbolKind::Struct && !s.duplicate)
            .map(|(id, _)| id)
            .collect();
        for s in structs {
            let Some(ty) = self.facts.symbol_type(s) else {
                continue;
            };
            let total = self.value_slots(ty, &mut memo);
            let fields_fit = self
                .struct_field_types(s)
                .into_iter()
                .all(|t| self.value_slots(t, &mut memo) <= MAX_VALUE_SLOTS);
            if total > MAX_VALUE_SLOTS && fields_fit {
                let span = self.symbols.get(s).decl_span;
                let name = self.text(self.symbols.get(s).name).to_string();
                self.report(
                    DiagnosticCode::TypeMismatch,
                    span,
                    format!(
                        "a `{name}` value takes {total} slots; a value may take at most {MAX_VALUE_SLOTS}"
                    ),
                );
            }
        }
        let sites = std::mem::take(&mut self.arrays);
        self.check_array_sites(sites, &mut memo);
    }

    /// The size check of some array sites (`memo` caches the slot count of each type).
    pub(crate) fn check_array_sites(
        &mut self,
        sites: Vec<ArraySite>,
        memo: &mut HashMap<TypeId, u64>,
    ) {
        for site in sites {
            let TypeKind::Array(elem, n) = self.types.kind(site.ty) else {
                continue;
            };
            let total = self.value_slots(site.ty, memo);
            if total > MAX_VALUE_SLOTS && self.value_slots(elem, memo) <= MAX_VALUE_SLOTS {
                let per = self.value_slots(elem, memo);
                self.report(
                    DiagnosticCode::TypeConstEval,
                    site.span,
                    format!(
                        "this array takes {total} slots ({n} × {per}); a value may take at most {MAX_VALUE_SLOTS}"
                    ),
                );
            }
        }
    }
}
