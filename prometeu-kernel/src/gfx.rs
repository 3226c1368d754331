//! The framebuffer and its drawing primitives (`machine.md` §2, costs in §5).
//!
//! Every primitive takes any `i32` coordinates and sizes, clips to the screen and does
//! work proportional to what it can touch on the screen, never to its arguments:
//! `fill_rect(i32::MIN, 0, i32::MAX, i32::MAX, c)` or a circle of radius `i32::MAX`
//! cost as much time as a full-screen fill. Arithmetic on coordinates is done in
//! `i64`/`i128`, so no input can overflow. Each primitive returns its cycle cost.

use crate::arg::ArgError;
use crate::font;
use crate::sprites::SpriteBank;

/// Screen width in pixels.
pub const SCREEN_WIDTH: i32 = 320;
/// Screen height in pixels.
pub const SCREEN_HEIGHT: i32 = 180;
/// Number of pixels in one frame.
pub const SCREEN_PIXELS: usize = (SCREEN_WIDTH * SCREEN_HEIGHT) as usize;

/// One frame of RGB565 pixels, row by row from the top left.
pub type Pixels = [u16; SCREEN_PIXELS];

/// Radius above which circles and discs cost as if they had this radius (§5 costs).
pub const COST_RADIUS_CAP: i64 = 512;

/// An RGB565 colour (`RRRRRGGGGGGBBBBB`), the prelude's `Color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Color(pub u16);

impl Color {
    /// `Color.BLACK`.
    pub const BLACK: Color = Color(0x0000);
    /// `Color.WHITE`.
    pub const WHITE: Color = Color(0xFFFF);
    /// `Color.RED`.
    pub const RED: Color = Color(0xF800);
    /// `Color.GREEN`.
    pub const GREEN: Color = Color(0x07E0);
    /// `Color.BLUE`.
    pub const BLUE: Color = Color(0x001F);
    /// `Color.YELLOW`.
    pub const YELLOW: Color = Color(0xFFE0);
    /// `Color.CYAN`.
    pub const CYAN: Color = Color(0x07FF);
    /// `Color.GRAY`.
    pub const GRAY: Color = Color(0x8410);
    /// `Color.TRANSPARENT`, the colour key: sprite pixels of this colour are not drawn.
    pub const TRANSPARENT: Color = Color(0xF81F);

    /// `Color.rgb`: clamps each channel to 0..=255 and packs the top 5/6/5 bits.
    pub fn rgb(r: i32, g: i32, b: i32) -> Color {
        let [r, g, b] = [r, g, b].map(|v| v.clamp(0, 255) as u16);
        Color((r >> 3) << 11 | (g >> 2) << 5 | (b >> 3))
    }

    /// `Color.raw`: the packed RGB565 value.
    pub fn raw(self) -> u16 {
        self.0
    }
}

/// Cycle costs of the primitives whose cost does not depend on their arguments (§5).
pub mod cost {
    /// `Gfx.clear`.
    pub const CLEAR: u32 = 2000;
    /// `Gfx.pixel`.
    pub const PIXEL: u32 = 4;
    /// The fixed part of every other primitive.
    pub const BASE: u32 = 20;
    /// Per character of `Gfx.text`.
    pub const PER_CHAR: u32 = 16;
}

/// The console's double-buffered screen: cartridges draw into the back buffer,
/// [`Framebuffer::present`] copies it to the front buffer that hosts show.
///
/// The back buffer keeps its content after `present`, so a cartridge that does not
/// clear draws over the previous frame.
#[derive(Clone)]
pub struct Framebuffer {
    back: Box<Pixels>,
    front: Box<Pixels>,
}

impl Default for Framebuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl Framebuffer {
    /// A framebuffer whose both buffers are black.
    pub fn new() -> Framebuffer {
        Framebuffer {
            back: black_pixels(),
            front: black_pixels(),
        }
    }

