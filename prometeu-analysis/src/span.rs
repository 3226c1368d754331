//! Source ranges.

use crate::FileId;

/// A half-open range of UTF-8 byte offsets in one file: `start` inclusive, `end`
/// exclusive. Every token, node, symbol and diagnostic carries one.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Debug,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    /// The file the offsets are in (`file_id` in JSON, as in `analysis.json`).
    #[serde(rename = "file_id")]
    pub file: FileId,
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`; `start <= end` is the caller's contract.
    #[inline]
    pub fn new(file: FileId, start: u32, end: u32) -> Span {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Span { file, start, end }
    }

    /// The empty span at `offset`.
    #[inline]
    pub fn empty(file: FileId, offset: u32) -> Span {
        Span::new(file, offset, offset)
    }

    /// Length in bytes.
    #[inline]
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the span covers no byte.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both; both must be in the same file.
    #[inline]
    pub fn cover(self, other: Span) -> Span {
        debug_assert_eq!(self.file, other.file);
        Span::new(
            self.file,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }

    /// Whether `offset` lies in `start..end`, or is `end` itself (a cursor just after a
    /// token still touches it, which is what editors expect).
    #[inline]
    pub fn touches(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// Whether `other` lies entirely inside this span.
    #[inline]
    pub fn contains_span(self, other: Span) -> bool {
        self.file == other.file && self.start <= other.start && other.end <= self.end
    }

    /// The byte range, for slicing the file's text.
    #[inline]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_len_and_containment() {
        let f = FileId(0);
        let a = Span::new(f, 2, 5);
        let b = Span::new(f, 4, 9);
        assert_eq!(a.cover(b), Span::new(f, 2, 9));
        assert_eq!(a.len(), 3);
        assert!(!a.is_empty());
        assert!(Span::empty(f, 3).is_empty());
        assert!(a.cover(b).contains_span(a));
        assert!(!a.contains_span(b));
        assert!(a.touches(2) && a.touches(5) && !a.touches(6));
        assert_eq!(&"0123456789"[a.range()], "234");
    }

    #[test]
    fn spans_in_other_files_are_not_contained() {
        let a = Span::new(FileId(0), 0, 10);
        let b = Span::new(FileId(1), 2, 3);
        assert!(!a.contains_span(b));
    }
}
