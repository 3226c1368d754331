//! Tests of the fixture harness itself: it reads every shipped fixture, pins the column
//! rule on real files, and reports every kind of mismatch.

use prometeu_analysis::{LineCol, LineIndex};
use prometeu_tests::{
    Expectation, Produced, check_fixture, fixture_files, parse_fixture, repo_root,
};
use proptest::prelude::*;

fn diagnostics_dir() -> std::path::PathBuf {
    repo_root().join("examples/diagnostics")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(diagnostics_dir().join(relative)).unwrap()
}

fn expect(code: &str, line: u32, start_col: u32, end_col: Option<u32>, at: u32) -> Expectation {
    Expectation {
        code: code.into(),
        line,
        start_col,
        end_col,
        annotation_line: at,
    }
}

/// The source text an expectation points at (one character for a single caret).
fn pointed_text<'a>(source: &'a str, e: &Expectation) -> &'a str {
    let index = LineIndex::new(source);
    let start = index
        .line_col_to_offset(LineCol::new(e.line, e.start_col))
        .unwrap() as usize;
    let end = match e.end_col {
        Some(col) => index.line_col_to_offset(LineCol::new(e.line, col)).unwrap() as usize,
        None => start + source[start..].chars().next().map_or(0, char::len_utf8),
    };
    &source[start..end]
}

fn produced(code: &str, start: usize, end: usize, message: &str) -> Produced {
    Produced {
        code: code.into(),
        start: start as u32,
        end: end as u32,
        message: message.into(),
    }
}

/// Byte offset of the first occurrence of `needle`.
fn at(source: &str, needle: &str) -> usize {
    source
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in source"))
}

