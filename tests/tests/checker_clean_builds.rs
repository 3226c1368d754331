//! "What `check` accepts, `build` compiles and `run` loads" (issue 16.1, 17).
//!
//! A property test generates checker-clean PBS programs — every statement and
//! expression form, random nesting, lists of every element kind, blocks that always
//! return, break or continue in every value position — and requires each to compile,
//! verify and load through the kernel's cartridge loader, then run a frame (a trap is a
//! fine ending; an internal compiler error, a verifier rejection or a load failure is
//! not). `PROPTEST_CASES` sets the case count (48 by default; run thousands locally).
//!
//! The reproducers of the issues are regression tests below, through the same path.

use std::collections::BTreeMap;

use prometeu_abi::Manifest;
use prometeu_analysis::project::load_loose_file;
use prometeu_analysis::{FileDb, analyze};
use prometeu_compiler::compile;
use prometeu_kernel::{Cartridge, HeadlessHost, Kernel, KernelConfig};
use proptest::prelude::*;

/// How a program ended after it was built.
#[derive(Debug, PartialEq, Eq)]
enum Ran {
    /// It ran its frames.
    Finished,
    /// It trapped (a valid ending for a generated program).
    Trapped,
}

/// Why a program did not get to run.
#[derive(Debug)]
enum Failed {
    /// The checker reported errors (the program is not one the test is about).
    CheckErrors(String),
    /// The checker was clean but building, verifying or loading failed: the bug class
    /// this file exists to catch.
    Build(String),
}

/// Checks, compiles (which verifies), loads through the kernel's cartridge loader and
/// runs one frame of `source` as a loose-file app.
fn build_and_run(source: &str) -> Result<Ran, Failed> {
    let dir = tempfile::tempdir().map_err(|e| Failed::Build(e.to_string()))?;
    let path = dir.path().join("main.pbs");
    std::fs::write(&path, source).map_err(|e| Failed::Build(e.to_string()))?;
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    if analysis.has_errors() {
        let errors: Vec<String> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == prometeu_analysis::Severity::Error)
            .map(|d| {
                format!(
                    "{} {}..{} {}",
                    d.code.as_str(),
                    d.span.start,
                    d.span.end,
                    d.message
                )
            })
            .collect();
        return Err(Failed::CheckErrors(errors.join("\n")));
    }
    let compiled = compile(&analysis, &graph).map_err(|e| Failed::Build(format!("build: {e}")))?;
    let root = &graph.projects[0];
    let manifest = Manifest::new_game(0, &root.name, &root.version);
    let cartridge = Cartridge::new(manifest, compiled.program, Vec::new(), BTreeMap::new())
        .map_err(|e| Failed::Build(format!("cartridge: {e}")))?;
    let mut kernel = Kernel::with_config(cartridge, HeadlessHost::new(), KernelConfig::default())
        .map_err(|e| Failed::Build(format!("load: {e}")))?;
    kernel.run_frames(1, 600);
    Ok(match kernel.trap() {
        Some(_) => Ran::Trapped,
        None => Ran::Finished,
    })
}

/// Builds and runs `source`, which must check clean; panics with the reason otherwise.
fn must_build(source: &str) -> Ran {
    match build_and_run(source) {
        Ok(ran) => ran,
        Err(Failed::CheckErrors(e)) => panic!("the program does not check:\n{e}\n{source}"),
        Err(Failed::Build(e)) => panic!("checker-clean but {e}\n{source}"),
    }
}

// ---------------------------------------------------------------------------------------
// The generator

/// The value types generated programs use. Lists cover every element kind: scalars,
/// strings, structs, zero-slot structs, lists, lists of zero-slot structs, optionals,
/// results holding lists, arrays.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Int,
    Bool,
    Str,
    OptInt,
    ResInt,
    P,
    Arr3,
    /// `ref<P>`, for views and `peek`.
    RefP,
    List(Elem),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Elem {
    Int,
    Str,
    P,
    Z,
    ListZ,
    ListInt,
    OptInt,
    ResListInt,
    Arr2,
}

const ELEMS: [Elem; 9] = [
    Elem::Int,
    Elem::Str,
    Elem::P,
    Elem::Z,
    Elem::ListZ,
    Elem::ListInt,
    Elem::OptInt,
    Elem::ResListInt,
    Elem::Arr2,
];

