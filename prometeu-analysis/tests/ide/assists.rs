//! Code actions: every quick fix and "Organize imports" on a fixture, before and
//! after, and the after text checked again: the diagnostic fixed is gone and nothing
//! else changed. Then every fix of every diagnostic fixture, applied.

use std::path::PathBuf;

use prometeu_analysis::Span;
use prometeu_analysis::ide::{Assist, AssistKind, FilePosition, Snapshot};

use crate::support::{applied, world};

/// The codes of a file's diagnostics, sorted.
fn codes(snapshot: &Snapshot, file: prometeu_analysis::FileId) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = snapshot
        .diagnostics(file)
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    codes.sort();
    codes
}

/// Whether every code of `part` (a sorted list) is in `whole` as often.
fn is_subset(part: &[&str], whole: &[&str]) -> bool {
    let mut rest = whole.to_vec();
    part.iter()
        .all(|code| match rest.iter().position(|c| c == code) {
            Some(at) => {
                rest.remove(at);
                true
            }
            None => false,
        })
}

/// The assists at the cursor (an empty range).
fn assists_at(snapshot: &Snapshot, cursor: FilePosition) -> Vec<Assist> {
    snapshot.assists(cursor.file, Span::empty(cursor.file, cursor.offset))
}

/// Applies the assist titled `title` at the cursor of `before`, compares the cursor's
/// file with `after`, and checks the result: the fixed diagnostic is gone and the
/// other diagnostics of every file are as they were.
#[track_caller]
fn check(before: &str, title: &str, after: &str) {
    let mut w = world(before);
    let assists = assists_at(&w.snapshot, w.cursor);
    let titles: Vec<&str> = assists.iter().map(|a| a.title.as_str()).collect();
    let assist = assists
        .iter()
        .find(|a| a.title == title)
        .unwrap_or_else(|| panic!("no assist `{title}` among {titles:?}"));
    let file = w.cursor.file;
    let text = applied(&w.snapshot, &assist.change, file);
    assert_eq!(text, after.strip_prefix('\n').unwrap_or(after));

    let mut expected = codes(&w.snapshot, file);
    if let Some(fixed) = &assist.fixes {
        let at = expected
            .iter()
            .position(|&c| c == fixed.code.as_str())
            .expect("the fixed diagnostic was reported");
        expected.remove(at);
    }
    let others: Vec<_> = w
        .snapshot
        .files()
        .into_iter()
        .filter(|&f| f != file)
        .map(|f| (f, codes(&w.snapshot, f)))
        .collect();
    let path = PathBuf::from(w.snapshot.file_path(file));
    w.host.change_file(&path, &text);
    let again = w.host.analyze_now();
    let file = again.file_id(&path).expect("still analysed");
    // What the fix removed may have caused others (a misspelled use made its local
    // unused): those go too, but nothing may appear.
    let now = codes(&again, file);
    assert!(
        is_subset(&now, &expected),
        "after `{title}`: {now:?} not within {expected:?}:\n{text}"
    );
    for (other, before) in others {
        assert!(is_subset(&codes(&again, other), &before));
    }
}

/// The titles of the assists at the cursor.
fn titles(fixture: &str) -> Vec<String> {
    let w = world(fixture);
    assists_at(&w.snapshot, w.cursor)
        .into_iter()
        .map(|a| a.title)
        .collect()
}

// ----- replace a misspelled name -----

#[test]
fn misspelled_local_is_replaced_by_the_suggestion() {
    check(
        r#"
fn frame() {
    let count = 1;
    Log.info("" + (cuo$0nt as string));
}
"#,
        "Change `cuont` to `count`",
        r#"
fn frame() {
    let count = 1;
    Log.info("" + (count as string));
}
"#,
    );
}

#[test]
fn misspelled_field_is_replaced() {
    check(
        r#"
declare struct Point(x: int, y: int)
fn frame() {
    let p = Point(1, 2);
    let s = p.yy$0 + p.x;
    Log.info(s as string);
}
"#,
        "Change `yy` to `y`",
        r#"
declare struct Point(x: int, y: int)
fn frame() {
    let p = Point(1, 2);
    let s = p.y + p.x;
    Log.info(s as string);
}
"#,
    );
}

#[test]
fn misspelled_imported_name_is_replaced() {
    check(
        r#"
//- /src/main.pbs
import { lenght$0 } from "geo";
fn frame() { Log.info(length(3) as string); }
//- /src/geo/lib.pbs
pub fn length(n: int): int { return n; }
"#,
        "Change `lenght` to `length`",
        r#"
import { length } from "geo";
fn frame() { Log.info(length(3) as string); }
"#,
    );
}

