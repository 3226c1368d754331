//! `prometeu run TARGET --headless`: build or load a cartridge, run it on the kernel
//! with a headless host, print its log as `FRAME LEVEL MESSAGE` lines on stdout, and
//! report a trap with its source line and call stack (`toolchain.md` §5). A frame
//! that runs too long, and Ctrl-C, are reported the same way: where the cartridge is.
//!
//! The window does not exist yet, so only `--headless` runs; anything else is a usage
//! error.

use std::collections::BTreeMap;
use std::io::{BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::progress::{self, Progress};
use crate::signals;
use crate::sources::SourceRoot;
use anyhow::{Context, bail};
use prometeu_analysis::analysis::{PRELUDE_SOURCE, PRELUDE_URI};
use prometeu_kernel::gfx::Pixels;
use prometeu_kernel::host::{LogLevel, format_log_line, frame_hash};
use prometeu_kernel::input::{RawInput, read_recording, write_recording};
use prometeu_kernel::screenshot::screenshot_png;
use prometeu_kernel::trap_report::{
    SourceSpan, StackEntry, TrapReport, resolve_stack_lines, write_call_stack,
};
use prometeu_kernel::wav::wav_bytes;
use prometeu_kernel::driver::LONG_FRAME_TICKS;
use prometeu_kernel::{
    Cartridge, DriverConfig, Ended as DriverEnded, FrameDriver, HeadlessHost, Host, Kernel,
    LongFrame, load_cartridge,
};

use crate::build::{BuildFailed, build_project, compile_checked, manifest_for};
use crate::check::{Checked, analyse_located, print_human_diagnostics, summary};
use crate::target::{Located, locate};

/// Logical frames a headless run lasts when `--frames` is not given: ten seconds of
/// console time (a run also ends earlier on `HALT` or a trap).
pub const DEFAULT_HEADLESS_FRAMES: u64 = 600;

/// The driver's bounds for a headless run: `--frames N` (every frame runs to its end,
/// however long, with one warning), or the default length, where a frame that takes
/// [`LONG_FRAME_TICKS`] ticks stops the run so that it cannot hang a plain `prometeu run`.
pub fn headless_driver_config(frames: Option<u64>) -> DriverConfig {
    DriverConfig {
        frames: Some(frames.unwrap_or(DEFAULT_HEADLESS_FRAMES)),
        max_ticks: None,
        long_frame: match frames {
            None => LongFrame::Stop,
            Some(_) => LongFrame::Warn,
        },
    }
}

/// What `prometeu run` was asked to do.
pub struct RunOptions {
    /// Run without a window (the only mode available today).
    pub headless: bool,
    /// Logical frames to complete; [`DEFAULT_HEADLESS_FRAMES`] when absent.
    pub frames: Option<u64>,
    /// Write the last presented frame here as PNG.
    pub screenshot: Option<PathBuf>,
    /// Replay input from this recording.
    pub input: Option<PathBuf>,
    /// Record the input of every frame here.
    pub record: Option<PathBuf>,
    /// Write the run's audio here as WAV.
    pub audio_out: Option<PathBuf>,
    /// Print garbage-collection statistics at exit.
    pub gc_stats: bool,
    /// Where the sources named by a cartridge's debug map are (default:
    /// [`SourceRoot::for_program`]); unused for projects and `.pbs` files, whose
    /// sources are known.
    pub source_root: Option<PathBuf>,
}

/// Where the source files named by the debug map come from, to print trap locations.
enum Sources {
    /// The program was just analysed: its files by display path.
    Analysed(BTreeMap<String, String>),
    /// A prebuilt cartridge: files are looked up on disk (dependencies' `@alias/`
    /// paths through the manifests).
    Root(std::cell::RefCell<SourceRoot>),
}

impl Sources {
    fn from_checked(checked: &Checked) -> Sources {
        let files = checked
            .graph
            .files
            .iter()
            .map(|f| (f.display_path.clone(), checked.db.text(f.file).to_string()))
            .collect();
        Sources::Analysed(files)
    }

    fn text(&self, file: &str) -> Option<String> {
        if file == PRELUDE_URI {
            return Some(PRELUDE_SOURCE.to_owned());
        }
        match self {
            Sources::Analysed(files) => files.get(file).cloned(),
            Sources::Root(root) => root.borrow_mut().text(file),
        }
    }
}

/// `prometeu run TARGET [flags]`.
pub fn run(target: &Path, options: &RunOptions) -> anyhow::Result<ExitCode> {
    if !options.headless {
        eprintln!("error: the desktop window is not available yet; use --headless");
        return Ok(ExitCode::from(2));
    }
    // Read the replay first: a bad recording is a usage error before any work.
    let input = match &options.input {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            read_recording(&text).with_context(|| format!("`{}`", path.display()))?
        }
        None => Vec::new(),
    };
    let (cartridge, sources) = match load_target(target, options)? {
        Ok(loaded) => loaded,
        Err(BuildFailed) => return Ok(ExitCode::from(1)),
    };
    let mut host = CliHost {
        inner: HeadlessHost::new().with_input(input),
        recorded: options.record.as_ref().map(|_| Vec::new()),
        last_frame: None,
        presented: 0,
        stdout: BufWriter::new(std::io::stdout()),
        write_error: None,
        progress: Progress::for_stderr(),
    };
    if options.audio_out.is_some() {
        host.inner = host.inner.capturing_audio();
    }
    let mut kernel = match Kernel::new(cartridge, host) {
        Ok(kernel) => kernel,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let mut driver = FrameDriver::new(headless_driver_config(options.frames));
    signals::catch_interrupt();
    let ended = run_headless(&mut kernel, &mut driver, &sources);
    kernel.host_mut().progress.clear();
    let running_at = kernel.running_at();
    let stats = kernel.vm().gc_stats();
    let last_frame = kernel.framebuffer().front().to_vec();
    let trap = kernel.trap().cloned();
    let mut host = kernel.into_host();
    host.stdout.flush().context("cannot write the log")?;
    if let Some(e) = host.write_error {
        return Err(e).context("cannot write the log");
    }
    write_artifacts(options, &host, &last_frame)?;
    if options.gc_stats {
        eprintln!(
            "gc: {} cycles, {} full collections, {} slices, {} freed, max pause {} µs, total pause {} µs",
            stats.cycles,
            stats.full_collections,
            stats.slices,
            stats.freed,
            stats.max_pause.as_micros(),
            stats.total_pause.as_micros()
        );
    }
    let completed = host.presented;
    match (trap, ended) {
        (Some(mut report), _) => {
            report.resolve_lines(&mut |file| sources.text(file));
            eprintln!("{}", render_trap(&report, &sources));
            Ok(ExitCode::from(1))
        }
        (None, Ended::Driver(DriverEnded::Stalled(frame))) => {
            let headline = format!(
                "error: frame {frame} ran for {LONG_FRAME_TICKS} ticks ({} seconds of console time) without finishing; stopped",
                LONG_FRAME_TICKS / 60
            );
            eprintln!("{}", render_running(&headline, running_at, &sources));
            Ok(ExitCode::from(1))
        }
        (None, Ended::Interrupted(frame)) => {
            let headline = format!("interrupted (Ctrl-C) in frame {frame}");
            eprintln!("{}", render_running(&headline, running_at, &sources));
            Ok(ExitCode::from(signals::INTERRUPTED_EXIT))
        }
        (None, ended) => {
            let how = if ended == Ended::Driver(DriverEnded::Halted) {
                ", halted"
            } else {
                ""
            };
            let ran = match completed {
                1 => "ran 1 frame".to_owned(),
                n => format!("ran {n} frames"),
            };
            match host.last_frame.as_deref() {
                Some(pixels) => eprintln!(
                    "{ran}{how} (last frame {:016x}, audio {:016x})",
                    frame_hash(pixels),
                    host.inner.audio_hash
                ),
                None => eprintln!("{ran}{how}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Builds or loads what `target` names (`toolchain.md` §2).
fn load_target(
    target: &Path,
    options: &RunOptions,
) -> anyhow::Result<Result<(Cartridge, Sources), BuildFailed>> {
    let cartridge_sources = || {
        let root = match &options.source_root {
            Some(root) => SourceRoot::new(root.clone()),
            None => SourceRoot::for_program(target),
        };
        Sources::Root(std::cell::RefCell::new(root))
    };
    let is_cartridge_dir = || {
        target.is_dir()
            && !target
                .join(prometeu_analysis::project::MANIFEST_FILE)
                .is_file()
            && target
                .join(prometeu_kernel::cartridge::MANIFEST_FILE)
                .is_file()
    };
    let is_source = target.is_dir() || target.extension().is_some_and(|e| e == "pbs");
    if !target.exists() || !is_source || is_cartridge_dir() {
        if !target.exists() {
            bail!("`{}` does not exist", target.display());
        }
        return Ok(load_prebuilt(target).map(|c| (c, cartridge_sources())));
    }
    match locate(target)? {
        Located::Project { dir, file } => {
            if file.is_some() {
                eprintln!(
                    "note: `{}` is a source file of the project in `{}`: running the project",
                    target.display(),
                    dir.display()
                );
            }
            let built = match build_project(&dir, &dir.join("build"), false)? {
                Ok(built) => built,
                Err(failed) => return Ok(Err(failed)),
            };
            let Some(cartridge) = built.cartridge else {
                bail!(
                    "`{}` is a library: only apps run (build it, or run an app that depends on it)",
                    dir.display()
                );
            };
            Ok(Ok((cartridge, Sources::from_checked(&built.checked))))
        }
        located @ Located::LooseFile(_) => {
            let checked = analyse_located(&located)?;
            print_human_diagnostics(&checked)?;
            if checked.analysis.has_errors() {
                eprintln!("{}", summary(&checked));
                return Ok(Err(BuildFailed));
            }
            let program = match compile_checked(&checked) {
                Ok(program) => program,
                Err(failed) => return Ok(Err(failed)),
            };
            let cartridge = match Cartridge::new(
                manifest_for(&checked),
                program,
                Vec::new(),
                BTreeMap::new(),
            ) {
                Ok(cartridge) => cartridge,
                Err(e) => {
                    eprintln!("error: {}: {e}", target.display());
                    return Ok(Err(BuildFailed));
                }
            };
            Ok(Ok((cartridge, Sources::from_checked(&checked))))
        }
    }
}

/// A cartridge directory, `.pmc` or `.pbc`; a cartridge that does not load is the
/// program's fault (exit 1), with the kernel's message naming the file.
fn load_prebuilt(path: &Path) -> Result<Cartridge, BuildFailed> {
    load_cartridge(path).map_err(|e| {
        eprintln!("error: {e}");
        BuildFailed
    })
}

/// How a headless run ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ended {
    /// The driver ended the run (frames done, `HALT`, trap, or a stalled frame).
    Driver(DriverEnded),
    /// Ctrl-C stopped the run during logical frame `n`.
    Interrupted(u64),
}

/// Steps the kernel through the one [`FrameDriver`] until it ends the run or Ctrl-C is
/// pressed; between ticks only the terminal's progress line and the long-frame warning
/// are this host's business.
fn run_headless(kernel: &mut Kernel<CliHost>, driver: &mut FrameDriver, sources: &Sources) -> Ended {
    let mut interrupted_in = None;
    let ended = driver.run(
        kernel,
        |kernel, driver| {
            if signals::interrupted() {
                interrupted_in = Some(kernel.frame());
                return false;
            }
            let (completed, frames) = (driver.presented(), driver.config().frames.unwrap_or(0));
            kernel
                .host_mut()
                .progress
                .tick(|| progress::frame_status(completed, frames));
            true
        },
        |kernel, frame| {
            let headline = format!(
                "warning: frame {frame} has run for {LONG_FRAME_TICKS} ticks ({} seconds of console time) and is still running",
                LONG_FRAME_TICKS / 60
            );
            let mut text = render_running(&headline, kernel.running_at(), sources);
            // After the location on the first line.
            let first_line_end = text.find('\n').unwrap_or(text.len());
            text.insert_str(first_line_end, "; Ctrl-C stops it");
            kernel.host_mut().progress.clear();
            eprintln!("{text}");
        },
    );
    match ended {
        Some(ended) => Ended::Driver(ended),
        None => Ended::Interrupted(interrupted_in.unwrap_or(0)),
    }
}

/// Writes `--screenshot`, `--audio-out` and `--record`.
fn write_artifacts(options: &RunOptions, host: &CliHost, last_frame: &[u16]) -> anyhow::Result<()> {
    if let Some(path) = &options.screenshot {
        let pixels: &Pixels = match &host.last_frame {
            Some(pixels) => pixels,
            // Nothing presented yet: the front buffer (the power-on screen).
            None => last_frame
                .try_into()
                .context("the framebuffer has the screen's size")?,
        };
        let png = screenshot_png(pixels).context("cannot encode the screenshot")?;
        std::fs::write(path, png).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if let Some(path) = &options.audio_out {
        let samples = host.inner.audio.as_deref().unwrap_or_default();
        let wav = wav_bytes(samples).context("cannot write the audio")?;
        std::fs::write(path, wav).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if let (Some(path), Some(recorded)) = (&options.record, &host.recorded) {
        std::fs::write(path, write_recording(recorded))
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}

/// The headless host of the command line: the kernel's [`HeadlessHost`] for input
/// replay and audio, plus the log streamed to stdout, the input recorded for
/// `--record`, and only the last frame (a long run keeps no per-frame history).
struct CliHost {
    inner: HeadlessHost,
    /// Each logical frame's input, in order, when recording.
    recorded: Option<Vec<RawInput>>,
    /// The last presented frame.
    last_frame: Option<Box<Pixels>>,
    /// Frames presented so far.
    presented: u64,
    stdout: BufWriter<Stdout>,
    /// The first failure to write the log (reported after the run).
    write_error: Option<std::io::Error>,
    /// The frame counter on a terminal; erased before each log line.
    progress: Progress,
}

impl Host for CliHost {
    fn present(&mut self, _frame: u64, pixels: &Pixels) {
        self.presented += 1;
        match &mut self.last_frame {
            Some(last) => last.copy_from_slice(pixels),
            // Through a Vec so the 115 KB frame is never built on the stack.
            None => self.last_frame = pixels.to_vec().into_boxed_slice().try_into().ok(),
        }
    }

    fn push_audio(&mut self, samples: &prometeu_kernel::audio::AudioFrame) {
        self.inner.push_audio(samples);
    }

    fn sample_input(&mut self, frame: u64) -> RawInput {
        let raw = self.inner.sample_input(frame);
        if let Some(recorded) = &mut self.recorded {
            recorded.push(raw);
        }
        raw
    }

    fn log(&mut self, frame: u64, level: LogLevel, message: &str) {
        // Streamed rather than kept, so a long run's log does not grow in memory. A
        // progress line on the terminal is erased first, and the log line is flushed
        // at once so the next redraw cannot land in the middle of it.
        self.progress.clear();
        if self.write_error.is_none()
            && let Err(e) = writeln!(self.stdout, "{}", format_log_line(frame, level, message))
                .and_then(|()| match self.progress.is_enabled() {
                    true => self.stdout.flush(),
                    false => Ok(()),
                })
        {
            self.write_error = Some(e);
        }
    }
}

/// A trap as the command line prints it: the trap and its location, the source line
/// with the span underlined, the instruction, and the call stack.
fn render_trap(report: &TrapReport, sources: &Sources) -> String {
    let name = match report.name {
        Some(name) => name.to_owned(),
        None => format!("0x{:02X}", report.code),
    };
    let mut text = format!("trap {name}");
    if let Some(span) = &report.span {
        text.push_str(&format!(" at {span}"));
    }
    text.push_str(&format!(" in frame {}", report.frame));
    if let Some(detail) = &report.detail {
        text.push_str(&format!(": {detail}"));
    }
    if let Some(snippet) = report.span.as_ref().and_then(|s| snippet(s, sources)) {
        text.push('\n');
        text.push_str(&snippet);
    }
    text.push_str(&format!("\n  at {} (pc {})", report.opcode, report.pc));
    text.push_str("\ncall stack (innermost first):");
    let _ = write_call_stack(&mut text, &report.call_stack);
    text
}

/// Where a running cartridge is, after `headline`: ` at FILE:LINE:COL`, the source line
/// underlined, and the call stack (folded as a trap's), or `(between two frames)`.
fn render_running(headline: &str, stack: Option<Vec<StackEntry>>, sources: &Sources) -> String {
    let Some(mut stack) = stack.filter(|s| !s.is_empty()) else {
        return format!("{headline} (between two frames)");
    };
    resolve_stack_lines(&mut stack, &mut |file| sources.text(file));
    let mut text = headline.to_owned();
    let innermost = &stack[0];
    if let Some(span) = &innermost.span {
        text.push_str(&format!(" at {span}"));
        if let Some(snippet) = snippet(span, sources) {
            text.push('\n');
            text.push_str(&snippet);
        }
    }
    text.push_str("\ncall stack (innermost first):");
    let _ = write_call_stack(&mut text, &stack);
    text
}

/// The span's first line with a caret underline, as diagnostics show it.
fn snippet(span: &SourceSpan, sources: &Sources) -> Option<String> {
    let (line, col) = span.line_col?;
    let text = sources.text(&span.file)?;
    let source_line = text.lines().nth(line.checked_sub(1)? as usize)?;
    let source_line = source_line.strip_suffix('\r').unwrap_or(source_line);
    let start = text.get(span.start as usize..span.end.max(span.start) as usize)?;
    let rest_of_line = source_line.chars().count().saturating_sub(col as usize - 1);
    let width = start.chars().count().clamp(1, rest_of_line.max(1));
    let gutter = " ".repeat(line.to_string().len());
    let pad = " ".repeat(col as usize - 1);
    Some(format!(
        "{gutter} |\n{line} | {source_line}\n{gutter} | {pad}{}",
        "^".repeat(width)
    ))
}
