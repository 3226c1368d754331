//! Compiles small PBS programs and runs them on the VM, checking what they log and
//! where they trap. Every compile also verifies, round-trips through `program.pbc` and
//! is compiled twice to check determinism (see `support::compile_loaded`).

mod support;

use support::{logs, run_src};

#[test]
fn int_arithmetic_wraps_and_divides_toward_zero() {
    let out = logs(
        "fn frame() {\n    let big = 2147483647;\n    Log.info((big + 1) as string);\n    Log.info((-7 / 2) as string);\n    Log.info((-7 % 2) as string);\n    Log.info((1 << 33) as string);\n    Log.info((-16 >> 2) as string);\n}\n",
    );
    assert_eq!(out, ["-2147483648", "-3", "-1", "2", "-4"]);
}

#[test]
fn division_by_zero_traps_at_the_binary_expression() {
    let run = run_src(
        "fn frame() {\n    let z = 0;\n    Log.info((10 / z) as string);\n}\n",
        1,
    );
    assert_eq!(run.trap.as_deref(), Some("TRAP_DIV_ZERO at 3:15"));
}

#[test]
fn recursion_computes_fibonacci() {
    let out = logs(
        "fn fib(n: int): int { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }\n\
         fn frame() { Log.info(fib(20) as string); }\n",
    );
    assert_eq!(out, ["6765"]);
}

#[test]
fn strings_concatenate_compare_and_measure() {
    let out = logs(
        "fn frame() {\n    let s = \"ab\" + \"cd\";\n    Log.info(s + \" \" + (s.len() as string));\n    Log.info((\"abc\" < \"abd\") as string);\n    Log.info((s == \"abcd\") as string);\n    Log.info(1.5 as string);\n    Log.info(7b as string);\n}\n",
    );
    assert_eq!(out, ["abcd 4", "true", "true", "1.5", "7"]);
}

#[test]
fn structs_are_copied_and_mut_self_writes_back() {
    let out = logs(
        "declare struct P(x: int, y: int) {\n    pub fn sum(self): int { return self.x + self.y; }\n    pub fn grow(mut self, k: int) { self.x *= k; self.y *= k; }\n}\n\
         fn frame() {\n    let mut a = P(1, 2);\n    let b = a;\n    a.grow(10);\n    Log.info((a.sum() as string) + \" \" + (b.sum() as string));\n    let mut ps = [P(1, 1), P(2, 2)];\n    let i = 1;\n    ps[i].grow(3);\n    ps[0].x = 9;\n    Log.info((ps[0].sum() as string) + \" \" + (ps[1].sum() as string));\n    Log.info((a == P(10, 20)) as string);\n}\n",
    );
    assert_eq!(out, ["30 3", "10 12", "true"]);
}

#[test]
fn arrays_index_and_trap_out_of_bounds() {
    let out = logs(
        "fn frame() {\n    let mut a = [0; 4];\n    for i in 0..4 { a[i] = i * i; }\n    let mut s = 0;\n    for v in a { s += v; }\n    Log.info((s as string) + \" \" + (a.len() as string));\n}\n",
    );
    assert_eq!(out, ["14 4"]);
    let run = run_src(
        "fn frame() {\n    let a = [1, 2];\n    let i = 2;\n    Log.info(a[i] as string);\n}\n",
        1,
    );
    assert_eq!(run.trap.as_deref(), Some("TRAP_OOB at 4:14"));
}

#[test]
fn optionals_results_when_and_handle() {
    let out = logs(
        "declare error E { Bad, Worse }\n\
         fn half(n: int): result<int, E> { if n % 2 == 0 { return ok(n / 2); } return err(E.Bad); }\n\
         fn quarter(n: int): result<int, E> { let h = half(n)?; return half(h); }\n\
         fn first(xs: [int; 3]): optional<int> { for x in xs { if x > 1 { return some(x); } } return none; }\n\
         fn frame() {\n    Log.info((quarter(8) else -1) as string);\n    Log.info((quarter(6) else -1) as string);\n    let r = handle quarter(2) { E.Bad -> ok(100), E.Worse -> ok(200) };\n    Log.info(r as string);\n    let w = first([1, 5, 7]) when { some(v) -> v, none -> 0 };\n    Log.info(w as string);\n    let t = 3 when { 1 | 2 -> \"low\", 3 -> \"three\", _ -> \"high\" };\n    Log.info(t);\n}\n",
    );
    assert_eq!(out, ["2", "-1", "100", "5", "three"]);
}

