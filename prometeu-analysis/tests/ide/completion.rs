//! Completion in every context, in finished and in broken code.

use insta::assert_snapshot;
use prometeu_analysis::ide::{Completions, Rank, SourceChange};

use crate::support::{change, world};

/// Every item as `label  kind rank  detail  [import from]`, then what is replaced.
fn complete(fixture: &str) -> String {
    let w = world(fixture);
    let completions = w.snapshot.completions(w.cursor);
    render(&w.snapshot, &completions)
}

fn render(snapshot: &prometeu_analysis::ide::Snapshot, c: &Completions) -> String {
    let mut out = String::new();
    if let Some(replace) = c.replace {
        let text = &snapshot.file_text(replace.file)[replace.range()];
        out.push_str(&format!("replace `{text}`"));
    }
    if c.is_incomplete {
        out.push_str(" (incomplete)");
    }
    out.push('\n');
    for item in &c.items {
        out.push_str(&format!("{} {:?} {:?}", item.label, item.kind, item.rank));
        if let Some(detail) = &item.detail {
            out.push_str(&format!("  {detail}"));
        }
        if let Some(from) = &item.import_from {
            out.push_str(&format!("  (import from \"{from}\")"));
        }
        out.push('\n');
    }
    out
}

/// Only the labels, in order (for long lists where the order is the point).
fn labels(fixture: &str, rank: Option<Rank>) -> Vec<String> {
    let w = world(fixture);
    w.snapshot
        .completions(w.cursor)
        .items
        .into_iter()
        .filter(|i| rank.is_none_or(|r| i.rank == r))
        .map(|i| i.label)
        .collect()
}

#[test]
fn locals_in_scope_not_later_ones_nor_other_functions() {
    let locals = labels(
        r#"
fn other(q: int) { let hidden = 1; }
fn work(count: int, scale: float) {
    let before = 1;
    if count > 0 {
        let inner = 2;
    }
    for i in 0..count {
        let step = i;
    }
    let result_value = before + $0;
    let after = 3;
}
fn frame() {}
"#,
        Some(Rank::Local),
    );
    assert_eq!(locals, ["before", "count", "scale"]);
}

#[test]
fn expression_position_ranks_locals_module_imports_prelude_keywords() {
    assert_snapshot!(complete(
        r#"
//- /src/main.pbs
import { lerp as mix } from "math";
/// The player's speed.
declare const SPEED: int = 3;
fn helper(v: int): int { return v; }
fn frame() {
    let speed = 2;
    let total = $0
}
//- /src/math/lib.pbs
pub fn lerp(a: float, b: float, t: float): float { return a + (b - a) * t; }
"#
    ));
}

#[test]
fn member_after_dot_on_a_struct_value() {
    assert_snapshot!(complete(
        r#"
declare struct Vec2(x: float, y: float) {
    pub fn len(self): float { return self.x; }
    pub fn zero(): Vec2 { return Vec2(0.0, 0.0); }
    pub const ONE: float = 1.0;
}
fn frame() {
    let v = Vec2(1.0, 2.0);
    let n = v.$0
}
"#
    ));
}

