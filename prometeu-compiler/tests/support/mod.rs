//! Shared test harness: compile PBS source as a loose-file app, verify it, and run it
//! on the VM with a tiny system-call handler that records the log.
#![allow(dead_code)]

use std::sync::Arc;

use prometeu_analysis::project::{ProjectGraph, load_loose_file, load_project};
use prometeu_analysis::{Analysis, FileDb, analyze};
use prometeu_bytecode::verify_program;
use prometeu_compiler::{CompileError, CompileOptions, CompiledProgram, compile, compile_with};
use prometeu_vm::{GcMode, RunOutcome, Slot, SyscallArgs, SyscallHandler, TrapCode, Vm, VmConfig};

/// A loaded and analysed program.
pub struct Loaded {
    pub db: FileDb,
    pub graph: ProjectGraph,
    pub analysis: Arc<Analysis>,
}

/// Analyses `src` as the loose file `main.pbs`.
pub fn load_src(src: &str) -> Loaded {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.pbs");
    std::fs::write(&path, src).unwrap();
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    Loaded {
        db,
        graph,
        analysis,
    }
}

/// Analyses the project in `dir`.
pub fn load_dir(dir: &std::path::Path) -> Loaded {
    let mut db = FileDb::new();
    let graph = load_project(dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    Loaded {
        db,
        graph,
        analysis,
    }
}

/// Compiles a loaded program, asserting that the analysis is clean and that the
/// result verifies and compiles byte-identically twice.
pub fn compile_loaded(l: &Loaded) -> Result<CompiledProgram, CompileError> {
    let errors: Vec<String> = l
        .analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == prometeu_analysis::Severity::Error)
        .map(|d| format!("{:?}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "analysis errors: {errors:#?}");
    let compiled = compile(&l.analysis, &l.graph)?;
    verify_program(&compiled.program, &prometeu_abi::ConsoleSyscalls)
        .expect("compiled output verifies");
    let again = compile(&l.analysis, &l.graph)?;
    assert_eq!(
        compiled.to_bytes(),
        again.to_bytes(),
        "deterministic output"
    );
    let back = prometeu_bytecode::read_program(&compiled.to_bytes()).expect("round-trips");
    assert_eq!(back, compiled.program);
    Ok(compiled)
}

/// Compiles a loaded program with explicit options, asserting that the result
/// verifies.
pub fn compile_loaded_with(l: &Loaded, options: CompileOptions) -> CompiledProgram {
    let compiled = match compile_with(&l.analysis, &l.graph, options) {
        Ok(c) => c,
        Err(e) => panic!("compile error: {e}"),
    };
    verify_program(&compiled.program, &prometeu_abi::ConsoleSyscalls)
        .expect("compiled output verifies");
    compiled
}

/// Compiles `src`, panicking with the compiler's message on failure.
pub fn compile_src(src: &str) -> CompiledProgram {
    let l = load_src(src);
    match compile_loaded(&l) {
        Ok(c) => c,
        Err(e) => panic!("compile error: {e}"),
    }
}

/// What running a program produced.
#[derive(Debug, Default)]
pub struct Run {
    /// Log lines as `FRAME LEVEL message`.
    pub logs: Vec<String>,
    /// The trap that stopped the run: name and 1-based `line:col` of its span start.
    pub trap: Option<String>,
    /// The trap's call stack as debug names of functions, innermost first.
    pub trap_stack: Vec<String>,
}

struct Host {
    frame: u32,
    logs: Vec<String>,
    rng: u64,
}

impl SyscallHandler for Host {
    fn syscall(
        &mut self,
        id: u32,
        args: &SyscallArgs<'_>,
        out: &mut Vec<Slot>,
    ) -> Result<u64, TrapCode> {
        match id {
            0x5001 | 0x5002 => {
                let level = if id == 0x5001 { "INFO" } else { "WARN" };
                let msg = args.str(0).replace('\n', "\\n").replace('\r', "\\r");
                self.logs.push(format!("{} {level} {msg}", self.frame));
            }
            0x0010 => out.push(Slot::int(self.frame as i32)),
            0x0011 => {
                let max = args.int(0);
                if max <= 0 {
                    return Err(TrapCode::Arg);
                }
                self.rng = self
                    .rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                out.push(Slot::int(((self.rng >> 33) % max as u64) as i32));
            }
            0x2010 => {
                for i in 0..48 {
                    out.push(if i % 4 == 3 {
                        Slot::bounded(0)
                    } else {
                        Slot::bool(false)
                    });
                }
            }
            0x2011 => {
                out.extend([
                    Slot::bool(false),
                    Slot::bool(false),
                    Slot::bool(false),
                    Slot::bounded(0),
                ]);
                out.extend([Slot::int(0), Slot::int(0)]);
            }
            0x3003 => out.push(Slot::bool(false)),
            _ => {}
        }
        Ok(10)
    }
}

/// Runs a compiled program: `__init_globals`, `init`, then `frames` calls of `frame`.
pub fn run_compiled(l: &Loaded, compiled: &CompiledProgram, frames: u32) -> Run {
    run_compiled_with(l, compiled, frames, GcMode::Incremental)
}

/// [`run_compiled`] with a chosen collector mode (`Stress` collects at every
/// safepoint, checking the frame maps of the compiled code).
pub fn run_compiled_with(
    l: &Loaded,
    compiled: &CompiledProgram,
    frames: u32,
    gc_mode: GcMode,
) -> Run {
    let verified = verify_program(&compiled.program, &prometeu_abi::ConsoleSyscalls).unwrap();
    let config = VmConfig {
        background_release: false,
        gc_mode,
        ..VmConfig::default()
    };
    let mut vm = Vm::new(&verified, config).expect("loads");
    let mut host = Host {
        frame: 0,
        logs: Vec::new(),
        rng: 7,
    };
    let mut calls: Vec<(&str, u32)> = vec![("__init_globals", 0), ("init", 0)];
    calls.extend((1..=frames).map(|f| ("frame", f)));
    for (name, frame) in calls {
        if compiled.program.export(name).is_none() {
            continue;
        }
        host.frame = frame;
        vm.call_export(name, &[]).unwrap();
        loop {
            match vm.run(u64::MAX / 4, &mut host) {
                RunOutcome::Returned(_) | RunOutcome::Idle | RunOutcome::Halted => break,
                RunOutcome::FrameSync | RunOutcome::BudgetExhausted => continue,
                RunOutcome::Trapped(t) => {
                    let pos = trap_position(l, compiled, t.pc);
                    let debug = compiled.program.debug.as_ref();
                    let trap_stack = t
                        .call_stack
                        .iter()
                        .map(|f| {
                            debug
                                .and_then(|d| d.function_name(f.func))
                                .map_or_else(|| format!("#{}", f.func), str::to_string)
                        })
                        .collect();
                    return Run {
                        logs: host.logs,
                        trap: Some(format!("{} at {pos}", t.code)),
                        trap_stack,
                    };
                }
            }
        }
    }
    Run {
        logs: host.logs,
        trap: None,
        trap_stack: Vec::new(),
    }
}

/// The 1-based `line:col` where the debug-map span of `pc` starts.
pub fn trap_position(l: &Loaded, compiled: &CompiledProgram, pc: u32) -> String {
    let Some(debug) = &compiled.program.debug else {
        return "?".into();
    };
    let Some(run) = debug.span_at(pc) else {
        return "?".into();
    };
    let path = &debug.files[run.file as usize];
    let Some(file) = l.graph.files.iter().find(|f| &f.display_path == path) else {
        return "?".into();
    };
    let text = l.db.text(file.file);
    let start = run.start as usize;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..start].matches('\n').count() + 1;
    let col = text[line_start..start].chars().count() + 1;
    format!("{line}:{col}")
}

/// Compiles and runs `src` for `frames` frames.
pub fn run_src(src: &str, frames: u32) -> Run {
    let l = load_src(src);
    let compiled = match compile_loaded(&l) {
        Ok(c) => c,
        Err(e) => panic!("compile error: {e}"),
    };
    run_compiled(&l, &compiled, frames)
}

/// The `Log.info` messages of one frame of `src`.
pub fn logs(src: &str) -> Vec<String> {
    let run = run_src(src, 1);
    assert_eq!(run.trap, None, "unexpected trap");
    run.logs
        .into_iter()
        .map(|l| l.splitn(3, ' ').nth(2).unwrap_or_default().to_string())
        .collect()
}
