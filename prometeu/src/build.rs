//! `prometeu build`: check, compile, verify, and write the outputs of `toolchain.md` §3
//! (`build/cart/…`, `symbols.json`, `analysis.json`, and with `--pack` one `.pmc`).
//!
//! Everything is first laid out in memory as a sorted map of relative paths to bytes, so
//! the outputs are deterministic by construction; then the files are written into a
//! temporary directory inside the output directory and renamed into place, so a failed
//! build never leaves a half-written cartridge.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use prometeu_analysis::project::ProjectKind;
use prometeu_analysis::{FileId, LineIndex};
use prometeu_bytecode::Program;
use prometeu_compiler::exports::{analysis_json, symbols_json};
use prometeu_compiler::{CompileError, compile};
use prometeu_kernel::Cartridge;
use prometeu_kernel::cartridge::{ASSETS_DIR, MANIFEST_FILE, PROGRAM_FILE, SPRITES_DIR};
use prometeu_kernel::pmc::{PmcEntry, write_pmc};
use prometeu_kernel::sprites::{SpriteBank, TileSize};

use crate::check::{Checked, analyse, print_human_diagnostics, summary};
use crate::progress::Progress;
use crate::target::{Located, locate};

/// The cartridge directory inside the output directory.
pub const CART_DIR: &str = "cart";
/// How deep a project's `assets/` may nest (the kernel's limit for cartridge dirs).
const MAX_ASSET_DEPTH: usize = prometeu_kernel::cartridge::MAX_ASSET_DEPTH;

/// A program that checked and compiled, with its cartridge (apps only) in memory.
pub struct Built {
    /// The analysed program (its files are the sources the debug map names).
    pub checked: Checked,
    /// The verified cartridge, for an app.
    pub cartridge: Option<Cartridge>,
}

/// Why a build produced nothing: the user's program or project is wrong (exit 1).
/// Everything was already printed.
pub struct BuildFailed;

/// `prometeu build [DIR] [--out DIR] [--pack]`.
pub fn build(dir: &Path, out: Option<&Path>, pack: bool) -> anyhow::Result<ExitCode> {
    // Any directory inside a project, or any of its source files, builds that project
    // into its own `build/`, as cargo builds the package around a path.
    let dir = match locate(dir)? {
        Located::Project { dir, .. } => dir,
        Located::LooseFile(path) => bail!(
            "`{}` is a loose file, in no project's `src/`: `build` builds a project \
             (run the file with `prometeu run {}`, or make it a project with `prometeu new`)",
            path.display(),
            path.display()
        ),
    };
    let out = out.map_or_else(|| dir.join("build"), Path::to_path_buf);
    match build_project(&dir, &out, pack)? {
        Ok(built) => {
            eprintln!("{}", built_summary(&built, &out, pack));
            Ok(ExitCode::SUCCESS)
        }
        Err(BuildFailed) => Ok(ExitCode::from(1)),
    }
}

