//! Structure queries: folding ranges, selection ranges, document links, call hierarchy
//! and the reference counts of code lens.

use insta::assert_snapshot;
use prometeu_analysis::FileId;
use prometeu_analysis::ide::{Call, CallItem, Snapshot};

use crate::support::{analyze, at, path, span, world};

/// `first-last kind` per fold (1-based lines) with the fold's first line of text.
fn folds(fixture: &str) -> String {
    let w = world(fixture);
    let s = &w.snapshot;
    let file = w.cursor.file;
    let lines = s.line_index(file);
    let mut out = String::new();
    for fold in s.folding_ranges(file) {
        let first = lines.offset_to_line_col(fold.span.start).unwrap().line + 1;
        let last = lines.offset_to_line_col(fold.span.end).unwrap().line + 1;
        let bracket = if fold.ends_with_bracket { " ]" } else { "" };
        out.push_str(&format!(
            "{first}-{last} {:?}{bracket}: {}\n",
            fold.kind,
            span(s, fold.span)
        ));
    }
    out
}

#[test]
fn folds_blocks_declarations_imports_and_comments() {
    assert_snapshot!(folds(
        r#"
//- /src/main.pbs
$0import { lerp } from "util";
import { clamp } from "util";

// A comment that runs
// over three lines
// is one fold.
/// Documented:
/// two doc lines.
fn frame() {
    let xs = [
        1,
        2,
    ];
    if lerp(0.0, 1.0, 0.5) > 0.2 {
        let y = clamp(1);
    } else {
        let z = 3; // a trailing comment
        // does not join this one
    }
}

declare struct Vec2(x: float, y: float) {
    fn len(self): float {
        return self.x + self.y;
    }
}

declare error Oops {
    Bad,
    Worse,
}
//- /src/util/lib.pbs
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
pub fn clamp(v: int): int { return v; }
"#
    ));
}

