//! Go to definition, declaration and type definition on every kind of name.

use insta::assert_snapshot;

use crate::support::{targets, world};

/// Definition, declaration and type definition at the cursor, one section each.
fn goto(fixture: &str) -> String {
    let w = world(fixture);
    let s = &w.snapshot;
    format!(
        "definition:\n{}declaration:\n{}type definition:\n{}",
        targets(s, &s.goto_definition(w.cursor)),
        targets(s, &s.goto_declaration(w.cursor)),
        targets(s, &s.goto_type_definition(w.cursor)),
    )
}

#[test]
fn local() {
    assert_snapshot!(goto(
        r#"
declare struct Vec2(x: float, y: float)
fn frame() {
    let v: optional<Vec2> = some(Vec2(1.0, 2.0));
    let w = v$0;
}
"#
    ));
}

#[test]
fn parameter() {
    assert_snapshot!(goto(
        r#"
declare struct Vec2(x: float, y: float)
fn len(v: Vec2): float { return v$0.x; }
"#
    ));
}

#[test]
fn self_parameter() {
    assert_snapshot!(goto(
        r#"
declare struct Vec2(x: float, y: float) {
    pub fn sum(self): float { return se$0lf.x + self.y; }
}
"#
    ));
}

#[test]
fn function_item() {
    assert_snapshot!(goto(
        r#"
declare struct Vec2(x: float, y: float)
fn origin(): Vec2 { return Vec2(0.0, 0.0); }
fn frame() { let o = orig$0in(); }
"#
    ));
}

#[test]
fn struct_name_in_a_type() {
    assert_snapshot!(goto(
        r#"
declare struct Vec2(x: float, y: float)
fn frame() { let v: list<Ve$0c2> = alloc list<Vec2>(); }
"#
    ));
}

#[test]
fn field() {
    assert_snapshot!(goto(
        r#"
declare struct Inner(n: int)
declare struct Outer(inner: Inner)
fn get(o: Outer): int { return o.inn$0er.n; }
"#
    ));
}

#[test]
fn method_and_associated_function() {
    assert_snapshot!(goto(
        r#"
declare struct Vec2(x: float, y: float) {
    pub fn new(x: float, y: float): Vec2 { return Vec2(x, y); }
    pub fn scaled(self, k: float): Vec2 { return Vec2.new(self.x * k, self.y * k); }
}
fn frame() { let v = Vec2.new(1.0, 2.0).sca$0led(2.0); }
"#
    ));
}

#[test]
fn service_member() {
    assert_snapshot!(goto(
        r#"
service Score {
    let mut points: int = 0;
    pub fn add(n: int) { poi$0nts += n; }
}
fn frame() { Score.add(1); }
"#
    ));
}

#[test]
fn error_case() {
    assert_snapshot!(goto(
        r#"
declare error Fail { Empty, Full }
fn check(n: int): result<int, Fail> {
    if n < 0 { return err(Fail.Em$0pty); }
    return ok(n);
}
"#
    ));
}

#[test]
fn constant() {
    assert_snapshot!(goto(
        r#"
declare const LIMIT: int = 6 * 7;
fn frame() { let n = LIM$0IT; }
"#
    ));
}

#[test]
fn prelude_item() {
    assert_snapshot!(goto(
        r#"
fn frame() { Gfx.clear(Col$0or.BLACK); }
"#
    ));
}

#[test]
fn host_function() {
    assert_snapshot!(goto(
        r#"
fn frame() { Gfx.cl$0ear(Color.BLACK); }
"#
    ));
}

#[test]
fn imported_item_use() {
    assert_snapshot!(goto(
        r#"
//- /src/main.pbs
import { Vec2, origin } from "geo";
fn frame() { let o = orig$0in(); }
//- /src/geo/lib.pbs
pub declare struct Vec2(x: float, y: float)
pub fn origin(): Vec2 { return Vec2(0.0, 0.0); }
"#
    ));
}

#[test]
fn import_specifier() {
    assert_snapshot!(goto(
        r#"
//- /src/main.pbs
import { Vec2, ori$0gin } from "geo";
fn frame() { let o = origin(); }
//- /src/geo/lib.pbs
pub declare struct Vec2(x: float, y: float)
pub fn origin(): Vec2 { return Vec2(0.0, 0.0); }
"#
    ));
}

#[test]
fn import_alias_use() {
    assert_snapshot!(goto(
        r#"
//- /src/main.pbs
import { Vec2 as Point } from "geo";
fn frame() { let p: Poi$0nt = Point(1.0, 2.0); }
//- /src/geo/lib.pbs
pub declare struct Vec2(x: float, y: float)
"#
    ));
}

#[test]
fn module_path() {
    assert_snapshot!(goto(
        r#"
//- /src/main.pbs
import { Vec2 } from "ge$0o";
fn frame() { let p = Vec2(1.0, 2.0); }
//- /src/geo/a.pbs
pub declare struct Vec2(x: float, y: float)
//- /src/geo/b.pbs
fn helper() {}
"#
    ));
}

#[test]
fn path_dependency_item() {
    assert_snapshot!(goto(
        r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
import { lerp } from "@math";
fn frame() { let x = le$0rp(0.0, 1.0, 0.5); }
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
/// Linear interpolation.
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
"#
    ));
}

#[test]
fn expression_type_definition() {
    assert_snapshot!(goto(
        r#"
declare struct Vec2(x: float, y: float)
declare error Fail { Bad }
fn make(): result<Vec2, Fail> { return ok(Vec2(1.0, 2.0)); }
fn frame() { let r = make$0(); }
"#
    ));
}

#[test]
fn nothing_on_a_literal_or_keyword() {
    assert_snapshot!(goto(
        r#"
fn frame() { le$0t n = 1; }
"#
    ));
}

#[test]
fn pattern_binding() {
    assert_snapshot!(goto(
        r#"
declare struct Vec2(x: float, y: float)
fn f(o: optional<Vec2>): float {
    return o when { some(v) -> v$0.x, none -> 0.0 };
}
"#
    ));
}

#[test]
fn for_variable_and_view_name() {
    assert_snapshot!(goto(
        r#"
declare struct Stats(frames: int)
service Meter {
    let stats: ref<Stats> = alloc Stats(0);
    let items: list<Stats> = alloc list<Stats>();
    pub fn tick() {
        for item in items { mutate stats as s { s$0.frames += item.frames; } }
    }
}
"#
    ));
}

#[test]
fn error_case_in_a_pattern() {
    assert_snapshot!(goto(
        r#"
declare error Fail { Empty, Full }
fn f(e: Fail): int { return e when { Fail.Fu$0ll -> 1, _ -> 2 }; }
"#
    ));
}

#[test]
fn inside_the_prelude_document() {
    let w = world("fn frame() { let c = Color$0.rgb(1, 2, 3); }\n");
    let s = &w.snapshot;
    let prelude = s.prelude_file().expect("the prelude is in the database");
    let text = s.file_text(prelude);
    // The `Color(` that `rgb` returns, inside the prelude's own code.
    let at = text.find("return Color(").expect("rgb's body") + "return ".len() + 1;
    let pos = prometeu_analysis::ide::FilePosition {
        file: prelude,
        offset: at as u32,
    };
    let hover = s.hover(pos).expect("a hover inside the prelude");
    assert_snapshot!(format!(
        "definition:\n{}hover:\n{}\n",
        targets(s, &s.goto_definition(pos)),
        hover.markdown
    ));
}
