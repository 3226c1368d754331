//! The built-in font, rendered through `Gfx.text` and snapshotted as ASCII art so a
//! reviewer can read every glyph.

use crate::common;

use common::art;
use prometeu_kernel::font::{BOX_GLYPH, FONT, glyph};
use prometeu_kernel::gfx::{Color, Framebuffer};

#[test]
fn sample_sentence() {
    let mut f = Framebuffer::new();
    f.text(
        0,
        0,
        "Sphinx of black quartz,\njudge my vow! 0123456789",
        Color::WHITE,
    );
    insta::assert_snapshot!(art(&f, 0, 0, 8 * 24, 16));
}

#[test]
fn every_glyph() {
    // All of 32..=126, sixteen per line, so the sheet is the whole font.
    let chars: Vec<char> = (32u8..=126).map(char::from).collect();
    let sheet = chars
        .chunks(16)
        .map(|line| line.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    let mut f = Framebuffer::new();
    f.text(0, 0, &sheet, Color::WHITE);
    insta::assert_snapshot!(art(&f, 0, 0, 8 * 16, 8 * 6));
}

#[test]
fn glyph_lookup() {
    assert_eq!(glyph(' '), &[0; 8]);
    assert_eq!(glyph('!'), &FONT[1]);
    assert_eq!(glyph('~'), &FONT[94]);
    for c in ['\u{7f}', '\t', '\n', 'é', '\u{1F600}', '\0'] {
        assert_eq!(glyph(c), &BOX_GLYPH);
    }
    for (i, g) in FONT.iter().enumerate() {
        // Columns 0, 6 and 7 stay empty so neighbouring glyphs never touch.
        assert!(g.iter().all(|row| row & 0x83 == 0), "glyph {}", i + 32);
        if i > 0 {
            assert!(g.iter().any(|&row| row != 0), "glyph {} is blank", i + 32);
        }
    }
    let distinct: std::collections::BTreeSet<_> = FONT.iter().collect();
    assert_eq!(distinct.len(), FONT.len(), "every glyph looks different");
}
