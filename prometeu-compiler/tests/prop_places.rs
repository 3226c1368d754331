//! Property test: random assignments to array elements (plain and compound, one and
//! two indices, `mut self` calls on elements) whose index and value expressions read
//! and change the index variables compute what a reference model with PBS semantics
//! (`pbs-language.md` §6.1: the place's indices first, each once, then the value)
//! computes. It pins every way the compiler keeps an index: on the stack, in an
//! immutable local read where it is, as a constant offset, or in a temporary.

mod support;

use proptest::prelude::*;

/// An index in range for both arrays (`a` has 6 elements, each row of `g` 3).
#[derive(Clone, Debug)]
enum Ix {
    /// The mutable variable `i` or `j` (`0`, `1`), always in `0..3`.
    Var(usize),
    /// The immutable local `k`.
    K,
    Const(i32),
    /// `(i + j) % 3`, a computed index.
    Sum,
}

#[derive(Clone, Debug)]
enum Val {
    Lit(i32),
    Var(usize),
    /// `a[ix]`
    Elem(Ix),
    /// `{ v = c; x }`: sets index variable `v` to `c`, then yields `x`.
    Set(usize, i32, Box<Val>),
}

#[derive(Clone, Debug)]
enum Stmt {
    /// `a[ix] op= val` (`op` `None` for `=`).
    A(Ix, Option<char>, Val),
    /// `g[ix][ix] op= val`
    G(Ix, Ix, Option<char>, Val),
    /// `ps[ix].add(val)`, a `mut self` call with no result.
    Bump(Ix, Val),
    /// `i` or `j` `= c`
    SetVar(usize, i32),
}

const K: i32 = 2;

fn ix() -> impl Strategy<Value = Ix> {
    prop_oneof![
        (0usize..2).prop_map(Ix::Var),
        Just(Ix::K),
        (0i32..3).prop_map(Ix::Const),
        Just(Ix::Sum),
    ]
}

fn val() -> impl Strategy<Value = Val> {
    let leaf = prop_oneof![
        (-5i32..20).prop_map(Val::Lit),
        (0usize..2).prop_map(Val::Var),
        ix().prop_map(Val::Elem),
    ];
    leaf.prop_recursive(2, 6, 1, |inner| {
        (0usize..2, 0i32..3, inner).prop_map(|(v, c, x)| Val::Set(v, c, Box::new(x)))
    })
}

fn op() -> impl Strategy<Value = Option<char>> {
    prop_oneof![
        Just(None),
        Just(Some('+')),
        Just(Some('-')),
        Just(Some('*'))
    ]
}

fn stmt() -> impl Strategy<Value = Stmt> {
    prop_oneof![
        (ix(), op(), val()).prop_map(|(x, o, v)| Stmt::A(x, o, v)),
        (ix(), ix(), op(), val()).prop_map(|(x, y, o, v)| Stmt::G(x, y, o, v)),
        (ix(), val()).prop_map(|(x, v)| Stmt::Bump(x, v)),
        (0usize..2, 0i32..3).prop_map(|(v, c)| Stmt::SetVar(v, c)),
    ]
}

const VARS: [&str; 2] = ["i", "j"];

fn show_ix(x: &Ix) -> String {
    match x {
        Ix::Var(v) => VARS[*v].to_string(),
        Ix::K => "k".to_string(),
        Ix::Const(c) => c.to_string(),
        Ix::Sum => "(i + j) % 3".to_string(),
    }
}

fn show_val(v: &Val) -> String {
    match v {
        Val::Lit(n) if *n < 0 => format!("(0 - {})", -n),
        Val::Lit(n) => n.to_string(),
        Val::Var(v) => VARS[*v].to_string(),
        Val::Elem(x) => format!("a[{}]", show_ix(x)),
        Val::Set(v, c, x) => format!("{{ {} = {c}; {} }}", VARS[*v], show_val(x)),
    }
}

fn show_op(o: Option<char>) -> String {
    o.map_or("=".to_string(), |c| format!("{c}="))
}

