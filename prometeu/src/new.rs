//! `prometeu new DIR [--lib]`: a project that checks, builds and runs as it is.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use prometeu_analysis::project::manifest::is_valid_name;

const APP_MAIN: &str = r#"/// Where the player is. Services keep state from one frame to the next.
service Player {
    let mut x: int = 156;
    let mut y: int = 86;

    pub fn update(pad: Pad) {
        if pad.left.down { x -= 2; }
        if pad.right.down { x += 2; }
        if pad.up.down { y -= 2; }
        if pad.down.down { y += 2; }
    }

    pub fn draw() {
        Gfx.fill_rect(x, y, 8, 8, Color.YELLOW);
    }
}

fn init() {
    Log.info("hello from {NAME}");
}

fn frame() {
    Player.update(Input.pad());
    Gfx.clear(Color.rgb(20, 24, 40));
    Gfx.text(4, 4, "{NAME}", Color.WHITE);
    Player.draw();
}
"#;

const LIB_MAIN: &str = r#"/// Linear interpolation between `a` and `b`.
pub fn lerp(a: float, b: float, t: float): float {
    return a + (b - a) * t;
}
"#;

/// Creates the project in `dir` (which must not exist or be empty).
pub fn new_project(dir: &Path, lib: bool) -> anyhow::Result<ExitCode> {
    // `prometeu new .` (or `..`) names the project after the directory itself.
    let full = std::fs::canonicalize(dir)
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf());
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_valid_name(&name) {
        bail!(
            "`{name}` is not a valid project name: use lowercase ASCII letters, digits, `-` and `_` \
             (the directory's name becomes the project's name)"
        );
    }
    if dir.exists()
        && dir
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!("`{}` already exists and is not empty", dir.display());
    }
    let (kind, file, source) = if lib {
        ("lib", "lib.pbs", LIB_MAIN.to_string())
    } else {
        ("app", "main.pbs", APP_MAIN.replace("{NAME}", &name))
    };
    let title = if lib {
        String::new()
    } else {
        format!(",\n  \"title\": \"{name}\",\n  \"app_id\": 0")
    };
    let manifest = format!(
        "{{\n  \"name\": \"{name}\",\n  \"version\": \"0.1.0\",\n  \"kind\": \"{kind}\"{title}\n}}\n"
    );
    let src = dir.join("src");
    std::fs::create_dir_all(&src).with_context(|| format!("cannot create `{}`", src.display()))?;
    std::fs::write(dir.join("prometeu.json"), manifest).context("cannot write prometeu.json")?;
    std::fs::write(src.join(file), source).with_context(|| format!("cannot write src/{file}"))?;
    std::fs::write(dir.join(".gitignore"), "/build/\n").context("cannot write .gitignore")?;
    eprintln!("created {kind} `{name}` in {}", dir.display());
    Ok(ExitCode::SUCCESS)
}
