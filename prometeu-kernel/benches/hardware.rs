//! Per-frame costs of the hardware: mixing 16 voices, clearing, drawing text and
//! large shapes, screenshot encoding.

use criterion::{Criterion, criterion_group, criterion_main};
use prometeu_kernel::audio::Mixer;
use prometeu_kernel::gfx::{Color, Framebuffer};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    c.bench_function("mix_frame 16 voices", |b| {
        let mut mixer = Mixer::new();
        b.iter(|| {
            for v in 0..16 {
                mixer.tone(v, v % 5, 110 + v * 50, 2, 200, v * 16).unwrap();
            }
            black_box(mixer.mix_frame())
        })
    });
    let mut fb = Framebuffer::new();
    c.bench_function("clear", |b| b.iter(|| fb.clear(black_box(Color::BLUE))));
    c.bench_function("text 40 chars", |b| {
        b.iter(|| {
            fb.text(
                4,
                4,
                black_box("The quick brown fox jumps over the dog!!"),
                Color::WHITE,
            )
        })
    });
    c.bench_function("disc r=80", |b| {
        b.iter(|| fb.disc(160, 90, black_box(80), Color::RED))
    });
    c.bench_function("circle r=i32::MAX", |b| {
        b.iter(|| fb.circle(160, 90, black_box(i32::MAX), Color::RED))
    });
    c.bench_function("line across i32 range", |b| {
        b.iter(|| fb.line(i32::MIN, black_box(-7), i32::MAX, 190, Color::RED))
    });
    c.bench_function("present", |b| b.iter(|| fb.present()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
