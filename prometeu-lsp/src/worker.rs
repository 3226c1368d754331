//! The analysis thread and the diagnostics publisher.
//!
//! Every change wakes the analysis thread, which takes a job from the host (under the
//! state lock, briefly), runs it without the lock, and installs the snapshot unless a
//! newer change cancelled it (then the newer change's wake-up is already queued). The
//! publisher, one async task, turns each installed snapshot into `publishDiagnostics`
//! for the files whose diagnostics changed, in one order, so notifications never race.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
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
                    let replaced = snapshots.send_replace(snapshot.clone());
                    let _ = publish.send(Installed {
                        snapshot,
                        open,
                        encoding,
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
) {
    // What each document last got, with the version it was for.
    let mut published: HashMap<Url, (Option<i32>, Vec<lsp::Diagnostic>)> = HashMap::new();
    let mut on_first = Some(on_first);
    while let Some(mut next) = installed.recv().await {
        // Only the newest snapshot matters when several are waiting.
        while let Ok(newer) = installed.try_recv() {
            next = newer;
        }
        let Installed {
            snapshot,
            open,
            encoding,
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
        if let Some(first) = on_first.take() {
            let _ = first.send(());
        }
    }
}
