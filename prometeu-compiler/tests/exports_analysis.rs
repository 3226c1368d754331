//! `analysis.json` (toolchain.md §3.2): a reviewed snapshot of hello, consistency of
//! town (every ID exists, lists sorted, no absolute path), round trip, determinism
//! across runs, sessions and directories, and robustness on arbitrary sources.

mod exports_common;

use exports_common::{
    assert_consistent, assert_no_absolute_paths, build, build_in, copy_tree, example_dir,
};
use prometeu_analysis::FileDb;
use prometeu_compiler::exports::AnalysisJson;
use proptest::prelude::*;

fn parse(text: &str) -> AnalysisJson {
    let parsed: AnalysisJson = serde_json::from_str(text).expect("analysis.json parses back");
    let mut again = serde_json::to_string_pretty(&parsed).expect("serializes");
    again.push('\n');
    assert_eq!(again, text, "round trip is byte-identical");
    parsed
}

#[test]
fn hello_analysis_snapshot() {
    let (_, analysis) = build(&example_dir("hello"));
    assert_no_absolute_paths(&analysis);
    assert_consistent(&parse(&analysis));
    insta::assert_snapshot!(analysis);
}

#[test]
fn town_analysis_is_consistent_and_relative() {
    let (_, text) = build(&example_dir("town"));
    assert_no_absolute_paths(&text);
    let export = parse(&text);
    assert_consistent(&export);
    assert_eq!(export.schema_version, 0);
    let uris: Vec<&str> = export.file_table.iter().map(|f| f.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "prometeu:prelude.pbs",
            "src/main.pbs",
            "src/ui/hud.pbs",
            "src/world/folk.pbs",
            "src/world/spawn.pbs",
            "@math/src/easing/curves.pbs",
            "@math/src/easing/more.pbs",
            "@math/src/lib.pbs",
            "prometeu.json",
            "@math/prometeu.json",
        ]
    );
    let modules: Vec<(&str, &str)> = export
        .modules
        .iter()
        .map(|m| (m.project.as_str(), m.path.as_str()))
        .collect();
    assert_eq!(
        modules,
        [
            ("town", ""),
            ("town", "ui"),
            ("town", "world"),
            ("mathlib", ""),
            ("mathlib", "easing"),
            ("", ""),
        ]
    );
    // Locals and parameters are listed here (not in symbols.json), with their uses.
    for kind in ["local", "param", "method", "error_case", "service_field"] {
        assert!(export.symbols.iter().any(|s| s.kind == kind), "{kind}");
    }
    let name = |id: u32| export.names[id as usize].text.as_str();
    let vec2 = export
        .symbols
        .iter()
        .find(|s| name(s.name_id) == "Vec2" && s.kind == "struct")
        .unwrap();
    assert!(vec2.exported);
    // Vec2's methods name it as their parent, and its type names its symbol.
    let add = export
        .symbols
        .iter()
        .find(|s| name(s.name_id) == "add" && s.kind == "method")
        .unwrap();
    assert_eq!(add.parent, Some(vec2.symbol_id));
    assert!(
        export.types.iter().any(|t| t.kind == "struct"
            && t.symbol_id == Some(vec2.symbol_id)
            && t.display == "Vec2")
    );
    let signature = export
        .facts
        .signatures
        .iter()
        .find(|s| s.symbol_id == add.symbol_id)
        .unwrap();
    assert_eq!(signature.receiver.as_deref(), Some("self"));
    // Every use span names its symbol (or its import alias) in the source.
    let sources: Vec<String> = export
        .file_table
        .iter()
        .map(|f| match f.uri.split_once('/') {
            Some(("@math", rest)) => {
                std::fs::read_to_string(example_dir("mathlib").join(rest)).unwrap()
            }
            _ if f.uri.starts_with("prometeu:") => {
                prometeu_analysis::analysis::PRELUDE_SOURCE.to_string()
            }
            _ => std::fs::read_to_string(example_dir("town").join(&f.uri)).unwrap(),
        })
        .collect();
    // Typed nodes lie in their files; a call's node covers its callee's name.
    for n in &export.facts.node_type {
        assert!(n.end as usize <= sources[n.file_id as usize].len(), "{n:?}");
    }
    let ease_call = export
        .facts
        .node_type
        .iter()
        .find(|n| {
            let source = &sources[n.file_id as usize];
            n.file_id == 1 && source[n.start as usize..n.end as usize] == *"ease(t)"
        })
        .expect("the call `ease(t)` is typed");
    assert_eq!(export.types[ease_call.type_id as usize].display, "float");
    for r in &export.refs {
        let symbol = &export.symbols[r.symbol_id as usize];
        for span in r.spans.iter().chain([&symbol.decl_span]) {
            let source = &sources[span.file_id as usize];
            let text = &source[span.start as usize..span.end as usize];
            // A use through an import alias (`ease_in_out as ease`) is the alias.
            let aliased = source.contains(&format!(" as {text} "));
            assert!(text == name(symbol.name_id) || aliased, "{span:?} {text}");
        }
    }
}

