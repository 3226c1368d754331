//! Semantic tokens: every kind and modifier of the legend on a fixture, the decoded
//! tokens of the examples as snapshots, range queries, and well-formedness on broken
//! code.

use std::path::Path;

use insta::assert_snapshot;
use prometeu_analysis::FileId;
use prometeu_analysis::ide::{
    SemanticToken, SemanticTokenKind, Snapshot, TOKEN_KINDS, TOKEN_MODIFIERS, TokenModifiers,
};

use crate::support::{analyze, path};

/// One line per token: `line:col `text` kind +modifier…`.
fn render(snapshot: &Snapshot, file: FileId, tokens: &[SemanticToken]) -> String {
    let text = snapshot.file_text(file);
    let index = snapshot.line_index(file);
    let mut out = String::new();
    for token in tokens {
        let at = index
            .offset_to_line_col(token.start)
            .expect("a token inside its file");
        let name = TOKEN_KINDS[token.kind as usize].1;
        let mut modifiers = String::new();
        for (bit, modifier, _) in TOKEN_MODIFIERS {
            if token.modifiers.contains(*bit) {
                modifiers.push_str(" +");
                modifiers.push_str(modifier);
            }
        }
        out.push_str(&format!(
            "{}:{} `{}` {name}{modifiers}\n",
            at.line + 1,
            at.col + 1,
            &text[token.start as usize..token.end as usize]
        ));
    }
    out
}

/// The tokens of every source file of a fixture, each under a `# path` heading.
fn tokens_of(fixture: &str) -> String {
    let (_host, snapshot, _) = analyze(fixture);
    let mut out = String::new();
    for file in snapshot.files() {
        if !snapshot.file_path(file).ends_with(".pbs") {
            continue;
        }
        let tokens = snapshot.semantic_tokens(file, None);
        well_formed(&snapshot, file, &tokens);
        out.push_str(&format!("# {}\n", path(&snapshot, file)));
        out.push_str(&render(&snapshot, file, &tokens));
    }
    out
}

/// Tokens are sorted, do not overlap, are not empty, and lie inside the file.
fn well_formed(snapshot: &Snapshot, file: FileId, tokens: &[SemanticToken]) {
    let len = snapshot.file_text(file).len() as u32;
    for token in tokens {
        assert!(token.start < token.end && token.end <= len, "{token:?}");
    }
    for pair in tokens.windows(2) {
        assert!(pair[0].end <= pair[1].start, "{pair:?}");
    }
}

