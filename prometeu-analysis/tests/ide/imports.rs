//! The import-insertion helper shared by auto-import completion and the "import the
//! unresolved name" code action: extend an existing import, or add a line in order.

use prometeu_analysis::ide::SourceChange;

use crate::support::{analyze, change};

/// The file `src/main.pbs` of `fixture` after importing `name` from `module_path`,
/// with the edits listed first.
fn import(fixture: &str, module_path: &str, name: &str) -> String {
    let (_, snapshot, _) = analyze(fixture);
    let file = snapshot
        .files()
        .into_iter()
        .find(|&f| snapshot.file_path(f).ends_with("/src/main.pbs"))
        .expect("the fixture has src/main.pbs");
    let edits = snapshot.import_edits(file, module_path, name);
    if edits.is_empty() {
        return "(no edit)\n".to_string();
    }
    change(
        &snapshot,
        &SourceChange {
            edits: vec![(file, edits)],
        },
    )
}

const WORLD: &str = r#"
//- /src/world/world.pbs
pub fn spawn() {}
pub fn despawn() {}
pub fn zap() {}
pub fn apple() {}
//- /src/items/items.pbs
pub fn give() {}
//- /src/zoo/zoo.pbs
pub fn feed() {}
"#;

#[test]
fn extends_an_existing_import_in_name_order() {
    let fixture = format!(
        "{WORLD}//- /src/main.pbs\nimport {{ despawn, zap }} from \"world\";\nfn frame() {{ despawn(); zap(); }}\n"
    );
    insta::assert_snapshot!(import(&fixture, "world", "spawn"), @r#"
    src/main.pbs:1:19 `` -> spawn, 

    //- src/main.pbs
    import { despawn, spawn, zap } from "world";
    fn frame() { despawn(); zap(); }
    "#);
    insta::assert_snapshot!(import(&fixture, "world", "apple"), @r#"
    src/main.pbs:1:10 `` -> apple, 

    //- src/main.pbs
    import { apple, despawn, zap } from "world";
    fn frame() { despawn(); zap(); }
    "#);
}

#[test]
fn appends_after_the_last_name() {
    let fixture = format!(
        "{WORLD}//- /src/main.pbs\nimport {{ apple }} from \"world\";\nfn frame() {{ apple(); }}\n"
    );
    insta::assert_snapshot!(import(&fixture, "world", "zap"), @r#"
    src/main.pbs:1:15 `` -> , zap

    //- src/main.pbs
    import { apple, zap } from "world";
    fn frame() { apple(); }
    "#);
}

#[test]
fn already_imported_needs_no_edit() {
    let fixture = format!(
        "{WORLD}//- /src/main.pbs\nimport {{ zap }} from \"world\";\nfn frame() {{ zap(); }}\n"
    );
    assert_eq!(import(&fixture, "world", "zap"), "(no edit)\n");
}

#[test]
fn aliased_import_still_adds_the_plain_name() {
    let fixture = format!(
        "{WORLD}//- /src/main.pbs\nimport {{ zap as z }} from \"world\";\nfn frame() {{ z(); }}\n"
    );
    insta::assert_snapshot!(import(&fixture, "world", "zap"), @r#"
    src/main.pbs:1:18 `` -> , zap

    //- src/main.pbs
    import { zap as z, zap } from "world";
    fn frame() { z(); }
    "#);
}

#[test]
fn new_line_goes_between_imports_in_path_order() {
    let fixture = format!(
        "{WORLD}//- /src/main.pbs\nimport {{ give }} from \"items\";\nimport {{ feed }} from \"zoo\";\nfn frame() {{ give(); feed(); }}\n"
    );
    insta::assert_snapshot!(import(&fixture, "world", "spawn"), @r#"
    src/main.pbs:2:1 `` -> import { spawn } from "world";


    //- src/main.pbs
    import { give } from "items";
    import { spawn } from "world";
    import { feed } from "zoo";
    fn frame() { give(); feed(); }
    "#);
}

#[test]
fn new_line_after_the_last_import() {
    let fixture = format!(
        "{WORLD}//- /src/main.pbs\nimport {{ give }} from \"items\";\n\nfn frame() {{ give(); }}\n"
    );
    insta::assert_snapshot!(import(&fixture, "zoo", "feed"), @r#"
    src/main.pbs:2:1 `` -> import { feed } from "zoo";


    //- src/main.pbs
    import { give } from "items";
    import { feed } from "zoo";

    fn frame() { give(); }
    "#);
}

#[test]
fn first_import_goes_below_the_leading_comment() {
    let fixture =
        format!("{WORLD}//- /src/main.pbs\n// The game.\n/// Runs every frame.\nfn frame() {{}}\n");
    insta::assert_snapshot!(import(&fixture, "world", "spawn"), @r#"
    src/main.pbs:2:1 `` -> import { spawn } from "world";



    //- src/main.pbs
    // The game.
    import { spawn } from "world";

    /// Runs every frame.
    fn frame() {}
    "#);
}
