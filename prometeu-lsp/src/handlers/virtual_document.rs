//! `prometeu/virtualDocument`: the text of a document that exists only in the server,
//! the prelude (`prometeu:prelude.pbs`), which definitions and hovers point into.
//! Editors show it read-only (`docs/spec/toolchain.md` §4).

use serde::{Deserialize, Serialize};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::Url;

use super::Request;

/// The method name.
pub const METHOD: &str = "prometeu/virtualDocument";

/// The request's parameters.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Params {
    /// The document, e.g. `prometeu:prelude.pbs`.
    pub uri: Url,
}

/// The reply.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reply {
    /// The whole text.
    pub text: String,
}

/// The text of the requested document.
pub fn run(request: &Request) -> Result<Reply> {
    Ok(Reply {
        text: request.snapshot.file_text(request.file).to_string(),
    })
}