// ----- remove an unused import -----

const UNUSED_IMPORTS: &str = r#"
//- /src/geo/lib.pbs
pub fn length(n: int): int { return n; }
pub fn area(n: int): int { return n * n; }
pub fn volume(n: int): int { return n * n * n; }
"#;

#[test]
fn unused_only_name_removes_the_whole_import() {
    check(
        &format!(
            "\n//- /src/main.pbs\nimport {{ are$0a }} from \"geo\";\nfn frame() {{}}\n{}",
            UNUSED_IMPORTS.trim_start()
        ),
        "Remove the unused import of `area`",
        "fn frame() {}\n",
    );
}

#[test]
fn unused_first_or_last_name_leaves_the_others() {
    let main = "fn frame() { Log.info(length(1) as string); }\n";
    check(
        &format!(
            "\n//- /src/main.pbs\nimport {{ are$0a, length }} from \"geo\";\n{main}{}",
            UNUSED_IMPORTS.trim_start()
        ),
        "Remove `area` from the import",
        &format!("import {{ length }} from \"geo\";\n{main}"),
    );
    check(
        &format!(
            "\n//- /src/main.pbs\nimport {{ length, volume as v$0 }} from \"geo\";\n{main}{}",
            UNUSED_IMPORTS.trim_start()
        ),
        "Remove `v` from the import",
        &format!("import {{ length }} from \"geo\";\n{main}"),
    );
}

// ----- unused locals -----

#[test]
fn unused_local_is_prefixed() {
    check(
        r#"
fn frame() {
    let tot$0al = System.random(3);
}
"#,
        "Rename `total` to `_total`",
        r#"
fn frame() {
    let _total = System.random(3);
}
"#,
    );
}

#[test]
fn unused_local_with_a_pure_value_is_removed() {
    check(
        r#"
fn frame() {
    let base = 2;
    let dou$0bled = base * 2;
    Log.info(base as string);
}
"#,
        "Remove the unused `doubled`",
        r#"
fn frame() {
    let base = 2;
    Log.info(base as string);
}
"#,
    );
}

#[test]
fn unused_local_with_a_call_is_only_prefixed() {
    let offered = titles(
        r#"
fn frame() {
    let ro$0ll = System.random(6);
}
"#,
    );
    assert_eq!(offered, vec!["Rename `roll` to `_roll`".to_string()]);
}

#[test]
fn unused_parameter_is_prefixed() {
    check(
        r#"
fn twice(n: int, unus$0ed: int): int { return n * 2; }
fn frame() { Log.info(twice(1, 2) as string); }
"#,
        "Rename `unused` to `_unused`",
        r#"
fn twice(n: int, _unused: int): int { return n * 2; }
fn frame() { Log.info(twice(1, 2) as string); }
"#,
    );
}

// ----- unneeded `mut` -----

#[test]
fn unneeded_mut_is_removed() {
    check(
        r#"
fn frame() {
    let mut spe$0ed = 3;
    Log.info(speed as string);
}
"#,
        "Remove the `mut` of `speed`",
        r#"
fn frame() {
    let speed = 3;
    Log.info(speed as string);
}
"#,
    );
    check(
        r#"
fn half(mut n$0: int): int { return n / 2; }
fn frame() { Log.info(half(4) as string); }
"#,
        "Remove the `mut` of `n`",
        r#"
fn half(n: int): int { return n / 2; }
fn frame() { Log.info(half(4) as string); }
"#,
    );
}

// ----- missing `when` arms -----

#[test]
fn missing_bool_arm_is_added_on_its_own_line() {
    check(
        r#"
fn frame() {
    let on = System.random(2) == 1;
    let label = on wh$0en {
        true -> "on",
    };
    Log.info(label);
}
"#,
        "Add the missing arm `false`",
        r#"
fn frame() {
    let on = System.random(2) == 1;
    let label = on when {
        true -> "on",
        false -> "",
    };
    Log.info(label);
}
"#,
    );
}

#[test]
fn every_missing_error_case_is_added_even_past_the_message_s_three() {
    check(
        r#"
declare error Fault { Low, High, Hot, Cold, Wet }
fn describe(f: Fault): Color {
    return f $0when { Fault.Low -> Color.RED };
}
fn frame() { Gfx.clear(describe(Fault.Low)); }
"#,
        "Add the 4 missing arms",
        r#"
declare error Fault { Low, High, Hot, Cold, Wet }
fn describe(f: Fault): Color {
    return f when { Fault.Low -> Color.RED, Fault.High -> Color.RED, Fault.Hot -> Color.RED, Fault.Cold -> Color.RED, Fault.Wet -> Color.RED };
}
fn frame() { Gfx.clear(describe(Fault.Low)); }
"#,
    );
}

