//! The §6.1 precedence and associativity table, one case per row, checked through the
//! S-expression rendering; plus non-associative chains and cast operands.

use prometeu_analysis::syntax::{NodeKind, to_sexpr};
use prometeu_analysis::{DiagnosticCode, FileId, NameInterner, parse_file};

/// Parses `expr` as the value of a `return` and renders it; also returns the diagnostics
/// as `(code, text under the span)`.
fn parse_expr(expr: &str) -> (String, Vec<(DiagnosticCode, String)>) {
    let src = format!("fn f() {{ return {expr}; }}");
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), &src, &mut names);
    let value = parse
        .arena
        .ids()
        .find_map(|id| match *parse.arena.kind(id) {
            NodeKind::ReturnStmt { value } => value,
            _ => None,
        })
        .expect("a return with a value");
    let diags = parse
        .diagnostics
        .iter()
        .map(|d| (d.code, src[d.span.range()].to_string()))
        .collect();
    (to_sexpr(&parse.arena, &names, value), diags)
}

#[track_caller]
fn check(expr: &str, expected: &str) {
    let (sexpr, diags) = parse_expr(expr);
    assert!(diags.is_empty(), "{expr}: unexpected diagnostics {diags:?}");
    assert_eq!(sexpr, expected, "{expr}");
}

#[test]
fn level_1_primaries() {
    check("42", "42");
    check("1.5", "1.5");
    check("640b", "640b");
    check("\"hi\\n\"", "\"hi\\n\"");
    check("true", "true");
    check("none", "none");
    check("self", "self");
    check("name", "name");
    check("(a)", "a");
    check("{ a }", "(block a)");
    check("[1, 2, 3,]", "(arraylit 1 2 3)");
    check("[]", "(arraylit)");
    check("[0; 8]", "(arrayrepeat 0 8)");
    check("some(1)", "(someexpr 1)");
    check("ok(1)", "(okexpr 1)");
    check("ok()", "(okexpr)");
    check("err(E.Bad)", "(errexpr (. E Bad))");
    check("alloc Enemy(1, 2)", "(alloc (call Enemy 1 2))");
    check("alloc [0; 8]", "(alloc (arrayrepeat 0 8))");
    check("alloc list<Enemy>()", "(alloclist Enemy)");
    check(
        "alloc list<list<ref<Node>>>()",
        "(alloclist (typelist (typeref Node)))",
    );
}

#[test]
fn level_2_postfix_is_left_associative() {
    check("a.b(c)[d]?", "(? ([] (call (. a b) c) d))");
    check("f(a, b,)(c)", "(call (call f a b) c)");
    check("a.b.c", "(. (. a b) c)");
}

#[test]
fn level_3_prefix_is_right_associative_and_below_postfix() {
    check("-!-a", "(- (! (- a)))");
    check("-a.b", "(- (. a b))");
    check("!f()?", "(! (? (call f)))");
    check("-a * b", "(* (- a) b)");
}

#[test]
fn levels_4_to_9_arithmetic_and_bits() {
    check("a * b / c % d", "(% (/ (* a b) c) d)");
    check("a + b * c", "(+ a (* b c))");
    check("a - b - c", "(- (- a b) c)");
    check("a << b + c", "(<< a (+ b c))");
    check("a >> b >> c", "(>> (>> a b) c)");
    check("a & b << c", "(& a (<< b c))");
    check("a ^ b & c", "(^ a (& b c))");
    check("a | b ^ c", "(| a (^ b c))");
    check("a | b | c", "(| (| a b) c)");
}

#[test]
fn level_10_cast_sits_below_arithmetic() {
    check("a + b as float", "(as (+ a b) float)");
    check("a | b as int", "(as (| a b) int)");
    check("x as int as float", "(as (as x int) float)");
    check("(n as string) + \"!\"", "(+ (as n string) \"!\")");
    check("-x as float", "(as (- x) float)");
}

