//! Shared helpers: cartridges built from hand-written assembly.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use prometeu_abi::Manifest;
use prometeu_bytecode::{assemble, write_program};
use prometeu_kernel::Cartridge;
use prometeu_kernel::pmc::PmcEntry;
use prometeu_kernel::sprites::SpriteBank;

/// The manifest of a test game with `app_id` 1001.
pub fn manifest() -> Manifest {
    Manifest::new_game(1001, "Test", "0.1.0")
}

/// Assembles `asm` (panicking with the assembler's message on a mistake in the test).
pub fn pbc(asm: &str) -> Vec<u8> {
    let program = assemble(asm).unwrap_or_else(|e| panic!("test assembly: {e}"));
    write_program(&program)
}

/// The entries of a cartridge with this manifest, program and sprite banks.
pub fn entries(manifest: &Manifest, asm: &str, banks: &[SpriteBank]) -> Vec<PmcEntry> {
    let mut out = vec![
        PmcEntry {
            name: "manifest.json".into(),
            data: manifest.to_json().into_bytes(),
        },
        PmcEntry {
            name: "program.pbc".into(),
            data: pbc(asm),
        },
    ];
    for (i, bank) in banks.iter().enumerate() {
        out.push(PmcEntry {
            name: format!("assets/sprites/{i:02}.bank"),
            data: bank.write(),
        });
    }
    out
}

/// Writes entries as files under `dir`.
pub fn write_dir(dir: &Path, entries: &[PmcEntry]) {
    for e in entries {
        let path = dir.join(&e.name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &e.data).unwrap();
    }
}

/// A cartridge from assembly, with the test manifest and the given banks.
pub fn cartridge(asm: &str, banks: Vec<SpriteBank>) -> Cartridge {
    let program = assemble(asm).unwrap_or_else(|e| panic!("test assembly: {e}"));
    Cartridge::new(manifest(), program, banks, BTreeMap::new())
        .unwrap_or_else(|e| panic!("test cartridge: {e}"))
}
