//! Document symbols (the outline) and workspace symbols (fuzzy search).

use insta::assert_snapshot;
use prometeu_analysis::ide::{DocumentSymbol, Snapshot, WORKSPACE_SYMBOL_LIMIT};

use crate::support::{analyze as analyze_fixture, at, span};

fn outline(s: &Snapshot, symbols: &[DocumentSymbol], depth: usize, out: &mut String) {
    for d in symbols {
        out.push_str(&format!(
            "{}{} {:?} {:?} at {} in {}\n",
            "  ".repeat(depth),
            d.name,
            d.kind,
            d.detail,
            span(s, d.focus_span),
            at(s, d.full_span),
        ));
        outline(s, &d.children, depth + 1, out);
    }
}

#[test]
fn document_symbols_are_items_with_members() {
    let (_host, s, _) = analyze_fixture(
        r#"
import { Vec2 } from "geo";
/// The limit.
declare const LIMIT: int = 3;
declare struct Ball(x: int, y: int) {
    const ZERO: int = 0;
    pub fn new(): Ball { return Ball(0, 0); }
    pub fn step(mut self) { self.x += 1; }
}
declare error Fail { Empty, Full }
declare contract Counter { fn add(n: int); }
service Score: Counter {
    let mut points: int = 0;
    pub fn add(n: int) { points += n; }
}
fn frame() { let local = 1; }
"#,
    );
    let file = s.files()[0];
    let mut out = String::new();
    outline(&s, &s.document_symbols(file), 0, &mut out);
    assert_snapshot!(out);
}

fn search(s: &Snapshot, query: &str) -> String {
    let mut out = format!("query {query:?}:\n");
    for w in s.workspace_symbols(query) {
        out.push_str(&format!(
            "  {} {:?} in {:?} at {}\n",
            w.name,
            w.kind,
            w.container,
            at(s, w.focus_span)
        ));
    }
    out
}

#[test]
fn workspace_symbols_rank_exact_prefix_then_subsequence_across_projects() {
    let (_host, s, _) = analyze_fixture(
        r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
import { lerp } from "@math";
declare struct Player(x: float)
fn play() {}
fn frame() { let x = lerp(0.0, 1.0, 0.5); }
//- /src/world/map.pbs
pub fn place_player() {}
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
pub fn play(): int { return 0; }
"#,
    );
    let mut out = String::new();
    for query in ["play", "PL", "lrp", "color", "Color", "zzz"] {
        out.push_str(&search(&s, query));
    }
    assert_snapshot!(out);
}

#[test]
fn workspace_symbols_are_capped() {
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!("fn item{i}() {{}}\n"));
    }
    let (_host, s, _) = analyze_fixture(&text);
    let found = s.workspace_symbols("item");
    assert_eq!(found.len(), WORKSPACE_SYMBOL_LIMIT);
    assert_eq!(found[0].name, "item0", "shorter names first");
}
