//! The inlining pass: which calls it removes, which it keeps, and that a program
//! computes, logs and traps exactly the same with and without it.

mod support;

use prometeu_bytecode::{Instr, Opcode, Program, verify_program};
use prometeu_compiler::{CompileOptions, CompiledProgram};
use support::{Loaded, compile_loaded_with, load_src, run_compiled};

const OFF: CompileOptions = CompileOptions { inline: false };
const ON: CompileOptions = CompileOptions { inline: true };

/// The debug names of the functions `caller` still calls, in code order.
fn calls_in(program: &Program, caller: &str) -> Vec<String> {
    let debug = program.debug.as_ref().expect("debug map");
    let index = debug
        .functions
        .iter()
        .find(|f| f.name == caller)
        .expect("caller exists")
        .index;
    let code = program.function_code(index).expect("code");
    Instr::decode_all(code)
        .expect("decodes")
        .into_iter()
        .filter(|(_, i)| i.op == Opcode::Call)
        .map(|(_, i)| debug.function_name(i.imm_u32(0)).unwrap_or("?").to_string())
        .collect()
}

/// Compiles `src` both ways, checks both runs agree (logs, trap, position and call
/// stack), and returns the inlined program.
fn both_ways(src: &str, frames: u32) -> (Loaded, CompiledProgram, support::Run) {
    let l = load_src(src);
    let plain = compile_loaded_with(&l, OFF);
    let inlined = compile_loaded_with(&l, ON);
    let a = run_compiled(&l, &plain, frames);
    let b = run_compiled(&l, &inlined, frames);
    assert_eq!(a.logs, b.logs, "logs differ");
    assert_eq!(a.trap, b.trap, "traps differ");
    assert_eq!(a.trap_stack, b.trap_stack, "trap call stacks differ");
    (l, inlined, b)
}

#[test]
fn small_leaves_and_mut_self_methods_are_inlined_bottom_up() {
    let src = "declare struct V(x: int, y: int) {\n\
        pub fn plus(self, o: V): V { return V(self.x + o.x, self.y + o.y); }\n\
        pub fn step(mut self, d: V) { self = self.plus(d); if self.x > 10 { self.x = 0; } }\n}\n\
        fn frame() {\n    let mut vs = [V(1, 2), V(3, 4)];\n    for i in 0..2 {\n        for _ in 0..7 { vs[i].step(V(2, 1)); }\n    }\n    Log.info((vs[0].x as string) + \" \" + (vs[1].y as string));\n}\n";
    let (_, compiled, run) = both_ways(src, 1);
    assert_eq!(run.logs, ["1 INFO 4 11"]);
    // `plus` went into `step` first, then the whole `step` into `frame`.
    assert!(calls_in(&compiled.program, "V.step").is_empty());
    assert!(calls_in(&compiled.program, "frame").is_empty());
}

#[test]
fn early_returns_and_loops_inside_an_inlined_body() {
    let src = "fn clamp_sum(n: int, hi: int): int {\n    let mut s = 0;\n    for i in 0..n {\n        s += i;\n        if s > hi { return hi; }\n    }\n    return s;\n}\n\
        fn frame() {\n    let mut t = 0;\n    for k in 0..6 { t = t * 3 + clamp_sum(k, 7); }\n    Log.info(t as string);\n}\n";
    let (_, compiled, run) = both_ways(src, 1);
    assert_eq!(run.logs, ["1 INFO 79"]);
    assert!(calls_in(&compiled.program, "frame").is_empty());
}

#[test]
fn a_function_that_can_trap_stays_a_call_and_in_the_trap_stack() {
    let src = "fn ratio(a: int, b: int): int {\n    return a / b;\n}\n\
        fn twice(a: int, b: int): int { return ratio(a, b) * 2; }\n\
        fn frame() {\n    Log.info(twice(9, 3) as string);\n    Log.info(twice(1, 0) as string);\n}\n";
    let (_, compiled, run) = both_ways(src, 1);
    assert_eq!(run.logs, ["1 INFO 6"]);
    assert_eq!(run.trap.as_deref(), Some("TRAP_DIV_ZERO at 2:12"));
    assert_eq!(run.trap_stack, ["ratio", "twice", "frame"]);
    assert_eq!(calls_in(&compiled.program, "twice"), ["ratio"]);
    assert_eq!(calls_in(&compiled.program, "frame"), ["twice", "twice"]);
}

