//! Host side: log line format, the headless host's records and input replay, WAV and
//! PNG writers.

use prometeu_kernel::audio::{FRAME_VALUES, Mixer};
use prometeu_kernel::gfx::{Color, Framebuffer};
use prometeu_kernel::host::{
    FNV_OFFSET, HeadlessHost, Host, LogLevel, fnv1a64, format_log_line, frame_hash,
};
use prometeu_kernel::input::{RawInput, read_recording};
use prometeu_kernel::screenshot::{rgb565_to_rgb8, screenshot_png};
use prometeu_kernel::wav::wav_bytes;

#[test]
fn log_lines_follow_the_toolchain_format() {
    assert_eq!(
        format_log_line(600, LogLevel::Info, "peak frame 600"),
        "600 INFO peak frame 600"
    );
    assert_eq!(
        format_log_line(0, LogLevel::Warn, "a\nb\rc"),
        "0 WARN a\\nb\\rc"
    );
    assert_eq!(format_log_line(3, LogLevel::Info, ""), "3 INFO ");
}

#[test]
fn fnv_matches_reference_values() {
    assert_eq!(fnv1a64(FNV_OFFSET, b""), 0xcbf29ce484222325);
    assert_eq!(fnv1a64(FNV_OFFSET, b"a"), 0xaf63dc4c8601ec8c);
    assert_eq!(fnv1a64(FNV_OFFSET, b"foobar"), 0x85944171f73967e8);
}

#[test]
fn headless_host_records_a_run() {
    let input = read_recording("prometeu-input 1\n....a.......\n............ t 4 5\n").unwrap();
    let mut host = HeadlessHost::new().with_input(input).capturing_audio();
    assert_eq!(
        host.sample_input(0),
        RawInput::default(),
        "init sees nothing"
    );
    assert_eq!(host.sample_input(1).buttons, 1 << 4);
    assert_eq!(host.sample_input(2).touch, Some((4, 5)));
    assert_eq!(host.sample_input(3), RawInput::default(), "past the end");
    assert_eq!(host.sample_input(u64::MAX), RawInput::default());

    let mut fb = Framebuffer::new();
    let mut mixer = Mixer::new();
    host.log(0, LogLevel::Info, "init");
    for frame in 1..=3u64 {
        fb.fill_rect(frame as i32 * 10, 0, 5, 5, Color::WHITE);
        mixer.tone(0, 0, 440, 1, 255, 128).unwrap();
        fb.present();
        host.present(frame, fb.front());
        host.push_audio(&mixer.mix_frame());
    }
    host.log(3, LogLevel::Warn, "done");
    assert_eq!(host.frame_hashes.len(), 3);
    assert_eq!(host.frame_hashes[2], (3, frame_hash(fb.front())));
    assert_eq!(host.last_frame.as_deref(), Some(fb.front()));
    assert_eq!(host.audio_frames, 3);
    let audio = host.audio.as_ref().unwrap();
    assert_eq!(audio.len(), 3 * FRAME_VALUES);
    let hash = audio
        .iter()
        .fold(FNV_OFFSET, |h, s| fnv1a64(h, &s.to_le_bytes()));
    assert_eq!(host.audio_hash, hash);
    assert_eq!(host.log, ["0 INFO init", "3 WARN done"]);
    let hashes: Vec<String> = host
        .frame_hashes
        .iter()
        .map(|(f, h)| format!("{f} {h:016x}"))
        .collect();
    insta::assert_snapshot!(hashes.join("\n"), @r"
    1 3725de971a45157b
    2 0671be3df22205f1
    3 82bfe6bc171b6a87
    ");
}

#[test]
fn wav_header_is_canonical() {
    let bytes = wav_bytes(&[1, -1, 0x1234, -32768]).unwrap();
    assert_eq!(bytes.len(), 44 + 8);
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    insta::assert_snapshot!(hex.chunks(4).map(|c| c.join("")).collect::<Vec<_>>().join(" "), @"52494646 2c000000 57415645 666d7420 10000000 01000200 80bb0000 00ee0200 04001000 64617461 08000000 0100ffff 34120080");
    let empty = wav_bytes(&[]).unwrap();
    assert_eq!(&empty[4..8], &36u32.to_le_bytes());
    assert_eq!(&empty[40..44], &0u32.to_le_bytes());
}

#[test]
fn rgb565_expansion_replicates_bits() {
    assert_eq!(rgb565_to_rgb8(0x0000), [0, 0, 0]);
    assert_eq!(rgb565_to_rgb8(0xFFFF), [255, 255, 255]);
    assert_eq!(rgb565_to_rgb8(Color::RED.0), [255, 0, 0]);
    assert_eq!(rgb565_to_rgb8(Color::GREEN.0), [0, 255, 0]);
    assert_eq!(rgb565_to_rgb8(Color::GRAY.0), [132, 130, 132]);
    assert_eq!(rgb565_to_rgb8(1 << 11 | 1 << 5 | 1), [8, 4, 8]);
    // Every 5-bit value round-trips through Color::rgb.
    for v in 0..32u16 {
        let [r, _, b] = rgb565_to_rgb8(v << 11 | v);
        assert_eq!(Color::rgb(r.into(), 0, b.into()).0, v << 11 | v);
    }
}

#[test]
fn screenshot_is_a_valid_png_of_the_frame() {
    let mut fb = Framebuffer::new();
    fb.pixel(0, 0, Color::RED);
    fb.pixel(319, 179, Color::BLUE);
    let png = screenshot_png(fb.back()).unwrap();
    let mut reader = png::Decoder::new(&png[..]).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.width, info.height, info.color_type),
        (320, 180, png::ColorType::Rgb)
    );
    assert_eq!(&buf[..3], &[255, 0, 0]);
    assert_eq!(&buf[buf.len() - 3..], &[0, 0, 255]);
}
