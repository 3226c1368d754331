//! Signature help while typing calls of every kind.

use insta::assert_snapshot;

use crate::support::world;

/// The label with the active parameter in `[…]`, and the doc; or `(none)`.
fn help(fixture: &str) -> String {
    let w = world(fixture);
    let Some(h) = w.snapshot.signature_help(w.cursor) else {
        return "(none)\n".to_string();
    };
    let mut label = h.label.clone();
    if let Some(active) = h.active_parameter {
        let (start, end) = h.parameters[active as usize];
        label.insert(end as usize, ']');
        label.insert(start as usize, '[');
    }
    let params: Vec<&str> = h
        .parameters
        .iter()
        .map(|&(s, e)| &h.label[s as usize..e as usize])
        .collect();
    format!(
        "{label}\nparameters: {params:?}\nactive: {:?}\ndoc: {:?}\n",
        h.active_parameter, h.doc
    )
}

#[test]
fn function_second_argument() {
    assert_snapshot!(help(
        r#"
/// Linear interpolation.
fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
fn frame() { let x = lerp(0.0, $01.0, 0.5); }
"#
    ));
}

#[test]
fn unclosed_call_while_typing() {
    assert_snapshot!(help(
        r#"
fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
fn frame() { let x = lerp(0.0, 1.0, $0
"#
    ));
}

#[test]
fn nested_call_counts_commas_at_its_own_depth() {
    assert_snapshot!(help(
        r#"
fn pair(a: int, b: int): int { return a + b; }
fn one(x: int): int { return x; }
fn frame() { let x = pair(one(1), [1, 2][0] + one($0)); }
"#
    ));
}

#[test]
fn method_without_self() {
    assert_snapshot!(help(
        r#"
declare struct Vec2(x: float, y: float) {
    /// Scales both coordinates.
    pub fn scaled(self, kx: float, ky: float): Vec2 { return Vec2(self.x * kx, self.y * ky); }
}
fn f(v: Vec2): Vec2 { return v.scaled(2.0, $0); }
"#
    ));
}

#[test]
fn struct_constructor() {
    assert_snapshot!(help(
        r#"
/// A point.
declare struct Vec2(x: float, y: float)
fn f(): Vec2 { return Vec2($0); }
"#
    ));
}

#[test]
fn host_call() {
    assert_snapshot!(help(
        r#"
fn frame() { Gfx.fill_rect(0, 0, 8, 8, $0); }
"#
    ));
}

#[test]
fn builtin_method() {
    assert_snapshot!(help(
        r#"
fn frame() { let l = alloc list<float>(); l.insert(0, $0); }
"#
    ));
}

#[test]
fn past_the_last_parameter() {
    assert_snapshot!(help(
        r#"
fn one(x: int): int { return x; }
fn frame() { let y = one(1, $0); }
"#
    ));
}

#[test]
fn outside_any_call() {
    assert_snapshot!(help(
        r#"
fn one(x: int): int { return x; }
fn frame() { let y = one(1); $0 }
"#
    ));
}

#[test]
fn block_argument_before_the_cursor() {
    assert_snapshot!(help(
        r#"
fn pair(a: int, b: int): int { return a + b; }
fn frame() { let x = pair(if true { 1 } else { 2 }, $0); }
"#
    ));
}

#[test]
fn inside_a_block_inside_a_call_is_not_the_call() {
    assert_snapshot!(help(
        r#"
fn pair(a: int, b: int): int { return a + b; }
fn frame() { let x = pair(if true { $0 } else { 2 }, 1); }
"#
    ));
}
