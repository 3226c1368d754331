//! `$/progress` for the first analysis of the workspace ("indexing"), when the client
//! supports server-initiated progress.

use tokio::sync::oneshot;
use tower_lsp::Client;
use tower_lsp::lsp_types::notification::Progress;
use tower_lsp::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp::lsp_types::*;

/// The progress token of the first analysis.
pub const INDEXING_TOKEN: &str = "prometeu/indexing";

/// Reports "indexing" from now until `done` fires (the first diagnostics are out).
pub async fn report_indexing(
    client: &Client,
    capabilities: &ClientCapabilities,
    done: oneshot::Receiver<()>,
) {
    let supported = capabilities
        .window
        .as_ref()
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false);
    if !supported {
        return;
    }
    let token = NumberOrString::String(INDEXING_TOKEN.to_string());
    let created = client
        .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
            token: token.clone(),
        })
        .await;
    if created.is_err() {
        return;
    }
    let send = |value: WorkDoneProgress| {
        client.send_notification::<Progress>(ProgressParams {
            token: token.clone(),
            value: ProgressParamsValue::WorkDone(value),
        })
    };
    send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
        title: "Indexing".to_string(),
        cancellable: Some(false),
        message: Some("loading and checking the workspace's projects".to_string()),
        percentage: None,
    }))
    .await;
    let _ = done.await;
    send(WorkDoneProgress::End(WorkDoneProgressEnd {
        message: Some("done".to_string()),
    }))
    .await;
}
