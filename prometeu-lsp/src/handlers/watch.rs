//! Registers the file watcher (`workspace/didChangeWatchedFiles`) when the client lets
//! the server do so dynamically: PBS sources and manifests, anywhere in the workspace.

use tower_lsp::Client;
use tower_lsp::lsp_types::*;

/// Asks the client to watch `**/*.pbs` and `**/prometeu.json` (creation, change and
/// deletion), if it supports dynamic registration; otherwise does nothing (the client
/// may still send changes on its own).
pub async fn register(client: &Client, capabilities: &ClientCapabilities) {
    let dynamic = capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    if !dynamic {
        return;
    }
    let watchers = ["**/*.pbs", "**/prometeu.json"]
        .into_iter()
        .map(|glob| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob.to_string()),
            kind: None,
        })
        .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "prometeu-watched-files".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(error) = client.register_capability(vec![registration]).await {
        client
            .log_message(
                MessageType::WARNING,
                format!("could not register the file watcher: {error}"),
            )
            .await;
    }
}