#[test]
fn folds_when_arms_and_long_calls_in_broken_code() {
    // The parser recovers from the unclosed call at the end; folding still works.
    assert_snapshot!(folds(
        r#"
$0fn pick(n: int): int {
    return n when {
        0 -> 1,
        _ -> 2,
    };
}
fn broken() {
    pick(
        1,
"#
    ));
}

/// The selection chain from the cursor outwards, one range per line.
fn selections(fixture: &str) -> String {
    let w = world(fixture);
    let s = &w.snapshot;
    let ranges = s.selection_ranges(w.cursor.file, w.cursor.offset);
    for pair in ranges.windows(2) {
        assert!(pair[1].contains_span(pair[0]) && pair[1] != pair[0]);
    }
    ranges
        .iter()
        .map(|r| format!("{}\n", span(s, *r)))
        .collect()
}

#[test]
fn selection_expands_through_the_tree() {
    assert_snapshot!(selections(
        r#"
fn f(a: int, b: int): int {
    let total = a + b$0 * 2;
    return total;
}
"#
    ));
}

#[test]
fn selection_in_a_comment_starts_with_the_comment() {
    assert_snapshot!(selections(
        r#"
fn f(): int {
    // a co$0mment
    return 1;
}
"#
    ));
}

#[test]
fn selection_past_the_end_and_in_an_empty_file() {
    let (_, s, _) = analyze("//- /main.pbs\nfn f() {}\n");
    let file = s.files()[0];
    let ranges = s.selection_ranges(file, 10_000);
    assert_eq!(
        ranges.last().map(|r| r.end),
        Some(s.file_text(file).len() as u32)
    );
    let (_, s, _) = analyze("//- /main.pbs\n");
    let file = s.files()[0];
    assert!(s.selection_ranges(file, 0).is_empty());
}

#[test]
fn import_paths_link_to_their_modules() {
    let w = world(
        r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
$0import { lerp } from "@math/easing";
import { Thing } from "world";
import { nothing } from "nowhere";
fn frame() { let _ = lerp(0.0); let _ = Thing(1); }
//- /src/world/a.pbs
pub declare struct Thing(v: int);
//- /src/world/b.pbs
fn helper() {}
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/easing/lerp.pbs
pub fn lerp(t: float): float { return t; }
"#,
    );
    let s = &w.snapshot;
    let out: String = s
        .document_links(w.cursor.file)
        .iter()
        .map(|l| {
            format!(
                "{} -> {} ({})\n",
                span(s, l.span),
                path(s, l.target),
                l.tooltip
            )
        })
        .collect();
    assert_snapshot!(out);
}

fn item(s: &Snapshot, item: &CallItem) -> String {
    format!(
        "{} {:?} `{}` at {}",
        item.name,
        item.kind,
        item.detail.as_deref().unwrap_or(""),
        at(s, item.focus_span)
    )
}

fn calls(s: &Snapshot, calls: &[Call]) -> String {
    let mut out = String::new();
    for call in calls {
        out.push_str(&format!("  {}\n", item(s, &call.item)));
        for site in &call.call_sites {
            out.push_str(&format!("    {}\n", span(s, *site)));
        }
    }
    out
}

/// The prepared item, then its incoming and outgoing calls.
fn hierarchy(fixture: &str) -> String {
    let w = world(fixture);
    let s = &w.snapshot;
    let Some(prepared) = s.prepare_call_hierarchy(w.cursor) else {
        return "(not a function)\n".to_string();
    };
    // The client asks again from the item's name token, as the protocol does.
    let from = prometeu_analysis::ide::FilePosition {
        file: prepared.focus_span.file,
        offset: prepared.focus_span.start,
    };
    format!(
        "item: {}\nincoming:\n{}outgoing:\n{}",
        item(s, &prepared),
        calls(s, &s.incoming_calls(from)),
        calls(s, &s.outgoing_calls(from))
    )
}

#[test]
fn call_hierarchy_across_modules_and_projects() {
    assert_snapshot!(hierarchy(
        r#"
//- /game/prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "../math"}}}
//- /game/src/main.pbs
import { lerp } from "@math";
import { step } from "sim";
fn frame() {
    let a = lerp(0.0, 1.0, 0.5);
    let b = lerp(a, 1.0, 0.5);
    step();
}
//- /game/src/sim/step.pbs
import { lerp } from "@math";
pub fn step() { let _ = lerp(1.0, 2.0, 0.1); }
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
pub fn le$0rp(a: float, b: float, t: float): float { return a + (b - a) * mix(t); }
fn mix(t: float): float { return Vec.make(t).v; }
declare struct Vec(v: float) {
    fn make(v: float): Vec { return Vec(v); }
}
"#
    ));
}

#[test]
fn call_hierarchy_of_methods_services_and_host_calls() {
    assert_snapshot!(hierarchy(
        r#"
declare struct Ship(x: int) {
    fn moved(self, by: int): Ship { return Ship(self.x + by); }
}
service Game {
    let mut ship: Ship = Ship(0);
    fn ti$0ck() {
        ship = ship.moved(1);
        ship = ship.moved(2);
        Gfx.clear(Color.BLACK);
    }
}
fn frame() { Game.tick(); }
"#
    ));
}

#[test]
fn call_hierarchy_is_only_for_functions() {
    assert_snapshot!(hierarchy(
        r#"
fn frame() { let mut n$0 = 1; n += 1; }
"#
    ));
}

/// `name kind: N references` per lens of the cursor's file.
fn lenses(fixture: &str) -> String {
    let w = world(fixture);
    let s = &w.snapshot;
    s.code_lenses(w.cursor.file)
        .iter()
        .map(|l| {
            format!(
                "{} {:?}: {} references\n",
                span(s, l.focus_span),
                l.kind,
                l.references
            )
        })
        .collect()
}

#[test]
fn code_lens_counts_references_across_projects() {
    assert_snapshot!(lenses(
        r#"
//- /game/prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "../math"}}}
//- /game/src/main.pbs
import { lerp, Vec } from "@math";
fn frame() { let _ = lerp(0.0, 1.0, lerp(0.0, 1.0, 0.5)); let v = Vec.zero(); }
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
$0import { helper } from "inner";
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
pub declare struct Vec(x: float) {
    fn zero(): Vec { return Vec(0.0); }
    const ONE: float = 1.0;
}
declare error Oops { Bad }
fn unused() { helper(); }
//- /math/src/inner/lib.pbs
pub fn helper() {}
"#
    ));
}

#[test]
fn structure_queries_survive_unknown_files() {
    let (_, s, _) = analyze("//- /main.pbs\nfn f() {}\n");
    let unknown = FileId(9_999);
    assert!(s.folding_ranges(unknown).is_empty());
    assert!(s.selection_ranges(unknown, 0).is_empty());
    assert!(s.document_links(unknown).is_empty());
    assert!(s.code_lenses(unknown).is_empty());
}
