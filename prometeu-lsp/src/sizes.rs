//! The compiled-size thread: what code lens shows as a function's size, computed by the
//! real compiler off the protocol loop.
//!
//! Compiling is the one thing a lens needs that analysis does not give, and it costs
//! about as much as an analysis, so it never runs on the path from a keystroke to its
//! diagnostics: it starts only when a `textDocument/codeLens` asked for a revision whose
//! sizes are not known (a client that shows no lenses never pays for it), waits until
//! edits have paused ([`DEBOUNCE`]) and the analysis is idle (the newest snapshot is of
//! the host's revision), compiles each root whose analysis changed (an unchanged root
//! keeps its sizes), and then asks the client to refresh its lenses
//! (`workspace/codeLens/refresh`, when it supports it). A lens asked before its sizes
//! are there says so, and is filled in by `codeLens/resolve` or by that refresh.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use prometeu_analysis::ide::{RootAnalysis, Snapshot};
use prometeu_analysis::project::ProjectKind;
use prometeu_analysis::{Analysis, FileId, Span};
use prometeu_compiler::FunctionSize;
use tokio::sync::watch;

use crate::state::State;

/// How long edits must pause (no change to the host's inputs) before a compile starts.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// How long the thread waits for the analysis of the newest edit before giving up on
/// this round (the next code lens request starts another).
const IDLE_WAIT: Duration = Duration::from_secs(30);

/// What one root's build says about its functions.
#[derive(Debug)]
enum RootBuild {
    /// Compiled: each compiled function's size, by its declaration's name token.
    Built(HashMap<Span, FunctionSize>),
    /// A library is not built on its own.
    Library,
    /// The analysis has errors, so nothing is compiled.
    HasErrors,
    /// The compiler refused the program (a limit, an unsupported construct).
    Failed,
}

/// The sizes of every root of one snapshot.
#[derive(Debug)]
pub struct Computed {
    /// The snapshot revision they are of.
    pub revision: u64,
    /// Per root, in the snapshot's root order: its analysis (to tell whether a later
    /// snapshot changed it; weak, so sizes never keep an old analysis alive) and its
    /// build.
    roots: Vec<(Weak<Analysis>, Arc<RootBuild>)>,
}

/// What a size lens says about one function.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SizeAnswer {
    /// Its compiled size.
    Size(FunctionSize),
    /// No build that contains its file reaches it from `frame` or `init`.
    NotInBuild,
    /// Only libraries contain it, and a library is not built on its own.
    LibraryOnly,
    /// A project that contains it has errors.
    HasErrors,
    /// The compiler refused the program.
    Failed,
}

impl SizeAnswer {
    /// The lens title.
    pub fn title(self) -> String {
        match self {
            SizeAnswer::Size(size) => {
                let instructions = match size.instructions {
                    1 => "1 instruction".to_string(),
                    n => format!("{n} instructions"),
                };
                format!("{instructions} · {} bytes", size.bytes)
            }
            SizeAnswer::NotInBuild => "not in the build".to_string(),
            SizeAnswer::LibraryOnly => "no size: a library is not built alone".to_string(),
            SizeAnswer::HasErrors => "no size while the project has errors".to_string(),
            SizeAnswer::Failed => "no size: the build failed".to_string(),
        }
    }
}

/// The title of a size lens whose sizes are not computed yet.
pub const PENDING_TITLE: &str = "size: compiling…";

impl Computed {
    /// The size of the function declared at `focus` (its name token) in `file`, as the
    /// builds of `snapshot` (the snapshot these sizes are of) see it.
    pub fn answer(&self, snapshot: &Snapshot, file: FileId, focus: Span) -> SizeAnswer {
        let mut answer = SizeAnswer::LibraryOnly;
        for root in snapshot.roots_of(file) {
            let Some((_, build)) = self
                .roots
                .iter()
                .find(|(analysis, _)| same(analysis, &root.analysis))
            else {
                continue;
            };
            let this = match &**build {
                RootBuild::Built(sizes) => match sizes.get(&focus) {
                    Some(size) => return SizeAnswer::Size(*size),
                    None => SizeAnswer::NotInBuild,
                },
                RootBuild::Library => SizeAnswer::LibraryOnly,
                RootBuild::HasErrors => SizeAnswer::HasErrors,
                RootBuild::Failed => SizeAnswer::Failed,
            };
            // The most telling reason wins: errors, then a failed build, then "not
            // reached", then "library".
            let rank = |a: SizeAnswer| match a {
                SizeAnswer::HasErrors => 3,
                SizeAnswer::Failed => 2,
                SizeAnswer::NotInBuild => 1,
                _ => 0,
            };
            if rank(this) > rank(answer) {
                answer = this;
            }
        }
        answer
    }
}

/// The server's handle on the size thread.
pub struct Sizes {
    latest: Mutex<Option<Arc<Computed>>>,
    wake: mpsc::Sender<()>,
    /// How many compile rounds have started (`prometeu/debugMemory`).
    rounds: AtomicU64,
}

