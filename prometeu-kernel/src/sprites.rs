//! Sprite banks: square tiles of RGB565 pixels, built from PNG files at build time and
//! stored in the cartridge in a small binary format (`machine.md` §2, §8).
//!
//! Bank file (`assets/sprites/NN.bank`, all integers little-endian):
//!
//! ```text
//! magic "PSB1" · tile_size u8 (8, 16 or 32) · 3 zero bytes · tile_count u32
//! · tile_count × tile_size² pixels, u16 RGB565, tile after tile, each row-major
//! ```
//!
//! The reader accepts exactly that and nothing else (no trailing bytes), without
//! panicking and without allocating more than the input's size.

use std::fmt;

use crate::gfx::Color;

/// The magic bytes a bank file starts with.
pub const BANK_MAGIC: [u8; 4] = *b"PSB1";
/// Length of a bank file's header.
pub const BANK_HEADER_LEN: usize = 12;
/// Largest PNG (in decoded bytes) the converter accepts, so bad input cannot exhaust memory.
pub const PNG_DECODE_LIMIT: usize = 64 << 20;
/// Alpha values below this make a PNG pixel transparent (the colour key).
pub const ALPHA_THRESHOLD: u8 = 128;

/// The side of a bank's square tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileSize {
    /// 8×8 tiles.
    S8,
    /// 16×16 tiles (the default).
    S16,
    /// 32×32 tiles.
    S32,
}

impl TileSize {
    /// The side in pixels.
    pub fn pixels(self) -> usize {
        match self {
            TileSize::S8 => 8,
            TileSize::S16 => 16,
            TileSize::S32 => 32,
        }
    }

    /// The tile size of a side in pixels, if it is one of 8, 16, 32.
    pub fn from_pixels(side: usize) -> Option<TileSize> {
        match side {
            8 => Some(TileSize::S8),
            16 => Some(TileSize::S16),
            32 => Some(TileSize::S32),
            _ => None,
        }
    }

    /// The tile size a sprite file's name asks for: a `_8`, `_16` or `_32` suffix
    /// before the extension (`hero_32.png`), 16 otherwise.
    pub fn from_file_name(name: &str) -> TileSize {
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        stem.rsplit_once('_')
            .and_then(|(_, suffix)| suffix.parse().ok())
            .and_then(TileSize::from_pixels)
            .unwrap_or(TileSize::S16)
    }
}

/// Why a bank could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankError {
    /// The PNG could not be decoded (the decoder's message).
    Png(String),
    /// The image's width or height is not a multiple of the tile size.
    Dimensions {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
        /// The tile side it should be a multiple of.
        tile: usize,
    },
    /// A bank file does not start with `PSB1`.
    BadMagic,
    /// A bank file's tile size byte is not 8, 16 or 32.
    BadTileSize(u8),
    /// A bank file's reserved bytes are not zero.
    BadReserved,
    /// A bank file's length does not match its header.
    Length {
        /// Bytes the header announces (header included).
        expected: u64,
        /// Bytes present.
        actual: u64,
    },
    /// Pixel data whose length is not a whole number of tiles.
    PartialTile,
}

impl fmt::Display for BankError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BankError::Png(msg) => write!(f, "cannot decode PNG: {msg}"),
            BankError::Dimensions {
                width,
                height,
                tile,
            } => write!(
                f,
                "image is {width}×{height} pixels, not a multiple of the {tile}-pixel tile size"
            ),
            BankError::BadMagic => write!(f, "not a sprite bank (missing PSB1 magic)"),
            BankError::BadTileSize(side) => write!(f, "tile size {side} is not 8, 16 or 32"),
            BankError::BadReserved => write!(f, "reserved header bytes are not zero"),
            BankError::Length { expected, actual } => {
                write!(f, "bank should be {expected} bytes long but is {actual}")
            }
            BankError::PartialTile => write!(f, "pixel data is not a whole number of tiles"),
        }
    }
}

impl std::error::Error for BankError {}

/// A sprite bank: `tile_count` square tiles of RGB565 pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpriteBank {
    tile_size: TileSize,
    /// Tile after tile, each row-major; length is a multiple of `tile_size²`.
    pixels: Vec<u16>,
}

impl SpriteBank {
    /// A bank from tiles laid out one after another, each row-major.
    pub fn new(tile_size: TileSize, pixels: Vec<u16>) -> Result<SpriteBank, BankError> {
        let area = tile_size.pixels() * tile_size.pixels();
        if pixels.len() % area != 0 {
            return Err(BankError::PartialTile);
        }
        Ok(SpriteBank { tile_size, pixels })
    }

    /// The side of the bank's tiles.
    pub fn tile_size(&self) -> TileSize {
        self.tile_size
    }

    /// How many tiles the bank holds.
    pub fn tile_count(&self) -> usize {
        self.pixels.len() / self.tile_area()
    }