impl Elem {
    fn type_text(self) -> &'static str {
        match self {
            Elem::Int => "int",
            Elem::Str => "string",
            Elem::P => "P",
            Elem::Z => "Z",
            Elem::ListZ => "list<Z>",
            Elem::ListInt => "list<int>",
            Elem::OptInt => "optional<int>",
            Elem::ResListInt => "result<list<int>, E>",
            Elem::Arr2 => "[int; 2]",
        }
    }
}

/// The fixed part every generated program starts with.
const PRELUDE: &str = "declare error E { A, B }
declare const LIMIT: int = 3;
declare struct Z()
declare struct P(x: int, y: int) {
    pub const ORIGIN: P = P(0, 0);
    pub fn sum(self): int { self.x + self.y }
    pub fn bump(mut self, n: int) { self.x += n; }
}
declare struct Q(p: P, l: list<int>)
service Counter {
    let mut n: int = 0;
    let mut seen: list<int> = alloc list<int>();
    pub fn add(k: int): int { n += k; seen.push(k); n + seen.len() }
}
fn half(o: optional<int>): optional<int> { let v = o?; some(v / 2) }
fn init() { Log.info(Counter.add(1) as string); }
fn side(n: int): int { Log.info(\"side \" + (n as string)); n }
fn mk(n: int): Q { Q(P(n, n + 1), alloc list<int>()) }
fn opt(n: int): optional<int> { if n > 1 { some(n) } else { none } }
fn res(n: int): result<int, E> { if n > 1 { ok(n) } else if n == 1 { err(E.B) } else { err(E.A) } }
";

/// A seeded program generator (SplitMix64): the seed is the proptest value, so a
/// failure prints a program that is reproduced by its seed.
struct Gen {
    state: u64,
    names: u32,
    /// Locals in scope, innermost block last.
    scopes: Vec<Vec<(String, Ty)>>,
    /// Loops enclosing the code being generated.
    loops: u32,
    /// The return type of the function being generated.
    ret: Ty,
    /// Expression nesting budget left.
    depth: u32,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            state: seed,
            names: 0,
            scopes: Vec::new(),
            loops: 0,
            ret: Ty::Int,
            depth: 0,
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.names += 1;
        format!("{prefix}{}", self.names)
    }

    fn bind(&mut self, name: &str, ty: Ty) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), ty));
        }
    }

    fn local(&mut self, ty: Ty) -> Option<String> {
        let found: Vec<String> = self
            .scopes
            .iter()
            .flatten()
            .filter(|(_, t)| *t == ty)
            .map(|(n, _)| n.clone())
            .collect();
        if found.is_empty() {
            return None;
        }
        let i = self.below(found.len() as u64) as usize;
        Some(found[i].clone())
    }

    /// A block that never produces its value: it returns, breaks or continues.
    fn diverging(&mut self) -> String {
        let leave = if self.loops > 0 { self.below(3) } else { 0 };
        let effect = if self.chance(40) {
            "Log.info(\"leaving\"); "
        } else {
            ""
        };
        match leave {
            0 => {
                let value = self.leaf(self.ret);
                format!("({{ {effect}return {value}; }})")
            }
            1 => format!("({{ {effect}break; }})"),
            _ => format!("({{ {effect}continue; }})"),
        }
    }

    /// An expression of type `ty` without nesting.
    fn leaf(&mut self, ty: Ty) -> String {
        if self.chance(50) {
            if let Some(name) = self.local(ty) {
                return name;
            }
        }
        let n = self.below(5);
        match ty {
            Ty::Int => n.to_string(),
            Ty::Bool => ["true", "false"][n as usize % 2].to_string(),
            Ty::Str => format!("\"s{n}\""),
            Ty::OptInt => format!("opt({n})"),
            Ty::ResInt => format!("res({n})"),
            Ty::P => format!("P({n}, 1)"),
            Ty::Arr3 => format!("[{n}, 1, 2]"),
            Ty::RefP => format!("alloc P({n}, 2)"),
            Ty::List(e) => format!("alloc list<{}>()", e.type_text()),
        }
    }

    /// An expression of type `ty`.
    fn expr(&mut self, ty: Ty) -> String {
        if self.depth == 0 || self.chance(25) {
            return self.leaf(ty);
        }
        if self.chance(8) {
            return self.diverging();
        }
        self.depth -= 1;
        let text = self.compound(ty);
        self.depth += 1;
        text
    }

    fn compound(&mut self, ty: Ty) -> String {
        match ty {
            Ty::Int => self.int_expr(),
            Ty::Bool => match self.below(5) {
                0 => format!("({} < {})", self.expr(Ty::Int), self.expr(Ty::Int)),
                1 => format!("({} == {})", self.expr(Ty::Int), self.expr(Ty::Int)),
                2 => format!("(!{})", self.expr(Ty::Bool)),
                3 => format!("({} && {})", self.expr(Ty::Bool), self.expr(Ty::Bool)),
                _ => format!("({} || {})", self.expr(Ty::Bool), self.expr(Ty::Bool)),
            },
            Ty::Str => match self.below(3) {
                0 => format!("({} as string)", self.expr(Ty::Int)),
                1 => format!("({} + {})", self.expr(Ty::Str), self.expr(Ty::Str)),
                _ => {
                    let cond = self.expr(Ty::Bool);
                    let (a, b) = (self.expr(Ty::Str), self.expr(Ty::Str));
                    format!("(if {cond} {{ {a} }} else {{ {b} }})")
                }
            },
            Ty::OptInt => match self.below(3) {
                0 => format!("opt({})", self.expr(Ty::Int)),
                1 => format!("some({})", self.expr(Ty::Int)),
                _ => {
                    let cond = self.expr(Ty::Bool);
                    let (a, b) = (self.expr(Ty::Int), self.expr(Ty::Int));
                    format!("(if {cond} {{ some({a}) }} else {{ opt({b}) }})")
                }
            },
            Ty::ResInt => format!("res({})", self.expr(Ty::Int)),
            Ty::P => match self.below(3) {
                0 => format!("P({}, {})", self.expr(Ty::Int), self.expr(Ty::Int)),
                1 => format!("mk({}).p", self.expr(Ty::Int)),
                _ => {
                    let subject = self.expr(Ty::Int);
                    let (a, b) = (self.expr(Ty::P), self.expr(Ty::P));
                    format!("(({subject}) when {{ 0 -> {a}, _ -> {b}, }})")
                }
            },
            Ty::Arr3 => match self.below(2) {
                0 => format!(
                    "[{}, {}, {}]",
                    self.expr(Ty::Int),
                    self.expr(Ty::Int),
                    self.expr(Ty::Int)
                ),
                _ => format!("[{}; 3]", self.expr(Ty::Int)),
            },
            Ty::RefP => format!("alloc {}", self.paren_p()),
            Ty::List(_) => self.leaf(ty),
        }
    }

    fn int_expr(&mut self) -> String {
        if self.chance(35) {
            return self.more_int_expr();
        }
        match self.below(17) {
            0 => format!("({} + {})", self.expr(Ty::Int), self.expr(Ty::Int)),
            1 => format!("({} * {})", self.expr(Ty::Int), self.expr(Ty::Int)),
            2 => format!("(-{})", self.expr(Ty::Int)),
            3 => {
                let cond = self.expr(Ty::Bool);
                let (a, b) = (self.expr(Ty::Int), self.expr(Ty::Int));
                format!("(if {cond} {{ {a} }} else {{ {b} }})")
            }
            4 => {
                let subject = self.expr(Ty::Int);
                let (a, b, c) = (self.expr(Ty::Int), self.expr(Ty::Int), self.expr(Ty::Int));
                format!("(({subject}) when {{ 0 -> {a}, 1 -> {b}, _ -> {c}, }})")
            }
            5 => {
                let name = self.fresh("t");
                let value = self.expr(Ty::Int);
                self.scopes.push(vec![(name.clone(), Ty::Int)]);
                let rest = self.expr(Ty::Int);
                self.scopes.pop();
                format!("({{ let {name} = {value}; ({name} + {rest}) }})")
            }
            6 => format!("side({})", self.expr(Ty::Int)),
            7 => format!(
                "({} else {{ {} }})",
                self.expr(Ty::OptInt),
                self.expr(Ty::Int)
            ),
            8 => format!("{}.x", self.paren_p()),
            9 => format!("{}[{}]", self.paren_arr(), self.below(3)),
            10 => match self.any_list() {
                Some(list) => format!("{list}.len()"),
                None => self.leaf(Ty::Int),
            },
            11 => self.diverging(),
            12 if self.ret == Ty::ResInt => format!("({}?)", self.expr(Ty::ResInt)),
            12 if self.ret == Ty::OptInt => format!("({}?)", self.expr(Ty::OptInt)),
            13 => {
                let subject = self.expr(Ty::ResInt);
                let a = self.expr(Ty::Int);
                let b = if self.ret == Ty::ResInt && self.chance(50) {
                    "err(E.B)".to_string()
                } else {
                    format!("ok({})", self.expr(Ty::Int))
                };
                format!("(handle {subject} {{ E.A -> ok({a}), E.B -> {b}, }})")
            }
            14 => format!(
                "(({}) when {{ some(v) -> v, none -> {}, }})",
                self.expr(Ty::OptInt),
                self.expr(Ty::Int)
            ),
            15 => format!("[{}, {}].len()", self.expr(Ty::Int), self.expr(Ty::Int)),
            _ => {
                let cond = self.expr(Ty::Bool);
                let a = self.expr(Ty::Int);
                format!("(if {cond} {{ {a} }} else {})", self.diverging_block())
            }
        }
    }

    /// Members, services, constants, floats, bounded values, views, list reads and
    /// patterns.
    fn more_int_expr(&mut self) -> String {
        match self.below(17) {
            14 => {
                let subject = self.expr(Ty::Str);
                let (a, b) = (self.expr(Ty::Int), self.expr(Ty::Int));
                format!("(({subject}) when {{ \"s1\" | \"s2\" -> {a}, _ -> {b}, }})")
            }
            15 => {
                let subject = self.expr(Ty::Bool);
                let (a, b) = (self.expr(Ty::Int), self.expr(Ty::Int));
                format!("(({subject}) when {{ true -> {a}, false -> {b}, }})")
            }
            16 => format!("(take {}).x", self.expr(Ty::RefP)),
            0 => "(P.ORIGIN.x + LIMIT)".to_string(),
            1 => format!("{}.sum()", self.paren_p()),
            2 => format!("Counter.add({})", self.expr(Ty::Int)),
            3 => format!(
                "(half({}) else {{ {} }})",
                self.expr(Ty::OptInt),
                self.expr(Ty::Int)
            ),
            4 => {
                let subject = self.expr(Ty::ResInt);
                let (a, b) = (self.expr(Ty::Int), self.expr(Ty::Int));
                format!("(({subject}) when {{ ok(v) -> v, err(E.A) -> {a}, err(E.B) -> {b}, }})")
            }
            5 => {
                let subject = self.expr(Ty::OptInt);
                let (a, b) = (self.expr(Ty::Int), self.expr(Ty::Int));
                format!("(({subject}) when {{ some(1) | none -> {a}, some(v) -> (v + {b}), }})")
            }
            6 => format!("((({} as float) * 1.5) as int)", self.expr(Ty::Int)),
            7 => format!(
                "(((((({}) * 7) % 100 + 100) as bounded) + 3b) as int)",
                self.expr(Ty::Int)
            ),
            8 => {
                let handle = self.expr(Ty::RefP);
                let cond = self.expr(Ty::Bool);
                let leave = self.diverging_block();
                format!("(borrow {handle} as c {{ if {cond} {leave} c.x + c.y }})")
            }
            9 => {
                let handle = self.expr(Ty::RefP);
                let value = self.expr(Ty::Int);
                format!("(mutate {handle} as c {{ c.x += {value}; c.y }})")
            }
            10 => format!("(peek {}).y", self.expr(Ty::RefP)),
            11 => match self.local(Ty::List(Elem::Int)) {
                Some(list) => format!("({list}.pop() else {{ {} }})", self.expr(Ty::Int)),
                None => self.leaf(Ty::Int),
            },
            12 => {
                let arr = self.paren_arr();
                format!("{arr}[(({}) % 3 + 3) % 3]", self.expr(Ty::Int))
            }
            _ => {
                let (a, b) = (self.expr(Ty::Str), self.expr(Ty::Str));
                let (x, y) = (self.expr(Ty::Int), self.expr(Ty::Int));
                format!("(if {a} < {b} {{ {x} }} else {{ {y} }})")
            }
        }
    }

    /// `{ …; return/break/continue; }` as a branch body.
    fn diverging_block(&mut self) -> String {
        let text = self.diverging();
        // `({ … })` → `{ … }`
        text[1..text.len() - 1].to_string()
    }

    fn paren_p(&mut self) -> String {
        match self.local(Ty::P) {
            Some(name) if self.chance(50) => name,
            _ => format!("({})", self.expr(Ty::P)),
        }
    }

    fn paren_arr(&mut self) -> String {
        match self.local(Ty::Arr3) {
            Some(name) if self.chance(50) => name,
            _ => format!("({})", self.expr(Ty::Arr3)),
        }
    }

    fn any_list(&mut self) -> Option<String> {
        let lists: Vec<String> = self
            .scopes
            .iter()
            .flatten()
            .filter(|(_, t)| matches!(t, Ty::List(_)))
            .map(|(n, _)| n.clone())
            .collect();
        if lists.is_empty() {
            return None;
        }
        let i = self.below(lists.len() as u64) as usize;
        Some(lists[i].clone())
    }

    /// An element for a `list<e>` push.
    fn element(&mut self, e: Elem) -> String {
        match e {
            Elem::Int => self.expr(Ty::Int),
            Elem::Str => self.expr(Ty::Str),
            Elem::P => match self.below(3) {
                0 => format!("P(mk({}).p.x, {})", self.expr(Ty::Int), self.expr(Ty::Int)),
                1 => format!("mk({}).p", self.expr(Ty::Int)),
                _ => self.expr(Ty::P),
            },
            Elem::Z => "Z()".to_string(),
            Elem::ListZ => "alloc list<Z>()".to_string(),
            Elem::ListInt => match self.below(2) {
                0 => "alloc list<int>()".to_string(),
                _ => format!("mk({}).l", self.expr(Ty::Int)),
            },
            Elem::OptInt => match self.below(3) {
                0 => "none".to_string(),
                1 => format!("some({})", self.expr(Ty::Int)),
                _ => self.expr(Ty::OptInt),
            },
            Elem::ResListInt => match self.below(3) {
                0 => "err(E.A)".to_string(),
                1 => "ok(alloc list<int>())".to_string(),
                _ => format!("ok(mk({}).l)", self.expr(Ty::Int)),
            },
            Elem::Arr2 => format!("[{}, {}]", self.expr(Ty::Int), self.expr(Ty::Int)),
        }
    }

    fn block(&mut self, statements: u64, out: &mut String) {
        self.scopes.push(Vec::new());
        for _ in 0..self.below(statements + 1) {
            self.stmt(out);
        }
        self.scopes.pop();
    }

    fn stmt(&mut self, out: &mut String) {
        self.depth = 2;
        let nested = self.scopes.len() < 5;
        match self.below(21) {
            0 | 1 => {
                let ty = [
                    Ty::Int,
                    Ty::Bool,
                    Ty::Str,
                    Ty::OptInt,
                    Ty::P,
                    Ty::Arr3,
                    Ty::ResInt,
                    Ty::RefP,
                ][self.below(8) as usize];
                let name = self.fresh("v");
                let value = self.expr(ty);
                out.push_str(&format!("let {name} = {value};\n"));
                self.bind(&name, ty);
            }
            2 => {
                let e = ELEMS[self.below(ELEMS.len() as u64) as usize];
                let name = self.fresh("l");
                out.push_str(&format!("let {name} = alloc list<{}>();\n", e.type_text()));
                self.bind(&name, Ty::List(e));
                for _ in 0..=self.below(2) {
                    let elem = self.element(e);
                    out.push_str(&format!("{name}.push({elem});\n"));
                }
                if self.chance(30) {
                    let elem = self.element(e);
                    out.push_str(&format!("{name}[0] = {elem};\n"));
                }
                if self.chance(30) {
                    let elem = self.element(e);
                    out.push_str(&format!("{name}.insert(0, {elem});\n"));
                }
            }
            3 => {
                let name = self.fresh("m");
                let (a, b, c) = (self.expr(Ty::Int), self.expr(Ty::Int), self.expr(Ty::Int));
                out.push_str(&format!(
                    "let mut {name} = {a};\n{name} += {b};\n{name} = {c};\n"
                ));
                self.bind(&name, Ty::Int);
            }
            4 if nested => {
                let cond = self.expr(Ty::Bool);
                out.push_str(&format!("if {cond} {{\n"));
                self.block(3, out);
                if self.chance(50) {
                    out.push_str("} else {\n");
                    self.block(3, out);
                }
                out.push_str("}\n");
            }
            5 if nested => {
                let name = self.fresh("i");
                out.push_str(&format!("for {name} in 0..3 {{\n"));
                self.loops += 1;
                self.scopes.push(vec![(name, Ty::Int)]);
                self.block(3, out);
                self.scopes.pop();
                self.loops -= 1;
                out.push_str("}\n");
            }
            6 if nested => {
                let name = self.fresh("e");
                let (a, b) = (self.expr(Ty::Int), self.expr(Ty::Int));
                out.push_str(&format!("for {name} in [{a}, side({b})] {{\n"));
                self.loops += 1;
                self.scopes.push(vec![(name, Ty::Int)]);
                self.block(3, out);
                self.scopes.pop();
                self.loops -= 1;
                out.push_str("}\n");
            }
            7 if nested => {
                let Some(list) = self.any_list() else {
                    return;
                };
                let name = self.fresh("x");
                out.push_str(&format!("for {name} in {list} {{\n"));
                self.loops += 1;
                self.block(2, out);
                self.loops -= 1;
                out.push_str("}\n");
            }
            8 => {
                let text = self.expr(Ty::Str);
                out.push_str(&format!("Log.info({text});\n"));
            }
            9 if nested => {
                let subject = self.expr(Ty::Int);
                out.push_str(&format!("({subject}) when {{\n0 -> {{\n"));
                self.block(2, out);
                out.push_str("},\n_ -> {\n");
                self.block(2, out);
                out.push_str("},\n}\n");
            }
            10 if self.loops > 0 => {
                let cond = self.expr(Ty::Bool);
                let leave = ["break", "continue"][self.below(2) as usize];
                out.push_str(&format!("if {cond} {{ {leave}; }}\n"));
            }
            11 => {
                let name = self.fresh("o");
                let value = self.expr(Ty::OptInt);
                let fallback = if self.chance(50) {
                    self.diverging_block()
                } else {
                    format!("{{ {} }}", self.expr(Ty::Int))
                };
                out.push_str(&format!("let {name} = {value} else {fallback};\n"));
                self.bind(&name, Ty::Int);
            }
            12 if self.loops > 0 => {
                let name = self.fresh("q");
                let leave = ["break", "continue"][self.below(2) as usize];
                out.push_str(&format!("let {name} = {{ {leave}; }};\n"));
            }
            13 => {
                let text = self.expr(Ty::Int);
                out.push_str(&format!("Log.info(({text}) as string);\n"));
            }
            14 if self.chance(20) => {
                let value = self.expr(self.ret);
                out.push_str(&format!("return {value};\n"));
            }
            16 => {
                let name = self.fresh("w");
                out.push_str(&format!(
                    "let mut {name} = 0;\nwhile {name} < LIMIT {{\n{name} += 1;\n"
                ));
                self.loops += 1;
                self.scopes.push(vec![(name, Ty::Int)]);
                self.block(2, out);
                self.scopes.pop();
                self.loops -= 1;
                out.push_str("}\n");
            }
            17 => {
                let name = self.fresh("p");
                let (a, b, c, d) = (
                    self.expr(Ty::P),
                    self.expr(Ty::Int),
                    self.expr(Ty::Int),
                    self.expr(Ty::Int),
                );
                out.push_str(&format!(
                    "let mut {name} = {a};\n{name}.x = {b};\n{name}.bump({c});\n{name}.y += {d};\n"
                ));
                self.bind(&name, Ty::P);
            }
            18 => {
                let name = self.fresh("r");
                let (a, b, c, d) = (
                    self.expr(Ty::Arr3),
                    self.expr(Ty::Int),
                    self.expr(Ty::Int),
                    self.expr(Ty::Int),
                );
                out.push_str(&format!(
                    "let mut {name} = {a};\n{name}[1] = {b};\n{name}[(({c}) % 3 + 3) % 3] += {d};\n"
                ));
                self.bind(&name, Ty::Arr3);
            }
            19 => {
                let name = self.fresh("h");
                let (a, b) = (self.expr(Ty::RefP), self.expr(Ty::Int));
                let cond = self.expr(Ty::Bool);
                let leave = self.diverging_block();
                out.push_str(&format!(
                    "let {name} = {a};\nmutate {name} as c {{ c.x = {b}; if {cond} {leave} }}\n"
                ));
                self.bind(&name, Ty::RefP);
            }
            20 => {
                let Some(list) = self.any_list() else {
                    return;
                };
                let op = ["clear()", "pop()", "remove(0)", "len()"][self.below(4) as usize];
                out.push_str(&format!("if {list}.len() > 0 {{ {list}.{op}; }}\n"));
            }
            15 if self.chance(30) => {
                let value = self.diverging();
                out.push_str(&format!("Log.info({value});\n"));
            }
            _ => {
                let text = self.expr(Ty::Int);
                out.push_str(&format!("Log.info(side({text}) as string);\n"));
            }
        }
    }

    /// A whole program: the fixed prelude, a few generated functions, and `frame`.
    fn program(&mut self) -> String {
        let mut out = String::from(PRELUDE);
        let count = 1 + self.below(3);
        let mut calls = String::new();
        for f in 0..count {
            self.ret = [Ty::Int, Ty::Int, Ty::ResInt, Ty::OptInt][self.below(4) as usize];
            self.loops = 0;
            self.scopes = vec![vec![("a".into(), Ty::Int), ("o".into(), Ty::OptInt)]];
            let ret_text = match self.ret {
                Ty::ResInt => "result<int, E>",
                Ty::OptInt => "optional<int>",
                _ => "int",
            };
            out.push_str(&format!(
                "fn g{f}(a: int, o: optional<int>): {ret_text} {{\n"
            ));
            let mut body = String::new();
            for _ in 0..1 + self.below(6) {
                self.stmt(&mut body);
            }
            self.depth = 2;
            let tail = match self.ret {
                Ty::ResInt => format!("ok({})", self.expr(Ty::Int)),
                Ty::OptInt => format!("some({})", self.expr(Ty::Int)),
                _ => self.expr(Ty::Int),
            };
            out.push_str(&body);
            out.push_str(&tail);
            out.push_str("\n}\n");
            calls.push_str(&match self.ret {
                Ty::ResInt => format!(
                    "Log.info(g{f}(k, opt(k)) when {{ ok(v) -> v as string, err(_) -> \"err\", }});\n"
                ),
                Ty::OptInt => format!(
                    "Log.info(g{f}(k, opt(k)) when {{ some(v) -> v as string, none -> \"none\", }});\n"
                ),
                _ => format!("Log.info(g{f}(k, opt(k)) as string);\n"),
            });
        }
        out.push_str("fn frame() {\nfor k in 0..4 {\n");
        out.push_str(&calls);
        out.push_str("}\n}\n");
        out
    }
}

