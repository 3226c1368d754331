//! The analysis thread and the diagnostics publisher.
//!
//! Every change wakes the analysis thread, which takes a job from the host (under the
//! state lock, briefly), runs it without the lock, and installs the snapshot unless a
//! newer change cancelled it (then the newer change's wake-up is already queued). The
//! publisher, one async task, turns each installed snapshot into `publishDiagnostics`
//! for the files whose diagnostics changed, in one order, so notifications never race.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use prometeu_analysis::ide::Snapshot;
use tokio::sync::{mpsc as async_mpsc, watch};
use tower_lsp::Client;
use tower_lsp::lsp_types::{self as lsp, Url};

use crate::convert::{self, Encoding};
use crate::state::State;

/// What the publisher needs to know of one installed snapshot.
pub struct Installed {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// The open documents at the snapshot's revision: canonical path → (URI, version).
    pub open: HashMap<PathBuf, (Url, i32)>,
    /// How the client counts columns.
    pub encoding: Encoding,
    /// Whether the analysis went beyond re-checking one file's bodies (see
    /// [`reanalysed_beyond_one_file`]): then other open documents' semantic tokens and
    /// inlay hints may have changed.
    pub refresh: bool,
}

/// Which refresh requests the client takes (set by `initialize`).
#[derive(Debug, Default)]
pub struct RefreshSupport {
    /// `workspace/semanticTokens/refresh`.
    pub semantic_tokens: AtomicBool,
    /// `workspace/inlayHint/refresh`.
    pub inlay_hints: AtomicBool,
}

/// Whether `next` analysed a root of `previous` again beyond re-checking one file's
/// function bodies. A re-check of bodies leaves every other file's analysis as it was
/// (their names mean the same things, their bodies' types are the same), so only the
/// edited document — which its editor asks about again anyway — can look different.
pub fn reanalysed_beyond_one_file(previous: &Snapshot, next: &Snapshot) -> bool {
    next.roots().iter().any(|root| {
        previous.roots().iter().any(|old| {
            old.root == root.root
                && !Arc::ptr_eq(&old.analysis, &root.analysis)
                && !root.analysis.stats.one_file_rechecked
        })
    })
}

/// Starts the analysis thread; returns the sender that wakes it.
pub fn spawn_analysis(
    state: Arc<Mutex<State>>,
    snapshots: watch::Sender<Snapshot>,
    publish: async_mpsc::UnboundedSender<Installed>,
) -> mpsc::Sender<()> {
    let (wake, woken) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("prometeu-analysis".to_string())
        // Deep programs recurse in the checker: give it room, like the CLI's main thread.
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            while woken.recv().is_ok() {
                while woken.try_recv().is_ok() {}
                let (job, open, encoding) = {
                    let state = crate::lock(&state);
                    if state.shut_down {
                        continue;
                    }
                    (state.host.job(), state.open_documents(), state.encoding)
                };
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run()));
                let snapshot = match run {
                    Ok(Ok(snapshot)) => snapshot,
                    // Cancelled: the newer change has queued its own wake-up.
                    Ok(Err(_)) => continue,
                    Err(_) => {
                        eprintln!(
                            "prometeu lsp: the analysis panicked; waiting for the next change"
                        );
                        continue;
                    }
                };
                if crate::lock(&state).host.install(&snapshot) {
                    let refresh = reanalysed_beyond_one_file(&snapshots.borrow(), &snapshot);
                    let replaced = snapshots.send_replace(snapshot.clone());
                    let _ = publish.send(Installed {
                        snapshot,
                        open,
                        encoding,
                        refresh,
                    });
                    // Freeing the previous analysis takes a while: only once the
                    // publisher has the new diagnostics.
                    drop(replaced);
                }
            }
        })
        .expect("the analysis thread starts");
    wake
}

/// Publishes the diagnostics of every installed snapshot, only where they changed;
/// files that left the workspace (a closed loose file) get an empty list.
pub async fn publish_diagnostics(
    client: Client,
    mut installed: async_mpsc::UnboundedReceiver<Installed>,
    on_first: tokio::sync::oneshot::Sender<()>,
    support: Arc<RefreshSupport>,
) {
    // What each document last got, with the version it was for.
    let mut published: HashMap<Url, (Option<i32>, Vec<lsp::Diagnostic>)> = HashMap::new();
    let mut on_first = Some(on_first);
    while let Some(mut next) = installed.recv().await {
        // Only the newest snapshot matters when several are waiting (a refresh any of
        // them asked for still happens).
        let mut refresh = next.refresh;
        while let Ok(newer) = installed.try_recv() {
            refresh |= newer.refresh;
            next = newer;
        }
        let Installed {
            snapshot,
            open,
            encoding,
            ..
        } = next;
        let mut files = snapshot.files();
        // Open documents first: their diagnostics are the ones someone is looking at.
        files.sort_by_key(|&f| !open.contains_key(&PathBuf::from(snapshot.file_path(f))));
        let mut seen = HashSet::with_capacity(files.len());
        for file in files {
            let path = snapshot.file_path(file);
            let (uri, version) = match open.get(&PathBuf::from(path)) {
                Some((uri, version)) => (uri.clone(), Some(*version)),
                None => match convert::url_of_path(path) {
                    Some(uri) => (uri, None),
                    None => continue,
                },
            };
            let diagnostics: Vec<lsp::Diagnostic> = snapshot
                .diagnostics(file)
                .iter()
                .map(|d| convert::diagnostic(&snapshot, file, d, encoding))
                .collect();
            seen.insert(uri.clone());
            // Nothing published counts as an empty list, so clean files stay quiet; an
            // open document gets its diagnostics again for every new version, so the
            // editor knows they are fresh even when they did not change.
            let unchanged = match published.get(&uri) {
                Some((old_version, old)) => *old_version == version && *old == diagnostics,
                None => version.is_none() && diagnostics.is_empty(),
            };
            if unchanged {
                continue;
            }
            published.insert(uri.clone(), (version, diagnostics.clone()));
            client.publish_diagnostics(uri, diagnostics, version).await;
        }
        let gone: Vec<Url> = published
            .keys()
            .filter(|uri| !seen.contains(uri))
            .cloned()
            .collect();
        for uri in gone {
            if let Some((_, old)) = published.remove(&uri) {
                if !old.is_empty() {
                    client.publish_diagnostics(uri, Vec::new(), None).await;
                }
            }
        }
        if refresh {
            send_refreshes(&client, &support);
        }
        if let Some(first) = on_first.take() {
            let _ = first.send(());
        }
    }
}

/// Asks the client to request semantic tokens and inlay hints again, for the requests
/// it takes (each on a task of its own: the client answers when it likes).
fn send_refreshes(client: &Client, support: &RefreshSupport) {
    if support.semantic_tokens.load(Ordering::SeqCst) {
        let client = client.clone();
        tokio::spawn(async move {
            let _ = client.semantic_tokens_refresh().await;
        });
    }
    if support.inlay_hints.load(Ordering::SeqCst) {
        let client = client.clone();
        tokio::spawn(async move {
            let _ = client.inlay_hint_refresh().await;
        });
    }
}