    /// The buffer being drawn into.
    pub fn back(&self) -> &Pixels {
        &self.back
    }

    /// The last presented frame, the one hosts show.
    pub fn front(&self) -> &Pixels {
        &self.front
    }

    /// Copies the back buffer to the front buffer (done at `FRAME_SYNC`).
    pub fn present(&mut self) {
        self.front.copy_from_slice(&self.back[..]);
    }

    /// The back buffer's pixel at (x, y), or `None` off the screen.
    pub fn get(&self, x: i32, y: i32) -> Option<u16> {
        on_screen(i64::from(x), i64::from(y)).then(|| self.back[index(x as usize, y as usize)])
    }

    /// `Gfx.clear`: fills the whole back buffer.
    pub fn clear(&mut self, c: Color) -> u32 {
        self.back.fill(c.0);
        cost::CLEAR
    }

    /// `Gfx.pixel`: sets one pixel if it is on the screen.
    pub fn pixel(&mut self, x: i32, y: i32, c: Color) -> u32 {
        self.plot(i64::from(x), i64::from(y), c.0);
        cost::PIXEL
    }

    /// `Gfx.fill_rect`: fills `w`×`h` pixels from (x, y); nothing when `w` or `h` ≤ 0.
    /// Costs 20 + (visible w)·(visible h)/8.
    pub fn fill_rect(&mut self, x: i32, y: i32, w: i32, h: i32, c: Color) -> u32 {
        let Some(clip) = Clip::of_rect(x, y, w, h) else {
            return cost::BASE;
        };
        for row in clip.y0..clip.y1 {
            self.span(row, clip.x0, clip.x1 - 1, c.0);
        }
        cost::BASE.saturating_add(clip.area_cost())
    }

