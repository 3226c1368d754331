//! The PBS language server (LSP over stdio), `docs/spec/toolchain.md` §4.
//!
//! A thin shell over the IDE layer of `prometeu-analysis`: it keeps the open documents,
//! applies their edits to an [`prometeu_analysis::ide::AnalysisHost`] synchronously and
//! in arrival order, lets a background thread analyse ([`worker`]), and answers every
//! request from an immutable snapshot consistent with the document the request names.
//! It converts positions and shapes replies; it does no analysis of its own.
//!
//! * [`server`] — the `LanguageServer` implementation: capabilities and dispatch.
//! * [`handlers`] — one file per request: protocol shapes from IDE results.
//! * [`state`] — open documents and the host, behind one lock.
//! * [`convert`] — positions (UTF-8 or UTF-16), ranges, URIs, diagnostics.
//! * [`worker`] — the analysis thread and the diagnostics publisher.
//! * [`sizes`] — the compiled-size thread behind code lens.
//! * [`transport`] — stdio framing that answers malformed messages instead of dying.

pub mod convert;
pub mod handlers;
pub mod host_calls;
pub mod server;
pub mod sizes;
pub mod state;
pub mod transport;
pub mod worker;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long the server may take to finish once its input has ended.
const EXIT_GRACE: Duration = Duration::from_secs(2);

pub use server::Server;

/// Locks the server state. A panic while it was held (a bug) leaves it as consistent
/// as the last completed change, so the server keeps going with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Serves the protocol over the given streams until the client sends `exit`. Returns
/// whether `shutdown` came first (the process should then exit with status 0).
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (service, socket) = tower_lsp::LspService::build(Server::new)
        .custom_method(handlers::virtual_document::METHOD, Server::virtual_document)
        .custom_method(handlers::crash::METHOD, Server::crash)
        .custom_method(handlers::debug_memory::METHOD, Server::debug_memory)
        .finish();
    let shut_down = service.inner().shutdown_flag();
    let (server_input, filtered) = tokio::io::duplex(1 << 16);
    let (server_output, unmerged) = tokio::io::duplex(1 << 16);
    let (replies_tx, replies_rx) = tokio::sync::mpsc::unbounded_channel();
    let filter = tokio::spawn(transport::filter_input(input, server_input, replies_tx));
    let merge = tokio::spawn(transport::merge_output(unmerged, output, replies_rx));
    let mut filter = filter;
    let mut server = Box::pin(
        tower_lsp::Server::new(filtered, server_output, socket)
            // Requests wait for their snapshot without holding up the messages behind them.
            .concurrency_level(64)
            .serve(service),
    );
    tokio::select! {
        () = &mut server => filter.abort(),
        _ = &mut filter => {
            // The input has ended (`exit`, or the end of the stream). A handler may still
            // wait for a reply the client will never send (a `client/registerCapability`
            // it left unanswered, or answered after `exit`, which is never read), and
            // tower-lsp waits for every handler: give them a moment, then stop anyway.
            let _ = tokio::time::timeout(EXIT_GRACE, &mut server).await;
        }
    }
    // Dropping the server closes its output, which ends `merge` once it has written
    // everything.
    drop(server);
    let _ = merge.await;
    shut_down.load(std::sync::atomic::Ordering::SeqCst)
}

/// Serves the protocol on stdin and stdout (what `prometeu lsp` runs).
pub fn run_stdio() -> bool {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let shut_down = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // A read of stdin may still be blocked in its thread; don't wait for it.
    runtime.shutdown_background();
    shut_down
}