fn show(s: &Stmt) -> String {
    match s {
        Stmt::A(x, o, v) => format!("a[{}] {} {};", show_ix(x), show_op(*o), show_val(v)),
        Stmt::G(x, y, o, v) => format!(
            "g[{}][{}] {} {};",
            show_ix(x),
            show_ix(y),
            show_op(*o),
            show_val(v)
        ),
        Stmt::Bump(x, v) => format!("ps[{}].add({});", show_ix(x), show_val(v)),
        Stmt::SetVar(v, c) => format!("{} = {c};", VARS[*v]),
    }
}

/// The reference model's state.
struct M {
    a: [i32; 6],
    g: [[i32; 3]; 3],
    ps: [i32; 3],
    vars: [i32; 2],
}

impl M {
    fn ix(&self, x: &Ix) -> usize {
        (match x {
            Ix::Var(v) => self.vars[*v],
            Ix::K => K,
            Ix::Const(c) => *c,
            Ix::Sum => (self.vars[0] + self.vars[1]) % 3,
        }) as usize
    }

    fn val(&mut self, v: &Val) -> i32 {
        match v {
            Val::Lit(n) => *n,
            Val::Var(v) => self.vars[*v],
            Val::Elem(x) => self.a[self.ix(x)],
            Val::Set(v, c, x) => {
                self.vars[*v] = *c;
                self.val(x)
            }
        }
    }

    fn apply(old: i32, o: Option<char>, v: i32) -> i32 {
        match o {
            None => v,
            Some('+') => old.wrapping_add(v),
            Some('-') => old.wrapping_sub(v),
            _ => old.wrapping_mul(v),
        }
    }

    fn run(&mut self, s: &Stmt) {
        match s {
            Stmt::A(x, o, v) => {
                let at = self.ix(x);
                let old = self.a[at];
                let v = self.val(v);
                self.a[at] = Self::apply(old, *o, v);
            }
            Stmt::G(x, y, o, v) => {
                let (r, c) = (self.ix(x), self.ix(y));
                let old = self.g[r][c];
                let v = self.val(v);
                self.g[r][c] = Self::apply(old, *o, v);
            }
            Stmt::Bump(x, v) => {
                let at = self.ix(x);
                let v = self.val(v);
                self.ps[at] = self.ps[at].wrapping_add(v);
            }
            Stmt::SetVar(v, c) => self.vars[*v] = *c,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn indexed_assignments_match_the_reference(stmts in prop::collection::vec(stmt(), 1..12)) {
        let body: String = stmts.iter().map(|s| format!("    {}\n", show(s))).collect();
        let src = format!(
            "declare struct P(n: int) {{\n    pub fn add(mut self, d: int) {{ self.n += d; }}\n}}\n\
             fn frame() {{\n    let mut a = [1, 2, 3, 4, 5, 6];\n    let mut g = [[0; 3]; 3];\n    \
             let mut ps = [P(0); 3];\n    let mut i = 0;\n    let mut j = 1;\n    let k = {K};\n\
             {body}    let mut out = (i as string) + \" \" + (j as string) + \" \" + (k as string);\n    \
             for x in a {{ out += \" \" + (x as string); }}\n    \
             for r in g {{ for x in r {{ out += \" \" + (x as string); }} }}\n    \
             for p in ps {{ out += \" \" + (p.n as string); }}\n    Log.info(out);\n}}\n"
        );
        let mut m = M { a: [1, 2, 3, 4, 5, 6], g: [[0; 3]; 3], ps: [0; 3], vars: [0, 1] };
        for s in &stmts {
            m.run(s);
        }
        let mut out = format!("{} {} {K}", m.vars[0], m.vars[1]);
        for x in m.a.iter().chain(m.g.iter().flatten()).chain(&m.ps) {
            out += &format!(" {x}");
        }
        let run = support::run_src(&src, 1);
        prop_assert_eq!(run.trap, None, "{}", src);
        prop_assert_eq!(run.logs, vec![format!("1 INFO {out}")], "{}", src);
    }
}
