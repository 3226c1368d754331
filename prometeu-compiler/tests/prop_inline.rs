//! Property test: random programs of small helper functions (locals, early returns,
//! loops, calls of earlier helpers, and sometimes `/` or `%`, which can trap) log and
//! trap exactly the same compiled with and without inlining, in both collector modes.

mod support;

use prometeu_bytecode::verify_program;
use prometeu_compiler::CompileOptions;
use prometeu_vm::GcMode;
use proptest::prelude::*;

/// An int expression over the helper's names `a`, `b`, `t`; `Call` names an earlier
/// helper, so the call graph has no cycles.
#[derive(Clone, Debug)]
enum E {
    Lit(i32),
    Var(usize),
    Neg(Box<E>),
    Bin(&'static str, Box<E>, Box<E>),
    Call(usize, Box<E>, Box<E>),
}

/// One statement of a helper body.
#[derive(Clone, Debug)]
enum S {
    Assign(E),
    ReturnIf(E, E, E),
    Loop(u8, E),
}

const VARS: [&str; 3] = ["a", "b", "t"];
const OPS: [&str; 11] = ["+", "-", "*", "&", "|", "^", "<<", ">>", "+", "/", "%"];

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        (-20i32..20).prop_map(E::Lit),
        any::<i32>().prop_map(E::Lit),
        (0usize..3).prop_map(E::Var),
        (0usize..3).prop_map(E::Var),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| E::Neg(Box::new(e))),
            (0usize..OPS.len(), inner.clone(), inner.clone()).prop_map(|(o, l, r)| E::Bin(
                OPS[o],
                Box::new(l),
                Box::new(r)
            )),
            (0usize..4, inner.clone(), inner).prop_map(|(f, l, r)| E::Call(
                f,
                Box::new(l),
                Box::new(r)
            )),
        ]
    })
}

fn stmt() -> impl Strategy<Value = S> {
    prop_oneof![
        expr().prop_map(S::Assign),
        (expr(), expr(), expr()).prop_map(|(l, r, v)| S::ReturnIf(l, r, v)),
        (0u8..5, expr()).prop_map(|(n, e)| S::Loop(n, e)),
    ]
}

/// The text of `e` inside helper `k` (calls of helper `k` or later become calls of
/// helper `f % k`, or the literal 1 in helper 0).
fn show(e: &E, k: usize) -> String {
    match e {
        E::Lit(i32::MIN) => "(-2147483647 - 1)".to_string(),
        E::Lit(v) if *v < 0 => format!("({v})"),
        E::Lit(v) => v.to_string(),
        E::Var(i) => VARS[*i].to_string(),
        E::Neg(e) => format!("-({})", show(e, k)),
        E::Bin(op, l, r) => format!("({} {op} {})", show(l, k), show(r, k)),
        E::Call(_, _, _) if k == 0 => "1".to_string(),
        E::Call(f, l, r) => format!("h{}({}, {})", f % k, show(l, k), show(r, k)),
    }
}

fn program(helpers: &[(Vec<S>, E)], args: &[(i32, i32, usize)]) -> String {
    let mut src = String::new();
    for (k, (body, ret)) in helpers.iter().enumerate() {
        src += &format!("fn h{k}(a: int, b: int): int {{\n    let mut t = a ^ b;\n");
        for s in body {
            src += &match s {
                S::Assign(e) => format!("    t = {};\n", show(e, k)),
                S::ReturnIf(l, r, v) => format!(
                    "    if {} < {} {{ return {}; }}\n",
                    show(l, k),
                    show(r, k),
                    show(v, k)
                ),
                S::Loop(n, e) => format!("    for _ in 0..{n} {{ t = t + {}; }}\n", show(e, k)),
            };
        }
        src += &format!("    return {};\n}}\n", show(ret, k));
    }
    src += "fn frame() {\n";
    for (a, b, f) in args {
        src += &format!(
            "    Log.info(h{}({}, {}) as string);\n",
            f % helpers.len(),
            *a as i64,
            *b as i64
        );
    }
    src += "}\n";
    src
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn inlining_changes_nothing_observable(
        helpers in prop::collection::vec((prop::collection::vec(stmt(), 0..4), expr()), 1..5),
        args in prop::collection::vec((-50i32..50, -50i32..50, 0usize..5), 1..5),
    ) {
        let src = program(&helpers, &args);
        let l = support::load_src(&src);
        let plain = support::compile_loaded_with(&l, CompileOptions { inline: false });
        let inlined = support::compile_loaded_with(&l, CompileOptions { inline: true });
        for mode in [GcMode::Incremental, GcMode::Stress] {
            let a = support::run_compiled_with(&l, &plain, 1, mode);
            let b = support::run_compiled_with(&l, &inlined, 1, mode);
            prop_assert_eq!(&a.logs, &b.logs, "{}", src);
            prop_assert_eq!(&a.trap, &b.trap, "{}", src);
            prop_assert_eq!(&a.trap_stack, &b.trap_stack, "{}", src);
        }
    }
}

/// A compiled program with helpers, calls and jumps, to damage.
fn sample_program() -> prometeu_bytecode::Program {
    let src = "fn clamp(v: int, lo: int, hi: int): int {\n    if v < lo { return lo; }\n    if v > hi { return hi; }\n    return v;\n}\n\
               fn frame() {\n    let mut s = 0;\n    for i in 0..9 { s += clamp(i * 3, 2, 20); }\n    Log.info(s as string);\n}\n";
    let l = support::load_src(src);
    support::compile_loaded_with(&l, CompileOptions { inline: false }).program
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The pass takes any program, even one that does not verify: damaged code bytes,
    /// function ranges or local counts never make it panic, and what it produces from
    /// a program that verified still verifies.
    #[test]
    fn the_pass_never_panics_on_damaged_programs(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        locals in prop::option::of(any::<u16>()),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut program = sample_program();
        for (at, byte) in &edits {
            let i = at.index(program.code.len());
            program.code[i] = *byte;
        }
        if let Some(n) = locals {
            program.functions[0].local_slots = n;
        }
        if let Some(c) = cut {
            let len = program.code.len();
            program.code.truncate(c.index(len));
        }
        let verified_before = verify_program(&program, &prometeu_abi::ConsoleSyscalls).is_ok();
        prometeu_compiler::inline::inline_calls(&mut program);
        if verified_before {
            prop_assert!(verify_program(&program, &prometeu_abi::ConsoleSyscalls).is_ok());
        }
    }
}
