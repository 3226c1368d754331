//! The parser: every construct of §3–§6, recovery (§11), doc comments, and the arena
//! helpers the language server uses.

use prometeu_analysis::syntax::{NodeKind, Parse, Visibility, to_sexpr};
use prometeu_analysis::{DiagnosticCode, FileId, NameInterner, NodeId, parse_file};

fn parse(src: &str) -> (Parse, NameInterner) {
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(3), src, &mut names);
    (parse, names)
}

/// `(code, text under the primary span)` of every diagnostic.
fn diags(src: &str) -> Vec<(DiagnosticCode, String)> {
    let (p, _) = parse(src);
    p.diagnostics
        .iter()
        .map(|d| (d.code, src[d.span.range()].to_string()))
        .collect()
}

fn find(p: &Parse, pred: impl Fn(&NodeKind) -> bool) -> Vec<NodeId> {
    p.arena.ids().filter(|&id| pred(p.arena.kind(id))).collect()
}

/// Every construct of the grammar, in one file.
const EVERYTHING: &str = include_str!("syntax/everything.pbs");

#[test]
fn every_construct_parses_cleanly() {
    let (p, names) = parse(EVERYTHING);
    assert_eq!(p.diagnostics, vec![], "{:#?}", p.diagnostics);
    let count = |name: &str| {
        p.arena
            .ids()
            .filter(|&id| p.arena.kind(id).name() == name)
            .count()
    };
    assert_eq!(count("Import"), 2);
    assert_eq!(count("ImportName"), 3);
    assert_eq!(count("FnDecl"), 12);
    assert_eq!(count("StructDecl"), 2);
    assert_eq!(count("ServiceDecl"), 1);
    assert_eq!(count("ServiceField"), 2);
    assert_eq!(count("ContractDecl"), 2);
    assert_eq!(count("ErrorCase"), 2);
    assert_eq!(count("ConstDecl"), 4);
    assert_eq!(count("AssignStmt"), 16);
    assert_eq!(count("View"), 2);
    assert_eq!(count("Range"), 1);
    assert_eq!(count("TypeArray"), 2);
    // Every node kind but `Error` appears.
    for kind in [
        "SourceFile",
        "Name",
        "Import",
        "ImportName",
        "FnDecl",
        "FnSig",
        "Param",
        "SelfParam",
        "StructDecl",
        "Field",
        "ConstDecl",
        "ServiceDecl",
        "ServiceField",
        "ContractDecl",
        "ErrorDecl",
        "ErrorCase",
        "Block",
        "LetStmt",
        "AssignStmt",
        "ReturnStmt",
        "WhileStmt",
        "ForStmt",
        "Range",
        "BreakStmt",
        "ContinueStmt",
        "ExprStmt",
        "IntLit",
        "FloatLit",
        "BoundedLit",
        "StringLit",
        "BoolLit",
        "NoneLit",
        "NameRef",
        "SelfRef",
        "Paren",
        "ArrayLit",
        "ArrayRepeat",
        "SomeExpr",
        "OkExpr",
        "ErrExpr",
        "Alloc",
        "AllocList",
        "Call",
        "Member",
        "Index",
        "Propagate",
        "Unary",
        "Binary",
        "Cast",
        "Else",
        "When",
        "Handle",
        "Arm",
        "If",
        "View",
        "Peek",
        "Take",
        "PatWildcard",
        "PatLiteral",
        "PatBind",
        "PatNone",
        "PatSome",
        "PatOk",
        "PatErr",
        "PatCase",
        "PatOr",
        "TypeName",
        "TypeOptional",
        "TypeResult",
        "TypeRef",
        "TypeList",
        "TypeArray",
    ] {
        assert!(count(kind) > 0, "no {kind} node");
    }
    assert_eq!(count("Error"), 0);
    // `r when …` with `-1`: a negative literal pattern.
    let neg = find(&p, |k| matches!(k, NodeKind::PatLiteral { .. }))
        .into_iter()
        .map(|id| to_sexpr(&p.arena, &names, id))
        .collect::<Vec<_>>();
    assert!(neg.contains(&"(- 1)".to_string()), "{neg:?}");
    let svc = find(&p, |k| matches!(k, NodeKind::ServiceDecl { .. }))[0];
    let NodeKind::ServiceDecl { vis, contract, .. } = *p.arena.kind(svc) else {
        unreachable!()
    };
    assert_eq!(vis, Visibility::Pub);
    assert!(contract.is_some());
}

