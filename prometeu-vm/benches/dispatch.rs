//! Dispatch speed: a hand-assembled loop of int arithmetic and locals, against the same
//! loop in native Rust. Reports instructions per second (criterion's `elem/s`).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prometeu_bytecode::{assemble, verify_program};
use prometeu_vm::{NoSyscalls, RunOutcome, Slot, Vm, VmConfig};

/// 14 instructions per iteration.
const LOOP: &str = "
.func main params=(i32) returns=(i32) locals=1
    PUSH_I32 0
    SET_LOCAL 1
loop:
    GET_LOCAL 1
    GET_LOCAL 0
    I_ADD
    PUSH_I32 3
    I_XOR
    SET_LOCAL 1
    GET_LOCAL 0
    PUSH_I32 1
    I_SUB
    DUP
    SET_LOCAL 0
    PUSH_I32 0
    I_GT
    JMP_IF_TRUE loop
    GET_LOCAL 1
    RET
.export main main
";
const PER_ITERATION: u64 = 14;
const ITERATIONS: i32 = 1_000_000;

fn native(n: i32) -> i32 {
    let (mut n, mut acc) = (black_box(n), 0i32);
    loop {
        acc = acc.wrapping_add(n) ^ 3;
        n -= 1;
        if n <= 0 {
            return acc;
        }
    }
}

/// Recursive Fibonacci: a call and a return every 9 or so instructions. `fib` has no
/// locals (the inlined call path), `fibl` one (the out-of-line one).
const FIB: &str = concat!(
    "
.func main params=(i32) returns=(i32) locals=0
    GET_LOCAL 0
    CALL fib
    GET_LOCAL 0
    CALL fibl
    I_ADD
    RET
",
    include_str!("../tests/programs/fibs.asm")
);
/// `fib(25)` and `fibl(25)`: 242,785 calls each.
const FIB_N: i32 = 25;
const FIB_CALLS: u64 = 2 * 242_785;

/// Calls per second, without and with the profiler's call counting.
fn calls(c: &mut Criterion) {
    let program = assemble(FIB).expect("assembles");
    let verified = verify_program(&program, &NoSyscalls).expect("verifies");
    let mut group = c.benchmark_group("dispatch");
    group.throughput(Throughput::Elements(FIB_CALLS));
    for (name, counted) in [("vm_calls_fib", false), ("vm_calls_fib_counted", true)] {
        let mut vm = Vm::new(&verified, VmConfig::default()).expect("loads");
        if counted {
            vm.count_calls();
        }
        let mut run = |n: i32| {
            vm.call_export("main", &[Slot::int(n)]).unwrap();
            match vm.run(u64::MAX, &mut NoSyscalls) {
                RunOutcome::Returned(v) => v[0].as_int(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(run(FIB_N), 2 * 75_025);
        group.bench_function(name, |b| b.iter(|| run(black_box(FIB_N))));
    }
    group.finish();
}

fn dispatch(c: &mut Criterion) {
    let program = assemble(LOOP).expect("assembles");
    let verified = verify_program(&program, &NoSyscalls).expect("verifies");
    let mut vm = Vm::new(&verified, VmConfig::default()).expect("loads");
    let mut run = |n: i32| {
        vm.call_export("main", &[Slot::int(n)]).unwrap();
        match vm.run(u64::MAX, &mut NoSyscalls) {
            RunOutcome::Returned(v) => v[0].as_int(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(run(1000), native(1000));
    let mut group = c.benchmark_group("dispatch");
    group.throughput(Throughput::Elements(ITERATIONS as u64 * PER_ITERATION));
    group.bench_function("vm_int_loop", |b| b.iter(|| run(black_box(ITERATIONS))));
    group.bench_function("native_int_loop", |b| b.iter(|| native(ITERATIONS)));
    group.finish();
}

criterion_group!(benches, dispatch, calls);
criterion_main!(benches);