/// The number of generated programs: `PROPTEST_CASES`, or a CI-sized default.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn checker_clean_programs_build_verify_and_load(seed in any::<u64>()) {
        let source = Gen::new(seed).program();
        match build_and_run(&source) {
            Ok(_) => {}
            // The generator aims at clean programs; the few it misses say nothing
            // about the compiler.
            Err(Failed::CheckErrors(_)) => prop_assume!(false),
            Err(Failed::Build(e)) => {
                prop_assert!(false, "seed {seed}: checker-clean but {e}\n{source}");
            }
        }
    }
}

#[test]
fn the_generator_mostly_writes_checker_clean_programs() {
    // A generator that drifted into writing invalid programs would make the property
    // above pass vacuously.
    let mut clean = 0;
    let mut first_error = None;
    for seed in 0..200u64 {
        let source = Gen::new(seed).program();
        match build_and_run(&source) {
            Ok(_) => clean += 1,
            Err(Failed::CheckErrors(e)) => {
                if std::env::var_os("SHOW_GENERATOR_ERRORS").is_some() {
                    eprintln!("seed {seed}: {e}");
                }
                first_error.get_or_insert(format!("{e}\n{source}"));
            }
            Err(Failed::Build(e)) => panic!("seed {seed}: checker-clean but {e}\n{source}"),
        }
    }
    eprintln!("{clean}/200 generated programs check clean");
    assert!(
        clean >= 36,
        "{clean}/40 clean; first failure:\n{}",
        first_error.unwrap_or_default()
    );
}