#[test]
fn a_missing_semicolon_before_the_closing_brace_is_reported_once() {
    // `let z = { 1 }` ends with a block, but `let` always needs its `;`.
    let (p, _) = parse("fn f() { let z = { 1 } }");
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(p.diagnostics[0].code, DiagnosticCode::ParseUnexpectedToken);
}

#[test]
fn doc_comments_attach_to_declarations_fields_and_cases() {
    let (p, names) = parse(EVERYTHING);
    let documented: Vec<(String, String)> = p
        .arena
        .docs()
        .iter()
        .map(|d| {
            let kind = p.arena.kind(d.node);
            let name = p
                .arena
                .children(d.node)
                .into_iter()
                .find_map(|c| match *p.arena.kind(c) {
                    NodeKind::Name { name } => Some(names.resolve(name).to_string()),
                    _ => None,
                })
                .unwrap_or_default();
            (format!("{} {name}", kind.name()), d.text.clone())
        })
        .collect();
    assert_eq!(
        documented,
        vec![
            ("FnDecl add".to_string(), "Adds.\nTwice.".to_string()),
            ("Field x".to_string(), "Horizontal.".to_string()),
            ("ConstDecl ZERO".to_string(), "The origin.".to_string()),
            ("ServiceField points".to_string(), "Points.".to_string()),
            ("ServiceDecl Score".to_string(), "Keeps score.".to_string()),
            ("ErrorCase NotFound".to_string(), "Missing.".to_string()),
        ]
    );
    // An ordinary comment between the doc and the item breaks the attachment.
    let (p, _) = parse("/// doc\n// plain\nfn f() {}");
    assert!(p.arena.docs().is_empty());
}

#[test]
fn recovery_missing_semicolon_keeps_both_statements() {
    let src = "fn f() { let a = 1 let b = 2; }";
    assert_eq!(
        diags(src),
        vec![(DiagnosticCode::ParseUnexpectedToken, "let".into())]
    );
    let (p, _) = parse(src);
    assert_eq!(find(&p, |k| matches!(k, NodeKind::LetStmt { .. })).len(), 2);
}

#[test]
fn recovery_unclosed_delimiters_point_back_at_the_opener() {
    let src = "fn f() { let a = 1;";
    let (p, _) = parse(src);
    assert_eq!(p.diagnostics.len(), 1);
    let d = &p.diagnostics[0];
    assert_eq!(d.code, DiagnosticCode::ParseUnclosedDelimiter);
    assert_eq!(d.span.range(), src.len()..src.len());
    assert_eq!(d.related.len(), 1);
    assert_eq!(&src[d.related[0].span.range()], "{");
    assert_eq!(d.related[0].span.start, 7);

    // Nested blocks ending at the same place: still one diagnostic.
    assert_eq!(diags("fn f() { if a { while b {").len(), 1);

    // A declaration keyword ends the unclosed block; the next function still parses.
    let src = "fn f() {\n    let a = 1;\nfn g() { }";
    assert_eq!(
        diags(src),
        vec![(DiagnosticCode::ParseUnclosedDelimiter, "fn".into())]
    );
    let (p, _) = parse(src);
    assert_eq!(find(&p, |k| matches!(k, NodeKind::FnDecl { .. })).len(), 2);

    let src = "fn f() { g(1, 2; }";
    let (p, _) = parse(src);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert_eq!(
        p.diagnostics[0].code,
        DiagnosticCode::ParseUnclosedDelimiter
    );
    assert_eq!(&src[p.diagnostics[0].related[0].span.range()], "(");
}

