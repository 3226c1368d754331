//! The `.pmc` cartridge archive (`machine.md` §8): one file holding a cartridge's
//! `manifest.json`, `program.pbc` and `assets/…`, as a flat list of named entries.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! header   magic "PMC1" (4 bytes) · entry_count u32
//! entry    name_len u16 · name (UTF-8) · data_len u32 · data · crc32 u32
//! ```
//!
//! The CRC-32 (IEEE) of an entry covers its name bytes followed by its data, so a
//! damaged name is caught as surely as damaged data. Entries are sorted by name
//! (bytewise, strictly increasing), which makes the archive of a given set of files
//! exactly one byte string and rules out duplicates. The file ends right after the last
//! entry.
//!
//! The reader never panics and never allocates more than the archive's own length
//! justifies: every count and length is checked against the bytes that remain before
//! anything is reserved.

use std::collections::HashSet;
use std::fmt;

/// The four bytes every archive starts with.
pub const PMC_MAGIC: [u8; 4] = *b"PMC1";
/// Bytes of the header: magic and entry count.
pub const PMC_HEADER_LEN: usize = 8;
/// The smallest an entry can be: name length, a one-byte name, data length, CRC.
pub const PMC_MIN_ENTRY_LEN: usize = 2 + 1 + 4 + 4;
/// Most entries an archive may hold.
pub const PMC_MAX_ENTRIES: usize = 65_536;
/// Longest entry name, in bytes.
pub const PMC_MAX_NAME_LEN: usize = 1024;

/// One file of an archive: its relative `/`-separated path and its bytes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PmcEntry {
    /// The path inside the cartridge, e.g. `assets/sprites/00.bank`.
    pub name: String,
    /// The file's content.
    pub data: Vec<u8>,
}

/// Why bytes are not a valid archive, or entries cannot be written as one.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PmcError {
    /// Byte offset in the archive where the problem was found (0 for writer errors).
    pub offset: usize,
    /// The entry involved, when known.
    pub entry: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PmcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid .pmc archive at byte {}", self.offset)?;
        if let Some(entry) = &self.entry {
            write!(f, " (entry `{entry}`)")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for PmcError {}

/// Why a name cannot be an entry name; `None` when it can.
///
/// A name is a relative path: non-empty components separated by single `/`, none of
/// them `.` or `..`, no `\`, `:` or control characters, at most
/// [`PMC_MAX_NAME_LEN`] bytes.
pub fn check_entry_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("the name is empty");
    }
    if name.len() > PMC_MAX_NAME_LEN {
        return Some("the name is longer than 1024 bytes");
    }
    if name.starts_with('/') {
        return Some("the name is an absolute path");
    }
    if name
        .chars()
        .any(|c| c == '\\' || c == ':' || c.is_control())
    {
        return Some("the name contains `\\`, `:` or a control character");
    }
    for component in name.split('/') {
        match component {
            "" => return Some("the name has an empty path component"),
            "." | ".." => return Some("the name has a `.` or `..` component"),
            _ => {}
        }
    }
    None
}

/// Checks a sorted list of names: strictly increasing (so no duplicates) and no name
/// that is also another name's directory. Returns the offending name and why.
fn check_name_set<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), (&'a str, &'static str)> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut previous: Option<&str> = None;
    let mut all: Vec<&str> = Vec::new();
    for name in names {
        if let Some(prev) = previous {
            if prev == name {
                return Err((name, "duplicate entry"));
            }
            if prev > name {
                return Err((name, "entries are not sorted by name"));
            }
        }
        previous = Some(name);
        seen.insert(name);
        all.push(name);
    }
    for name in all {
        let mut prefix_end = 0;
        while let Some(slash) = name[prefix_end..].find('/') {
            let dir = &name[..prefix_end + slash];
            if seen.contains(dir) {
                return Err((dir, "the name is both a file and a directory"));
            }
            prefix_end += slash + 1;
        }
    }
    Ok(())
}

