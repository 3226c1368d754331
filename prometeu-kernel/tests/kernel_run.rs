//! The kernel running hand-assembled cartridges on the headless host.

use crate::carts;

use prometeu_kernel::host::HeadlessHost;
use prometeu_kernel::input::{RawInput, read_recording};
use prometeu_kernel::kernel::{Kernel, KernelConfig, Tick};
use prometeu_kernel::sprites::{SpriteBank, TileSize};

/// A kernel for `asm` with no sprite banks.
fn kernel(asm: &str) -> Kernel<HeadlessHost> {
    Kernel::new(carts::cartridge(asm, Vec::new()), HeadlessHost::new()).unwrap()
}

/// Runs `frames` logical frames (at most 10,000 ticks) and returns the host.
fn run(asm: &str, frames: u64) -> HeadlessHost {
    let mut k = kernel(asm);
    let summary = k.run_frames(frames, 10_000);
    assert_eq!(summary.frames, frames, "stopped early: {:?}", k.trap());
    k.into_host()
}

/// Log lines, then one `frame N hash` line per presented frame, then the audio hash.
fn transcript(host: &HeadlessHost) -> String {
    let mut out: Vec<String> = host.log.clone();
    out.extend(
        host.frame_hashes
            .iter()
            .map(|(frame, hash)| format!("frame {frame} {hash:016x}")),
    );
    out.push(format!(
        "audio {} frames {:016x}",
        host.audio_frames, host.audio_hash
    ));
    out.join("\n")
}

const DRAW_AND_LOG: &str = r#"
.syscall 0x1010 args=1 rets=0   ; Gfx.clear
.syscall 0x1002 args=5 rets=0   ; Gfx.fill_rect
.syscall 0x1008 args=4 rets=0   ; Gfx.text
.syscall 0x0010 args=0 rets=1   ; System.frame_count
.syscall 0x5001 args=1 rets=0   ; Log.info
.syscall 0x5002 args=1 rets=0   ; Log.warn
.const str "init at frame "
.const str "frame "
.const str "third frame\nwith a line break"
.func init
    PUSH_CONST 0
    SYSCALL 0x0010
    I2S
    STR_CONCAT
    SYSCALL 0x5001
    RET
.func frame locals=1
    SYSCALL 0x0010
    SET_LOCAL 0
    PUSH_BOUNDED 0
    SYSCALL 0x1010
    GET_LOCAL 0
    PUSH_I32 10
    I_MUL
    PUSH_I32 20
    PUSH_I32 16
    PUSH_I32 16
    PUSH_BOUNDED 0xF800
    SYSCALL 0x1002
    PUSH_I32 4
    PUSH_I32 100
    PUSH_CONST 1
    GET_LOCAL 0
    I2S
    STR_CONCAT
    PUSH_BOUNDED 0xFFFF
    SYSCALL 0x1008
    PUSH_CONST 1
    GET_LOCAL 0
    I2S
    STR_CONCAT
    SYSCALL 0x5001
    GET_LOCAL 0
    PUSH_I32 3
    I_EQ
    JMP_IF_FALSE done
    PUSH_CONST 2
    SYSCALL 0x5002
done:
    RET
.export init init
.export frame frame
"#;

#[test]
fn a_cartridge_draws_and_logs() {
    let mut k = kernel(DRAW_AND_LOG);
    assert_eq!(k.tick(), Tick::Initialised);
    assert_eq!(k.frame(), 0);
    assert_eq!(k.tick(), Tick::Presented(1));
    let summary = k.run_frames(3, 100);
    assert_eq!((summary.frames, summary.ticks), (3, 3));
    assert_eq!(summary.last, Some(Tick::Presented(4)));
    // Frame 4 drew its red square at x = 40 and presented it.
    let fb = k.framebuffer();
    assert_eq!(fb.front()[20 * 320 + 40], 0xF800);
    assert_eq!(fb.front()[20 * 320 + 39], 0x0000);
    let host = k.into_host();
    assert_eq!(host.frame_hashes.len(), 4);
    insta::assert_snapshot!(transcript(&host));
}