#[test]
fn types_carry_the_fields_to_rebuild_them() {
    let (_, text) = build(&example_dir("bounce"));
    let export = parse(&text);
    assert_consistent(&export);
    assert_eq!(export.types[0].kind, "unknown");
    assert_eq!(export.types[0].display, "{unknown}");
    assert_eq!(export.types[1].kind, "void");
    for t in &export.types {
        let display = |id: Option<u32>| export.types[id.unwrap() as usize].display.clone();
        let expected = match t.kind.as_str() {
            "primitive" | "unknown" | "void" => t.display.clone(),
            "array" => format!("[{}; {}]", display(t.inner), t.len.unwrap()),
            "optional" | "ref" | "list" => format!("{}<{}>", t.kind, display(t.inner)),
            "result" => format!("result<{}, {}>", display(t.ok), display(t.err)),
            "struct" | "error" | "service" | "contract" => {
                let symbol = &export.symbols[t.symbol_id.unwrap() as usize];
                export.names[symbol.name_id as usize].text.clone()
            }
            other => panic!("undocumented type kind {other}"),
        };
        assert_eq!(expected, t.display, "{t:?}");
    }
    assert!(export.types.iter().any(|t| t.kind == "list"));
}

#[test]
fn exports_are_identical_across_runs_sessions_and_directories() {
    for example in ["hello", "bounce", "town"] {
        let first = build(&example_dir(example));
        assert_eq!(build(&example_dir(example)), first, "{example}: second run");
        // A session that already knows other files numbers the project's files
        // differently; the exports do not show it.
        let mut db = FileDb::new();
        db.upsert("some/editor/buffer.pbs", "fn frame() {}");
        db.upsert("prometeu:prelude.pbs", "");
        assert_eq!(
            build_in(&example_dir(example), &mut db),
            first,
            "{example}: session"
        );
    }
    // Town and its dependency copied elsewhere, keeping `../mathlib` valid.
    let temp = tempfile::tempdir().unwrap();
    let deep = temp.path().join("some where/else");
    copy_tree(&example_dir("town"), &deep.join("town"));
    copy_tree(&example_dir("mathlib"), &deep.join("mathlib"));
    let moved = build(&deep.join("town"));
    assert_eq!(moved, build(&example_dir("town")), "town moved");
    let moved_root = deep.to_string_lossy().into_owned();
    assert!(!moved.0.contains(&moved_root) && !moved.1.contains(&moved_root));
}

/// Source text made of PBS fragments, so that the cases reach the resolver and the type
/// checker rather than stopping in the lexer.
fn pbs_text() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(vec![
        "fn ",
        "frame",
        "init",
        "(",
        ")",
        "{",
        "}",
        "let ",
        "mut ",
        "x",
        "y",
        " = ",
        "1",
        "2.5",
        ";",
        "\n",
        "declare ",
        "struct ",
        "S",
        "error ",
        "E",
        "service ",
        "Svc",
        "contract ",
        "pub ",
        "mod ",
        ": ",
        "int",
        "float",
        "string",
        "bool",
        "optional<",
        ">",
        "list<",
        "ref<",
        "result<",
        ", ",
        "[",
        "]",
        "return ",
        "if ",
        "else ",
        "for ",
        " in ",
        "self",
        ".",
        "+",
        "==",
        "\"é\"",
        "Gfx",
        "Color",
        "import ",
        "@math",
        "// é\n",
        "const ",
        "é",
    ]);
    prop::collection::vec(fragment, 0..80).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_source_exports_consistent_json(main in pbs_text(), other in pbs_text()) {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        std::fs::create_dir_all(dir.join("src/world")).unwrap();
        std::fs::write(
            dir.join("prometeu.json"),
            r#"{ "name": "fuzz", "version": "0.1.0", "kind": "app", "title": "F", "app_id": 1 }"#,
        ).unwrap();
        std::fs::write(dir.join("src/main.pbs"), &main).unwrap();
        std::fs::write(dir.join("src/world/w.pbs"), &other).unwrap();
        let (symbols, analysis) = build(dir);
        let root = dir.canonicalize().unwrap().to_string_lossy().into_owned();
        prop_assert!(!symbols.contains(&root) && !analysis.contains(&root));
        let _: prometeu_compiler::exports::SymbolsJson = serde_json::from_str(&symbols).unwrap();
        assert_consistent(&parse(&analysis));
        prop_assert_eq!(build(dir), (symbols, analysis));
    }
}

#[test]
fn diagnostics_are_exported_with_related_locations() {
    // A loose file named by its absolute path still shows as its bare file name.
    let path = example_dir("diagnostics")
        .join("resolve.pbs")
        .canonicalize()
        .unwrap();
    let mut db = FileDb::new();
    let graph = prometeu_analysis::project::load_loose_file(&path, &mut db);
    let analysis = prometeu_analysis::analyze(&graph, &mut db, None);
    let text = prometeu_compiler::exports::analysis_json(&analysis, &graph);
    assert_no_absolute_paths(&text);
    let export = parse(&text);
    assert_consistent(&export);
    assert_eq!(export.file_table[1].uri, "resolve.pbs");
    let codes: Vec<&str> = export.diagnostics.iter().map(|d| d.code.as_str()).collect();
    for code in [
        "E_RESOLVE_DUPLICATE_SYMBOL",
        "E_RESOLVE_DUPLICATE_MEMBER",
        "E_RESOLVE_UNDEFINED",
        "E_RESOLVE_NOT_A_TYPE",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let duplicate = export
        .diagnostics
        .iter()
        .find(|d| d.code == "E_RESOLVE_DUPLICATE_SYMBOL")
        .unwrap();
    assert_eq!(duplicate.severity, prometeu_analysis::Severity::Error);
    assert_eq!(duplicate.span.file_id, 1);
    assert!(
        !duplicate.related.is_empty(),
        "points at the first `helper`"
    );
    let symbols = prometeu_compiler::exports::symbols_json(&analysis, &graph);
    assert_no_absolute_paths(&symbols);
    assert!(symbols.contains("\"file_uri\": \"resolve.pbs\""));
}
