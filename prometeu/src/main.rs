//! `prometeu`: the one command a PBS programmer uses. It parses arguments and calls the
//! library crates; it holds no language or machine logic of its own.
//!
//! Exit codes (`toolchain.md` §2): 0 success, 1 the user's program has errors (or
//! trapped), 2 usage or I/O error (a target in no project included), 130 a run stopped
//! by Ctrl-C.

mod build;
mod check;
mod disasm;
mod fmt;
mod new;
mod progress;
mod render;
mod run;
mod signals;
mod sources;
mod target;
mod watch;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

// The language server re-analyses on every keystroke and frees the previous analysis
// right after: with glibc's allocator a third of that time went to malloc and free;
// mimalloc makes an edit's re-analysis about a quarter faster (`lsp_stdio` bench).
// Its v2 line, not v3 (the crate's default): over the bench's long session v3 kept
// about 60 MiB more resident for the same live heap, at the same speed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The language server's allocator settings (ARCHITECTURE.md, `prometeu-lsp`,
/// "Memory"), measured on the `lsp_stdio` bench's long session.
///
/// * Transparent huge pages off for the process: mimalloc asks for them on its arenas,
///   and a 2 MiB page stays resident while any byte of it is in use; with them the
///   server kept up to 150 MiB more resident than its live heap (200 MiB of
///   `AnonHugePages`).
/// * Freed pages go back to the system 100 ms after they are freed instead of 10: the
///   server frees a whole analysis per keystroke and builds the next one a few tens of
///   milliseconds later, which at 10 ms faulted its ~40 MiB back in on every edit
///   (~4 ms of CPU per edit, about a tenth); at 100 ms the next analysis reuses them.
///   `MIMALLOC_PURGE_DELAY` in the environment still wins.
///
/// With the v2 line above: peak resident 371-420 → ~265 MiB, edits as fast as before.
fn lsp_memory_settings() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments and only sets a flag of the
    // process; a kernel without it returns an error, which leaves things as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mimalloc's options may be set at any time from any thread; the index
        // is `mi_option_purge_delay` of the v2 line's `mi_option_t` (mimalloc.h), which
        // the `mimalloc` dependency links in (the `libmimalloc-sys` crate declares no
        // constant for it).
        unsafe {
            mi_option_set(MI_OPTION_PURGE_DELAY, 100);
        }
    }
}

/// `mi_option_purge_delay` in mimalloc v2's `mi_option_t`.
const MI_OPTION_PURGE_DELAY: libc::c_int = 15;

unsafe extern "C" {
    /// mimalloc's `void mi_option_set(mi_option_t option, long value)`.
    fn mi_option_set(option: libc::c_int, value: libc::c_long);
}