/// A frame that spins ~4.5 million cycles (three ticks at the console's budget), then
/// draws and logs what it saw.
const HEAVY: &str = r#"
.syscall 0x0010 args=0 rets=1   ; System.frame_count
.syscall 0x0011 args=1 rets=1   ; System.random
.syscall 0x1005 args=4 rets=0   ; Gfx.disc
.syscall 0x2010 args=0 rets=48  ; Input.pad
.syscall 0x5001 args=1 rets=0   ; Log.info
.const str "a held "
.func frame locals=1
    PUSH_I32 0
    SET_LOCAL 0
spin:
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    DUP
    SET_LOCAL 0
    PUSH_I32 500000
    I_LT
    JMP_IF_TRUE spin
    PUSH_I32 320
    SYSCALL 0x0011
    PUSH_I32 180
    SYSCALL 0x0011
    SYSCALL 0x0010
    PUSH_BOUNDED 0x07E0
    SYSCALL 0x1005
    SYSCALL 0x2010
    POP_N 28
    B2S
    PUSH_CONST 0
    SWAP
    STR_CONCAT
    SYSCALL 0x5001
    POP_N 19
    RET
.export frame frame
"#;

/// A host that counts how often the kernel samples input.
struct CountingHost {
    inner: HeadlessHost,
    samples: Vec<u64>,
}

impl prometeu_kernel::Host for CountingHost {
    fn present(&mut self, frame: u64, pixels: &prometeu_kernel::gfx::Pixels) {
        self.inner.present(frame, pixels);
    }
    fn push_audio(&mut self, samples: &prometeu_kernel::audio::AudioFrame) {
        self.inner.push_audio(samples);
    }
    fn sample_input(&mut self, frame: u64) -> RawInput {
        self.samples.push(frame);
        self.inner.sample_input(frame)
    }
    fn log(&mut self, frame: u64, level: prometeu_kernel::host::LogLevel, message: &str) {
        self.inner.log(frame, level, message);
    }
}

fn heavy_run(frame_budget: u64, input: Vec<RawInput>) -> (Vec<Tick>, CountingHost) {
    let config = KernelConfig {
        frame_budget,
        ..KernelConfig::default()
    };
    let host = CountingHost {
        inner: HeadlessHost::new().with_input(input),
        samples: Vec::new(),
    };
    let mut k = Kernel::with_config(carts::cartridge(HEAVY, Vec::new()), host, config).unwrap();
    let mut ticks = Vec::new();
    while k.frame() < 3 || ticks.last() != Some(&Tick::Presented(3)) {
        ticks.push(k.tick());
        assert!(ticks.len() < 100_000, "no progress: {ticks:?}");
    }
    (ticks, k.into_host())
}

#[test]
fn an_overlong_frame_finishes_on_later_ticks_with_identical_results() {
    let input = read_recording("prometeu-input 1\n....a.......\n....a.......\n").unwrap();
    let (ticks, slow) = heavy_run(2_000_000, input.clone());
    let (fast_ticks, fast) = heavy_run(u64::MAX / 4, input.clone());
    let (tiny_ticks, tiny) = heavy_run(997, input);
    assert_eq!(
        fast_ticks,
        [
            Tick::Initialised,
            Tick::Presented(1),
            Tick::Presented(2),
            Tick::Presented(3)
        ]
    );
    // 500,000 iterations of 9 cycles: two dropped ticks, presented on the third.
    assert_eq!(
        ticks,
        [
            Tick::Initialised,
            Tick::Dropped(1),
            Tick::Dropped(1),
            Tick::Presented(1),
            Tick::Dropped(2),
            Tick::Dropped(2),
            Tick::Presented(2),
            Tick::Dropped(3),
            Tick::Dropped(3),
            Tick::Presented(3),
        ]
    );
    // ~4.5 million cycles per frame at 997 a tick.
    assert!(tiny_ticks.len() > 3 * 4_000, "{}", tiny_ticks.len());
    for other in [&fast, &tiny] {
        assert_eq!(transcript(&other.inner), transcript(&slow.inner));
    }
    // Input is sampled once per logical frame, however many ticks the frame takes.
    assert_eq!(slow.samples, [1, 2, 3]);
    assert_eq!(tiny.samples, [1, 2, 3]);
    assert_eq!(
        slow.inner.log,
        ["1 INFO a held 1", "2 INFO a held 2", "3 INFO a held 0"]
    );
}

