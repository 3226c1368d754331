//! Inlay hints: the fixture's text with every hint written in at its offset as
//! `⟨hint⟩`, so a snapshot reads like the editor shows it.

use insta::assert_snapshot;
use prometeu_analysis::ide::{InlayHintKind, InlayHintsConfig};

use crate::support::analyze;

/// The cursor file's text (or the only file's) with its hints inserted.
fn hinted_with(fixture: &str, config: InlayHintsConfig) -> String {
    let (_host, snapshot, cursor) = analyze(fixture);
    let file = match cursor {
        Some(cursor) => cursor.file,
        None => *snapshot.files().first().expect("one file"),
    };
    let hints = snapshot.inlay_hints(file, None, config);
    let mut text = snapshot.file_text(file).to_string();
    for hint in hints.iter().rev() {
        let shown = match hint.kind {
            InlayHintKind::Type => format!("⟨{}⟩", hint.label),
            InlayHintKind::Parameter => format!("⟨{} ⟩", hint.label),
        };
        text.insert_str(hint.offset as usize, &shown);
    }
    text
}

fn hinted(fixture: &str) -> String {
    hinted_with(fixture, InlayHintsConfig::default())
}

const PROGRAM: &str = r#"
//- /src/main.pbs
import { lerp } from "math";
declare struct Vec2(x: float, y: float) {
    pub fn scaled(self, by: float): Vec2 { return Vec2(self.x * by, self.y * by); }
}
declare error Fault { Broken }
fn pick(flag: bool, label: string, count: int, maybe: optional<int>): int { return count; }
fn frame() {$0
    let a = 3;
    let b: int = 4;
    let mut v = Vec2(1.0, -2.0);
    let w = v.scaled(2.0);
    let s = "text";
    let n = pick(true, "name", a, none);
    let m = lerp(0.0, 1.0, 0.5);
    let items = alloc list<Vec2>();
    let unknown = missing(1);
    let opt = some(3);
    let r: result<int, Fault> = ok(1);
    let f = r else 0;
    for i in 0..3 { let twice = i * 2; }
}
//- /src/math/lerp.pbs
pub fn lerp(start: float, stop: float, t: float): float { return start + (stop - start) * t; }
"#;

#[test]
fn types_of_lets_and_names_of_literal_arguments() {
    assert_snapshot!(hinted(PROGRAM));
}

#[test]
fn type_hints_can_be_turned_off() {
    let text = hinted_with(
        PROGRAM,
        InlayHintsConfig {
            types: false,
            parameter_names: true,
        },
    );
    assert!(!text.contains("⟨: "), "{text}");
    assert!(text.contains("⟨start: ⟩"), "{text}");
}

#[test]
fn parameter_name_hints_can_be_turned_off() {
    let text = hinted_with(
        PROGRAM,
        InlayHintsConfig {
            types: true,
            parameter_names: false,
        },
    );
    assert!(text.contains("⟨: int⟩"), "{text}");
    assert!(!text.contains(": ⟩"), "{text}");
    let none = hinted_with(
        PROGRAM,
        InlayHintsConfig {
            types: false,
            parameter_names: false,
        },
    );
    assert!(!none.contains('⟨'), "{none}");
}

#[test]
fn a_range_keeps_the_hints_inside_it() {
    let (_host, snapshot, cursor) = analyze(PROGRAM);
    let file = cursor.expect("a cursor").file;
    let all = snapshot.inlay_hints(file, None, InlayHintsConfig::default());
    assert!(all.len() > 8, "{all:?}");
    let text = snapshot.file_text(file);
    let from = text.find("let mut v").expect("in the program") as u32;
    let to = text.find("let m =").expect("in the program") as u32;
    let ranged = snapshot.inlay_hints(file, Some((from, to)), InlayHintsConfig::default());
    let expected: Vec<_> = all
        .iter()
        .filter(|h| from <= h.offset && h.offset <= to)
        .cloned()
        .collect();
    assert_eq!(ranged, expected);
    assert!(!ranged.is_empty());
}

#[test]
fn unfinished_code_gets_hints_for_what_is_there() {
    assert_snapshot!(hinted(
        r#"
fn add(left: int, right: int): int { return left + right; }
fn frame() {
    let total = add(1, 2);
    let half = add(3,
    let broken =
"#
    ));
}