#[test]
fn services_keep_state_and_initialise_heap_fields() {
    let run = run_src(
        "service S {\n    let mut n: int = 1;\n    let items: list<int> = alloc list<int>();\n    let name: string = \"s\";\n    pub fn tick() { n *= 2; items.push(n); }\n    pub fn show(): string { return name + (n as string) + \"/\" + (items.len() as string); }\n}\n\
         fn init() { Log.info(S.show()); }\n\
         fn frame() { S.tick(); Log.info(S.show()); }\n",
        2,
    );
    assert_eq!(run.trap, None);
    assert_eq!(run.logs, ["0 INFO s1/0", "1 INFO s2/1", "2 INFO s4/2"]);
}

#[test]
fn views_borrow_and_mutate_heap_storage() {
    let out = logs(
        "declare struct C(n: int)\n\
         fn frame() {\n    let h = alloc C(1);\n    for _ in 0..3 { mutate h as c { c.n += 1; } }\n    let n = borrow h as c { c.n };\n    let l = alloc list<C>();\n    l.push(peek h);\n    l.push(C(7));\n    let mut s = 0;\n    for c in l { s += c.n; }\n    Log.info((n as string) + \" \" + (s as string));\n}\n",
    );
    assert_eq!(out, ["4 11"]);
}

#[test]
fn break_inside_an_expression_unwinds_the_stack() {
    let out = logs(
        "fn frame() {\n    let mut i = 0;\n    while true {\n        i += 1;\n        let x = 1 + { if i > 3 { break; } i };\n        Log.info(x as string);\n    }\n}\n",
    );
    assert_eq!(out, ["2", "3", "4"]);
}

#[test]
fn a_program_with_errors_is_not_compiled() {
    let l = support::load_src("fn frame() { let x: int = true; }\n");
    let err = prometeu_compiler::compile(&l.analysis, &l.graph).unwrap_err();
    assert_eq!(
        err.kind,
        prometeu_compiler::CompileErrorKind::AnalysisErrors
    );
}

#[test]
fn debug_map_names_functions_and_locals() {
    let compiled = support::compile_src(
        "declare struct P(x: int) { pub fn get(self): int { return self.x; } }\nfn frame() { let p = P(3); Log.info(p.get() as string); }\n",
    );
    let debug = compiled.program.debug.as_ref().unwrap();
    let names: Vec<&str> = debug.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["P.get", "frame"]);
    assert_eq!(debug.functions[1].locals, [(0, "p".to_string())]);
    // Every instruction has a span: runs start at pc 0 and cover the code.
    assert_eq!(debug.lines.first().map(|r| r.pc), Some(0));
}

#[test]
fn leaving_a_view_early_closes_it() {
    let out = logs(
        "declare struct C(n: int)\n\
         fn peek_n(h: ref<C>): int {\n    borrow h as c { if c.n > 0 { return c.n; } }\n    return 0;\n}\n\
         fn frame() {\n    let h = alloc C(3);\n    let first = peek_n(h);\n    for _ in 0..2 {\n        borrow h as c { if c.n > 0 { break; } }\n    }\n    mutate h as m { m.n += first; }\n    Log.info(borrow h as c { c.n } as string);\n}\n",
    );
    assert_eq!(out, ["6"]);
}

#[test]
fn nested_places_update_through_arrays_of_structs_in_services() {
    let out = logs(
        "declare struct Cell(v: int, tags: [int; 2])\n\
         service Grid {\n    let mut cells: [Cell; 3] = [Cell(0, [0, 0]); 3];\n    pub fn bump(i: int, j: int) { cells[i].tags[j] += i + 1; cells[i].v = cells[i].tags[0] + cells[i].tags[1]; }\n    pub fn total(): int { let mut s = 0; for c in cells { s += c.v; } return s; }\n}\n\
         fn frame() {\n    Grid.bump(0, 1);\n    Grid.bump(2, 0);\n    Grid.bump(2, 1);\n    Log.info(Grid.total() as string);\n}\n",
    );
    assert_eq!(out, ["7"]);
}

