//! Sprite banks: PNG conversion, the bank file format, and robustness on bad bytes.

use prometeu_kernel::gfx::Color;
use prometeu_kernel::sprites::{BankError, SpriteBank, TileSize};
use proptest::prelude::*;

/// Encodes an RGBA8 image as PNG.
fn png_rgba(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    let mut data = Vec::new();
    for y in 0..height {
        for x in 0..width {
            data.extend_from_slice(&pixel(x, y));
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

#[test]
fn png_tiles_are_cut_in_reading_order() {
    // 16×16 image of four 8×8 tiles, each a different colour; the top-left pixel of
    // each tile is transparent and one pixel is half-transparent (still opaque).
    let colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
    let png = png_rgba(16, 16, |x, y| {
        let [r, g, b] = colours[(y / 8 * 2 + x / 8) as usize];
        let a = match (x % 8, y % 8) {
            (0, 0) => 0,
            (1, 0) => 127,
            (2, 0) => 128,
            _ => 255,
        };
        [r, g, b, a]
    });
    let bank = SpriteBank::from_png(&png, TileSize::S8).unwrap();
    assert_eq!(bank.tile_count(), 4);
    assert_eq!(bank.tile(4), None);
    for (i, want) in [Color::RED, Color::GREEN, Color::BLUE, Color::WHITE]
        .into_iter()
        .enumerate()
    {
        let tile = bank.tile(i).unwrap();
        assert_eq!(tile.len(), 64);
        assert_eq!(tile[0], Color::TRANSPARENT.0);
        assert_eq!(tile[1], Color::TRANSPARENT.0);
        assert_eq!(tile[2], want.0);
        assert_eq!(tile[63], want.0);
    }
}

#[test]
fn png_colour_conversion_matches_color_rgb() {
    let png = png_rgba(16, 16, |x, y| {
        [(x * 16) as u8, (y * 16) as u8, (x * y) as u8, 255]
    });
    let bank = SpriteBank::from_png(&png, TileSize::S16).unwrap();
    let tile = bank.tile(0).unwrap();
    for y in 0..16 {
        for x in 0..16 {
            let want = Color::rgb(x * 16, y * 16, x * y);
            assert_eq!(tile[(y * 16 + x) as usize], want.0);
        }
    }
}

#[test]
fn png_grey_and_palette_images_are_accepted() {
    // Greyscale 8-bit.
    let mut grey = Vec::new();
    {
        let mut e = png::Encoder::new(&mut grey, 8, 8);
        e.set_color(png::ColorType::Grayscale);
        e.set_depth(png::BitDepth::Eight);
        let mut w = e.write_header().unwrap();
        w.write_image_data(&[200u8; 64]).unwrap();
    }
    let bank = SpriteBank::from_png(&grey, TileSize::S8).unwrap();
    assert_eq!(bank.tile(0).unwrap()[5], Color::rgb(200, 200, 200).0);
    // Indexed, 1 bit per pixel, with a transparent palette entry.
    let mut indexed = Vec::new();
    {
        let mut e = png::Encoder::new(&mut indexed, 8, 8);
        e.set_color(png::ColorType::Indexed);
        e.set_depth(png::BitDepth::One);
        e.set_palette(vec![0, 0, 0, 255, 255, 0]);
        e.set_trns(vec![0u8]);
        let mut w = e.write_header().unwrap();
        w.write_image_data(&[0b1010_1010; 8]).unwrap();
    }
    let bank = SpriteBank::from_png(&indexed, TileSize::S8).unwrap();
    let tile = bank.tile(0).unwrap();
    assert_eq!(tile[0], Color::YELLOW.0);
    assert_eq!(tile[1], Color::TRANSPARENT.0);
}

#[test]
fn png_dimensions_must_be_multiples_of_the_tile() {
    let png = png_rgba(24, 16, |_, _| [0, 0, 0, 255]);
    assert_eq!(
        SpriteBank::from_png(&png, TileSize::S16),
        Err(BankError::Dimensions {
            width: 24,
            height: 16,
            tile: 16
        })
    );
    assert_eq!(
        SpriteBank::from_png(&png, TileSize::S8)
            .unwrap()
            .tile_count(),
        6
    );
    insta::assert_snapshot!(SpriteBank::from_png(&png, TileSize::S32).unwrap_err().to_string(), @"image is 24×16 pixels, not a multiple of the 32-pixel tile size");
}

#[test]
fn png_garbage_is_an_error() {
    assert!(matches!(
        SpriteBank::from_png(b"", TileSize::S8),
        Err(BankError::Png(_))
    ));
    assert!(matches!(
        SpriteBank::from_png(b"\x89PNG\r\n\x1a\nxx", TileSize::S8),
        Err(BankError::Png(_))
    ));
    let png = png_rgba(16, 16, |_, _| [1, 2, 3, 255]);
    assert!(SpriteBank::from_png(&png[..png.len() - 20], TileSize::S8).is_err());
}

#[test]
fn png_with_huge_dimensions_is_refused_quickly() {
    // A valid header claiming 1,000,000 × 1,000,000 pixels.
    let mut png = png_rgba(8, 8, |_, _| [0, 0, 0, 255]);
    png[16..20].copy_from_slice(&1_000_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&1_000_000u32.to_be_bytes());
    let crc = crc(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    assert!(matches!(
        SpriteBank::from_png(&png, TileSize::S8),
        Err(BankError::Png(_))
    ));
}

/// CRC-32 as PNG chunks use it (for forging a header in a test).
fn crc(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[test]
fn tile_size_from_file_name() {
    assert_eq!(TileSize::from_file_name("hero_8.png"), TileSize::S8);
    assert_eq!(TileSize::from_file_name("hero_32.png"), TileSize::S32);
    assert_eq!(TileSize::from_file_name("hero_16.png"), TileSize::S16);
    assert_eq!(TileSize::from_file_name("hero.png"), TileSize::S16);
    assert_eq!(TileSize::from_file_name("hero_12.png"), TileSize::S16);
    assert_eq!(TileSize::from_file_name("my_tiles_8"), TileSize::S8);
    assert_eq!(TileSize::from_file_name("_"), TileSize::S16);
}

#[test]
fn bank_file_round_trip_and_layout() {
    let pixels: Vec<u16> = (0..128).map(|i| i * 501).collect();
    let bank = SpriteBank::new(TileSize::S8, pixels).unwrap();
    let bytes = bank.write();
    assert_eq!(bytes.len(), 12 + 256);
    let header: Vec<String> = bytes[..16].iter().map(|b| format!("{b:02x}")).collect();
    insta::assert_snapshot!(header.join(" "), @"50 53 42 31 08 00 00 00 02 00 00 00 00 00 f5 01");
    assert_eq!(SpriteBank::read(&bytes), Ok(bank));
    assert!(SpriteBank::new(TileSize::S8, vec![0; 65]).is_err());
}

#[test]
fn bank_file_errors() {
    let good = SpriteBank::new(TileSize::S16, vec![7; 256])
        .unwrap()
        .write();
    assert_eq!(
        SpriteBank::read(b"PS"),
        Err(BankError::Length {
            expected: 12,
            actual: 2
        })
    );
    assert_eq!(SpriteBank::read(b"nope"), Err(BankError::BadMagic));
    let mut bad = good.clone();
    bad[4] = 12;
    assert_eq!(SpriteBank::read(&bad), Err(BankError::BadTileSize(12)));
    let mut bad = good.clone();
    bad[6] = 1;
    assert_eq!(SpriteBank::read(&bad), Err(BankError::BadReserved));
    let mut bad = good.clone();
    bad.push(0);
    assert_eq!(
        SpriteBank::read(&bad),
        Err(BankError::Length {
            expected: 524,
            actual: 525
        })
    );
    let mut bad = good.clone();
    bad[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        SpriteBank::read(&bad),
        Err(BankError::Length { .. })
    ));
    let empty = SpriteBank::new(TileSize::S32, vec![]).unwrap();
    assert_eq!(SpriteBank::read(&empty.write()).unwrap().tile_count(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn bank_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = SpriteBank::read(&bytes);
    }

    #[test]
    fn bank_reader_never_panics_on_plausible_headers(
        size in prop_oneof![Just(8u8), Just(16), Just(32), any::<u8>()],
        count in prop_oneof![0u32..4, any::<u32>()],
        body in proptest::collection::vec(any::<u8>(), 0..2100),
    ) {
        let mut bytes = b"PSB1".to_vec();
        bytes.extend_from_slice(&[size, 0, 0, 0]);
        bytes.extend_from_slice(&count.to_le_bytes());
        bytes.extend_from_slice(&body);
        if let Ok(bank) = SpriteBank::read(&bytes) {
            prop_assert_eq!(bank.write(), bytes);
        }
    }

    #[test]
    fn bank_round_trip(size in prop_oneof![Just(TileSize::S8), Just(TileSize::S16), Just(TileSize::S32)], tiles in 0usize..4, seed in any::<u16>()) {
        let n = tiles * size.pixels() * size.pixels();
        let pixels: Vec<u16> = (0..n).map(|i| (i as u16).wrapping_mul(seed)).collect();
        let bank = SpriteBank::new(size, pixels).unwrap();
        prop_assert_eq!(SpriteBank::read(&bank.write()), Ok(bank));
    }

    #[test]
    fn png_decoder_never_panics_on_corrupted_png(flips in proptest::collection::vec((0usize..400, any::<u8>()), 1..8), cut in 0usize..500) {
        let mut png = png_rgba(16, 8, |x, y| [x as u8 * 9, y as u8 * 20, 77, 255]);
        for (at, value) in flips {
            let i = at % png.len();
            png[i] = value;
        }
        png.truncate(cut.max(1));
        let _ = SpriteBank::from_png(&png, TileSize::S8);
    }

    #[test]
    fn png_decoder_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
        data.extend_from_slice(&bytes);
        let _ = SpriteBank::from_png(&data, TileSize::S16);
        let _ = SpriteBank::from_png(&bytes, TileSize::S16);
    }
}