    /// `Gfx.rect`: the one-pixel outline of the `w`×`h` rectangle at (x, y); nothing
    /// when `w` or `h` ≤ 0. Costs 20 + (visible w) + (visible h).
    pub fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, c: Color) -> u32 {
        let Some(clip) = Clip::of_rect(x, y, w, h) else {
            return cost::BASE;
        };
        let (left, top) = (i64::from(x), i64::from(y));
        let (right, bottom) = (left + i64::from(w) - 1, top + i64::from(h) - 1);
        self.span(top, clip.x0, clip.x1 - 1, c.0);
        self.span(bottom, clip.x0, clip.x1 - 1, c.0);
        for row in clip.y0..clip.y1 {
            self.plot(left, row, c.0);
            self.plot(right, row, c.0);
        }
        let visible = (clip.x1 - clip.x0) + (clip.y1 - clip.y0);
        cost::BASE.saturating_add(visible as u32)
    }

    /// `Gfx.line`: a Bresenham line with both endpoints drawn.
    ///
    /// Along the major axis (the longer of |dx|, |dy|; x on a tie) step `i` is at
    /// `start + i`, and its minor offset is `i·d_minor/d_major` rounded half up. Only
    /// the steps whose major coordinate is on the screen are visited. Costs 20 + the
    /// number of pixels drawn on the screen.
    pub fn line(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, c: Color) -> u32 {
        let (x0, y0, x1, y1) = (i64::from(x0), i64::from(y0), i64::from(x1), i64::from(y1));
        let (dx, dy) = (x1 - x0, y1 - y0);
        let x_major = dx.abs() >= dy.abs();
        // Swap axes so the loop always walks the major axis "a" and derives "b".
        let (a0, b0, da, db, a_len) = if x_major {
            (x0, y0, dx, dy, i64::from(SCREEN_WIDTH))
        } else {
            (y0, x0, dy, dx, i64::from(SCREEN_HEIGHT))
        };
        let (sa, sb) = (if da < 0 { -1 } else { 1 }, if db < 0 { -1 } else { 1 });
        let (ada, adb) = (da.abs(), db.abs());
        // Steps i in 0..=ada whose major coordinate a0 + sa·i lies in 0..a_len.
        let (first, last) = if sa > 0 {
            ((-a0).max(0), ada.min(a_len - 1 - a0))
        } else {
            ((a0 - (a_len - 1)).max(0), ada.min(a0))
        };
        let mut drawn: u32 = 0;
        let mut i = first;
        while i <= last {
            let minor = if ada == 0 {
                0
            } else {
                ((2 * i128::from(i) * i128::from(adb) + i128::from(ada)) / (2 * i128::from(ada)))
                    as i64
            };
            let (a, b) = (a0 + sa * i, b0 + sb * minor);
            let (x, y) = if x_major { (a, b) } else { (b, a) };
            if self.plot(x, y, c.0) {
                drawn += 1;
            }
            i += 1;
        }
        cost::BASE.saturating_add(drawn)
    }

    /// `Gfx.circle`: the midpoint-algorithm outline of radius `r` around (cx, cy);
    /// nothing when `r` < 0, one pixel when `r` = 0. Costs 20 + 4·min(r, 512).
    ///
    /// The midpoint algorithm's octant point for column `x` is the smallest `y ≥ 0` with
    /// `y² + y ≥ r² − x²`; computing it directly lets huge circles visit only the
    /// columns and rows that can land on the screen.
    pub fn circle(&mut self, cx: i32, cy: i32, r: i32, c: Color) -> u32 {
        let cost = cost::BASE.saturating_add(4 * radius_for_cost(r));
        if r < 0 {
            return cost;
        }
        let (cx, cy, r) = (i64::from(cx), i64::from(cy), i64::from(r));
        let x_end = octant_end(r);
        // Each of the 8 mirrored octants puts the octant's x on the screen's x axis
        // (swap = false) or y axis (swap = true), offset by sign·x from the centre.
        for swap in [false, true] {
            for sx in [-1i64, 1] {
                for sy in [-1i64, 1] {
                    let (centre_a, len) = if swap {
                        (cy, i64::from(SCREEN_HEIGHT))
                    } else {
                        (cx, i64::from(SCREEN_WIDTH))
                    };
                    let sign_a = if swap { sy } else { sx };
                    // Values of x for which centre_a + sign_a·x lies in 0..len.
                    let (lo, hi) = if sign_a > 0 {
                        (-centre_a, len - 1 - centre_a)
                    } else {
                        (centre_a - (len - 1), centre_a)
                    };
                    let mut x = lo.max(0);
                    while x <= hi.min(x_end) {
                        let y = octant_y(r, x);
                        let (px, py) = if swap {
                            (cx + sx * y, cy + sy * x)
                        } else {
                            (cx + sx * x, cy + sy * y)
                        };
                        self.plot(px, py, c.0);
                        x += 1;
                    }
                }
            }
        }
        cost
    }

    /// `Gfx.disc`: the filled circle of radius `r`: exactly the pixels on or inside
    /// [`Framebuffer::circle`]'s outline, i.e. the centre and every (dx, dy) with
    /// `dx² + dy² − max(|dx|, |dy|) < r²`; nothing when `r` < 0.
    /// Costs 20 + min(r, 512)².
    pub fn disc(&mut self, cx: i32, cy: i32, r: i32, c: Color) -> u32 {
        let capped = radius_for_cost(r);
        let cost = cost::BASE.saturating_add(capped * capped);
        if r < 0 {
            return cost;
        }
        let (cx, cy, r) = (i64::from(cx), i64::from(cy), i64::from(r));
        let top = (cy - r).max(0);
        let bottom = (cy + r).min(i64::from(SCREEN_HEIGHT) - 1);
        for row in top..=bottom {
            let reach = disc_reach(r, (row - cy).abs());
            self.span(row, cx - reach, cx + reach, c.0);
        }
        cost
    }

    /// `Gfx.text`: draws `s` with the built-in font, the top left of the first cell at
    /// (x, y). Each character advances 8 pixels; `'\n'` returns to `x` and moves down 8
    /// pixels; characters outside 32..=126 draw [`font::BOX_GLYPH`].
    /// Costs 20 + 16 per character (`'\n'` included).
    pub fn text(&mut self, x: i32, y: i32, s: &str, c: Color) -> u32 {
        let (mut pen_x, mut pen_y) = (i64::from(x), i64::from(y));
        let mut chars: u32 = 0;
        let cell = i64::from(font::GLYPH_SIZE);
        for ch in s.chars() {
            chars = chars.saturating_add(1);
            if ch == '\n' {
                pen_x = i64::from(x);
                pen_y += cell;
                continue;
            }
            if cell_visible(pen_x, pen_y, cell) {
                for (row, bits) in font::glyph(ch).iter().enumerate() {
                    for col in 0..8 {
                        if bits & (0x80 >> col) != 0 {
                            self.plot(pen_x + col, pen_y + row as i64, c.0);
                        }
                    }
                }
            }
            pen_x += cell;
        }
        cost::BASE.saturating_add(cost::PER_CHAR.saturating_mul(chars))
    }

    /// `Gfx.sprite`: draws tile `tile` of bank `bank` (indices into `banks`) with its
    /// top left at (x, y), mirrored as asked; pixels of the colour key are skipped.
    /// A bank or tile that does not exist is an [`ArgError`]. Costs 20 + size²/8.
    // The six arguments of `Gfx.sprite` plus the banks: a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn sprite(
        &mut self,
        banks: &[SpriteBank],
        bank: i32,
        tile: i32,
        x: i32,
        y: i32,
        flip_x: bool,
        flip_y: bool,
    ) -> Result<u32, ArgError> {
        let Some(sprite_bank) = usize::try_from(bank).ok().and_then(|b| banks.get(b)) else {
            return Err(ArgError {
                arg: "bank",
                value: i64::from(bank),
                expected: "an existing bank",
            });
        };
        let Some(pixels) = usize::try_from(tile).ok().and_then(|t| sprite_bank.tile(t)) else {
            return Err(ArgError {
                arg: "tile",
                value: i64::from(tile),
                expected: "a tile of the bank",
            });
        };
        let size = sprite_bank.tile_size().pixels();
        self.draw_tile(pixels, size, x, y, flip_x, flip_y);
        Ok(cost::BASE + (size * size / 8) as u32)
    }

    /// Draws a `size`×`size` tile (row-major RGB565) at (x, y), skipping the colour key.
    pub fn draw_tile(
        &mut self,
        pixels: &[u16],
        size: usize,
        x: i32,
        y: i32,
        flip_x: bool,
        flip_y: bool,
    ) {
        let (x, y) = (i64::from(x), i64::from(y));
        if size == 0 || !cell_visible(x, y, size as i64) {
            return;
        }
        for (row, line) in pixels.chunks_exact(size).take(size).enumerate() {
            let dst_row = if flip_y { size - 1 - row } else { row };
            for (col, &p) in line.iter().enumerate() {
                if p == Color::TRANSPARENT.0 {
                    continue;
                }
                let dst_col = if flip_x { size - 1 - col } else { col };
                self.plot(x + dst_col as i64, y + dst_row as i64, p);
            }
        }
    }

    /// Sets one pixel if (x, y) is on the screen; reports whether it was.
    fn plot(&mut self, x: i64, y: i64, c: u16) -> bool {
        let visible = on_screen(x, y);
        if visible {
            self.back[index(x as usize, y as usize)] = c;
        }
        visible
    }

    /// Fills row `y` from `x0` to `x1` inclusive, clipped.
    fn span(&mut self, y: i64, x0: i64, x1: i64, c: u16) {
        if !(0..i64::from(SCREEN_HEIGHT)).contains(&y) {
            return;
        }
        let (x0, x1) = (x0.max(0), x1.min(i64::from(SCREEN_WIDTH) - 1));
        if x0 > x1 {
            return;
        }
        let start = index(0, y as usize);
        self.back[start + x0 as usize..=start + x1 as usize].fill(c);
    }
}

