//! The cartridge manifest, `manifest.json` (`machine.md` §8).

use prometeu_bytecode::Program;
use serde::{Deserialize, Serialize};

/// The `magic` every manifest carries.
pub const MANIFEST_MAGIC: &str = "PMTU";
/// The only `cartridge_version` this console loads.
pub const CARTRIDGE_VERSION: u32 = 1;

/// Whether the cartridge is a game or a system application.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum AppMode {
    /// A game.
    Game,
    /// A system application (e.g. a launcher).
    System,
}

/// A cartridge's `manifest.json`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `"PMTU"`.
    pub magic: String,
    /// Always 1.
    pub cartridge_version: u32,
    /// The application's id; also seeds `System.random`.
    pub app_id: u32,
    /// Shown by hosts and launchers.
    pub title: String,
    /// The application's own version text, e.g. `0.1.0`.
    pub app_version: String,
    /// Game or system application.
    pub app_mode: AppMode,
    /// The exported function run each frame, usually `frame`.
    pub entrypoint: String,
}

/// Why a manifest is refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ManifestError {
    /// Not JSON, or a field missing, unknown or of the wrong type.
    Json(String),
    /// `magic` is not `"PMTU"`.
    WrongMagic(String),
    /// `cartridge_version` is not 1.
    UnsupportedVersion(u32),
    /// `title` or `entrypoint` is empty.
    EmptyField(&'static str),
    /// The program exports no function named `entrypoint`.
    EntrypointNotExported(String),
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestError::Json(e) => write!(f, "manifest.json is not a valid manifest: {e}"),
            ManifestError::WrongMagic(m) => {
                write!(
                    f,
                    "manifest.json: magic is {m:?}, expected \"{MANIFEST_MAGIC}\""
                )
            }
            ManifestError::UnsupportedVersion(v) => write!(
                f,
                "manifest.json: cartridge_version {v} is not supported (expected {CARTRIDGE_VERSION})"
            ),
            ManifestError::EmptyField(field) => write!(f, "manifest.json: `{field}` is empty"),
            ManifestError::EntrypointNotExported(e) => write!(
                f,
                "manifest.json: entrypoint `{e}` is not an exported function of the program"
            ),
        }
    }
}

impl std::error::Error for ManifestError {}

impl Manifest {
    /// A valid manifest for a game with the usual `frame` entry point.
    pub fn new_game(app_id: u32, title: &str, app_version: &str) -> Manifest {
        Manifest {
            magic: MANIFEST_MAGIC.into(),
            cartridge_version: CARTRIDGE_VERSION,
            app_id,
            title: title.into(),
            app_version: app_version.into(),
            app_mode: AppMode::Game,
            entrypoint: "frame".into(),
        }
    }

    /// Parses and validates `manifest.json` text.
    pub fn from_json(text: &str) -> Result<Manifest, ManifestError> {
        let m: Manifest =
            serde_json::from_str(text).map_err(|e| ManifestError::Json(e.to_string()))?;
        m.validate()?;
        Ok(m)
    }

    /// The manifest as pretty JSON (fields in declaration order, deterministic).
    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks `magic`, `cartridge_version` and the non-empty fields.
    pub fn validate(&self) -> Result<(), ManifestError> {
        if self.magic != MANIFEST_MAGIC {
            return Err(ManifestError::WrongMagic(self.magic.clone()));
        }
        if self.cartridge_version != CARTRIDGE_VERSION {
            return Err(ManifestError::UnsupportedVersion(self.cartridge_version));
        }
        if self.title.trim().is_empty() {
            return Err(ManifestError::EmptyField("title"));
        }
        if self.entrypoint.is_empty() {
            return Err(ManifestError::EmptyField("entrypoint"));
        }
        Ok(())
    }

    /// The index of the entry-point function among the program's exports.
    pub fn resolve_entrypoint(&self, program: &Program) -> Result<u32, ManifestError> {
        program
            .export(&self.entrypoint)
            .ok_or_else(|| ManifestError::EntrypointNotExported(self.entrypoint.clone()))
    }
}