/// Runs a frame that calls one system call with the given argument pushes, and
/// returns the first line of the trap report (or `no trap`).
fn call_result(id: u32, args: &[&str], rets: usize, banks: Vec<SpriteBank>) -> String {
    let mut asm = format!(
        ".syscall 0x{id:04X} args={} rets={rets}\n.func frame\n",
        args.len()
    );
    for a in args {
        asm.push_str(&format!("    {a}\n"));
    }
    asm.push_str(&format!("    SYSCALL 0x{id:04X}\n"));
    if rets > 0 {
        asm.push_str(&format!("    POP_N {rets}\n"));
    }
    asm.push_str("    RET\n.export frame frame\n");
    let mut k = Kernel::new(carts::cartridge(&asm, banks), HeadlessHost::new()).unwrap();
    k.run_frames(1, 10);
    match k.trap() {
        Some(report) => report.to_string().lines().next().unwrap_or("").to_owned(),
        None => "no trap".to_owned(),
    }
}

fn ints(values: &[i32]) -> Vec<String> {
    values.iter().map(|v| format!("PUSH_I32 {v}")).collect()
}

fn sprite_args(bank: i32, tile: i32) -> Vec<String> {
    let mut a = ints(&[bank, tile, 0, 0]);
    a.extend(["PUSH_BOOL 0".to_owned(), "PUSH_BOOL 1".to_owned()]);
    a
}

fn one_bank() -> Vec<SpriteBank> {
    vec![SpriteBank::new(TileSize::S8, vec![0x001F; 64 * 2]).unwrap()]
}

#[test]
fn every_argument_error_traps_trap_arg() {
    let cases: Vec<(&str, u32, Vec<String>, usize)> = vec![
        ("random max 0", 0x0011, ints(&[0]), 1),
        ("random max -5", 0x0011, ints(&[-5]), 1),
        ("sprite bank 1", 0x100A, sprite_args(1, 0), 0),
        ("sprite bank -1", 0x100A, sprite_args(-1, 0), 0),
        ("sprite tile 2", 0x100A, sprite_args(0, 2), 0),
        ("sprite tile -1", 0x100A, sprite_args(0, -1), 0),
        ("tone voice 16", 0x3001, ints(&[16, 0, 440, 1, 100, 128]), 0),
        ("tone voice -1", 0x3001, ints(&[-1, 0, 440, 1, 100, 128]), 0),
        ("tone wave 5", 0x3001, ints(&[0, 5, 440, 1, 100, 128]), 0),
        ("tone wave -1", 0x3001, ints(&[0, -1, 440, 1, 100, 128]), 0),
        ("tone freq 0", 0x3001, ints(&[0, 0, 0, 1, 100, 128]), 0),
        (
            "tone freq 20001",
            0x3001,
            ints(&[0, 0, 20001, 1, 100, 128]),
            0,
        ),
        (
            "tone frames -1",
            0x3001,
            ints(&[0, 0, 440, -1, 100, 128]),
            0,
        ),
        (
            "tone volume 256",
            0x3001,
            ints(&[0, 0, 440, 1, 256, 128]),
            0,
        ),
        ("tone volume -1", 0x3001, ints(&[0, 0, 440, 1, -1, 128]), 0),
        ("tone pan 256", 0x3001, ints(&[0, 0, 440, 1, 100, 256]), 0),
        ("tone pan -1", 0x3001, ints(&[0, 0, 440, 1, 100, -1]), 0),
        ("stop voice 16", 0x3002, ints(&[16]), 0),
        ("stop voice -1", 0x3002, ints(&[-1]), 0),
        ("playing voice 16", 0x3003, ints(&[16]), 1),
        ("playing voice -2147483648", 0x3003, ints(&[i32::MIN]), 1),
    ];
    let mut report = Vec::new();
    for (what, id, args, rets) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let line = call_result(id, &args, rets, one_bank());
        assert!(line.starts_with("trap TRAP_ARG (0x04)"), "{what}: {line}");
        report.push(format!("{what}: {line}"));
    }
    insta::assert_snapshot!(report.join("\n"));
}

