//! The PBC reader: every way a file can be malformed gives a clear error.

mod common;

use common::{asm, program_text};
use prometeu_bytecode::{read_program, write_program};

/// A file with these sections in this order, canonical offsets and a correct CRC.
fn file(sections: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut out = b"PBC\0".to_vec();
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let mut offset = 16 + 12 * sections.len();
    for (id, body) in sections {
        out.extend_from_slice(*id);
        out.extend_from_slice(&(offset as u32).to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        offset += body.len();
    }
    for (_, body) in sections {
        out.extend_from_slice(body);
    }
    fix_crc(&mut out);
    out
}

fn fix_crc(bytes: &mut [u8]) {
    let crc = crc32fast::hash(&bytes[16..]);
    bytes[12..16].copy_from_slice(&crc.to_le_bytes());
}

const ZERO: [u8; 4] = [0; 4];

/// The required sections, empty, in sorted order; `replace` swaps one's content.
fn sections(replace: &[(&'static [u8; 4], Vec<u8>)]) -> Vec<(&'static [u8; 4], Vec<u8>)> {
    [
        b"CNST", b"CODE", b"EXPT", b"FUNC", b"GLOB", b"SYSC", b"TYPE",
    ]
    .into_iter()
    .map(|id| {
        let body = replace
            .iter()
            .find(|(r, _)| *r == id)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| if id == b"CODE" { vec![] } else { ZERO.to_vec() });
        (id, body)
    })
    .collect()
}

fn err(bytes: &[u8]) -> String {
    match read_program(bytes) {
        Ok(p) => panic!("accepted: {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_empty_program_reads_back() {
    let bytes = file(&sections(&[]));
    let p = read_program(&bytes).unwrap();
    assert_eq!(write_program(&p), bytes);
}

#[test]
fn malformed_files_are_refused_with_clear_errors() {
    let valid = write_program(&asm(&program_text("every_opcode.pasm")));
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    cases.push(("too short", b"PBC\0\x01".to_vec()));
    let mut magic = valid.clone();
    magic[0] = b'X';
    cases.push(("wrong magic", magic));
    let mut version = valid.clone();
    version[4] = 2;
    cases.push(("wrong version", version));
    let mut crc = valid.clone();
    *crc.last_mut().unwrap() ^= 1;
    cases.push(("bad crc", crc));
    let mut table = valid.clone();
    table[8..12].copy_from_slice(&1000u32.to_le_bytes());
    cases.push(("section table past the end", table));
    let mut unknown = sections(&[]);
    unknown.push((b"ZZZZ", vec![]));
    cases.push(("unknown section id", file(&unknown)));
    let mut dup = sections(&[]);
    dup.insert(1, (b"CNST", ZERO.to_vec()));
    cases.push(("duplicate section id", file(&dup)));
    let mut unsorted = sections(&[]);
    unsorted.swap(0, 1);
    cases.push(("unsorted section ids", file(&unsorted)));
    let mut missing = sections(&[]);
    missing.retain(|(id, _)| *id != b"FUNC");
    cases.push(("missing FUNC", file(&missing)));
    let mut overlap = file(&sections(&[]));
    overlap[16 + 12 + 4..16 + 12 + 8].copy_from_slice(&0u32.to_le_bytes());
    fix_crc(&mut overlap);
    cases.push(("overlapping sections", overlap));
    let mut past = file(&sections(&[]));
    past[16 + 8..16 + 12].copy_from_slice(&1000u32.to_le_bytes());
    fix_crc(&mut past);
    cases.push(("section past the end", past));
    let mut extra = file(&sections(&[]));
    extra.push(0);
    fix_crc(&mut extra);
    cases.push(("bytes after the last section", extra));
    cases.push((
        "count that does not fit",
        file(&sections(&[(b"FUNC", u32::MAX.to_le_bytes().to_vec())])),
    ));
    cases.push((
        "invalid UTF-8",
        file(&sections(&[(
            b"CNST",
            [
                &1u32.to_le_bytes()[..],
                &[4],
                &2u32.to_le_bytes(),
                &[0xC3, 0x28],
            ]
            .concat(),
        )])),
    ));
    cases.push((
        "unknown constant tag",
        file(&sections(&[(
            b"CNST",
            [&1u32.to_le_bytes()[..], &[9, 0, 0, 0, 0]].concat(),
        )])),
    ));
    cases.push((
        "unknown slot kind tag",
        file(&sections(&[(
            b"GLOB",
            [&1u32.to_le_bytes()[..], &[7]].concat(),
        )])),
    ));
    cases.push((
        "unknown layout kind",
        file(&sections(&[(
            b"TYPE",
            [&1u32.to_le_bytes()[..], &[3, 0, 0, 0, 0]].concat(),
        )])),
    ));
    cases.push((
        "bool global of 2",
        file(&sections(&[(
            b"GLOB",
            [&1u32.to_le_bytes()[..], &[4, 2]].concat(),
        )])),
    ));
    cases.push((
        "trailing bytes in a section",
        file(&sections(&[(b"SYSC", [&ZERO[..], &[1, 2]].concat())])),
    ));
    cases.push((
        "truncated function entry",
        file(&sections(&[(
            b"FUNC",
            [&1u32.to_le_bytes()[..], &[0; 16], &[]].concat()[..19].to_vec(),
        )])),
    ));
    let mut report = String::new();
    for (name, bytes) in cases {
        report.push_str(&format!("{name}:\n    {}\n", err(&bytes)));
    }
    insta::assert_snapshot!("pbc_errors", report);
}
