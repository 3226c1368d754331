//! `textDocument/prepareCallHierarchy`, `callHierarchy/incomingCalls` and
//! `callHierarchy/outgoingCalls`.
//!
//! An item is asked about again by its URI and the start of its `selectionRange` (the
//! function's name token), so items need no `data` and stay valid across snapshots as
//! long as the declaration did not move.

use prometeu_analysis::ide::{Call, CallItem};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use super::Request;
use super::symbols::kind;

/// The function at `position` as an item.
pub fn prepare(request: &Request, position: Position) -> Result<Option<Vec<CallHierarchyItem>>> {
    let at = request.position(position)?;
    Ok(request
        .snapshot
        .prepare_call_hierarchy(at)
        .and_then(|i| item(request, i))
        .map(|i| vec![i]))
}

/// Who calls the item whose name starts at `position`.
pub fn incoming(
    request: &Request,
    position: Position,
) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
    let at = request.position(position)?;
    let calls = request
        .snapshot
        .incoming_calls(at)
        .into_iter()
        .filter_map(|call| {
            Some(CallHierarchyIncomingCall {
                from_ranges: ranges(request, &call),
                from: item(request, call.item)?,
            })
        })
        .collect();
    Ok(Some(calls))
}

/// What the item whose name starts at `position` calls.
pub fn outgoing(
    request: &Request,
    position: Position,
) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
    let at = request.position(position)?;
    let calls = request
        .snapshot
        .outgoing_calls(at)
        .into_iter()
        .filter_map(|call| {
            Some(CallHierarchyOutgoingCall {
                from_ranges: ranges(request, &call),
                to: item(request, call.item)?,
            })
        })
        .collect();
    Ok(Some(calls))
}

/// The call sites, in the caller's file (the request's file for outgoing calls, the
/// caller's for incoming ones, as the protocol says).
fn ranges(request: &Request, call: &Call) -> Vec<Range> {
    call.call_sites.iter().map(|s| request.range(*s)).collect()
}

fn item(request: &Request, item: CallItem) -> Option<CallHierarchyItem> {
    Some(CallHierarchyItem {
        name: item.name,
        kind: kind(item.kind),
        tags: None,
        detail: item.detail,
        uri: request.uri(item.focus_span.file)?,
        range: request.range(item.full_span),
        selection_range: request.range(item.focus_span),
        data: None,
    })
}
