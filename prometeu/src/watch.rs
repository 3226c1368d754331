//! `prometeu run --watch`: watch a project's sources and manifest (the `notify`
//! crate), rebuild on a background task (tokio) while the old cartridge keeps running,
//! and hand the result to the run, which swaps the new cartridge in at a frame
//! boundary (`toolchain.md` §5).
//!
//! A cartridge cannot move between threads (its verified program shares data through
//! `Rc`), so a successful build sends where it wrote the cartridge (`build/cart/`) and
//! the running thread loads it from there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use anyhow::Context;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::build::{CART_DIR, build_project};
use crate::check::analyse;

/// Edits closer together than this make one rebuild (an editor's save can be several
/// file events).
pub const DEBOUNCE: Duration = Duration::from_millis(25);

/// What a rebuild produced.
pub enum Rebuilt {
    /// The new cartridge is in this directory; the sources it was built from, by
    /// display path (for trap lines).
    Cartridge {
        /// `build/cart/`.
        dir: PathBuf,
        /// The analysed files.
        sources: BTreeMap<String, String>,
        /// When the edit that started the rebuild was seen.
        changed_at: Instant,
    },
    /// The build failed: `file:line: message` of the first error (all of them were
    /// printed to stderr).
    Failed(String),
}

/// A running watch: rebuild results arrive on [`ProjectWatch::try_recv`].
pub struct ProjectWatch {
    results: Receiver<Rebuilt>,
    // Dropping the watcher stops the events, which ends the background task.
    _watcher: notify::RecommendedWatcher,
}

impl ProjectWatch {
    /// Starts watching the project in `dir`.
    pub fn start(dir: &Path) -> anyhow::Result<ProjectWatch> {
        let (events, mut event_rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
        // Events name absolute paths: compare with the absolute `build/`, or every
        // rebuild's own outputs would start the next one.
        let dir = &dir
            .canonicalize()
            .with_context(|| format!("cannot watch `{}`", dir.display()))?;
        let build_dir = dir.join("build");
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else {
                    return;
                };
                if matches!(event.kind, EventKind::Access(_)) {
                    return;
                }
                // The build's own outputs are not edits.
                if event.paths.iter().all(|p| p.starts_with(&build_dir)) {
                    return;
                }
                let _ = events.send(Instant::now());
            })
            .context("cannot watch the project's files")?;
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch `{}`", dir.display()))?;
        let (results, result_rx) = channel();
        let dir = dir.to_path_buf();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .context("cannot start the rebuild task")?;
        std::thread::Builder::new()
            .name("prometeu-watch".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(mut changed_at) = event_rx.recv().await {
                        // Take the burst of events of one save.
                        while let Ok(Some(at)) =
                            tokio::time::timeout(DEBOUNCE, event_rx.recv()).await
                        {
                            changed_at = changed_at.min(at);
                        }
                        let dir = dir.clone();
                        let rebuilt =
                            tokio::task::spawn_blocking(move || rebuild(&dir, changed_at)).await;
                        let Ok(rebuilt) = rebuilt else {
                            continue;
                        };
                        if results.send(rebuilt).is_err() {
                            return;
                        }
                    }
                });
            })
            .context("cannot start the rebuild thread")?;
        Ok(ProjectWatch {
            results: result_rx,
            _watcher: watcher,
        })
    }

    /// The latest rebuild's result, if one finished since the last call.
    pub fn try_recv(&self) -> Option<Rebuilt> {
        let mut latest = None;
        loop {
            match self.results.try_recv() {
                Ok(rebuilt) => latest = Some(rebuilt),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return latest,
            }
        }
    }
}

/// Rebuilds the project in `dir` into its `build/`.
fn rebuild(dir: &Path, changed_at: Instant) -> Rebuilt {
    eprintln!("watch: rebuilding {}", dir.display());
    // The first error for the window's bar; the build prints them all.
    let first_error = match analyse(dir) {
        Ok(checked) => checked
            .diagnostics()
            .find(|d| d.severity == prometeu_analysis::Severity::Error)
            .map(|d| {
                let text = checked.db.text(d.span.file);
                let line = 1 + text
                    .get(..d.span.start as usize)
                    .map_or(0, |before| before.matches('\n').count());
                format!(
                    "{}:{line}: {}",
                    checked.display_path(d.span.file),
                    d.message
                )
            }),
        Err(e) => Some(format!("{e:#}")),
    };
    match build_project(dir, &dir.join("build"), false) {
        Ok(Ok(built)) if built.cartridge.is_some() => {
            let sources = built
                .checked
                .graph
                .files
                .iter()
                .map(|f| {
                    (
                        f.display_path.clone(),
                        built.checked.db.text(f.file).to_string(),
                    )
                })
                .collect();
            Rebuilt::Cartridge {
                dir: dir.join("build").join(CART_DIR),
                sources,
                changed_at,
            }
        }
        Ok(Ok(_)) => Rebuilt::Failed("the project is a library: only apps run".into()),
        Ok(Err(_)) => Rebuilt::Failed(first_error.unwrap_or_else(|| "the build failed".into())),
        Err(e) => {
            eprintln!("error: {e:#}");
            Rebuilt::Failed(format!("{e:#}"))
        }
    }
}
