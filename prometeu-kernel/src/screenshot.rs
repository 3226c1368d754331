//! PNG screenshots for `--screenshot`: the 320×180 RGB565 frame expanded to RGB8.
//!
//! Expansion replicates each channel's top bits into its low bits
//! (`r8 = r5 << 3 | r5 >> 2`, `g8 = g6 << 2 | g6 >> 4`, `b8 = b5 << 3 | b5 >> 2`), so
//! black stays 0, full intensity becomes 255 and the steps are even.

use crate::gfx::{Pixels, SCREEN_HEIGHT, SCREEN_WIDTH};

/// An RGB565 pixel as 8-bit red, green, blue.
pub fn rgb565_to_rgb8(p: u16) -> [u8; 3] {
    let (r, g, b) = ((p >> 11) as u8, ((p >> 5) & 0x3F) as u8, (p & 0x1F) as u8);
    [r << 3 | r >> 2, g << 2 | g >> 4, b << 3 | b >> 2]
}

/// The frame as 8-bit RGB bytes, row by row.
pub fn frame_rgb8(pixels: &Pixels) -> Vec<u8> {
    pixels.iter().flat_map(|&p| rgb565_to_rgb8(p)).collect()
}

/// The frame encoded as a PNG file (8-bit RGB, no interlacing).
pub fn screenshot_png(pixels: &Pixels) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, SCREEN_WIDTH as u32, SCREEN_HEIGHT as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&frame_rgb8(pixels))?;
        writer.finish()?;
    }
    Ok(out)
}