/// Writes entries as an archive, sorting them by name. Refuses bad or duplicate names,
/// a name that is also a directory of another, data longer than `u32::MAX` bytes and
/// more than [`PMC_MAX_ENTRIES`] entries.
pub fn write_pmc(entries: &[PmcEntry]) -> Result<Vec<u8>, PmcError> {
    let writer_error = |entry: &str, message: &str| PmcError {
        offset: 0,
        entry: Some(entry.to_owned()),
        message: message.to_owned(),
    };
    if entries.len() > PMC_MAX_ENTRIES {
        return Err(PmcError {
            offset: 0,
            entry: None,
            message: format!("{} entries (at most {PMC_MAX_ENTRIES})", entries.len()),
        });
    }
    let mut sorted: Vec<&PmcEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for entry in &sorted {
        if let Some(why) = check_entry_name(&entry.name) {
            return Err(writer_error(&entry.name, why));
        }
        if u32::try_from(entry.data.len()).is_err() {
            return Err(writer_error(&entry.name, "data longer than 4 GiB"));
        }
    }
    check_name_set(sorted.iter().map(|e| e.name.as_str()))
        .map_err(|(name, why)| writer_error(name, why))?;

    let size = PMC_HEADER_LEN
        + sorted
            .iter()
            .map(|e| 2 + e.name.len() + 4 + e.data.len() + 4)
            .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&PMC_MAGIC);
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for entry in sorted {
        out.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
        out.extend_from_slice(entry.name.as_bytes());
        out.extend_from_slice(&(entry.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&entry.data);
        out.extend_from_slice(&entry_crc(entry.name.as_bytes(), &entry.data).to_le_bytes());
    }
    Ok(out)
}

/// The CRC-32 of an entry: its name bytes, then its data.
fn entry_crc(name: &[u8], data: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(name);
    hasher.update(data);
    hasher.finalize()
}

/// A cursor over the archive bytes that reports truncation instead of panicking.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &str, entry: Option<&str>) -> Result<&'a [u8], PmcError> {
        if n > self.remaining() {
            return Err(PmcError {
                offset: self.pos,
                entry: entry.map(str::to_owned),
                message: format!(
                    "truncated: {what} needs {n} bytes, {} remain",
                    self.remaining()
                ),
            });
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn u16(&mut self, what: &str, entry: Option<&str>) -> Result<u16, PmcError> {
        let b = self.take(2, what, entry)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str, entry: Option<&str>) -> Result<u32, PmcError> {
        let b = self.take(4, what, entry)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Reads an archive. Refuses, with the byte offset and entry: a wrong magic, a count
/// that the file cannot hold, truncation, bad or unsorted or duplicate names, a CRC
/// mismatch, and bytes after the last entry.
pub fn read_pmc(bytes: &[u8]) -> Result<Vec<PmcEntry>, PmcError> {
    let error = |offset: usize, entry: Option<&str>, message: String| PmcError {
        offset,
        entry: entry.map(str::to_owned),
        message,
    };
    let mut r = Reader { bytes, pos: 0 };
    let magic = r.take(4, "the magic", None)?;
    if magic != PMC_MAGIC {
        return Err(error(
            0,
            None,
            format!("bad magic {magic:02X?} (expected \"PMC1\"); not a Prometeu cartridge archive"),
        ));
    }
    let count = r.u32("the entry count", None)? as usize;
    if count > PMC_MAX_ENTRIES {
        return Err(error(
            4,
            None,
            format!("{count} entries (at most {PMC_MAX_ENTRIES})"),
        ));
    }
    if count > r.remaining() / PMC_MIN_ENTRY_LEN {
        return Err(error(
            4,
            None,
            format!(
                "{count} entries cannot fit in the {} bytes that follow the header",
                r.remaining()
            ),
        ));
    }
    let mut entries: Vec<PmcEntry> = Vec::with_capacity(count);
    for _ in 0..count {
        let name_offset = r.pos;
        let name_len = r.u16("an entry's name length", None)? as usize;
        let name_bytes = r.take(name_len, "an entry's name", None)?;
        let Ok(name) = std::str::from_utf8(name_bytes) else {
            return Err(error(name_offset, None, "entry name is not UTF-8".into()));
        };
        if let Some(why) = check_entry_name(name) {
            return Err(error(name_offset, Some(name), why.into()));
        }
        if let Some(prev) = entries.last() {
            if prev.name.as_str() >= name {
                let why = if prev.name == name {
                    "duplicate entry"
                } else {
                    "entries are not sorted by name"
                };
                return Err(error(name_offset, Some(name), why.into()));
            }
        }
        let data_len = r.u32("the data length", Some(name))? as usize;
        let data = r.take(data_len, "the data", Some(name))?;
        let crc_offset = r.pos;
        let crc = r.u32("the CRC-32", Some(name))?;
        let actual = entry_crc(name_bytes, data);
        if crc != actual {
            return Err(error(
                crc_offset,
                Some(name),
                format!(
                    "CRC-32 mismatch (stored {crc:08X}, computed {actual:08X}): the entry is damaged"
                ),
            ));
        }
        entries.push(PmcEntry {
            name: name.to_owned(),
            data: data.to_vec(),
        });
    }
    if r.remaining() != 0 {
        return Err(error(
            r.pos,
            None,
            format!("{} unexpected bytes after the last entry", r.remaining()),
        ));
    }
    check_name_set(entries.iter().map(|e| e.name.as_str()))
        .map_err(|(name, why)| error(PMC_HEADER_LEN, Some(name), why.into()))?;
    Ok(entries)
}