#[test]
fn missing_optional_arms_use_the_type_s_plain_value() {
    check(
        r#"
fn pick(n: optional int): int {
    return n when$0 { some(1) -> 10, };
}
fn frame() { Log.info(pick(some(1)) as string); }
"#,
        "Add the 2 missing arms",
        r#"
fn pick(n: optional int): int {
    return n when { some(1) -> 10, some(_) -> 0, none -> 0, };
}
fn frame() { Log.info(pick(some(1)) as string); }
"#,
    );
}

#[test]
fn no_arm_is_offered_without_a_value_that_checks() {
    let offered = titles(
        r#"
declare struct Box(n: int)
fn open(b: optional Box): Box {
    return b when$0 { some(inner) -> inner };
}
fn frame() { Log.info(open(none).n as string); }
"#,
    );
    assert!(offered.is_empty(), "{offered:?}");
}

// ----- cast precedence -----

#[test]
fn cast_before_a_tighter_operator_is_parenthesised() {
    check(
        r#"
fn frame() {
    let n = System.random(9);
    let half = n as float $0* 0.5;
    Log.info(half as string);
}
"#,
        "Add parentheses: `(n as float)`",
        r#"
fn frame() {
    let n = System.random(9);
    let half = (n as float) * 0.5;
    Log.info(half as string);
}
"#,
    );
}

// ----- organize imports -----

#[test]
fn organize_imports_sorts_merges_and_drops_unused() {
    check(
        r#"
//- /src/main.pbs
import { volume, length as len } from "geo";
import { Speed } from "@phys";
import { area, length as len } from "geo";
$0fn frame() {
    Log.info((len(1) + area(2)) as string);
    let s: Speed = Speed(1);
    Log.info(s.v as string);
}
//- /prometeu.json
{"name": "fixture", "version": "0.1.0", "dependencies": {"phys": {"path": "phys"}}}
//- /src/geo/lib.pbs
pub fn length(n: int): int { return n; }
pub fn area(n: int): int { return n * n; }
pub fn volume(n: int): int { return n * n * n; }
//- /phys/prometeu.json
{"name": "phys", "version": "1.0.0", "kind": "lib"}
//- /phys/src/lib.pbs
pub declare struct Speed(v: int)
"#,
        "Organize imports",
        r#"
import { Speed } from "@phys";
import { area, length as len } from "geo";
fn frame() {
    Log.info((len(1) + area(2)) as string);
    let s: Speed = Speed(1);
    Log.info(s.v as string);
}
"#,
    );
}

#[test]
fn organized_imports_offer_nothing_and_comments_are_kept() {
    let organized = r#"
//- /src/main.pbs
import { area, length } from "geo";
$0fn frame() { Log.info((length(1) + area(2)) as string); }
//- /src/geo/lib.pbs
pub fn length(n: int): int { return n; }
pub fn area(n: int): int { return n * n; }
"#;
    assert!(titles(organized).is_empty());
    let commented = organized.replace(
        "import { area, length }",
        "import { length } from \"geo\";\n// geometry\nimport { area }",
    );
    assert!(titles(&commented).is_empty());
}

// ----- every fixture -----

/// Every quick fix of every diagnostic of every diagnostics fixture applies cleanly:
/// its edits are in bounds and do not overlap, and afterwards the file reports fewer
/// diagnostics of the fixed code.
#[test]
fn every_fix_of_every_diagnostic_fixture_removes_its_diagnostic() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/diagnostics");
    let mut applied_fixes = 0;
    for entry in std::fs::read_dir(&dir).expect("the fixtures") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|e| e != "pbs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a fixture");
        let fixture = format!("{source}\n$0");
        let mut w = world(&fixture);
        let file = w.cursor.file;
        let whole = Span::new(file, 0, w.snapshot.file_text(file).len() as u32);
        let assists: Vec<Assist> = w.snapshot.assists(file, whole);
        for assist in assists {
            let Some(fixed) = &assist.fixes else {
                assert_eq!(assist.kind, AssistKind::OrganizeImports);
                continue;
            };
            for (edited, edits) in &assist.change.edits {
                assert_eq!(*edited, file);
                let len = w.snapshot.file_text(file).len() as u32;
                for pair in edits.windows(2) {
                    assert!(pair[0].span.end <= pair[1].span.start, "{edits:?}");
                }
                assert!(edits.iter().all(|e| e.span.end <= len));
            }
            let count = |s: &Snapshot, f| {
                s.diagnostics(f)
                    .iter()
                    .filter(|d| d.code == fixed.code)
                    .count()
            };
            let before = count(&w.snapshot, file);
            let text = applied(&w.snapshot, &assist.change, file);
            let key = PathBuf::from(w.snapshot.file_path(file));
            w.host.change_file(&key, &text);
            let again = w.host.analyze_now();
            let after = count(&again, again.file_id(&key).expect("analysed"));
            assert!(
                after < before,
                "`{}` for {} in {}:\n{text}",
                assist.title,
                fixed.message,
                path.display()
            );
            applied_fixes += 1;
            w.host.change_file(&key, w.snapshot.file_text(file));
        }
    }
    assert!(applied_fixes >= 20, "only {applied_fixes} fixes");
}

