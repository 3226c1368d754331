//! `prometeu`: the one command a PBS programmer uses (`new`, `check`, `build`, `run`,
//! `disasm`, `fmt`, `lsp`). It parses arguments and calls the library crates; it holds
//! no language or machine logic of its own.

fn main() {
    println!("prometeu: not yet");
}
