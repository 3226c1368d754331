//! Small copyable IDs that name things across phases instead of references.
//!
//! Every ID is a `u32` index into the arena or table that created it. IDs are only
//! meaningful together with that arena; they are dense, start at 0 and are assigned in
//! a deterministic order so that outputs are reproducible.

/// Declares `#[repr(transparent)]` `u32` ID newtypes with the same derives and helpers.
macro_rules! define_ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The ID as an index into its table.
            #[inline]
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// The ID of the entry at `index`; panics if it does not fit in `u32`, which
            /// callers rule out by bounding their inputs.
            #[inline]
            pub fn from_index(index: usize) -> Self {
                Self(u32::try_from(index).expect(concat!(stringify!($name), " overflow")))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl From<$name> for usize {
            #[inline]
            fn from(id: $name) -> usize {
                id.index()
            }
        }
    )*};
}

define_ids! {
    /// A source file in a [`crate::FileDb`] session.
    FileId;
    /// A node of a syntax tree, an index into its file's AST arena.
    NodeId;
    /// An interned identifier, an index into the [`crate::NameInterner`].
    NameId;
    /// A declared or local symbol of an analysis.
    SymbolId;
    /// An interned type of an analysis.
    TypeId;
    /// A module (one directory under a project's `src/`).
    ModuleId;
    /// A project (a directory with a `prometeu.json`), or a loose file's pseudo-project.
    ProjectId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_u32_indices() {
        let id = NodeId::from_index(7);
        assert_eq!(id.index(), 7);
        assert_eq!(usize::from(id), 7);
        assert_eq!(format!("{id:?}"), "NodeId(7)");
        assert_eq!(std::mem::size_of::<NodeId>(), 4);
        assert!(FileId(1) < FileId(2));
    }

    #[test]
    fn ids_serialize_as_bare_numbers() {
        assert_eq!(serde_json::to_string(&SymbolId(42)).unwrap(), "42");
        let back: TypeId = serde_json::from_str("3").unwrap();
        assert_eq!(back, TypeId(3));
    }

    #[test]
    #[should_panic(expected = "FileId overflow")]
    fn from_index_rejects_indices_past_u32() {
        let _ = FileId::from_index(u32::MAX as usize + 1);
    }
}