#[test]
fn member_after_dot_with_a_typed_prefix_in_an_unclosed_call() {
    let members = labels(
        r#"
declare struct Vec2(x: float, y: float)
fn show(a: float, b: float) {}
fn frame() {
    let v = Vec2(1.0, 2.0);
    show(v.x, v.y$0
"#,
        None,
    );
    assert_eq!(members, ["y"], "filtered by the typed `y`");
}

#[test]
fn members_of_a_type_name_constants_functions_cases() {
    assert_snapshot!(complete(
        r#"
declare error Fault { Missing, Broken }
fn frame() { let c = Color.$0 }
"#
    ));
    assert_eq!(
        labels(
            r#"
declare error Fault { Missing, Broken }
fn frame() { let f = Fault.$0 }
"#,
            None
        ),
        ["Broken", "Missing"]
    );
    assert_eq!(
        labels("fn frame() { Gfx.cl$0 }\n", None)
            .first()
            .map(String::as_str),
        Some("circle")
    );
}

#[test]
fn builtin_methods_of_list_string_and_array_with_signatures() {
    assert_snapshot!(complete(
        r#"
fn frame() {
    let items = alloc list<int>();
    let name = "pad";
    let grid = [1, 2, 3];
    items.$0
}
"#
    ));
    assert_eq!(
        labels("fn frame() { let s = \"x\"; let n = s.$0 }\n", None),
        ["len"]
    );
    assert_eq!(
        labels("fn frame() { let a = [1, 2]; let n = a.$0 }\n", None),
        ["len"]
    );
}

#[test]
fn member_after_a_call_result() {
    assert_eq!(
        labels(
            r#"
declare struct P(x: int, y: int)
fn make(): P { return P(1, 2); }
fn frame() { let a = make().$0; }
"#,
            None
        ),
        ["x", "y"]
    );
}

#[test]
fn private_members_stay_private() {
    assert_eq!(
        labels(
            r#"
declare struct Box(v: int) {
    fn secret(self): int { return self.v; }
    pub fn open(self): int { return self.secret(); }
}
fn frame() { let b = Box(1); let n = b.$0 }
"#,
            None
        ),
        ["open", "v"]
    );
}

#[test]
fn type_position_offers_types_only() {
    assert_snapshot!(complete(
        r#"
declare struct Vec2(x: float, y: float)
declare error Fault { Missing }
fn helper(): int { return 1; }
declare const LIMIT: int = 3;
fn frame() { let v: $0 }
"#
    ));
}

#[test]
fn type_argument_position() {
    let items = labels(
        "declare struct Cell(v: int)\nfn frame() { let l = alloc list<C$0 }\n",
        None,
    );
    assert!(items.contains(&"Cell".to_string()), "{items:?}");
    assert!(items.contains(&"Color".to_string()), "{items:?}");
    assert!(!items.contains(&"frame".to_string()), "{items:?}");
}

#[test]
fn when_arms_offer_the_cases_not_yet_covered_in_a_half_typed_when() {
    assert_snapshot!(complete(
        r#"
declare error Fault { Missing, Broken, Lost }
fn check(f: Fault): int {
    return f when {
        Fault.Broken -> 1,
        $0
"#
    ));
}

#[test]
fn when_arms_on_an_optional() {
    assert_eq!(
        labels(
            "fn f(o: optional<int>): int { return o when { none -> 0, $0 }; }\nfn frame() {}\n",
            None
        ),
        ["some(…)", "_"]
    );
}

#[test]
fn import_list_offers_exports_not_yet_imported() {
    assert_snapshot!(complete(
        r#"
//- /src/main.pbs
import { spawn, $0 } from "world";
fn frame() { spawn(); }
//- /src/world/world.pbs
pub fn spawn() {}
/// Removes an entity.
pub fn despawn(id: int) {}
fn private_helper() {}
mod fn module_helper() {}
pub declare struct Entity(id: int)
"#
    ));
}

#[test]
fn import_path_offers_project_modules_and_dependency_modules() {
    assert_snapshot!(complete(
        r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
import { lerp } from "$0";
fn frame() {}
//- /src/world/world.pbs
pub fn spawn() {}
//- /src/items/items.pbs
pub fn give() {}
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
pub fn lerp(a: float, b: float, t: float): float { return a; }
//- /math/src/easing/easing.pbs
pub fn ease(t: float): float { return t; }
"#
    ));
    assert_eq!(
        labels(
            r#"
//- /prometeu.json
{"name": "game", "version": "0.1.0", "dependencies": {"math": {"path": "math"}}}
//- /src/main.pbs
import { ease } from "@math/$0
fn frame() {}
//- /math/prometeu.json
{"name": "math", "version": "1.0.0", "kind": "lib"}
//- /math/src/lib.pbs
pub fn lerp(a: float, b: float, t: float): float { return a; }
//- /math/src/easing/easing.pbs
pub fn ease(t: float): float { return t; }
"#,
            None
        ),
        ["@math/easing"]
    );
}

#[test]
fn auto_import_adds_the_import_line() {
    let w = world(
        r#"
//- /src/main.pbs
fn frame() { let e = desp$0 }
//- /src/world/world.pbs
pub fn spawn() {}
pub fn despawn(id: int) {}
fn destroy() {}
"#,
    );
    let completions = w.snapshot.completions(w.cursor);
    let item = completions
        .items
        .iter()
        .find(|i| i.label == "despawn")
        .expect("despawn is offered");
    assert_eq!(item.rank, Rank::AutoImport);
    assert_eq!(item.import_from.as_deref(), Some("world"));
    assert!(
        !completions.items.iter().any(|i| i.label == "destroy"),
        "a private item is not offered"
    );
    assert_snapshot!(change(
        &w.snapshot,
        &SourceChange {
            edits: vec![(w.cursor.file, item.additional_edits.clone())],
        },
    ), @r#"
    src/main.pbs:1:1 `` -> import { despawn } from "world";



    //- src/main.pbs
    import { despawn } from "world";

    fn frame() { let e = desp }
    "#);
}

#[test]
fn auto_import_extends_an_existing_import_of_the_module() {
    let w = world(
        r#"
//- /src/main.pbs
import { spawn } from "world";
fn frame() { spawn(); desp$0 }
//- /src/world/world.pbs
pub fn spawn() {}
pub fn despawn(id: int) {}
"#,
    );
    let completions = w.snapshot.completions(w.cursor);
    let item = completions
        .items
        .iter()
        .find(|i| i.label == "despawn")
        .expect("despawn is offered");
    assert_snapshot!(change(
        &w.snapshot,
        &SourceChange {
            edits: vec![(w.cursor.file, item.additional_edits.clone())],
        },
    ), @r#"
    src/main.pbs:1:10 `` -> despawn, 

    //- src/main.pbs
    import { despawn, spawn } from "world";
    fn frame() { spawn(); desp }
    "#);
}

#[test]
fn declaration_position_offers_declaration_keywords_and_snippets() {
    let items = labels("fn frame() {}\n$0\n", None);
    assert!(items.contains(&"fn".to_string()), "{items:?}");
    assert!(items.contains(&"declare struct".to_string()), "{items:?}");
    assert!(!items.contains(&"let".to_string()), "{items:?}");
    assert!(!items.contains(&"frame".to_string()), "{items:?}");
}

#[test]
fn statement_keywords_only_at_a_statement_start() {
    let at_start = labels("fn frame() { let a = 1; $0 }\n", Some(Rank::Keyword));
    assert!(at_start.contains(&"let".to_string()), "{at_start:?}");
    assert!(
        !at_start.contains(&"break".to_string()),
        "not in a loop: {at_start:?}"
    );
    let in_expr = labels("fn frame() { let a = 1 + $0 }\n", Some(Rank::Keyword));
    assert!(!in_expr.contains(&"let".to_string()), "{in_expr:?}");
    assert!(in_expr.contains(&"true".to_string()), "{in_expr:?}");
    let in_loop = labels("fn frame() { while true { $0 } }\n", Some(Rank::Keyword));
    assert!(in_loop.contains(&"break".to_string()), "{in_loop:?}");
}

#[test]
fn snippets_have_parameter_placeholders() {
    let w =
        world("fn lerp(a: float, b: float, t: float): float { return a; }\nfn frame() { le$0 }\n");
    let completions = w.snapshot.completions(w.cursor);
    let item = completions
        .items
        .iter()
        .find(|i| i.label == "lerp")
        .expect("lerp is offered");
    assert_eq!(item.insert, "lerp");
    assert_eq!(
        item.snippet.as_deref(),
        Some("lerp(${1:a}, ${2:b}, ${3:t})$0")
    );
    let doc = w.snapshot.completion_doc(item.doc.expect("a doc source"));
    assert!(doc.is_some_and(|d| d.contains("fn lerp(a: float")));
}

#[test]
fn nothing_in_comments_strings_and_after_literals() {
    assert!(labels("fn frame() { // le$0\n}\n", None).is_empty());
    assert!(labels("fn frame() { let s = \"le$0\"; }\n", None).is_empty());
    assert!(labels("fn frame() { let n = 12$0; }\n", None).is_empty());
}

#[test]
fn service_members_inside_the_service() {
    let members = labels(
        r#"
service Score {
    let mut points: int = 0;
    pub fn add(n: int) { $0 }
}
fn frame() {}
"#,
        Some(Rank::Member),
    );
    assert_eq!(members, ["add", "points"]);
}

#[test]
fn members_of_a_service_and_a_contract_by_name() {
    let fixture = r#"
service Score {
    let mut points: int = 0;
    pub let best: int = 0;
    pub fn add(n: int) { points += n; }
    fn reset() { points = 0; }
}
fn frame() { Score.$0 }
"#;
    assert_eq!(
        labels(fixture, None),
        ["add", "best"],
        "private members stay inside"
    );
    assert_eq!(labels("fn frame() { Log.$0 }\n", None), ["info", "warn"]);
}

#[test]
fn a_constant_initialiser_is_an_expression_position() {
    let items = labels(
        "declare const BASE: int = 2;\ndeclare const LIMIT: int = BA$0\nfn frame() {}\n",
        None,
    );
    assert_eq!(
        items,
        ["BASE", "ButtonState"],
        "the module item before the prelude"
    );
    let names = labels("declare const LI$0\nfn frame() {}\n", None);
    assert!(
        names.iter().all(|l| l != "frame"),
        "a name being declared: {names:?}"
    );
}
