//! The desktop runtime's own costs per frame: scaling a frame into the window's buffer,
//! drawing the overlays, and the `--profile` profiler's overhead on a frame that spends
//! its whole 2,000,000-cycle budget (`toolchain.md` §5 asks for under 15 %).

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use prometeu_abi::Manifest;
use prometeu_bytecode::assemble;
use prometeu_kernel::profile::Profiler;
use prometeu_kernel::{Cartridge, HeadlessHost, Kernel};
use prometeu_runtime_desktop::overlay::{Overlay, StatsLine};
use prometeu_runtime_desktop::window::blit;

/// A helper called in a loop, long enough to fill the budget about once: calls and
/// plain instructions, what a profile attributes.
const BUSY: &str = r#"
.func step params=(i32) returns=(i32)
    GET_LOCAL 0
    PUSH_I32 3
    I_MUL
    PUSH_I32 1
    I_ADD
    RET
.func frame locals=2
    PUSH_I32 0
    SET_LOCAL 0
    PUSH_I32 0
    SET_LOCAL 1
spin:
    GET_LOCAL 1
    CALL step
    SET_LOCAL 1
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    DUP
    SET_LOCAL 0
    PUSH_I32 90000
    I_LT
    JMP_IF_TRUE spin
    RET
.export frame frame
"#;

fn kernel(profile: bool) -> Kernel<HeadlessHost> {
    let program = assemble(BUSY).expect("bench assembly");
    let manifest = Manifest::new_game(1, "bench", "0.1.0");
    let cart = Cartridge::new(manifest, program, Vec::new(), BTreeMap::new()).expect("cartridge");
    let mut k = Kernel::new(cart, HeadlessHost::new()).expect("kernel");
    if profile {
        k.set_profiler(Profiler::new());
    }
    k.tick();
    k
}

fn bench(c: &mut Criterion) {
    let mut picture: Box<[u16; 57_600]> = vec![0x1234u16; 57_600]
        .into_boxed_slice()
        .try_into()
        .unwrap();
    let mut buffer = vec![0u32; 960 * 540];
    c.bench_function("present: 320x180 at scale 3", |b| {
        b.iter(|| blit(black_box(&picture), &mut buffer, 960, 540, 3, 0, 0))
    });
    let overlay = Overlay {
        help: true,
        stats: Some(StatsLine::default()),
        ..Overlay::default()
    };
    c.bench_function("overlay: help and stats", |b| {
        b.iter(|| overlay.draw(black_box(&mut picture)))
    });
    let mut plain = kernel(false);
    c.bench_function("frame: 2M cycles of calls", |b| {
        b.iter(|| black_box(plain.tick()))
    });
    let mut profiled = kernel(true);
    c.bench_function("frame: 2M cycles of calls, profiled", |b| {
        b.iter(|| black_box(profiled.tick()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
