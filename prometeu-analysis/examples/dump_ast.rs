//! Prints the canonical AST JSON of a PBS file, then its syntax diagnostics on stderr.
//!
//! Usage: `cargo run -p prometeu-analysis --example dump_ast -- FILE.pbs`

use prometeu_analysis::syntax::{ast_to_json, parse_file};
use prometeu_analysis::{FileId, NameInterner};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump_ast FILE.pbs");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot read {path}: {err}");
            std::process::exit(1);
        }
    };
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(0), &text, &mut names);
    print!("{}", ast_to_json(&parse.arena, &names));
    for d in &parse.diagnostics {
        eprintln!(
            "{}:{}..{}: {}: {}",
            path, d.span.start, d.span.end, d.code, d.message
        );
    }
    if !parse.diagnostics.is_empty() {
        std::process::exit(1);
    }
}