#[test]
fn recursion_strings_and_big_bodies_are_not_inlined() {
    let big: String = (0..30).map(|i| format!("    n = n * 3 + {i};\n")).collect();
    let src = format!(
        "fn fact(n: int): int {{ if n < 2 {{ return 1; }} return n * fact(n - 1); }}\n\
         fn greet(s: string): string {{ return s; }}\n\
         fn churn(k: int): int {{\n    let mut n = k;\n{big}    return n;\n}}\n\
         fn frame() {{\n    Log.info(greet((fact(5) + churn(1)) as string));\n}}\n"
    );
    let (_, compiled, run) = both_ways(&src, 1);
    assert_eq!(run.trap, None);
    assert_eq!(calls_in(&compiled.program, "fact"), ["fact"]);
    assert_eq!(
        calls_in(&compiled.program, "frame"),
        ["fact", "churn", "greet"]
    );
}

#[test]
fn without_inlining_the_program_keeps_every_call() {
    let src = "fn add(a: int, b: int): int { return a + b; }\nfn frame() { Log.info(add(2, 3) as string); }\n";
    let l = load_src(src);
    assert_eq!(
        calls_in(&compile_loaded_with(&l, OFF).program, "frame"),
        ["add"]
    );
    assert!(calls_in(&compile_loaded_with(&l, ON).program, "frame").is_empty());
}

#[test]
fn the_pass_leaves_call_free_programs_byte_identical() {
    let src = "fn frame() {\n    let mut n = 0;\n    while n < 10 { n += 3; }\n    Log.info(n as string);\n}\n";
    let l = load_src(src);
    let plain = compile_loaded_with(&l, OFF);
    let mut again = plain.program.clone();
    prometeu_compiler::inline::inline_calls(&mut again);
    assert_eq!(again, plain.program);
    assert_eq!(compile_loaded_with(&l, ON).program, plain.program);
}

#[test]
fn inlined_code_keeps_the_callee_spans_in_the_debug_map() {
    let src =
        "fn inc(a: int): int {\n    return a + 1;\n}\nfn frame() { Log.info(inc(4) as string); }\n";
    let l = load_src(src);
    let compiled = compile_loaded_with(&l, ON);
    verify_program(&compiled.program, &prometeu_abi::ConsoleSyscalls).unwrap();
    let program = &compiled.program;
    let debug = program.debug.as_ref().unwrap();
    let frame = program.export("frame").unwrap();
    let f = &program.functions[frame as usize];
    let code = program.function_code(frame).unwrap();
    let add = Instr::decode_all(code)
        .unwrap()
        .into_iter()
        .find(|(_, i)| i.op == Opcode::IAdd)
        .expect("the body of `inc` is in `frame`")
        .0;
    let run = debug.span_at(f.code_offset + add).unwrap();
    // `a + 1` on line 2.
    assert_eq!(&src[run.start as usize..run.end as usize], "a + 1");
}

/// The per-function sizes the language server's code lens shows: one entry per
/// compiled function, keyed by its symbol, matching the linked image after inlining;
/// unreachable functions and `__init_globals` have none.
#[test]
fn function_sizes_are_the_linked_bodies_by_symbol() {
    let src = "fn twice(n: int): int { return n * 2; }\n\
        fn unused(): int { return 7; }\n\
        fn frame() { Log.info(twice(21) as string); }\n";
    let l = load_src(src);
    let name_of = |symbol| l.analysis.symbol_name(symbol).to_string();
    for options in [OFF, ON] {
        let compiled = compile_loaded_with(&l, options);
        let sizes = compiled.function_sizes();
        let mut names: Vec<String> = sizes.keys().map(|&s| name_of(s)).collect();
        names.sort();
        assert_eq!(names, ["frame", "twice"]);
        let debug = compiled.program.debug.as_ref().expect("debug map");
        for (index, function) in compiled.program.functions.iter().enumerate() {
            let Some(symbol) = compiled.function_symbols[index] else {
                continue;
            };
            assert_eq!(debug.functions[index].name, name_of(symbol));
            let size = sizes[&symbol];
            assert_eq!(size.bytes, function.code_len);
            let code = compiled.program.function_code(index as u32).expect("code");
            assert_eq!(
                size.instructions as usize,
                Instr::decode_all(code).unwrap().len()
            );
            assert!(size.instructions > 0 && size.bytes >= 2 * size.instructions);
        }
        let frame = sizes
            .iter()
            .find(|(s, _)| name_of(**s) == "frame")
            .unwrap()
            .1;
        let twice = sizes
            .iter()
            .find(|(s, _)| name_of(**s) == "twice")
            .unwrap()
            .1;
        if options.inline {
            // `twice` was inlined: `frame` grew by its body, less the call.
            assert!(frame.bytes > twice.bytes, "{frame:?} {twice:?}");
        }
    }
}
