//! Find references (with and without the declaration) and document highlight.

use insta::assert_snapshot;

use crate::support::{span, world};

/// References with the declaration, then without, then the highlights.
fn references(fixture: &str) -> String {
    let w = world(fixture);
    let s = &w.snapshot;
    let mut out = String::from("with declaration:\n");
    for r in s.find_references(w.cursor, true) {
        let decl = if r.is_declaration {
            " (declaration)"
        } else {
            ""
        };
        out.push_str(&format!("{} {:?}{decl}\n", span(s, r.span), r.kind));
    }
    let without = s.find_references(w.cursor, false);
    out.push_str(&format!(
        "without declaration: {} references\n",
        without.len()
    ));
    assert!(without.iter().all(|r| !r.is_declaration));
    out.push_str("highlights:\n");
    for h in s.highlight_related(w.cursor) {
        out.push_str(&format!("{} {:?}\n", span(s, h.span), h.kind));
    }
    out
}

#[test]
fn local_reads_and_writes() {
    assert_snapshot!(references(
        r#"
fn f(): int {
    let mut n$0 = 1;
    n += 2;
    n = n * 3;
    return n;
}
"#
    ));
}

#[test]
fn parameter() {
    assert_snapshot!(references(
        r#"
fn f(mut k: int): int { k$0 += 1; return k; }
"#
    ));
}

#[test]
fn field_through_members() {
    assert_snapshot!(references(
        r#"
declare struct Vec2(x: float, y: float) {
    pub fn sum(self): float { return self.x + self.y; }
}
fn f(mut v: Vec2) { v.x$0 = v.y; }
"#
    ));
}

#[test]
fn method() {
    assert_snapshot!(references(
        r#"
declare struct Vec2(x: float, y: float) {
    pub fn sum(self): float { return self.x + self.y; }
}
fn f(v: Vec2): float { return v.sum() + v.su$0m(); }
"#
    ));
}

#[test]
fn service_member() {
    assert_snapshot!(references(
        r#"
service Score {
    let mut points: int = 0;
    pub fn add(n: int) { points += n; }
    pub fn get(): int { return poin$0ts; }
}
"#
    ));
}

#[test]
fn error_case_in_patterns() {
    assert_snapshot!(references(
        r#"
declare error Fail { Empty, Full }
fn f(e: Fail): int {
    return e when { Fail.Empty -> 1, Fail.Full -> 2 };
}
fn g(): Fail { return Fail.Emp$0ty; }
"#
    ));
}

#[test]
fn prelude_item_across_files() {
    assert_snapshot!(references(
        r#"
//- /src/main.pbs
fn frame() { Log.info("a"); }
//- /src/other.pbs
fn other() { Lo$0g.warn("b"); }
"#
    ));
}

#[test]
fn imported_item_across_modules_and_aliases() {
    assert_snapshot!(references(
        r#"
//- /src/main.pbs
import { origin } from "geo";
import { origin as zero } from "geo";
fn frame() { let a = origin(); let b = zero(); }
//- /src/geo/lib.pbs
pub declare struct Vec2(x: float, y: float)
pub fn orig$0in(): Vec2 { return Vec2(0.0, 0.0); }
"#
    ));
}

#[test]
fn alias_highlight_stays_with_the_alias() {
    assert_snapshot!(references(
        r#"
//- /src/main.pbs
import { origin as zero } from "geo";
fn frame() { let b = ze$0ro(); let c = zero(); }
//- /src/geo/lib.pbs
pub fn origin(): int { return 0; }
"#
    ));
}

#[test]
fn across_two_projects_of_the_workspace() {
    assert_snapshot!(references(
        r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
import { lerp } from "@math";
fn frame() { let x = lerp(0.0, 1.0, 0.5); }
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
pub fn le$0rp(a: float, b: float, t: float): float { return a + (b - a) * t; }
pub fn mid(a: float, b: float): float { return lerp(a, b, 0.5); }
"#
    ));
}

#[test]
fn nothing_in_a_comment() {
    assert_snapshot!(references(
        r#"
// frame$0 is called every frame
fn frame() {}
"#
    ));
}

#[test]
fn method_chain() {
    assert_snapshot!(references(
        r#"
declare struct Pos(x: int) {
    pub fn moved(self, d: int): Pos { return Pos(self.x + d); }
    pub fn bump(mut self): Pos { self.x += 1; return self; }
}
fn f(mut s: Pos): Pos { let t = s.bump().bump(); return s.mov$0ed(1).moved(2).moved(3); }
fn g(): Pos { return Pos(0).moved(1).moved(2); }
"#
    ));
}

#[test]
fn assigning_through_a_field_writes_the_field() {
    // `g.cells[0] = 1` changes the array stored in `cells`; `g.items[0] = 2` changes
    // the list `items` refers to, not the field.
    let fixture = |cursor_on_cells: bool| {
        let (cells, items) = if cursor_on_cells {
            ("cel$0ls", "items")
        } else {
            ("cells", "ite$0ms")
        };
        format!(
            r#"
declare struct Grid(cells: array<int, 4>, items: list<int>)
fn f(mut g: Grid): int {{
    g.{cells}[0] = 1;
    g.{items}[0] = 2;
    g.cells = [0, 0, 0, 0];
    return g.cells[1] + g.items[1];
}}
"#
        )
    };
    assert_snapshot!(references(&fixture(true)));
    assert_snapshot!(references(&fixture(false)));
}