#[test]
fn recovery_expected_expr_type_and_ident() {
    use DiagnosticCode as D;
    assert_eq!(
        diags("fn f() { let a = ; }"),
        vec![(D::ParseExpectedExpr, ";".into())]
    );
    assert_eq!(
        diags("fn f(a: ) {}"),
        vec![(D::ParseExpectedType, ")".into())]
    );
    assert_eq!(
        diags("fn f(a) {}"),
        vec![(D::ParseExpectedType, ")".into())]
    );
    assert_eq!(
        diags("fn (a: int) {}"),
        vec![(D::ParseExpectedIdent, "(".into())]
    );
    assert_eq!(
        diags("fn f(_: int) {}"),
        vec![(D::ParseExpectedIdent, "_".into())]
    );
    assert_eq!(
        diags("fn f() { let x = a.; }"),
        vec![(D::ParseExpectedIdent, ";".into())]
    );
    assert_eq!(
        diags("fn f() { g(1 2); }"),
        vec![(D::ParseUnexpectedToken, "2".into())]
    );
    assert_eq!(
        diags("fn f() { f() = 1; }"),
        vec![(D::ParseUnexpectedToken, "=".into())]
    );
    assert_eq!(
        diags("fn weak() {}"),
        vec![(D::ParseReserved, "weak".into())]
    );
    assert_eq!(
        diags("fn f(): weak {}"),
        vec![(D::ParseReserved, "weak".into())]
    );
}

#[test]
fn recovery_one_diagnostic_per_mistake() {
    // A broken statement reports once, and the next statement is still checked.
    let src = "fn f() { let a = (1 + ; let b = ); }";
    let got = diags(src);
    assert_eq!(got.len(), 2, "{got:?}");
    // Garbage at top level: one diagnostic, and the function after it parses.
    let src = "}}} ] fn f() {}";
    assert_eq!(
        diags(src),
        vec![(DiagnosticCode::ParseUnexpectedToken, "}".into())]
    );
    let (p, _) = parse(src);
    assert_eq!(find(&p, |k| matches!(k, NodeKind::FnDecl { .. })).len(), 1);
}

#[test]
fn recovery_bad_names_and_nested_functions() {
    use DiagnosticCode as D;
    // The bad token is taken as the name: no second diagnostic for `5 = 3`.
    assert_eq!(
        diags("fn f() { let 5 = 3; }"),
        vec![(D::ParseExpectedIdent, "5".into())]
    );
    assert_eq!(
        diags("fn if() {}"),
        vec![(D::ParseExpectedIdent, "if".into())]
    );
    assert_eq!(diags("fn f() { let fn = 1; }").len(), 1);
    assert_eq!(diags("fn f(mod: int) { let pub = 1; }").len(), 2);
    // Half-typed member access while editing: the next statement survives.
    let src = "fn f() {\n    let x = a.\n    let y = 2;\n}";
    assert_eq!(diags(src), vec![(D::ParseExpectedIdent, "let".into())]);
    let (p, _) = parse(src);
    assert_eq!(find(&p, |k| matches!(k, NodeKind::LetStmt { .. })).len(), 2);
    // A function inside a function: the outer body is unclosed, the inner function is
    // parsed at top level, and the outer `}` that follows is not a second mistake.
    let src = "fn f() {
    fn g() {}
}
fn h() {}";
    assert_eq!(diags(src), vec![(D::ParseUnclosedDelimiter, "fn".into())]);
    let (p, _) = parse(src);
    assert_eq!(find(&p, |k| matches!(k, NodeKind::FnDecl { .. })).len(), 3);
}

#[test]
fn no_parse_error_inside_a_statement_with_a_lexical_error() {
    use DiagnosticCode as D;
    assert_eq!(
        diags("fn f() { let a = 0x let b = 1; }"),
        vec![(D::LexInvalidNumber, "0x".into())]
    );
    assert_eq!(
        diags("fn f() { let a = # ; }"),
        vec![(D::LexInvalidChar, "#".into())]
    );
    assert_eq!(
        diags("fn f() { let a = \"open\n let b = 1; }"),
        vec![(D::LexUnterminatedString, "\"open".into())]
    );
    // A later statement is not covered by the earlier lexical error.
    assert_eq!(
        diags("fn f() { let a = 0x; let b = ; }"),
        vec![
            (D::LexInvalidNumber, "0x".into()),
            (D::ParseExpectedExpr, ";".into())
        ]
    );
}

#[test]
fn top_level_statements_and_late_imports() {
    use DiagnosticCode as D;
    assert_eq!(
        diags("  let top = ;\nfn f() {}"),
        vec![(D::ParseTopLevelStatement, "let top = ;".into())]
    );
    assert_eq!(
        diags("x = 1;"),
        vec![(D::ParseTopLevelStatement, "x = 1;".into())]
    );
    assert_eq!(
        diags("fn f() {}\nimport { a } from \"m\";"),
        vec![(D::ParseImportAfterDecl, "import { a } from \"m\";".into())]
    );
}

