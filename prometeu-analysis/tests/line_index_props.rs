//! Property tests: `LineIndex` agrees with a naive, obviously-correct implementation on
//! arbitrary text mixing ASCII, multi-byte and non-BMP characters, `\r`, `\n` and `\r\n`.

use prometeu_analysis::{LineCol, LineIndex};
use proptest::prelude::*;

/// One line of the text, found the slow way.
struct NaiveLine {
    start: usize,
    /// End of the content, before `\n` or `\r\n`.
    end: usize,
}

fn naive_lines(text: &str) -> Vec<NaiveLine> {
    let mut lines = Vec::new();
    let mut start = 0;
    loop {
        match text[start..].find('\n') {
            Some(rel) => {
                let nl = start + rel;
                let end = if nl > start && text.as_bytes()[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                lines.push(NaiveLine { start, end });
                start = nl + 1;
            }
            None => {
                lines.push(NaiveLine {
                    start,
                    end: text.len(),
                });
                return lines;
            }
        }
    }
}

/// `(line, utf8 col, utf16 col)` of a char-boundary offset.
fn naive_position(text: &str, lines: &[NaiveLine], offset: usize) -> (u32, u32, u32) {
    let line = text[..offset].matches('\n').count();
    let l = &lines[line];
    let col8 = offset.min(l.end) - l.start;
    let col16 = text[l.start..l.start + col8].encode_utf16().count();
    (line as u32, col8 as u32, col16 as u32)
}

/// Text built from characters that stress every branch: ASCII, terminators, 2-, 3- and
/// 4-byte characters, and arbitrary ones.
fn text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => prop::sample::select(vec!['a', 'z', ' ', '\t']),
        2 => Just('\n'),
        2 => Just('\r'),
        1 => Just('é'),
        1 => Just('€'),
        1 => Just('😀'),
        1 => Just('\u{10FFFF}'),
        2 => any::<char>(),
    ];
    prop::collection::vec(ch, 0..80).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn offsets_agree_with_naive_and_round_trip(text in text()) {
        let index = LineIndex::new(&text);
        let lines = naive_lines(&text);
        prop_assert_eq!(index.len() as usize, text.len());
        prop_assert_eq!(index.line_count() as usize, lines.len());

        for offset in 0..text.len() + 3 {
            let o = offset as u32;
            if offset > text.len() || !text.is_char_boundary(offset) {
                prop_assert_eq!(index.offset_to_line_col(o), None, "offset {}", offset);
                prop_assert_eq!(index.offset_to_line_col_utf16(o), None, "offset {}", offset);
                continue;
            }
            let (line, col8, col16) = naive_position(&text, &lines, offset);
            let pos8 = index.offset_to_line_col(o);
            let pos16 = index.offset_to_line_col_utf16(o);
            prop_assert_eq!(pos8, Some(LineCol::new(line, col8)), "offset {}", offset);
            prop_assert_eq!(pos16, Some(LineCol::new(line, col16)), "offset {}", offset);

            // The one position inside a "\r\n" comes back as the offset of its '\r'.
            let in_crlf = offset > 0 && text.as_bytes()[offset - 1..].starts_with(b"\r\n");
            let expected_back = if in_crlf { o - 1 } else { o };
            prop_assert_eq!(index.line_col_to_offset(pos8.unwrap()), Some(expected_back));
            prop_assert_eq!(index.line_col_utf16_to_offset(pos16.unwrap()), Some(expected_back));
        }
    }

    #[test]
    fn line_cols_agree_with_naive(text in text()) {
        let index = LineIndex::new(&text);
        let lines = naive_lines(&text);
        for (n, l) in lines.iter().enumerate() {
            let line = n as u32;
            prop_assert_eq!(index.line_start(line), Some(l.start as u32));
            prop_assert_eq!(index.line_end(line), Some(l.end as u32));
            let content = &text[l.start..l.end];

            for col in 0..content.len() + 3 {
                let expected = (col <= content.len() && content.is_char_boundary(col))
                    .then_some((l.start + col) as u32);
                prop_assert_eq!(
                    index.line_col_to_offset(LineCol::new(line, col as u32)),
                    expected,
                    "line {} col {}", line, col
                );
            }

            // Every UTF-16 column that starts a character (or ends the line) maps to its
            // offset; every other column is rejected.
            let mut starts16 = std::collections::BTreeMap::new();
            let mut col16 = 0;
            for (col8, ch) in content.char_indices() {
                starts16.insert(col16, l.start + col8);
                col16 += ch.len_utf16();
            }
            starts16.insert(col16, l.end);
            for col in 0..col16 + 3 {
                let expected = starts16.get(&col).map(|&o| o as u32);
                prop_assert_eq!(
                    index.line_col_utf16_to_offset(LineCol::new(line, col as u32)),
                    expected,
                    "line {} utf16 col {}", line, col
                );
            }
        }
        let past = lines.len() as u32;
        prop_assert_eq!(index.line_start(past), None);
        prop_assert_eq!(index.line_end(past), None);
        prop_assert_eq!(index.line_col_to_offset(LineCol::new(past, 0)), None);
        prop_assert_eq!(index.line_col_utf16_to_offset(LineCol::new(past, 0)), None);
    }

    #[test]
    fn arbitrary_positions_never_panic(text in text(), line in any::<u32>(), col in any::<u32>(), offset in any::<u32>()) {
        let index = LineIndex::new(&text);
        let pos = LineCol::new(line, col);
        for back in [index.line_col_to_offset(pos), index.line_col_utf16_to_offset(pos)]
            .into_iter()
            .flatten()
        {
            prop_assert!(back as usize <= text.len());
        }
        if let Some(p) = index.offset_to_line_col(offset) {
            prop_assert!(p.line < index.line_count());
        }
    }
}
