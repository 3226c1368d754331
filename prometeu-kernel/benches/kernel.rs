//! Whole frames through the kernel: a frame that spends its full 2,000,000-cycle budget
//! on system calls (what a busy cartridge costs the host), and one that spends it on
//! plain instructions.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use prometeu_abi::Manifest;
use prometeu_bytecode::assemble;
use prometeu_kernel::{Cartridge, HeadlessHost, Kernel};

/// Clears, then draws 200 rectangles, 200 texts and 200 pixels per frame.
const DRAWING: &str = r#"
.syscall 0x1010 args=1 rets=0
.syscall 0x1002 args=5 rets=0
.syscall 0x1008 args=4 rets=0
.syscall 0x1009 args=3 rets=0
.const str "SCORE 000123"
.func frame locals=1
    PUSH_BOUNDED 0
    SYSCALL 0x1010
    PUSH_I32 0
    SET_LOCAL 0
again:
    GET_LOCAL 0
    GET_LOCAL 0
    PUSH_I32 24
    PUSH_I32 16
    PUSH_BOUNDED 0xF800
    SYSCALL 0x1002
    GET_LOCAL 0
    PUSH_I32 90
    PUSH_CONST 0
    PUSH_BOUNDED 0xFFFF
    SYSCALL 0x1008
    GET_LOCAL 0
    PUSH_I32 170
    PUSH_BOUNDED 0x07E0
    SYSCALL 0x1009
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    DUP
    SET_LOCAL 0
    PUSH_I32 200
    I_LT
    JMP_IF_TRUE again
    RET
.export frame frame
"#;

/// An integer loop long enough to fill the 2,000,000-cycle budget exactly once.
const SPIN: &str = r#"
.func frame locals=1
    PUSH_I32 0
    SET_LOCAL 0
spin:
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    DUP
    SET_LOCAL 0
    PUSH_I32 222000
    I_LT
    JMP_IF_TRUE spin
    RET
.export frame frame
"#;

fn kernel(asm: &str) -> Kernel<HeadlessHost> {
    let program = assemble(asm).expect("bench assembly");
    let manifest = Manifest::new_game(1, "bench", "0.1.0");
    let cart = Cartridge::new(manifest, program, Vec::new(), BTreeMap::new()).expect("cartridge");
    let mut k = Kernel::new(cart, HeadlessHost::new()).expect("kernel");
    k.tick();
    k
}

fn bench(c: &mut Criterion) {
    let mut drawing = kernel(DRAWING);
    c.bench_function("frame: 600 drawing calls", |b| {
        b.iter(|| black_box(drawing.tick()))
    });
    let mut spin = kernel(SPIN);
    c.bench_function("frame: 2M cycles of integer loop", |b| {
        b.iter(|| black_box(spin.tick()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
