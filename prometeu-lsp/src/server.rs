//! The `LanguageServer` implementation: capabilities, notifications (which change the
//! state synchronously, before any `.await`, so edits apply in arrival order) and
//! requests (which wait for a consistent snapshot and call one handler each).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use prometeu_analysis::FileId;
use prometeu_analysis::ide::Snapshot;
use prometeu_analysis::project::{LoadOptions, RealFs};
use tokio::sync::watch;
use tower_lsp::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

use crate::convert::Encoding;
use crate::handlers::{self, Request};
use crate::state::State;
use crate::worker;

/// How long a request waits for the analysis of the text it was asked about.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(10);

/// The error code the protocol reserves for "the document changed under the request".
const CONTENT_MODIFIED: i64 = -32801;

/// What a finished background clone needs: the state to tell and the analysis to wake.
type FetchedHook = (Arc<Mutex<State>>, std::sync::mpsc::Sender<()>);

/// The language server.
pub struct Server {
    client: Client,
    state: Arc<Mutex<State>>,
    snapshots: watch::Receiver<Snapshot>,
    wake: std::sync::mpsc::Sender<()>,
    first_analysis: Mutex<Option<tokio::sync::oneshot::Receiver<()>>>,
    shut_down: Arc<AtomicBool>,
    capabilities: OnceLock<ClientCapabilities>,
}