#[test]
fn argument_edges_that_are_legal_do_not_trap() {
    let legal: Vec<(u32, Vec<String>, usize)> = vec![
        (0x0011, ints(&[1]), 1),
        (0x0011, ints(&[i32::MAX]), 1),
        (0x100A, sprite_args(0, 1), 0),
        (0x3001, ints(&[15, 4, 20000, 0, 255, 255]), 0),
        (0x3001, ints(&[0, 0, 1, i32::MAX, 0, 0]), 0),
        (0x3002, ints(&[15]), 0),
        (0x3003, ints(&[0]), 1),
        (
            0x1002,
            ints(&[i32::MIN, i32::MIN, i32::MAX, i32::MAX, 0]),
            0,
        ),
    ];
    for (id, mut args, rets) in legal {
        if id == 0x1002 {
            // The colour is a `bounded`.
            args[4] = "PUSH_BOUNDED 65535".into();
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(
            call_result(id, &args, rets, one_bank()),
            "no trap",
            "{id:#x} {args:?}"
        );
    }
}

/// One frame calling every system call of the console's table with legal arguments.
#[test]
fn every_system_call_of_the_table_is_implemented() {
    let calls: Vec<(u32, Vec<String>)> = vec![
        (0x0010, vec![]),
        (0x0011, ints(&[10])),
        (
            0x1002,
            [ints(&[1, 2, 3, 4]), vec!["PUSH_BOUNDED 1".into()]].concat(),
        ),
        (
            0x1003,
            [ints(&[1, 2, 3, 4]), vec!["PUSH_BOUNDED 1".into()]].concat(),
        ),
        (
            0x1004,
            [ints(&[1, 2, 3]), vec!["PUSH_BOUNDED 1".into()]].concat(),
        ),
        (
            0x1005,
            [ints(&[1, 2, 3]), vec!["PUSH_BOUNDED 1".into()]].concat(),
        ),
        (
            0x1006,
            [ints(&[1, 2, 3, 4]), vec!["PUSH_BOUNDED 1".into()]].concat(),
        ),
        (
            0x1008,
            [
                ints(&[1, 2]),
                vec!["PUSH_CONST 0".into(), "PUSH_BOUNDED 1".into()],
            ]
            .concat(),
        ),
        (
            0x1009,
            [ints(&[1, 2]), vec!["PUSH_BOUNDED 1".into()]].concat(),
        ),
        (0x100A, sprite_args(0, 0)),
        (0x1010, vec!["PUSH_BOUNDED 1".into()]),
        (0x2010, vec![]),
        (0x2011, vec![]),
        (0x3001, ints(&[0, 0, 440, 1, 100, 128])),
        (0x3002, ints(&[0])),
        (0x3003, ints(&[0])),
        (0x5001, vec!["PUSH_CONST 0".into()]),
        (0x5002, vec!["PUSH_CONST 0".into()]),
    ];
    let table: Vec<u32> = prometeu_abi::SYSCALLS.iter().map(|s| s.id).collect();
    let covered: Vec<u32> = calls.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        covered, table,
        "a system call of the table is not exercised here"
    );
    let mut asm = String::from(".const str \"x\"\n");
    for s in prometeu_abi::SYSCALLS {
        asm.push_str(&format!(
            ".syscall 0x{:04X} args={} rets={}\n",
            s.id,
            s.args.len(),
            s.rets.len()
        ));
    }
    asm.push_str(".func frame\n");
    for ((id, args), row) in calls.iter().zip(prometeu_abi::SYSCALLS) {
        for a in args {
            asm.push_str(&format!("    {a}\n"));
        }
        asm.push_str(&format!("    SYSCALL 0x{id:04X}\n"));
        if !row.rets.is_empty() {
            asm.push_str(&format!("    POP_N {}\n", row.rets.len()));
        }
    }
    asm.push_str("    RET\n.export frame frame\n");
    let mut k = Kernel::new(carts::cartridge(&asm, one_bank()), HeadlessHost::new()).unwrap();
    let summary = k.run_frames(2, 10);
    assert_eq!(summary.frames, 2, "{:?}", k.trap().map(ToString::to_string));
    assert_eq!(
        k.host().log,
        ["1 INFO x", "1 WARN x", "2 INFO x", "2 WARN x"]
    );
}

/// The cycles one frame of `body` costs.
fn frame_cycles(body: &str, syscalls: &str) -> u64 {
    let asm = format!(
        "{syscalls}\n.const str \"hello\"\n.func frame\n{body}\n    RET\n.export frame frame\n"
    );
    let mut k = kernel(&asm);
    k.run_frames(1, 10);
    assert!(k.trap().is_none());
    k.vm().cycles()
}

