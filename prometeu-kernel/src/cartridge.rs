//! Loading a cartridge (`machine.md` §8) from a directory or a `.pmc` archive into
//! memory: the manifest, the verified program, the sprite banks and the other assets.
//!
//! Both forms go through the same path: a directory is first read into the list of
//! entries a `.pmc` would hold ([`read_cartridge_dir`]), then
//! [`Cartridge::from_entries`] checks everything. Every failure names the file it is
//! about.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::Path;

use prometeu_abi::{ConsoleSyscalls, Manifest, ManifestError};
use prometeu_bytecode::{Program, VerifiedProgram, read_program, verify_program};

use crate::pmc::{PMC_MAGIC, PmcEntry, check_entry_name, read_pmc, write_pmc};
use crate::sprites::SpriteBank;

/// The manifest's path inside a cartridge.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The program's path inside a cartridge.
pub const PROGRAM_FILE: &str = "program.pbc";
/// The directory of assets inside a cartridge (with its trailing `/`).
pub const ASSETS_DIR: &str = "assets/";
/// The directory of sprite banks inside a cartridge (with its trailing `/`).
pub const SPRITES_DIR: &str = "assets/sprites/";
/// The export the kernel runs before `init` to initialise service fields that need
/// code (allocations), when the program has one (`machine.md` §6).
pub const INIT_GLOBALS_EXPORT: &str = "__init_globals";
/// The optional export run once before the first frame.
pub const INIT_EXPORT: &str = "init";
/// How deep a cartridge directory's `assets/` may nest (guards against link loops).
pub const MAX_ASSET_DEPTH: usize = 32;

/// A cartridge in memory, checked and ready to run.
#[derive(Clone, Debug)]
pub struct Cartridge {
    /// `manifest.json`, validated.
    pub manifest: Manifest,
    /// `program.pbc`, read and verified against the console's system-call table (the
    /// same program as `verified.program()`, kept for readers; the kernel runs
    /// `verified`).
    pub program: Program,
    /// The program with what verification proved (stack depths, frame maps, handle
    /// layouts): what the VM loads. Only [`verify_program`] makes one.
    pub verified: VerifiedProgram,
    /// The function index of the manifest's `entrypoint`.
    pub entrypoint: u32,
    /// `assets/sprites/NN.bank`, in bank-number order (bank `i` is `Gfx.sprite`'s `i`).
    pub sprite_banks: Vec<SpriteBank>,
    /// Every other file under `assets/`, keyed by its cartridge path (`assets/…`).
    pub assets: BTreeMap<String, Vec<u8>>,
}

/// Why a cartridge cannot be loaded: the file concerned and what is wrong with it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CartridgeError {
    /// The file: a path inside the cartridge (`manifest.json`, `assets/sprites/00.bank`)
    /// or, for the cartridge itself, the path it was loaded from.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl CartridgeError {
    fn new(file: impl Into<String>, message: impl Into<String>) -> CartridgeError {
        CartridgeError {
            file: file.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for CartridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for CartridgeError {}

/// Loads a cartridge from a directory, a `.pmc` file, or a bare `program.pbc` (run as
/// a game with `app_id` 0, the file name as title, entry point `frame`, no assets).
pub fn load_cartridge(path: &Path) -> Result<Cartridge, CartridgeError> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| CartridgeError::new(&shown, e.to_string()))?;
    // Errors name the file as a path through the cartridge: `cart/manifest.json`,
    // `game.pmc/program.pbc`.
    let inside = |e: CartridgeError| CartridgeError::new(format!("{shown}/{}", e.file), e.message);
    if meta.is_dir() {
        return read_cartridge_dir(path)
            .and_then(Cartridge::from_entries)
            .map_err(inside);
    }
    let bytes = fs::read(path).map_err(|e| CartridgeError::new(&shown, e.to_string()))?;
    if bytes.starts_with(&prometeu_bytecode::pbc::MAGIC) {
        let title = path
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or("program");
        let manifest = Manifest::new_game(0, title, "0.0.0");
        let program =
            read_program(&bytes).map_err(|e| CartridgeError::new(&shown, e.to_string()))?;
        return Cartridge::new(manifest, program, Vec::new(), BTreeMap::new()).map_err(|e| {
            // The manifest is made up here, so every problem is the program's.
            CartridgeError::new(&shown, e.message)
        });
    }
    if !bytes.starts_with(&PMC_MAGIC) {
        return Err(CartridgeError::new(
            &shown,
            "not a cartridge: expected a cartridge directory, a `.pmc` archive or a `.pbc` program",
        ));
    }
    let entries = read_pmc(&bytes).map_err(|e| CartridgeError::new(&shown, e.to_string()))?;
    Cartridge::from_entries(entries).map_err(inside)
}

