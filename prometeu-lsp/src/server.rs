//! The `LanguageServer` implementation: capabilities, notifications (which change the
//! state synchronously, before any `.await`, so edits apply in arrival order) and
//! requests (which wait for a consistent snapshot and call one handler each).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use prometeu_analysis::FileId;
use prometeu_analysis::ide::{InlayHintsConfig, Snapshot};
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
    semantic_tokens: Arc<handlers::semantic_tokens::ResultCache>,
    inlay_hints: Arc<Mutex<InlayHintsConfig>>,
    /// The compiled-size thread behind code lens.
    sizes: Arc<crate::sizes::Sizes>,
    /// Whether the client takes `workspace/codeLens/refresh` (set by `initialize`).
    lens_refresh: Arc<AtomicBool>,
    /// Which other refresh requests the client takes (set by `initialize`).
    refresh: Arc<worker::RefreshSupport>,
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
        let refresh: Arc<worker::RefreshSupport> = Arc::default();
        tokio::spawn(worker::publish_diagnostics(
            client.clone(),
            publish_rx,
            first_tx,
            Arc::clone(&refresh),
        ));
        let wake = worker::spawn_analysis(Arc::clone(&state), snapshots_tx, publish_tx);
        let _ = fetched.set((Arc::clone(&state), wake.clone()));
        let lens_refresh = Arc::new(AtomicBool::new(false));
        let on_sizes = {
            let (client, runtime, refresh) = (
                client.clone(),
                tokio::runtime::Handle::current(),
                Arc::clone(&lens_refresh),
            );
            move || {
                if refresh.load(Ordering::SeqCst) {
                    let client = client.clone();
                    runtime.spawn(async move {
                        let _ = client.code_lens_refresh().await;
                    });
                }
            }
        };
        let sizes =
            crate::sizes::Sizes::start(Arc::clone(&state), snapshots.clone(), Box::new(on_sizes));
        Server {
            client,
            state,
            snapshots,
            wake,
            first_analysis: Mutex::new(Some(first_rx)),
            shut_down: Arc::new(AtomicBool::new(false)),
            capabilities: OnceLock::new(),
            semantic_tokens: Arc::default(),
            inlay_hints: Arc::default(),
            sizes,
            lens_refresh,
            refresh,
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

    /// `prometeu/debugMemory`: the analyses alive, the size thread's compile rounds and
    /// the process's resident memory (answered at once, from no snapshot).
    pub async fn debug_memory(&self) -> Result<handlers::debug_memory::Reply> {
        handlers::debug_memory::run(&self.sizes)
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
        let lens_refresh = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        self.lens_refresh.store(lens_refresh, Ordering::SeqCst);
        let workspace = params.capabilities.workspace.as_ref();
        let tokens = workspace
            .and_then(|w| w.semantic_tokens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        let hints = workspace
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        self.refresh.semantic_tokens.store(tokens, Ordering::SeqCst);
        self.refresh.inlay_hints.store(hints, Ordering::SeqCst);
        if let Some(options) = &params.initialization_options {
            let mut config = crate::lock(&self.inlay_hints);
            *config = handlers::inlay_hints::configure(*config, options);
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
        self.semantic_tokens.forget(&params.text_document.uri);
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

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let range = params.range;
        let only = params.context.only;
        self.answer(&params.text_document.uri, move |r| {
            handlers::code_action::run(r, range, only.as_deref())
        })
        .await
    }
    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.answer(&params.text_document.uri, handlers::folding::run)
            .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let positions = params.positions;
        self.answer(&params.text_document.uri, move |r| {
            handlers::selection_range::run(r, &positions)
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.answer(&params.text_document.uri, handlers::document_links::run)
            .await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<CallHierarchyItem>>> {
        let at = params.text_document_position_params;
        self.answer(&at.text_document.uri, move |r| {
            handlers::call_hierarchy::prepare(r, at.position)
        })
        .await
    }

    async fn incoming_calls(
        &self,
        params: CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
        let item = params.item;
        let at = item.selection_range.start;
        self.answer(&item.uri, move |r| {
            handlers::call_hierarchy::incoming(r, at)
        })
        .await
    }

    async fn outgoing_calls(
        &self,
        params: CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
        let item = params.item;
        let at = item.selection_range.start;
        self.answer(&item.uri, move |r| {
            handlers::call_hierarchy::outgoing(r, at)
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let sizes = Arc::clone(&self.sizes);
        self.answer(&params.text_document.uri, move |r| {
            handlers::code_lens::run(r, &sizes)
        })
        .await
    }

    async fn code_lens_resolve(&self, lens: CodeLens) -> Result<CodeLens> {
        let sizes = Arc::clone(&self.sizes);
        self.answer_workspace(move |r| Ok(handlers::code_lens::resolve(&r.snapshot, &sizes, lens)))
            .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let snippets = self
            .capabilities
            .get()
            .is_some_and(handlers::completion::snippet_support);
        self.answer(&at.text_document.uri, move |r| {
            handlers::completion::run(r, at.position, snippets).map(Some)
        })
        .await
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        self.answer_workspace(move |r| handlers::completion::resolve(r, item))
            .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let cache = Arc::clone(&self.semantic_tokens);
        self.answer(&uri.clone(), move |r| {
            handlers::semantic_tokens::full(r, &uri, &cache).map(Some)
        })
        .await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let previous = params.previous_result_id;
        let cache = Arc::clone(&self.semantic_tokens);
        self.answer(&uri.clone(), move |r| {
            handlers::semantic_tokens::delta(r, &uri, &previous, &cache).map(Some)
        })
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let range = params.range;
        self.answer(&params.text_document.uri, move |r| {
            handlers::semantic_tokens::range(r, range).map(Some)
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let range = params.range;
        let config = *crate::lock(&self.inlay_hints);
        self.answer(&params.text_document.uri, move |r| {
            handlers::inlay_hints::run(r, range, config).map(Some)
        })
        .await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let changed = {
            let mut config = crate::lock(&self.inlay_hints);
            let before = *config;
            *config = handlers::inlay_hints::configure(before, &params.settings);
            *config != before
        };
        let refresh = self
            .capabilities
            .get()
            .and_then(|c| c.workspace.as_ref()?.inlay_hint.as_ref()?.refresh_support)
            .unwrap_or(false);
        if changed && refresh {
            let _ = self.client.inlay_hint_refresh().await;
        }
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
