//! Prepare rename and rename: every kind of name, aliases, two projects, the refusals
//! (each message pinned), and that applying a rename leaves the diagnostics as they
//! were.

use std::path::PathBuf;
use std::sync::Arc;

use insta::assert_snapshot;
use prometeu_analysis::ide::fixture::Fixture;
use prometeu_analysis::ide::{AnalysisHost, FilePosition, Snapshot};
use prometeu_analysis::project::LoadOptions;

use crate::support::{applied, change, path, span, world};

/// The prepared span and the change, rendered; or the refusal.
fn rename(fixture: &str, new_name: &str) -> String {
    let w = world(fixture);
    rename_in(&w.snapshot, w.cursor, new_name)
}

fn rename_in(s: &Snapshot, cursor: FilePosition, new_name: &str) -> String {
    let prepared = match s.prepare_rename(cursor) {
        Ok(at) => span(s, at),
        Err(e) => format!("refused: {e}"),
    };
    let result = match s.rename(cursor, new_name) {
        Ok(c) => change(s, &c),
        Err(e) => format!("refused: {e}\n"),
    };
    format!("prepare: {prepared}\nrename to `{new_name}`:\n{result}")
}

/// Only the refusal message of renaming at the cursor.
fn refusal(fixture: &str, new_name: &str) -> String {
    let w = world(fixture);
    match w.snapshot.rename(w.cursor, new_name) {
        Ok(c) => panic!("expected a refusal, got {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn local() {
    assert_snapshot!(rename(
        r#"
fn f(): int {
    let mut n$0 = 1;
    n += 2;
    return n;
}
"#,
        "count"
    ));
}

#[test]
fn parameter() {
    assert_snapshot!(rename(
        r#"
fn f(k$0: int): int { return k * k; }
"#,
        "x"
    ));
}

#[test]
fn struct_and_its_uses_in_types_and_constructors() {
    assert_snapshot!(rename(
        r#"
declare struct Vec2(x: float, y: float) {
    pub fn new(x: float, y: float): Vec2 { return Vec2(x, y); }
}
fn f(v: Ve$0c2): list<Vec2> { let l = alloc list<Vec2>(); l.push(Vec2.new(1.0, 2.0)); return l; }
"#,
        "Point"
    ));
}

#[test]
fn field() {
    assert_snapshot!(rename(
        r#"
declare struct Vec2(x: float, y: float)
fn f(mut v: Vec2): float { v.x = 1.0; return v.x$0 + v.y; }
"#,
        "px"
    ));
}

#[test]
fn method() {
    assert_snapshot!(rename(
        r#"
declare struct Vec2(x: float, y: float) {
    pub fn sum(self): float { return self.x + self.y; }
}
fn f(v: Vec2): float { return v.su$0m(); }
"#,
        "total"
    ));
}

#[test]
fn service_member() {
    assert_snapshot!(rename(
        r#"
service Score {
    let mut points: int = 0;
    pub fn add(n: int) { poi$0nts += n; }
}
fn frame() { Score.add(1); }
"#,
        "score"
    ));
}

#[test]
fn error_case() {
    assert_snapshot!(rename(
        r#"
declare error Fail { Empty, Full }
fn f(e: Fail): int { return e when { Fail.Empty -> 1, Fail.Full -> 2 }; }
fn g(): Fail { return Fail.Emp$0ty; }
"#,
        "Nothing"
    ));
}

#[test]
fn imported_item_across_files_keeps_aliases() {
    assert_snapshot!(rename(
        r#"
//- /src/main.pbs
import { origin } from "geo";
import { origin as zero } from "geo";
fn frame() { let a = origin(); let b = zero(); }
//- /src/geo/lib.pbs
pub fn orig$0in(): int { return 0; }
"#,
        "center"
    ));
}

#[test]
fn alias_renames_only_the_alias_in_its_file() {
    assert_snapshot!(rename(
        r#"
//- /src/main.pbs
import { origin as zero } from "geo";
fn frame() { let b = ze$0ro(); let c = zero(); }
//- /src/other.pbs
import { origin as zero } from "geo";
fn other() { let d = zero(); }
//- /src/geo/lib.pbs
pub fn origin(): int { return 0; }
"#,
        "nothing"
    ));
}

#[test]
fn across_two_projects_of_the_workspace() {
    assert_snapshot!(rename(
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
"#,
        "mix"
    ));
}

#[test]
fn across_two_projects_from_the_using_side() {
    assert_snapshot!(rename(
        r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
import { lerp } from "@math";
fn frame() { let x = le$0rp(0.0, 1.0, 0.5); }
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
pub fn mid(a: float, b: float): float { return lerp(a, b, 0.5); }
"#,
        "mix"
    ));
}

#[test]
fn contract_function_and_its_implementations_together() {
    assert_snapshot!(rename(
        r#"
declare contract Counter { fn add(n: int); }
service Score: Counter { pub fn add(n: int) {} }
service Tally: Counter { pub fn add(n: int) {} }
service Other { pub fn add(n: int) {} }
fn frame() { Score.ad$0d(1); Tally.add(2); Other.add(3); }
"#,
        "increase"
    ));
}

#[test]
fn same_name_is_no_change() {
    assert_snapshot!(rename(
        r#"
fn hel$0per() {}
"#,
        "helper"
    ));
}

#[test]
fn refusals() {
    let cases = [
        ("keyword at the cursor", "fn frame() { le$0t n = 1; }", "x"),
        (
            "keyword as the new name",
            "fn frame() { let n$0 = 1; }",
            "while",
        ),
        ("invalid identifier", "fn frame() { let n$0 = 1; }", "2fast"),
        ("underscore", "fn frame() { let n$0 = 1; }", "_"),
        ("non-ASCII name", "fn frame() { let n$0 = 1; }", "ñ"),
        ("comment", "// fra$0me\nfn frame() {}", "x"),
        ("string", "fn frame() { Log.info(\"fra$0me\"); }", "x"),
        ("literal", "fn f(): int { return 4$02; }", "x"),
        ("unresolved name", "fn frame() { let n = missi$0ng; }", "x"),
        (
            "parameter of a contract function",
            "declare contract C { fn add(n$0: int); }",
            "x",
        ),
        (
            "prelude item",
            "fn frame() { Gfx.clear(Col$0or.BLACK); }",
            "Colour",
        ),
        (
            "prelude host function",
            "fn frame() { Gfx.cle$0ar(Color.BLACK); }",
            "wipe",
        ),
        (
            "built-in method",
            "fn frame() { let l = alloc list<int>(); l.pu$0sh(1); }",
            "append",
        ),
        (
            "self",
            "declare struct P(x: int) { pub fn get(self): int { return se$0lf.x; } }",
            "me",
        ),
        (
            "clash with an item",
            "fn help$0er() {}\nfn other() {}\nfn frame() { helper(); }",
            "other",
        ),
        (
            "clash with a local in the same function",
            "fn frame() { let a$0 = 1; let b = 2; let c = a + b; }",
            "b",
        ),
        (
            "a local would capture the renamed item",
            "fn helper(): int { return 1; }\nfn frame() { let total = 2; let x = help$0er() + total; }",
            "total",
        ),
        (
            "a local would shadow an item used in its scope",
            "fn helper(): int { return 1; }\nfn frame() { let n$0 = 2; let x = helper() + n; }",
            "helper",
        ),
        (
            "clash with a field",
            "declare struct P(x: int, y: int)\nfn f(p: P): int { return p.x$0; }",
            "y",
        ),
        (
            "clash with an error case",
            "declare error E { A, B }\nfn f(): E { return E.A$0; }",
            "B",
        ),
        (
            "a service member would capture the renamed item",
            "fn hel$0per(): int { return 1; }\nservice S { let points: int = 0; pub fn get(): int { return helper(); } }",
            "points",
        ),
        (
            "clash with an import of another file of the module",
            "//- /src/main.pbs\nfn hel$0per() {}\n//- /src/other.pbs\nimport { Vec2 } from \"geo\";\nfn other() { helper(); }\n//- /src/geo/lib.pbs\npub declare struct Vec2(x: int)",
            "Vec2",
        ),
        ("the entry point", "fn fra$0me() {}", "tick"),
        (
            "a function of the main file to an entry point's name",
            "fn frame() {}\nfn ti$0ck() {}",
            "init",
        ),
        ("shadowing a prelude item", "fn help$0er() {}", "Color"),
        ("a built-in type name", "declare struct P$0(x: int)", "int"),
        (
            "module path",
            "//- /src/main.pbs\nimport { f } from \"g$0eo\";\n//- /src/geo/lib.pbs\npub fn f() {}",
            "x",
        ),
    ];
    let mut out = String::new();
    for (what, fixture, new_name) in cases {
        out.push_str(&format!(
            "{what} (to `{new_name}`): {}\n",
            refusal(fixture, new_name)
        ));
    }
    assert_snapshot!(out);
}

#[test]
fn clash_with_an_import_in_a_file_that_imports_the_item() {
    assert_snapshot!(refusal(
        r#"
//- /src/main.pbs
import { origin } from "geo";
import { Vec2 } from "shapes";
fn frame() { let a = origin(); }
//- /src/geo/lib.pbs
pub fn orig$0in(): int { return 0; }
//- /src/shapes/lib.pbs
pub declare struct Vec2(x: float, y: float)
"#,
        "Vec2"
    ));
}

/// A workspace whose folder holds only the app: its path dependency is outside it.
fn outside_workspace(fixture: &str) -> (AnalysisHost, Snapshot, FilePosition) {
    let fixture = Fixture::parse(fixture.trim_start());
    let mut host = AnalysisHost::new(Arc::new(fixture.fs.clone()), LoadOptions::default());
    host.add_workspace_folder(&PathBuf::from("/fixture/app"));
    let (cursor_path, offset) = fixture.cursor.clone().expect("a cursor");
    let text = fixture
        .fs
        .files()
        .find(|(p, _)| *p == cursor_path)
        .map(|(_, t)| t.to_string())
        .expect("the cursor's file");
    host.open_file(&cursor_path, &text);
    let snapshot = host.analyze_now();
    let file = snapshot
        .file_id(&cursor_path)
        .expect("the cursor's file is known");
    (host, snapshot, FilePosition { file, offset })
}

#[test]
fn refuses_a_dependency_outside_the_workspace() {
    let (_host, s, cursor) = outside_workspace(
        r#"
//- /app/prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "../ext/math"}}}
//- /app/src/main.pbs
import { lerp } from "@math";
fn frame() { let x = le$0rp(0.0, 1.0, 0.5); }
//- /ext/math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /ext/math/src/lib.pbs
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
"#,
    );
    assert_eq!(s.roots().len(), 1, "only the app is a root");
    let message = s.rename(cursor, "mix").expect_err("outside the workspace");
    assert_snapshot!(message.to_string());
    // A local of the app can still be renamed.
    let x = s.file_text(cursor.file).find("let x").expect("the local") + 4;
    let local = FilePosition {
        file: cursor.file,
        offset: x as u32,
    };
    assert!(s.rename(local, "y").is_ok());
}

/// Renames at the cursor, writes the edits into the host's buffers, re-analyses and
/// checks that every file's diagnostics (code and message) are what they were, with
/// the old name replaced by the new one.
fn rename_keeps_diagnostics(fixture: &str, new_name: &str) -> String {
    let w = world(fixture);
    let mut host = w.host;
    let s = &w.snapshot;
    let old = &s.file_text(w.cursor.file)[s.prepare_rename(w.cursor).expect("renamable").range()];
    let renamed = |message: &str| {
        message
            .replace(&format!("`{old}`"), &format!("`{new_name}`"))
            .replace(&format!("`_{old}`"), &format!("`_{new_name}`"))
    };
    let before: Vec<(String, String)> = s
        .files()
        .into_iter()
        .flat_map(|f| s.diagnostics(f).into_iter().map(move |d| (f, d)))
        .map(|(f, d)| (path(s, f), format!("{:?} {}", d.code, renamed(&d.message))))
        .collect();
    let change = s.rename(w.cursor, new_name).expect("the rename is allowed");
    assert!(!change.edits.is_empty());
    for (file, _) in &change.edits {
        let text = applied(s, &change, *file);
        host.change_file(&PathBuf::from(s.file_path(*file)), &text);
    }
    let after_snapshot = host.analyze_now();
    let a = &after_snapshot;
    let after: Vec<(String, String)> = a
        .files()
        .into_iter()
        .flat_map(|f| a.diagnostics(f).into_iter().map(move |d| (f, d)))
        .map(|(f, d)| (path(a, f), format!("{:?} {}", d.code, d.message)))
        .collect();
    assert_eq!(before, after, "the rename changed the diagnostics");
    after.iter().map(|(p, d)| format!("{p}: {d}\n")).collect()
}

#[test]
fn applying_a_rename_keeps_the_diagnostics() {
    let fixture = r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
import { lerp } from "@math";
import { lerp as mix } from "@math";
fn frame() {
    let x = lerp(0.0, 1.0, 0.5) + mix(1.0, 2.0, 0.5);
    let unused = 1;
    let bad: int = "not an int";
}
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
pub fn le$0rp(a: float, b: float, t: float): float { return a + (b - a) * t; }
pub fn mid(a: float, b: float): float { return lerp(a, b, 0.5); }
"#;
    assert_snapshot!(rename_keeps_diagnostics(fixture, "blend"));
}

#[test]
fn applying_a_local_rename_keeps_the_diagnostics() {
    let fixture = r#"
declare struct Vec2(x: float, y: float)
fn frame() {
    let mut v$0 = Vec2(1.0, 2.0);
    v.x = v.y;
    let w: int = v;
}
"#;
    assert_snapshot!(rename_keeps_diagnostics(fixture, "point"));
}
