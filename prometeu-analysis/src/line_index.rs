//! Conversion between byte offsets and line/column positions, in UTF-8 and UTF-16.
//!
//! Lines end at `\n`; a `\r` right before that `\n` belongs to the terminator, not to
//! the line (`docs/spec/pbs-language.md` §1). A lone `\r` is an ordinary character of
//! its line. Lines and columns are 0-based. UTF-8 columns count bytes from the line
//! start; UTF-16 columns count UTF-16 code units (a character outside the Basic
//! Multilingual Plane counts 2), which is what most LSP clients speak.
//!
//! Positions that do not name a character boundary (inside a multi-byte character, or
//! between the two halves of a surrogate pair) and positions past a line's end are
//! *rejected* with `None`, never clamped: a caller that wants clamping (the language
//! server, for sloppy clients) does it explicitly with [`LineIndex::line_end`].

/// A 0-based line and column. Whether `col` counts UTF-8 bytes or UTF-16 code units is
/// decided by the [`LineIndex`] method that produced or consumes it.
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
pub struct LineCol {
    /// The 0-based line.
    pub line: u32,
    /// The 0-based column.
    pub col: u32,
}

impl LineCol {
    /// The position `col` on `line`.
    #[inline]
    pub const fn new(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }
}

/// A non-ASCII character of a line: where it starts and how many UTF-8 bytes it takes.
/// ASCII characters are one byte and one UTF-16 unit, so only these need remembering.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct WideChar {
    /// UTF-8 column of the first byte.
    col: u32,
    /// UTF-8 length: 2, 3 or 4.
    len: u8,
}

impl WideChar {
    /// UTF-16 length: characters that take 4 UTF-8 bytes are exactly those outside the
    /// BMP, which need a surrogate pair.
    #[inline]
    fn len_utf16(self) -> u32 {
        if self.len == 4 { 2 } else { 1 }
    }

    /// One past the last UTF-8 column.
    #[inline]
    fn end(self) -> u32 {
        self.col + u32::from(self.len)
    }
}

/// A line with at least one non-ASCII character, and where its characters start in
/// [`LineIndex::wide_chars`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct WideLine {
    line: u32,
    first: u32,
}

/// The line structure of one text, for converting offsets to positions and back.
///
/// Building is one pass over the text (newline search uses `memchr`, ASCII checks are
/// word-at-a-time); ASCII lines cost 4 bytes of index and nothing else. The index does
/// not keep the text.
// No `Default`: an index always has at least one line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LineIndex {
    /// Offset of the first byte of each line; never empty, starts with 0.
    line_starts: Vec<u32>,
    /// Bit `i` says line `i` ends in `\r\n` rather than a bare `\n`.
    crlf: Vec<u64>,
    /// Lines with non-ASCII characters, by increasing line.
    wide_lines: Vec<WideLine>,
    /// The non-ASCII characters of all `wide_lines`, in text order.
    wide_chars: Vec<WideChar>,
    /// Length of the text in bytes.
    len: u32,
}

impl LineIndex {
    /// Indexes `text`.
    ///
    /// Panics if `text` is 4 GiB or longer: spans are `u32` offsets, and loaders bound
    /// file sizes long before that.
    pub fn new(text: &str) -> LineIndex {
        let len = u32::try_from(text.len()).expect("source text longer than u32::MAX bytes");
        let mut index = LineIndex {
            line_starts: vec![0],
            crlf: Vec::new(),
            wide_lines: Vec::new(),
            wide_chars: Vec::new(),
            len,
        };
        // Whole-text check first: the common all-ASCII file never looks at a char.
        let any_wide = !text.is_ascii();
        let mut start = 0u32;
        for (line, content) in text.split_inclusive('\n').enumerate() {
            // `line` < number of '\n' + 1 <= len + 1, so it fits in u32 like `len`.
            let line = line as u32;
            if any_wide && !content.is_ascii() {
                index.push_wide_line(line, content);
            }
            if content.ends_with('\n') {
                if content.ends_with("\r\n") {
                    index.set_crlf(line);
                }
                start += content.len() as u32;
                index.line_starts.push(start);
            }
        }
        index
    }

    fn push_wide_line(&mut self, line: u32, content: &str) {
        self.wide_lines.push(WideLine {
            line,
            first: self.wide_chars.len() as u32,
        });
        for (col, ch) in content.char_indices() {
            if !ch.is_ascii() {
                self.wide_chars.push(WideChar {
                    col: col as u32,
                    len: ch.len_utf8() as u8,
                });
            }
        }
    }

    fn set_crlf(&mut self, line: u32) {
        let word = (line / 64) as usize;
        if self.crlf.len() <= word {
            self.crlf.resize(word + 1, 0);
        }
        self.crlf[word] |= 1 << (line % 64);
    }

    fn is_crlf(&self, line: u32) -> bool {
        self.crlf
            .get((line / 64) as usize)
            .is_some_and(|word| word & (1 << (line % 64)) != 0)
    }

