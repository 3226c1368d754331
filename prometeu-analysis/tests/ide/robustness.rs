//! Every query at every byte offset (inside multi-byte characters and past the end
//! too) of real programs and of broken ones answers without panicking, and what it
//! answers points into the file it names.

use std::path::Path;

use prometeu_analysis::ide::{FilePosition, Snapshot};

use crate::support::analyze;

/// Asks every position query at every offset of every file of `fixture`.
fn every_query_everywhere(fixture: &str) {
    let (_host, s, _) = analyze(fixture);
    assert!(!s.files().is_empty());
    for file in s.files() {
        let len = s.file_text(file).len() as u32;
        let mut answered = 0;
        for offset in 0..=len + 1 {
            let pos = FilePosition { file, offset };
            answered += usize::from(ask(&s, pos));
        }
        // Manifests answer nothing; every source file names something.
        let source = s.file_path(file).ends_with(".pbs");
        assert!(
            answered > 0 || !source,
            "no name was found in {}",
            s.file_path(file)
        );
        structure_of(&s, file);
        let outline = s.document_symbols(file);
        for d in &outline {
            assert!(d.full_span.contains_span(d.focus_span), "{d:?}");
        }
    }
    for query in ["", "a", "zz", "Ç"] {
        assert!(s.workspace_symbols(query).len() <= 256);
    }
}

/// Asks every query at `pos`; whether there was a hover.
fn ask(s: &Snapshot, pos: FilePosition) -> bool {
    let valid = |span: prometeu_analysis::Span| {
        assert!(span.start <= span.end, "{span:?}");
        assert!(
            span.end as usize <= s.file_text(span.file).len(),
            "{span:?}"
        );
    };
    let hover = s.hover(pos);
    if let Some(h) = &hover {
        valid(h.span);
        assert!(!h.markdown.is_empty());
    }
    for t in s
        .goto_definition(pos)
        .into_iter()
        .chain(s.goto_declaration(pos))
        .chain(s.goto_type_definition(pos))
    {
        valid(t.full_span);
        valid(t.focus_span);
    }
    for r in s.find_references(pos, true) {
        valid(r.span);
    }
    for h in s.highlight_related(pos) {
        valid(h.span);
        assert_eq!(h.span.file, pos.file);
    }
    if let Ok(span) = s.prepare_rename(pos) {
        valid(span);
        let change = s
            .rename(pos, "renamed_name")
            .expect("prepared, so renamable");
        for (_, edits) in change.edits {
            edits
                .windows(2)
                .for_each(|w| assert!(w[0].span.end <= w[1].span.start));
        }
    }
    if let Some(help) = s.signature_help(pos) {
        for &(start, end) in &help.parameters {
            assert!(start <= end && end as usize <= help.label.len());
        }
    }
    let completions = s.completions(pos);
    if let Some(replace) = completions.replace {
        valid(replace);
        assert!(replace.start <= pos.offset.min(s.file_text(pos.file).len() as u32));
    }
    for item in &completions.items {
        assert!(!item.label.is_empty());
        item.additional_edits.iter().for_each(|e| valid(e.span));
    }
    structure_at(s, pos, &valid);
    hover.is_some()
}

/// The structure queries at `pos`: selection ranges nest, call hierarchy spans are
/// inside their files.
fn structure_at(s: &Snapshot, pos: FilePosition, valid: &dyn Fn(prometeu_analysis::Span)) {
    let ranges = s.selection_ranges(pos.file, pos.offset);
    for range in &ranges {
        valid(*range);
    }
    for pair in ranges.windows(2) {
        assert!(
            pair[1].contains_span(pair[0]) && pair[1] != pair[0],
            "{pair:?}"
        );
    }
    if let Some(item) = s.prepare_call_hierarchy(pos) {
        valid(item.full_span);
        valid(item.focus_span);
        for call in s.incoming_calls(pos).iter().chain(&s.outgoing_calls(pos)) {
            valid(call.item.focus_span);
            call.call_sites.iter().for_each(|site| valid(*site));
        }
    }
}

/// The structure queries of a whole file: folds, links and lenses point into it.
fn structure_of(s: &Snapshot, file: prometeu_analysis::FileId) {
    let len = s.file_text(file).len() as u32;
    for fold in s.folding_ranges(file) {
        assert!(
            fold.span.start < fold.span.end && fold.span.end <= len,
            "{fold:?}"
        );
    }
    for link in s.document_links(file) {
        assert!(link.span.end <= len, "{link:?}");
        assert!(s.file_path(link.target).ends_with(".pbs"));
    }
    for lens in s.code_lenses(file) {
        assert!(
            lens.focus_span.end <= len && lens.focus_span.file == file,
            "{lens:?}"
        );
    }
}

