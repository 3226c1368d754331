//! Constant evaluation (`docs/spec/pbs-language.md` §6.8): `declare const`, `const`
//! members, service field initialisers and array lengths are folded here, with the
//! run-time arithmetic of §3.1 (wrapping ints, trapping bounded and division).

use std::sync::Arc;

use super::{Checker, SymbolKind, TypeArena};
use crate::syntax::{BinaryOp, NodeKind, UnaryOp};
use crate::{DiagnosticCode, FileId, NodeId, Span, SymbolId};

/// The most elements a constant array repeat may fold to; bigger ones are
/// `E_TYPE_CONST_EVAL` (they would not fit a cartridge's constant pool anyway).
pub const MAX_CONST_ELEMENTS: u32 = 65_536;

/// How many constants may be evaluated inside one another (only a cycle nests: see
/// [`Checker::eval_consts`]).
const MAX_CONST_DEPTH: u32 = 64;

/// A folded constant value.
#[derive(Clone, PartialEq, Debug)]
pub enum ConstValue {
    /// An `int`.
    Int(i32),
    /// A `float`.
    Float(f64),
    /// A `bounded`.
    Bounded(u16),
    /// A `bool`.
    Bool(bool),
    /// A `string`.
    Str(String),
    /// A struct value: the struct and its fields in order.
    Struct(SymbolId, Vec<ConstValue>),
    /// A fixed array.
    Array(Vec<ConstValue>),
    /// An error case.
    Case(SymbolId),
    /// `alloc v` in a service field initialiser: new storage holding `v`.
    Alloc(Box<ConstValue>),
    /// `alloc list<T>()` in a service field initialiser: a new empty list.
    NewList,
}

/// Where a constant's evaluation stands.
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum ConstState {
    /// Being evaluated: meeting it again is a cycle.
    Evaluating,
    /// Done; `None` when it failed (reported once).
    Done(Option<ConstValue>),
}

/// Why evaluation stopped: `None` when an earlier error already explains it.
type Failure = Option<(Span, String)>;