/// Reads a cartridge directory into the entries a `.pmc` of it holds: `manifest.json`,
/// `program.pbc` and every file under `assets/`, sorted by name. Other files are left
/// out. Missing required files are not an error here ([`Cartridge::from_entries`]
/// reports them).
pub fn read_cartridge_dir(dir: &Path) -> Result<Vec<PmcEntry>, CartridgeError> {
    let mut entries = Vec::new();
    for name in [MANIFEST_FILE, PROGRAM_FILE] {
        let path = dir.join(name);
        if path.is_file() {
            let data = fs::read(&path).map_err(|e| CartridgeError::new(name, e.to_string()))?;
            entries.push(PmcEntry {
                name: name.to_owned(),
                data,
            });
        }
    }
    let assets = dir.join(ASSETS_DIR.trim_end_matches('/'));
    if assets.is_dir() {
        read_assets(&assets, "assets", 0, &mut entries)?;
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

fn read_assets(
    dir: &Path,
    prefix: &str,
    depth: usize,
    out: &mut Vec<PmcEntry>,
) -> Result<(), CartridgeError> {
    if depth > MAX_ASSET_DEPTH {
        return Err(CartridgeError::new(
            prefix,
            format!("assets nest deeper than {MAX_ASSET_DEPTH} directories"),
        ));
    }
    let io = |e: std::io::Error| CartridgeError::new(prefix, e.to_string());
    let mut children: Vec<(String, std::path::PathBuf)> = Vec::new();
    for item in fs::read_dir(dir).map_err(io)? {
        let item = item.map_err(io)?;
        let Some(file_name) = item.file_name().to_str().map(str::to_owned) else {
            return Err(CartridgeError::new(
                prefix,
                format!("{:?} is not a UTF-8 file name", item.file_name()),
            ));
        };
        children.push((file_name, item.path()));
    }
    children.sort();
    for (file_name, path) in children {
        let name = format!("{prefix}/{file_name}");
        if let Some(why) = check_entry_name(&name) {
            return Err(CartridgeError::new(&name, why));
        }
        if path.is_dir() {
            read_assets(&path, &name, depth + 1, out)?;
        } else {
            let data = fs::read(&path).map_err(|e| CartridgeError::new(&name, e.to_string()))?;
            out.push(PmcEntry { name, data });
        }
    }
    Ok(())
}

/// Packs a cartridge directory into `.pmc` bytes (what `prometeu build --pack` writes),
/// after checking that it loads.
pub fn pack_cartridge_dir(dir: &Path) -> Result<Vec<u8>, CartridgeError> {
    let entries = read_cartridge_dir(dir)?;
    Cartridge::from_entries(entries.clone())?;
    write_pmc(&entries).map_err(|e| CartridgeError::new(dir.display().to_string(), e.to_string()))
}

/// A manifest problem as a cartridge error about `manifest.json`.
fn manifest_error(e: ManifestError) -> CartridgeError {
    let message = match e {
        ManifestError::Json(json) => format!("not a valid manifest: {json}"),
        // The abi's other messages start with the file name, which the error carries.
        other => {
            let text = other.to_string();
            text.strip_prefix("manifest.json: ")
                .map_or(text.clone(), str::to_owned)
        }
    };
    CartridgeError::new(MANIFEST_FILE, message)
}

/// The bank number of a sprite-bank file name (`NN.bank`: at least two decimal digits).
fn bank_number(file_name: &str) -> Option<u32> {
    let digits = file_name.strip_suffix(".bank")?;
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Cartridge {
    /// Builds a cartridge from its entries (a `.pmc`'s, or a directory's through
    /// [`read_cartridge_dir`]).
    pub fn from_entries(entries: Vec<PmcEntry>) -> Result<Cartridge, CartridgeError> {
        let mut manifest = None;
        let mut program = None;
        let mut banks: Vec<(u32, String, Vec<u8>)> = Vec::new();
        let mut assets = BTreeMap::new();
        for PmcEntry { name, data } in entries {
            if name == MANIFEST_FILE {
                manifest = Some(data);
            } else if name == PROGRAM_FILE {
                program = Some(data);
            } else if name.starts_with(SPRITES_DIR) && name.ends_with(".bank") {
                let Some(number) = bank_number(&name[SPRITES_DIR.len()..]) else {
                    return Err(CartridgeError::new(
                        &name,
                        "sprite bank files are named with their number, at least two digits (`00.bank`, `01.bank`, …)",
                    ));
                };
                banks.push((number, name, data));
            } else if name.starts_with(ASSETS_DIR) {
                assets.insert(name, data);
            } else {
                return Err(CartridgeError::new(
                    &name,
                    "unexpected file: a cartridge holds manifest.json, program.pbc and assets/…",
                ));
            }
        }
        let manifest = manifest.ok_or_else(|| CartridgeError::new(MANIFEST_FILE, "missing"))?;
        let program = program.ok_or_else(|| CartridgeError::new(PROGRAM_FILE, "missing"))?;
        let text = std::str::from_utf8(&manifest)
            .map_err(|_| CartridgeError::new(MANIFEST_FILE, "not UTF-8 text"))?;
        let manifest = Manifest::from_json(text).map_err(manifest_error)?;
        let program =
            read_program(&program).map_err(|e| CartridgeError::new(PROGRAM_FILE, e.to_string()))?;

        banks.sort_by_key(|(number, _, _)| *number);
        let mut sprite_banks = Vec::with_capacity(banks.len());
        for (expected, (number, name, data)) in banks.into_iter().enumerate() {
            if number as usize != expected {
                let what = if (number as usize) < expected {
                    "another file has the same bank number".to_owned()
                } else {
                    format!(
                        "bank numbers must run from 00 without gaps; bank {expected:02} is missing"
                    )
                };
                return Err(CartridgeError::new(&name, what));
            }
            let bank =
                SpriteBank::read(&data).map_err(|e| CartridgeError::new(&name, e.to_string()))?;
            sprite_banks.push(bank);
        }
        Cartridge::new(manifest, program, sprite_banks, assets)
    }

    /// Builds a cartridge from parts already in memory (e.g. a freshly compiled
    /// program): verifies the program and resolves the entry point.
    pub fn new(
        manifest: Manifest,
        program: Program,
        sprite_banks: Vec<SpriteBank>,
        assets: BTreeMap<String, Vec<u8>>,
    ) -> Result<Cartridge, CartridgeError> {
        manifest.validate().map_err(manifest_error)?;
        let verified = verify_program(&program, &ConsoleSyscalls)
            .map_err(|e| CartridgeError::new(PROGRAM_FILE, format!("verification failed: {e}")))?;
        let entrypoint = manifest
            .resolve_entrypoint(&program)
            .map_err(manifest_error)?;
        for (name, func) in [
            (manifest.entrypoint.as_str(), Some(entrypoint)),
            (INIT_EXPORT, program.export(INIT_EXPORT)),
            (INIT_GLOBALS_EXPORT, program.export(INIT_GLOBALS_EXPORT)),
        ] {
            let Some(f) = func.and_then(|i| program.functions.get(i as usize)) else {
                continue;
            };
            if !f.params.is_empty() || !f.returns.is_empty() {
                return Err(CartridgeError::new(
                    PROGRAM_FILE,
                    format!(
                        "the exported function `{name}` must take no parameters and return nothing"
                    ),
                ));
            }
        }
        Ok(Cartridge {
            manifest,
            program,
            verified,
            entrypoint,
            sprite_banks,
            assets,
        })
    }
}
