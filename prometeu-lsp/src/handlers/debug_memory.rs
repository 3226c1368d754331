//! `prometeu/debugMemory`: what the server's memory is made of, for tests that hold the
//! server to its memory rules (ARCHITECTURE.md, `prometeu-lsp`) and for a user who
//! wonders why it is big: the analyses alive, the compile rounds of the size thread,
//! and the process's resident memory.

use serde::{Deserialize, Serialize};
use tower_lsp::jsonrpc::Result;

use crate::sizes::Sizes;

/// The method name.
pub const METHOD: &str = "prometeu/debugMemory";

/// The reply.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reply {
    /// Root analyses alive now (snapshots share unchanged ones).
    pub live_analyses: usize,
    /// The most root analyses ever alive at once.
    pub peak_live_analyses: usize,
    /// Compile rounds the size thread has started.
    pub size_rounds: u64,
    /// `VmRSS` in KiB (`null` where `/proc` is not there).
    pub resident_kib: Option<u64>,
    /// `VmHWM` (the peak of `VmRSS`) in KiB.
    pub peak_resident_kib: Option<u64>,
    /// Whether transparent huge pages are off for the process (`THP_enabled: 0`).
    pub huge_pages_off: Option<bool>,
}

/// The figures, now.
pub fn run(sizes: &Sizes) -> Result<Reply> {
    let live = prometeu_analysis::ide::live_analyses();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
            .map(|rest| rest.trim().trim_end_matches("kB").trim())
            .and_then(|value| value.parse::<u64>().ok())
    };
    Ok(Reply {
        live_analyses: live.now,
        peak_live_analyses: live.peak,
        size_rounds: sizes.rounds(),
        resident_kib: field("VmRSS"),
        peak_resident_kib: field("VmHWM"),
        huge_pages_off: field("THP_enabled").map(|enabled| enabled == 0),
    })
}