impl Checker<'_> {
    /// Phase 3b: every constant and service field, dependencies before dependents
    /// (an explicit post-order walk, so long chains of constants never recurse deeply).
    pub(crate) fn eval_consts(&mut self) {
        let consts: Vec<SymbolId> = self
            .symbols
            .iter()
            .filter(|(_, s)| {
                matches!(
                    s.kind,
                    SymbolKind::Const | SymbolKind::AssocConst | SymbolKind::ServiceField
                )
            })
            .map(|(id, _)| id)
            .collect();
        let mut visited = std::collections::HashSet::new();
        let mut order = Vec::with_capacity(consts.len());
        for root in consts {
            if !visited.insert(root) {
                continue;
            }
            let mut stack = vec![(root, self.const_deps(root), 0usize)];
            while let Some((symbol, deps, next)) = stack.last_mut() {
                if let Some(&dep) = deps.get(*next) {
                    *next += 1;
                    if visited.insert(dep) {
                        let deps = self.const_deps(dep);
                        stack.push((dep, deps, 0));
                    }
                } else {
                    order.push(*symbol);
                    stack.pop();
                }
            }
        }
        for symbol in order {
            self.const_value(symbol);
        }
    }

    /// The constants an initialiser names (resolved by the body checker).
    fn const_deps(&self, symbol: SymbolId) -> Vec<SymbolId> {
        let (file, decl) = self.symbols.get(symbol).node;
        let Some(input) = self.file_input(file) else {
            return Vec::new();
        };
        let arena = &input.parse.arena;
        let mut deps = Vec::new();
        let mut work = match *arena.kind(decl) {
            NodeKind::ConstDecl { value: Some(v), .. }
            | NodeKind::ServiceField { value: v, .. } => {
                vec![v]
            }
            _ => Vec::new(),
        };
        while let Some(node) = work.pop() {
            if let Some(s) = self.refs.symbol_at(file, node) {
                if matches!(
                    self.symbols.get(s).kind,
                    SymbolKind::Const | SymbolKind::AssocConst
                ) {
                    deps.push(s);
                }
            }
            arena.visit_children(arena.kind(node), |c| work.push(c));
        }
        deps
    }

    /// The value of a constant (or service field initialiser), evaluating it on first
    /// use; `None` when it is not constant (reported) or erroneous.
    pub(crate) fn const_value(&mut self, symbol: SymbolId) -> Option<ConstValue> {
        match self.const_values.get(&symbol) {
            Some(ConstState::Done(v)) => return v.clone(),
            Some(ConstState::Evaluating) => return None,
            None => {}
        }
        if self.const_depth >= MAX_CONST_DEPTH {
            // Only a pathological cycle gets here: `eval_consts` folds dependencies
            // first, so ordinary chains never nest.
            return None;
        }
        Arc::make_mut(&mut self.const_values).insert(symbol, ConstState::Evaluating);
        self.const_depth += 1;
        let (file, decl) = self.symbols.get(symbol).node;
        let is_field = self.symbols.get(symbol).kind == SymbolKind::ServiceField;
        let parse = self.file_input(file).map(|f| Arc::clone(&f.parse));
        let value = parse.and_then(|p| match *p.arena.kind(decl) {
            NodeKind::ConstDecl { value, .. } => value,
            NodeKind::ServiceField { value, .. } => Some(value),
            _ => None,
        });
        let result = match value {
            None => None,
            Some(value) => {
                let outcome = if is_field {
                    self.eval_field_init(file, value)
                } else {
                    self.eval(file, value)
                };
                match outcome {
                    Ok(v) => Some(v),
                    Err(failure) => {
                        if let Some((span, message)) = failure {
                            self.report(DiagnosticCode::TypeConstEval, span, message);
                        }
                        None
                    }
                }
            }
        };
        self.const_depth -= 1;
        Arc::make_mut(&mut self.const_values).insert(symbol, ConstState::Done(result.clone()));
        result
    }

    /// The length of an array repeat `[v; N]`: a constant `int` ≥ 0.
    pub(crate) fn eval_array_count(&mut self, file: FileId, count: NodeId) -> Option<u32> {
        let span = self.file_input(file).map(|f| f.parse.arena.span(count))?;
        let failure = match self.eval(file, count) {
            Ok(ConstValue::Int(n)) if (0..=MAX_CONST_ELEMENTS as i32).contains(&n) => {
                return Some(n as u32);
            }
            Ok(ConstValue::Int(n)) => Some((
                span,
                format!("an array length must be in 0..={MAX_CONST_ELEMENTS}, found {n}"),
            )),
            Ok(_) => None,
            Err(f) => f,
        };
        if let Some((span, message)) = failure {
            self.report(DiagnosticCode::TypeConstEval, span, message);
        }
        None
    }

    fn eval_field_init(&mut self, file: FileId, node: NodeId) -> Result<ConstValue, Failure> {
        let parse = self
            .file_input(file)
            .map(|f| Arc::clone(&f.parse))
            .ok_or(None)?;
        match *parse.arena.kind(node) {
            NodeKind::Alloc { value } => Ok(ConstValue::Alloc(Box::new(self.eval(file, value)?))),
            NodeKind::AllocList { .. } => Ok(ConstValue::NewList),
            _ => self.eval(file, node),
        }
    }

    /// Folds a constant expression that the checker has already typed.
    fn eval(&mut self, file: FileId, node: NodeId) -> Result<ConstValue, Failure> {
        // A constant's initialiser may be a chain as long as the file (`1 + 1 + …`).
        crate::stack::ensure_sufficient_stack(|| self.eval_node(file, node))
    }

    fn eval_node(&mut self, file: FileId, node: NodeId) -> Result<ConstValue, Failure> {
        let parse = self
            .file_input(file)
            .map(|f| Arc::clone(&f.parse))
            .ok_or(None)?;
        let arena = &parse.arena;
        let span = arena.span(node);
        match self.facts.node_type(file, node) {
            Some(t) if self.types.contains_error(t) => return Err(None),
            _ => {}
        }
        let not_constant =
            |what: &str| Err(Some((span, format!("{what} is not a constant expression"))));
        match *arena.kind(node) {
            NodeKind::IntLit { value } => Ok(ConstValue::Int(value)),
            NodeKind::FloatLit { value } => Ok(ConstValue::Float(value)),
            NodeKind::BoundedLit { value } => Ok(ConstValue::Bounded(value)),
            NodeKind::BoolLit { value } => Ok(ConstValue::Bool(value)),
            NodeKind::StringLit { start, len } => {
                Ok(ConstValue::Str(arena.str(start, len).to_string()))
            }
            NodeKind::Paren { inner } => self.eval(file, inner),
            NodeKind::NameRef { .. } => match self.refs.symbol_at(file, node) {
                Some(s) => self.eval_symbol(s, span),
                None => Err(None),
            },
            NodeKind::Member { name, .. } => match self.refs.symbol_at(file, name) {
                Some(s) => self.eval_symbol(s, span),
                None => Err(None),
            },
            NodeKind::Call { callee, args } => {
                let target = self.refs.symbol_at(file, callee);
                match target.map(|s| (s, self.symbols.get(s).kind)) {
                    Some((s, SymbolKind::Struct)) => {
                        let mut fields = Vec::new();
                        for &a in arena.list(args) {
                            fields.push(self.eval(file, a)?);
                        }
                        Ok(ConstValue::Struct(s, fields))
                    }
                    None if self.facts.node_type(file, node).is_none() => Err(None),
                    _ => not_constant("a call"),
                }
            }
            NodeKind::ArrayLit { elems } => {
                let mut out = Vec::new();
                for &e in arena.list(elems) {
                    out.push(self.eval(file, e)?);
                }
                Ok(ConstValue::Array(out))
            }
            NodeKind::ArrayRepeat { value, count } => {
                let v = self.eval(file, value)?;
                match self.eval(file, count)? {
                    ConstValue::Int(n) if (0..=MAX_CONST_ELEMENTS as i32).contains(&n) => {
                        Ok(ConstValue::Array(vec![v; n as usize]))
                    }
                    _ => Err(Some((
                        arena.span(count),
                        "an array length must be a small int ≥ 0".into(),
                    ))),
                }
            }
            NodeKind::Unary { op, operand } => {
                let v = self.eval(file, operand)?;
                match (op, v) {
                    (UnaryOp::Neg, ConstValue::Int(n)) => Ok(ConstValue::Int(n.wrapping_neg())),
                    (UnaryOp::Neg, ConstValue::Float(f)) => Ok(ConstValue::Float(-f)),
                    (UnaryOp::Not, ConstValue::Bool(b)) => Ok(ConstValue::Bool(!b)),
                    _ => Err(None),
                }
            }
            NodeKind::Binary { op, lhs, rhs } => {
                let a = self.eval(file, lhs)?;
                if let (BinaryOp::And, ConstValue::Bool(false))
                | (BinaryOp::Or, ConstValue::Bool(true)) = (op, &a)
                {
                    return Ok(a);
                }
                let b = self.eval(file, rhs)?;
                fold_binary(op, a, b).map_err(|m| m.map(|m| (span, m)))
            }
            NodeKind::Cast { value, .. } => {
                let v = self.eval(file, value)?;
                let to = self.facts.node_type(file, node).unwrap_or(TypeArena::ERROR);
                fold_cast(v, to).map_err(|m| m.map(|m| (span, m)))
            }
            NodeKind::Alloc { .. } | NodeKind::AllocList { .. } => not_constant("`alloc`"),
            NodeKind::Error { .. } => Err(None),
            _ => not_constant("this expression"),
        }
    }

    fn eval_symbol(&mut self, s: SymbolId, span: Span) -> Result<ConstValue, Failure> {
        match self.symbols.get(s).kind {
            SymbolKind::Const | SymbolKind::AssocConst => {
                if self.const_values.get(&s) == Some(&ConstState::Evaluating) {
                    let name = self.text(self.symbols.get(s).name).to_string();
                    let message =
                        format!("`{name}` is part of a cycle of constants: it depends on itself");
                    return Err(Some((span, message)));
                }
                self.const_value(s).ok_or(None)
            }
            SymbolKind::ErrorCase => Ok(ConstValue::Case(s)),
            _ => {
                let name = self.text(self.symbols.get(s).name).to_string();
                Err(Some((span, format!("`{name}` is not a constant"))))
            }
        }
    }
}

