//! Golden tests of the drawing primitives: ASCII-art snapshots of small regions,
//! FNV hashes of whole frames, clipping at every edge and corner, huge arguments.

use crate::common;

use common::art;
use prometeu_kernel::gfx::{Color, Framebuffer, SCREEN_HEIGHT, SCREEN_WIDTH, octant_end, octant_y};
use prometeu_kernel::host::frame_hash;
use prometeu_kernel::sprites::{SpriteBank, TileSize};
use std::collections::BTreeSet;

const W: Color = Color::WHITE;

fn fb() -> Framebuffer {
    Framebuffer::new()
}

fn lit(fb: &Framebuffer) -> usize {
    fb.back().iter().filter(|&&p| p != 0).count()
}

#[test]
fn color_rgb_packs_and_clamps() {
    assert_eq!(Color::rgb(255, 255, 255), Color::WHITE);
    assert_eq!(Color::rgb(255, 0, 0), Color::RED);
    assert_eq!(Color::rgb(0, 255, 0), Color::GREEN);
    assert_eq!(Color::rgb(0, 0, 255), Color::BLUE);
    assert_eq!(Color::rgb(-5, 1000, i32::MIN), Color::GREEN);
    assert_eq!(
        Color::rgb(128, 130, 132),
        Color((128 >> 3) << 11 | (130 >> 2) << 5 | (132 >> 3))
    );
    assert_eq!(Color::rgb(7, 3, 7), Color::BLACK);
    assert_eq!(Color::GRAY.raw(), 0x8410);
}

#[test]
fn primitives_ascii() {
    let mut f = fb();
    f.fill_rect(1, 1, 4, 3, Color::RED);
    f.rect(7, 1, 5, 4, W);
    f.line(0, 6, 11, 9, Color::GREEN);
    f.line(13, 0, 15, 9, Color::YELLOW);
    f.pixel(17, 0, Color::CYAN);
    f.rect(17, 2, 1, 1, W);
    f.fill_rect(19, 2, 0, 5, W); // empty
    f.rect(19, 2, -3, 5, W); // negative: nothing
    insta::assert_snapshot!(art(&f, 0, 0, 20, 10));
}

#[test]
fn circles_ascii() {
    let mut f = fb();
    for (i, r) in [0, 1, 2, 3, 4, 6].into_iter().enumerate() {
        f.circle(7 + 15 * i as i32, 7, r, W);
        f.disc(7 + 15 * i as i32, 22, r, Color::BLUE);
    }
    f.circle(200, 100, -1, W);
    f.disc(200, 100, -1, W);
    insta::assert_snapshot!(art(&f, 0, 0, 90, 30));
}

#[test]
fn big_circle_ascii() {
    let mut f = fb();
    f.disc(12, 12, 11, Color::GRAY);
    f.circle(12, 12, 11, W);
    insta::assert_snapshot!(art(&f, 0, 0, 25, 25));
}

#[test]
fn text_and_sprites_ascii() {
    let mut f = fb();
    f.text(1, 1, "Hi!\n\u{e9}~", W);
    // 8×8 tile: a red frame with a magenta (colour key) centre and a white corner.
    let mut tile = vec![Color::RED.0; 64];
    for y in 1..7 {
        for x in 1..7 {
            tile[y * 8 + x] = Color::TRANSPARENT.0;
        }
    }
    tile[9] = W.0;
    let bank = SpriteBank::new(TileSize::S8, tile).unwrap();
    let banks = [bank];
    f.fill_rect(30, 0, 40, 10, Color::BLUE);
    for (i, (fx, fy)) in [(false, false), (true, false), (false, true), (true, true)]
        .into_iter()
        .enumerate()
    {
        f.sprite(&banks, 0, 0, 31 + 10 * i as i32, 1, fx, fy)
            .unwrap();
    }
    // Primitives draw the colour key like any colour.
    f.pixel(0, 18, Color::TRANSPARENT);
    insta::assert_snapshot!(art(&f, 0, 0, 72, 19));
}

