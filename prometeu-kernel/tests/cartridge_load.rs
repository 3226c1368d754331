//! Loading cartridges from directories and `.pmc` files, and every refusal.

use crate::carts;

use std::path::Path;

use prometeu_kernel::cartridge::{load_cartridge, pack_cartridge_dir, read_cartridge_dir};
use prometeu_kernel::pmc::{PmcEntry, write_pmc};
use prometeu_kernel::sprites::{SpriteBank, TileSize};
use prometeu_kernel::{Cartridge, CartridgeError};

const GAME: &str = "
.syscall 0x5001 args=1 rets=0
.const str \"hello\"
.func init
    RET
.func frame
    PUSH_CONST 0
    SYSCALL 0x5001
    RET
.export init init
.export frame frame
";

fn bank(size: TileSize, tiles: usize, colour: u16) -> SpriteBank {
    let side = size.pixels();
    SpriteBank::new(size, vec![colour; side * side * tiles]).unwrap()
}

fn game_entries() -> Vec<PmcEntry> {
    let mut entries = carts::entries(
        &carts::manifest(),
        GAME,
        &[bank(TileSize::S8, 2, 1), bank(TileSize::S16, 1, 2)],
    );
    entries.push(PmcEntry {
        name: "assets/music/theme.bin".into(),
        data: vec![9, 9],
    });
    entries.push(PmcEntry {
        name: "assets/sprites/hero_16.png".into(),
        data: vec![0x89],
    });
    entries
}

fn check_game(cart: &Cartridge) {
    assert_eq!(cart.manifest, carts::manifest());
    assert_eq!(cart.program.export("frame"), Some(cart.entrypoint));
    assert_eq!(cart.entrypoint, 1);
    assert_eq!(cart.sprite_banks.len(), 2);
    assert_eq!(cart.sprite_banks[0].tile_size(), TileSize::S8);
    assert_eq!(cart.sprite_banks[0].tile_count(), 2);
    assert_eq!(cart.sprite_banks[1].tile_size(), TileSize::S16);
    let assets: Vec<&str> = cart.assets.keys().map(String::as_str).collect();
    assert_eq!(
        assets,
        ["assets/music/theme.bin", "assets/sprites/hero_16.png"]
    );
    assert_eq!(cart.assets["assets/music/theme.bin"], [9, 9]);
}

#[test]
fn loads_a_directory_and_its_pmc_identically() {
    let dir = tempfile::tempdir().unwrap();
    let cart_dir = dir.path().join("cart");
    carts::write_dir(&cart_dir, &game_entries());
    // Files outside manifest.json, program.pbc and assets/ are not part of the cartridge.
    std::fs::write(cart_dir.join("notes.txt"), "scratch").unwrap();
    let from_dir = load_cartridge(&cart_dir).unwrap();
    check_game(&from_dir);

    let packed = pack_cartridge_dir(&cart_dir).unwrap();
    let mut expected = game_entries();
    expected.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(read_cartridge_dir(&cart_dir).unwrap(), expected);
    assert_eq!(packed, write_pmc(&expected).unwrap());
    let pmc_path = dir.path().join("game.pmc");
    std::fs::write(&pmc_path, &packed).unwrap();
    let from_pmc = load_cartridge(&pmc_path).unwrap();
    check_game(&from_pmc);
    assert_eq!(from_pmc.program, from_dir.program);
    assert_eq!(from_pmc.sprite_banks, from_dir.sprite_banks);
    assert_eq!(from_pmc.assets, from_dir.assets);
}

/// Applies `change` to the game's entries and loads the result.
fn load_changed(change: impl FnOnce(&mut Vec<PmcEntry>)) -> Result<Cartridge, CartridgeError> {
    let mut entries = game_entries();
    change(&mut entries);
    Cartridge::from_entries(entries)
}

fn set(entries: &mut Vec<PmcEntry>, name: &str, data: Vec<u8>) {
    entries.retain(|e| e.name != name);
    entries.push(PmcEntry {
        name: name.into(),
        data,
    });
}

fn set_manifest(entries: &mut Vec<PmcEntry>, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut json: serde_json::Value = serde_json::from_str(&carts::manifest().to_json()).unwrap();
    edit(&mut json);
    set(entries, "manifest.json", json.to_string().into_bytes());
}

fn set_program(entries: &mut Vec<PmcEntry>, asm: &str) {
    set(entries, "program.pbc", carts::pbc(asm));
}

