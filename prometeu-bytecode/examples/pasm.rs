//! Assembles a `.pasm` file to a `.pbc` file, or disassembles a `.pbc` file:
//! `cargo run -p prometeu-bytecode --example pasm -- IN.pasm OUT.pbc` or
//! `cargo run -p prometeu-bytecode --example pasm -- IN.pbc`.

use prometeu_bytecode::{assemble, disassemble, read_program, write_program};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [input, output] => {
            let program = assemble(&std::fs::read_to_string(input)?)?;
            std::fs::write(output, write_program(&program))?;
        }
        [input] => print!("{}", disassemble(&read_program(&std::fs::read(input)?)?)),
        _ => return Err("usage: pasm IN.pasm OUT.pbc | pasm IN.pbc".into()),
    }
    Ok(())
}