#[test]
fn system_calls_cost_the_table_base_plus_the_visible_work() {
    let fill = ".syscall 0x1002 args=5 rets=0";
    let call = |w: i32, h: i32| {
        frame_cycles(
            &format!(
                "PUSH_I32 -10\nPUSH_I32 0\nPUSH_I32 {w}\nPUSH_I32 {h}\nPUSH_BOUNDED 1\nSYSCALL 0x1002"
            ),
            fill,
        )
    };
    // Only the on-screen 310 × 180 part of a 320 × 200 rectangle at x = -10 counts.
    assert_eq!(call(320, 200) - call(0, 0), 310 * 180 / 8);
    let text = ".syscall 0x1008 args=4 rets=0";
    let with_text = frame_cycles(
        "PUSH_I32 0\nPUSH_I32 0\nPUSH_CONST 0\nPUSH_BOUNDED 1\nSYSCALL 0x1008",
        text,
    );
    let clear = ".syscall 0x1010 args=1 rets=0";
    let with_clear = frame_cycles("PUSH_BOUNDED 1\nSYSCALL 0x1010", clear);
    let nothing = frame_cycles("PUSH_BOUNDED 1\nPOP", "");
    // `Gfx.text`: 20 + 16 per character; `Gfx.clear`: 2000 (the pushes cost the same).
    assert_eq!(with_clear - with_text, 2000 - (20 + 16 * 5) - 3);
    assert_eq!(
        with_clear - nothing,
        2000 + prometeu_bytecode::Opcode::Syscall.cycles() as u64 - 1
    );
}

const DEBUG_SOURCE: &str =
    "fn helper(d: int): int {\n    return 100 / d;\n}\n\nfn frame() {\n    helper(0);\n}\n";

fn trap_kernel(with_debug: bool) -> Kernel<HeadlessHost> {
    let asm = "
.func helper params=(i32) returns=(i32)
    PUSH_I32 100
    GET_LOCAL 0
    I_DIV
    RET
.func frame
    PUSH_I32 0
    CALL helper
    POP
    RET
.export frame frame
";
    let mut program = prometeu_bytecode::assemble(asm).unwrap();
    if with_debug {
        let pc_of = |func: usize, op: prometeu_bytecode::Opcode| {
            let f = &program.functions[func];
            let code = program.function_code(func as u32).unwrap();
            let instrs = prometeu_bytecode::Instr::decode_all(code).unwrap();
            f.code_offset + instrs.iter().find(|(_, i)| i.op == op).unwrap().0
        };
        let span = |text: &str| {
            let start = DEBUG_SOURCE.find(text).unwrap() as u32;
            (start, start + text.len() as u32)
        };
        let runs = [
            (0, span("fn helper")),
            (pc_of(0, prometeu_bytecode::Opcode::IDiv), span("100 / d")),
            (pc_of(0, prometeu_bytecode::Opcode::Ret), span("return")),
            (program.functions[1].code_offset, span("fn frame")),
            (pc_of(1, prometeu_bytecode::Opcode::Call), span("helper(0)")),
            (pc_of(1, prometeu_bytecode::Opcode::Pop), span("}\n")),
        ];
        program.debug = Some(prometeu_bytecode::DebugInfo {
            files: vec!["src/main.pbs".into()],
            lines: runs
                .iter()
                .map(|&(pc, (start, end))| prometeu_bytecode::LineRun {
                    pc,
                    file: 0,
                    start,
                    end,
                })
                .collect(),
            functions: vec![
                prometeu_bytecode::DebugFunction {
                    index: 0,
                    name: "helper".into(),
                    locals: vec![(0, "d".into())],
                },
                prometeu_bytecode::DebugFunction {
                    index: 1,
                    name: "frame".into(),
                    locals: vec![],
                },
            ],
        });
    }
    let cart =
        prometeu_kernel::Cartridge::new(carts::manifest(), program, Vec::new(), Default::default())
            .unwrap();
    Kernel::new(cart, HeadlessHost::new()).unwrap()
}