/// A rectangle's intersection with the screen, half-open, never empty.
struct Clip {
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
}

impl Clip {
    /// The visible part of `w`×`h` at (x, y), or `None` when nothing of it is visible.
    fn of_rect(x: i32, y: i32, w: i32, h: i32) -> Option<Clip> {
        if w <= 0 || h <= 0 {
            return None;
        }
        let (x, y) = (i64::from(x), i64::from(y));
        let clip = Clip {
            x0: x.max(0),
            y0: y.max(0),
            x1: (x + i64::from(w)).min(i64::from(SCREEN_WIDTH)),
            y1: (y + i64::from(h)).min(i64::from(SCREEN_HEIGHT)),
        };
        (clip.x0 < clip.x1 && clip.y0 < clip.y1).then_some(clip)
    }

    /// The `w·h/8` part of `fill_rect`'s cost, for the visible size.
    fn area_cost(&self) -> u32 {
        ((self.x1 - self.x0) * (self.y1 - self.y0) / 8) as u32
    }
}

/// A black frame on the heap (a `Pixels` is too big to build on the stack comfortably).
fn black_pixels() -> Box<Pixels> {
    vec![0u16; SCREEN_PIXELS]
        .into_boxed_slice()
        .try_into()
        .unwrap_or_else(|_| unreachable!())
}