/// Builds the project in `dir` into `out`; diagnostics and errors are printed to
/// stderr. The outer `Err` is an I/O or usage failure (exit 2).
pub fn build_project(
    dir: &Path,
    out: &Path,
    pack: bool,
) -> anyhow::Result<Result<Built, BuildFailed>> {
    let mut progress = Progress::for_stderr();
    progress.stage(|| format!("checking {}", dir.display()));
    let checked = analyse(dir)?;
    progress.clear();
    print_human_diagnostics(&checked)?;
    if checked.analysis.has_errors() {
        eprintln!("{}", summary(&checked));
        return Ok(Err(BuildFailed));
    }
    let Some(root) = checked.graph.projects.first() else {
        bail!("`{}` holds no project", dir.display());
    };
    progress.stage(|| {
        let files = checked.graph.files.len();
        let plural = if files == 1 { "" } else { "s" };
        format!("building {} ({files} source file{plural})", root.name)
    });
    let mut files = BTreeMap::new();
    files.insert(
        "symbols.json".to_owned(),
        with_newline(symbols_json(&checked.analysis, &checked.graph)),
    );
    files.insert(
        "analysis.json".to_owned(),
        with_newline(analysis_json(&checked.analysis, &checked.graph)),
    );
    let mut cartridge = None;
    if root.kind == ProjectKind::App {
        // A compile error is printed from inside: no status line may be in its way.
        progress.stage(|| format!("compiling {}", root.name));
        let compiled = compile(&checked.analysis, &checked.graph);
        progress.clear();
        let program = match compiled {
            Ok(compiled) => compiled.program,
            Err(e) => {
                eprintln!("{}", render_compile_error(&checked, &e));
                return Ok(Err(BuildFailed));
            }
        };
        let manifest = manifest_for(&checked);
        let mut entries = vec![
            PmcEntry {
                name: MANIFEST_FILE.to_owned(),
                data: with_newline(manifest.to_json()),
            },
            PmcEntry {
                name: PROGRAM_FILE.to_owned(),
                data: prometeu_bytecode::pbc::write_program(&program),
            },
        ];
        match collect_assets(&root.dir)? {
            Ok(assets) => entries.extend(assets),
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(Err(BuildFailed));
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        // The `.pmc` writer checks every entry name, so it runs even without `--pack`.
        let pmc = match write_pmc(&entries) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("error: cannot pack the cartridge: {e}");
                return Ok(Err(BuildFailed));
            }
        };
        if pack {
            files.insert(format!("{}.pmc", root.name), pmc);
        }
        for entry in &entries {
            files.insert(format!("{CART_DIR}/{}", entry.name), entry.data.clone());
        }
        match Cartridge::from_entries(entries) {
            Ok(cart) => cartridge = Some(cart),
            Err(e) => {
                eprintln!("error: the built cartridge does not load: {CART_DIR}/{e}");
                return Ok(Err(BuildFailed));
            }
        }
    }
    write_outputs(out, &files)?;
    Ok(Ok(Built { checked, cartridge }))
}

/// The one-line summary, e.g. `built hello → build/cart (1234 bytes of code, 7
/// functions)`, ending `, packed as build/hello.pmc` with `--pack`.
fn built_summary(built: &Built, out: &Path, pack: bool) -> String {
    let name = built
        .checked
        .graph
        .projects
        .first()
        .map_or("", |p| p.name.as_str());
    match &built.cartridge {
        Some(cart) => {
            let functions = cart.program.functions.len();
            let mut line = format!(
                "built {name} → {} ({} bytes of code, {functions} function{})",
                out.join(CART_DIR).display(),
                cart.program.code.len(),
                if functions == 1 { "" } else { "s" }
            );
            if pack {
                let pmc = out.join(format!("{name}.pmc"));
                line.push_str(&format!(", packed as {}", pmc.display()));
            }
            line
        }
        None => format!(
            "built {name} (library) → {}",
            out.join("symbols.json").display()
        ),
    }
}

/// Compiles a checked program, printing a compiler error as a diagnostic.
pub fn compile_checked(checked: &Checked) -> Result<Program, BuildFailed> {
    match compile(&checked.analysis, &checked.graph) {
        Ok(compiled) => Ok(compiled.program),
        Err(e) => {
            eprintln!("{}", render_compile_error(checked, &e));
            Err(BuildFailed)
        }
    }
}

/// `error: MESSAGE` with the `file:line:col` of its span when it has one.
fn render_compile_error(checked: &Checked, e: &CompileError) -> String {
    let mut text = format!("error: {}", e.message);
    if let Some(span) = e.span {
        let at = location(checked, span.file, span.start);
        text.push_str(&format!("\n  --> {at}"));
    }
    text
}

/// `path:line:col` (1-based) of `offset` in `file`.
fn location(checked: &Checked, file: FileId, offset: u32) -> String {
    let path = checked.display_path(file);
    let text = checked.db.text(file);
    match LineIndex::new(text).offset_to_line_col(offset) {
        Some(at) => format!("{path}:{}:{}", at.line + 1, at.col + 1),
        None => path,
    }
}

/// The cartridge manifest of the root project (`machine.md` §8).
pub fn manifest_for(checked: &Checked) -> prometeu_abi::Manifest {
    let (app_id, title, version) = match checked.graph.projects.first() {
        Some(p) => {
            let title = if p.title.is_empty() {
                p.name.as_str()
            } else {
                p.title.as_str()
            };
            (p.app_id, title, p.version.as_str())
        }
        None => (0, "program", "0.0.0"),
    };
    prometeu_abi::Manifest::new_game(app_id, title, version)
}

fn with_newline(mut text: String) -> Vec<u8> {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.into_bytes()
}