impl Server {
    /// A server talking to `client`; starts the analysis thread and the diagnostics
    /// publisher (so it must be called inside a tokio runtime).
    pub fn new(client: Client) -> Server {
        // A git dependency is cloned in the background; when it is there, the projects
        // load again (the callback is tied to the state once it exists).
        let fetched: Arc<OnceLock<FetchedHook>> = Arc::default();
        let git = prometeu_git::default_cache_dir().map(|cache| {
            let fetched = Arc::clone(&fetched);
            let on_fetched = move || {
                if let Some((state, wake)) = fetched.get() {
                    crate::lock(state).host.files_changed_on_disk(&[]);
                    let _ = wake.send(());
                }
            };
            Arc::new(prometeu_git::BackgroundGit::new(
                cache,
                Arc::new(on_fetched),
            )) as Arc<dyn prometeu_analysis::project::GitCheckouts>
        });
        let options = LoadOptions { git };
        let host = prometeu_analysis::ide::AnalysisHost::new(Arc::new(RealFs), options);
        let (snapshots_tx, snapshots) = watch::channel(host.snapshot());
        let state = Arc::new(Mutex::new(State {
            host,
            documents: Default::default(),
            encoding: Encoding::Utf16,
            shut_down: false,
        }));
        let (publish_tx, publish_rx) = tokio::sync::mpsc::unbounded_channel();
        let (first_tx, first_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(worker::publish_diagnostics(
            client.clone(),
            publish_rx,
            first_tx,
        ));
        let wake = worker::spawn_analysis(Arc::clone(&state), snapshots_tx, publish_tx);
        let _ = fetched.set((Arc::clone(&state), wake.clone()));
        Server {
            client,
            state,
            snapshots,
            wake,
            first_analysis: Mutex::new(Some(first_rx)),
            shut_down: Arc::new(AtomicBool::new(false)),
            capabilities: OnceLock::new(),
        }
    }

    /// Set once `shutdown` was received.
    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.shut_down)
    }

    /// Wakes the analysis thread after a change.
    fn analyze(&self) {
        let _ = self.wake.send(());
    }

    /// Answers a request about `uri` with `handler`, from a snapshot that shows the
    /// document as the request saw it: waits for it, gives `ContentModified` when the
    /// document changed meanwhile, and turns a panic into an internal error.
    async fn answer<T: Send + 'static>(
        &self,
        uri: &Url,
        handler: impl FnOnce(&Request) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        // Synchronous part: what the request refers to, as of its arrival.
        let (needed, path, encoding, open) = {
            let state = crate::lock(&self.state);
            let open = Arc::new(state.open_documents());
            match state.documents.get(uri) {
                Some(document) => (
                    document.changed_at,
                    document.path.clone(),
                    state.encoding,
                    open,
                ),
                None => {
                    let path = match uri.scheme() {
                        "file" => uri
                            .to_file_path()
                            .map(|p| state.host.canonical(&p))
                            .map_err(|()| invalid_params(format!("not a file URI: {uri}")))?,
                        _ => PathBuf::from(uri.as_str()),
                    };
                    (0, path, state.encoding, open)
                }
            }
        };
        let mut snapshots = self.snapshots.clone();
        let wait = snapshots.wait_for(|s| s.revision() >= needed && s.revision() > 0);
        let snapshot = match tokio::time::timeout(SNAPSHOT_WAIT, wait).await {
            Ok(Ok(snapshot)) => snapshot.clone(),
            _ => return Err(content_modified()),
        };
        let changed_since = crate::lock(&self.state)
            .documents
            .get(uri)
            .is_some_and(|d| d.changed_at != needed);
        if changed_since {
            return Err(content_modified());
        }
        let file = snapshot
            .file_id(&path)
            .ok_or_else(|| invalid_params(format!("unknown document: {uri}")))?;
        run_handler(
            Request {
                snapshot,
                file,
                encoding,
                open,
            },
            handler,
        )
        .await
    }

    /// Answers a request about the whole workspace from the newest snapshot.
    async fn answer_workspace<T: Send + 'static>(
        &self,
        handler: impl FnOnce(&Request) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (encoding, open) = {
            let state = crate::lock(&self.state);
            (state.encoding, Arc::new(state.open_documents()))
        };
        let mut snapshots = self.snapshots.clone();
        let snapshot =
            match tokio::time::timeout(SNAPSHOT_WAIT, snapshots.wait_for(|s| s.revision() > 0))
                .await
            {
                Ok(Ok(snapshot)) => snapshot.clone(),
                _ => return Err(content_modified()),
            };
        let request = Request {
            snapshot,
            file: FileId(0),
            encoding,
            open,
        };
        run_handler(request, move |r| handler(r)).await
    }

    /// `prometeu/virtualDocument`: the text of a read-only document the server made up
    /// (the prelude, `prometeu:prelude.pbs`).
    pub async fn virtual_document(
        &self,
        params: handlers::virtual_document::Params,
    ) -> Result<handlers::virtual_document::Reply> {
        let uri = params.uri.clone();
        self.answer(&uri, move |request| {
            handlers::virtual_document::run(request)
        })
        .await
    }

    /// `prometeu/debugPanic`: panics inside a request handler, so tests (and users
    /// reporting a problem) can see that the server answers with an error and goes on.
    pub async fn crash(&self) -> Result<()> {
        let snapshot = self.snapshots.borrow().clone();
        run_handler(
            Request {
                snapshot,
                file: FileId(0),
                encoding: Encoding::Utf16,
                open: Arc::default(),
            },
            |_| handlers::crash::run(),
        )
        .await
    }
}

/// Runs a handler on a blocking thread with panics caught.
async fn run_handler<T: Send + 'static>(
    request: Request,
    handler: impl FnOnce(&Request) -> Result<T> + Send + 'static,
) -> Result<T> {
    let task = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&request)))
    });
    match task.await {
        Ok(Ok(reply)) => reply,
        Ok(Err(panic)) => Err(internal_error(&panic)),
        Err(join) => Err(Error {
            code: ErrorCode::InternalError,
            message: format!("internal error: {join}").into(),
            data: None,
        }),
    }
}

fn internal_error(panic: &Box<dyn std::any::Any + Send>) -> Error {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    Error {
        code: ErrorCode::InternalError,
        message: format!("internal error (the server carries on): {message}").into(),
        data: None,
    }
}

/// An `InvalidParams` error with a message.
pub fn invalid_params(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: message.into().into(),
        data: None,
    }
}

fn content_modified() -> Error {
    Error {
        code: ErrorCode::ServerError(CONTENT_MODIFIED),
        message: "the document changed; ask again".into(),
        data: None,
    }
}

fn wants_utf8(capabilities: &ClientCapabilities) -> bool {
    capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8))
}

