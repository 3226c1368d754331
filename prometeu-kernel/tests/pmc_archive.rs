//! The `.pmc` archive: exact layout, round trips, and refusal of damaged archives.

use prometeu_kernel::pmc::{PMC_MAX_NAME_LEN, PmcEntry, check_entry_name, read_pmc, write_pmc};
use proptest::prelude::*;

fn entry(name: &str, data: &[u8]) -> PmcEntry {
    PmcEntry {
        name: name.to_owned(),
        data: data.to_vec(),
    }
}

fn sample() -> Vec<PmcEntry> {
    vec![
        entry("program.pbc", b"PBC\0"),
        entry("manifest.json", b"{}"),
        entry("assets/sprites/00.bank", &[1, 2, 3]),
    ]
}

/// The exact bytes of a small archive, as hex lines, pinned.
#[test]
fn layout_is_pinned() {
    let bytes = write_pmc(&sample()).unwrap();
    let hex: Vec<String> = bytes
        .chunks(16)
        .map(|c| {
            c.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    insta::assert_snapshot!(hex.join("\n"));
}

#[test]
fn writer_sorts_entries_so_the_archive_is_deterministic() {
    let mut reversed = sample();
    reversed.reverse();
    assert_eq!(write_pmc(&sample()), write_pmc(&reversed));
    let names: Vec<String> = read_pmc(&write_pmc(&sample()).unwrap())
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(
        names,
        ["assets/sprites/00.bank", "manifest.json", "program.pbc"]
    );
}

#[test]
fn empty_archive_round_trips() {
    let bytes = write_pmc(&[]).unwrap();
    assert_eq!(bytes, b"PMC1\0\0\0\0");
    assert_eq!(read_pmc(&bytes).unwrap(), vec![]);
}

#[test]
fn entry_names_are_checked() {
    for bad in [
        "",
        "/abs",
        "a//b",
        "a/",
        "../x",
        "a/./b",
        "a/..",
        "c:\\x",
        "a\\b",
        "tab\there",
    ] {
        assert!(check_entry_name(bad).is_some(), "{bad:?} accepted");
        assert!(write_pmc(&[entry(bad, b"")]).is_err(), "{bad:?} written");
    }
    assert!(check_entry_name(&"x".repeat(PMC_MAX_NAME_LEN + 1)).is_some());
    for good in ["manifest.json", "assets/a b/ü.bin", ".hidden", "a..b"] {
        assert_eq!(check_entry_name(good), None, "{good:?} refused");
    }
}

#[test]
fn writer_refuses_duplicates_and_file_directory_clashes() {
    let err = write_pmc(&[entry("a", b"1"), entry("a", b"2")]).unwrap_err();
    assert!(err.to_string().contains("duplicate"), "{err}");
    let err = write_pmc(&[entry("assets/a", b"1"), entry("assets/a/b", b"2")]).unwrap_err();
    assert!(
        err.to_string().contains("both a file and a directory"),
        "{err}"
    );
}

/// Builds an archive by hand (no sorting, no checks) to reach reader errors the writer
/// never produces.
fn raw_archive(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = b"PMC1".to_vec();
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (name, data) in entries {
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        let mut h = crc32fast::Hasher::new();
        h.update(name);
        h.update(data);
        out.extend_from_slice(&h.finalize().to_le_bytes());
    }
    out
}

/// Every refusal, one line each: the archive's description and the reader's message.
#[test]
fn damaged_archives_are_refused_with_clear_messages() {
    let good = write_pmc(&sample()).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    cases.push(("empty file", Vec::new()));
    cases.push(("zip file", b"PK\x03\x04rest".to_vec()));
    cases.push(("header only, count 1", b"PMC1\x01\0\0\0".to_vec()));
    cases.push(("huge count", b"PMC1\xff\xff\xff\xff".to_vec()));
    cases.push(("count past the file", {
        let mut b = good.clone();
        b[4] = 200;
        b
    }));
    cases.push((
        "truncated in the last entry",
        good[..good.len() - 3].to_vec(),
    ));
    cases.push(("trailing byte", {
        let mut b = good.clone();
        b.push(0);
        b
    }));
    cases.push(("flipped data bit", {
        let mut b = good.clone();
        // The first entry's data (assets/sprites/00.bank: 2 + 22 + 4 bytes in).
        b[8 + 2 + 22 + 4] ^= 1;
        b
    }));
    cases.push(("flipped name bit", {
        let mut b = good.clone();
        b[8 + 2 + 7] ^= 0x20;
        b
    }));
    cases.push(("data length past the end", {
        let mut b = good.clone();
        b[8 + 2 + 22] = 0xff;
        b
    }));
    cases.push(("unsorted", raw_archive(&[(b"b", b""), (b"a", b"")])));
    cases.push(("duplicate", raw_archive(&[(b"a", b""), (b"a", b"")])));
    cases.push(("parent path", raw_archive(&[(b"../etc/passwd", b"")])));
    cases.push(("absolute path", raw_archive(&[(b"/etc/passwd", b"")])));
    cases.push(("not UTF-8", raw_archive(&[(b"\xff\xfe", b"")])));
    cases.push((
        "file and directory",
        raw_archive(&[(b"a", b""), (b"a/b", b"")]),
    ));
    let report: Vec<String> = cases
        .iter()
        .map(|(what, bytes)| match read_pmc(bytes) {
            Ok(_) => format!("{what}: ACCEPTED"),
            Err(e) => format!("{what}: {e}"),
        })
        .collect();
    insta::assert_snapshot!(report.join("\n"));
}

fn entry_strategy() -> impl Strategy<Value = PmcEntry> {
    (
        "[a-z0-9_.-]{1,8}(/[a-z0-9_-]{1,8}){0,3}",
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_filter("valid name", |(n, _)| check_entry_name(n).is_none())
        .prop_map(|(name, data)| PmcEntry { name, data })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip(entries in prop::collection::vec(entry_strategy(), 0..12)) {
        match write_pmc(&entries) {
            Ok(bytes) => {
                let mut expected = entries.clone();
                expected.sort_by(|a, b| a.name.cmp(&b.name));
                prop_assert_eq!(read_pmc(&bytes).unwrap(), expected);
            }
            // Only duplicate names or file/directory clashes may be refused.
            Err(e) => prop_assert!(
                e.message.contains("duplicate") || e.message.contains("both a file"),
                "{}", e
            ),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_pmc(&bytes);
        let mut with_magic = b"PMC1".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = read_pmc(&with_magic);
    }

    #[test]
    fn mutated_archives_never_panic_and_damage_is_caught(
        entries in prop::collection::vec(entry_strategy(), 1..6),
        position in any::<prop::sample::Index>(),
        xor in 1u8..=255,
        cut in any::<prop::sample::Index>(),
    ) {
        let Ok(bytes) = write_pmc(&entries) else { return Ok(()) };
        let mut damaged = bytes.clone();
        let i = position.index(damaged.len());
        damaged[i] ^= xor;
        // Every byte is covered by the magic, a length that must fit exactly, or a
        // CRC: a single changed byte is always refused.
        prop_assert!(read_pmc(&damaged).is_err());
        let _ = read_pmc(&bytes[..cut.index(bytes.len())]);
    }
}
