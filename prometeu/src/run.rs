//! `prometeu run TARGET`: build or load a cartridge, run it on the kernel
//! with a headless host, print its log as `FRAME LEVEL MESSAGE` lines on stdout, and
//! report a trap with its source line and call stack (`toolchain.md` §5). A frame
//! that runs too long, and Ctrl-C, are reported the same way: where the cartridge is.
//!
//! Without `--headless` the cartridge runs in a window (`prometeu-runtime-desktop`);
//! both modes step the kernel through its one frame driver (`prometeu_kernel::driver`),
//! and `--watch` swaps in rebuilt cartridges between frames (`watch`).

use std::collections::BTreeMap;
use std::io::{BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::progress::{self, Progress};
use crate::signals;
use crate::sources::SourceRoot;
use anyhow::{Context, bail};
use prometeu_analysis::analysis::{PRELUDE_SOURCE, PRELUDE_URI};
use prometeu_kernel::driver::LONG_FRAME_TICKS;
use prometeu_kernel::gfx::Pixels;
use prometeu_kernel::host::{LogLevel, format_log_line, frame_hash};
use prometeu_kernel::input::{RawInput, read_recording, write_recording};
use prometeu_kernel::screenshot::screenshot_png;
use prometeu_kernel::trap_report::{
    SourceSpan, StackEntry, TrapReport, resolve_stack_lines, write_call_stack,
};
use prometeu_kernel::wav::wav_bytes;
use prometeu_kernel::{
    Cartridge, DriverConfig, Ended as DriverEnded, FrameDriver, HeadlessHost, Host, Kernel,
    LongFrame, load_cartridge,
};

use crate::build::{BuildFailed, build_project, compile_checked, manifest_for};
use crate::check::{Checked, analyse_located, print_human_diagnostics, summary};
use crate::target::{Located, locate};
use crate::watch::{ProjectWatch, Rebuilt};
use prometeu_kernel::Step;
use prometeu_kernel::profile::{Profile, Profiler};
use prometeu_runtime_desktop::clock::{FixedClock, sleep_until};
use prometeu_runtime_desktop::{
    Embedder, Reload, WindowError, WindowOptions, check_display, run_window,
};
use std::time::Instant;

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
    /// Show the console in a window at this integer scale (`None`: the largest that
    /// fits the monitor).
    pub scale: Option<u32>,
    /// No audio device in a window.
    pub mute: bool,
    /// Rebuild and swap in the cartridge when the project's files change.
    pub watch: bool,
    /// Write a cycle profile here (JSON; the collapsed stacks beside it).
    pub profile: Option<PathBuf>,
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

    /// Where a project's display paths are read from (unchanged for a cartridge).
    fn replace_files(&mut self, files: BTreeMap<String, String>) {
        *self = Sources::Analysed(files);
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
    if !options.headless
        && let Err(e) = check_display()
    {
        eprintln!("{}", no_window(&e));
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
    let (cartridge, mut sources) = match load_target(target, options)? {
        Ok(loaded) => loaded,
        Err(BuildFailed) => return Ok(ExitCode::from(1)),
    };
    let watch = match options.watch {
        true => Some(start_watch(target)?),
        false => None,
    };
    if !options.headless {
        return run_windowed(cartridge, sources, input, watch, options);
    }
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
    if options.profile.is_some() {
        kernel.set_profiler(Profiler::new());
    }
    signals::catch_interrupt();
    let ended = match &watch {
        Some(watch) => run_headless_watch(&mut kernel, options.frames, watch, &mut sources),
        None => {
            let mut driver = FrameDriver::new(headless_driver_config(options.frames));
            run_headless(&mut kernel, &mut driver, &sources)
        }
    };
    kernel.host_mut().progress.clear();
    let running_at = kernel.running_at();
    let stats = kernel.vm().gc_stats();
    if let (Some(path), Some(profile)) = (&options.profile, kernel.take_profile()) {
        write_profile(path, profile, kernel.vm().cycles(), &sources)?;
    }
    let last_frame = kernel.framebuffer().front().to_vec();
    let trap = kernel.trap().cloned();
    let mut host = kernel.into_host();
    host.stdout.flush().context("cannot write the log")?;
    if let Some(e) = host.write_error {
        return Err(e).context("cannot write the log");
    }
    let recorded = host.recorded.as_deref();
    let audio = host.inner.audio.as_deref();
    write_artifacts(
        options,
        host.last_frame.as_deref(),
        &last_frame,
        audio,
        recorded,
    )?;
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
fn run_headless(
    kernel: &mut Kernel<CliHost>,
    driver: &mut FrameDriver,
    sources: &Sources,
) -> Ended {
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

/// Writes `--screenshot` (the last presented frame, else `front`: the power-on
/// screen), `--audio-out` and `--record`.
fn write_artifacts(
    options: &RunOptions,
    presented: Option<&Pixels>,
    front: &[u16],
    audio: Option<&[i16]>,
    recorded: Option<&[RawInput]>,
) -> anyhow::Result<()> {
    if let Some(path) = &options.screenshot {
        let pixels: &Pixels = match presented {
            Some(pixels) => pixels,
            None => front
                .try_into()
                .context("the framebuffer has the screen's size")?,
        };
        let png = screenshot_png(pixels).context("cannot encode the screenshot")?;
        std::fs::write(path, png).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if let Some(path) = &options.audio_out {
        let wav = wav_bytes(audio.unwrap_or_default()).context("cannot write the audio")?;
        std::fs::write(path, wav).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if let (Some(path), Some(recorded)) = (&options.record, recorded) {
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

/// The span's first line with a caret underline, as diagnostics show it (clipped the
/// same way around the span when the line is long).
fn snippet(span: &SourceSpan, sources: &Sources) -> Option<String> {
    let (line, _) = span.line_col?;
    let text = sources.text(&span.file)?;
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)? as usize)
        .map(str::len)
        .sum();
    let source_line = text.get(line_start..)?.lines().next()?;
    let source_line = source_line.strip_suffix('\r').unwrap_or(source_line);
    let start = (span.start as usize).checked_sub(line_start)?;
    let end = (span.end as usize).saturating_sub(line_start);
    let shown = crate::render::SnippetLine::new(source_line, start, end);
    let gutter = " ".repeat(line.to_string().len());
    Some(format!(
        "{gutter} |\n{line} | {}\n{gutter} | {}{}",
        shown.text, shown.indent, shown.carets
    ))
}

/// `--watch`: the project `target` is in (only a project is rebuilt).
fn start_watch(target: &Path) -> anyhow::Result<ProjectWatch> {
    match locate(target)? {
        Located::Project { dir, .. } => ProjectWatch::start(&dir),
        Located::LooseFile(path) => bail!(
            "`--watch` rebuilds a project, and `{}` is in none (make it one with `prometeu new`)",
            path.display()
        ),
    }
}

/// A headless run with `--watch` (for tests and servers): at 60 frames a second on
/// the desktop runtime's clock, until `--frames N` or Ctrl-C. A rebuilt cartridge is
/// swapped in (restarted) between two frames; a trap prints its report and the run
/// waits for the next good build.
fn run_headless_watch(
    kernel: &mut Kernel<CliHost>,
    frames: Option<u64>,
    watch: &ProjectWatch,
    sources: &mut Sources,
) -> Ended {
    let config = DriverConfig {
        frames,
        max_ticks: None,
        long_frame: LongFrame::Warn,
    };
    let mut driver = FrameDriver::new(config);
    let mut presented_before = 0;
    let mut clock = FixedClock::new(Instant::now());
    loop {
        if signals::interrupted() {
            return Ended::Interrupted(kernel.frame());
        }
        if !kernel.vm().is_running()
            && let Some(rebuilt) = watch.try_recv()
        {
            match reload(kernel, rebuilt, sources) {
                Ok(()) => {
                    presented_before += driver.presented();
                    driver = FrameDriver::new(DriverConfig {
                        frames: frames.map(|n| n.saturating_sub(presented_before)),
                        ..config
                    });
                }
                Err(message) => eprintln!("watch: {message}; the old cartridge keeps running"),
            }
        }
        sleep_until(clock.deadline());
        clock.start_tick(Instant::now());
        if driver.ended() == Some(DriverEnded::Trapped) {
            continue;
        }
        match driver.step(kernel) {
            Step::Ended(DriverEnded::Trapped) => {
                let _ = kernel.host_mut().stdout.flush();
                if let Some(mut report) = kernel.trap().cloned() {
                    report.resolve_lines(&mut |file| sources.text(file));
                    eprintln!("{}", render_trap(&report, sources));
                }
                eprintln!("watch: waiting for a rebuild");
            }
            Step::Ended(ended) => return Ended::Driver(ended),
            Step::Ticked(_) | Step::LongFrame(_) => {
                let _ = kernel.host_mut().stdout.flush();
            }
        }
    }
}

/// Swaps a rebuilt cartridge into `kernel`, or says why not.
fn reload<H: Host>(
    kernel: &mut Kernel<H>,
    rebuilt: Rebuilt,
    sources: &mut Sources,
) -> Result<(), String> {
    match rebuilt {
        Rebuilt::Failed(first) => Err(format!("the build failed ({first})")),
        Rebuilt::Cartridge {
            dir,
            sources: files,
            changed_at,
        } => {
            let cartridge = load_cartridge(&dir).map_err(|e| e.to_string())?;
            kernel.restart(cartridge).map_err(|e| e.to_string())?;
            sources.replace_files(files);
            eprintln!(
                "watch: new cartridge running {} ms after the edit",
                changed_at.elapsed().as_millis()
            );
            Ok(())
        }
    }
}

/// The command line inside a windowed run: the log on stdout, traps printed with their
/// source lines, and `--watch`'s rebuilds.
struct CliEmbedder {
    stdout: Stdout,
    sources: Sources,
    watch: Option<ProjectWatch>,
}

impl Embedder for CliEmbedder {
    fn log(&mut self, frame: u64, level: LogLevel, message: &str) {
        let mut out = self.stdout.lock();
        let _ = writeln!(out, "{}", format_log_line(frame, level, message));
        let _ = out.flush();
    }

    fn trapped(&mut self, report: &TrapReport) -> String {
        let mut report = report.clone();
        report.resolve_lines(&mut |file| self.sources.text(file));
        let text = render_trap(&report, &self.sources);
        eprintln!("{text}");
        text
    }

    fn poll_reload(&mut self) -> Option<Reload> {
        match self.watch.as_ref()?.try_recv()? {
            Rebuilt::Failed(first) => {
                eprintln!("watch: the build failed; the old cartridge keeps running");
                Some(Reload::Failed(first))
            }
            Rebuilt::Cartridge {
                dir,
                sources,
                changed_at,
            } => match load_cartridge(&dir) {
                Ok(cartridge) => {
                    self.sources.replace_files(sources);
                    eprintln!(
                        "watch: new cartridge running {} ms after the edit",
                        changed_at.elapsed().as_millis()
                    );
                    Some(Reload::Cartridge(Box::new(cartridge)))
                }
                Err(e) => Some(Reload::Failed(e.to_string())),
            },
        }
    }
}

/// `prometeu run` with a window (`toolchain.md` §5).
fn run_windowed(
    cartridge: Cartridge,
    sources: Sources,
    input: Vec<RawInput>,
    watch: Option<ProjectWatch>,
    options: &RunOptions,
) -> anyhow::Result<ExitCode> {
    let window_options = WindowOptions {
        profile: options.profile.is_some(),
        scale: options.scale,
        mute: options.mute,
        frames: options.frames,
        replay: options.input.as_ref().map(|_| input),
        record: options.record.is_some(),
        capture_audio: options.audio_out.is_some(),
        audio_device: None,
    };
    let front = prometeu_kernel::gfx::Framebuffer::new().front().to_vec();
    let mut embedder = CliEmbedder {
        stdout: std::io::stdout(),
        sources,
        watch,
    };
    let run = match run_window(cartridge, window_options, &mut embedder) {
        Ok(run) => run,
        Err(e @ WindowError::NoDisplay(_)) => {
            eprintln!("{}", no_window(&e));
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let console = &run.console;
    if let (Some(path), Some(profile)) = (&options.profile, console.profile.clone()) {
        write_profile(path, profile, console.cycles, &embedder.sources)?;
    }
    write_artifacts(
        options,
        console.last_frame.as_deref(),
        &front,
        console.audio.as_deref(),
        Some(&console.recorded),
    )?;
    if options.gc_stats {
        let stats = console.gc;
        eprintln!(
            "gc: {} cycles, {} full collections, {} slices, {} freed, max pause {} µs, total pause {} µs",
            stats.cycles,
            stats.full_collections,
            stats.slices,
            stats.freed,
            stats.max_pause.as_micros(),
            stats.total_pause.as_micros()
        );
        eprintln!(
            "gc: inside frames {} µs (longest in one frame {} µs, {} µs of CPU), in idle time {} µs; {} late frames, {} of them because of gc",
            console.gc_in_frames.as_micros(),
            console.gc_in_frame_max.as_micros(),
            console.gc_cpu_in_frame_max.as_micros(),
            console.gc_idle.as_micros(),
            console.overruns,
            console.overruns_from_gc
        );
    }
    let audio = match console.audio_underruns {
        Some((underruns, dropped)) => format!("audio underruns {underruns}, dropped {dropped}"),
        None => "muted".to_owned(),
    };
    eprintln!(
        "window: {} frames in {:.3} s, scale {}, tick lateness mean {} µs max {} µs, input-to-photon max {} µs over {} events, {audio}",
        console.frames,
        console.wall.as_secs_f64(),
        run.window.scale,
        console.lateness_mean.as_micros(),
        console.lateness_max.as_micros(),
        run.window.input_to_photon_max.as_micros(),
        run.window.input_events,
    );
    if console.trap.is_some() {
        return Ok(ExitCode::from(1));
    }
    let how = match run.ended {
        Some(DriverEnded::Halted) => ", halted",
        None => ", window closed",
        _ => "",
    };
    let ran = match console.frames {
        1 => "ran 1 frame".to_owned(),
        n => format!("ran {n} frames"),
    };
    match console.last_frame.as_deref() {
        Some(pixels) => eprintln!(
            "{ran}{how} (last frame {:016x}, audio {:016x})",
            frame_hash(pixels),
            console.audio_hash
        ),
        None => eprintln!("{ran}{how}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `--profile FILE`: the JSON profile to FILE, the collapsed stacks (for
/// flame-graph tools) to FILE with the extension `.folded`, and the top-20 table to
/// stderr with the profile's total against the run's cycle count.
fn write_profile(
    path: &Path,
    mut profile: Profile,
    run_cycles: u64,
    sources: &Sources,
) -> anyhow::Result<()> {
    for entries in profile.entries_mut() {
        resolve_stack_lines(entries, &mut |file| sources.text(file));
    }
    let json =
        serde_json::to_string_pretty(&profile.to_json()).context("cannot write the profile")?;
    std::fs::write(path, json + "\n")
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    let folded = path.with_extension("folded");
    std::fs::write(&folded, profile.collapsed())
        .with_context(|| format!("cannot write `{}`", folded.display()))?;
    eprintln!("{}", profile.table(20));
    eprintln!(
        "profile: {} cycles profiled of the run's {run_cycles}; wrote {} and {}",
        profile.total_cycles(),
        path.display(),
        folded.display()
    );
    Ok(())
}

/// What a machine without a display is told.
fn no_window(error: &WindowError) -> String {
    let why = match error {
        WindowError::NoDisplay(why) | WindowError::Window(why) => why,
    };
    format!("error: cannot open a window ({why}); run without one with `prometeu run --headless`")
}