    /// Length of the indexed text in bytes.
    #[inline]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the indexed text is empty (it still has one, empty, line).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of lines: one more than the number of `\n`, so an empty text has one line
    /// and a text ending in `\n` has an empty last line.
    #[inline]
    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// Offset of the first byte of `line`.
    #[inline]
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts.get(line as usize).copied()
    }

    /// Offset just past the last character of `line`, before its `\n` or `\r\n`.
    pub fn line_end(&self, line: u32) -> Option<u32> {
        let next = line.checked_add(1)?;
        match self.line_start(next) {
            Some(next_start) => Some(next_start - 1 - u32::from(self.is_crlf(line))),
            None if next == self.line_count() => Some(self.len),
            None => None,
        }
    }

    /// The line containing `offset`; `offset` must be at most `len`.
    fn line_of(&self, offset: u32) -> u32 {
        // line_starts[0] == 0 <= offset, so the partition point is at least 1.
        (self.line_starts.partition_point(|&start| start <= offset) - 1) as u32
    }

    /// The non-ASCII characters of `line`, by increasing column.
    fn wide_chars_of(&self, line: u32) -> &[WideChar] {
        let Ok(i) = self.wide_lines.binary_search_by_key(&line, |w| w.line) else {
            return &[];
        };
        let first = self.wide_lines[i].first as usize;
        let end = self
            .wide_lines
            .get(i + 1)
            .map_or(self.wide_chars.len(), |w| w.first as usize);
        &self.wide_chars[first..end]
    }

    /// Whether UTF-8 column `col` falls strictly inside one of `chars`.
    fn splits_char(chars: &[WideChar], col: u32) -> bool {
        // The last char starting before `col` is the only one that can contain it.
        let i = chars.partition_point(|c| c.col < col);
        i > 0 && col < chars[i - 1].end()
    }

    /// The line and UTF-8 column of `offset`.
    ///
    /// `None` when `offset > len` or `offset` is inside a multi-byte character. An offset
    /// inside a line terminator — the `\n` of a line, or the position between the `\r`
    /// and `\n` of a `\r\n` — maps to that line's end, so the one offset between `\r` and
    /// `\n` does not round-trip: it comes back as the offset of the `\r`.
    pub fn offset_to_line_col(&self, offset: u32) -> Option<LineCol> {
        if offset > self.len {
            return None;
        }
        let line = self.line_of(offset);
        let start = self.line_starts[line as usize];
        let end = self.line_end(line)?;
        let col = offset.min(end) - start;
        if Self::splits_char(self.wide_chars_of(line), col) {
            return None;
        }
        Some(LineCol { line, col })
    }

    /// The offset of a line and UTF-8 column.
    ///
    /// `None` when the line does not exist, the column is past the line's end (the
    /// terminator is not part of the line) or inside a multi-byte character.
    pub fn line_col_to_offset(&self, pos: LineCol) -> Option<u32> {
        let start = self.line_start(pos.line)?;
        let end = self.line_end(pos.line)?;
        if pos.col > end - start || Self::splits_char(self.wide_chars_of(pos.line), pos.col) {
            return None;
        }
        Some(start + pos.col)
    }

    /// The line and UTF-16 column of `offset`; `None` exactly when
    /// [`offset_to_line_col`](Self::offset_to_line_col) is.
    pub fn offset_to_line_col_utf16(&self, offset: u32) -> Option<LineCol> {
        let LineCol { line, col } = self.offset_to_line_col(offset)?;
        let shrink: u32 = self
            .wide_chars_of(line)
            .iter()
            .take_while(|c| c.col < col)
            .map(|c| u32::from(c.len) - c.len_utf16())
            .sum();
        Some(LineCol {
            line,
            col: col - shrink,
        })
    }

    /// The offset of a line and UTF-16 column.
    ///
    /// `None` when the line does not exist, the column is past the line's end, or it
    /// falls between the two halves of a surrogate pair.
    pub fn line_col_utf16_to_offset(&self, pos: LineCol) -> Option<u32> {
        let start = self.line_start(pos.line)?;
        let end = self.line_end(pos.line)?;
        // `grow` is how many more UTF-8 bytes than UTF-16 units precede the column.
        let mut grow = 0u32;
        for c in self.wide_chars_of(pos.line) {
            let c_col16 = c.col - grow;
            if pos.col <= c_col16 {
                break;
            }
            if pos.col < c_col16 + c.len_utf16() {
                return None;
            }
            grow += u32::from(c.len) - c.len_utf16();
        }
        let col = pos.col.checked_add(grow)?;
        if col > end - start {
            return None;
        }
        Some(start + col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lc(line: u32, col: u32) -> LineCol {
        LineCol::new(line, col)
    }

    #[test]
    fn lines_end_at_newline_and_crlf() {
        let index = LineIndex::new("ab\ncd\r\n\nx\ry");
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.len(), 11);
        let lines: Vec<_> = (0..4)
            .map(|l| (index.line_start(l).unwrap(), index.line_end(l).unwrap()))
            .collect();
        // A lone '\r' is an ordinary character of line 3.
        assert_eq!(lines, vec![(0, 2), (3, 5), (7, 7), (8, 11)]);
        assert_eq!(index.line_start(4), None);
        assert_eq!(index.line_end(4), None);
        assert_eq!(index.line_end(u32::MAX), None);
    }

    #[test]
    fn empty_text_and_trailing_newline_have_an_empty_last_line() {
        let empty = LineIndex::new("");
        assert!(empty.is_empty());
        assert_eq!(empty.line_count(), 1);
        assert_eq!(empty.offset_to_line_col(0), Some(lc(0, 0)));
        assert_eq!(empty.offset_to_line_col(1), None);

        let index = LineIndex::new("a\n");
        assert_eq!(index.line_count(), 2);
        assert_eq!(index.offset_to_line_col(2), Some(lc(1, 0)));
        assert_eq!(index.line_col_to_offset(lc(1, 0)), Some(2));
        assert_eq!(index.line_col_to_offset(lc(1, 1)), None);
    }

    #[test]
    fn offsets_in_a_terminator_map_to_the_line_end() {
        let index = LineIndex::new("ab\r\ncd");
        assert_eq!(index.offset_to_line_col(2), Some(lc(0, 2))); // the '\r'
        assert_eq!(index.offset_to_line_col(3), Some(lc(0, 2))); // between '\r' and '\n'
        assert_eq!(index.offset_to_line_col(4), Some(lc(1, 0)));
        assert_eq!(index.line_col_to_offset(lc(0, 2)), Some(2));
        assert_eq!(index.line_col_to_offset(lc(0, 3)), None);
        assert_eq!(index.offset_to_line_col_utf16(3), Some(lc(0, 2)));
    }

    #[test]
    fn multi_byte_characters_are_whole_or_rejected() {
        // 'é' is 2 bytes / 1 unit, '€' 3 / 1, '😀' 4 / 2 (a surrogate pair).
        let text = "aé€😀b\n😀";
        let index = LineIndex::new(text);
        let boundaries = [
            (0, 0, 0),
            (1, 1, 1),
            (3, 3, 2),
            (6, 6, 3),
            (10, 10, 5),
            (11, 11, 6),
        ];
        for (offset, col8, col16) in boundaries {
            assert_eq!(
                index.offset_to_line_col(offset),
                Some(lc(0, col8)),
                "{offset}"
            );
            assert_eq!(index.offset_to_line_col_utf16(offset), Some(lc(0, col16)));
            assert_eq!(index.line_col_to_offset(lc(0, col8)), Some(offset));
            assert_eq!(index.line_col_utf16_to_offset(lc(0, col16)), Some(offset));
        }
        for inside in [2, 4, 5, 7, 8, 9, 13] {
            assert_eq!(index.offset_to_line_col(inside), None, "{inside}");
            assert_eq!(index.offset_to_line_col_utf16(inside), None, "{inside}");
        }
        assert_eq!(index.line_col_to_offset(lc(0, 2)), None);
        // UTF-16 column 4 is between the halves of '😀'.
        assert_eq!(index.line_col_utf16_to_offset(lc(0, 4)), None);
        assert_eq!(index.line_col_utf16_to_offset(lc(0, 7)), None);
        assert_eq!(index.offset_to_line_col_utf16(16), Some(lc(1, 2)));
        assert_eq!(index.line_col_utf16_to_offset(lc(1, 1)), None);
        assert_eq!(index.line_col_utf16_to_offset(lc(1, 2)), Some(16));
        assert_eq!(index.line_col_utf16_to_offset(lc(2, 0)), None);
    }

    #[test]
    fn huge_columns_are_rejected_without_overflow() {
        let index = LineIndex::new("é😀\nx");
        assert_eq!(index.line_col_to_offset(lc(0, u32::MAX)), None);
        assert_eq!(index.line_col_utf16_to_offset(lc(0, u32::MAX)), None);
        assert_eq!(index.line_col_utf16_to_offset(lc(u32::MAX, 0)), None);
        assert_eq!(index.offset_to_line_col(u32::MAX), None);
    }

    #[test]
    fn ascii_lines_store_no_wide_characters() {
        let index = LineIndex::new("plain\nwïde\nplain\r\nwïdé\n");
        assert_eq!(
            index.wide_lines.iter().map(|w| w.line).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert_eq!(index.wide_chars.len(), 3);
        assert!(LineIndex::new("all ascii\r\n here").wide_chars.is_empty());
    }

    #[test]
    fn crlf_bits_cover_many_lines() {
        let text = "x\r\n".repeat(130) + "y\n";
        let index = LineIndex::new(&text);
        assert_eq!(index.line_count(), 132);
        assert_eq!(index.line_end(129), Some(129 * 3 + 1));
        assert_eq!(index.line_end(130), Some(130 * 3 + 1));
        assert_eq!(index.line_end(131), Some(text.len() as u32));
    }

    #[test]
    fn line_col_serializes_as_an_object() {
        let json = serde_json::to_string(&lc(3, 7)).unwrap();
        assert_eq!(json, r#"{"line":3,"col":7}"#);
        assert!(lc(1, 9) < lc(2, 0));
    }
}