/// Every refusal, one line each, pinned.
#[test]
fn every_failure_is_refused_with_the_file_named() {
    let cases: Vec<(&str, Result<Cartridge, CartridgeError>)> = vec![
        (
            "no manifest",
            load_changed(|e| e.retain(|e| e.name != "manifest.json")),
        ),
        (
            "no program",
            load_changed(|e| e.retain(|e| e.name != "program.pbc")),
        ),
        (
            "manifest not UTF-8",
            load_changed(|e| set(e, "manifest.json", vec![0xff])),
        ),
        (
            "manifest not JSON",
            load_changed(|e| set(e, "manifest.json", b"{ nope".to_vec())),
        ),
        (
            "manifest field missing",
            load_changed(|e| {
                set_manifest(e, |j| {
                    j.as_object_mut().unwrap().remove("app_id");
                })
            }),
        ),
        (
            "wrong magic",
            load_changed(|e| set_manifest(e, |j| j["magic"] = "PMTX".into())),
        ),
        (
            "wrong version",
            load_changed(|e| set_manifest(e, |j| j["cartridge_version"] = 2.into())),
        ),
        (
            "bad app_mode",
            load_changed(|e| set_manifest(e, |j| j["app_mode"] = "Arcade".into())),
        ),
        (
            "entrypoint not exported",
            load_changed(|e| set_manifest(e, |j| j["entrypoint"] = "main".into())),
        ),
        (
            "program not PBC",
            load_changed(|e| set(e, "program.pbc", b"PBC\0garbage".to_vec())),
        ),
        (
            "program fails verification",
            load_changed(|e| set_program(e, ".func frame\n PUSH_I32 1\n RET\n.export frame frame")),
        ),
        (
            "unknown system call",
            load_changed(|e| {
                set_program(
                    e,
                    ".syscall 0x7777 args=0 rets=0\n.func frame\n SYSCALL 0x7777\n RET\n.export frame frame",
                )
            }),
        ),
        (
            "init takes a parameter",
            load_changed(|e| {
                set_program(
                    e,
                    ".func init params=(i32)\n RET\n.func frame\n RET\n.export init init\n.export frame frame",
                )
            }),
        ),
        (
            "bank named with one digit",
            load_changed(|e| set(e, "assets/sprites/2.bank", bank(TileSize::S8, 1, 0).write())),
        ),
        (
            "bank number gap",
            load_changed(|e| {
                set(
                    e,
                    "assets/sprites/03.bank",
                    bank(TileSize::S8, 1, 0).write(),
                )
            }),
        ),
        (
            "bank number twice",
            load_changed(|e| {
                set(
                    e,
                    "assets/sprites/001.bank",
                    bank(TileSize::S8, 1, 0).write(),
                )
            }),
        ),
        (
            "damaged bank",
            load_changed(|e| {
                set(
                    e,
                    "assets/sprites/01.bank",
                    b"PSB1\x10\0\0\0\x05\0\0\0".to_vec(),
                )
            }),
        ),
        (
            "unexpected entry",
            load_changed(|e| set(e, "readme.txt", b"hi".to_vec())),
        ),
    ];
    let report: Vec<String> = cases
        .into_iter()
        .map(|(what, result)| match result {
            Ok(_) => format!("{what}: LOADED"),
            Err(e) => format!("{what}: {e}"),
        })
        .collect();
    insta::assert_snapshot!(report.join("\n"));
}

fn load_error(path: &Path, tmp: &Path) -> String {
    let err = load_cartridge(path).unwrap_err().to_string();
    err.replace(&tmp.display().to_string(), "<tmp>")
}

#[test]
fn a_bare_program_loads_as_a_game() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.pbc");
    std::fs::write(&path, carts::pbc(GAME)).unwrap();
    let cart = load_cartridge(&path).unwrap();
    assert_eq!(cart.manifest.title, "demo");
    assert_eq!(cart.manifest.app_id, 0);
    assert_eq!(cart.entrypoint, 1);
    assert!(cart.sprite_banks.is_empty() && cart.assets.is_empty());
}

#[test]
fn paths_that_are_not_cartridges_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path();
    std::fs::write(tmp.join("game.zip"), b"PK\x03\x04").unwrap();
    std::fs::write(tmp.join("broken.pmc"), b"PMC1\x01\0\0\0").unwrap();
    std::fs::create_dir(tmp.join("empty")).unwrap();
    let mut no_program = game_entries();
    no_program.retain(|e| e.name != "program.pbc");
    std::fs::write(tmp.join("no_program.pmc"), write_pmc(&no_program).unwrap()).unwrap();
    std::fs::write(
        tmp.join("no_frame.pbc"),
        carts::pbc(".func main\n RET\n.export main main"),
    )
    .unwrap();
    let report = [
        load_error(&tmp.join("game.zip"), tmp),
        load_error(&tmp.join("broken.pmc"), tmp),
        load_error(&tmp.join("empty"), tmp),
        load_error(&tmp.join("no_program.pmc"), tmp),
        load_error(&tmp.join("no_frame.pbc"), tmp),
    ];
    assert!(load_cartridge(&tmp.join("missing")).is_err());
    insta::assert_snapshot!(report.join("\n"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Damaged files inside a cartridge are refused or loaded, never a panic.
        #[test]
        fn damaged_entries_never_panic(
            which in 0usize..4,
            position in any::<prop::sample::Index>(),
            xor in 1u8..=255,
            cut in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let mut entries = game_entries();
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            let data = &mut entries[which].data;
            if truncate {
                let keep = cut.index(data.len() + 1);
                data.truncate(keep);
            } else if !data.is_empty() {
                let i = position.index(data.len());
                data[i] ^= xor;
            }
            let _ = Cartridge::from_entries(entries);
        }

        /// Arbitrary entry lists are refused or loaded, never a panic.
        #[test]
        fn arbitrary_entries_never_panic(
            names in prop::collection::vec(
                prop::sample::select(vec![
                    "manifest.json", "program.pbc", "assets/sprites/00.bank",
                    "assets/sprites/01.bank", "assets/x", "other",
                ]),
                0..6,
            ),
            data in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 6),
        ) {
            let entries = names
                .iter()
                .zip(data)
                .map(|(name, data)| PmcEntry { name: (*name).to_owned(), data })
                .collect();
            let _ = Cartridge::from_entries(entries);
        }
    }
}