/// The cartridge entries for the project's `assets/`: every file copied as is, except
/// that the PNGs directly in `assets/sprites/` become sprite banks `NN.bank`, numbered
/// from 00 in bytewise file-name order. `Err` is the user's mistake (exit 1); the outer
/// `Err` an I/O failure.
fn collect_assets(project_dir: &Path) -> anyhow::Result<Result<Vec<PmcEntry>, String>> {
    let root = project_dir.join("assets");
    if !root.is_dir() {
        return Ok(Ok(Vec::new()));
    }
    let mut files = Vec::new();
    if let Err(message) = walk(&root, "", 0, &mut files)? {
        return Ok(Err(message));
    }
    let mut entries = Vec::new();
    let mut sprites = Vec::new();
    for (rel, path) in files {
        let name = format!("{ASSETS_DIR}{rel}");
        let in_sprites = name
            .strip_prefix(SPRITES_DIR)
            .filter(|rest| !rest.contains('/'));
        match in_sprites {
            Some(file) if file.to_ascii_lowercase().ends_with(".png") => {
                sprites.push((file.to_owned(), path));
            }
            Some(file) if file.ends_with(".bank") => {
                return Ok(Err(format!(
                    "{name}: sprite banks are built from PNG files; put `{}` in its place",
                    file.replace(".bank", ".png")
                )));
            }
            _ => {
                let data =
                    fs::read(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
                entries.push(PmcEntry { name, data });
            }
        }
    }
    for (number, (file, path)) in sprites.into_iter().enumerate() {
        let bytes = fs::read(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        let bank = match SpriteBank::from_png(&bytes, TileSize::from_file_name(&file)) {
            Ok(bank) => bank,
            Err(e) => return Ok(Err(format!("{SPRITES_DIR}{file}: {e}"))),
        };
        entries.push(PmcEntry {
            name: format!("{SPRITES_DIR}{number:02}.bank"),
            data: bank.write(),
        });
    }
    Ok(Ok(entries))
}

/// Lists the files under `dir` (links followed) as (path relative to `assets/`, path),
/// sorted bytewise by relative path.
fn walk(
    dir: &Path,
    prefix: &str,
    depth: usize,
    out: &mut Vec<(String, PathBuf)>,
) -> anyhow::Result<Result<(), String>> {
    if depth > MAX_ASSET_DEPTH {
        return Ok(Err(format!(
            "assets/{prefix}: nested deeper than {MAX_ASSET_DEPTH} directories (a link loop?)"
        )));
    }
    let mut children = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        let Ok(name) = entry.file_name().into_string() else {
            return Ok(Err(format!(
                "assets/{prefix}: a file name is not UTF-8: {:?}",
                entry.file_name()
            )));
        };
        children.push((name, entry.path()));
    }
    children.sort();
    for (name, path) in children {
        let rel = format!("{prefix}{name}");
        let meta =
            fs::metadata(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if meta.is_dir() {
            if let Err(message) = walk(&path, &format!("{rel}/"), depth + 1, out)? {
                return Ok(Err(message));
            }
        } else {
            out.push((rel, path));
        }
    }
    Ok(Ok(()))
}

/// Writes `files` under `out`: first into a temporary directory inside `out`, then each
/// top-level output (`cart/`, `symbols.json`, …) is renamed over the old one.
fn write_outputs(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> anyhow::Result<()> {
    fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let staging = out.join(format!(".staging-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot remove `{}`", staging.display()))?;
    }
    let result = stage_and_swap(out, &staging, files);
    // Best effort: after a successful swap the staging directory is empty.
    let _ = fs::remove_dir_all(&staging);
    result
}

fn stage_and_swap(
    out: &Path,
    staging: &Path,
    files: &BTreeMap<String, Vec<u8>>,
) -> anyhow::Result<()> {
    let mut tops = Vec::new();
    for (rel, data) in files {
        let path = staging.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        let mut file = fs::File::create(&path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        file.write_all(data)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        let top = rel.split('/').next().unwrap_or(rel).to_owned();
        if !tops.contains(&top) {
            tops.push(top);
        }
    }
    for top in tops {
        let dest = out.join(&top);
        if dest.is_dir() {
            fs::remove_dir_all(&dest)
                .with_context(|| format!("cannot replace `{}`", dest.display()))?;
        }
        fs::rename(staging.join(&top), &dest)
            .with_context(|| format!("cannot write `{}`", dest.display()))?;
    }
    Ok(())
}