#[test]
fn a_broken_import_is_one_mistake() {
    use DiagnosticCode as D;
    let src = "import Foo from \"x\";\nfn f() {}";
    assert_eq!(diags(src), vec![(D::ParseUnexpectedToken, "Foo".into())]);
    let src = "import { a b } from \"x\";\nfn f() {}";
    assert_eq!(diags(src), vec![(D::ParseUnexpectedToken, "b".into())]);
    let src = "import { a } from x;\nfn f() {}";
    assert_eq!(diags(src), vec![(D::ParseUnexpectedToken, "x".into())]);
}

#[test]
fn types_close_nested_lists_with_shift_tokens() {
    let (p, names) =
        parse("fn f(a: list<ref<Node>>, b: optional<list<list<int>>>, c: result<void, E>) {}");
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let params: Vec<String> = find(&p, |k| matches!(k, NodeKind::Param { .. }))
        .into_iter()
        .map(|id| to_sexpr(&p.arena, &names, id))
        .collect();
    assert_eq!(
        params,
        vec![
            "(param a (typelist (typeref Node)))",
            "(param b (typeoptional (typelist (typelist int))))",
            "(param c (typeresult void E))",
        ]
    );
}

#[test]
fn block_like_statements_need_no_semicolon_and_end_at_their_brace() {
    let src = "fn f() { if c { } -x; a when { _ -> 1 } g(); mutate h as m { } { } }";
    let (p, names) = parse(src);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let body = find(&p, |k| matches!(k, NodeKind::Block { .. }))
        .into_iter()
        .max()
        .unwrap();
    assert_eq!(
        to_sexpr(&p.arena, &names, body),
        "(block (exprstmt (if c (block))) (exprstmt (- x)) (exprstmt (when a (-> _ 1))) \
         (exprstmt (call g)) (exprstmt (mutate h m (block))) (block))"
    );
}

#[test]
fn deep_nesting_is_capped_without_overflowing_the_stack() {
    for (open, close) in [("(", ")"), ("{", "}"), ("[", "]"), ("-", ""), ("!", "")] {
        let n = 100_000;
        let src = format!(
            "fn f() {{ let a = {}1{}; }}",
            open.repeat(n),
            close.repeat(n)
        );
        let (p, _) = parse(&src);
        assert_eq!(p.diagnostics.len(), 1, "{open}: {:?}", &p.diagnostics);
        assert!(p.diagnostics[0].message.contains("nesting"), "{open}");
    }
    for (open, close) in [
        ("if a { ", " }"),
        ("x when { _ -> ", " }"),
        ("borrow h as v { ", " }"),
        ("alloc ", ""),
        ("peek ", ""),
        ("some(", ")"),
    ] {
        let n = 20_000;
        let src = format!(
            "fn f() {{ let a = {}1{}; }}",
            open.repeat(n),
            close.repeat(n)
        );
        let (p, _) = parse(&src);
        assert_eq!(p.diagnostics.len(), 1, "{open}: {:?}", &p.diagnostics);
    }
    let src = format!(
        "fn f() {{ x when {{ {}1{} -> 0 }}; }}",
        "some(".repeat(5000),
        ")".repeat(5000)
    );
    assert_eq!(parse(&src).0.diagnostics.len(), 1);
    let src = format!(
        "fn f(a: {}int{}) {{}}",
        "optional<".repeat(5000),
        ">".repeat(5000)
    );
    let (p, _) = parse(&src);
    assert_eq!(p.diagnostics.len(), 1);
    // Long flat chains are loops, not recursion: no diagnostic at all.
    for chain in [
        " + 1".repeat(100_000),
        " else 1".repeat(100_000),
        " as int".repeat(100_000),
        ".f()".repeat(100_000),
        " when { _ -> 1 }".repeat(100_000),
        format!(
            " + if a {{ 1 }}{} else {{ 2 }}",
            " else if a { 1 }".repeat(100_000)
        ),
    ] {
        let src = format!("fn f() {{ let a = 1{chain}; }}");
        let (p, _) = parse(&src);
        assert!(p.diagnostics.is_empty(), "{:?}", &p.diagnostics);
    }
}