/// `a op b` with the run-time rules of §3.1; `Err(Some(message))` for a trap.
fn fold_binary(op: BinaryOp, a: ConstValue, b: ConstValue) -> Result<ConstValue, Option<String>> {
    use ConstValue as V;
    let trap = |m: &str| Err(Some(m.to_string()));
    Ok(match (a, b) {
        (V::Int(x), V::Int(y)) => match op {
            BinaryOp::Add => V::Int(x.wrapping_add(y)),
            BinaryOp::Sub => V::Int(x.wrapping_sub(y)),
            BinaryOp::Mul => V::Int(x.wrapping_mul(y)),
            BinaryOp::Div | BinaryOp::Rem if y == 0 => return trap("division by zero"),
            BinaryOp::Div => V::Int(x.wrapping_div(y)),
            BinaryOp::Rem => V::Int(x.wrapping_rem(y)),
            BinaryOp::Shl => V::Int(x.wrapping_shl((y & 31) as u32)),
            BinaryOp::Shr => V::Int(x.wrapping_shr((y & 31) as u32)),
            BinaryOp::BitAnd => V::Int(x & y),
            BinaryOp::BitOr => V::Int(x | y),
            BinaryOp::BitXor => V::Int(x ^ y),
            _ => V::Bool(compare(op, x.cmp(&y))),
        },
        (V::Bounded(x), V::Bounded(y)) => {
            let overflow = || {
                Err(Some(
                    "the result leaves the bounded range 0..=65535".to_string(),
                ))
            };
            match op {
                BinaryOp::Add => V::Bounded(x.checked_add(y).map_or_else(overflow, Ok)?),
                BinaryOp::Sub => V::Bounded(x.checked_sub(y).map_or_else(overflow, Ok)?),
                BinaryOp::Mul => V::Bounded(x.checked_mul(y).map_or_else(overflow, Ok)?),
                BinaryOp::Div | BinaryOp::Rem if y == 0 => return trap("division by zero"),
                BinaryOp::Div => V::Bounded(x / y),
                BinaryOp::Rem => V::Bounded(x % y),
                BinaryOp::Shl => {
                    let r = (x as u32) << (y & 31);
                    V::Bounded(u16::try_from(r).map_or_else(|_| overflow(), Ok)?)
                }
                BinaryOp::Shr => V::Bounded(((x as u32) >> (y & 31)) as u16),
                BinaryOp::BitAnd => V::Bounded(x & y),
                BinaryOp::BitOr => V::Bounded(x | y),
                BinaryOp::BitXor => V::Bounded(x ^ y),
                _ => V::Bool(compare(op, x.cmp(&y))),
            }
        }
        (V::Float(x), V::Float(y)) => match op {
            BinaryOp::Add => V::Float(x + y),
            BinaryOp::Sub => V::Float(x - y),
            BinaryOp::Mul => V::Float(x * y),
            BinaryOp::Div => V::Float(x / y),
            BinaryOp::Rem => V::Float(x % y),
            BinaryOp::Eq => V::Bool(x == y),
            BinaryOp::Ne => V::Bool(x != y),
            BinaryOp::Lt => V::Bool(x < y),
            BinaryOp::Le => V::Bool(x <= y),
            BinaryOp::Gt => V::Bool(x > y),
            BinaryOp::Ge => V::Bool(x >= y),
            _ => return Err(None),
        },
        (V::Str(x), V::Str(y)) => match op {
            BinaryOp::Add => V::Str(x + &y),
            _ => V::Bool(compare(op, x.as_bytes().cmp(y.as_bytes()))),
        },
        (V::Bool(x), V::Bool(y)) => match op {
            BinaryOp::And => V::Bool(x && y),
            BinaryOp::Or => V::Bool(x || y),
            BinaryOp::Eq => V::Bool(x == y),
            BinaryOp::Ne => V::Bool(x != y),
            _ => return Err(None),
        },
        (a, b) => match op {
            BinaryOp::Eq => V::Bool(a == b),
            BinaryOp::Ne => V::Bool(a != b),
            _ => return Err(None),
        },
    })
}

