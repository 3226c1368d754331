//! Property test: random `bool` conditions (`!`, `&&`, `||`, int comparisons, literals)
//! lowered as jumps in `if` and bottom-tested `while` compute what a reference
//! evaluator computes, and evaluate exactly the operands short-circuiting reaches, in
//! order (each comparison is traced through a service call).

mod support;

use proptest::prelude::*;

#[derive(Clone, Debug)]
enum C {
    Lit(bool),
    /// `Trace.t(x OP y, "k")` with `x`, `y` variables or small literals; `k` is the
    /// leaf's number, given when the condition is printed.
    Cmp(&'static str, Operand, Operand),
    /// `x OP y`, untraced: lowered as a compare-and-jump.
    Raw(&'static str, Operand, Operand),
    Not(Box<C>),
    And(Box<C>, Box<C>),
    Or(Box<C>, Box<C>),
}

#[derive(Clone, Copy, Debug)]
enum Operand {
    Var(usize),
    Lit(i32),
}

const VARS: [&str; 3] = ["a", "b", "c"];
const CMPS: [&str; 6] = ["<", "<=", ">", ">=", "==", "!="];

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        (0usize..3).prop_map(Operand::Var),
        (-2i32..3).prop_map(Operand::Lit)
    ]
}

fn cond() -> impl Strategy<Value = C> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(C::Lit),
        (0usize..CMPS.len(), operand(), operand()).prop_map(|(o, l, r)| C::Cmp(CMPS[o], l, r)),
        (0usize..CMPS.len(), operand(), operand()).prop_map(|(o, l, r)| C::Raw(CMPS[o], l, r)),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| C::Not(Box::new(c))),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| C::And(Box::new(l), Box::new(r))),
            (inner.clone(), inner).prop_map(|(l, r)| C::Or(Box::new(l), Box::new(r))),
        ]
    })
}

fn show_operand(o: Operand) -> String {
    match o {
        Operand::Var(i) => VARS[i].to_string(),
        Operand::Lit(v) if v < 0 => format!("(0 - {})", -v),
        Operand::Lit(v) => v.to_string(),
    }
}

/// The condition as PBS source; `next` numbers the traced leaves.
fn show(c: &C, next: &mut u32) -> String {
    match c {
        C::Lit(v) => v.to_string(),
        C::Cmp(op, l, r) => {
            *next += 1;
            format!(
                "Trace.t({} {op} {}, \"{}\")",
                show_operand(*l),
                show_operand(*r),
                *next - 1
            )
        }
        C::Raw(op, l, r) => format!("({} {op} {})", show_operand(*l), show_operand(*r)),
        C::Not(c) => format!("!({})", show(c, next)),
        C::And(l, r) => format!("({} && {})", show(l, next), show(r, next)),
        C::Or(l, r) => format!("({} || {})", show(l, next), show(r, next)),
    }
}

/// PBS semantics: the value, with the tags of the comparisons evaluated appended to
/// `trail` (`next` numbers the leaves as [`show`] does).
fn eval(c: &C, vars: &[i32; 3], next: &mut u32, trail: &mut String) -> bool {
    let value = |o: Operand| match o {
        Operand::Var(i) => vars[i],
        Operand::Lit(v) => v,
    };
    match c {
        C::Lit(v) => *v,
        C::Cmp(op, l, r) => {
            let tag = *next;
            *next += 1;
            trail.push_str(&tag.to_string());
            compare(op, value(*l), value(*r))
        }
        C::Raw(op, l, r) => compare(op, value(*l), value(*r)),
        C::Not(c) => !eval(c, vars, next, trail),
        C::And(l, r) => {
            let lv = eval(l, vars, next, trail);
            // The right operand's leaves keep their numbers when it is skipped.
            let mut skipped = String::new();
            let rv = eval(r, vars, next, if lv { trail } else { &mut skipped });
            lv && rv
        }
        C::Or(l, r) => {
            let lv = eval(l, vars, next, trail);
            let mut skipped = String::new();
            let rv = eval(r, vars, next, if lv { &mut skipped } else { trail });
            lv || rv
        }
    }
}

fn compare(op: &str, l: i32, r: i32) -> bool {
    match op {
        "<" => l < r,
        "<=" => l <= r,
        ">" => l > r,
        ">=" => l >= r,
        "==" => l == r,
        _ => l != r,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn conditions_as_jumps_match_the_reference(c in cond(), vars in prop::array::uniform3(-2i32..3)) {
        let decls: String = VARS
            .iter()
            .zip(vars)
            .map(|(n, v)| format!("    let {n} = {};\n", show_operand(Operand::Lit(v))))
            .collect();
        let text = show(&c, &mut 0);
        let src = format!(
            "service Trace {{\n    let mut trail: string = \"\";\n    \
             pub fn t(v: bool, tag: string): bool {{ trail += tag; return v; }}\n    \
             pub fn read(): string {{ let s = trail; trail = \"\"; return s; }}\n}}\n\
             fn frame() {{\n{decls}    let _u = a + b + c;\n    \
             if {text} {{ Log.info(\"then \" + Trace.read()); }} else {{ Log.info(\"else \" + Trace.read()); }}\n    \
             let mut n = 0;\n    \
             while n < 2 && {text} {{ n += 1; }}\n    \
             Log.info((n as string) + \" \" + Trace.read());\n    \
             while !({text}) {{ n += 10; if n > 30 {{ break; }} }}\n    \
             Log.info((n as string) + \" \" + Trace.read());\n}}\n"
        );
        let mut trail = String::new();
        let v = eval(&c, &vars, &mut 0, &mut trail);
        let (arm, loops) = if v { ("then", 2) } else { ("else", 0) };
        // `while n < 2 && c` evaluates `c` while `n < 2`: twice when it holds.
        let first = if v { trail.repeat(2) } else { trail.clone() };
        let (n2, second) = if v { (loops, trail.clone()) } else { (40, trail.repeat(4)) };
        let expected = vec![
            format!("1 INFO {arm} {trail}"),
            format!("1 INFO {loops} {first}"),
            format!("1 INFO {n2} {second}"),
        ];
        let run = support::run_src(&src, 1);
        prop_assert_eq!(run.trap, None, "{}", src);
        prop_assert_eq!(run.logs, expected, "{}", src);
    }
}
