//! Shared helper: renders part of a framebuffer as ASCII art for snapshots.

use prometeu_kernel::gfx::{Color, Framebuffer};

/// One character per pixel of the region (x, y, w, h): `.` black, and a letter per
/// colour of the legend, `?` for anything else; rows separated by newlines.
pub fn art(fb: &Framebuffer, x: i32, y: i32, w: i32, h: i32) -> String {
    let legend = [
        (Color::BLACK, '.'),
        (Color::WHITE, '#'),
        (Color::RED, 'r'),
        (Color::GREEN, 'g'),
        (Color::BLUE, 'b'),
        (Color::YELLOW, 'y'),
        (Color::CYAN, 'c'),
        (Color::TRANSPARENT, 'm'),
        (Color::GRAY, 'o'),
    ];
    let mut out = String::new();
    for row in y..y + h {
        for col in x..x + w {
            let p = fb.get(col, row).unwrap_or(0xDEAD);
            let ch = legend
                .iter()
                .find(|(c, _)| c.0 == p)
                .map_or('?', |(_, ch)| *ch);
            out.push(ch);
        }
        out.push('\n');
    }
    out
}