#[test]
fn a_trap_stops_the_cartridge_with_a_report() {
    let mut k = trap_kernel(true);
    assert_eq!(k.tick(), Tick::Initialised);
    assert_eq!(k.tick(), Tick::Trapped);
    assert!(k.is_stopped());
    assert_eq!(k.tick(), Tick::Trapped);
    assert!(
        k.host().frame_hashes.is_empty(),
        "a trapped frame is not presented"
    );
    let mut report = k.trap().unwrap().clone();
    let with_bytes = report.to_string();
    report.resolve_lines(&mut |path| (path == "src/main.pbs").then(|| DEBUG_SOURCE.to_owned()));
    let with_lines = report.to_string();
    let without_debug = trap_kernel(false);
    let mut without_debug = without_debug;
    without_debug.run_frames(1, 10);
    let bare = without_debug.trap().unwrap().to_string();
    insta::assert_snapshot!(format!("{with_bytes}\n\n{with_lines}\n\n{bare}"));
}

#[test]
fn sys_call_arg_trap_report_names_the_argument_and_the_call() {
    let mut k = kernel(
        ".syscall 0x3002 args=1 rets=0\n.func init\n PUSH_I32 99\n SYSCALL 0x3002\n RET\n.func frame\n RET\n.export init init\n.export frame frame",
    );
    assert_eq!(k.tick(), Tick::Trapped);
    insta::assert_snapshot!(k.trap().unwrap().to_string());
}

const NOISY: &str = r#"
.syscall 0x0011 args=1 rets=1   ; System.random
.syscall 0x1005 args=4 rets=0   ; Gfx.disc
.syscall 0x3001 args=6 rets=0   ; Audio.tone
.syscall 0x5001 args=1 rets=0   ; Log.info
.const str "r="
.func frame
    PUSH_I32 320
    SYSCALL 0x0011
    PUSH_I32 180
    SYSCALL 0x0011
    PUSH_I32 5
    PUSH_BOUNDED 0x07E0
    SYSCALL 0x1005
    PUSH_I32 0
    PUSH_I32 3
    PUSH_I32 200
    SYSCALL 0x0011
    PUSH_I32 440
    I_ADD
    PUSH_I32 2
    PUSH_I32 200
    PUSH_I32 128
    SYSCALL 0x3001
    PUSH_CONST 0
    PUSH_I32 1000
    SYSCALL 0x0011
    I2S
    STR_CONCAT
    SYSCALL 0x5001
    RET
.export frame frame
"#;

#[test]
fn runs_are_deterministic() {
    let a = run(NOISY, 30);
    let b = run(NOISY, 30);
    assert_eq!(a.frame_hashes, b.frame_hashes);
    assert_eq!(a.audio_hash, b.audio_hash);
    assert_eq!(a.log, b.log);
    assert_eq!(a.audio_frames, 30);
    // The generator is seeded from `app_id`: another id gives another run.
    let mut manifest = carts::manifest();
    manifest.app_id = 7;
    let program = prometeu_bytecode::assemble(NOISY).unwrap();
    let cart =
        prometeu_kernel::Cartridge::new(manifest, program, Vec::new(), Default::default()).unwrap();
    let mut other = Kernel::new(cart, HeadlessHost::new()).unwrap();
    other.run_frames(30, 100);
    assert_ne!(other.host().log, a.log);
    assert_ne!(other.host().audio_hash, a.audio_hash);
    let first: Vec<&str> = a.log.iter().take(5).map(String::as_str).collect();
    insta::assert_snapshot!(format!(
        "{}\naudio {:016x}\nlast frame {:016x}",
        first.join("\n"),
        a.audio_hash,
        a.frame_hashes.last().unwrap().1
    ));
}

const INPUT_ECHO: &str = r#"
.syscall 0x2010 args=0 rets=48  ; Input.pad
.syscall 0x2011 args=0 rets=6   ; Input.touch
.syscall 0x5001 args=1 rets=0   ; Log.info
.const str "a held "
.const str ","
.const str "touch "
.func frame
    SYSCALL 0x2010
    POP_N 28
    B2S
    PUSH_CONST 0
    SWAP
    STR_CONCAT
    SYSCALL 0x5001
    POP_N 19
    SYSCALL 0x2011
    I2S
    SWAP
    I2S
    SWAP
    PUSH_CONST 1
    SWAP
    STR_CONCAT
    STR_CONCAT
    PUSH_CONST 2
    SWAP
    STR_CONCAT
    SYSCALL 0x5001
    POP_N 4
    RET
