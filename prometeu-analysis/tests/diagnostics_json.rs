//! The JSON form of diagnostics (the `diagnostics` array of `analysis.json`,
//! `docs/spec/toolchain.md` §3.2) is a contract: pinned by a snapshot and read back.

use prometeu_analysis::diagnostic::sort_diagnostics;
use prometeu_analysis::{Diagnostic, DiagnosticCode, FileId, Span};

fn sample() -> Vec<Diagnostic> {
    let main = FileId(0);
    let shapes = FileId(1);
    let mut list = vec![
        Diagnostic::new(
            DiagnosticCode::TypeMismatch,
            Span::new(main, 130, 136),
            "expected `int`, found `string`",
        ),
        Diagnostic::new(
            DiagnosticCode::ResolveDuplicateSymbol,
            Span::new(shapes, 31, 37),
            "`helper` is defined twice in module `shapes`",
        )
        .with_related(Span::new(shapes, 3, 9), "first defined here"),
        Diagnostic::new(
            DiagnosticCode::ParseUnclosedDelimiter,
            Span::new(main, 200, 201),
            "this `{` is never closed",
        )
        .with_related(Span::new(main, 250, 250), "the file ends here")
        .with_related(Span::new(main, 180, 183), "inside this `fn`"),
        Diagnostic::new(
            DiagnosticCode::UnusedLocal,
            Span::new(main, 40, 46),
            "`unused` is never used; name it `_unused` to silence this",
        ),
    ];
    sort_diagnostics(&mut list);
    list
}

#[test]
fn diagnostics_json_is_stable() {
    let json = serde_json::to_string_pretty(&sample()).unwrap();
    insta::assert_snapshot!(json);
}

#[test]
fn diagnostics_json_reads_back_to_the_same_value() {
    let list = sample();
    let json = serde_json::to_string_pretty(&list).unwrap();
    let back: Vec<Diagnostic> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, list);
}

#[test]
fn unknown_severity_or_code_is_rejected() {
    let good = r#"{"severity":"warning","code":"W_SHADOWED","message":"m",
        "span":{"file_id":0,"start":1,"end":2},"related":[]}"#;
    assert!(serde_json::from_str::<Diagnostic>(good).is_ok());
    for bad in [
        good.replace("warning", "fatal"),
        good.replace("W_SHADOWED", "W_NOPE"),
        good.replace(r#""end":2"#, r#""end":-2"#),
    ] {
        assert!(serde_json::from_str::<Diagnostic>(&bad).is_err(), "{bad}");
    }
}
