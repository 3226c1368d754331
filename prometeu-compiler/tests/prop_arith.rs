//! Property test: random int expressions (every operator, unary minus, locals,
//! short-circuit conditions and `if` values) compile, verify and compute on the VM
//! exactly what a reference evaluator with PBS semantics (`pbs-language.md` §3.1)
//! computes, traps included.

mod support;

use proptest::prelude::*;

#[derive(Clone, Debug)]
enum E {
    Lit(i32),
    Var(usize),
    Neg(Box<E>),
    Bin(&'static str, Box<E>, Box<E>),
    /// `if l < r && l != 0 { a } else { b }`
    If(Box<E>, Box<E>, Box<E>, Box<E>),
}

const VARS: [&str; 3] = ["a", "b", "c"];
const OPS: [&str; 10] = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"];

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        (0i32..=2_147_483_647).prop_map(E::Lit),
        (0i32..10).prop_map(E::Lit),
        (0usize..3).prop_map(E::Var),
    ];
    leaf.prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| E::Neg(Box::new(e))),
            (0usize..OPS.len(), inner.clone(), inner.clone()).prop_map(|(o, l, r)| E::Bin(
                OPS[o],
                Box::new(l),
                Box::new(r)
            )),
            (inner.clone(), inner.clone(), inner.clone(), inner).prop_map(|(l, r, a, b)| E::If(
                Box::new(l),
                Box::new(r),
                Box::new(a),
                Box::new(b)
            )),
        ]
    })
}

fn show(e: &E) -> String {
    match e {
        E::Lit(v) => v.to_string(),
        E::Var(i) => VARS[*i].to_string(),
        E::Neg(e) => format!("-({})", show(e)),
        E::Bin(op, l, r) => format!("({} {op} {})", show(l), show(r)),
        E::If(l, r, a, b) => format!(
            "(if {} < {} && {} != 0 {{ {} }} else {{ {} }})",
            show(l),
            show(r),
            show(l),
            show(a),
            show(b)
        ),
    }
}

/// PBS semantics; `None` is `TRAP_DIV_ZERO`.
fn eval(e: &E, vars: &[i32; 3]) -> Option<i32> {
    Some(match e {
        E::Lit(v) => *v,
        E::Var(i) => vars[*i],
        E::Neg(e) => eval(e, vars)?.wrapping_neg(),
        E::Bin(op, l, r) => {
            let (l, r) = (eval(l, vars)?, eval(r, vars)?);
            match *op {
                "+" => l.wrapping_add(r),
                "-" => l.wrapping_sub(r),
                "*" => l.wrapping_mul(r),
                "/" if r == 0 => return None,
                "/" => l.wrapping_div(r),
                "%" if r == 0 => return None,
                "%" => l.wrapping_rem(r),
                "<<" => l.wrapping_shl(r as u32 & 31),
                ">>" => l.wrapping_shr(r as u32 & 31),
                "&" => l & r,
                "|" => l | r,
                _ => l ^ r,
            }
        }
        E::If(l, r, a, b) => {
            let (lv, rv) = (eval(l, vars)?, eval(r, vars)?);
            // `l` is evaluated again by the `!= 0` test only when `<` held.
            let cond = lv < rv && eval(l, vars)? != 0;
            if cond { eval(a, vars)? } else { eval(b, vars)? }
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn int_expressions_match_the_reference(e in expr(), vars in prop::array::uniform3(any::<i32>())) {
        let decls: String = VARS
            .iter()
            .zip(vars)
            .map(|(n, v)| format!("    let {n} = {};\n", if v < 0 { format!("-{}", v.unsigned_abs()) } else { v.to_string() }))
            .collect();
        let src = format!(
            "fn frame() {{\n{decls}    let _u = a + b + c;\n    Log.info(({}) as string);\n}}\n",
            show(&e)
        );
        let run = support::run_src(&src, 1);
        match eval(&e, &vars) {
            Some(v) => {
                prop_assert_eq!(run.trap, None, "{}", src);
                prop_assert_eq!(run.logs, vec![format!("1 INFO {v}")], "{}", src);
            }
            None => {
                prop_assert!(run.trap.as_deref().is_some_and(|t| t.starts_with("TRAP_DIV_ZERO")), "{}: {:?}", src, run.trap);
            }
        }
    }
}
