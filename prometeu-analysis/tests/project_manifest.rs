//! Manifest validation, data-driven: every `tests/projects/manifests/*.json` is read as
//! a `prometeu.json` and its result (the values kept and every diagnostic with the text
//! its span covers) is pinned by a snapshot named after the fixture. A new case is a new
//! `.json` file.

mod project_support;

use std::fmt::Write;

use prometeu_analysis::project::parse_manifest;
use prometeu_analysis::{DiagnosticCode, FileDb};

fn render(name: &str, text: &str) -> String {
    let mut db = FileDb::new();
    let file = db.upsert(name, text);
    let (m, diagnostics) = parse_manifest(text, file, "fallback");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "name={:?} version={:?} kind={:?} title={:?} app_id={}",
        m.name, m.version, m.kind, m.title, m.app_id
    );
    let _ = writeln!(out, "entry span covers `{}`", &text[m.entry_span.range()]);
    for d in &m.dependencies {
        let _ = writeln!(
            out,
            "dep {} = {:?} (alias covers {}, source covers {})",
            d.alias,
            d.source,
            &text[d.alias_span.range()],
            &text[d.source_span.range()]
        );
    }
    for d in &diagnostics {
        out.push_str(&project_support::render_diagnostic(d, &db, name));
    }
    out
}

#[test]
fn manifest_fixtures() {
    let dir = project_support::fixtures_dir().join("manifests");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "fixtures missing: {names:?}");
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        let rendered = render(&name, &text);
        let stem = name.trim_end_matches(".json");
        insta::assert_snapshot!(format!("manifest_{stem}"), rendered);
    }
}

#[test]
fn every_error_is_a_manifest_error_inside_the_file() {
    let dir = project_support::fixtures_dir().join("manifests");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (_, diagnostics) = parse_manifest(&text, prometeu_analysis::FileId(0), "x");
        let valid = name.starts_with("valid") || name.starts_with("minimal");
        assert_eq!(diagnostics.is_empty(), valid, "{name}: {diagnostics:?}");
        for d in diagnostics {
            assert!(
                matches!(
                    d.code,
                    DiagnosticCode::ProjectManifest | DiagnosticCode::ProjectUnknownField
                ),
                "{name}: {d:?}"
            );
            assert!(d.span.end as usize <= text.len(), "{name}: {d:?}");
            // Only an empty file has nothing to point at.
            assert!(
                !d.span.is_empty() || text.trim().is_empty() || d.span.start as usize == text.len(),
                "{name}: {d:?}"
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

    /// Any text — mostly manifest-shaped — validates without panicking, and every span
    /// lies inside the text on character boundaries.
    #[test]
    fn any_manifest_text_is_handled(
        text in r#"\{( *"(name|version|kind|title|app_id|dependencies|path|git|rev|x)": *(\{|\}|"[a-zé -]{0,6}"|[0-9.-]{1,6}|true|null|\[|\]|,){1,4}){0,6}\}?"#,
    ) {
        let (manifest, diagnostics) = parse_manifest(&text, prometeu_analysis::FileId(0), "f");
        let spans = diagnostics
            .iter()
            .flat_map(|d| std::iter::once(d.span).chain(d.related.iter().map(|r| r.span)))
            .chain([manifest.entry_span])
            .chain(manifest.dependencies.iter().flat_map(|d| [d.alias_span, d.source_span]));
        for span in spans {
            proptest::prop_assert!(span.start <= span.end && span.end as usize <= text.len());
            proptest::prop_assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize));
        }
    }
}