/// The programs of issues 16 and 17 that passed `check` and then failed to build or
/// load: each now builds, verifies, loads and runs.
const REPRODUCERS: &[&str] = &[
    // 17.1: `for` over an array literal with a computed element.
    "fn frame() {\n    for _e in [1, System.frame_count()] {}\n}\n",
    // 17.2: the pushed element holds a list (or is one) of zero-slot values.
    "declare struct Z()\nfn frame() { let l = alloc list<list<Z>>(); l.push(alloc list<Z>()); }\n",
    "declare error E { A }\nfn frame() { let l = alloc list<result<list<int>, E>>(); l.push(err(E.A)); }\n",
    "declare struct Q(l: list<int>, n: int)\nfn mk(): Q { Q(alloc list<int>(), 1) }\n\
     fn frame() { let l = alloc list<Q>(); l.push(Q(mk().l, 3)); if l.len() > 0 { l.push(mk()); } }\n",
    // 17.3: a block that always leaves, used as a value.
    "fn frame() { Log.info({ return; }); }\n",
    "fn frame() { for _k in 0..3 { let _q = { break; }; } }\n",
    // 16.1: the same in a `when` arm and an `else` fallback.
    "fn frame() {\n    for k in 0..10 {\n        k when { 4 -> { break; }, _ -> { }, }\n    }\n}\n",
    "fn pick(o: optional<int>): int {\n    (o else { return -1; }) + 1\n}\nfn frame() { Log.info(pick(none) as string); }\n",
    // 17.6: the largest value a function can hold (pbs-language.md §3.2).
    "fn frame() { let x = [7; 32767]; Log.info(x[32766] as string); }\n",
];