#[test]
fn service_fields_start_with_their_initialisers() {
    let src = "declare error Mood { Calm, Angry }\n\
         service S {\n    let mut mood: Mood = Mood.Angry;\n    let mut tint: Color = Color.RED;\n    let mut greeting: string = \"hi\";\n\
         pub fn show(): string {\n        let m = mood when { Mood.Calm -> \"calm\", Mood.Angry -> \"angry\" };\n        return m + \" \" + (tint.raw() as string) + \" \" + greeting;\n    }\n}\n\
         fn frame() { Log.info(S.show()); }\n";
    assert_eq!(logs(src), ["angry 63488 hi"]);
    // Scalars, error cases and constant structs live in GLOB; only the non-empty
    // string needs `__init_globals`.
    let program = support::compile_src(src).program;
    use prometeu_bytecode::GlobalInit;
    assert_eq!(program.globals[0].init, GlobalInit::I32(1));
    assert_eq!(program.globals[1].init, GlobalInit::U16(63488));
    assert!(program.export("__init_globals").is_some());
}

#[test]
fn a_for_loop_over_an_array_reads_the_array_as_it_was_when_the_loop_started() {
    let out = logs(
        "fn frame() {\n    let mut a = [1, 2, 3];\n    let mut s = \"\";\n    for v in a {\n        a[2] = 30;\n        s += v as string;\n    }\n    let b = [4, 5];\n    for v in b { s += v as string; }\n    Log.info(s + \" \" + (a[2] as string));\n}\n",
    );
    assert_eq!(out, ["12345 30"]);
}

#[test]
fn early_exits_from_inside_expressions_drop_the_operands_below() {
    let out = logs(
        "declare error E { Odd, Big }\n\
         fn half(n: int): optional<int> { if n % 2 == 0 { return some(n / 2); } return none; }\n\
         fn plus_half(n: int): optional<int> { return some(100 + half(n)?); }\n\
         fn check(n: int): result<int, E> { if n > 9 { return err(E.Big); } if n % 2 == 1 { return err(E.Odd); } return ok(n); }\n\
         fn relay(n: int): result<int, E> {\n    let v = 1000 + handle check(n) { E.Odd -> ok(1), E.Big -> err(E.Big) };\n    return ok(v);\n}\n\
         fn show(r: result<int, E>): string { return r when { ok(v) -> v as string, err(E.Odd) -> \"odd\", err(E.Big) -> \"big\" }; }\n\
         fn frame() {\n    Log.info(((plus_half(8) else -1) as string) + \" \" + ((plus_half(3) else -1) as string));\n    Log.info(show(relay(4)) + \" \" + show(relay(3)) + \" \" + show(relay(12)));\n}\n",
    );
    assert_eq!(out, ["104 -1", "1004 1001 big"]);
}

#[test]
fn views_index_arrays_of_structs_in_heap_storage() {
    let out = logs(
        "declare struct P(x: int, y: int) {\n    pub fn bump(mut self) { self.y += 10; }\n}\n\
         fn frame() {\n    let h = alloc [P(1, 1), P(2, 2), P(3, 3)];\n    for i in 0..3 {\n        mutate h as ps {\n            ps[i].x *= 2;\n            ps[i].bump();\n        }\n    }\n    let s = borrow h as ps { ps[0].x + ps[1].x + ps[2].x + ps[2].y };\n    Log.info(s as string);\n}\n",
    );
    assert_eq!(out, ["25"]);
}

#[test]
fn recursive_types_through_handles_lay_out_and_run() {
    let out = logs(
        "declare struct Node(v: int, kids: list<Node>)\n\
         fn total(n: Node): int { let mut s = n.v; for k in n.kids { s += total(k); } return s; }\n\
         fn frame() {\n    let leaf = Node(3, alloc list<Node>());\n    let root = Node(1, alloc list<Node>());\n    root.kids.push(leaf);\n    root.kids.push(Node(5, alloc list<Node>()));\n    Log.info(total(root) as string);\n}\n",
    );
    assert_eq!(out, ["9"]);
}