fn compare(op: BinaryOp, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        BinaryOp::Eq => ord == Equal,
        BinaryOp::Ne => ord != Equal,
        BinaryOp::Lt => ord == Less,
        BinaryOp::Le => ord != Greater,
        BinaryOp::Gt => ord == Greater,
        BinaryOp::Ge => ord != Less,
        _ => false,
    }
}

/// `v as T` with the rules of §3.1; `Err(Some(message))` for `TRAP_CAST`.
fn fold_cast(v: ConstValue, to: crate::TypeId) -> Result<ConstValue, Option<String>> {
    use ConstValue as V;
    let out_of_range = || -> Result<u16, Option<String>> {
        Err(Some(
            "the value does not fit in `bounded` (a cast trap)".to_string(),
        ))
    };
    Ok(match (v, to) {
        (V::Int(n), TypeArena::INT) => V::Int(n),
        (V::Int(n), TypeArena::FLOAT) => V::Float(n as f64),
        (V::Int(n), TypeArena::BOUNDED) => {
            V::Bounded(u16::try_from(n).map_or_else(|_| out_of_range(), Ok)?)
        }
        (V::Bounded(n), TypeArena::INT) => V::Int(n as i32),
        (V::Bounded(n), TypeArena::FLOAT) => V::Float(n as f64),
        (V::Bounded(n), TypeArena::BOUNDED) => V::Bounded(n),
        (V::Float(f), TypeArena::INT) => V::Int(f as i32),
        (V::Float(f), TypeArena::FLOAT) => V::Float(f),
        (V::Float(f), TypeArena::BOUNDED) => {
            let t = f.trunc();
            if !(0.0..=65535.0).contains(&t) {
                return out_of_range().map(V::Bounded);
            }
            V::Bounded(t as u16)
        }
        (V::Int(n), TypeArena::STRING) => V::Str(n.to_string()),
        (V::Bounded(n), TypeArena::STRING) => V::Str(n.to_string()),
        (V::Bool(b), TypeArena::STRING) => V::Str(b.to_string()),
        (V::Float(f), TypeArena::STRING) => V::Str(float_text(f)),
        (V::Str(s), TypeArena::STRING) => V::Str(s),
        (V::Bool(b), TypeArena::BOOL) => V::Bool(b),
        _ => return Err(None),
    })
}