/// One level of source nesting is one level of the limit: a function body is one, so
/// 255 parentheses, calls, indexes, blocks or prefix operators inside it are fine and
/// the 256th is reported once, at its opener or the first token inside it (never at
/// an outer one, as when parentheses counted twice).
#[test]
fn each_level_of_source_nesting_counts_once() {
    let forms: [(&str, &str); 7] = [
        ("(", ")"),
        ("f(", ")"),
        ("a[", "]"),
        ("{ ", " }"),
        ("-", ""),
        ("!", ""),
        ("[", "]"),
    ];
    for (open, close) in forms {
        let fine = format!(
            "fn f() {{ let a = {}1{}; }}",
            open.repeat(255),
            close.repeat(255)
        );
        let (p, _) = parse(&fine);
        assert!(
            p.diagnostics.is_empty(),
            "{open} x255: {:?}",
            &p.diagnostics
        );
        let prefix = "fn f() { let a = ";
        let deep = format!("{prefix}{}1{}; }}", open.repeat(256), close.repeat(256));
        let (p, _) = parse(&deep);
        assert_eq!(p.diagnostics.len(), 1, "{open} x256: {:?}", &p.diagnostics);
        assert!(p.diagnostics[0].message.contains("256 levels"), "{open}");
        let inside = (prefix.len() + open.len() * 256) as u32;
        let opener = inside - open.len() as u32;
        let start = p.diagnostics[0].span.start;
        assert!(start == inside || start == opener, "{open} x256 at {start}");
    }
}

#[test]
fn arena_invariants_and_navigation() {
    let src = "fn f(a: int): int {\n    return a + g(a * 2);\n}\n";
    let (p, names) = parse(src);
    let arena = &p.arena;
    assert_eq!(arena.root(), Some(p.root()));
    assert_eq!(arena.span(p.root()).range(), 0..src.len());
    assert_eq!(arena.file(), FileId(3));
    // Every node but the root has a parent whose span contains it and lists it.
    for id in arena.ids() {
        match arena.parent(id) {
            None => assert_eq!(id, p.root()),
            Some(parent) => {
                assert!(parent > id);
                assert!(arena.span(parent).contains_span(arena.span(id)));
                assert!(arena.children(parent).contains(&id));
            }
        }
    }
    // Innermost node at the `*`-operand `2`.
    let two = src.find("2").unwrap() as u32;
    let node = arena.node_at_offset(two).unwrap();
    assert_eq!(to_sexpr(arena, &names, node), "2");
    let chain: Vec<&str> = arena
        .ancestors(node)
        .map(|a| arena.kind(a).name())
        .collect();
    assert_eq!(
        chain,
        vec![
            "Binary",
            "Call",
            "Binary",
            "ReturnStmt",
            "Block",
            "FnDecl",
            "SourceFile"
        ]
    );
    let decl = arena.enclosing_decl(node).unwrap();
    assert!(matches!(arena.kind(decl), NodeKind::FnDecl { .. }));
    // The name of a member access is its own node.
    let at_g = arena
        .node_at_offset(src.find("g(").unwrap() as u32)
        .unwrap();
    assert_eq!(to_sexpr(arena, &names, at_g), "g");
    // A cursor right after a name still finds it.
    let after_a = src.find("a:").unwrap() as u32 + 1;
    let n = arena.node_at_offset(after_a).unwrap();
    assert!(matches!(arena.kind(n), NodeKind::Name { .. }));
    assert_eq!(arena.node_at_offset(src.len() as u32 + 10), None);
    assert!(arena.heap_size() > 0);
}

#[test]
fn one_interner_is_shared_across_files() {
    let mut names = NameInterner::new();
    let a = parse_file(FileId(0), "fn frame() {}", &mut names);
    let b = parse_file(FileId(1), "fn init() { frame(); }", &mut names);
    let frame = names.get("frame").unwrap();
    let found_in_b = b
        .arena
        .ids()
        .any(|id| matches!(*b.arena.kind(id), NodeKind::NameRef { name } if name == frame));
    assert!(found_in_b);
    assert!(
        a.arena
            .ids()
            .any(|id| matches!(*a.arena.kind(id), NodeKind::Name { name } if name == frame))
    );
}

#[test]
fn nodes_and_tokens_stay_compact() {
    // The arena's memory budget (under 10x the source) depends on these sizes.
    assert!(std::mem::size_of::<NodeKind>() <= 24);
    assert_eq!(std::mem::size_of::<prometeu_analysis::syntax::Token>(), 16);
}