#[test]
fn clipping_edges_and_corners_ascii() {
    // One shape of each kind straddling each edge and corner; the snapshot shows the
    // four corners of the screen (8×8 each) side by side.
    let mut f = fb();
    let (r, b) = (SCREEN_WIDTH, SCREEN_HEIGHT);
    for (x, y) in [
        (0, 0),
        (r, 0),
        (0, b),
        (r, b),
        (r / 2, 0),
        (0, b / 2),
        (r, b / 2),
        (r / 2, b),
    ] {
        f.rect(x - 3, y - 3, 6, 6, W);
        f.line(x - 5, y - 1, x + 5, y + 1, Color::GREEN);
        f.circle(x, y, 2, Color::RED);
    }
    f.text(-4, -4, "A", Color::YELLOW);
    f.text(r - 4, b - 4, "A", Color::YELLOW);
    let mut out = String::new();
    for (name, x, y) in [
        ("top-left", 0, 0),
        ("top-right", r - 8, 0),
        ("bottom-left", 0, b - 8),
        ("bottom-right", r - 8, b - 8),
        ("top-middle", r / 2 - 4, 0),
        ("left-middle", 0, b / 2 - 4),
        ("right-middle", r - 8, b / 2 - 4),
        ("bottom-middle", r / 2 - 4, b - 8),
    ] {
        out.push_str(&format!("{name}\n{}", art(&f, x, y, 8, 8)));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn frame_hashes() {
    // Whole-frame hashes pin every primitive beyond the small ASCII regions.
    let mut scenes: Vec<(&str, u64)> = Vec::new();
    let mut run = |name: &'static str, draw: &dyn Fn(&mut Framebuffer)| {
        let mut f = fb();
        draw(&mut f);
        scenes.push((name, frame_hash(f.back())));
    };
    run("clear", &|f| {
        f.clear(Color::rgb(10, 20, 30));
    });
    run("fill_rect", &|f| {
        f.fill_rect(-10, 50, 200, 300, Color::RED);
    });
    run("lines fan", &|f| {
        for i in 0..32 {
            f.line(
                160,
                90,
                i * 20 - 150,
                (i * 37) % 400 - 100,
                Color(i as u16 * 2000),
            );
        }
    });
    run("circles", &|f| {
        for r in (0..200).step_by(7) {
            f.circle(100, 80, r, Color(r as u16 * 300));
        }
    });
    run("discs", &|f| {
        for r in (0..120).step_by(13).rev() {
            f.disc(250, 120, r, Color(r as u16 * 500));
        }
    });
    run("text", &|f| {
        let all: String = (32u8..=126).map(char::from).collect();
        f.text(0, 0, &all, W);
        f.text(
            -3,
            170,
            "clipped at the bottom edge and beyond the right one too",
            Color::CYAN,
        );
    });
    run("rects", &|f| {
        for i in 0..20 {
            f.rect(
                i * 9 - 20,
                i * 7 - 10,
                i * 11,
                i * 5,
                Color(0x1234u16.wrapping_mul(i as u16)),
            );
        }
    });
    insta::assert_snapshot!(
        scenes
            .iter()
            .map(|(n, h)| format!("{n}: {h:016x}\n"))
            .collect::<String>()
    );
}

#[test]
fn huge_arguments_are_fast_and_clipped() {
    let (min, max) = (i32::MIN, i32::MAX);
    let mut f = fb();
    assert_eq!(f.fill_rect(min, min, max, max, W), 20);
    assert_eq!(lit(&f), 0);
    let cost = f.fill_rect(-(1 << 30), -(1 << 30), max, max, W);
    assert_eq!(lit(&f), 320 * 180);
    assert_eq!(cost, 20 + 320 * 180 / 8);
    let mut f = fb();
    f.line(min, min, max, max, W);
    f.line(min, 0, max, 179, W);
    f.line(0, min, 319, max, W);
    f.line(max, max, min, min, W);
    assert!(lit(&f) > 0);
    let mut f = fb();
    f.circle(160, 90, max, W);
    f.circle(min, max, max, W);
    f.disc(max, max, max, W);
    f.disc(160, 90, max, W);
    assert_eq!(lit(&f), 320 * 180);
    let mut f = fb();
    // A huge circle whose outline passes through the screen draws an arc there.
    let r = 1_000_000_000;
    f.circle(160, 90 - r, r, W);
    assert!(lit(&f) >= 300, "arc across the screen");
    f.rect(min, min, max, max, W);
    f.rect(-5, -5, max, max, W);
    f.text(max, max, "far away", W);
    f.text(min, min, "far away", W);
    f.pixel(min, max, W);
}

#[test]
fn costs_follow_the_table() {
    let mut f = fb();
    assert_eq!(f.clear(W), 2000);
    assert_eq!(f.pixel(-1, -1, W), 4);
    assert_eq!(f.fill_rect(0, 0, 16, 16, W), 20 + 32);
    assert_eq!(f.fill_rect(-8, 0, 16, 16, W), 20 + 16);
    assert_eq!(f.fill_rect(0, 0, -16, 16, W), 20);
    assert_eq!(f.rect(0, 0, 10, 5, W), 35);
    assert_eq!(f.rect(315, 0, 10, 5, W), 30);
    assert_eq!(f.line(0, 0, 9, 3, W), 30);
    assert_eq!(f.line(-5, 0, 4, 0, W), 25);
    assert_eq!(f.circle(0, 0, 10, W), 60);
    assert_eq!(f.circle(0, 0, i32::MAX, W), 20 + 4 * 512);
    assert_eq!(f.disc(0, 0, 10, W), 120);
    assert_eq!(f.disc(0, 0, -10, W), 20);
    assert_eq!(f.text(0, 0, "héllo\n", W), 20 + 16 * 6);
}

#[test]
fn line_matches_iterative_bresenham() {
    // The closed form the clipped line uses equals the classic incremental algorithm
    // (error term, step the minor axis when 2·err ≥ d_major, i.e. round half up).
    fn reference(x0: i64, y0: i64, x1: i64, y1: i64) -> BTreeSet<(i64, i64)> {
        let (dx, dy) = (x1 - x0, y1 - y0);
        let (sx, sy) = (if dx < 0 { -1 } else { 1 }, if dy < 0 { -1 } else { 1 });
        let (adx, ady) = (dx.abs(), dy.abs());
        let mut out = BTreeSet::new();
        let (mut x, mut y) = (x0, y0);
        if adx >= ady {
            let mut err = 0; // 2·(accumulated minor) − stepped·2·adx, offset by adx
            for _ in 0..=adx {
                out.insert((x, y));
                x += sx;
                err += 2 * ady;
                if err >= adx && adx > 0 {
                    y += sy;
                    err -= 2 * adx;
                }
            }
        } else {
            let mut err = 0;
            for _ in 0..=ady {
                out.insert((x, y));
                y += sy;
                err += 2 * adx;
                if err >= ady {
                    x += sx;
                    err -= 2 * ady;
                }
            }
        }
        out
    }
    for (x0, y0) in [(50, 50), (3, 90), (160, 2)] {
        for dx in -40..=40 {
            for dy in [-37, -20, -7, -1, 0, 1, 5, 13, 40] {
                let mut f = fb();
                f.line(x0, y0, x0 + dx, y0 + dy, W);
                let got: BTreeSet<(i64, i64)> = (0..SCREEN_HEIGHT)
                    .flat_map(|y| (0..SCREEN_WIDTH).map(move |x| (x, y)))
                    .filter(|&(x, y)| f.get(x, y) == Some(W.0))
                    .map(|(x, y)| (i64::from(x), i64::from(y)))
                    .collect();
                let want: BTreeSet<_> =
                    reference(x0.into(), y0.into(), (x0 + dx).into(), (y0 + dy).into())
                        .into_iter()
                        .filter(|&(x, y)| (0..320).contains(&x) && (0..180).contains(&y))
                        .collect();
                assert_eq!(got, want, "line ({x0},{y0}) + ({dx},{dy})");
            }
        }
    }
}

#[test]
fn circle_matches_iterative_midpoint() {
    for r in 0..400i64 {
        let mut iterative = Vec::new();
        let (mut x, mut y, mut d) = (0i64, r, 1 - r);
        while x <= y {
            iterative.push((x, y));
            if d < 0 {
                d += 2 * x + 3;
            } else {
                d += 2 * (x - y) + 5;
                y -= 1;
            }
            x += 1;
        }
        let closed: Vec<_> = (0..=octant_end(r)).map(|x| (x, octant_y(r, x))).collect();
        assert_eq!(closed, iterative, "r = {r}");
    }
}

#[test]
fn disc_covers_circle_and_circle_is_symmetric() {
    for r in [0, 1, 2, 5, 17, 60, 89] {
        let mut outline = fb();
        outline.circle(160, 90, r, W);
        let mut filled = fb();
        filled.disc(160, 90, r, W);
        for (i, (&o, &d)) in outline.back().iter().zip(filled.back().iter()).enumerate() {
            assert!(
                o == 0 || d != 0,
                "r {r}: outline pixel {i} outside the disc"
            );
        }
        // The disc ends exactly at the outline: each disc row's end pixels are on it.
        for y in 0..SCREEN_HEIGHT {
            let row: Vec<i32> = (0..SCREEN_WIDTH)
                .filter(|&x| filled.get(x, y) == Some(W.0))
                .collect();
            if let (Some(&first), Some(&last)) = (row.first(), row.last()) {
                assert_eq!(outline.get(first, y), Some(W.0), "r {r} row {y} left end");
                assert_eq!(outline.get(last, y), Some(W.0), "r {r} row {y} right end");
                assert_eq!(row.len() as i32, last - first + 1, "rows are solid");
            }
        }
        for dy in -r..=r {
            for dx in -r..=r {
                let p = outline.get(160 + dx, 90 + dy);
                assert_eq!(p, outline.get(160 - dx, 90 + dy));
                assert_eq!(p, outline.get(160 + dy, 90 + dx));
            }
        }
    }
}

#[test]
fn clipped_shapes_match_unclipped_ones() {
    // Drawing a shape partly off screen lights exactly the on-screen part of the same
    // shape drawn fully on screen (shifted), at every edge.
    for (dx, dy) in [
        (-150, 0),
        (150, 0),
        (0, -85),
        (0, 85),
        (-150, -85),
        (150, 85),
    ] {
        let draw = |f: &mut Framebuffer, ox: i32, oy: i32| {
            f.circle(160 + ox, 90 + oy, 20, W);
            f.disc(160 + ox, 90 + oy, 9, W);
            f.line(130 + ox, 70 + oy, 190 + ox, 103 + oy, W);
            f.rect(140 + ox, 80 + oy, 40, 25, W);
            f.text(135 + ox, 86 + oy, "clip", W);
        };
        let mut centred = fb();
        draw(&mut centred, 0, 0);
        let mut moved = fb();
        draw(&mut moved, dx, dy);
        for y in 0..SCREEN_HEIGHT {
            for x in 0..SCREEN_WIDTH {
                let expected = centred.get(x - dx, y - dy).unwrap_or(0);
                assert_eq!(
                    moved.get(x, y),
                    Some(expected),
                    "({x},{y}) shift ({dx},{dy})"
                );
            }
        }
    }
}

#[test]
fn present_copies_back_to_front_and_keeps_back() {
    let mut f = fb();
    f.pixel(3, 4, W);
    assert_eq!(f.front()[4 * 320 + 3], 0);
    f.present();
    assert_eq!(f.front()[4 * 320 + 3], W.0);
    assert_eq!(f.back()[4 * 320 + 3], W.0, "back buffer keeps its content");
    f.pixel(5, 4, W);
    assert_eq!(f.front()[4 * 320 + 5], 0, "front changes only at present");
}

#[test]
fn sprite_errors_and_costs() {
    let banks = [
        SpriteBank::new(TileSize::S16, vec![W.0; 256 * 2]).unwrap(),
        SpriteBank::new(TileSize::S32, vec![W.0; 1024]).unwrap(),
    ];
    let mut f = fb();
    assert_eq!(f.sprite(&banks, 0, 1, -8, -8, false, false), Ok(20 + 32));
    assert_eq!(lit(&f), 64);
    assert_eq!(f.sprite(&banks, 1, 0, 310, 170, true, true), Ok(20 + 128));
    assert_eq!(
        f.sprite(&banks, 0, 2, 0, 0, false, false).unwrap_err().arg,
        "tile"
    );
    assert_eq!(
        f.sprite(&banks, 0, -1, 0, 0, false, false).unwrap_err().arg,
        "tile"
    );
    assert_eq!(
        f.sprite(&banks, 2, 0, 0, 0, false, false).unwrap_err().arg,
        "bank"
    );
    assert_eq!(
        f.sprite(&banks, i32::MIN, 0, 0, 0, false, false)
            .unwrap_err()
            .arg,
        "bank"
    );
    assert!(
        f.sprite(&banks, 1, 0, i32::MAX, i32::MIN, false, false)
            .is_ok()
    );
    // Raw tiles of odd shapes draw what they have and never panic.
    let before = lit(&f);
    f.draw_tile(&[W.0; 10], 0, 100, 100, false, false);
    f.draw_tile(&[], 8, 100, 100, true, true);
    assert_eq!(lit(&f), before);
    f.draw_tile(&[Color::RED.0; 20], 8, 100, 100, true, true);
    assert_eq!(lit(&f), before + 16, "two whole rows of eight");
}

#[test]
fn screenshot_png_looks_right() {
    // Writes a PNG of a busy scene to the target dir for a human look, and checks it
    // decodes back to the same pixels.
    let mut f = fb();
    f.clear(Color::rgb(20, 24, 40));
    f.disc(60, 90, 40, Color::BLUE);
    f.circle(60, 90, 40, W);
    f.fill_rect(120, 20, 80, 40, Color::RED);
    f.rect(118, 18, 84, 44, Color::YELLOW);
    for i in 0..16 {
        f.line(220, 170, 220 + i * 6, 80, Color::GREEN);
    }
    f.text(120, 70, "PROMETEU 0.1\nHello, world!\n{[(<@#$%&*>)]}", W);
    f.present();
    let png = prometeu_kernel::screenshot::screenshot_png(f.front()).unwrap();
    let path = std::env::temp_dir().join("prometeu-kernel-gfx-golden.png");
    std::fs::write(&path, &png).unwrap();
    let decoder = png::Decoder::new(&png[..]);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    reader.next_frame(&mut buf).unwrap();
    assert_eq!(buf, prometeu_kernel::screenshot::frame_rgb8(f.front()));
}

mod arbitrary_arguments {
    use super::*;
    use proptest::prelude::*;

    fn coord() -> impl Strategy<Value = i32> {
        prop_oneof![any::<i32>(), -400..720i32, Just(i32::MIN), Just(i32::MAX)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn primitives_never_panic_and_cost_is_bounded(
            a in coord(), b in coord(), c in coord(), d in coord(), colour in any::<u16>(),
            s in "\\PC{0,40}",
        ) {
            let mut f = Framebuffer::new();
            let c0 = Color(colour);
            prop_assert!(f.fill_rect(a, b, c, d, c0) <= 20 + 320 * 180 / 8);
            prop_assert!(f.rect(a, b, c, d, c0) <= 20 + 320 + 180);
            prop_assert!(f.line(a, b, c, d, c0) <= 20 + 320);
            prop_assert!(f.circle(a, b, c, c0) <= 20 + 4 * 512);
            prop_assert!(f.disc(a, b, d, c0) <= 20 + 512 * 512);
            prop_assert_eq!(f.pixel(a, b, c0), 4);
            prop_assert_eq!(f.text(a, b, &s, c0), 20 + 16 * s.chars().count() as u32);
            let bank = SpriteBank::new(TileSize::S8, vec![colour; 64]).unwrap();
            let _ = f.sprite(&[bank], c, d, a, b, colour & 1 == 0, colour & 2 == 0);
        }

        #[test]
        fn line_draws_both_endpoints(
            x0 in -50..370i32, y0 in -50..230i32, x1 in -50..370i32, y1 in -50..230i32,
        ) {
            let mut f = Framebuffer::new();
            f.line(x0, y0, x1, y1, W);
            for (x, y) in [(x0, y0), (x1, y1)] {
                if let Some(p) = f.get(x, y) {
                    prop_assert_eq!(p, W.0);
                }
            }
        }
    }
}
