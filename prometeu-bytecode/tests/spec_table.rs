//! `docs/spec/bytecode.md` §5 lists the opcode table; this test keeps it identical to
//! the crate's `Opcode::ALL`. On failure it prints the fresh table to paste between the
//! markers.

use prometeu_bytecode::{CostGrowth, ImmKind, Opcode, StackEffect};

const BEGIN: &str = "<!-- opcode-table:begin (generated from Opcode::ALL; tests/spec_table.rs) -->";
const END: &str = "<!-- opcode-table:end -->";

fn opcode_table() -> String {
    let mut out = String::from(
        "| number | mnemonic | immediates | stack effect | cycles | description |\n|---|---|---|---|---|---|\n",
    );
    for &op in Opcode::ALL {
        let imms: Vec<String> = op
            .immediates()
            .iter()
            .map(|i| {
                let kind = match i.kind {
                    ImmKind::U8 => "u8",
                    ImmKind::U32 => "u32",
                    ImmKind::I32 => "i32",
                    ImmKind::F64 => "f64",
                };
                format!("`{}: {kind}`", i.name)
            })
            .collect();
        let imms = if imms.is_empty() {
            "—".to_owned()
        } else {
            imms.join(", ")
        };
        let effect = match op.stack_effect() {
            StackEffect::Fixed { pops, pushes } => {
                let side = |ks: &[prometeu_bytecode::SlotKind]| {
                    if ks.is_empty() {
                        "∅".to_owned()
                    } else {
                        ks.iter()
                            .map(|k| k.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    }
                };
                format!("{} → {}", side(pops), side(pushes))
            }
            StackEffect::Dynamic => "dynamic".to_owned(),
        };
        let cycles = match op.cost_growth() {
            CostGrowth::Flat => op.cycles().to_string(),
            CostGrowth::PerSlot => format!("{} + 1/slot", op.cycles()),
            CostGrowth::PerByte8 => format!("{} + 1/8 bytes", op.cycles()),
            CostGrowth::Syscall => format!("{} + the call's cost", op.cycles()),
        };
        out.push_str(&format!(
            "| 0x{:02X} | `{}` | {imms} | {effect} | {cycles} | {} |\n",
            op.number(),
            op.mnemonic(),
            op.description().trim().replace('|', "\\|"),
        ));
    }
    out
}

#[test]
fn spec_opcode_table_matches_the_crate() {
    let path = format!("{}/../docs/spec/bytecode.md", env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(&path).unwrap();
    let fresh = opcode_table();
    let in_spec = spec
        .split_once(BEGIN)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(table, _)| table.trim().to_owned());
    if in_spec.as_deref() != Some(fresh.trim()) {
        panic!(
            "docs/spec/bytecode.md §5 is out of date; put this between the markers\n{BEGIN}\n{fresh}{END}\n"
        );
    }
}