#[test]
fn diagnostics_without_a_fix_offer_nothing() {
    let offered = titles(
        r#"
fn frame() {
    let x: int = "text"$0;
}
"#,
    );
    // The cursor touches the mismatch only (`x`'s unused warning is elsewhere).
    assert!(offered.is_empty(), "{offered:?}");
}

// ----- import an unresolved name -----

#[test]
fn unresolved_name_is_imported_into_an_existing_import() {
    check(
        r#"
//- /src/main.pbs
import { length } from "geo";
fn frame() { Log.info((length(1) + ar$0ea(2)) as string); }
//- /src/geo/lib.pbs
pub fn length(n: int): int { return n; }
pub fn area(n: int): int { return n * n; }
"#,
        "Import `area` from \"geo\"",
        r#"
import { area, length } from "geo";
fn frame() { Log.info((length(1) + area(2)) as string); }
"#,
    );
}

#[test]
fn unresolved_name_is_imported_from_each_module_that_exports_it() {
    let fixture = r#"
//- /src/main.pbs
import { Speed } from "@phys";
fn frame() {
    let s: Speed = Speed(1);
    Log.info(twi$0ce(s.v) as string);
}
//- /prometeu.json
{"name": "fixture", "version": "0.1.0", "dependencies": {"phys": {"path": "phys"}}}
//- /src/util/lib.pbs
pub fn twice(n: int): int { return n * 2; }
mod fn hidden(): int { return 1; }
//- /src/more/lib.pbs
pub fn twice(n: int): int { return n + n; }
//- /phys/prometeu.json
{"name": "phys", "version": "1.0.0", "kind": "lib"}
//- /phys/src/lib.pbs
pub declare struct Speed(v: int)
pub fn twice(n: int): int { return 2 * n; }
"#;
    assert_eq!(
        titles(fixture),
        vec![
            "Import `twice` from \"@phys\"",
            "Import `twice` from \"more\"",
            "Import `twice` from \"util\"",
        ]
    );
    check(
        fixture,
        "Import `twice` from \"util\"",
        r#"
import { Speed } from "@phys";
import { twice } from "util";
fn frame() {
    let s: Speed = Speed(1);
    Log.info(twice(s.v) as string);
}
"#,
    );
    check(
        fixture,
        "Import `twice` from \"@phys\"",
        r#"
import { Speed, twice } from "@phys";
fn frame() {
    let s: Speed = Speed(1);
    Log.info(twice(s.v) as string);
}
"#,
    );
    // A `mod` item cannot be imported.
    let hidden = fixture.replace("twi$0ce(s.v)", "hid$0den()");
    assert!(titles(&hidden).is_empty(), "{:?}", titles(&hidden));
}

/// Actions at every offset of unfinished code (and past its end) answer without
/// panicking, with edits inside the file.
#[test]
fn actions_everywhere_in_broken_code() {
    let fixture = r#"
//- /src/main.pbs
import { lenght, area as ar } from "geo";
import { } from "geo";
declare error E { A, B }
fn f(e: E, mut k: int): int {
    let unused = 1 as float * 2.0;
    let v = e when { E.A -> 1
    return k as int + cuont
}
fn frame() { let x = (1 as int * ; f( }
//- /src/geo/lib.pbs
pub fn length(n: int): int { return n; }
pub fn area(n: int): int { return n * n; }
"#;
    let (_host, s, _) = crate::support::analyze(fixture);
    let main = s
        .files()
        .into_iter()
        .find(|&f| s.file_path(f).ends_with("main.pbs"))
        .expect("main");
    let len = s.file_text(main).len() as u32;
    let mut offered = 0;
    for offset in 0..=len + 1 {
        for assist in s.assists(main, Span::empty(main, offset)) {
            offered += 1;
            for (file, edits) in &assist.change.edits {
                let file_len = s.file_text(*file).len() as u32;
                assert!(
                    edits
                        .iter()
                        .all(|e| e.span.start <= e.span.end && e.span.end <= file_len)
                );
            }
        }
    }
    assert!(offered > 0);
}
