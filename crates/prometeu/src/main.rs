//! `prometeu`: the one command a PBS programmer uses. It parses arguments and calls the
//! library crates; it holds no language or machine logic of its own.
//!
//! Exit codes (`toolchain.md` §2): 0 success, 1 the user's program has errors (or
//! trapped), 2 usage or I/O error.

mod check;
mod disasm;
mod new;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
    /// Print a program (.pbc) as assembly.
    Disasm {
        /// The program file.
        file: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::New { dir, lib } => new::new_project(&dir, lib),
        Command::Check {
            target,
            format,
            dump_ast,
        } => {
            let target = target.unwrap_or_else(|| ".".into());
            if dump_ast {
                check::dump_ast(&target)
            } else {
                check::check(&target, format)
            }
        }
        Command::Disasm { file } => disasm::disasm(&file),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
