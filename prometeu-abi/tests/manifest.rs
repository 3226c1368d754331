//! The cartridge manifest: the spec's example, every refusal, no panics.

use prometeu_abi::{AppMode, Manifest, ManifestError};
use prometeu_bytecode::assemble;
use proptest::prelude::*;

const EXAMPLE: &str = r#"{ "magic": "PMTU", "cartridge_version": 1, "app_id": 1001, "title": "My Game",
  "app_version": "0.1.0", "app_mode": "Game", "entrypoint": "frame" }"#;

#[test]
fn the_spec_example_parses_and_round_trips() {
    let m = Manifest::from_json(EXAMPLE).unwrap();
    assert_eq!(m, Manifest::new_game(1001, "My Game", "0.1.0"));
    assert_eq!(m.app_mode, AppMode::Game);
    assert_eq!(Manifest::from_json(&m.to_json()).unwrap(), m);
    insta::assert_snapshot!(m.to_json(), @r#"
    {
      "magic": "PMTU",
      "cartridge_version": 1,
      "app_id": 1001,
      "title": "My Game",
      "app_version": "0.1.0",
      "app_mode": "Game",
      "entrypoint": "frame"
    }
    "#);
}

#[test]
fn refusals_say_why() {
    let cases = [
        ("wrong magic", EXAMPLE.replace("PMTU", "PMTX")),
        (
            "wrong version",
            EXAMPLE.replace("\"cartridge_version\": 1", "\"cartridge_version\": 2"),
        ),
        ("unknown mode", EXAMPLE.replace("\"Game\"", "\"Demo\"")),
        (
            "unknown field",
            EXAMPLE.replace("\"title\"", "\"name\": \"x\", \"title\""),
        ),
        (
            "missing field",
            EXAMPLE
                .replace("\"entrypoint\": \"frame\"", "\"x\": 1")
                .replace(", \"x\": 1", ""),
        ),
        ("empty entrypoint", EXAMPLE.replace("\"frame\"", "\"\"")),
        ("empty title", EXAMPLE.replace("My Game", " ")),
        ("not json", "{ magic".to_owned()),
    ];
    let mut report = String::new();
    for (name, text) in cases {
        let err = Manifest::from_json(&text).expect_err(name);
        report.push_str(&format!("{name}: {err}\n"));
    }
    insta::assert_snapshot!("manifest_errors", report);
}

#[test]
fn entrypoint_resolves_among_exports() {
    let p = assemble(".func a\n RET\n.func b\n RET\n.export \"frame\" b").unwrap();
    let mut m = Manifest::from_json(EXAMPLE).unwrap();
    assert_eq!(m.resolve_entrypoint(&p), Ok(1));
    m.entrypoint = "tick".into();
    assert_eq!(
        m.resolve_entrypoint(&p),
        Err(ManifestError::EntrypointNotExported("tick".into()))
    );
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,120}") {
        let _ = Manifest::from_json(&text);
    }
}