/// The town example with its real manifest and the `mathlib` project it depends on:
/// two projects, both roots of the workspace.
fn town() -> String {
    fn add(dir: &Path, rel: &str, fixture: &mut String) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("an example directory")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().expect("a name").to_string_lossy();
            let rel = format!("{rel}/{name}");
            if path.is_dir() {
                add(&path, &rel, fixture);
            } else {
                let text = std::fs::read_to_string(&path).expect("a text file");
                fixture.push_str(&format!("//- {rel}\n{text}\n"));
            }
        }
    }
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut fixture = String::new();
    for project in ["town", "mathlib"] {
        add(
            &examples.join(project),
            &format!("/{project}"),
            &mut fixture,
        );
    }
    fixture
}

fn example(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    std::fs::read_to_string(root.join(path)).expect("an example program")
}

#[test]
fn the_bounce_example() {
    every_query_everywhere(&example("bounce/src/main.pbs"));
}

#[test]
fn the_town_example_with_its_modules() {
    let fixture = town();
    every_query_everywhere(&fixture);
}

#[test]
fn diagnostics_examples() {
    for name in ["resolve.pbs", "types.pbs", "hip.pbs", "lex.pbs"] {
        every_query_everywhere(&example(&format!("diagnostics/{name}")));
    }
}

#[test]
fn broken_code_and_multibyte_text() {
    every_query_everywhere(
        "//- /src/main.pbs\n\
         import { a as , } from \"nowhere\";\n\
         /// dõc 𝄞\n\
         declare struct P(x: int, ) { pub fn m(self, : int { return self.; } }\n\
         fn frame() { let s = \"é𝄞\"; let p = P(1; p.m(2, ; foo(; Log.info(s\n\
         service S { let mut v: list<P> = alloc list<P>(); pub fn f() { v.push(P(1)); v. } }\n\
         fn g(x: int): result<int, E> { return x when { 1 -> , _ -> 2 }; }\n",
    );
}

/// Renames every renamable symbol of `fixture` (once per declaration) to a fresh name,
/// applies the edits and re-analyses: each file's diagnostic codes must be what they
/// were. A rename that missed a use, or edited one too many, shows as a new error.
fn every_rename_keeps_the_diagnostics(fixture: &str) {
    let (mut host, s, _) = analyze(fixture);
    let codes = |s: &Snapshot| -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = s
            .files()
            .into_iter()
            .flat_map(|f| s.diagnostics(f).into_iter().map(move |d| (f, d)))
            .map(|(f, d)| (s.file_path(f).to_string(), format!("{:?}", d.code)))
            .collect();
        all.sort();
        all
    };
    let before = codes(&s);
    let mut renamed = std::collections::HashSet::new();
    let mut count = 0;
    for file in s.files() {
        for offset in 0..s.file_text(file).len() as u32 {
            let pos = FilePosition { file, offset };
            let Ok(_) = s.prepare_rename(pos) else {
                continue;
            };
            let Some(decl) = s.goto_declaration(pos).first().map(|t| t.focus_span) else {
                continue;
            };
            if !renamed.insert(decl) {
                continue;
            }
            let new_name = format!("fresh_name_{count}");
            let Ok(change) = s.rename(pos, &new_name) else {
                continue;
            };
            count += 1;
            let mut originals = Vec::new();
            for (file, edits) in &change.edits {
                let path = std::path::PathBuf::from(s.file_path(*file));
                let mut text = s.file_text(*file).to_string();
                for edit in edits.iter().rev() {
                    text.replace_range(edit.span.range(), &edit.new_text);
                }
                originals.push((path.clone(), s.file_text(*file).to_string()));
                host.change_file(&path, &text);
            }
            let after = host.analyze_now();
            assert_eq!(
                before,
                codes(&after),
                "renaming at {}:{offset} to {new_name} changed the diagnostics",
                s.file_path(file)
            );
            for (path, text) in originals {
                host.change_file(&path, &text);
            }
        }
    }
    assert!(count > 10, "only {count} renames");
}

#[test]
fn renaming_anything_in_the_examples_keeps_their_diagnostics() {
    every_rename_keeps_the_diagnostics(&example("bounce/src/main.pbs"));
    every_rename_keeps_the_diagnostics(&town());
    every_rename_keeps_the_diagnostics(&example("diagnostics/types.pbs"));
    every_rename_keeps_the_diagnostics(&example("hello/src/main.pbs"));
}

#[test]
fn a_file_the_snapshot_does_not_know_answers_nothing() {
    let (_host, s, _) = analyze("fn frame() {}\n");
    let unknown = prometeu_analysis::FileId(9_999);
    let pos = FilePosition {
        file: unknown,
        offset: 3,
    };
    assert!(s.hover(pos).is_none());
    assert!(s.goto_definition(pos).is_empty());
    assert!(s.goto_declaration(pos).is_empty());
    assert!(s.goto_type_definition(pos).is_empty());
    assert!(s.find_references(pos, true).is_empty());
    assert!(s.highlight_related(pos).is_empty());
    assert!(s.prepare_rename(pos).is_err());
    assert!(s.rename(pos, "x").is_err());
    assert!(s.signature_help(pos).is_none());
    assert!(s.document_symbols(unknown).is_empty());
}