.export frame frame
"#;

#[test]
fn replayed_input_drives_the_cartridge() {
    let recording = read_recording(
        "prometeu-input 1\n....a.......\n....a....... t 10 20\n............\n# end\n",
    )
    .unwrap();
    let mut k = Kernel::new(
        carts::cartridge(INPUT_ECHO, Vec::new()),
        HeadlessHost::new().with_input(recording),
    )
    .unwrap();
    k.run_frames(4, 10);
    assert_eq!(
        k.host().log,
        [
            "1 INFO a held 1",
            "1 INFO touch 0,0",
            "2 INFO a held 2",
            "2 INFO touch 10,20",
            "3 INFO a held 0",
            "3 INFO touch 10,20",
            "4 INFO a held 0",
            "4 INFO touch 10,20",
        ]
    );
    let idle = run(INPUT_ECHO, 2);
    assert_eq!(
        idle.log,
        [
            "1 INFO a held 0",
            "1 INFO touch 0,0",
            "2 INFO a held 0",
            "2 INFO touch 0,0"
        ]
    );
}

#[test]
fn globals_are_initialised_before_init_and_frame_count_is_zero_there() {
    let asm = r#"
.syscall 0x0010 args=0 rets=1
.syscall 0x5001 args=1 rets=0
.global i32 1
.func __init_globals
    PUSH_I32 7
    SET_GLOBAL 0
    RET
.func init
    GET_GLOBAL 0
    SYSCALL 0x0010
    I_ADD
    I2S
    SYSCALL 0x5001
    GET_GLOBAL 0
    PUSH_I32 2
    I_MUL
    SET_GLOBAL 0
    RET
.func frame
    GET_GLOBAL 0
    I2S
    SYSCALL 0x5001
    RET
.export __init_globals __init_globals
.export init init
.export frame frame
"#;
    assert_eq!(run(asm, 1).log, ["0 INFO 7", "1 INFO 14"]);
}

#[test]
fn frame_sync_inside_frame_ends_the_logical_frame() {
    let asm = r#"
.syscall 0x5001 args=1 rets=0
.const str "before sync"
.const str "after sync"
.func frame
    PUSH_CONST 0
    SYSCALL 0x5001
    FRAME_SYNC
    PUSH_CONST 1
    SYSCALL 0x5001
    RET
.export frame frame
"#;
    let host = run(asm, 4);
    assert_eq!(
        host.log,
        [
            "1 INFO before sync",
            "2 INFO after sync",
            "3 INFO before sync",
            "4 INFO after sync"
        ]
    );
    let frames: Vec<u64> = host.frame_hashes.iter().map(|(f, _)| *f).collect();
    assert_eq!(frames, [1, 2, 3, 4]);
    assert_eq!(host.audio_frames, 4);
}

#[test]
fn halt_ends_the_cartridge_without_presenting_its_frame() {
    let asm = r#"
.syscall 0x0010 args=0 rets=1
.syscall 0x5001 args=1 rets=0
.const str "tick"
.func frame
    PUSH_CONST 0
    SYSCALL 0x5001
    SYSCALL 0x0010
    PUSH_I32 2
    I_EQ
    JMP_IF_FALSE go
    HALT
go:
    RET
.export frame frame
"#;
    let mut k = kernel(asm);
    let summary = k.run_frames(5, 10);
    assert_eq!(summary.frames, 1);
    assert_eq!(summary.last, Some(Tick::Halted));
    assert!(k.is_stopped() && k.trap().is_none());
    assert_eq!(k.tick(), Tick::Halted);
    assert_eq!(k.host().log, ["1 INFO tick", "2 INFO tick"]);
    assert_eq!(k.host().frame_hashes.len(), 1);
}

#[test]
fn a_cartridge_without_init_starts_framing_after_one_tick() {
    let mut k = kernel(".func frame\n RET\n.export frame frame");
    assert_eq!(k.tick(), Tick::Initialised);
    assert_eq!(k.tick(), Tick::Presented(1));
    assert_eq!(k.ticks(), 2);
}