#[test]
fn fixture_files_finds_every_pbs_sorted() {
    let dir = diagnostics_dir();
    let files: Vec<String> = fixture_files(&dir, "pbs")
        .iter()
        .map(|p| {
            p.strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    for expected in [
        "clean.pbs",
        "lex.pbs",
        "imports/src/main.pbs",
        "imports/src/shapes/circle.pbs",
    ] {
        assert!(
            files.iter().any(|f| f == expected),
            "{expected} not in {files:?}"
        );
    }
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(files.iter().all(|f| f.ends_with(".pbs")));
    assert_eq!(
        fixture_files(&dir, ".json").len(),
        1,
        "the imports manifest"
    );
}

#[test]
#[should_panic(expected = "cannot read fixture directory")]
fn fixture_files_refuses_a_missing_directory() {
    fixture_files(&repo_root().join("no/such/dir"), "pbs");
}

#[test]
fn every_shipped_fixture_parses_and_matches_its_own_annotations() {
    let files = fixture_files(&diagnostics_dir(), "pbs");
    assert!(files.len() >= 8, "{files:?}");
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let fixture = parse_fixture(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy();
        assert_eq!(
            fixture.no_diagnostics,
            name == "clean.pbs",
            "{}",
            path.display()
        );
        // Producing exactly what is annotated must pass: every annotation is matchable.
        let index = LineIndex::new(&source);
        let own: Vec<Produced> = fixture
            .expectations
            .iter()
            .map(|e| {
                let offset = |col| index.line_col_to_offset(LineCol::new(e.line, col)).unwrap();
                let start = offset(e.start_col);
                let end = e.end_col.map_or(start + 1, offset);
                produced(&e.code, start as usize, end as usize, "self")
            })
            .collect();
        check_fixture(&source, &own).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn lex_fixture_expectations_are_exact() {
    let source = read("lex.pbs");
    let fixture = parse_fixture(&source).unwrap();
    assert!(!fixture.no_diagnostics);
    assert_eq!(
        fixture.expectations,
        vec![
            expect("E_LEX_UNTERMINATED_STRING", 1, 13, None, 2),
            expect("E_LEX_INT_OVERFLOW", 3, 13, Some(24), 4),
            expect("E_LEX_BOUNDED_OVERFLOW", 5, 13, Some(19), 6),
            expect("E_LEX_INVALID_ESCAPE", 7, 18, Some(20), 8),
            expect("E_LEX_INVALID_CHAR", 9, 15, None, 10),
            expect("E_LEX_INVALID_NUMBER", 11, 13, Some(15), 12),
        ]
    );
    let texts: Vec<&str> = fixture
        .expectations
        .iter()
        .map(|e| pointed_text(&source, e))
        .collect();
    assert_eq!(texts, vec!["\"", "99999999999", "70000b", "\\q", "#", "0x"]);
}

#[test]
fn imports_fixture_expectations_are_exact() {
    let source = read("imports/src/main.pbs");
    let fixture = parse_fixture(&source).unwrap();
    assert_eq!(
        fixture.expectations,
        vec![
            // Consecutive annotation lines share the target line 0.
            expect("E_RESOLVE_NOT_VISIBLE", 0, 23, Some(29), 1),
            expect("E_RESOLVE_IMPORT_NOT_FOUND", 0, 31, Some(37), 2),
            expect("E_RESOLVE_MODULE_NOT_FOUND", 3, 21, Some(32), 4),
        ]
    );
    let texts: Vec<&str> = fixture
        .expectations
        .iter()
        .map(|e| pointed_text(&source, e))
        .collect();
    assert_eq!(texts, vec!["secret", "helper", "\"triangles\""]);
}

#[test]
fn carets_right_after_the_slashes_start_at_column_two() {
    let source = read("parse.pbs");
    let fixture = parse_fixture(&source).unwrap();
    let last = fixture.expectations.last().unwrap();
    assert_eq!(
        last,
        &expect("E_PARSE_TOP_LEVEL_STATEMENT", 10, 2, Some(14), 11)
    );
    assert_eq!(pointed_text(&source, last), "let top = 1;");
}

const TYPES: &str = "\
fn frame() {
    let n: int = \"five\";
//               ^^^^^^ E_TYPE_MISMATCH
    let f = 1.5 + 2;
//              ^ E_TYPE_OPERATOR
}
";

/// What a correct checker produces for [`TYPES`].
fn types_produced() -> Vec<Produced> {
    let five = at(TYPES, "\"five\"");
    let plus = at(TYPES, "+");
    vec![
        produced(
            "E_TYPE_MISMATCH",
            five,
            five + 6,
            "expected `int`, found `string`",
        ),
        produced(
            "E_TYPE_OPERATOR",
            plus,
            plus + 1,
            "cannot add `float` and `int`",
        ),
    ]
}

#[test]
fn exact_match_passes_in_any_order() {
    let mut list = types_produced();
    check_fixture(TYPES, &list).unwrap();
    list.reverse();
    check_fixture(TYPES, &list).unwrap();
}

#[test]
fn a_missing_diagnostic_fails_with_its_source_line() {
    let list = &types_produced()[1..];
    let err = check_fixture(TYPES, list).unwrap_err();
    assert_eq!(
        err.missing,
        vec![expect("E_TYPE_MISMATCH", 1, 17, Some(23), 2)]
    );
    assert!(err.unexpected.is_empty());
    let text = err.to_string();
    assert!(text.contains("1 missing, 0 unexpected"), "{text}");
    assert!(
        text.contains("E_TYPE_MISMATCH at 2:18..24, annotated on line 3"),
        "{text}"
    );
    assert!(
        text.contains("2 |     let n: int = \"five\";\n      |                  ^^^^^^\n"),
        "{text}"
    );
}

#[test]
fn an_unexpected_diagnostic_fails_with_its_message() {
    let mut list = types_produced();
    let n = at(TYPES, "n:");
    list.push(produced("W_UNUSED_LOCAL", n, n + 1, "`n` is never used"));
    let err = check_fixture(TYPES, &list).unwrap_err();
    assert!(err.missing.is_empty());
    assert_eq!(err.unexpected.len(), 1);
    let text = err.to_string();
    assert!(
        text.contains("W_UNUSED_LOCAL at 2:9..10: `n` is never used"),
        "{text}"
    );
    assert!(text.contains("|         ^\n"), "{text}");
}

#[test]
fn a_wrong_span_is_missing_and_unexpected() {
    let mut list = types_produced();
    list[0].end += 1;
    let err = check_fixture(TYPES, &list).unwrap_err();
    assert_eq!(err.missing.len(), 1);
    assert_eq!(err.unexpected, vec![list[0].clone()]);
    list[0].end -= 1;
    list[0].start -= 1;
    assert!(check_fixture(TYPES, &list).is_err());
}

#[test]
fn a_wrong_code_is_missing_and_unexpected() {
    let mut list = types_produced();
    list[0].code = "E_TYPE_INFER".into();
    let err = check_fixture(TYPES, &list).unwrap_err();
    assert_eq!(err.missing[0].code, "E_TYPE_MISMATCH");
    assert_eq!(err.unexpected[0].code, "E_TYPE_INFER");
}

#[test]
fn a_single_caret_pins_only_the_start() {
    let mut list = types_produced();
    list[1].end = list[1].start + 5;
    check_fixture(TYPES, &list).unwrap();
    list[1].start += 1;
    list[1].end += 1;
    let err = check_fixture(TYPES, &list).unwrap_err();
    assert_eq!(err.missing, vec![expect("E_TYPE_OPERATOR", 3, 16, None, 4)]);
    assert!(
        err.to_string()
            .contains("E_TYPE_OPERATOR at 4:17 (start only)"),
        "{err}"
    );
}

#[test]
fn pinned_and_start_only_annotations_share_a_start() {
    let source = "let ab = 1;\n//  ^^ W_SHADOWED\n//  ^ W_SHADOWED\n";
    let long = produced("W_SHADOWED", 4, 6, "a");
    let short = produced("W_SHADOWED", 4, 5, "b");
    // Whatever the order, the pinned annotation takes the exact span.
    check_fixture(source, &[long.clone(), short.clone()]).unwrap();
    check_fixture(source, &[short.clone(), long.clone()]).unwrap();
    let err = check_fixture(source, &[short.clone(), short]).unwrap_err();
    assert_eq!(err.missing.len(), 1);
    assert_eq!(err.missing[0].end_col, Some(6));
}

#[test]
fn duplicates_must_be_produced_as_often_as_annotated() {
    let source = "let x = y;\n//      ^ E_RESOLVE_UNDEFINED\n//      ^ E_RESOLVE_UNDEFINED\n";
    let y = produced("E_RESOLVE_UNDEFINED", 8, 9, "no `y`");
    check_fixture(source, &[y.clone(), y.clone()]).unwrap();
    let err = check_fixture(source, std::slice::from_ref(&y)).unwrap_err();
    assert_eq!(err.missing.len(), 1);
    let err = check_fixture(source, &[y.clone(), y.clone(), y]).unwrap_err();
    assert_eq!((err.missing.len(), err.unexpected.len()), (0, 1));
}

#[test]
fn a_clean_file_with_a_diagnostic_fails() {
    let source = "//~ no-diagnostics\nfn frame() {}\n";
    assert!(parse_fixture(source).unwrap().no_diagnostics);
    check_fixture(source, &[]).unwrap();
    let frame = at(source, "frame");
    let err = check_fixture(
        source,
        &[produced("W_UNUSED_PRIVATE", frame, frame + 5, "m")],
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("marked `//~ no-diagnostics`"), "{text}");
    assert!(text.contains("W_UNUSED_PRIVATE at 2:4..9"), "{text}");
}

#[test]
fn an_unannotated_file_must_be_clean_too() {
    let source = "fn frame() {}\n";
    check_fixture(source, &[]).unwrap();
    assert!(check_fixture(source, &[produced("W_SHADOWED", 0, 2, "m")]).is_err());
}

#[test]
fn ordinary_comments_are_skipped_when_finding_the_target() {
    let source = "let ab = 1;\n// a comment ^ with a caret\n///  ^ doc\n//  ^^ W_UNUSED_LOCAL\n";
    let fixture = parse_fixture(source).unwrap();
    assert_eq!(
        fixture.expectations,
        vec![expect("W_UNUSED_LOCAL", 0, 4, Some(6), 3)]
    );
}

#[test]
fn crlf_sources_work() {
    let source = "fn f() {\r\n    let ab = 1;\r\n//      ^^ W_UNUSED_LOCAL\r\n}\r\n";
    let fixture = parse_fixture(source).unwrap();
    assert_eq!(
        fixture.expectations,
        vec![expect("W_UNUSED_LOCAL", 1, 8, Some(10), 2)]
    );
    let ab = at(source, "ab");
    check_fixture(source, &[produced("W_UNUSED_LOCAL", ab, ab + 2, "m")]).unwrap();
}

#[test]
fn malformed_annotations_name_their_line() {
    let cases = [
        (
            "x = 1;\n// ^ E_NOPE\n",
            "line 2: unknown diagnostic code `E_NOPE`",
        ),
        ("x = 1;\n// ^\n", "line 2: missing diagnostic code"),
        ("x = 1;\n// ^W_SHADOWED\n", "line 2: expected whitespace"),
        (
            "x = 1;\n// ^ W_SHADOWED oops\n",
            "line 2: unexpected `oops`",
        ),
        (
            "x = 1;\n//    ^^ W_SHADOWED\n",
            "line 2: the carets end at column 8, past the end of line 1 (6 bytes)",
        ),
        (
            "x = 1;\n//     ^ W_SHADOWED\n",
            "line 2: the carets start at column 7, past the end of line 1 (6 bytes)",
        ),
        (
            "// ^ W_SHADOWED\nx = 1;\n",
            "line 1: an annotation with no source line above it",
        ),
        (
            "x = 1;\n//\t^ W_SHADOWED\n",
            "line 2: a tab before the carets",
        ),
        (
            "x = 1;\n//~ no-diagnostic\n",
            "line 2: unknown directive `//~no-diagnostic`",
        ),
        (
            "//~ no-diagnostics\nx = 1;\n//^ W_SHADOWED\n",
            "line 3: an annotation in a file marked",
        ),
        (
            "😀 = 1;\n//^ W_SHADOWED\n",
            "line 2: the carets start at column 2, inside a multi-byte character of line 1",
        ),
        ("x = 1;\n// ^ W_SHADOWED é\n", "line 2: unexpected `é`"),
    ];
    for (source, message) in cases {
        let err = parse_fixture(source).unwrap_err();
        assert!(
            err.starts_with(message),
            "{source:?}: got {err:?}, want {message:?}"
        );
        let mismatch = check_fixture(source, &[]).unwrap_err();
        assert_eq!(mismatch.malformed.as_deref(), Some(err.as_str()));
        assert!(
            mismatch
                .to_string()
                .contains("malformed fixture annotations")
        );
    }
}

#[test]
fn spans_outside_the_file_are_reported_not_panicked_on() {
    let source = "é\n";
    let err = check_fixture(
        source,
        &[
            produced("W_SHADOWED", 1, 2, "inside é"),
            produced("W_SHADOWED", 2, 99, "past the end"),
            produced("W_SHADOWED", 2, 1, "backwards"),
        ],
    )
    .unwrap_err();
    assert_eq!(err.unexpected.len(), 3);
    assert!(
        err.to_string()
            .contains("W_SHADOWED at bytes 2..99, not a span of this file")
    );
}

#[test]
fn mismatch_report_reads_well() {
    let source = "\
fn frame() {
    let n: int = \"five\";
//               ^^^^^^ E_TYPE_MISMATCH
    let f = 1.5 + 2;
//              ^ E_TYPE_OPERATOR
    let s = \"crosses
a line\";
}
";
    let plus = at(source, "+");
    let crossing = at(source, "\"crosses");
    let list = vec![
        produced(
            "E_TYPE_OPERATOR",
            plus,
            plus + 1,
            "cannot add `float` and `int`",
        ),
        produced(
            "E_LEX_UNTERMINATED_STRING",
            crossing,
            crossing + 18,
            "this string never ends",
        ),
        produced(
            "W_UNUSED_LOCAL",
            at(source, "f ="),
            at(source, "f =") + 1,
            "`f` is never used",
        ),
    ];
    let err = check_fixture(source, &list).unwrap_err();
    insta::assert_snapshot!(err.to_string());
}

/// Sources made of code lines each followed by a few annotations (whose carets mostly
/// land on the line), directives and junk built from annotation pieces, so random input
/// reaches every branch of the reader and well-formed fixtures are common.
fn fixture_like() -> impl Strategy<Value = String> {
    let code_line = prop::collection::vec(
        prop::sample::select(vec!["x", "é", "😀", " ", "\t", "\r", "let a = 1;"]),
        1..8,
    )
    .prop_map(|pieces| pieces.concat());
    let annotated = code_line.prop_flat_map(|line| {
        let width = line.len().max(3);
        let annotation = (
            0..width - 2,
            1usize..4,
            prop_oneof![
                8 => prop::sample::select(vec!["E_TYPE_MISMATCH", "W_SHADOWED"]),
                1 => Just("E_NOPE"),
            ],
            prop_oneof![8 => Just(""), 1 => Just(" "), 1 => Just(" extra")],
            prop_oneof![4 => Just("\n"), 1 => Just("\r\n")],
        )
            .prop_map(|(spaces, carets, code, tail, end)| {
                format!(
                    "//{}{} {code}{tail}{end}",
                    " ".repeat(spaces),
                    "^".repeat(carets)
                )
            });
        (Just(line), prop::collection::vec(annotation, 0..3))
            .prop_map(|(line, annotations)| line + "\n" + &annotations.concat())
    });
    let junk = prop::collection::vec(
        prop::sample::select(vec![
            "//",
            "~",
            " no-diagnostics",
            " ",
            "\t",
            "^",
            "^^^",
            " W_SHADOWED",
            "x",
            "é",
            "😀",
            "\r",
            "\n",
        ]),
        0..10,
    )
    .prop_map(|pieces| pieces.concat() + "\n");
    let block = prop_oneof![
        8 => annotated,
        1 => junk,
        1 => Just("//~ no-diagnostics\n".to_string()),
        1 => Just("// a comment\n".to_string()),
    ];
    prop::collection::vec(block, 0..8).prop_map(|blocks| blocks.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_reader_never_panics(source in fixture_like(), spans in prop::collection::vec((0u32..80, 0u32..80), 0..4)) {
        let parsed = parse_fixture(&source);
        let list: Vec<Produced> = spans
            .iter()
            .map(|&(start, end)| produced("W_SHADOWED", start as usize, end as usize, "m"))
            .collect();
        let checked = check_fixture(&source, &list);
        // A well-formed fixture's own annotations always match themselves.
        if let Ok(fixture) = parsed {
            let index = LineIndex::new(&source);
            let own: Vec<Produced> = fixture.expectations.iter().map(|e| {
                let offset = |col| index.line_col_to_offset(LineCol::new(e.line, col)).unwrap();
                let start = offset(e.start_col);
                let end = e.end_col.map_or(start, offset);
                produced(&e.code, start as usize, end as usize, "own")
            }).collect();
            prop_assert!(check_fixture(&source, &own).is_ok());
        } else {
            prop_assert!(checked.unwrap_err().malformed.is_some());
        }
    }
}