fn on_screen(x: i64, y: i64) -> bool {
    (0..i64::from(SCREEN_WIDTH)).contains(&x) && (0..i64::from(SCREEN_HEIGHT)).contains(&y)
}

/// Whether a `size`×`size` cell at (x, y) overlaps the screen.
fn cell_visible(x: i64, y: i64, size: i64) -> bool {
    x < i64::from(SCREEN_WIDTH) && y < i64::from(SCREEN_HEIGHT) && x + size > 0 && y + size > 0
}

fn index(x: usize, y: usize) -> usize {
    y * SCREEN_WIDTH as usize + x
}

/// The radius a circle or disc is charged for: negative counts as 0, large as 512.
fn radius_for_cost(r: i32) -> u32 {
    i64::from(r).clamp(0, COST_RADIUS_CAP) as u32
}

/// The octant's y for column `x`: the smallest `y ≥ 0` with `y² + y ≥ r² − x²`.
pub fn octant_y(r: i64, x: i64) -> i64 {
    let k = i128::from(r) * i128::from(r) - i128::from(x) * i128::from(x);
    if k <= 0 {
        return 0;
    }
    // y = ceil((sqrt(4k + 1) − 1) / 2); the integer root lands within one of it.
    let mut y = (((4 * k + 1) as u128).isqrt() as i128 - 1) / 2;
    while y * y + y < k {
        y += 1;
    }
    while y > 0 && (y - 1) * (y - 1) + (y - 1) >= k {
        y -= 1;
    }
    y as i64
}

/// How far a disc of radius `r` reaches left and right on the row `b = |dy|` away from
/// its centre (`b ≤ r`): the largest `a` with `a² + b² − max(a, b) < r²`, or 0.
pub fn disc_reach(r: i64, b: i64) -> i64 {
    let r2 = i128::from(r) * i128::from(r);
    let inside = |a: i64| {
        let (a, b) = (i128::from(a), i128::from(b));
        a * a + b * b - a.max(b) < r2
    };
    // The left side grows with `a`, so binary search the last `a` inside in 0..=r.
    let (mut lo, mut hi) = (0i64, r.max(0));
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        if inside(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// The last column of the first octant: the largest `x` with `x ≤ octant_y(r, x)`.
pub fn octant_end(r: i64) -> i64 {
    // octant_y falls as x grows, so binary search the crossing in 0..=r.
    let (mut lo, mut hi) = (0i64, r.max(0));
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        if mid <= octant_y(r, mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}
