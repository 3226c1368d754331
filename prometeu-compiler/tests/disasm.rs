//! Snapshots of the disassembly of small compiled programs: reviewed to read like
//! good hand-written assembly, and pinned so codegen changes show up in review.

mod support;

/// The disassembly, with the loose file's temporary directory redacted.
fn disasm(src: &str) -> String {
    let mut program = support::compile_src(src).program;
    if let Some(debug) = &mut program.debug {
        for f in &mut debug.files {
            if let Some(name) = std::path::Path::new(f.as_str()).file_name() {
                *f = format!("[tmp]/{}", name.to_string_lossy());
            }
        }
    }
    prometeu_bytecode::disassemble(&program)
}

#[test]
fn arithmetic_and_calls() {
    insta::assert_snapshot!(disasm(
        "fn add(a: int, b: int): int { return a + b; }\n\
         fn frame() {\n    let x = add(2, 3) * 4;\n    Log.info(x as string);\n}\n"
    ));
}

#[test]
fn loops_and_short_circuit() {
    insta::assert_snapshot!(disasm(
        "fn frame() {\n    let mut n = 0;\n    for i in 0..10 {\n        if i % 2 == 0 && i > 2 { continue; }\n        n += i;\n    }\n    while n > 0 { n -= 7; }\n    Log.info(n as string);\n}\n"
    ));
}

#[test]
fn structs_methods_and_services() {
    insta::assert_snapshot!(disasm(
        "declare struct V(x: int, y: int) {\n    pub fn bump(mut self) { self.x += 1; }\n}\n\
         service Counter {\n    let mut n: int = 5;\n    pub fn next(): int { n += 1; return n; }\n}\n\
         fn frame() {\n    let mut v = V(1, 2);\n    v.bump();\n    Log.info((v.x + Counter.next()) as string);\n}\n"
    ));
}

#[test]
fn optionals_and_matching() {
    insta::assert_snapshot!(disasm(
        "fn pick(o: optional<int>): int {\n    return o when { some(1) | some(2) -> 10, some(v) -> v, none -> 0 };\n}\n\
         fn frame() {\n    let o: optional<int> = some(5);\n    Log.info(((o else 7) + pick(none)) as string);\n}\n"
    ));
}

#[test]
fn string_concatenation_chains() {
    // Each chain of string `+` (parentheses included, and `+=` with the target as its
    // first operand) is one `STR_CONCAT_N`, its operands pushed left to right; two
    // operands are a plain `STR_CONCAT`.
    insta::assert_snapshot!(disasm(
        "fn frame() {\n    let n = 7;\n    let mut s = \"n=\" + (n as string) + \";\";\n    s += \" \" + ((n * 2) as string) + \",\";\n    s += \"!\";\n    Log.info(s + (\"(\" + s + \")\"));\n}\n"
    ));
}

#[test]
fn indexed_places_and_array_repeats() {
    // An index that is the place's last step waits on the stack: `a[i] = v` is
    // `i; v; SET_LOCAL_IDX`, `a[i] += v` and a `mut self` call on `a[i]` keep it with
    // `DUP`. An immutable local index is read where it is, a constant one is a static
    // offset, a leading field of an element drops the slots above it. `[v; 20]` is
    // built by doubling with `DUP_N`.
    insta::assert_snapshot!(disasm(
        "declare struct P(x: int, y: int) {\n    pub fn bump(mut self) { self.x += 1; }\n}\n\
         fn frame() {\n    let mut a = [P(1, 2); 20];\n    let mut k = 3;\n    for i in 0..a.len() {\n        a[i] = P(i, k);\n        a[k].y += i;\n        a[i].bump();\n        k = a[i].x + a[2].y;\n    }\n    Log.info(k as string);\n}\n"
    ));
}

#[test]
fn conditions_lowered_as_jumps() {
    // `!`, `&&` and `||` in `if` and `while` conditions are jumps; a loop tests its
    // condition at the bottom, an int comparison negated before `JMP_IF_FALSE`.
    insta::assert_snapshot!(disasm(
        "fn frame() {\n    let mut n = 0;\n    let l = alloc list<int>();\n    while !(n >= 10) && (n < 5 || n % 2 == 0) {\n        n += 1;\n        if !(n == 3) || false { l.push(n); }\n    }\n    for v in l { n += v; }\n    while true { n -= 1; if n < 0 { break; } }\n    Log.info(n as string);\n}\n"
    ));
}
