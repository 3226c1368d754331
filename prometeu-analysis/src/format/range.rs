//! Range formatting: the formatted text of the smallest run of sibling statements or
//! items around a range, cut from the formatted file so that it sits exactly as it
//! would after formatting everything.

use super::{Entry, Formatted, RangeEdit};
use crate::NodeId;
use std::collections::HashMap;

/// Picks the entries around `start..end`, widens them to whole lines in the source and
/// in the output (climbing to the parent statement or item while a line holds code
/// outside the run), and returns the edit. `None` when no entry is in the range.
pub(super) fn select(
    text: &str,
    formatted: &Formatted,
    start: usize,
    end: usize,
) -> Option<RangeEdit> {
    let entries = &formatted.entries;
    let index_of: HashMap<NodeId, usize> = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| (entry.node, index))
        .collect();
    let parent = |index: usize| -> Option<usize> {
        formatted
            .parse
            .arena
            .ancestors(entries[index].node)
            .find_map(|node| index_of.get(&node).copied())
    };
    // A selection of whole lines starts and ends in indentation: look at the code.
    let (start, end) = (
        start.min(end).min(text.len()),
        start.max(end).min(text.len()),
    );
    let start = start + (text[start..end].len() - text[start..end].trim_start().len());
    let end = (end - (text[start..end].len() - text[start..end].trim_end().len())).max(start);
    let first = innermost(entries, start, start + 1)?;
    let last = innermost(
        entries,
        end.saturating_sub(1).max(start),
        end.max(start + 1),
    )
    .unwrap_or(first);
    // Climb both ends until they are siblings (or the same entry).
    let chain = |mut index: usize| {
        let mut chain = vec![index];
        while let Some(up) = parent(index) {
            chain.push(up);
            index = up;
        }
        chain
    };
    let (first_chain, last_chain) = (chain(first), chain(last));
    let mut pair = None;
    'outer: for &a in &first_chain {
        for &b in &last_chain {
            if a == b || parent(a) == parent(b) {
                pair = Some((a.min(b), a.max(b)));
                break 'outer;
            }
        }
    }
    let (mut a, mut b) = pair?;
    loop {
        let source = (entries[a].source.0, entries[b].source.1);
        let output = (entries[a].output.0, entries[b].output.1);
        if let (Some(source), Some(output)) = (
            whole_lines(text, source),
            whole_lines(&formatted.text, output),
        ) {
            let mut replacement = formatted.text[output.0..output.1].to_string();
            if formatted.crlf {
                replacement = replacement.replace('\n', "\r\n");
            }
            return Some(RangeEdit {
                range: source.0..source.1,
                replacement,
            });
        }
        match parent(a) {
            Some(up) => {
                a = up;
                b = up;
            }
            None => {
                let mut replacement = formatted.text.clone();
                if formatted.crlf {
                    replacement = replacement.replace('\n', "\r\n");
                }
                return Some(RangeEdit {
                    range: 0..text.len(),
                    replacement,
                });
            }
        }
    }
}

/// The smallest entry overlapping `start..end`.
fn innermost(entries: &[Entry], start: usize, end: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    // Entries are sorted by start; every overlapping one starts before `end`.
    let limit = entries.partition_point(|entry| entry.source.0 < end);
    for (index, entry) in entries[..limit].iter().enumerate() {
        if entry.source.1 <= start {
            continue;
        }
        let size = entry.source.1 - entry.source.0;
        if best.is_none_or(|b| size <= entries[b].source.1 - entries[b].source.0) {
            best = Some(index);
        }
    }
    best
}

/// `range` widened to whole lines (through the line break), if the lines hold nothing
/// but whitespace before it and whitespace or a comment after it.
fn whole_lines(text: &str, (start, end): (usize, usize)) -> Option<(usize, usize)> {
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    if !text[line_start..start].trim().is_empty() {
        return None;
    }
    let line_end = text[end..].find('\n').map_or(text.len(), |at| end + at + 1);
    let after = text[end..line_end].trim();
    if !after.is_empty() && !after.starts_with("//") {
        return None;
    }
    Some((line_start, line_end))
}
