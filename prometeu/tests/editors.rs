//! The editor packages of `editors/` (VS Code, Neovim, Helix) against the real tools:
//! the VS Code extension's Node tests (the TextMate grammar on every `.pbs` file of the
//! repository with vscode-textmate, the manifest, the client's command against this
//! binary, the `.vsix` build), Neovim loading the syntax file and the Lua client, and
//! the Helix entry. Each needs an outside tool; under CI (`CI` set) the tool must be
//! there (`.ci/run` installs it), elsewhere the test says how to get it and passes.

#[path = "support/examples.rs"]
mod examples;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use prometeu_analysis::FileId;
use prometeu_analysis::syntax::lex;
use prometeu_analysis::syntax::token::{Token, TokenKind};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repository root")
}

/// Whether an outside tool is there to run; under CI it must be.
fn external_tool(available: bool, what: &str, how: &str) -> bool {
    assert!(
        available || std::env::var_os("CI").is_none(),
        "CI must provide {what}"
    );
    if !available {
        eprintln!("skipped: no {what}; {how}");
    }
    available
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Directories that hold no source of the repository (build output, installs); the
/// same rule as `editors/vscode/test/grammar.test.js` and `editors/nvim/test/syntax.lua`.
fn skipped_dir(name: &str) -> bool {
    name.starts_with('.')
        || matches!(
            name,
            "target" | "node_modules" | "build" | "corpus" | "artifacts"
        )
}

/// Every `.pbs` file of the repository, relative to its root, with `/` separators.
fn pbs_files(dir: &Path, root: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if entry.file_type().expect("file type").is_dir() {
            if !skipped_dir(&name) {
                pbs_files(&path, root, found);
            }
        } else if name.ends_with(".pbs") {
            let relative = path.strip_prefix(root).expect("inside the repository");
            found.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn all_pbs_files() -> Vec<String> {
    let root = repo_root();
    let mut found = Vec::new();
    pbs_files(&root, &root, &mut found);
    found.sort();
    found
}

/// `editors/vscode`'s Node tests (`npm test`), with this binary as the server. They need
/// the pinned packages: `npm ci` in `editors/vscode` (`.ci/run` does it).
#[test]
fn the_vscode_extension_tests_pass() {
    let extension = repo_root().join("editors/vscode");
    let installed = extension
        .join("node_modules/vscode-textmate/package.json")
        .exists();
    let how = "run `npm ci` in editors/vscode (Node 20+)";
    if !external_tool(
        runs("node", "--version") && installed,
        "Node with editors/vscode's packages",
        how,
    ) {
        return;
    }
    let mut tests: Vec<PathBuf> = std::fs::read_dir(extension.join("test"))
        .expect("editors/vscode/test")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.to_string_lossy().ends_with(".test.js"))
        .collect();
    tests.sort();
    assert!(tests.len() >= 4, "{tests:?}");
    let output = Command::new("node")
        .arg("--test")
        .args(&tests)
        .current_dir(&extension)
        .env("PROMETEU_BIN", env!("CARGO_BIN_EXE_prometeu"))
        .env_remove("UPDATE_SNAPSHOTS")
        .stdin(Stdio::null())
        .output()
        .expect("node runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "editors/vscode tests failed:\n{report}"
    );
    assert!(report.contains("# fail 0"), "{report}");
    assert!(
        report.contains("# skipped 0"),
        "no test may skip here:\n{report}"
    );

    // The grammar test found the same files as this walk: one snapshot per file.
    let snapshots = extension.join("test/snapshots");
    for file in all_pbs_files() {
        assert!(
            snapshots.join(format!("{file}.scopes")).is_file(),
            "no grammar snapshot for {file}"
        );
    }
}

fn nvim_available() -> bool {
    external_tool(
        runs("nvim", "--version"),
        "`nvim` on the PATH",
        "Debian's package `neovim`",
    )
}

/// Runs `script` in headless Neovim (no user config, no swap files) from `dir` and
/// returns what it wrote to `$PROMETEU_NVIM_OUT`.
fn run_nvim(script: &Path, dir: &Path) -> String {
    let out = tempfile::NamedTempFile::new().expect("temp file");
    let status = Command::new("nvim")
        .args(["--headless", "-n", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir)
        .env("PROMETEU_BIN", env!("CARGO_BIN_EXE_prometeu"))
        .env("PROMETEU_NVIM_OUT", out.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .expect("nvim runs");
    assert!(status.success(), "{} failed", script.display());
    std::fs::read_to_string(out.path()).expect("the script wrote what it saw")
}

/// `editors/nvim` as a runtime directory: `.pbs` files get the `pbs` filetype, the
/// syntax file gives each lexical class its group, every non-blank character of every
/// `.pbs` file of the repository has a group, and the programs that lex clean show no
/// error group.
#[test]
fn neovim_colours_pbs_with_the_syntax_file() {
    if !nvim_available() {
        return;
    }
    let root = repo_root();
    let seen = run_nvim(&root.join("editors/nvim/test/syntax.lua"), &root);
    let probes = [
        ("import", "pbsImport"),
        ("Vec2", "pbsTypeName"),
        ("as", "pbsAs"),
        ("\"@math\"", "pbsString"),
        (";", "pbsDelimiter"),
        ("///", "pbsDocComment"),
        ("pub", "pbsStorage"),
        ("declare", "pbsStorage"),
        ("struct", "pbsStructure"),
        ("P(", "pbsTypeDecl"),
        ("float", "pbsPrimitive"),
        ("const", "pbsStorage"),
        ("ZERO", "pbsConstName"),
        ("0.0", "pbsFloat"),
        ("fn", "pbsKeyword"),
        ("frame", "pbsFuncName"),
        ("let", "pbsKeyword"),
        ("mut", "pbsStorage"),
        ("list", "pbsPrimitive"),
        ("<", "pbsOperator"),
        ("alloc", "pbsHip"),
        ("\\t", "pbsEscape"),
        ("\\u{1F600}", "pbsEscape"),
        ("\\q", "pbsEscapeError"),
        ("TODO", "pbsTodo"),
        ("note", "pbsComment"),
        ("0x1F", "pbsNumber"),
        ("1_000", "pbsNumber"),
        ("640b", "pbsBounded"),
        ("6.02E-3", "pbsFloat"),
        ("12abc", "pbsNumberError"),
        ("weak", "pbsReserved"),
        ("if", "pbsConditional"),
        ("when", "pbsConditional"),
        ("some", "pbsConstructor"),
        ("->", "pbsOperator"),
        ("self", "pbsSelf"),
        ("none", "pbsNone"),
        ("LoadError", "pbsTypeName"),
        ("NotFound", "pbsTypeName"),
        ("_", "pbsWildcard"),
        ("true", "pbsBoolean"),
        ("~=", "pbsForeignOperator"),
        ("#", "pbsForeignMark"),
        ("python", "pbsForeignComment"),
        ("'", "pbsForeignMark"),
        ("$", "pbsInvalidChar"),
        ("..", "pbsOperator"),
    ];
    let mut expected: String = probes
        .iter()
        .map(|(text, group)| format!("probe {text} {group}\n"))
        .collect();
    // No `untokenized` nor `error` line: only the count of files checked.
    expected.push_str(&format!("files {}\n", all_pbs_files().len()));
    assert_eq!(seen, expected);
}

/// `require("prometeu").setup()` of `editors/nvim`: a PBS buffer attaches to its
/// project's server, files of one project share a client, another project gets its
/// own, and hover answers.
#[test]
fn neovim_setup_attaches_each_project_to_its_server() {
    if !nvim_available() {
        return;
    }
    let (_temp, dir) = examples::copy_examples(&["town", "mathlib"]);
    let seen = run_nvim(&repo_root().join("editors/nvim/test/lsp.lua"), &dir);
    assert_eq!(
        seen,
        "filetype pbs\n\
         root town\n\
         same project, same client true\n\
         root mathlib\n\
         other project, other client true\n\
         hover fn lerp(a: float, b: float, t: float)\n\
         references lens lists true\n\
         stopped 0\n"
    );
}

/// `editors/helix/languages.toml` is valid TOML (read by Python's `tomllib`, 3.11+) and
/// declares the `pbs` language with the server command the README gives.
#[test]
fn the_helix_entry_declares_the_language_and_its_server() {
    let python = std::env::var("PROMETEU_E2E_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_tomllib = Command::new(&python)
        .args(["-c", "import tomllib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !external_tool(has_tomllib, "Python 3.11+ (tomllib)", "install python3") {
        return;
    }
    let file = repo_root().join("editors/helix/languages.toml");
    let output = Command::new(&python)
        .args([
            "-c",
            "import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))))",
        ])
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let config: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let server = &config["language-server"]["prometeu"];
    assert_eq!(server["command"], "prometeu");
    assert_eq!(server["args"], serde_json::json!(["lsp"]));
    let languages = config["language"].as_array().expect("[[language]]");
    assert_eq!(languages.len(), 1);
    let pbs = &languages[0];
    assert_eq!(pbs["name"], "pbs");
    assert_eq!(pbs["scope"], "source.pbs");
    assert_eq!(pbs["file-types"], serde_json::json!(["pbs"]));
    assert_eq!(pbs["roots"], serde_json::json!(["prometeu.json"]));
    assert_eq!(pbs["comment-token"], "//");
    assert_eq!(pbs["language-servers"], serde_json::json!(["prometeu"]));

    // The README's Helix section shows the file's content, without its comments.
    let text = std::fs::read_to_string(&file).expect("readable");
    let content: Vec<&str> = text
        .lines()
        .skip_while(|line| line.starts_with('#') || line.is_empty())
        .collect();
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    assert!(
        readme.contains(&format!("```toml\n{}\n```", content.join("\n"))),
        "README.md's Helix block differs from editors/helix/languages.toml"
    );
}

/// One token the lexer found in a file, to look up in an editor's colouring.
struct Probe {
    file: PathBuf,
    /// 1-based.
    line: usize,
    /// 0-based, in bytes.
    byte_column: usize,
    /// 0-based, in UTF-16 units.
    utf16_column: usize,
    kind: TokenKind,
    text: String,
}

/// The start of every token and comment the lexer finds in every `.pbs` file of the
/// repository, plus a file of every keyword and punctuation token of the lexer's tables
/// (written into `dir`). Tokens with a lexical error are left out: their colouring is
/// the snapshots' business.
fn lexer_probes(dir: &Path) -> Vec<Probe> {
    let root = repo_root();
    let mut files: Vec<PathBuf> = all_pbs_files().iter().map(|f| root.join(f)).collect();
    let mut tables = String::new();
    for (_, keyword) in TokenKind::KEYWORDS {
        tables.push_str(&format!("{keyword}\n"));
    }
    for (_, punctuation) in TokenKind::PUNCTUATION {
        tables.push_str(&format!("a {punctuation} b\n"));
    }
    let tables_file = dir.join("lexer_tables.pbs");
    std::fs::write(&tables_file, tables).expect("write");
    files.push(tables_file);

    let mut probes = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let lexed = lex(FileId(0), &text);
        let tokens = lexed.tokens.iter().chain(&lexed.trivia);
        for token in tokens.filter(|t| t.kind != TokenKind::Eof && t.flags & Token::LEX_ERROR == 0)
        {
            let start = token.start as usize;
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            probes.push(Probe {
                file: file.clone(),
                line: text[..start].matches('\n').count() + 1,
                byte_column: start - line_start,
                utf16_column: text[line_start..start].encode_utf16().count(),
                kind: token.kind,
                text: text[token.range()].to_string(),
            });
        }
    }
    probes
}

/// Writes the probes for the editors' scripts: `file \t line \t byte column \t UTF-16
/// column \t kind`.
fn write_probes(probes: &[Probe], path: &Path) {
    let lines: String = probes
        .iter()
        .map(|p| {
            format!(
                "{}\t{}\t{}\t{}\t{:?}\n",
                p.file.display(),
                p.line,
                p.byte_column,
                p.utf16_column,
                p.kind
            )
        })
        .collect();
    std::fs::write(path, lines).expect("write probes");
}

/// Checks each probe's colouring (one line of `seen` per probe) with `allowed`, which
/// names what a token of that kind may be coloured as.
fn disagreements(
    probes: &[Probe],
    seen: &str,
    allowed: impl Fn(&Probe, &str) -> bool,
) -> Vec<String> {
    let seen: Vec<&str> = seen.lines().collect();
    assert_eq!(seen.len(), probes.len(), "one answer per probe");
    probes
        .iter()
        .zip(seen)
        .filter(|(probe, colour)| !allowed(probe, colour))
        .map(|(p, colour)| {
            let text: String = p.text.chars().take(20).collect();
            format!(
                "{}:{}:{} {:?} `{text}` -> `{colour}`",
                p.file.display(),
                p.line,
                p.byte_column + 1,
                p.kind
            )
        })
        .collect()
}

/// What the lexer's token kinds may be coloured as, by the TextMate grammar's scope
/// prefixes and the Neovim syntax file's groups.
fn expected_colours(probe: &Probe) -> (&'static [&'static str], &'static [&'static str]) {
    match probe.kind {
        TokenKind::Weak => (&["invalid.illegal.reserved."], &["pbsReserved"]),
        kind if kind.is_keyword() => (
            &[
                "keyword.",
                "storage.",
                "constant.language.",
                "support.function.builtin.",
                "variable.language.self.",
            ],
            &[
                "pbsImport",
                "pbsAs",
                "pbsConditional",
                "pbsRepeat",
                "pbsFlow",
                "pbsHandle",
                "pbsHip",
                "pbsKeyword",
                "pbsStructure",
                "pbsStorage",
                "pbsBuiltinType",
                "pbsConstructor",
                "pbsBoolean",
                "pbsNone",
                "pbsSelf",
            ],
        ),
        TokenKind::Ident => (
            &["variable.other.", "entity.name.", "support.type."],
            &[
                "pbsIdentifier",
                "pbsTypeName",
                "pbsConstName",
                "pbsCall",
                "pbsFuncName",
                "pbsTypeDecl",
                "pbsPrimitive",
            ],
        ),
        TokenKind::Underscore => (&["variable.language.wildcard."], &["pbsWildcard"]),
        TokenKind::Int => (
            &[
                "constant.numeric.integer.decimal.",
                "constant.numeric.integer.hexadecimal.",
            ],
            &["pbsNumber"],
        ),
        TokenKind::Bounded => (&["constant.numeric.integer.bounded."], &["pbsBounded"]),
        TokenKind::Float => (&["constant.numeric.float."], &["pbsFloat"]),
        TokenKind::Str => (&["punctuation.definition.string.begin."], &["pbsString"]),
        TokenKind::DocComment => (&["comment.line.documentation."], &["pbsDocComment"]),
        TokenKind::Comment if probe.text.starts_with("//") => {
            (&["comment.line.double-slash."], &["pbsComment"])
        }
        // `# note` and `-- note`: reported, then read as a comment.
        TokenKind::Comment => (
            &["comment.line.number-sign.", "comment.line.double-dash."],
            &["pbsForeignMark"],
        ),
        _ => (
            &["keyword.operator.", "punctuation."],
            &["pbsOperator", "pbsDelimiter"],
        ),
    }
}

/// The TextMate grammar colours every token the lexer finds in the repository's `.pbs`
/// files, and every keyword and punctuation token of its tables, as that kind of token:
/// a keyword as a keyword, a number as a number, a comment as a comment.
#[test]
fn the_textmate_grammar_agrees_with_the_lexer_on_every_token() {
    let extension = repo_root().join("editors/vscode");
    let installed = extension
        .join("node_modules/vscode-textmate/package.json")
        .exists();
    let how = "run `npm ci` in editors/vscode";
    if !external_tool(
        runs("node", "--version") && installed,
        "Node with editors/vscode's packages",
        how,
    ) {
        return;
    }
    let temp = tempfile::tempdir().expect("temp dir");
    let probes = lexer_probes(temp.path());
    assert!(probes.len() > 10_000, "{} probes", probes.len());
    let (input, output) = (temp.path().join("probes"), temp.path().join("scopes"));
    write_probes(&probes, &input);
    let status = Command::new("node")
        .arg(extension.join("test/scopes-at.js"))
        .args([&input, &output])
        .status()
        .expect("node runs");
    assert!(status.success());
    let seen = std::fs::read_to_string(&output).expect("scopes");
    let wrong = disagreements(&probes, &seen, |probe, stack| {
        let (prefixes, _) = expected_colours(probe);
        stack
            .split(' ')
            .any(|scope| prefixes.iter().any(|p| scope.starts_with(p)))
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The Neovim syntax file agrees with the lexer the same way.
#[test]
fn the_neovim_syntax_agrees_with_the_lexer_on_every_token() {
    if !nvim_available() {
        return;
    }
    let temp = tempfile::tempdir().expect("temp dir");
    let probes = lexer_probes(temp.path());
    let input = temp.path().join("probes");
    write_probes(&probes, &input);
    let out = temp.path().join("groups");
    let status = Command::new("nvim")
        .args(["--headless", "-n", "-u", "NONE", "-c"])
        .arg(format!(
            "luafile {}",
            repo_root()
                .join("editors/nvim/test/groups_at.lua")
                .display()
        ))
        .env("PROMETEU_PROBES", &input)
        .env("PROMETEU_NVIM_OUT", &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .expect("nvim runs");
    assert!(status.success());
    let seen = std::fs::read_to_string(&out).expect("groups");
    let wrong = disagreements(&probes, &seen, |probe, group| {
        expected_colours(probe).1.contains(&group)
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