impl Sizes {
    /// Starts the thread. It compiles the newest snapshot of `snapshots` once the host
    /// in `state` has no newer revision, and calls `on_computed` after each round.
    pub fn start(
        state: Arc<Mutex<State>>,
        snapshots: watch::Receiver<Snapshot>,
        on_computed: Box<dyn Fn() + Send>,
    ) -> Arc<Sizes> {
        let (wake, woken) = mpsc::channel::<()>();
        let sizes = Arc::new(Sizes {
            latest: Mutex::new(None),
            wake,
            rounds: AtomicU64::new(0),
        });
        let shared = Arc::clone(&sizes);
        std::thread::Builder::new()
            .name("prometeu-sizes".to_string())
            // The compiler recurses over deep expressions, like the checker.
            .stack_size(64 * 1024 * 1024)
            .spawn(move || {
                while woken.recv().is_ok() {
                    // Edits come in bursts: wait for a pause, then take the newest.
                    if !edits_paused(&state) {
                        continue;
                    }
                    while woken.try_recv().is_ok() {}
                    let Some(snapshot) = idle_snapshot(&state, &snapshots) else {
                        continue;
                    };
                    if shared
                        .latest()
                        .is_some_and(|c| c.revision >= snapshot.revision())
                    {
                        continue;
                    }
                    shared.rounds.fetch_add(1, Ordering::SeqCst);
                    let previous = shared.latest();
                    let computed = compute(&snapshot, previous.as_deref());
                    *crate::lock(&shared.latest) = Some(Arc::new(computed));
                    on_computed();
                }
            })
            .expect("the size thread starts");
        sizes
    }

    /// How many compile rounds have started since the server did.
    pub fn rounds(&self) -> u64 {
        self.rounds.load(Ordering::SeqCst)
    }

    /// The newest computed sizes.
    pub fn latest(&self) -> Option<Arc<Computed>> {
        crate::lock(&self.latest).clone()
    }

    /// The sizes of exactly `snapshot`'s revision, if computed; otherwise asks for them
    /// (the thread starts a round) and returns `None`.
    pub fn for_snapshot(&self, snapshot: &Snapshot) -> Option<Arc<Computed>> {
        let revision = snapshot.revision();
        if let Some(computed) = self.latest().filter(|c| c.revision == revision) {
            return Some(computed);
        }
        // The thread takes the newest snapshot and drains repeated wake-ups.
        let _ = self.wake.send(());
        None
    }
}

/// Waits until the host's revision has not changed for [`DEBOUNCE`]: edits have
/// paused. Returns `false` if the server shut down meanwhile.
///
/// A compile holds its snapshot (a whole analysis) and allocates about as much again;
/// started in the middle of a burst of edits it would overlap the analyses of the next
/// edits and hold a third analysis alive for nothing, since its sizes are stale before
/// they are shown.
fn edits_paused(state: &Mutex<State>) -> bool {
    let revision = |state: &Mutex<State>| {
        let state = crate::lock(state);
        (!state.shut_down).then(|| state.host.revision())
    };
    let Some(mut before) = revision(state) else {
        return false;
    };
    loop {
        std::thread::sleep(DEBOUNCE);
        match revision(state) {
            None => return false,
            Some(now) if now == before => return true,
            Some(now) => before = now,
        }
    }
}

/// The newest snapshot once it is of the host's current revision (the analysis is
/// idle); `None` if that takes longer than [`IDLE_WAIT`] or the server shut down.
fn idle_snapshot(state: &Mutex<State>, snapshots: &watch::Receiver<Snapshot>) -> Option<Snapshot> {
    let started = Instant::now();
    loop {
        let (revision, shut_down) = {
            let state = crate::lock(state);
            (state.host.revision(), state.shut_down)
        };
        if shut_down {
            return None;
        }
        let snapshot = snapshots.borrow().clone();
        if snapshot.revision() == revision {
            return Some(snapshot);
        }
        if started.elapsed() > IDLE_WAIT {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether `weak` points at `analysis` (a weak pointer keeps its allocation, so the
/// address cannot be reused by a newer analysis while it is held).
fn same(weak: &Weak<Analysis>, analysis: &Arc<Analysis>) -> bool {
    std::ptr::eq(weak.as_ptr(), Arc::as_ptr(analysis))
}

/// Builds every root of `snapshot` whose analysis is not the one `previous` built.
fn compute(snapshot: &Snapshot, previous: Option<&Computed>) -> Computed {
    let roots = snapshot
        .roots()
        .iter()
        .map(|root| {
            let reused = previous.and_then(|p| {
                p.roots
                    .iter()
                    .find(|(analysis, _)| same(analysis, &root.analysis))
            });
            let build = match reused {
                Some((_, build)) => Arc::clone(build),
                None => Arc::new(build_root(root)),
            };
            (Arc::downgrade(&root.analysis), build)
        })
        .collect();
    Computed {
        revision: snapshot.revision(),
        roots,
    }
}

/// Compiles one root as `prometeu build` would, and keys its sizes by declaration.
fn build_root(root: &RootAnalysis) -> RootBuild {
    let is_library = root
        .graph
        .projects
        .first()
        .is_some_and(|p| p.kind == ProjectKind::Lib);
    if is_library {
        return RootBuild::Library;
    }
    if root.analysis.has_errors() {
        return RootBuild::HasErrors;
    }
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prometeu_compiler::compile(&root.analysis, &root.graph)
    }));
    match compiled {
        Ok(Ok(compiled)) => RootBuild::Built(
            compiled
                .function_sizes()
                .into_iter()
                .map(|(symbol, size)| (root.analysis.symbols.get(symbol).decl_span, size))
                .collect(),
        ),
        _ => RootBuild::Failed,
    }
}