#[test]
fn levels_11_and_12_comparisons_take_casts_and_bits() {
    check("a < b | c", "(< a (| b c))");
    check("a as int < b", "(< (as a int) b)");
    check("a < b as int", "(< a (as b int))");
    check("a <= b", "(<= a b)");
    check("a == b < c", "(== a (< b c))");
    check("a < b == c", "(== (< a b) c)");
    check("a != b >= c", "(!= a (>= b c))");
}

#[test]
fn levels_13_and_14_logic() {
    check("a && b == c", "(&& a (== b c))");
    check("a && b && c", "(&& (&& a b) c)");
    check("a || b && c", "(|| a (&& b c))");
    check("a || b || c", "(|| (|| a b) c)");
}

#[test]
fn level_15_else_is_right_associative_and_below_logic() {
    check("a else b || c", "(else a (|| b c))");
    check("a else b else c", "(else a (else b c))");
    check("f()? else 0", "(else (? (call f)) 0)");
}

#[test]
fn level_16_when_binds_weakest() {
    check("a + b when { _ -> 1 }", "(when (+ a b) (-> _ 1))");
    check("a else b when { _ -> 1, }", "(when (else a b) (-> _ 1))");
    check(
        "x when { 0 -> \"z\", 1 | 2 -> \"m\", -3 -> \"n\", _ -> \"o\" }",
        "(when x (-> 0 \"z\") (-> (| 1 2) \"m\") (-> (- 3) \"n\") (-> _ \"o\"))",
    );
    check(
        "r when { ok(v) -> v, err(E.Bad) -> 0, err(_) -> 1 }",
        "(when r (-> (patok v) v) (-> (paterr E.Bad) 0) (-> (paterr _) 1))",
    );
    check(
        "o when { some(x) -> x, none -> 0 }",
        "(when o (-> (patsome x) x) (-> none 0))",
    );
}

#[test]
fn prefix_forms_if_handle_views_peek_take() {
    check("if c { 1 } else { 2 }", "(if c (block 1) (block 2))");
    check(
        "if a { 1 } else if b { 2 } else { 3 }",
        "(if a (block 1) (if b (block 2) (block 3)))",
    );
    check(
        "handle f() { E.A -> ok(0), E.B -> err(F.C) }",
        "(handle (call f) (-> E.A (okexpr 0)) (-> E.B (errexpr (. F C))))",
    );
    check(
        "borrow a.b as s { s.x }",
        "(borrow (. a b) s (block (. s x)))",
    );
    check(
        "mutate h as m { m.v = 1; }",
        "(mutate h m (block (= (. m v) 1)))",
    );
    check("peek a.b", "(peek (. a b))");
    check("peek a + 1", "(+ (peek a) 1)");
    check("take h?", "(take (? h))");
}

#[test]
fn comparison_and_equality_chains_are_non_associative() {
    for (expr, op, sexpr) in [
        ("a < b < c", "<", "(error (< a b) c)"),
        ("a == b != c", "!=", "(error (== a b) c)"),
        ("a >= b <= c < d", "<=", "(error (error (>= a b) c) d)"),
    ] {
        let (got, diags) = parse_expr(expr);
        assert_eq!(got, sexpr, "{expr}");
        assert_eq!(
            diags,
            vec![(DiagnosticCode::ParseNonAssoc, op.to_string())],
            "{expr}"
        );
    }
}

#[test]
fn a_cast_is_never_an_operand_of_arithmetic_or_bit_operators() {
    for op in ["*", "/", "%", "+", "-", "<<", ">>", "&", "^", "|"] {
        let expr = format!("n as string {op} m");
        let (got, diags) = parse_expr(&expr);
        assert_eq!(diags.len(), 1, "{expr}: {diags:?}");
        assert_eq!(diags[0].0, DiagnosticCode::ParseUnexpectedToken, "{expr}");
        assert_eq!(diags[0].1, op, "{expr}");
        assert!(
            got.starts_with(&format!("({op} (as n string)")),
            "{expr}: {got}"
        );
    }
    let src = "fn f() { return 5 as string + \"!\"; }";
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), src, &mut names);
    assert!(
        parse.diagnostics[0].message.contains("`(5 as string) + …`"),
        "{}",
        parse.diagnostics[0].message
    );
}