#[test]
fn an_endless_init_is_suspended_tick_after_tick() {
    let mut k = kernel(
        ".func init\nspin:\n JMP spin\n.func frame\n RET\n.export init init\n.export frame frame",
    );
    let summary = k.run_frames(1, 5);
    assert_eq!((summary.frames, summary.ticks), (0, 5));
    assert_eq!(summary.last, Some(Tick::Dropped(0)));
    assert!(k.host().frame_hashes.is_empty());
}

#[test]
fn a_hand_built_cartridge_with_a_bad_entry_point_is_refused() {
    let mut cart = carts::cartridge(
        ".func helper params=(i32)\n RET\n.func frame\n RET\n.export frame frame",
        Vec::new(),
    );
    cart.entrypoint = 0;
    let err = Kernel::new(cart.clone(), HeadlessHost::new()).unwrap_err();
    assert!(
        err.to_string().contains("cannot be an entry point"),
        "{err}"
    );
    cart.entrypoint = 99;
    assert!(Kernel::new(cart, HeadlessHost::new()).is_err());
}

#[test]
fn garbage_from_every_frame_is_collected() {
    let asm = "
.layout ref (i32, i32)
.func frame locals=1
    PUSH_I32 0
    SET_LOCAL 0
again:
    PUSH_I32 1
    PUSH_I32 2
    ALLOC 0
    POP
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    DUP
    SET_LOCAL 0
    PUSH_I32 100
    I_LT
    JMP_IF_TRUE again
    RET
.export frame frame
";
    let mut k = kernel(asm);
    assert_eq!(k.run_frames(2_000, 3_000).frames, 2_000);
    assert!(k.vm().gc_stats().cycles > 0);
    // 200,000 objects of 48 bytes were allocated; far fewer are still held.
    assert!(k.vm().heap_objects() < 50_000, "{}", k.vm().heap_objects());
    assert!(k.trap().is_none());
}

mod props {
    use super::*;
    use prometeu_bytecode::SlotKind;
    use proptest::prelude::*;

    /// An argument push for a slot kind, from random material.
    fn push(kind: SlotKind, int: i32, small: i32, flag: bool, text: usize) -> String {
        match kind {
            SlotKind::I32 if flag => format!("PUSH_I32 {small}"),
            SlotKind::I32 => format!("PUSH_I32 {int}"),
            SlotKind::U16 => format!("PUSH_BOUNDED {}", int as u16),
            SlotKind::Bool => format!("PUSH_BOOL {}", u8::from(flag)),
            SlotKind::Str => format!("PUSH_CONST {text}"),
            other => unreachable!("no system call takes {other:?}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any arguments to any system call either work or trap `TRAP_ARG`; the kernel
        /// never panics and the frame always completes otherwise.
        #[test]
        fn any_arguments_work_or_trap_arg(
            row in 0..prometeu_abi::SYSCALLS.len(),
            ints in prop::collection::vec(any::<i32>(), 6),
            smalls in prop::collection::vec(-40i32..400, 6),
            flags in prop::collection::vec(any::<bool>(), 6),
            text in 0usize..3,
        ) {
            let s = &prometeu_abi::SYSCALLS[row];
            let mut asm = String::from(".const str \"\"\n.const str \"hi\\n\\u{e9}\\t\"\n.const str \"long text that runs off the screen edge\"\n");
            asm.push_str(&format!(
                ".syscall 0x{:04X} args={} rets={}\n.func frame\n",
                s.id, s.args.len(), s.rets.len()
            ));
            for (i, kind) in s.args.iter().enumerate() {
                asm.push_str(&format!("    {}\n", push(*kind, ints[i], smalls[i], flags[i], text)));
            }
            asm.push_str(&format!("    SYSCALL 0x{:04X}\n", s.id));
            if !s.rets.is_empty() {
                asm.push_str(&format!("    POP_N {}\n", s.rets.len()));
            }
            asm.push_str("    RET\n.export frame frame\n");
            let mut k = Kernel::new(carts::cartridge(&asm, one_bank()), HeadlessHost::new()).unwrap();
            let summary = k.run_frames(1, 10);
            match k.trap() {
                None => prop_assert_eq!(summary.frames, 1),
                Some(report) => prop_assert_eq!(report.code, 4, "{}", report),
            }
        }
    }
}