    /// Tile `index`'s pixels, row-major, or `None` past the end.
    pub fn tile(&self, index: usize) -> Option<&[u16]> {
        let area = self.tile_area();
        let start = index.checked_mul(area)?;
        self.pixels.get(start..start.checked_add(area)?)
    }

    fn tile_area(&self) -> usize {
        self.tile_size.pixels() * self.tile_size.pixels()
    }

    /// Converts a PNG into a bank: tiles are cut left to right, then top to bottom.
    ///
    /// Every colour type and bit depth is accepted (palettes and grey expanded, 16-bit
    /// channels reduced to their high byte). A pixel with alpha below 128 becomes the
    /// colour key `0xF81F`; an opaque pixel converts like `Color.rgb`.
    pub fn from_png(bytes: &[u8], tile_size: TileSize) -> Result<SpriteBank, BankError> {
        let png_err = |e: png::DecodingError| BankError::Png(e.to_string());
        let mut decoder = png::Decoder::new_with_limits(
            bytes,
            png::Limits {
                bytes: PNG_DECODE_LIMIT,
            },
        );
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(png_err)?;
        let (color_type, _) = reader.output_color_type();
        let channels = match color_type {
            png::ColorType::Grayscale => 1,
            png::ColorType::GrayscaleAlpha => 2,
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            png::ColorType::Indexed => {
                return Err(BankError::Png("palette was not expanded".to_string()));
            }
        };
        // Check the size ourselves before asking the decoder, so huge dimensions in a
        // header are refused instead of overflowing or allocating.
        let (w, h) = (reader.info().width as usize, reader.info().height as usize);
        let fits = w
            .checked_mul(channels)
            .and_then(|row| row.checked_add(1))
            .and_then(|row| row.checked_mul(h))
            .is_some_and(|n| n <= PNG_DECODE_LIMIT);
        if !fits {
            return Err(BankError::Png("image too large".to_string()));
        }
        let mut buf = vec![0u8; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).map_err(png_err)?;
        let side = tile_size.pixels();
        let (width, height) = (info.width as usize, info.height as usize);
        if width % side != 0 || height % side != 0 || width == 0 || height == 0 {
            return Err(BankError::Dimensions {
                width: info.width,
                height: info.height,
                tile: side,
            });
        }
        let stride = info.line_size;
        let rgb565 = |x: usize, y: usize| -> u16 {
            let at = y * stride + x * channels;
            let px = &buf[at..at + channels];
            let (r, g, b, a) = match channels {
                1 => (px[0], px[0], px[0], 255),
                2 => (px[0], px[0], px[0], px[1]),
                3 => (px[0], px[1], px[2], 255),
                _ => (px[0], px[1], px[2], px[3]),
            };
            if a < ALPHA_THRESHOLD {
                Color::TRANSPARENT.0
            } else {
                Color::rgb(r.into(), g.into(), b.into()).0
            }
        };
        let mut pixels = Vec::with_capacity(width * height);
        for tile_y in (0..height).step_by(side) {
            for tile_x in (0..width).step_by(side) {
                for y in tile_y..tile_y + side {
                    for x in tile_x..tile_x + side {
                        pixels.push(rgb565(x, y));
                    }
                }
            }
        }
        SpriteBank::new(tile_size, pixels)
    }

    /// Reads a bank file (format in the module documentation).
    pub fn read(bytes: &[u8]) -> Result<SpriteBank, BankError> {
        let Some(header) = bytes.get(..BANK_HEADER_LEN) else {
            return Err(
                if bytes.starts_with(&BANK_MAGIC) || BANK_MAGIC.starts_with(bytes) {
                    BankError::Length {
                        expected: BANK_HEADER_LEN as u64,
                        actual: bytes.len() as u64,
                    }
                } else {
                    BankError::BadMagic
                },
            );
        };
        if header[..4] != BANK_MAGIC {
            return Err(BankError::BadMagic);
        }
        let tile_size =
            TileSize::from_pixels(header[4].into()).ok_or(BankError::BadTileSize(header[4]))?;
        if header[5..8] != [0, 0, 0] {
            return Err(BankError::BadReserved);
        }
        let tile_count = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        let side = tile_size.pixels() as u64;
        let expected = BANK_HEADER_LEN as u64 + u64::from(tile_count) * side * side * 2;
        if expected != bytes.len() as u64 {
            return Err(BankError::Length {
                expected,
                actual: bytes.len() as u64,
            });
        }
        let pixels = bytes[BANK_HEADER_LEN..]
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        SpriteBank::new(tile_size, pixels)
    }

    /// Writes the bank in the bank file format.
    pub fn write(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(BANK_HEADER_LEN + self.pixels.len() * 2);
        out.extend_from_slice(&BANK_MAGIC);
        out.push(self.tile_size.pixels() as u8);
        out.extend_from_slice(&[0, 0, 0]);
        // A bank built in memory is far below 4 billion tiles; saturate rather than wrap.
        out.extend_from_slice(
            &u32::try_from(self.tile_count())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        for p in &self.pixels {
            out.extend_from_slice(&p.to_le_bytes());
        }
        out
    }
}