/// The Prometeu toolchain.
#[derive(Parser)]
#[command(
    name = "prometeu",
    version,
    about = "The Prometeu fantasy console toolchain"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered with source snippets, to stderr.
    Human,
    /// One JSON object per diagnostic and line, to stdout.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new project that checks, builds and runs as it is.
    New {
        /// The directory to create; its name becomes the project's name.
        dir: std::path::PathBuf,
        /// Create a library instead of an app.
        #[arg(long)]
        lib: bool,
    },
    /// Analyse a project (or one loose .pbs file) and print its diagnostics.
    Check {
        /// A project directory, or a .pbs file. Defaults to the current directory.
        target: Option<std::path::PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Print the canonical syntax tree of a .pbs file as JSON instead.
        #[arg(long)]
        dump_ast: bool,
    },
    /// Check, compile and verify a project; write build/ (the cartridge, symbols.json,
    /// analysis.json).
    Build {
        /// The project directory. Defaults to the current directory.
        dir: Option<std::path::PathBuf>,
        /// Write the outputs here instead of DIR/build.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Also write the cartridge as one NAME.pmc file.
        #[arg(long)]
        pack: bool,
    },
    /// Run a project (built first), a .pbs file, a cartridge directory, a .pmc or a .pbc.
    Run {
        /// What to run. Defaults to the current directory.
        target: Option<std::path::PathBuf>,
        /// Run without a window or audio device, as fast as possible.
        #[arg(long)]
        headless: bool,
        /// Stop after N logical frames (headless default: 600).
        #[arg(long, value_name = "N")]
        frames: Option<u64>,
        /// Write the last frame as a PNG.
        #[arg(long, value_name = "FILE.png")]
        screenshot: Option<std::path::PathBuf>,
        /// Replay input from a recording.
        #[arg(long, value_name = "FILE")]
        input: Option<std::path::PathBuf>,
        /// Record the input of every frame.
        #[arg(long, value_name = "FILE")]
        record: Option<std::path::PathBuf>,
        /// Write the run's audio as WAV (48 kHz, stereo, 16-bit).
        #[arg(long, value_name = "FILE.wav")]
        audio_out: Option<std::path::PathBuf>,
        /// Print garbage-collection statistics at exit.
        #[arg(long)]
        gc_stats: bool,
        /// Where a prebuilt cartridge's sources are, for trap locations (default: as
        /// for `disasm`).
        #[arg(long, value_name = "DIR")]
        source_root: Option<std::path::PathBuf>,
        /// Window scale (default: the largest that fits the monitor).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=16))]
        scale: Option<u32>,
        /// Run in a window without sound.
        #[arg(long)]
        mute: bool,
        /// Rebuild and swap in the cartridge when the project's files change.
        #[arg(long)]
        watch: bool,
        /// Attribute the VM's cycles to functions and lines: JSON to FILE, collapsed
        /// stacks to FILE.folded, the top 20 on stderr.
        #[arg(long, value_name = "FILE")]
        profile: Option<std::path::PathBuf>,
        /// Run headless at 60 frames a second [not implemented yet].
        #[arg(long)]
        realtime: bool,
    },
    /// Run the language server on stdin and stdout (editors start this).
    Lsp {
        /// Speak over stdin/stdout (the only transport; accepted because VS Code's
        /// client passes it).
        #[arg(long)]
        stdio: bool,
    },
    /// Print a program (.pbc, or the program of a .pmc or cartridge directory) as
    /// assembly, with source lines when the sources are found.
    Disasm {
        /// The program file.
        file: std::path::PathBuf,
        /// Where the sources named by the debug map are (default: the project the
        /// file is in, else the current directory's project, else the current directory).
        #[arg(long, value_name = "DIR")]
        source_root: Option<std::path::PathBuf>,
    },
    /// Format PBS sources in place (the one PBS style, toolchain.md §6).
    Fmt {
        /// Files and directories to format (every .pbs under a directory), or `-` to
        /// format standard input to standard output. Defaults to the sources of the
        /// project around the current directory.
        paths: Vec<std::path::PathBuf>,
        /// Change nothing: list the files that would change and exit 1 if there are any.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    signals::quiet_on_closed_pipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::New { dir, lib } => new::new_project(&dir, lib),
        Command::Check {
            target,
            format,
            dump_ast,
        } => {
            let target = target.unwrap_or_else(|| ".".into());
            if dump_ast && !target.is_file() {
                let what = if target.is_dir() {
                    "is a directory"
                } else {
                    "does not exist"
                };
                Err(anyhow::anyhow!(
                    "`{}` {what}: `check --dump-ast` prints the syntax tree of one .pbs file",
                    target.display()
                ))
            } else if dump_ast {
                check::dump_ast(&target)
            } else {
                check::check(&target, format)
            }
        }
        Command::Build { dir, out, pack } => {
            build::build(&dir.unwrap_or_else(|| ".".into()), out.as_deref(), pack)
        }
        Command::Run {
            target,
            headless,
            frames,
            screenshot,
            input,
            record,
            audio_out,
            gc_stats,
            source_root,
            scale,
            mute,
            watch,
            profile,
            realtime,
        } => match not_yet(&[("--realtime", realtime)]) {
            Some(err) => Err(err),
            None => run::run(
                &target.unwrap_or_else(|| ".".into()),
                &run::RunOptions {
                    headless,
                    frames,
                    screenshot,
                    input,
                    record,
                    audio_out,
                    gc_stats,
                    source_root,
                    scale,
                    mute,
                    watch,
                    profile,
                },
            ),
        },
        Command::Disasm { file, source_root } => disasm::disasm(&file, source_root.as_deref()),
        // The protocol says: exit 0 after `shutdown` then `exit`, 1 on `exit` alone.
        Command::Lsp { stdio: _ } => {
            lsp_memory_settings();
            Ok(if prometeu_lsp::run_stdio() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Fmt { paths, check } => fmt::fmt(&paths, check),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The usage error for the first flag of `toolchain.md` §5 that was given but does not
/// work yet.
fn not_yet(flags: &[(&str, bool)]) -> Option<anyhow::Error> {
    let (flag, _) = flags.iter().find(|(_, given)| *given)?;
    Some(anyhow::anyhow!(
        "`prometeu run {flag}` is not implemented yet (toolchain.md §5)"
    ))
}
