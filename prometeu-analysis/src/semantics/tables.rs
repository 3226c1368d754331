//! Dense tables keyed by IDs, for the facts the checker records about almost every
//! node and symbol. IDs are small dense integers, so a vector indexed by them beats a
//! hash map (whole-program analysis spent a third of its time hashing); iterating a
//! table visits its keys in ID order, which keeps every output deterministic.

use crate::{FileId, NodeId, SymbolId};

/// A value for some nodes of some files: one vector per file, indexed by node.
#[derive(Clone, Debug)]
pub(crate) struct NodeTable<T> {
    files: Vec<Vec<Option<T>>>,
}

impl<T> Default for NodeTable<T> {
    fn default() -> Self {
        NodeTable { files: Vec::new() }
    }
}

impl<T: Copy> NodeTable<T> {
    /// The value of `node` of `file`, if one was set.
    pub(crate) fn get(&self, file: FileId, node: NodeId) -> Option<T> {
        *self.files.get(file.index())?.get(node.index())?
    }

    /// Sets the value of `node` of `file`, replacing any earlier one.
    pub(crate) fn insert(&mut self, file: FileId, node: NodeId, value: T) {
        let (f, n) = (file.index(), node.index());
        if self.files.len() <= f {
            self.files.resize_with(f + 1, Vec::new);
        }
        let nodes = &mut self.files[f];
        if nodes.len() <= n {
            nodes.resize(n + 1, None);
        }
        nodes[n] = Some(value);
    }

    /// Every `(file, node) → value`, sorted by file then node.
    pub(crate) fn entries(&self) -> Vec<((FileId, NodeId), T)> {
        let mut out = Vec::new();
        for (f, nodes) in self.files.iter().enumerate() {
            for (n, value) in nodes.iter().enumerate() {
                if let Some(value) = value {
                    out.push(((FileId::from_index(f), NodeId::from_index(n)), *value));
                }
            }
        }
        out
    }
}

/// A value for some symbols, indexed by symbol.
#[derive(Clone, Debug)]
pub(crate) struct SymbolTable<T> {
    values: Vec<Option<T>>,
}

impl<T> Default for SymbolTable<T> {
    fn default() -> Self {
        SymbolTable { values: Vec::new() }
    }
}

impl<T> SymbolTable<T> {
    /// The value of `symbol`, if one was set.
    pub(crate) fn get(&self, symbol: SymbolId) -> Option<&T> {
        self.values.get(symbol.index())?.as_ref()
    }

    /// The value of `symbol`, set to `T::default()` first if there is none.
    pub(crate) fn get_or_default(&mut self, symbol: SymbolId) -> &mut T
    where
        T: Default,
    {
        self.slot(symbol).get_or_insert_with(T::default)
    }

    /// Sets the value of `symbol`, replacing any earlier one.
    pub(crate) fn insert(&mut self, symbol: SymbolId, value: T) {
        *self.slot(symbol) = Some(value);
    }

    fn slot(&mut self, symbol: SymbolId) -> &mut Option<T> {
        let i = symbol.index();
        if self.values.len() <= i {
            self.values.resize_with(i + 1, || None);
        }
        &mut self.values[i]
    }

    /// Every symbol with a value and the value, in symbol order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (SymbolId, &T)> {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((SymbolId::from_index(i), v.as_ref()?)))
    }

    /// Every value, mutably.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.values.iter_mut().flatten()
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