fn folder_paths(params: &InitializeParams) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().ok())
        .collect();
    #[allow(deprecated)] // Older clients send only rootUri.
    if folders.is_empty() {
        folders.extend(params.root_uri.as_ref().and_then(|u| u.to_file_path().ok()));
    }
    folders
}

#[tower_lsp::async_trait]
impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let utf8 = wants_utf8(&params.capabilities);
        {
            let mut state = crate::lock(&self.state);
            state.encoding = if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            };
            for folder in folder_paths(&params) {
                state.host.add_workspace_folder(&folder);
            }
        }
        let _ = self.capabilities.set(params.capabilities);
        Ok(InitializeResult {
            capabilities: handlers::capabilities(utf8),
            server_info: Some(ServerInfo {
                name: "prometeu".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Registering the watcher and reporting progress talk to the client; the first
        // analysis starts before either, so nothing waits on the editor.
        self.analyze();
        let capabilities = self.capabilities.get().cloned().unwrap_or_default();
        handlers::watch::register(&self.client, &capabilities).await;
        let first = self.first_analysis.lock().ok().and_then(|mut f| f.take());
        if let Some(first) = first {
            handlers::progress::report_indexing(&self.client, &capabilities, first).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        crate::lock(&self.state).shut_down = true;
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        crate::lock(&self.state).open(document.uri, document.version, document.text);
        self.analyze();
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let document = params.text_document;
        crate::lock(&self.state).change(&document.uri, document.version, params.content_changes);
        self.analyze();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        crate::lock(&self.state).close(&params.text_document.uri);
        self.analyze();
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = params
            .changes
            .iter()
            .filter_map(|change| change.uri.to_file_path().ok())
            .collect();
        crate::lock(&self.state).host.files_changed_on_disk(&paths);
        self.analyze();
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut state = crate::lock(&self.state);
            for folder in &params.event.removed {
                if let Ok(path) = folder.uri.to_file_path() {
                    state.host.remove_workspace_folder(&path);
                }
            }
            for folder in &params.event.added {
                if let Ok(path) = folder.uri.to_file_path() {
                    state.host.add_workspace_folder(&path);
                }
            }
        }
        self.analyze();
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        self.answer(&at.text_document.uri, move |r| {
            handlers::hover::run(r, at.position)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.answer(&at.text_document.uri, move |r| {
            handlers::navigation::definition(r, at.position)
        })
        .await
    }

    async fn goto_declaration(
        &self,
        params: request::GotoDeclarationParams,
    ) -> Result<Option<request::GotoDeclarationResponse>> {
        let at = params.text_document_position_params;
        self.answer(&at.text_document.uri, move |r| {
            handlers::navigation::declaration(r, at.position)
        })
        .await
    }

    async fn goto_type_definition(
        &self,
        params: request::GotoTypeDefinitionParams,
    ) -> Result<Option<request::GotoTypeDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.answer(&at.text_document.uri, move |r| {
            handlers::navigation::type_definition(r, at.position)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let include_declaration = params.context.include_declaration;
        self.answer(&at.text_document.uri, move |r| {
            handlers::references::references(r, at.position, include_declaration)
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let at = params.text_document_position_params;
        self.answer(&at.text_document.uri, move |r| {
            handlers::references::highlight(r, at.position)
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.answer(&params.text_document.uri, handlers::symbols::document)
            .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<Vec<SymbolInformation>>> {
        self.answer_workspace(move |r| handlers::symbols::workspace(r, &params.query))
            .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.answer(&params.text_document.uri, move |r| {
            handlers::rename::prepare(r, params.position)
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let new_name = params.new_name;
        self.answer(&at.text_document.uri, move |r| {
            handlers::rename::rename(r, at.position, &new_name)
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let at = params.text_document_position_params;
        self.answer(&at.text_document.uri, move |r| {
            handlers::signature_help::run(r, at.position)
        })
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.answer(&params.text_document.uri, handlers::formatting::document)
            .await
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let range = params.range;
        self.answer(&params.text_document.uri, move |r| {
            handlers::formatting::range(r, range)
        })
        .await
    }
}
