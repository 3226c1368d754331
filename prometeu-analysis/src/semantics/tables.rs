//! Dense tables keyed by IDs, for the facts the checker records about almost every
//! node and symbol: `la_arena::ArenaMap`s keyed by the typed index of what they describe
//! (`Idx<NodeKind>` for a node of one file's syntax tree, `Idx<Symbol>` for a symbol of
//! the [`super::SymbolArena`]). IDs are small dense integers, so a vector indexed by them
//! beats a hash map (whole-program analysis spent a third of its time hashing);
//! iterating a table visits its keys in ID order, which keeps every output
//! deterministic.

use std::sync::Arc;

use la_arena::{ArenaMap, Idx, RawIdx};

use super::symbols::Symbol;
use crate::syntax::NodeKind;
use crate::{FileId, NodeId, SymbolId};

/// The typed arena index of a node of one file's syntax tree.
fn node_idx(node: NodeId) -> Idx<NodeKind> {
    Idx::from_raw(RawIdx::from_u32(node.0))
}

/// A value for some nodes of some files: one map per file, keyed by node. Each file's
/// map is shared between the analyses of a session that did not change it.
#[derive(Clone, Debug)]
pub(crate) struct NodeTable<T> {
    files: Vec<Arc<ArenaMap<Idx<NodeKind>, T>>>,
}

impl<T> Default for NodeTable<T> {
    fn default() -> Self {
        NodeTable { files: Vec::new() }
    }
}

impl<T: Copy> NodeTable<T> {
    /// The value of `node` of `file`, if one was set.
    pub(crate) fn get(&self, file: FileId, node: NodeId) -> Option<T> {
        self.files.get(file.index())?.get(node_idx(node)).copied()
    }

    /// Sets the value of `node` of `file`, replacing any earlier one.
    pub(crate) fn insert(&mut self, file: FileId, node: NodeId, value: T) {
        let f = file.index();
        if self.files.len() <= f {
            self.files.resize_with(f + 1, Arc::default);
        }
        Arc::make_mut(&mut self.files[f]).insert(node_idx(node), value);
    }

    /// Every `(node, value)` of `file`, in node order.
    pub(crate) fn file_entries(&self, file: FileId) -> Vec<(NodeId, T)> {
        self.files.get(file.index()).map_or_else(Vec::new, |nodes| {
            nodes
                .iter()
                .map(|(node, value)| (NodeId(node.into_raw().into_u32()), *value))
                .collect()
        })
    }

    /// Replaces everything known about the nodes of `file` with `entries`.
    pub(crate) fn replace_file(
        &mut self,
        file: FileId,
        entries: impl IntoIterator<Item = (NodeId, T)>,
    ) {
        let f = file.index();
        if self.files.len() <= f {
            self.files.resize_with(f + 1, Arc::default);
        }
        self.files[f] = Arc::new(
            entries
                .into_iter()
                .map(|(node, value)| (node_idx(node), value))
                .collect(),
        );
    }

    /// Every `(file, node) → value`, sorted by file then node.
    pub(crate) fn entries(&self) -> Vec<((FileId, NodeId), T)> {
        let mut out = Vec::new();
        for (f, nodes) in self.files.iter().enumerate() {
            for (node, value) in nodes.iter() {
                let node = NodeId(node.into_raw().into_u32());
                out.push(((FileId::from_index(f), node), *value));
            }
        }
        out
    }
}

/// A value for some symbols, keyed by symbol.
#[derive(Clone, Debug)]
pub(crate) struct SymbolTable<T> {
    values: ArenaMap<Idx<Symbol>, T>,
}

impl<T> Default for SymbolTable<T> {
    fn default() -> Self {
        SymbolTable {
            values: ArenaMap::default(),
        }
    }
}

impl<T> SymbolTable<T> {
    /// The value of `symbol`, if one was set.
    pub(crate) fn get(&self, symbol: SymbolId) -> Option<&T> {
        self.values.get(symbol.arena_idx())
    }

    /// The value of `symbol`, set to `T::default()` first if there is none.
    pub(crate) fn get_or_default(&mut self, symbol: SymbolId) -> &mut T
    where
        T: Default,
    {
        self.values.entry(symbol.arena_idx()).or_default()
    }

    /// Sets the value of `symbol`, replacing any earlier one.
    pub(crate) fn insert(&mut self, symbol: SymbolId, value: T) {
        self.values.insert(symbol.arena_idx(), value);
    }

    /// Every symbol with a value and the value, in symbol order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (SymbolId, &T)> {
        self.values
            .iter()
            .map(|(idx, value)| (SymbolId::from_arena_idx(idx), value))
    }

    /// Every value, mutably.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.values.values_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::{NodeTable, SymbolTable};
    use crate::{FileId, NodeId, SymbolId};

    #[test]
    fn a_node_table_keeps_values_per_file_and_lists_them_in_order() {
        let mut table = NodeTable::default();
        table.insert(FileId(2), NodeId(5), 'a');
        table.insert(FileId(0), NodeId(1), 'b');
        table.insert(FileId(2), NodeId(0), 'c');
        table.insert(FileId(2), NodeId(5), 'd');
        assert_eq!(table.get(FileId(2), NodeId(5)), Some('d'));
        assert_eq!(table.get(FileId(2), NodeId(4)), None);
        assert_eq!(table.get(FileId(1), NodeId(0)), None);
        assert_eq!(table.get(FileId(9), NodeId(0)), None);
        let keys: Vec<_> = table.entries().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                (FileId(0), NodeId(1)),
                (FileId(2), NodeId(0)),
                (FileId(2), NodeId(5))
            ]
        );
    }

    #[test]
    fn a_symbol_table_sets_defaults_and_iterates_in_symbol_order() {
        let mut table: SymbolTable<Vec<u8>> = SymbolTable::default();
        table.get_or_default(SymbolId(3)).push(1);
        table.insert(SymbolId(1), vec![7]);
        table.get_or_default(SymbolId(3)).push(2);
        assert_eq!(table.get(SymbolId(3)), Some(&vec![1, 2]));
        assert_eq!(table.get(SymbolId(2)), None);
        assert_eq!(table.get(SymbolId(40)), None);
        let keys: Vec<_> = table.iter().map(|(s, _)| s).collect();
        assert_eq!(keys, [SymbolId(1), SymbolId(3)]);
    }
}
