//! Hover on every kind of name: the declaration as PBS, visibility and place, docs.

use insta::assert_snapshot;
use prometeu_analysis::ide::{HostCallInfo, HostCalls};

use crate::support::{span, world};

/// The hovered token and the Markdown, or `(none)`.
fn hover(fixture: &str) -> String {
    let w = world(fixture);
    match w.snapshot.hover_with(w.cursor, &TestHostCalls) {
        Some(h) => format!("{}\n---\n{}\n", span(&w.snapshot, h.span), h.markdown),
        None => "(none)\n".to_string(),
    }
}

/// Two rows of the console's table, as the language server gives them from
/// `prometeu-abi` (which this crate does not depend on).
struct TestHostCalls;

impl HostCalls for TestHostCalls {
    fn host_call(&self, contract: &str, function: &str) -> Option<HostCallInfo> {
        match (contract, function) {
            ("Gfx", "fill_rect") => Some(HostCallInfo {
                id: 0x1002,
                cost: "20 + w·h/8".to_string(),
            }),
            ("Log", "info") => Some(HostCallInfo {
                id: 0x5001,
                cost: "20".to_string(),
            }),
            _ => None,
        }
    }
}

#[test]
fn function_with_doc() {
    assert_snapshot!(hover(
        r#"
/// Adds two numbers.
/// Never overflows in tests.
pub fn add(a: int, mut b: int): int { return a + b; }
fn frame() { let n = ad$0d(1, 2); }
"#
    ));
}

#[test]
fn local_and_mutable_local() {
    assert_snapshot!(hover(
        r#"
fn frame() {
    let mut total: list<int> = alloc list<int>();
    tot$0al.push(1);
}
"#
    ));
}

#[test]
fn parameter() {
    assert_snapshot!(hover(
        r#"
fn twice(mut n: int): int { n$0 *= 2; return n; }
"#
    ));
}

#[test]
fn struct_declaration() {
    assert_snapshot!(hover(
        r#"
/// A point.
mod declare struct Vec2(x: float, y: float)
fn f(v: Ve$0c2) {}
"#
    ));
}

#[test]
fn field() {
    assert_snapshot!(hover(
        r#"
declare struct Vec2(x: float, y: float)
fn f(v: Vec2): float { return v.y$0; }
"#
    ));
}

#[test]
fn method() {
    assert_snapshot!(hover(
        r#"
declare struct Vec2(x: float, y: float) {
    /// The sum of both coordinates.
    pub fn sum(self): float { return self.x + self.y; }
}
fn f(v: Vec2): float { return v.su$0m(); }
"#
    ));
}

#[test]
fn constant_shows_its_folded_value() {
    assert_snapshot!(hover(
        r#"
/// The answer.
pub declare const ANSWER: int = 6 * 7;
fn f(): int { return ANSW$0ER; }
"#
    ));
}

#[test]
fn associated_constant_of_the_prelude() {
    assert_snapshot!(hover(
        r#"
fn frame() { Gfx.clear(Color.WHI$0TE); }
"#
    ));
}

#[test]
fn error_type_and_case() {
    assert_snapshot!(hover(
        r#"
/// Why loading failed.
declare error Fail { Empty, Full }
fn f(): result<int, Fail> { return err(Fail.Fu$0ll); }
"#
    ));
}

#[test]
fn service_and_service_field() {
    assert_snapshot!(hover(
        r#"
service Score {
    /// Points so far.
    let mut points: int = 40 + 2;
    pub fn add(n: int) { poi$0nts += n; }
}
"#
    ));
}

#[test]
fn service_name() {
    assert_snapshot!(hover(
        r#"
declare contract Counter { fn add(n: int); }
service Score: Counter { pub fn add(n: int) {} }
fn frame() { Sco$0re.add(1); }
"#
    ));
}

#[test]
fn host_function_shows_its_system_call() {
    assert_snapshot!(hover(
        r#"
fn frame() { Gfx.fill_re$0ct(0, 0, 8, 8, Color.RED); }
"#
    ));
}

#[test]
fn host_contract() {
    assert_snapshot!(hover(
        r#"
fn frame() { Lo$0g.info("hi"); }
"#
    ));
}

#[test]
fn builtin_list_method() {
    assert_snapshot!(hover(
        r#"
declare struct Ball(x: int)
fn frame() {
    let balls = alloc list<Ball>();
    let last = balls.po$0p();
}
"#
    ));
}

#[test]
fn builtin_string_method() {
    assert_snapshot!(hover(
        r#"
fn f(s: string): int { return s.le$0n(); }
"#
    ));
}

#[test]
fn imported_item_through_an_alias() {
    assert_snapshot!(hover(
        r#"
//- /src/main.pbs
import { Vec2 as Point } from "geo";
fn f(p: Poi$0nt) {}
//- /src/geo/lib.pbs
/// A point.
pub declare struct Vec2(x: float, y: float)
"#
    ));
}

#[test]
fn path_dependency_function() {
    assert_snapshot!(hover(
        r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
import { lerp } from "@math";
fn frame() { let x = le$0rp(0.0, 1.0, 0.5); }
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/easing/lib.pbs
fn unused() {}
//- /math/src/lib.pbs
/// Linear interpolation.
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
"#
    ));
}

#[test]
fn module_path() {
    assert_snapshot!(hover(
        r#"
//- /src/main.pbs
import { Vec2 } from "ge$0o";
//- /src/geo/lib.pbs
pub declare struct Vec2(x: float, y: float)
"#
    ));
}

#[test]
fn nothing_on_a_literal() {
    assert_snapshot!(hover(
        r#"
fn f(): int { return 4$02; }
"#
    ));
}

#[test]
fn service_function_implementing_a_contract() {
    assert_snapshot!(hover(
        r#"
declare contract Counter { fn add(n: int); }
service Score: Counter {
    /// Adds points.
    pub fn add(n: int) {}
}
fn frame() { Score.ad$0d(1); }
"#
    ));
}