#[test]
fn issue_reproducers_build_verify_load_and_run() {
    for source in REPRODUCERS {
        assert_eq!(must_build(source), Ran::Finished, "{source}");
    }
}

#[test]
fn long_functions_verify_in_near_linear_time() {
    // 17.5: one function with 1,000 `let` + `if` pairs, another with 1,500 `when`s,
    // used to exceed the verifier's budget (more than 2^22 slot states).
    let mut pairs = String::from("fn frame() {\n");
    for i in 0..1000 {
        pairs += &format!(
            "    let a{i} = System.frame_count();\n    if a{i} > 3 {{ Log.info(\"x\"); }}\n"
        );
    }
    pairs += "}\n";
    assert_eq!(must_build(&pairs), Ran::Finished);
    let mut whens = String::from("fn frame() {\n    let n = System.frame_count();\n");
    for i in 0..1500 {
        whens += &format!(
            "    let w{i} = n when {{ 1 -> 2, _ -> 3, }};\n    Log.info(w{i} as string);\n"
        );
    }
    whens += "}\n";
    assert_eq!(must_build(&whens), Ran::Finished);
    // A deep operand stack where code branches: 3,000 `if` elements of one array
    // literal, and as many system calls (safepoints with the whole stack recorded).
    let elements: Vec<String> = (0..3000)
        .map(|i| format!("(if c {{ {i} }} else {{ 0 }})"))
        .collect();
    let deep = format!(
        "fn frame() {{\n    let c = System.frame_count() > 0;\n    let a = [{}];\n    Log.info(a[2999] as string);\n}}\n",
        elements.join(", ")
    );
    assert_eq!(must_build(&deep), Ran::Finished);
    let calls: Vec<String> = (0..3000)
        .map(|i| format!("System.random({})", i + 1))
        .collect();
    let calls = format!(
        "fn frame() {{\n    let a = [{}];\n    Log.info((a[0] < 1) as string);\n}}\n",
        calls.join(", ")
    );
    assert_eq!(must_build(&calls), Ran::Finished);
}
