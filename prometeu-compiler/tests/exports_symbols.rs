//! `symbols.json` (toolchain.md §3.1): snapshots of the examples, round trip and the
//! documented rules (no locals, no prelude, `@alias` paths, 0-based UTF-8 positions).

mod exports_common;

use exports_common::{assert_no_absolute_paths, build, example_dir};
use prometeu_compiler::exports::SymbolsJson;

fn symbols(example: &str) -> String {
    let (symbols, _) = build(&example_dir(example));
    assert_no_absolute_paths(&symbols);
    symbols
}

fn parse(text: &str) -> SymbolsJson {
    let parsed: SymbolsJson = serde_json::from_str(text).expect("symbols.json parses back");
    let mut again = serde_json::to_string_pretty(&parsed).expect("serializes");
    again.push('\n');
    assert_eq!(again, text, "round trip is byte-identical");
    parsed
}

#[test]
fn hello_symbols_snapshot() {
    insta::assert_snapshot!(symbols("hello"));
}

#[test]
fn bounce_symbols_snapshot() {
    insta::assert_snapshot!(symbols("bounce"));
}

#[test]
fn town_symbols_snapshot() {
    insta::assert_snapshot!(symbols("town"));
}

#[test]
fn town_lists_its_dependency_under_its_alias() {
    let export = parse(&symbols("town"));
    assert_eq!(export.schema_version, 1);
    let dirs: Vec<(&str, &str)> = export
        .projects
        .iter()
        .map(|p| (p.project.as_str(), p.project_dir.as_str()))
        .collect();
    assert_eq!(dirs, [("town", "."), ("mathlib", "@math")]);
    let math = &export.projects[1];
    assert!(!math.symbols.is_empty());
    for s in &math.symbols {
        assert!(
            s.decl_span.file_uri.starts_with("@math/src/"),
            "{}",
            s.decl_span.file_uri
        );
    }
    for s in &export.projects[0].symbols {
        assert!(s.decl_span.file_uri.starts_with("src/"));
    }
    assert!(
        math.symbols
            .iter()
            .any(|s| s.module_path == "easing" && s.exported),
        "the easing module exports something"
    );
}

#[test]
fn symbols_are_declarations_in_id_order_with_utf8_positions() {
    for example in ["hello", "bounce", "town"] {
        let text = symbols(example);
        let export = parse(&text);
        let mut last = None;
        for project in &export.projects {
            for s in &project.symbols {
                assert!(last < Some(s.symbol_id), "ids ascend across the file");
                last = Some(s.symbol_id);
                assert!(!["local", "param"].contains(&s.kind.as_str()), "{s:?}");
                assert!(!s.decl_span.file_uri.starts_with("prometeu:"), "{s:?}");
                // The positions name the declared identifier in its file.
                let path = match s.decl_span.file_uri.strip_prefix("@math/") {
                    Some(rest) => example_dir("mathlib").join(rest),
                    None => example_dir(example).join(&s.decl_span.file_uri),
                };
                let source = std::fs::read_to_string(&path).expect("declared in a source file");
                let line = source.lines().nth(s.decl_span.start.line as usize).unwrap();
                assert_eq!(s.decl_span.start.line, s.decl_span.end.line);
                let (a, b) = (s.decl_span.start.col as usize, s.decl_span.end.col as usize);
                assert_eq!(&line[a..b], s.name, "{s:?}");
            }
        }
    }
}

#[test]
fn hello_marks_pub_members_of_private_items_unexported() {
    let export = parse(&symbols("hello"));
    let player = &export.projects[0].symbols;
    let find = |name: &str| player.iter().find(|s| s.name == name).unwrap();
    assert_eq!(find("Player").kind, "service");
    assert_eq!(find("x").kind, "service_field");
    assert_eq!(find("frame").kind, "function");
    // `pub fn update` of a file-private service reaches no further than the service.
    assert!(!find("update").exported);
    assert!(!find("Player").exported);
}
