//! Pins the ABI tables to the spec: `machine.md` §5 (system calls), the prelude in
//! `pbs-language.md` §10, and `bytecode.md` §8 (traps).

use prometeu_abi::{ConsoleSyscalls, SYSCALLS, TrapCode, syscall};
use prometeu_bytecode::{SlotKind, assemble, verify_program};

fn spec(name: &str) -> String {
    let path = format!("{}/../docs/spec/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of section `## {number}.` of a spec page.
fn section(text: &str, number: &str) -> String {
    let head = format!("## {number}.");
    let start = text
        .find(&head)
        .unwrap_or_else(|| panic!("no section {head}"));
    let rest = &text[start + head.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The cells of the markdown table rows that start with `| 0x`.
fn hex_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with("| 0x"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect()
}

fn hex(cell: &str) -> u32 {
    u32::from_str_radix(cell.trim_start_matches("0x"), 16).unwrap()
}

#[test]
fn syscall_table_matches_machine_md() {
    let rows = hex_rows(&section(&spec("machine.md"), "5"));
    assert_eq!(rows.len(), SYSCALLS.len(), "row count");
    for row in &rows {
        let id = hex(&row[0]);
        let s = syscall(id)
            .unwrap_or_else(|| panic!("machine.md lists 0x{id:04X}, the table does not"));
        assert_eq!(row[1], s.qualified(), "signature of 0x{id:04X}");
        assert_eq!(row[2], s.cost, "cost of 0x{id:04X}");
        let base: u32 = row[2].split(' ').next().unwrap().parse().unwrap();
        assert_eq!(base, s.cycles, "base cycles of 0x{id:04X}");
    }
}

#[test]
fn syscall_table_matches_the_prelude() {
    let prelude = section(&spec("pbs-language.md"), "10");
    // Every `declare contract X host { … }` block, with its `fn …;` members.
    let mut declared = Vec::new();
    let mut rest = prelude.as_str();
    while let Some(at) = rest.find("declare contract ") {
        let after = &rest[at + "declare contract ".len()..];
        let name = after.split_whitespace().next().unwrap().to_owned();
        let open = after.find('{').unwrap();
        let close = after.find('}').unwrap();
        for member in after[open + 1..close].split(';') {
            let member = member.trim();
            if let Some(sig) = member.strip_prefix("fn ") {
                declared.push(format!("{name}.{}", sig.trim()));
            }
        }
        rest = &after[close..];
    }
    let mut table: Vec<String> = SYSCALLS.iter().map(|s| s.qualified()).collect();
    declared.sort();
    table.sort();
    assert_eq!(declared, table);
}

/// Flattened slots of a prelude type (`bytecode.md` §2).
fn slots(ty: &str) -> Vec<SlotKind> {
    use SlotKind::*;
    let button = [Bool, Bool, Bool, U16];
    match ty {
        "int" => vec![I32],
        "float" => vec![F64],
        "bounded" | "Color" => vec![U16],
        "bool" => vec![Bool],
        "string" => vec![Str],
        "Pad" => button.repeat(12),
        "Touch" => [&button[..], &[I32, I32]].concat(),
        other => panic!("unknown prelude type {other}"),
    }
}

#[test]
fn slot_kinds_follow_the_signatures() {
    for s in SYSCALLS {
        let open = s.signature.find('(').unwrap();
        let close = s.signature.find(')').unwrap();
        assert_eq!(&s.signature[..open], s.name);
        let params = &s.signature[open + 1..close];
        let args: Vec<SlotKind> = params
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .flat_map(|p| slots(p.split(':').nth(1).unwrap().trim()))
            .collect();
        assert_eq!(args, s.args, "{}", s.qualified());
        let rets = match s.signature[close + 1..].strip_prefix(": ") {
            Some(ty) => slots(ty),
            None => vec![],
        };
        assert_eq!(rets, s.rets, "{}", s.qualified());
    }
    assert_eq!(syscall(0x2010).unwrap().rets.len(), 48);
    assert_eq!(syscall(0x2011).unwrap().rets.len(), 6);
}

#[test]
fn ids_are_sorted_unique_and_grouped_by_family() {
    for w in SYSCALLS.windows(2) {
        assert!(w[0].id < w[1].id);
    }
    for s in SYSCALLS {
        let family = (s.id >> 12) & 0xF;
        let expected = match s.contract {
            "System" => 0,
            "Gfx" => 1,
            "Input" => 2,
            "Audio" => 3,
            "Log" => 5,
            other => panic!("unknown contract {other}"),
        };
        assert_eq!(family, expected, "{}", s.qualified());
        assert!(!s.doc.is_empty());
    }
    assert!(syscall(0x1001).is_none());
}

#[test]
fn trap_table_matches_bytecode_md() {
    let rows = hex_rows(&section(&spec("bytecode.md"), "8"));
    assert_eq!(rows.len(), TrapCode::ALL.len());
    for row in rows {
        let t = TrapCode::from_code(hex(&row[0])).unwrap_or_else(|| panic!("no trap {}", row[0]));
        assert_eq!(row[1], t.name());
    }
}

#[test]
fn the_verifier_accepts_console_calls_and_checks_their_kinds() {
    let ok = assemble(
        ".syscall 0x2010 args=0 rets=48\n.syscall 0x1010 args=1 rets=0\n\
         .func frame\n SYSCALL 0x2010\n POP_N 47\n POP\n PUSH_BOUNDED 0xF81F\n SYSCALL 0x1010\n RET\n\
         .export \"frame\" frame",
    )
    .unwrap();
    verify_program(&ok, &ConsoleSyscalls).unwrap();
    let wrong =
        assemble(".syscall 0x1010 args=1 rets=0\n.func frame\n PUSH_I32 0\n SYSCALL 0x1010\n RET")
            .unwrap();
    let err = verify_program(&wrong, &ConsoleSyscalls).unwrap_err();
    assert!(err.to_string().contains("expects [u16]"), "{err}");
    let counts = assemble(".syscall 0x2011 args=0 rets=5\n.func frame\n RET").unwrap();
    assert!(verify_program(&counts, &ConsoleSyscalls).is_err());
}