/// The projects under `examples/` as one fixture (files under `/<project>/…`).
fn examples(projects: &[&str]) -> String {
    fn add(dir: &Path, rel: &str, fixture: &mut String) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("an example directory")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            let name = entry.file_name().expect("a name").to_string_lossy();
            let rel = format!("{rel}/{name}");
            if entry.is_dir() {
                add(&entry, &rel, fixture);
            } else if name.ends_with(".pbs") || name == "prometeu.json" {
                let text = std::fs::read_to_string(&entry).expect("a text file");
                fixture.push_str(&format!("//- {rel}\n{text}\n"));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut fixture = String::new();
    for project in projects {
        add(&root.join(project), &format!("/{project}"), &mut fixture);
    }
    fixture
}

#[test]
fn the_legend_tables_are_indexed_by_discriminant_and_bit() {
    for (index, (kind, name, description)) in TOKEN_KINDS.iter().enumerate() {
        assert_eq!(*kind as usize, index, "{name} is out of place");
        assert!(!description.is_empty());
    }
    assert_eq!(
        TOKEN_KINDS.last().map(|k| k.0),
        Some(SemanticTokenKind::Operator)
    );
    for (index, (bit, name, description)) in TOKEN_MODIFIERS.iter().enumerate() {
        assert_eq!(bit.0, 1 << index, "{name} is out of place");
        assert!(!description.is_empty());
    }
    let names: std::collections::HashSet<_> = TOKEN_KINDS.iter().map(|k| k.1).collect();
    assert_eq!(names.len(), TOKEN_KINDS.len(), "protocol names are unique");
}

#[test]
fn every_kind_and_modifier() {
    assert_snapshot!(tokens_of(
        r#"
//- /src/main.pbs
import { lerp as mix } from "shapes";
/// A point.
declare struct Vec2(x: float, y: float) {
    const ORIGIN_X: float = 0.0;
    fn new(x: float): Vec2 { return Vec2(x, 0.0); }
    pub fn len(self): float { return self.x + self.y; }
}
declare error Fault { Broken, Lost }
declare const LIMIT: int = 3;
declare contract Shape { fn area(): float; }
service Counter {
    let mut count: int = 0;
    pub fn bump(mut by: int): result<int, Fault> {
        // count up
        by += 1;
        count += by;
        if count > LIMIT { return err(Fault.Broken); }
        return ok(count);
    }
}
fn frame() {
    let items: list<int> = alloc list<int>();
    items.push(1);
    let mut v = Vec2.new(mix(1.0, 2.0, 0.5));
    v = Vec2(Vec2.ORIGIN_X, 2.0);
    Log.info("n" + (items.len() as string));
    Gfx.clear(Color.BLACK);
}
//- /src/shapes/lerp.pbs
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
"#
    ));
}

#[test]
fn the_hello_example() {
    assert_snapshot!(tokens_of(&examples(&["hello"])));
}

#[test]
fn the_bounce_example() {
    assert_snapshot!(tokens_of(&examples(&["bounce"])));
}

#[test]
fn the_town_example_with_mathlib() {
    assert_snapshot!(tokens_of(&examples(&["town", "mathlib"])));
}

#[test]
fn a_range_gives_the_tokens_that_overlap_it() {
    let fixture = examples(&["bounce"]);
    let (_host, snapshot, _) = analyze(&fixture);
    let file = snapshot
        .files()
        .into_iter()
        .find(|&f| snapshot.file_path(f).ends_with("main.pbs"))
        .expect("bounce has a main.pbs");
    let full = snapshot.semantic_tokens(file, None);
    let len = snapshot.file_text(file).len() as u32;
    for (from, to) in [
        (0, len),
        (0, 1),
        (100, 400),
        (len / 2, len),
        (len, len + 10),
    ] {
        let ranged = snapshot.semantic_tokens(file, Some((from, to)));
        let expected: Vec<_> = full
            .iter()
            .copied()
            .filter(|t| t.start < to && t.end > from)
            .collect();
        assert_eq!(ranged, expected, "range {from}..{to}");
    }
}

#[test]
fn broken_code_still_gets_well_formed_tokens() {
    let out = tokens_of(
        r#"
fn frame() {
    let speed = 3;
    let v = speed.
    call(speed,
    when speed { 1 ->
"#,
    );
    // The keywords, numbers and resolved names before the breakage are all there.
    assert!(out.contains("`speed` variable +declaration"), "{out}");
    assert!(out.contains("`speed` variable\n"), "{out}");
    assert!(out.contains("`when` keyword"), "{out}");
    for broken in [
        "\"unterminated",
        "fn (",
        "let = ;",
        "0b 1.e5 \u{1F600} x",
        "",
    ] {
        tokens_of(broken);
    }
}

#[test]
fn the_diagnostics_examples_are_well_formed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/diagnostics");
    for name in [
        "clean.pbs",
        "hip.pbs",
        "lex.pbs",
        "parse.pbs",
        "resolve.pbs",
        "types.pbs",
        "warnings.pbs",
    ] {
        let text = std::fs::read_to_string(root.join(name)).expect("an example");
        let out = tokens_of(&text);
        assert!(out.lines().count() > 2, "{name}: {out}");
    }
    // A modifier set renders what it holds.
    let both = TokenModifiers::DECLARATION | TokenModifiers::MUTABLE;
    assert!(both.contains(TokenModifiers::MUTABLE) && !both.contains(TokenModifiers::STATIC));
}

#[test]
fn the_legend_in_the_spec_is_the_legend_in_the_code() {
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/spec/toolchain.md"),
    )
    .expect("the toolchain spec");
    let section = spec
        .split("### 4.2 Semantic tokens")
        .nth(1)
        .and_then(|rest| rest.split("### 4.3").next())
        .expect("toolchain.md has §4.2");
    // Rows `| `name` | description |`, the types' table first.
    let rows: Vec<(String, String)> = section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.strip_prefix("| `")?.splitn(2, "` | ").collect();
            let description = cells.get(1)?.strip_suffix(" |")?;
            Some((cells[0].to_string(), description.to_string()))
        })
        .collect();
    let code: Vec<(String, String)> = TOKEN_KINDS
        .iter()
        .map(|&(_, name, description)| (name, description))
        .chain(
            TOKEN_MODIFIERS
                .iter()
                .map(|&(_, name, description)| (name, description)),
        )
        .map(|(name, description)| (name.to_string(), description.to_string()))
        .collect();
    assert_eq!(rows, code);
}

#[test]
fn every_prefix_of_an_example_gets_well_formed_tokens_and_hints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for example in ["bounce/src/main.pbs", "diagnostics/types.pbs"] {
        let text = std::fs::read_to_string(root.join(example)).expect("an example");
        // Cut after every 7th character boundary: unfinished tokens, calls and blocks.
        let cuts: Vec<usize> = text
            .char_indices()
            .map(|(at, _)| at)
            .step_by(7)
            .skip(1)
            .chain([text.len()])
            .collect();
        assert!(cuts.len() > 50, "{example} is long enough to cut");
        for cut in cuts {
            let (_host, snapshot, _) = analyze(&text[..cut]);
            let file = snapshot.files()[0];
            let tokens = snapshot.semantic_tokens(file, None);
            well_formed(&snapshot, file, &tokens);
            let hints = snapshot.inlay_hints(file, None, Default::default());
            for hint in &hints {
                assert!(
                    snapshot
                        .file_text(file)
                        .is_char_boundary(hint.offset as usize),
                    "{example} cut at {cut}: {hint:?}"
                );
            }
        }
    }
}
