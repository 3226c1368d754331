//! `prometeu/debugPanic`: a request whose handler panics, to show (in tests, or to a
//! user checking a setup) that a panic is answered as an error and the server goes on.

use tower_lsp::jsonrpc::Result;

/// The method name.
pub const METHOD: &str = "prometeu/debugPanic";

/// Panics.
pub fn run() -> Result<()> {
    panic!("prometeu/debugPanic was asked to panic")
}