#[test]
fn compound_assignment_to_a_list_element_reads_and_writes_once() {
    let out = logs(
        "fn frame() {\n    let l = alloc list<int>();\n    l.push(5);\n    l.push(7);\n    let mut calls = 0;\n    for _ in 0..3 { l[1] *= 2; calls += 1; }\n    l[0] = l[0] - 1;\n    Log.info((l[0] as string) + \" \" + (l[1] as string) + \" \" + (calls as string));\n}\n",
    );
    assert_eq!(out, ["4 56 3"]);
}

#[test]
fn values_beyond_the_format_limits_are_errors_not_panics() {
    use prometeu_compiler::CompileErrorKind;
    // One value larger than a frame can hold is the checker's (pbs-language.md §3.2).
    for src in [
        "fn frame() {\n    let a = [0; 65536];\n    Log.info(a[1] as string);\n}\n",
        "fn frame() {\n    let a = [1; 30000];\n    let b = [a, a, a];\n    Log.info(b[0][1] as string);\n}\n",
    ] {
        let loaded = support::load_src(src);
        assert!(loaded.analysis.has_errors(), "{src}");
    }
    // The largest value builds, verifies and loads.
    let out = logs("fn frame() {\n    let a = [7; 32767];\n    Log.info(a[32766] as string);\n}\n");
    assert_eq!(out, ["7"]);
    // Values that fit one by one but not together in one frame: a located limit error,
    // at the second array, exactly where the loader would refuse the program.
    let src = "fn frame() {\n    let a = [1; 30000];\n    let b = [2; 30000];\n    Log.info((a[0] + b[0]) as string);\n}\n";
    let two = support::load_src(src);
    let err = prometeu_compiler::compile(&two.analysis, &two.graph).unwrap_err();
    assert_eq!(err.kind, CompileErrorKind::Limit, "{err}");
    let span = err.span.expect("a limit error names its place");
    assert_eq!(
        &src[span.start as usize..span.start as usize + 5],
        "let b",
        "{err}"
    );
}

#[test]
fn array_len_takes_the_length_from_the_type_and_still_runs_a_base_with_effects() {
    let src = "declare struct B(xs: [int; 50])\n\
         service S {\n    let mut n: int = 0;\n    pub fn bump() { n += 1; }\n    pub fn count(): int { return n; }\n}\n\
         fn make(): [int; 3] { S.bump(); return [1, 2, 3]; }\n\
         fn size(b: B): int { return b.xs.len() + (b).xs.len(); }\n\
         fn frame() {\n    let b = B([0; 50]);\n    let h = alloc B([0; 50]);\n    let v = borrow h as c { c.xs.len() };\n    Log.info((size(b) as string) + \" \" + (v as string) + \" \" + (make().len() as string) + \" \" + (S.count() as string));\n}\n";
    assert_eq!(logs(src), ["100 50 3 1"]);
    // `size` copies no array to learn a length: two constants, an add and a return,
    // where copying `b.xs` twice would add two `GET_LOCAL_N`/`POP_N` pairs.
    let compiled = support::compile_src(src);
    let debug = compiled.program.debug.as_ref().unwrap();
    let size = debug.functions.iter().find(|f| f.name == "size").unwrap();
    let code_len = compiled.program.functions[size.index as usize].code_len;
    assert!(code_len <= 16, "`size` is {code_len} bytes of code");
}

#[test]
fn long_string_chains_are_joined_in_steps() {
    // 600 operands: more than one `STR_CONCAT_N` may join, so the chain is joined in
    // steps of at most 256, left to right.
    let parts: Vec<String> = (0..600).map(|i| format!("({i} as string)")).collect();
    let src = format!(
        "fn frame() {{\n    let s = {};\n    Log.info(s.len() as string);\n    Log.info(s);\n}}\n",
        parts.join(" + ")
    );
    let program = support::compile_src(&src).program;
    let joins: Vec<u32> = prometeu_bytecode::Instr::decode_all(&program.code)
        .unwrap()
        .into_iter()
        .filter(|(_, i)| i.op == prometeu_bytecode::Opcode::StrConcatN)
        .map(|(_, i)| i.imm_u32(0))
        .collect();
    assert_eq!(joins, [256, 256, 90]);
    let want: String = (0..600).map(|i| i.to_string()).collect();
    assert_eq!(logs(&src), [want.len().to_string(), want]);
}