/// A float as `as string` prints it (§3.1): shortest round-trip digits, no exponent,
/// `.0` when there is no fraction; `inf`, `-inf`, `NaN`.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let text = format!("{f}");
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_the_spec() {
        assert_eq!(float_text(3.0), "3.0");
        assert_eq!(float_text(0.25), "0.25");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(float_text(f64::NAN), "NaN");
        assert_eq!(float_text(-0.0), "-0.0");
    }

    #[test]
    fn bounded_arithmetic_traps_and_ints_wrap() {
        let b = |n| ConstValue::Bounded(n);
        assert!(
            fold_binary(BinaryOp::Add, b(65535), b(1))
                .unwrap_err()
                .is_some()
        );
        assert_eq!(fold_binary(BinaryOp::Add, b(1), b(2)), Ok(b(3)));
        let i = ConstValue::Int;
        assert_eq!(
            fold_binary(BinaryOp::Add, i(i32::MAX), i(1)),
            Ok(i(i32::MIN))
        );
        assert!(
            fold_binary(BinaryOp::Div, i(1), i(0))
                .unwrap_err()
                .is_some()
        );
        assert_eq!(fold_binary(BinaryOp::Shl, i(1), i(33)), Ok(i(2)));
        assert_eq!(
            fold_cast(ConstValue::Float(f64::NAN), TypeArena::INT),
            Ok(i(0))
        );
        assert!(
            fold_cast(i(70000), TypeArena::BOUNDED)
                .unwrap_err()
                .is_some()
        );
    }
}
